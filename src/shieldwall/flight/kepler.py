"""Closed-form ballistic (Keplerian) free flight: range, apogee, time of flight, aiming.

The textbook model of Bate, Mueller & White (1971) §6.2: a point mass under central gravity,
no drag, no Earth rotation, from a burnout point at radius ``r1`` (speed ``v1``, flight-path
angle ``gamma1`` above the local horizontal) to the point where it descends through radius
``r2``. All functions are vectorized (numpy broadcasting) and return NaN where the conic does
not reach ``r2`` (or is not an ellipse) rather than raising.

They serve three purposes: the closed-form oracle for tests, the seed and the inner model of
the targeting solver (:mod:`shieldwall.flight.targeting`), and quick reach estimates.

References
----------
- R. R. Bate, D. D. Mueller, J. E. White (1971), *Fundamentals of Astrodynamics*, Dover:
  eq. 6.2-3 (range angle from the conic), 6.2-6/6.2-7 (maximum range, minimum-energy angle),
  §4.2 (Kepler's equation, time of flight).
- R. H. Battin (1999), *An Introduction to the Mathematics and Methods of Astrodynamics*, rev.
  ed., §6.4 (the minimum-energy ellipse between two points: a = s/2, the vacant focus on the
  chord).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from shieldwall._types import F64
from shieldwall.earth.constants import MU_EARTH_M3_S2

__all__ = [
    "apogee_radius",
    "conic_for_apogee",
    "free_flight",
    "min_energy",
]

TWO_PI = 2.0 * np.pi


def _f(x: ArrayLike) -> F64:
    return np.asarray(x, dtype=np.float64)


def _elements(r1: F64, v1: F64, gamma1: F64, mu: float) -> tuple[F64, F64, F64, F64]:
    # p = h^2/mu with h = r v cos(gamma); e cos(nu) = p/r - 1, e sin(nu) = tan(gamma) p/r
    # (BMW 1971 eqs. 2.5-5 and 6.2-3 rearranged). Returns p, e, nu1 in [0, 2 pi), a.
    h = r1 * v1 * np.cos(gamma1)
    p = h * h / mu
    ec = p / r1 - 1.0
    es = np.tan(gamma1) * p / r1
    e = np.hypot(ec, es)
    nu1 = np.mod(np.arctan2(es, ec), TWO_PI)
    energy = 0.5 * v1 * v1 - mu / r1
    with np.errstate(divide="ignore"):
        a = -mu / (2.0 * energy)
    return p, e, nu1, a


def apogee_radius(
    r1_m: ArrayLike, v1_mps: ArrayLike, gamma1_rad: ArrayLike, mu_m3_s2: float = MU_EARTH_M3_S2
) -> F64:
    """Apoapsis radius ``p / (1 - e)`` of the conic through the burnout state (NaN if not an
    ellipse). [m]"""
    p, e, _, _ = _elements(_f(r1_m), _f(v1_mps), _f(gamma1_rad), mu_m3_s2)
    with np.errstate(divide="ignore", invalid="ignore"):
        ra = p / (1.0 - e)
    return np.asarray(np.where(e < 1.0, ra, np.nan))


def _ecc_anomaly(nu: F64, e: F64) -> F64:
    # tan(E/2) = sqrt((1-e)/(1+e)) tan(nu/2), as an atan2 to keep the quadrant (BMW eq. 4.2-8).
    return np.asarray(np.arctan2(np.sqrt(1.0 - e * e) * np.sin(nu), e + np.cos(nu)))


def free_flight(
    r1_m: ArrayLike,
    v1_mps: ArrayLike,
    gamma1_rad: ArrayLike,
    r2_m: ArrayLike,
    mu_m3_s2: float = MU_EARTH_M3_S2,
) -> tuple[F64, F64, F64]:
    """Range angle, time of flight and apoapsis radius of a ballistic conic.

    Parameters
    ----------
    r1_m
        Burnout radius. [m]
    v1_mps
        Burnout speed (inertial). [m/s]
    gamma1_rad
        Burnout flight-path angle above the local horizontal. [rad]
    r2_m
        Radius at which the flight ends, on the descending branch. [m]
    mu_m3_s2
        Gravitational parameter. [m^3/s^2]

    Returns
    -------
    psi_rad
        Central angle travelled from burnout to ``r2`` (BMW eq. 6.2-3). [rad]
    tof_s
        Time of flight from Kepler's equation. [s]
    ra_m
        Apoapsis radius. [m]

    NaN where the conic never descends through ``r2`` or is not an ellipse.
    """
    r1, v1, g1, r2 = np.broadcast_arrays(_f(r1_m), _f(v1_mps), _f(gamma1_rad), _f(r2_m))
    p, e, nu1, a = _elements(r1, v1, g1, mu_m3_s2)
    with np.errstate(divide="ignore", invalid="ignore"):
        c2 = (p / r2 - 1.0) / e
        ok = (e < 1.0) & (np.abs(c2) <= 1.0) & (a > 0.0)
        nu2 = TWO_PI - np.arccos(np.clip(c2, -1.0, 1.0))  # descending crossing, in [pi, 2 pi]
        ok &= nu2 >= nu1
        psi = nu2 - nu1
        e1 = _ecc_anomaly(nu1, e)
        e2 = _ecc_anomaly(nu2, e)
        e2 = np.where(e2 < e1, e2 + TWO_PI, e2)
        n = np.sqrt(mu_m3_s2 / np.abs(a) ** 3)
        tof = ((e2 - e * np.sin(e2)) - (e1 - e * np.sin(e1))) / n
        ra = p / (1.0 - e)
    nan = np.nan
    return (
        np.asarray(np.where(ok, psi, nan)),
        np.asarray(np.where(ok, tof, nan)),
        np.asarray(np.where(ok, ra, nan)),
    )


def min_energy(
    r1_m: ArrayLike, r2_m: ArrayLike, psi_rad: ArrayLike, mu_m3_s2: float = MU_EARTH_M3_S2
) -> tuple[F64, F64]:
    """Burnout speed and flight-path angle of the minimum-energy conic between two radii.

    The minimum-energy ellipse through two points has ``a = s/2`` (s the semi-perimeter of
    the triangle centre-P1-P2) and its vacant focus on the chord (Battin 1999 §6.4); the
    velocity bisects the focal radii, so the flight-path angle at P1 is half the angle between
    the chord and the inward radius. For ``r1 = r2`` this is BMW's maximum-range condition
    ``gamma = (pi - psi)/4``, ``v^2 = Q mu / r`` with ``Q = 2 sin(psi/2)/(1 + sin(psi/2))``
    (BMW 1971 eqs. 6.2-6, 6.2-7). Minimum energy at fixed ``r1`` is minimum burnout speed.

    Parameters
    ----------
    r1_m, r2_m
        Burnout and end radii. [m]
    psi_rad
        Central angle between them, in (0, 2 pi). [rad]
    mu_m3_s2
        Gravitational parameter. [m^3/s^2]

    Returns
    -------
    v1_mps, gamma1_rad
        Burnout speed [m/s] and flight-path angle [rad]; NaN for ``psi <= 0``.
    """
    r1, r2, psi = np.broadcast_arrays(_f(r1_m), _f(r2_m), _f(psi_rad))
    x2 = r2 * np.cos(psi) - r1
    y2 = r2 * np.sin(psi)
    c = np.hypot(x2, y2)
    a_m = 0.25 * (r1 + r2 + c)
    with np.errstate(invalid="ignore", divide="ignore"):
        v1 = np.sqrt(mu_m3_s2 * (2.0 / r1 - 1.0 / a_m))
        alpha = np.arccos(np.clip(-x2 / c, -1.0, 1.0))
    ok = (psi > 0.0) & (psi < TWO_PI)
    return np.asarray(np.where(ok, v1, np.nan)), np.asarray(np.where(ok, 0.5 * alpha, np.nan))


def conic_for_apogee(
    r1_m: ArrayLike,
    r2_m: ArrayLike,
    psi_rad: ArrayLike,
    ra_m: ArrayLike,
    mu_m3_s2: float = MU_EARTH_M3_S2,
    iterations: int = 60,
) -> tuple[F64, F64]:
    """Burnout speed and angle of the ballistic conic with a given apoapsis radius.

    With the apoapsis ``ra`` fixed, the conics through ``r1`` (ascending) and ``r2``
    (descending) form a one-parameter family in the eccentricity e: ``p = ra (1 - e)``,
    ``cos nu = (p/r - 1)/e`` (BMW eq. 2.5-5). The range angle ``nu2 - nu1`` falls
    monotonically from its largest value at ``e_min = (ra - r_min)/(ra + r_min)`` to 0 as
    e -> 1, so bisection on e finds the unique conic. Apogees above the minimum-energy one
    give lofted shots, below it depressed ones.

    Parameters
    ----------
    r1_m, r2_m
        Burnout and end radii. [m]
    psi_rad
        Central angle from burnout to end. [rad]
    ra_m
        Apoapsis radius; must exceed ``r1`` and ``r2``. [m]
    mu_m3_s2
        Gravitational parameter. [m^3/s^2]
    iterations
        Bisection steps (60 reach double precision).

    Returns
    -------
    v1_mps, gamma1_rad
        Burnout speed [m/s] and flight-path angle [rad]; NaN where no such conic exists.
    """
    r1, r2, psi, ra = np.broadcast_arrays(_f(r1_m), _f(r2_m), _f(psi_rad), _f(ra_m))
    r_min = np.minimum(r1, r2)
    lo = (ra - r_min) / (ra + r_min)
    hi = np.ones_like(lo)

    def angle(e: F64) -> F64:
        p = ra * (1.0 - e)
        nu1 = np.arccos(np.clip((p / r1 - 1.0) / e, -1.0, 1.0))
        nu2 = TWO_PI - np.arccos(np.clip((p / r2 - 1.0) / e, -1.0, 1.0))
        return np.asarray(nu2 - nu1)

    with np.errstate(invalid="ignore", divide="ignore"):
        for _ in range(iterations):
            mid = 0.5 * (lo + hi)
            too_far = angle(mid) > psi
            lo = np.where(too_far, mid, lo)
            hi = np.where(too_far, hi, mid)
        e = 0.5 * (lo + hi)
        p = ra * (1.0 - e)
        a = ra / (1.0 + e)
        nu1 = np.arccos(np.clip((p / r1 - 1.0) / e, -1.0, 1.0))
        v1 = np.sqrt(mu_m3_s2 * (2.0 / r1 - 1.0 / a))
        gamma1 = np.arctan2(e * np.sin(nu1), 1.0 + e * np.cos(nu1))
        ok = (ra > r1) & (ra > r2) & (psi > 0.0) & (np.abs(angle(e) - psi) < 1e-9)
    return np.asarray(np.where(ok, v1, np.nan)), np.asarray(np.where(ok, gamma1, np.nan))
