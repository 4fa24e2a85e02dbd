"""WGS-84 geodesy: geodetic ↔ ECEF ↔ ENU ↔ azimuth/elevation/range, and geodesics.

All functions are vectorized: angles in radians, lengths in metres, the vector axis last.
Broadcasting follows numpy rules, so one site against many targets costs no Python loop.

References
----------
- NIMA TR8350.2 (2000), *Department of Defense World Geodetic System 1984*, eq. 4-14 (forward).
- H. Vermeille (2011), "An analytical method to transform geocentric into geodetic coordinates",
  J. Geodesy 85, 105-117 (reverse; exact, valid everywhere including the evolute near the
  centre), in the formulation of C. F. F. Karney, GeographicLib ``Geocentric`` (2011).
- C. F. F. Karney (2013), "Algorithms for geodesics", J. Geodesy 87, 43-55, through
  ``pyproj.Geod`` (geodesic distance and azimuths).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from pyproj import Geod

from shieldwall._types import F64
from shieldwall.earth.constants import WGS84_A_M, WGS84_E2, WGS84_F

__all__ = [
    "aer_to_ecef",
    "ecef_to_aer",
    "ecef_to_enu",
    "ecef_to_geodetic",
    "enu_rotation",
    "enu_to_ecef",
    "geodesic_direct",
    "geodesic_inverse",
    "geodetic_to_ecef",
    "look_elevation",
]


_GEOD = Geod(ellps="WGS84")


def _f64(x: ArrayLike) -> F64:
    return np.asarray(x, dtype=np.float64)


def geodetic_to_ecef(lat_rad: ArrayLike, lon_rad: ArrayLike, alt_m: ArrayLike = 0.0) -> F64:
    """Geodetic latitude, longitude and height to Earth-centred, Earth-fixed coordinates.

    Parameters
    ----------
    lat_rad
        Geodetic latitude. [rad]
    lon_rad
        Longitude. [rad]
    alt_m
        Height above the WGS-84 ellipsoid. [m]

    Returns
    -------
    r_ecef_m
        Position, shape ``broadcast(lat, lon, alt) + (3,)``. [m]
    """
    lat, lon, alt = np.broadcast_arrays(_f64(lat_rad), _f64(lon_rad), _f64(alt_m))
    slat, clat = np.sin(lat), np.cos(lat)
    n = WGS84_A_M / np.sqrt(1.0 - WGS84_E2 * slat * slat)  # prime-vertical radius, TR8350.2 4-15
    x = (n + alt) * clat * np.cos(lon)
    y = (n + alt) * clat * np.sin(lon)
    z = (n * (1.0 - WGS84_E2) + alt) * slat
    return np.stack([x, y, z], axis=-1)


def ecef_to_geodetic(r_ecef_m: ArrayLike) -> tuple[F64, F64, F64]:
    """ECEF position to geodetic latitude, longitude and height (exact, Vermeille 2011).

    Valid everywhere, including points deep inside the Earth (where the nearest point on the
    ellipsoid may be off the equator) and on the polar axis (longitude 0 there).

    Parameters
    ----------
    r_ecef_m
        Position, vector axis last. [m]

    Returns
    -------
    lat_rad, lon_rad, alt_m
        Geodetic latitude [rad], longitude in (-π, π] [rad], height above the ellipsoid [m].
    """
    r = _f64(r_ecef_m)
    x, y, z = r[..., 0], r[..., 1], r[..., 2]
    a, e2, f = WGS84_A_M, WGS84_E2, WGS84_F
    e2m = 1.0 - e2
    e2a = abs(e2)
    e4a = e2 * e2
    big_r = np.hypot(x, y)
    lon = np.arctan2(y, x)

    p = (big_r / a) ** 2
    q = e2m * (z / a) ** 2
    rr = (p + q - e4a) / 6.0
    singular = (e4a * q == 0.0) & (rr <= 0.0)

    with np.errstate(invalid="ignore", divide="ignore"):
        # Regular branch (Karney's formulation of Vermeille 2011, for oblate f >= 0).
        s = e4a * p * q / 4.0
        r2 = rr * rr
        r3 = rr * r2
        disc = s * (2.0 * r3 + s)
        t3 = s + r3
        t3 = t3 + np.where(t3 < 0.0, -1.0, 1.0) * np.sqrt(np.maximum(disc, 0.0))
        t = np.cbrt(t3)
        u_pos = rr + t + np.where(t != 0.0, r2 / np.where(t != 0.0, t, 1.0), 0.0)
        ang = np.arctan2(np.sqrt(np.maximum(-disc, 0.0)), -(s + r3))
        u_neg = rr + 2.0 * rr * np.cos(ang / 3.0)
        u = np.where(disc >= 0.0, u_pos, u_neg)
        v = np.sqrt(u * u + e4a * q)
        uv = np.where(u < 0.0, e4a * q / (v - u), u + v)
        w = np.maximum(0.0, e2a * (uv - q) / (2.0 * v))
        k = uv / (np.sqrt(uv + w * w) + w)
        k1 = k if f >= 0 else k - e2
        k2 = k + e2 if f >= 0 else k
        d = k1 * big_r / k2
        zk, rk = z / k1, big_r / k2
        lat_reg = np.arctan2(zk, rk)
        h_reg = (1.0 - e2m / k1) * np.hypot(d, z)

        # Singular disc: on the equatorial plane inside the evolute (|p| < e^4).
        zz = np.sqrt(np.maximum(e4a - p, 0.0) / e2m)
        xx = np.sqrt(np.maximum(p, 0.0))
        hh = np.hypot(zz, xx)
        lat_sing = np.arctan2(np.where(z < 0.0, -zz, zz), xx)
        h_sing = -a * e2m * hh / e2a

    lat = np.where(singular, lat_sing, lat_reg)
    alt = np.where(singular, h_sing, h_reg)
    return lat, lon, alt


def enu_rotation(lat_rad: ArrayLike, lon_rad: ArrayLike) -> F64:
    """Rotation matrix from ECEF to local east-north-up axes at a geodetic point.

    Returns
    -------
    rot
        Shape ``broadcast(lat, lon) + (3, 3)``; rows are the unit vectors e, n, u in ECEF, so
        ``v_enu = rot @ v_ecef``.
    """
    lat, lon = np.broadcast_arrays(_f64(lat_rad), _f64(lon_rad))
    sl, cl = np.sin(lat), np.cos(lat)
    so, co = np.sin(lon), np.cos(lon)
    zero = np.zeros_like(lat)
    east = np.stack([-so, co, zero], axis=-1)
    north = np.stack([-sl * co, -sl * so, cl], axis=-1)
    up = np.stack([cl * co, cl * so, sl], axis=-1)
    return np.stack([east, north, up], axis=-2)


def ecef_to_enu(
    r_ecef_m: ArrayLike, lat0_rad: ArrayLike, lon0_rad: ArrayLike, alt0_m: ArrayLike = 0.0
) -> F64:
    """ECEF position to east-north-up coordinates relative to a geodetic origin. [m]"""
    origin = geodetic_to_ecef(lat0_rad, lon0_rad, alt0_m)
    rot = enu_rotation(lat0_rad, lon0_rad)
    d = _f64(r_ecef_m) - origin
    enu: F64 = np.einsum("...ij,...j->...i", rot, d)
    return enu


def enu_to_ecef(
    r_enu_m: ArrayLike, lat0_rad: ArrayLike, lon0_rad: ArrayLike, alt0_m: ArrayLike = 0.0
) -> F64:
    """East-north-up coordinates relative to a geodetic origin to ECEF position. [m]"""
    origin = geodetic_to_ecef(lat0_rad, lon0_rad, alt0_m)
    rot = enu_rotation(lat0_rad, lon0_rad)
    delta: F64 = np.einsum("...ji,...j->...i", rot, _f64(r_enu_m))
    return origin + delta


def ecef_to_aer(
    r_ecef_m: ArrayLike, lat0_rad: ArrayLike, lon0_rad: ArrayLike, alt0_m: ArrayLike = 0.0
) -> tuple[F64, F64, F64]:
    """Azimuth, elevation and slant range of ECEF points seen from a geodetic site.

    Returns
    -------
    az_rad, el_rad, range_m
        Azimuth clockwise from geodetic north in [0, 2π) [rad], elevation above the local
        horizontal plane [rad], slant range [m].
    """
    enu = ecef_to_enu(r_ecef_m, lat0_rad, lon0_rad, alt0_m)
    e, n, u = enu[..., 0], enu[..., 1], enu[..., 2]
    horiz = np.hypot(e, n)
    az = np.mod(np.arctan2(e, n), 2.0 * np.pi)
    el = np.arctan2(u, horiz)
    return az, el, np.hypot(horiz, u)


def aer_to_ecef(
    az_rad: ArrayLike,
    el_rad: ArrayLike,
    range_m: ArrayLike,
    lat0_rad: ArrayLike,
    lon0_rad: ArrayLike,
    alt0_m: ArrayLike = 0.0,
) -> F64:
    """Azimuth, elevation and slant range from a geodetic site to an ECEF position. [m]"""
    az, el, rng = _f64(az_rad), _f64(el_rad), _f64(range_m)
    horiz = rng * np.cos(el)
    east, north, up = np.broadcast_arrays(horiz * np.sin(az), horiz * np.cos(az), rng * np.sin(el))
    enu = np.stack([east, north, up], axis=-1)
    return enu_to_ecef(enu, lat0_rad, lon0_rad, alt0_m)


def look_elevation(
    r_ecef_m: ArrayLike, lat0_rad: ArrayLike, lon0_rad: ArrayLike, alt0_m: ArrayLike = 0.0
) -> F64:
    """Elevation of a target above a site's geodetic horizon plane (line of sight). [rad]

    Positive means above the horizon plane of the site's ellipsoid normal. Refraction and the
    minimum-elevation mask are sensing models built on top of this.
    """
    return ecef_to_aer(r_ecef_m, lat0_rad, lon0_rad, alt0_m)[1]


def geodesic_inverse(
    lat1_rad: ArrayLike, lon1_rad: ArrayLike, lat2_rad: ArrayLike, lon2_rad: ArrayLike
) -> tuple[F64, F64, F64]:
    """Shortest path on the WGS-84 ellipsoid between two points (Karney 2013, via pyproj).

    Returns
    -------
    s12_m, azi1_rad, azi2_rad
        Geodesic distance [m]; forward azimuth at point 1 and at point 2 (direction of travel),
        clockwise from north [rad].
    """
    lat1, lon1, lat2, lon2 = np.broadcast_arrays(
        _f64(lat1_rad), _f64(lon1_rad), _f64(lat2_rad), _f64(lon2_rad)
    )
    az12, az21, dist = _geod_call(
        _GEOD.inv, np.degrees(lon1), np.degrees(lat1), np.degrees(lon2), np.degrees(lat2)
    )
    azi2 = np.radians(az21) + np.pi  # pyproj returns the back azimuth at point 2
    azi2 = np.mod(azi2 + np.pi, 2.0 * np.pi) - np.pi
    return dist, np.radians(az12), azi2


def geodesic_direct(
    lat1_rad: ArrayLike, lon1_rad: ArrayLike, azi1_rad: ArrayLike, s12_m: ArrayLike
) -> tuple[F64, F64, F64]:
    """Point reached by travelling ``s12_m`` along a geodesic from point 1 at azimuth ``azi1``.

    Returns
    -------
    lat2_rad, lon2_rad, azi2_rad
        Latitude and longitude of point 2 and the forward azimuth there. [rad]
    """
    lat1, lon1, azi1, s12 = np.broadcast_arrays(
        _f64(lat1_rad), _f64(lon1_rad), _f64(azi1_rad), _f64(s12_m)
    )
    lon2, lat2, az21 = _geod_call(
        _GEOD.fwd, np.degrees(lon1), np.degrees(lat1), np.degrees(azi1), s12
    )
    azi2 = np.mod(np.radians(az21) + 2.0 * np.pi, 2.0 * np.pi) - np.pi
    return np.radians(lat2), np.radians(lon2), azi2


def _geod_call(fn: Any, *args: F64) -> tuple[F64, F64, F64]:
    shape = args[0].shape
    flat = [np.ascontiguousarray(a, dtype=np.float64).ravel() for a in args]
    out = fn(*flat)
    return tuple(np.asarray(o, dtype=np.float64).reshape(shape) for o in out)  # type: ignore[return-value]
