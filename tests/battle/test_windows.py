"""Engagement windows, guidance levers and the fight inputs on a tiny synthetic world.

Two nations a and b, one asset each, one battery each at its asset with its own fire-control
radar; each threat falls vertically onto its asset from 100 km at 2 km/s. Duck-typed to
docs/interfaces.md, so the hand computations below are short.
"""

from __future__ import annotations

import dataclasses
from types import SimpleNamespace

import numpy as np
import pytest

from shieldwall.battle import (
    believed_assets,
    build_fight_inputs,
    failures,
    guided,
    reach,
    threat_targets,
)
from shieldwall.battle.windows import ground_range_m
from shieldwall.earth.constants import R_SPHERE_M
from shieldwall.earth.geodesy import geodetic_to_ecef
from shieldwall.scenario.doctrine import Doctrine

#: Interceptor average speed of the synthetic flyout. [m/s]
V_INT_MPS = 2000.0


class _Flyout:
    """Straight-line flyout at constant speed inside an altitude band and a ground range."""

    def time_to_reach(self, ground_range_m: np.ndarray, alt_m: np.ndarray) -> np.ndarray:
        with np.errstate(invalid="ignore"):
            ok = (alt_m >= 0.0) & (alt_m <= 40e3) & (ground_range_m <= 150e3)
        return np.where(ok, np.hypot(ground_range_m, alt_m) / V_INT_MPS, np.nan)


class _Picture:
    """Fire control at ``fc_t_s`` for every nation; radar ``r`` tracks where ``tracking[r]``."""

    def __init__(self, tracking: np.ndarray, fc_t_s: float = 0.0) -> None:
        n_t, m = tracking.shape[1:]
        self.radar_tracking = tracking
        self.track_t_s = np.zeros((2, n_t))
        self.t_s = np.tile(np.linspace(0.0, 50.0, m), (n_t, 1))
        cov = np.zeros((2, n_t, m, 2, 2))
        cov[..., 0, 0] = cov[..., 1, 1] = 100.0**2
        self.ipp_cov_m2 = cov
        self.fc_t_s = fc_t_s

    def fire_control_time(self, nation_idx: int, sigma_req_m: float) -> np.ndarray:
        return np.full(self.t_s.shape[0], self.fc_t_s)

    def radar_tracks(self, radar_idx: object, threat_idx: object, sample_idx: object) -> np.ndarray:
        return np.asarray(self.radar_tracking[radar_idx, threat_idx, sample_idx], dtype=bool)

    def fire_control_index(self, nation_idx: int, sigma_req_m: float) -> np.ndarray:
        return np.zeros(self.t_s.shape[0], dtype=np.int64)

    def fire_control_times(
        self, nation_idx: int, sigma_req_m: np.ndarray, u: np.ndarray
    ) -> np.ndarray:
        return np.full((*np.shape(sigma_req_m), *u.shape), self.fc_t_s)

    def ipp_cov_at_fire_control(self, nation_idx: int, sigma_req_m: float) -> np.ndarray:
        return self.ipp_cov_m2[nation_idx][:, 0]


def _world(organic: bool = True, remote: bool | None = None) -> SimpleNamespace:
    assets_r = geodetic_to_ecef(np.zeros(2), np.radians([0.0, 0.5]), np.zeros(2))
    itc = SimpleNamespace(
        name=("lower",),
        tier=("lower",),
        reaction_time_s=np.array([10.0]),
        kill_assessment_s=np.array([5.0]),
        organic_guidance=np.array([organic]),
        fcq_ipp_sigma_m=np.array([100.0]),
        pk=np.array([[0.7, 0.6, 0.5]]),
    )
    if remote is not None:  # the catalog key, where the world has it
        itc.remote_guidance = np.array([remote])
        itc.reliability = np.array([0.9])
    return SimpleNamespace(
        nations=SimpleNamespace(id=("a", "b")),
        assets=SimpleNamespace(
            nation_idx=np.array([0, 1]),
            r_ecef_m=assets_r,
            value=np.array([10.0, 5.0]),
            radius_m=np.array([20e3, 20e3]),
        ),
        missiles=SimpleNamespace(threat_class=("srbm",), reliability=np.array([0.9])),
        interceptors=itc,
        # radars 0, 1: the batteries' own; radar 2: a second radar of nation a
        radars=SimpleNamespace(nation_idx=np.array([0, 1, 0])),
        batteries=SimpleNamespace(
            id=("bat_a", "bat_b"),
            nation_idx=np.array([0, 1]),
            interceptor_idx=np.array([0, 0]),
            inventory=np.array([8, 8]),
            fire_channels=np.array([4, 4]),
            r_ecef_m=assets_r,
            radar_idx=np.array([0, 1]),
        ),
        raid=SimpleNamespace(aim_asset_idx=np.array([0, 1])),
    )


