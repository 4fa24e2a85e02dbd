"""Exports of one logged trial of a run: CZML (Cesium), KML (Google Earth), GeoJSON (GIS).

Each shows the same :class:`~shieldwall.io.scene.Scene`: defended assets and their defended
radius, batteries, radars and their coverage fans, every threat's trajectory in time (coloured by
its fate in the trial), each engagement's interceptor flyout (an illustrative arc from launcher to
intercept point, :func:`~shieldwall.io.geometry.flyout_arc_deg`), intercepts, and where leakers
fall. CZML also carries radar tracks (a line from radar to threat while the radar holds its own
track). Times are ISO 8601 UTC from the scenario epoch. Geometries crossing the antimeridian are
not split (KML and GeoJSON longitudes are wrapped to [-180, 180]).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import numpy as np

from shieldwall.earth.geodesy import geodesic_direct
from shieldwall.io.errors import fail
from shieldwall.io.geometry import flyout_arc_deg
from shieldwall.io.record import RunRecord
from shieldwall.io.scene import STATUSES, ExportError, Scene, rows, scene

__all__ = ["FORMATS", "export_run", "to_czml", "to_geojson", "to_kml"]

#: Export formats and their file suffixes.
FORMATS = {"czml": ".czml", "kml": ".kml", "geojson": ".geojson"}

#: Nation colours (RGB), in nation order; status colours of threats.
NATION_RGB = (
    (31, 119, 180),
    (255, 127, 14),
    (44, 160, 44),
    (148, 103, 189),
    (140, 86, 75),
    (227, 119, 194),
    (23, 190, 207),
    (188, 189, 34),
)
STATUS_RGB = {
    "leaked": (214, 39, 40),
    "killed": (255, 187, 120),
    "failed": (150, 150, 150),
    "clear": (219, 219, 141),
}
#: Most samples per threat in a CZML trajectory (thinned evenly; the last one is always kept).
CZML_SAMPLES = 300
#: How long an intercept marker stays on screen. [s]
INTERCEPT_SHOWN_S = 20.0


def nation_rgb(sc: Scene, nation: object) -> tuple[int, int, int]:
    """The colour of a nation (grey if unknown)."""
    k = sc.nation_index(nation)
    return NATION_RGB[k % len(NATION_RGB)] if k >= 0 else (128, 128, 128)


def _rgba(rgb: tuple[int, int, int], alpha: int = 255) -> dict[str, list[int]]:
    return {"rgba": [*rgb, alpha]}


def _solid(rgb: tuple[int, int, int], alpha: int = 255) -> dict[str, Any]:
    return {"solidColor": {"color": _rgba(rgb, alpha)}}


def circle_deg(lat_deg: float, lon_deg: float, radius_m: float, n: int = 64) -> np.ndarray:
    """A closed ring (lon, lat) of the points ``radius_m`` away along geodesics. [deg]"""
    az = np.linspace(0.0, 2 * np.pi, n + 1)
    lat, lon, _ = geodesic_direct(
        np.full(az.shape, np.radians(lat_deg)),
        np.full(az.shape, np.radians(lon_deg)),
        az,
        np.full(az.shape, radius_m),
    )
    ring = np.column_stack([np.degrees(lon), np.degrees(lat)])
    ring[-1] = ring[0]
    return ring


def _threat_samples(sc: Scene, threat: int, end_t_s: float) -> np.ndarray:
    """(k, 4) t_s, lon, lat, alt of a threat up to ``end_t_s``."""
    tr = sc.trajectories
    rows = tr[(tr["threat"] == threat) & (tr["t_s"] <= end_t_s + 1e-9)]
    out: np.ndarray = rows[["t_s", "lon_deg", "lat_deg", "alt_m"]].to_numpy(float)
    return out


def _thin(samples: np.ndarray, most: int) -> np.ndarray:
    if len(samples) <= most:
        return samples
    keep = np.unique(np.linspace(0, len(samples) - 1, most).round().astype(np.int64))
    out: np.ndarray = samples[keep]
    return out


def _flyouts(sc: Scene) -> list[np.ndarray]:
    """Per engagement, (n, 4) t_s, lon, lat, alt from launch to intercept."""
    out = []
    for ev in rows(sc.events):
        arc = flyout_arc_deg(
            ev.lat_deg,
            ev.lon_deg,
            ev.alt_m,
            ev.intercept_lat_deg,
            ev.intercept_lon_deg,
            ev.intercept_alt_m,
        )
        t = np.linspace(ev.launch_t_s, ev.intercept_t_s, len(arc))
        out.append(np.column_stack([t, arc]))
    return out


# -- CZML ----------------------------------------------------------------------------------------


def to_czml(sc: Scene) -> list[dict[str, Any]]:
    """The scene as a CZML document (a list of packets; the first is the document packet)."""
    iso = sc.iso
    whole = f"{iso(sc.start_t_s)}/{iso(sc.end_t_s)}"
    doc: list[dict[str, Any]] = [
        {
            "id": "document",
            "name": f"{sc.title} — {sc.policy}, trial {sc.trial}",
            "version": "1.0",
            "clock": {
                "interval": whole,
                "currentTime": iso(sc.start_t_s),
                "multiplier": 10,
                "range": "LOOP_STOP",
                "step": "SYSTEM_CLOCK_MULTIPLIER",
            },
        }
    ]
    for a in rows(sc.assets):
        doc.append(
            {
                "id": f"asset/{a.asset}",
                "name": a.name,
                "description": f"Asset {a.asset} ({a.nation}), value {a.value:g}",
                "position": {"cartographicDegrees": [a.lon_deg, a.lat_deg, 0.0]},
                "point": {"pixelSize": 7, "color": _rgba((255, 255, 255))},
                "label": {
                    "text": a.name,
                    "font": "12px sans-serif",
                    "pixelOffset": {"cartesian2": [0, -14]},
                    "fillColor": _rgba((255, 255, 255)),
                },
                "ellipse": {
                    "semiMajorAxis": float(a.radius_m),
                    "semiMinorAxis": float(a.radius_m),
                    "material": _solid((255, 255, 255), 60),
                },
            }
        )
    for b in rows(sc.batteries):
        rgb = nation_rgb(sc, b.nation)
        doc.append(
            {
                "id": f"battery/{b.battery}",
                "name": b.battery,
                "description": f"{b.interceptor} battery ({b.nation}), {b.inventory} rounds",
                "position": {"cartographicDegrees": [b.lon_deg, b.lat_deg, b.alt_m]},
                "point": {"pixelSize": 9, "color": _rgba(rgb), "outlineWidth": 1},
            }
        )
    for r in rows(sc.radars):
        rgb = nation_rgb(sc, r.nation)
        doc.append(
            {
                "id": f"radar/{r.radar}",
                "name": r.radar,
                "description": f"{r.type} radar ({r.nation}); fan: {r.range_m / 1e3:.0f} km",
                "position": {"cartographicDegrees": [r.lon_deg, r.lat_deg, r.alt_m]},
                "point": {"pixelSize": 5, "color": _rgba(rgb)},
            }
        )
        ring = np.asarray(r.fan)
        flat = np.column_stack([ring, np.zeros(len(ring))]).ravel().tolist()
        doc.append(
            {
                "id": f"coverage/{r.radar}",
                "name": f"{r.radar} coverage",
                "polygon": {
                    "positions": {"cartographicDegrees": flat},
                    "material": _solid(rgb, 35),
                    "height": 0,
                    "outline": True,
                    "outlineColor": _rgba(rgb, 140),
                },
            }
        )
    for t in rows(sc.threats):
        samples = _thin(_threat_samples(sc, t.threat, t.end_t_s), CZML_SAMPLES)
        if len(samples) == 0:
            continue
        rgb = STATUS_RGB[t.status]
        doc.append(
            {
                "id": f"threat/{t.threat}",
                "name": t.threat_id,
                "description": f"{t.missile} → {t.target_asset or 'no asset'}: {t.status} "
                f"({STATUSES[t.status]})",
                "availability": f"{iso(samples[0, 0])}/{iso(samples[-1, 0])}",
                "position": {
                    "epoch": iso(0.0),
                    "cartographicDegrees": samples.ravel().tolist(),
                    "interpolationAlgorithm": "LAGRANGE",
                    "interpolationDegree": 1,
                },
                "point": {"pixelSize": 6, "color": _rgba(rgb)},
                "path": {
                    "material": _solid(rgb),
                    "width": 2,
                    "leadTime": 0,
                    "trailTime": 1e6,
                    "resolution": 5,
                },
            }
        )
        if t.status == "leaked":
            doc.append(
                {
                    "id": f"impact/{t.threat}",
                    "name": f"leaker {t.threat_id}",
                    "description": f"{t.threat_id} falls on {t.target_asset}",
                    "availability": f"{iso(t.impact_t_s)}/{iso(sc.end_t_s + 600)}",
                    "position": {"cartographicDegrees": [t.impact_lon_deg, t.impact_lat_deg, 0.0]},
                    "point": {"pixelSize": 12, "color": _rgba(STATUS_RGB["leaked"])},
                }
            )
    for k, (ev, path) in enumerate(zip(rows(sc.events), _flyouts(sc), strict=True)):
        rgb = nation_rgb(sc, ev.nation)
        doc.append(
            {
                "id": f"flyout/{k}",
                "name": f"{ev.battery} → {sc.threats.threat_id.iloc[ev.threat]}",
                "description": f"{ev.rounds} round(s) from {ev.battery}",
                "availability": f"{iso(ev.launch_t_s)}/{iso(ev.intercept_t_s)}",
                "position": {
                    "epoch": iso(0.0),
                    "cartographicDegrees": path.ravel().tolist(),
                    "interpolationAlgorithm": "LAGRANGE",
                    "interpolationDegree": 1,
                },
                "point": {"pixelSize": 4, "color": _rgba(rgb)},
                "path": {"material": _solid(rgb, 200), "width": 1, "leadTime": 0, "trailTime": 1e6},
            }
        )
        outcome = "kill" if ev.kill else "miss"
        doc.append(
            {
                "id": f"intercept/{k}",
                "name": f"{outcome}: {ev.battery}",
                "description": f"intercept at {ev.intercept_alt_m / 1e3:.1f} km: {outcome}"
                f"{' (reported kill)' if ev.reported_dead else ''}",
                "availability": f"{iso(ev.intercept_t_s)}/"
                f"{iso(ev.intercept_t_s + INTERCEPT_SHOWN_S)}",
                "position": {
                    "cartographicDegrees": [
                        ev.intercept_lon_deg,
                        ev.intercept_lat_deg,
                        ev.intercept_alt_m,
                    ]
                },
                "point": {
                    "pixelSize": 11 if ev.kill else 7,
                    "color": _rgba((120, 255, 120) if ev.kill else (255, 255, 255)),
                },
            }
        )
    ends = sc.threats.set_index("threat")["end_t_s"]
    nation_of = sc.radars.set_index("radar")["nation"]
    for tr in rows(sc.tracks):
        stop = min(float(tr.end_t_s), float(ends.get(tr.threat, tr.end_t_s)))
        if stop <= tr.start_t_s:
            continue
        doc.append(
            {
                "id": f"track/{tr.radar}/{tr.threat}",
                "name": f"{tr.radar} tracks {sc.threats.threat_id.iloc[tr.threat]}",
                "availability": f"{iso(tr.start_t_s)}/{iso(stop)}",
                "polyline": {
                    "positions": {
                        "references": [f"radar/{tr.radar}#position", f"threat/{tr.threat}#position"]
                    },
                    "width": 1,
                    "arcType": "NONE",
                    "material": _solid(nation_rgb(sc, nation_of.get(tr.radar)), 90),
                },
            }
        )
    return doc


# -- GeoJSON -------------------------------------------------------------------------------------


def _wrap(lon: Any) -> Any:
    """Longitudes in [-180, 180) (arrays or scalars). [deg]"""
    return (np.asarray(lon, dtype=float) + 180.0) % 360.0 - 180.0


def _ccw(ring: np.ndarray) -> np.ndarray:
    """A ring in counterclockwise order (RFC 7946 §3.1.6: exterior rings counterclockwise)."""
    x, y = ring[:, 0], ring[:, 1]
    area2 = float(np.sum(x[:-1] * y[1:] - x[1:] * y[:-1]))
    return ring if area2 >= 0 else ring[::-1]


def _ring_coords(ring: np.ndarray) -> list[list[float]]:
    r = _ccw(np.asarray(ring, dtype=float))
    return [[float(lon), float(lat)] for lon, lat in zip(_wrap(r[:, 0]), r[:, 1], strict=True)]


def _line(samples: np.ndarray) -> list[list[float]]:
    """Rows (t, lon, lat, alt) as GeoJSON positions [lon, lat, alt]."""
    lon = _wrap(samples[:, 1])
    return [
        [float(a), float(b), float(c)]
        for a, b, c in zip(lon, samples[:, 2], samples[:, 3], strict=True)
    ]


def _feature(geometry: dict[str, Any], **properties: Any) -> dict[str, Any]:
    return {"type": "Feature", "geometry": geometry, "properties": properties}


def to_geojson(sc: Scene) -> dict[str, Any]:
    """The scene as a GeoJSON FeatureCollection (RFC 7946); each feature's ``kind`` says what it
    is (asset, defended_area, battery, radar, coverage, trajectory, flyout, intercept, impact)."""
    feats: list[dict[str, Any]] = []
    for a in rows(sc.assets):
        point = {"type": "Point", "coordinates": [float(_wrap(a.lon_deg)), a.lat_deg]}
        feats.append(
            _feature(point, kind="asset", id=a.asset, name=a.name, nation=a.nation, value=a.value)
        )
        ring = circle_deg(a.lat_deg, a.lon_deg, a.radius_m)
        poly = {"type": "Polygon", "coordinates": [_ring_coords(ring)]}
        feats.append(_feature(poly, kind="defended_area", id=a.asset, radius_m=a.radius_m))
    for b in rows(sc.batteries):
        point = {"type": "Point", "coordinates": [float(_wrap(b.lon_deg)), b.lat_deg, b.alt_m]}
        feats.append(
            _feature(
                point,
                kind="battery",
                id=b.battery,
                nation=b.nation,
                interceptor=b.interceptor,
                inventory=int(b.inventory),
            )
        )
    for r in rows(sc.radars):
        point = {"type": "Point", "coordinates": [float(_wrap(r.lon_deg)), r.lat_deg, r.alt_m]}
        feats.append(_feature(point, kind="radar", id=r.radar, nation=r.nation, type=r.type))
        poly = {"type": "Polygon", "coordinates": [_ring_coords(np.asarray(r.fan))]}
        feats.append(_feature(poly, kind="coverage", id=r.radar, range_m=float(r.range_m)))
    for t in rows(sc.threats):
        samples = _threat_samples(sc, t.threat, t.end_t_s)
        if len(samples) < 2:
            continue
        line = {"type": "LineString", "coordinates": _line(samples)}
        feats.append(
            _feature(
                line,
                kind="trajectory",
                threat=int(t.threat),
                threat_id=t.threat_id,
                missile=t.missile,
                status=t.status,
                target_asset=t.target_asset,
                launch_t_s=float(samples[0, 0]),
                end_t_s=float(samples[-1, 0]),
                start_utc=sc.iso(samples[0, 0]),
                end_utc=sc.iso(samples[-1, 0]),
            )
        )
        if t.status == "leaked":
            point = {
                "type": "Point",
                "coordinates": [float(_wrap(t.impact_lon_deg)), t.impact_lat_deg],
            }
            feats.append(
                _feature(
                    point,
                    kind="impact",
                    threat=int(t.threat),
                    threat_id=t.threat_id,
                    asset=t.target_asset,
                    t_s=t.impact_t_s,
                )
            )
    for ev, path in zip(rows(sc.events), _flyouts(sc), strict=True):
        line = {"type": "LineString", "coordinates": _line(path)}
        common = {"battery": ev.battery, "threat": int(ev.threat), "rounds": int(ev.rounds)}
        feats.append(
            _feature(
                line,
                kind="flyout",
                launch_t_s=ev.launch_t_s,
                intercept_t_s=ev.intercept_t_s,
                **common,
            )
        )
        point = {
            "type": "Point",
            "coordinates": [
                float(_wrap(ev.intercept_lon_deg)),
                ev.intercept_lat_deg,
                ev.intercept_alt_m,
            ],
        }
        feats.append(
            _feature(
                point,
                kind="intercept",
                t_s=ev.intercept_t_s,
                kill=bool(ev.kill),
                reported_dead=bool(ev.reported_dead),
                **common,
            )
        )
    return {
        "type": "FeatureCollection",
        "name": f"{sc.title} — {sc.policy}, trial {sc.trial}",
        "features": feats,
    }


# -- KML -----------------------------------------------------------------------------------------

KML_NS = "http://www.opengis.net/kml/2.2"


def _kml_color(rgb: tuple[int, int, int], alpha: int = 255) -> str:
    r, g, b = rgb
    return f"{alpha:02x}{b:02x}{g:02x}{r:02x}"  # KML colours are aabbggrr


def to_kml(sc: Scene) -> bytes:
    """The scene as a KML 2.2 document (OGC 07-147r2; no Google extensions, no external links)."""
    from lxml import etree

    def el(parent: Any, tag: str, text: str | None = None, **attrib: str) -> Any:
        node = etree.SubElement(parent, f"{{{KML_NS}}}{tag}", **attrib)
        if text is not None:
            node.text = text
        return node

    def coords(rows: Any) -> str:
        return " ".join(
            ",".join(f"{v:.7g}" if i < 2 else f"{v:.1f}" for i, v in enumerate(r)) for r in rows
        )

    root = etree.Element(f"{{{KML_NS}}}kml", nsmap={None: KML_NS})
    doc = el(root, "Document")
    el(doc, "name", f"{sc.title} — {sc.policy}, trial {sc.trial}")
    el(doc, "description", "shieldwall run export: trajectories, engagements, leakers, coverage.")
    styles = {f"nation{k}": nation_rgb(sc, n) for k, n in enumerate(sc.nations["nation"])}
    styles |= {f"status_{s}": rgb for s, rgb in STATUS_RGB.items()}
    styles["asset"] = (255, 255, 255)
    for sid, rgb in styles.items():
        st = el(doc, "Style", id=sid)
        icon = el(st, "IconStyle")
        el(icon, "color", _kml_color(rgb))
        line_style = el(st, "LineStyle")
        el(line_style, "color", _kml_color(rgb))
        el(line_style, "width", "2")
        poly = el(st, "PolyStyle")
        el(poly, "color", _kml_color(rgb, 50))

    def placemark(folder: Any, name: str, style: str, description: str = "") -> Any:
        pm = el(folder, "Placemark")
        el(pm, "name", name)
        if description:
            el(pm, "description", description)
        return pm

    def timed(pm: Any, begin: float, end: float | None = None) -> None:
        if end is None:
            stamp = el(pm, "TimeStamp")
            el(stamp, "when", sc.iso(begin))
        else:
            span = el(pm, "TimeSpan")
            el(span, "begin", sc.iso(begin))
            el(span, "end", sc.iso(end))

    def polygon(pm: Any, ring: np.ndarray) -> None:
        pg = el(pm, "Polygon")
        el(pg, "tessellate", "1")
        outer = el(el(pg, "outerBoundaryIs"), "LinearRing")
        r = np.asarray(ring, dtype=float)
        el(outer, "coordinates", coords(np.column_stack([_wrap(r[:, 0]), r[:, 1]])))

    def point(pm: Any, lon: float, lat: float, alt: float | None = None) -> None:
        pt = el(pm, "Point")
        if alt is not None:
            el(pt, "altitudeMode", "absolute")
        el(
            pt,
            "coordinates",
            coords([[float(_wrap(lon)), lat, *([alt] if alt is not None else [])]]),
        )

    def line(pm: Any, samples: np.ndarray) -> None:
        ls = el(pm, "LineString")
        el(ls, "altitudeMode", "absolute")
        el(
            ls,
            "coordinates",
            coords(np.column_stack([_wrap(samples[:, 1]), samples[:, 2], samples[:, 3]])),
        )

    def nation_style(nation: object) -> str:
        return f"#nation{sc.nation_index(nation)}"

    folder = el(doc, "Folder")
    el(folder, "name", "Assets")
    for a in rows(sc.assets):
        pm = placemark(folder, a.name, "#asset", f"{a.asset} ({a.nation}), value {a.value:g}")
        el(pm, "styleUrl", "#asset")
        polygon(pm, circle_deg(a.lat_deg, a.lon_deg, a.radius_m))
    folder = el(doc, "Folder")
    el(folder, "name", "Batteries")
    for b in rows(sc.batteries):
        pm = placemark(folder, b.battery, "", f"{b.interceptor} ({b.nation}), {b.inventory} rounds")
        el(pm, "styleUrl", nation_style(b.nation))
        point(pm, b.lon_deg, b.lat_deg)
    folder = el(doc, "Folder")
    el(folder, "name", "Radars and coverage")
    for r in rows(sc.radars):
        pm = placemark(folder, r.radar, "", f"{r.type} ({r.nation}); fan {r.range_m / 1e3:.0f} km")
        el(pm, "styleUrl", nation_style(r.nation))
        polygon(pm, np.asarray(r.fan))
    folder = el(doc, "Folder")
    el(folder, "name", "Threats")
    for t in rows(sc.threats):
        samples = _threat_samples(sc, t.threat, t.end_t_s)
        if len(samples) < 2:
            continue
        pm = placemark(
            folder, t.threat_id, "", f"{t.missile} → {t.target_asset or 'no asset'}: {t.status}"
        )
        timed(pm, samples[0, 0], samples[-1, 0])
        el(pm, "styleUrl", f"#status_{t.status}")
        line(pm, samples)
    folder = el(doc, "Folder")
    el(folder, "name", "Engagements")
    for ev, path in zip(rows(sc.events), _flyouts(sc), strict=True):
        outcome = "kill" if ev.kill else "miss"
        pm = placemark(
            folder, f"{ev.battery}: {outcome}", "", f"{ev.rounds} round(s) at threat {ev.threat}"
        )
        timed(pm, ev.launch_t_s, ev.intercept_t_s)
        el(pm, "styleUrl", nation_style(ev.nation))
        line(pm, path)
    folder = el(doc, "Folder")
    el(folder, "name", "Leakers")
    for t in rows(sc.threats[sc.threats["status"] == "leaked"]):
        pm = placemark(folder, f"leaker {t.threat_id}", "", f"falls on {t.target_asset}")
        timed(pm, t.impact_t_s)
        el(pm, "styleUrl", "#status_leaked")
        point(pm, t.impact_lon_deg, t.impact_lat_deg)
    out: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return out


# -- files ---------------------------------------------------------------------------------------


def render(sc: Scene, fmt: str) -> bytes:
    """The scene in one of :data:`FORMATS`, as bytes.

    Raises
    ------
    ExportError
        Unknown format (the message lists the formats).
    """
    if fmt == "czml":
        return json.dumps(to_czml(sc), separators=(",", ":"), allow_nan=False).encode()
    if fmt == "geojson":
        return json.dumps(to_geojson(sc), allow_nan=False).encode()
    if fmt == "kml":
        return to_kml(sc)
    raise ExportError(f"unknown export format {fmt!r}; formats: {', '.join(FORMATS)}")


def export_run(
    record: RunRecord,
    fmt: str,
    out_path: str | os.PathLike[str],
    *,
    policy: str | None = None,
    trial: int = 0,
    overwrite: bool = False,
) -> Path:
    """Write one logged trial of a run as CZML, KML or GeoJSON.

    The file is written beside its final name and renamed into place (never half-written).

    Raises
    ------
    ExportError
        Unknown format, policy or trial.
    RunFolderError
        The file exists (and ``overwrite`` is false) or cannot be written.
    """
    if fmt not in FORMATS:
        raise ExportError(f"unknown export format {fmt!r}; formats: {', '.join(FORMATS)}")
    data = render(scene(record, policy=policy, trial=trial), fmt)
    out = Path(out_path)
    if out.exists() and not overwrite:
        raise fail(out, "exists already; choose another -o file or pass --force")
    tmp = out.with_name(f".{out.name[:200]}.tmp-{os.getpid()}")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(data)
        os.replace(tmp, out)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise fail(out, f"cannot write the export ({exc.strerror or exc})") from exc
    return out
