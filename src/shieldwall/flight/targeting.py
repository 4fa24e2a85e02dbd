"""Targeting: the burnout state that makes a missile hit an aim point, for a trajectory shape.

Unknowns per threat: burnout speed ``v_bo`` and flight-path angle ``gamma_bo`` (Earth-relative,
above the geocentric horizontal) and the launch azimuth. Shapes:

- ``min_energy``: ``gamma_bo`` of the minimum-energy conic (Lambert) from the burnout point,
  speed to hit the range;
- ``lofted`` / ``depressed``: the conic with the requested apogee (above / below the
  minimum-energy one);
- ``explicit``: ``v_bo`` and ``gamma_bo`` given; only the azimuth is aimed (the missile falls
  where that speed and angle take it).

Method (the "virtual target" iteration of classical ballistic guidance): a cheap inner model -
the boost programme followed by a Keplerian conic over a non-rotating Earth (closed forms of
:mod:`shieldwall.flight.kepler`) - is aimed at a virtual target (range angle, azimuth and,
for lofted/depressed, apogee); a full-model shot (:mod:`shieldwall.flight.propagate`: J2,
rotation, drag) shows where the missile really falls; the virtual target moves by the miss
(secant steps on range angle and apogee, direct correction of the azimuth), until the impact is
within ``MISS_TOL_M`` of the aim point. The inner model is exact in the textbook case, so one
shot suffices there; the full model typically needs 3-5. All threats iterate together; only
those not yet converged are shot again.

Reach: each missile type has a burnout-speed capability, the speed its minimum-energy shot
needs to fly the catalog ``max_range_km`` under the full model (WGS-84 + J2, rotation, US-1976
drag with the type's ballistic coefficient, its boost) on the hardest azimuth: due west from the
equator, where the Earth's rotation costs the most (:func:`calibrate`). So ``max_range_km`` is
reached from any launch point in every direction, and other directions have margin (due east
from the equator the most). Shots needing more than ``REACH_MARGIN`` times the capability are
refused (``DEPRESSED_REACH_MARGIN`` for depressed shots, whose ground range must also be within
the catalog maximum: see there).

References
----------
- R. R. Bate, D. D. Mueller, J. E. White (1971), *Fundamentals of Astrodynamics*, Dover, §6.2
  (ballistic missile trajectories) and §6.5 (effect of Earth rotation).
- P. Zarchan (2012), *Tactical and Strategic Missile Guidance*, 6th ed., ch. 14 (Lambert
  guidance with corrections for the Earth's rotation and non-Keplerian effects).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from shieldwall._types import F64, I64
from shieldwall.earth.geodesy import geodesic_direct
from shieldwall.earth.rotation import ecef_to_eci, eci_to_ecef
from shieldwall.flight import kepler
from shieldwall.flight.boost import BoostResult, boost, boost_plane
from shieldwall.flight.model import FlightModel
from shieldwall.flight.propagate import FreeFlight, propagate

__all__ = [
    "MISS_TOL_M",
    "SHAPES",
    "STATUS",
    "Solution",
    "calibrate",
    "reach_speed",
    "shoot",
    "solve",
]


#: Shape codes (``World.raid.shape``).
SHAPES = ("min_energy", "lofted", "depressed", "explicit")
MIN_ENERGY, LOFTED, DEPRESSED, EXPLICIT = 0, 1, 2, 3
#: Status codes of a solution.
STATUS = ("ok", "out_of_reach", "no_solution", "not_converged")
OK, OUT_OF_REACH, NO_SOLUTION, NOT_CONVERGED = 0, 1, 2, 3

#: Aim tolerance of the solver (the issue's requirement is 50 m). [m]
MISS_TOL_M = 20.0
#: Apogee tolerance for lofted/depressed shots. [m]
APOGEE_TOL_M = 100.0
#: Full-model shots at most.
MAX_SHOTS = 10
#: Allowed burnout speed over the calibrated capability: the solver's tolerance only. The
#: capability already includes drag and rotation on the hardest azimuth; two solutions to the
#: same range agree to ~1e-4 in speed (a 20 m miss at 300 km is 3e-5), and 0.1 % of speed is
#: ~0.2 % of range (0.6 km at 300 km).
REACH_MARGIN = 1.001
#: Azimuth of the reference shot that defines the capability: due west (from the equator). [rad]
REACH_AZIMUTH_RAD = 1.5 * np.pi
#: Depressed shots may use up to this multiple of the capability, provided the ground range is
#: within the catalog maximum: a ballistic stand-in for the aerodynamic pull-up of manoeuvring
#: SRBMs that fly depressed (KN-23: ~600 km at ~60 km apogee, Yonhap 2021), which a purely
#: ballistic vehicle of the same capability could not fly.
DEPRESSED_REACH_MARGIN = 1.25
#: Calibration of the pitch-over fraction: lower bound and grid size per refinement.
_XP_MIN = 0.1
_XP_GRID = 9
#: RK4 sub-steps of the boost in the inner model (the outer iteration absorbs its error).
_INNER_BOOST_SUBSTEPS = 8
#: Inner fixed-point iterations between the boost and the conic.
_INNER_ITERATIONS = 6
#: Time limit of a flight. [s]
_T_MAX_S = 6000.0


@dataclass(frozen=True, kw_only=True)
class Solution:
    """Result of :func:`solve`, ``(n,)`` arrays unless noted; times since launch.

    Attributes
    ----------
    v_bo_mps, gamma_bo_rad, az_rad
        Burnout speed, flight-path angle (Earth-relative, geocentric) and launch azimuth
        (geocentric, clockwise from north). [m/s], [rad], [rad]
    status
        Codes into ``STATUS``: 0 ok, 1 out of reach, 2 no solution (shape infeasible),
        3 not converged.
    miss_m
        Distance from the last shot's impact to the aim point. [m]
    shots
        Full-model shots used per threat.
    impact_t_s, apogee_m, reentry_speed_mps
        Of the last shot. [s], [m], [m/s]
    """

    v_bo_mps: F64
    gamma_bo_rad: F64
    az_rad: F64
    status: I64
    miss_m: F64
    shots: I64
    impact_t_s: F64
    apogee_m: F64
    reentry_speed_mps: F64


def _unit(x: F64) -> F64:
    return np.asarray(x / np.sqrt(np.einsum("...i,...i->...", x, x))[..., None])


def geometry(r0_ecef_m: F64, p_ecef_m: F64) -> tuple[F64, F64]:
    """Geocentric range angle and azimuth (clockwise from north) from ``r0`` to ``p``. [rad]"""
    plane_n = boost_plane(r0_ecef_m, np.zeros(r0_ecef_m.shape[0]))
    up, north = plane_n.up, plane_n.horizontal
    east = np.cross(north, up)
    pu = _unit(p_ecef_m)
    cos_psi = np.einsum("ij,ij->i", up, pu)
    hor = pu - cos_psi[:, None] * up
    sin_psi = np.sqrt(np.einsum("ij,ij->i", hor, hor))
    az = np.arctan2(np.einsum("ij,ij->i", hor, east), np.einsum("ij,ij->i", hor, north))
    return np.asarray(np.arctan2(sin_psi, cos_psi)), np.asarray(az)


def _conic(
    shape: I64, r1: F64, r2: F64, psi: F64, ra: F64, v_exp: F64, g_exp: F64, mu: float
) -> tuple[F64, F64]:
    v = np.where(shape == EXPLICIT, v_exp, np.nan)
    g = np.where(shape == EXPLICIT, g_exp, np.nan)
    me = shape == MIN_ENERGY
    if me.any():
        v_me, g_me = kepler.min_energy(r1[me], r2[me], psi[me], mu)
        v[me], g[me] = v_me, g_me
    by_apogee = (shape == LOFTED) | (shape == DEPRESSED)
    if by_apogee.any():
        v_ap, g_ap = kepler.conic_for_apogee(
            r1[by_apogee], r2[by_apogee], psi[by_apogee], ra[by_apogee], mu
        )
        v[by_apogee], g[by_apogee] = v_ap, g_ap
    return np.asarray(v), np.asarray(g)


def inner_solve(
    shape: I64,
    r0_ecef_m: F64,
    az_rad: F64,
    r2_m: F64,
    psi_rad: F64,
    ra_m: F64,
    v_exp_mps: F64,
    g_exp_rad: F64,
    burn_time_s: F64,
    pitch_frac: F64,
    model: FlightModel,
) -> tuple[F64, F64]:
    """Aim the cheap model (boost + Kepler, non-rotating) at a range angle [and apogee radius].

    Returns the burnout speed and angle; NaN where the shape cannot reach. [m/s], [rad]
    """
    mu = model.mu_m3_s2
    plane = boost_plane(r0_ecef_m, az_rad)
    r1 = plane.radius_m
    v, g = _conic(shape, r1, r2_m, psi_rad, ra_m, v_exp_mps, g_exp_rad, mu)
    if model.impulsive:
        return v, g
    for _ in range(_INNER_ITERATIONS):
        ok = np.isfinite(v) & np.isfinite(g)
        b = boost(
            plane,
            np.where(ok, v, 0.0),
            np.where(ok, g, 0.0),
            burn_time_s,
            pitch_frac,
            n_sub=_INNER_BOOST_SUBSTEPS,
        )
        v_new, g_new = _conic(
            shape, b.radius_m, r2_m, psi_rad - b.angle_rad, ra_m, v_exp_mps, g_exp_rad, mu
        )
        v = np.where(ok, v_new, np.nan)
        g = np.where(ok, g_new, np.nan)
    return v, g


@dataclass(frozen=True, kw_only=True)
class Shot:
    """One full-model flight per threat: boost, free flight, impact in ECEF."""

    boost: BoostResult
    flight: FreeFlight
    burn_time_s: F64
    impact_r_ecef_m: F64
    impact_v_ecef_mps: F64
    apogee_m: F64


def shoot(
    r0_ecef_m: F64,
    az_rad: F64,
    v_bo_mps: F64,
    gamma_bo_rad: F64,
    burn_time_s: F64,
    pitch_frac: F64,
    beta_pa: F64,
    model: FlightModel,
    *,
    record: bool = False,
    boost_sample_t_s: F64 | None = None,
) -> Shot:
    """Fly the full model from launch to impact for given burnout speed, angle and azimuth."""
    T = np.zeros_like(burn_time_s) if model.impulsive else np.asarray(burn_time_s, float)
    plane = boost_plane(r0_ecef_m, az_rad)
    b = boost(plane, v_bo_mps, gamma_bo_rad, T, pitch_frac, sample_t_s=boost_sample_t_s)
    omega = model.omega_rad_s
    r_eci, v_eci = ecef_to_eci(b.r_ecef_m, b.v_ecef_mps, T, omega)
    ff = propagate(r_eci, v_eci, T, beta_pa, model, t_max_s=_T_MAX_S, record=record)
    r_imp, v_imp = eci_to_ecef(ff.impact_r_eci_m, ff.impact_v_eci_mps, ff.impact_t_s, omega)
    apogee = np.fmax(ff.apogee_m, model.height(b.r_ecef_m))
    return Shot(
        boost=b,
        flight=ff,
        burn_time_s=T,
        impact_r_ecef_m=r_imp,
        impact_v_ecef_mps=v_imp,
        apogee_m=np.asarray(apogee),
    )


def _secant(x: F64, f: F64, x_prev: F64, f_prev: F64, target: F64) -> F64:
    dx = x - x_prev
    with np.errstate(invalid="ignore", divide="ignore"):
        slope = np.where(np.abs(dx) > 1e-15 * np.maximum(np.abs(x), 1.0), (f - f_prev) / dx, 1.0)
    slope = np.clip(np.nan_to_num(slope, nan=1.0), 0.3, 3.0)
    return np.asarray(x + (target - f) / slope)


def solve(
    *,
    r0_ecef_m: F64,
    aim_ecef_m: F64,
    shape: I64,
    apogee_m: F64,
    v_exp_mps: F64,
    gamma_exp_rad: F64,
    burn_time_s: F64,
    pitch_frac: F64,
    beta_pa: F64,
    v_max_mps: F64,
    model: FlightModel,
) -> Solution:
    """Solve for the burnout state of ``n`` threats (a kernel: never raises on bad rows).

    Parameters
    ----------
    r0_ecef_m, aim_ecef_m
        Launch and aim points on the model's Earth, ``(n, 3)``. [m]
    shape
        Shape codes (``SHAPES``), ``(n,)``.
    apogee_m
        Requested apogee height for lofted/depressed (else ignored), ``(n,)``. [m]
    v_exp_mps, gamma_exp_rad
        Burnout speed and angle for explicit shots (else ignored), ``(n,)``. [m/s], [rad]
    burn_time_s, pitch_frac, beta_pa, v_max_mps
        Per-threat missile parameters (:func:`calibrate` gives ``pitch_frac`` and
        ``v_max_mps``), ``(n,)``. [s], [-], [Pa], [m/s]
    model
        Flight model.

    Returns
    -------
    Solution
    """
    n = r0_ecef_m.shape[0]
    shape = np.asarray(shape, dtype=np.int64)
    psi_t, az_t = geometry(r0_ecef_m, aim_ecef_m)
    r2 = np.sqrt(np.einsum("ij,ij->i", aim_ecef_m, aim_ecef_m))
    r_ref = 0.5 * (r2 + np.sqrt(np.einsum("ij,ij->i", r0_ecef_m, r0_ecef_m)))
    by_apogee = (shape == LOFTED) | (shape == DEPRESSED)
    explicit = shape == EXPLICIT

    psi_v, az_v, apo_v = psi_t.copy(), az_t.copy(), np.asarray(apogee_m, float).copy()
    psi_prev = np.full(n, np.nan)
    psif_prev = np.full(n, np.nan)
    apo_prev = np.full(n, np.nan)
    apof_prev = np.full(n, np.nan)

    v_bo = np.full(n, np.nan)
    g_bo = np.full(n, np.nan)
    miss = np.full(n, np.nan)
    shots = np.zeros(n, dtype=np.int64)
    t_imp = np.full(n, np.nan)
    apo_out = np.full(n, np.nan)
    reentry = np.full(n, np.nan)
    status = np.full(n, NOT_CONVERGED, dtype=np.int64)
    active = np.ones(n, dtype=bool)

    for _ in range(MAX_SHOTS):
        idx = np.nonzero(active)[0]
        if not idx.size:
            break
        v, g = inner_solve(
            shape[idx], r0_ecef_m[idx], az_v[idx], r2[idx], psi_v[idx], apo_v[idx] + r_ref[idx],
            v_exp_mps[idx], gamma_exp_rad[idx], burn_time_s[idx], pitch_frac[idx], model,
        )  # fmt: skip
        bad = ~(np.isfinite(v) & np.isfinite(g))
        status[idx[bad]] = NO_SOLUTION
        active[idx[bad]] = False
        idx, v, g = idx[~bad], v[~bad], g[~bad]
        if not idx.size:
            break
        shot = shoot(
            r0_ecef_m[idx], az_v[idx], v, g, burn_time_s[idx], pitch_frac[idx], beta_pa[idx],
            model,
        )  # fmt: skip
        v_bo[idx], g_bo[idx] = v, g
        shots[idx] += 1
        t_imp[idx] = shot.flight.impact_t_s
        apo_out[idx] = shot.apogee_m
        reentry[idx] = shot.flight.reentry_speed_mps
        p = shot.impact_r_ecef_m
        lost = np.asarray(~np.isfinite(p).all(axis=1))
        status[idx[lost]] = NO_SOLUTION
        active[idx[lost]] = False
        d = p - aim_ecef_m[idx]
        miss[idx] = np.sqrt(np.einsum("ij,ij->i", d, d))
        psi_f, az_f = geometry(r0_ecef_m[idx], np.where(lost[:, None], aim_ecef_m[idx], p))
        daz = np.angle(np.exp(1j * (az_t[idx] - az_f)))
        cross_m = np.abs(daz) * np.sin(psi_f) * r2[idx]
        apo_err = apogee_m[idx] - shot.apogee_m
        done = np.where(
            explicit[idx],
            cross_m < MISS_TOL_M,
            (miss[idx] < MISS_TOL_M) & (~by_apogee[idx] | (np.abs(apo_err) < APOGEE_TOL_M)),
        )
        done &= ~lost
        status[idx[done]] = OK
        active[idx[done]] = False
        upd = idx[~done & ~lost]
        k = ~done & ~lost
        new_psi = _secant(psi_v[upd], psi_f[k], psi_prev[upd], psif_prev[upd], psi_t[upd])
        new_apo = _secant(
            apo_v[upd], shot.apogee_m[k], apo_prev[upd], apof_prev[upd], apogee_m[upd]
        )
        psi_prev[upd], psif_prev[upd] = psi_v[upd], psi_f[k]
        apo_prev[upd], apof_prev[upd] = apo_v[upd], shot.apogee_m[k]
        psi_v[upd] = new_psi
        apo_v[upd] = np.where(by_apogee[upd], new_apo, apo_v[upd])
        az_v[upd] = az_v[upd] + daz[k]

    margin = np.where(shape == DEPRESSED, DEPRESSED_REACH_MARGIN, REACH_MARGIN)
    too_fast = np.isfinite(v_bo) & (v_bo > margin * v_max_mps)
    status = np.where(too_fast, OUT_OF_REACH, status)
    return Solution(
        v_bo_mps=v_bo,
        gamma_bo_rad=g_bo,
        az_rad=az_v,
        status=status,
        miss_m=miss,
        shots=shots,
        impact_t_s=t_imp,
        apogee_m=apo_out,
        reentry_speed_mps=reentry,
    )


def calibrate(
    max_range_m: F64,
    burn_time_s: F64,
    burnout_alt_m: F64,
    beta_pa: F64,
    model: FlightModel,
) -> tuple[F64, F64]:
    """Per missile type: pitch-over fraction and burnout-speed capability (cached).

    See :func:`_calibrate`. Only ``model.impulsive`` matters: the capability is a property of
    the missile, not of the model a shot is flown in (in vacuum the same missile flies farther).
    """
    key = tuple(
        (float(a), float(b), float(c), float(d))
        for a, b, c, d in zip(
            np.atleast_1d(max_range_m),
            np.atleast_1d(burn_time_s),
            np.atleast_1d(burnout_alt_m),
            np.atleast_1d(beta_pa),
            strict=True,
        )
    )
    xp, v = _calibrate_cached(key, model.impulsive)
    return np.array(xp), np.array(v)


@lru_cache(maxsize=256)
def _calibrate_cached(
    key: tuple[tuple[float, float, float, float], ...], impulsive: bool
) -> tuple[tuple[float, ...], tuple[float, ...]]:
    arr = np.array(key, dtype=np.float64).reshape(-1, 4)
    xp, v = _calibrate(arr[:, 0], arr[:, 1], arr[:, 2], arr[:, 3], impulsive)
    return tuple(xp.tolist()), tuple(v.tolist())


def _calibrate(
    max_range_m: F64,
    burn_time_s: F64,
    burnout_alt_m: F64,
    beta_pa: F64,
    impulsive: bool,
) -> tuple[F64, F64]:
    """Per missile type: pitch-over fraction and burnout-speed capability.

    1. The pitch-over fraction ``x_p`` (:mod:`shieldwall.flight.boost`) is found so that the
       minimum-energy shot to ``max_range_m`` burns out at ``burnout_alt_m`` (clipped to
       [0.1, 1]), in the cheap model over a non-rotating sphere of radius ``R_SPHERE_M`` in
       vacuum (the burnout altitude is a nominal, geometry-free catalog figure).
    2. The capability is the burnout speed of the minimum-energy shot (:func:`solve`) that flies
       ``max_range_m`` under the full model (:class:`FlightModel` defaults: WGS-84 + J2,
       rotation, US-1976 drag with ``beta_pa``, boost with ``x_p``) due west
       (``REACH_AZIMUTH_RAD``) from the equator. Westward shots fight the Earth's rotation and
       the equator is where it is fastest, so this is the hardest direction of all: every
       other launch latitude and azimuth needs at most this speed for the same range (checked
       by tests/flight/test_reach.py over latitudes and azimuths for every catalog missile).
       Where that shot has no solution (e.g. a range near the antipode) the vacuum speed of
       step 1 is used instead.

    Parameters
    ----------
    max_range_m, burn_time_s, burnout_alt_m, beta_pa
        Catalog values per type, ``(k,)``. [m], [s], [m], [Pa]
    impulsive
        No boost: ``x_p`` = 1 and the capability is the vacuum minimum-energy speed from the
        surface of the sphere (Bate, Mueller & White 1971 §6.2), the textbook definition.

    Returns
    -------
    pitch_frac, v_max_mps
        ``(k,)``. [-], [m/s]
    """
    cheap = FlightModel(earth="sphere", rotation=False, atmosphere="vacuum", impulsive=False)
    R = cheap.sphere_radius_m
    k = np.asarray(max_range_m, dtype=np.float64).shape[0]
    r0 = np.tile([R, 0.0, 0.0], (k, 1))
    az = np.zeros(k)
    psi = np.asarray(max_range_m, dtype=np.float64) / R
    T = np.zeros(k) if impulsive else np.asarray(burn_time_s, dtype=np.float64)
    shape = np.full(k, MIN_ENERGY, dtype=np.int64)
    nan = np.full(k, np.nan)

    def burnout_height(xp: F64, rows: I64) -> tuple[F64, F64]:
        m = rows.size
        v, g = inner_solve(
            shape[rows], r0[rows], az[rows], np.full(m, R), psi[rows], nan[rows], nan[rows],
            nan[rows], T[rows], xp, cheap,
        )  # fmt: skip
        b = boost(boost_plane(r0[rows], az[rows]), v, g, T[rows], xp, n_sub=16)
        return np.asarray(b.radius_m - R), v

    if impulsive:
        v, _ = kepler.min_energy(np.full(k, R), np.full(k, R), psi, cheap.mu_m3_s2)
        return np.ones(k), np.asarray(v)
    # Burnout height grows with x_p: tabulate it on a grid of x_p for all types at once, take
    # the linear-interpolation root, and refine once on a finer grid around it.
    target = np.asarray(burnout_alt_m, dtype=np.float64)
    lo, hi = np.full(k, _XP_MIN), np.ones(k)
    for _ in range(3):
        grid = lo[:, None] + (hi - lo)[:, None] * np.linspace(0.0, 1.0, _XP_GRID)[None, :]
        rep = np.repeat(np.arange(k), _XP_GRID)
        h, _ = burnout_height(grid.ravel(), rep)
        h = h.reshape(k, _XP_GRID)
        j = np.clip((h < target[:, None]).sum(axis=1) - 1, 0, _XP_GRID - 2)
        rows = np.arange(k)
        h0, h1 = h[rows, j], h[rows, j + 1]
        f = np.clip((target - h0) / np.where(h1 > h0, h1 - h0, 1.0), 0.0, 1.0)
        x0, x1 = grid[rows, j], grid[rows, j + 1]
        lo, hi = x0, x1
        xp = x0 + f * (x1 - x0)
    v_vacuum = burnout_height(xp, np.arange(k))[1]
    return xp, reach_speed(max_range_m, burn_time_s, xp, beta_pa, v_fallback_mps=v_vacuum)


def reach_speed(
    range_m: F64,
    burn_time_s: F64,
    pitch_frac: F64,
    beta_pa: F64,
    *,
    az_rad: F64 | float = REACH_AZIMUTH_RAD,
    lat_rad: F64 | float = 0.0,
    v_fallback_mps: F64 | None = None,
) -> F64:
    """Burnout speed of the full-model minimum-energy shot over ``range_m`` (a kernel).

    The shot starts at ``lat_rad`` (longitude 0) on the WGS-84 surface and aims at the point
    ``range_m`` away along the geodesic of azimuth ``az_rad``; the defaults are the reference
    shot of the capability (:func:`_calibrate`). Rows without a converged solution give
    ``v_fallback_mps`` (NaN when not given).

    Parameters
    ----------
    range_m, burn_time_s, pitch_frac, beta_pa
        Ground range and missile parameters, ``(k,)``. [m], [s], [-], [Pa]
    az_rad, lat_rad
        Launch azimuth (geodetic, clockwise from north) and latitude. [rad]
    v_fallback_mps
        Value for rows the solver cannot fly, ``(k,)``. [m/s]

    Returns
    -------
    F64
        ``(k,)``. [m/s]
    """
    full = FlightModel()
    rng = np.asarray(range_m, dtype=np.float64)
    k = rng.shape[0]
    lat = np.broadcast_to(np.asarray(lat_rad, dtype=np.float64), (k,))
    az = np.broadcast_to(np.asarray(az_rad, dtype=np.float64), (k,))
    lon = np.zeros(k)
    lat2, lon2, _ = geodesic_direct(lat, lon, az, rng)
    nan = np.full(k, np.nan)
    sol = solve(
        r0_ecef_m=full.to_ecef(lat, lon, 0.0),
        aim_ecef_m=full.to_ecef(lat2, lon2, 0.0),
        shape=np.full(k, MIN_ENERGY, dtype=np.int64),
        apogee_m=nan,
        v_exp_mps=nan,
        gamma_exp_rad=nan,
        burn_time_s=np.asarray(burn_time_s, dtype=np.float64),
        pitch_frac=np.asarray(pitch_frac, dtype=np.float64),
        beta_pa=np.asarray(beta_pa, dtype=np.float64),
        v_max_mps=np.full(k, np.inf),
        model=full,
    )
    fallback = nan if v_fallback_mps is None else np.asarray(v_fallback_mps, dtype=np.float64)
    return np.asarray(np.where(sol.status == OK, sol.v_bo_mps, fallback))
