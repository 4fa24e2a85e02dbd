"""The covariance recursion the pipeline runs, against a plain per-track numpy filter.

What is timed is the code path ``shieldwall.tracking.picture`` runs (covariance mode,
centralized fusion) on the flagship's own inputs: the policy ``shared_tracks`` (Korea, Japan
and the US fuse each other's radars with the scenario's 10 s links), the compiled filters of
``tracking/_kernels.py`` over every chunk of the policy-independent base, giving what the
simulation consumes: each nation's fire-control crossing of every requirement and the IPP
covariance there (the delayed picture made only where it can cross).

Baselines, in the same process, giving the same crossings (checked) from the full series:

- the numpy formulation over whole batches (``covariance.recursion`` for every nation's
  undelayed filter, all threats at once, and ``covariance.lagged_rerun`` for the picture with
  late data; the previous implementation and the tests' reference), on the whole raid;
- the same filter written one track at a time with numpy on its 6x6 matrices (``F P Fᵀ + Q``,
  the information-form update with a 3x3 ``np.linalg.inv``, the re-run of the last ``D`` steps
  for every sample), on a subsample of the tracks.

Rates are covariance steps of the straightforward algorithm per second (one step = predict +
update of one track at one sample; ``1 + D`` per sample with the re-run), by CPU time of this
process. The last line is the ratio against the stronger of the two baselines,
``ratio_vs_batched_numpy=<x>``. Stone Soup's EKF, the external reference of the tests, is
slower still than the per-track numpy filter (issue #10: ~2k against ~49k updates/s).

    uv run python benchmarks/bench_tracking.py [--subsample 6] [--repeat 5]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from shieldwall.flight import fly_raid
from shieldwall.scenario import compile_world, load_scenario
from shieldwall.sensing import observe, sensor_geometry
from shieldwall.tracking import picture, prepare, track
from shieldwall.tracking.chunks import _links, _median_index, _requirements, _run
from shieldwall.tracking.covariance import (
    FilterModel,
    _p0,
    lagged_rerun,
    nation_information,
    recursion,
    tracking_geometry,
)

FLAGSHIP = Path(__file__).resolve().parents[1] / "examples" / "korea_japan.yaml"


def inputs():  # type: ignore[no-untyped-def]
    world = compile_world(load_scenario(FLAGSHIP))
    traj = fly_raid(world)
    pol = world.policies["shared_tracks"]
    model = FilterModel()
    geo = sensor_geometry(world, traj)
    vis = observe(world, traj, pol, base=geo)
    base = tracking_geometry(world, traj, geo, model)
    own = nation_information(world, traj, vis, model, base.looks)
    n_nat, m = len(world.nations), traj.m
    share, lat = pol.share[:n_nat, :n_nat], pol.latency_s[:n_nat, :n_nat]
    receives = (share >= 2) | np.eye(n_nat, dtype=bool)
    lag = np.where(np.eye(n_nat, dtype=bool), 0, np.ceil(lat / traj.dt_s - 1e-9)).astype(int)
    taken = np.trace(own, axis1=-2, axis2=-1) > 0
    first = np.where(taken.any(axis=-1), np.argmax(taken, axis=-1), m)
    info = np.einsum("sd,stkab->dtkab", receives.astype(float), own)
    k_start = np.where(receives.T[:, :, None], first[None, :, :], m).min(axis=1)
    by_lag = []
    for dst in range(n_nat):
        d_map: dict[int, np.ndarray] = {}
        for src in np.flatnonzero(receives[:, dst]):
            d = int(lag[src, dst])
            d_map[d] = d_map.get(d, 0.0) + own[src]
        by_lag.append(d_map)
    return traj, model, base.F, base.Q, info, k_start, by_lag


def compiled(world, traj, pol):  # type: ignore[no-untyped-def]
    """The chunks and per-chunk inputs the pipeline's picture() hands the compiled filters."""
    sens = prepare(world, traj)
    links = _links(world, pol, traj.dt_s)
    reqs = _requirements(world, None)
    work = []
    for ch in sens.chunks:
        vis = observe(world, ch.trajectories, pol, base=ch.sensing)
        work.append((ch, _median_index(vis.p_track_cdf)))
    return sens, links, reqs, work


def run_compiled(sens, links, reqs, work):  # type: ignore[no-untyped-def]
    return [_run(ch, sens.model, links, kinit, reqs, series=False) for ch, kinit in work]


def batched(traj, model, F, Q, info, k_start, by_lag):  # type: ignore[no-untyped-def]
    P_full, st = recursion(F, Q, info, model, k_start)
    on_grid = np.isfinite(traj.t_s)
    return [
        lagged_rerun(P_full[n], st[n], k_start[n], F, Q, by_lag[n], model, on_grid)
        for n in range(info.shape[0])
    ]


