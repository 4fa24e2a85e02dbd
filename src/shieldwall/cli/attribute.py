"""``shieldwall attribute FILE --players nations|levers|links``: Shapley values, intervals."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import numpy as np
import typer
from rich import box
from rich.table import Table

from shieldwall.cli._common import esc, print_table
from shieldwall.cli._study import (
    ExecutorOpt,
    JsonOpt,
    OutOpt,
    PhaseOpt,
    SchedulerOpt,
    SeedOpt,
    StudyOutput,
    TrialsOpt,
    WorkersOpt,
    run_and_save,
)
from shieldwall.cli.run import load
from shieldwall.report.figures import png, shapley_chart
from shieldwall.studies.attribute import GAMES, Attribution, analyse_attribution, game
from shieldwall.studies.engine import METRICS, StudyRun

__all__ = ["print_attribution", "register"]


def _e(e: tuple[float, float, float]) -> str:
    return f"{e[0]:+.3f} ({e[1]:+.3f} to {e[2]:+.3f})"


def print_attribution(a: Attribution, title: str = "") -> None:
    """Print each player's Shapley value and its share of grand − empty."""
    g, run = a.game, a.run
    table = Table(
        title=esc(title) if title else None,
        box=box.SIMPLE_HEAD,
        caption=(
            f"{g.method} Shapley values of {esc(g.kind)} for Δ {esc(a.metric)} "
            f"({len(g.coalitions)} coalitions, {run.trials:,} trials each, seed {run.seed}, "
            f"{run.elapsed_s:.1f} s, {esc(run.executor)}). Empty coalition "
            f"{a.empty[0]:.3f}, grand {a.grand[0]:.3f}; (…) = 95% paired intervals; the values "
            f"sum to grand − empty."
        ),
        caption_justify="left",
    )
    table.add_column("player", style="bold")
    table.add_column(f"Shapley Δ {esc(a.metric)}", justify="right")
    table.add_column("share", justify="right")
    for p, v in a.values.items():
        share = v[0] / a.total[0] if a.total[0] else float("nan")
        table.add_row(esc(p), _e(v), f"{100 * share:.0f}%")
    table.add_row("total (grand − empty)", _e(a.total), "100%")
    print_table(table)


def register(app: typer.Typer) -> None:
    """Add ``attribute`` to the CLI."""

    @app.command(name="attribute")
    def attribute_cmd(
        file: Annotated[Path, typer.Argument(help="Scenario YAML file.")],
        players: Annotated[
            str, typer.Option("--players", help=f"Who shares the credit: {', '.join(GAMES)}.")
        ] = "levers",
        policy: Annotated[
            str, typer.Option("--policy", help="Policy fought (nations) / the levers' target.")
        ] = "integrated",
        baseline_policy: Annotated[
            str, typer.Option("--baseline-policy", help="The levers' and links' starting policy.")
        ] = "national",
        metric: Annotated[
            str, typer.Option("--metric", help=f"Metric attributed: {', '.join(METRICS)}.")
        ] = "expected_leakers",
        permutations: Annotated[
            int | None,
            typer.Option(
                "--permutations",
                help="Sample this many player orders instead of "
                "every coalition (default: exact up to 10 players).",
            ),
        ] = None,
        phase: PhaseOpt = None,
        trials: TrialsOpt = None,
        seed: SeedOpt = None,
        executor: ExecutorOpt = "pool",
        workers: WorkersOpt = None,
        scheduler: SchedulerOpt = None,
        out_dir: OutOpt = None,
        as_json: JsonOpt = False,
    ) -> None:
        """Shapley values of nations, policy levers or data links, with paired intervals."""
        scenario, world = load(file, phase)
        if metric not in METRICS:
            from shieldwall.errors import Problem
            from shieldwall.pipeline import SimulationError

            msg = f"unknown metric {metric!r}; valid: {', '.join(METRICS)}"
            raise SimulationError(msg, [Problem(message=msg, path="metric")])
        root = world.seed if seed is None else seed
        g = game(world, players, policy=policy, baseline_policy=baseline_policy,
                 permutations=permutations, seed=root)  # fmt: skip

        def analyse(run: StudyRun) -> StudyOutput:
            a = analyse_attribution(run, g, metric)
            v = np.array([a.values[p] for p in g.players])
            fig = shapley_chart(list(g.players), v[:, 0], v[:, 1], v[:, 2],
                                f"Shapley Δ {metric} ({g.kind}, {g.method})")  # fmt: skip
            return StudyOutput(
                results=a.table, summary=a.summary(), files={"shapley.png": png(fig)},
                show=lambda: print_attribution(a, title=f"{world.name} — who bought what"),
            )  # fmt: skip

        run_and_save(
            study="attribute", scenario=scenario, world=world, cases=g.cases, trials=trials,
            seed=root, executor=executor, workers=workers, scheduler=scheduler,
            out_dir=out_dir, as_json=as_json, analyse=analyse,
        )  # fmt: skip
