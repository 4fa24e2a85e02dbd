"""The curated public Python API of shieldwall.

Import from here in notebooks and scripts::

    from shieldwall import api

    scenario = api.load_scenario("examples/korea_japan.yaml")
"""

from __future__ import annotations

from shieldwall.arguments import checked
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
    ArgumentError,
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
from shieldwall.flight.checks import Validation, check_world, validate
from shieldwall.io.index import list_runs, query_index, rebuild_index
from shieldwall.io.record import RunFolderError, RunRecord, record_comparison, record_results
from shieldwall.io.run_folder import read_run, write_record, write_run_folder
from shieldwall.metrics import Metrics, wilson_interval
from shieldwall.outcome import BlockDraws, Events, Outcomes, block_draws, fight
from shieldwall.outcome.reference import fight_reference
from shieldwall.pipeline import Prepared, Results, prepare, simulate, simulate_policies
from shieldwall.resources import (
    ResourceError,
    ResourceEstimate,
    available_memory_bytes,
    check_resources,
    estimate_resources,
)
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
from shieldwall.studies.attribute import Attribution, attribute
from shieldwall.studies.compare import Comparison, compare
from shieldwall.studies.engine import Case, StudyRun, run_study
from shieldwall.studies.executor import Executor
from shieldwall.studies.phases import PhaseStudy, phases
from shieldwall.tracking import (
    EKFRun,
    FilterModel,
    TrackPicture,
    ci_fuse,
    nation_fcq_requirement_m,
    simulate_ekf,
    track,
)


def run_record(results: Results | Comparison, *, scenario: Scenario | None = None) -> RunRecord:
    """The named tables of a simulation or a policy comparison, in memory (docs/results.md).

    ``run_record(res).table("events")`` is a pandas DataFrame; :func:`write_record` writes the
    record as a run folder, :func:`read_run` reads one back.
    """
    if isinstance(results, Comparison):
        return record_comparison(results, scenario=scenario)
    return record_results(results, scenario=scenario)


__all__ = [
    "ArgumentError",
    "Attribution",
    "BlockDraws",
    "Case",
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
    "PhaseStudy",
    "Policy",
    "Problem",
    "ResourceError",
    "ResourceEstimate",
    "Results",
    "RunFolderError",
    "RunRecord",
    "Scenario",
    "ScenarioError",
    "ShieldwallError",
    "StudyRun",
    "TargetingError",
    "TrackPicture",
    "Trajectories",
    "TrialInputs",
    "Validation",
    "Visibility",
    "WTAError",
    "WTAProblem",
    "WTASolution",
    "World",
    "aer_to_ecef",
    "aim",
    "attribute",
    "available_memory_bytes",
    "block_draws",
    "build_fight_inputs",
    "build_trial_inputs",
    "check_resources",
    "check_world",
    "ci_fuse",
    "compare",
    "compile_world",
    "ecef_to_aer",
    "ecef_to_enu",
    "ecef_to_geodetic",
    "enu_to_ecef",
    "estimate_resources",
    "fight",
    "fight_reference",
    "fly_raid",
    "flyout_tables",
    "geodesic_direct",
    "geodesic_inverse",
    "geodetic_to_ecef",
    "list_runs",
    "load_catalog",
    "load_scenario",
    "nation_fcq_requirement_m",
    "observe",
    "phases",
    "plan_fight",
    "plan_policies",
    "prepare",
    "query_index",
    "reach",
    "read_catalog_file",
    "read_run",
    "read_wta_instance",
    "rebuild_index",
    "run_record",
    "run_study",
    "simulate",
    "simulate_ekf",
    "simulate_policies",
    "solve_wta",
    "solve_wta_many",
    "track",
    "validate",
    "wilson_interval",
    "write_record",
    "write_run_folder",
]

# Component arguments of the entry points are type-checked (shieldwall.arguments.checked): a
# wrong object is an ArgumentError naming the argument, not an AttributeError deep inside.
_TYPES = {
    **globals(),
    "Doctrine": Doctrine,
    "BlockDraws": BlockDraws,
    "Prepared": Prepared,
    "Executor": Executor,
}
aim = checked(aim, _TYPES)
check_resources = checked(check_resources, _TYPES)
attribute = checked(attribute, _TYPES)
compare = checked(compare, _TYPES)
phases = checked(phases, _TYPES)
compile_world = checked(compile_world, _TYPES)
estimate_resources = checked(estimate_resources, _TYPES)
fly_raid = checked(fly_raid, _TYPES)
flyout_tables = checked(flyout_tables, _TYPES)
nation_fcq_requirement_m = checked(nation_fcq_requirement_m, _TYPES)
observe = checked(observe, _TYPES)
prepare = checked(prepare, _TYPES)
read_catalog_file = checked(read_catalog_file, _TYPES)
read_run = checked(read_run, _TYPES)
read_wta_instance = checked(read_wta_instance, _TYPES)
simulate = checked(simulate, _TYPES)
simulate_ekf = checked(simulate_ekf, _TYPES)
solve_wta = checked(solve_wta, _TYPES)
track = checked(track, _TYPES)
write_run_folder = checked(write_run_folder, _TYPES)
