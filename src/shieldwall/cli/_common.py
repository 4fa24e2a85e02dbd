"""Shared CLI plumbing: consoles, JSON output, turning user errors into exit code 2."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Any

from rich.console import Console

from shieldwall.errors import Problem, ShieldwallError

if TYPE_CHECKING:  # imported where used: quick commands (`fly`) print no tables
    from rich.table import Table

#: Normal output (tables, summaries) goes to stdout.
out = Console(highlight=False, soft_wrap=True)
#: Problems and progress go to stderr so ``--json`` stdout stays machine-readable.
err = Console(stderr=True, highlight=False, soft_wrap=True)

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_BAD_INPUT = 2


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
    Console(highlight=False, soft_wrap=True, width=max(out.width, needed)).print(table)


def print_problem(problem: Problem) -> None:
    style = "bold red" if problem.severity == "error" else "bold yellow"
    where = f"{problem.where}: " if problem.where else ""
    path = f"[bold]{problem.path}[/bold]: " if problem.path else ""
    err.print(f"{where}[{style}]{problem.severity}[/{style}]: {path}{problem.message}", markup=True)


def report_error(exc: ShieldwallError) -> int:
    """Print a user error (all its problems) on stderr and return the exit code to use."""
    if exc.problems:
        for problem in exc.problems:
            print_problem(problem)
        n_err = sum(p.severity == "error" for p in exc.problems)
        err.print(f"[red]{exc.args[0]}[/red] ({n_err} error{'s' if n_err != 1 else ''})")
    else:
        err.print(f"[bold red]error[/bold red]: {exc.args[0] if exc.args else exc}")
    return exc.exit_code
