"""Multi-exchange neighbourhood for WTA: negative cycles in an improvement graph.

Ahuja, Kumar, Jha and Orlin (2007, §4, "very large-scale neighbourhood search") move many rounds at
once: round ``e`` (weapon ``w_e`` now at target ``t_e``) takes the place of round ``f`` at target
``t_f``, whose weapon takes the place of another round, and so on around a cycle (cyclic exchange),
or from a target that only loses a round to one that only gains one (path exchange). In the
improvement graph an arc ``e -> f`` costs the change of target ``t_f``'s expected surviving value,
``S_f (q[w_e, t_f] / q[w_f, t_f] - 1)``; a dummy node closes paths (``d -> f``: ``t_f`` loses its
round; ``e -> d``: ``w_e`` fires at its best open target; ``d -> s``: a spare round enters). When
the targets of a cycle are distinct its cost is the exact change of the objective. We find negative
cycles with a vectorized Bellman–Ford label-correcting pass (all nodes start at 0) and detect them
in the predecessor graph, then check each candidate exactly against the constraints and the true
objective before applying it (the arc costs are exact only for subset-disjoint cycles).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from shieldwall.battle.wta.problem import WTAProblem

__all__ = ["multi_exchange"]


def _cycles(pred: NDArray[np.intp]) -> list[list[int]]:
    """The distinct cycles of the functional graph ``v -> pred[v]`` (``-1`` = no predecessor)."""
    m = pred.size
    nxt = np.where(pred >= 0, pred, m)
    nxt = np.append(nxt, m)  # node m absorbs walks that fall off
    jump = nxt
    for _ in range(int(m).bit_length()):  # pointer doubling: jump = nxt applied 2^k >= m times
        jump = jump[jump]
    cur = jump[:m]  # after m steps every walk that never ends sits on a cycle
    on_cycle = np.unique(cur[cur < m])
    seen: set[int] = set()
    found = []
    for start in on_cycle.tolist():
        if start in seen:
            continue
        cycle = [start]
        node = int(pred[start])
        while node != start:
            cycle.append(node)
            node = int(pred[node])
        seen.update(cycle)
        found.append(cycle[::-1])  # arc order: pred[b] = a means arc a -> b
    return found


def _relax_numpy(
    dist: NDArray[np.float64], cost: NDArray[np.float64]
) -> tuple[NDArray[np.intp], NDArray[np.float64]]:
    """One Bellman–Ford pass: the first minimising predecessor of every node and its label.

    The readable reference of the compiled :func:`shieldwall.battle.wta._kernels.relax`
    (bit-identical to it, tested).
    """
    cand = dist[:, None] + cost
    src = cand.argmin(axis=0)
    return src, cand[src, np.arange(cost.shape[1])]


def _relax(
    dist: NDArray[np.float64], cost: NDArray[np.float64]
) -> tuple[NDArray[np.intp], NDArray[np.float64]]:
    """:func:`_relax_numpy`, compiled (numba imported on first use)."""
    from shieldwall.battle.wta._kernels import relax

    src = np.empty(cost.shape[1], dtype=np.intp)
    new = np.empty(cost.shape[1])
    relax(dist, cost, src, new)
    return src, new


def _into_costs_numpy(
    problem: WTAProblem,
    x: NDArray[np.int64],
    surv: NDArray[np.float64],
    nchan: NDArray[np.int64],
    w: NDArray[np.intp],
    aw: NDArray[np.intp],
    at: NDArray[np.intp],
    t_e: NDArray[np.intp],
    cost: NDArray[np.float64],
) -> None:
    """Arc costs into the assigned nodes, ``cost[:len(w), :len(aw)]`` (in place): weapon
    ``w_e`` replaces a round of ``w_f`` at ``t_f``. The readable reference of the compiled
    :func:`shieldwall.battle.wta._kernels.exchange_costs` (bit-identical to it, tested)."""
    upper, q = problem.upper, 1.0 - problem.pk
    grid = (w[:, None], at[None, :])  # [e, f] -> (w_e, t_f)
    into = surv[at] * (q[grid] / q[aw, at] - 1.0)
    ok = (x[grid] < upper[grid]) & (w[:, None] != aw[None, :])
    ok &= t_e[:, None] != at[None, :]
    if problem.channels is not None:
        ok &= (x[grid] > 0) | (nchan[w] < problem.channel_cap[w])[:, None]
    cost[: w.size, : aw.size] = np.where(ok, into, np.inf)


def _into_costs(
    problem: WTAProblem,
    x: NDArray[np.int64],
    surv: NDArray[np.float64],
    nchan: NDArray[np.int64],
    w: NDArray[np.intp],
    aw: NDArray[np.intp],
    at: NDArray[np.intp],
    t_e: NDArray[np.intp],
    cost: NDArray[np.float64],
) -> None:
    """:func:`_into_costs_numpy`, compiled (numba imported on first use)."""
    from shieldwall.battle.wta._kernels import exchange_costs

    exchange_costs(
        x, problem.upper, 1.0 - problem.pk, surv, w, aw, at, t_e, nchan, problem.channel_cap,
        problem.channels is not None, cost,
    )  # fmt: skip


def _best_adds(
    add_w: NDArray[np.float64], w: NDArray[np.intp], t_e: NDArray[np.intp]
) -> tuple[NDArray[np.intp], NDArray[np.float64]]:
    """Per node ``e``, the first best target of ``add_w[w_e]`` other than its own ``t_e``, and
    that gain (``add_w`` is ``(n_w, n_t)``, ``-inf`` where closed).

    The same as the argmax of each node's row with its own target masked, found from each
    weapon's first and (first after masking it) second best target.
    """
    rows = np.arange(add_w.shape[0])
    top = add_w.argmax(axis=1)
    masked = add_w.copy()
    masked[rows, top] = -np.inf
    second = masked.argmax(axis=1)
    clash = t_e == top[w]  # the node's own target is its weapon's best: take the next
    best_t = np.where(clash, second[w], top[w])
    best_add = np.where(clash, masked[w, second[w]], add_w[w, top[w]])
    return best_t, best_add


def multi_exchange(
    problem: WTAProblem,
    x: NDArray[np.int64],
    max_passes: int | None = None,
    max_restarts: int = 8,
) -> NDArray[np.int64] | None:
    """Find one improving cyclic or path multi-exchange of ``x`` (target-based objective).

    Parameters
    ----------
    problem
        The problem.
    x
        A feasible assignment, ``(n_w, n_t)``.
    max_passes
        Bellman–Ford passes before giving up; the number of graph nodes when ``None``.
    max_restarts
        Searches restarted after removing the arcs of cycles that did not improve ``x``.

    Returns
    -------
    numpy.ndarray or None
        A feasible assignment strictly better than ``x``, or ``None`` if none was found.
    """
    pk, upper, q = problem.pk, problem.upper, 1.0 - problem.pk
    surv = problem.values * np.exp(-(problem.kill_log * x).sum(axis=0))
    base = float(surv.sum())
    used_w, used_t, nchan = x.sum(axis=1), x.sum(axis=0), (x > 0).sum(axis=1)
    aw, at = np.nonzero(x)
    spare = np.nonzero(used_w < problem.inventory)[0]
    n_a, n_s = aw.size, spare.size
    m = n_a + n_s + 1
    dummy = m - 1
    w = np.concatenate([aw, spare])
    t_e = np.concatenate([at, np.full(n_s, -1)])
    cost = np.full((m, m), np.inf)
    _into_costs(problem, x, surv, nchan, w, aw, at, t_e, cost)
    # Dummy arcs: d -> assigned (its target loses a round), d -> spare (free), e -> d (best add).
    cost[dummy, :n_a] = surv[at] * (1.0 / q[aw, at] - 1.0)
    cost[dummy, n_a : n_a + n_s] = 0.0
    room = (x < upper) & (used_t < problem.target_cap)[None, :]
    room &= (x > 0) | (nchan < problem.channel_cap)[:, None]
    best_t, best_add = _best_adds(np.where(room, surv * pk, -np.inf), w, t_e)
    cost[: m - 1, dummy] = -best_add
    tol = 1e-12 * max(base, 1e-300)
    dist = np.zeros(m)
    pred = np.full(m, -1, dtype=np.intp)
    passes = m if max_passes is None else max_passes
    restarts = 0
    done = 0
    while done < passes:
        done += 1
        src, new = _relax(dist, cost)
        better = new < dist - tol
        if not better.any():
            return None
        dist[better] = new[better]
        pred[better] = src[better]
        found = _cycles(pred)
        for cycle in found:
            y = _apply(x, cycle, w, at, best_t, n_a, dummy)
            if (
                y is not None
                and not problem.violations(y)
                and float(problem.surrogate_loss(y)) < base - tol
            ):
                return y
        if found:
            # The arc costs were not exact for these cycles (a target visited twice, or a side
            # constraint): remove their arcs and search again from fresh labels.
            if restarts >= max_restarts:
                return None
            restarts += 1
            for cycle in found:
                cost[cycle, np.roll(cycle, -1)] = np.inf
            dist[:] = 0.0
            pred[:] = -1
            done = 0
    return None


def _apply(
    x: NDArray[np.int64],
    cycle: list[int],
    w: NDArray[np.intp],
    at: NDArray[np.intp],
    best_t: NDArray[np.intp],
    n_a: int,
    dummy: int,
) -> NDArray[np.int64] | None:
    """The assignment after the exchange along ``cycle`` (arc order), or None if malformed."""
    y = x.copy()
    k = len(cycle)
    for pos in range(k):
        a, b = cycle[pos], cycle[(pos + 1) % k]
        if b == dummy:
            if a == dummy:
                return None
            y[w[a], best_t[a]] += 1
        elif b < n_a:
            y[w[b], at[b]] -= 1
            if a != dummy:
                y[w[a], at[b]] += 1
        elif a != dummy:  # only the dummy may enter a spare node
            return None
    if np.any(y < 0):
        return None
    return y
