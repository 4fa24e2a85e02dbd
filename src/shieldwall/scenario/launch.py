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
from shieldwall.earth.geodesy import geodesic_inverse

__all__ = [
    "MAX_REJECTION_ROUNDS",
    "area_candidates",
    "inside_polygon",
    "reach_probes",
    "sample_box",
    "sample_polygon",
]


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


#: Grid points per side of a box, and per edge of a polygon, among the reach-probe candidates.
_PROBE_GRID = 9


def area_candidates(
    kind: str, lat_rad: F64, lon_rad: F64, aim_lat_rad: float, aim_lon_rad: float
) -> tuple[F64, F64]:
    """Points standing for a launch area in reach checks. [rad]

    ``kind`` and the vertex arrays as in a launch area: ``point`` (one point), ``box`` (southern
    and northern, western and eastern edges) or ``polygon`` (the vertices in order). A box gives a
    9 x 9 grid (its corners, where the farthest point lies, included) plus the aim point clamped
    into it (the nearest point); a polygon its vertices and 8 points per edge, plus the aim point
    when it lies inside.
    """
    lat = np.asarray(lat_rad, dtype=np.float64)
    lon = np.asarray(lon_rad, dtype=np.float64)
    if kind == "point":
        return lat[:1].copy(), lon[:1].copy()
    if kind == "box":
        grid_lat, grid_lon = np.meshgrid(
            np.linspace(lat[0], lat[1], _PROBE_GRID), np.linspace(lon[0], lon[1], _PROBE_GRID)
        )
        clamp_lat = min(max(aim_lat_rad, float(lat[0])), float(lat[1]))
        clamp_lon = min(max(aim_lon_rad, float(lon[0])), float(lon[1]))
        return np.append(grid_lat.ravel(), clamp_lat), np.append(grid_lon.ravel(), clamp_lon)
    f = np.linspace(0.0, 1.0, _PROBE_GRID)[:-1, None]
    edge_lat = (lat[None] + f * (np.roll(lat, -1) - lat)[None]).ravel()
    edge_lon = (lon[None] + f * (np.roll(lon, -1) - lon)[None]).ravel()
    if bool(inside_polygon(np.array([aim_lat_rad]), np.array([aim_lon_rad]), lat, lon)[0]):
        edge_lat, edge_lon = np.append(edge_lat, aim_lat_rad), np.append(edge_lon, aim_lon_rad)
    return edge_lat, edge_lon


def reach_probes(
    kind: str, lat_rad: F64, lon_rad: F64, aim_lat_rad: float, aim_lon_rad: float
) -> tuple[F64, F64, F64]:
    """The launch-area points nearest to and farthest from an aim point (WGS-84 geodesics).

    Returns
    -------
    lat_rad, lon_rad, range_m
        Shape ``(2,)``: nearest, then farthest. [rad], [rad], [m]
    """
    cand_lat, cand_lon = area_candidates(kind, lat_rad, lon_rad, aim_lat_rad, aim_lon_rad)
    d_m = np.asarray(geodesic_inverse(cand_lat, cand_lon, aim_lat_rad, aim_lon_rad)[0])
    d_m = np.where(np.isfinite(d_m), d_m, np.nan)
    pick = np.array([int(np.nanargmin(d_m)), int(np.nanargmax(d_m))])
    return cand_lat[pick], cand_lon[pick], d_m[pick]
