"""Earth rotation: inertial (ECI) <-> Earth-fixed (ECEF) states.

shieldwall integrates flight in an Earth-centred inertial frame that coincides with ECEF at a
reference time ``t = 0`` (for a trajectory: its launch time) and rotates the Earth about z at
the constant rate ``OMEGA_EARTH_RAD_S``. Precession, nutation and polar motion are ignored
(well under a metre over a missile flight). Angle at time t: ``theta = omega t``.

    r_ecef = R3(theta) r_eci
    v_ecef = R3(theta) (v_eci - omega x r_eci)

References
----------
- D. A. Vallado (2013), *Fundamentals of Astrodynamics and Applications*, 4th ed., eq. 3-25
  (transport theorem) and §3.7 (rotation R3).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from shieldwall._types import F64
from shieldwall.earth.constants import OMEGA_EARTH_RAD_S

__all__ = ["ecef_to_eci", "eci_to_ecef", "omega_cross"]


def omega_cross(r_m: ArrayLike, omega_rad_s: float = OMEGA_EARTH_RAD_S) -> F64:
    """The transport velocity ``omega x r`` for rotation about z. [m/s]"""
    r = np.asarray(r_m, dtype=np.float64)
    zero = np.zeros_like(r[..., 2])
    return np.stack([-omega_rad_s * r[..., 1], omega_rad_s * r[..., 0], zero], axis=-1)


def _rot_z(v: F64, c: F64, s: F64) -> F64:
    # R3(theta) v with c = cos theta, s = sin theta (Vallado 2013 eq. 3-15).
    return np.stack(
        [c * v[..., 0] + s * v[..., 1], -s * v[..., 0] + c * v[..., 1], v[..., 2]], axis=-1
    )


def eci_to_ecef(
    r_eci_m: ArrayLike,
    v_eci_mps: ArrayLike,
    t_s: ArrayLike,
    omega_rad_s: float = OMEGA_EARTH_RAD_S,
) -> tuple[F64, F64]:
    """Inertial position and velocity to Earth-fixed ones.

    Parameters
    ----------
    r_eci_m, v_eci_mps
        State in the inertial frame, ``(..., 3)``. [m], [m/s]
    t_s
        Time since the frames coincided, broadcast against ``(...)``. [s]
    omega_rad_s
        Rotation rate (0 for a non-rotating Earth). [rad/s]

    Returns
    -------
    r_ecef_m, v_ecef_mps
        Position and velocity relative to the rotating Earth, in ECEF. [m], [m/s]
    """
    r = np.asarray(r_eci_m, dtype=np.float64)
    v = np.asarray(v_eci_mps, dtype=np.float64)
    theta = omega_rad_s * np.asarray(t_s, dtype=np.float64)
    c, s = np.cos(theta), np.sin(theta)
    v_rel = v - omega_cross(r, omega_rad_s)
    return _rot_z(r, c, s), _rot_z(v_rel, c, s)


def ecef_to_eci(
    r_ecef_m: ArrayLike,
    v_ecef_mps: ArrayLike,
    t_s: ArrayLike,
    omega_rad_s: float = OMEGA_EARTH_RAD_S,
) -> tuple[F64, F64]:
    """Earth-fixed position and Earth-relative velocity to inertial ones (inverse of
    :func:`eci_to_ecef`). [m], [m/s]"""
    r = np.asarray(r_ecef_m, dtype=np.float64)
    v = np.asarray(v_ecef_mps, dtype=np.float64)
    theta = omega_rad_s * np.asarray(t_s, dtype=np.float64)
    c, s = np.cos(theta), np.sin(-theta)
    r_eci = _rot_z(r, c, s)
    v_eci = _rot_z(v, c, s) + omega_cross(r_eci, omega_rad_s)
    return r_eci, v_eci
