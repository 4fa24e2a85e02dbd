"""``shieldwall runs``: the run database — list, show, query (SQL) and rebuild the index."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from shieldwall.cli._common import err, esc, out, print_json, print_table
from shieldwall.io.index import list_runs, query_index, rebuild_index, show_run

if TYPE_CHECKING:
    import pandas as pd

runs_app = typer.Typer(
    name="runs",
    help="The run database: an index of the run folders under a root folder (default runs/).",
    no_args_is_help=True,
)

_ROOT = typer.Option("--root", help="Folder holding the run folders and index.duckdb.")


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = json.loads(
        frame.to_json(orient="records", date_format="iso", default_handler=str)
    )
    return data


def _print_frame(frame: pd.DataFrame, title: str) -> None:
    from rich import box
    from rich.table import Table

    table = Table(title=esc(title), box=box.SIMPLE_HEAD)
    for col in frame.columns:
        table.add_column(esc(col), overflow="fold")
    for row in frame.itertuples(index=False):
        table.add_row(*(esc(_cell(v)) for v in row))  # names from scenarios: not markup
    print_table(table)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple) or hasattr(value, "tolist"):
        items = value.tolist() if hasattr(value, "tolist") else value
        if isinstance(items, list):
            return ", ".join(str(v) for v in items)
    return str(value)


def _split(run: str, root: Path) -> tuple[Path, str]:
    """A run given as a folder path names its own root."""
    path = Path(run)
    if path.is_dir() and (path / "run.json").is_file():
        return path.parent, path.name
    return root, run


@runs_app.command("list")
def list_cmd(
    root: Annotated[Path, _ROOT] = Path("runs"),
    limit: Annotated[int, typer.Option("--limit", min=1, help="Most rows shown.")] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List the runs, newest first (rebuilds the index from the folders if it is missing)."""
    frame = list_runs(root, limit=limit)
    if as_json:
        print_json(_records(frame))
        return
    if frame.empty:
        err.print(f"no runs under {root}", markup=False)
        return
    _print_frame(frame, f"runs under {root}")


@runs_app.command("show")
def show_cmd(
    run: Annotated[str, typer.Argument(help="Run id (folder name) or run folder path.")],
    root: Annotated[Path, _ROOT] = Path("runs"),
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Show one run's index entry and metrics."""
    base, run_id = _split(run, root)
    data = show_run(base, run_id)
    if as_json:
        print_json(data)
        return
    import pandas as pd

    for key, value in data["run"].items():
        out.print(f"{key}: {value}", markup=False)
    if data["metrics"]:
        _print_frame(pd.DataFrame(data["metrics"]).drop(columns="run_id"), "metrics")
    if data["asset_survival"]:
        frame = pd.DataFrame(data["asset_survival"]).drop(columns="run_id")
        _print_frame(frame, "asset survival")


@runs_app.command("query")
def query_cmd(
    sql: Annotated[str, typer.Argument(help="SQL on the tables runs, metrics, asset_survival.")],
    root: Annotated[Path, _ROOT] = Path("runs"),
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Run a read-only SQL query on the index (docs/results.md lists its tables)."""
    frame = query_index(root, sql)
    if as_json:
        print_json(_records(frame))
        return
    _print_frame(frame, "")


@runs_app.command("rebuild")
def rebuild_cmd(
    root: Annotated[Path, typer.Argument(help="Folder holding the run folders.")] = Path("runs"),
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Recreate the index from the run folders."""
    if not root.is_dir():
        from shieldwall.io.errors import fail

        raise fail(root, "no such runs folder")
    n = rebuild_index(root)
    if as_json:
        print_json({"root": str(root), "runs": n})
        return
    err.print(f"indexed {n} run folder{'s' if n != 1 else ''} under {root}", markup=False)


def register(app: typer.Typer) -> None:
    """Add the ``runs`` command group."""
    app.add_typer(runs_app, name="runs")
