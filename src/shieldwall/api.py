"""The curated public Python API of shieldwall.

Import from here in notebooks and scripts::

    from shieldwall import api

    scenario = api.load_scenario("examples/korea_japan.yaml")
"""

from __future__ import annotations

from shieldwall.battle import (
    FightInputs,
    TrialInputs,
    build_fight_inputs,
    build_trial_inputs,
    plan_fight,
    plan_policies,
    reach,
)
from shieldwall.battle.wta import WTAError, WTAProblem, WTASolution
from shieldwall.battle.wta import read_instance as read_wta_instance
from shieldwall.battle.wta import solve as solve_wta
from shieldwall.battle.wta import solve_many as solve_wta_many
from shieldwall.earth.geodesy import (
    aer_to_ecef,
    ecef_to_aer,
    ecef_to_enu,
    ecef_to_geodetic,
    enu_to_ecef,
    geodesic_direct,
    geodesic_inverse,
    geodetic_to_ecef,
)
from shieldwall.errors import (
    CatalogError,
    Problem,
    ScenarioError,
    ShieldwallError,
    TargetingError,
)
from shieldwall.flight import (
    FlightModel,
    FlyoutTable,
    Trajectories,
    aim,
    fly_raid,
    flyout_tables,
)
from shieldwall.io.run_folder import read_run, write_run_folder
from shieldwall.metrics import Metrics, wilson_interval
from shieldwall.outcome import BlockDraws, Events, Outcomes, block_draws, fight
from shieldwall.outcome.reference import fight_reference
from shieldwall.pipeline import Results, prepare, simulate, simulate_policies
from shieldwall.scenario import Policy, Scenario, World, compile_world, load_scenario
from shieldwall.scenario.catalog import (
    Catalog,
    CatalogEntry,
    Param,
    load_catalog,
    read_catalog_file,
)
from shieldwall.scenario.doctrine import Doctrine
from shieldwall.sensing import Visibility, observe
from shieldwall.studies.compare import Comparison, compare
from shieldwall.tracking import (
    EKFRun,
    FilterModel,
    TrackPicture,
    ci_fuse,
    nation_fcq_requirement_m,
    simulate_ekf,
    track,
)

__all__ = [
    "BlockDraws",
    "Catalog",
    "CatalogEntry",
    "CatalogError",
    "Comparison",
    "Doctrine",
    "EKFRun",
    "Events",
    "FightInputs",
    "FilterModel",
    "FlightModel",
    "FlyoutTable",
    "Metrics",
    "Outcomes",
    "Param",
    "Policy",
    "Problem",
    "Results",
    "Scenario",
    "ScenarioError",
    "ShieldwallError",
    "TargetingError",
    "TrackPicture",
    "Trajectories",
    "TrialInputs",
    "Visibility",
    "WTAError",
    "WTAProblem",
    "WTASolution",
    "World",
    "aer_to_ecef",
    "aim",
    "block_draws",
    "build_fight_inputs",
    "build_trial_inputs",
    "ci_fuse",
    "compare",
    "compile_world",
    "ecef_to_aer",
    "ecef_to_enu",
    "ecef_to_geodetic",
    "enu_to_ecef",
    "fight",
    "fight_reference",
    "fly_raid",
    "flyout_tables",
    "geodesic_direct",
    "geodesic_inverse",
    "geodetic_to_ecef",
    "load_catalog",
    "load_scenario",
    "nation_fcq_requirement_m",
    "observe",
    "plan_fight",
    "plan_policies",
    "prepare",
    "reach",
    "read_catalog_file",
    "read_run",
    "read_wta_instance",
    "simulate",
    "simulate_ekf",
    "simulate_policies",
    "solve_wta",
    "solve_wta_many",
    "track",
    "wilson_interval",
    "write_run_folder",
]
