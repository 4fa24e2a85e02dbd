"""Where a run's numbers come from: every catalog value the world uses, the scenario's overrides.

A world's missile and interceptor types are catalog entries or scenario variants of one (a
``type:`` plus inline keys); radars and satellites name their catalog ``type:`` and may set keys
inline. :func:`provenance_columns` lists, for the phase that was simulated, every parameter of
every catalog entry in use (value, source, confidence, range) and every key the scenario sets
itself (which replaces the catalog's value).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from shieldwall.errors import CatalogError
from shieldwall.scenario.catalog import Catalog, load_catalog
from shieldwall.scenario.catalog.keys import Kind
from shieldwall.scenario.params import PARAM_KEYS

if TYPE_CHECKING:
    from shieldwall.scenario import Scenario, World

__all__ = ["provenance_columns"]


def _units(world: World, scenario: Scenario | None) -> list[tuple[Kind, str, str | None, Any]]:
    """``(kind, unit name, catalog entry or None, model with inline keys or None)`` in use."""
    out: list[tuple[Kind, str, str | None, Any]] = []
    variants: dict[str, dict[str, Any]] = {
        "missile": {m.name: m for m in scenario.threats.missiles} if scenario else {},
        "interceptor": {t.name: t for t in scenario.interceptors} if scenario else {},
    }
    used: dict[Kind, tuple[str, ...]] = {
        "missile": world.missiles.name,
        "interceptor": world.interceptors.name,
    }
    for kind, names in used.items():
        for name in names:
            spec = variants[kind].get(name)
            out.append((kind, name, spec.type if spec else name, spec))
    if scenario is None:
        out += [
            ("radar", r, t, None) for r, t in zip(world.radars.id, world.radars.type, strict=True)
        ]
        out += [
            ("satellite", s, t, None)
            for s, t in zip(world.satellites.id, world.satellites.type, strict=True)
        ]
        return out
    from shieldwall.scenario import deployment

    dep = deployment(scenario, world.phase)
    for radar in dep.radars:
        out.append(("radar", radar.id, radar.type, radar))
    for battery in dep.batteries:
        if battery.organic_radar is not None:
            org = battery.organic_radar
            out.append(("radar", org.id or f"{battery.id}.radar", org.type, org))
    for sat in dep.satellites:
        out.append(("satellite", sat.id, sat.type, sat))
    return out


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def provenance_columns(
    world: World, scenario: Scenario | None = None, catalog: Catalog | None = None
) -> tuple[dict[str, list[Any]], dict[str, list[Any]]]:
    """Columns of the ``catalog_values`` and ``overrides`` tables (:mod:`.columns`).

    Parameters
    ----------
    world
        The compiled world (one phase).
    scenario
        The scenario it was compiled from; without it variants cannot be traced to their
        catalog entry and overrides are not listed.
    catalog
        The catalog the world was compiled against (the shipped one by default).
    """
    cat = catalog if catalog is not None else load_catalog()
    values: dict[str, list[Any]] = {
        k: []
        for k in (
            "kind",
            "entry",
            "key",
            "value",
            "source",
            "confidence",
            "range_lo",
            "range_hi",
            "url",
        )
    }
    overrides: dict[str, list[Any]] = {k: [] for k in ("kind", "unit", "entry", "key", "value")}
    seen: set[tuple[str, str]] = set()
    for kind, unit, entry_name, model in _units(world, scenario):
        entry = None
        if entry_name:
            try:
                entry = cat.get(kind, entry_name)
            except CatalogError:
                entry = None  # a fully inline unit named after itself
        if entry is not None and (kind, entry.name) not in seen:
            seen.add((kind, entry.name))
            for key, param in entry.params.items():
                values["kind"].append(kind)
                values["entry"].append(entry.name)
                values["key"].append(key)
                values["value"].append(_text(param.value))
                values["source"].append(param.source)
                values["confidence"].append(param.confidence)
                lo, hi = param.range if param.range else (float("nan"), float("nan"))
                values["range_lo"].append(lo)
                values["range_hi"].append(hi)
                values["url"].append(param.url)
        if model is not None:
            for key in _keys(kind, model):
                overrides["kind"].append(kind)
                overrides["unit"].append(unit)
                overrides["entry"].append(entry.name if entry is not None else "")
                overrides["key"].append(key)
                overrides["value"].append(_text(getattr(model, key)))
    return values, overrides


def _keys(kind: Kind, model: Any) -> Iterable[str]:
    return [k for k in PARAM_KEYS[kind] if getattr(model, k, None) is not None]
