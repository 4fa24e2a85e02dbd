"""Search versus cued detection from the radar equation and a search-time budget (issue #14).

The ranges are worked out by hand for one radar (an AN/TPY-2-like X-band array) and compared
with what ``observe`` does: the single-look Pd is 0.5 against 1 m² exactly at the effective
range, searching, after a satellite cue and after a radar cue.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from shieldwall.sensing import observe, sensor_geometry
from shieldwall.sensing.radar import PD_AT_R0, PFA, SNR_AT_R0, swerling1_pd
from shieldwall.sensing.search import (
    CUE_SIGMAS,
    EW_ALONG_TRACK_FRACTION,
    cue_solid_angle_sr,
    dwell_snr_factor,
    ew_cue_sigma_m,
    search_solid_angle_sr,
)
from tests.sensing import synth

#: Relative tolerance of the hand calculation (floating point only).
RTOL = 1e-12


def test_search_and_cued_ranges_reproduce_the_radar_equation_by_hand() -> None:
    # One radar: r0 = 1,000 km cued (Pd 0.5 on 1 m^2), searching a fence 120 deg wide and 5 deg
    # deep with 10 mrad beams, search_range_factor f = 0.6.
    r0, f = 1000e3, 0.6
    fence = 2 * math.radians(60) * math.radians(5)  # 0.1827 sr
    beam = 0.010**2  # 1e-4 sr: 1,827 beam positions
    assert search_solid_angle_sr(math.radians(60), math.radians(5)) == pytest.approx(fence)
    # Searching: R^4 proportional to the dwell per beam; the whole fence: R = f r0 = 600 km.
    r_search = f * r0
    # A satellite cue 300 km downrange, launch point 2 km and azimuth 5 deg (1-sigma): the
    # radar looks through a 3-sigma window 800 km away.
    d, lp, az = 300e3, 2e3, math.radians(5)
    sx = math.sqrt(lp**2 + (d * az) ** 2)  # 26.3 km across the reported track
    sa = math.sqrt(lp**2 + (EW_ALONG_TRACK_FRACTION * d) ** 2)  # 30.1 km along it
    cross, along = ew_cue_sigma_m(lp, az, d)
    assert (cross, along) == pytest.approx((sx, sa), rel=RTOL)
    window = math.pi * (CUE_SIGMAS * sx / 800e3) * (CUE_SIGMAS * sa / 800e3)  # 0.0280 sr
    assert cue_solid_angle_sr(sx, sa, 800e3) == pytest.approx(window, rel=RTOL)
    # dwell per beam grows by fence / window = 6.5x: R = f r0 (fence / window)^(1/4) = 954 km
    r_ew = r_search * (fence / window) ** 0.25
    assert 900e3 < r_ew < r0
    assert dwell_snr_factor(f, fence, window, beam) == pytest.approx((r_ew / r0) ** 4, rel=RTOL)
    # a radar cue: one beam, 1,827x the dwell, capped at a full track dwell: R = r0
    assert dwell_snr_factor(f, fence, beam, beam) == 1.0
    # a cue worse than the fence never makes the radar worse than searching
    assert dwell_snr_factor(f, fence, 10 * fence, beam) == pytest.approx(f**4, rel=RTOL)
    # and the Swerling-1 Pd at those ranges is the r0 definition, 0.5, for 1 m^2
    for r_eff, factor in ((r_search, f**4), (r_ew, dwell_snr_factor(f, fence, window, beam))):
        snr = SNR_AT_R0 * 1.0 * (r0 / r_eff) ** 4 * factor
        assert swerling1_pd(np.array(snr)) == pytest.approx(PD_AT_R0, rel=1e-12)


def test_observe_applies_search_satellite_and_radar_cues() -> None:
    """On the synthetic Korea-Japan world: searching until the first cue, then between the
    search and a full dwell (satellite window, or one beam after a radar cue)."""
    world, traj = synth.korea_japan()
    geo = sensor_geometry(world, traj)
    rd = world.radars
    f4 = rd.search_range_factor**4
    vis = observe(world, traj, world.policies["cueing"], base=geo)
    # ratio of the effective SNR to the cued SNR, from the Pd of single looks (revisit = dt)
    with np.errstate(divide="ignore", invalid="ignore"):
        snr_eff = math.log(PFA) / np.log(vis.pd) - 1.0  # invert Pd = Pfa^(1/(1+SNR))
        ratio = snr_eff / geo.snr_cued
    ok = geo.visible & (vis.pd > 1e-9) & (vis.pd < 1 - 1e-9)
    before = ok & (traj.t_s[None] < vis.cue_t_s[..., None])
    np.testing.assert_allclose(
        ratio[before], np.broadcast_to(f4[:, None, None], ratio.shape)[before], rtol=1e-6
    )
    after = ok & (traj.t_s[None] >= vis.cue_t_s[..., None])
    assert after.any()
    assert np.all(ratio[after] >= f4[np.nonzero(after)[0]] * (1 - 1e-6))
    assert np.all(ratio[after] <= 1 + 1e-6)
    # national: no satellite of their own, one radar each: they search throughout
    nat = observe(world, traj, world.policies["national"], base=geo)
    np.testing.assert_array_equal(nat.pd, observe(world, traj, None).pd)
    assert np.all(np.isinf(nat.cue_t_s))
    # a worse satellite report (larger errors) never detects earlier
    sats = replace(world.satellites, azimuth_sigma_rad=world.satellites.azimuth_sigma_rad * 4)
    worse = replace(world, satellites=sats)
    vw = observe(worse, traj, worse.policies["cueing"])
    assert np.all(vw.pd <= vis.pd + 1e-15)
    assert np.all(vw.track_init_t_s >= vis.track_init_t_s)
