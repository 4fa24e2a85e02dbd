"""The scenario raid as trajectories, interceptor flyout tables, and ``shieldwall fly``."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from shieldwall.cli.main import main
from shieldwall.flight import FlyoutTable, fly_raid, flyout_table, flyout_tables
from shieldwall.flight.interceptor import flyout_fan
from shieldwall.scenario import compile_world, load_scenario

from ._util import rows

EXAMPLES = Path(__file__).parents[2] / "examples"
#: Issue #3 textbook tolerances (ME rows).
TOF_TOL_S = 0.5
APOGEE_TOL_KM = 1.0
SPEED_REL_TOL = 1e-3
#: Neighbouring near-vertical fan members (0.25 deg apart) bracket a grid point with up to
#: ~0.6 s of interpolation error in tau (measured: 0.57 s for SM-3 Block IIA at 750 km).
FAN_INTERP_TOL_S = 1.0


@pytest.fixture(scope="module")
def world():  # type: ignore[no-untyped-def]
    return compile_world(load_scenario(EXAMPLES / "korea_japan.yaml"))


def test_flagship_raid_expands_into_trajectories(world) -> None:  # type: ignore[no-untyped-def]
    traj = fly_raid(world)
    raid = world.raid
    n = len(raid.missile_idx)
    assert traj.n == n
    np.testing.assert_array_equal(traj.missile_idx, raid.missile_idx)
    np.testing.assert_allclose(traj.launch_t_s, raid.launch_t_s)
    np.testing.assert_allclose(traj.t_s[:, 0], raid.launch_t_s)
    assert np.all(traj.miss_m <= 50.0)
    # Aimed rows land on their aim points.
    np.testing.assert_allclose(traj.impact_lat_rad, raid.aim_lat_rad, atol=1e-5)
    # Flight times by class are in the public ranges (SRBM 4-8 min, MRBM 8-13 min).
    names = [world.missiles.name[i] for i in raid.missile_idx]
    for name, t in zip(names, traj.flight_time_s, strict=True):
        if name.startswith("Scud") or name == "KN-23":
            assert 150 < t < 600, name
        elif name == "Nodong":
            assert 480 < t < 780, name
    # Boost phase up to the catalog burn time, then midcourse/terminal, then padding.
    burn = np.asarray(world.missiles.burn_time_s)[raid.missile_idx]
    for i in range(n):
        ph = traj.phase[i]
        k_b = int(np.floor(burn[i])) + 1
        assert np.all(ph[:k_b] == 0)
        assert ph[k_b] in (1, 2)
        assert np.all(np.diff((ph >= 0).astype(int)) <= 0)  # padding only at the end


def test_raid_rows_named_in_errors(world) -> None:  # type: ignore[no-untyped-def]
    from dataclasses import replace

    from shieldwall.errors import TargetingError

    raid = world.raid
    far = np.array(raid.aim_lat_rad, dtype=float)
    far[0] = math.radians(-40.0)  # the southern ocean: out of everyone's reach
    bad = replace(world, raid=replace(raid, aim_lat_rad=far))
    with pytest.raises(TargetingError, match=r"raid\[0\]: .* cannot reach"):
        fly_raid(bad)


def test_flyout_tables_follow_the_world(world) -> None:  # type: ignore[no-untyped-def]
    tables = flyout_tables(world)
    assert [t.name for t in tables] == list(world.interceptors.name)
    for t, vmax in zip(tables, world.interceptors.burnout_speed_mps, strict=True):
        assert isinstance(t, FlyoutTable)
        tau = t.tau_s
        ok = np.isfinite(tau)
        assert ok.mean() > 0.5
        # Never faster than the burnout speed in a straight line from the launcher.
        gr, alt = np.meshgrid(t.ground_range_m, t.alt_m, indexing="ij")
        assert np.all(tau[ok] >= np.hypot(gr, alt)[ok] / vmax - 1e-9)
        # Straight up, higher takes longer.
        col = tau[0][np.isfinite(tau[0])]
        assert np.all(np.diff(col) > 0)
        # Near the launcher (first 10 % of the range), farther takes longer at each altitude
        # in the band, up to the interpolation between near-vertical fan members (away from
        # the top of the band, where the near-vertical members are close to their apex and
        # the time to a given height is ill-conditioned).
        near = t.ground_range_m <= 0.1 * t.max_ground_range_m
        band = (t.alt_m >= t.min_alt_m) & (t.alt_m <= 0.8 * t.max_alt_m)
        d = np.diff(tau[near][:, band], axis=0)
        assert np.all(d[np.isfinite(d)] > -FAN_INTERP_TOL_S)


def test_flyout_vertical_burn_matches_kinematics() -> None:
    # Straight up in vacuum-like thin drag: after the burn the speed is v_bo less gravity
    # losses; check the time to 20 km against constant acceleration a = v/T + g0 - g (g ~ g0).
    t, x, h = flyout_fan(10.0, 1000.0, 1e12, 30.0, elevations_rad=np.array([math.pi / 2]))
    assert np.allclose(x, 0.0, atol=1e-6)
    a = 1000.0 / 10.0  # thrust acceleration minus the g0 allowance ~ net acceleration
    t_burn_h = 0.5 * a * 10.0**2
    i = int(np.argmin(np.abs(t - 10.0)))
    assert h[i, 0] == pytest.approx(t_burn_h, rel=0.01)


def test_flyout_table_time_to_reach_is_consistent() -> None:
    table = flyout_table(
        name="test", burn_time_s=15.0, burnout_speed_mps=2000.0, beta_pa=80e3,
        min_alt_m=5e3, max_alt_m=60e3, max_ground_range_m=100e3,
    )  # fmt: skip
    t_near = table.time_to_reach(20e3, 20e3)
    t_far = table.time_to_reach(80e3, 20e3)
    assert np.isfinite(t_near)
    assert np.isfinite(t_far)
    assert t_far > t_near
    assert np.isnan(table.time_to_reach(20e3, 1e3))  # below the band


ME_1300 = next(r for r in rows("trajectories_reference.csv") if r["case_id"] == "ME-1300")


def test_cli_fly_textbook_json(capsys: pytest.CaptureFixture[str]) -> None:
    lon = math.degrees(1300e3 / 6371e3)
    rc = main(
        ["fly", "--missile", "Nodong", "--from", "0,0", "--to", f"0,{lon}", "--textbook", "--json"]
    )
    assert rc == 0
    out = json.loads(capsys.readouterr().out)
    for key in ("range_km", "apogee_km", "burnout_speed_kms", "burnout_angle_deg", "boost_time_s",
                "free_flight_time_s", "flight_time_s", "reentry_speed_kms"):  # fmt: skip
        assert key in out
    assert out["flight_time_s"] == pytest.approx(float(ME_1300["flight_time_s"]), abs=TOF_TOL_S)
    assert out["apogee_km"] == pytest.approx(float(ME_1300["apogee_alt_km"]), abs=APOGEE_TOL_KM)
    assert out["burnout_speed_kms"] == pytest.approx(
        float(ME_1300["burnout_velocity_km_s"]), rel=SPEED_REL_TOL
    )
    assert out["reentry_speed_kms"] == pytest.approx(
        float(ME_1300["reentry_speed_km_s"]), rel=SPEED_REL_TOL
    )
    assert out["boost_time_s"] == 0.0
    assert out["range_km"] == pytest.approx(1300.0, abs=0.01)


def test_cli_fly_text(capsys: pytest.CaptureFixture[str]) -> None:
    rc = main(["fly", "-m", "Nodong", "--from", "39.03,125.75", "--to", "35.68,139.69"])
    assert rc == 0
    text = capsys.readouterr().out
    assert "total flight" in text
    assert "apogee" in text


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--missile", "Nodong", "--from", "39,x", "--to", "35,139"], "--from"),
        (["--missile", "Nodong", "--from", "39,125", "--to", "95,139"], "latitude"),
        (
            ["--missile", "Nodong", "--from", "39,125", "--to", "26,127.7", "--shape", "up"],
            "--shape",
        ),
        (["--missile", "Nodong", "--from", "39,125", "--to", "-10,127.7"], "cannot reach"),
        (["--missile", "Nodonk", "--from", "39,125", "--to", "35,139"], "Nodong"),
    ],
)
def test_cli_fly_bad_input_exits_2(
    args: list[str], needle: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["fly", *args]) == 2
    assert needle in capsys.readouterr().err
