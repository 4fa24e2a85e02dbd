"""Compiled kernel of the believed-target search (numba, the project's explicit accelerator;
STYLE.md).

Imported on first use by :func:`shieldwall.battle.trial_inputs.believed_assets`, so commands
that build no trial inputs never load numba. :func:`believed_trials` makes, per (trial, nation,
threat) cell, the same floating-point operations as the numpy formulation
(``trial_inputs._believed_numpy``): ``e_e = C00·z0``, ``e_n = C10·z0 + C11·z1``,
``d = sqrt((o_e − e_e)² + (o_n − e_n)²)``, ``d <= reach``, the first smallest ``d`` among the
candidates (``argmin`` over ``d`` with non-candidates at ``inf``: the lowest index on ties, index
0 when none), so the believed assets are identical (tested), without the
(trial, nation, threat, asset) temporaries. Assets that no trial's believed point comes within
reach of (farther from the true impact than the farthest believed point plus the asset's reach,
with a margin far above rounding) are skipped: a non-candidate never changes the answer.
"""

from __future__ import annotations

import math

import numpy as np

from shieldwall._jit import njit

__all__ = ["believed_trials"]


@njit(cache=True, nogil=True)
def believed_trials(chol, reach, off_e, off_n, z, out):  # pragma: no cover - compiled
    """Fill ``out (n_trial, n_nat, n_threat)`` with each nation's believed asset (-1 none).

    ``chol (n_nat, n_t, 2, 2)``, ``reach (n_nat, n_t, n_a)``, ``off_e``, ``off_n (n_t, n_a)``,
    ``z (n_nat, n_t, 2, n_trial)``.
    """
    n_nat, n_t, _, n_tr = z.shape
    n_a = off_e.shape[1]
    cand = np.empty(n_a, dtype=np.int64)
    for d in range(n_nat):
        for i in range(n_t):
            c00 = chol[d, i, 0, 0]
            c10 = chol[d, i, 1, 0]
            c11 = chol[d, i, 1, 1]
            # the farthest believed point from the true impact over the trials: an asset
            # farther than that plus its reach (with a margin far above rounding) is never a
            # candidate, and a non-candidate never changes the search (it counts as inf)
            e_max = 0.0
            for n in range(n_tr):
                e_e = c00 * z[d, i, 0, n]
                e_n = c10 * z[d, i, 0, n] + c11 * z[d, i, 1, n]
                r = math.sqrt(e_e * e_e + e_n * e_n)
                if not r <= e_max:  # also NaN: then nothing is skipped
                    e_max = r
            n_c = 0
            for a in range(n_a):
                o = math.sqrt(off_e[i, a] * off_e[i, a] + off_n[i, a] * off_n[i, a])
                slack = 1e-6 * (o + e_max) + 1e-3
                if not o - e_max > reach[d, i, a] + slack:  # NaN, inf: kept
                    cand[n_c] = a
                    n_c += 1
            for n in range(n_tr):
                z0 = z[d, i, 0, n]
                z1 = z[d, i, 1, n]
                e_e = c00 * z0
                e_n = c10 * z0 + c11 * z1
                best = -1
                best_v = np.inf
                first_in = False  # asset 0 is a candidate
                for k in range(n_c):
                    a = cand[k]
                    de = off_e[i, a] - e_e
                    dn = off_n[i, a] - e_n
                    dist = math.sqrt(de * de + dn * dn)
                    inside = dist <= reach[d, i, a]  # NaN (no IPP) compares False
                    if inside and a == 0:
                        first_in = True
                    if inside and dist < best_v:  # the first smallest finite distance wins
                        best_v = dist
                        best = a
                # none at a finite distance: argmin over all-inf is index 0
                out[n, d, i] = best if best >= 0 else (0 if first_in else -1)
    return out
