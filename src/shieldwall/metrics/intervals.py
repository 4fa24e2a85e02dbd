"""Confidence intervals for Monte Carlo estimates.

Every probability shieldwall reports carries a 95% Wilson score interval (Wilson, 1927,
*J. Am. Stat. Assoc.* 22(158), eq. for the score interval; Brown, Cai & DasGupta, 2001,
*Statist. Sci.* 16(2) recommend it over the normal "Wald" interval, which collapses at 0 and 1).
Means of counts carry a normal interval; differences between policies evaluated on common random
numbers carry a *paired* normal interval on the per-trial differences, which is much narrower than
the difference of two independent intervals.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from shieldwall._types import F64

__all__ = ["Z95", "mean_interval", "paired_difference", "wilson_interval"]


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
