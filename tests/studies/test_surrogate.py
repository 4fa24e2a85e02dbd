"""The siting surrogate: the exact MILP against brute force, the greedy's 1 − 1/e bound."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from shieldwall.studies.surrogate import (
    MAX_COLUMNS,
    Budget,
    Surrogate,
    SurrogateError,
    brute_force,
    greedy,
    solve,
)

#: The MILP's optimum and brute force's agree to the solver's tolerance (mip_abs_gap 1e-9).
EXACT_TOL = 1e-7


def _random(rng: np.random.Generator, n_asset: int, n_item: int) -> Surrogate:
    helps = rng.random((n_asset, n_item)) < 0.6
    return Surrogate(
        weight=rng.uniform(0.0, 100.0, n_asset),
        remain=np.where(helps, rng.uniform(0.0, 1.0, (n_asset, n_item)), 1.0),
    )


def _loss_by_hand(s: Surrogate, chosen: tuple[int, ...]) -> float:
    """``Σ_a w_a Π_{j∈S} r_aj`` written out with loops (independent of ``Surrogate.loss``)."""
    total = 0.0
    for a in range(s.weight.size):
        keep = 1.0
        for j in chosen:
            keep *= float(s.remain[a, j])
        total += float(s.weight[a]) * keep
    return total


@pytest.mark.parametrize("seed", range(12))
def test_milp_matches_brute_force_over_k_subsets(seed: int) -> None:
    rng = np.random.default_rng(seed)
    s = _random(rng, int(rng.integers(2, 7)), int(rng.integers(3, 9)))
    k = int(rng.integers(1, 4))
    pick, value = solve(s, k=k)
    best = min(
        _loss_by_hand(s, sub)
        for size in range(k + 1)
        for sub in itertools.combinations(range(s.n_items), size)
    )
    assert len(pick) <= k
    assert value == pytest.approx(best, abs=EXACT_TOL)
    assert _loss_by_hand(s, tuple(pick)) == pytest.approx(best, abs=EXACT_TOL)


@pytest.mark.parametrize("seed", range(12))
def test_milp_with_budgets_matches_brute_force(seed: int) -> None:
    rng = np.random.default_rng(100 + seed)
    s = _random(rng, int(rng.integers(2, 6)), int(rng.integers(3, 9)))
    cost = rng.uniform(1.0, 5.0, s.n_items)
    owner = rng.integers(0, 2, s.n_items)
    budgets = [
        Budget(name=str(q), items=owner == q, amount=float(rng.uniform(1.0, 9.0))) for q in range(2)
    ]
    pick, value = solve(s, cost=cost, budgets=budgets)
    feasible = [
        sub
        for size in range(s.n_items + 1)
        for sub in itertools.combinations(range(s.n_items), size)
        if all(
            cost[[j for j in sub if owner[j] == q]].sum() <= b.amount for q, b in enumerate(budgets)
        )
    ]
    best = min(_loss_by_hand(s, sub) for sub in feasible)
    assert value == pytest.approx(best, abs=EXACT_TOL)
    for q, b in enumerate(budgets):  # budget respected
        assert cost[[j for j in pick if owner[j] == q]].sum() <= b.amount + 1e-9
    # the reference enumerator of the module agrees too
    assert brute_force(s, cost=cost, budgets=budgets)[1] == pytest.approx(best, abs=EXACT_TOL)


def test_milp_restricted_to_allowed_items_and_own_assets() -> None:
    rng = np.random.default_rng(7)
    s = _random(rng, 5, 6)
    allowed = np.array([True, False, True, False, True, True])
    assets = np.array([True, True, False, False, True])
    pick, value = solve(s, k=2, allowed=allowed, assets=assets)
    assert all(allowed[j] for j in pick)
    ref = brute_force(s, k=2, allowed=allowed, assets=assets)
    assert value == pytest.approx(ref[1], abs=EXACT_TOL)


@pytest.mark.parametrize("seed", range(40))
def test_greedy_within_one_minus_one_over_e(seed: int) -> None:
    """F(S) = L(∅) − L(S) is monotone submodular: greedy ≥ (1 − 1/e) OPT (Nemhauser et al.)."""
    rng = np.random.default_rng(1000 + seed)
    s = _random(rng, int(rng.integers(2, 7)), int(rng.integers(3, 9)))
    k = int(rng.integers(1, 4))
    f0 = s.loss([])
    g = greedy(s, k)
    opt = brute_force(s, k=k)[1]
    assert f0 - s.loss(g) >= (1.0 - 1.0 / math.e) * (f0 - opt) - 1e-12


def test_greedy_can_be_suboptimal() -> None:
    """A coverage instance where the greedy's first pick (the big middle item) is a mistake:
    the bound is a bound, not an equality (so the test above can fail)."""
    # assets a0, a1; item 0 halves both, items 1 and 2 each remove one asset entirely
    s = Surrogate(
        weight=np.array([1.0, 1.0]),
        remain=np.array([[0.4, 0.0, 1.0], [0.4, 1.0, 0.0]]),
    )
    assert greedy(s, 2)[0] == 0
    assert s.loss(greedy(s, 2)) > brute_force(s, k=2)[1] + 0.1
    assert sorted(solve(s, k=2)[0]) == [1, 2]


def test_from_hits_exact_at_single_items() -> None:
    value = np.array([100.0, 40.0, 30.0])
    q0 = np.array([0.5, 0.2, 0.0])
    qj = np.array([[0.25, 0.2, 0.0], [0.5, 0.05, 0.0]])
    s = Surrogate.from_hits(value, q0, qj)
    for j in range(2):
        assert s.loss([j]) == pytest.approx(float((value * qj[j]).sum()))
    assert s.loss([]) == pytest.approx(float((value * q0).sum()))
    # an item that raises a hit probability is neutral in the surrogate (r clipped at 1)
    up = Surrogate.from_hits(value, q0, np.array([[0.6, 0.2, 0.0]]))
    assert up.loss([0]) == pytest.approx(up.loss([]))


def test_milp_too_large_refused() -> None:
    s = Surrogate(weight=np.ones(3), remain=np.full((3, 40), 0.5))
    with pytest.raises(SurrogateError, match="subset"):
        solve(s, k=6)  # C(40, ≤6) per asset ≫ MAX_COLUMNS
    assert 3 * math.comb(40, 6) > MAX_COLUMNS
