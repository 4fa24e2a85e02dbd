"""``shieldwall phases FILE``: every deployment phase side by side, and what each bought."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich import box
from rich.table import Table

from shieldwall.cli._common import esc, print_table
from shieldwall.cli._study import (
    ExecutorOpt,
    JsonOpt,
    OutOpt,
    SchedulerOpt,
    SeedOpt,
    StudyOutput,
    TrialsOpt,
    WorkersOpt,
    run_and_save,
    split_names,
)
from shieldwall.report.figures import png, study_chart
from shieldwall.scenario import load_scenario
from shieldwall.scenario.phases import phase_index
from shieldwall.studies.engine import StudyRun
from shieldwall.studies.phases import DEFAULT_POLICIES, PhaseStudy, analyse_phases, phase_cases

__all__ = ["print_phases", "register"]


def _num(e: tuple[float, float, float], pct: bool = False, sign: bool = False) -> str:
    k = 100.0 if pct else 1.0
    f = "+.1f" if pct and sign else ".1f" if pct else "+.2f" if sign else ".2f"
    return f"{k * e[0]:{f}} ({k * e[1]:{f}} to {k * e[2]:{f}})"


def print_phases(study: PhaseStudy, title: str = "") -> None:
    """Print one row per (phase, policy): leakers, P(zero leak), and what the phase bought."""
    run = study.run
    base = study.phases[study.baseline_phase]
    table = Table(
        title=esc(title) if title else None,
        box=box.SIMPLE_HEAD,
        caption=(
            f"{run.trials:,} trials per phase (seed {run.seed}), {run.elapsed_s:.1f} s, "
            f"{esc(run.executor)}. (…) = 95% intervals; Δ = paired difference on the same "
            f"random numbers, from the previous phase and from phase {esc(base)}."
        ),
        caption_justify="left",
    )
    for col in ("phase", "policy", "expected leakers", "Δ vs previous", f"Δ vs {esc(base)}",
                "P(zero leakage) %", "Δ pts vs previous"):  # fmt: skip
        table.add_column(col, justify="left" if col in ("phase", "policy") else "right")
    for k, name in enumerate(study.phases):
        case = f"phase {name}"
        for pol in run.case(case).policies:

            def d(metric: str, vs: str, pct: bool = False) -> str:
                try:
                    return _num(study.bought(k, pol, metric, vs), pct=pct, sign=True)  # noqa: B023
                except Exception:
                    return "—"

            table.add_row(
                esc(name), esc(pol), _num(run.estimate(case, pol, "expected_leakers")),
                d("expected_leakers", "previous"), d("expected_leakers", "baseline"),
                _num(run.estimate(case, pol, "p_zero_leak"), pct=True),
                d("p_zero_leak", "previous", pct=True),
            )  # fmt: skip
    print_table(table)


def register(app: typer.Typer) -> None:
    """Add ``phases`` to the CLI."""

    @app.command(name="phases")
    def phases_cmd(
        file: Annotated[Path, typer.Argument(help="Scenario YAML file.")],
        policies: Annotated[
            list[str] | None,
            typer.Option(
                "--policies",
                "-p",
                help="Policies (comma-separated or repeated); "
                f"default: {','.join(DEFAULT_POLICIES)}.",
            ),
        ] = None,
        baseline_phase: Annotated[
            str,
            typer.Option(
                "--baseline-phase",
                help="Phase the 'vs baseline' differences "
                "are taken from (name or 0-based index; default the first).",
            ),
        ] = "0",
        trials: TrialsOpt = None,
        seed: SeedOpt = None,
        executor: ExecutorOpt = "pool",
        workers: WorkersOpt = None,
        scheduler: SchedulerOpt = None,
        out_dir: OutOpt = None,
        as_json: JsonOpt = False,
    ) -> None:
        """Every deployment phase under each policy, and what each phase bought (paired)."""
        scenario = load_scenario(file)
        k0 = phase_index(scenario, baseline_phase)
        cases, names = phase_cases(scenario, split_names(policies) or None)
        world = cases[-1].world

        def analyse(run: StudyRun) -> StudyOutput:
            study = analyse_phases(run, names, k0)
            fig = study_chart(study.table[study.table["vs"].isna()])
            files = {"phases.png": png(fig)} if fig is not None else {}
            return StudyOutput(
                results=study.table, summary=study.summary(), files=files,
                show=lambda: print_phases(study, title=f"{world.name} — deployment phases"),
            )  # fmt: skip

        run_and_save(
            study="phases", scenario=scenario, world=world, cases=cases, trials=trials,
            seed=seed, executor=executor, workers=workers, scheduler=scheduler,
            out_dir=out_dir, as_json=as_json, analyse=analyse, phases=names,
        )  # fmt: skip
