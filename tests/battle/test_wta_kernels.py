"""The WTA local search's compiled kernels equal their numpy references bit for bit, and the
planner's caches (StartCache, PlanMemo) leave solutions and plans unchanged."""

from __future__ import annotations

import sys

import numpy as np
import pytest

import shieldwall.battle.wta.polish  # noqa: F401  (the module, for polish_module)
from shieldwall.battle import ChannelGroups, plan_fight, plan_matrix, plan_policies
from shieldwall.battle.wta import WTAProblem, solve
from shieldwall.battle.wta.exchange import (
    _best_adds,
    _into_costs,
    _into_costs_numpy,
    _relax,
    _relax_numpy,
)
from shieldwall.battle.wta.heuristic import (
    _best_swap,
    _best_swap_numpy,
    _top_moves,
    _top_moves_numpy,
    greedy,
)
from shieldwall.battle.wta.polish import _Moves
from shieldwall.battle.wta.solve import StartCache
from shieldwall.battle.wta.starts import (
    AssignmentPrefixes,
    _assign_rounds,
    _assign_rounds_scipy,
    assignment_start,
    repair,
)
from tests.outcome.handmade import Battery, Case, Kind, Row, Threat

_solve_module = sys.modules["shieldwall.battle.wta.solve"]
polish_module = sys.modules["shieldwall.battle.wta.polish"]


def _tied_problem(seed: int, channels: bool) -> WTAProblem:
    """Few distinct values and kill probabilities: many exact ties, as in scaled raids."""
    rng = np.random.default_rng(seed)
    n_w, n_t = 6, 40
    pk = rng.choice([0.0, 0.5, 0.7, 0.8], size=(n_w, n_t))
    return WTAProblem(
        values=rng.choice([1.0, 2.0, 5.0], size=n_t),
        pk=pk,
        inventory=rng.integers(3, 12, n_w),
        max_shots=np.full((n_w, n_t), 2),
        max_shots_per_target=np.full(n_t, 3),
        channels=rng.integers(2, 8, n_w) if channels else None,
    )


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("channels", [False, True])
def test_best_swap_kernel_equals_the_numpy_reference(seed: int, channels: bool) -> None:
    problem = _tied_problem(seed, channels)
    x = greedy(problem)
    rng = np.random.default_rng(seed + 100)
    for _ in range(5):  # also perturbed (non-greedy) assignments
        y = x.copy()
        y[rng.integers(0, y.shape[0]), :] = 0
        ii, jj = np.nonzero(y)
        surv = problem.values * np.exp(-(problem.kill_log * y).sum(axis=0))
        args = (
            ii, jj, y, problem.upper, 1.0 - problem.pk, surv, (y > 0).sum(axis=1),
            problem.channel_cap, channels,
        )  # fmt: skip
        fast, ref = _best_swap(*args), _best_swap_numpy(*args)
        assert fast[:2] == ref[:2]
        assert fast[2] == ref[2] or (np.isneginf(fast[2]) and np.isneginf(ref[2]))


@pytest.mark.parametrize("seed", range(4))
def test_relax_kernel_equals_the_numpy_reference(seed: int) -> None:
    rng = np.random.default_rng(seed)
    m = 30
    cost = rng.choice([np.inf, -1.0, 0.0, 0.5, 2.0], size=(m, m))
    cost[:, 3] = np.inf  # a node no arc enters: argmin of all-inf is row 0
    dist = rng.choice([0.0, -0.5, -1.0], size=m)
    src, new = _relax(dist, cost)
    src_ref, new_ref = _relax_numpy(dist, cost)
    np.testing.assert_array_equal(src, src_ref)
    np.testing.assert_array_equal(new, new_ref)


