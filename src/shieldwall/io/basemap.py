"""Offline base maps: Natural Earth country borders from the npm package ``world-atlas``.

The report's maps and the viewer's border overlay both read the TopoJSON files that ``world-atlas``
ships (Natural Earth 4.1.0 Admin 0 countries, public domain; TopoJSON packaging ISC licence), which
``./dev setup`` installs with ``npm ci`` into ``node_modules/`` at the repository root. Nothing is
downloaded at run time.

TopoJSON (Bostock, topojson-specification 1.0): arcs are delta-encoded integer positions,
``position = cumulative sum × scale + translate``; a ring is a list of arc indices, ``~i`` meaning
arc ``i`` reversed, consecutive arcs sharing their end point.
"""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from shieldwall.errors import ShieldwallError

__all__ = [
    "BORDER_CREDIT",
    "BOUNDARY_DISCLAIMER",
    "AssetsMissing",
    "borders_geojson",
    "countries",
    "country_index",
    "country_rings",
    "decode_topojson",
    "node_modules",
]

#: Data credit to print with every map.
BORDER_CREDIT = "Borders: Natural Earth 1:50m Admin 0 (public domain), via world-atlas 2.0.2."
#: Printed with every map.
BOUNDARY_DISCLAIMER = (
    "Boundaries are shown for orientation only and imply no position on any territorial dispute."
)
#: Environment variable naming a ``node_modules`` folder to use instead of the repository's.
NODE_MODULES_ENV = "SHIELDWALL_NODE_MODULES"


class AssetsMissing(ShieldwallError, FileNotFoundError):
    """The npm packages (world-atlas, cesium) are not installed."""


