"""``shieldwall report RUN|STUDY -o report.html [--pdf]``: a self-contained report for people."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from shieldwall.cli._common import err, print_json
from shieldwall.cli.export import find_run

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    """Add ``report``."""

    @app.command(name="report")
    def report_cmd(
        run: Annotated[str, typer.Argument(help="Run or study folder (or run id under --root).")],
        out_file: Annotated[Path, typer.Option("--out", "-o", help="HTML file to write.")] = Path(
            "report.html"
        ),
        pdf: Annotated[bool, typer.Option("--pdf", help="Also write the PDF (same name).")] = False,
        force: Annotated[bool, typer.Option("--force", help="Overwrite the files.")] = False,
        root: Annotated[Path, typer.Option("--root", help="Runs folder for run ids.")] = Path(
            "runs"
        ),
        as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    ) -> None:
        """Headline numbers with intervals, theater map, where leakers fall, per-asset survival,
        study curves and the provenance (every catalog value used, with its source)."""
        from shieldwall.io.run_folder import read_folder
        from shieldwall.report import write_report

        record = read_folder(find_run(run, root))
        written = write_report(record, out_file, pdf=pdf, overwrite=force)
        if as_json:
            print_json({"files": [str(p) for p in written]})
            return
        for path in written:
            err.print(f"wrote {path}", markup=False)
