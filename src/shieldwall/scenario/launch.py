"""Drawing launch points uniformly (by area on the sphere) from launch areas.

A box is sampled exactly: longitude uniform, ``sin(latitude)`` uniform, so that equal areas on a
sphere are equally likely (Archimedes' hat-box theorem). A polygon is sampled by rejection from
its bounding box with the even-odd (ray-crossing) point-in-polygon rule on latitude/longitude
(edges are straight in lat/lon, a good approximation for areas a few hundred km across; polygons
must not cross the antimeridian).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from shieldwall._types import F64

__all__ = ["MAX_REJECTION_ROUNDS", "inside_polygon", "sample_box", "sample_polygon"]


#: Rejection rounds before a polygon is declared (nearly) empty.
MAX_REJECTION_ROUNDS = 200


def sample_box(
    rng: np.random.Generator,
    n: int,
    lat_min_rad: float,
    lat_max_rad: float,
    lon_min_rad: float,
    lon_max_rad: float,
) -> tuple[F64, F64]:
    """``n`` points uniform by area in a latitude/longitude box.

    Returns
    -------
    lat_rad, lon_rad
        Shape ``(n,)``. [rad]
    """
    u = rng.random((n, 2))
    s = np.sin(lat_min_rad) + u[:, 0] * (np.sin(lat_max_rad) - np.sin(lat_min_rad))
    lat = np.arcsin(np.clip(s, -1.0, 1.0))
    lon = lon_min_rad + u[:, 1] * (lon_max_rad - lon_min_rad)
    return lat, lon


def inside_polygon(
    lat_rad: F64, lon_rad: F64, poly_lat_rad: F64, poly_lon_rad: F64
) -> NDArray[np.bool_]:
    """Even-odd rule: whether each point lies inside the polygon (vertices in order).

    Vectorized over points (first axis) and edges (second axis).
    """
    y0 = poly_lat_rad[None, :]
    x0 = poly_lon_rad[None, :]
    y1 = np.roll(poly_lat_rad, -1)[None, :]
    x1 = np.roll(poly_lon_rad, -1)[None, :]
    y = lat_rad[:, None]
    x = lon_rad[:, None]
    straddles = (y0 > y) != (y1 > y)
    with np.errstate(divide="ignore", invalid="ignore"):
        x_cross = x0 + (y - y0) * (x1 - x0) / (y1 - y0)
    crossings = straddles & (x < x_cross)
    return np.asarray(np.count_nonzero(crossings, axis=1) % 2 == 1)


def sample_polygon(
    rng: np.random.Generator, n: int, poly_lat_rad: F64, poly_lon_rad: F64
) -> tuple[F64, F64] | None:
    """``n`` points uniform by area inside a polygon; ``None`` if it has (almost) no area."""
    lat_lo, lat_hi = float(poly_lat_rad.min()), float(poly_lat_rad.max())
    lon_lo, lon_hi = float(poly_lon_rad.min()), float(poly_lon_rad.max())
    got_lat: list[F64] = []
    got_lon: list[F64] = []
    have = 0
    for _ in range(MAX_REJECTION_ROUNDS):
        if have >= n:
            break
        batch = max(64, 4 * (n - have))
        lat, lon = sample_box(rng, batch, lat_lo, lat_hi, lon_lo, lon_hi)
        keep = inside_polygon(lat, lon, poly_lat_rad, poly_lon_rad)
        got_lat.append(lat[keep])
        got_lon.append(lon[keep])
        have += int(keep.sum())
    if have < n:
        return None
    return np.concatenate(got_lat)[:n], np.concatenate(got_lon)[:n]
