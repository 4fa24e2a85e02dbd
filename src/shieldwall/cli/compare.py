"""``shieldwall compare FILE``: the central table — one row per sharing policy."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import numpy as np
import typer
from rich import box
from rich.table import Table

from shieldwall.cli._common import err, esc, out, print_estimate, print_json, print_table
from shieldwall.cli._doctrine import DoctrineFlags, doctrine_options
from shieldwall.cli._study import split_names
from shieldwall.cli.run import default_out, load, progress_callback, save_record
from shieldwall.io.record import record_comparison
from shieldwall.io.run_folder import prepare_out_folder
from shieldwall.pipeline import workers_for
from shieldwall.resources import estimate_resources
from shieldwall.studies.compare import DEFAULT_POLICIES, Comparison, compare

__all__ = ["print_comparison", "register"]


def _pct(p: float, ci: tuple[float, float]) -> str:
    return f"{100 * p:.1f}% ({100 * ci[0]:.1f}–{100 * ci[1]:.1f})"


def _num(x: float, ci: tuple[float, float]) -> str:
    return f"{x:.2f} ({ci[0]:.2f}–{ci[1]:.2f})"


def _delta_pct(d: float, ci: tuple[float, float]) -> str:
    return f"{100 * d:+.1f} ({100 * ci[0]:+.1f} to {100 * ci[1]:+.1f})"


def _delta(d: float, ci: tuple[float, float]) -> str:
    return f"{d:+.2f} ({ci[0]:+.2f} to {ci[1]:+.2f})"


def _musd(x: float, ci: tuple[float, float]) -> str:
    """USD as $M with its interval; an unknown (unpriced) cost is said, not shown as 0."""
    if not np.isfinite(x):
        return "unpriced"
    return f"{x / 1e6:,.0f} ({ci[0] / 1e6:,.0f}–{ci[1] / 1e6:,.0f})"


def _per_leaker(x: float, ci: tuple[float, float]) -> str:
    """Extra interceptor $M per leaker avoided; said when it is undefined."""
    if not np.isfinite(x):
        return "n/a"
    return f"{x / 1e6:,.1f} ({ci[0] / 1e6:,.1f}–{ci[1] / 1e6:,.1f})"


def _ratio(x: float, ci: tuple[float, float]) -> str:
    if not np.isfinite(x):
        return "unpriced"
    return f"{x:.2f} ({ci[0]:.2f}–{ci[1]:.2f})"


#: The table needs about this many columns; wider than a default 80-column pipe.


def print_comparison(comparison: Comparison, title: str = "") -> None:
    """Print the comparison table (95% intervals; differences are paired, common random numbers)."""
    c = comparison
    table = Table(
        title=esc(title) if title else None,
        box=box.SIMPLE_HEAD,
        caption=(
            f"{c.trials:,} trials per policy (seed {c.seed}), solver {esc(c.solver)}, "
            f"{esc(c.tracking_mode)} tracking, {c.elapsed_s:.1f} s. (…) = 95% intervals; "
            f"Δ = paired difference from {esc(c.baseline)} on the same random numbers."
        ),
        caption_justify="left",
    )
    table.add_column("policy", style="bold", no_wrap=True)
    table.add_column("P(zero leakage)", justify="right", no_wrap=True)
    table.add_column(f"Δ vs {esc(c.baseline)} (pts)", justify="right", no_wrap=True)
    table.add_column("expected leakers", justify="right", no_wrap=True)
    table.add_column(f"Δ leakers vs {esc(c.baseline)}", justify="right", no_wrap=True)
    table.add_column("interceptors used", justify="right", no_wrap=True)
    table.add_column("interceptor $M/raid", justify="right", no_wrap=True)
    table.add_column("cost exchange", justify="right", no_wrap=True)
    table.add_column("$M per leaker avoided", justify="right", no_wrap=True)
    for r in c.rows:
        base = r.name == c.baseline
        table.add_row(
            esc(r.name),
            _pct(r.p_zero_leak, r.p_zero_leak_ci),
            "—" if base else _delta_pct(r.d_p_zero_leak, r.d_p_zero_leak_ci),
            _num(r.expected_leakers, r.expected_leakers_ci),
            "—" if base else _delta(r.d_expected_leakers, r.d_expected_leakers_ci),
            _num(r.interceptors_used, r.interceptors_used_ci),
            _musd(r.costs.interceptor_cost_usd, r.costs.interceptor_cost_usd_ci),
            _ratio(r.costs.cost_exchange_ratio, r.costs.cost_exchange_ratio_ci),
            "—" if base else _per_leaker(r.cost_per_leaker_avoided, r.cost_per_leaker_avoided_ci),
        )
    print_table(table)
    attack = c.rows[0].costs.attack_cost_usd
    unpriced = sorted({u for r in c.rows for u in r.costs.unpriced})
    line = (
        f"Attack cost ${attack / 1e6:,.0f}M per raid (missiles launched); cost exchange = "
        "interceptor cost / attack cost; per leaker avoided: paired against the baseline "
        "(n/a where no leaker is resolved as avoided or a cost is unpriced)."
        if np.isfinite(attack)
        else "Attack cost unknown (an unpriced missile type is launched)."
    )
    if unpriced:
        line += f" Unpriced, not counted as free: {esc(', '.join(unpriced))}."
    out.print(line)


def register(app: typer.Typer) -> None:
    """Add ``compare`` to the CLI."""

    @app.command(name="compare")
    @doctrine_options
    def compare_cmd(
        file: Annotated[Path, typer.Argument(help="Scenario YAML file.")],
        policies: Annotated[
            list[str] | None,
            typer.Option(
                "--policies",
                "-p",
                help=f"Policies to compare (comma-separated or repeated); "
                f"default: {','.join(DEFAULT_POLICIES)}.",
            ),
        ] = None,
        trials: Annotated[
            int | None, typer.Option("--trials", "-n", help="Trials per policy.")
        ] = None,
        seed: Annotated[int | None, typer.Option("--seed", help="Root random seed.")] = None,
        phase: Annotated[
            str | None, typer.Option("--phase", help="Deployment phase (name or 0-based index).")
        ] = None,
        baseline: Annotated[
            str, typer.Option("--baseline", help="Policy differences are measured from.")
        ] = "national",
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
        """Compare sharing policies on one raid: P(zero leakage), leakers, interceptors used.

        Writes a run folder with every policy's tables (docs/results.md)."""
        scenario, world = load(file, phase)
        world = doctrine.apply(world)
        if estimate:
            names = (split_names(policies) or None) or list(DEFAULT_POLICIES)
            n = len(set(names) | {baseline})
            k = world.trials if trials is None else trials
            print_estimate(
                estimate_resources(
                    world, k, policies=n, workers=workers_for(world, k), full_outcomes=False
                ),
                as_json,
            )
            return
        target = prepare_out_folder(out_dir or default_out(world, "compare"))  # refuse early
        with progress_callback(enabled=not as_json) as progress:
            result = compare(
                world,
                (split_names(policies) or None),
                trials,
                seed,
                baseline=baseline,
                progress=progress,
                force=force,
            )
        extra = {"command": "compare", "argv": sys.argv[1:]}
        folder = save_record(record_comparison(result, scenario=scenario, extra=extra), target)
        if as_json:
            print_json({"run_folder": str(folder), **result.as_dict()})
            return
        print_comparison(result, title=f"{world.name} — phase {world.phase}")
        err.print(
            f"compare finished in {result.elapsed_s:.1f} s; run folder: {folder}", markup=False
        )
