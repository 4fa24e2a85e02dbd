"""Figures of a report: the theater map, where leakers fall, survival and policy charts.

Plain matplotlib (the Agg canvas, no pyplot state: safe in a server thread). Maps are drawn in an
equirectangular projection with the aspect ``1 / cos(mid-latitude)`` (distances east-west and
north-south on the same scale at the map's centre), over Natural Earth borders installed from
npm (:mod:`shieldwall.io.basemap`), each with the data credit and the boundary disclaimer.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.figure import Figure

from shieldwall.io.basemap import BORDER_CREDIT, BOUNDARY_DISCLAIMER, country_rings
from shieldwall.io.export import NATION_RGB, circle_deg
from shieldwall.io.scene import rows

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes

    from shieldwall.io.scene import Scene
    from shieldwall.studies.footprint import Footprint

__all__ = [
    "footprint_map",
    "leak_maps",
    "png",
    "policy_chart",
    "shapley_chart",
    "study_chart",
    "survival_chart",
    "theater_map",
    "tornado_chart",
]

LAND = "#efece4"
SEA = "#d9e6f0"
BORDER = "#8f8a80"


def png(fig: Figure, dpi: int = 150) -> bytes:
    """A figure as PNG bytes."""
    FigureCanvasAgg(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()


def _rgb(k: int) -> tuple[float, float, float]:
    r, g, b = NATION_RGB[k % len(NATION_RGB)]
    return (r / 255, g / 255, b / 255)


def _extent(sc: Scene) -> tuple[float, float, float, float]:
    """lon_min, lon_max, lat_min, lat_max around every unit, launch point and impact."""
    lon = np.concatenate(
        [
            sc.assets["lon_deg"],
            sc.batteries["lon_deg"],
            sc.radars["lon_deg"],
            sc.threats["launch_lon_deg"],
            sc.threats["impact_lon_deg"],
        ]
    )
    lat = np.concatenate(
        [
            sc.assets["lat_deg"],
            sc.batteries["lat_deg"],
            sc.radars["lat_deg"],
            sc.threats["launch_lat_deg"],
            sc.threats["impact_lat_deg"],
        ]
    )
    lon, lat = lon[np.isfinite(lon)], lat[np.isfinite(lat)]
    if lon.size == 0:
        return (-10.0, 10.0, -10.0, 10.0)
    pad_lon = max(1.0, 0.08 * float(np.ptp(lon)))
    pad_lat = max(1.0, 0.08 * float(np.ptp(lat)))
    return (
        float(lon.min()) - pad_lon,
        float(lon.max()) + pad_lon,
        max(-89.0, float(lat.min()) - pad_lat),
        min(89.0, float(lat.max()) + pad_lat),
    )


def _basemap(ax: Axes, extent: tuple[float, float, float, float], modules: str | None) -> None:
    lon0, lon1, lat0, lat1 = extent
    ax.set_facecolor(SEA)
    polys = []
    for _, polygons in country_rings("50m", modules):
        for poly in polygons:
            ring = poly[0]
            if ring[:, 0].max() < lon0 or ring[:, 0].min() > lon1:
                continue
            if ring[:, 1].max() < lat0 or ring[:, 1].min() > lat1:
                continue
            polys.append(ring)
    ax.add_collection(
        PolyCollection(polys, facecolors=LAND, edgecolors=BORDER, linewidths=0.5, zorder=0)
    )
    ax.set_xlim(lon0, lon1)
    ax.set_ylim(lat0, lat1)
    ax.set_aspect(1.0 / np.cos(np.radians(0.5 * (lat0 + lat1))))
    ax.set_xlabel("longitude [°E]")
    ax.set_ylabel("latitude [°N]")
    ax.grid(color="white", linewidth=0.5, alpha=0.7)


def _credit(fig: Figure) -> None:
    fig.text(0.01, 0.005, f"{BORDER_CREDIT} {BOUNDARY_DISCLAIMER}", fontsize=6, color="#555555")


def theater_map(sc: Scene, modules: str | None = None) -> Figure:
    """Assets and defended radius, radars and coverage fans, batteries, raid ground tracks
    (coloured by each threat's fate in the scene's trial) and the impact points."""
    fig = Figure(figsize=(9.0, 7.5), layout="constrained")
    ax = fig.add_subplot()
    extent = _extent(sc)
    _basemap(ax, extent, modules)
    nations = list(sc.nations["nation"])
    for nation_k, nation in enumerate(nations):
        fans = [
            np.asarray(f)
            for f, n in zip(sc.radars["fan"], sc.radars["nation"], strict=True)
            if n == nation
        ]
        if fans:
            ax.add_collection(
                PolyCollection(
                    fans,
                    facecolors=(*_rgb(nation_k), 0.08),
                    edgecolors=(*_rgb(nation_k), 0.5),
                    linewidths=0.6,
                    zorder=1,
                )
            )
    tracks = []
    colours = []
    status_colour = {
        "leaked": "#d62728",
        "killed": "#ff9f40",
        "failed": "#999999",
        "clear": "#bcbd22",
    }
    tr = sc.trajectories
    for t in rows(sc.threats):
        pts = tr.loc[tr["threat"] == t.threat, ["lon_deg", "lat_deg"]].to_numpy(float)
        if len(pts) > 1:
            tracks.append(pts)
            colours.append(status_colour.get(t.status, "#444444"))
    ax.add_collection(LineCollection(tracks, colors=colours, linewidths=0.9, alpha=0.8, zorder=2))
    ax.scatter(
        sc.threats["launch_lon_deg"],
        sc.threats["launch_lat_deg"],
        s=10,
        marker="^",
        c="#333333",
        zorder=3,
        label="launch points",
    )
    for a in rows(sc.assets):
        ring = circle_deg(a.lat_deg, a.lon_deg, a.radius_m)
        ax.fill(ring[:, 0], ring[:, 1], color="#ffffff", alpha=0.6, zorder=3)
    ax.scatter(
        sc.assets["lon_deg"],
        sc.assets["lat_deg"],
        s=28,
        marker="*",
        c="#000000",
        zorder=5,
        label="defended assets",
    )
    for a in rows(sc.assets):
        ax.annotate(
            a.name,
            (a.lon_deg, a.lat_deg),
            xytext=(4, 3),
            textcoords="offset points",
            fontsize=6.5,
            zorder=6,
        )
    for nation_k, nation in enumerate(nations):
        b = sc.batteries[sc.batteries["nation"] == nation]
        if len(b):
            ax.scatter(
                b["lon_deg"],
                b["lat_deg"],
                s=30,
                marker="s",
                color=_rgb(nation_k),
                edgecolors="black",
                linewidths=0.4,
                zorder=4,
                label=f"{nation} batteries",
            )
        r = sc.radars[(sc.radars["nation"] == nation) & sc.radars["battery"].isna()]
        if len(r):
            ax.scatter(
                r["lon_deg"],
                r["lat_deg"],
                s=22,
                marker="D",
                color=_rgb(nation_k),
                edgecolors="white",
                linewidths=0.4,
                zorder=4,
                label=f"{nation} radars",
            )
    leaked = sc.threats[sc.threats["status"] == "leaked"]
    ax.scatter(
        leaked["impact_lon_deg"],
        leaked["impact_lat_deg"],
        s=40,
        marker="x",
        c="#d62728",
        zorder=6,
        label="leakers fall",
    )
    for label, colour in status_colour.items():
        ax.plot([], [], color=colour, label=f"trajectory: {label}")
    ax.legend(loc="lower left", fontsize=6.5, framealpha=0.9)
    ax.set_title(f"{sc.title}: theater — policy {sc.policy}, trial {sc.trial}", fontsize=10)
    _credit(fig)
    return fig


def leak_maps(
    scenes: Sequence[Scene], threat_summary: pd.DataFrame, modules: str | None = None
) -> Figure:
    """Per policy: where the raid falls, each impact point coloured by its probability of
    leaking (over all trials), on the same scale."""
    n = len(scenes)
    cols = min(n, 2)
    rows = -(-n // cols)
    fig = Figure(figsize=(4.6 * cols, 4.2 * rows + 0.4), layout="constrained")
    extent = None
    norm_max = 1.0
    scatter: Any = None
    for k, sc in enumerate(scenes):
        ax = fig.add_subplot(rows, cols, k + 1)
        if extent is None:
            lon = np.concatenate([sc.threats["impact_lon_deg"], sc.assets["lon_deg"]])
            lat = np.concatenate([sc.threats["impact_lat_deg"], sc.assets["lat_deg"]])
            pad = 1.0
            extent = (
                float(np.nanmin(lon)) - pad,
                float(np.nanmax(lon)) + pad,
                float(np.nanmin(lat)) - pad,
                float(np.nanmax(lat)) + pad,
            )
        _basemap(ax, extent, modules)
        ts = threat_summary[threat_summary["policy"] == sc.policy].set_index("threat")
        p = ts.reindex(sc.threats["threat"])["p_leaked"].to_numpy(float)
        targeted = sc.threats["target_asset"].notna().to_numpy()
        ax.scatter(
            sc.threats["impact_lon_deg"][~targeted],
            sc.threats["impact_lat_deg"][~targeted],
            s=10,
            c="#aaaaaa",
            marker="o",
            zorder=3,
        )
        scatter = ax.scatter(
            sc.threats["impact_lon_deg"][targeted],
            sc.threats["impact_lat_deg"][targeted],
            s=18 + 120 * np.nan_to_num(p[targeted]),
            c=p[targeted],
            cmap="Reds",
            vmin=0.0,
            vmax=norm_max,
            edgecolors="black",
            linewidths=0.4,
            zorder=4,
        )
        ax.scatter(
            sc.assets["lon_deg"], sc.assets["lat_deg"], s=20, marker="*", c="black", zorder=5
        )
        ax.set_title(f"{sc.policy}: expected leakers {np.nansum(p):.2f}", fontsize=9)
    if scatter is not None:
        fig.colorbar(scatter, ax=fig.axes, shrink=0.6, label="P(threat leaks onto its asset)")
    _credit(fig)
    return fig


def survival_chart(asset_outcomes: pd.DataFrame, policies: Sequence[str]) -> Figure:
    """P(asset unhurt) per asset and policy, with 95% Wilson intervals."""
    assets = list(dict.fromkeys(asset_outcomes["asset"]))
    n_p = len(policies)
    fig = Figure(figsize=(8.0, 0.28 * len(assets) * (1 + n_p / 4) + 1.2), layout="constrained")
    ax = fig.add_subplot()
    y0 = np.arange(len(assets), dtype=float)
    width = 0.8 / max(n_p, 1)
    for k, policy in enumerate(policies):
        d = asset_outcomes[asset_outcomes["policy"] == policy].set_index("asset").reindex(assets)
        y = y0 + (k - (n_p - 1) / 2) * width
        p = d["p_survives"].to_numpy(float)
        lo = d["p_survives_lo"].to_numpy(float)
        hi = d["p_survives_hi"].to_numpy(float)
        ax.errorbar(
            p, y, xerr=[p - lo, hi - p], fmt="o", ms=4, capsize=2, color=_rgb(k), label=policy
        )
    ax.set_yticks(y0, assets, fontsize=7)
    ax.invert_yaxis()
    ax.set_xlim(-0.02, 1.02)
    ax.set_xlabel("P(asset hit by no leaker), 95% Wilson interval")
    ax.grid(axis="x", alpha=0.4)
    ax.legend(fontsize=7, loc="lower left")
    return fig


def policy_chart(metrics: pd.DataFrame, policies: Sequence[str]) -> Figure:
    """P(zero leakage) and expected leakers per policy, with 95% intervals."""
    fig = Figure(figsize=(8.0, 3.0), layout="constrained")
    for k, (name, label) in enumerate(
        (("p_zero_leak", "P(zero leakage)"), ("expected_leakers", "expected leakers"))
    ):
        ax = fig.add_subplot(1, 2, k + 1)
        d = metrics[metrics["metric"] == name].set_index("policy").reindex(list(policies))
        v = d["value"].to_numpy(float)
        err = np.vstack([v - d["lo"].to_numpy(float), d["hi"].to_numpy(float) - v])
        x = np.arange(len(policies))
        ax.bar(x, v, color=[_rgb(i) for i in range(len(policies))], yerr=err, capsize=3)
        ax.set_xticks(x, list(policies), rotation=20, ha="right", fontsize=7)
        ax.set_title(label, fontsize=9)
        ax.grid(axis="y", alpha=0.4)
        if name == "p_zero_leak":
            ax.set_ylim(0, 1)
    return fig


def _numeric(values: pd.Series) -> np.ndarray | None:
    """A label column as numbers (``*1.5`` relative values too), or ``None`` if it is not."""
    out = []
    for v in values:
        try:
            out.append(float(str(v).lstrip("*")))
        except ValueError:
            return None
    return np.asarray(out, dtype=float)


def study_chart(results: pd.DataFrame) -> Figure | None:
    """A study's headline metrics: curves over a numeric label column (a sweep), else one bar
    per case; 95% intervals. ``None`` when there is nothing to draw."""
    metrics = [
        m
        for m in ("p_zero_leak", "expected_leakers", "d_p_zero_leak", "d_expected_leakers")
        if m in set(results.get("metric", []))
    ]
    if not metrics:
        return None
    known = {"case", "policy", "asset", "metric", "value", "lo", "hi", "baseline", "point"}
    labels = [c for c in results.columns if c not in known]
    fig = Figure(figsize=(8.0, 3.0 * len(metrics[:2])), layout="constrained")
    for k, metric in enumerate(metrics[:2]):
        ax = fig.add_subplot(len(metrics[:2]), 1, k + 1)
        d = results[results["metric"] == metric]
        x = next((_numeric(d[c]) for c in labels if _numeric(d[c]) is not None), None)
        policies = list(dict.fromkeys(d["policy"])) if "policy" in d else [""]
        for j, policy in enumerate(policies):
            sel = (d["policy"] == policy).to_numpy() if "policy" in d else np.ones(len(d), bool)
            v = d["value"].to_numpy(float)[sel]
            lo = d["lo"].to_numpy(float)[sel] if "lo" in d else v
            hi = d["hi"].to_numpy(float)[sel] if "hi" in d else v
            if x is not None:
                xs = x[sel]
                order = np.argsort(xs)
                ax.plot(xs[order], v[order], marker="o", ms=3, color=_rgb(j), label=str(policy))
                ax.fill_between(xs[order], lo[order], hi[order], color=_rgb(j), alpha=0.2)
            else:
                names = (
                    d["case"].astype(str).to_numpy()[sel]
                    if "case" in d
                    else np.arange(sel.sum()).astype(str)
                )
                pos = np.arange(len(names)) + j * 0.8 / max(len(policies), 1)
                ax.bar(
                    pos,
                    v,
                    width=0.8 / max(len(policies), 1),
                    yerr=np.vstack([v - lo, hi - v]),
                    color=_rgb(j),
                    label=str(policy),
                    capsize=2,
                )
                ax.set_xticks(pos, names, rotation=30, ha="right", fontsize=6)
        ax.set_title(metric, fontsize=9)
        ax.grid(alpha=0.4)
        if len(policies) > 1:
            ax.legend(fontsize=7)
    return fig


def tornado_chart(rows: Sequence[Mapping[str, Any]], metric: str, top: int = 15) -> Figure | None:
    """A tornado: per policy, each input's swing of ``metric`` (high end minus low end, the
    others nominal) as a horizontal bar with its 95% paired interval, largest on top."""
    sel = [r for r in rows if r["metric"] == metric]
    if not sel:
        return None
    policies = list(dict.fromkeys(r["policy"] for r in sel))
    fig = Figure(figsize=(8.0, 1.0 + 0.3 * top * len(policies)), layout="constrained")
    for k, pol in enumerate(policies):
        ax = fig.add_subplot(len(policies), 1, k + 1)
        items = [r for r in sel if r["policy"] == pol][:top][::-1]
        y = np.arange(len(items))
        v = np.array([r["swing"][0] for r in items])
        err = np.array([[r["swing"][0] - r["swing"][1] for r in items],
                        [r["swing"][2] - r["swing"][0] for r in items]])  # fmt: skip
        ax.barh(y, v, xerr=err, color=_rgb(k), alpha=0.8)
        ax.set_yticks(y, [str(r["input"]) for r in items], fontsize=7)
        ax.axvline(0.0, color="k", lw=0.5)
        ax.set_title(f"{pol}: swing of {metric} (high − low)", fontsize=9)
    return fig


def shapley_chart(players: list[str], values: np.ndarray, lo: np.ndarray, hi: np.ndarray,
                  title: str) -> Figure:  # fmt: skip
    """Horizontal bars of players' Shapley values with their 95% intervals."""
    fig = Figure(figsize=(7.0, 1.2 + 0.45 * len(players)), layout="constrained")
    ax = fig.add_subplot(1, 1, 1)
    pos = np.arange(len(players))
    v = np.asarray(values, dtype=float)
    ax.barh(pos, v, xerr=np.vstack([v - lo, hi - v]), color=_rgb(0), capsize=3)
    ax.set_yticks(pos, players, fontsize=8)
    ax.axvline(0.0, color="k", lw=0.6)
    ax.set_title(title, fontsize=9)
    ax.grid(alpha=0.4, axis="x")
    return fig


