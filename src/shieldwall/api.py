"""The curated public Python API of shieldwall.

Import from here in notebooks and scripts::

    from shieldwall import api

    scenario = api.load_scenario("examples/korea_japan.yaml")
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

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
from shieldwall.io.territory import territory_or_warn
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
from shieldwall.studies.additions import Addition, AdditionError, add_units, addition_cost
from shieldwall.studies.attribute import Attribution, attribute
from shieldwall.studies.compare import Comparison, compare
from shieldwall.studies.design import DesignStudy, design
from shieldwall.studies.engine import Case, StudyRun, run_study
from shieldwall.studies.executor import Executor
from shieldwall.studies.footprint import Footprint, FootprintError, Territory
from shieldwall.studies.footprint import footprint as _footprint
from shieldwall.studies.overrides import Override, OverrideError, parse_overrides
from shieldwall.studies.phases import PhaseStudy, phases
from shieldwall.studies.site import Site, SiteStudy, site
from shieldwall.studies.sweep import Sweep, sweep
from shieldwall.studies.uncertainty import Uncertainty, uncertainty
from shieldwall.tracking import (
    EKFRun,
    FilterModel,
    TrackPicture,
    ci_fuse,
    nation_fcq_requirement_m,
    simulate_ekf,
    track,
)

if TYPE_CHECKING:
    import pandas as pd


def footprint(
    *args: Any, territory: Territory | str | None = "natural_earth", **kwargs: Any
) -> Footprint:
    """:func:`shieldwall.studies.footprint.footprint` (same arguments), with the cells' nations
    by territory by default (docs/studies.md §12, authority).

    Parameters
    ----------
    territory
        ``"natural_earth"`` (default): the offline Natural Earth countries
        (:func:`shieldwall.io.territory.natural_earth_territory`); when world-atlas is not
        installed, a one-line warning (:func:`warnings.warn`) and the asset rule. ``None``: the
        asset rule everywhere. A :data:`~shieldwall.studies.footprint.Territory` callable.
    """
    if isinstance(territory, str):
        if territory != "natural_earth":
            raise FootprintError(
                f"territory must be 'natural_earth', None or a callable; got {territory!r}",
                [Problem(message="'natural_earth', None or a callable", path="territory")],
            )
        territory = territory_or_warn(lambda line: warnings.warn(line, stacklevel=3))
    return _checked_footprint(*args, territory=territory, **kwargs)


def run_record(results: Results | Comparison, *, scenario: Scenario | None = None) -> RunRecord:
    """The named tables of a simulation or a policy comparison, in memory (docs/results.md).

    ``run_record(res).table("events")`` is a pandas DataFrame; :func:`write_record` writes the
    record as a run folder, :func:`read_run` reads one back.
    """
    if isinstance(results, Comparison):
        return record_comparison(results, scenario=scenario)
    return record_results(results, scenario=scenario)


def cost_table(comparison: Comparison) -> pd.DataFrame:
    """What each policy of a comparison cost, as a tidy table (docs/results.md, costs).

    Columns ``policy, metric, shooter, defended, value, lo, hi``: ``interceptor_cost_usd``,
    ``attack_cost_usd``, ``cost_exchange_ratio``, ``cost_per_leaker_avoided_usd`` (against the
    comparison's baseline) with ``shooter``/``defended`` empty, and ``burden_rounds`` /
    ``burden_cost_usd`` per (shooter nation, defended nation or ``"none"``). USD at 2024 prices;
    NaN = unknown because an item is unpriced (see ``row.costs.unpriced``), never 0.
    """
    import pandas as pd

    rows: list[tuple[str, str, str, str, float, float, float]] = []
    nan = float("nan")
    for r in comparison.rows:
        c = r.costs
        rows += [
            (r.name, "interceptor_cost_usd", "", "", c.interceptor_cost_usd,
             *c.interceptor_cost_usd_ci),
            (r.name, "attack_cost_usd", "", "", c.attack_cost_usd, nan, nan),
            (r.name, "cost_exchange_ratio", "", "", c.cost_exchange_ratio,
             *c.cost_exchange_ratio_ci),
            (r.name, "cost_per_leaker_avoided_usd", "", "", r.cost_per_leaker_avoided,
             *r.cost_per_leaker_avoided_ci),
        ]  # fmt: skip
        nations = r.results.world.nations.id
        for metric, grid in (
            ("burden_rounds", c.burden_rounds),
            ("burden_cost_usd", c.burden_cost_usd),
        ):
            for i, shooter in enumerate(nations):
                for j, defended in enumerate([*nations, "none"]):
                    rows.append((r.name, metric, shooter, defended, float(grid[i, j]), nan, nan))
    cols = ["policy", "metric", "shooter", "defended", "value", "lo", "hi"]
    return pd.DataFrame(rows, columns=cols)


__all__ = [
    "Addition",
    "AdditionError",
    "ArgumentError",
    "Attribution",
    "BlockDraws",
    "Case",
    "Catalog",
    "CatalogEntry",
    "CatalogError",
    "Comparison",
    "DesignStudy",
    "Doctrine",
    "EKFRun",
    "Events",
    "FightInputs",
    "FilterModel",
    "FlightModel",
    "FlyoutTable",
    "Footprint",
    "FootprintError",
    "Metrics",
    "Outcomes",
    "Override",
    "OverrideError",
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
    "Site",
    "SiteStudy",
    "StudyRun",
    "Sweep",
    "TargetingError",
    "TrackPicture",
    "Trajectories",
    "TrialInputs",
    "Uncertainty",
    "Validation",
    "Visibility",
    "WTAError",
    "WTAProblem",
    "WTASolution",
    "World",
    "add_units",
    "addition_cost",
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
    "cost_table",
    "design",
    "ecef_to_aer",
    "ecef_to_enu",
    "ecef_to_geodetic",
    "enu_to_ecef",
    "estimate_resources",
    "fight",
    "fight_reference",
    "fly_raid",
    "flyout_tables",
    "footprint",
    "geodesic_direct",
    "geodesic_inverse",
    "geodetic_to_ecef",
    "list_runs",
    "load_catalog",
    "load_scenario",
    "nation_fcq_requirement_m",
    "observe",
    "parse_overrides",
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
    "site",
    "solve_wta",
    "solve_wta_many",
    "sweep",
    "track",
    "uncertainty",
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
design = checked(design, _TYPES)
site = checked(site, _TYPES)
add_units = checked(add_units, _TYPES)
_checked_footprint = checked(_footprint, _TYPES)
footprint.checked_arguments = getattr(_checked_footprint, "checked_arguments", {})  # type: ignore[attr-defined]
phases = checked(phases, _TYPES)
compile_world = checked(compile_world, _TYPES)
cost_table = checked(cost_table, _TYPES)
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
