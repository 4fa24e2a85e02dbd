"""Covariance-mode tracking: the EKF covariance recursion along the true trajectory.

The EKF covariance does not depend on measurement values once the Jacobians are evaluated on
the true trajectory (the standard covariance analysis of a linearised filter; Gelb 1974,
*Applied Optimal Estimation*, §4.6 and Ch. 7). For each nation the filter runs the recursion

    P⁻ₖ = Fₖ₋₁ P⁺ₖ₋₁ Fₖ₋₁ᵀ + Qₖ₋₁,     P⁺ₖ = (I + P⁻ₖ Jₖ)⁻¹ P⁻ₖ   (= (P⁻⁻¹ + Jₖ)⁻¹)

where ``Jₖ`` is the *measurement information* the nation receives at sample ``k``: the sum over
its own radars and the radars of nations sharing with it at ``track`` level or above of
``w · Hᵀ R⁻¹ H`` (information form of the Kalman update, Bar-Shalom et al. 2011 §8.2). The
weight ``w = looks · Pd`` is the expected number of detections in the sample (the expected
information of a radar that detects with probability Pd; its Monte Carlo check is the
measurement mode with Pd near 1).

A measurement taken ``L`` seconds before it reaches the nation is applied on arrival as a
measurement of the current state through the retrodiction ``x(t - L) = Φ(-L) x(t)``, i.e. with
``H Φ(-L)`` (process noise over the lag neglected, exact for a ballistic target above the
atmosphere; Bar-Shalom 2002, "Update with out-of-sequence measurements", IEEE TAES 38(3), the
"Bl" approximation without noise). ``L`` is rounded *up* to the grid, so data never arrives early.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from shieldwall.earth.geodesy import enu_rotation
from shieldwall.flight.trajectories import PHASE_BOOST, PHASE_TERMINAL, Trajectories
from shieldwall.scenario.world import World
from shieldwall.sensing.visibility import Visibility
from shieldwall.tracking.ekf import radar_measure, to_batch_major, transition_ballistic

__all__ = [
    "FilterModel",
    "delayed_information",
    "nation_information",
    "process_noise_density",
    "recursion",
    "truth_transitions",
]

F64 = NDArray[np.float64]
B = NDArray[np.bool_]


@dataclass(frozen=True, kw_only=True)
class FilterModel:
    """Tuning of the tracking filter (assumptions, not public data).

    Parameters
    ----------
    q_boost_m2_s3
        White-acceleration spectral density in boost: unmodelled thrust of tens of m/s²
        (σ ≈ 50 m/s² per √s). [m^2/s^3]
    q_midcourse_m2_s3
        Midcourse: the ballistic model is nearly exact (J2 only in the state). [m^2/s^3]
    q_terminal_m2_s3
        Terminal: drag with an uncertain ballistic coefficient and atmosphere. [m^2/s^3]
    p0_pos_sigma_m, p0_vel_sigma_mps
        Prior of a new track: it is initiated from its M-of-N detections, so its position is
        known to about the cross-range measurement error (≈ 1 mrad x 1,000 km) and its velocity
        to a few hundred m/s. Much larger priors make the first EKF update biased (the az/el
        curvature over the prior, ≈ σ²/2R; seen in the measurement-mode NEES). [m, m/s]
    max_az_el_rad
        Azimuth noise is ``σ_angle / cos(el)`` (a cross-range angle error), capped at this
        elevation. [rad]
    drag
        Model drag with the missile type's ballistic coefficient (β known).
    """

    q_boost_m2_s3: float = 2500.0
    q_midcourse_m2_s3: float = 0.1
    q_terminal_m2_s3: float = 10.0
    p0_pos_sigma_m: float = 2e3
    p0_vel_sigma_mps: float = 500.0
    max_az_el_rad: float = math.radians(80.0)
    drag: bool = True


def _beta(world: World, traj: Trajectories, model: FilterModel) -> F64:
    if not model.drag or len(world.missiles) == 0:
        return np.full(traj.n, np.inf)
    mi = traj.missile_idx
    out: F64 = np.where(mi >= 0, world.missiles.beta_pa[np.clip(mi, 0, None)], np.inf)
    return out


def process_noise_density(traj: Trajectories, model: FilterModel) -> F64:
    """``q`` per (threat, sample) from the flight phase, ``(n_threat, m)``. [m^2/s^3]"""
    out: F64 = np.select(
        [traj.phase == PHASE_BOOST, traj.phase == PHASE_TERMINAL],
        [model.q_boost_m2_s3, model.q_terminal_m2_s3],
        model.q_midcourse_m2_s3,
    )
    return out


def truth_transitions(
    world: World, traj: Trajectories, model: FilterModel, dt_s: F64 | None = None
) -> F64:
    """Transition matrices linearised on the true trajectory, ``(n_threat, m, 6, 6)``.

    ``F[j, k]`` maps sample ``k`` to ``k + dt_s[j, k]`` (default: to sample ``k + 1``; the last
    valid step ends at impact). Padding gives the identity.
    """
    r = np.moveaxis(traj.r_ecef_m, -1, 0)
    v = np.moveaxis(traj.v_ecef_mps, -1, 0)
    if dt_s is None:
        dt_s = np.concatenate([np.diff(traj.t_s, axis=1), np.full((traj.n, 1), np.nan)], axis=1)
    beta = _beta(world, traj, model)[:, None]
    with np.errstate(invalid="ignore"):
        F = to_batch_major(transition_ballistic(r, v, dt_s, beta), 2)
    ok = np.all(np.isfinite(F), axis=(-2, -1))
    out: F64 = np.where(ok[..., None, None], F, np.eye(6))
    return out


def nation_information(
    world: World, traj: Trajectories, vis: Visibility, model: FilterModel
) -> F64:
    """Expected measurement information of each nation's own radars, ``(n_nat, n_t, m, 3, 3)``.

    Per radar: ``w Hᵣᵀ R⁻¹ Hᵣ`` (position block; ECEF) with ``w = looks · Pd_cued`` at its looks
    after its own track initiation (``Visibility.track_init_t_s``), 0 elsewhere. [1/m^2]
    """
    rd = world.radars
    n_nat = len(world.nations)
    info = np.zeros((n_nat, traj.n, traj.m, 3, 3))
    r = np.moveaxis(traj.r_ecef_m, -1, 0)
    rots = enu_rotation(rd.lat_rad, rd.lon_rad)
    with np.errstate(invalid="ignore"):
        tracked = traj.t_s[None] >= vis.track_init_t_s[..., None]
    w_all = vis.is_look[:, None, :] * vis.looks_per_sample[:, None, None] * vis.pd_cued * tracked
    for i in range(len(rd)):  # a loop over radars (tens), each vectorized over threats x time
        w = w_all[i]
        if not np.any(w > 0):
            continue
        with np.errstate(invalid="ignore", divide="ignore"):
            z, H = radar_measure(r, rd.r_ecef_m[i][:, None, None], rots[i][:, :, None, None])
            cos_el = np.maximum(np.cos(z[1]), math.cos(model.max_az_el_rad))
            inv_r = (
                (cos_el / rd.angle_sigma_rad[i]) ** 2,
                np.full(z[1].shape, rd.angle_sigma_rad[i] ** -2.0),
                np.full(z[1].shape, rd.range_sigma_m[i] ** -2.0),
            )
            j_rad = np.zeros((traj.n, traj.m, 3, 3))
            for a in range(3):
                for p in range(3):
                    for q in range(p, 3):
                        term = H[a, p] * H[a, q] * inv_r[a]
                        j_rad[..., p, q] += term
            for p in range(3):
                for q in range(p + 1, 3):
                    j_rad[..., q, p] = j_rad[..., p, q]
        use = w > 0
        info[rd.nation_idx[i]] += np.where(use[..., None, None], w[..., None, None] * j_rad, 0.0)
    return info


def delayed_information(
    world: World, traj: Trajectories, info_pos: F64, latency_s: float, model: FilterModel
) -> F64:
    """Full-state information of position measurements received ``latency_s`` late.

    Parameters
    ----------
    info_pos
        ``(n_t, m, 3, 3)`` measurement information at the time each measurement was taken.
    latency_s
        Link latency; rounded up to whole grid steps ``d``. [s]

    Returns
    -------
    info
        ``(n_t, m, 6, 6)``: at sample ``k``, ``Φᵀ [J(k-d) 0; 0 0] Φ`` with ``Φ = Φ(-d·dt)``
        linearised at the true state of sample ``k``. [SI information units]
    """
    n_t, m = info_pos.shape[:2]
    d = math.ceil(latency_s / traj.dt_s - 1e-9) if latency_s > 0 else 0
    out = np.zeros((n_t, m, 6, 6))
    if d >= m:
        return out
    shifted = np.zeros_like(info_pos)
    shifted[:, d:] = info_pos[:, : m - d]
    if d == 0:
        out[..., :3, :3] = shifted
        return out
    phi = truth_transitions(world, traj, model, dt_s=np.full((n_t, m), -d * traj.dt_s))
    top = phi[..., :3, :]  # (n_t, m, 3, 6)
    out[...] = np.einsum("...ai,...ab,...bj->...ij", top, shifted, top)
    return out


def recursion(
    F: F64,
    q_m2_s3: F64,
    dt_s: F64,
    info: F64,
    model: FilterModel,
) -> tuple[F64, B]:
    """Run the covariance recursion for a batch of filters over the grid.

    Parameters
    ----------
    F
        ``(n_t, m, 6, 6)`` transitions sample ``k`` → ``k + 1``.
    q_m2_s3, dt_s
        ``(n_t, m)`` process-noise density and step of each transition. [m^2/s^3, s]
    info
        ``(n_b, n_t, m, 6, 6)`` information received at each sample by each of ``n_b`` filters.

    Returns
    -------
    P, started
        Posterior covariances ``(n_b, n_t, m, 6, 6)`` (NaN before the track starts) and the
        started mask ``(n_b, n_t, m)``.
    """
    n_b, n_t, m = info.shape[:3]
    p0 = np.diag([model.p0_pos_sigma_m**2] * 3 + [model.p0_vel_sigma_mps**2] * 3)
    eye = np.eye(6)
    P = np.broadcast_to(p0, (n_b, n_t, 6, 6)).copy()
    out = np.full((n_b, n_t, m, 6, 6), np.nan)
    started = np.zeros((n_b, n_t), bool)
    started_hist = np.zeros((n_b, n_t, m), bool)
    dt = np.nan_to_num(dt_s)
    q3 = np.abs(dt) ** 3 / 3.0 * q_m2_s3
    q2 = dt * dt / 2.0 * q_m2_s3
    q1 = np.abs(dt) * q_m2_s3
    qblk = np.zeros((n_t, m, 6, 6))
    for i in range(3):
        qblk[..., i, i] = q3
        qblk[..., i, 3 + i] = q2
        qblk[..., 3 + i, i] = q2
        qblk[..., 3 + i, 3 + i] = q1
    qblk = np.nan_to_num(qblk)
    for k in range(m):
        if k > 0:
            Fk = F[:, k - 1]
            pred = Fk @ P @ np.swapaxes(Fk, -1, -2) + qblk[:, k - 1]
            P = np.where(started[..., None, None], pred, P)
        Jk = info[:, :, k]
        has = np.trace(Jk, axis1=-2, axis2=-1) > 0
        fresh = has & ~started
        P = np.where(fresh[..., None, None], p0, P)
        started |= has
        if np.any(has):
            upd = np.linalg.solve(eye + P @ Jk, P)
            upd = 0.5 * (upd + np.swapaxes(upd, -1, -2))
            P = np.where(has[..., None, None], upd, P)
        out[:, :, k] = np.where(started[..., None, None], P, np.nan)
        started_hist[:, :, k] = started
    return out, started_hist
