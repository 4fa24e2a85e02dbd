"""``shieldwall uncertainty FILE``: two-level Monte Carlo over uncertain inputs, and a tornado."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

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
from shieldwall.studies.sweep import parse_range
from shieldwall.studies.uncertainty import (
    DEFAULT_CATALOG_KEYS,
    Uncertainty,
    catalog_inputs,
    uncertainty_cases,
)

__all__ = ["print_uncertainty", "register"]


def _m(metric: str, x: float) -> str:
    return f"{100 * x:.1f}%" if metric == "p_zero_leak" else f"{x:.2f}"


def print_uncertainty(result: Uncertainty, top: int = 8) -> None:
    """The spread per policy and metric, then the tornado's largest swings."""
    s = result.summary()
    t = Table(
        box=box.SIMPLE_HEAD,
        caption=f"{s['samples']} input samples x {s['trials']:,} trials (seed {s['seed']}), "
        f"{len(s['inputs'])} inputs. sd inputs: spread due to the inputs (a lower bound: common "
        "random numbers); sd sampling: of one sample's mean.",
        caption_justify="left",
    )
    for col in ("policy", "metric", "nominal", "mean over inputs", "5–95% over inputs",
                "sd inputs", "sd sampling"):  # fmt: skip
        t.add_column(col, justify="left" if col in ("policy", "metric") else "right", no_wrap=True)
    for r in s["spread"]:
        m = r["metric"]
        t.add_row(
            esc(r["policy"]), m, _m(m, r["nominal"][0]), _m(m, r["mean_over_inputs"][0]),
            f"{_m(m, r['p05'])} – {_m(m, r['p95'])}", _m(m, r["sd_inputs"]),
            _m(m, r["sd_sampling"]),
        )  # fmt: skip
    print_table(t)
    if not s["tornado"]:
        return
    tt = Table(box=box.SIMPLE_HEAD, title="tornado (high − low, others nominal; paired 95%)")
    for col in ("policy", "metric", "rank", "input", "low", "high", "swing"):
        tt.add_column(col, no_wrap=True)
    for r in s["tornado"]:
        if r["rank"] > top:
            continue
        m = r["metric"]
        v, lo, hi = r["swing"]
        tt.add_row(
            esc(r["policy"]), m, str(r["rank"]), esc(r["input"]), _m(m, r["low"]),
            _m(m, r["high"]), f"{_m(m, v)} ({_m(m, lo)} to {_m(m, hi)})",
        )  # fmt: skip
    print_table(tt)


def register(app: typer.Typer) -> None:
    """Add ``uncertainty`` to the CLI."""

    @app.command(name="uncertainty")
    def uncertainty_cmd(
        file: Annotated[Path, typer.Argument(help="Scenario YAML file.")],
        inputs: Annotated[
            list[str] | None,
            typer.Option(
                "--inputs",
                help="KEY=lo:hi, an uncertain input (any numeric override key; repeat). Default: "
                "the catalog ranges of --catalog-keys of every type the scenario uses.",
            ),
        ] = None,
        catalog_keys: Annotated[
            list[str] | None,
            typer.Option(
                "--catalog-keys",
                help=f"Catalog keys whose ranges are the inputs when --inputs is not given; "
                f"default: {','.join(DEFAULT_CATALOG_KEYS)}.",
            ),
        ] = None,
        samples: Annotated[
            int, typer.Option("--samples", "-m", help="Outer input samples (Latin hypercube).")
        ] = 32,
        tornado: Annotated[
            bool, typer.Option("--tornado/--no-tornado", help="Each input at its low and high end.")
        ] = True,
        policies: Annotated[
            list[str] | None,
            typer.Option(
                "--policies",
                "-p",
                help=f"Policies fought; default: {','.join(DEFAULT_POLICIES)}.",
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
        """Two-level Monte Carlo: input samples (outer) x trials (inner); the spread of each
        metric due to the inputs beside the sampling interval, and a tornado ranking."""
        scenario = load_scenario(file)
        world = compile_world(scenario, phase=phase)
        given = {
            k: (lo, hi) for k, lo, hi, _ in (parse_range(t, points=False) for t in inputs or ())
        }
        ins = given or catalog_inputs(world, split_names(catalog_keys) or DEFAULT_CATALOG_KEYS)
        pols = split_names(policies) or list(DEFAULT_POLICIES)
        check_names(pols, "policies", world.policies, what="policy")
        root = world.seed if seed is None else seed
        cases = uncertainty_cases(scenario, ins, pols, samples=samples, seed=root,
                                  tornado=tornado, phase=phase)  # fmt: skip

        def analyse(run: StudyRun) -> StudyOutput:
            from shieldwall.report.figures import png, tornado_chart

            result = Uncertainty(run=run, inputs=ins, samples=samples)
            files = {}
            fig = tornado_chart(result.tornado(), "p_zero_leak")
            if fig is not None:
                files["tornado.png"] = png(fig)
            return StudyOutput(
                results=result.table, summary=result.summary(),
                show=lambda: print_uncertainty(result), files=files,
            )  # fmt: skip

        run_and_save(
            study="uncertainty", scenario=scenario, world=world, cases=cases, trials=trials,
            seed=seed, executor=executor, workers=workers, scheduler=scheduler,
            out_dir=out_dir, as_json=as_json, analyse=analyse,
        )  # fmt: skip
