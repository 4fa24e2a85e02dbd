"""Benchmark: a 16-case sweep on the flagship, serial vs the process pool vs Dask.

The sweep is what ``shieldwall sweep examples/korea_japan.yaml --set pk_scale=... --set
latency_s=...`` runs: a 4 x 4 grid of ``pk_scale`` (re-flies nothing but re-prepares the
reach of the changed interceptors) and ``latency_s`` (a policy lever: reuses every stage), each
point fought for ``--trials`` trials on common random numbers (``run_study``, the engine the
study commands call). It runs

1. serially in this process (the baseline: the same engine without an executor's overhead);
2. on the local process pool with ``--workers`` workers;
3. on a Dask LocalCluster with ``--workers`` workers,

and checks that 2 and 3 give per-trial metrics bit-identical to 1. Wall and CPU time are
printed for each (CPU = this process plus its finished children: on a shared machine the wall
time of the parallel runs depends on what else runs). One-off costs (imports, kernel
compilation) are paid by an untimed warm-up; every timed run starts with empty stage caches,
so forked pool workers do not inherit what the serial run prepared. The last line is serial
wall over pool wall::

    parallel_speedup=<x>

Usage: ``uv run python benchmarks/bench_studies.py [--trials N] [--workers W] [--policies ...]
[--no-dask]``
"""

from __future__ import annotations

import argparse
import resource
import time
from pathlib import Path

import numpy as np

from shieldwall.scenario import compile_world, load_scenario
from shieldwall.studies import engine
from shieldwall.studies.engine import StudyRun, TrialMetrics, run_study
from shieldwall.studies.sweep import sweep_cases, sweep_points

FLAGSHIP = Path(__file__).resolve().parents[1] / "examples" / "korea_japan.yaml"


def _cpu() -> float:
    own = time.process_time()
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own + kids.ru_utime + kids.ru_stime


def _same(a: StudyRun, b: StudyRun) -> bool:
    if a.metrics.keys() != b.metrics.keys():
        return False
    return all(
        np.array_equal(getattr(m, f), getattr(b.metrics[k], f))
        for k, m in a.metrics.items()
        for f in TrialMetrics.__dataclass_fields__
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--trials", type=int, default=10_000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--policies", default="national,integrated")
    ap.add_argument("--no-dask", action="store_true", help="skip the Dask run")
    args = ap.parse_args()

    scenario = load_scenario(FLAGSHIP)
    world = compile_world(scenario)
    points = sweep_points(
        {"pk_scale": [0.7, 0.8, 0.9, 1.0], "latency_s": [0.0, 10.0, 30.0, 60.0]}, {}
    )
    policies = args.policies.split(",")
    cases = sweep_cases(scenario, points, policies, world=world)
    print(f"{len(cases)} cases x {len(policies)} policies x {args.trials:,} trials, flagship")

    # pay one-off costs (imports, kernel compilation) before timing, then start every run with
    # empty stage caches: forked pool workers would otherwise inherit what serial prepared
    run_study(cases[:1], 1, args.seed, executor="serial")
    runs: dict[str, StudyRun] = {}
    times: dict[str, tuple[float, float]] = {}
    which = ["serial", "pool"] + ([] if args.no_dask else ["dask"])
    for ex in which:
        for cache in (engine._FLIGHT, engine._SENSING, engine._REACH):
            cache.clear()
        c0, w0 = _cpu(), time.perf_counter()
        runs[ex] = run_study(cases, args.trials, args.seed, executor=ex, workers=args.workers)
        times[ex] = (time.perf_counter() - w0, _cpu() - c0)
        wall, cpu = times[ex]
        print(f"{ex:>6} ({runs[ex].executor}): wall {wall:7.1f} s, cpu {cpu:7.1f} s")
    for ex in which[1:]:
        same = _same(runs["serial"], runs[ex])
        print(f"{ex} bit-identical to serial: {same}")
        if not same:
            raise SystemExit(f"{ex} differs from serial: no ratio")
    speed = times["serial"][0] / times["pool"][0]
    print(f"pool cpu / serial cpu = {times['pool'][1] / times['serial'][1]:.2f}")
    print(f"parallel_speedup={speed:.2f}")


if __name__ == "__main__":
    main()