def per_track(traj, model, F, Q, info, k_start, by_lag, n, t):  # type: ignore[no-untyped-def]
    """One track (nation n, threat t), straightforwardly: the undelayed filter, then for each
    sample the re-run of the last D steps with only the data that has arrived."""
    m = int(np.isfinite(traj.t_s[t]).sum())
    p0 = _p0(model)
    full = [None] * m
    P = None
    for k in range(m):
        if P is not None:
            P = F[t, k - 1] @ P @ F[t, k - 1].T + Q[t, k - 1]
        if k == k_start[n, t]:
            P = p0.copy()
        if P is not None:
            if np.trace(info[n, t, k]) > 0:
                M = np.linalg.inv(np.eye(3) + info[n, t, k] @ P[:3, :3]) @ info[n, t, k]
                P = P - P[:, :3] @ M @ P[:3, :]
                P = 0.5 * (P + P.T)
            full[k] = P
    D = max(by_lag[n])
    out = [None] * m
    steps = 0
    for k in range(m):
        if full[k] is None:
            continue
        b = k - D
        Pw = None if b < 0 or full[b] is None else full[b]
        for j in range(1, D + 1):
            i = b + j
            if i < 0:
                continue
            if Pw is not None:
                Pw = F[t, i - 1] @ Pw @ F[t, i - 1].T + Q[t, i - 1]
            if i == k_start[n, t] and Pw is None:
                Pw = p0.copy()
            if Pw is not None:
                J = sum(v[t, i] for d, v in by_lag[n].items() if d <= D - j)
                if np.trace(J) > 0:
                    M = np.linalg.inv(np.eye(3) + J @ Pw[:3, :3]) @ J
                    Pw = Pw - Pw[:, :3] @ M @ Pw[:3, :]
                    Pw = 0.5 * (Pw + Pw.T)
                steps += 1
        out[k] = Pw
    return out, m + steps


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--subsample", type=int, default=6, help="tracks run by the baseline")
    ap.add_argument("--repeat", type=int, default=5, help="runs of the compiled path (best)")
    args = ap.parse_args()
    world = compile_world(load_scenario(FLAGSHIP))
    pol = world.policies["shared_tracks"]
    args_in = inputs()
    traj, k_start, by_lag = args_in[0], args_in[5], args_in[6]
    n_nat, n_t = k_start.shape
    D = max(max(b) for b in by_lag)
    valid = np.isfinite(traj.t_s)
    started = (np.arange(traj.m)[None, None, :] >= k_start[..., None]) & valid[None]
    n_steps = int(started.sum()) * (1 + D)  # the recursion, and a re-run window per sample
    work = compiled(world, traj, pol)
    run_compiled(*work)  # loads the compiled kernels (numba's cache) before timing
    cpu = np.inf
    for _ in range(args.repeat):
        c0 = time.process_time()
        run_compiled(*work)
        cpu = min(cpu, time.process_time() - c0)
    rate = n_steps / cpu
    print(
        f"shieldwall compiled filters (flagship, shared_tracks, D = {D}): {n_nat} nations x "
        f"{n_t} threats, {n_steps:,} steps' work in {cpu * 1e3:.1f} ms CPU: {rate:,.0f} steps/s"
    )
    c0 = time.process_time()
    P = batched(*args_in)
    bat_cpu = time.process_time() - c0
    bat_rate = n_steps / bat_cpu
    pic = picture(world, traj, pol, base=work[0])
    ref_pic = track(world, traj, observe(world, traj, pol), pol)  # crossings of the series
    if not np.array_equal(pic.fc_index, ref_pic.fc_index):
        raise SystemExit("the compiled filters and the numpy formulation cross differently")
    print(
        f"baseline 1: the numpy formulation over whole batches (recursion + lagged re-run, "
        f"every sample): {bat_cpu:.2f} s CPU: {bat_rate:,.0f} steps/s; same crossings"
    )
    rng = np.random.default_rng(0)
    pairs = [(int(n), int(t)) for n, t in zip(*np.nonzero(started.any(axis=-1)), strict=True)]
    pick = [pairs[i] for i in rng.choice(len(pairs), min(args.subsample, len(pairs)), False)]
    c0 = time.process_time()
    steps = 0
    worst = 0.0
    for n, t in pick:
        out, s = per_track(*args_in, n, t)
        steps += s
        for k, Pk in enumerate(out):
            if Pk is not None:
                r = P[n][t, k]
                worst = max(worst, float(np.max(np.abs(Pk - r)) / np.max(np.abs(r))))
    base_cpu = time.process_time() - c0
    base_rate = steps / base_cpu
    print(
        f"baseline 2: the same filter one track at a time with numpy 6x6 ops ({len(pick)} "
        f"tracks, {steps:,} steps in {base_cpu:.2f} s CPU): {base_rate:,.0f} steps/s; largest "
        f"difference from baseline 1 {worst:.1e} (relative)"
    )
    if worst > 1e-9:
        raise SystemExit("the two baselines disagree")
    print(f"ratio_vs_per_track_numpy={rate / base_rate:.1f}")
    print(f"ratio_vs_batched_numpy={rate / max(bat_rate, base_rate):.1f}")


if __name__ == "__main__":
    main()