def node_modules(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The ``node_modules`` folder holding ``world-atlas`` (and ``cesium``).

    ``explicit`` if given, else ``$SHIELDWALL_NODE_MODULES`` if set (either must hold the
    packages), else the repository root of this checkout, else the current folder.

    Raises
    ------
    AssetsMissing
        The folder does not hold ``world-atlas``; the message says how to install it.
    """
    chosen = explicit or os.environ.get(NODE_MODULES_ENV) or None
    if chosen is not None:
        candidates = [Path(chosen)]
    else:
        candidates = [
            Path(__file__).resolve().parents[3] / "node_modules",
            Path.cwd() / "node_modules",
        ]
    for path in candidates:
        if (path / "world-atlas" / "package.json").is_file():
            return path
    where = ", ".join(str(p) for p in candidates)
    raise AssetsMissing(
        f"the map and viewer data (npm packages world-atlas and cesium) are not in {where}: "
        f"run `./dev setup` (npm ci) in the repository, or point {NODE_MODULES_ENV} at a "
        "node_modules folder that has them"
    )


def decode_topojson(
    topology: dict[str, Any], name: str
) -> list[tuple[dict[str, Any], list[list[np.ndarray]]]]:
    """The polygons of one object of a TopoJSON topology.

    Returns
    -------
    One ``(properties, polygons)`` per geometry; ``polygons`` is a list of polygons, each a list
    of rings (``(k, 2)`` longitude, latitude in degrees; the first ring is the exterior).
    """
    tf = topology.get("transform")
    scale = np.asarray(tf["scale"], dtype=float) if tf else np.ones(2)
    shift = np.asarray(tf["translate"], dtype=float) if tf else np.zeros(2)
    raw = topology["arcs"]
    lengths = np.array([len(a) for a in raw], dtype=np.int64)
    flat = (
        np.concatenate([np.asarray(a, dtype=float)[:, :2] for a in raw])
        if raw
        else np.zeros((0, 2))
    )
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    if tf:  # delta-decode every arc at once: cumulative sum minus the sum before each arc start
        csum = np.cumsum(flat, axis=0)
        before = np.vstack([np.zeros((1, 2)), csum])[starts]
        flat = csum - np.repeat(before, lengths, axis=0)
    points = flat * scale + shift
    arcs = np.split(points, np.cumsum(lengths)[:-1])

    def ring(indices: list[int]) -> np.ndarray:
        parts = []
        for k, i in enumerate(indices):
            arc = arcs[i] if i >= 0 else arcs[~i][::-1]
            parts.append(arc if k == 0 else arc[1:])
        return np.vstack(parts)

    out = []
    for geom in topology["objects"][name].get("geometries", [topology["objects"][name]]):
        kind = geom.get("type")
        if kind == "Polygon":
            polys = [[ring(r) for r in geom["arcs"]]]
        elif kind == "MultiPolygon":
            polys = [[ring(r) for r in poly] for poly in geom["arcs"]]
        else:
            continue
        props = dict(geom.get("properties") or {})
        if "id" in geom:
            props.setdefault("id", geom["id"])
        out.append((props, polys))
    return out


@cache
def _topology(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def country_rings(
    scale: str = "50m", modules: str | os.PathLike[str] | None = None
) -> list[tuple[str, list[list[np.ndarray]]]]:
    """Natural Earth countries: ``(name, polygons)`` (see :func:`decode_topojson`)."""
    if scale not in ("10m", "50m", "110m"):
        raise ValueError(f"scale must be 10m, 50m or 110m, got {scale!r}")
    topo = _topology(node_modules(modules) / "world-atlas" / f"countries-{scale}.json")
    return [(str(p.get("name", "")), polys) for p, polys in decode_topojson(topo, "countries")]


def countries(
    scale: str = "50m", modules: str | os.PathLike[str] | None = None
) -> list[tuple[str, str, list[list[np.ndarray]]]]:
    """Natural Earth countries: ``(iso_numeric, name, polygons)``; ``iso_numeric`` is the
    geometry's ``id`` (ISO 3166-1 numeric as three digits, e.g. ``"410"``), ``""`` where
    world-atlas gives none (Kosovo, Somaliland, ...)."""
    if scale not in ("10m", "50m", "110m"):
        raise ValueError(f"scale must be 10m, 50m or 110m, got {scale!r}")
    topo = _topology(node_modules(modules) / "world-atlas" / f"countries-{scale}.json")
    return [
        (str(p.get("id") or ""), str(p.get("name", "")), polys)
        for p, polys in decode_topojson(topo, "countries")
    ]


def country_index(
    lat_deg: np.ndarray,
    lon_deg: np.ndarray,
    scale: str = "50m",
    modules: str | os.PathLike[str] | None = None,
) -> np.ndarray:
    """Which country of :func:`countries` holds each point: its index there, -1 none (sea).

    A point is in a polygon when it is inside the exterior ring and outside every hole (an
    enclave is its own country). Rings are tested in longitude–latitude degrees (matplotlib's
    ``Path.contains_points``), longitudes taken to [-180, 180); each polygon only against the
    points inside its bounding box.

    Parameters
    ----------
    lat_deg, lon_deg
        The points, same shape. [deg]
    """
    from matplotlib.path import Path as MplPath

    lat = np.asarray(lat_deg, dtype=float).ravel()
    lon = (np.asarray(lon_deg, dtype=float).ravel() + 180.0) % 360.0 - 180.0
    pts = np.column_stack([lon, lat])
    out = np.full(lat.size, -1, dtype=np.int64)
    if lat.size == 0:
        return out
    lo_min, lo_max, la_min, la_max = lon.min(), lon.max(), lat.min(), lat.max()
    for k, (_, _, polygons) in enumerate(countries(scale, modules)):
        for poly in polygons:
            ring = poly[0]
            x0, y0 = ring.min(axis=0)
            x1, y1 = ring.max(axis=0)
            if x1 < lo_min or x0 > lo_max or y1 < la_min or y0 > la_max:
                continue
            box = np.flatnonzero((lon >= x0) & (lon <= x1) & (lat >= y0) & (lat <= y1))
            if box.size == 0:
                continue
            inside = MplPath(ring).contains_points(pts[box])
            for hole in poly[1:]:
                inside &= ~MplPath(hole).contains_points(pts[box])
            out[box[inside]] = k
    return out.reshape(np.shape(lat_deg))


def borders_geojson(
    scale: str = "50m", modules: str | os.PathLike[str] | None = None
) -> dict[str, Any]:
    """The countries as a GeoJSON FeatureCollection of (Multi)Polygons, for the viewer."""
    feats = []
    for name, polys in country_rings(scale, modules):
        coords = [[np.round(r, 5).tolist() for r in poly] for poly in polys]
        feats.append(
            {
                "type": "Feature",
                "properties": {"name": name},
                "geometry": {"type": "MultiPolygon", "coordinates": coords},
            }
        )
    return {"type": "FeatureCollection", "features": feats}
