"""Kernel properties: information never hurts, masks leave tracks alone, CV predict vs F P Fᵀ."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from shieldwall.tracking import ekf
from shieldwall.tracking.covariance import _inv3, _update


def _spd(rng: np.random.Generator, n: int, scale: float) -> np.ndarray:
    a = rng.normal(size=(n, n)) * scale
    return a @ a.T + np.eye(n) * scale**2 * 0.05


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 100_000))
def test_information_update_never_increases_uncertainty(seed: int) -> None:
    rng = np.random.default_rng(seed)
    P = _spd(rng, 6, 100.0)[None]
    h = rng.normal(size=(2, 3))  # rank-2 position information is allowed (singular J)
    J = (h.T @ h / 1e4)[None]
    post, has = _update(P, J)
    assert has[0]
    assert np.linalg.eigvalsh(P[0] - post[0]).min() >= -1e-9 * np.trace(P[0])
    # and it is the information-form identity (P^-1 + J)^-1
    J6 = np.zeros((6, 6))
    J6[:3, :3] = J[0]
    np.testing.assert_allclose(
        post[0], np.linalg.inv(np.linalg.inv(P[0]) + J6), rtol=1e-7, atol=1e-9 * np.abs(P).max()
    )


def test_inv3_closed_form() -> None:
    rng = np.random.default_rng(1)
    a = rng.normal(size=(50, 3, 3)) + 3 * np.eye(3)
    np.testing.assert_allclose(_inv3(a), np.linalg.inv(a), rtol=1e-10, atol=1e-12)


def test_cv_predict_is_f_p_ft_plus_q() -> None:
    rng = np.random.default_rng(2)
    P0 = np.stack([_spd(rng, 6, 50.0) for _ in range(4)])
    x0 = rng.normal(size=(4, 6))
    dt, q = 1.7, 3.0
    x, P = ekf.to_component_major(x0, 1), ekf.to_component_major(P0, 2)
    ekf.predict_cv(x, P, dt, q)
    F = np.eye(6)
    F[:3, 3:] = dt * np.eye(3)
    Q = np.zeros((6, 6))
    Q[:3, :3] = q * dt**3 / 3 * np.eye(3)
    Q[:3, 3:] = Q[3:, :3] = q * dt**2 / 2 * np.eye(3)
    Q[3:, 3:] = q * dt * np.eye(3)
    np.testing.assert_allclose(ekf.to_batch_major(P, 2), F @ P0 @ F.T + Q, rtol=1e-12)
    np.testing.assert_allclose(ekf.to_batch_major(x, 1), x0 @ F.T, rtol=1e-12)


def test_masked_tracks_are_left_alone() -> None:
    rng = np.random.default_rng(3)
    n = 5
    x = rng.normal(0, 1e5, (6, n)) + np.array([4e6, 4e6, 4e6, 0, 0, 0])[:, None]
    P = ekf.to_component_major(np.stack([_spd(rng, 6, 100.0) for _ in range(n)]), 2)
    site = np.zeros((3, 1))
    rot = np.eye(3)[:, :, None]
    z = np.full((3, n), np.nan)  # no measurement values for the masked tracks
    z[:, :2] = ekf.radar_measure(x[:3, :2], site, rot)[0] + 1e-3
    mask = np.array([True, True, False, False, False])
    x1, P1 = x.copy(), P.copy()
    ekf.update_radar(x1, P1, z, site, rot, (1e-3, 1e-3, 10.0), mask=mask)
    assert np.all(np.isfinite(x1))
    np.testing.assert_array_equal(x1[:, ~mask], x[:, ~mask])
    np.testing.assert_array_equal(P1[..., ~mask], P[..., ~mask])
    assert np.all(np.trace(P1[..., mask]) < np.trace(P[..., mask]))


def test_ballistic_transition_matches_the_integrator() -> None:
    """F = I + A dt + A² dt²/2 + A³ dt³/6 against central differences of the RK4 step it
    linearises, in vacuum (300 km) and in the atmosphere with drag (30 km, β = 50 kPa)."""
    # F is exp(A dt) with A frozen at the start of the step. In vacuum A hardly changes over
    # 1 s (~1e-7 relative); at 30 km the density changes by ~10 % over the step (800 m/s
    # vertical speed, 7.2 km scale height), so F is off by ~|A_r| * 0.1 * dt^2 / 2 ~ 3e-5.
    # The numerical Jacobian (central differences, 1 m / 1 cm/s) is good to ~1e-8.
    tolerance = {np.inf: 1e-6, 5e4: 1e-4}
    for alt, beta in ((300e3, np.inf), (30e3, 5e4)):
        r = np.array([-3.0e6, 4.0e6, 0.0]) / 5e6 * (6378137.0 + alt)
        x0 = np.concatenate([r, [1500.0, 1200.0, -800.0]])[:, None]
        dt = 1.0
        F = ekf.transition_ballistic(x0[:3], x0[3:], dt, beta)[..., 0]
        num = np.empty((6, 6))
        for j in range(6):
            h = 1.0 if j < 3 else 0.01
            d = np.zeros((6, 1))
            d[j] = h
            num[:, j] = (
                (
                    ekf.propagate_ballistic(x0 + d, dt, beta)
                    - ekf.propagate_ballistic(x0 - d, dt, beta)
                )
                / (2 * h)
            )[:, 0]
        np.testing.assert_allclose(F, num, atol=tolerance[beta])
