"""Measurement mode: a batched EKF on simulated noisy radar measurements, trials × threats at once.

It runs the same filter as the covariance mode (:mod:`shieldwall.tracking.covariance`): the
ballistic motion model with the same process noise, the same radars with the same weights and
the same retrodiction of late measurements, but on simulated detections (drawn with the
per-look Pd) with Gaussian azimuth/elevation/range noise, linearising at the *estimate*. Its
errors validate the covariance mode (NEES/NIS inside χ² bounds; empirical error covariance equal
to the covariance-mode ``P`` within sampling error).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from shieldwall.earth.geodesy import enu_rotation
from shieldwall.flight.trajectories import Trajectories
from shieldwall.scenario.world import Policy, World
from shieldwall.sensing.visibility import Visibility
from shieldwall.tracking.covariance import FilterModel, _beta, process_noise_density
from shieldwall.tracking.ekf import (
    predict_ballistic,
    propagate_ballistic,
    radar_measure,
    transition_ballistic,
    update_linearized,
    update_radar,
)

__all__ = ["EKFRun", "simulate_ekf"]

F64 = NDArray[np.float64]


@dataclass(frozen=True, kw_only=True)
class EKFRun:
    """Result of :func:`simulate_ekf` for one nation's picture.

    Attributes
    ----------
    nation_idx
        The nation whose fused filter was run.
    t_s
        Grid, ``(n_threat, m)``. [s]
    err
        Estimate minus truth, ``(trials, n_threat, m, 6)``; NaN before the track starts and on
        padding. [m, m/s]
    cov_mean
        Filter covariance averaged over trials, ``(n_threat, m, 6, 6)``.
    nees
        Normalised estimation error squared ``eᵀ P⁻¹ e``, ``(trials, n_threat, m)`` (6 dof).
    nis, nis_dof
        Sum of ``νᵀ S⁻¹ ν`` over the updates in each sample and its degrees of freedom (3 per
        update), ``(trials, n_threat, m)``.
    """

    nation_idx: int
    t_s: F64
    err: F64
    cov_mean: F64
    nees: F64
    nis: F64
    nis_dof: NDArray[np.int64]


def _sources(world: World, policy: Policy, nation_idx: int) -> list[tuple[int, float]]:
    rn = world.radars.nation_idx
    out = []
    for i in range(len(world.radars)):
        src = int(rn[i])
        if src == nation_idx:
            out.append((i, 0.0))
        elif policy.share[src, nation_idx] >= 2:
            out.append((i, float(policy.latency_s[src, nation_idx])))
    return out


def simulate_ekf(
    world: World,
    trajectories: Trajectories,
    visibility: Visibility,
    policy: Policy,
    nation_idx: int,
    *,
    trials: int,
    seed: int,
    model: FilterModel | None = None,
    draw_detections: bool = True,
) -> EKFRun:
    """Run nation ``nation_idx``'s fused EKF on simulated measurements, ``trials`` times.

    Parameters
    ----------
    world, trajectories, visibility, policy
        As for :func:`shieldwall.tracking.track` (centralized fusion).
    nation_idx
        Which nation's picture to simulate.
    trials
        Monte Carlo trials (all run at once with the threats as one batch).
    seed
        Seed of the ``numpy.random.Generator`` (``SeedSequence(seed)``).
    model
        Filter tuning (the covariance mode's default when ``None``).
    draw_detections
        Draw each look's detection with its Pd (default). ``False``: every weighted look
        detects (the exact counterpart of the covariance mode when Pd is 1).
    """
    model = model or FilterModel()
    traj = trajectories
    rng = np.random.default_rng(np.random.SeedSequence(seed))
    n_t, m = traj.t_s.shape
    shape = (trials, n_t)
    rd = world.radars
    beta = np.broadcast_to(_beta(world, traj, model)[None, :], shape)
    q = process_noise_density(traj, model)
    rots = enu_rotation(rd.lat_rad, rd.lon_rad)
    with np.errstate(invalid="ignore"):
        tracked = traj.t_s[None] >= visibility.track_init_t_s[..., None]
    w_all = visibility.is_look[:, None, :] * visibility.pd_cued * tracked  # (n_r, n_t, m)
    sources = _sources(world, policy, nation_idx)
    lags = [(i, math.ceil(lat / traj.dt_s - 1e-9) if lat > 0 else 0) for i, lat in sources]
    # start: first sample any (delayed) source has information, as in the covariance mode
    has = np.zeros((n_t, m), bool)
    for i, d in lags:
        if d < m:
            has[:, d:] |= w_all[i, :, : m - d] > 0
    k_start = np.where(has.any(axis=1), np.argmax(has, axis=1), m)
    p0 = np.array([model.p0_pos_sigma_m] * 3 + [model.p0_vel_sigma_mps] * 3)
    truth = np.concatenate([traj.r_ecef_m, traj.v_ecef_mps], axis=-1)  # (n_t, m, 6)
    x = np.broadcast_to(truth[:, 0].T[:, None, :], (6, *shape)).copy()  # placeholder until start
    P = np.zeros((6, 6, *shape))
    for i in range(6):
        P[i, i] = p0[i] ** 2
    err = np.full((trials, n_t, m, 6), np.nan)
    nees = np.full((trials, n_t, m), np.nan)
    nis = np.zeros((trials, n_t, m))
    nis_dof = np.zeros((trials, n_t, m), np.int64)
    cov_mean = np.full((n_t, m, 6, 6), np.nan)
    started = np.zeros(shape, bool)
    cos_cap = math.cos(model.max_az_el_rad)
    for k in range(m):
        if k > 0:
            dt = np.nan_to_num(traj.t_s[:, k] - traj.t_s[:, k - 1])[None, :]
            dt = np.broadcast_to(dt, shape)
            qk = np.broadcast_to(q[:, k - 1][None, :], shape)
            predict_ballistic(x, P, dt, qk, beta)
        fresh = np.broadcast_to((k_start == k)[None, :], shape)
        if np.any(fresh):
            x0 = truth[:, k].T[:, None, :] + p0[:, None, None] * rng.standard_normal((6, *shape))
            x = np.where(fresh[None], x0, x)
            for i in range(6):
                for j in range(6):
                    P[i, j] = np.where(fresh, p0[i] ** 2 if i == j else 0.0, P[i, j])
            started |= fresh
        for i, d in lags:
            kk = k - d
            if kk < 0:
                continue
            w = w_all[i, :, kk]
            if not np.any(w > 0):
                continue
            pd = np.broadcast_to(np.clip(w, 0.0, 1.0)[None, :], shape)
            det = started & (w > 0)[None, :]
            if draw_detections:
                det &= rng.random(shape) < pd
            site = rd.r_ecef_m[i][:, None, None]
            rot = rots[i][:, :, None, None]
            r_true = np.broadcast_to(traj.r_ecef_m[:, kk].T[:, None, :], (3, *shape))
            z_true, _ = radar_measure(np.nan_to_num(r_true), site, rot)
            cos_el = np.maximum(np.cos(z_true[1]), cos_cap)
            per = float(visibility.looks_per_sample[i])
            sig = (
                rd.angle_sigma_rad[i] / cos_el / math.sqrt(per),
                np.full(shape, rd.angle_sigma_rad[i] / math.sqrt(per)),
                np.full(shape, rd.range_sigma_m[i] / math.sqrt(per)),
            )
            z = z_true + np.stack(sig) * rng.standard_normal((3, *shape))
            if d == 0:
                nu, S = update_radar(x, P, z, site, rot, sig, mask=det)
            else:
                lag_dt = traj.t_s[:, kk] - traj.t_s[:, k]
                lag = np.broadcast_to(np.nan_to_num(lag_dt)[None, :], shape)
                x_back = propagate_ballistic(x, lag, beta)
                zp, Hr = radar_measure(x_back[0:3], site, rot)
                phi = transition_ballistic(x[0:3], x[3:6], lag, beta)
                H = np.einsum("ab...,bj...->aj...", Hr, phi[0:3])
                nu = np.where(det, z - zp, 0.0)
                nu[0] = np.mod(nu[0] + np.pi, 2.0 * np.pi) - np.pi
                S = np.einsum("ai...,ij...,bj...->ab...", H, P, H)
                for a in range(3):
                    S[a, a] += sig[a] ** 2
                update_linearized(x, P, nu, H, sig, mask=det)
            nis[..., k] += np.where(det, _quad(nu, S), 0.0)
            nis_dof[..., k] += 3 * det
        ok = started & np.isfinite(traj.t_s[:, k])[None, :]
        e = x - truth[:, k].T[:, None, :]
        err[:, :, k] = np.where(ok[..., None], np.moveaxis(e, 0, -1), np.nan)
        pb = np.moveaxis(P, (0, 1), (-2, -1))
        e_b = np.nan_to_num(err[:, :, k])
        sol = np.linalg.solve(pb, e_b[..., None])[..., 0]
        nees[:, :, k] = np.where(ok, np.einsum("tni,tni->tn", e_b, sol), np.nan)
        any_ok = np.asarray(np.any(ok, axis=0))
        cov_mean[:, k] = np.where(any_ok[:, None, None], pb.mean(axis=0), np.nan)
    return EKFRun(
        nation_idx=nation_idx,
        t_s=traj.t_s,
        err=err,
        cov_mean=cov_mean,
        nees=nees,
        nis=nis,
        nis_dof=nis_dof,
    )


def _quad(nu: F64, S: F64) -> F64:
    """``νᵀ S⁻¹ ν`` for component-major ``ν (3, ...)`` and ``S (3, 3, ...)``."""
    sb = np.moveaxis(S, (0, 1), (-2, -1))
    nb = np.moveaxis(nu, 0, -1)
    sol = np.linalg.solve(sb, nb[..., None])[..., 0]
    out: F64 = np.einsum("...i,...i->...", nb, sol)
    return out
