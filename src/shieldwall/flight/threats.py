"""Threat trajectories from launch and aim points: aim, fly, and assemble `Trajectories`.

:func:`fly_threats` is the batch entry (one row per missile launched): it solves the burnout
state of every row (:func:`shieldwall.flight.targeting.solve`), refuses rows it cannot fly
with one :class:`~shieldwall.errors.TargetingError` naming each, and flies the solution once
more recording the time grid. :func:`shieldwall.flight.raid.fly_raid` and
:func:`shieldwall.flight.aim.aim` call it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from shieldwall._types import F64, I64
from shieldwall.earth.rotation import eci_to_ecef
from shieldwall.errors import Problem, TargetingError
from shieldwall.flight import kepler
from shieldwall.flight import targeting as tg
from shieldwall.flight.model import FlightModel
from shieldwall.flight.propagate import REENTRY_ALT_M
from shieldwall.flight.trajectories import (
    PHASE_BOOST,
    PHASE_MIDCOURSE,
    PHASE_PAD,
    PHASE_TERMINAL,
    Trajectories,
)

__all__ = ["fly_threats"]


def _f(x: object, n: int) -> F64:
    return np.broadcast_to(np.asarray(x, dtype=np.float64), (n,)).copy()


def fly_threats(
    *,
    launch_lat_rad: F64,
    launch_lon_rad: F64,
    aim_lat_rad: F64,
    aim_lon_rad: F64,
    launch_t_s: F64,
    shape: I64,
    apogee_m: F64,
    burnout_speed_mps: F64,
    burnout_angle_rad: F64,
    missile_idx: I64,
    missile_names: Sequence[str],
    max_range_m: F64,
    burn_time_s: F64,
    burnout_alt_m: F64,
    beta_pa: F64,
    model: FlightModel | None = None,
    row_paths: Sequence[str] | None = None,
) -> Trajectories:
    """Aim and fly ``n`` threats; per-threat arrays ``(n,)``, per-type arrays ``(k,)``.

    Parameters
    ----------
    launch_lat_rad, launch_lon_rad, aim_lat_rad, aim_lon_rad
        Launch and aim points (geodetic; spherical in the spherical model). [rad]
    launch_t_s
        Launch times since the epoch. [s]
    shape
        Shape codes (``targeting.SHAPES``).
    apogee_m
        Apogee for lofted/depressed rows (NaN otherwise). [m]
    burnout_speed_mps, burnout_angle_rad
        For explicit rows (NaN otherwise). [m/s], [rad]
    missile_idx
        Missile type of each row, into the per-type arrays.
    missile_names, max_range_m, burn_time_s, burnout_alt_m, beta_pa
        Per missile type. [-], [m], [s], [m], [Pa]
    model
        Flight model (the full model by default).
    row_paths
        Names of the rows for error messages (e.g. ``raid[3]``).

    Returns
    -------
    Trajectories

    Raises
    ------
    TargetingError
        Listing every row that is out of reach, cannot fly its shape, or did not converge.
    """
    model = model or FlightModel()
    n = int(np.asarray(launch_lat_rad).shape[0])
    mi = np.asarray(missile_idx, dtype=np.int64)
    lat0, lon0 = _f(launch_lat_rad, n), _f(launch_lon_rad, n)
    lat1, lon1 = _f(aim_lat_rad, n), _f(aim_lon_rad, n)
    xp_k, vmax_k = tg.calibrate(
        np.asarray(max_range_m, float),
        np.asarray(burn_time_s, float),
        np.asarray(burnout_alt_m, float),
        np.asarray(beta_pa, float),
        model,
    )
    T = np.asarray(burn_time_s, float)[mi]
    beta = np.asarray(beta_pa, float)[mi]
    r0 = model.to_ecef(lat0, lon0, 0.0)
    aim = model.to_ecef(lat1, lon1, 0.0)
    shape = np.asarray(shape, dtype=np.int64)
    sol = tg.solve(
        r0_ecef_m=r0,
        aim_ecef_m=aim,
        shape=shape,
        apogee_m=_f(apogee_m, n),
        v_exp_mps=_f(burnout_speed_mps, n),
        gamma_exp_rad=_f(burnout_angle_rad, n),
        burn_time_s=T,
        pitch_frac=xp_k[mi],
        beta_pa=beta,
        v_max_mps=vmax_k[mi],
        model=model,
    )
    rng = model.ground_range(lat0, lon0, lat1, lon1)
    beyond = rng > tg.REACH_MARGIN * np.asarray(max_range_m)[mi]
    # Depressed shots are limited by ground range too (see targeting.DEPRESSED_REACH_MARGIN);
    # any shot with no conic at all beyond the catalog range is out of reach, not "too close".
    too_far = beyond & (
        ((shape == tg.DEPRESSED) & (sol.status == tg.OK)) | (sol.status == tg.NO_SOLUTION)
    )
    status = np.where(too_far, tg.OUT_OF_REACH, sol.status)
    sol = replace(sol, status=status)
    bad = np.nonzero(sol.status != tg.OK)[0]
    if bad.size:
        problems = [
            _problem(
                int(i), sol, shape, rng, _f(apogee_m, n), mi, missile_names, max_range_m,
                vmax_k, model, row_paths,
            )
            for i in bad
        ]  # fmt: skip
        raise TargetingError(
            f"{bad.size} of {n} threat{'s' if n != 1 else ''} cannot be flown as asked",
            problems,
        )
    traj = _record(
        r0=r0,
        aim=aim,
        sol=sol,
        T=T,
        xp=xp_k[mi],
        beta=beta,
        launch_t_s=_f(launch_t_s, n),
        lat0=lat0,
        lon0=lon0,
        missile_idx=mi,
        model=model,
    )
    return traj


def _problem(
    i: int,
    sol: tg.Solution,
    shape: I64,
    rng: F64,
    apogee_m: F64,
    mi: I64,
    names: Sequence[str],
    max_range_m: F64,
    vmax_k: F64,
    model: FlightModel,
    row_paths: Sequence[str] | None,
) -> Problem:
    name = names[mi[i]]
    path = row_paths[i] if row_paths else (f"threat[{i}]" if shape.size > 1 else "")
    reach_km = float(np.asarray(max_range_m)[mi[i]]) / 1e3
    shape_name = tg.SHAPES[int(shape[i])]
    status = int(sol.status[i])
    if status == tg.OUT_OF_REACH and not np.isfinite(sol.v_bo_mps[i]):
        msg = (
            f"{name} cannot reach the aim point {rng[i] / 1e3:,.0f} km away: its reach is about "
            f"{reach_km:,.0f} km (catalog max_range_km). Allowed: aim points within about "
            f"{reach_km:,.0f} km on a minimum-energy trajectory (less when lofted or depressed)."
        )
    elif status == tg.OUT_OF_REACH:
        msg = (
            f"{name} cannot reach the aim point {rng[i] / 1e3:,.0f} km away on a {shape_name} "
            f"trajectory: that needs a burnout speed of {sol.v_bo_mps[i] / 1e3:.2f} km/s; the "
            f"{name}'s is {vmax_k[mi[i]] / 1e3:.2f} km/s (what it needs to fly catalog "
            f"max_range_km = {reach_km:,.0f} on a minimum-energy trajectory in every direction). "
            f"Allowed: aim points within {reach_km:,.0f} km on a minimum-energy trajectory "
            "(farther in some directions, e.g. eastward; less when lofted or depressed)."
        )
    elif status == tg.NO_SOLUTION and shape[i] in (tg.LOFTED, tg.DEPRESSED):
        R = model.surface_radius_scale_m
        v_me, g_me = kepler.min_energy(R, R, rng[i] / R)
        _, _, ra = kepler.free_flight(R, v_me, g_me, R)
        me_km = (float(ra) - R) / 1e3
        want = "above" if shape[i] == tg.LOFTED else "below"
        msg = (
            f"no {shape_name} trajectory of the {name} with apogee "
            f"{apogee_m[i] / 1e3:,.0f} km reaches the aim point {rng[i] / 1e3:,.0f} km away. "
            f"Allowed: a {shape_name} apogee {want} the minimum-energy apogee (about "
            f"{me_km:,.0f} km at this range) and above the burnout altitude."
        )
    elif status == tg.NO_SOLUTION:
        msg = (
            f"no {shape_name} trajectory of the {name} reaches the aim point "
            f"{rng[i] / 1e3:,.1f} km away (too close for its boost, or the burnout speed and "
            f"angle given do not make a ballistic flight to the ground). Allowed: aim points "
            f"beyond the boost's ground range, within {reach_km:,.0f} km."
        )
    else:
        msg = (
            f"the {name} trajectory did not converge on the aim point {rng[i] / 1e3:,.0f} km "
            f"away (miss {sol.miss_m[i]:,.0f} m after {int(sol.shots[i])} shots); try another "
            f"shape or aim point."
        )
    if model.impulsive and model.atmosphere != "vacuum":
        msg += (
            " Note: without a boost (--impulsive) the missile leaves the ground at full speed "
            "into dense air; add --vacuum (or --textbook) for the impulsive textbook case."
        )
    return Problem(message=msg, path=path)


def _record(
    *,
    r0: F64,
    aim: F64,
    sol: tg.Solution,
    T: F64,
    xp: F64,
    beta: F64,
    launch_t_s: F64,
    lat0: F64,
    lon0: F64,
    missile_idx: I64,
    model: FlightModel,
) -> Trajectories:
    n = r0.shape[0]
    dt = model.record_dt_s
    T_eff = np.zeros(n) if model.impulsive else T
    k_boost = int(np.floor(float(np.max(T_eff, initial=0.0)) / dt)) + 1
    sample_t = np.arange(k_boost)[None, :] * dt * np.ones((n, 1))
    sample_t = np.where(sample_t <= T_eff[:, None] + 1e-9, sample_t, np.nan)
    shot = tg.shoot(
        r0, sol.az_rad, sol.v_bo_mps, sol.gamma_bo_rad, T, xp, beta, model,
        record=True, boost_sample_t_s=sample_t,
    )  # fmt: skip
    ff = shot.flight
    assert ff.grid_t_s is not None
    assert ff.grid_r_eci_m is not None
    assert ff.grid_v_eci_mps is not None
    m = max(ff.grid_t_s.shape[1], k_boost)
    t_rel = np.full((n, m), np.nan)
    r = np.full((n, m, 3), np.nan)
    v = np.full((n, m, 3), np.nan)
    mf = ff.grid_t_s.shape[1]
    t_rel[:, :mf] = ff.grid_t_s
    r_f, v_f = eci_to_ecef(ff.grid_r_eci_m, ff.grid_v_eci_mps, ff.grid_t_s, model.omega_rad_s)
    r[:, :mf], v[:, :mf] = r_f, v_f
    assert shot.boost.samples_r_ecef_m is not None
    assert shot.boost.samples_v_ecef_mps is not None
    in_boost = np.isfinite(sample_t)
    t_rel[:, :k_boost] = np.where(in_boost, sample_t, t_rel[:, :k_boost])
    r[:, :k_boost] = np.where(in_boost[..., None], shot.boost.samples_r_ecef_m, r[:, :k_boost])
    v[:, :k_boost] = np.where(in_boost[..., None], shot.boost.samples_v_ecef_mps, v[:, :k_boost])
    if model.impulsive:  # the burnout state is the first sample
        r[:, 0], v[:, 0], t_rel[:, 0] = shot.boost.r_ecef_m, shot.boost.v_ecef_mps, 0.0
    valid = np.isfinite(t_rel)
    lat = np.full((n, m), np.nan)
    lon = np.full((n, m), np.nan)
    alt = np.full((n, m), np.nan)
    la, lo, al = model.to_geodetic(r[valid])
    lat[valid], lon[valid], alt[valid] = la, lo, al
    after_apogee = t_rel > ff.apogee_t_s[:, None]
    phase = np.full((n, m), PHASE_PAD, dtype=np.int8)
    phase[valid] = PHASE_MIDCOURSE
    phase[valid & after_apogee & (alt < REENTRY_ALT_M)] = PHASE_TERMINAL
    phase[valid & (t_rel <= T_eff[:, None] + 1e-9) & (T_eff[:, None] > 0)] = PHASE_BOOST
    imp_lat, imp_lon, _ = model.to_geodetic(shot.impact_r_ecef_m)
    v_imp = shot.impact_v_ecef_mps
    impact_speed = np.sqrt(np.einsum("ij,ij->i", v_imp, v_imp))
    # Reentry: through the 100 km entry interface; in vacuum there is no atmosphere to reenter
    # and the speed back at the surface is reported (BMW 1971 §6.2: reentry at the burnout
    # radius, the surface in the textbook case), as when the apogee is below 100 km.
    entry_ok = np.isfinite(ff.reentry_speed_mps) & (model.atmosphere != "vacuum")
    reentry = np.where(entry_ok, ff.reentry_speed_mps, impact_speed)
    d = shot.impact_r_ecef_m - aim
    return Trajectories(
        dt_s=dt,
        t_s=launch_t_s[:, None] + t_rel,
        r_ecef_m=r,
        v_ecef_mps=v,
        alt_m=alt,
        phase=phase,
        missile_idx=missile_idx,
        launch_t_s=launch_t_s,
        burnout_t_s=launch_t_s + T_eff,
        impact_t_s=launch_t_s + ff.impact_t_s,
        launch_r_ecef_m=r0,
        impact_r_ecef_m=shot.impact_r_ecef_m,
        launch_lat_rad=lat0,
        launch_lon_rad=lon0,
        impact_lat_rad=imp_lat,
        impact_lon_rad=imp_lon,
        apogee_m=np.fmax(shot.apogee_m, np.nanmax(np.where(valid, alt, -np.inf), axis=1)),
        range_m=model.ground_range(lat0, lon0, imp_lat, imp_lon),
        burnout_speed_mps=sol.v_bo_mps,
        burnout_angle_rad=sol.gamma_bo_rad,
        reentry_speed_mps=reentry,
        impact_speed_mps=impact_speed,
        miss_m=np.sqrt(np.einsum("ij,ij->i", d, d)),
    )
