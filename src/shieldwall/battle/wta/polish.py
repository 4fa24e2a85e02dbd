"""Local search on the asset-based objective, to polish a target-based (surrogate) assignment.

The asset-based WTA (Hosein and Athans, 1990) loses asset ``a`` unless every threat aimed at it is
killed: expected loss ``sum_a A_a (1 - prod_{j in a} (1 - L_j))``. It is not separable over threats,
so after solving the separable surrogate we apply steepest-descent one-moves (a round moves to
another threat, or a spare round is fired) evaluated exactly for every candidate at once.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from shieldwall.battle.wta.problem import WTAProblem

__all__ = ["best_move_numpy", "polish_assets", "polish_assets_numpy"]

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


@dataclass(frozen=True, kw_only=True)
class _Moves:
    """What the best one-move of a polish step depends on (:func:`best_move_numpy`).

    ``x``, ``upper``: the assignment and its pair caps; ``used_t``, ``target_cap``, ``nchan``,
    ``channel_cap``: rounds per target and channels in use, with their caps; ``asset``, ``av``:
    each threat's asset and the asset values; ``held``, ``sum_lh``, ``n_zero``: per asset, the
    hold probability, summed log-hold and unengaged threats; ``src_w``, ``src_t``: each source's
    weapon and target (-1: a spare round), ``of_w`` its row of the per-weapon arrays ``ls_w``,
    ``nz_w``, ``gain_w`` (a destination's asset after gaining a round, and the gain where it is
    not the source's asset); ``d_lh_j``, ``d_z_j``: the source asset's change from losing it.
    """

    x: NDArray[np.int64]
    upper: NDArray[np.int64]
    used_t: NDArray[np.int64]
    target_cap: NDArray[np.int64]
    nchan: NDArray[np.int64]
    channel_cap: NDArray[np.int64]
    asset: NDArray[np.int64]
    av: NDArray[np.float64]
    held: NDArray[np.float64]
    sum_lh: NDArray[np.float64]
    n_zero: NDArray[np.float64]
    src_w: NDArray[np.intp]
    src_t: NDArray[np.intp]
    of_w: NDArray[np.intp]
    ls_w: NDArray[np.float64]
    nz_w: NDArray[np.float64]
    gain_w: NDArray[np.float64]
    d_lh_j: NDArray[np.float64]
    d_z_j: NDArray[np.float64]


def _same_asset_held(m: _Moves, ss: NDArray[np.intp], kk: NDArray[np.intp]) -> NDArray[np.float64]:
    """Gain of the moves ``(ss, kk)`` whose destination's asset is the source's."""
    held_sk = _new_held(m.ls_w[m.of_w[ss], kk] + m.d_lh_j[ss], m.nz_w[m.of_w[ss], kk] + m.d_z_j[ss])
    return m.av[m.asset[kk]] * (held_sk - m.held[m.asset[kk]])


def _source_change(m: _Moves) -> tuple[NDArray[np.bool_], NDArray[np.float64], NDArray[np.intp]]:
    """Per source: has a target, the change of its own asset's loss, and that asset (or -1)."""
    has_src = m.src_t >= 0
    sj0 = np.where(has_src, m.src_t, 0)
    aj0 = np.where(has_src, m.asset[sj0], 0).astype(np.intp)
    held_j = _new_held(m.sum_lh[aj0] + m.d_lh_j, m.n_zero[aj0] + m.d_z_j)
    a_j = np.where(has_src, m.asset[sj0], -1).astype(np.intp)
    return has_src, m.av[aj0] * (held_j - m.held[aj0]), a_j


def best_move_numpy(m: _Moves) -> tuple[int, int, float]:
    """Best one-move ``(source, destination, gain)``, the first maximum in C order of the
    ``(S, n_t)`` gain table (``(0, 0, -inf)`` when none is allowed).

    The move the compiled :func:`shieldwall.battle.wta._kernels.polish_step` finds
    (bit-identical to it, tested).
    """
    x, src_w, src_t = m.x, m.src_w, m.src_t
    has_src, change_j, a_j = _source_change(m)
    sj0 = np.where(has_src, src_t, 0)
    gain = m.gain_w[m.of_w]
    same = a_j[:, None] == m.asset[None, :]
    # Same asset: the source's change enters the destination's asset too.
    ss, kk = np.nonzero(same)
    gain[ss, kk] = _same_asset_held(m, ss, kk)
    gain = gain + np.where(same | ~has_src[:, None], 0.0, change_j[:, None])
    # Feasibility of each (source, destination).
    ok = (x[src_w] < m.upper[src_w]) & (m.used_t < m.target_cap)[None, :]
    frees = has_src & (x[src_w, sj0] == 1)
    ok &= (x[src_w] > 0) | (m.nchan[src_w] < m.channel_cap[src_w])[:, None] | frees[:, None]
    ok &= np.arange(x.shape[1])[None, :] != src_t[:, None]
    gain = np.where(ok, gain, -np.inf)
    flat = int(gain.argmax())
    s, k = divmod(flat, x.shape[1])
    return s, k, float(gain[s, k])


def polish_assets(
    problem: WTAProblem, x: NDArray[np.int64], max_iter: int = 10_000
) -> NDArray[np.int64]:
    """Improve ``x`` on the asset-based objective by one-moves and spare-round additions.

    Each step finds the best move in a compiled kernel (:func:`shieldwall.battle.wta._kernels.
    polish_step`, numba imported on first use) by the floating-point operations of
    :func:`polish_assets_numpy`, in its order: the same moves, the same assignment (tested);
    ~40% of a flagship plan's time was these steps' numpy calls on small arrays.

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
    from shieldwall.battle.wta._kernels import polish_step

    av = problem.asset_values
    args = (
        np.ascontiguousarray(problem.kill_log, dtype=np.float64),
        np.ascontiguousarray(problem.target_asset, dtype=np.int64),
        np.ascontiguousarray(av, dtype=np.float64),
        np.ascontiguousarray(problem.inventory, dtype=np.int64),
        np.ascontiguousarray(problem.upper, dtype=np.int64),
        np.ascontiguousarray(problem.target_cap, dtype=np.int64),
        np.ascontiguousarray(problem.channel_cap, dtype=np.int64),
    )
    x = x.astype(np.int64).copy()
    held = np.empty(av.shape[0])
    for _ in range(max_iter):
        n_src, w, t, k, best = polish_step(x, *args, held)
        if n_src == 0:
            break
        loss = float(av.sum() - av @ held)
        if not best > _REL_EPS * max(loss, 1e-300):
            break
        if t >= 0:
            x[w, t] -= 1
        x[w, k] += 1
    return x


def polish_assets_numpy(
    problem: WTAProblem, x: NDArray[np.int64], max_iter: int = 10_000
) -> NDArray[np.int64]:
    """:func:`polish_assets` (same parameters and result) step by step in numpy, each step's
    best move from its ``(S, n_t)`` gain table (:func:`best_move_numpy`): the readable
    reference of the compiled steps, which give the same assignment (tested)."""
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
        gain_w = av[a_k] * (_new_held(ls_w, nz_w) - held[a_k])
        move = _Moves(
            x=x, upper=upper, used_t=used_t, target_cap=problem.target_cap, nchan=nchan,
            channel_cap=problem.channel_cap, asset=asset, av=av, held=held, sum_lh=sum_lh,
            n_zero=n_zero, src_w=src_w, src_t=src_t, of_w=of_w, ls_w=ls_w, nz_w=nz_w,
            gain_w=gain_w, d_lh_j=d_lh_j[:, 0], d_z_j=d_z_j[:, 0],
        )  # fmt: skip
        s, k, best = best_move_numpy(move)
        loss = float(av.sum() - av @ held)
        if not best > _REL_EPS * max(loss, 1e-300):
            break
        if src_t[s] >= 0:
            x[src_w[s], src_t[s]] -= 1
        x[src_w[s], k] += 1
    return x
