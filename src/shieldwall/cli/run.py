"""``shieldwall run FILE``: simulate one policy and write a run folder."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from shieldwall.cli._common import err, esc, out, print_estimate, print_json
from shieldwall.cli._doctrine import DoctrineFlags, doctrine_options
from shieldwall.io import runner
from shieldwall.io.record import RunRecord, record_results, run_summary
from shieldwall.io.run_folder import prepare_out_folder
from shieldwall.io.runner import default_out
from shieldwall.pipeline import Results, simulate, workers_for
from shieldwall.resources import estimate_resources
from shieldwall.scenario import Scenario, World, compile_world, load_scenario

__all__ = [
    "default_out",
    "load",
    "print_results",
    "progress_callback",
    "register",
    "save_record",
]


def load(file: Path, phase: str | None) -> tuple[Scenario, World]:
    """Load a scenario and compile one phase (a name, the start of one, or an index)."""
    scenario = load_scenario(file)
    return scenario, compile_world(scenario, phase=phase)


def save_record(record: RunRecord, target: Path) -> Path:
    """Write a run record, index it, and print a warning if the index was not updated."""
    folder, warning = runner.save_record(record, target)
    if warning:
        err.print(f"warning: {warning}", markup=False)
    return folder


@contextlib.contextmanager
def progress_callback(enabled: bool = True) -> Iterator[Callable[[str, int, int], None] | None]:
    """A rich progress bar on stderr when it is a terminal (``None`` otherwise)."""
    if not (enabled and err.is_terminal):
        yield None
        return
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    ) as bar:
        task = bar.add_task("simulating", total=None)

        def update(stage: str, done: int, total: int) -> None:
            bar.update(task, description=f"done: {esc(stage)}", completed=done, total=total)

        yield update


def _pct_ci(lo: float, hi: float) -> str:
    return f"[{100 * lo:.1f}, {100 * hi:.1f}]"


def print_results(results: Results) -> None:
    """Print one policy's metrics."""
    s = run_summary(results)
    lo, hi = s["p_zero_leak_ci"]
    w = results.world
    t = Table(title=esc(f"{w.name} — policy {results.policy}, phase {w.phase}"))
    t.add_column("metric", style="bold")
    t.add_column("value", justify="right")
    t.add_column("95% interval", justify="right")
    t.add_row(
        "P(zero leakage)", f"{100 * s['p_zero_leak']:.1f}%", f"[{100 * lo:.1f}, {100 * hi:.1f}]"
    )
    el = s["expected_leakers_ci"]
    t.add_row("expected leakers", f"{s['expected_leakers']:.2f}", f"[{el[0]:.2f}, {el[1]:.2f}]")
    iu = s["interceptors_used_ci"]
    t.add_row("interceptors used", f"{s['interceptors_used']:.1f}", f"[{iu[0]:.1f}, {iu[1]:.1f}]")
    t.add_row("inventory left", f"{s['inventory_left']:.1f}", "")
    for name, n in s["expended_by_interceptor"].items():
        t.add_row(f"  fired: {esc(name)}", f"{n:.1f}", "")
    for name, n in s["expended_by_nation"].items():
        t.add_row(f"  fired by {esc(name)}", f"{n:.1f}", "")
    for aid, v in s["p_asset_survives"].items():
        t.add_row(
            f"  P({esc(aid)} unhurt)",
            f"{100 * v['p']:.1f}%",
            f"[{100 * v['ci'][0]:.1f}, {100 * v['ci'][1]:.1f}]",
        )
    dm = s["decision_margin_s"]
    if dm["median"] is not None:
        t.add_row("launch window, median threat", f"{dm['median']:.0f} s", "")
    t.add_row("threats no battery can engage", str(dm["threats_without_window"]), "")
    out.print(t)


def register(app: typer.Typer) -> None:
    """Add ``run`` to the CLI."""

    @app.command(name="run")
    @doctrine_options
    def run_cmd(
        file: Annotated[Path, typer.Argument(help="Scenario YAML file.")],
        policy: Annotated[str, typer.Option("--policy", help="Sharing policy.")] = "national",
        phase: Annotated[
            str | None, typer.Option("--phase", help="Deployment phase (name or 0-based index).")
        ] = None,
        trials: Annotated[int | None, typer.Option("--trials", "-n", help="Trials.")] = None,
        seed: Annotated[int | None, typer.Option("--seed", help="Root random seed.")] = None,
        out_dir: Annotated[
            Path | None, typer.Option("--out", help="Run folder to create (must not exist).")
        ] = None,
        as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
        estimate: Annotated[
            bool,
            typer.Option("--estimate", help="Print the memory and time this would need, and stop."),
        ] = False,
        force: Annotated[
            bool,
            typer.Option(
                "--force",
                help="Run even if the resource guard estimates more memory than is available "
                "or more than a day.",
            ),
        ] = False,
        *,
        doctrine: DoctrineFlags,
    ) -> None:
        """Simulate one policy, print its metrics and write a run folder (docs/results.md)."""
        scenario, world = load(file, phase)
        world = doctrine.apply(world)
        if estimate:
            k = world.trials if trials is None else trials
            est = estimate_resources(world, k, workers=workers_for(world, k), full_outcomes=False)
            print_estimate(est, as_json)
            return
        target = prepare_out_folder(out_dir or default_out(world, policy))  # refuse early
        with progress_callback(enabled=not as_json) as progress:
            if progress:
                progress("loading", 0, 2)
            results = simulate(world, policy, trials, seed, force=force, full_outcomes=False)
            if progress:
                progress("simulation", 1, 2)
            extra: dict[str, Any] = {"command": "run", "argv": sys.argv[1:]}
            record = record_results(results, scenario=scenario, extra=extra)
            folder = save_record(record, target)
        if as_json:
            used = results.world.doctrine.as_dict()
            print_json({"run_folder": str(folder), **run_summary(results), "doctrine": used})
            return
        print_results(results)
        err.print(f"run folder: {esc(folder)}")
