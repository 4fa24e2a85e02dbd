"""``compile_world``: a validated :class:`Scenario` at one phase -> :class:`World` (SI arrays).

Catalog entries are resolved and inline overrides applied (an override replaces the catalog
value of that key; nothing else changes), then every quantity is converted once from the
scenario's I/O units (km, deg, kPa, km/s, mrad) into SI (m, rad, Pa, m/s, rad).

Randomness: launch points in launch areas are drawn with
``numpy.random.default_rng(SeedSequence(settings.seed, spawn_key=(RAID_STREAM,)))``, one draw per
salvo in raid order, so the same scenario and seed always give the same raid. The spawn key keeps
this stream apart from the children ``SeedSequence(seed).spawn(k)`` that later stages use.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from shieldwall.arguments import check_type
from shieldwall.earth.geodesy import geodetic_to_ecef
from shieldwall.errors import ScenarioError
from shieldwall.scenario.catalog.keys import KEY_SPECS, PARAM_KEYS, THREAT_CLASSES, Kind
from shieldwall.scenario.checks import CatalogLike
from shieldwall.scenario.doctrine import Doctrine
from shieldwall.scenario.launch import reach_probes, sample_box, sample_polygon
from shieldwall.scenario.loader import default_catalog
from shieldwall.scenario.model import (
    PRESET_POLICIES,
    Battery,
    LatLon,
    Location,
    Radar,
    Scenario,
)
from shieldwall.scenario.params import StrictModel, doctrine_settings
from shieldwall.scenario.phases import deployment
from shieldwall.scenario.policy import build_policy, preset_policy
from shieldwall.scenario.world import (
    SHAPE_CODES,
    AssetTable,
    BatteryTable,
    InterceptorTable,
    MissileTable,
    NationTable,
    Origin,
    Policy,
    RadarTable,
    RaidTable,
    SalvoTable,
    SatelliteTable,
    World,
)

__all__ = ["JITTER_STREAM", "RAID_STREAM", "compile_world", "scenario_hash"]

#: Spawn key of the launch-point random stream (ASCII "RAID").
RAID_STREAM = 0x52414944
#: Third spawn-key entry of a raid sample's launch-time jitter stream (ASCII "JITR").
JITTER_STREAM = 0x4A495452

_KM = 1000.0  # [m/km] (scenario-only fields; catalog keys convert through the table)


def scenario_hash(scenario: Scenario) -> str:
    """sha256 of the canonical JSON of the scenario (sorted keys, no whitespace, aliases)."""
    data = scenario.model_dump(mode="json", by_alias=True)
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(text.encode("ascii")).hexdigest()


Path_ = tuple[str | int, ...]


def _fail(scenario: Scenario, path: Path_, message: str) -> ScenarioError:
    return ScenarioError(message, [scenario.source.problem(path, message)])


def _unit_paths(scenario: Scenario) -> dict[str, Path_]:
    """Document path of every unit (asset, radar, satellite, battery) by id."""
    paths: dict[str, Path_] = {}
    groups: tuple[tuple[Path_, Sequence[Any]], ...] = (
        (("assets",), scenario.assets),
        (("sensors", "radars"), scenario.sensors.radars),
        (("sensors", "satellites"), scenario.sensors.satellites),
        (("batteries",), scenario.batteries),
    )
    for k, step in enumerate(scenario.phases):
        add = step.add
        groups += (
            (("phases", k, "add", "assets"), add.assets),
            (("phases", k, "add", "radars"), add.radars),
            (("phases", k, "add", "satellites"), add.satellites),
            (("phases", k, "add", "batteries"), add.batteries),
        )
    for base, units in groups:
        for i, unit in enumerate(units):
            paths.setdefault(unit.id, (*base, i))
    return paths


def _resolve(
    catalog: CatalogLike, kind: Kind, type_name: str | None, model: StrictModel
) -> tuple[str, dict[str, Any]]:
    """Catalog values of ``type_name`` with the model's non-None keys of ``kind`` on top (an
    inline definition gets the table's default for a key it leaves out)."""
    values: dict[str, Any] = {}
    canonical = ""
    if type_name is not None:
        entry = catalog.get(kind, type_name)
        canonical = str(entry.name)
        values.update(entry.values())
    for key in PARAM_KEYS[kind]:
        value = getattr(model, key, None)
        if value is not None:
            values[key] = value
        elif key not in values and KEY_SPECS[kind][key].default is not None:
            values[key] = KEY_SPECS[kind][key].default
    return canonical, values


