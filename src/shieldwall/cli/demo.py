"""``shieldwall demo``: the flagship Korea–Japan scenario, validated and summarised.

(The battle stage will make this run the policy comparison; for now it shows the scenario.)
"""

from __future__ import annotations

from typing import Annotated

import typer

from shieldwall.cli._common import out, print_problem
from shieldwall.cli.scenario import print_summary
from shieldwall.examples import example_names, example_path
from shieldwall.scenario import load_scenario
from shieldwall.scenario.summary import summarize

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    """Add ``demo`` to the CLI."""

    @app.command()
    def demo(
        example: Annotated[
            str,
            typer.Option("--example", help=f"Shipped example: {', '.join(example_names())}."),
        ] = "korea_japan",
    ) -> None:
        """Load the flagship example scenario and show what it contains."""
        try:
            path = example_path(example)
        except KeyError as exc:
            from shieldwall.errors import ScenarioError

            raise ScenarioError(str(exc.args[0])) from None
        scenario = load_scenario(path)
        for problem in scenario.warnings:
            print_problem(problem)
        print_summary(summarize(scenario))
        out.print(
            "\nNext: [bold]shieldwall validate examples/*.yaml[/bold], "
            "[bold]shieldwall schema[/bold]",
            markup=True,
        )
