"""Shared CLI plumbing: consoles, JSON output, turning user errors into exit code 2.

User text (scenario names, ids, file names, messages quoting input) is printed through
:func:`esc`: rich would otherwise read ``[/b]`` in a name as markup (and fail on it) and
``:100:`` as an emoji code. The consoles never render emoji codes.
"""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.markup import escape

from shieldwall.errors import Problem, ShieldwallError

if TYPE_CHECKING:  # imported where used: quick commands (`fly`) print no tables
    from rich.table import Table

    from shieldwall.resources import ResourceEstimate

#: Normal output (tables, summaries) goes to stdout.
out = Console(highlight=False, soft_wrap=True, emoji=False)
#: Problems and progress go to stderr so ``--json`` stdout stays machine-readable.
err = Console(stderr=True, highlight=False, soft_wrap=True, emoji=False)

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_BAD_INPUT = 2


def esc(text: object) -> str:
    """``text`` as rich markup that prints literally (``[`` escaped); use on all user text."""
    return escape(str(text))


def _default(obj: Any) -> Any:
    import numpy as np

    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    raise TypeError(f"not JSON serialisable: {type(obj).__name__}")


def print_json(data: Any) -> None:
    """Print one JSON document on stdout (plain, no rich markup)."""
    sys.stdout.write(json.dumps(data, default=_default, indent=2) + "\n")
    sys.stdout.flush()


def print_table(table: Table) -> None:
    """Print a table on stdout; to a pipe or file as wide as it needs (rich truncates to 80)."""
    from rich.measure import Measurement

    if out.is_terminal:
        out.print(table)
        return
    needed = Measurement.get(out, out.options.update_width(400), table).maximum
    Console(highlight=False, soft_wrap=True, emoji=False, width=max(out.width, needed)).print(table)


def print_estimate(estimate: ResourceEstimate, as_json: bool) -> None:
    """The resource guard's estimate beside what this process may use (``--estimate``)."""
    from shieldwall.resources import available_memory_bytes

    available = available_memory_bytes()
    if as_json:
        print_json({**estimate.as_dict(), "available_bytes": available})
        return
    room = "unknown" if available == float("inf") else f"{available / 1e9:.1f} GB"
    out.print(f"estimate: {esc(estimate.summary())}; this process may use {room}")


def print_problem(problem: Problem) -> None:
    style = "bold red" if problem.severity == "error" else "bold yellow"
    where = f"{esc(problem.where)}: " if problem.where else ""
    path = f"[bold]{esc(problem.path)}[/bold]: " if problem.path else ""
    err.print(f"{where}[{style}]{problem.severity}[/{style}]: {path}{esc(problem.message)}")


def report_error(exc: ShieldwallError) -> int:
    """Print a user error (all its problems) on stderr and return the exit code to use."""
    if exc.problems:
        for problem in exc.problems:
            print_problem(problem)
        head = str(exc.args[0]) if exc.args else ""
        if len(exc.problems) == 1 and exc.problems[0].message in head:
            return exc.exit_code  # the one problem said it all
        n_err = sum(p.severity == "error" for p in exc.problems)
        err.print(f"[red]{esc(head)}[/red] ({n_err} error{'s' if n_err != 1 else ''})")
    else:
        err.print(f"[bold red]error[/bold red]: {esc(exc.args[0] if exc.args else exc)}")
    return exc.exit_code
