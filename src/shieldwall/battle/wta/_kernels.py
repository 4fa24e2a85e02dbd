"""Compiled kernels of the WTA local search (numba, the project's explicit accelerator; STYLE.md).

Imported on first use by :func:`shieldwall.battle.wta.heuristic.improve`,
:func:`shieldwall.battle.wta.exchange.multi_exchange`,
:func:`shieldwall.battle.wta.starts.assignment_start` and
:func:`shieldwall.battle.wta.polish.polish_assets`, so that commands that do not plan never
load numba. Each kernel makes the same floating-point operations, in the same order, as the
formulation next to its caller (``heuristic._best_swap_numpy``, ``exchange._relax_numpy``,
``starts._assign_rounds_scipy``, ``polish.polish_assets_numpy``), and breaks ties the same way,
so the results are bit-identical to it (tested; ``polish_step``'s logarithms and exponentials
are the C library's, as numpy's float64 ones are on this machine's CPUs, AVX2); those forms are
the readable references.
"""

from __future__ import annotations

import math

import numpy as np

from shieldwall._jit import njit

__all__ = [
    "assign_rounds", "assign_rows", "best_swap", "exchange_costs",
    "polish_step", "relax", "top_moves",
]  # fmt: skip


@njit(cache=True, nogil=True)
def best_swap(ii, jj, x, upper, q, surv, nchan, ccap, channels):  # type: ignore[no-untyped-def]
    """Best two-exchange of the assigned pairs ``e = (ii[e], jj[e])``: ``(e, f, gain)``.

    ``gain = h[e, f] + h[f, e]`` with ``h[e, f] = S[jj[e]] (1 - q[ii[f], jj[e]] / q[ii[e], jj[e]])``
    (Ahuja et al., 2007, §4), over the pairs that stay within the pair caps (and the fire
    channels when ``channels``); ``(0, 0, -inf)`` when none. The gain is symmetric, so the first
    maximum in C order of the full ``(e, f)`` table lies at ``e < f``: only those are visited.
    """
    n = ii.shape[0]
    best = -np.inf
    e_best = 0
    f_best = 0
    for e in range(n):
        ie = ii[e]
        je = jj[e]
        q_e = q[ie, je]
        s_e = surv[je]
        for f in range(e + 1, n):
            i_f = ii[f]
            jf = jj[f]
            if ie == i_f or je == jf:
                continue
            if not (x[i_f, je] < upper[i_f, je] and x[ie, jf] < upper[ie, jf]):
                continue
            if channels:
                d_e = np.int64(x[ie, jf] == 0) - np.int64(x[ie, je] == 1)
                d_f = np.int64(x[i_f, je] == 0) - np.int64(x[i_f, jf] == 1)
                if nchan[ie] + d_e > ccap[ie] or nchan[i_f] + d_f > ccap[i_f]:
                    continue
            h_ef = s_e * (1.0 - q[i_f, je] / q_e)
            h_fe = surv[jf] * (1.0 - q[ie, jf] / q[i_f, jf])
            total = h_ef + h_fe
            if total > best:
                best = total
                e_best = e
                f_best = f
    return e_best, f_best, best


@njit(cache=True, nogil=True)
def relax(dist, cost, src, new):  # type: ignore[no-untyped-def]
    """One Bellman–Ford pass: ``new[c] = min_r dist[r] + cost[r, c]`` at the first minimising
    ``src[c] = r`` (written into ``src`` and ``new``)."""
    m = cost.shape[0]
    for c in range(cost.shape[1]):
        src[c] = 0
        new[c] = dist[0] + cost[0, c]
    for r in range(1, m):
        d = dist[r]
        for c in range(cost.shape[1]):
            v = d + cost[r, c]
            if v < new[c]:
                new[c] = v
                src[c] = r


@njit(cache=True, nogil=True)
def exchange_costs(x, upper, q, surv, w, aw, at, t_e, nchan, ccap, channels, cost):  # type: ignore[no-untyped-def]
    """Arc costs into the assigned nodes of the improvement graph, ``cost[e, f]`` for
    ``e < len(w)``, ``f < len(aw)``: ``S[t_f] (q[w_e, t_f] / q[w_f, t_f] - 1)`` where weapon
    ``w_e`` may take the place of the round of ``w_f`` at ``t_f`` (else left as it is: inf)."""
    for e in range(w.shape[0]):
        we = w[e]
        te = t_e[e]
        free = nchan[we] < ccap[we]
        for f in range(aw.shape[0]):
            tf = at[f]
            if we == aw[f] or te == tf or not x[we, tf] < upper[we, tf]:
                continue
            if channels and not (x[we, tf] > 0 or free):
                continue
            cost[e, f] = surv[tf] * (q[we, tf] / q[aw[f], tf] - 1.0)


