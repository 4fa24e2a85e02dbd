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

import numpy as np
from numpy.typing import NDArray

from shieldwall.battle.wta.problem import WTAProblem

__all__ = ["MAX_ASSIGNMENT_ROUNDS", "assignment_start", "repair"]

#: Above this many rounds the assignment start is skipped (its cost grows as rounds^3).
MAX_ASSIGNMENT_ROUNDS = 1500


def assignment_start(problem: WTAProblem, rule: str) -> NDArray[np.int64] | None:
    """A start from the slot assignment model with ``p̄_j`` the ``"max"`` or ``"mean"`` of column j.

    Parameters
    ----------
    problem
        The problem.
    rule
        ``"max"`` or ``"mean"`` (over the feasible pairs of each target).

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
    r, c = _assign_rounds(gain_w, rows)
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


def _assign_rounds(
    gain_w: NDArray[np.float64], rows: NDArray[np.int64]
) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """:func:`_assign_rounds_scipy`, compiled (numba imported on first use) where there are no
    more rounds than slots (scipy's untransposed case, the one the kernel follows)."""
    if rows.size > gain_w.shape[1]:
        return _assign_rounds_scipy(gain_w, rows)
    from shieldwall.battle.wta._kernels import assign_rounds

    c = assign_rounds(gain_w, rows.astype(np.int64))
    return np.arange(rows.size), c


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
