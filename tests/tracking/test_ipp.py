"""IPP sensitivity against finite differences of impact points integrated to the ground."""

from __future__ import annotations

import numpy as np

from shieldwall.earth.geodesy import ecef_to_geodetic
from shieldwall.tracking.covariance import FilterModel, truth_transitions
from shieldwall.tracking.ekf import propagate_ballistic
from shieldwall.tracking.ipp import ipp_sensitivity, ipp_sigma
from tests.sensing import synth

#: The per-step transition is a second-order Taylor series (error ~ (A dt)^3/6 ~ 1e-9 per 1 s
#: step) and the perturbation is small but finite (curvature of the ground intersection
#: ~ 1e-3 relative for a 50 m / 0.5 m/s perturbation).
IPP_RTOL = 5e-3


def _impacts(x0: np.ndarray, dt: float) -> np.ndarray:
    """Integrate states (6, n) until each is below ground; interpolate to height 0, (n, 3)."""
    x = x0.copy()
    n = x.shape[1]
    out = np.full((n, 3), np.nan)
    for _ in range(5000):
        prev = x.copy()
        for _ in range(2):
            x = propagate_ballistic(x, dt / 2)
        h0 = ecef_to_geodetic(prev[0:3].T)[2]
        h1 = ecef_to_geodetic(x[0:3].T)[2]
        down = np.isnan(out[:, 0]) & (h1 < 0)
        f = h0 / (h0 - h1)
        out[down] = (prev[0:3] + f * (x[0:3] - prev[0:3])).T[down]
        if not np.isnan(out[:, 0]).any():
            break
    return out


def test_ipp_sensitivity_matches_finite_differences() -> None:
    world, traj = synth.korea_japan()
    F = truth_transitions(world, traj, FilterModel(drag=False))
    psi, axes = ipp_sensitivity(traj, F)
    j, k = 0, 200
    x0 = np.concatenate([traj.r_ecef_m[j, k], traj.v_ecef_mps[j, k]])
    steps = np.array([50.0] * 3 + [0.5] * 3)
    dx = np.diag(steps)
    batch = np.concatenate([x0[:, None] + dx, x0[:, None] - dx], axis=1)
    hits = _impacts(batch, traj.dt_s)
    fd = (axes[j] @ (hits[:6] - hits[6:]).T) / (2 * steps)  # (2, 6)
    np.testing.assert_allclose(psi[j, k], fd, rtol=IPP_RTOL, atol=1e-3 * np.abs(fd).max())


def test_ipp_sigma_is_the_major_axis() -> None:
    c = np.array([[[4.0, 0.0], [0.0, 1.0]], [[2.0, 1.0], [1.0, 2.0]], [[np.nan] * 2] * 2])
    np.testing.assert_allclose(ipp_sigma(c), [2.0, np.sqrt(3.0), np.inf])
