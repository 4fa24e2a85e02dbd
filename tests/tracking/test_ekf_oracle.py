"""The batched EKF against Stone Soup's EKF on identical measurements, and geometry vs pymap3d."""

from __future__ import annotations

import math

import numpy as np
import pymap3d
import pytest

from shieldwall.earth.geodesy import enu_rotation, geodetic_to_ecef
from shieldwall.tracking import ekf
from tests.stonesoup_radar import analytic_ebr

#: Issue #4: position agreement with Stone Soup on identical measurements.
POSITION_TOL_M = 1e-6
#: Issue #4: relative covariance agreement (both do the same float64 algebra in another order).
COVARIANCE_RTOL = 1e-9
#: pymap3d and our az/el/range are both exact formulas in float64 at ~1000 km.
AER_TOL_RAD = 1e-10
AER_TOL_M = 1e-6

N_TRACKS = 6
N_STEPS = 40
DT_S = 2.0
Q_M2_S3 = 5.0
SIGMA = (1.5e-3, 1.0e-3, 25.0)  # az, el [rad], range [m]


def _scenario(seed: int):  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(seed)
    lat, lon = math.radians(36.0), math.radians(128.5)  # Korea: ECEF x < 0 here
    site = geodetic_to_ecef(lat, lon, 100.0)
    rot = enu_rotation(lat, lon)
    # targets 300-700 km away to the north-west, climbing: ECEF has negative x here
    x0 = np.empty((N_TRACKS, 6))
    for k in range(N_TRACKS):
        enu = np.array([-3e5 - 5e4 * k, 4e5, 1e5 + 2e4 * k])
        x0[k, :3] = site + rot.T @ enu
        x0[k, 3:] = rot.T @ np.array([800.0, -1500.0, 900.0]) + rng.normal(0, 50, 3)
    truth = np.empty((N_STEPS, N_TRACKS, 6))
    x = x0.copy()
    for s in range(N_STEPS):
        x[:, :3] += DT_S * x[:, 3:]
        x[:, 3:] += rng.normal(0, 3.0, (N_TRACKS, 3))
        truth[s] = x
    d = truth[..., :3] - site
    enu = np.einsum("ij,...j->...i", rot, d)
    az = np.arctan2(enu[..., 0], enu[..., 1])
    el = np.arctan2(enu[..., 2], np.hypot(enu[..., 0], enu[..., 1]))
    rg = np.linalg.norm(enu, axis=-1)
    z = np.stack([az, el, rg], axis=-1) + rng.normal(0, 1, (N_STEPS, N_TRACKS, 3)) * SIGMA
    prior_x = x0 + rng.normal(0, 1, x0.shape) * np.array([2e3] * 3 + [100.0] * 3)
    prior_p = np.diag([2e3**2] * 3 + [100.0**2] * 3)
    return site, rot, z, prior_x, prior_p


def _ours(site, rot, z, prior_x, prior_p):  # type: ignore[no-untyped-def]
    x = ekf.to_component_major(prior_x, 1)
    P = ekf.to_component_major(np.broadcast_to(prior_p, (N_TRACKS, 6, 6)).copy(), 2)
    site_c = site[:, None]
    rot_c = rot[:, :, None]
    for s in range(N_STEPS):
        ekf.predict_cv(x, P, DT_S, Q_M2_S3)
        ekf.update_radar(x, P, ekf.to_component_major(z[s], 1), site_c, rot_c, SIGMA)
    return ekf.to_batch_major(x, 1), ekf.to_batch_major(P, 2)