def site_map(
    candidates: pd.DataFrame,
    assets: pd.DataFrame,
    title: str = "",
    modules: str | None = None,
) -> Figure:
    """Candidate sites coloured by their step-1 gain, the chosen ones numbered in the greedy's
    order, and the defended assets (``site``; docs/studies.md).

    Parameters
    ----------
    candidates
        Columns ``lat_deg, lon_deg, gain`` (step-1 gain; best over a site's boresights) and
        ``step`` (the greedy step that chose it, 0 = not chosen).
    assets
        Columns ``lat_deg, lon_deg, id``.
    """
    lat = np.concatenate([candidates["lat_deg"].to_numpy(float), assets["lat_deg"].to_numpy(float)])
    lon = np.concatenate([candidates["lon_deg"].to_numpy(float), assets["lon_deg"].to_numpy(float)])
    pad = 0.5
    extent = (lon.min() - pad, lon.max() + pad, lat.min() - pad, lat.max() + pad)
    fig = Figure(figsize=(7.5, 6.5), layout="constrained")
    ax = fig.add_subplot(1, 1, 1)
    _basemap(ax, extent, modules)
    sc = ax.scatter(
        candidates["lon_deg"],
        candidates["lat_deg"],
        c=candidates["gain"],
        cmap="viridis",
        s=28,
        edgecolors="black",
        linewidths=0.3,
        zorder=5,
    )
    fig.colorbar(sc, ax=ax, shrink=0.7, label="step-1 gain (metric removed)")
    ax.scatter(
        assets["lon_deg"],
        assets["lat_deg"],
        marker="*",
        s=40,
        color="#b2182b",
        zorder=3,
        label="defended asset",
    )
    for _, r in assets.iterrows():
        ax.annotate(
            str(r["id"]),
            (r["lon_deg"], r["lat_deg"]),
            fontsize=6,
            xytext=(3, 3),
            textcoords="offset points",
        )
    picked = candidates[candidates["step"] > 0]
    ax.scatter(
        picked["lon_deg"],
        picked["lat_deg"],
        s=160,
        facecolors="none",
        edgecolors="red",
        linewidths=1.5,
        zorder=6,
        label="chosen",
    )
    for _, r in picked.iterrows():
        ax.annotate(
            str(int(r["step"])),
            (r["lon_deg"], r["lat_deg"]),
            fontsize=9,
            color="red",
            weight="bold",
            xytext=(-14, 6),
            textcoords="offset points",
            zorder=7,
        )
    ax.legend(loc="lower right", fontsize=7)
    if title:
        ax.set_title(title, fontsize=9)
    _credit(fig)
    return fig


