"""The report: one self-contained HTML page (and a PDF of it) for a run or a study folder.

Sections: headline numbers per policy (with 95% intervals and, for a comparison, the paired
differences from the baseline), the theater map, where leakers fall under each policy, per-asset
survival, interceptors spent, and the provenance — version, scenario hash, seed, and every
catalog value used with its source and confidence. A study folder gets its curves (sweeps) or
case charts and its result table instead.

Self-contained: images are embedded as ``data:`` PNGs, the style sheet is inline, no script, no
font or link to load; source addresses are printed as text. The page loads offline and the PDF
(WeasyPrint) renders it without any network access.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from shieldwall import __version__
from shieldwall.io.basemap import BORDER_CREDIT, BOUNDARY_DISCLAIMER
from shieldwall.io.errors import fail
from shieldwall.io.record import RunRecord
from shieldwall.io.scene import Scene, rows, scene
from shieldwall.report.figures import (
    leak_maps,
    png,
    policy_chart,
    study_chart,
    survival_chart,
    theater_map,
)

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

__all__ = ["report_html", "write_report"]

_CSS = """
body { font-family: "DejaVu Sans", Arial, sans-serif; font-size: 10.5pt; color: #222;
       max-width: 60em; margin: 1.5em auto; padding: 0 1em; }
