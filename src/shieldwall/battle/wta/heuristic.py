"""Fast WTA heuristic: maximum marginal return, then swap / move local search.

Construction is the maximum-marginal-return greedy (den Broeder et al., 1959): give the next round
to the (weapon, target) pair that removes the most expected surviving value. :func:`improve` then
applies, steepest first, the two-exchanges (one round of each of two weapons trade targets) and
one-moves (a round moves to another target, or a spare round is fired) of Ahuja et al. (2007, §4),
every candidate evaluated at once in numpy and checked against the side constraints (pair caps,
per-target caps, fire channels). Longer cyclic and path exchanges are in
:mod:`shieldwall.battle.wta.exchange`.

References: Manne (1958) for the model; den Broeder, Ellison and Emerling (1959), "On optimum
target assignments", Operations Research 7(3); Ahuja, Kumar, Jha and Orlin (2007), "Exact and
heuristic algorithms for the weapon-target assignment problem", Operations Research 55(6).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from shieldwall.battle.wta.exchange import multi_exchange
from shieldwall.battle.wta.problem import WTAProblem

__all__ = ["greedy", "improve", "local_search"]

#: Improvements smaller than this fraction of the objective are ignored (floating-point noise).
_REL_EPS = 1e-12


def greedy(problem: WTAProblem, start: NDArray[np.int64] | None = None) -> NDArray[np.int64]:
    """Maximum-marginal-return construction on the target-based objective.

    Parameters
    ----------
    problem
        The problem (its surrogate ``values`` are used in the asset-based form).
    start
        A feasible partial assignment to extend, ``(n_w, n_t)``; zeros when ``None``.

    Returns
    -------
    numpy.ndarray
        A feasible assignment ``(n_w, n_t)`` to which no single round adds value.
    """
    pk, upper = problem.pk, problem.upper
    inv, tcap, ccap = problem.inventory, problem.target_cap, problem.channel_cap
    n_t = problem.n_targets
    x = np.zeros(pk.shape, dtype=np.int64) if start is None else start.astype(np.int64)
    used_w, used_t, nchan = x.sum(axis=1), x.sum(axis=0), (x > 0).sum(axis=1)
    surv = problem.values * np.exp(-(problem.kill_log * x).sum(axis=0))
    q = 1.0 - pk
    open_ = (
        (x < upper)
        & (used_w < inv)[:, None]
        & (used_t < tcap)[None, :]
        & ((x > 0) | (nchan < ccap)[:, None])
    )
    gain = np.where(open_, surv * pk, -1.0)
    while True:
        flat = int(gain.argmax())
        i, j = divmod(flat, n_t)
        if gain[i, j] <= 0.0:
            return x
        x[i, j] += 1
        used_w[i] += 1
        used_t[j] += 1
        new_channel = x[i, j] == 1
        nchan[i] += int(new_channel)
        surv[j] *= q[i, j]
        col_open = (
            (x[:, j] < upper[:, j])
            & (used_w < inv)
            & (used_t[j] < tcap[j])
            & ((x[:, j] > 0) | (nchan < ccap))
        )
        gain[:, j] = np.where(col_open, surv[j] * pk[:, j], -1.0)
        if used_w[i] >= inv[i]:
            gain[i, :] = -1.0
        elif new_channel and nchan[i] >= ccap[i]:
            gain[i, x[i] == 0] = -1.0


def _row_top2(
    mat: NDArray[np.float64], largest: bool
) -> tuple[NDArray[np.intp], NDArray[np.float64], NDArray[np.float64]]:
    """Index of the best entry per row, its value, and the second-best value."""
    rows = np.arange(mat.shape[0])
    idx = mat.argmax(axis=1) if largest else mat.argmin(axis=1)
    best = mat[rows, idx]
    rest = mat.copy()
    rest[rows, idx] = -np.inf if largest else np.inf
    second = rest.max(axis=1) if largest else rest.min(axis=1)
    return idx, best, second


def _best_swap_numpy(
    ii: NDArray[np.intp],
    jj: NDArray[np.intp],
    x: NDArray[np.int64],
    upper: NDArray[np.int64],
    q: NDArray[np.float64],
    surv: NDArray[np.float64],
    nchan: NDArray[np.int64],
    ccap: NDArray[np.int64],
    channels: bool,
) -> tuple[int, int, float]:
    """Best two-exchange between assigned pairs ``e = (I_e, J_e)`` and ``f = (I_f, J_f)``:
    ``(e, f, gain)``, the first maximum in C order (``(0, 0, -inf)`` when none is allowed).

    The readable reference of the compiled :func:`shieldwall.battle.wta._kernels.best_swap`
    (bit-identical to it, tested).
    """
    fe = (ii[None, :], jj[:, None])  # [e, f] -> (I_f, J_e)
    q_fe = q[fe]
    half = surv[jj][:, None] * (1.0 - q_fe / q[ii, jj][:, None])
    ok = (x[fe] < upper[fe]) & (ii[:, None] != ii[None, :])
    ok &= ok.T & (jj[:, None] != jj[None, :])
    if channels:
        x_ef = x[ii[:, None], jj[None, :]]  # [e, f] = x[I_e, J_f]
        delta = (x_ef == 0).astype(np.int64) - (x[ii, jj] == 1)[:, None]
        fits = (nchan[ii][:, None] + delta) <= ccap[ii][:, None]
        ok &= fits & fits.T
    total = np.where(ok, half + half.T, -np.inf)
    flat = int(total.argmax())
    e_best, f_best = divmod(flat, ii.size)
    return e_best, f_best, float(total[e_best, f_best])


def _best_swap(
    ii: NDArray[np.intp],
    jj: NDArray[np.intp],
    x: NDArray[np.int64],
    upper: NDArray[np.int64],
    q: NDArray[np.float64],
    surv: NDArray[np.float64],
    nchan: NDArray[np.int64],
    ccap: NDArray[np.int64],
    channels: bool,
) -> tuple[int, int, float]:
    """:func:`_best_swap_numpy`, compiled (numba imported on first use)."""
    from shieldwall.battle.wta._kernels import best_swap

    e, f, gain = best_swap(ii, jj, x, upper, q, surv, nchan, ccap, channels)
    return int(e), int(f), float(gain)


def _top_moves_numpy(
    x: NDArray[np.int64],
    upper: NDArray[np.int64],
    pk: NDArray[np.float64],
    inv_q_m1: NDArray[np.float64],
    surv: NDArray[np.float64],
    used_t: NDArray[np.int64],
    tcap: NDArray[np.int64],
    nchan: NDArray[np.int64],
    ccap: NDArray[np.int64],
) -> tuple[NDArray[Any], ...]:
    """Per weapon, the one-move candidates of :func:`improve`: the best and second-best add
    (target, value, value), the best and second-best removal (target, cost, cost), the best
    relocation to a new target (value, target) and the cheapest single round (cost, target).

    The readable reference of the compiled :func:`shieldwall.battle.wta._kernels.top_moves`
    (bit-identical to it, tested).
    """
    free_chan = (nchan < ccap)[:, None]
    removal = np.where(x > 0, surv * inv_q_m1, np.inf)
    room = (x < upper) & (used_t < tcap)[None, :]
    add = np.where(room & ((x > 0) | free_chan), surv * pk, -np.inf)
    k1, a1, a2 = _row_top2(add, largest=True)
    j1, r1, r2 = _row_top2(removal, largest=False)
    relocate = np.where(room & (x == 0) & ~free_chan, surv * pk, -np.inf)
    single = np.where(x == 1, removal, np.inf)
    return (
        k1, a1, a2, j1, r1, r2, relocate.max(axis=1), relocate.argmax(axis=1),
        single.min(axis=1), single.argmin(axis=1),
    )  # fmt: skip


def _top_moves(
    x: NDArray[np.int64],
    upper: NDArray[np.int64],
    pk: NDArray[np.float64],
    inv_q_m1: NDArray[np.float64],
    surv: NDArray[np.float64],
    used_t: NDArray[np.int64],
    tcap: NDArray[np.int64],
    nchan: NDArray[np.int64],
    ccap: NDArray[np.int64],
) -> tuple[NDArray[Any], ...]:
    """:func:`_top_moves_numpy`, compiled (numba imported on first use)."""
    from shieldwall.battle.wta._kernels import top_moves

    return tuple(top_moves(x, upper, pk, inv_q_m1, surv, used_t, tcap, nchan, ccap))


def improve(
    problem: WTAProblem, x: NDArray[np.int64], max_iter: int = 100_000
) -> NDArray[np.int64]:
    """Steepest-descent local search (two-exchange, one-move, add) on the target-based objective.

    Parameters
    ----------
    problem
        The problem.
    x
        A feasible assignment to improve, ``(n_w, n_t)``.
    max_iter
        Most improving moves applied.

    Returns
    -------
    numpy.ndarray
        A feasible assignment no worse than ``x``, locally optimal for these moves.
    """
    pk, upper, values = problem.pk, problem.upper, problem.values
    inv, tcap, ccap = problem.inventory, problem.target_cap, problem.channel_cap
    q = 1.0 - pk
    inv_q_m1 = 1.0 / q - 1.0
    x = x.astype(np.int64).copy()
    for _ in range(max_iter):
        surv = values * np.exp(-(problem.kill_log * x).sum(axis=0))
        used_w, used_t, nchan = x.sum(axis=1), x.sum(axis=0), (x > 0).sum(axis=1)
        free_chan = (nchan < ccap)[:, None]
        tol = _REL_EPS * max(float(surv.sum()), 1e-300)
        # One-moves: a round of i leaves j (cost R) and goes to k (gain A), j != k; weapons out
        # of channels may still relocate a single round to a new target.
        top = _top_moves(x, upper, pk, inv_q_m1, surv, used_t, tcap, nchan, ccap)
        k1, a1, a2, j1, r1, r2, reloc_best, reloc_k, single_best, single_j = top
        same = k1 == j1
        move_gain = np.where(same, np.maximum(a2 - r1, a1 - r2), a1 - r1)
        reloc_gain = reloc_best - single_best
        spare_gain = np.where(used_w < inv, a1, -np.inf)
        # Two-exchanges between assigned pairs e = (I_e, J_e) and f = (I_f, J_f).
        ii, jj = np.nonzero(x)
        swap_gain = -np.inf
        e_best = f_best = 0
        if ii.size > 1:
            e_best, f_best, swap_gain = _best_swap(
                ii, jj, x, upper, q, surv, nchan, ccap, problem.channels is not None
            )
        gains = (
            float(move_gain.max()),
            float(reloc_gain.max()),
            float(spare_gain.max()),
            swap_gain,
        )
        kind = int(np.argmax(gains))
        if gains[kind] <= tol:
            break
        if kind == 3:
            ie, je, i_f, jf = ii[e_best], jj[e_best], ii[f_best], jj[f_best]
            x[ie, je] -= 1
            x[i_f, jf] -= 1
            x[i_f, je] += 1
            x[ie, jf] += 1
            continue
        if kind == 0:
            i = int(move_gain.argmax())
            j, k = int(j1[i]), int(k1[i])
            if same[i]:
                if a2[i] - r1[i] >= a1[i] - r2[i]:
                    room_i = (x[i] < upper[i]) & (used_t < tcap) & ((x[i] > 0) | free_chan[i])
                    masked = np.where(room_i, surv * pk[i], -np.inf)
                    masked[k] = -np.inf
                    k = int(masked.argmax())
                else:
                    masked = np.where(x[i] > 0, surv * inv_q_m1[i], np.inf)
                    masked[j] = np.inf
                    j = int(masked.argmin())
        elif kind == 1:
            i = int(reloc_gain.argmax())
            j, k = int(single_j[i]), int(reloc_k[i])
        else:
            i = int(spare_gain.argmax())
            j, k = -1, int(k1[i])
        if j >= 0:
            x[i, j] -= 1
        x[i, k] += 1
    return x


def local_search(problem: WTAProblem, start: NDArray[np.int64]) -> NDArray[np.int64]:
    """Greedy completion of ``start``, then :func:`improve` and multi-exchanges until none helps.

    Parameters
    ----------
    problem
        The problem.
    start
        A feasible (possibly partial or empty) assignment, ``(n_w, n_t)``.

    Returns
    -------
    numpy.ndarray
        A feasible assignment, locally optimal for one-moves, two-exchanges and the cyclic and
        path exchanges of :func:`shieldwall.battle.wta.exchange.multi_exchange`.
    """
    x = improve(problem, greedy(problem, start))
    while (better := multi_exchange(problem, x)) is not None:
        x = improve(problem, better)
    return x
