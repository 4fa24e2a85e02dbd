"""Batched EKF vs Stone Soup on the same problem: track-updates per second, and their ratio.

The problem (identical for both): constant-velocity targets 300-700 km from a radar, white
acceleration noise q = 5 m^2/s^3, one azimuth/elevation/range measurement per track per 2 s
step; predict + update. Stone Soup runs a small subsample (it is ~1e3-1e4 times slower), ours
runs N_TRACKS x N_STEPS in the component-major layout of shieldwall.tracking.ekf. Both are
timed in this process, by CPU time of this process (``time.process_time``: track-updates per
second *per core*, robust to other jobs on a shared machine; numpy runs these kernels on one
thread) and by wall time; the last line is ``ratio_vs_stonesoup=<ours / Stone Soup>`` (CPU).

    uv run python benchmarks/bench_tracking.py [--tracks 100000] [--steps 100] [--ss-tracks 20]
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np

from shieldwall.earth.geodesy import geodetic_to_ecef
from shieldwall.tracking import ekf

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the oracle model lives in tests/
from tests.stonesoup_radar import analytic_ebr

DT_S = 2.0
Q_M2_S3 = 5.0
SIGMA = (1.5e-3, 1.0e-3, 25.0)


def problem(n: int, steps: int, seed: int = 0) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(seed)
    lat, lon = math.radians(36.0), math.radians(128.5)
    site = geodetic_to_ecef(lat, lon, 100.0)
    # the radar frame is Stone Soup's (rotation_offset 0: x', y', z' = ECEF axes at the site);
    # our kernel takes its rows as (east, north, up) = (y', x', z') so that azimuth = bearing
    rot = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])
    enu0 = np.stack(
        [rng.uniform(-5e5, -2e5, n), rng.uniform(2e5, 5e5, n), rng.uniform(5e4, 2e5, n)], -1
    )
    v_enu = np.stack([rng.normal(800, 50, n), rng.normal(-1500, 50, n), rng.normal(0, 50, n)], -1)
    x0 = np.concatenate([site + enu0 @ rot, v_enu @ rot], axis=1)
    t = DT_S * np.arange(1, steps + 1)
    pos = x0[None, :, :3] + t[:, None, None] * x0[None, :, 3:]
    enu = (pos - site) @ rot.T
    az = np.arctan2(enu[..., 0], enu[..., 1])
    el = np.arctan2(enu[..., 2], np.hypot(enu[..., 0], enu[..., 1]))
    rg = np.linalg.norm(enu, axis=-1)
    z = np.stack([az, el, rg], -1) + rng.normal(0, 1, (steps, n, 3)) * SIGMA
    prior = x0 + rng.normal(0, 1, x0.shape) * np.array([2e3] * 3 + [100.0] * 3)
    return site, rot, z, prior


#: Tracks per chunk: the chunk's state and covariance stay in cache across the steps
#: (DESIGN.md §2: hot loops run over chunks of a few thousand).
CHUNK = 8192


def run_ours(prob: tuple[np.ndarray, ...]) -> tuple[float, np.ndarray]:
    site, rot, z, prior = prob
    steps, n = z.shape[:2]
    zc = np.ascontiguousarray(np.moveaxis(z, -1, 1))  # (steps, 3, n)
    x_all = ekf.to_component_major(prior, 1)
    site_c, rot_c = site[:, None], rot[:, :, None]
    t0 = time.process_time()
    for c0 in range(0, n, CHUNK):
        x = np.ascontiguousarray(x_all[:, c0 : c0 + CHUNK])
        P = np.zeros((6, 6, x.shape[1]))
        for i in range(6):
            P[i, i] = (2e3 if i < 3 else 100.0) ** 2
        zs = np.ascontiguousarray(zc[:, :, c0 : c0 + CHUNK])
        for s in range(steps):
            ekf.predict_cv(x, P, DT_S, Q_M2_S3)
            ekf.update_radar(x, P, zs[s], site_c, rot_c, SIGMA)
        x_all[:, c0 : c0 + CHUNK] = x
    rate = n * steps / (time.process_time() - t0)
    return rate, ekf.to_batch_major(x_all, 1)


def run_ours_ballistic(prob: tuple[np.ndarray, ...], n: int, steps: int) -> float:
    """The same update with the ballistic (gravity, J2, rotation) prediction, for reference."""
    site, rot, z_all, prior_all = prob
    z, prior = z_all[:steps, :n], prior_all[:n]
    zc = np.ascontiguousarray(np.moveaxis(z, -1, 1))
    x = ekf.to_component_major(prior, 1)
    P = np.zeros((6, 6, n))
    for i in range(6):
        P[i, i] = (2e3 if i < 3 else 100.0) ** 2
    t0 = time.process_time()
    for s in range(steps):
        ekf.predict_ballistic(x, P, DT_S, Q_M2_S3)
        ekf.update_radar(x, P, zc[s], site[:, None], rot[:, :, None], SIGMA)
    return n * steps / (time.process_time() - t0)


def run_stonesoup(prob: tuple[np.ndarray, ...], n: int) -> tuple[float, np.ndarray]:
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

    site, rot, z, prior = prob
    steps = z.shape[0]

    # Stone Soup's frame: x' = R (r - site); our (east, north, up) rows are (y', x', z')
    model = analytic_ebr(site_ecef_m=site, sigma=SIGMA, rotation_offset=(0.0, 0.0, 0.0))
    assert np.allclose(np.asarray(model.rotation_matrix, float)[[1, 0, 2]], rot)
    predictor = ExtendedKalmanPredictor(
        CombinedLinearGaussianTransitionModel([ConstantVelocity(Q_M2_S3)] * 3)
    )
    updater = ExtendedKalmanUpdater(model)
    perm = [0, 3, 1, 4, 2, 5]
    p0 = np.diag([2e3**2] * 3 + [100.0**2] * 3)[np.ix_(perm, perm)]
    t_start = datetime(2026, 1, 1)
    final = np.empty((n, 6))
    t0 = time.process_time()
    for k in range(n):
        state = GaussianState(StateVector(prior[k, perm]), p0, timestamp=t_start)
        for s in range(steps):
            t = t_start + timedelta(seconds=DT_S * (s + 1))
            pred = predictor.predict(state, timestamp=t)
            az, el, rg = z[s, k]
            det = Detection(
                StateVector([Elevation(el), Bearing(az), rg]),
                timestamp=t,
                measurement_model=model,
            )
            state = updater.update(SingleHypothesis(pred, det))
        final[k] = np.asarray(state.state_vector, float).ravel()[np.argsort(perm)]
    return n * steps / (time.process_time() - t0), final


def _timed(fn, *args):  # type: ignore[no-untyped-def]
    w0 = time.perf_counter()
    out = fn(*args)
    return out, time.perf_counter() - w0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tracks", type=int, default=100_000)
    ap.add_argument("--steps", type=int, default=100)
    ap.add_argument("--ss-tracks", type=int, default=20)
    args = ap.parse_args()
    prob = problem(args.tracks, args.steps)
    (ss, x_ss), wall = _timed(run_stonesoup, prob, args.ss_tracks)
    print(
        f"stonesoup  EKF (CV + az/el/range): {args.ss_tracks} tracks x {args.steps} updates: "
        f"{ss:,.0f} track-updates/s per core (CPU time); wall "
        f"{args.ss_tracks * args.steps / wall:,.0f}/s"
    )
    (ours, x_ours), wall = _timed(run_ours, prob)
    print(
        f"shieldwall EKF (CV + az/el/range): {args.tracks} tracks x {args.steps} updates: "
        f"{ours:,.0f} track-updates/s per core (CPU time); wall incl. set-up "
        f"{args.tracks * args.steps / wall:,.0f}/s"
    )
    # the subsample is the first tracks of the same problem (same seed): same answers
    diff = np.abs(x_ours[: args.ss_tracks, :3] - x_ss[:, :3]).max()
    print(f"max position difference on the shared subsample: {diff:.2e} m")
    bal = run_ours_ballistic(prob, min(args.tracks, CHUNK), min(args.steps, 20))
    print(
        f"shieldwall EKF (ballistic + az/el/range, for reference): {bal:,.0f} "
        "track-updates/s per core (CPU time)"
    )
    print(f"ratio_vs_stonesoup={ours / ss:.0f}")


if __name__ == "__main__":
    main()
