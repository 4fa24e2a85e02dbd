"""Closed-form ballistic flight against Bate, Mueller & White (1971) §6.2."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shieldwall.earth.constants import MU_EARTH_M3_S2, R_SPHERE_M
from shieldwall.flight import kepler

from ._util import rows

#: The ME rows are printed to 0.1 s, 0.01 km, 0.1 mm/s and 0.001 deg: half a unit in the last
#: place of each (the closed form itself is exact).
TOF_PRINT_TOL_S = 0.05
APOGEE_PRINT_TOL_KM = 0.005
SPEED_PRINT_TOL_KMS = 5e-5
ANGLE_PRINT_TOL_DEG = 5e-4
#: The BMW answers are transcribed to 3 significant digits (36.4 deg, 0.5 DU).
BMW_ANGLE_TOL_DEG = 0.05
#: BMW canonical units: 1 DU = 6378.145 km (BMW 1971, Appendix A).
DU_M = 6378.145e3

ME = [r for r in rows("trajectories_reference.csv") if r["case_id"].startswith("ME-")]


@pytest.mark.parametrize("row", ME, ids=lambda r: r["case_id"])
def test_min_energy_closed_form_reproduces_table(row: dict[str, str]) -> None:
    psi = float(row["ground_range_km"]) * 1e3 / R_SPHERE_M
    v, g = kepler.min_energy(R_SPHERE_M, R_SPHERE_M, psi)
    psi_ff, tof, ra = kepler.free_flight(R_SPHERE_M, v, g, R_SPHERE_M)
    assert float(v) / 1e3 == pytest.approx(
        float(row["burnout_velocity_km_s"]), abs=SPEED_PRINT_TOL_KMS
    )
    assert math.degrees(float(g)) == pytest.approx(
        float(row["burnout_fpa_deg"]), abs=ANGLE_PRINT_TOL_DEG
    )
    assert float(tof) == pytest.approx(float(row["flight_time_s"]), abs=TOF_PRINT_TOL_S)
    assert (float(ra) - R_SPHERE_M) / 1e3 == pytest.approx(
        float(row["apogee_alt_km"]), abs=APOGEE_PRINT_TOL_KM
    )
    assert float(psi_ff) == pytest.approx(psi, rel=1e-12)
    q = float(v) ** 2 * R_SPHERE_M / MU_EARTH_M3_S2
    assert q == pytest.approx(float(row["Q_bo"]), abs=5e-6)


def test_bmw_example_6_2_1() -> None:
    # BMW p. 290: r_bo = 1.2 DU, v = 2/3 DU/TU (Q = 0.533), cos(phi) = 0.625 ->
    # free-flight range angle 36.4 deg, apogee altitude 0.5 DU.
    tu_s = math.sqrt(DU_M**3 / MU_EARTH_M3_S2)
    r1 = 1.2 * DU_M
    psi, _, ra = kepler.free_flight(r1, 2.0 / 3.0 * DU_M / tu_s, math.acos(0.625), r1)
    assert math.degrees(float(psi)) == pytest.approx(36.4, abs=BMW_ANGLE_TOL_DEG)
    assert float(ra) / DU_M - 1.0 == pytest.approx(0.5, abs=1e-9)


def test_bmw_example_6_2_1_metric() -> None:
    # BMW 2nd ed. p. 243 (metric): burnout 1275.6 km, 5.2702 km/s, 51.3 deg -> apogee 3189.1 km.
    r1 = DU_M + 1275.6e3
    _, _, ra = kepler.free_flight(r1, 5270.2, math.radians(51.318), r1)
    assert (float(ra) - DU_M) / 1e3 == pytest.approx(3189.1, abs=1.0)


def test_bmw_example_6_2_3_maximum_range() -> None:
    # BMW p. 294: v = 0.9402 DU/TU at 1.075 DU (Q ~ 0.95): maximum free-flight range angle
    # 2.25 rad (the transcription's precision: 3 digits).
    tu_s = math.sqrt(DU_M**3 / MU_EARTH_M3_S2)
    r1 = 1.075 * DU_M
    v = 0.9402 * DU_M / tu_s
    q = v * v * r1 / MU_EARTH_M3_S2
    psi_max = 2.0 * math.asin(q / (2.0 - q))  # BMW eq. 6.2-7
    g_opt = 0.25 * (math.pi - psi_max)  # BMW eq. 6.2-6
    psi, _, _ = kepler.free_flight(r1, v, g_opt, r1)
    assert float(psi) == pytest.approx(psi_max, rel=1e-12)
    assert float(psi) == pytest.approx(2.25, abs=0.02)
    # And it is the maximum: a degree either way flies less far.
    for dg in (-1.0, 1.0):
        other, _, _ = kepler.free_flight(r1, v, g_opt + math.radians(dg), r1)
        assert float(other) < float(psi)


@settings(max_examples=40, deadline=None)
@given(
    st.floats(0.0, 300e3),
    st.floats(50e3, 4000e3),
    st.floats(0.05, 0.5),
)
def test_min_energy_is_the_slowest_conic(h1: float, rng: float, frac: float) -> None:
    # Any other conic between the same points (a different apogee) needs more speed.
    r1, r2 = R_SPHERE_M + h1, R_SPHERE_M
    psi = rng / R_SPHERE_M
    v_me, g_me = kepler.min_energy(r1, r2, psi)
    psi_me, _, ra_me = kepler.free_flight(r1, v_me, g_me, r2)
    assert float(psi_me) == pytest.approx(psi, rel=1e-9, abs=1e-12)
    for ra in (
        float(ra_me) * (1 + frac * 0.2),
        max(r1, r2) + (float(ra_me) - max(r1, r2)) * (1 - frac),
    ):
        v, g = kepler.conic_for_apogee(r1, r2, psi, ra)
        assert float(v) > float(v_me)
        psi_o, _, ra_o = kepler.free_flight(r1, v, g, r2)
        assert float(psi_o) == pytest.approx(psi, rel=1e-7)
        assert float(ra_o) == pytest.approx(ra, rel=1e-9)


def test_unreachable_conics_are_nan() -> None:
    # Too slow to reach r2 above it; a hyperbola; psi <= 0.
    psi, tof, _ = kepler.free_flight(R_SPHERE_M, 100.0, 0.7, R_SPHERE_M + 100e3)
    assert np.isnan(psi)
    assert np.isnan(tof)
    psi, _, _ = kepler.free_flight(R_SPHERE_M, 12e3, 0.7, R_SPHERE_M)
    assert np.isnan(psi)
    v, g = kepler.min_energy(R_SPHERE_M, R_SPHERE_M, -0.1)
    assert np.isnan(v)
    assert np.isnan(g)
    v, g = kepler.conic_for_apogee(R_SPHERE_M, R_SPHERE_M, 0.1, R_SPHERE_M - 1.0)
    assert np.isnan(v)
    assert np.isnan(g)