@njit(cache=True, nogil=True, inline="always")
def _swap_columns(cost, v, spc, path, row4col, home, a, b):  # type: ignore[no-untyped-def]
    """Swap the columns at scan positions ``a`` and ``b`` in every per-column array."""
    for w in range(cost.shape[0]):
        t = cost[w, a]
        cost[w, a] = cost[w, b]
        cost[w, b] = t
    t = v[a]
    v[a] = v[b]
    v[b] = t
    t = spc[a]
    spc[a] = spc[b]
    spc[b] = t
    k = path[a]
    path[a] = path[b]
    path[b] = k
    k = row4col[a]
    row4col[a] = row4col[b]
    row4col[b] = k
    k = home[a]
    home[a] = home[b]
    home[b] = k


@njit(cache=True, nogil=True)
def assign_rounds(gain_w, row_w):  # type: ignore[no-untyped-def]
    """Maximum-gain assignment of rows to distinct columns where row ``r`` has the gains
    ``gain_w[row_w[r]]`` (the rounds of a weapon are alike): the column of each row.

    The shortest augmenting path algorithm (Crouse, 2016, pp. 1685-1686) exactly as
    ``scipy.optimize.linear_sum_assignment(gain_w[row_w], maximize=True)`` runs it for
    ``len(row_w) <= gain_w.shape[1]`` (:func:`assign_rows`), so the columns are the same (tested).
    Every gain must be finite.
    """
    nr = row_w.shape[0]
    n_w, nc = gain_w.shape
    cost = np.empty((n_w, nc))
    for w in range(n_w):
        for p in range(nc):
            cost[w, p] = -gain_w[w, nc - 1 - p]
    u = np.zeros(nr)
    v = np.zeros(nc)
    col4row = np.full(nr, -1, dtype=np.int64)
    row4col = np.full(nc, -1, dtype=np.int64)
    assign_rows(cost, row_w, u, v, col4row, row4col, 0, nr)
    out = np.empty(nr, dtype=np.int64)
    for k in range(nr):
        out[k] = nc - 1 - col4row[k]
    return out


@njit(cache=True, nogil=True)
def assign_rows(cost, row_w, u, v, col4row, row4col, start, stop):  # type: ignore[no-untyped-def]
    """Rows ``start .. stop - 1`` of the shortest augmenting path assignment (in place).

    ``cost[w, p] = -gain[w, nc - 1 - p]``: the costs of each weapon's rows in scipy's scan order
    (``linear_sum_assignment`` scans the columns from the last; a column reached is replaced by
    the last one still in the scan). ``u``, ``v``: row and column duals; ``col4row``: each row's
    column as a scan position; ``row4col``: each position's row (-1 = free); all as left by rows
    ``0 .. start - 1``, whose state depends on their costs only, so a caller may resume from a
    saved one. Rows in order, ties broken toward a free column, the same floating-point
    operations in the same order as scipy (Crouse, 2016, pp. 1685-1686). Two things differ,
    neither in the result: the per-column arrays are kept in scan order (position ``p`` holds
    position ``home[p]``, swapped as the scan shrinks and swapped back after each row), so the
    scan reads them contiguously; and the costs are read per weapon, not from a matrix of one
    row per round. ``cost`` is left as it was.
    """
    nr = row_w.shape[0]
    nc = cost.shape[1]
    spc = np.empty(nc)  # shortest path cost to each column
    path = np.full(nc, -1, dtype=np.int64)
    home = np.arange(nc)
    rows_seen = np.empty(nr, dtype=np.int64)
    swaps = np.empty(nc, dtype=np.int64)
    taken = np.empty(nc, dtype=np.int64)
    for cur in range(start, stop):
        min_val = 0.0
        spc[:] = np.inf
        n_rem = nc
        n_seen = 0
        sink = -1
        i = cur
        while sink == -1:
            index = -1
            lowest = np.inf
            rows_seen[n_seen] = i
            n_seen += 1
            c = cost[row_w[i]]
            u_i = u[i]
            for p in range(n_rem):
                r = min_val + c[p] - u_i - v[p]
                if r < spc[p]:
                    path[p] = i
                    spc[p] = r
                s = spc[p]
                if s < lowest or (s == lowest and row4col[p] == -1):
                    lowest = s
                    index = p
            min_val = lowest
            if row4col[index] == -1:
                sink = home[index]
            else:
                i = row4col[index]
            n_rem -= 1
            swaps[nc - 1 - n_rem] = index
            _swap_columns(cost, v, spc, path, row4col, home, index, n_rem)
        n_taken = nc - n_rem
        for p in range(n_rem, nc):
            taken[p - n_rem] = home[p]
        for s in range(n_taken - 1, -1, -1):  # back to the start-of-row order
            _swap_columns(cost, v, spc, path, row4col, home, swaps[s], nc - 1 - s)
        # Dual updates and augmentation, as scipy (each update is per row or per column).
        u[cur] += min_val
        for s in range(n_seen):
            k = rows_seen[s]
            if k != cur:
                u[k] += min_val - spc[col4row[k]]
        for s in range(n_taken):
            j = taken[s]
            v[j] -= min_val - spc[j]
        j = sink
        while True:
            i = path[j]
            row4col[j] = i
            prev = col4row[i]
            col4row[i] = j
            j = prev
            if i == cur:
                break


