"""Compiled kernels of the WTA local search (numba, the project's explicit accelerator; STYLE.md).

Imported on first use by :func:`shieldwall.battle.wta.heuristic.improve` and
:func:`shieldwall.battle.wta.exchange.multi_exchange`, so that commands that do not plan never
load numba. Each kernel makes the same floating-point operations, in the same order, as the
numpy formulation next to its caller (``heuristic._best_swap_numpy``,
``exchange._relax_numpy``), and breaks ties the same way (first index in C order), so the
results are bit-identical to it (tested); the numpy forms are the readable references.
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["best_swap", "relax"]


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
