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