def si_columns(kind: Kind, rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The World table columns of ``kind`` from resolved I/O values, one row per dict.

    Every key of the parameter table goes to its SI field, scaled by its unit suffix (km -> m,
    deg -> rad, kPa -> Pa, km/s -> m/s, mrad -> rad); text keys become tuples, flags boolean
    arrays, per-class keys (``pk_srbm`` ...) one ``(n, 3)`` array in ``THREAT_CLASSES`` order.
    """
    n = len(rows)
    out: dict[str, Any] = {}
    stacked: dict[str, dict[str, np.ndarray]] = {}
    for name, key in KEY_SPECS[kind].items():
        if key.type == "str":
            out[key.si_name] = tuple(str(r[name]) for r in rows)
        elif key.type == "bool":
            out[key.si_name] = np.array([bool(r[name]) for r in rows], dtype=bool).reshape(n)
        else:
            col = np.array([float(r[name]) for r in rows], dtype=np.float64).reshape(n)
            col = col * key.scale
            if key.column:
                stacked.setdefault(key.si_name, {})[key.column] = col
            else:
                out[key.si_name] = col
    for si, cols in stacked.items():
        out[si] = np.stack([cols[c] for c in THREAT_CLASSES], axis=1).reshape(n, len(cols))
    return out


def _site(locs: Sequence[Location]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    lat = np.radians(np.array([p.lat_deg for p in locs], dtype=np.float64))
    lon = np.radians(np.array([p.lon_deg for p in locs], dtype=np.float64))
    alt = np.array([p.alt_m for p in locs], dtype=np.float64)
    r = geodetic_to_ecef(lat, lon, alt).reshape(len(locs), 3)
    return lat, lon, alt, r


def _idx(values: Sequence[int]) -> np.ndarray:
    return np.array(values, dtype=np.int64).reshape(len(values))


def compile_world(
    scenario: Scenario, phase: str | int | None = None, *, catalog: CatalogLike | None = None
) -> World:
    """The world of one phase of a scenario, in SI arrays.

    Parameters
    ----------
    scenario
        A validated scenario (:func:`~shieldwall.scenario.load_scenario`).
    phase
        Phase name or 0-based index; ``None`` = the last phase.
    catalog
        Catalog to resolve names against; the shipped one by default.

    Raises
    ------
    ScenarioError
        Unknown phase; a battery relying on a radar absent in this phase; a polygon launch area
        without area.
    ArgumentError
        ``scenario`` is not a :class:`Scenario` (e.g. a file name: load it first).
    """
    check_type(scenario, "scenario", Scenario, "a Scenario (load_scenario(path))")
    cat = catalog if catalog is not None else default_catalog()
    dep = deployment(scenario, phase)
    nation_ids = [n.id for n in scenario.nations]
    nat = {n: i for i, n in enumerate(nation_ids)}

    lat, lon, alt, r = _site([a.location for a in dep.assets])
    assets = AssetTable(
        id=tuple(a.id for a in dep.assets),
        name=tuple(a.name or a.id for a in dep.assets),
        nation_idx=_idx([nat[a.nation] for a in dep.assets]),
        lat_rad=lat,
        lon_rad=lon,
        alt_m=alt,
        r_ecef_m=r,
        value=np.array([a.value for a in dep.assets], dtype=np.float64).reshape(len(dep.assets)),
        radius_m=np.array([a.radius_km * _KM for a in dep.assets], dtype=np.float64).reshape(
            len(dep.assets)
        ),
    )

    unit_paths = _unit_paths(scenario)
    interceptors, battery_itype, interceptor_paths = _interceptors(
        scenario, dep.batteries, cat, unit_paths
    )
    radars, batteries = _radars_batteries(scenario, dep.radars, dep.batteries, nat, cat)
    batteries = {**batteries, "interceptor_idx": _idx(battery_itype)}

    sats = [_resolve(cat, "satellite", s.type, s) for s in dep.satellites]
    satellites = SatelliteTable(
        id=tuple(s.id for s in dep.satellites),
        nation_idx=_idx([nat[s.nation] for s in dep.satellites]),
        type=tuple(c or s.id for (c, _), s in zip(sats, dep.satellites, strict=True)),
        **si_columns("satellite", [v for _, v in sats]),
    )

    missiles, raid, salvos, missile_paths = _raid(scenario, dep.assets, dep.asset_locations, cat)
    samples = tuple(
        _raid(scenario, dep.assets, dep.asset_locations, cat, sample=g)[1]
        for g in range(1, scenario.settings.raid_samples)
    )
    policies: dict[str, Policy] = {
        name: preset_policy(name, len(nation_ids), scenario.settings.default_latency_s)
        for name in PRESET_POLICIES
    }
    for spec in scenario.policies:
        policies[spec.name] = build_policy(spec, nation_ids, scenario.settings.default_latency_s)

    return World(
        name=scenario.name,
        epoch=scenario.settings.epoch,
        scenario_hash=scenario_hash(scenario),
        phase=dep.phase,
        seed=scenario.settings.seed,
        trials=scenario.settings.trials,
        nations=NationTable(id=tuple(nation_ids), name=tuple(n.name for n in scenario.nations)),
        assets=assets,
        missiles=missiles,
        interceptors=interceptors,
        radars=radars,
        satellites=satellites,
        batteries=BatteryTable(**batteries),
        raid=raid,
        raid_samples=(raid, *samples) if samples else (),
        policies=policies,
        doctrine=Doctrine.from_settings(doctrine_settings(scenario.doctrine)),
        salvos=salvos,
        origin=Origin(
            source=scenario.source,
            rows={
                "assets": tuple(unit_paths[a.id] for a in dep.assets),
                "radars": _radar_paths(dep.radars, dep.batteries, unit_paths),
                "satellites": tuple(unit_paths[u.id] for u in dep.satellites),
                "batteries": tuple(unit_paths[b.id] for b in dep.batteries),
                "interceptors": interceptor_paths,
                "missiles": missile_paths,
                "salvos": tuple(("threats", "raid", s) for s in range(len(salvos))),
            },
        ),
    )


def _radar_paths(
    radars: Sequence[Radar], batteries: Sequence[Battery], unit_paths: dict[str, Path_]
) -> tuple[Path_, ...]:
    """Paths of the RadarTable rows: stand-alone radars, then batteries' organic radars."""
    organic = [(*unit_paths[b.id], "organic_radar") for b in batteries if b.organic_radar]
    return (*(unit_paths[r.id] for r in radars), *organic)


def _interceptors(
    scenario: Scenario,
    batteries: Sequence[Battery],
    cat: CatalogLike,
    unit_paths: dict[str, Path_],
) -> tuple[InterceptorTable, list[int], tuple[Path_, ...]]:
    defined = {t.name: (k, t) for k, t in enumerate(scenario.interceptors)}
    names: list[str] = []
    rows: list[dict[str, Any]] = []
    paths: list[Path_] = []
    which: list[int] = []
    for battery in batteries:
        path: Path_
        if battery.interceptor in defined:
            k, spec = defined[battery.interceptor]
            _, values = _resolve(cat, "interceptor", spec.type, spec)
            name, path = spec.name, ("interceptors", k)
        else:
            entry = cat.get("interceptor", battery.interceptor)
            name, values = str(entry.name), dict(entry.values())
            path = (*unit_paths[battery.id], "interceptor")
        if name not in names:
            names.append(name)
            rows.append(values)
            paths.append(path)
        which.append(names.index(name))
    table = InterceptorTable(name=tuple(names), **si_columns("interceptor", rows))
    return table, which, tuple(paths)


def _radars_batteries(
    scenario: Scenario,
    radars: Sequence[Radar],
    batteries: Sequence[Battery],
    nat: dict[str, int],
    cat: CatalogLike,
) -> tuple[RadarTable, dict[str, Any]]:
    ids: list[str] = [r.id for r in radars]
    rows: list[dict[str, Any]] = []
    types: list[str] = []
    nations = [nat[r.nation] for r in radars]
    platforms = [r.platform for r in radars]
    sites: list[Location] = [r.site for r in radars]
    boresight = [r.boresight_az_deg for r in radars]
    battery_of = [-1] * len(radars)
    for radar in radars:
        canonical, values = _resolve(cat, "radar", radar.type, radar)
        types.append(canonical or radar.id)
        rows.append(values)
    radar_of_battery: list[int] = []
    for b, battery in enumerate(batteries):
        if battery.organic_radar is not None:
            org = battery.organic_radar
            canonical, values = _resolve(cat, "radar", org.type, org)
            ids.append(org.id or f"{battery.id}.radar")
            types.append(canonical or ids[-1])
            rows.append(values)
            nations.append(nat[battery.nation])
            platforms.append(battery.platform)
            sites.append(battery.site)
            boresight.append(org.boresight_az_deg)
            battery_of.append(b)
            radar_of_battery.append(len(ids) - 1)
        elif battery.radar is not None:
            if battery.radar not in ids[: len(radars)]:
                raise _fail(
                    scenario,
                    (*_unit_paths(scenario)[battery.id], "radar"),
                    f"battery {battery.id!r} relies on radar {battery.radar!r}, which is not "
                    "deployed in this phase",
                )
            k = ids.index(battery.radar)
            if battery_of[k] == -1:
                battery_of[k] = b
            radar_of_battery.append(k)
        else:
            radar_of_battery.append(-1)
    lat, lon, alt, r = _site(sites)
    table = RadarTable(
        id=tuple(ids),
        nation_idx=_idx(nations),
        type=tuple(types),
        platform=tuple(platforms),
        lat_rad=lat,
        lon_rad=lon,
        alt_m=alt,
        r_ecef_m=r,
        boresight_az_rad=np.radians(np.array(boresight, dtype=np.float64).reshape(len(ids))),
        battery_idx=_idx(battery_of),
        **si_columns("radar", rows),
    )
    blat, blon, balt, br = _site([b.site for b in batteries])
    launchers = _idx([b.launchers for b in batteries])
    per = _idx([b.per_launcher for b in batteries])
    battery_cols: dict[str, Any] = {
        "id": tuple(b.id for b in batteries),
        "nation_idx": _idx([nat[b.nation] for b in batteries]),
        "launchers": launchers,
        "per_launcher": per,
        "inventory": launchers * per,
        "fire_channels": _idx([b.fire_channels or b.launchers for b in batteries]),
        "platform": tuple(b.platform for b in batteries),
        "lat_rad": blat,
        "lon_rad": blon,
        "alt_m": balt,
        "r_ecef_m": br,
        "radar_idx": _idx(radar_of_battery),
    }
    return table, battery_cols


def _raid(
    scenario: Scenario,
    assets: Sequence[Any],
    locations: dict[str, Location],
    cat: CatalogLike,
    *,
    sample: int = 0,
) -> tuple[MissileTable, RaidTable, SalvoTable, tuple[Path_, ...]]:
    """The raid's tables; ``sample`` > 0 draws another raid geometry (launch points in their
    areas from the stream ``(RAID_STREAM, sample)``, sample 0 from ``(RAID_STREAM,)``); with
    ``settings.launch_jitter_s``, every launch time moves by ``U(-j, j)`` (stream
    ``(RAID_STREAM, sample, JITTER_STREAM)``)."""
    threats = scenario.threats
    defined = {m.name: (k, m) for k, m in enumerate(threats.missiles)}
    areas = {a.id: a for a in threats.launch_areas}
    area_paths = {a.id: ("threats", "launch_areas", k) for k, a in enumerate(threats.launch_areas)}
    asset_idx = {a.id: i for i, a in enumerate(assets)}
    key = (RAID_STREAM,) if sample == 0 else (RAID_STREAM, sample)
    rng = np.random.default_rng(np.random.SeedSequence(scenario.settings.seed, spawn_key=key))
    jitter_s = scenario.settings.launch_jitter_s
    jitter_key = (RAID_STREAM, sample, JITTER_STREAM)
    jitter = np.random.default_rng(
        np.random.SeedSequence(scenario.settings.seed, spawn_key=jitter_key)
    )

    names: list[str] = []
    rows: list[dict[str, Any]] = []
    paths: list[Path_] = []
    probes: list[tuple[np.ndarray, np.ndarray]] = []
    cols: dict[str, list[np.ndarray]] = {k: [] for k in _RAID_F64 + _RAID_INT}
    for s, salvo in enumerate(threats.raid):
        path: Path_
        if salvo.missile in defined:
            k, spec = defined[salvo.missile]
            _, values = _resolve(cat, "missile", spec.type, spec)
            name, path = spec.name, ("threats", "missiles", k)
        else:
            entry = cat.get("missile", salvo.missile)
            name, values = str(entry.name), dict(entry.values())
            path = ("threats", "raid", s, "missile")
        if name not in names:
            names.append(name)
            rows.append(values)
            paths.append(path)
        n = salvo.count
        area = areas[salvo.launch_area]
        if area.point is not None:
            la = np.full(n, math.radians(area.point.lat_deg))
            lo = np.full(n, math.radians(area.point.lon_deg))
        elif area.box is not None:
            bx = area.box
            la, lo = sample_box(
                rng,
                n,
                math.radians(bx.lat_min_deg),
                math.radians(bx.lat_max_deg),
                math.radians(bx.lon_min_deg),
                math.radians(bx.lon_max_deg),
            )
        else:
            poly: tuple[LatLon, ...] = area.polygon or ()
            drawn = sample_polygon(
                rng,
                n,
                np.radians([v.lat_deg for v in poly]),
                np.radians([v.lon_deg for v in poly]),
            )
            if drawn is None:
                raise _fail(
                    scenario,
                    (*area_paths[area.id], "polygon"),
                    f"launch area {area.id!r}: the polygon encloses (almost) no area; list its "
                    "vertices in order around the boundary",
                )
            la, lo = drawn
        target: LatLon
        if salvo.aim_point is not None:
            target, aim_idx = salvo.aim_point, -1
        else:  # checks.py guarantees exactly one of aim_point / aim_asset (a known asset)
            target = locations[str(salvo.aim_asset)]
            aim_idx = asset_idx.get(str(salvo.aim_asset), -1)
        probe_lat, probe_lon, _ = reach_probes(
            *_area_vertices(area),
            math.radians(target.lat_deg),
            math.radians(target.lon_deg),
        )
        probes.append((probe_lat, probe_lon))
        nan = np.full(n, np.nan)
        cols["missile_idx"].append(np.full(n, names.index(name)))
        cols["salvo_idx"].append(np.full(n, s))
        launch_t_s = salvo.launch_t_s + salvo.interval_s * np.arange(n)
        if jitter_s > 0:
            launch_t_s = launch_t_s + jitter.uniform(-jitter_s, jitter_s, n)
        cols["launch_t_s"].append(launch_t_s)
        cols["launch_lat_rad"].append(la)
        cols["launch_lon_rad"].append(lo)
        cols["aim_lat_rad"].append(np.full(n, math.radians(target.lat_deg)))
        cols["aim_lon_rad"].append(np.full(n, math.radians(target.lon_deg)))
        cols["aim_asset_idx"].append(np.full(n, aim_idx))
        cols["shape"].append(np.full(n, SHAPE_CODES[salvo.shape]))
        cols["apogee_m"].append(
            nan if salvo.apogee_km is None else np.full(n, salvo.apogee_km * _KM)
        )
        cols["burnout_speed_mps"].append(
            nan if salvo.burnout_speed_kms is None else np.full(n, salvo.burnout_speed_kms * _KM)
        )
        cols["burnout_angle_rad"].append(
            nan
            if salvo.burnout_angle_deg is None
            else np.full(n, math.radians(salvo.burnout_angle_deg))
        )

    def cat_col(key: str, dtype: type) -> np.ndarray:
        parts = cols[key]
        return np.concatenate(parts).astype(dtype) if parts else np.zeros(0, dtype=dtype)

    raid = RaidTable(
        **{k: cat_col(k, np.float64) for k in _RAID_F64},
        **{k: cat_col(k, np.int64) for k in _RAID_INT if k != "shape"},
        shape=cat_col("shape", np.int8),
    )
    missiles = MissileTable(name=tuple(names), **si_columns("missile", rows))
    n_salvo = len(threats.raid)
    salvos = SalvoTable(
        id=tuple(s.id or f"raid[{k}]" for k, s in enumerate(threats.raid)),
        launch_area=tuple(s.launch_area for s in threats.raid),
        missile_idx=_idx([names.index(_missile_name(s, defined, cat)) for s in threats.raid]),
        count=_idx([s.count for s in threats.raid]),
        probe_lat_rad=np.array([p[0] for p in probes], dtype=np.float64).reshape(n_salvo, 2),
        probe_lon_rad=np.array([p[1] for p in probes], dtype=np.float64).reshape(n_salvo, 2),
    )
    return missiles, raid, salvos, tuple(paths)


def _missile_name(salvo: Any, defined: dict[str, Any], cat: CatalogLike) -> str:
    if salvo.missile in defined:
        return str(defined[salvo.missile][1].name)
    return str(cat.get("missile", salvo.missile).name)


def _area_vertices(area: Any) -> tuple[str, np.ndarray, np.ndarray]:
    """``(kind, lat_rad, lon_rad)`` of a launch area (box: south/north, west/east edges)."""
    if area.point is not None:
        return "point", np.radians([area.point.lat_deg]), np.radians([area.point.lon_deg])
    if area.box is not None:
        bx = area.box
        return (
            "box",
            np.radians([bx.lat_min_deg, bx.lat_max_deg]),
            np.radians([bx.lon_min_deg, bx.lon_max_deg]),
        )
    poly = area.polygon or ()
    return "polygon", np.radians([v.lat_deg for v in poly]), np.radians([v.lon_deg for v in poly])


_RAID_F64 = (
    "launch_t_s",
    "launch_lat_rad",
    "launch_lon_rad",
    "aim_lat_rad",
    "aim_lon_rad",
    "apogee_m",
    "burnout_speed_mps",
    "burnout_angle_rad",
)
_RAID_INT = ("missile_idx", "salvo_idx", "aim_asset_idx", "shape")
