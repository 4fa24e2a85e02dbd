"""Entry point of the ``shieldwall`` command.

Each command group lives in its own module and registers itself on :data:`app`; this module
only assembles them and turns user errors into exit code 2 without a traceback.
"""

from __future__ import annotations

import errno
import importlib
import os
import sys

import typer

from shieldwall import __version__
from shieldwall.cli._common import EXIT_BAD_INPUT, err, esc, report_error
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
    "attribute": "attribute",
    "phases": "phases",
    "footprint": "footprint",
    "sweep": "sweep",
    "uncertainty": "uncertainty",
    "site": "site",
    "design": "design",
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
    """Run the CLI; returns the exit code (0 ok, 1 failure, 2 bad input).

    Every way a user can get the command line wrong ends here with a message and an exit code,
    never a traceback: usage errors (typer's own message, exit 2), bad input
    (:class:`~shieldwall.errors.ShieldwallError`, exit 2), output that cannot be written
    (a closed pipe, a full disk: exit 1), memory exhausted (exit 1), Ctrl-C (exit 130).
    """
    args = sys.argv[1:] if argv is None else argv
    try:
        _register(args)
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
    except typer.TyperException as exc:  # usage errors: typer's vendored click exceptions
        return _usage_error(exc)
    except BrokenPipeError:  # `shieldwall catalog list | head`: the reader left; not an error
        _silence_stdout()
        return 1
    except MemoryError:
        err.print(
            "[bold red]error[/bold red]: out of memory; use fewer --trials or a smaller raid "
            "(the resource estimate that let this run start was too low: please report it)"
        )
        return 1
    except OSError as exc:
        if _is_output_error(exc):
            _silence_stdout()
            err.print(f"[bold red]error[/bold red]: cannot write the output: {esc(exc.strerror)}")
            return 1
        raise
    return result if isinstance(result, int) else 0


def _usage_error(exc: typer.TyperException) -> int:
    """Print a click usage error the way typer does in standalone mode; its exit code (2)."""
    if type(exc).__name__ != "NoArgsIsHelpError":  # the help text is printed already
        show = getattr(exc, "show", None)
        if callable(show):
            show()
        else:
            err.print(f"Error: {esc(exc.message)}")
    return int(getattr(exc, "exit_code", EXIT_BAD_INPUT))


def _is_output_error(exc: OSError) -> bool:
    """Writing stdout/stderr failed (full disk, closed descriptor), not reading an input."""
    return exc.filename is None and exc.errno in (errno.ENOSPC, errno.EPIPE, errno.EBADF, errno.EIO)


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush does not fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # no real descriptor (captured output in tests)
        pass


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

__all__ = ["EXIT_BAD_INPUT", "app", "main"]
