"""Benchmark of the WTA solvers: reference instances and seeded Ahuja-style instances.

Run::

    uv run python benchmarks/bench_wta.py                 # everything (~15 min on 2 cores)
    uv run python benchmarks/bench_wta.py --quick         # 50x100x1 and Ahuja 20..100 only
    uv run python benchmarks/bench_wta.py --plan          # the planner at 1,000 threats only
    uv run python benchmarks/bench_wta.py --plan 36 1000 --baseline 216e916   # another baseline

For each instance it prints both solvers' objective, the exact solver's proven bound and gap, the
times, and the heuristic's gap to the best proven value measured in the same run. Reference
instances are from Andersen, Pavlikov and Toffolo (2022) (tests/reference/shared/wta/, best known
values from their README). Ahuja-style instances follow Ahuja et al. (2007): n weapons with one
unit each, n targets, V_j ~ U[25, 100], p_ij ~ U[0.6, 0.9], seeded. The last line is
``heuristic_gap_pct=<x>``: the mean gap of ``heuristic`` to the proven optimum over the
Ahuja-style instances from 20x20 to 200x200 (instances that ``exact`` could not prove within the
time limit are measured against its lower bound, which overstates the gap, and are flagged).

``--plan [THREATS ...]`` times the planner the pipeline runs, ``plan_policies`` (4 policies,
forbid-and-resolve, channel groups), on ONE raid geometry sample of the flagship with its salvos
scaled by ``raid_scale`` (default 1,000 threats; fight inputs built as the pipeline builds them),
against the baseline: the planner as it was before (``battle/plan.py`` and ``battle/wta/`` of
commit ``BASELINE_COMMIT`` or ``--baseline``, read from git and run in this process on the same
fight inputs, after the new one, each after a warm-up run that loads its numba kernels). It checks
the two plans identical (same assignment arrays, same objective) and prints CPU
(``time.process_time``) and wall time of each and their ratio. Last line: ``plan_<n>_cpu_s=<x>``.
"""

from __future__ import annotations

import argparse
import importlib
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from shieldwall.battle.wta import WTAProblem, ahuja_instance, read_instance, solve
from shieldwall.battle.wta.heuristic import greedy

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "tests" / "reference" / "shared" / "wta"
FLAGSHIP = ROOT / "examples" / "korea_japan.yaml"
#: The planner before the latest planner work (main at a970fc2; ``216e916`` is the one before
#: the scale work): the default baseline of ``--plan``, the strongest planner before this one.
BASELINE_COMMIT = "a970fc2"
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