def pareto_chart(points: pd.DataFrame, title: str = "") -> Figure:
    """Expected value lost (95% interval) against money spent, one marker per design (``design``;
    docs/studies.md); the non-dominated ones joined as the cost-vs-defense front.

    Parameters
    ----------
    points
        Columns ``design, spent_usd, value, lo, hi, pareto`` (bool).
    """
    fig = Figure(figsize=(7.0, 4.2), layout="constrained")
    ax = fig.add_subplot(1, 1, 1)
    x = points["spent_usd"].to_numpy(float) / 1e9
    v, lo, hi = (points[c].to_numpy(float) for c in ("value", "lo", "hi"))
    ax.errorbar(
        x,
        v,
        yerr=np.vstack([v - lo, hi - v]),
        fmt="o",
        ms=4,
        color=_rgb(0),
        capsize=2,
        label="design (95% interval)",
    )
    front = points["pareto"].to_numpy(bool)
    order = np.argsort(x[front])
    ax.plot(x[front][order], v[front][order], color=_rgb(1), lw=1.5, label="Pareto front")
    for xi, vi, name in zip(x, v, points["design"].astype(str), strict=True):
        ax.annotate(name, (xi, vi), fontsize=6, xytext=(3, 3), textcoords="offset points")
    ax.set_xlabel("spent [USD billion, 2024]")
    ax.set_ylabel("expected value lost per raid")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7)
    if title:
        ax.set_title(title, fontsize=9)
    return fig


