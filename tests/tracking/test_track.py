"""track(): the cooperation model on a synthetic Korea-Japan world (wiring and properties)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from shieldwall.scenario.policy import preset_policy
from shieldwall.sensing import observe
from shieldwall.tracking import TrackPicture, track
from tests.sensing import synth

POLICIES = ("national", "cueing", "shared_tracks", "integrated")


@pytest.fixture(scope="module")
def setting():  # type: ignore[no-untyped-def]
    world, traj = synth.korea_japan()
    pictures = {}
    for p in POLICIES:
        pol = world.policies[p]
        pictures[p] = track(world, traj, observe(world, traj, pol), pol)
    return world, traj, pictures


def test_sharing_never_delays_fire_control(setting) -> None:  # type: ignore[no-untyped-def]
    _, _, pics = setting
    nat = np.arange(3)
    for req in (300.0, 1000.0, 3000.0):
        t = {p: pics[p].fire_control_time(nat, req) for p in POLICIES}
        assert np.all(t["cueing"] <= t["national"])
        assert np.all(t["shared_tracks"] <= t["cueing"])
        np.testing.assert_array_equal(t["integrated"], t["shared_tracks"])
    # and it matters: Korea gets a fire-control track on threat 2 only from Japan's radar
    assert np.isinf(pics["national"].fire_control_time(0, 500.0)[2])
    assert np.isfinite(pics["shared_tracks"].fire_control_time(0, 500.0)[2])
    # the US has no radar here: nothing without sharing
    assert np.all(np.isinf(pics["national"].ipp_sigma_m[2]))


def test_latency_never_helps(setting) -> None:  # type: ignore[no-untyped-def]
    world, traj, _ = setting
    fc = []
    for lat in (0.0, 10.0, 60.0):
        pol = replace(preset_policy("shared_tracks", 3, lat), name="shared_tracks")
        pic = track(world, traj, observe(world, traj, pol), pol)
        fc.append(pic.fire_control_time(np.arange(3), 500.0))
    assert np.all(fc[0] <= fc[1])
    assert np.all(fc[1] <= fc[2])
    assert np.any(fc[0] < fc[2])


def test_fire_control_time_is_vectorized_and_first_crossing(setting) -> None:  # type: ignore[no-untyped-def]
    _, traj, pics = setting
    pic: TrackPicture = pics["shared_tracks"]
    nat = np.array([0, 1, 2, 1])
    req = np.array([300.0, 800.0, 2000.0, 5000.0])
    got = pic.fire_control_time(nat, req)
    assert got.shape == (4, traj.n)
    for i in range(4):
        for j in range(traj.n):
            sig = pic.ipp_sigma_m[nat[i], j]
            ok = np.nonzero(sig <= req[i])[0]
            expect = traj.t_s[j, ok[0]] if len(ok) else np.inf
            assert got[i, j] == expect
            k = pic.fire_control_index(nat[i], req[i])[j]
            assert (k == -1) if len(ok) == 0 else (traj.t_s[j, k] == expect)


def test_no_ipp_in_boost_and_covariances_are_psd(setting) -> None:  # type: ignore[no-untyped-def]
    world, traj, pics = setting
    pic = pics["integrated"]
    assert np.all(np.isinf(pic.ipp_sigma_m[:, traj.phase == 0]))
    assert pic.pos_cov_m2 is None  # only on request
    pol = world.policies["integrated"]
    full = track(world, traj, observe(world, traj, pol), pol, position_covariance=True)
    assert full.pos_cov_m2 is not None
    cov = full.pos_cov_m2[np.isfinite(full.pos_cov_m2[..., 0, 0])]
    assert np.linalg.eigvalsh(cov).min() > 0.0
    ipp = pic.ipp_cov_m2[np.isfinite(pic.ipp_cov_m2[..., 0, 0])]
    assert np.linalg.eigvalsh(ipp).min() > 0.0


def test_guidance_follows_the_engage_level(setting) -> None:  # type: ignore[no-untyped-def]
    world, _, pics = setting
    own = world.radars.nation_idx[None, :] == np.arange(3)[:, None]
    np.testing.assert_array_equal(pics["shared_tracks"].guidance_radars, own)
    assert pics["integrated"].guidance_radars.all()
    g = pics["integrated"].guidance_available(2)  # the US guides on allied radars
    assert g.any()
    assert not pics["shared_tracks"].guidance_available(2).any()


def test_ci_fusion_is_no_better_than_centralized(setting) -> None:  # type: ignore[no-untyped-def]
    world, traj, pics = setting
    pol = world.policies["shared_tracks"]
    ci = track(world, traj, observe(world, traj, pol), pol, fusion="ci")
    t_ci = ci.fire_control_time(np.arange(3), 500.0)
    t_c = pics["shared_tracks"].fire_control_time(np.arange(3), 500.0)
    assert np.all(t_ci >= t_c)


def test_first_detection_by_sensor_and_policy(setting) -> None:  # type: ignore[no-untyped-def]
    world, traj, pics = setting
    nat, cue = pics["national"], pics["cueing"]
    # the US learns from its own satellite (index n_radar + 0) 30 s after launch
    assert np.all(nat.first_detect_sensor[2] == len(world.radars))
    np.testing.assert_allclose(nat.first_detect_t_s[2], traj.launch_t_s + 30.0)
    assert np.all(cue.first_detect_t_s <= nat.first_detect_t_s)


def test_bad_arguments_say_what_is_allowed(setting) -> None:  # type: ignore[no-untyped-def]
    world, traj, _ = setting
    pol = world.policies["national"]
    vis = observe(world, traj, pol)
    with pytest.raises(ValueError, match="valid modes: covariance, measurement"):
        track(world, traj, vis, pol, mode="particle")
    with pytest.raises(ValueError, match="valid fusions: centralized, ci"):
        track(world, traj, vis, pol, fusion="average")
    with pytest.raises(ValueError, match="observed under policy 'national'"):
        track(world, traj, vis, world.policies["integrated"])


def test_measurement_mode_agrees_with_covariance_mode(setting) -> None:  # type: ignore[no-untyped-def]
    """Same interface, Monte Carlo fidelity: the filters' own covariances, averaged over
    trials, give nearly the same fire-control times. Random detection gaps make the
    measurement mode slightly more conservative on average (Jensen: E[(P⁻¹ + J)⁻¹] ≥
    (P⁻¹ + E J)⁻¹); 15 s is ~5 % of the time from detection to fire control here."""
    world, traj, pics = setting
    pol = world.policies["national"]
    mc = track(world, traj, observe(world, traj, pol), pol, mode="measurement", trials=30, seed=4)
    for req in (500.0, 2000.0):
        a = pics["national"].fire_control_time(np.arange(3), req)
        b = mc.fire_control_time(np.arange(3), req)
        np.testing.assert_array_equal(np.isfinite(a), np.isfinite(b))
        fin = np.isfinite(a)
        assert np.all(np.abs(a[fin] - b[fin]) <= 15.0)
    with pytest.raises(ValueError, match="centralized"):
        track(world, traj, observe(world, traj, pol), pol, mode="measurement", fusion="ci")


def test_nation_fcq_requirement_is_the_loosest_of_its_batteries() -> None:
    """Per nation: max fcq_ipp_sigma_m over its batteries; no battery -> the median type's."""
    from shieldwall.scenario import compile_world, load_scenario
    from shieldwall.tracking import nation_fcq_requirement_m

    world = compile_world(load_scenario("examples/korea_japan.yaml"))
    req = nation_fcq_requirement_m(world)
    per_battery = world.interceptors.fcq_ipp_sigma_m[world.batteries.interceptor_idx]
    for n in range(len(world.nations.id)):
        mine = per_battery[world.batteries.nation_idx == n]
        expected = mine.max() if mine.size else np.median(world.interceptors.fcq_ipp_sigma_m)
        assert req[n] == expected
    # a nation with no battery at all falls back to the median interceptor requirement
    bat = world.batteries
    keep = bat.nation_idx != 0
    stripped = replace(
        world,
        batteries=replace(
            bat, nation_idx=bat.nation_idx[keep], interceptor_idx=bat.interceptor_idx[keep]
        ),
    )
    assert nation_fcq_requirement_m(stripped)[0] == np.median(world.interceptors.fcq_ipp_sigma_m)