def _trajectories() -> SimpleNamespace:
    t = np.linspace(0.0, 50.0, 501)
    alt = 100e3 - 2000.0 * t
    lat = np.zeros((2, t.size))
    lon = np.radians([0.0, 0.5])[:, None] * np.ones(t.size)
    r = geodetic_to_ecef(lat, lon, np.broadcast_to(alt, (2, t.size)))
    return SimpleNamespace(
        t_s=np.tile(t, (2, 1)),
        r_ecef_m=r,
        alt_m=np.tile(alt, (2, 1)),
        phase=np.full((2, t.size), 2, dtype=np.int8),
        missile_idx=np.zeros(2, dtype=np.int64),
        launch_t_s=np.full(2, -200.0),
        burnout_t_s=np.full(2, -150.0),
        impact_t_s=np.full(2, 50.0),
        impact_r_ecef_m=r[:, -1],
        impact_lat_rad=np.zeros(2),
        impact_lon_rad=np.radians([0.0, 0.5]),
    )


def _policy(
    share: int = 0, defends: np.ndarray | None = None, ifc: bool = False
) -> SimpleNamespace:
    s = np.full((2, 2), share, dtype=np.int8)
    np.fill_diagonal(s, 3)
    return SimpleNamespace(
        name="p",
        share=s,
        latency_s=np.zeros((2, 2)),
        defends=np.eye(2, dtype=bool) if defends is None else defends,
        ifc=np.full(2, ifc),
    )


def _tracking(radars: tuple[int, ...]) -> np.ndarray:
    tr = np.zeros((3, 2, 501), dtype=bool)
    for r in radars:
        tr[r] = True
    return tr


def _inputs(world: SimpleNamespace, tracking: np.ndarray, policy: SimpleNamespace):  # type: ignore[no-untyped-def]
    traj = _trajectories()
    return build_fight_inputs(
        world=world, trajectories=traj, picture=_Picture(tracking),
        reach=reach(world, traj, [_Flyout()]), policy=policy, doctrine=Doctrine(),
    )  # fmt: skip


def test_ground_range_on_the_sphere() -> None:
    site = geodetic_to_ecef(0.0, 0.0, 0.0)
    pts = geodetic_to_ecef(np.zeros(2), np.radians([0.0, 1.0]), np.array([50e3, 0.0]))
    gr = ground_range_m(site, pts)
    assert gr[0] == pytest.approx(0.0, abs=1.0)
    assert gr[1] == pytest.approx(R_SPHERE_M * np.radians(1.0), rel=1e-9)


def test_reach_matches_hand_computation() -> None:
    # Reachable below 40 km: h(t) = 100 km - 2 km/s t <= 40 km -> t >= 30 s, until impact (50 s,
    # excluded). Launch at t - h / 2 km/s = 2 t - 50 (the battery is under the threat).
    world = _world()
    rch = reach(world, _trajectories(), [_Flyout()])
    p = np.flatnonzero((rch.pair_battery_idx == 0) & (rch.pair_threat_idx == 0))[0]
    t = rch.t_s[rch.pair_start[p] : rch.pair_start[p + 1]]
    tau = rch.tau_s[rch.pair_start[p] : rch.pair_start[p + 1]]
    assert t[0] == pytest.approx(30.0, abs=0.11)
    assert t[-1] < 50.0
    np.testing.assert_allclose(t - tau, 2 * t - 50.0, atol=1e-6)
    # both batteries reach both threats (0.5 deg = 55 km < 150 km): four pairs, policy aside
    assert rch.n_pairs == 4


