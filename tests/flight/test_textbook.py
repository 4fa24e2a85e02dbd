"""The full solver in the textbook limit reproduces the closed-form table (issue #3)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from shieldwall.earth.constants import R_SPHERE_M
from shieldwall.flight.model import FlightModel

from ._util import fly, rows

#: Issue #3 acceptance tolerances for --textbook against the ME rows.
TOF_TOL_S = 0.5
APOGEE_TOL_KM = 1.0
SPEED_REL_TOL = 1e-3

ME = [r for r in rows("trajectories_reference.csv") if r["case_id"].startswith("ME-")]


def test_every_me_row_with_the_textbook_model() -> None:
    rng_m = np.array([float(r["ground_range_km"]) for r in ME]) * 1e3
    # Aim due east along the equator and due north along a meridian: on the non-rotating
    # sphere both are the same problem.
    lon1 = np.degrees(rng_m / R_SPHERE_M)
    for lat1, lon in ((np.zeros_like(lon1), lon1), (lon1, np.zeros_like(lon1))):
        traj = fly(0.0, 0.0, lat1, lon, model=FlightModel.textbook())
        for i, row in enumerate(ME):
            assert traj.flight_time_s[i] == pytest.approx(
                float(row["flight_time_s"]), abs=TOF_TOL_S
            )
            assert traj.apogee_m[i] / 1e3 == pytest.approx(
                float(row["apogee_alt_km"]), abs=APOGEE_TOL_KM
            )
            assert traj.burnout_speed_mps[i] / 1e3 == pytest.approx(
                float(row["burnout_velocity_km_s"]), rel=SPEED_REL_TOL
            )
            assert math.degrees(traj.burnout_angle_rad[i]) == pytest.approx(
                float(row["burnout_fpa_deg"]), abs=0.01
            )
            # Vacuum, burnout and impact at the surface: impact speed = burnout speed.
            for speed in (traj.impact_speed_mps[i], traj.reentry_speed_mps[i]):
                assert speed / 1e3 == pytest.approx(
                    float(row["reentry_speed_km_s"]), rel=SPEED_REL_TOL
                )
        assert np.all(traj.miss_m < 1.0)
        assert traj.range_m == pytest.approx(rng_m, abs=1.0)


def test_textbook_trajectory_grid() -> None:
    traj = fly(0.0, 0.0, 0.0, math.degrees(1300e3 / R_SPHERE_M), model=FlightModel.textbook())
    assert traj.dt_s == 1.0
    valid = traj.valid[0]
    k = int(valid.sum())
    # Samples every second from launch (k = 0) to the last whole second, then the impact.
    np.testing.assert_allclose(traj.t_s[0, : k - 1], np.arange(k - 1) * 1.0)
    assert traj.t_s[0, k - 1] == pytest.approx(traj.impact_t_s[0])
    assert not valid[k:].any()
    assert abs(traj.alt_m[0, 0]) < 1e-6
    assert abs(traj.alt_m[0, k - 1]) < 1e-3
    assert np.nanmax(traj.alt_m[0]) <= traj.apogee_m[0] + 1e-6
    # Phases: no boost in the impulsive limit; terminal once below 100 km on the way down.
    ph = traj.phase[0, :k]
    assert set(np.unique(ph)) <= {1, 2}
    i_apo = int(np.nanargmax(traj.alt_m[0]))
    assert np.all(ph[:i_apo] == 1)
    assert np.all((ph[i_apo:] == 2) == (traj.alt_m[0, i_apo:k] < 100e3))
