"""What the user says: YAML scenario + sourced catalog -> validated Scenario -> World (SI).

``load_scenario`` parses and validates a scenario (every error with ``file:line:col``);
``compile_world`` turns one phase of it into the SI arrays the pipeline reads.
"""

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
