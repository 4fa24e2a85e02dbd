"""WTA solvers against brute-force enumeration on tiny instances; the objectives' definitions."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shieldwall.battle.wta import WTAProblem, solve
from shieldwall.battle.wta.heuristic import greedy

#: The exact solver stops at a relative gap of 1e-7 (DEFAULT_GAP); its objective may exceed the
#: enumerated optimum by at most that, plus float64 round-off of sums of ~10 terms.
EXACT_REL_TOL = 1e-7 + 1e-12
#: Objectives are sums of at most a few dozen products; float64 round-off stays far below this.
ROUNDOFF = 1e-12


def enumerate_all(problem: WTAProblem) -> tuple[np.ndarray, np.ndarray]:
    """Every feasible assignment (k, n_w, n_t) and its objective, by plain enumeration."""
    upper = problem.upper
    ranges = [range(int(u) + 1) for u in upper.ravel()]
    xs = np.array(list(itertools.product(*ranges)), dtype=np.int64).reshape(-1, *upper.shape)
    ok = np.all(xs.sum(axis=2) <= problem.inventory, axis=1)
    ok &= np.all(xs.sum(axis=1) <= problem.target_cap, axis=1)
    ok &= np.all((xs > 0).sum(axis=2) <= problem.channel_cap, axis=1)
    xs = xs[ok]
    return xs, problem.loss(xs)


def leak_enumeration_loss(problem: WTAProblem, x: np.ndarray) -> float:
    """Asset-based loss by enumerating every leak outcome of every threat (the definition)."""
    assert problem.asset_values is not None
    assert problem.target_asset is not None
    leak = np.prod((1.0 - problem.pk) ** x, axis=0)
    loss = 0.0
    for outcome in itertools.product((False, True), repeat=problem.n_targets):
        leaked = np.array(outcome)
        prob = np.prod(np.where(leaked, leak, 1.0 - leak))
        lost_assets = np.unique(problem.target_asset[leaked])
        loss += prob * problem.asset_values[lost_assets].sum()
    return float(loss)


@st.composite
def tiny_problems(draw: st.DrawFn, assets: bool = False) -> WTAProblem:
    n_w = draw(st.integers(1, 3))
    n_t = draw(st.integers(1, 3))
    floats = st.floats(0.0, 0.95)
    pk = np.array(draw(st.lists(floats, min_size=n_w * n_t, max_size=n_w * n_t))).reshape(n_w, n_t)
    pk[pk < 0.05] = 0.0  # some infeasible pairs
    values = np.array(draw(st.lists(st.floats(0.0, 100.0), min_size=n_t, max_size=n_t)))
    inventory = np.array(draw(st.lists(st.integers(0, 3), min_size=n_w, max_size=n_w)))
    kwargs: dict[str, object] = {}
    if draw(st.booleans()):
        kwargs["max_shots"] = np.array(
            draw(st.lists(st.integers(0, 2), min_size=n_w * n_t, max_size=n_w * n_t))
        ).reshape(n_w, n_t)
    if draw(st.booleans()):
        kwargs["max_shots_per_target"] = np.array(
            draw(st.lists(st.integers(0, 3), min_size=n_t, max_size=n_t))
        )
    if draw(st.booleans()):
        kwargs["channels"] = np.array(draw(st.lists(st.integers(0, 2), min_size=n_w, max_size=n_w)))
    if assets:
        n_a = draw(st.integers(1, n_t))
        target_asset = np.array(draw(st.lists(st.integers(0, n_a - 1), min_size=n_t, max_size=n_t)))
        asset_values = np.array(draw(st.lists(st.floats(0.0, 100.0), min_size=n_a, max_size=n_a)))
        kwargs["target_asset"] = target_asset
        kwargs["asset_values"] = asset_values
        values = asset_values[target_asset]
    return WTAProblem(values=values, pk=pk, inventory=inventory, **kwargs)  # type: ignore[arg-type]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problem=tiny_problems())
def test_exact_matches_enumeration(problem: WTAProblem) -> None:
    _, losses = enumerate_all(problem)
    best = float(losses.min())
    sol = solve(problem, solver="exact")
    assert not problem.violations(sol.x)
    assert sol.status == "optimal"
    assert sol.objective <= best * (1 + EXACT_REL_TOL) + ROUNDOFF
    assert sol.bound <= best * (1 + ROUNDOFF) + ROUNDOFF
    assert sol.objective == pytest.approx(float(problem.loss(sol.x)), rel=ROUNDOFF, abs=ROUNDOFF)


@settings(max_examples=80, deadline=None)
@given(problem=tiny_problems())
def test_heuristic_feasible_and_no_worse_than_greedy(problem: WTAProblem) -> None:
    _, losses = enumerate_all(problem)
    sol = solve(problem)
    assert not problem.violations(sol.x)
    assert sol.objective >= float(losses.min()) * (1 - ROUNDOFF) - ROUNDOFF
    assert sol.objective <= float(problem.loss(greedy(problem))) * (1 + ROUNDOFF) + ROUNDOFF
    assert np.isnan(sol.bound)
    assert np.isnan(sol.gap)


@settings(max_examples=40, deadline=None)
@given(problem=tiny_problems(assets=True))
def test_asset_objective_is_the_leak_definition(problem: WTAProblem) -> None:
    sol = solve(problem)
    assert not problem.violations(sol.x)
    expected = leak_enumeration_loss(problem, sol.x)
    assert sol.objective == pytest.approx(expected, rel=1e-9, abs=1e-9)


@settings(max_examples=40, deadline=None)
@given(problem=tiny_problems(assets=True))
def test_asset_polish_never_worse_than_surrogate(problem: WTAProblem) -> None:
    xs, losses = enumerate_all(problem)
    surrogate = problem.surrogate_loss(xs)
    near_optimal = surrogate <= surrogate.min() * (1 + EXACT_REL_TOL) + ROUNDOFF
    worst_surrogate_optimum = float(losses[near_optimal].max())
    for solver in ("heuristic", "exact"):
        sol = solve(problem, solver=solver)
        assert not problem.violations(sol.x)
        assert sol.objective >= float(losses.min()) * (1 - ROUNDOFF) - ROUNDOFF
        if solver == "exact":
            assert sol.objective <= worst_surrogate_optimum * (1 + ROUNDOFF) + ROUNDOFF


def test_asset_based_prefers_covering_every_threat_of_an_asset() -> None:
    # One asset attacked by two threats, one weapon with two rounds: the surrogate and the asset
    # objective agree on one round each (an unengaged threat destroys the asset for sure).
    problem = WTAProblem(
        values=[10.0, 10.0],
        pk=[[0.8, 0.6]],
        inventory=[2],
        target_asset=[0, 0],
        asset_values=[10.0],
    )
    sol = solve(problem)
    np.testing.assert_array_equal(sol.x, [[1, 1]])
    assert sol.objective == pytest.approx(10.0 * (1 - 0.8 * 0.6))
