"""A footprint as GeoJSON: one grid-cell polygon per cell the missile can reach (RFC 7946).

Each feature's properties are the cell's (``cell``, ``row``, ``col``, ``nation``, ``area_km2``)
and, per policy ``p``, ``p.engageable``, ``p.opportunities``, ``p.batteries`` (list of battery
ids) and ``p.p_no_leak``. Cells the missile cannot reach from the launch point are left out (no
threat lands there). The collection's ``properties`` member (a foreign member, RFC 7946 §6.1)
holds the request and the defended area per policy (:meth:`Footprint.summary`).
"""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np

from shieldwall.io.export import _ring_coords
from shieldwall.studies.footprint import Footprint

__all__ = ["footprint_geojson", "footprint_geojson_bytes"]


def _num(value: float) -> float | None:
    return float(value) if math.isfinite(value) else None


def footprint_geojson(fp: Footprint) -> dict[str, Any]:
    """The footprint as a GeoJSON FeatureCollection of cell polygons (module doc)."""
    g = fp.grid
    la, lo = g.lat_edges_deg, g.lon_edges_deg
    nations = fp.world.nations.id
    per_policy = {p: fp.batteries(p) for p in fp.policies}
    area = g.area_km2
    feats: list[dict[str, Any]] = []
    for c in np.flatnonzero(fp.in_range).tolist():
        r, k = divmod(c, g.shape[1])
        ring = np.array(
            [[lo[k], la[r]], [lo[k + 1], la[r]], [lo[k + 1], la[r + 1]], [lo[k], la[r + 1]],
             [lo[k], la[r]]]
        )  # fmt: skip
        props: dict[str, Any] = {
            "cell": c, "row": r, "col": k, "nation": nations[int(fp.cell_nation[c])],
            "area_km2": round(float(area[c]), 3),
        }  # fmt: skip
        for p in fp.policies:
            props[f"{p}.engageable"] = bool(fp.engageable[p][c])
            props[f"{p}.opportunities"] = int(fp.opportunities[p][c])
            names = per_policy[p][c]
            props[f"{p}.batteries"] = names.split(",") if names else []
            props[f"{p}.p_no_leak"] = _num(float(fp.p_no_leak[p][c]))
        feats.append(
            {
                "type": "Feature",
                "geometry": {"type": "Polygon", "coordinates": [_ring_coords(ring)]},
                "properties": props,
            }
        )
    return {"type": "FeatureCollection", "properties": fp.summary(), "features": feats}


def footprint_geojson_bytes(fp: Footprint) -> bytes:
    """:func:`footprint_geojson` as compact UTF-8 JSON."""
    doc = footprint_geojson(fp)
    doc["properties"] = json.loads(json.dumps(doc["properties"], default=_plain))
    return json.dumps(doc, separators=(",", ":"), allow_nan=False).encode()


def _plain(obj: Any) -> Any:
    if isinstance(obj, np.generic):
        return obj.item()
    raise TypeError(f"not JSON serialisable: {type(obj).__name__}")
