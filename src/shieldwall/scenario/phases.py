"""Deployment phases ("tailored and phased approach"): the units present at each phase.

Phase 0 is the base document (named ``base_phase``); phase k applies ``phases[k-1]`` to phase
k-1: first ``add`` (appended in order), then ``move`` (new site/location/boresight), then
``remove`` (by id). Order of units is kept stable so indices only shift where units were removed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from shieldwall.errors import Problem, ScenarioError
from shieldwall.scenario.model import (
    Asset,
    Battery,
    Location,
    Phase,
    Radar,
    Satellite,
    Scenario,
)
from shieldwall.scenario.suggest import did_you_mean, list_allowed

__all__ = ["Deployment", "deployment", "phase_index"]


@dataclass(frozen=True, kw_only=True)
class Deployment:
    """The units present in one phase.

    ``asset_locations`` holds the last location of every asset defined up to this phase, removed
    ones included (a raid may still aim where a removed asset stood).
    """

    phase: str
    assets: tuple[Asset, ...]
    radars: tuple[Radar, ...]
    satellites: tuple[Satellite, ...]
    batteries: tuple[Battery, ...]
    asset_locations: dict[str, Location]


def phase_index(scenario: Scenario, phase: str | int | None) -> int:
    """0-based index of ``phase`` (``None`` = the last phase).

    ``phase`` is a 0-based index (negative counts from the end), a phase name, the start of
    exactly one phase name (``"2017"`` for ``"2017 THAAD in Korea"``), or — as typed on a command
    line — an index written as text (``"1"``; a name or name start wins over an index).

    Raises
    ------
    ScenarioError
        If there is no such phase (the message lists the phases).
    """
    names = scenario.phase_names
    if phase is None:
        return len(names) - 1
    if isinstance(phase, int) and not isinstance(phase, bool):
        if -len(names) <= phase < len(names):
            return phase % len(names)
    elif isinstance(phase, str):
        if phase in names:
            return names.index(phase)
        starting = [k for k, name in enumerate(names) if name.startswith(phase)]
        if len(starting) == 1 and phase.strip():
            return starting[0]
        digits = phase.strip().removeprefix("-")
        if digits.isdigit() and -len(names) <= int(phase) < len(names):
            return int(phase) % len(names)
    hint = did_you_mean(phase, names) if isinstance(phase, str) else ""
    message = (
        f"unknown phase {phase!r}{hint}; phases are: {list_allowed(names)} (or 0..{len(names) - 1})"
    )
    raise ScenarioError(message, [Problem(message=message, path="phases", file=scenario.file)])


def _apply(units: list[Any], step: Phase, added: tuple[Any, ...]) -> list[Any]:
    units = [*units, *added]
    moves = {m.id: m for m in step.move}
    out = []
    for unit in units:
        move = moves.get(unit.id)
        if move is not None:
            update: dict[str, Any] = {}
            if move.site is not None and hasattr(unit, "site"):
                update["site"] = move.site
            if move.location is not None and hasattr(unit, "location"):
                update["location"] = move.location
            if move.boresight_az_deg is not None and hasattr(unit, "boresight_az_deg"):
                update["boresight_az_deg"] = move.boresight_az_deg
            unit = unit.model_copy(update=update)
        if unit.id not in step.remove:
            out.append(unit)
    return out


def deployment(scenario: Scenario, phase: str | int | None = None) -> Deployment:
    """The assets, radars, satellites and batteries present at ``phase``.

    A battery removed in a phase takes its organic radar with it (the radar is part of it).
    """
    k = phase_index(scenario, phase)
    assets: list[Any] = list(scenario.assets)
    radars: list[Any] = list(scenario.sensors.radars)
    satellites: list[Any] = list(scenario.sensors.satellites)
    batteries: list[Any] = list(scenario.batteries)
    locations = {a.id: a.location for a in scenario.assets}
    for step in scenario.phases[:k]:
        assets = _apply(assets, step, step.add.assets)
        locations.update({a.id: a.location for a in step.add.assets})
        locations.update({m.id: m.location for m in step.move if m.location is not None})
        radars = _apply(radars, step, step.add.radars)
        satellites = _apply(satellites, step, step.add.satellites)
        batteries = _apply(batteries, step, step.add.batteries)
    return Deployment(
        phase=scenario.phase_names[k],
        assets=tuple(assets),
        radars=tuple(radars),
        satellites=tuple(satellites),
        batteries=tuple(batteries),
        asset_locations=locations,
    )
