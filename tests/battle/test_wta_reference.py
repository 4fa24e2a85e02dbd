"""WTA solvers against published optima (Andersen, Pavlikov and Toffolo, 2022) and seeded
Ahuja et al. (2007) style instances."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from shieldwall.battle.wta import ahuja_instance, read_instance, solve

REFERENCE = Path(__file__).parents[1] / "reference" / "shared" / "wta"

#: Best known values from the reference README (CPLEX branch-and-adjust, proven optimal), printed
#: with 10 significant digits; the issue asks for agreement to 1e-6 relative.
BEST_KNOWN = {
    "50x100x1": 1734.302278,
    "50x100x2": 123.838458,
    "50x100x3": 20.590016,
}
BEST_KNOWN_REL = 1e-6
#: Issue #5: the heuristic stays within 5 % of the optimum on the multi-unit Andersen instances.
HEURISTIC_MULTI_UNIT_REL = 0.05
#: Issue #5: within 0.5 % on average on Ahuja-style instances.
HEURISTIC_AHUJA_MEAN_REL = 0.005
#: The exact solver's default stopping gap (DEFAULT_GAP) plus float64 round-off.
EXACT_GAP = 1e-7 + 1e-12


#: ``0 0 0.409311426086``, the first kill probability line of wta_50x100x2.txt.
FIRST_PK = 0.409311426086


def test_reader_gives_the_documented_shapes() -> None:
    problem = read_instance(REFERENCE / "wta_50x100x2.txt")
    assert problem.pk.shape == (50, 100)
    np.testing.assert_array_equal(problem.inventory, np.full(50, 2))
    assert problem.values[:4].tolist() == [13.0, 60.0, 71.0, 93.0]  # lines 2-5 of the file
    assert problem.pk[0, 0] == FIRST_PK  # line 102


@pytest.mark.slow
def test_exact_reproduces_published_optimum_50x100x1() -> None:
    problem = read_instance(REFERENCE / "wta_50x100x1.txt")
    sol = solve(problem, solver="exact", time_limit_s=120.0)
    best = BEST_KNOWN["50x100x1"]
    assert sol.status == "optimal"
    assert sol.objective == pytest.approx(best, rel=BEST_KNOWN_REL)
    assert sol.bound <= best * (1 + BEST_KNOWN_REL)
    assert sol.gap <= EXACT_GAP
    assert not problem.violations(sol.x)


@pytest.mark.parametrize("name", ["50x100x1", "50x100x2", "50x100x3"])
def test_heuristic_close_to_published_optimum(name: str) -> None:
    problem = read_instance(REFERENCE / f"wta_{name}.txt")
    sol = solve(problem)
    best = BEST_KNOWN[name]
    assert not problem.violations(sol.x)
    assert sol.objective >= best * (1 - BEST_KNOWN_REL)  # never better than a proven optimum
    assert sol.objective <= best * (1 + HEURISTIC_MULTI_UNIT_REL)


def test_ahuja_style_exact_proves_and_heuristic_is_close() -> None:
    gaps = []
    for n, seed in [(20, 0), (20, 1), (20, 2), (30, 0), (40, 0)]:
        problem = ahuja_instance(n, seed)
        exact = solve(problem, solver="exact", time_limit_s=60.0)
        heur = solve(problem)
        assert exact.status == "optimal"
        assert exact.gap <= EXACT_GAP
        assert exact.bound <= exact.objective
        assert heur.objective >= exact.bound * (1 - 1e-12)
        gaps.append((heur.objective - exact.objective) / exact.objective)
    assert float(np.mean(gaps)) <= HEURISTIC_AHUJA_MEAN_REL
