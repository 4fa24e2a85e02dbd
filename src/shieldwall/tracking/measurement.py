"""Measurement mode: a batched EKF on simulated noisy radar measurements, trials × threats at once.

It runs the same filter as the covariance mode (:mod:`shieldwall.tracking.covariance`): the
ballistic motion model with the same process noise, the same radars with the same weights and
the same latency model (the picture at ``k`` holds source ``s``'s data up to ``k - d_s``: the
filter fusing everything without delay at ``k - D`` is re-run over the last ``D`` samples with
the sources that have arrived), but on simulated detections (drawn with the per-look Pd) with
Gaussian azimuth/elevation/range noise, linearising at the *estimate*. Its
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
from shieldwall.tracking.ekf import predict_ballistic, radar_measure, update_radar

__all__ = ["EKFRun", "simulate_ekf"]

F64 = NDArray[np.float64]


@dataclass(frozen=True, kw_only=True)
class EKFRun:
    """Result of :func:`simulate_ekf` for one nation's picture.

    Attributes
    ----------
    nation_idx
        The nation whose fused filter was run.
    k_eval
        Grid samples at which the picture was evaluated, ``(n_e,)``.
    err
        Estimate minus truth, ``(trials, n_threat, n_e, 6)``; NaN before the track starts and
        on padding. [m, m/s]
    cov_mean
        Filter covariance averaged over trials, ``(n_threat, n_e, 6, 6)``.
    nees
        Normalised estimation error squared ``eᵀ P⁻¹ e``, ``(trials, n_threat, n_e)`` (6 dof).
    nis, nis_dof
        Sum of ``νᵀ S⁻¹ ν`` over the updates of the undelayed fused filter in each sample and
        its degrees of freedom (3 per update), ``(trials, n_threat, m)``.
    """

    nation_idx: int
    k_eval: NDArray[np.int64]
    err: F64
    cov_mean: F64
    nees: F64
    nis: F64
    nis_dof: NDArray[np.int64]


@dataclass(frozen=True, kw_only=True)
class _Source:
    radar: int
    lag: int  # samples
    weighted: NDArray[np.bool_]  # (n_t, m): looks with information (covariance mode's w > 0)
    det: NDArray[np.bool_]  # (T, n_t, m)
    z: F64  # (3, T, n_t, m)
    sigma: F64  # (3, n_t, m)


def _sources(world: World, policy: Policy, nation_idx: int, dt_s: float) -> list[tuple[int, int]]:
    rn = world.radars.nation_idx
    out = []
    for i in range(len(world.radars)):
        src = int(rn[i])
        if src == nation_idx:
            out.append((i, 0))
        elif policy.share[src, nation_idx] >= 2:
            lat = float(policy.latency_s[src, nation_idx])
            out.append((i, math.ceil(lat / dt_s - 1e-9) if lat > 0 else 0))
    return out


def _simulate_measurements(
    world: World,
    traj: Trajectories,
    visibility: Visibility,
    pairs: list[tuple[int, int]],
    trials: int,
    rng: np.random.Generator,
    model: FilterModel,
    draw_detections: bool,
) -> list[_Source]:
    rd = world.radars
    rots = enu_rotation(rd.lat_rad, rd.lon_rad)
    with np.errstate(invalid="ignore"):
        tracked = traj.t_s[None] >= visibility.track_init_t_s[..., None]
    w_all = visibility.is_look[:, None, :] * visibility.pd_cued * tracked  # (n_r, n_t, m)
    r = np.nan_to_num(np.moveaxis(traj.r_ecef_m, -1, 0))
    cos_cap = math.cos(model.max_az_el_rad)
    out = []
    for i, d in pairs:
        z_true, _ = radar_measure(r, rd.r_ecef_m[i][:, None, None], rots[i][:, :, None, None])
        per = math.sqrt(float(visibility.looks_per_sample[i]))
        sig = np.stack(
            [
                rd.angle_sigma_rad[i] / np.maximum(np.cos(z_true[1]), cos_cap) / per,
                np.full(z_true[1].shape, rd.angle_sigma_rad[i] / per),
                np.full(z_true[1].shape, rd.range_sigma_m[i] / per),
            ]
        )
        w = w_all[i]
        det = np.broadcast_to(w > 0, (trials, *w.shape))
        if draw_detections:
            det = det & (rng.random(det.shape) < np.clip(w, 0.0, 1.0))
        z = z_true[:, None] + sig[:, None] * rng.standard_normal((3, trials, *w.shape))
        out.append(
            _Source(radar=i, lag=d, weighted=w > 0, det=np.ascontiguousarray(det), z=z, sigma=sig)
        )
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
    k_eval: NDArray[np.int64] | list[int] | None = None,
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
    k_eval
        Grid samples at which to evaluate the picture (default: all). With late sources each
        evaluation re-runs the last ``D`` samples, so pass a few samples for long runs.
    """
    model = model or FilterModel()
    traj = trajectories
    rng = np.random.default_rng(np.random.SeedSequence(seed))
    n_t, m = traj.t_s.shape
    ks = np.arange(m) if k_eval is None else np.asarray(k_eval, dtype=np.int64)
    beta_t = _beta(world, traj, model)
    q = process_noise_density(traj, model)
    rd = world.radars
    rots = enu_rotation(rd.lat_rad, rd.lon_rad)
    pairs = _sources(world, policy, nation_idx, traj.dt_s)
    src = _simulate_measurements(
        world, traj, visibility, pairs, trials, rng, model, draw_detections
    )
    D = max((s.lag for s in src), default=0)
    has = np.zeros((n_t, m), bool)
    for s_ in src:
        has |= s_.weighted
    k_start = np.where(has.any(axis=1), np.argmax(has, axis=1), m)
    p0 = np.array([model.p0_pos_sigma_m] * 3 + [model.p0_vel_sigma_mps] * 3)
    truth = np.concatenate([traj.r_ecef_m, traj.v_ecef_mps], axis=-1)  # (n_t, m, 6)
    x0_noise = p0[:, None, None] * rng.standard_normal((6, trials, n_t))

    def step(
        x: F64,
        P: F64,
        started: NDArray[np.bool_],
        k: NDArray[np.int64],
        max_lag: int,
        nis: F64 | None,
    ) -> NDArray[np.bool_]:
        """Advance filters (6, T, n_t, *e) to samples ``k`` (n_t, *e) and update, in place."""
        tix = np.arange(n_t).reshape((n_t,) + (1,) * (k.ndim - 1))
        kp = np.clip(k - 1, 0, m - 1)
        kc = np.clip(k, 0, m - 1)
        dt = np.where(k >= 1, np.nan_to_num(traj.t_s[tix, kc] - traj.t_s[tix, kp]), 0.0)
        shape = x.shape[1:]
        predict_ballistic(
            x,
            P,
            np.broadcast_to(dt, shape),
            np.broadcast_to(q[tix, kp], shape),
            np.broadcast_to(beta_t.reshape(tix.shape), shape),
        )
        fresh = np.broadcast_to(k == k_start.reshape(tix.shape), shape) & ~started
        if np.any(fresh):
            x0 = np.moveaxis(truth[tix, kc], -1, 0)[:, None] + x0_noise.reshape(
                (6, trials, n_t) + (1,) * (k.ndim - 1)
            )
            x[...] = np.where(fresh[None], x0, x)
            for i in range(6):
                for j in range(6):
                    P[i, j] = np.where(fresh, p0[i] ** 2 if i == j else 0.0, P[i, j])
            started = started | fresh
        for s_ in src:
            if s_.lag > max_lag:
                continue
            det = s_.det[:, tix, kc] & started & (k >= 0)
            if not np.any(det):
                continue
            z = s_.z[:, :, tix, kc]
            sig = np.stack([np.broadcast_to(s_.sigma[a][tix, kc], shape) for a in range(3)])
            site = rd.r_ecef_m[s_.radar].reshape((3,) + (1,) * len(shape))
            rot = rots[s_.radar].reshape((3, 3) + (1,) * len(shape))
            nu, S = update_radar(x, P, z, site, rot, sig, mask=det)
            if nis is not None:
                nis[0] += np.where(det, _quad(nu, S), 0.0)
                nis[1] += 3 * det
        return started

    shape = (trials, n_t)
    x = np.broadcast_to(truth[:, 0].T[:, None, :], (6, *shape)).copy()
    P = np.zeros((6, 6, *shape))
    started = np.zeros(shape, bool)
    nis = np.zeros((trials, n_t, m))
    nis_dof = np.zeros((trials, n_t, m), np.int64)
    n_e = len(ks)
    err = np.full((trials, n_t, n_e, 6), np.nan)
    nees = np.full((trials, n_t, n_e), np.nan)
    cov_mean = np.full((n_t, n_e, 6, 6), np.nan)
    restart = {int(k) - D: e for e, k in enumerate(ks) if int(k) - D >= 0}
    saved: dict[int, tuple[F64, F64, NDArray[np.bool_]]] = {}
    for k in range(m):
        acc = np.zeros((2, trials, n_t))
        started = step(x, P, started, np.full(n_t, k), D, acc)
        nis[:, :, k] = acc[0]
        nis_dof[:, :, k] = acc[1].astype(np.int64)
        if D == 0:
            for e in np.nonzero(ks == k)[0]:
                _record(int(e), k, x, P, started, truth, traj, err, nees, cov_mean)
        elif k in restart:
            saved[restart[k]] = (x.copy(), P.copy(), started.copy())
    if D > 0:  # re-run the last D samples of every evaluated window, all windows at once
        es = np.array(sorted(saved))
        if len(es):
            xw = np.stack([saved[e][0] for e in es], axis=-1)  # (6, T, n_t, n_e)
            Pw = np.stack([saved[e][1] for e in es], axis=-1)
            sw = np.stack([saved[e][2] for e in es], axis=-1)
            kw = ks[es]
            for j in range(1, D + 1):
                kk = np.broadcast_to((kw - D + j)[None, :], (n_t, len(es)))
                sw = step(xw, Pw, sw, kk, D - j, None)
            for n, e in enumerate(es):
                _record(
                    int(e),
                    int(ks[e]),
                    xw[..., n],
                    Pw[..., n],
                    sw[..., n],
                    truth,
                    traj,
                    err,
                    nees,
                    cov_mean,
                )
    return EKFRun(
        nation_idx=nation_idx,
        k_eval=ks,
        err=err,
        cov_mean=cov_mean,
        nees=nees,
        nis=nis,
        nis_dof=nis_dof,
    )


