"""Measurement mode validates covariance mode: NEES/NIS in chi-square bounds, same covariance."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from shieldwall.sensing import observe
from shieldwall.tracking import FilterModel, track
from shieldwall.tracking.measurement import simulate_ekf
from tests.sensing import synth

#: Issue #4: at least 500 Monte Carlo trials.
TRIALS = 500
#: Two-sided chi-square confidence for NEES/NIS and variance checks (issue #4: 95 %).
CONFIDENCE = 0.95
#: The synthetic truth is exactly ballistic (no process noise), so the filter that matches it
#: has (almost) no process noise; any q > 0 makes it conservative by design.
MODEL = FilterModel(drag=False, q_boost_m2_s3=1e-9, q_midcourse_m2_s3=1e-9, q_terminal_m2_s3=1e-9)
#: Samples checked: after the first updates, in midcourse, and late (seconds after launch).
CHECK_K = (20, 150, 400)


@pytest.fixture(scope="module")
def setting():  # type: ignore[no-untyped-def]
    arcs = [synth.arc(synth.LAUNCH_DEG, 100.0, 3300.0, 45.0)]
    radars = synth.radar_table(
        [
            # r0 large: Pd ~ 1 at every look, so the covariance mode's expected information
            # is the information of every trial
            {"id": "kor", "nation_idx": 0, "lat_deg": 36.0, "lon_deg": 127.5, "r0_km": 8000},
            {"id": "jpn", "nation_idx": 1, "lat_deg": 35.5, "lon_deg": 136.0, "r0_km": 8000},
        ]
    )
    return synth.world(radars, latency_s=10.0), synth.trajectories(arcs)


@pytest.mark.parametrize("policy", ["national", "shared_tracks"])
def test_nees_nis_and_covariance_match(setting, policy: str) -> None:  # type: ignore[no-untyped-def]
    world, traj = setting
    pol = world.policies[policy]
    vis = observe(world, traj, pol)
    assert vis.pd_cued[vis.visible].min() > 0.99
    picture = track(world, traj, vis, pol, model=MODEL, position_covariance=True)
    run = simulate_ekf(
        world,
        traj,
        vis,
        pol,
        0,
        trials=TRIALS,
        seed=11,
        model=MODEL,
        draw_detections=False,
        k_eval=list(CHECK_K),
    )
    a = (1.0 - CONFIDENCE) / 2.0
    for e, k in enumerate(CHECK_K):
        nees = run.nees[:, 0, e]
        assert np.all(np.isfinite(nees))
        lo, hi = stats.chi2.ppf([a, 1.0 - a], 6 * TRIALS) / TRIALS
        assert lo <= nees.mean() <= hi, (k, nees.mean(), lo, hi)
        dof = int(run.nis_dof[:, 0, k].sum())
        assert dof > 0
        lo, hi = stats.chi2.ppf([a, 1.0 - a], dof)
        assert lo <= run.nis[:, 0, k].sum() <= hi
        # empirical position variance vs the covariance mode: (n-1) s^2 / sigma^2 ~ chi2(n-1)
        err = run.err[:, 0, e, :3]
        lo, hi = stats.chi2.ppf([a / 3, 1.0 - a / 3], TRIALS - 1)  # Bonferroni over 3 axes
        assert picture.pos_cov_m2 is not None
        cov_mode = picture.pos_cov_m2[0, 0, k]
        for axis in range(3):
            ratio = (TRIALS - 1) * err[:, axis].var(ddof=1) / cov_mode[axis, axis]
            assert lo <= ratio <= hi, (k, axis, ratio)
        # the measurement-mode filter's own covariance agrees with the truth-linearised one
        np.testing.assert_allclose(run.cov_mean[0, e, :3, :3], cov_mode, rtol=0.02, atol=1.0)


def test_sharing_shrinks_the_measurement_mode_errors(setting) -> None:  # type: ignore[no-untyped-def]
    world, traj = setting
    rms = {}
    for policy in ("national", "shared_tracks"):
        pol = world.policies[policy]
        vis = observe(world, traj, pol)
        run = simulate_ekf(world, traj, vis, pol, 0, trials=100, seed=5, model=MODEL, k_eval=[400])
        rms[policy] = np.sqrt(np.nanmean(run.err[:, 0, 0, :3] ** 2))
    assert rms["shared_tracks"] < rms["national"]


@pytest.mark.parametrize("policy", ["national", "shared_tracks"])
def test_nees_with_random_detections(policy: str) -> None:
    """Pd < 1 (radars with r0 = 900 km, RV of 0.1 m²): detections drawn per look; the filter's
    covariance follows the detections it got, so NEES stays chi-square(6) for every threat."""
    world, traj = synth.korea_japan()
    pol = world.policies[policy]
    vis = observe(world, traj, pol)
    assert vis.pd_cued[vis.visible].min() < 0.9
    run = simulate_ekf(
        world, traj, vis, pol, 1, trials=TRIALS, seed=2, model=MODEL, k_eval=[60, 200, 400]
    )
    a = (1.0 - CONFIDENCE) / 2.0
    lo, hi = stats.chi2.ppf([a, 1.0 - a], 6 * TRIALS) / TRIALS
    for e in range(3):
        for j in range(traj.n):
            assert lo <= np.nanmean(run.nees[:, j, e]) <= hi, (e, j)
