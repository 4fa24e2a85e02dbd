"""Alternative starting assignments for the WTA local search (multi-start).

Ahuja et al. (2007, §3) build a start from a minimum-cost-flow model in which the ``k``-th round
at target ``j`` is worth ``V_j (1 - p̄_j)^(k-1) p_ij``, with ``p̄_j`` a representative kill
probability of the rounds already there. With one node per round this is a linear assignment
problem (rounds × target slots), solved exactly with ``scipy.optimize.linear_sum_assignment``
(Crouse, 2016). The slots of a target carry decreasing worth, so an optimal assignment fills them
in order. Side constraints the assignment model cannot express (pair caps, fire channels) are
repaired by dropping rounds; the greedy then refills. Different ``p̄`` lead the local search to
different local optima; :func:`shieldwall.battle.wta.solve` keeps the best.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from shieldwall.battle.wta.problem import WTAProblem

__all__ = ["MAX_ASSIGNMENT_ROUNDS", "AssignmentPrefixes", "assignment_start", "repair"]

#: Above this many rounds the assignment start is skipped (its cost grows as rounds^3).
MAX_ASSIGNMENT_ROUNDS = 1500


def assignment_start(
    problem: WTAProblem, rule: str, prefixes: AssignmentPrefixes | None = None
) -> NDArray[np.int64] | None:
    """A start from the slot assignment model with ``p̄_j`` the ``"max"`` or ``"mean"`` of column j.

    Parameters
    ----------
    problem
        The problem.
    rule
        ``"max"`` or ``"mean"`` (over the feasible pairs of each target).
    prefixes
        Saved states of the assignment after the rounds of its first weapons
        (:class:`AssignmentPrefixes`), to resume from; the start is the same without.

    Returns
    -------
    numpy.ndarray or None
        A feasible (possibly partial) assignment, or ``None`` when there are too many rounds or
        nothing can engage.
    """
    upper, pk = problem.upper, problem.pk
    usable = np.minimum(problem.inventory, upper.sum(axis=1))
    n_rounds = int(usable.sum())
    if n_rounds == 0 or n_rounds > MAX_ASSIGNMENT_ROUNDS:
        return None
    feasible = upper > 0
    if rule == "max":
        pbar = np.where(feasible, pk, 0.0).max(axis=0)
    else:
        count = np.maximum(feasible.sum(axis=0), 1)
        pbar = np.where(feasible, pk, 0.0).sum(axis=0) / count
    n_slots = int(min(problem.target_cap.max(), n_rounds // max(problem.n_targets, 1) + 2))
    k = np.arange(n_slots)
    slot_t = np.repeat(np.arange(problem.n_targets), n_slots)
    slot_k = np.tile(k, problem.n_targets)
    worth = problem.values[slot_t] * (1.0 - pbar[slot_t]) ** slot_k
    slot_ok = slot_k < problem.target_cap[slot_t]
    rows = np.repeat(np.arange(problem.n_weapons), usable)
    # Per weapon (the rounds of a weapon are alike; one assignment row per round).
    allowed_w = feasible[:, slot_t] & slot_ok[None, :]
    gain_w = np.where(allowed_w, pk[:, slot_t] * worth[None, :], -1.0)  # below any real gain
    r, c = _assign_rounds(gain_w, rows, prefixes)
    keep = allowed_w[rows[r], c]
    x = np.zeros(pk.shape, dtype=np.int64)
    np.add.at(x, (rows[r[keep]], slot_t[c[keep]]), 1)
    return repair(problem, x)


def _assign_rounds_scipy(
    gain_w: NDArray[np.float64], rows: NDArray[np.int64]
) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """Maximum-gain assignment of the rounds (row ``r`` has gains ``gain_w[rows[r]]``) to slots:
    ``(round, slot)`` index arrays (:func:`scipy.optimize.linear_sum_assignment`).

    The readable reference of :func:`shieldwall.battle.wta._kernels.assign_rounds`, which gives
    the same slots (tested) without the matrix of one row per round.
    """
    from scipy.optimize import linear_sum_assignment  # ~0.4 s to import: only when used

    r, c = linear_sum_assignment(gain_w[rows], maximize=True)
    return r, c


@dataclass(frozen=True, kw_only=True)
class _Prefix:
    """The assignment's state after the rounds of the first weapons with rounds: their
    ``counts`` and ``gains`` (what the state depends on), the duals ``u`` (per round), ``v``
    (per slot) and the matching ``col4row``, ``row4col`` (:func:`~shieldwall.battle.wta._kernels.
    assign_rows`)."""

    counts: NDArray[np.int64]
    gains: NDArray[np.float64]
    u: NDArray[np.float64]
    v: NDArray[np.float64]
    col4row: NDArray[np.int64]
    row4col: NDArray[np.int64]


class AssignmentPrefixes:
    """The states of recent slot assignments after each weapon's rounds, to resume from.

    The shortest augmenting path assignment takes the rounds in order, and its state after the
    first rounds depends on their gains only; the rounds are in weapon order, so an assignment
    whose first weapons have the same rounds and gains as one made before (forbid-and-resolve
    changes a few pairs at a time) resumes from that one's state after them and makes the same
    assignment. The last ``size`` states are kept, found by a digest and confirmed equal.
    """

    def __init__(self, size: int = 64) -> None:
        self.size = size
        self._states: OrderedDict[bytes, _Prefix] = OrderedDict()

    @staticmethod
    def keys(gain_w: NDArray[np.float64], counts: NDArray[np.int64]) -> list[bytes]:
        """The digest of the state after the rounds of weapons ``0 .. w``, for each ``w``."""
        h = hashlib.blake2b(repr(gain_w.shape[1]).encode(), digest_size=16)
        out = []
        for w in range(gain_w.shape[0]):
            if counts[w] > 0:
                h.update(counts[w : w + 1].tobytes() + gain_w[w].tobytes())
            out.append(h.copy().digest())
        return out

    def get(
        self, key: bytes, gain_w: NDArray[np.float64], counts: NDArray[np.int64], w: int
    ) -> _Prefix | None:
        """The saved state after the rounds of weapons ``0 .. w``, or None."""
        found = self._states.get(key)
        if found is None:
            return None
        some = counts[: w + 1] > 0
        if not (
            np.array_equal(found.counts, counts[: w + 1][some])
            and np.array_equal(found.gains, gain_w[: w + 1][some])
        ):
            return None
        self._states.move_to_end(key)
        return found

    def put(self, key: bytes, state: _Prefix) -> None:
        """Remember ``state`` (the oldest goes beyond ``size``)."""
        self._states[key] = state
        self._states.move_to_end(key)
        while len(self._states) > self.size:
            self._states.popitem(last=False)


def _assign_rounds(
    gain_w: NDArray[np.float64],
    rows: NDArray[np.int64],
    prefixes: AssignmentPrefixes | None = None,
) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """:func:`_assign_rounds_scipy`, compiled (numba imported on first use) where there are no
    more rounds than slots (scipy's untransposed case, the one the kernel follows), resumed from
    a saved state of its first weapons' rounds where ``prefixes`` has one (``rows`` in weapon
    order)."""
    if rows.size > gain_w.shape[1]:
        return _assign_rounds_scipy(gain_w, rows)
    from shieldwall.battle.wta._kernels import assign_rounds, assign_rows

    rows = rows.astype(np.int64)
    if prefixes is None:
        return np.arange(rows.size), assign_rounds(gain_w, rows)
    n_w, n_c = gain_w.shape
    counts = np.bincount(rows, minlength=n_w)
    ends = np.cumsum(counts)
    if not np.array_equal(rows, np.repeat(np.arange(n_w), counts)):
        raise ValueError("rows must be in weapon order")
    cost = np.ascontiguousarray(-gain_w[:, ::-1])  # scan order (the kernel's negation)
    u, v = np.zeros(rows.size), np.zeros(n_c)
    col4row, row4col = np.full(rows.size, -1, dtype=np.int64), np.full(n_c, -1, dtype=np.int64)
    keys = prefixes.keys(gain_w, counts)
    done = 0
    for w in range(n_w - 1, -1, -1):
        if counts[w] and (state := prefixes.get(keys[w], gain_w, counts, w)) is not None:
            done = int(ends[w])
            u[:done], v[:] = state.u, state.v
            col4row[:done], row4col[:] = state.col4row, state.row4col
            break
    for w in range(n_w):
        if not counts[w] or ends[w] <= done:
            continue
        assign_rows(cost, rows, u, v, col4row, row4col, int(ends[w] - counts[w]), int(ends[w]))
        end = int(ends[w])
        some = counts[: w + 1] > 0
        state = _Prefix(
            counts=counts[: w + 1][some], gains=gain_w[: w + 1][some].copy(), u=u[:end].copy(),
            v=v.copy(), col4row=col4row[:end].copy(), row4col=row4col.copy(),
        )  # fmt: skip
        prefixes.put(keys[w], state)
    return np.arange(rows.size), n_c - 1 - col4row


def repair(problem: WTAProblem, x: NDArray[np.int64]) -> NDArray[np.int64]:
    """Drop rounds until ``x`` meets every constraint, keeping each weapon's most valuable pairs.

    Parameters
    ----------
    problem
        The problem.
    x
        A non-negative integer assignment, ``(n_w, n_t)``.

    Returns
    -------
    numpy.ndarray
        A feasible assignment ``<= x`` elementwise.
    """
    x = np.minimum(x, problem.upper)
    # Fire channels: keep the pairs with the largest expected kills x * p.
    over = np.nonzero((x > 0).sum(axis=1) > problem.channel_cap)[0]
    for i in over.tolist():
        order = np.argsort(-(x[i] * problem.pk[i]), kind="stable")
        x[i, order[int(problem.channel_cap[i]) :]] = 0
    # Inventory: drop the weakest rounds of each weapon.
    for i in np.nonzero(x.sum(axis=1) > problem.inventory)[0].tolist():
        while x[i].sum() > problem.inventory[i]:
            j = int(np.argmin(np.where(x[i] > 0, problem.pk[i], np.inf)))
            x[i, j] -= 1
    # Per-target caps: drop the weakest rounds at each over-subscribed target.
    for j in np.nonzero(x.sum(axis=0) > problem.target_cap)[0].tolist():
        while x[:, j].sum() > problem.target_cap[j]:
            i = int(np.argmin(np.where(x[:, j] > 0, problem.pk[:, j], np.inf)))
            x[i, j] -= 1
    return x
