"""A nation's first-track time as a random variable, and per-trial fire-control times.

The detection process is random per trial: each radar's looks detect with their Swerling-1
probability and its M-of-N track initiation happens at a random look
(:func:`shieldwall.sensing.detection.m_of_n_cdf` gives its exact distribution ``F_r``). Nation
``n`` holds a first track as soon as one of the radars whose data it receives (its own, and
those of nations sharing at ``track`` or above, ``d_r`` samples late) has initiated:

    G_n(t) = P(T_n ≤ t) = 1 − Π_r (1 − F_r(t − d_r))

(radars detect independently: their Swerling-1 fluctuations are independent; the cue times
that couple them are taken at their nominal values). The per-trial fire-control time is the
quantile ``Q_n(u)`` of ``G_n`` for the trial's uniform ``u``, plus the covariance convergence
time of the nominal analysis, ``Δ = t_fc − Q_n(½)``, never before the threat's IPP exists (after
boost):

    t_fc(u) = max(Q_n(u) + Δ, t_ipp),   so  t_fc(½) = t_fc  (the nominal value is the median).

Kernels here are pure functions on ragged rows: a row (threat) ``j`` is the slice
``offsets[j] : offsets[j] + lengths[j]`` of a flat array.
"""

from __future__ import annotations

import numpy as np

from shieldwall._types import F64, I64

__all__ = ["QUANTILE_BINS", "nation_track_cdf", "quantile_index"]


#: Bins of the per-row lookup table that brackets each quantile search (a power of two, so that
#: ``cdf · QUANTILE_BINS`` and ``b / QUANTILE_BINS`` are exact and the bracket is exact).
QUANTILE_BINS = 256


def nation_track_cdf(
    radar_cdf: F64,
    radar_nation_idx: I64,
    receives: np.ndarray,
    lag_samples: I64,
) -> F64:
    """``G_n``: probability that nation ``n`` holds a track by each sample, ``(n_nat, n_t, m)``.

    Parameters
    ----------
    radar_cdf
        Per-radar M-of-N track-initiation CDF on the grid, ``(n_radar, n_t, m)``
        (``Visibility.p_track_cdf``; clipped to [0, 1] against its last-bit rounding).
    radar_nation_idx
        Nation of each radar, ``(n_radar,)``.
    receives
        ``(n_nat, n_nat)`` bool, ``receives[src, dst]``: ``dst`` fuses ``src``'s radar data.
    lag_samples
        ``(n_nat, n_nat)`` link latency ``src → dst`` in grid samples (rounded up; 0 own).
    """
    n_r, n_t, m = radar_cdf.shape
    n_nat = receives.shape[0]
    surv = np.ones((n_nat, n_t, m))
    miss = 1.0 - np.clip(radar_cdf, 0.0, 1.0)  # once per radar, not once per receiving nation
    for r in range(n_r):  # radars (tens), each vectorized over threats x samples
        src = int(radar_nation_idx[r])
        for dst in np.flatnonzero(receives[src]):
            d = int(lag_samples[src, dst])
            if d < m:
                surv[dst, :, d:] *= miss[r, :, : m - d]
    out: F64 = 1.0 - surv
    return out


def quantile_index(cdf: F64, offsets: I64, lengths: I64, u: F64) -> I64:
    """First sample of each row at which a nondecreasing CDF reaches ``u``, exactly.

    Parameters
    ----------
    cdf
        Flat ``(S,)``; row ``j`` is ``cdf[offsets[j] : offsets[j] + lengths[j]]``,
        nondecreasing in [0, 1].
    offsets, lengths
        ``(n_row,)`` row starts and lengths.
    u
        ``(n_row, n_q)`` quantiles in [0, 1).

    Returns
    -------
    k
        ``(n_row, n_q)``: the least ``k`` with ``cdf_j[k] ≥ u`` (``lengths[j]`` if none).

    Notes
    -----
    A lookup table per row, ``T[j, b] = #{k : cdf_j[k] < b/B}`` with ``B`` =
    :data:`QUANTILE_BINS` (a cumulative histogram, exact since ``B`` is a power of two),
    brackets the answer of ``u`` in bin ``b = ⌊u B⌋`` between ``T[j, b]`` and ``T[j, b + 1]``;
    a binary search on the exact values finishes the few queries whose bracket holds more than
    one sample. Cost ``O(S + n_row B + n_row n_q)``, independent of how rows are chunked.
    """
    n_row = offsets.shape[0]
    u = np.asarray(u, dtype=np.float64)
    B = QUANTILE_BINS
    lengths = np.asarray(lengths, dtype=np.int64)
    start = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64)
    row = np.repeat(np.arange(n_row), lengths)
    flat = cdf[
        np.repeat(np.asarray(offsets, dtype=np.int64) - start, lengths) + np.arange(row.size)
    ]
    # c_k = least b with cdf_k < b / B: floor(cdf_k B) + 1 (1 .. B + 1)
    c = np.minimum(np.floor(flat * B).astype(np.int64) + 1, B + 1)
    hist = np.bincount(row * (B + 2) + c, minlength=n_row * (B + 2)).reshape(n_row, B + 2)
    table = np.cumsum(hist, axis=1)[:, : B + 1]  # T[j, b], b = 0 .. B
    b = np.minimum(np.floor(u * B).astype(np.int64), B - 1)
    rows = np.arange(n_row)[:, None]
    lo = table[rows, b]
    hi = table[rows, b + 1]
    todo = np.nonzero(lo < hi)
    if todo[0].size:  # binary search inside the bracket [lo, hi] on the exact values
        lo_t, hi_t = lo[todo], hi[todo]
        base = start[todo[0]]
        u_t = u[todo]
        while np.any(lo_t < hi_t):
            open_ = lo_t < hi_t
            mid = (lo_t + hi_t) >> 1
            below = flat[np.minimum(base + mid, flat.size - 1)] < u_t
            lo_t = np.where(open_ & below, mid + 1, lo_t)
            hi_t = np.where(open_ & ~below, mid, hi_t)
        lo[todo] = lo_t
    out: I64 = lo.astype(np.int64)
    return out
