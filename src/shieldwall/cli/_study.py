"""What every study command shares: its options, the executor, progress, resume, the folder.

A study command builds its cases, then :func:`run_and_save` runs them on the chosen executor
with a progress bar, checkpointing each finished task in ``<out>.partial/`` (an interrupted
study rerun with the same ``--out`` resumes from there), writes the study folder atomically,
indexes it, and prints the command's table or its JSON.
"""

from __future__ import annotations

import contextlib
import math
import shutil
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import typer

from shieldwall.cli._common import err, esc, print_json
from shieldwall.cli.run import progress_callback
from shieldwall.io.index import index_run
from shieldwall.io.run_folder import prepare_out_folder, write_study_folder
from shieldwall.io.runner import default_out
from shieldwall.scenario import Scenario, World
from shieldwall.studies.engine import Case, StudyRun, run_study
from shieldwall.studies.executor import EXECUTORS

__all__ = [
    "ExecutorOpt",
    "JsonOpt",
    "OutOpt",
    "PhaseOpt",
    "SchedulerOpt",
    "SeedOpt",
    "StudyOutput",
    "TrialsOpt",
    "WorkersOpt",
    "estimate_text",
    "musd_text",
    "run_and_save",
    "split_names",
]

TrialsOpt = Annotated[
    int | None, typer.Option("--trials", "-n", help="Trials per case (the scenario's if omitted).")
]
SeedOpt = Annotated[int | None, typer.Option("--seed", help="Root random seed (shared by cases).")]
ExecutorOpt = Annotated[
    str,
    typer.Option(
        "--executor",
        help=f"Where the cases run: {', '.join(EXECUTORS)} (dask: a LocalCluster here).",
    ),
]
WorkersOpt = Annotated[
    int | None, typer.Option("--workers", help="Worker processes (default: every CPU).")
]
SchedulerOpt = Annotated[
    str | None,
    typer.Option(
        "--scheduler",
        help="A Dask scheduler address (tcp://host:port): run the cases on that cluster.",
    ),
]
OutOpt = Annotated[
    Path | None,
    typer.Option(
        "--out",
        help="Study folder to create (must not exist). Rerun with the same --out to resume an "
        "interrupted study.",
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON.")]
PhaseOpt = Annotated[
    str | None, typer.Option("--phase", help="Deployment phase (name or 0-based index).")
]


def estimate_text(e: Sequence[float], sign: bool = False) -> str:
    """``value (lo to hi)`` of an estimate, two decimals (``sign``: with + or -)."""
    f = "+.2f" if sign else ".2f"
    return f"{e[0]:{f}} ({e[1]:{f}} to {e[2]:{f}})"


def musd_text(x: float | None) -> str:
    """An amount in USD as millions, or ``unpriced`` when unknown."""
    return "unpriced" if x is None or not math.isfinite(x) else f"{x / 1e6:,.0f}"


def split_names(values: Sequence[str] | None) -> list[str]:
    """Comma-separated or repeated option values as one list."""
    return [v.strip() for item in values or () for v in item.split(",") if v.strip()]


@dataclass(frozen=True, kw_only=True)
class StudyOutput:
    """What a study command makes of its run.

    Attributes
    ----------
    results
        The tidy long table (``results.parquet``).
    summary
        The JSON document ``--json`` prints (also in ``study.json`` as ``summary``).
    show
        Prints the human-readable table.
    tables, files
        More tables (Parquet) and files (PNG) for the folder.
    """

    results: Any
    summary: dict[str, Any]
    show: Callable[[], None]
    tables: dict[str, Any] = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)


@contextlib.contextmanager
def _progress(enabled: bool) -> Iterator[Callable[[int, int, str], None] | None]:
    """``run``'s progress bar, fed tasks: ``update(done, total, what)``."""
    with progress_callback(enabled) as update:
        yield None if update is None else (lambda done, total, what: update(what, done, total))


def run_and_save(
    *,
    study: str,
    scenario: Scenario,
    world: World,
    cases: Sequence[Case],
    trials: int | None,
    seed: int | None,
    executor: str,
    workers: int | None,
    scheduler: str | None,
    out_dir: Path | None,
    as_json: bool,
    analyse: Callable[[StudyRun], StudyOutput],
    phases: Sequence[str] = (),
    runner: Callable[[Path, Callable[[int, int, str], None] | None], StudyRun] | None = None,
) -> StudyRun:
    """Run a study's cases and write, index and print what ``analyse`` makes of them.

    ``runner(checkpoint, progress)``, when given, runs the study instead (a study of several
    rounds, like ``site``'s greedy steps, each a ``run_study`` on the same trials and seed)."""
    target = prepare_out_folder(out_dir or default_out(world, study))  # refuse early
    partial = target.with_name(target.name + ".partial")
    n = world.trials if trials is None else trials
    root = world.seed if seed is None else seed
    where = scheduler or executor
    try:
        with _progress(enabled=not as_json) as progress:
            if runner is not None:
                run = runner(partial, progress)
            else:
                run = run_study(
                    cases, n, root, executor=where, workers=workers, checkpoint=partial,
                    progress=progress,
                )  # fmt: skip
    except KeyboardInterrupt:
        saved = len(list(partial.glob("*.npz"))) if partial.is_dir() else 0
        err.print(
            f"interrupted: {saved} finished task(s) kept in {esc(partial)}; rerun the same "
            f"command with --out {esc(target)} to resume",
        )
        raise typer.Exit(130) from None
    out = analyse(run)
    info = {
        "scenario": scenario.name,
        "scenario_hash": world.scenario_hash,
        "phases": list(phases) or [world.phase],
        "argv": sys.argv[1:],
        "meta": {
            "trials": run.trials, "seed": run.seed, "executor": run.executor,
            "elapsed_s": run.elapsed_s, "resumed_tasks": run.resumed,
            "cases": [c.name for c in run.cases],
        },
        "summary": out.summary,
    }  # fmt: skip
    folder = write_study_folder(
        target, study=study, results=out.results, info=info, tables=out.tables,
        files=out.files, final=target,
    )  # fmt: skip
    shutil.rmtree(partial, ignore_errors=True)
    try:
        index_run(folder)
    except Exception as exc:  # the folder is kept; the index can be rebuilt
        err.print(f"warning: run index not updated ({esc(exc)})")
    if as_json:
        print_json({**out.summary, "folder": str(folder), "elapsed_s": run.elapsed_s})
    else:
        out.show()
        err.print(f"study folder: {esc(folder)} ({run.elapsed_s:.1f} s, {esc(run.executor)})")
    return run
