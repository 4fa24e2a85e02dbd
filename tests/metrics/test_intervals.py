"""Interval formulas against published values and basic properties."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from shieldwall.metrics.intervals import mean_interval, paired_difference, wilson_interval


@pytest.mark.parametrize(
    ("k", "n", "lo", "hi"),
    [
        # Brown, Cai & DasGupta (2001) and Newcombe (1998, Stat. Med. 17, Table II, method 3):
        (0, 10, 0.0, 0.2775),
        (5, 10, 0.2366, 0.7634),
        (81, 263, 0.2553, 0.3662),
    ],
)
def test_wilson_matches_published_values(k: int, n: int, lo: float, hi: float) -> None:
    got_lo, got_hi = wilson_interval(k, n)
    assert float(got_lo) == pytest.approx(lo, abs=1e-4)
    assert float(got_hi) == pytest.approx(hi, abs=1e-4)


def test_wilson_empty_is_nan() -> None:
    lo, hi = wilson_interval(0, 0)
    assert np.isnan(lo)
    assert np.isnan(hi)


@given(st.integers(1, 10_000), st.data())
def test_wilson_contains_the_estimate(n: int, data: st.DataObject) -> None:
    k = data.draw(st.integers(0, n))
    lo, hi = wilson_interval(k, n)
    eps = 1e-12
    assert 0.0 <= lo <= k / n + eps
    assert k / n - eps <= hi <= 1.0


def test_paired_difference_is_narrower_than_independent() -> None:
    rng = np.random.default_rng(3)
    common = rng.normal(size=5_000)
    a = common + 0.1 * rng.normal(size=5_000)
    b = common + 0.1 * rng.normal(size=5_000) + 0.05
    diff, lo, hi = paired_difference(a, b)
    _, a_lo, a_hi = mean_interval(a)
    assert lo < diff < hi
    assert hi - lo < 0.2 * (a_hi - a_lo)
    assert lo < -0.05 < hi


@pytest.mark.parametrize("n", [1, 7, 2000, 10_000])
def test_wilson_endpoints_are_exact_at_zero_and_all_successes(n: int) -> None:
    """Regression: k = 0 gave a lower bound of 1e-19 (rounding), printed as such in --json."""
    lo, _ = wilson_interval(0, n)
    _, hi = wilson_interval(n, n)
    assert float(lo) == 0.0
    assert float(hi) == 1.0


def test_cluster_interval_of_equal_clusters_is_the_interval_of_cluster_means() -> None:
    # With G equal clusters, CR1's variance is var(cluster means) / G (ddof 1): the textbook
    # "analyse the cluster means" interval, at t(G-1).
    from scipy.stats import t

    from shieldwall.metrics.intervals import cluster_mean_interval

    rng = np.random.default_rng(1)
    g, m = 8, 250
    x = rng.normal(size=(g, 1)) + rng.normal(size=(g, m))
    clusters = np.repeat(np.arange(g), m)
    mean, lo, hi = cluster_mean_interval(x.ravel(), clusters)
    means = x.mean(axis=1)
    half = t.ppf(0.975, g - 1) * means.std(ddof=1) / np.sqrt(g)
    assert float(mean) == pytest.approx(means.mean())
    assert float(hi - lo) / 2 == pytest.approx(half, rel=1e-12)


def test_cluster_intervals_cover_at_their_level_when_clusters_matter() -> None:
    # 2,000 replications of 10 geometry clusters with a strong cluster effect: the cluster
    # interval covers the true mean 95% of the time (binomial 99.9% band), the iid one does not.
    from shieldwall.metrics.intervals import cluster_mean_interval, mean_interval

    rng = np.random.default_rng(7)
    reps, g, m = 2000, 10, 100
    clusters = np.repeat(np.arange(g), m)
    hit_c = hit_iid = 0
    for _ in range(reps):
        x = (rng.normal(size=(g, 1)) + rng.normal(size=(g, m))).ravel()
        _, lo, hi = cluster_mean_interval(x, clusters)
        hit_c += int(lo <= 0.0 <= hi)
        _, lo, hi = mean_interval(x)
        hit_iid += int(lo <= 0.0 <= hi)
    band = 3.29 * np.sqrt(0.95 * 0.05 / reps)
    assert abs(hit_c / reps - 0.95) < band
    assert hit_iid / reps < 0.5


def test_cluster_proportion_is_wilson_when_clusters_do_not_matter() -> None:
    from shieldwall.metrics.intervals import cluster_proportion_interval

    rng = np.random.default_rng(3)
    hits = rng.random(10_000) < 0.3
    clusters = np.arange(10_000) // 1000
    p, lo, hi = cluster_proportion_interval(hits, clusters)
    w_lo, w_hi = wilson_interval(int(hits.sum()), hits.size)
    assert float(p) == pytest.approx(hits.mean())
    # deff >= 1 and t(9) > z: never narrower than Wilson, and close to it here
    assert lo <= w_lo
    assert hi >= w_hi
    assert float(hi - lo) < 1.6 * float(w_hi - w_lo)
