"""``shieldwall design FILE --budget NATION=AMOUNT ... --menu MENU.yaml``: what each ally buys."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich import box
from rich.table import Table

from shieldwall.cli._common import esc, out, print_table
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
from shieldwall.cli._study import (
    estimate_text as _e,
)
from shieldwall.cli._study import (
    musd_text as _musd,
)
from shieldwall.report.figures import pareto_chart, png
from shieldwall.scenario import load_scenario
from shieldwall.studies.additions import AdditionError, add_units
from shieldwall.studies.design import DEFAULT_LEVELS, DesignStudy, design, parse_budgets, read_menu
from shieldwall.studies.engine import StudyRun

__all__ = ["print_design", "register"]


def print_design(study: DesignStudy, title: str = "") -> None:
    """Print every design (level, mode, what it buys, spent, simulated value lost)."""
    s = study.summary()
    table = Table(
        title=esc(title) if title else None,
        box=box.SIMPLE_HEAD,
        caption_justify="left",
        caption=(
            f"{study.run.trials:,} trials per case (seed {study.run.seed}), "
            f"{len(study.run.cases)} cases, {study.run.elapsed_s:.1f} s, "
            f"{esc(study.run.executor)}. Budgets: "
            + ", ".join(f"{esc(n)} ${_musd(b)}M" for n, b in study.budgets.items())
            + ". Picks: MILP on the surrogate; value lost: simulated (95% interval); "
            "* = on the cost-vs-defense Pareto front."
        ),
    )
    for col in ("level", "mode", "buys", "spent $M", "value lost", "surrogate"):
        table.add_column(col, justify="left" if col in ("mode", "buys") else "right")
    for d in s["designs"]:
        table.add_row(
            f"{d['level']:g}",
            esc(d["mode"]) + (" *" if d["pareto"] else ""),
            esc(", ".join(d["items"]) or "nothing"),
            _musd(d["spent_usd"]),
            _e(d["simulated"]),
            f"{d['surrogate']:.2f}",
        )
    print_table(table)
    out.print(f"baseline value lost ({esc(study.policy)}): {_e(s['baseline'])}", markup=False)
    for key, v in s["comparisons"].items():
        a, _, b = key.partition("_minus_")
        out.print(f"{a} − {b} (full budgets, paired): {_e(v, True)}", markup=False)


def register(app: typer.Typer) -> None:
    """Add ``design`` to the CLI."""

    @app.command(name="design")
    def design_cmd(
        file: Annotated[Path, typer.Argument(help="Scenario YAML file.")],
        budget: Annotated[
            list[str],
            typer.Option(
                "--budget", help="NATION=AMOUNT in USD (2.5e9, 2500M or 2.5B); repeat per nation."
            ),
        ],
        menu: Annotated[
            Path, typer.Option("--menu", help="Menu YAML: items to buy (docs/studies.md).")
        ],
        pooled: Annotated[
            bool,
            typer.Option(
                "--pooled", help="Also design with one pooled budget (the sum) for any item."
            ),
        ] = False,
        levels: Annotated[
            list[str] | None,
            typer.Option(
                "--levels",
                help="Budget levels "
                "(fractions, comma-separated) of the Pareto front; default "
                f"{','.join(f'{x:g}' for x in DEFAULT_LEVELS)}.",
            ),
        ] = None,
        policy: Annotated[str, typer.Option("--policy", help="Policy fought.")] = "integrated",
        phase: PhaseOpt = None,
        trials: TrialsOpt = None,
        seed: SeedOpt = None,
        executor: ExecutorOpt = "pool",
        workers: WorkersOpt = None,
        scheduler: SchedulerOpt = None,
        out_dir: OutOpt = None,
        as_json: JsonOpt = False,
    ) -> None:
        """Budget-constrained force design: what each nation buys from a menu (MILP on a
        surrogate, every pick simulated), the cost-vs-defense front, alone vs together."""
        scenario = load_scenario(file)
        world = add_units(scenario, [], phase)
        budgets = parse_budgets(split_names(budget), world.nations.id)
        items = read_menu(menu, scenario, phase)
        lv: list[float] = list(DEFAULT_LEVELS)
        if levels:
            try:
                lv = [float(x) for x in split_names(levels)]
            except ValueError:
                raise AdditionError(f"--levels: comma-separated fractions, got {levels}") from None
        held: dict[str, DesignStudy] = {}

        def runner(checkpoint: Path, progress: Any) -> StudyRun:
            held["study"] = design(
                scenario,
                items,
                budgets,
                pooled=pooled,
                levels=lv,
                policy=policy,
                phase=phase,
                trials=trials,
                seed=seed,
                executor=scheduler or executor,
                workers=workers,
                checkpoint=checkpoint,
                progress=progress,
            )
            return held["study"].run

        def analyse(run: StudyRun) -> StudyOutput:
            import pandas as pd

            study = held["study"]
            s = study.summary()
            pts = pd.DataFrame(
                [
                    {
                        "design": d["design"],
                        "spent_usd": d["spent_usd"],
                        "value": d["simulated"][0],
                        "lo": d["simulated"][1],
                        "hi": d["simulated"][2],
                        "pareto": d["pareto"],
                    }
                    for d in s["designs"]
                ]
            )
            fig = pareto_chart(pts, title=f"{world.name}: cost vs expected value lost")
            return StudyOutput(
                results=study.table,
                summary=s,
                files={"pareto.png": png(fig)},
                show=lambda: print_design(study, title=f"{world.name} — force design"),
            )

        run_and_save(
            study="design",
            scenario=scenario,
            world=world,
            cases=(),
            trials=trials,
            seed=seed,
            executor=executor,
            workers=workers,
            scheduler=scheduler,
            out_dir=out_dir,
            as_json=as_json,
            analyse=analyse,
            runner=runner,
        )
