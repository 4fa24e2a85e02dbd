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

from shieldwall.earth.geodesy import geodetic_to_ecef
from shieldwall.errors import Problem, ScenarioError
from shieldwall.scenario.checks import CatalogLike
from shieldwall.scenario.launch import sample_box, sample_polygon
from shieldwall.scenario.loader import default_catalog
from shieldwall.scenario.model import (
    PRESET_POLICIES,
    Battery,
    LatLon,
    Location,
    Radar,
    Scenario,
)
from shieldwall.scenario.params import PARAM_KEYS, StrictModel
from shieldwall.scenario.phases import deployment
from shieldwall.scenario.policy import build_policy, preset_policy
from shieldwall.scenario.world import (
    SHAPE_CODES,
    THREAT_CLASSES,
    AssetTable,
    BatteryTable,
    InterceptorTable,
    MissileTable,
    NationTable,
    Policy,
    RadarTable,
    RaidTable,
    SatelliteTable,
    World,
)

__all__ = ["RAID_STREAM", "compile_world", "scenario_hash"]

#: Spawn key of the launch-point random stream (ASCII "RAID").
RAID_STREAM = 0x52414944

_KM = 1000.0  # [m/km]
_MUSD = 1e6  # [USD per million USD]
_KPA = 1000.0  # [Pa/kPa]
_MRAD = 1e-3  # [rad/mrad]


def scenario_hash(scenario: Scenario) -> str:
    """sha256 of the canonical JSON of the scenario (sorted keys, no whitespace, aliases)."""
    data = scenario.model_dump(mode="json", by_alias=True)
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(text.encode("ascii")).hexdigest()


def _fail(scenario: Scenario, path: str, message: str) -> ScenarioError:
    return ScenarioError(message, [Problem(message=message, path=path, file=scenario.file)])


def _resolve(
    catalog: CatalogLike, kind: str, type_name: str | None, model: StrictModel
) -> tuple[str, dict[str, Any]]:
    """Catalog values of ``type_name`` with the model's non-None keys of ``kind`` on top."""
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
    return canonical, values


def _f(rows: Sequence[dict[str, Any]], key: str, scale: float = 1.0) -> np.ndarray:
    return np.array([float(r[key]) * scale for r in rows], dtype=np.float64).reshape(len(rows))


