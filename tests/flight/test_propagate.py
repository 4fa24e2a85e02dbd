"""The vectorized integrator: energy, scipy oracle, textbook conic, Allen-Eggers reentry."""

from __future__ import annotations

import functools
import math
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shieldwall.earth.constants import G0_MPS2, MU_EARTH_M3_S2
from shieldwall.earth.geodesy import geodetic_to_ecef
from shieldwall.earth.gravity import potential_j2
from shieldwall.earth.rotation import ecef_to_eci
from shieldwall.flight import kepler
from shieldwall.flight.model import FlightModel
from shieldwall.flight.propagate import acceleration, propagate, propagate_reference

from ._util import rows

#: Issue #3: relative drift of the specific energy in vacuum, per trajectory.
ENERGY_DRIFT_TOL = 1e-9
#: Issue #3: impact point against solve_ivp (RK45, rtol 1e-10). [m]
SOLVE_IVP_TOL_M = 10.0
#: Issue #3: Allen-Eggers speed at peak deceleration and peak deceleration, relative.
ALLEN_EGGERS_REL_TOL = 0.02
#: BMW canonical distance unit. [m]
DU_M = 6378.145e3


def _burnout_state(
    lat_deg: float,
    lon_deg: float,
    alt_m: float,
    speed: float,
    gamma_deg: float,
    az_deg: float,
    t_s: float = 0.0,
) -> tuple[np.ndarray, np.ndarray]:
    lat, lon, az, g = (math.radians(x) for x in (lat_deg, lon_deg, az_deg, gamma_deg))
    r = geodetic_to_ecef(lat, lon, alt_m)
    up = r / np.linalg.norm(r)
    east = np.array([-math.sin(lon), math.cos(lon), 0.0])
    north = np.cross(up, east)
    v = speed * (math.cos(g) * (math.cos(az) * north + math.sin(az) * east) + math.sin(g) * up)
    return ecef_to_eci(r, v, t_s)


@settings(max_examples=15, deadline=None)
@given(
    st.floats(-60, 60),
    st.floats(-180, 180),
    st.floats(30e3, 300e3),
    st.floats(1500, 6500),
    st.floats(5, 75),
    st.floats(0, 360),
)
def test_energy_is_conserved_in_vacuum(
    lat: float, lon: float, alt: float, speed: float, gamma: float, az: float
) -> None:
    # J2 + rotation, no drag: the energy v^2/2 + U_J2 is an integral of motion in the inertial
    # frame (the J2 field is axisymmetric about the rotation axis).
    model = FlightModel().with_switches(vacuum=True)
    r0, v0 = _burnout_state(lat, lon, alt, speed, gamma, az)
    ff = propagate(r0[None], v0[None], np.zeros(1), np.array([np.inf]), model, record=True)
    assert np.isfinite(ff.impact_t_s[0])
    assert ff.grid_r_eci_m is not None
    assert ff.grid_v_eci_mps is not None
    r, v = ff.grid_r_eci_m[0], ff.grid_v_eci_mps[0]
    ok = np.isfinite(r[:, 0])
    e = 0.5 * np.sum(v[ok] ** 2, axis=-1) + potential_j2(r[ok])
    e0 = 0.5 * float(v0 @ v0) + float(potential_j2(r0))
    assert np.max(np.abs(e / e0 - 1.0)) <= ENERGY_DRIFT_TOL


@pytest.mark.parametrize(
    ("alt_m", "speed", "gamma", "az", "beta"),
    [
        (80e3, 3200.0, 40.0, 100.0, 50e3),  # Nodong-like, eastward
        (30e3, 1700.0, 44.0, 180.0, 40e3),  # Scud-B-like, southward
        (150e3, 5000.0, 37.0, 290.0, 80e3),  # IRBM-like, westward
        (30e3, 2700.0, 20.0, 150.0, 35e3),  # depressed SRBM in dense air
        (60e3, 2500.0, 60.0, 45.0, 5e3),  # very low beta (Allen-Eggers range)
    ],
)
def test_agrees_with_solve_ivp(
    alt_m: float, speed: float, gamma: float, az: float, beta: float
) -> None:
    model = FlightModel()
    r0, v0 = _burnout_state(39.0, 125.5, alt_m, speed, gamma, az, t_s=100.0)
    ff = propagate(r0[None], v0[None], np.array([100.0]), np.array([beta]), model)
    t_ref, r_ref, _ = propagate_reference(r0, v0, 100.0, beta, model, rtol=1e-10)
    assert np.linalg.norm(ff.impact_r_eci_m[0] - r_ref) <= SOLVE_IVP_TOL_M
    assert ff.impact_t_s[0] == pytest.approx(t_ref, abs=0.01)