h1 { font-size: 17pt; margin-bottom: 0.2em; } h2 { font-size: 13pt; margin-top: 1.6em;
  border-bottom: 1px solid #ccc; } h3 { font-size: 11pt; }
table { border-collapse: collapse; margin: 0.6em 0; font-size: 9pt; }
th, td { border: 1px solid #ddd; padding: 2px 6px; text-align: left; vertical-align: top; }
th { background: #f3f3f3; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
table.small { font-size: 7.5pt; } .url { word-break: break-all; color: #555; }
ol.refs { font-size: 7.5pt; list-style: none; padding-left: 0; }
img { max-width: 100%; } figure { margin: 0.8em 0; } figcaption { font-size: 8.5pt; color: #555; }
.note { font-size: 8.5pt; color: #555; }
@page { size: A4; margin: 1.5cm; }
"""

#: Said on every report.
NOT_FIRE_CONTROL = (
    "shieldwall analyses defensive architectures with public, approximate data. It is not a "
    "fire-control system. Every probability is a Monte Carlo estimate with its 95% interval."
)


def _e(value: Any) -> str:
    """Text for HTML (scenario names may hold markup: it is shown, never interpreted)."""
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return "—"
    return html.escape(str(value))


def _img(fig: Figure, alt: str, caption: str) -> str:
    data = base64.b64encode(png(fig)).decode("ascii")
    return (
        f'<figure><img alt="{_e(alt)}" src="data:image/png;base64,{data}">'
        f"<figcaption>{_e(caption)}</figcaption></figure>"
    )


def _table(
    header: Sequence[str], rows: Iterable[Sequence[Any]], css: str = "", num: Sequence[int] = ()
) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in header)
    body = []
    for row in rows:
        cells = []
        for k, v in enumerate(row):
            cls = ' class="num"' if k in num else ""
            cells.append(f"<td{cls}>{_e(v)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    cls = f' class="{css}"' if css else ""
    return f"<table{cls}><tr>{head}</tr>{''.join(body)}</table>"


def _pct(v: float | None) -> str:
    return "—" if v is None or not np.isfinite(v) else f"{100 * v:.1f}%"


def _ci(lo: Any, hi: Any, pct: bool = False) -> str:
    if lo is None or hi is None or not (np.isfinite(lo) and np.isfinite(hi)):
        return ""
    return f"[{100 * lo:.1f}, {100 * hi:.1f}]" if pct else f"[{lo:.2f}, {hi:.2f}]"


def _headline(record: RunRecord) -> str:
    metrics = record.table("metrics")
    policies = record.policies
    base = record.get("baseline")

    def m(policy: str, name: str) -> tuple[float, float, float] | None:
        row = metrics[(metrics["policy"] == policy) & (metrics["metric"] == name)]
        if row.empty:
            return None
        r = row.iloc[0]
        return float(r["value"]), float(r["lo"]), float(r["hi"])

    rows = []
    for p in policies:
        z, el, iu = m(p, "p_zero_leak"), m(p, "expected_leakers"), m(p, "interceptors_used")
        row = [
            p,
            f"{_pct(z[0])} {_ci(z[1], z[2], True)}" if z else "—",
            f"{el[0]:.2f} {_ci(el[1], el[2])}" if el else "—",
            f"{iu[0]:.1f} {_ci(iu[1], iu[2])}" if iu else "—",
        ]
        if base:
            dz, dl = m(p, "d_p_zero_leak"), m(p, "d_expected_leakers")
            row += [
                "—"
                if p == base or dz is None
                else f"{100 * dz[0]:+.1f} [{100 * dz[1]:+.1f}, {100 * dz[2]:+.1f}]",
                "—" if p == base or dl is None else f"{dl[0]:+.2f} [{dl[1]:+.2f}, {dl[2]:+.2f}]",
            ]
        rows.append(row)
    header = ["policy", "P(zero leakage) [95%]", "expected leakers", "interceptors used"]
    if base:
        header += [f"Δ P(zero leak) vs {base} (pts)", f"Δ leakers vs {base}"]
    note = (
        f"<p class='note'>{record.get('trials', 0):,} trials per policy, "
        f"seed {_e(record.get('seed'))}, solver {_e(record.get('solver'))}, "
        f"{_e(record.get('tracking_mode'))} tracking. "
        + (
            "Differences are paired on the same random numbers (common random numbers)."
            if base
            else ""
        )
        + "</p>"
    )
    return _table(header, rows, num=(1, 2, 3, 4, 5)) + note


def _spent(record: RunRecord) -> str:
    rows = []
    for p in record.policies:
        m = record.metrics.get(p, {})
        by_nat = ", ".join(f"{k} {v:.1f}" for k, v in m.get("expended_by_nation", {}).items())
        by_type = ", ".join(f"{k} {v:.1f}" for k, v in m.get("expended_by_interceptor", {}).items())
        rows.append([p, by_nat, by_type, f"{m.get('inventory_left', float('nan')):.0f}"])
    return _table(
        ["policy", "rounds fired by nation (mean)", "by interceptor", "rounds left"], rows
    )


def _survival_table(
    asset_outcomes: pd.DataFrame, policies: Sequence[str], assets: pd.DataFrame
) -> str:
    names = assets.set_index("asset")["name"]
    rows = []
    for asset in dict.fromkeys(asset_outcomes["asset"]):
        row: list[Any] = [names.get(asset, asset)]
        for p in policies:
            d = asset_outcomes[(asset_outcomes["asset"] == asset) & (asset_outcomes["policy"] == p)]
            if d.empty:
                row.append("—")
                continue
            r = d.iloc[0]
            row.append(
                f"{_pct(r['p_survives'])} {_ci(r['p_survives_lo'], r['p_survives_hi'], True)}"
            )
        rows.append(row)
    return _table(["asset", *policies], rows, num=tuple(range(1, len(policies) + 1)))


def _provenance(record: RunRecord) -> str:
    keys = [
        ("shieldwall version", record.get("shieldwall_version")),
        ("created (UTC)", record.get("created_utc")),
        (
            "command",
            " ".join(
                ["shieldwall", *map(str, record.get("argv", []) or [record.get("command", "")])]
            ),
        ),
        ("scenario", record.get("scenario")),
        ("scenario file", record.get("scenario_file")),
        ("scenario hash (sha256)", record.get("scenario_hash")),
        ("phase", record.get("phase") or ", ".join(record.get("phases", []) or [])),
        ("seed", record.get("seed")),
        ("trials", record.get("trials")),
        ("run folder", record.path.name if record.path else "(not written)"),
    ]
    parts = [_table(["", ""], keys)]
    if "catalog_values" in record.names:
        parts.append(_catalog(record.table("catalog_values")))
    if "overrides" in record.names:
        ov = record.table("overrides")
        if len(ov):
            lines = [[r.kind, r.unit, r.entry, r.key, r.value] for r in rows(ov)]
            parts.append(
                "<h3>Values the scenario sets itself (they replace the catalog's)</h3>"
                + _table(["kind", "unit", "based on", "key", "value"], lines, "small")
            )
    return "".join(parts)


def _catalog(cv: pd.DataFrame) -> str:
    """Every catalog value used, its confidence and range; sources numbered once below."""
    refs: dict[tuple[str, str], int] = {}
    lines = []
    for r in rows(cv):
        url = r.url if isinstance(r.url, str) else ""
        ref = refs.setdefault((str(r.source), url), len(refs) + 1)
        has_range = isinstance(r.range_lo, float) and np.isfinite(r.range_lo)
        lines.append(
            [
                f"{r.entry} ({r.kind})",
                r.key,
                r.value,
                r.confidence,
                f"{r.range_lo:g} – {r.range_hi:g}" if has_range else "",
                f"[{ref}]",
            ]
        )
    n_assume = int((cv["confidence"] == "assumption").sum())
    sources = "".join(
        f"<li>[{n}] {_e(text)}{f' <span class=url>{_e(url)}</span>' if url else ''}</li>"
        for (text, url), n in refs.items()
    )
    return (
        f"<h3>Catalog values used ({len(cv)}; {n_assume} labelled assumptions)</h3>"
        + _table(["entry", "key", "value", "confidence", "range", "source"], lines, "small")
        + f"<ol class='refs'>{sources}</ol>"
    )


def _run_sections(record: RunRecord, modules: str | None) -> list[str]:
    policies = record.policies
    out = ["<h2>Headline numbers</h2>", _headline(record)]
    if len(policies) > 1:
        out.append(
            _img(
                policy_chart(record.table("metrics"), policies),
                "policy comparison",
                "P(zero leakage) and expected leakers per policy, 95% intervals.",
            )
        )
    scenes: list[Scene] = (
        [scene(record, policy=p, trial=0) for p in policies] if record.get("event_trials") else []
    )
    if scenes:
        out += [
            "<h2>The theater</h2>",
            _img(
                theater_map(scenes[0], modules),
                "theater map",
                f"Assets (stars, with defended radius), batteries (squares), radars (diamonds) and "
                f"their coverage fans (cued detection range against the raid's median reentry-"
                f"vehicle cross section), launch points and ground tracks coloured by each "
                f"threat's fate in trial 0 under {policies[0]}. {BORDER_CREDIT} "
                f"{BOUNDARY_DISCLAIMER}",
            ),
            "<h2>Where leakers fall</h2>",
            _img(
                leak_maps(scenes, record.table("threat_summary"), modules),
                "leak maps",
                "Impact point of every threat, coloured and sized by the probability (over all "
                "trials) that it leaks onto the asset it falls on; grey: falls on no defended "
                "asset.",
            ),
        ]
    ao = record.table("asset_outcomes")
    if len(ao):
        out += [
            "<h2>Per-asset survival</h2>",
            _img(
                survival_chart(ao, policies),
                "asset survival",
                "P(asset hit by no leaker) with 95% Wilson intervals.",
            ),
            _survival_table(ao, policies, record.table("assets")),
        ]
    out += ["<h2>Interceptors spent</h2>", _spent(record)]
    return out


def _study_sections(record: RunRecord) -> list[str]:
    results = record.table("results")
    whole = (
        results[results["asset"].isin(["all"]) | results["asset"].isna()]
        if "asset" in results
        else results
    )
    out = [f"<h2>Study: {_e(record.get('study'))}</h2>"]
    fig = study_chart(whole)
    if fig is not None:
        out.append(
            _img(
                fig,
                "study curves",
                "Study results with 95% intervals (paired where a baseline is given).",
            )
        )
    cols = [c for c in ("case", "policy", "metric", "value", "lo", "hi", "baseline") if c in whole]
    rows = [
        [r[c] if not isinstance(r[c], float) else f"{r[c]:.4g}" for c in cols]
        for _, r in whole.iterrows()
    ]
    out.append(_table(cols, rows, "small"))
    for name in record.names:
        if name not in ("results", "cases", "trials"):
            t = record.table(name)
            out.append(
                f"<h3>{_e(name)}</h3>"
                + _table(list(t.columns), t.astype(str).values.tolist(), "small")
            )
    return out


def report_html(record: RunRecord, *, modules: str | os.PathLike[str] | None = None) -> str:
    """The report of a run record (or study folder) as one self-contained HTML document."""
    mods = None if modules is None else str(modules)
    title = f"{record.get('scenario', 'shieldwall')}"
    kind = record.kind
    phase = record.get("phase") or ", ".join(record.get("phases", []) or [])
    written = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    body = [
        f"<h1>{_e(title)}</h1>",
        f"<p>{_e(kind)} · phase {_e(phase)} · policies {_e(', '.join(record.policies) or '—')} · "
        f"written {_e(written)} by shieldwall {_e(__version__)}</p>",
        f"<p class='note'>{_e(NOT_FIRE_CONTROL)}</p>",
    ]
    body += _study_sections(record) if kind == "study" else _run_sections(record, mods)
    body += ["<h2>Provenance</h2>", _provenance(record)]
    return (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        f"<title>{_e(title)} — shieldwall report</title><style>{_CSS}</style></head>"
        f"<body>{''.join(body)}</body></html>\n"
    )


def write_report(
    record: RunRecord,
    out_html: str | os.PathLike[str],
    *,
    pdf: bool = False,
    overwrite: bool = False,
    modules: str | os.PathLike[str] | None = None,
) -> list[Path]:
    """Write the HTML report (and with ``pdf`` its PDF beside it, same name, ``.pdf``).

    Files are written beside their final names and renamed into place.

    Raises
    ------
    RunFolderError
        A file exists (without ``overwrite``) or cannot be written.
    AssetsMissing
        The Natural Earth borders are not installed (``./dev setup``).
    """
    target = Path(out_html)
    targets = [target] + ([target.with_suffix(".pdf")] if pdf else [])
    for t in targets:
        if t.exists() and not overwrite:
            raise fail(t, "exists already; choose another -o file or pass --force")
    text = report_html(record, modules=modules)
    blobs = [text.encode("utf-8")]
    if pdf:
        from weasyprint import HTML
        from weasyprint.urls import URLFetcher

        # data: URIs only, and any other fetch is an error: nothing is loaded from anywhere
        offline = URLFetcher(allowed_protocols={"data"}, fail_on_errors=True)
        blobs.append(HTML(string=text, url_fetcher=offline).write_pdf())
    written = []
    for t, data in zip(targets, blobs, strict=True):
        tmp = t.with_name(f".{t.name[:200]}.tmp-{os.getpid()}")
        try:
            t.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_bytes(data)
            os.replace(tmp, t)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise fail(t, f"cannot write the report ({exc.strerror or exc})") from exc
        written.append(t)
    return written
