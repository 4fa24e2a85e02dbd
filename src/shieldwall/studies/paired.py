"""The one paired-difference core of every study (docs/studies.md §3).

Every case of a study is fought on the same random numbers (block draws, docs/montecarlo.md), so
any linear combination of the cases' per-trial metrics — a difference of two policies, what a
phase bought, a Shapley value — is itself a per-trial series, and its interval is the ordinary
normal interval of that series' mean (cluster-robust when trials share raid geometry samples:
``clusters``). The pairing is what makes these intervals narrow: the
variance of ``a − b`` is ``var a + var b − 2 cov(a, b)``, and common random numbers make the
covariance large.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike

from shieldwall.metrics.intervals import (
    Z95,
    cluster_mean_interval,
    cluster_proportion_interval,
    mean_interval,
    wilson_interval,
)

__all__ = ["Estimate", "contrast", "mean_ci", "paired_ci", "proportion_ci"]

#: ``(value, lo, hi)``: a point estimate and its 95% interval.
Estimate = tuple[float, float, float]


def mean_ci(x: ArrayLike, clusters: ArrayLike | None = None) -> Estimate:
    """Mean of a per-trial series with its 95% interval (NaN when empty); cluster-robust when
    each trial's cluster (raid geometry sample) is given."""
    series = np.asarray(x, dtype=np.float64)
    if clusters is None:
        m, lo, hi = mean_interval(series, axis=0, z=Z95)
    else:
        m, lo, hi = cluster_mean_interval(series, clusters)
    return float(m), float(lo), float(hi)


def proportion_ci(hits: ArrayLike, clusters: ArrayLike | None = None) -> Estimate:
    """Fraction of true trials with its Wilson interval (better than normal near 0 and 1);
    on the effective sample size when clusters are given."""
    h = np.asarray(hits, dtype=bool)
    if clusters is not None:
        p, lo, hi = cluster_proportion_interval(h, clusters)
        return float(p), float(lo), float(hi)
    n = int(h.size)
    k = int(h.sum())
    lo, hi = wilson_interval(k, n)
    return (k / n if n else float("nan")), float(lo), float(hi)


def contrast(
    terms: Sequence[tuple[float, ArrayLike]], clusters: ArrayLike | None = None
) -> Estimate:
    """Mean of ``Σ wᵢ xᵢ`` over trials with common random numbers, and its interval.

    Parameters
    ----------
    terms
        ``(weight, per-trial series)`` pairs; every series has the same trials in the same order.
    clusters
        Each trial's cluster (raid geometry sample), for a cluster-robust interval.

    Raises
    ------
    ValueError
        Series of different lengths (they would not be paired); no terms.
    """
    if not terms:
        msg = "a contrast needs at least one term"
        raise ValueError(msg)
    series = [np.asarray(x, dtype=np.float64) for _, x in terms]
    n = {s.shape for s in series}
    if len(n) != 1:
        msg = f"paired series must have the same trials; got shapes {sorted(n)}"
        raise ValueError(msg)
    total = np.zeros_like(series[0])
    for (w, _), s in zip(terms, series, strict=True):
        total += float(w) * s
    return mean_ci(total, clusters)


def paired_ci(a: ArrayLike, b: ArrayLike, clusters: ArrayLike | None = None) -> Estimate:
    """Mean of ``a − b`` trial by trial (common random numbers), with its paired interval."""
    return contrast([(1.0, a), (-1.0, b)], clusters)
