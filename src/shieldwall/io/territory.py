"""A scenario nation's territory from the offline Natural Earth countries (world-atlas).

The nation a footprint cell belongs to (docs/studies.md §12, authority): the scenario nation
whose country polygon holds the cell; at sea, that of the nearest coast within
:data:`EEZ_PROXY_KM` when the nearest coast is a scenario nation's. Scenario nations are matched
to Natural Earth countries by id as ISO 3166-1 alpha-3 (:data:`ISO_NUMERIC`), else by name equal
to the Natural Earth name. Everything else (land of a country that is no scenario nation, open
sea, nations that match no country) is left to the caller's rule (-1).
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Sequence

import numpy as np

from shieldwall._types import F64, I64
from shieldwall.earth.constants import R_SPHERE_M
from shieldwall.io.basemap import AssetsMissing, countries, country_index, node_modules
from shieldwall.studies.footprint import Territory

__all__ = [
    "EEZ_PROXY_KM",
    "ISO_NUMERIC",
    "natural_earth_territory",
    "territory_nations",
    "territory_or_warn",
]

#: ISO 3166-1 alpha-3 → numeric (the world-atlas ``id``) of the nations the examples use.
ISO_NUMERIC = {
    "KOR": "410",
    "JPN": "392",
    "USA": "840",
    "SAU": "682",
    "ARE": "784",
    "QAT": "634",
    "BHR": "048",
    "KWT": "414",
}
#: A sea cell belongs to the nation of the nearest coast within this distance (200 nautical
#: miles, the outer limit of an exclusive economic zone; UNCLOS art. 57): a proxy of the EEZ,
#: whose lateral limits between neighbours are the median line, which "nearest coast" is. [km]
EEZ_PROXY_KM = 370.4


def _match(nation_ids: Sequence[str], nation_names: Sequence[str], table: list[str],
           names: list[str]) -> I64:  # fmt: skip
    """Per Natural Earth country, the index of the scenario nation it is (-1 none)."""
    of = np.full(len(table), -1, dtype=np.int64)
    by_code = {c: k for k, c in enumerate(table) if c}
    by_name = {n: k for k, n in enumerate(names) if n}
    for n, (nid, name) in enumerate(zip(nation_ids, nation_names, strict=True)):
        code = ISO_NUMERIC.get(nid.strip().upper())
        k = by_code.get(code) if code is not None else by_name.get(name.strip())
        if k is not None and of[k] < 0:
            of[k] = n
    return of


def _unit(lat_deg: F64, lon_deg: F64) -> F64:
    la, lo = np.radians(lat_deg), np.radians(lon_deg)
    return np.column_stack([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)])


def territory_nations(
    nation_ids: Sequence[str],
    nation_names: Sequence[str],
    lat_deg: F64,
    lon_deg: F64,
    *,
    scale: str = "50m",
    modules: str | os.PathLike[str] | None = None,
) -> I64:
    """Per point, the scenario nation whose territory it is (module doc); -1 where none.

    Land: the matched country holding the point. Sea (in no country): the country of the nearest
    coast vertex (1:50m vertices, a few km apart) within :data:`EEZ_PROXY_KM`, if it is matched.

    Parameters
    ----------
    nation_ids, nation_names
        The scenario's nations (``world.nations.id`` / ``.name``).
    lat_deg, lon_deg
        The points. [deg]

    Raises
    ------
    AssetsMissing
        world-atlas is not installed.
    """
    from scipy.spatial import cKDTree

    table = countries(scale, modules)
    of = _match(nation_ids, nation_names, [c[0] for c in table], [c[1] for c in table])
    lat = np.asarray(lat_deg, dtype=float).ravel()
    lon = np.asarray(lon_deg, dtype=float).ravel()
    where = country_index(lat, lon, scale, modules)
    out = np.where(where >= 0, of[np.maximum(where, 0)], -1).astype(np.int64)
    sea = np.flatnonzero(where < 0)
    if sea.size == 0 or not (of >= 0).any():
        return out
    # every country's coast (exterior and hole vertices), within reach of the sea points
    pad = math.degrees(EEZ_PROXY_KM * 1e3 / R_SPHERE_M)
    la0, la1 = lat[sea].min() - pad, lat[sea].max() + pad
    verts, owner = [], []
    for k, (_, _, polys) in enumerate(table):
        for poly in polys:
            for ring in poly:
                keep = (ring[:, 1] >= la0) & (ring[:, 1] <= la1)
                if keep.any():
                    verts.append(ring[keep])
                    owner.append(np.full(int(keep.sum()), k, dtype=np.int64))
    if not verts:
        return out
    v = np.vstack(verts)
    tree = cKDTree(_unit(v[:, 1], v[:, 0]))
    chord = 2.0 * math.sin(0.5 * EEZ_PROXY_KM * 1e3 / R_SPHERE_M)
    dist, nearest = tree.query(_unit(lat[sea], lon[sea]), distance_upper_bound=chord)
    ok = np.isfinite(dist)
    coast = np.full(sea.size, -1, dtype=np.int64)
    coast[ok] = of[np.concatenate(owner)[nearest[ok]]]
    out[sea] = coast
    return out


def natural_earth_territory(
    modules: str | os.PathLike[str] | None = None,
) -> Territory:
    """:func:`territory_nations` on the installed world-atlas, as the ``territory`` of
    :func:`shieldwall.studies.footprint.footprint`.

    Raises
    ------
    AssetsMissing
        world-atlas is not installed (checked now, not at the call).
    """
    folder = node_modules(modules)

    def territory(ids: Sequence[str], names: Sequence[str], lat_deg: F64, lon_deg: F64) -> I64:
        return territory_nations(ids, names, lat_deg, lon_deg, modules=folder)

    return territory


def territory_or_warn(
    warn: Callable[[str], None],
) -> Territory | None:
    """:func:`natural_earth_territory`, or ``None`` (the footprint's asset rule) after
    ``warn(line)`` when world-atlas is missing."""
    try:
        return natural_earth_territory()
    except AssetsMissing as exc:
        warn(f"warning: cell nations by the nearest assets, not by territory ({exc})")
        return None
