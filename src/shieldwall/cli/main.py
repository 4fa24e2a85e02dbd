"""Entry point of the ``shieldwall`` command.

Each command group lives in its own module and registers itself on :data:`app`; this module
only assembles them and turns user errors into exit code 2 without a traceback.
"""

from __future__ import annotations

import importlib
import sys

import typer

from shieldwall import __version__
from shieldwall.cli._common import EXIT_BAD_INPUT, err, report_error
from shieldwall.errors import ShieldwallError

app = typer.Typer(
    name="shieldwall",
    help="Simulate and analyse cooperative regional ballistic missile defense.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"shieldwall {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """shieldwall: how much better is a region defended when allies work together?"""


#: Which module defines each top-level command. Only the module of the command being run is
#: imported, so a quick question (``shieldwall fly``) does not pay for importing the Monte Carlo
#: stack; ``--help`` and unknown commands import them all.
COMMAND_MODULES: dict[str, str] = {
    "validate": "scenario",
    "schema": "scenario",
    "catalog": "catalog",
    "fly": "fly",
    "detect": "detect",
    "wta": "wta",
    "run": "run",
    "compare": "compare",
    "runs": "runs",
    "export": "export",
    "report": "report",
    "serve": "serve",
    "demo": "demo",
}
_registered: set[str] = set()


def _register(argv: list[str] | None = None) -> None:
    """Import the command modules needed for ``argv`` (all of them when in doubt)."""
    first = next((a for a in (argv or []) if not a.startswith("-")), None)
    wanted = [COMMAND_MODULES[first]] if first in COMMAND_MODULES else COMMAND_MODULES.values()
    for name in dict.fromkeys(wanted):
        if name not in _registered:
            module = importlib.import_module(f"shieldwall.cli.{name}")
            module.register(app)
            _registered.add(name)


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the exit code (0 ok, 1 failure, 2 bad input)."""
    args = sys.argv[1:] if argv is None else argv
    _register(args)
    try:
        result = app(args=args, standalone_mode=False)
    except ShieldwallError as exc:
        return report_error(exc)
    except typer.Exit as exc:
        return int(exc.exit_code or 0)
    except typer.Abort:
        err.print("aborted")
        return 1
    except KeyboardInterrupt:
        err.print("interrupted")
        return 130
    except Exception as exc:  # click usage errors carry their own exit code
        import click

        if isinstance(exc, click.ClickException):
            exc.show()
            return int(exc.exit_code)
        raise
    return result if isinstance(result, int) else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

__all__ = ["EXIT_BAD_INPUT", "app", "main"]
