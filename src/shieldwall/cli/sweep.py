"""``shieldwall sweep FILE --set KEY=a,b --range KEY=lo:hi:n``: metrics as keys vary."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich import box
from rich.table import Table

from shieldwall.arguments import check_names
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
    split_names,
)
from shieldwall.scenario import compile_world, load_scenario
from shieldwall.studies.compare import DEFAULT_POLICIES
from shieldwall.studies.engine import StudyRun
from shieldwall.studies.sweep import Sweep, parse_range, parse_set, sweep_cases, sweep_points

__all__ = ["print_sweep", "register"]


def print_sweep(result: Sweep) -> None:
    """One row per (point, policy): P(zero leakage) and expected leakers with 95% intervals."""
    s = result.summary()
    table = Table(
        box=box.SIMPLE_HEAD,
        caption=f"{s['trials']:,} trials per point (seed {s['seed']}), common random numbers; "
        "(…) = 95% intervals.",
        caption_justify="left",
    )
    for k in s["keys"]:
        table.add_column(esc(k), justify="right", no_wrap=True)
    table.add_column("policy", style="bold", no_wrap=True)
    table.add_column("P(zero leakage)", justify="right", no_wrap=True)
    table.add_column("expected leakers", justify="right", no_wrap=True)
    table.add_column("interceptors used", justify="right", no_wrap=True)
    for row in s["points"]:
        z, lk, ru = row["p_zero_leak"], row["expected_leakers"], row["interceptors_used"]
        table.add_row(
            *(esc(f"{row[k]:g}" if isinstance(row[k], float) else str(row[k])) for k in s["keys"]),
            esc(row["policy"]),
            f"{100 * z[0]:.1f}% ({100 * z[1]:.1f}–{100 * z[2]:.1f})",
            f"{lk[0]:.2f} ({lk[1]:.2f}–{lk[2]:.2f})",
            f"{ru[0]:.1f} ({ru[1]:.1f}–{ru[2]:.1f})",
        )
    print_table(table)


def study_png(results: Any) -> dict[str, bytes]:
    """The study chart as ``{"sweep.png": bytes}`` (empty if there is nothing to draw)."""
    from shieldwall.report.figures import png, study_chart

    fig = study_chart(results)
    return {} if fig is None else {"sweep.png": png(fig)}


def register(app: typer.Typer) -> None:
    """Add ``sweep`` to the CLI."""

    @app.command(name="sweep")
    def sweep_cmd(
        file: Annotated[Path, typer.Argument(help="Scenario YAML file.")],
        set_: Annotated[
            list[str] | None,
            typer.Option("--set", help="KEY=a,b,c: values of a key (repeat for more keys)."),
        ] = None,
        range_: Annotated[
            list[str] | None,
            typer.Option("--range", help="KEY=lo:hi:n: n evenly spaced values in [lo, hi]."),
        ] = None,
        lhs: Annotated[
            int | None,
            typer.Option("--lhs", help="A Latin hypercube of N points instead of the full grid."),
        ] = None,
        policies: Annotated[
            list[str] | None,
            typer.Option(
                "--policies",
                "-p",
                help=f"Policies at every point; default: {','.join(DEFAULT_POLICIES)}.",
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
        """Sweep override keys (raid_scale, latency_s, pk_scale, inventory_scale,
        rounds_per_launcher, doctrine settings, <kind>.<type>.<key>): one case per point, on
        common random numbers; table + sweep.png."""
        scenario = load_scenario(file)
        world = compile_world(scenario, phase=phase)
        values = dict(parse_set(t) for t in set_ or ())
        ranges = {k: (lo, hi, n) for k, lo, hi, n in (parse_range(t) for t in range_ or ())}
        root = world.seed if seed is None else seed
        points = sweep_points(values, ranges, lhs=lhs, seed=root)
        pols = split_names(policies) or list(DEFAULT_POLICIES)
        check_names(pols, "policies", world.policies, what="policy")
        cases = sweep_cases(scenario, points, pols, phase=phase, world=world)
        keys = (*values, *ranges)

        def analyse(run: StudyRun) -> StudyOutput:
            result = Sweep(run=run, keys=keys, points=tuple(dict(c.labels) for c in run.cases))
            table = result.table
            return StudyOutput(
                results=table,
                summary=result.summary(),
                show=lambda: print_sweep(result),
                files=study_png(table),
            )

        run_and_save(
            study="sweep", scenario=scenario, world=world, cases=cases, trials=trials,
            seed=seed, executor=executor, workers=workers, scheduler=scheduler,
            out_dir=out_dir, as_json=as_json, analyse=analyse,
        )  # fmt: skip
