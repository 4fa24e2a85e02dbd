"""Covariance intersection: Stone Soup oracle at equal ω, optimal ω, consistency properties."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shieldwall.tracking.fusion import ci_fuse, ci_optimal_omega

#: Both compute the same inverse-weighted sums in float64 (Stone Soup via pinv).
CI_RTOL = 1e-9


def _spd(rng: np.random.Generator, n: int, scale: float) -> np.ndarray:
    a = rng.normal(size=(n, n)) * scale
    return a @ a.T + np.eye(n) * scale**2 * 0.1


@pytest.mark.oracle
def test_ci_matches_stonesoup_at_the_same_omega() -> None:
    from stonesoup.mixturereducer.gaussianmixture import CovarianceIntersection
    from stonesoup.types.array import StateVector
    from stonesoup.types.state import GaussianState

    rng = np.random.default_rng(8)
    for _ in range(5):
        ca, cb = _spd(rng, 6, 100.0), _spd(rng, 6, 300.0)
        xa, xb = rng.normal(0, 100, 6), rng.normal(0, 100, 6)
        x, c, w = ci_fuse(xa, ca, xb, cb)  # optimised omega
        ss = CovarianceIntersection.merge_components(
            GaussianState(StateVector(xa), ca),
            GaussianState(StateVector(xb), cb),
            weights=[float(w), 1.0 - float(w)],
        )
        np.testing.assert_allclose(
            x, np.asarray(ss.state_vector, float).ravel(), rtol=CI_RTOL, atol=1e-9
        )
        np.testing.assert_allclose(c, np.asarray(ss.covar, float), rtol=CI_RTOL, atol=1e-9)


def test_optimal_omega_beats_a_fine_grid() -> None:
    rng = np.random.default_rng(2)
    ca = np.stack([_spd(rng, 3, 10.0) for _ in range(20)])
    cb = np.stack([_spd(rng, 3, 30.0) for _ in range(20)])
    w = ci_optimal_omega(ca, cb)
    grid = np.linspace(0, 1, 2001)
    ia, ib = np.linalg.inv(ca), np.linalg.inv(cb)
    tr = np.trace(
        np.linalg.inv(grid[:, None, None, None] * ia + (1 - grid)[:, None, None, None] * ib),
        axis1=-2,
        axis2=-1,
    )
    best = tr.min(axis=0)
    _, c, _ = ci_fuse(np.zeros((20, 3)), ca, np.zeros((20, 3)), cb, omega=w)
    assert np.all(np.trace(c, axis1=-2, axis2=-1) <= best * (1 + 1e-9))


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10_000))
def test_ci_is_no_worse_than_either_input(seed: int) -> None:
    rng = np.random.default_rng(seed)
    ca, cb = _spd(rng, 4, 5.0), _spd(rng, 4, 50.0)
    _, c, w = ci_fuse(np.zeros(4), ca, np.zeros(4), cb)
    assert 0.0 <= float(w) <= 1.0
    assert np.trace(c) <= min(np.trace(ca), np.trace(cb)) * (1 + 1e-9)
    # consistent for ANY correlation: C^-1 = w A^-1 + (1-w) B^-1 is a convex combination,
    # so C is never smaller than the independent (information-sum) fusion
    indep = np.linalg.inv(np.linalg.inv(ca) + np.linalg.inv(cb))
    assert np.linalg.eigvalsh(c - indep).min() >= -1e-9 * np.trace(c)