def _cost(rows: Sequence[dict[str, Any]], key: str) -> np.ndarray:
    """A cost column in USD; NaN where an inline object gives no cost (COST_KEYS)."""
    return np.array(
        [float(r[key]) * _MUSD if r.get(key) is not None else np.nan for r in rows],
        dtype=np.float64,
    ).reshape(len(rows))


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
    """
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

    interceptors, battery_itype = _interceptors(scenario, dep.batteries, cat)
    radars, batteries = _radars_batteries(scenario, dep.radars, dep.batteries, nat, cat)
    batteries = {**batteries, "interceptor_idx": _idx(battery_itype)}

    sats = [_resolve(cat, "satellite", s.type, s) for s in dep.satellites]
    satellites = SatelliteTable(
        id=tuple(s.id for s in dep.satellites),
        nation_idx=_idx([nat[s.nation] for s in dep.satellites]),
        type=tuple(c or s.id for (c, _), s in zip(sats, dep.satellites, strict=True)),
        latency_s=_f([v for _, v in sats], "latency_s"),
        launch_point_sigma_m=_f([v for _, v in sats], "launch_point_sigma_km", _KM),
        azimuth_sigma_rad=np.radians(_f([v for _, v in sats], "azimuth_sigma_deg")),
    )

    missiles, raid = _raid(scenario, dep.assets, dep.asset_locations, cat)
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
        policies=policies,
    )


def _interceptors(
    scenario: Scenario, batteries: Sequence[Battery], cat: CatalogLike
) -> tuple[InterceptorTable, list[int]]:
    defined = {t.name: t for t in scenario.interceptors}
    names: list[str] = []
    rows: list[dict[str, Any]] = []
    which: list[int] = []
    for battery in batteries:
        spec = defined.get(battery.interceptor)
        if spec is not None:
            _, values = _resolve(cat, "interceptor", spec.type, spec)
            name = spec.name
        else:
            name = str(cat.get("interceptor", battery.interceptor).name)
            values = dict(cat.get("interceptor", battery.interceptor).values())
        if name not in names:
            names.append(name)
            rows.append(values)
        which.append(names.index(name))
    table = InterceptorTable(
        name=tuple(names),
        tier=tuple(str(r["tier"]) for r in rows),
        burn_time_s=_f(rows, "burn_time_s"),
        burnout_speed_mps=_f(rows, "burnout_speed_kms", _KM),
        beta_pa=_f(rows, "beta_kpa", _KPA),
        min_alt_m=_f(rows, "min_alt_km", _KM),
        max_alt_m=_f(rows, "max_alt_km", _KM),
        min_ground_range_m=_f(rows, "min_ground_range_km", _KM),
        max_ground_range_m=_f(rows, "max_ground_range_km", _KM),
        reaction_time_s=_f(rows, "reaction_time_s"),
        kill_assessment_s=_f(rows, "kill_assessment_s"),
        organic_guidance=np.array([bool(r["organic_guidance"]) for r in rows], dtype=bool).reshape(
            len(rows)
        ),
        fcq_ipp_sigma_m=_f(rows, "fcq_ipp_sigma_m"),
        pk=np.array(
            [[float(r[f"pk_{c}"]) for c in THREAT_CLASSES] for r in rows], dtype=np.float64
        ).reshape(len(rows), len(THREAT_CLASSES)),
        round_cost_usd=_cost(rows, "round_cost_musd"),
        launcher_cost_usd=_cost(rows, "launcher_cost_musd"),
        battery_cost_usd=_cost(rows, "battery_cost_musd"),
    )
    return table, which


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
                    f"batteries.{battery.id}.radar",
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
        band=tuple(str(v["band"]) for v in rows),
        lat_rad=lat,
        lon_rad=lon,
        alt_m=alt,
        r_ecef_m=r,
        boresight_az_rad=np.radians(np.array(boresight, dtype=np.float64).reshape(len(ids))),
        half_az_rad=np.radians(_f(rows, "half_az_deg")),
        min_el_rad=np.radians(_f(rows, "min_el_deg")),
        max_el_rad=np.radians(_f(rows, "max_el_deg")),
        r0_m=_f(rows, "r0_km", _KM),
        search_range_factor=_f(rows, "search_range_factor"),
        search_el_rad=np.radians(_f(rows, "search_el_deg")),
        beamwidth_rad=_f(rows, "beamwidth_mrad", _MRAD),
        revisit_s=_f(rows, "revisit_s"),
        range_sigma_m=_f(rows, "range_sigma_m"),
        angle_sigma_rad=_f(rows, "angle_sigma_mrad", _MRAD),
        battery_idx=_idx(battery_of),
        unit_cost_usd=_cost(rows, "unit_cost_musd"),
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
) -> tuple[MissileTable, RaidTable]:
    threats = scenario.threats
    defined = {m.name: m for m in threats.missiles}
    areas = {a.id: a for a in threats.launch_areas}
    asset_idx = {a.id: i for i, a in enumerate(assets)}
    rng = np.random.default_rng(
        np.random.SeedSequence(scenario.settings.seed, spawn_key=(RAID_STREAM,))
    )

    names: list[str] = []
    rows: list[dict[str, Any]] = []
    cols: dict[str, list[np.ndarray]] = {k: [] for k in _RAID_F64 + _RAID_INT}
    for s, salvo in enumerate(threats.raid):
        spec = defined.get(salvo.missile)
        if spec is not None:
            _, values = _resolve(cat, "missile", spec.type, spec)
            name = spec.name
        else:
            entry = cat.get("missile", salvo.missile)
            name, values = str(entry.name), dict(entry.values())
        if name not in names:
            names.append(name)
            rows.append(values)
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
                    f"threats.launch_areas.{area.id}.polygon",
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
        nan = np.full(n, np.nan)
        cols["missile_idx"].append(np.full(n, names.index(name)))
        cols["salvo_idx"].append(np.full(n, s))
        cols["launch_t_s"].append(salvo.launch_t_s + salvo.interval_s * np.arange(n))
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
    missiles = MissileTable(
        name=tuple(names),
        threat_class=tuple(str(r["threat_class"]) for r in rows),
        max_range_m=_f(rows, "max_range_km", _KM),
        min_range_m=_f(rows, "min_range_km", _KM),
        burn_time_s=_f(rows, "burn_time_s"),
        burnout_alt_m=_f(rows, "burnout_alt_km", _KM),
        rcs_booster_m2=_f(rows, "rcs_booster_m2"),
        rcs_rv_m2=_f(rows, "rcs_rv_m2"),
        beta_pa=_f(rows, "beta_kpa", _KPA),
        reliability=_f(rows, "reliability"),
        unit_cost_usd=_cost(rows, "unit_cost_musd"),
    )
    return missiles, raid


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
