"""The curated public Python API of shieldwall.

Import from here in notebooks and scripts::

    from shieldwall import api

    scenario = api.load_scenario("examples/korea_japan.yaml")
"""

from __future__ import annotations

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
from shieldwall.outcome.reference import fight_reference
from shieldwall.pipeline import Results, prepare, simulate
from shieldwall.scenario import Policy, Scenario, World, compile_world, load_scenario
from shieldwall.scenario.catalog import (
    Catalog,
    CatalogEntry,
    Param,
    load_catalog,
    read_catalog_file,
)
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
    "Catalog",
    "CatalogEntry",
    "CatalogError",
    "Comparison",
    "EKFRun",
    "FilterModel",
    "FlightModel",
    "FlyoutTable",
    "Metrics",
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
    "Visibility",
    "WTAError",
    "WTAProblem",
    "WTASolution",
    "World",
    "aer_to_ecef",
    "aim",
    "ci_fuse",
    "compare",
    "compile_world",
    "ecef_to_aer",
    "ecef_to_enu",
    "ecef_to_geodetic",
    "enu_to_ecef",
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
    "prepare",
    "read_catalog_file",
    "read_run",
    "read_wta_instance",
    "simulate",
    "simulate_ekf",
    "solve_wta",
    "solve_wta_many",
    "track",
    "wilson_interval",
    "write_run_folder",
]