@njit(cache=True, nogil=True)
def top_moves(x, upper, pk, inv_q_m1, surv, used_t, tcap, nchan, ccap):  # type: ignore[no-untyped-def]
    """Per weapon, the one-move candidates of the local search (``heuristic._top_moves_numpy``):
    ``add = S pk`` where a round may be added, ``removal = S (1/q - 1)`` where one is assigned;
    first best index, best and second-best value of each (the second over the other targets);
    the best relocation (where the weapon has no free channel) and the cheapest single round,
    with their first indices."""
    n_w, n_t = x.shape
    k1 = np.zeros(n_w, dtype=np.int64)
    a1 = np.full(n_w, -np.inf)
    a2 = np.full(n_w, -np.inf)
    j1 = np.zeros(n_w, dtype=np.int64)
    r1 = np.full(n_w, np.inf)
    r2 = np.full(n_w, np.inf)
    reloc = np.full(n_w, -np.inf)
    reloc_k = np.zeros(n_w, dtype=np.int64)
    single = np.full(n_w, np.inf)
    single_j = np.zeros(n_w, dtype=np.int64)
    for i in range(n_w):
        free = nchan[i] < ccap[i]
        for k in range(n_t):
            xk = x[i, k]
            room = xk < upper[i, k] and used_t[k] < tcap[k]
            gain = surv[k] * pk[i, k]
            add = gain if room and (xk > 0 or free) else -np.inf
            if add > a1[i]:
                if a1[i] > a2[i]:
                    a2[i] = a1[i]
                a1[i] = add
                k1[i] = k
            elif add > a2[i]:
                a2[i] = add
            removal = surv[k] * inv_q_m1[i, k] if xk > 0 else np.inf
            if removal < r1[i]:
                if r1[i] < r2[i]:
                    r2[i] = r1[i]
                r1[i] = removal
                j1[i] = k
            elif removal < r2[i]:
                r2[i] = removal
            if room and xk == 0 and not free and gain > reloc[i]:
                reloc[i] = gain
                reloc_k[i] = k
            if xk == 1 and removal < single[i]:
                single[i] = removal
                single_j[i] = k
    return k1, a1, a2, j1, r1, r2, reloc, reloc_k, single, single_j


@njit(cache=True, nogil=True)
def _log_hold1(y):  # type: ignore[no-untyped-def]
    """``polish._log_hold`` of one value: ``(ln(1 - exp(-y)), 0.0)`` where ``y > 0``, else
    ``(0.0, 1.0)``."""
    if y > 0.0:
        return math.log(-math.expm1(-y)), 0.0
    return 0.0, 1.0


@njit(cache=True, nogil=True)
def _new_held1(ls, nz):  # type: ignore[no-untyped-def]
    """``polish._new_held`` of one value (``np.minimum`` keeps a NaN)."""
    if nz > 0.5:
        return 0.0
    return math.exp(ls if (ls < 0.0 or ls != ls) else 0.0)


