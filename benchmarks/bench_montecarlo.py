"""Benchmark: the flagship policy comparison, and the Monte Carlo against a per-trial loop.

Runs ``compare`` on ``examples/korea_japan.yaml`` (four preset policies × 10,000 trials, full
pipeline, covariance tracking) and prints its table and wall time. Then, on the same schedules
and the same random numbers, times the plain per-trial, per-object Python implementation of the
same engagement logic (:func:`shieldwall.outcome.reference.resolve_reference`, the way most
simulators are written) on a subsample of trials, checks that it agrees exactly with the
vectorized engine, and prints the per-trial speed ratio as the last line::

    ratio_vs_loop=<x>

Usage: ``uv run python benchmarks/bench_montecarlo.py [--trials N] [--subsample K]``
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
from shieldwall.outcome.reference import resolve_reference

from shieldwall.cli.compare import print_comparison
from shieldwall.outcome.draws import draw
from shieldwall.outcome.engine import resolve
from shieldwall.pipeline import default_track_delay_max_s
from shieldwall.scenario import compile_world, load_scenario
from shieldwall.studies.compare import compare

FLAGSHIP = Path(__file__).resolve().parents[1] / "examples" / "korea_japan.yaml"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=10_000)
    parser.add_argument("--subsample", type=int, default=200)
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args()

    world = compile_world(load_scenario(FLAGSHIP))
    t0 = time.perf_counter()
    comparison = compare(world, trials=args.trials, seed=args.seed)
    t_compare = time.perf_counter() - t0
    print_comparison(comparison, title=f"{world.name} — phase {world.phase}")
    print(f"flagship_compare_s={t_compare:.2f} (4 policies x {args.trials} trials, full pipeline)")

    delay = default_track_delay_max_s(world)
    n_assets = len(world.assets.value)
    t_fast = t_loop = 0.0
    for row in comparison.rows:
        res = row.results
        d = draw(
            comparison.seed, args.trials, res.targets.n_threats, res.schedule.max_shots_per_threat
        )
        best = float("inf")
        for _ in range(3):  # best of 3: the first call also pays for first-touch page faults
            t1 = time.perf_counter()
            fast = resolve(res.schedule, res.targets, d, track_delay_max_s=delay, n_assets=n_assets)
            best = min(best, time.perf_counter() - t1)
        t_fast += best / args.trials
        t2 = time.perf_counter()
        slow = resolve_reference(
            res.schedule,
            res.targets,
            d,
            track_delay_max_s=delay,
            n_assets=n_assets,
            trials=args.subsample,
        )
        t_loop += (time.perf_counter() - t2) / args.subsample
        k = args.subsample
        for name in ("killed", "leaked", "shots", "expended"):
            if not np.array_equal(getattr(fast, name)[:k], getattr(slow, name)):
                raise SystemExit(f"engine and reference disagree on {name} ({row.name})")
        print(f"{row.name:>14}: {res.schedule.n_events} events, engine and loop agree")
    print(f"monte_carlo_vectorized_us_per_trial={1e6 * t_fast:.2f} (all 4 policies)")
    sub = args.subsample
    print(f"monte_carlo_loop_us_per_trial={1e6 * t_loop:.1f} (all 4 policies, {sub} trials)")
    loop_study_s = (
        t_compare
        - sum(r.results.timings_s["outcome"] for r in comparison.rows)
        + t_loop * args.trials
    )
    print(f"whole_study_with_loop_monte_carlo_s={loop_study_s:.1f} (estimated) vs {t_compare:.1f}")
    print(f"ratio_vs_loop={t_loop / t_fast:.1f}")


if __name__ == "__main__":
    main()
