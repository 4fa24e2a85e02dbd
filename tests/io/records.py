"""Simulation results and run records shared by the io, report and web tests (cached)."""

from __future__ import annotations

import fcntl
from collections.abc import Callable
from functools import cache
from pathlib import Path

from shieldwall.io.record import RunRecord, record_comparison, record_results
from shieldwall.io.run_folder import write_record
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


def shared_folder(base: Path, name: str, build: Callable[[], RunRecord]) -> Path:
    """A run folder written once for all pytest-xdist workers of a session.

    ``base`` is ``tmp_path_factory.getbasetemp().parent`` (shared by the workers); the first
    worker to take the lock writes the folder, the others wait and reuse it.
    """
    folder = base / f"shared-{name}"
    with open(base / f"shared-{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not folder.exists():
            write_record(build(), folder)
    return folder


def flagship_compare_dir(base: Path) -> Path:
    """The flagship's four-policy comparison (200 trials) written as a run folder."""
    return shared_folder(base, "flagship-compare", lambda: compare_record(FLAGSHIP, 200))


def sweep_study_folder(folder: Path) -> Path:
    """A study folder in the layout the study engine writes (docs/studies.md: ``study.json`` +
    ``results.parquet``, the tidy long table): a raid-scale sweep of two policies."""
    import json

    import pandas as pd

    folder.mkdir(parents=True)
    rows = []
    for k, scale in enumerate([1.0, 2.0, 3.0]):
        for policy, base in (("national", 0.6), ("integrated", 0.9)):
            v = base / scale
            rows.append(
                {
                    "case": f"p{k} / {policy}",
                    "policy": policy,
                    "asset": "all",
                    "metric": "p_zero_leak",
                    "value": v,
                    "lo": v - 0.02,
                    "hi": v + 0.02,
                    "baseline": None,
                    "point": k,
                    "raid_scale": scale,
                }
            )
    pd.DataFrame(rows).to_parquet(folder / "results.parquet")
    info = {
        "format": 1,
        "complete": True,
        "study": "sweep",
        "scenario": "unit",
        "scenario_hash": "ab",
        "phases": ["base"],
        "meta": {"trials": 100, "seed": 1},
        "files": ["study.json", "results.parquet"],
    }
    (folder / "study.json").write_text(json.dumps(info))
    return folder
