"""Simulation results and run records shared by the io, report and web tests (cached)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from shieldwall.io.record import RunRecord, record_comparison, record_results
from shieldwall.pipeline import Results, simulate
from shieldwall.scenario import Scenario, compile_world, load_scenario
from shieldwall.studies.compare import Comparison, compare

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
MINIMAL = EXAMPLES / "minimal.yaml"
FLAGSHIP = EXAMPLES / "korea_japan.yaml"


@cache
def scenario(path: Path = MINIMAL) -> Scenario:
    """A shipped example, loaded."""
    return load_scenario(path)


@cache
def results(path: Path = MINIMAL, policy: str = "national", trials: int = 300) -> Results:
    """One policy simulated with seed 2."""
    return simulate(compile_world(scenario(path)), policy, trials=trials, seed=2)


@cache
def comparison(path: Path = MINIMAL, trials: int = 300) -> Comparison:
    """The four presets on the same random numbers, seed 3."""
    return compare(compile_world(scenario(path)), trials=trials, seed=3)


def run_record(path: Path = MINIMAL, policy: str = "national", trials: int = 300) -> RunRecord:
    """A fresh (unwritten) record of :func:`results`."""
    return record_results(results(path, policy, trials), scenario=scenario(path))


def compare_record(path: Path = MINIMAL, trials: int = 300) -> RunRecord:
    """A fresh (unwritten) record of :func:`comparison`."""
    return record_comparison(comparison(path, trials), scenario=scenario(path))
