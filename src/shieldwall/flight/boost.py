"""Boost phase: a programmed pitch-over from a vertical launch to a given burnout state.

The boost is kinematic: over the catalog burn time ``T`` the Earth-relative speed and the
flight-path angle follow a fixed programme, and the position is their integral. With
``x = t / T``:

- speed ``v(x) = v_bo ln(1 - zeta x) / ln(1 - zeta)``: constant thrust on a vehicle whose mass
  falls linearly to ``1 - zeta`` of lift-off mass (Tsiolkovsky; ``zeta = 0.8``, a mass ratio of
  5, typical of single-stage liquid missiles), gravity and drag losses folded into the
  programme;
- flight-path angle ``gamma(x) = pi/2 - (pi/2 - gamma_bo) (3 y^2 - 2 y^3)``, ``y = min(x/x_p, 1)``:
  vertical lift-off, a smooth pitch-over completed at the fraction ``x_p`` of the burn, then
  constant angle with zero pitch rate (as a gravity turn ends). ``x_p`` is calibrated per
  missile type so that the minimum-energy shot to the catalog maximum range burns out at the
  catalog ``burnout_alt_km`` (:func:`shieldwall.flight.targeting.calibrate`).

The burnout speed and angle are exactly the targeting unknowns ``(v_bo, gamma_bo)`` and the
burnout point is a smooth function of them, which keeps the targeting solver well conditioned.
Motion stays in the vertical plane of the launch azimuth (geocentric); on a rotating Earth
the programme is Earth-relative. Position: ``d rho/dt = v sin gamma``,
``d Delta/dt = v cos gamma / rho`` (rho the geocentric radius, Delta the central angle from the
launch point), integrated with RK4 on ``n_sub`` sub-steps.

This is a model of the *trajectory* of a boosting missile adequate for timing, sensing
geometry and reach, not of its propulsion.

References
----------
- G. P. Sutton, O. Biblarz (2017), *Rocket Propulsion Elements*, 9th ed., eq. 4-6
  (ideal rocket equation) and §4.6 (pitch programme, gravity turn).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from shieldwall._types import F64

__all__ = ["BoostPlane", "BoostResult", "boost", "boost_plane"]


#: Fraction of lift-off mass burnt (mass ratio 1 / (1 - ZETA) = 5).
ZETA = 0.8
_LOG_END = float(np.log(1.0 - ZETA))


@dataclass(frozen=True, kw_only=True)
class BoostPlane:
    """Geocentric launch geometry: up unit vector and horizontal unit vector of the azimuth.

    ``up`` and ``horizontal`` are ``(n, 3)`` unit vectors in ECEF, ``radius_m`` = ``|r0|``.
    """

    up: F64
    horizontal: F64
    radius_m: F64


@dataclass(frozen=True, kw_only=True)
class BoostResult:
    """Burnout state (ECEF, Earth-relative velocity) and optional samples.

    ``r_ecef_m``/``v_ecef_mps`` ``(n, 3)``; ``radius_m``, ``angle_rad`` (central angle from
    the launch point) ``(n,)``; ``samples_r_ecef_m``/``samples_v_ecef_mps`` ``(n, q, 3)`` at the
    requested times (NaN beyond burnout) or None.
    """

    r_ecef_m: F64
    v_ecef_mps: F64
    radius_m: F64
    angle_rad: F64
    samples_r_ecef_m: F64 | None
    samples_v_ecef_mps: F64 | None


def boost_plane(r0_ecef_m: F64, az_rad: F64) -> BoostPlane:
    """The launch plane: geocentric up and the horizontal direction of azimuth ``az_rad``
    (clockwise from geocentric north). On the poles, north is taken along ECEF -x. [rad]"""
    r0 = np.asarray(r0_ecef_m, dtype=np.float64)
    radius = np.sqrt(np.einsum("ij,ij->i", r0, r0))
    up = r0 / radius[:, None]
    east = np.stack([-up[:, 1], up[:, 0], np.zeros_like(up[:, 0])], axis=-1)  # z x up
    norm = np.sqrt(np.einsum("ij,ij->i", east, east))
    polar = norm < 1e-12
    east = np.where(
        polar[:, None], np.array([0.0, 1.0, 0.0]), east / np.where(polar, 1.0, norm)[:, None]
    )
    north = np.cross(up, east)
    az = np.asarray(az_rad, dtype=np.float64)[:, None]
    return BoostPlane(up=up, horizontal=np.cos(az) * north + np.sin(az) * east, radius_m=radius)


def _profile(x: F64, v_bo: F64, gamma_bo: F64, pitch: F64) -> tuple[F64, F64]:
    speed = v_bo * (np.log1p(-ZETA * x) / _LOG_END)
    y = np.minimum(x / pitch, 1.0)
    w = y * y * (3.0 - 2.0 * y)
    gamma = 0.5 * np.pi - (0.5 * np.pi - gamma_bo) * w
    return np.asarray(speed), np.asarray(gamma)


def _state(plane: BoostPlane, rho: F64, delta: F64, speed: F64, gamma: F64) -> tuple[F64, F64]:
    c, s = np.cos(delta)[..., None], np.sin(delta)[..., None]
    u0, h0 = plane.up, plane.horizontal
    if rho.ndim == 2:
        u0, h0 = u0[:, None, :], h0[:, None, :]
    up = c * u0 + s * h0
    hor = -s * u0 + c * h0
    r = rho[..., None] * up
    v = speed[..., None] * (np.sin(gamma)[..., None] * up + np.cos(gamma)[..., None] * hor)
    return np.asarray(r), np.asarray(v)


def boost(
    plane: BoostPlane,
    v_bo_mps: F64,
    gamma_bo_rad: F64,
    burn_time_s: F64,
    pitch_frac: F64 | float = 1.0,
    *,
    n_sub: int = 32,
    sample_t_s: F64 | None = None,
) -> BoostResult:
    """Fly the boost programme to burnout.

    Parameters
    ----------
    plane
        Launch geometry from :func:`boost_plane`.
    v_bo_mps
        Earth-relative burnout speed, ``(n,)``. [m/s]
    gamma_bo_rad
        Burnout flight-path angle above the geocentric horizontal, ``(n,)``. [rad]
    burn_time_s
        Burn time, ``(n,)``; 0 gives the impulsive limit (burnout at the launch point). [s]
    pitch_frac
        Fraction ``x_p`` of the burn over which the pitch-over is completed, in (0, 1].
    n_sub
        RK4 sub-steps over the burn.
    sample_t_s
        Optional times since launch at which to also return the state, ``(n, q)``. [s]

    Returns
    -------
    BoostResult
    """
    v_bo = np.asarray(v_bo_mps, dtype=np.float64)
    g_bo = np.asarray(gamma_bo_rad, dtype=np.float64)
    T = np.asarray(burn_time_s, dtype=np.float64)
    n = v_bo.shape[0]
    xp = np.broadcast_to(np.asarray(pitch_frac, dtype=np.float64), (n,))
    dx = 1.0 / n_sub
    rho = plane.radius_m.copy()
    delta = np.zeros(n)
    nodes_rho = [rho]
    nodes_delta = [delta]

    # The programme does not depend on the state: d rho/dx = T v sin(gamma) and
    # rho d Delta/dx = T v cos(gamma) at every RK4 stage time, for all sub-steps at once.
    x0 = np.arange(n_sub) * dx
    stage_x = np.stack([x0, x0 + 0.5 * dx, x0 + dx])  # (3, n_sub): start, middle, end
    sp, ga = _profile(stage_x[:, None, :], v_bo[:, None], g_bo[:, None], xp[:, None])
    d_rho = T[:, None] * sp * np.sin(ga)  # (3, n, n_sub)
    d_dl = T[:, None] * sp * np.cos(ga)

    for i in range(n_sub):
        k1r, k1d = d_rho[0, :, i], d_dl[0, :, i] / rho
        k2r, k2d = d_rho[1, :, i], d_dl[1, :, i] / (rho + 0.5 * dx * k1r)
        k3r, k3d = d_rho[1, :, i], d_dl[1, :, i] / (rho + 0.5 * dx * k2r)
        k4r, k4d = d_rho[2, :, i], d_dl[2, :, i] / (rho + dx * k3r)
        rho = rho + dx / 6.0 * (k1r + 2 * k2r + 2 * k3r + k4r)
        delta = delta + dx / 6.0 * (k1d + 2 * k2d + 2 * k3d + k4d)
        nodes_rho.append(rho)
        nodes_delta.append(delta)
    r_bo, v_bo_vec = _state(plane, rho, delta, v_bo, g_bo)

    samples_r = samples_v = None
    if sample_t_s is not None:
        ts = np.asarray(sample_t_s, dtype=np.float64)
        with np.errstate(invalid="ignore", divide="ignore"):
            xq = np.where(T[:, None] > 0, ts / T[:, None], 0.0)
        inside = (xq >= 0.0) & (xq <= 1.0 + 1e-12) & np.isfinite(xq)
        xq = np.clip(np.nan_to_num(xq), 0.0, 1.0)
        # Cubic Hermite in x between RK4 nodes, with the exact derivatives at the nodes.
        nr = np.stack(nodes_rho, axis=1)
        nd = np.stack(nodes_delta, axis=1)
        j = np.minimum((xq / dx).astype(np.intp), n_sub - 1)
        s = xq / dx - j
        rows = np.arange(n)[:, None]
        x0 = j * dx
        sp0, ga0 = _profile(x0, v_bo[:, None], g_bo[:, None], xp[:, None])
        sp1, ga1 = _profile(x0 + dx, v_bo[:, None], g_bo[:, None], xp[:, None])
        r0n, r1n = nr[rows, j], nr[rows, j + 1]
        d0r, d1r = T[:, None] * sp0 * np.sin(ga0), T[:, None] * sp1 * np.sin(ga1)
        d0d = T[:, None] * sp0 * np.cos(ga0) / r0n
        d1d = T[:, None] * sp1 * np.cos(ga1) / r1n
        h00, h10 = 2 * s**3 - 3 * s**2 + 1, s**3 - 2 * s**2 + s
        h01, h11 = -2 * s**3 + 3 * s**2, s**3 - s**2
        rho_q = h00 * r0n + h10 * dx * d0r + h01 * r1n + h11 * dx * d1r
        del_q = h00 * nd[rows, j] + h10 * dx * d0d + h01 * nd[rows, j + 1] + h11 * dx * d1d
        sp_q, ga_q = _profile(xq, v_bo[:, None], g_bo[:, None], xp[:, None])
        samples_r, samples_v = _state(plane, rho_q, del_q, sp_q, ga_q)
        samples_r[~inside] = np.nan
        samples_v[~inside] = np.nan
    return BoostResult(
        r_ecef_m=r_bo,
        v_ecef_mps=v_bo_vec,
        radius_m=rho,
        angle_rad=delta,
        samples_r_ecef_m=samples_r,
        samples_v_ecef_mps=samples_v,
    )
