"""Additions to a scenario: a unit of a catalog type at a site, or more rounds for a battery.

The addition side of :mod:`shieldwall.studies.variants` (which removes units): ``site`` and
``design`` (docs/studies.md) fight worlds with units added.

- :class:`Addition`: one new battery (a ground battery or a ship: an interceptor type, launchers,
  rounds, its organic fire-control radar), one stand-alone radar (a catalog radar type), or more
  rounds per launcher for a battery already deployed.
- :func:`add_units`: the scenario with the additions, compiled for one phase. Units are added to
  the scenario document, not patched into the World's arrays, so the compiler resolves the
  catalog and re-indexes everything (a new battery's organic radar is appended after the other
  radars and points at its battery; a new stand-alone radar goes before the organic radars and
  every battery's ``radar_idx`` follows) exactly as for a unit written in the file.
- :func:`battery_template`: a new battery of an interceptor type copies the loadout (launchers,
  rounds per launcher, fire channels, platform, organic radar) of a battery of that type already
  deployed (the same nation's first), unless the addition gives its own.
- :func:`addition_cost`: what an addition costs from the catalog keys (docs/catalog.md, Costs),
  with the source of each term: ``battery_cost + launchers × launcher_cost + its radar's
  unit_cost + inventory × round_cost`` for a battery, the radar's ``unit_cost`` for a radar,
  ``launchers × rounds_per_launcher × round_cost`` for more rounds.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np

from shieldwall.errors import Problem, ShieldwallError
from shieldwall.scenario import Scenario, World, compile_world
from shieldwall.scenario.catalog import load_catalog
from shieldwall.scenario.catalog.model import normalize_name
from shieldwall.scenario.loader import default_catalog
from shieldwall.scenario.model import Battery, Location, OrganicRadar, Radar
from shieldwall.scenario.phases import deployment
from shieldwall.scenario.suggest import did_you_mean, list_allowed

__all__ = [
    "Addition",
    "AdditionError",
    "CostTerm",
    "add_units",
    "addition_cost",
    "battery_template",
    "load_yaml",
    "unit_kind",
]

Kind = Literal["battery", "radar", "rounds"]
KINDS: tuple[Kind, ...] = ("battery", "radar", "rounds")


class AdditionError(ShieldwallError, ValueError):
    """An addition that names an unknown type, nation or battery, or a bad value (exit 2)."""


def _fail(path: str, message: str) -> AdditionError:
    return AdditionError(message, [Problem(message=message, path=path)])


@dataclass(frozen=True, kw_only=True)
class Addition:
    """One addition to a scenario.

    Attributes
    ----------
    id : str
        Unique id of the new unit (of the item, for ``rounds``).
    kind : str
        ``battery`` (an interceptor battery or a ship), ``radar`` (a stand-alone radar) or
        ``rounds`` (more rounds per launcher for a deployed battery).
    type : str
        The interceptor name (battery), the catalog radar type (radar) or the id of the
        deployed battery (rounds).
    nation : str
        Nation that operates (and pays for) it; for ``rounds`` the battery's nation.
    lat_deg, lon_deg, alt_m
        Site (ship: its station); NaN for ``rounds``. [deg, deg, m]
    boresight_az_deg : float
        Boresight of its (organic) radar, from north (a sector radar). [deg]
    launchers, per_launcher, fire_channels : int or None
        A battery's loadout (``None``: the template battery's, :func:`battery_template`).
    radar_type : str or None
        A battery's organic radar type (``None``: the template's organic radar).
    platform : str or None
        ``ground`` or ``ship`` (``None``: the template's).
    rounds_per_launcher : int
        ``rounds``: extra rounds per launcher of the battery. []
    """

    id: str
    kind: Kind
    type: str
    nation: str = ""
    lat_deg: float = float("nan")
    lon_deg: float = float("nan")
    alt_m: float = 0.0
    boresight_az_deg: float = 0.0
    launchers: int | None = None
    per_launcher: int | None = None
    fire_channels: int | None = None
    radar_type: str | None = None
    platform: str | None = None
    rounds_per_launcher: int = 0

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise _fail("add", f"unknown addition kind {self.kind!r}; valid: {', '.join(KINDS)}")
        if self.kind == "rounds":
            if self.rounds_per_launcher < 1:
                raise _fail(
                    f"{self.id}.rounds_per_launcher",
                    f"rounds_per_launcher must be an integer >= 1 (got {self.rounds_per_launcher})",
                )
            return
        if not (-90.0 <= self.lat_deg <= 90.0) or not (-180.0 <= self.lon_deg <= 180.0):
            raise _fail(
                f"{self.id}.site",
                f"site ({self.lat_deg}, {self.lon_deg}) must have lat_deg in [-90, 90] and "
                "lon_deg in [-180, 180]",
            )
        if not (-360.0 <= self.boresight_az_deg <= 360.0):
            raise _fail(f"{self.id}.boresight_az_deg", "boresight_az_deg must be in [-360, 360]")

    def at(self, *, lat_deg: float, lon_deg: float, boresight_az_deg: float, id: str) -> Addition:
        """The same unit at another site and boresight, under another id."""
        return dataclasses.replace(
            self, lat_deg=lat_deg, lon_deg=lon_deg, boresight_az_deg=boresight_az_deg, id=id
        )


def unit_kind(type_name: str, scenario: Scenario) -> Kind:
    """``battery`` when ``type_name`` is an interceptor (catalog or scenario-defined), ``radar``
    when it is a catalog radar type.

    Raises
    ------
    AdditionError
        Neither (the message lists the interceptors and radar types).
    """
    cat = load_catalog()
    defined = {normalize_name(t.name) for t in scenario.interceptors}
    name = normalize_name(type_name)
    inter = [e.name for e in cat.entries_of("interceptor")]
    radars = [e.name for e in cat.entries_of("radar")]
    if name in defined or any(name == normalize_name(n) for n in inter):
        return "battery"
    if any(name == normalize_name(n) for n in radars):
        return "radar"
    choices = [*(t.name for t in scenario.interceptors), *inter, *radars]
    raise _fail(
        "add",
        f"unknown unit type {type_name!r}{did_you_mean(type_name, choices)}; give an "
        f"interceptor (a battery) or a radar type: {list_allowed(choices)}",
    )


def _interceptor_name(type_name: str, scenario: Scenario) -> str:
    """The name batteries use for an interceptor (a scenario-defined one first)."""
    for t in scenario.interceptors:
        if normalize_name(t.name) == normalize_name(type_name):
            return t.name
    return str(default_catalog().get("interceptor", type_name).name)


def battery_template(
    scenario: Scenario, interceptor: str, nation: str, phase: str | int | None = None
) -> Battery:
    """The deployed battery a new battery of ``interceptor`` copies its loadout from: the first
    of ``nation``'s, else the first of any nation's.

    Raises
    ------
    AdditionError
        No deployed battery fires that interceptor (give launchers, per_launcher and radar_type).
    """
    name = normalize_name(_interceptor_name(interceptor, scenario))
    same = [
        b for b in deployment(scenario, phase).batteries if normalize_name(b.interceptor) == name
    ]
    mine = [b for b in same if b.nation == nation]
    if mine or same:
        return (mine or same)[0]
    raise _fail(
        "add",
        f"no deployed battery fires {interceptor!r} to copy a loadout from; give launchers, "
        "per_launcher and radar_type for the new unit",
    )


def _new_battery(scenario: Scenario, add: Addition, phase: str | int | None) -> Battery:
    site = Location(lat_deg=add.lat_deg, lon_deg=add.lon_deg, alt_m=add.alt_m)
    interceptor = _interceptor_name(add.type, scenario)
    explicit = add.launchers is not None and add.per_launcher is not None and add.radar_type
    if explicit:
        radar = OrganicRadar.model_validate(
            {"type": add.radar_type, "boresight_az_deg": add.boresight_az_deg}
        )
        return Battery.model_validate(
            {
                "id": add.id,
                "nation": add.nation,
                "interceptor": interceptor,
                "launchers": add.launchers,
                "per_launcher": add.per_launcher,
                "fire_channels": add.fire_channels,
                "site": site,
                "platform": add.platform or "ground",
                "organic_radar": radar,
            }
        )
    tpl = battery_template(scenario, add.type, add.nation, phase)
    if tpl.organic_radar is None and add.radar_type is None:
        raise _fail(
            "add",
            f"battery {tpl.id!r} (the {interceptor} template) has no organic radar; give "
            "radar_type for the new unit",
        )
    if add.radar_type is not None:
        radar = OrganicRadar.model_validate(
            {"type": add.radar_type, "boresight_az_deg": add.boresight_az_deg}
        )
    else:
        assert tpl.organic_radar is not None
        radar = tpl.organic_radar.model_copy(
            update={"id": None, "boresight_az_deg": add.boresight_az_deg}
        )
    update: dict[str, Any] = {
        "id": add.id,
        "nation": add.nation,
        "interceptor": interceptor,
        "site": site,
        "organic_radar": radar,
        "radar": None,
    }
    for key in ("launchers", "per_launcher", "fire_channels", "platform"):
        if getattr(add, key) is not None:
            update[key] = getattr(add, key)
    return tpl.model_copy(update=update)


def _check(scenario: Scenario, world_ids: set[str], adds: Sequence[Addition]) -> None:
    nations = [n.id for n in scenario.nations]
    seen: set[str] = set()
    for a in adds:
        if a.kind != "rounds" and a.nation not in nations:
            raise _fail(
                f"{a.id}.nation",
                f"unknown nation {a.nation!r}{did_you_mean(a.nation, nations)}; nations: "
                f"{', '.join(nations)}",
            )
        if a.kind != "rounds" and (a.id in world_ids or a.id in seen):
            raise _fail(f"{a.id}.id", f"unit id {a.id!r} is already taken; give a new id")
        seen.add(a.id)


def add_units(
    scenario: Scenario, additions: Sequence[Addition], phase: str | int | None = None
) -> World:
    """The world of ``phase`` (``None``: the last) with ``additions``.

    Raises
    ------
    AdditionError
        Unknown nation, interceptor, radar type or battery (for ``rounds``); a taken id.
    ScenarioError, CatalogError
        What compiling the scenario with the new units refuses.
    """
    dep = deployment(scenario, phase)
    units: list[Any] = [*dep.batteries, *dep.radars, *dep.assets, *dep.satellites]
    taken = {str(u.id) for u in units}
    _check(scenario, taken, additions)
    batteries = list(scenario.batteries)
    radars = list(scenario.sensors.radars)
    for a in additions:
        if a.kind == "battery":
            batteries.append(_new_battery(scenario, a, phase))
        elif a.kind == "radar":
            radars.append(
                Radar.model_validate(
                    {
                        "id": a.id,
                        "type": str(default_catalog().get("radar", a.type).name),
                        "nation": a.nation,
                        "boresight_az_deg": a.boresight_az_deg,
                        "site": Location(lat_deg=a.lat_deg, lon_deg=a.lon_deg, alt_m=a.alt_m),
                        "platform": a.platform or "ground",
                    }
                )
            )
    sensors = scenario.sensors.model_copy(update={"radars": tuple(radars)})
    changed = scenario.model_copy(update={"batteries": tuple(batteries), "sensors": sensors})
    world = compile_world(changed, phase)
    rounds = [a for a in additions if a.kind == "rounds"]
    return add_rounds(world, rounds) if rounds else world


def add_rounds(world: World, additions: Sequence[Addition]) -> World:
    """``world`` with more rounds per launcher for deployed batteries (``kind="rounds"``)."""
    per = np.array(world.batteries.per_launcher)
    for a in additions:
        if a.type not in world.batteries.id:
            ids = world.batteries.id
            raise _fail(
                f"{a.id}.battery",
                f"unknown battery {a.type!r}{did_you_mean(a.type, ids)}; batteries deployed "
                f"in phase {world.phase!r}: {list_allowed(ids)}",
            )
        per[world.batteries.id.index(a.type)] += a.rounds_per_launcher
    batteries = dataclasses.replace(
        world.batteries, per_launcher=per, inventory=world.batteries.launchers * per
    )
    return dataclasses.replace(world, batteries=batteries)


def load_yaml(path: Path, what: str) -> Any:
    """A YAML file's data (safe loader), or an :class:`AdditionError` naming ``what``."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    if not path.is_file():
        raise _fail(what, f"no such {what} file {str(path)!r}")
    try:
        return YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))
    except (YAMLError, UnicodeDecodeError, OSError) as exc:
        raise _fail(what, f"{path}: not valid YAML ({exc})") from None


