"""observe(): EW times, cueing per policy, RCS by phase; wiring on a synthetic world."""

from __future__ import annotations

import numpy as np
import pytest

from shieldwall.sensing import observe
from shieldwall.sensing.radar import SNR_AT_R0
from shieldwall.sensing.satellite import MIN_BOOST_S, ew_detect_times
from tests.sensing import synth


@pytest.fixture(scope="module")
def setting():  # type: ignore[no-untyped-def]
    return synth.korea_japan()


def test_ew_reports_after_latency_and_only_long_boosts() -> None:
    t = ew_detect_times(
        np.array([0.0, 100.0]), np.array([60.0, 100.0 + MIN_BOOST_S / 2]), np.array([30.0, 45.0])
    )
    assert t.tolist() == [[30.0, np.inf], [45.0, np.inf]]


def test_cueing_only_ever_helps(setting) -> None:  # type: ignore[no-untyped-def]
    world, traj = setting
    nat = observe(world, traj, world.policies["national"])
    cue = observe(world, traj, world.policies["cueing"])
    # national: the satellite is American, the radars Korean and Japanese -> only radar-to-
    # radar cueing within a nation (none here, one radar each)
    assert np.all(np.isinf(nat.cue_t_s))
    # cueing: the SBIRS report (launch + 30 s + 10 s link) or the other radar's track cues
    assert np.all(cue.cue_t_s <= traj.launch_t_s[None, :] + 40.0 + 1e-9)
    assert np.all(cue.pd >= nat.pd - 1e-15)
    assert np.all(cue.first_detect_t_s <= nat.first_detect_t_s)
    assert np.all(cue.track_init_t_s <= nat.track_init_t_s)


def test_rcs_follows_the_flight_phase(setting) -> None:  # type: ignore[no-untyped-def]
    world, traj = setting
    vis = observe(world, traj, None)
    boost = (traj.phase == 0)[None] & vis.visible
    rv = (traj.phase >= 1)[None] & vis.visible
    ratio = vis.snr_cued * (vis.range_m / world.radars.r0_m[:, None, None]) ** 4 / SNR_AT_R0
    np.testing.assert_allclose(ratio[boost], world.missiles.rcs_booster_m2[0], rtol=1e-9)
    np.testing.assert_allclose(ratio[rv], world.missiles.rcs_rv_m2[0], rtol=1e-9)


def test_shapes_and_padding(setting) -> None:  # type: ignore[no-untyped-def]
    world, traj = setting
    vis = observe(world, traj)
    n_r, n_t, m = len(world.radars), traj.n, traj.m
    assert vis.visible.shape == (n_r, n_t, m)
    assert vis.ew_detect_t_s.shape == (len(world.satellites), n_t)
    pad = ~np.isfinite(traj.t_s)
    assert not vis.visible[:, pad].any()
    assert np.all(vis.pd[:, pad] == 0.0)
    assert vis.tracking.shape == (n_r, n_t, m)
    assert not (vis.tracking & ~vis.visible).any()
