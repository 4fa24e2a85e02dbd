"""Local search on the asset-based objective, to polish a target-based (surrogate) assignment.

The asset-based WTA (Hosein and Athans, 1990) loses asset ``a`` unless every threat aimed at it is
killed: expected loss ``sum_a A_a (1 - prod_{j in a} (1 - L_j))``. It is not separable over threats,
so after solving the separable surrogate we apply steepest-descent one-moves (a round moves to
another threat, or a spare round is fired) evaluated exactly for every candidate at once.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from shieldwall.battle.wta.problem import WTAProblem

__all__ = ["polish_assets"]

#: Improvements smaller than this fraction of the objective are floating-point noise.
_REL_EPS = 1e-12


def _log_hold(y: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """``ln(1 - exp(-y))`` where ``y > 0`` (else 0) and the indicator of ``y == 0`` (sure leak)."""
    engaged = y > 0
    lh = np.log(-np.expm1(-y), where=engaged, out=np.zeros(y.shape))
    return lh, (~engaged).astype(np.float64)


def _new_held(ls: NDArray[np.float64], nz: NDArray[np.float64]) -> NDArray[np.float64]:
    """Hold probability of an asset from its summed log-hold and count of unengaged threats."""
    return np.where(nz > 0.5, 0.0, np.exp(np.minimum(ls, 0.0)))


def polish_assets(
    problem: WTAProblem, x: NDArray[np.int64], max_iter: int = 10_000
) -> NDArray[np.int64]:
    """Improve ``x`` on the asset-based objective by one-moves and spare-round additions.

    Parameters
    ----------
    problem
        An asset-based problem (returned unchanged otherwise).
    x
        A feasible assignment, ``(n_w, n_t)``.
    max_iter
        Most improving moves applied.

    Returns
    -------
    numpy.ndarray
        A feasible assignment no worse than ``x`` on the asset-based objective.
    """
    if problem.asset_values is None or problem.target_asset is None:
        return x
    a, upper, asset = problem.kill_log, problem.upper, problem.target_asset
    av = problem.asset_values
    n_assets = av.shape[0]
    x = x.astype(np.int64).copy()
    for _ in range(max_iter):
        used_w, used_t, nchan = x.sum(axis=1), x.sum(axis=0), (x > 0).sum(axis=1)
        y = (a * x).sum(axis=0)
        lh, zero = _log_hold(y)
        sum_lh = np.bincount(asset, weights=lh, minlength=n_assets).astype(np.float64)
        n_zero = np.bincount(asset, weights=zero, minlength=n_assets).astype(np.float64)
        held = np.where(n_zero > 0, 0.0, np.exp(sum_lh))
        # Sources: one round of an assigned pair, or a spare round (source target -1).
        si, sj = np.nonzero(x)
        spare = np.nonzero(used_w < problem.inventory)[0]
        src_w = np.concatenate([si, spare])
        src_t = np.concatenate([sj, np.full(spare.size, -1)])
        if src_w.size == 0:
            break
        has_src = src_t >= 0
        sj0 = np.where(has_src, src_t, 0)
        # Source target after losing the round.
        y_j = np.where(has_src, y[sj0] - a[src_w, sj0], 0.0)
        lh_j, zero_j = _log_hold(np.maximum(y_j, 0.0) * has_src)
        d_lh_j = np.where(has_src, lh_j - lh[sj0], 0.0)[:, None]
        d_z_j = np.where(has_src, zero_j - zero[sj0], 0.0)[:, None]
        # Destination target k after gaining it: (S, n_t). Where k's asset is not the source's,
        # the change depends on the source's weapon only: computed once per weapon (U, n_t).
        uw, of_w = np.unique(src_w, return_inverse=True)
        lh_k, zero_k = _log_hold(y[None, :] + a[uw])
        a_k = asset[None, :]
        ls_w = sum_lh[a_k] + (lh_k - lh[None, :])
        nz_w = n_zero[a_k] + (zero_k - zero[None, :])
        gain = (av[a_k] * (_new_held(ls_w, nz_w) - held[a_k]))[of_w]
        a_j = np.where(has_src, asset[sj0], -1)[:, None]
        same = a_j == a_k
        # Same asset: the source's change enters the destination's asset too.
        ss, kk = np.nonzero(same)
        held_sk = _new_held(ls_w[of_w[ss], kk] + d_lh_j[ss, 0], nz_w[of_w[ss], kk] + d_z_j[ss, 0])
        gain[ss, kk] = av[asset[kk]] * (held_sk - held[asset[kk]])
        aj0 = np.where(has_src, asset[sj0], 0)[:, None].astype(np.intp)
        held_j = _new_held(sum_lh[aj0] + d_lh_j, n_zero[aj0] + d_z_j)
        gain = gain + np.where(same | ~has_src[:, None], 0.0, av[aj0] * (held_j - held[aj0]))
        # Feasibility of each (source, destination).
        ok = (x[src_w] < upper[src_w]) & (used_t < problem.target_cap)[None, :]
        frees = has_src & (x[src_w, sj0] == 1)
        ok &= (x[src_w] > 0) | (nchan[src_w] < problem.channel_cap[src_w])[:, None] | frees[:, None]
        ok &= np.arange(problem.n_targets)[None, :] != src_t[:, None]
        gain = np.where(ok, gain, -np.inf)
        flat = int(gain.argmax())
        s, k = divmod(flat, problem.n_targets)
        loss = float(av.sum() - av @ held)
        if not gain[s, k] > _REL_EPS * max(loss, 1e-300):
            break
        if has_src[s]:
            x[src_w[s], src_t[s]] -= 1
        x[src_w[s], k] += 1
    return x
