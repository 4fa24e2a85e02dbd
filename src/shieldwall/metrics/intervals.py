"""Confidence intervals for Monte Carlo estimates.

Every probability shieldwall reports carries a 95% Wilson score interval (Wilson, 1927,
*J. Am. Stat. Assoc.* 22(158), eq. for the score interval; Brown, Cai & DasGupta, 2001,
*Statist. Sci.* 16(2) recommend it over the normal "Wald" interval, which collapses at 0 and 1).
Means of counts carry a normal interval; differences between policies evaluated on common random
numbers carry a *paired* normal interval on the per-trial differences, which is much narrower than
the difference of two independent intervals.

With raid geometry samples (docs/montecarlo.md §5) trials that share a geometry are correlated:
the intervals then treat each geometry as a cluster — the cluster-robust (CR1 "sandwich")
variance of a mean with a Student t quantile on ``G − 1`` degrees of freedom (Cameron & Miller,
2015, *J. Human Resources* 50(2), §II.C and §VI.B), and for a proportion the Wilson interval on
Kish's effective sample size ``n / deff`` (Kish, 1965, *Survey Sampling*, §8.2).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from shieldwall._types import F64

__all__ = [
    "Z95",
    "cluster_mean_interval",
    "cluster_proportion_interval",
    "mean_interval",
    "paired_difference",
    "wilson_interval",
]


#: Two-sided 95% standard normal quantile.
Z95 = 1.959963984540054


def wilson_interval(successes: ArrayLike, n: ArrayLike, z: float = Z95) -> tuple[F64, F64]:
    """Wilson score interval of a binomial proportion.

    Parameters
    ----------
    successes
        Number of successes (broadcasts with ``n``). []
    n
        Number of trials; ``n = 0`` gives ``(NaN, NaN)``. []
    z
        Standard normal quantile (1.96 for 95%). []

    Returns
    -------
    lo, hi
        Interval bounds, inside [0, 1]. []

    Notes
    -----
    (p̂ + z²/2n ± z √(p̂(1−p̂)/n + z²/4n²)) / (1 + z²/n)  (Wilson 1927).
    """
    k = np.asarray(successes, dtype=np.float64)
    m = np.asarray(n, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = k / m
        z2 = z * z
        denom = 1.0 + z2 / m
        centre = (p + z2 / (2.0 * m)) / denom
        half = z * np.sqrt(p * (1.0 - p) / m + z2 / (4.0 * m * m)) / denom
        # The endpoints are exactly 0 (no successes) and 1 (all successes); the formula gives
        # them only up to rounding (1e-19 instead of 0), which then shows in reports.
        lo = np.where(k == 0, 0.0, np.clip(centre - half, 0.0, 1.0))
        hi = np.where(k == m, 1.0, np.clip(centre + half, 0.0, 1.0))
        lo = np.where(m > 0, lo, np.nan)
        hi = np.where(m > 0, hi, np.nan)
    return np.asarray(lo, dtype=np.float64), np.asarray(hi, dtype=np.float64)


def mean_interval(samples: ArrayLike, axis: int = 0, z: float = Z95) -> tuple[F64, F64, F64]:
    """Sample mean and its normal (central limit) confidence interval.

    Parameters
    ----------
    samples
        Per-trial values (e.g. leakers per trial). []
    axis
        The trial axis. []
    z
        Standard normal quantile. []

    Returns
    -------
    mean, lo, hi
        Mean and interval ``mean ± z s/√n``; NaN when there are no samples. []
    """
    x = np.asarray(samples, dtype=np.float64)
    n = x.shape[axis]
    if n == 0:
        shape = np.delete(np.asarray(x.shape), axis)
        nan = np.full(tuple(int(s) for s in shape), np.nan)
        return nan, nan.copy(), nan.copy()
    mean = x.mean(axis=axis)
    sd = x.std(axis=axis, ddof=1) if n > 1 else np.zeros_like(mean)
    half = z * sd / np.sqrt(n)
    return (
        np.asarray(mean, dtype=np.float64),
        np.asarray(mean - half, dtype=np.float64),
        np.asarray(mean + half, dtype=np.float64),
    )


def paired_difference(a: ArrayLike, b: ArrayLike, z: float = Z95) -> tuple[float, float, float]:
    """Mean of ``a − b`` over trials with common random numbers, with its paired interval.

    Parameters
    ----------
    a, b
        Per-trial values of two policies evaluated on the same random numbers (same length). []
    z
        Standard normal quantile. []

    Returns
    -------
    diff, lo, hi
        Mean difference and ``diff ± z s_d/√n`` where ``s_d`` is the standard deviation of the
        per-trial differences. []
    """
    d = np.asarray(a, dtype=np.float64) - np.asarray(b, dtype=np.float64)
    mean, lo, hi = mean_interval(d, axis=0, z=z)
    return float(mean), float(lo), float(hi)


def _t95(n_clusters: int) -> float:
    from scipy.stats import t

    return float(t.ppf(0.975, max(n_clusters - 1, 1)))


def _cluster_variance(x: F64, clusters: np.ndarray) -> tuple[F64, F64, int]:
    """Mean over axis 0 and its CR1 variance; the number of clusters."""
    labels, idx = np.unique(np.asarray(clusters), return_inverse=True)
    g = int(labels.size)
    n = x.shape[0]
    mean = x.mean(axis=0)
    sums = np.zeros((g, *x.shape[1:]))
    np.add.at(sums, idx, x - mean)
    var = (g / max(g - 1, 1)) * (sums**2).sum(axis=0) / float(n) ** 2
    return np.asarray(mean, dtype=np.float64), np.asarray(var, dtype=np.float64), g


def cluster_mean_interval(samples: ArrayLike, clusters: ArrayLike) -> tuple[F64, F64, F64]:
    """Mean over trials (axis 0) and its cluster-robust 95% interval.

    Parameters
    ----------
    samples
        Per-trial values, trial axis first. []
    clusters
        Cluster of each trial (its raid geometry sample). []

    Returns
    -------
    mean, lo, hi
        ``mean ± t₀.₉₇₅(G−1) √V_CR1``; with one cluster, the ordinary :func:`mean_interval`.
    """
    x = np.asarray(samples, dtype=np.float64)
    c = np.asarray(clusters)
    if x.shape[0] == 0 or np.unique(c).size < 2:
        return mean_interval(x, axis=0)
    mean, var, g = _cluster_variance(x, c)
    half = _t95(g) * np.sqrt(var)
    return mean, np.asarray(mean - half), np.asarray(mean + half)


def cluster_proportion_interval(hits: ArrayLike, clusters: ArrayLike) -> tuple[F64, F64, F64]:
    """Proportion of true trials (axis 0) with a cluster-aware Wilson interval.

    The Wilson interval is taken on Kish's effective sample size ``n / deff`` with
    ``deff = max(1, V_CR1 / (p(1−p)/n))``, at the ``t(G−1)`` quantile; with one cluster, the
    ordinary :func:`wilson_interval`.
    """
    h = np.asarray(hits, dtype=np.float64)
    c = np.asarray(clusters)
    n = h.shape[0]
    if n == 0 or np.unique(c).size < 2:
        k = h.sum(axis=0)
        lo, hi = wilson_interval(k, n)
        return np.asarray(k / n if n else np.full(k.shape, np.nan)), lo, hi
    p, var, g = _cluster_variance(h, c)
    iid = p * (1.0 - p) / n
    with np.errstate(divide="ignore", invalid="ignore"):
        deff = np.where(iid > 0, np.maximum(1.0, var / np.where(iid > 0, iid, 1.0)), 1.0)
    n_eff = n / deff
    lo, hi = wilson_interval(p * n_eff, n_eff, z=_t95(g))
    return p, lo, hi
