"""``shieldwall footprint FILE``: the defended area against one missile type from one launch."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich import box
from rich.table import Table

from shieldwall.cli._common import err, esc, print_json, print_table
from shieldwall.cli._study import (
    ExecutorOpt,
    JsonOpt,
    OutOpt,
    PhaseOpt,
    SchedulerOpt,
    WorkersOpt,
    split_names,
)
from shieldwall.cli.run import progress_callback
from shieldwall.io.basemap import AssetsMissing
from shieldwall.io.footprint import footprint_geojson_bytes
from shieldwall.io.index import index_run
from shieldwall.io.run_folder import prepare_out_folder, write_study_folder
from shieldwall.io.runner import default_out
from shieldwall.io.territory import territory_or_warn
from shieldwall.report.figures import footprint_map, png
from shieldwall.scenario import load_scenario
from shieldwall.studies.footprint import DEFAULT_GRID, DEFAULT_POLICIES, Footprint, footprint

__all__ = ["print_footprint", "register"]


def print_footprint(fp: Footprint) -> None:
    """One row per policy: defended area, cells, opportunities and P(no leak) of a lone threat."""
    r, c = fp.grid.shape
    s = fp.summary()
    table = Table(
        title=esc(f"{fp.world.name} ({fp.world.phase}) — footprint: one {fp.missile} from "
                  f"{fp.launch}"),
        box=box.SIMPLE_HEAD,
        caption=(
            f"{r}x{c} cells, {s['cells_in_range']:,} within the missile's reach "
            f"({s['in_range_area_km2']:,.0f} km²); {fp.elapsed_s:.1f} s. Each cell: one threat "
            "aimed there, alone; P(no leak) from the doctrine's shoot-look-shoot chain "
            "(docs/studies.md, footprint)."
        ),
        caption_justify="left",
    )  # fmt: skip
    for col in ("policy", "defended area km²", "% of reach", "cells", "mean opportunities",
                "mean P(no leak) in reach"):  # fmt: skip
        table.add_column(col, justify="left" if col == "policy" else "right")
    reach = max(s["in_range_area_km2"], 1e-9)
    for row in s["policies"]:
        mean_p = row["mean_p_no_leak_in_range"]
        table.add_row(
            esc(row["policy"]), f"{row['defended_area_km2']:,.0f}",
            f"{100 * row['defended_area_km2'] / reach:.1f}", f"{row['engageable_cells']:,}",
            f"{row['mean_opportunities_engageable']:.2f}",
            "—" if mean_p is None else f"{mean_p:.3f}",
        )  # fmt: skip
    print_table(table)


def register(app: typer.Typer) -> None:
    """Add ``footprint`` to the CLI."""

    @app.command(name="footprint")
    def footprint_cmd(
        file: Annotated[Path, typer.Argument(help="Scenario YAML file.")],
        launch: Annotated[
            str,
            typer.Option(
                "--launch",
                help="Launch point: LAT,LON in degrees, a launch area id (its centre) or a salvo "
                "id (its first launch point).",
            ),
        ],
        missile: Annotated[
            str, typer.Option("--missile", help="Missile type (scenario or catalog name).")
        ],
        region: Annotated[
            str | None,
            typer.Option("--region", help="S,W,N,E in degrees (default: a box around the assets)."),
        ] = None,
        grid: Annotated[
            str | None,
            typer.Option(
                "--grid",
                help=f"NxM cells, rows of latitude x columns of longitude (default "
                f"{DEFAULT_GRID[0]}x{DEFAULT_GRID[1]}).",
            ),
        ] = None,
        spacing_km: Annotated[
            float | None,
            typer.Option("--spacing-km", help="Cells about this size instead of --grid. [km]"),
        ] = None,
        policies: Annotated[
            list[str] | None,
            typer.Option(
                "--policies",
                "-p",
                help="Policies (comma-separated or repeated); "
                f"default: {','.join(DEFAULT_POLICIES)}.",
            ),
        ] = None,
        phase: PhaseOpt = None,
        executor: ExecutorOpt = "pool",
        workers: WorkersOpt = None,
        scheduler: SchedulerOpt = None,
        out_dir: OutOpt = None,
        as_json: JsonOpt = False,
    ) -> None:
        """The defended area: per grid cell and policy, whether a threat aimed there can be
        engaged, its shoot-look-shoot opportunities, by which batteries, and P(no leak)."""
        scenario = load_scenario(file)
        target = prepare_out_folder(out_dir) if out_dir is not None else None
        territory = territory_or_warn(lambda line: err.print(esc(line)))
        with progress_callback(enabled=not as_json) as update:
            fp = footprint(
                scenario, launch=launch, missile=missile, region=region, grid=grid,
                spacing_km=spacing_km, policies=split_names(policies) or None, phase=phase,
                executor=scheduler or executor, workers=workers,
                progress=None if update is None else (lambda d, t, w: update(w, d, t)),
                territory=territory,
            )  # fmt: skip
        if target is None:
            target = prepare_out_folder(default_out(fp.world, "footprint"))
        info = {
            "scenario": scenario.name,
            "scenario_hash": fp.world.scenario_hash,
            "phases": [fp.world.phase],
            "argv": sys.argv[1:],
            "meta": {
                "elapsed_s": fp.elapsed_s,
                "executor": scheduler or executor,
                "cells": fp.grid.n_cells,
            },
            "summary": fp.summary(),
        }
        files = {"footprint.geojson": footprint_geojson_bytes(fp)}
        try:
            files["footprint.png"] = png(footprint_map(fp))
        except AssetsMissing as exc:  # the map needs the borders; the results do not
            err.print(f"warning: no footprint.png ({esc(exc)})")
        folder = write_study_folder(
            target, study="footprint", results=fp.table, info=info, files=files, final=target
        )
        try:
            index_run(folder)
        except Exception as exc:  # the folder is kept; the index can be rebuilt
            err.print(f"warning: run index not updated ({esc(exc)})")
        if as_json:
            print_json({**fp.summary(), "folder": str(folder)})
        else:
            print_footprint(fp)
            err.print(f"study folder: {esc(folder)} ({fp.elapsed_s:.1f} s)")
