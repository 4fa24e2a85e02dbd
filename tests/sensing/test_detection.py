"""Detection and M-of-N track-initiation distributions: closed forms, Monte Carlo, properties."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy import stats

from shieldwall.sensing.detection import (
    detection_cdf,
    look_mask,
    m_of_n_cdf,
    m_of_n_cdf_reference,
    median_time,
)

#: Closed forms are exact; float64 products over ~100 looks.
EXACT_TOL = 1e-12


def test_detection_cdf_closed_form() -> None:
    p = 0.3
    cdf = detection_cdf(np.full(10, p))
    np.testing.assert_allclose(cdf, 1 - (1 - p) ** np.arange(1, 11), atol=EXACT_TOL)


def test_one_of_one_is_first_detection_and_n_of_n_closed_form() -> None:
    rng = np.random.default_rng(0)
    pd = rng.uniform(0, 1, (4, 30))
    look = np.ones(30, bool)
    np.testing.assert_allclose(m_of_n_cdf(pd, look, 1, 1), detection_cdf(pd), atol=EXACT_TOL)
    # 2-of-2 with constant p, first success by look 2 is p^2, by look 3 is p^2 + (1-p) p^2
    p = 0.6
    c = m_of_n_cdf(np.full(3, p), np.ones(3, bool), 2, 2)
    np.testing.assert_allclose(c, [0.0, p * p, p * p + (1 - p) * p * p], atol=EXACT_TOL)


def test_m_of_n_matches_monte_carlo() -> None:
    """2-of-3 with varying Pd: exact chain vs 20,000 simulated look sequences (99 % CI)."""
    rng = np.random.default_rng(42)
    m = 25
    pd = np.clip(np.linspace(0.05, 0.6, m) + 0.1 * np.sin(np.arange(m)), 0, 1)
    look = (np.arange(m) % 2) == 0  # a look every other sample
    exact = m_of_n_cdf(pd, look, 2, 3)
    n = 20_000
    hits = (rng.random((n, m)) < pd) & look
    first = np.full(n, m)
    for i in range(n):  # test-only reference simulation, written plainly
        window: list[bool] = []
        for k in range(m):
            if not look[k]:
                continue
            window = ([*window, bool(hits[i, k])])[-3:]
            if sum(window) >= 2:
                first[i] = k
                break
    for k in (4, 10, 16, 24):
        x = int(np.sum(first <= k))
        lo, hi = stats.binomtest(x, n).proportion_ci(0.99, method="wilson")
        assert lo <= exact[k] <= hi, (k, exact[k], lo, hi)


@settings(max_examples=50, deadline=None)
@given(arrays(np.float64, 20, elements=st.floats(0.0, 1.0)), st.integers(1, 3), st.integers(0, 2))
def test_cdfs_are_monotone_probabilities(pd: np.ndarray, m_req: int, extra: int) -> None:
    n_win = m_req + extra
    look = np.ones(20, bool)
    tr = m_of_n_cdf(pd, look, m_req, n_win)
    det = detection_cdf(pd)
    assert np.all(np.diff(tr) >= -1e-12)
    assert np.all((tr >= -1e-12) & (tr <= 1 + 1e-12))
    assert np.all(tr <= det + 1e-12)  # a track needs at least one detection


def test_look_mask_and_median() -> None:
    is_look, per = look_mask(np.array([1.0, 2.0, 0.5]), 1.0, 6)
    assert is_look[0].all()
    assert is_look[1].tolist() == [True, False, True, False, True, False]
    assert per.tolist() == [1.0, 1.0, 2.0]
    t = np.arange(4.0)
    assert median_time(np.array([0.1, 0.4, 0.5, 0.9]), t) == 2.0
    assert median_time(np.array([0.1, 0.2, 0.3, 0.4]), t) == np.inf


@settings(max_examples=40, deadline=None)
@given(
    arrays(np.float64, (3, 2, 25), elements=st.floats(0.0, 1.0)),
    arrays(np.bool_, 25),
    st.integers(1, 3),
    st.integers(0, 2),
)
def test_compiled_chain_is_bit_identical_to_the_numpy_chain(
    pd: np.ndarray, look: np.ndarray, m_req: int, extra: int
) -> None:
    """The compiled M-of-N chain does the numpy formulation's operations in its order."""
    n_win = m_req + extra
    got = m_of_n_cdf(pd, look, m_req, n_win)
    want = m_of_n_cdf_reference(pd, look, m_req, n_win)
    assert got.shape == want.shape
    np.testing.assert_array_equal(got, want)
    # a row alone gives the same numbers as inside a batch (results independent of chunking)
    np.testing.assert_array_equal(m_of_n_cdf(pd[1, 0], look, m_req, n_win), got[1, 0])


def test_compiled_chain_skips_the_zero_ends_bit_identically() -> None:
    """Rows that see nothing, or see a threat over a short window (zeros before and after,
    negatives clipped to zero, a NaN inside or at an end), give the numpy chain's numbers."""
    rng = np.random.default_rng(11)
    n_row, m = 60, 90
    pd = np.zeros((n_row, m))
    for i in range(1, n_row):
        a = int(rng.integers(0, m))
        b = int(rng.integers(a, m + 1))
        pd[i, a:b] = rng.uniform(0.0, 1.0, b - a) * (rng.uniform(size=b - a) > 0.2)
    pd[5, 40] = np.nan
    pd[6, -1] = np.nan
    pd[7, :10] = -0.5
    pd[8, 20:30] = 1.5
    look = rng.uniform(size=(n_row, m)) > 0.3
    for m_req, n_win in ((1, 1), (2, 3), (3, 5)):
        got = m_of_n_cdf(pd, look, m_req, n_win)
        want = m_of_n_cdf_reference(pd, look, m_req, n_win)
        np.testing.assert_array_equal(got, want)
        assert (got[0] == 0.0).all()
        assert np.nanmax(got[1:]) > 0.5