def _record(
    e: int,
    k: int,
    x: F64,
    P: F64,
    started: NDArray[np.bool_],
    truth: F64,
    traj: Trajectories,
    err: F64,
    nees: F64,
    cov_mean: F64,
) -> None:
    ok = started & np.isfinite(traj.t_s[:, k])[None, :]
    ev = np.moveaxis(x - truth[:, k].T[:, None, :], 0, -1)
    err[:, :, e] = np.where(ok[..., None], ev, np.nan)
    pb = np.moveaxis(P, (0, 1), (-2, -1))
    e_b = np.nan_to_num(err[:, :, e])
    sol = np.linalg.solve(pb, e_b[..., None])[..., 0]
    nees[:, :, e] = np.where(ok, np.einsum("tni,tni->tn", e_b, sol), np.nan)
    any_ok = np.asarray(np.any(ok, axis=0))
    cov_mean[:, e] = np.where(any_ok[:, None, None], pb.mean(axis=0), np.nan)


def _quad(nu: F64, S: F64) -> F64:
    """``νᵀ S⁻¹ ν`` for component-major ``ν (3, ...)`` and ``S (3, 3, ...)``."""
    sb = np.moveaxis(S, (0, 1), (-2, -1))
    nb = np.moveaxis(nu, 0, -1)
    sol = np.linalg.solve(sb, nb[..., None])[..., 0]
    out: F64 = np.einsum("...i,...i->...", nb, sol)
    return out
