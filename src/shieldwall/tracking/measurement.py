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
from typing import Any

import numpy as np
from numpy.typing import NDArray

from shieldwall._types import F64
from shieldwall.earth.geodesy import enu_rotation
from shieldwall.flight.trajectories import Trajectories
from shieldwall.scenario.world import Policy, World
from shieldwall.sensing.visibility import Visibility
from shieldwall.tracking.covariance import FilterModel, _beta, process_noise_density
from shieldwall.tracking.ekf import predict_ballistic, radar_measure, update_radar

__all__ = ["EKFRun", "simulate_ekf"]


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
    weight: F64  # (n_t, m): looks with information (covariance mode's w = Pd at looks)
    z_true: F64  # (3, n_t, m) true az, el, range
    sigma: F64  # (3, n_t, m) noise standard deviations


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


def _source_tables(
    world: World,
    traj: Trajectories,
    visibility: Visibility,
    pairs: list[tuple[int, int]],
    model: FilterModel,
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
        out.append(_Source(radar=i, lag=d, weight=w_all[i], z_true=z_true, sigma=sig))
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
    errors: bool = True,
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
        evaluated sample costs a window of ``D`` extra filter steps (up to ``D`` times the
        cost of the run when every sample is evaluated).
    errors
        Keep the per-trial errors and NEES (``False``: only ``cov_mean``, to save memory).
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
    src = _source_tables(
        world, traj, visibility, _sources(world, policy, nation_idx, traj.dt_s), model
    )
    D = max((s_.lag for s_ in src), default=0)
    has = np.zeros((n_t, m), bool)
    for s_ in src:
        has |= s_.weight > 0
    k_start = np.where(has.any(axis=1), np.argmax(has, axis=1), m)
    p0 = np.array([model.p0_pos_sigma_m] * 3 + [model.p0_vel_sigma_mps] * 3)
    truth = np.concatenate([traj.r_ecef_m, traj.v_ecef_mps], axis=-1)  # (n_t, m, 6)
    x0_noise = p0[:, None, None] * rng.standard_normal((6, trials, n_t))
    shape = (trials, n_t)

    def draw(k: int) -> list[tuple[_Source, NDArray[np.bool_], F64]]:
        """Detections and noisy measurements of every source at sample k (shared by the full
        filter and the latency windows, which all stand at the same sample)."""
        out = []
        for s_ in src:
            w = s_.weight[:, k]
            if not np.any(w > 0):
                continue
            det = np.broadcast_to((w > 0)[None, :], shape)
            if draw_detections:
                det = det & (rng.random(shape) < np.clip(w, 0.0, 1.0)[None, :])
            z = s_.z_true[:, None, :, k] + s_.sigma[:, None, :, k] * rng.standard_normal(
                (3, *shape)
            )
            out.append((s_, det, z))
        return out

    def step(
        x: F64,
        P: F64,
        started: NDArray[np.bool_],
        k: int,
        max_lag: int | NDArray[np.int64],
        meas: list[tuple[_Source, NDArray[np.bool_], F64]],
        nis: F64 | None,
    ) -> NDArray[np.bool_]:
        """Advance filters ``(6, T, n_t, *w)`` to sample ``k`` and update, in place."""
        extra = x.ndim - 3
        bshape = x.shape[1:]

        def per_threat(a: NDArray[Any]) -> NDArray[Any]:
            return np.broadcast_to(a.reshape((1, n_t) + (1,) * extra), bshape)

        dt = np.nan_to_num(traj.t_s[:, k] - traj.t_s[:, k - 1]) if k >= 1 else np.zeros(n_t)
        predict_ballistic(x, P, per_threat(dt), per_threat(q[:, max(k - 1, 0)]), per_threat(beta_t))
        fresh = per_threat(k_start == k) & ~started
        if np.any(fresh):
            x0 = truth[:, k].T[:, None, :] + x0_noise
            x[...] = np.where(fresh[None], x0.reshape(x0.shape + (1,) * extra), x)
            for i in range(6):
                for j in range(6):
                    P[i, j] = np.where(fresh, p0[i] ** 2 if i == j else 0.0, P[i, j])
            started = started | fresh
        for s_, det0, z0 in meas:
            applies = np.asarray(s_.lag <= max_lag)  # scalar, or per window (last axis)
            if not applies.any():
                continue
            det = det0.reshape(det0.shape + (1,) * extra) & started & applies
            if not np.any(det):
                continue
            z = np.broadcast_to(z0.reshape(z0.shape + (1,) * extra), (3, *bshape))
            sig = np.broadcast_to(
                s_.sigma[:, None, :, k].reshape((3, 1, n_t) + (1,) * extra), (3, *bshape)
            )
            site = rd.r_ecef_m[s_.radar].reshape((3,) + (1,) * len(bshape))
            rot = rots[s_.radar].reshape((3, 3) + (1,) * len(bshape))
            nu, S = update_radar(x, P, z, site, rot, sig, mask=det)
            if nis is not None:
                nis[0] += np.where(det, _quad(nu, S), 0.0)
                nis[1] += 3 * det
        return started

    x = np.broadcast_to(truth[:, 0].T[:, None, :], (6, *shape)).copy()
    P = np.zeros((6, 6, *shape))
    started = np.zeros(shape, bool)
    nis = np.zeros((trials, n_t, m))
    nis_dof = np.zeros((trials, n_t, m), np.int64)
    n_e = len(ks)
    err = np.full((trials, n_t, n_e if errors else 0, 6), np.nan)
    nees = np.full((trials, n_t, n_e if errors else 0), np.nan)
    cov_mean = np.full((n_t, n_e, 6, 6), np.nan)
    e_of_k = {int(k): e for e, k in enumerate(ks)}
    # Late sources: a window per evaluated sample k starts from the full filter at k - D and
    # runs in step with it, at its step j taking only sources with lag <= D - j. At most D
    # windows are alive at once (a ring of D slots, all advanced as one batch).
    n_w = max(D, 1)
    xw = np.broadcast_to(x[..., None], (*x.shape, n_w)).copy()
    Pw = np.zeros((6, 6, *shape, n_w))
    sw = np.zeros((*shape, n_w), bool)
    base = np.full(n_w, -(10**9), np.int64)  # "dead"; windows for k < D start before sample 0
    for k_e in ks[ks < D] if D > 0 else ():
        base[int(k_e) % n_w] = int(k_e) - D
    for k in range(m):
        acc = np.zeros((2, trials, n_t))
        meas = draw(k)
        started = step(x, P, started, k, D, meas, acc)
        nis[:, :, k] = acc[0]
        nis_dof[:, :, k] = acc[1].astype(np.int64)
        if D == 0:
            if k in e_of_k:
                _record(e_of_k[k], k, x, P, started, truth, traj, err, nees, cov_mean)
            continue
        live = base > -(10**9)
        if live.any():
            j = np.where(live, k - base, D + 1)  # step of each window; dead ones take nothing
            sw = step(xw, Pw, sw, k, D - j, meas, None)
            for slot in np.nonzero(live & (j == D))[0]:
                _record(
                    e_of_k[k],
                    k,
                    xw[..., slot],
                    Pw[..., slot],
                    sw[..., slot],
                    truth,
                    traj,
                    err,
                    nees,
                    cov_mean,
                )
                base[slot] = -(10**9)
        if k + D in e_of_k and k + D < m:
            new = k % n_w
            xw[..., new] = x
            Pw[..., new] = P
            sw[..., new] = started
            base[new] = k
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
    pb = np.moveaxis(P, (0, 1), (-2, -1))  # (T, n_t, 6, 6)
    n_ok = ok.sum(axis=0)
    mean = np.einsum("tn,tnij->nij", ok.astype(np.float64), np.nan_to_num(pb))
    with np.errstate(invalid="ignore", divide="ignore"):
        cov_mean[:, e] = np.where((n_ok > 0)[:, None, None], mean / n_ok[:, None, None], np.nan)
    if err.shape[2] == 0:
        return
    ev = np.moveaxis(x - truth[:, k].T[:, None, :], 0, -1)
    err[:, :, e] = np.where(ok[..., None], ev, np.nan)
    e_b = np.where(ok[..., None], ev, 0.0)
    safe = np.where(ok[..., None, None], pb, np.eye(6))
    sol = np.linalg.solve(safe, e_b[..., None])[..., 0]
    nees[:, :, e] = np.where(ok, np.einsum("tni,tni->tn", e_b, sol), np.nan)


def _quad(nu: F64, S: F64) -> F64:
    """``νᵀ S⁻¹ ν`` for component-major ``ν (3, ...)`` and ``S (3, 3, ...)``."""
    sb = np.moveaxis(S, (0, 1), (-2, -1))
    nb = np.moveaxis(nu, 0, -1)
    sol = np.linalg.solve(sb, nb[..., None])[..., 0]
    out: F64 = np.einsum("...i,...i->...", nb, sol)
    return out
