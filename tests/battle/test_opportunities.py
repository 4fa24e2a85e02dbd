"""Engagement opportunities on a tiny synthetic world (duck-typed to docs/interfaces.md)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from shieldwall.battle.opportunities import find_opportunities, ground_range_m, threat_targets
from shieldwall.battle.plan import Doctrine, PlanError, doctrine_plan, plan_shots, raid_channels
from shieldwall.earth.constants import R_SPHERE_M
from shieldwall.earth.geodesy import geodetic_to_ecef
from tests.outcome.synthetic import Pair as SynthPair
from tests.outcome.synthetic import opportunities as synthetic_opportunities

#: Interceptor average speed of the synthetic flyout. [m/s]
V_INT_MPS = 2000.0


class _Flyout:
    """Straight-line flyout at constant speed inside an altitude band and a ground range."""

    def __init__(self, min_alt_m: float, max_alt_m: float, max_range_m: float) -> None:
        self.min_alt_m, self.max_alt_m, self.max_range_m = min_alt_m, max_alt_m, max_range_m

    def time_to_reach(self, ground_range_m: np.ndarray, alt_m: np.ndarray) -> np.ndarray:
        with np.errstate(invalid="ignore"):
            ok = (alt_m >= self.min_alt_m) & (alt_m <= self.max_alt_m)
            ok &= ground_range_m <= self.max_range_m
        return np.where(ok, np.hypot(ground_range_m, alt_m) / V_INT_MPS, np.nan)


class _Picture:
    def __init__(self, fc_t_s: np.ndarray, tracking: np.ndarray, share: np.ndarray) -> None:
        self.fc_t_s = fc_t_s  # (n_nat, n_threat)
        self.radar_tracking = tracking  # (n_radar, n_threat, m)
        radar_nation = np.array([0, 1])
        # own radars, plus radars of nations sharing at "engage" (3)
        self.guidance_radars = share[radar_nation, :].T >= 3

    def fire_control_time(self, nation_idx: int, sigma_req_m: float) -> np.ndarray:
        return self.fc_t_s[nation_idx]


def _world(n_threats: int = 2) -> SimpleNamespace:
    """Two nations, one asset each at (0, 0) and (0, 0.5 deg); one battery each at the asset."""
    assets_r = geodetic_to_ecef(np.zeros(2), np.radians([0.0, 0.5]), np.zeros(2))
    return SimpleNamespace(
        nations=SimpleNamespace(id=("a", "b")),
        assets=SimpleNamespace(
            nation_idx=np.array([0, 1]),
            r_ecef_m=assets_r,
            value=np.array([10.0, 5.0]),
            radius_m=np.array([20e3, 20e3]),
        ),
        missiles=SimpleNamespace(threat_class=("srbm",), reliability=np.array([0.9])),
        interceptors=SimpleNamespace(
            name=("lower",),
            tier=("lower",),
            max_alt_m=np.array([40e3]),
            reaction_time_s=np.array([10.0]),
            kill_assessment_s=np.array([5.0]),
            organic_guidance=np.array([True]),
            fcq_ipp_sigma_m=np.array([100.0]),
            pk=np.array([[0.7, 0.6, 0.5]]),
        ),
        radars=SimpleNamespace(nation_idx=np.array([0, 1]), revisit_s=np.array([1.0, 1.0])),
        batteries=SimpleNamespace(
            id=("bat_a", "bat_b"),
            nation_idx=np.array([0, 1]),
            interceptor_idx=np.array([0, 0]),
            inventory=np.array([8, 8]),
            fire_channels=np.array([4, 4]),
            r_ecef_m=assets_r,
            radar_idx=np.array([0, 1]),
        ),
        raid=SimpleNamespace(aim_asset_idx=np.array([0, 1][:n_threats])),
    )


def _trajectories(world: SimpleNamespace) -> SimpleNamespace:
    """Each threat falls vertically onto its asset from 100 km at 2 km/s (t = 0 .. 50 s)."""
    t = np.linspace(0.0, 50.0, 501)
    alt = 100e3 - 2000.0 * t
    n = 2
    lat = np.zeros((n, t.size))
    lon = np.radians([0.0, 0.5])[:, None] * np.ones(t.size)
    r = geodetic_to_ecef(lat, lon, np.broadcast_to(alt, (n, t.size)))
    return SimpleNamespace(
        t_s=np.tile(t, (n, 1)),
        r_ecef_m=r,
        alt_m=np.tile(alt, (n, 1)),
        phase=np.full((n, t.size), 2, dtype=np.int8),
        missile_idx=np.zeros(n, dtype=np.int64),
        impact_t_s=np.full(n, 50.0),
        impact_r_ecef_m=r[:, -1],
    )


def _policy(defends: np.ndarray, share: int = 0) -> SimpleNamespace:
    s = np.full((2, 2), share, dtype=np.int8)
    np.fill_diagonal(s, 3)
    return SimpleNamespace(name="p", share=s, defends=defends)


def _opps(policy: SimpleNamespace, fc: np.ndarray, visible: np.ndarray | None = None) -> tuple:
    world = _world()
    traj = _trajectories(world)
    vis = np.ones((2, 2, traj.t_s.shape[1]), bool) if visible is None else visible
    return (
        find_opportunities(
            world=world,
            trajectories=traj,
            picture=_Picture(fc, vis, policy.share),
            flyouts=[_Flyout(0.0, 40e3, 150e3)],
            policy=policy,
            targets=threat_targets(world, traj),
        ),
        world,
        traj,
    )


def test_ground_range_on_the_sphere() -> None:
    site = geodetic_to_ecef(0.0, 0.0, 0.0)
    pts = geodetic_to_ecef(np.zeros(2), np.radians([0.0, 1.0]), np.array([50e3, 0.0]))
    gr = ground_range_m(site, pts)
    assert gr[0] == pytest.approx(0.0, abs=1.0)
    # geodetic vs geocentric on the equator: same; spherical arc R * 1 deg
    assert gr[1] == pytest.approx(R_SPHERE_M * np.radians(1.0), rel=1e-9)


def test_targets_follow_aim_assets() -> None:
    world = _world()
    tg = threat_targets(world, _trajectories(world))
    np.testing.assert_array_equal(tg.asset_idx, [0, 1])
    np.testing.assert_array_equal(tg.nation_idx, [0, 1])
    np.testing.assert_allclose(tg.value, [10.0, 5.0])
    np.testing.assert_allclose(tg.reliability, [0.9, 0.9])


def test_national_batteries_engage_only_their_own_nation() -> None:
    fc = np.zeros((2, 2))
    opp, _, _ = _opps(_policy(np.eye(2, dtype=bool)), fc)
    np.testing.assert_array_equal(opp.battery_idx, opp.threat_idx)
    opp_all, _, _ = _opps(_policy(np.ones((2, 2), bool)), fc)
    assert opp_all.n_rows > opp.n_rows


def test_window_times_match_hand_computation() -> None:
    # Track at 0 s, reaction 10 s: earliest launch 10 s. A vertical fall above the battery at
    # altitude h(t) = 100 km - 2 km/s t is reachable below 40 km (t >= 30 s) in h / 2 km/s:
    # launch(t) = t - (100e3 - 2000 t) / 2000 = 2 t - 50 >= 10 -> t >= 30. First intercept 30 s.
    fc = np.zeros((2, 2))
    opp, _, _ = _opps(_policy(np.eye(2, dtype=bool)), fc)
    row = np.flatnonzero((opp.battery_idx == 0) & (opp.threat_idx == 0))[0]
    assert opp.first_intercept_t_s[row] == pytest.approx(30.0, abs=0.11)
    assert opp.launch_t_s[row, 0] == pytest.approx(10.0, abs=0.21)
    # next launch >= 30 + 5 s assessment -> 2 t - 50 >= 35 -> t >= 42.5
    assert opp.intercept_t_s[row, 1] == pytest.approx(42.5, abs=0.11)
    assert opp.pk[row] == pytest.approx(0.7)


def test_late_track_removes_the_window() -> None:
    fc = np.array([[np.inf, 0.0], [0.0, 100.0]])
    opp, _, _ = _opps(_policy(np.eye(2, dtype=bool)), fc)
    assert opp.n_rows == 0


def test_organic_guidance_needs_own_radar_unless_engage_on_remote() -> None:
    fc = np.zeros((2, 2))
    vis = np.zeros((2, 2, 501), bool)
    vis[1] = True  # only nation b's radar sees anything
    everyone = np.ones((2, 2), bool)
    alone, _, _ = _opps(_policy(everyone, share=2), fc, vis)
    assert set(alone.battery_idx.tolist()) == {1}
    eor, _, _ = _opps(_policy(everyone, share=3), fc, vis)
    assert set(eor.battery_idx.tolist()) == {0, 1}


def test_doctrine_fires_fixed_salvos_at_own_threats_until_empty() -> None:
    fc = np.zeros((2, 2))
    opp, world, traj = _opps(_policy(np.ones((2, 2), bool)), fc)
    tg = threat_targets(world, traj)
    plan = doctrine_plan(opp, tg, world.batteries.nation_idx, np.array([3, 8]), Doctrine())
    np.testing.assert_array_equal(plan, [[2, 0], [0, 2]])
    plan = doctrine_plan(opp, tg, world.batteries.nation_idx, np.array([1, 0]), Doctrine())
    np.testing.assert_array_equal(plan, [[1, 0], [0, 0]])


@pytest.mark.parametrize("solver", ["heuristic", "exact"])
def test_wta_plan_respects_windows_and_inventory(solver: str) -> None:
    fc = np.zeros((2, 2))
    opp, world, traj = _opps(_policy(np.eye(2, dtype=bool)), fc)
    tg = threat_targets(world, traj)
    plan = plan_shots(
        opportunities=opp,
        targets=tg,
        battery_nation_idx=world.batteries.nation_idx,
        inventory=np.array([1, 3]),
        channels=None,
        solver=solver,
        doctrine=Doctrine(max_shots_per_pair=2),
    )
    assert plan[0, 1] == 0  # no window: battery a may not defend b under national
    assert plan[1, 0] == 0
    assert plan[0, 0] == 1  # limited by inventory
    assert plan[1, 1] == 2  # limited by the per-pair cap


def test_unknown_solver_lists_the_valid_ones() -> None:
    fc = np.zeros((2, 2))
    opp, world, traj = _opps(_policy(np.eye(2, dtype=bool)), fc)
    with pytest.raises(PlanError, match="heuristic, exact, doctrine"):
        plan_shots(
            opportunities=opp,
            targets=threat_targets(world, traj),
            battery_nation_idx=world.batteries.nation_idx,
            inventory=np.array([1, 1]),
            channels=None,
            solver="greedy",
            doctrine=Doctrine(),
        )


def test_bad_doctrine_is_a_user_error() -> None:
    with pytest.raises(PlanError, match="salvo_size"):
        Doctrine(salvo_size=0)


def test_raid_channels_count_successive_engagements() -> None:
    # battery 0: windows from launch 0 to 100 s, engagements of 20 s (launch to assessment):
    # 1 + floor(100 / 20) = 6 waves of 2 channels; battery 1 has no window: its channels.
    opp = synthetic_opportunities(
        [
            SynthPair(0, 0, 0.5, t0_s=0.0, flight_s=15.0, assess_s=5.0),
            SynthPair(0, 1, 0.5, n_slots=2, t0_s=70.0, flight_s=15.0, assess_s=5.0),
        ]
    )
    np.testing.assert_array_equal(raid_channels(opp, np.array([2, 3])), [12, 3])


def test_targets_of_threats_aimed_at_a_location() -> None:
    # threat 1 is aimed at a location (no asset) but falls inside asset 1's radius; moving its
    # impact point 100 km away leaves it on no defended asset (value 0, never a leaker).
    world = _world()
    world.raid = SimpleNamespace(aim_asset_idx=np.array([0, -1]))
    traj = _trajectories(world)
    tg = threat_targets(world, traj)
    np.testing.assert_array_equal(tg.asset_idx, [0, 1])
    far = geodetic_to_ecef(np.radians(1.0), np.radians(0.5), 0.0)
    traj.impact_r_ecef_m = np.stack([traj.impact_r_ecef_m[0], far])
    tg = threat_targets(world, traj)
    np.testing.assert_array_equal(tg.asset_idx, [0, -1])
    np.testing.assert_array_equal(tg.nation_idx, [0, -1])
    np.testing.assert_allclose(tg.value, [10.0, 0.0])
