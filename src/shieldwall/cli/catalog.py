"""``shieldwall catalog``: list and show the sourced catalog, check a user catalog file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich import box
from rich.table import Table

from shieldwall.cli._common import esc, out, print_json, print_table
from shieldwall.errors import CatalogError
from shieldwall.scenario.catalog import (
    KINDS,
    PARAM_KEYS,
    Catalog,
    CatalogEntry,
    Param,
    load_catalog,
    read_catalog_file,
    unit_of,
)

catalog_app = typer.Typer(
    name="catalog",
    help="The sourced catalog of missiles, interceptors, radars and early-warning satellites.",
    no_args_is_help=True,
)

#: Per kind: the column that classifies an entry, and the key numbers shown by ``list``
#: as (column label with unit, keys joined by "/" in that column).
_CLASS_KEY = {"missile": "threat_class", "interceptor": "tier", "radar": "band", "satellite": ""}
_LIST_COLUMNS: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {
    "missile": (
        ("range km", ("max_range_km",)),
        ("burn s", ("burn_time_s",)),
        ("bo alt km", ("burnout_alt_km",)),
        ("RCS m² bst/RV", ("rcs_booster_m2", "rcs_rv_m2")),
        ("β kPa", ("beta_kpa",)),
        ("rel.", ("reliability",)),
        ("$M", ("unit_cost_musd",)),
    ),
    "interceptor": (
        ("alt km", ("min_alt_km", "max_alt_km")),
        ("ground km", ("max_ground_range_km",)),
        ("v_bo km/s", ("burnout_speed_kms",)),
        ("own radar", ("organic_guidance",)),
        ("Pk s/m/i", ("pk_srbm", "pk_mrbm", "pk_irbm")),
        ("round $M", ("round_cost_musd",)),
    ),
    "radar": (
        ("r0 km (1 m²)", ("r0_km",)),
        ("search ×", ("search_range_factor",)),
        ("half az °", ("half_az_deg",)),
        ("el °", ("min_el_deg", "max_el_deg")),
        ("revisit s", ("revisit_s",)),
        ("$M", ("unit_cost_musd",)),
    ),
    "satellite": (
        ("latency s", ("latency_s",)),
        ("launch pt σ km", ("launch_point_sigma_km",)),
        ("azimuth σ °", ("azimuth_sigma_deg",)),
    ),
}
_CONFIDENCE_STYLE = {"high": "green", "medium": "cyan", "low": "yellow", "assumption": "magenta"}


def _fmt(value: float | str | bool) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}"
    return value


def _kinds(catalog: Catalog, kind: str | None) -> tuple[str, ...]:
    if kind is None:
        return KINDS
    if kind not in KINDS:
        raise CatalogError(f"unknown catalog kind {kind!r}; kinds are: {', '.join(KINDS)}")
    return (kind,)


def _param_json(key: str, param: Param) -> dict[str, Any]:
    return {
        "value": param.value,
        "unit": unit_of(key),
        "confidence": param.confidence,
        "range": list(param.range) if param.range is not None else None,
        "source": param.source,
        "url": param.url,
        "note": param.note,
        "see": [{"text": text, "url": url} for text, url in param.see],
    }


def _entry_json(entry: CatalogEntry, *, full: bool) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": entry.name,
        "kind": entry.kind,
        "aliases": list(entry.aliases),
        "description": entry.description,
        "n_params": len(entry.params),
        "n_assumptions": entry.n_assumptions,
    }
    if full:
        data["params"] = {key: _param_json(key, p) for key, p in entry.params.items()}
    else:
        data["values"] = entry.values()
    return data


def _list_table(catalog: Catalog, kind: str) -> Table:
    columns = _LIST_COLUMNS[kind]
    table = Table(title=f"{kind}s", title_justify="left", box=box.SIMPLE_HEAD)
    table.add_column("name", style="bold", no_wrap=True)
    class_key = _CLASS_KEY[kind]
    if class_key:
        table.add_column(class_key.replace("threat_", ""), no_wrap=True)
    for label, _ in columns:
        table.add_column(label, justify="right", no_wrap=True)
    table.add_column("assumed", justify="right", no_wrap=True)
    for entry in catalog.entries_of(kind):
        row = [esc(entry.name)]
        if class_key:
            row.append(esc(_fmt(entry.value(class_key))))
        row.extend(esc("/".join(_fmt(entry.value(key)) for key in keys)) for _, keys in columns)
        row.append(f"{entry.n_assumptions}/{len(entry.params)}")
        table.add_row(*row)
    return table


def _show_table(entry: CatalogEntry) -> tuple[Table, list[str], list[str]]:
    """The parameter table, the numbered source list and the notes."""
    table = Table(box=box.SIMPLE_HEAD)
    table.add_column("parameter", style="bold", no_wrap=True)
    table.add_column("value", justify="right", no_wrap=True)
    table.add_column("unit", no_wrap=True)
    table.add_column("confidence", no_wrap=True)
    table.add_column("range", no_wrap=True)
    table.add_column("src", justify="right", no_wrap=True)
    sources: dict[tuple[str, str], int] = {}
    notes: list[str] = []
    for key in PARAM_KEYS[entry.kind]:
        param = entry.params[key]
        style = _CONFIDENCE_STYLE[param.confidence]
        rng = "" if param.range is None else f"{param.range[0]:g} – {param.range[1]:g}"
        numbers = [
            sources.setdefault(cited, len(sources) + 1)
            for cited in ((param.source, param.url), *param.see)
        ]
        if param.note:
            notes.append(f"{key}: {param.note}")
        table.add_row(
            key,
            esc(_fmt(param.value)),
            unit_of(key),
            f"[{style}]{param.confidence}[/{style}]",
            rng,
            "[" + ",".join(str(n) for n in numbers) + "]",
        )
    listed = [
        f"[{n}] {text}" + (f"\n    {url}" if url else "") for (text, url), n in sources.items()
    ]
    return table, listed, notes


_KindOption = Annotated[
    str | None,
    typer.Option("--kind", "-k", help="Only this kind: missile, interceptor, radar or satellite."),
]
_FileOption = Annotated[
    list[Path] | None,
    typer.Option("--file", "-f", help="Also use the entries of this user catalog file."),
]


@catalog_app.command("list")
def list_command(
    kind: _KindOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")] = False,
    file: _FileOption = None,
) -> None:
    """List catalog entries with their key numbers and how many values are assumptions."""
    catalog = load_catalog(*(file or []))
    kinds = _kinds(catalog, kind)
    if as_json:
        print_json({k: [_entry_json(e, full=False) for e in catalog.entries_of(k)] for k in kinds})
        return
    for k in kinds:
        print_table(_list_table(catalog, k))
    out.print(
        "[dim]'assumed' counts values with no public figure (labelled assumptions with "
        "ranges). Every value's source: shieldwall catalog show NAME[/dim]"
    )


@catalog_app.command("show")
def show_command(
    name: Annotated[
        str, typer.Argument(help="Catalog name or alias, e.g. 'PAC-3 MSE' or 'Rodong'.")
    ],
    kind: _KindOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
    file: _FileOption = None,
) -> None:
    """Show every parameter of one entry with its value, unit, confidence, range and source."""
    catalog = load_catalog(*(file or []))
    entry = catalog.find(name) if kind is None else catalog.get(kind, name)
    if as_json:
        print_json(_entry_json(entry, full=True))
        return
    aliases = f"  [dim](also: {esc(', '.join(entry.aliases))})[/dim]" if entry.aliases else ""
    out.print(f"[bold]{esc(entry.name)}[/bold] — {entry.kind}{aliases}")
    if entry.description:
        out.print(entry.description, markup=False)
    table, sources, notes = _show_table(entry)
    print_table(table)
    out.print("[bold]sources[/bold]")
    for line in sources:
        out.print(line, markup=False)
    if notes:
        out.print("[bold]notes[/bold]")
        for line in notes:
            out.print(line, markup=False)
    out.print(
        f"[dim]{entry.n_assumptions} of {len(entry.params)} values are assumptions "
        "(no public figure): vary them within their range in sensitivity studies.[/dim]"
    )


@catalog_app.command("check")
def check_command(
    path: Annotated[Path, typer.Argument(help="A catalog YAML file to validate.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")] = False,
) -> None:
    """Validate a user catalog file with the same checks as the shipped catalog."""
    entries = read_catalog_file(path)
    load_catalog(path)  # names must not clash with the shipped catalog
    if as_json:
        print_json({"file": str(path), "ok": True, "entries": [e.name for e in entries]})
        return
    names = ", ".join(e.name for e in entries) or "none"
    out.print(f"[green]ok[/green]: {esc(path)}: {len(entries)} entries ({esc(names)})")


def register(app: typer.Typer) -> None:
    """Add the ``catalog`` command group to the ``shieldwall`` app."""
    app.add_typer(catalog_app, name="catalog")
