"""Compiled kernels of sensing/ (numba, the project's explicit accelerator; STYLE.md).

Imported on first use by :mod:`shieldwall.sensing.detection`, so that commands that do not
sense never load numba. Each kernel performs the same floating-point operations in the same
order as the numpy formulation it replaces, so results are bit-identical to it (tested).
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["m_of_n_rows"]


@njit(cache=True, nogil=True)
def m_of_n_rows(pd, look, nxt, initiates, out):
    """The M-of-N Markov chain of :func:`shieldwall.sensing.detection.m_of_n_cdf`, row by row.

    ``pd``, ``look`` and ``out`` are ``(n_row, m)``; ``nxt[b, s]`` is the window after outcome
    ``b`` in window ``s`` and ``initiates[b, s]`` whether that outcome initiates the track.
    Sums run over ``b = 0, 1`` then states in ascending order, as in the numpy version.
    """
    n_row, m = pd.shape
    n_state = nxt.shape[1]
    prob = np.empty(n_state)
    new = np.empty(n_state)
    for i in range(n_row):
        # Before the first look with Pd > 0 (or NaN) the chain stays in the empty window with
        # nothing initiated, and after the last one nothing more initiates (every window held
        # has fewer than M detections, and a zero outcome adds 0.0 to the sum): those samples
        # get exactly the numbers the steps would give, without stepping the chain (most
        # (radar, threat) rows see their threat over a short part of the grid, or not at all).
        k0 = 0
        while k0 < m and (not look[i, k0] or pd[i, k0] <= 0.0):
            out[i, k0] = 0.0
            k0 += 1
        k1 = m
        while k1 > k0 and (not look[i, k1 - 1] or pd[i, k1 - 1] <= 0.0):
            k1 -= 1
        prob[:] = 0.0
        prob[0] = 1.0
        done = 0.0
        for k in range(k0, k1):
            if look[i, k]:
                p = pd[i, k]
                if p < 0.0:
                    p = 0.0
                elif p > 1.0:
                    p = 1.0
                new[:] = 0.0
                gain = 0.0
                for b in range(2):
                    pb = 1.0 - p if b == 0 else p
                    for s in range(n_state):
                        w = prob[s] * pb
                        if initiates[b, s]:
                            gain += w
                        else:
                            new[nxt[b, s]] += w
                prob[:] = new
                done = done + gain
            out[i, k] = done
        for k in range(k1, m):
            out[i, k] = done
