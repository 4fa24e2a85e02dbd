"""Degenerate geometry (docs/robustness.md): zero range, poles, antipodes; kernels never raise."""

from __future__ import annotations

import math

import numpy as np
import pytest

from shieldwall.errors import TargetingError
from shieldwall.flight import targeting as tg
from shieldwall.flight.model import FlightModel

from ._util import fly


def test_zero_range_is_refused_not_crashed() -> None:
    with pytest.raises(TargetingError, match="no min_energy trajectory"):
        fly(38.0, 127.0, 38.0, 127.0, model=FlightModel())


def test_antipode_is_out_of_reach() -> None:
    with pytest.raises(TargetingError, match="cannot reach"):
        fly(38.0, 127.0, -38.0, -53.0, model=FlightModel(), max_range_m=3000e3)


def test_launch_from_the_pole_and_over_it() -> None:
    # From the North Pole (azimuth undefined there) and across it.
    traj = fly([90.0, 80.0], [0.0, 0.0], [85.0, 80.0], [40.0, 180.0], model=FlightModel())
    assert np.all(traj.miss_m <= 50.0)
    assert traj.range_m[1] == pytest.approx(2 * 10 * 111.7e3, rel=0.01)  # 20 deg of meridian


def test_solver_kernel_marks_rows_instead_of_raising() -> None:
    # One good row, one zero-range row, one far out of reach: statuses, no exception.
    model = FlightModel()
    lat = np.radians([38.0, 38.0, 38.0])
    lon = np.radians([127.0, 127.0, 127.0])
    r0 = model.to_ecef(lat, lon, 0.0)
    aim = model.to_ecef(np.radians([36.0, 38.0, -30.0]), np.radians([128.0, 127.0, 100.0]), 0.0)
    nan = np.full(3, np.nan)
    sol = tg.solve(
        r0_ecef_m=r0, aim_ecef_m=aim, shape=np.zeros(3, dtype=np.int64), apogee_m=nan,
        v_exp_mps=nan, gamma_exp_rad=nan, burn_time_s=np.full(3, 60.0),
        pitch_frac=np.ones(3), beta_pa=np.full(3, 50e3), v_max_mps=np.full(3, 3000.0),
        model=model,
    )  # fmt: skip
    assert list(sol.status) == [tg.OK, tg.NO_SOLUTION, tg.OUT_OF_REACH]
    assert sol.miss_m[0] <= tg.MISS_TOL_M


def test_take_selects_rows() -> None:
    traj = fly([38.0, 39.0], [127.0, 126.0], [36.0, 35.5], [128.0, 129.0], model=FlightModel())
    one = traj.take([1])
    assert one.n == 1
    # trimmed to its own flight: no padding column left, the samples unchanged
    assert one.m == int(traj.lengths[1])
    assert np.isfinite(one.t_s).all()
    np.testing.assert_array_equal(one.t_s[0], traj.t_s[1, : one.m])
    np.testing.assert_array_equal(one.r_ecef_m[0], traj.r_ecef_m[1, : one.m])
    both = traj.take([1, 0])
    assert both.m == traj.m
    assert both.lengths.tolist() == traj.lengths[[1, 0]].tolist()
    assert one.range_m[0] == traj.range_m[1]
    assert math.isfinite(one.flight_time_s[0])


def test_an_empty_raid_flies() -> None:
    from shieldwall.flight.threats import fly_threats

    e = np.zeros(0)
    i = np.zeros(0, dtype=np.int64)
    traj = fly_threats(
        launch_lat_rad=e, launch_lon_rad=e, aim_lat_rad=e, aim_lon_rad=e, launch_t_s=e,
        shape=i, apogee_m=e, burnout_speed_mps=e, burnout_angle_rad=e, missile_idx=i,
        missile_names=["x"], max_range_m=np.array([1e6]), burn_time_s=np.array([60.0]),
        burnout_alt_m=np.array([30e3]), beta_pa=np.array([50e3]),
    )  # fmt: skip
    assert traj.n == 0