@pytest.mark.oracle
def test_batched_ekf_matches_stonesoup() -> None:
    from stonesoup.models.transition.linear import (
        CombinedLinearGaussianTransitionModel,
        ConstantVelocity,
    )
    from stonesoup.predictor.kalman import ExtendedKalmanPredictor
    from stonesoup.types.angle import Bearing, Elevation
    from stonesoup.types.array import StateVector
    from stonesoup.types.detection import Detection
    from stonesoup.types.hypothesis import SingleHypothesis
    from stonesoup.types.state import GaussianState
    from stonesoup.updater.kalman import ExtendedKalmanUpdater

    site, _, z, prior_x, prior_p = _scenario(1)
    # Stone Soup's sensor frame: x' = R (r - site), bearing = atan2(y', x'). Our azimuth is
    # atan2(e, n), so give our kernel the rows (y', x', z') as its (east, north, up) rows.
    model = analytic_ebr(site_ecef_m=site, sigma=SIGMA, rotation_offset=(0.1, -0.4, 2.2))
    rss = np.asarray(model.rotation_matrix, dtype=float)
    rot_ours = rss[[1, 0, 2]]
    x_ours, p_ours = _ours(site, rot_ours, z, prior_x, prior_p)

    cv = CombinedLinearGaussianTransitionModel([ConstantVelocity(Q_M2_S3)] * 3)
    predictor = ExtendedKalmanPredictor(cv)
    updater = ExtendedKalmanUpdater(model)
    perm = [0, 3, 1, 4, 2, 5]  # ours (x, y, z, vx, vy, vz) -> Stone Soup (x, vx, y, vy, z, vz)
    from datetime import datetime, timedelta

    t0 = datetime(2026, 1, 1)
    for k in range(N_TRACKS):
        state = GaussianState(
            StateVector(prior_x[k, perm]), prior_p[np.ix_(perm, perm)], timestamp=t0
        )
        for s in range(N_STEPS):
            t = t0 + timedelta(seconds=DT_S * (s + 1))
            pred = predictor.predict(state, timestamp=t)
            az, el, rg = z[s, k]
            det = Detection(
                StateVector([Elevation(el), Bearing(az), rg]), timestamp=t, measurement_model=model
            )
            state = updater.update(SingleHypothesis(pred, det))
        inv = np.argsort(perm)
        xs = np.asarray(state.state_vector, dtype=float).ravel()[inv]
        ps = np.asarray(state.covar, dtype=float)[np.ix_(inv, inv)]
        np.testing.assert_allclose(x_ours[k, :3], xs[:3], rtol=0, atol=POSITION_TOL_M)
        np.testing.assert_allclose(p_ours[k], ps, rtol=COVARIANCE_RTOL, atol=0)


@pytest.mark.oracle
def test_radar_geometry_matches_pymap3d() -> None:
    rng = np.random.default_rng(7)
    lat, lon, h = math.radians(40.9), math.radians(140.3), 30.0  # near Shariki
    site = geodetic_to_ecef(lat, lon, h)
    rot = enu_rotation(lat, lon)
    tgt = site + rng.normal(0, 6e5, (200, 3))
    z, _ = ekf.radar_measure(tgt.T.copy(), site[:, None], rot[:, :, None])
    az, el, rg = pymap3d.ecef2aer(tgt[:, 0], tgt[:, 1], tgt[:, 2], 40.9, 140.3, h)
    np.testing.assert_allclose(np.mod(z[0], 2 * np.pi), np.radians(az), atol=AER_TOL_RAD)
    np.testing.assert_allclose(z[1], np.radians(el), atol=AER_TOL_RAD)
    np.testing.assert_allclose(z[2], rg, atol=AER_TOL_M)


def test_radar_jacobian_matches_finite_differences() -> None:
    # central differences with a 1 m step: truncation ~ (1 m)^2 * d3h ~ 1e-18 rad at 500 km
    jac_rtol = 1e-6
    lat, lon = math.radians(35.0), math.radians(135.0)
    site = geodetic_to_ecef(lat, lon, 0.0)
    rot = enu_rotation(lat, lon)
    r = (site + np.array([-2e5, 3e5, 4e5]))[:, None]
    _, H = ekf.radar_measure(r, site[:, None], rot[:, :, None])
    for j in range(3):
        dr = np.zeros((3, 1))
        dr[j] = 1.0
        zp, _ = ekf.radar_measure(r + dr, site[:, None], rot[:, :, None])
        zm, _ = ekf.radar_measure(r - dr, site[:, None], rot[:, :, None])
        np.testing.assert_allclose(H[:, j, 0], ((zp - zm) / 2.0)[:, 0], rtol=jac_rtol)
