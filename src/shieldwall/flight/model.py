"""`FlightModel`: which physical effects a flight includes, and the integrator's step policy.

The full model (the default) is what a simulation uses: WGS-84 ellipsoid, mu + J2 gravity,
Earth rotation, US-1976 drag, a boost of the catalog burn time. Four switches each remove one
effect (``shieldwall fly --vacuum --no-rotation --impulsive --spherical``); all four together
are the textbook case of Bate, Mueller & White (1971) §6.2 (``FlightModel.textbook()``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property
from typing import Literal

import numpy as np

from shieldwall._types import F64
from shieldwall.earth.atmosphere import DensityTable
from shieldwall.earth.constants import (
    J2_EARTH,
    MU_EARTH_M3_S2,
    OMEGA_EARTH_RAD_S,
    R_SPHERE_M,
    WGS84_A_M,
    WGS84_B_M,
    WGS84_E2,
)
from shieldwall.earth.geodesy import ecef_to_geodetic, geodesic_inverse, geodetic_to_ecef

__all__ = ["FlightModel"]


EarthShape = Literal["wgs84", "sphere"]
Atmosphere = Literal["us1976", "exponential", "vacuum"]


@dataclass(frozen=True, kw_only=True)
class FlightModel:
    """Physical effects and numerical settings of a flight.

    Attributes
    ----------
    earth
        ``"wgs84"`` (ellipsoid, mu + J2 gravity) or ``"sphere"`` (radius ``sphere_radius_m``,
        central gravity).
    sphere_radius_m
        Radius of the spherical Earth. [m]
    rotation
        Integrate on a rotating Earth (rate ``OMEGA_EARTH_RAD_S``); False: non-rotating.
    atmosphere
        ``"us1976"``, ``"exponential"`` (``rho0_kg_m3``, ``scale_height_m``) or ``"vacuum"``.
    rho0_kg_m3, scale_height_m
        Parameters of the exponential atmosphere. [kg/m^3], [m]
    impulsive
        Burnout at the launch point at t = 0 (no boost phase).
    gravity_on
        False switches gravity off (only for tests of the drag model, e.g. Allen-Eggers).
    dt_max_s
        Largest integration step (drag-free flight). [s]
    atm_step_fraction
        In the atmosphere the step is at most this fraction of the time to cross one density
        scale height (7 km) at the current speed.
    record_dt_s
        Step of the output time grid (``Trajectories.dt_s``). [s]
    """

    earth: EarthShape = "wgs84"
    sphere_radius_m: float = R_SPHERE_M
    rotation: bool = True
    atmosphere: Atmosphere = "us1976"
    rho0_kg_m3: float = 1.7523
    scale_height_m: float = 6706.0
    impulsive: bool = False
    gravity_on: bool = True
    dt_max_s: float = 6.0
    atm_step_fraction: float = 0.25
    record_dt_s: float = 1.0

    @classmethod
    def textbook(cls) -> FlightModel:
        """Vacuum, non-rotating, impulsive, spherical (R = 6371 km): BMW (1971) §6.2."""
        return cls().with_switches(vacuum=True, no_rotation=True, impulsive=True, spherical=True)

    def with_switches(
        self,
        *,
        vacuum: bool = False,
        no_rotation: bool = False,
        impulsive: bool = False,
        spherical: bool = False,
    ) -> FlightModel:
        """A copy with the named effects removed."""
        return replace(
            self,
            atmosphere="vacuum" if vacuum else self.atmosphere,
            rotation=self.rotation and not no_rotation,
            impulsive=self.impulsive or impulsive,
            earth="sphere" if spherical else self.earth,
        )

    @property
    def omega_rad_s(self) -> float:
        """Earth rotation rate used (0 when not rotating). [rad/s]"""
        return OMEGA_EARTH_RAD_S if self.rotation else 0.0

    @property
    def mu_m3_s2(self) -> float:
        """Gravitational parameter (0 with gravity off). [m^3/s^2]"""
        return MU_EARTH_M3_S2 if self.gravity_on else 0.0

    @property
    def j2(self) -> float:
        """J2 used (0 on the sphere)."""
        return J2_EARTH if self.earth == "wgs84" else 0.0

    @cached_property
    def density_table(self) -> DensityTable | None:
        """Fast density lookup, or None in vacuum."""
        if self.atmosphere == "vacuum":
            return None
        if self.atmosphere == "exponential":
            return DensityTable.exponential(self.rho0_kg_m3, self.scale_height_m)
        return DensityTable.us1976()

    def height(self, r_m: F64) -> F64:
        """Height above the Earth's surface from an Earth-centred position, ``(..., 3)``. [m]

        Sphere: ``|r| - R``. WGS-84: ``|r|`` minus the ellipsoid radius at the same geocentric
        latitude, which equals the geodetic height on the surface and differs from it by
        ``~ h e^4 / 8``-order terms elsewhere (< 5 m at 1000 km; the reported ``alt_m`` of a
        trajectory is the exact geodetic height).
        """
        x, y, z = r_m[..., 0], r_m[..., 1], r_m[..., 2]
        rho2 = x * x + y * y
        r2 = rho2 + z * z
        r = np.sqrt(r2)
        if self.earth == "sphere":
            return np.asarray(r - self.sphere_radius_m)
        return np.asarray(r - WGS84_B_M / np.sqrt(1.0 - WGS84_E2 * rho2 / r2))

    def height_rate(self, r_m: F64, v_mps: F64) -> F64:
        """Time derivative of :meth:`height` along velocity ``v_mps``, ``(..., 3)``. [m/s]

        Exact for both shapes: with ``q = (x^2 + y^2)/r^2`` and ``R(q) = b (1 - e^2 q)^-1/2``,
        ``dh/dt = (r . v)/r - R'(q) dq/dt``.
        """
        x, y, z = r_m[..., 0], r_m[..., 1], r_m[..., 2]
        rho2 = x * x + y * y
        r2 = rho2 + z * z
        rv = x * v_mps[..., 0] + y * v_mps[..., 1] + z * v_mps[..., 2]
        radial = rv / np.sqrt(r2)
        if self.earth == "sphere":
            return np.asarray(radial)
        q = rho2 / r2
        dq = 2.0 * ((x * v_mps[..., 0] + y * v_mps[..., 1]) * r2 - rho2 * rv) / (r2 * r2)
        d_radius = 0.5 * WGS84_B_M * WGS84_E2 * (1.0 - WGS84_E2 * q) ** -1.5
        return np.asarray(radial - d_radius * dq)

    @property
    def surface_radius_scale_m(self) -> float:
        """A representative Earth radius (for closed-form seeds). [m]"""
        return self.sphere_radius_m if self.earth == "sphere" else WGS84_A_M

    def to_ecef(self, lat_rad: F64, lon_rad: F64, alt_m: F64 | float = 0.0) -> F64:
        """Geodetic (or spherical) coordinates to ECEF on this model's Earth, ``(..., 3)``. [m]"""
        if self.earth == "wgs84":
            return geodetic_to_ecef(lat_rad, lon_rad, alt_m)
        lat, lon, alt = np.broadcast_arrays(
            np.asarray(lat_rad, dtype=np.float64),
            np.asarray(lon_rad, dtype=np.float64),
            np.asarray(alt_m, dtype=np.float64),
        )
        rr = self.sphere_radius_m + alt
        return np.stack(
            [rr * np.cos(lat) * np.cos(lon), rr * np.cos(lat) * np.sin(lon), rr * np.sin(lat)],
            axis=-1,
        )

    def to_geodetic(self, r_ecef_m: F64) -> tuple[F64, F64, F64]:
        """ECEF to latitude, longitude [rad] and height [m] on this model's Earth."""
        if self.earth == "wgs84":
            return ecef_to_geodetic(r_ecef_m)
        r = np.asarray(r_ecef_m, dtype=np.float64)
        x, y, z = r[..., 0], r[..., 1], r[..., 2]
        rn = np.sqrt(x * x + y * y + z * z)
        return np.arctan2(z, np.hypot(x, y)), np.arctan2(y, x), rn - self.sphere_radius_m

    def ground_range(self, lat1_rad: F64, lon1_rad: F64, lat2_rad: F64, lon2_rad: F64) -> F64:
        """Geodesic distance on the WGS-84 ellipsoid, or great-circle distance on the sphere. [m]"""
        if self.earth == "wgs84":
            return geodesic_inverse(lat1_rad, lon1_rad, lat2_rad, lon2_rad)[0]
        # Haversine (Sinnott 1984), well conditioned at short range.
        dlat = np.asarray(lat2_rad) - np.asarray(lat1_rad)
        dlon = np.asarray(lon2_rad) - np.asarray(lon1_rad)
        a = np.sin(dlat / 2) ** 2 + np.cos(lat1_rad) * np.cos(lat2_rad) * np.sin(dlon / 2) ** 2
        return np.asarray(2.0 * self.sphere_radius_m * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0))))
