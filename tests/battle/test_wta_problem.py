"""WTAProblem validation, the solve API contract, side constraints and monotonicity."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shieldwall.battle.wta import SOLVERS, WTAError, WTAProblem, read_instance, solve, solve_many
from shieldwall.battle.wta.starts import repair
from shieldwall.errors import ShieldwallError

#: Objectives are short float64 sums; round-off stays far below this.
ROUNDOFF = 1e-12


def small(seed: int, n_w: int = 6, n_t: int = 8, **kwargs: object) -> WTAProblem:
    rng = np.random.default_rng(seed)
    pk = rng.uniform(0.3, 0.9, (n_w, n_t))
    pk[rng.random((n_w, n_t)) < 0.3] = 0.0
    return WTAProblem(
        values=rng.uniform(1.0, 10.0, n_t),
        pk=pk,
        inventory=rng.integers(1, 4, n_w),
        **kwargs,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"values": [1.0, 2.0], "pk": [[0.5, 0.5, 0.5]], "inventory": [1]}, "pk"),
        ({"values": [1.0], "pk": [[1.0]], "inventory": [1]}, "pk"),
        ({"values": [1.0], "pk": [[-0.1]], "inventory": [1]}, "pk"),
        ({"values": [np.nan], "pk": [[0.5]], "inventory": [1]}, "values"),
        ({"values": [-1.0], "pk": [[0.5]], "inventory": [1]}, "values"),
        ({"values": [1.0], "pk": [[0.5]], "inventory": [1.5]}, "inventory"),
        ({"values": [1.0], "pk": [[0.5]], "inventory": [-1]}, "inventory"),
        ({"values": [1.0], "pk": [[0.5]], "inventory": [1, 2]}, "inventory"),
        ({"values": [1.0], "pk": [[0.5]], "inventory": [1], "channels": [[1]]}, "channels"),
        ({"values": [1.0], "pk": [[0.5]], "inventory": [1], "max_shots": [1]}, "max_shots"),
        ({"values": [1.0], "pk": [[0.5]], "inventory": [1], "target_asset": [0]}, "target_asset"),
        (
            {
                "values": [1.0],
                "pk": [[0.5]],
                "inventory": [1],
                "target_asset": [1],
                "asset_values": [3.0],
            },
            "target_asset",
        ),
        ({"values": "abc", "pk": [[0.5]], "inventory": [1]}, "values"),
    ],
)
def test_invalid_problem_names_the_field(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(WTAError) as info:
        WTAProblem(**kwargs)  # type: ignore[arg-type]
    assert isinstance(info.value, ShieldwallError)
    assert info.value.problems[0].path == field
    assert field in str(info.value)


def test_unknown_solver_lists_the_valid_ones() -> None:
    with pytest.raises(WTAError, match="heuristic, exact"):
        solve(small(0), solver="cplex")
    assert SOLVERS == ("heuristic", "exact")


@pytest.mark.parametrize("bad", [0.0, -1.0])
def test_time_limit_must_be_positive(bad: float) -> None:
    with pytest.raises(WTAError, match="time_limit_s"):
        solve(small(0), solver="exact", time_limit_s=bad)


def test_infeasible_warm_start_is_refused() -> None:
    problem = small(1)
    with pytest.raises(WTAError, match="warm_start"):
        solve(problem, warm_start=np.full(problem.pk.shape, 5))


@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("assets", [False, True])
def test_warm_start_is_never_made_worse(solver: str, assets: bool) -> None:
    kwargs = {"target_asset": np.arange(8) % 3, "asset_values": [5.0, 1.0, 9.0]} if assets else {}
    problem = small(2, **kwargs)
    rng = np.random.default_rng(0)
    random_start = repair(problem, rng.integers(0, 3, problem.pk.shape))
    for start in (solve(problem, solver="exact").x, random_start):
        assert problem.violations(start) == []
        sol = solve(problem, solver=solver, warm_start=start)
        assert sol.objective <= float(problem.loss(start)) + ROUNDOFF


def test_side_constraints_are_respected() -> None:
    problem = small(
        3,
        n_w=5,
        n_t=10,
        max_shots=np.ones((5, 10), dtype=np.int64),
        max_shots_per_target=np.full(10, 2),
        channels=np.full(5, 1),
    )
    for solver in SOLVERS:
        sol = solve(problem, solver=solver)
        assert problem.violations(sol.x) == []
        assert np.all(sol.x[problem.pk == 0] == 0)
        assert np.all((sol.x > 0).sum(axis=1) <= 1)


def test_solve_many_matches_solve() -> None:
    problems = [small(seed) for seed in range(5)]
    many = solve_many(problems)
    for problem, sol in zip(problems, many, strict=True):
        np.testing.assert_array_equal(sol.x, solve(problem).x)


def test_nothing_can_engage() -> None:
    problem = WTAProblem(values=[4.0, 5.0], pk=np.zeros((2, 2)), inventory=[3, 3])
    for solver in SOLVERS:
        sol = solve(problem, solver=solver)
        assert sol.objective == 9.0
        assert sol.x.sum() == 0


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), weapon=st.integers(0, 3))
def test_more_inventory_never_raises_the_optimum(seed: int, weapon: int) -> None:
    base = small(seed, n_w=4, n_t=5)
    more_inv = base.inventory.copy()
    more_inv[weapon] += 1
    more = WTAProblem(values=base.values, pk=base.pk, inventory=more_inv)
    a = solve(base, solver="exact")
    b = solve(more, solver="exact")
    assert b.objective <= a.objective * (1 + 1e-7) + ROUNDOFF


def _write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("", 1),
        ("2 x 1\n", 1),
        ("1 2 1\n5\n6\n0 0 0.5\n", 4),
        ("1 1 1\n5\n0 3 0.5\n", 3),
        ("1 1 1\nfive\n0 0 0.5\n", 2),
        ("1 1 1\n5\n0 0 1.5\n", 3),
        ("1 2 1\n5\n6\n0 0 0.5\n0 0 0.5\n", 5),
    ],
)
def test_reader_reports_file_and_line(tmp_path: Path, text: str, line: int) -> None:
    path = _write(tmp_path / "bad.txt", text)
    with pytest.raises(WTAError) as info:
        read_instance(path)
    problem = info.value.problems[0]
    assert problem.file == str(path)
    assert problem.line == line


def test_reader_accepts_real_values(tmp_path: Path) -> None:
    path = _write(tmp_path / "ok.txt", "2 2 3\n1.5\n2.25\n0 0 0.5\n0 1 0.25\n1 0 0.0\n1 1 0.75\n")
    problem = read_instance(path)
    np.testing.assert_array_equal(problem.values, [1.5, 2.25])
    np.testing.assert_array_equal(problem.inventory, [3, 3])
    assert problem.pk[1, 1] == 0.75
