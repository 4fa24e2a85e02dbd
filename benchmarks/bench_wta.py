"""Benchmark of the WTA solvers: reference instances and seeded Ahuja-style instances.

Run::

    uv run python benchmarks/bench_wta.py                 # everything (~15 min on 2 cores)
    uv run python benchmarks/bench_wta.py --quick         # 50x100x1 and Ahuja 20..100 only

For each instance it prints both solvers' objective, the exact solver's proven bound and gap, the
times, and the heuristic's gap to the best proven value measured in the same run. Reference
instances are from Andersen, Pavlikov and Toffolo (2022) (tests/reference/shared/wta/, best known
values from their README). Ahuja-style instances follow Ahuja et al. (2007): n weapons with one
unit each, n targets, V_j ~ U[25, 100], p_ij ~ U[0.6, 0.9], seeded. The last line is
``heuristic_gap_pct=<x>``: the mean gap of ``heuristic`` to the proven optimum over the
Ahuja-style instances from 20x20 to 200x200 (instances that ``exact`` could not prove within the
time limit are measured against its lower bound, which overstates the gap, and are flagged).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from shieldwall.battle.wta import WTAProblem, ahuja_instance, read_instance, solve
from shieldwall.battle.wta.heuristic import greedy

REFERENCE = Path(__file__).parents[1] / "tests" / "reference" / "shared" / "wta"
#: Best known values (README of the reference set; all optimal but 100x200x3).
BEST_KNOWN = {
    "50x100x1": 1734.302278,
    "50x100x2": 123.838458,
    "50x100x3": 20.590016,
    "100x200x1": 2862.302805,
    "100x200x2": 116.057435,
    "100x200x3": 14.579133,
}
AHUJA_SIZES = (20, 40, 60, 80, 100, 200)
AHUJA_SEEDS = (0, 1, 2)


def run(name: str, problem: WTAProblem, time_limit_s: float, best_known: float | None) -> float:
    """Solve with both solvers, print one line, return the heuristic's gap to the best bound [%]."""
    heur = solve(problem, solver="heuristic")
    exact = solve(problem, solver="exact", time_limit_s=time_limit_s)
    reference = exact.objective if exact.status == "optimal" else exact.bound
    heur_gap = 100.0 * (heur.objective - reference) / reference
    # Baseline measured in the same run: plain maximum-marginal-return greedy, no local search.
    greedy_gap = 100.0 * (float(problem.loss(greedy(problem))) - reference) / reference
    known = ""
    if best_known is not None:
        known = f"  exact_vs_best_known={(exact.objective - best_known) / best_known:+.2e}"
    flag = "" if exact.status == "optimal" else "  (not proven: gap to bound)"
    print(
        f"{name:>14}  heuristic={heur.objective:.6f} ({heur.time_s:6.3f} s, gap {heur_gap:.4f} %,"
        f" greedy {greedy_gap:.2f} %)"
        f"  exact={exact.objective:.6f} bound={exact.bound:.6f} gap={exact.gap:.2e}"
        f" {exact.status} ({exact.time_s:6.1f} s){known}{flag}",
        flush=True,
    )
    return heur_gap


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a small subset (a few minutes)")
    parser.add_argument("--time-limit", type=float, default=240.0, help="exact solver limit [s]")
    args = parser.parse_args()
    names = ["50x100x1"] if args.quick else list(BEST_KNOWN)
    sizes = tuple(n for n in AHUJA_SIZES if n <= 100) if args.quick else AHUJA_SIZES
    t0 = time.perf_counter()
    print("# reference instances (Andersen, Pavlikov and Toffolo, 2022)")
    for name in names:
        run(name, read_instance(REFERENCE / f"wta_{name}.txt"), args.time_limit, BEST_KNOWN[name])
    print("# Ahuja-style instances (V ~ U[25,100], p ~ U[0.6,0.9], one unit per weapon)")
    gaps = [
        run(f"ahuja {n}x{n} s{seed}", ahuja_instance(n, seed), args.time_limit, None)
        for n in sizes
        for seed in AHUJA_SEEDS
    ]
    print(f"# total {time.perf_counter() - t0:.0f} s")
    print(f"heuristic_gap_pct={float(np.mean(gaps)):.4f}")


if __name__ == "__main__":
    main()
