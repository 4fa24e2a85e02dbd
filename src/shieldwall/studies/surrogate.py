"""The siting surrogate and its exact MILP (docs/studies.md, `site` and `design`).

The simulated expected value lost is not a linear (nor a closed-form) function of which units
are added, so an exact optimiser needs a model of it. This one is derived from the study's own
per-asset outcomes: with the baseline world, asset ``a`` is hit with probability ``q_a`` (the
mean of the study's per-trial ``asset_hit``); with item ``j`` alone added, ``q_a^(j)``. Item
``j`` leaves the fraction ``r_aj = min(1, q_a^(j) / q_a)`` of asset ``a``'s hits (``r_aj = 1``
where ``q_a = 0``), and the surrogate assumes items remove hits independently:

    L(S) = Σ_a v_a q_a Π_{j ∈ S} r_aj                  (expected value lost with S added)

Exact at ``S = ∅`` and at every single item (up to the clip ``r ≤ 1``: an item the simulation
finds to raise an asset's hits is neutral for it here). The reduction ``F(S) = L(∅) − L(S)`` is
a weighted sum of ``1 − Π(r)`` terms, each monotone and submodular, so ``F`` is monotone
submodular and the greedy choice of ``k`` items reaches at least ``1 − 1/e`` of the best
reduction (Nemhauser, Wolsey and Fisher 1978, Math. Programming 14, Thm 4.2); under budgets, the
greedy by gain per dollar has no such bound, so design uses the MILP only.

**The MILP** (:func:`solve`) linearises the product exactly: for each asset ``a``, ``C_a`` are
the items with ``r_aj < 1``; a column ``y_aT ≥ 0`` for every subset ``T ⊆ C_a`` the constraints
allow (size ≤ k, within every budget), with ``Σ_T y_aT = 1`` and ``Σ_{T ∋ j} y_aT = x_j`` for
``j ∈ C_a``. With binary ``x`` these force ``y_aT = 1`` exactly for ``T = S ∩ C_a``, so the
objective ``Σ_a v_a q_a Σ_T y_aT Π_{j∈T} r_aj`` equals ``L(S)``. Its size is the number of
subsets: small instances only (``MAX_COLUMNS``).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import highspy
import numpy as np

from shieldwall._types import F64, B
from shieldwall.errors import Problem, ShieldwallError

__all__ = [
    "MAX_COLUMNS",
    "Budget",
    "Surrogate",
    "SurrogateError",
    "brute_force",
    "greedy",
    "solve",
]

#: The most subset columns the exact MILP builds (beyond: refused, use the greedy).
MAX_COLUMNS = 200_000


class SurrogateError(ShieldwallError, ValueError):
    """An exact problem too large to build, or an infeasible one (exit 2)."""


@dataclass(frozen=True, kw_only=True)
class Budget:
    """``Σ_{j in items} cost_j x_j ≤ amount``.

    Attributes
    ----------
    name : str
        A nation id, or ``pooled``.
    items : (n_item,) bool
        The items this budget pays for.
    amount : float
        [USD]
    """

    name: str
    items: B
    amount: float


@dataclass(frozen=True, kw_only=True)
class Surrogate:
    """``L(S) = Σ_a w_a Π_{j∈S} r_aj`` (see the module doc).

    Attributes
    ----------
    weight : (n_asset,)
        ``v_a q_a``: each asset's expected value lost in the baseline. []
    remain : (n_asset, n_item)
        ``r_aj`` in [0, 1]: the fraction of asset a's hits left with item j added. []
    """

    weight: F64
    remain: F64

    @property
    def n_items(self) -> int:
        """Number of items."""
        return int(self.remain.shape[1])

    @classmethod
    def from_hits(cls, value: F64, q_base: F64, q_item: F64) -> Surrogate:
        """From asset values ``(n_asset,)``, baseline hit probabilities ``(n_asset,)`` and hit
        probabilities with each item alone ``(n_item, n_asset)``."""
        q0 = np.asarray(q_base, dtype=np.float64)
        qj = np.asarray(q_item, dtype=np.float64).reshape(-1, q0.size)
        with np.errstate(divide="ignore", invalid="ignore"):
            r = np.where(q0[None, :] > 0, qj / np.where(q0 > 0, q0, 1.0)[None, :], 1.0)
        return cls(
            weight=np.asarray(value, dtype=np.float64) * q0,
            remain=np.clip(r, 0.0, 1.0).T.copy(),
        )

    def loss(self, chosen: Sequence[int], assets: B | None = None) -> float:
        """``L(S)`` for the item indices ``chosen`` (over ``assets`` only when given)."""
        idx = np.asarray(sorted(set(chosen)), dtype=np.int64)
        keep = self.remain[:, idx].prod(axis=1) if idx.size else np.ones(self.weight.size)
        w = self.weight if assets is None else np.where(assets, self.weight, 0.0)
        return float((w * keep).sum())


def greedy(s: Surrogate, k: int, allowed: B | None = None) -> list[int]:
    """The greedy choice of ``k`` items on the surrogate (largest reduction first; ties: the
    lower index). Within ``1 − 1/e`` of the best reduction (module doc)."""
    ok = np.ones(s.n_items, dtype=bool) if allowed is None else np.asarray(allowed, dtype=bool)
    chosen: list[int] = []
    keep = np.ones(s.weight.size)
    for _ in range(min(k, int(ok.sum()))):
        loss = (s.weight[:, None] * keep[:, None] * s.remain).sum(axis=0)  # (n_item,)
        loss[~ok] = np.inf
        loss[chosen] = np.inf
        j = int(np.argmin(loss))
        chosen.append(j)
        keep = keep * s.remain[:, j]
    return chosen


def _feasible(
    items: Sequence[int], k: int | None, cost: F64 | None, budgets: Sequence[Budget]
) -> bool:
    if k is not None and len(items) > k:
        return False
    if cost is None:
        return True
    idx = list(items)
    return all(float(cost[idx][b.items[idx]].sum()) <= b.amount * (1 + 1e-12) for b in budgets)


def brute_force(
    s: Surrogate,
    *,
    k: int | None = None,
    cost: F64 | None = None,
    budgets: Sequence[Budget] = (),
    allowed: B | None = None,
    assets: B | None = None,
) -> tuple[list[int], float]:
    """The best feasible subset by enumerating all of them (a reference for tests)."""
    ok = np.flatnonzero(np.ones(s.n_items, bool) if allowed is None else allowed)
    best: tuple[list[int], float] = ([], s.loss([], assets))
    sizes = range(1, (len(ok) if k is None else min(k, len(ok))) + 1)
    for size in sizes:
        for sub in itertools.combinations(ok.tolist(), size):
            if _feasible(sub, k, cost, budgets):
                v = s.loss(sub, assets)
                if v < best[1] - 1e-12:
                    best = (list(sub), v)
    return best


def solve(
    s: Surrogate,
    *,
    k: int | None = None,
    cost: F64 | None = None,
    budgets: Sequence[Budget] = (),
    allowed: B | None = None,
    assets: B | None = None,
    time_limit_s: float = 60.0,
) -> tuple[list[int], float]:
    """The exact minimiser of ``L(S)`` (over ``assets`` only when given) subject to
    ``|S| ≤ k`` and ``budgets`` (costs ``cost`` [USD]), among ``allowed`` items: the MILP of
    the module doc, solved by HiGHS. Returns the chosen item indices and ``L``.

    Raises
    ------
    SurrogateError
        More than :data:`MAX_COLUMNS` subset columns; HiGHS did not prove optimality in time.
    """
    n = s.n_items
    ok = np.ones(n, bool) if allowed is None else np.asarray(allowed, dtype=bool)
    if budgets and cost is None:
        raise ValueError("budgets need costs")
    w = s.weight if assets is None else np.where(assets, s.weight, 0.0)
    # columns: x_j (binary), then y_aT per asset and allowed subset T of C_a
    obj: list[float] = [0.0] * n
    rows_eq: list[tuple[list[int], list[float], float]] = []
    col = n
    for a in range(w.size):
        if w[a] <= 0:
            continue
        c_a = np.flatnonzero(ok & (s.remain[a] < 1.0)).tolist()
        if not c_a:  # nothing helps it: a constant of the objective
            continue
        subsets: list[tuple[int, ...]] = []
        for size in range(0, len(c_a) + 1 if k is None else min(k, len(c_a)) + 1):
            for sub in itertools.combinations(c_a, size):
                if _feasible(sub, k, cost, budgets):
                    subsets.append(sub)
                    if col + len(subsets) > n + MAX_COLUMNS:
                        msg = (
                            f"the exact MILP would need more than {MAX_COLUMNS:,} subset "
                            "columns; give fewer candidates (or a smaller k / budget), or "
                            "drop --exact"
                        )
                        raise SurrogateError(msg, [Problem(message=msg, path="exact")])
        first = col
        for sub in subsets:
            obj.append(float(w[a] * np.prod(s.remain[a, list(sub)])) if sub else float(w[a]))
        col += len(subsets)
        ys = list(range(first, col))
        rows_eq.append((ys, [1.0] * len(ys), 1.0))
        for j in c_a:
            members = [first + t for t, sub in enumerate(subsets) if j in sub]
            rows_eq.append(([*members, j], [*([1.0] * len(members)), -1.0], 0.0))
    h = highspy.Highs()  # type: ignore[no-untyped-call]
    h.setOptionValue("output_flag", False)
    h.setOptionValue("time_limit", float(time_limit_s))
    h.setOptionValue("mip_rel_gap", 0.0)
    h.setOptionValue("mip_abs_gap", 1e-9)
    inf = highspy.kHighsInf
    ncol = col
    lower = np.zeros(ncol)
    upper = np.full(ncol, inf)
    upper[:n] = ok.astype(np.float64)  # a disallowed item is fixed at 0
    empty_i = np.zeros(0, dtype=np.int32)
    h.addCols(ncol, np.array(obj), lower, upper, 0, empty_i, empty_i, np.zeros(0))
    h.changeColsIntegrality(
        n,
        np.arange(n, dtype=np.int32),
        np.full(n, highspy.HighsVarType.kInteger.value, dtype=np.uint8),
    )

    def add_row(idx: Sequence[int], val: Sequence[float], lo: float, hi: float) -> None:
        h.addRow(lo, hi, len(idx), np.asarray(idx, dtype=np.int32), np.asarray(val, dtype=float))

    for idx, val, rhs in rows_eq:
        add_row(idx, val, rhs, rhs)
    if k is not None:
        add_row(range(n), [1.0] * n, -inf, float(k))
    for b in budgets:
        assert cost is not None
        js = np.flatnonzero(b.items).tolist()
        if js:
            add_row(js, [float(cost[j]) for j in js], -inf, float(b.amount))
    h.run()
    status = h.getModelStatus()
    if status != highspy.HighsModelStatus.kOptimal:
        msg = f"the exact MILP did not reach a proven optimum ({h.modelStatusToString(status)})"
        raise SurrogateError(msg, [Problem(message=msg, path="exact")])
    x = np.asarray(h.getSolution().col_value[:n])
    chosen = np.flatnonzero(x > 0.5).tolist()
    return chosen, s.loss(chosen, assets)