@njit(cache=True, nogil=True)
def polish_step(x, a, asset, av, inventory, upper, target_cap, channel_cap, held):  # type: ignore[no-untyped-def]
    """One step of ``polish.polish_assets_numpy``: the best one-move of ``x`` on the asset-based
    objective, ``(sources, weapon, source target (-1: a spare round), destination, gain)``, the
    first maximum in C order over (source, destination) as ``polish.best_move_numpy`` finds it
    (sources: the assigned pairs in C order, then the weapons with a spare round); ``held``
    (per asset) is written for the caller's loss. ``sources`` is 0 when there is none.

    Every value is made by the same floating-point operations in the same order as the numpy
    step: the per-threat sums over weapons in weapon order (``(a * x).sum(axis=0)``), the
    per-asset sums in threat order (``np.bincount``), then each move's gain from them.
    """
    n_w, n_t = x.shape
    n_a = av.shape[0]
    if n_w == 0 or n_t == 0:
        return 0, 0, -1, 0, -np.inf
    y = np.empty(n_t)
    lh = np.empty(n_t)
    zero = np.empty(n_t)
    used_t = np.zeros(n_t, dtype=np.int64)
    for j in range(n_t):
        acc = a[0, j] * x[0, j]
        used = x[0, j]
        for i in range(1, n_w):
            acc += a[i, j] * x[i, j]
            used += x[i, j]
        y[j] = acc
        used_t[j] = used
        lh[j], zero[j] = _log_hold1(acc)
    sum_lh = np.zeros(n_a)
    n_zero = np.zeros(n_a)
    for j in range(n_t):
        sum_lh[asset[j]] += lh[j]
        n_zero[asset[j]] += zero[j]
    for g in range(n_a):
        held[g] = 0.0 if n_zero[g] > 0.0 else math.exp(sum_lh[g])
    used_w = np.zeros(n_w, dtype=np.int64)
    nchan = np.zeros(n_w, dtype=np.int64)
    n_src = 0
    for i in range(n_w):
        for j in range(n_t):
            used_w[i] += x[i, j]
            if x[i, j] != 0:
                nchan[i] += 1
                n_src += 1
    spare = used_w < inventory
    n_src += int(spare.sum())
    if n_src == 0:
        return 0, 0, -1, 0, -np.inf
    # Destination k after gaining a round of weapon i, where k's asset is not the source's.
    ls_w = np.empty((n_w, n_t))
    nz_w = np.empty((n_w, n_t))
    gain_w = np.empty((n_w, n_t))
    for i in range(n_w):
        if nchan[i] == 0 and not spare[i]:
            continue  # no source
        for k in range(n_t):
            lh_k, zero_k = _log_hold1(y[k] + a[i, k])
            g = asset[k]
            ls = sum_lh[g] + (lh_k - lh[k])
            nz = n_zero[g] + (zero_k - zero[k])
            ls_w[i, k] = ls
            nz_w[i, k] = nz
            gain_w[i, k] = av[g] * (_new_held1(ls, nz) - held[g])
    best = -np.inf
    w_best, t_best, k_best = 0, -1, 0
    for spare_pass in range(2):  # the assigned pairs (C order), then the spare rounds
        for w in range(n_w):
            if spare_pass == 1 and not spare[w]:
                continue
            lo, hi = (0, n_t) if spare_pass == 0 else (-1, 0)
            for src in range(lo, hi):
                if src >= 0 and x[w, src] == 0:
                    continue
                has = src >= 0
                d_lh = 0.0
                d_z = 0.0
                aj = -1
                change = 0.0
                if has:  # the source's threat after losing the round, and its asset
                    y_j = y[src] - a[w, src]
                    lh_j, zero_j = _log_hold1(y_j if (y_j >= 0.0 or y_j != y_j) else 0.0)
                    d_lh = lh_j - lh[src]
                    d_z = zero_j - zero[src]
                    aj = asset[src]
                    change = av[aj] * (_new_held1(sum_lh[aj] + d_lh, n_zero[aj] + d_z) - held[aj])
                frees = has and x[w, src] == 1
                chan_free = nchan[w] < channel_cap[w]
                for k in range(n_t):
                    x_k = x[w, k]
                    if not (
                        x_k < upper[w, k]
                        and used_t[k] < target_cap[k]
                        and (x_k > 0 or chan_free or frees)
                        and k != src
                    ):
                        continue
                    g = asset[k]
                    if g == aj:  # the source's own asset: its change enters the gain
                        val = av[g] * (_new_held1(ls_w[w, k] + d_lh, nz_w[w, k] + d_z) - held[g])
                        val = val + 0.0
                    else:
                        val = gain_w[w, k] + change
                    if val != val:  # NaN: argmax stops at the first
                        return n_src, w, src, k, val
                    if val > best:
                        best = val
                        w_best, t_best, k_best = w, src, k
    return n_src, w_best, t_best, k_best, best
