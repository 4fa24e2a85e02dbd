"""Run a scenario into a run folder: load, refuse a bad output early, simulate, record, index.

One path from a scenario file to an indexed run folder, used by ``shieldwall run`` and by the
viewer's job queue (``shieldwall serve``), so both accept and refuse exactly the same inputs with
the same messages.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from shieldwall.errors import Problem, ShieldwallError
from shieldwall.io.index import index_run
from shieldwall.io.record import RunRecord
from shieldwall.io.run_folder import prepare_out_folder, write_record

if TYPE_CHECKING:
    from shieldwall.scenario import World

__all__ = ["default_out", "run_scenario", "save_record", "validate_file"]


def default_out(world: World, what: str, root: Path = Path("runs")) -> Path:
    """``<root>/<scenario>-<what>-<UTC time>`` (letters, digits and dashes only)."""
    slug = re.sub(r"[^A-Za-z0-9]+", "-", f"{world.name}-{what}").strip("-").lower()[:80] or "run"
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
    return root / f"{slug}-{stamp}"


def save_record(record: RunRecord, target: Path) -> tuple[Path, str | None]:
    """Write a run record and add it to the run index of its parent folder.

    Returns
    -------
    folder, warning
        The folder written; a warning when the index could not be updated (the run is kept:
        ``shieldwall runs rebuild`` restores the index from the folders).
    """
    folder = write_record(record, target)
    try:
        index_run(folder)
    except (ShieldwallError, OSError) as exc:
        return folder, (
            f"run index not updated ({exc}); `shieldwall runs rebuild {folder.parent}` rebuilds it"
        )
    return folder, None


def validate_file(path: Path, *, label: str | None = None) -> tuple[bool, list[Problem]]:
    """Validate a scenario file as ``shieldwall validate`` does.

    Parameters
    ----------
    path
        The file.
    label
        Name to give the file in the problems (e.g. the name of an uploaded file).

    Returns
    -------
    ok, problems
        Whether it is a valid scenario, and its errors (or warnings).
    """
    from shieldwall.scenario import load_scenario

    try:
        scenario = load_scenario(path)
        problems, ok = list(scenario.warnings), True
    except ShieldwallError as exc:
        problems = exc.problems or [Problem(message=str(exc.args[0]), file=str(path))]
        ok = False
    if label is not None:
        problems = [
            dataclasses.replace(p, file=label) if p.file == str(path) else p for p in problems
        ]
    return ok, problems


def run_scenario(
    path: Path,
    *,
    policy: str = "national",
    phase: str | None = None,
    trials: int | None = None,
    seed: int | None = None,
    solver: str = "heuristic",
    out_dir: Path | None = None,
    root: Path = Path("runs"),
    extra: Mapping[str, Any] | None = None,
) -> tuple[Path, RunRecord, str | None]:
    """Simulate one policy of a scenario file and write an indexed run folder.

    The output folder is checked before the simulation starts (:func:`prepare_out_folder`).

    Returns
    -------
    folder, record, warning
        The run folder, its record, and a warning if the index could not be updated.

    Raises
    ------
    ShieldwallError
        Bad scenario, bad request (policy, trials, solver) or bad output folder; nothing is
        written then.
    """
    from shieldwall.io.record import record_results
    from shieldwall.pipeline import simulate
    from shieldwall.scenario import compile_world, load_scenario

    scenario = load_scenario(path)
    world = compile_world(scenario, phase=phase)
    target = prepare_out_folder(out_dir or default_out(world, policy, root))
    results = simulate(world, policy, trials, seed, solver, full_outcomes=False)
    record = record_results(results, scenario=scenario, extra=extra)
    folder, warning = save_record(record, target)
    return folder, record, warning
