"""Gravity (central, J2) and Earth rotation: closed forms, gradients, round trips."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from shieldwall.earth.constants import J2_EARTH, MU_EARTH_M3_S2, OMEGA_EARTH_RAD_S, WGS84_A_M
from shieldwall.earth.gravity import gravity_central, gravity_j2, potential_central, potential_j2
from shieldwall.earth.rotation import ecef_to_eci, eci_to_ecef, omega_cross

#: Central differences of the potential with h = 1 m have truncation error ~h^2 |U'''| ~ 1e-12
#: of |a| and round-off ~ eps |U| / h ~ 1e-8 m/s^2; 1e-7 m/s^2 covers both.
GRADIENT_TOL_MPS2 = 1e-7
#: Zonal terms beyond J2 (J4 ~ -1.6e-6) change equatorial gravitation by ~5e-5 m/s^2.
J2_ONLY_TOL_MPS2 = 1e-4
#: Round trips are exact up to a few ulps of 1e4 km.
ROUND_TRIP_TOL_M = 1e-6

positions = arrays(
    np.float64,
    (3,),
    elements=st.floats(-4e7, 4e7, allow_nan=False),
).filter(lambda r: float(np.linalg.norm(r)) > 6.3e6)


def test_equatorial_surface_gravity_closed_form() -> None:
    # On the equator (z = 0): |a| = mu/a^2 (1 + 3/2 J2) (Vallado 2013 eq. 8-30 at z = 0).
    a = gravity_j2(np.array([WGS84_A_M, 0.0, 0.0]))
    expect = MU_EARTH_M3_S2 / WGS84_A_M**2 * (1.0 + 1.5 * J2_EARTH)
    assert a[0] == pytest.approx(-expect, rel=1e-14)
    assert a[1] == 0.0
    assert a[2] == 0.0
    # Against WGS-84: normal gravity at the equator 9.7803253359 m/s^2 (NIMA TR8350.2 Table
    # 3.4) plus the centrifugal term omega^2 a it includes gives the gravitation; the J4 and
    # higher terms J2 leaves out are worth ~5e-5 m/s^2 there.
    gravitation = 9.7803253359 + OMEGA_EARTH_RAD_S**2 * WGS84_A_M
    assert float(np.linalg.norm(a)) == pytest.approx(gravitation, abs=J2_ONLY_TOL_MPS2)


def test_polar_gravity_closed_form() -> None:
    # On the pole (x = y = 0): a_z = -mu/z^2 (1 - 3 J2 (R/z)^2).
    z = 6356752.3
    a = gravity_j2(np.array([0.0, 0.0, z]))
    assert a[2] == pytest.approx(
        -MU_EARTH_M3_S2 / z**2 * (1.0 - 3.0 * J2_EARTH * (WGS84_A_M / z) ** 2)
    )


@settings(max_examples=50, deadline=None)
@given(positions)
def test_j2_acceleration_is_minus_gradient_of_potential(r: np.ndarray) -> None:
    h = 1.0
    grad = np.empty(3)
    for k in range(3):
        e = np.zeros(3)
        e[k] = h
        grad[k] = (potential_j2(r + e) - potential_j2(r - e)) / (2 * h)
    np.testing.assert_allclose(gravity_j2(r), -grad, atol=GRADIENT_TOL_MPS2)
    grad_c = np.array(
        [(potential_central(r + e) - potential_central(r - e)) / (2 * h) for e in np.eye(3) * h]
    )
    np.testing.assert_allclose(gravity_central(r), -grad_c, atol=GRADIENT_TOL_MPS2)


def test_j2_zero_is_central() -> None:
    r = np.array([[7e6, -1e6, 3e6], [1e6, 2e6, -6.5e6]])
    np.testing.assert_allclose(gravity_j2(r, j2=0.0), gravity_central(r), rtol=1e-15)


@settings(max_examples=50, deadline=None)
@given(positions, arrays(np.float64, (3,), elements=st.floats(-8e3, 8e3)), st.floats(0, 1e5))
def test_eci_ecef_round_trip(r: np.ndarray, v: np.ndarray, t: float) -> None:
    r_f, v_f = eci_to_ecef(r, v, t)
    r_i, v_i = ecef_to_eci(r_f, v_f, t)
    np.testing.assert_allclose(r_i, r, atol=ROUND_TRIP_TOL_M)
    np.testing.assert_allclose(v_i, v, atol=1e-9)


def test_a_point_fixed_on_the_earth_is_at_rest_in_ecef() -> None:
    r0 = np.array([3.0e6, 4.0e6, 3.5e6])
    t = np.array([0.0, 600.0, 3600.0])
    # In ECI the point rotates: r(t) = R3(-wt) r0, v = w x r.
    th = OMEGA_EARTH_RAD_S * t
    r_eci = np.stack(
        [r0[0] * np.cos(th) - r0[1] * np.sin(th), r0[0] * np.sin(th) + r0[1] * np.cos(th),
         np.full_like(th, r0[2])], axis=-1,
    )  # fmt: skip
    r_f, v_f = eci_to_ecef(r_eci, omega_cross(r_eci), t)
    np.testing.assert_allclose(r_f, np.broadcast_to(r0, r_f.shape), atol=ROUND_TRIP_TOL_M)
    np.testing.assert_allclose(v_f, 0.0, atol=1e-9)


def test_rotation_direction_earth_turns_east() -> None:
    # After a quarter of a sidereal day, a point that was on +x in ECEF is on +y in ECI:
    # inertially fixed +y is at ECEF longitude -90 deg.
    t = (np.pi / 2) / OMEGA_EARTH_RAD_S
    r_f, _ = eci_to_ecef(np.array([0.0, 1.0e7, 0.0]), np.zeros(3), t)
    np.testing.assert_allclose(r_f, [1.0e7, 0.0, 0.0], atol=1e-6)
