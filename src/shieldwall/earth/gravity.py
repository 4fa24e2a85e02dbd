"""Gravity: central (Kepler) and J2 (oblate Earth) accelerations and potentials.

Vectorized over any leading batch axes; the vector axis is last. Positions are in an Earth-centred
frame whose z axis is the rotation axis (ECI or ECEF: the J2 field is axisymmetric, so it is the
same function in both).

References
----------
- D. A. Vallado (2013), *Fundamentals of Astrodynamics and Applications*, 4th ed., eq. 8-30
  (J2 acceleration) and eq. 8-19 (zonal potential, n = 2).
- NIMA TR8350.2 (2000), Table 3.1 and 3.4 (mu, J2 of WGS-84 / EGM96).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from shieldwall._types import F64
from shieldwall.earth.constants import J2_EARTH, MU_EARTH_M3_S2, WGS84_A_M

__all__ = ["gravity_central", "gravity_j2", "potential_central", "potential_j2"]


def gravity_central(r_m: ArrayLike, mu_m3_s2: float = MU_EARTH_M3_S2) -> F64:
    """Point-mass (Kepler) gravitational acceleration ``-mu r / |r|^3``.

    Parameters
    ----------
    r_m
        Position from the Earth's centre, ``(..., 3)``. [m]
    mu_m3_s2
        Gravitational parameter. [m^3/s^2]

    Returns
    -------
    a_mps2
        Acceleration, ``(..., 3)``. [m/s^2]
    """
    r = np.asarray(r_m, dtype=np.float64)
    r2 = np.einsum("...i,...i->...", r, r)
    return np.asarray(-mu_m3_s2 * r / (r2 * np.sqrt(r2))[..., None])


def gravity_j2(
    r_m: ArrayLike,
    mu_m3_s2: float = MU_EARTH_M3_S2,
    j2: float = J2_EARTH,
    r_eq_m: float = WGS84_A_M,
) -> F64:
    """Gravitational acceleration of an oblate Earth: point mass plus the J2 zonal term.

    Vallado (2013) eq. 8-30::

        a_x = -mu x / r^3 [1 - 3/2 J2 (R/r)^2 (5 z^2/r^2 - 1)]
        a_y = -mu y / r^3 [1 - 3/2 J2 (R/r)^2 (5 z^2/r^2 - 1)]
        a_z = -mu z / r^3 [1 - 3/2 J2 (R/r)^2 (5 z^2/r^2 - 3)]

    Parameters
    ----------
    r_m
        Position, Earth-centred, z along the rotation axis, ``(..., 3)``. [m]
    mu_m3_s2
        Gravitational parameter. [m^3/s^2]
    j2
        Second zonal harmonic (unnormalised).
    r_eq_m
        Equatorial radius the J2 value refers to. [m]

    Returns
    -------
    a_mps2
        Acceleration, ``(..., 3)``. [m/s^2]
    """
    r = np.asarray(r_m, dtype=np.float64)
    x, y, z = r[..., 0], r[..., 1], r[..., 2]
    r2 = x * x + y * y + z * z
    inv_r2 = 1.0 / r2
    k = -mu_m3_s2 * inv_r2 * np.sqrt(inv_r2)
    c = 1.5 * j2 * r_eq_m * r_eq_m * inv_r2
    s = 5.0 * z * z * inv_r2
    fxy = k * (1.0 - c * (s - 1.0))
    fz = k * (1.0 - c * (s - 3.0))
    a = np.empty(r.shape)
    np.multiply(fxy, x, out=a[..., 0])
    np.multiply(fxy, y, out=a[..., 1])
    np.multiply(fz, z, out=a[..., 2])
    return a


def potential_central(r_m: ArrayLike, mu_m3_s2: float = MU_EARTH_M3_S2) -> F64:
    """Potential energy per unit mass of a point mass, ``-mu / r`` (so that a = -grad U). [J/kg]"""
    r = np.asarray(r_m, dtype=np.float64)
    return np.asarray(-mu_m3_s2 / np.sqrt(np.einsum("...i,...i->...", r, r)))


def potential_j2(
    r_m: ArrayLike,
    mu_m3_s2: float = MU_EARTH_M3_S2,
    j2: float = J2_EARTH,
    r_eq_m: float = WGS84_A_M,
) -> F64:
    """Potential energy per unit mass with the J2 term (a = -grad U).

    Vallado (2013) eq. 8-19 with n = 2: ``U = -mu/r [1 - J2 (R/r)^2 (3 z^2/r^2 - 1)/2]``. [J/kg]
    """
    r = np.asarray(r_m, dtype=np.float64)
    r2 = np.einsum("...i,...i->...", r, r)
    z = r[..., 2]
    return np.asarray(
        -mu_m3_s2 / np.sqrt(r2) * (1.0 - 0.5 * j2 * r_eq_m**2 / r2 * (3.0 * z * z / r2 - 1.0))
    )
