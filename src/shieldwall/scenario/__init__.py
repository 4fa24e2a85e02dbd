"""What the user says: YAML scenario + sourced catalog -> validated Scenario -> World (SI).

``load_scenario`` parses and validates a scenario (every error with ``file:line:col``);
``compile_world`` turns one phase of it into the SI arrays the pipeline reads.

Imports are lazy (PEP 562) so that ``shieldwall.scenario.catalog`` — all a one-off question such
as ``shieldwall fly`` needs — does not pay for building the scenario models.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from shieldwall.scenario.compile import compile_world, scenario_hash
    from shieldwall.scenario.loader import load_scenario
    from shieldwall.scenario.model import PRESET_POLICIES, Scenario
    from shieldwall.scenario.phases import Deployment, deployment, phase_index
    from shieldwall.scenario.policy import SHARE_LEVELS, build_policy, preset_policy
    from shieldwall.scenario.world import (
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

_LAZY: dict[str, str] = {
    "AssetTable": "shieldwall.scenario.world",
    "BatteryTable": "shieldwall.scenario.world",
    "Deployment": "shieldwall.scenario.phases",
    "InterceptorTable": "shieldwall.scenario.world",
    "MissileTable": "shieldwall.scenario.world",
    "NationTable": "shieldwall.scenario.world",
    "PRESET_POLICIES": "shieldwall.scenario.model",
    "Policy": "shieldwall.scenario.world",
    "RadarTable": "shieldwall.scenario.world",
    "RaidTable": "shieldwall.scenario.world",
    "SHARE_LEVELS": "shieldwall.scenario.policy",
    "SatelliteTable": "shieldwall.scenario.world",
    "Scenario": "shieldwall.scenario.model",
    "THREAT_CLASSES": "shieldwall.scenario.world",
    "World": "shieldwall.scenario.world",
    "build_policy": "shieldwall.scenario.policy",
    "compile_world": "shieldwall.scenario.compile",
    "deployment": "shieldwall.scenario.phases",
    "load_scenario": "shieldwall.scenario.loader",
    "phase_index": "shieldwall.scenario.phases",
    "preset_policy": "shieldwall.scenario.policy",
    "scenario_hash": "shieldwall.scenario.compile",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'shieldwall.scenario' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


__all__ = [
    "PRESET_POLICIES",
    "SHARE_LEVELS",
    "THREAT_CLASSES",
    "AssetTable",
    "BatteryTable",
    "Deployment",
    "InterceptorTable",
    "MissileTable",
    "NationTable",
    "Policy",
    "RadarTable",
    "RaidTable",
    "SatelliteTable",
    "Scenario",
    "World",
    "build_policy",
    "compile_world",
    "deployment",
    "load_scenario",
    "phase_index",
    "preset_policy",
    "scenario_hash",
]