def footprint_map(fp: Footprint, modules: str | None = None) -> Figure:
    """Per policy: the cells where a lone threat is engaged (at the nominal fire-control time or
    at some of its quantiles), coloured by its probability of not leaking; cells in the
    missile's reach that no battery ever engages in grey; batteries,
    radars and the launch point on Natural Earth borders."""
    n = len(fp.policies)
    cols = min(n, 2)
    n_rows = -(-n // cols)
    fig = Figure(figsize=(5.2 * cols, 4.8 * n_rows + 0.5), layout="constrained")
    g = fp.grid
    la, lo = g.lat_edges_deg, g.lon_edges_deg
    extent = (float(lo[0]), float(lo[-1]), float(la[0]), float(la[-1]))
    shape = g.shape
    world = fp.world
    mesh: Any = None
    for k, policy in enumerate(fp.policies):
        ax = fig.add_subplot(n_rows, cols, k + 1)
        _basemap(ax, extent, modules)
        # coloured: engaged at the nominal fire-control time, or at some of the fire-control
        # quantiles (P(no leak) above the missile's own failure); grey: never engaged
        alone = 1.0 - float(world.missiles.reliability[int(world.raid.missile_idx[0])])
        sometimes = np.nan_to_num(fp.p_no_leak[policy], nan=alone) > alone + 1e-9
        engaged = (fp.engageable[policy] | sometimes) & fp.in_range
        eng = engaged.reshape(shape)
        reach_only = (fp.in_range & ~engaged).reshape(shape)
        grey = np.where(reach_only, 1.0, np.nan)
        ax.pcolormesh(lo, la, np.ma.masked_invalid(grey), cmap="Greys", vmin=0.0, vmax=4.0,
                      alpha=0.6, zorder=1, shading="flat")  # fmt: skip
        p = np.where(eng, fp.p_no_leak[policy].reshape(shape), np.nan)
        mesh = ax.pcolormesh(lo, la, np.ma.masked_invalid(p), cmap="viridis", vmin=0.0, vmax=1.0,
                             alpha=0.8, zorder=2, shading="flat")  # fmt: skip
        for nation_k in range(len(world.nations)):
            sel = np.asarray(world.batteries.nation_idx) == nation_k
            label = f"{world.nations.id[nation_k]} battery" if k == 0 else None
            ax.scatter(np.degrees(world.batteries.lon_rad[sel]),
                       np.degrees(world.batteries.lat_rad[sel]), s=16, marker="^",
                       color=_rgb(nation_k), edgecolors="black", linewidths=0.4, zorder=4,
                       label=label)  # fmt: skip
        ax.scatter(np.degrees(world.radars.lon_rad), np.degrees(world.radars.lat_rad), s=10,
                   marker="s", c="white", edgecolors="black", linewidths=0.4, zorder=4,
                   label="radar" if k == 0 else None)  # fmt: skip
        ax.scatter([fp.launch_lon_deg], [fp.launch_lat_deg], s=60, marker="*", c="red",
                   edgecolors="black", linewidths=0.5, zorder=5,
                   label="launch point" if k == 0 else None)  # fmt: skip
        ax.set_title(f"{policy}: defended {fp.defended_area_km2(policy):,.0f} km²", fontsize=9)
        if k == 0:
            ax.legend(loc="lower right", fontsize=6, framealpha=0.9)
    if mesh is not None:
        fig.colorbar(mesh, ax=fig.axes, shrink=0.6, label="P(lone threat does not leak)")
    fig.suptitle(
        f"{world.name} ({world.phase}): footprint against one {fp.missile} from {fp.launch}; "
        "grey = in reach, never engaged",
        fontsize=9,
    )
    _credit(fig)
    return fig