def test_rows_ignore_authority_and_keep_the_nominal_earliest_launch() -> None:
    fi = _inputs(_world(), _tracking((0, 1)), _policy())
    assert fi.n_rows == 4  # authority is per trial, from beliefs (docs/battle.md §1)
    np.testing.assert_allclose(fi.row_nominal_earliest_launch_t_s, 10.0)  # fc 0 + reaction 10
    np.testing.assert_array_equal(fi.defends, np.eye(2, dtype=bool))
    # catalog keys absent: reliability 1, common mode 0 (documented defaults)
    np.testing.assert_array_equal(fi.interceptor_reliability, [1.0])
    np.testing.assert_array_equal(fi.common_mode, np.zeros((1, 3)))
    np.testing.assert_allclose(fi.row_p_kill, 0.7)
    # each asset lies at the true impact point of its own threat, 55 km east of the other
    np.testing.assert_allclose(np.linalg.norm(fi.asset_offset_en_m[0, 0]), 0.0, atol=1.0)
    assert fi.asset_offset_en_m[0, 1, 0] == pytest.approx(55.6e3, rel=0.01)


@pytest.mark.parametrize(
    ("tracking", "remote", "share", "ifc", "batteries_with_rows"),
    [
        ((0, 1), None, 0, False, {0, 1}),  # own fire-control radars: both
        ((1,), None, 3, True, {1}),  # no remote_guidance key: own radar only, whatever the levers
        ((1, 2), False, 3, True, {1}),  # not remote-guidance capable
        ((1, 2), True, 0, False, {1}),  # capable, but no lever
        ((1, 2), True, 0, True, {0, 1}),  # ifc: nation a's other radar (2) guides bat_a
        ((1,), True, 2, True, {1}),  # track-level sharing is not engage on remote
        ((1,), True, 3, False, {0, 1}),  # engage: nation b's radar guides bat_a
    ],
)
def test_guidance_levers(
    tracking: tuple[int, ...],
    remote: bool | None,
    share: int,
    ifc: bool,
    batteries_with_rows: set[int],
) -> None:
    world = _world(organic=True, remote=remote)
    fi = _inputs(world, _tracking(tracking), _policy(share=share, ifc=ifc))
    assert set(fi.row_battery_idx.tolist()) == batteries_with_rows


def test_interceptors_without_organic_guidance_need_no_radar() -> None:
    world = _world(organic=False)
    traj = _trajectories()
    rch = reach(world, traj, [_Flyout()])
    assert guided(rch, world, _Picture(_tracking(())), _policy()).all()


def test_failures_in_powered_and_free_flight() -> None:
    fi = _inputs(_world(), _tracking((0, 1)), _policy())
    u = np.array([[0.95, 0.5, 0.25], [0.0, 0.95, 0.75]])  # (threat, trial)
    fly, v = u.copy(), u.copy()
    flies, fail_t = failures(fi, fly, v)
    np.testing.assert_array_equal(flies.T, u < 0.9)
    # (trial, threat): threat 0 fails in trial 0, threat 1 in trial 1 (u = 0.95 > 0.9), in
    # powered flight at launch -200 + 50 s * v
    np.testing.assert_allclose(fail_t, [[-152.5, np.inf], [np.inf, -152.5], [np.inf, np.inf]])
    # all failures in free flight instead: burnout -150 + 200 s * (v - 0) / 1
    free = dataclasses.replace(fi, free_flight_failure_fraction=np.ones(2))
    _, fail_free = failures(free, fly, v)
    assert fail_free[0, 0] == pytest.approx(-150.0 + 200.0 * 0.95)


def test_believed_assets_from_the_ipp_error() -> None:
    # IPP sigma 100 m, margin 2 sigma: an error of 20.1 km leaves the 20 km radius + 200 m; one
    # of 55 km east puts the point on the other asset.
    fi = _inputs(_world(), _tracking((0, 1)), _policy())
    z = np.zeros((2, 2, 2, 3))
    z[0, 0, 0] = [0.0, 201.0, 556.0]  # east errors of nation a about threat 0, in sigmas
    bel = believed_assets(fi, z, margin_sigma=2.0)
    assert bel[0, 0, 0] == 0
    assert bel[1, 0, 0] == 0
    assert bel[2, 0, 0] == 1
    z[0, 0, 0] = [203.0, 0.0, 0.0]
    assert believed_assets(fi, z, margin_sigma=2.0)[0, 0, 0] == -1  # 20.3 km: no asset
    targets = threat_targets(_world(), _trajectories())
    np.testing.assert_array_equal(targets.asset_idx, [0, 1])
