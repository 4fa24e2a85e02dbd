"""`track`: build each nation's `TrackPicture` under a sharing policy (covariance mode).

Who receives what (``Policy.share[src, dst]``):

- ``track`` (2) or ``engage`` (3): ``dst`` fuses ``src``'s radar information, delayed by
  ``latency_s[src, dst]``; with ``fusion="centralized"`` as measurements (the full-sharing
  bound; latency by the fixed-lag re-run of :func:`shieldwall.tracking.covariance.lagged_rerun`),
  with ``fusion="ci"`` as ``src``'s own-sensor track predicted over the latency and fused by
  covariance intersection with optimised ω (no feedback into the local filters).
- ``early_warning`` (1): cueing only (already applied by :func:`shieldwall.sensing.observe`);
  it also counts for ``first_detect_t_s`` (the nation learns of the threat).
- ``engage`` (3): ``src``'s radars may guide ``dst``'s interceptors
  (``TrackPicture.guidance_radars``).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from shieldwall._types import F64, B
from shieldwall.arguments import check_choice, check_count, check_seed, check_type
from shieldwall.errors import ArgumentError
from shieldwall.flight.trajectories import PHASE_BOOST, Trajectories
from shieldwall.scenario.world import Policy, World
from shieldwall.sensing.visibility import Visibility
from shieldwall.tracking.covariance import (
    FilterModel,
    TrackingGeometry,
    lagged_rerun,
    nation_information,
    recursion,
    tracking_geometry,
)
from shieldwall.tracking.fusion import ci_fuse
from shieldwall.tracking.initiation import nation_track_cdf
from shieldwall.tracking.measurement import simulate_ekf
from shieldwall.tracking.picture import DenseDetail, TrackPicture, fire_control_crossings

__all__ = [
    "FUSIONS",
    "MODES",
    "fire_control_requirements_m",
    "guidance_radars",
    "nation_fcq_requirement_m",
    "track",
]


#: Tracking fidelities accepted by :func:`track`.
MODES = ("covariance", "measurement")
#: Track-to-track fusion rules accepted by :func:`track`.
FUSIONS = ("centralized", "ci")


def _first_detection(
    world: World, vis: Visibility, policy: Policy
) -> tuple[F64, NDArray[np.int64]]:
    n_nat = len(world.nations)
    nat = np.concatenate([world.radars.nation_idx, world.satellites.nation_idx]).astype(np.int64)
    t_sensor = np.concatenate([vis.first_detect_t_s, vis.ew_detect_t_s], axis=0)  # (n_s, n_t)
    same = nat[:, None] == np.arange(n_nat)[None, :]
    ok = same | (policy.share[nat][:, :n_nat] >= 1)
    lat = np.where(same, 0.0, policy.latency_s[nat][:, :n_nat])
    t = np.where(ok[:, :, None], t_sensor[:, None, :] + lat[:, :, None], np.inf)  # (s, nat, t)
    if t.shape[0] == 0:
        return np.full((n_nat, vis.t_s.shape[0]), np.inf), np.full(
            (n_nat, vis.t_s.shape[0]), -1, np.int64
        )
    best = np.argmin(t, axis=0)
    tmin = np.min(t, axis=0)
    return tmin, np.where(np.isfinite(tmin), best, -1).astype(np.int64)


def track(
    world: World,
    trajectories: Trajectories,
    visibility: Visibility,
    policy: Policy,
    mode: str = "covariance",
    *,
    fusion: str = "centralized",
    model: FilterModel | None = None,
    trials: int = 100,
    seed: int | None = None,
    base: TrackingGeometry | None = None,
    position_covariance: bool = False,
    requirements_m: ArrayLike | None = None,
) -> TrackPicture:
    """Each nation's fused picture of each threat over time, under ``policy``.

    Parameters
    ----------
    world, trajectories
        The world and the threats' true trajectories.
    visibility
        :func:`shieldwall.sensing.observe` under the same ``policy`` (its cueing).
    policy
        The sharing policy.
    mode
        ``"covariance"`` (the EKF covariance recursion along the truth; deterministic; the
        default) or ``"measurement"`` (the batched EKF of
        :func:`shieldwall.tracking.simulate_ekf` on ``trials`` simulated measurement sets per
        nation; covariances are the filters' own, averaged over trials; centralized fusion
        only; for small studies: its cost grows with trials × threats × samples × latency).
    fusion
        ``"centralized"`` (measurement information sum) or ``"ci"`` (covariance intersection
        of each source nation's own-sensor track with optimised ω).
    model
        Filter tuning; default :class:`FilterModel`.
    trials, seed
        Measurement mode only: Monte Carlo trials per nation and the seed (default
        ``world.seed``).
    base
        :func:`shieldwall.tracking.covariance.tracking_geometry` of the same trajectories
        (transitions, process noise, IPP sensitivities, radar information; computed here when
        ``None``). Reusing it across policies gives bit-identical results.
    position_covariance
        Also return the position covariance ``pos_cov_m2`` (validation; large).
    requirements_m
        IPP 1-sigma requirements whose fire-control crossings the picture carries (default
        :func:`fire_control_requirements_m`). [m]

    Notes
    -----
    This is the whole-raid numpy formulation of the covariance analysis (every sample of every
    filter, then the crossings from the series); :func:`shieldwall.tracking.picture` computes
    the same picture chunk by chunk with the compiled filters, and is what the simulation
    runs.

    Raises
    ------
    ArgumentError
        (a ``ValueError``) Unknown ``mode`` or ``fusion`` (the message lists the valid names),
        a policy that is not a :class:`Policy`, bad ``trials``/``seed``, or a visibility
        observed under another policy.
    """
    check_choice(mode, "mode", MODES)
    check_choice(fusion, "fusion", FUSIONS)
    check_type(policy, "policy", Policy, "a Policy (world.policies[name])")
    check_type(visibility, "visibility", Visibility, "observe(world, trajectories, policy)")
    check_count(trials, "trials")
    if seed is not None:
        check_seed(seed)
    if mode == "measurement" and fusion != "centralized":
        raise ArgumentError("measurement mode supports fusion='centralized' only")
    if visibility.policy not in ("", policy.name):
        raise ArgumentError(
            f"visibility was observed under policy {visibility.policy!r}, not {policy.name!r}; "
            "call observe(world, trajectories, policy) with the same policy"
        )
    traj = trajectories
    if base is None:
        base = tracking_geometry(world, traj, visibility, model)
    elif base.F.shape[:2] != traj.t_s.shape or (model is not None and model != base.model):
        raise ValueError(
            "base tracking geometry was made for other trajectories or another filter model; "
            "compute it with tracking_geometry(world, trajectories, sensing, model)"
        )
    model = base.model
    n_nat, n_t, m = len(world.nations), traj.n, traj.m
    F, Q = base.F, base.Q
    own = nation_information(world, traj, visibility, model, base.looks)
    share = policy.share[:n_nat, :n_nat]
    lat = policy.latency_s[:n_nat, :n_nat]
    taken = np.trace(own, axis1=-2, axis2=-1) > 0  # information at measurement time
    first = np.where(taken.any(axis=-1), np.argmax(taken, axis=-1), m)  # (n_nat, n_t)
    receives = (share >= 2) | np.eye(n_nat, dtype=bool)  # receives[src, dst]
    lag = np.where(np.eye(n_nat, dtype=bool), 0, np.ceil(lat / traj.dt_s - 1e-9)).astype(int)
    if mode == "measurement":
        seeds = np.random.SeedSequence(world.seed if seed is None else seed).spawn(n_nat)
        P = np.full((n_nat, n_t, m, 6, 6), np.nan)
        for n in range(n_nat):
            run = simulate_ekf(
                world,
                traj,
                visibility,
                policy,
                n,
                trials=trials,
                seed=int(seeds[n].generate_state(1)[0]),
                model=model,
                errors=False,
            )
            P[n] = run.cov_mean
    elif fusion == "centralized":
        info = np.einsum("sd,stkab->dtkab", receives.astype(float), own)
        k_start = np.where(receives.T[:, :, None], first[None, :, :], m).min(axis=1)
        P_full, st_full = recursion(F, Q, info, model, k_start)
        on_grid = np.isfinite(traj.t_s)
        P = np.empty_like(P_full)
        for dst in range(n_nat):  # nations: a handful
            by_lag: dict[int, F64] = {}
            for src in (int(i) for i in np.nonzero(receives[:, dst])[0]):
                d = int(lag[src, dst])
                by_lag[d] = by_lag.get(d, 0.0) + own[src]
            P[dst] = lagged_rerun(
                P_full[dst], st_full[dst], k_start[dst], F, Q, by_lag, model, on_grid
            )
    else:
        P_loc, _ = recursion(F, Q, own, model, first)
        P = P_loc.copy()
        for dst in range(n_nat):
            for src in range(n_nat):
                if src != dst and receives[src, dst]:
                    P = _ci_remote(P, dst, P_loc[src], float(lat[src, dst]), F, Q, traj)
    psi, axes = base.psi, base.axes
    ipp_cov = np.einsum("tkai,ntkij,tkbj->ntkab", psi, P, psi)
    boost = (traj.phase == PHASE_BOOST) | ~np.isfinite(traj.t_s)
    ipp_cov = np.where(boost[None, ..., None, None], np.nan, ipp_cov)
    started = np.isfinite(P[..., 0, 0])  # (n_nat, n_t, m)
    k_first = np.argmax(started, axis=-1)
    t_first = np.take_along_axis(np.broadcast_to(traj.t_s, started.shape), k_first[..., None], -1)
    t_track = np.where(started.any(axis=-1), t_first[..., 0], np.inf)
    fd_t, fd_s = _first_detection(world, visibility, policy)
    rn = world.radars.nation_idx
    guidance = guidance_radars(policy, rn, n_nat)
    reqs = _requirements(world, requirements_m)
    fc_k, fc_cov = fire_control_crossings(ipp_cov, reqs)
    valid = np.isfinite(traj.t_s)
    cdf = nation_track_cdf(visibility.p_track_cdf, rn, receives, lag)
    return TrackPicture(
        policy=policy.name,
        mode=mode,
        fusion=fusion,
        t_s=traj.t_s,
        impact_r_ecef_m=np.asarray(traj.impact_r_ecef_m, dtype=np.float64),
        ipp_axes_ecef=axes,
        track_t_s=np.asarray(t_track, dtype=np.float64),
        first_detect_t_s=fd_t,
        first_detect_sensor=fd_s,
        sensor_ids=tuple(world.radars.id) + tuple(world.satellites.id),
        guidance_radars=guidance,
        radar_nation_idx=np.asarray(rn, dtype=np.int64),
        track_cdf=cdf[:, valid],
        ipp_from_t_s=_ipp_from(traj),
        fc_sigma_req_m=reqs,
        fc_index=fc_k,
        fc_ipp_cov_m2=fc_cov,
        detail=DenseDetail(ipp_cov=ipp_cov, tracking=visibility.tracking),
        pos_cov_m2=np.ascontiguousarray(P[..., :3, :3]) if position_covariance else None,
    )


def fire_control_requirements_m(world: World) -> F64:
    """The IPP 1-sigma requirements a picture of ``world`` makes crossings for, ascending:
    every interceptor type's ``fcq_ipp_sigma_m`` and each nation's
    :func:`nation_fcq_requirement_m`. [m]"""
    per_type = np.asarray(world.interceptors.fcq_ipp_sigma_m, dtype=np.float64)
    out: F64 = np.unique(np.concatenate([per_type, nation_fcq_requirement_m(world)]))
    return out


def _requirements(world: World, requirements_m: ArrayLike | None) -> F64:
    if requirements_m is None:
        return fire_control_requirements_m(world)
    out: F64 = np.unique(np.asarray(requirements_m, dtype=np.float64).reshape(-1))
    return out


def guidance_radars(policy: Policy, radar_nation_idx: NDArray[np.int64], n_nat: int) -> B:
    """``(n_nat, n_radar)``: radars whose data may guide nation n's interceptors — its own,
    and those of nations sharing with it at ``engage`` (engage on remote)."""
    rn = np.asarray(radar_nation_idx, dtype=np.int64)
    share = np.asarray(policy.share)[:n_nat, :n_nat]
    out: B = (rn[None, :] == np.arange(n_nat)[:, None]) | (share[rn, :].T >= 3)
    return out


def _ipp_from(traj: Trajectories) -> F64:
    """First sample after boost of each threat (``inf`` if none). [s]"""
    ok = (traj.phase != PHASE_BOOST) & np.isfinite(traj.t_s)
    k = np.argmax(ok, axis=1)
    t = traj.t_s[np.arange(traj.n), k]
    out: F64 = np.where(ok.any(axis=1), t, np.inf)
    return out


def _ci_remote(
    P: F64, dst: int, P_src: F64, latency_s: float, F: F64, Q: F64, traj: Trajectories
) -> F64:
    """CI-fuse ``src``'s own track (``latency_s`` late, predicted forward) into ``dst``'s."""
    m = traj.t_s.shape[1]
    d = int(np.ceil(latency_s / traj.dt_s - 1e-9)) if latency_s > 0 else 0
    if d >= m:
        return P
    remote = np.full_like(P_src, np.nan)
    remote[:, d:] = P_src[:, : m - d]
    for j in range(d):  # predict the delayed track forward over the lag, d steps
        kk = np.arange(j, m - d + j)
        Fk = F[:, kk]
        remote[:, d:] = Fk @ remote[:, d:] @ np.swapaxes(Fk, -1, -2) + Q[:, kk]
    mine = P[dst]
    both = np.isfinite(mine[..., 0, 0]) & np.isfinite(remote[..., 0, 0])
    only_remote = ~np.isfinite(mine[..., 0, 0]) & np.isfinite(remote[..., 0, 0])
    out = P.copy()
    if np.any(both):
        zero = np.zeros((int(both.sum()), 6))
        _, fused, _ = ci_fuse(zero, mine[both], zero, remote[both])
        out[dst][both] = fused
    out[dst][only_remote] = remote[only_remote]
    return out


def nation_fcq_requirement_m(world: World) -> NDArray[np.float64]:
    """Per nation, the IPP 1-sigma at which it first commits an interceptor. [m]

    The loosest (largest) ``fcq_ipp_sigma_m`` among the interceptors of the nation's batteries,
    i.e. the earliest fire-control-quality time any of its batteries could use; a nation without
    batteries gets the median requirement of the scenario's interceptor types (1,000 m if none).
    Feed it to :meth:`TrackPicture.fire_control_time` for a per-nation summary (``shieldwall
    detect``); the battle stage uses each battery's own requirement instead.
    """
    n_nat = len(world.nations.id)
    per_type = np.asarray(world.interceptors.fcq_ipp_sigma_m, dtype=np.float64)
    fallback = float(np.median(per_type)) if per_type.size else 1000.0
    req = np.full(n_nat, fallback)
    bat = world.batteries
    if len(bat.nation_idx):
        per_battery = per_type[np.asarray(bat.interceptor_idx)]
        nation = np.asarray(bat.nation_idx)
        loosest = np.full(n_nat, -np.inf)
        np.maximum.at(loosest, nation, per_battery)
        req = np.where(np.isfinite(loosest), loosest, req)
    return req
