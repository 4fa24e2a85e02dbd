"""``shieldwall demo``: the flagship Korea–Japan scenario — validate it, then compare policies.

Loads ``examples/korea_japan.yaml`` (shipped with the package), shows what it contains and runs
the central study: the four preset sharing policies on the same raid and the same random numbers,
with 95% intervals. About 30 s on a 2-core machine, most of it flight, sensing and tracking.
"""

from __future__ import annotations

from typing import Annotated

import typer

from shieldwall.cli._common import err, out, print_problem
from shieldwall.cli.compare import print_comparison
from shieldwall.cli.run import progress_callback
from shieldwall.cli.scenario import print_summary
from shieldwall.examples import example_names, example_path
from shieldwall.scenario import compile_world, load_scenario
from shieldwall.scenario.summary import summarize
from shieldwall.studies.compare import compare

__all__ = ["DEMO_TRIALS", "register"]

#: Trials per policy in the demo (the Monte Carlo itself takes well under a second of it).
DEMO_TRIALS = 10_000


def register(app: typer.Typer) -> None:
    """Add ``demo`` to the CLI."""

    @app.command()
    def demo(
        example: Annotated[
            str,
            typer.Option("--example", help=f"Shipped example: {', '.join(example_names())}."),
        ] = "korea_japan",
        trials: Annotated[
            int, typer.Option("--trials", "-n", help="Trials per policy.")
        ] = DEMO_TRIALS,
        force: Annotated[
            bool,
            typer.Option(
                "--force",
                help="Run even if the resource guard estimates more memory than is available "
                "or more than a day.",
            ),
        ] = False,
    ) -> None:
        """Show the flagship scenario and compare the four sharing policies on its raid."""
        try:
            path = example_path(example)
        except KeyError as exc:
            from shieldwall.errors import ScenarioError

            raise ScenarioError(str(exc.args[0])) from None
        scenario = load_scenario(path)
        for problem in scenario.warnings:
            print_problem(problem)
        print_summary(summarize(scenario))
        world = compile_world(scenario)
        out.print()
        with progress_callback() as progress:
            result = compare(world, trials=trials, progress=progress, force=force)
        print_comparison(result, title=f"{world.name} — phase {world.phase}")
        err.print(
            f"demo finished in {result.elapsed_s:.1f} s. Next: [bold]shieldwall compare "
            f"examples/{example_path(example).name} --policies national,tisa_2014[/bold], "
            "[bold]shieldwall run FILE --policy integrated[/bold]",
            markup=True,
        )
