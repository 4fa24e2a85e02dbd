"""Physical constants, each with its source.

All SI. Names carry units.
"""

from __future__ import annotations

import math

#: WGS-84 semi-major axis. [m] (NIMA TR8350.2, 3rd ed., 2000, Table 3.1)
WGS84_A_M = 6378137.0
#: WGS-84 inverse flattening. (NIMA TR8350.2, Table 3.1)
WGS84_INV_F = 298.257223563
WGS84_F = 1.0 / WGS84_INV_F
#: WGS-84 semi-minor axis. [m]
WGS84_B_M = WGS84_A_M * (1.0 - WGS84_F)
#: First eccentricity squared.
WGS84_E2 = WGS84_F * (2.0 - WGS84_F)
#: Second eccentricity squared.
WGS84_EP2 = WGS84_E2 / (1.0 - WGS84_E2)

#: Earth's gravitational parameter μ = GM. [m^3/s^2] (WGS-84, NIMA TR8350.2 Table 3.1;
#: the same value as Bate, Mueller & White's 398600.4418 km^3/s^2 used in the reference table)
MU_EARTH_M3_S2 = 3.986004418e14
#: Second zonal harmonic J2 (WGS-84 EGM96 normalised C20 = -4.84166774985e-4 -> J2 = -sqrt(5) C20).
J2_EARTH = 1.08262998905e-3
#: Earth rotation rate. [rad/s] (WGS-84, NIMA TR8350.2 Table 3.1)
OMEGA_EARTH_RAD_S = 7.292115e-5
#: Mean Earth radius used by the textbook spherical-Earth model. [m]
#: (Bate, Mueller & White 1971 use 1 DU = 6378.145 km; the reference table uses 6371 km)
R_SPHERE_M = 6371.0e3
#: Standard gravity. [m/s^2] (CGPM 1901)
G0_MPS2 = 9.80665

DEG = math.pi / 180.0
