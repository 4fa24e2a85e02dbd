"""Cross-field checks of a scenario document: ids, references, catalog names, phases, reach.

These run on the plain parsed data (not on the pydantic model), tolerating whatever is
malformed, so that one pass reports the pydantic errors *and* these together, each with its
``file:line:col``. Anything of the wrong type is skipped here: pydantic reports it.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterator
from typing import Any, Protocol

import numpy as np

from shieldwall.earth.geodesy import geodesic_inverse
from shieldwall.errors import CatalogError, Problem
from shieldwall.scenario.catalog.keys import COST_KEYS
from shieldwall.scenario.launch import inside_polygon
from shieldwall.scenario.model import PRESET_POLICIES
from shieldwall.scenario.params import PARAM_KEYS
from shieldwall.scenario.source import Source
from shieldwall.scenario.suggest import did_you_mean, list_allowed

__all__ = ["CatalogLike", "check_document"]

P = tuple[str | int, ...]


class CatalogLike(Protocol):
    """What the scenario stage needs from :class:`shieldwall.scenario.catalog.Catalog`."""

    def get(self, kind: str, name: str) -> Any: ...

    def names(self, kind: str) -> list[str]: ...


def _seq(data: Any, path: P) -> Iterator[tuple[P, dict[str, Any]]]:
    """The mapping items of the list at ``path`` (skipping anything malformed)."""
    node: Any = data
    for part in path:
        if isinstance(part, str) and isinstance(node, dict):
            node = node.get(part)
        elif isinstance(part, int) and isinstance(node, list) and 0 <= part < len(node):
            node = node[part]
        else:
            return
    if not isinstance(node, list):
        return
    for i, item in enumerate(node):
        if isinstance(item, dict):
            yield (*path, i), item


def _str(item: dict[str, Any], key: str) -> str | None:
    value = item.get(key)
    return value if isinstance(value, str) and value else None


class _Checker:
    def __init__(self, src: Source, catalog: CatalogLike) -> None:
        self.src = src
        self.data: dict[str, Any] = src.data
        self.cat = catalog
        self.problems: list[Problem] = []
        self.organic_of: dict[str, str] = {}  # battery id -> its organic radar id
        self.relies_on: dict[str, str] = {}  # battery id -> the stand-alone radar it names

    # -- helpers -------------------------------------------------------------------------
    def error(self, path: P, message: str, *, key: bool = False) -> None:
        self.problems.append(self.src.problem(path, message, key=key))

    def warn(self, path: P, message: str) -> None:
        self.problems.append(self.src.problem(path, message, severity="warning"))

    def unique(self, items: list[tuple[P, str]], what: str) -> None:
        first: dict[str, P] = {}
        for path, name in items:
            if name in first:
                line, _ = self.src.position(first[name])
                at = f" (first defined at line {line})" if line else ""
                self.error(path, f"duplicate {what} {name!r}{at}; {what}s must be unique")
            else:
                first[name] = path

    def ref(self, path: P, name: str | None, allowed: list[str], what: str) -> None:
        if name is None or name in allowed:
            return
        self.error(
            path,
            f"unknown {what} {name!r}{did_you_mean(name, allowed)} "
            f"(defined: {list_allowed(allowed)})",
        )

    def catalog_entry(self, path: P, kind: str, name: str) -> Any | None:
        try:
            return self.cat.get(kind, name)
        except CatalogError as exc:
            self.error(path, str(exc.args[0]) if exc.args else str(exc))
            return None

    def complete_inline(self, path: P, item: dict[str, Any], kind: str, what: str) -> None:
        """An object without ``type:`` must give every catalog key of its kind but the cost keys
        (``COST_KEYS``: an unpriced object has an unknown cost); with overrides
        applied, lower bounds must stay below upper bounds (e.g. min_alt_km < max_alt_km)."""
        self.consistent(path, item, kind)
        if item.get("type") is not None:
            return
        optional = COST_KEYS.get(kind, ())  # type: ignore[call-overload]
        missing = [k for k in PARAM_KEYS[kind] if item.get(k) is None and k not in optional]
        if missing:
            self.error(
                path,
                f"{what} has no `type:` (a catalog {kind} name), so it must give every {kind} "
                f"key; missing: {', '.join(missing)}. Catalog {kind}s: "
                f"{list_allowed(self.cat.names(kind))}",
            )

    def consistent(self, path: P, item: dict[str, Any], kind: str) -> None:
        values: dict[str, Any] = {}
        if (type_name := _str(item, "type")) is not None:
            with contextlib.suppress(CatalogError):  # an unknown type is reported elsewhere
                values.update(self.cat.get(kind, type_name).values())
        overrides = {k: item[k] for k in PARAM_KEYS[kind] if _num(item.get(k))}
        values.update(overrides)
        for lo, hi in _ORDERED.get(kind, ()):
            if not (lo in overrides or hi in overrides):
                continue
            a: Any = values.get(lo)
            b: Any = values.get(hi)
            if _num(a) and _num(b) and not a < b:
                where = hi if hi in overrides else lo
                self.error(
                    (*path, where),
                    f"{lo} ({a:g}) must be less than {hi} ({b:g}) once overrides are applied",
                )

    # -- the checks ----------------------------------------------------------------------
    def run(self) -> list[Problem]:
        nations = [
            ((*p, "id"), n) for p, it in _seq(self.data, ("nations",)) if (n := _str(it, "id"))
        ]
        self.unique(nations, "nation id")
        self.nations = [n for _, n in nations]
        self.check_types()
        self.check_units()
        self.check_threats()
        self.check_policies()
        self.check_phases()
        return self.problems

    def nation_ref(self, path: P, item: dict[str, Any]) -> None:
        self.ref((*path, "nation"), _str(item, "nation"), self.nations, "nation")

    def check_types(self) -> None:
        self.interceptor_names: list[str] = []
        for path, item in _seq(self.data, ("interceptors",)):
            if (kind_name := _str(item, "type")) is not None:
                self.catalog_entry((*path, "type"), "interceptor", kind_name)
            self.complete_inline(path, item, "interceptor", "interceptor")
            if (name := _str(item, "name")) is not None:
                self.interceptor_names.append(name)
        self.unique(
            [
                ((*p, "name"), n)
                for p, it in _seq(self.data, ("interceptors",))
                if (n := _str(it, "name"))
            ],
            "interceptor name",
        )
        self.missile_names: list[str] = []
        missiles = list(_seq(self.data, ("threats", "missiles")))
        for path, item in missiles:
            if (kind_name := _str(item, "type")) is not None:
                self.catalog_entry((*path, "type"), "missile", kind_name)
            self.complete_inline(path, item, "missile", "missile")
            if (name := _str(item, "name")) is not None:
                self.missile_names.append(name)
        self.unique(
            [((*p, "name"), n) for p, it in missiles if (n := _str(it, "name"))], "missile name"
        )

    def unit_lists(self, base: P) -> dict[str, list[tuple[P, dict[str, Any]]]]:
        if base:  # phase add: flat lists
            return {
                "assets": list(_seq(self.data, (*base, "assets"))),
                "radars": list(_seq(self.data, (*base, "radars"))),
                "satellites": list(_seq(self.data, (*base, "satellites"))),
                "batteries": list(_seq(self.data, (*base, "batteries"))),
            }
        return {
            "assets": list(_seq(self.data, ("assets",))),
            "radars": list(_seq(self.data, ("sensors", "radars"))),
            "satellites": list(_seq(self.data, ("sensors", "satellites"))),
            "batteries": list(_seq(self.data, ("batteries",))),
        }

    def check_unit_group(
        self, groups: dict[str, list[tuple[P, dict[str, Any]]]], known: dict[str, str]
    ) -> list[tuple[P, str]]:
        """Check one group of units; returns (path of id, id) of every unit it defines."""
        ids: list[tuple[P, str]] = []
        for kind in ("assets", "radars", "satellites", "batteries"):
            for path, item in groups[kind]:
                self.nation_ref(path, item)
                if (uid := _str(item, "id")) is not None:
                    ids.append(((*path, "id"), uid))
                    known[uid] = kind
        for path, item in groups["radars"]:
            if (t := _str(item, "type")) is not None:
                self.catalog_entry((*path, "type"), "radar", t)
            self.complete_inline(path, item, "radar", "radar")
        for path, item in groups["satellites"]:
            if (t := _str(item, "type")) is not None:
                self.catalog_entry((*path, "type"), "satellite", t)
            self.complete_inline(path, item, "satellite", "satellite")
        for path, item in groups["batteries"]:
            self.battery(path, item, ids, known)
        return ids

    def battery(
        self, path: P, item: dict[str, Any], ids: list[tuple[P, str]], known: dict[str, str]
    ) -> None:
        name = _str(item, "interceptor")
        if name is not None and name not in self.interceptor_names:
            try:
                self.cat.get("interceptor", name)
            except CatalogError as exc:
                message = str(exc.args[0]) if exc.args else str(exc)
                if self.interceptor_names:
                    message += "; or one of the scenario's interceptors: " + list_allowed(
                        self.interceptor_names
                    )
                self.error((*path, "interceptor"), message)
        organic = item.get("organic_radar")
        if isinstance(organic, dict):
            opath = (*path, "organic_radar")
            if (t := _str(organic, "type")) is not None:
                self.catalog_entry((*opath, "type"), "radar", t)
            self.complete_inline(opath, organic, "radar", "organic radar")
            bid = _str(item, "id")
            rid = _str(organic, "id") or (f"{bid}.radar" if bid else None)
            if rid is not None:
                ids.append(((*opath, "id") if "id" in organic else opath, rid))
                known.setdefault(rid, ORGANIC)  # a clash is reported as a duplicate id
                if bid is not None:
                    self.organic_of[bid] = rid
            if item.get("radar") is not None:
                self.error(
                    (*path, "radar"), "give either `radar:` (an id) or `organic_radar:`, not both"
                )
        radar = _str(item, "radar")
        if radar is not None and (bid := _str(item, "id")) is not None:
            self.relies_on[bid] = radar
        if radar is not None and known.get(radar) == ORGANIC:
            self.error(
                (*path, "radar"),
                f"{radar!r} is a battery's organic radar; `radar:` names a radar of sensors.radars",
            )
        elif radar is not None and known.get(radar) != "radars":
            radars = [k for k, v in known.items() if v == "radars"]
            self.ref((*path, "radar"), radar, radars, "radar id")

    def check_units(self) -> None:
        self.known: dict[str, str] = {}
        self.unit_ids = self.check_unit_group(self.unit_lists(()), self.known)
        self.unique(self.unit_ids, "unit id")
        self.assets = [uid for uid, kind in self.known.items() if kind == "assets"]

    def check_threats(self) -> None:
        areas = list(_seq(self.data, ("threats", "launch_areas")))
        self.unique([((*p, "id"), n) for p, it in areas if (n := _str(it, "id"))], "launch area id")
        area_points: dict[str, dict[str, Any]] = {}
        for path, item in areas:
            given = [k for k in ("point", "box", "polygon") if item.get(k) is not None]
            if len(given) != 1:
                self.error(
                    path,
                    "a launch area needs exactly one of `point`, `box`, `polygon` "
                    f"(got {', '.join(given) if given else 'none'})",
                )
                continue
            pts = _area_points(item)
            if given[0] == "box" and isinstance(item.get("box"), dict):
                box = item["box"]
                for lo, hi in (("lat_min_deg", "lat_max_deg"), ("lon_min_deg", "lon_max_deg")):
                    a, b = box.get(lo), box.get(hi)
                    if _num(a) and _num(b) and not a < b:
                        self.error(
                            (*path, "box", hi), f"{hi} ({b}) must be greater than {lo} ({a})"
                        )
                        pts = None
            if pts is not None and (uid := _str(item, "id")) is not None:
                area_points[uid] = item
        area_ids = [n for _, it in areas if (n := _str(it, "id"))]
        for path, item in _seq(self.data, ("threats", "raid")):
            self.salvo(path, item, area_ids, area_points)

    def salvo(
        self, path: P, item: dict[str, Any], area_ids: list[str], pts: dict[str, dict[str, Any]]
    ) -> None:
        missile = _str(item, "missile")
        entry_values: dict[str, Any] | None = None
        if missile is not None:
            if missile in self.missile_names:
                entry_values = self.scenario_missile_values(missile)
            else:
                try:
                    entry_values = dict(self.cat.get("missile", missile).values())
                except CatalogError as exc:
                    message = str(exc.args[0]) if exc.args else str(exc)
                    if self.missile_names:
                        message += "; or one of the scenario's missiles: " + list_allowed(
                            self.missile_names
                        )
                    self.error((*path, "missile"), message)
        area = _str(item, "launch_area")
        self.ref((*path, "launch_area"), area, area_ids, "launch area")
        aims = [k for k in ("aim_asset", "aim_point") if item.get(k) is not None]
        if len(aims) != 1:
            self.error(
                path,
                "a salvo needs exactly one of `aim_asset` (an asset id) or `aim_point` "
                f"(lat_deg, lon_deg) (got {', '.join(aims) if aims else 'none'})",
            )
        asset = _str(item, "aim_asset")
        self.ref((*path, "aim_asset"), asset, self.assets, "asset")
        shape = item.get("shape", "min_energy")
        need = {
            "min_energy": (),
            "lofted": ("apogee_km",),
            "depressed": ("apogee_km",),
            "explicit": ("burnout_speed_kms", "burnout_angle_deg"),
        }
        if isinstance(shape, str) and shape in need:
            for key in ("apogee_km", "burnout_speed_kms", "burnout_angle_deg"):
                if key in need[shape] and item.get(key) is None:
                    self.error((*path, "shape"), f"shape {shape!r} needs `{key}`")
                if key not in need[shape] and item.get(key) is not None:
                    self.error((*path, key), f"`{key}` has no meaning for shape {shape!r}")
        aim = self.aim_of(item)
        if entry_values is not None and aim is not None and area in pts:
            area_pts = _area_points(pts[area], aim)
            if area_pts is not None:
                self.reach(path, missile or "", entry_values, area_pts, aim)

    def scenario_missile_values(self, name: str) -> dict[str, Any] | None:
        for _, item in _seq(self.data, ("threats", "missiles")):
            if _str(item, "name") == name:
                values: dict[str, Any] = {}
                if (t := _str(item, "type")) is not None:
                    try:
                        values.update(self.cat.get("missile", t).values())
                    except CatalogError:
                        return None
                values.update({k: item[k] for k in PARAM_KEYS["missile"] if k in item})
                return values
        return None

    def aim_of(self, item: dict[str, Any]) -> tuple[float, float] | None:
        """The aim point of a salvo (lat, lon) [deg], None if unknown or out of range."""
        point = item.get("aim_point")
        if isinstance(point, dict):
            return _latlon(point)
        asset = _str(item, "aim_asset")
        for _, it in _seq(self.data, ("assets",)):
            loc = it.get("location")
            if _str(it, "id") == asset and isinstance(loc, dict):
                return _latlon(loc)
        return None

    def reach(
        self,
        path: P,
        missile: str,
        values: dict[str, Any],
        pts_deg: np.ndarray,
        aim: tuple[float, float],
    ) -> None:
        if not _num(values.get("max_range_km")):
            return
        max_km = float(values["max_range_km"])
        min_km = float(values["min_range_km"]) if _num(values.get("min_range_km")) else 0.0
        d_m, _, _ = geodesic_inverse(
            np.radians(pts_deg[:, 0]),
            np.radians(pts_deg[:, 1]),
            math.radians(aim[0]),
            math.radians(aim[1]),
        )
        d_km = np.asarray(d_m) / 1000.0
        d_km = d_km[np.isfinite(d_km)]
        if d_km.size == 0:
            return
        near, far = float(d_km.min()), float(d_km.max())
        if near > max_km:
            self.warn(
                path,
                f"aim point is {near:.0f} km from the nearest point of the launch area, beyond "
                f"{missile}'s max_range_km {max_km:g}: no missile of this salvo can reach it",
            )
        elif far > max_km:
            self.warn(
                path,
                f"parts of the launch area are up to {far:.0f} km from the aim point, beyond "
                f"{missile}'s max_range_km {max_km:g}: launches from there cannot reach it",
            )
        if near < min_km:
            self.warn(
                path,
                f"aim point is only {near:.0f} km from the launch area, below {missile}'s "
                f"min_range_km {min_km:g}",
            )

    def check_policies(self) -> None:
        policies = list(_seq(self.data, ("policies",)))
        names = [((*p, "name"), n) for p, it in policies if (n := _str(it, "name"))]
        self.unique(names, "policy name")
        for path, name in names:
            if name in PRESET_POLICIES:
                self.error(
                    path,
                    f"{name!r} is a built-in preset ({', '.join(PRESET_POLICIES)}); "
                    "give your policy another name (use `base:` to start from a preset)",
                )
        for path, item in policies:
            for lpath, link in _seq(self.data, (*path, "links")):
                for key in ("from", "to"):
                    self.ref((*lpath, key), _str(link, key), self.nations, "nation")
                if _str(link, "from") is not None and link.get("from") == link.get("to"):
                    self.error(lpath, "a link must join two different nations")
            defends = item.get("defends")
            if isinstance(defends, dict):
                for key, allies in defends.items():
                    self.ref((*path, "defends", key), key, self.nations, "nation")
                    if isinstance(allies, list):
                        for i, ally in enumerate(allies):
                            if isinstance(ally, str) and ally != "all":
                                self.ref(
                                    (*path, "defends", key, i),
                                    ally,
                                    [*self.nations, "all"],
                                    "nation",
                                )

    def check_phases(self) -> None:
        phases = list(_seq(self.data, ("phases",)))
        base = self.data.get("base_phase", "base")
        names = [((*p, "name"), n) for p, it in phases if (n := _str(it, "name"))]
        if isinstance(base, str):
            names.insert(0, (("base_phase",), base))
        self.unique(names, "phase name")
        known = dict(self.known)
        for path, item in phases:
            add = item.get("add")
            if isinstance(add, dict):
                local = dict(known)
                new_ids = self.check_unit_group(self.unit_lists((*path, "add")), local)
                for ipath, uid in new_ids:
                    if uid in known:
                        self.error(ipath, f"phase adds {uid!r}, which already exists")
                self.unique(new_ids, "unit id")
                for _, new_id in new_ids:
                    known[new_id] = local[new_id]
            for mpath, move in _seq(self.data, (*path, "move")):
                moved = _str(move, "id")
                if moved is None:
                    continue
                uid = moved
                if uid not in known:
                    self.ref((*mpath, "id"), uid, list(known), "unit id")
                    continue
                kind = known[uid]
                if kind == ORGANIC:
                    self.error(
                        (*mpath, "id"),
                        f"{uid!r} is a battery's organic radar: it moves with its battery",
                    )
                    continue
                if kind == "assets" and move.get("site") is not None:
                    self.error((*mpath, "site"), f"{uid!r} is an asset: move it with `location`")
                if kind != "assets" and move.get("location") is not None:
                    self.error((*mpath, "location"), f"{uid!r} is not an asset: use `site`")
                if kind == "satellites":
                    self.error((*mpath, "id"), f"{uid!r} is a satellite system: it cannot move")
                if kind != "radars" and move.get("boresight_az_deg") is not None:
                    self.error((*mpath, "boresight_az_deg"), f"{uid!r} is not a radar")
            removed = item.get("remove")
            if isinstance(removed, list):
                for i, uid in enumerate(removed):
                    if isinstance(uid, str):
                        if uid not in known:
                            self.ref((*path, "remove", i), uid, list(known), "unit id")
                        elif known[uid] == ORGANIC:
                            self.error(
                                (*path, "remove", i),
                                f"{uid!r} is a battery's organic radar: remove its battery",
                            )
                        else:
                            del known[uid]
                            known.pop(self.organic_of.get(uid, ""), None)
                for i, uid in enumerate(removed):
                    users = [b for b, r in self.relies_on.items() if r == uid and b in known]
                    if users:
                        self.error(
                            (*path, "remove", i),
                            f"radar {uid!r} is removed but battery {users[0]!r} relies on it "
                            "(`radar:`); remove or change that battery in the same phase",
                        )


#: Kind of a battery's organic radar in the id table (it cannot be moved, removed or referenced
#: by another battery's ``radar:`` on its own).
ORGANIC = "organic radars"

#: Parameter pairs that must satisfy lower < upper after overrides.
_ORDERED: dict[str, tuple[tuple[str, str], ...]] = {
    "missile": (("min_range_km", "max_range_km"),),
    "interceptor": (("min_alt_km", "max_alt_km"), ("min_ground_range_km", "max_ground_range_km")),
    "radar": (("min_el_deg", "max_el_deg"),),
}


def _latlon(point: dict[str, Any]) -> tuple[float, float] | None:
    lat: Any = point.get("lat_deg")
    lon: Any = point.get("lon_deg")
    if _num(lat) and _num(lon) and abs(lat) <= 90 and abs(lon) <= 180:
        return float(lat), float(lon)
    return None


def _num(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _area_points(item: dict[str, Any], aim: tuple[float, float] | None = None) -> np.ndarray | None:
    """Points standing for a launch area in reach checks, (k, 2) lat/lon [deg]; None if bad.

    A box gives a 9 x 9 grid (its corners, where the farthest point lies, included) plus the aim
    point clamped into it (the nearest point); a polygon its vertices and 8 points per edge, plus
    the aim point when it lies inside.
    """
    point, box, poly = item.get("point"), item.get("box"), item.get("polygon")
    pts: list[tuple[Any, Any]] = []
    if isinstance(point, dict):
        pts = [(point.get("lat_deg"), point.get("lon_deg"))]
    elif isinstance(box, dict):
        keys = ("lat_min_deg", "lat_max_deg", "lon_min_deg", "lon_max_deg")
        if not all(_num(box.get(k)) for k in keys):
            return None
        la, lb, oa, ob = (float(box[k]) for k in keys)
        grid_lat, grid_lon = np.meshgrid(np.linspace(la, lb, 9), np.linspace(oa, ob, 9))
        pts = list(zip(grid_lat.ravel().tolist(), grid_lon.ravel().tolist(), strict=True))
        if aim is not None:
            pts.append((min(max(aim[0], la), lb), min(max(aim[1], oa), ob)))
    elif isinstance(poly, list):
        verts = [(v.get("lat_deg"), v.get("lon_deg")) for v in poly if isinstance(v, dict)]
        if len(verts) < 3 or not all(_num(a) and _num(b) for a, b in verts):
            return None
        v = np.asarray(verts, dtype=float)
        w = np.roll(v, -1, axis=0)
        f = np.linspace(0.0, 1.0, 9)[:-1, None, None]
        pts = [tuple(p) for p in (v[None] + f * (w - v)[None]).reshape(-1, 2).tolist()]
        if aim is not None:
            inside = inside_polygon(
                np.radians([aim[0]]), np.radians([aim[1]]), np.radians(v[:, 0]), np.radians(v[:, 1])
            )
            if bool(inside[0]):
                pts.append(aim)
    if not pts or not all(_num(a) and _num(b) for a, b in pts):
        return None
    arr = np.asarray(pts, dtype=float)
    if np.any(np.abs(arr[:, 0]) > 90) or np.any(np.abs(arr[:, 1]) > 180):
        return None
    return arr


def check_document(src: Source, catalog: CatalogLike) -> list[Problem]:
    """All cross-field problems (errors and warnings) of a parsed scenario document.

    Parameters
    ----------
    src
        The parsed document with positions.
    catalog
        The catalog to resolve ``type:``, ``interceptor:`` and ``missile:`` names against.
    """
    if not isinstance(src.data, dict):
        return []
    return _Checker(src, catalog).run()