# --------------------------------------------------------------------------------------------
# costs


@dataclass(frozen=True, kw_only=True)
class CostTerm:
    """One term of an addition's cost.

    Attributes
    ----------
    what : str
        ``battery``, ``launchers``, ``radar``, ``rounds``.
    count : float
        How many. []
    unit_usd : float
        Cost of one (NaN: unpriced). [USD]
    source : str
        Where the unit cost comes from (the catalog key's source and confidence, or "scenario").
    """

    what: str
    count: float
    unit_usd: float
    source: str

    @property
    def usd(self) -> float:
        """``count × unit_usd`` (0 when count is 0). [USD]"""
        return 0.0 if self.count == 0 else self.count * self.unit_usd


def _source(kind: str, type_name: str | None, key: str, overridden: bool) -> str:
    if overridden or type_name is None:
        return "scenario (inline value)"
    try:
        p = default_catalog().get(kind, type_name).params[key]
    except (KeyError, ShieldwallError):
        return "scenario (inline value)"
    return f"catalog {kind} {type_name} {key} ({p.confidence}): {p.source}"


def addition_cost(addition: Addition, world: World) -> tuple[float, tuple[CostTerm, ...]]:
    """An addition's cost (NaN if a term is unpriced) and its terms, from the world it was
    added to (:func:`add_units`: catalog values, scenario overrides included). [USD]"""
    inter = world.interceptors
    if addition.kind == "radar":
        r = world.radars.id.index(addition.id)
        t = world.radars.type[r]
        terms: tuple[CostTerm, ...] = (
            CostTerm(
                what="radar",
                count=1,
                unit_usd=float(world.radars.unit_cost_usd[r]),
                source=_source("radar", t, "unit_cost_musd", False),
            ),
        )
    else:
        battery_id = addition.type if addition.kind == "rounds" else addition.id
        b = world.batteries.id.index(battery_id)
        i = int(world.batteries.interceptor_idx[b])
        name = inter.name[i]
        cat_name = _catalog_name("interceptor", name)
        src = {
            k: _source("interceptor", cat_name, k, cat_name is None)
            for k in ("round_cost_musd", "launcher_cost_musd", "battery_cost_musd")
        }
        launchers = int(world.batteries.launchers[b])
        if addition.kind == "rounds":
            n = launchers * addition.rounds_per_launcher
            terms = (
                CostTerm(
                    what="rounds",
                    count=n,
                    unit_usd=float(inter.round_cost_usd[i]),
                    source=src["round_cost_musd"],
                ),
            )
        else:
            r = int(world.batteries.radar_idx[b])
            radar_cost = float(world.radars.unit_cost_usd[r]) if r >= 0 else 0.0
            rt = world.radars.type[r] if r >= 0 else None
            terms = (
                CostTerm(
                    what="battery",
                    count=1,
                    unit_usd=float(inter.battery_cost_usd[i]),
                    source=src["battery_cost_musd"],
                ),
                CostTerm(
                    what="launchers",
                    count=launchers,
                    unit_usd=float(inter.launcher_cost_usd[i]),
                    source=src["launcher_cost_musd"],
                ),
                CostTerm(
                    what="radar",
                    count=1 if r >= 0 else 0,
                    unit_usd=radar_cost,
                    source=_source("radar", _catalog_name("radar", rt), "unit_cost_musd", False),
                ),
                CostTerm(
                    what="rounds",
                    count=int(world.batteries.inventory[b]),
                    unit_usd=float(inter.round_cost_usd[i]),
                    source=src["round_cost_musd"],
                ),
            )
    return float(sum(t.usd for t in terms)), terms


def _catalog_name(kind: str, name: str | None) -> str | None:
    """The catalog entry of ``name`` (``None`` when it is not one: scenario-defined)."""
    if name is None:
        return None
    try:
        return str(default_catalog().get(kind, name).name)
    except ShieldwallError:
        return None