def test_integrator_reproduces_bmw_example_6_2_1() -> None:
    # Burnout at 0.2 DU altitude, v = 2/3 DU/TU, cos(phi) = 0.625, stop at the burnout radius:
    # 36.4 deg range angle and 0.5 DU apogee (BMW 1971 p. 290), and the Kepler time of flight.
    model = replace(FlightModel.textbook(), sphere_radius_m=DU_M)
    tu_s = math.sqrt(DU_M**3 / MU_EARTH_M3_S2)
    r1, v1, g1 = 1.2 * DU_M, 2.0 / 3.0 * DU_M / tu_s, math.acos(0.625)
    r0 = np.array([[r1, 0.0, 0.0]])
    v0 = np.array([[v1 * math.sin(g1), v1 * math.cos(g1), 0.0]])
    ff = propagate(r0, v0, np.zeros(1), np.array([np.inf]), model, stop_alt_m=0.2 * DU_M)
    psi = math.atan2(ff.impact_r_eci_m[0, 1], ff.impact_r_eci_m[0, 0])
    assert math.degrees(psi) == pytest.approx(36.4, abs=0.05)
    assert ff.apogee_m[0] / DU_M == pytest.approx(0.5, abs=1e-7)
    psi_k, tof_k, _ = kepler.free_flight(r1, v1, g1, r1)
    assert psi == pytest.approx(float(psi_k), abs=1e-9)
    assert ff.impact_t_s[0] == pytest.approx(float(tof_k), abs=1e-4)


AE = rows("reentry_reference.csv")


@functools.cache
def _allen_eggers(convention: str) -> dict[str, tuple[float, float]]:
    # Allen & Eggers (1958) assumptions: no gravity, flat Earth (a sphere of 1e12 m), straight
    # entry at constant angle, exponential atmosphere; fine steps so the discrete peak is exact.
    # All rows of one atmosphere convention fly together (one vectorized call).
    sel = [r for r in AE if r["atmosphere_convention"] == convention]
    model = FlightModel(
        earth="sphere", sphere_radius_m=1e12, rotation=False, gravity_on=False,
        atmosphere="exponential", rho0_kg_m3=float(sel[0]["rho0_kg_m3"]),
        scale_height_m=float(sel[0]["scale_height_km"]) * 1e3, atm_step_fraction=0.02,
    )  # fmt: skip
    ve = np.array([float(r["entry_speed_km_s"]) for r in sel]) * 1e3
    g = np.radians([float(r["flight_path_angle_deg"]) for r in sel])
    beta = np.array([float(r["beta_kPa"]) for r in sel]) * 1e3
    n = len(sel)
    r0 = np.tile([1e12 + 200e3, 0.0, 0.0], (n, 1))
    v0 = np.stack([-ve * np.sin(g), ve * np.cos(g), np.zeros(n)], axis=1)
    ff = propagate(r0, v0, np.zeros(n), beta, model)
    return {
        r["case_id"]: (float(ff.peak_decel_mps2[i]), float(ff.speed_at_peak_decel_mps[i]))
        for i, r in enumerate(sel)
    }


@pytest.mark.parametrize("row", AE, ids=lambda r: r["case_id"])
def test_allen_eggers_reentry(row: dict[str, str]) -> None:
    peak, speed = _allen_eggers(row["atmosphere_convention"])[row["case_id"]]
    assert peak / G0_MPS2 == pytest.approx(float(row["peak_decel_g"]), rel=ALLEN_EGGERS_REL_TOL)
    assert speed / 1e3 == pytest.approx(
        float(row["speed_at_peak_decel_km_s"]), rel=ALLEN_EGGERS_REL_TOL
    )


def test_model_switches() -> None:
    tb = FlightModel.textbook()
    assert (tb.atmosphere, tb.rotation, tb.impulsive, tb.earth) == ("vacuum", False, True, "sphere")
    full = FlightModel()
    assert (full.atmosphere, full.rotation, full.impulsive, full.earth) == (
        "us1976",
        True,
        False,
        "wgs84",
    )
    assert full.with_switches(vacuum=True).density_table is None
    assert full.with_switches(no_rotation=True).omega_rad_s == 0.0


