"""``shieldwall run FILE``: simulate one policy and write a run folder."""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from shieldwall.cli._common import err, out, print_json
from shieldwall.io.run_folder import run_summary, write_run_folder
from shieldwall.pipeline import Results, simulate
from shieldwall.scenario import World, compile_world, load_scenario

__all__ = ["load_world", "print_results", "progress_callback", "register"]


def load_world(file: Path, phase: str | None) -> World:
    """Load and compile a scenario; ``phase`` is a name, the start of one, or an index."""
    return compile_world(load_scenario(file), phase=phase)


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
            bar.update(task, description=f"done: {stage}", completed=done, total=total)

        yield update


def _pct_ci(lo: float, hi: float) -> str:
    return f"[{100 * lo:.1f}, {100 * hi:.1f}]"


def print_results(results: Results) -> None:
    """Print one policy's metrics."""
    s = run_summary(results)
    lo, hi = s["p_zero_leak_ci"]
    t = Table(title=f"{results.world.name} — policy {results.policy}, phase {results.world.phase}")
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
        t.add_row(f"  fired: {name}", f"{n:.1f}", "")
    for name, n in s["expended_by_nation"].items():
        t.add_row(f"  fired by {name}", f"{n:.1f}", "")
    for aid, v in s["p_asset_survives"].items():
        t.add_row(
            f"  P({aid} unhurt)",
            f"{100 * v['p']:.1f}%",
            f"[{100 * v['ci'][0]:.1f}, {100 * v['ci'][1]:.1f}]",
        )
    dm = s["decision_margin_s"]
    if dm["median"] is not None:
        t.add_row("launch window, median threat", f"{dm['median']:.0f} s", "")
    t.add_row("threats no battery can engage", str(dm["threats_without_window"]), "")
    out.print(t)


def _default_out(world: World, policy: str) -> Path:
    slug = re.sub(r"[^A-Za-z0-9]+", "-", world.name).strip("-").lower() or "run"
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    return Path("runs") / f"{slug}-{policy}-{stamp}"


def register(app: typer.Typer) -> None:
    """Add ``run`` to the CLI."""

    @app.command(name="run")
    def run_cmd(
        file: Annotated[Path, typer.Argument(help="Scenario YAML file.")],
        policy: Annotated[str, typer.Option("--policy", help="Sharing policy.")] = "national",
        phase: Annotated[
            str | None, typer.Option("--phase", help="Deployment phase (name or 0-based index).")
        ] = None,
        trials: Annotated[int | None, typer.Option("--trials", "-n", help="Trials.")] = None,
        seed: Annotated[int | None, typer.Option("--seed", help="Root random seed.")] = None,
        solver: Annotated[
            str | None,
            typer.Option(
                "--solver",
                help="Fire planning: heuristic, exact or doctrine (default: the scenario's).",
            ),
        ] = None,
        out_dir: Annotated[
            Path | None, typer.Option("--out", help="Run folder to create (must not exist).")
        ] = None,
        as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    ) -> None:
        """Simulate one policy, print its metrics and write a run folder."""
        world = load_world(file, phase)
        with progress_callback(enabled=not as_json) as progress:
            if progress:
                progress("loading", 0, 2)
            results = simulate(world, policy, trials, seed, solver)
            if progress:
                progress("simulation", 1, 2)
            target = out_dir or _default_out(world, results.policy)
            extra: dict[str, Any] = {"command": "run", "scenario_file": str(file)}
            folder = write_run_folder(results, target, extra=extra)
        if as_json:
            print_json({"run_folder": str(folder), **run_summary(results)})
            return
        print_results(results)
        err.print(f"run folder: {folder}")
