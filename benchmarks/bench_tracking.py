"""The covariance recursion the pipeline runs, against a plain per-track numpy filter.

What is timed is the code path of ``shieldwall.tracking.track`` (covariance mode, centralized
fusion) on the flagship's own inputs: the policy ``shared_tracks`` (Korea, Japan and the US fuse
each other's radars with the scenario's 10 s links), its transitions, process noise and
measurement information from the policy-independent base, then
``covariance.recursion`` (every nation's undelayed filter, all threats at once) and
``covariance.lagged_rerun`` (each nation's picture with late data: a fixed-lag re-run).

Baseline, in the same process, on a subsample of the same tracks: the same two steps written
the straightforward way, one track at a time with numpy on its 6x6 matrices (``F P Fᵀ + Q``,
the information-form update with a 3x3 ``np.linalg.inv``, and the re-run of the last ``D``
steps for every sample) — the strongest plain implementation: it makes no per-element Python
arithmetic, only one numpy call per matrix operation. Both sides give the same covariances
(checked, 1e-9 relative). Rates are covariance steps of the straightforward algorithm per
second (one step = predict + update of one track at one sample; ``1 + D`` per sample with the
re-run; ours skips the re-run where no late data was taken, which is part of its speed), by CPU
time of this process; the last line is ``ratio_vs_per_track_numpy=<x>``. Stone Soup's EKF, the
external reference of the tests (``tests/tracking/test_ekf_oracle.py``), is slower still than
the per-track numpy filter (issue #10: ~2k against ~49k updates/s), so it is not the baseline.

    uv run python benchmarks/bench_tracking.py [--subsample 6]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from shieldwall.flight import fly_raid
from shieldwall.scenario import compile_world, load_scenario
from shieldwall.sensing import observe, sensor_geometry
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
    base = tracking_geometry(world, traj, geo.visible, model)
    own = nation_information(world, traj, vis, model, base.radar_info)
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


def ours(traj, model, F, Q, info, k_start, by_lag):  # type: ignore[no-untyped-def]
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
    args = ap.parse_args()
    args_in = inputs()
    traj, k_start, by_lag = args_in[0], args_in[5], args_in[6]
    n_nat, n_t = k_start.shape
    c0 = time.process_time()
    w0 = time.perf_counter()
    P = ours(*args_in)
    cpu, wall = time.process_time() - c0, time.perf_counter() - w0
    D = max(max(b) for b in by_lag)
    valid = np.isfinite(traj.t_s)
    started = (np.arange(traj.m)[None, None, :] >= k_start[..., None]) & valid[None]
    n_steps = int(started.sum()) * (1 + D)  # the recursion, and a re-run window per sample
    rate = n_steps / cpu
    print(
        f"shieldwall covariance recursion + lagged re-run (flagship, shared_tracks, D = {D}): "
        f"{n_nat} nations x {n_t} threats, {n_steps:,} steps' work in {cpu:.2f} s CPU "
        f"({wall:.2f} s wall): {rate:,.0f} steps/s"
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
                ref = P[n][t, k]
                worst = max(worst, float(np.max(np.abs(Pk - ref)) / np.max(np.abs(ref))))
    base_cpu = time.process_time() - c0
    base_rate = steps / base_cpu
    print(
        f"baseline: the same filter one track at a time with numpy 6x6 ops ({len(pick)} tracks, "
        f"{steps:,} steps in {base_cpu:.2f} s CPU): {base_rate:,.0f} steps/s; "
        f"largest difference {worst:.1e} (relative)"
    )
    if worst > 1e-9:
        raise SystemExit("the baseline and the pipeline's recursion disagree")
    print(f"ratio_vs_per_track_numpy={rate / base_rate:.1f}")


if __name__ == "__main__":
    main()