#: Every combination of the model's switches the integrator branches on.
SWITCHED_MODELS = {
    "full": FlightModel(),
    "sphere": FlightModel().with_switches(spherical=True),
    "vacuum": FlightModel().with_switches(vacuum=True),
    "no-rotation": FlightModel().with_switches(no_rotation=True),
    "exponential": FlightModel(atmosphere="exponential"),
    "no-gravity": FlightModel(gravity_on=False),
    "textbook": FlightModel.textbook(),
}


#: One-row (Python float) and array paths of the acceleration: same operations, only exp and
#: the 3-term dot product may round differently. [relative]
ONE_ROW_REL_TOL = 1e-13


@pytest.mark.parametrize("model", list(SWITCHED_MODELS.values()), ids=list(SWITCHED_MODELS))
def test_one_row_acceleration_matches_the_array_path(model: FlightModel) -> None:
    rng = np.random.default_rng(7)
    k = 64
    lat = rng.uniform(-1.5, 1.5, k)
    lon = rng.uniform(-math.pi, math.pi, k)
    alt = np.concatenate([rng.uniform(-4e3, 400e3, k - 2), [310e3, 1500e3]])
    r = geodetic_to_ecef(lat, lon, alt)
    v = rng.normal(0.0, 3000.0, (k, 3))
    beta = rng.uniform(5e3, 1e5, k)
    a, h, drag = acceleration(r, v, beta, model)
    for i in range(k):
        a1, h1, d1 = acceleration(r[i : i + 1], v[i : i + 1], beta[i : i + 1], model)
        assert (a1.shape, h1.shape, d1.shape) == ((1, 3), (1,), (1,))
        scale = float(np.max(np.abs(a[i]))) + 1e-300
        np.testing.assert_allclose(a1[0], a[i], rtol=0, atol=ONE_ROW_REL_TOL * scale)
        np.testing.assert_allclose(h1[0], h[i], rtol=ONE_ROW_REL_TOL, atol=1e-9)
        np.testing.assert_allclose(d1[0], drag[i], rtol=ONE_ROW_REL_TOL, atol=0)


#: Compiled kernel against the numpy batch formulation: the same operations in the same order
#: (bit for bit where numpy's exp is the platform's, as on the development machine), except
#: that numpy's last threat in flight, alone in its working arrays, takes the one-row
#: Python-float acceleration (a 3-term sum in another order). [relative]
KERNEL_REL_TOL = 1e-12


@pytest.mark.parametrize("model", list(SWITCHED_MODELS.values()), ids=list(SWITCHED_MODELS))
@pytest.mark.parametrize(("stop_alt_m", "t_max_s"), [(0.0, 4000.0), (20e3, 300.0)])
def test_compiled_kernel_matches_the_numpy_batch_integrator(
    model: FlightModel, stop_alt_m: float, t_max_s: float
) -> None:
    from shieldwall.flight.propagate import propagate_numpy

    rng = np.random.default_rng(3)
    n = 60
    lat, lon = rng.uniform(-1.0, 1.0, n), rng.uniform(-3.0, 3.0, n)
    r = geodetic_to_ecef(lat, lon, rng.uniform(30e3, 300e3, n))
    up = r / np.linalg.norm(r, axis=1)[:, None]
    v = rng.normal(0.0, 1.0, (n, 3))
    v -= np.sum(v * up, axis=1)[:, None] * up
    v = v / np.linalg.norm(v, axis=1)[:, None] * rng.uniform(1500, 6000, n)[:, None]
    v += up * rng.uniform(500, 4000, n)[:, None]
    t0, beta = rng.uniform(0.0, 120.0, n), rng.uniform(5e3, 1e5, n)
    beta[:3] = np.inf
    kw = {"stop_alt_m": stop_alt_m, "t_max_s": t_max_s, "record": True}
    got, want = propagate(r, v, t0, beta, model, **kw), propagate_numpy(r, v, t0, beta, model, **kw)
    assert got.steps == want.steps
    for name in vars(want):
        a, b = getattr(got, name), getattr(want, name)
        if isinstance(b, int):
            continue
        assert a.shape == b.shape, name
        np.testing.assert_array_equal(np.isnan(a), np.isnan(b), err_msg=name)
        scale = np.nanmax(np.abs(b)) if np.isfinite(b).any() else 1.0
        np.testing.assert_allclose(a, b, rtol=KERNEL_REL_TOL, atol=KERNEL_REL_TOL * scale,
                                   equal_nan=True, err_msg=name)  # fmt: skip
    flat = propagate(r, v, t0, beta, model, stop_alt_m=stop_alt_m, t_max_s=t_max_s)
    assert flat.grid_t_s is None
    np.testing.assert_array_equal(flat.impact_t_s, got.impact_t_s)