def _baseline_planner(where: Path, commit: str) -> ModuleType:
    """``battle/plan.py`` and ``battle/wta/`` of ``commit`` as package ``_plan_before`` under
    ``where`` (imports of ``shieldwall.battle.wta`` redirected to it)."""
    pkg = where / "_plan_before"
    (pkg / "wta").mkdir(parents=True)
    listing = subprocess.run(
        ["git", "ls-tree", "--name-only", commit, "src/shieldwall/battle/wta/"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout.split()  # fmt: skip
    for src in [*listing, "src/shieldwall/battle/plan.py"]:
        text = subprocess.run(
            ["git", "show", f"{commit}:{src}"],
            cwd=ROOT, capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
        text = text.replace("shieldwall.battle.wta", "_plan_before.wta")
        rel = src.removeprefix("src/shieldwall/battle/")
        (pkg / rel).write_text(text, encoding="utf-8")
    (pkg / "__init__.py").write_text("", encoding="utf-8")
    sys.path.insert(0, str(where))
    return importlib.import_module("_plan_before.plan")


def _fights(threats: int) -> tuple[dict[str, Any], dict[str, Any], Any, Any]:
    """Fight inputs per policy, policies, channel groups and doctrine of one raid geometry
    sample of the flagship scaled to ``threats``, built as the pipeline builds them."""
    from shieldwall.battle import build_fight_inputs
    from shieldwall.pipeline import prepare, resolve_policy
    from shieldwall.scenario import load_scenario
    from shieldwall.studies.compare import DEFAULT_POLICIES
    from shieldwall.studies.overrides import overridden_world, parse_overrides
    from shieldwall.tracking import picture

    world, _ = overridden_world(
        load_scenario(FLAGSHIP), parse_overrides({"raid_scale": threats / 36})
    )
    prep = prepare(world)
    doc = world.doctrine
    pols = [resolve_policy(world, p) for p in DEFAULT_POLICIES]
    fights = {
        p.name: build_fight_inputs(
            world=world,
            trajectories=prep.trajectories,
            reach=prep.reach,
            policy=p,
            doctrine=doc,
            picture=picture(world, prep.trajectories, p, base=prep.sensing, mode="covariance"),
        )
        for p in pols
    }
    return fights, {p.name: p for p in pols}, prep.channel_groups(doc), doc


def _timed(fn: Any, *args: Any, **kw: Any) -> tuple[Any, float, float]:
    w0, c0 = time.perf_counter(), time.process_time()
    out = fn(*args, **kw)
    return out, time.process_time() - c0, time.perf_counter() - w0


def plan_bench(threats: int, baseline: str = BASELINE_COMMIT) -> float:
    """Time ``plan_policies`` at ``threats`` against the planner of commit ``baseline``; return
    the new one's CPU [s]."""
    from shieldwall.battle import plan_matrix, plan_policies

    fights, policies, groups, doc = _fights(threats)
    n_t = next(iter(fights.values())).n_threats
    kw = {"solver": doc.planner.solver, "objective": doc.planner.objective}
    with tempfile.TemporaryDirectory() as tmp:
        before = _baseline_planner(Path(tmp), baseline)
        from scipy.optimize import linear_sum_assignment  # noqa: F401  (import cost outside)

        plan_policies(fights, policies, groups, **kw)  # warm-up: numba kernels loaded
        new, new_cpu, new_wall = _timed(plan_policies, fights, policies, groups, **kw)
        before.plan_policies(fights, policies, groups, **kw)  # warm-up: its kernels loaded
        old, old_cpu, old_wall = _timed(before.plan_policies, fights, policies, groups, **kw)
    same = all(
        np.array_equal(plan_matrix(new[p]), plan_matrix(old[p]))
        and new[p].plan_objective == old[p].plan_objective
        for p in fights
    )
    print(
        f"plan_policies, {n_t} threats, {len(fights)} policies, one raid sample"
        f" ({kw['solver']}, {kw['objective']}):\n"
        f"  now       {new_cpu:7.2f} s CPU {new_wall:7.2f} s wall\n"
        f"  baseline  {old_cpu:7.2f} s CPU {old_wall:7.2f} s wall  (planner of {baseline})\n"
        f"  ratio     {old_cpu / new_cpu:7.2f} x CPU {old_wall / new_wall:7.2f} x wall"
        f"  plans identical: {same}",
        flush=True,
    )
    if not same:
        raise SystemExit("the plans differ from the baseline's")
    return new_cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a small subset (a few minutes)")
    parser.add_argument("--time-limit", type=float, default=240.0, help="exact solver limit [s]")
    parser.add_argument(
        "--plan", type=int, nargs="*", metavar="THREATS",
        help="only the planner at these raid sizes (default 1000) against the baseline",
    )  # fmt: skip
    parser.add_argument(
        "--baseline", default=BASELINE_COMMIT, metavar="COMMIT",
        help=f"the planner --plan compares with (default {BASELINE_COMMIT})",
    )  # fmt: skip
    args = parser.parse_args()
    if args.plan is not None:
        for n in args.plan or [1000]:
            cpu = plan_bench(n, args.baseline)
        print(f"plan_{n}_cpu_s={cpu:.2f}")
        return
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