def test_start_cache_gives_the_same_solution_and_skips_the_searches(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    problem = _tied_problem(3, channels=False)
    cache = StartCache()
    plain = solve(problem)
    first = solve(problem, cache=cache)
    calls = []
    real = _solve_module.assignment_start
    monkeypatch.setattr(
        _solve_module, "assignment_start", lambda p, r, *a: calls.append(r) or real(p, r, *a)
    )
    again = solve(problem, cache=cache, warm_start=plain.x)
    assert calls == []  # served from the cache
    np.testing.assert_array_equal(first.x, plain.x)
    np.testing.assert_array_equal(again.x, solve(problem, warm_start=plain.x).x)
    other = WTAProblem(values=problem.values * 2, pk=problem.pk, inventory=problem.inventory)
    solve(other, cache=cache)
    assert calls  # a different problem is not a hit


def test_plan_policies_with_its_memo_equals_planning_each_policy_alone() -> None:
    # One battery, two channels over four threats in one group; equal pairs for two policies.
    threats = [Threat(value=v) for v in (4.0, 3.0, 3.0, 1.0)]
    case = Case(
        threats=threats,
        batteries=[Battery(inventory=5, channels=2)],
        rows=[Row.window(0, i, 100.0, 3) for i in range(4)],
        kinds=[Kind(pk=0.6)],
    )
    fi = case.inputs()
    groups = ChannelGroups(
        battery_idx=np.array([0]), cap=np.array([2]), start=np.array([0, 4]),
        members=np.arange(4),
    )  # fmt: skip
    lever = {"share": np.full((1, 1), 3), "ifc": np.zeros(1, bool), "latency_s": np.zeros((1, 1))}
    from types import SimpleNamespace

    pol = SimpleNamespace(defends=np.ones((1, 1), bool), **lever)
    fights, policies = {"a": fi, "b": fi}, {"a": pol, "b": pol}
    together = plan_policies(fights, policies, groups, solver="heuristic", objective="asset_value")
    alone_a = plan_fight(fi, groups, solver="heuristic", objective="asset_value")
    alone_b = plan_fight(
        fi, groups, solver="heuristic", objective="asset_value", warm_start=plan_matrix(alone_a)
    )
    np.testing.assert_array_equal(plan_matrix(together["a"]), plan_matrix(alone_a))
    np.testing.assert_array_equal(plan_matrix(together["b"]), plan_matrix(alone_b))
    assert together["b"].plan_objective == alone_b.plan_objective
    assert (plan_matrix(together["b"])[0] > 0).sum() <= 2


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("channels", [False, True])
def test_exchange_cost_kernel_and_best_adds_equal_the_numpy_references(
    seed: int, channels: bool
) -> None:
    problem = _tied_problem(seed, channels)
    x = greedy(problem)
    x[0] = 0  # leave spare rounds
    surv = problem.values * np.exp(-(problem.kill_log * x).sum(axis=0))
    nchan = (x > 0).sum(axis=1)
    aw, at = np.nonzero(x)
    spare = np.nonzero(x.sum(axis=1) < problem.inventory)[0]
    w = np.concatenate([aw, spare])
    t_e = np.concatenate([at, np.full(spare.size, -1)])
    m = w.size + 1
    fast, ref = np.full((m, m), np.inf), np.full((m, m), np.inf)
    _into_costs(problem, x, surv, nchan, w, aw, at, t_e, fast)
    _into_costs_numpy(problem, x, surv, nchan, w, aw, at, t_e, ref)
    np.testing.assert_array_equal(fast, ref)
    # best adds: the argmax of each node's own row with its target masked (the plain way)
    room = (x < problem.upper) & (x.sum(axis=0) < problem.target_cap)[None, :]
    room &= (x > 0) | (nchan < problem.channel_cap)[:, None]
    add_w = np.where(room, surv * problem.pk, -np.inf)
    add_w[1, :] = -np.inf  # a weapon with nothing to add
    add = add_w[w]
    add[np.arange(aw.size), at] = -np.inf
    best_t, best_add = _best_adds(add_w, w, t_e)
    np.testing.assert_array_equal(best_t, add.argmax(axis=1))
    np.testing.assert_array_equal(best_add, add[np.arange(w.size), add.argmax(axis=1)])


@pytest.mark.parametrize("seed", range(8))
def test_assign_rounds_kernel_equals_scipy_on_the_round_matrix(seed: int) -> None:
    # Few distinct gains (many exact ties, -1 = not allowed) and rounds in any weapon order.
    rng = np.random.default_rng(seed)
    for _ in range(40):
        n_w, n_c = int(rng.integers(1, 7)), int(rng.integers(1, 80))
        n_r = int(rng.integers(1, n_c + 1))
        gain_w = rng.choice([-1.0, 0.25, 0.5, 0.75, 1.0], size=(n_w, n_c))
        rows = rng.integers(0, n_w, n_r)
        if seed % 2:
            rows = np.sort(rows)
        r, c = _assign_rounds(gain_w, rows)
        r_ref, c_ref = _assign_rounds_scipy(gain_w, rows)
        np.testing.assert_array_equal(r, r_ref)
        np.testing.assert_array_equal(c, c_ref)


def test_assign_rounds_takes_scipy_where_rounds_outnumber_slots() -> None:
    gain_w = np.array([[0.5, 0.25], [1.0, -1.0]])
    rows = np.array([0, 0, 1])
    r, c = _assign_rounds(gain_w, rows)
    r_ref, c_ref = _assign_rounds_scipy(gain_w, rows)
    np.testing.assert_array_equal(r, r_ref)
    np.testing.assert_array_equal(c, c_ref)


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("rule", ["max", "mean"])
def test_assignment_start_equals_the_scipy_start(
    seed: int, rule: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    problem = _tied_problem(seed, channels=bool(seed % 2))
    fast = assignment_start(problem, rule)
    starts_module = sys.modules["shieldwall.battle.wta.starts"]
    monkeypatch.setattr(starts_module, "_assign_rounds", lambda g, r, _: _assign_rounds_scipy(g, r))
    ref = assignment_start(problem, rule)
    assert fast is not None
    assert ref is not None
    np.testing.assert_array_equal(fast, ref)


def _asset_problem(seed: int, channels: bool) -> WTAProblem:
    """Asset-based, few distinct values: one to a few threats per asset, many exact ties."""
    base = _tied_problem(seed, channels)
    rng = np.random.default_rng(seed + 50)
    n_a = 20
    return WTAProblem(
        values=base.values, pk=base.pk, inventory=base.inventory, max_shots=base.max_shots,
        max_shots_per_target=base.max_shots_per_target, channels=base.channels,
        target_asset=rng.integers(0, n_a + 1, base.n_targets),
        asset_values=np.append(rng.choice([1.0, 3.0, 10.0], n_a), 0.0),
    )  # fmt: skip


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("channels", [False, True])
def test_polish_step_kernel_equals_the_numpy_move(
    seed: int, channels: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every step of the numpy polish: the compiled step on the same assignment finds the same
    move (weapon, source target, destination) with the same gain, bit for bit."""
    from shieldwall.battle.wta._kernels import polish_step

    problem = _asset_problem(seed, channels)
    rng = np.random.default_rng(seed + 200)
    starts = [np.zeros(problem.pk.shape, dtype=np.int64), greedy(problem)]
    half = greedy(problem)
    half[rng.permutation(problem.n_weapons)[: problem.n_weapons // 2]] = 0
    starts.append(half)
    av, assets = problem.asset_values, problem.target_asset
    assert av is not None
    assert assets is not None
    args = (
        problem.kill_log, assets.astype(np.int64), av,
        problem.inventory.astype(np.int64), problem.upper.astype(np.int64),
        problem.target_cap.astype(np.int64), problem.channel_cap.astype(np.int64),
    )  # fmt: skip
    compared = []
    ref = polish_module.best_move_numpy

    def both(m: _Moves) -> tuple[int, int, float]:
        s, k, gain = ref(m)
        held = np.empty(av.shape[0])
        n_src, w, t, k2, gain2 = polish_step(m.x.copy(), *args, held)
        assert n_src == m.src_w.size
        assert (w, t, k2) == (m.src_w[s], m.src_t[s], k)
        assert gain2 == gain or (np.isneginf(gain2) and np.isneginf(gain))
        np.testing.assert_array_equal(held, m.held)
        compared.append(gain)
        return s, k, gain

    monkeypatch.setattr(polish_module, "best_move_numpy", both)
    for x in starts:
        polish_module.polish_assets_numpy(problem, x)
    assert len(compared) > len(starts)  # moves were made, not only the final check


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("channels", [False, True])
def test_compiled_polish_steps_give_the_numpy_polish(seed: int, channels: bool) -> None:
    """The whole polish, compiled steps (``_kernels.polish_step``) against the numpy steps
    (``polish_assets_numpy``): the same assignment from empty, greedy, half-emptied and random
    starts, on problems with many exact ties."""
    problem = _asset_problem(seed, channels)
    rng = np.random.default_rng(seed + 300)
    half = greedy(problem)
    half[rng.permutation(problem.n_weapons)[: problem.n_weapons // 2]] = 0
    scattered = np.zeros(problem.pk.shape, dtype=np.int64)
    for i in range(problem.n_weapons):  # one round on a few random allowed pairs
        allowed = np.flatnonzero(problem.upper[i] > 0)
        if allowed.size:
            scattered[i, rng.choice(allowed, min(2, allowed.size), replace=False)] = 1
    scattered = repair(problem, scattered)
    moved = 0
    for x in (np.zeros(problem.pk.shape, dtype=np.int64), greedy(problem), half, scattered):
        assert not problem.violations(x)
        fast = polish_module.polish_assets(problem, x)
        assert np.array_equal(fast, polish_module.polish_assets_numpy(problem, x))
        moved += int(np.abs(fast - x).sum())
    assert moved > 0  # the polish moved rounds: the steps were really compared


def test_start_cache_serves_a_solve_from_a_start_met_before(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    problem = _asset_problem(1, channels=True)
    start = greedy(problem)
    start[0] = 0
    cache = StartCache()
    first = solve(problem, cache=cache, warm_start=start)
    searched = []
    real = _solve_module.local_search
    monkeypatch.setattr(
        _solve_module, "local_search", lambda p, x: searched.append(1) or real(p, x)
    )
    again = solve(problem, cache=cache, warm_start=start)
    assert searched == []  # served whole
    np.testing.assert_array_equal(again.x, first.x)
    np.testing.assert_array_equal(again.x, solve(problem, warm_start=start).x)
    other = start.copy()
    other[1] = 0
    solve(problem, cache=cache, warm_start=other)
    assert searched  # another start is searched


def test_assignment_resumed_from_a_saved_prefix_equals_scipy() -> None:
    # Forbid-and-resolve style: the same weapons again with the later ones' gains changed.
    rng = np.random.default_rng(7)
    prefixes = AssignmentPrefixes(size=8)
    gain_w = rng.choice([-1.0, 0.25, 0.5, 1.0], size=(5, 60))
    counts = np.array([4, 0, 6, 5, 3])
    rows = np.repeat(np.arange(5), counts)
    resumed = 0
    for step in range(6):
        r, c = _assign_rounds(gain_w, rows, prefixes)
        r_ref, c_ref = _assign_rounds_scipy(gain_w, rows)
        np.testing.assert_array_equal(r, r_ref)
        np.testing.assert_array_equal(c, c_ref)
        keys = prefixes.keys(gain_w, np.bincount(rows, minlength=5))
        resumed += prefixes.get(keys[2], gain_w, np.bincount(rows, minlength=5), 2) is not None
        gain_w = gain_w.copy()
        gain_w[3 + step % 2, rng.integers(0, 60, 5)] = -1.0  # a later weapon's pairs change
    assert resumed == 6  # the first weapons' state was there to resume from


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("channels", [False, True])
def test_top_moves_kernel_equals_the_numpy_reference(seed: int, channels: bool) -> None:
    problem = _tied_problem(seed, channels)
    rng = np.random.default_rng(seed + 300)
    x = greedy(problem)
    for y in (x, np.zeros_like(x), np.where(rng.random(x.shape) < 0.5, x, 0)):
        surv = problem.values * np.exp(-(problem.kill_log * y).sum(axis=0))
        q = 1.0 - problem.pk
        args = (
            y, problem.upper, problem.pk, 1.0 / q - 1.0, surv, y.sum(axis=0),
            problem.target_cap, (y > 0).sum(axis=1), problem.channel_cap,
        )  # fmt: skip
        for fast, ref in zip(_top_moves(*args), _top_moves_numpy(*args), strict=True):
            np.testing.assert_array_equal(fast, ref)


def test_an_assignment_start_equal_to_an_earlier_one_is_not_searched_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # One kill probability everywhere: the "max" and "mean" starts are the same assignment.
    n_w, n_t = 3, 12
    problem = WTAProblem(
        values=np.linspace(1.0, 3.0, n_t), pk=np.full((n_w, n_t), 0.7), inventory=np.full(n_w, 4)
    )
    plain = [
        _solve_module.local_search(problem, assignment_start(problem, rule))
        for rule in _solve_module.START_RULES
    ]
    searched = []
    real = _solve_module.local_search
    monkeypatch.setattr(
        _solve_module, "local_search", lambda p, x: searched.append(1) or real(p, x)
    )
    found = _solve_module._assignment_searches(problem, None)
    assert len(found) == 2
    assert len(searched) == 1
    for x, y in zip(found, plain, strict=True):
        np.testing.assert_array_equal(x, y)
