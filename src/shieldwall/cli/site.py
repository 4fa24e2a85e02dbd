"""``shieldwall site FILE --add TYPE --nation N --candidates …``: where k more units should go."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer
from rich import box
from rich.table import Table

from shieldwall.cli._common import esc, out, print_table
from shieldwall.cli._study import (
    ExecutorOpt,
    JsonOpt,
    OutOpt,
    PhaseOpt,
    SchedulerOpt,
    SeedOpt,
    StudyOutput,
    TrialsOpt,
    WorkersOpt,
    run_and_save,
)
from shieldwall.cli._study import (
    estimate_text as _e,
)
from shieldwall.cli._study import (
    musd_text as _musd,
)
from shieldwall.report.figures import png, site_map
from shieldwall.scenario import load_scenario
from shieldwall.studies.additions import AdditionError, add_units, unit_kind
from shieldwall.studies.engine import StudyRun
from shieldwall.studies.site import Site, SiteStudy, parse_candidates, site

__all__ = ["land_filter", "print_site", "register"]


def print_site(study: SiteStudy, title: str = "") -> None:
    """Print each greedy step: the chosen site, its gain (paired interval), the runner-up."""
    s = study.summary()
    table = Table(
        title=esc(title) if title else None,
        box=box.SIMPLE_HEAD,
        caption_justify="left",
        caption=(
            f"{study.run.trials:,} trials per case (seed {study.run.seed}), "
            f"{len(study.run.cases)} cases, {study.run.elapsed_s:.1f} s, "
            f"{esc(study.run.executor)}. gain = {esc(study.metric)} removed by adding the site "
            "to the previous steps' choice, paired on common random numbers (95% interval)."
        ),
    )
    for col in (
        "step",
        "chosen site",
        "lat, lon",
        "boresight",
        "gain",
        "runner-up",
        "runner-up gain",
        "cost $M",
    ):
        table.add_column(col, justify="left" if col in ("chosen site", "runner-up") else "right")
    for st in s["steps"]:
        best = st["candidates"][0]
        ru = st["candidates"][1] if len(st["candidates"]) > 1 else None
        table.add_row(
            str(st["step"]),
            esc(st["chosen"]),
            f"{best['lat_deg']:.2f}, {best['lon_deg']:.2f}",
            f"{best['boresight_az_deg']:g}°",
            _e(st["gain"], True),
            esc(ru["candidate"]) if ru else "—",
            _e(ru["gain"], True) if ru else "—",
            _musd(st["cost_usd"]),
        )
    print_table(table)
    out.print(
        f"{esc(study.metric)} ({esc(study.policy)}): {_e(s['baseline'])} → {_e(s['after'])}; "
        f"the {len(study.chosen)} unit(s) remove {_e(s['gain'], True)} for "
        f"${_musd(s['cost_usd'])}M (catalog costs, 2024 USD; sources in --json).",
        markup=False,
    )
    if study.exact:
        e = study.exact
        out.print(
            f"exact MILP on the surrogate picks {', '.join(e['chosen'])}: simulated "
            f"{_e(e['simulated'])}; greedy − exact = {_e(e['gap'], True)} (paired); surrogate "
            f"{e['surrogate_loss_greedy']:.3f} (greedy) vs {e['surrogate_loss']:.3f} (exact).",
            markup=False,
        )


def land_filter(sites: list[Site], *, on_land: bool) -> list[Site]:
    """The sites on land (``on_land``) or at sea, by the offline Natural Earth countries."""
    from shieldwall.io.basemap import country_index

    lat = np.array([s.lat_deg for s in sites], dtype=float)
    lon = np.array([s.lon_deg for s in sites], dtype=float)
    inside = country_index(lat, lon, "50m") >= 0
    return [s for s, ok in zip(sites, inside == on_land, strict=True) if ok]


def site_figure(study: SiteStudy) -> bytes:
    """The map of candidate sites and their step-1 gains (PNG)."""
    import pandas as pd

    world = study.run.case("baseline").world
    rows: dict[tuple[float, float], dict[str, Any]] = {}
    for cid, g in study.steps[0].items():
        a = study.candidate(cid)
        key = (a.lat_deg, a.lon_deg)
        r = rows.setdefault(
            key, {"lat_deg": a.lat_deg, "lon_deg": a.lon_deg, "gain": g[0], "step": 0}
        )
        r["gain"] = max(r["gain"], g[0])
    for s, cid in enumerate(study.chosen):
        a = study.candidate(cid)
        if rows[(a.lat_deg, a.lon_deg)]["step"] == 0:
            rows[(a.lat_deg, a.lon_deg)]["step"] = s + 1
    assets = pd.DataFrame(
        {
            "id": world.assets.id,
            "lat_deg": np.degrees(world.assets.lat_rad),
            "lon_deg": np.degrees(world.assets.lon_rad),
        }
    )
    fig = site_map(
        pd.DataFrame(list(rows.values())),
        assets,
        title=f"{world.name}: candidate sites, {study.metric} removed",
    )
    return png(fig)


def register(app: typer.Typer) -> None:
    """Add ``site`` to the CLI."""

    @app.command(name="site")
    def site_cmd(
        file: Annotated[Path, typer.Argument(help="Scenario YAML file.")],
        add: Annotated[
            str,
            typer.Option(
                "--add",
                help="Unit type to add: an interceptor "
                "(a battery or ship, loadout copied from a deployed one) or a radar "
                "type.",
            ),
        ],
        nation: Annotated[str, typer.Option("--nation", help="Nation that operates it.")],
        candidates: Annotated[
            str,
            typer.Option(
                "--candidates",
                help="A sites YAML file, "
                "grid:S,W,N,E,step_km or box:S,W,N,E[;S,W,N,E...] (a ship's "
                "patrol box: its centre).",
            ),
        ],
        k: Annotated[int, typer.Option("-k", help="How many units to site.")] = 1,
        policy: Annotated[str, typer.Option("--policy", help="Policy fought.")] = "integrated",
        metric: Annotated[
            str,
            typer.Option("--metric", help="expected_value_lost (value_lost) or expected_leakers."),
        ] = "expected_value_lost",
        exact: Annotated[
            bool,
            typer.Option(
                "--exact",
                help="Also solve the exact MILP on the "
                "surrogate and fight its pick (small instances).",
            ),
        ] = False,
        boresights: Annotated[
            str | None,
            typer.Option(
                "--boresights",
                help="Boresights to try "
                "at each site for a sector radar, comma-separated [deg] (default: "
                "toward the raid and ±half the sector).",
            ),
        ] = None,
        anywhere: Annotated[
            bool,
            typer.Option(
                "--anywhere",
                help="Keep grid points at sea for "
                "a ground unit (on land for a ship); by default a grid keeps only "
                "the right side of the coastline.",
            ),
        ] = False,
        phase: PhaseOpt = None,
        trials: TrialsOpt = None,
        seed: SeedOpt = None,
        executor: ExecutorOpt = "pool",
        workers: WorkersOpt = None,
        scheduler: SchedulerOpt = None,
        out_dir: OutOpt = None,
        as_json: JsonOpt = False,
    ) -> None:
        """Where k more units of a type most reduce expected value lost (greedy with paired
        gains; --exact: the MILP on a surrogate, its pick fought too)."""
        scenario = load_scenario(file)
        bores = None
        if boresights is not None:
            try:
                bores = [float(b) for b in boresights.split(",") if b.strip()]
            except ValueError:
                msg = f"--boresights: comma-separated degrees, got {boresights!r}"
                raise AdditionError(msg) from None
        sites = parse_candidates(candidates)
        if candidates.startswith("grid:") and not anywhere:
            kind = unit_kind(add, scenario)
            ship = kind == "battery" and _is_ship(scenario, add, nation, phase)
            sites = land_filter(sites, on_land=not ship)
            if not sites:
                where = "at sea" if ship else "on land"
                raise AdditionError(f"--candidates: no grid point {where} (use --anywhere)")
        world = add_units(scenario, [], phase)

        def runner(checkpoint: Path, progress: Any) -> StudyRun:
            study = site(
                scenario,
                add,
                nation,
                sites,
                k,
                policy=policy,
                metric=metric,
                exact=exact,
                phase=phase,
                boresights=bores,
                trials=trials,
                seed=seed,
                executor=scheduler or executor,
                workers=workers,
                checkpoint=checkpoint,
                progress=progress,
            )
            held["study"] = study
            return study.run

        held: dict[str, SiteStudy] = {}

        def analyse(run: StudyRun) -> StudyOutput:
            study = held["study"]
            return StudyOutput(
                results=study.table,
                summary=study.summary(),
                files={"site.png": site_figure(study)},
                show=lambda: print_site(study, title=f"{world.name} — where to add {add}"),
            )

        run_and_save(
            study="site",
            scenario=scenario,
            world=world,
            cases=(),
            trials=trials,
            seed=seed,
            executor=executor,
            workers=workers,
            scheduler=scheduler,
            out_dir=out_dir,
            as_json=as_json,
            analyse=analyse,
            runner=runner,
        )


def _is_ship(scenario: Any, add: str, nation: str, phase: str | None) -> bool:
    """Whether a new battery of ``add`` would be a ship (its template's platform)."""
    from shieldwall.studies.additions import battery_template

    return battery_template(scenario, add, nation, phase).platform == "ship"
