"""``shieldwall export RUN --format czml|kml|geojson``: one logged trial of a run, for maps."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from shieldwall.cli._common import err, print_json
from shieldwall.io.export import FORMATS, export_run
from shieldwall.io.run_folder import read_run

__all__ = ["find_run", "register"]


def find_run(run: str, root: Path) -> Path:
    """A run given as a folder path, or as a run id under ``root``."""
    path = Path(run)
    if not path.is_dir() and (root / run).is_dir():
        return root / run
    return path


def register(app: typer.Typer) -> None:
    """Add ``export``."""

    @app.command(name="export")
    def export_cmd(
        run: Annotated[str, typer.Argument(help="Run folder (or run id under --root).")],
        fmt: Annotated[
            str, typer.Option("--format", "-f", help=f"One of: {', '.join(FORMATS)}.")
        ] = "czml",
        out_file: Annotated[
            Path | None,
            typer.Option(
                "--out",
                "-o",
                help="File to write (default: <run>-<policy>-t<trial>.<format> here).",
            ),
        ] = None,
        policy: Annotated[
            str | None,
            typer.Option("--policy", help="Policy of a compare run (default: the first)."),
        ] = None,
        trial: Annotated[int, typer.Option("--trial", help="Logged trial to show (0-based).")] = 0,
        force: Annotated[bool, typer.Option("--force", help="Overwrite the file.")] = False,
        root: Annotated[Path, typer.Option("--root", help="Runs folder for run ids.")] = Path(
            "runs"
        ),
        as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    ) -> None:
        """Export trajectories, engagements, leakers, assets, units and radar coverage of one trial.

        CZML plays in Cesium (and `shieldwall serve`), KML in Google Earth, GeoJSON in GIS tools.
        """
        if fmt not in FORMATS:
            from shieldwall.io.scene import ExportError

            raise ExportError(f"unknown export format {fmt!r}; formats: {', '.join(FORMATS)}")
        record = read_run(find_run(run, root))
        pol = policy or record.policies[0]
        name = f"{record.path.name if record.path else 'run'}-{pol}-t{trial}{FORMATS[fmt]}"
        target = out_file or Path(name)
        written = export_run(record, fmt, target, policy=policy, trial=trial, overwrite=force)
        if as_json:
            print_json({"file": str(written), "format": fmt, "policy": pol, "trial": trial})
            return
        err.print(f"wrote {written}", markup=False)
