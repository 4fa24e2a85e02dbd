"""``shieldwall wta solve``: solve a standalone static weapon-target assignment instance."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated

import typer

from shieldwall.battle.wta import SOLVERS, WTAError, read_instance, solve
from shieldwall.cli._common import esc, out, print_json

wta_app = typer.Typer(
    name="wta",
    help="Weapon-target assignment on standalone instances (benchmark format).",
    no_args_is_help=True,
)


def _number(value: float) -> float | None:
    return None if math.isnan(value) else value


@wta_app.command("solve")
def solve_command(
    file: Annotated[
        Path,
        typer.Argument(help="Instance file: 'm n mu', n target values, m*n lines 'i j p'."),
    ],
    solver: Annotated[
        str, typer.Option("--solver", help=f"Solver: {' | '.join(SOLVERS)}.")
    ] = "heuristic",
    time_limit: Annotated[
        float | None,
        typer.Option("--time-limit", help="Time limit of the exact solver [s]; none by default."),
    ] = None,
    as_json: Annotated[
        bool,
        typer.Option(
            "--json", help="Print JSON: objective, bound, gap, time_s, status, solver, x."
        ),
    ] = False,
) -> None:
    """Solve a static WTA instance; print objective, proven bound, gap and time."""
    if solver not in SOLVERS:
        raise WTAError(f"unknown solver {solver!r}; valid solvers: {', '.join(SOLVERS)}")
    problem = read_instance(file)
    result = solve(problem, solver=solver, time_limit_s=time_limit)
    if as_json:
        print_json(
            {
                "objective": result.objective,
                "bound": _number(result.bound),
                "gap": _number(result.gap),
                "time_s": result.time_s,
                "status": result.status,
                "solver": result.solver,
                "x": result.x,
            }
        )
        return
    bound = "n/a" if math.isnan(result.bound) else f"{result.bound:.9g}"
    gap = "n/a" if math.isnan(result.gap) else f"{100.0 * result.gap:.4g} %"
    size = f"{problem.n_weapons} weapons x {problem.n_targets} targets"
    out.print(f"instance   {esc(file)}  ({size})")
    out.print(f"solver     {result.solver}  ({result.status})")
    out.print(f"objective  {result.objective:.9g}")
    out.print(f"bound      {bound}")
    out.print(f"gap        {gap}")
    out.print(f"time       {result.time_s:.3f} s")


def register(app: typer.Typer) -> None:
    """Add the ``wta`` command group to the ``shieldwall`` app."""
    app.add_typer(wta_app)
