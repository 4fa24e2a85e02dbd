"""Exports parse back with independent libraries: czml3 (CZML), lxml + OGC KML 2.2 XSD, shapely."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
import shapely
from czml3 import Packet
from lxml import etree
from shapely.geometry import shape

from shieldwall.cli.main import main
from shieldwall.io.export import export_run, to_czml, to_geojson, to_kml
from shieldwall.io.run_folder import read_run
from shieldwall.io.scene import ExportError, scene
from tests.io.records import flagship_compare_dir

XSD = Path(__file__).resolve().parents[1] / "reference" / "ogc_kml22" / "ogckml22.xsd"
KML = "{http://www.opengis.net/kml/2.2}"


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return flagship_compare_dir(tmp_path_factory.getbasetemp().parent)


@pytest.fixture(scope="module")
def sc(run_dir: Path) -> object:
    return scene(read_run(run_dir), policy="national", trial=0)


def test_czml_packets_validate_with_czml3(sc: object) -> None:
    doc = to_czml(sc)  # type: ignore[arg-type]
    assert doc[0]["id"] == "document"
    for packet in doc:
        Packet.model_validate(packet)  # raises on anything czml3 does not accept
    kinds = Counter(p["id"].split("/")[0] for p in doc)
    s = sc
    assert kinds["asset"] == len(s.assets)  # type: ignore[attr-defined]
    assert kinds["battery"] == len(s.batteries)  # type: ignore[attr-defined]
    assert kinds["radar"] == kinds["coverage"] == len(s.radars)  # type: ignore[attr-defined]
    assert kinds["threat"] == len(s.threats)  # type: ignore[attr-defined]
    assert kinds["flyout"] == kinds["intercept"] == len(s.events)  # type: ignore[attr-defined]
    assert kinds["impact"] == int((s.threats["status"] == "leaked").sum())  # type: ignore[attr-defined]
    assert kinds["track"] > 0
    ids = [p["id"] for p in doc]
    assert len(ids) == len(set(ids))
    # every reference points at a packet that exists
    refs = [
        r.split("#")[0]
        for p in doc
        if "polyline" in p
        for r in p["polyline"]["positions"]["references"]
    ]
    assert set(refs) <= set(ids)
    json.dumps(doc, allow_nan=False)


def test_czml_threat_ends_where_it_was_killed(sc: object) -> None:
    doc = {p["id"]: p for p in to_czml(sc)}  # type: ignore[arg-type]
    s = sc
    kills = s.events[s.events["kill"]]  # type: ignore[attr-defined]
    assert len(kills) > 0
    for ev in kills.itertuples():
        samples = np.asarray(doc[f"threat/{ev.threat}"]["position"]["cartographicDegrees"]).reshape(
            -1, 4
        )
        assert samples[-1, 0] == pytest.approx(ev.intercept_t_s)
        assert samples[-1, 3] == pytest.approx(ev.intercept_alt_m, abs=1e-3)


def test_kml_validates_against_the_ogc_schema(sc: object) -> None:
    schema = etree.XMLSchema(etree.parse(str(XSD)))
    doc = etree.fromstring(to_kml(sc))  # type: ignore[arg-type]
    assert schema.validate(doc), schema.error_log
    folders = {f.findtext(f"{KML}name"): f for f in doc.iter(f"{KML}Folder")}
    s = sc
    assert len(folders["Threats"].findall(f"{KML}Placemark")) == len(s.threats)  # type: ignore[attr-defined]
    assert len(folders["Engagements"].findall(f"{KML}Placemark")) == len(s.events)  # type: ignore[attr-defined]
    leaked = int((s.threats["status"] == "leaked").sum())  # type: ignore[attr-defined]
    assert len(folders["Leakers"].findall(f"{KML}Placemark")) == leaked
    assert b"http" not in etree.tostring(doc).replace(b"http://www.opengis.net/kml/2.2", b"")


def test_geojson_geometries_are_valid_for_shapely(sc: object) -> None:
    fc = to_geojson(sc)  # type: ignore[arg-type]
    assert fc["type"] == "FeatureCollection"
    kinds = Counter(f["properties"]["kind"] for f in fc["features"])
    expected = {"asset", "defended_area", "battery", "radar", "coverage", "trajectory"}
    assert set(kinds) - {"impact"} == expected | {"flyout", "intercept"}
    s = sc
    assert kinds["impact"] == int((s.threats["status"] == "leaked").sum())  # type: ignore[attr-defined]
    assert kinds["trajectory"] == len(s.threats)  # type: ignore[attr-defined]
    for feature in fc["features"]:
        geom = shape(feature["geometry"])
        assert geom.is_valid, feature["properties"]
        lon, lat = np.asarray(geom.exterior.coords if geom.geom_type == "Polygon" else geom.coords)[
            :, :2
        ].T
        assert (np.abs(lon) <= 180).all()
        assert (np.abs(lat) <= 90).all()
        if geom.geom_type == "Polygon":
            assert geom.exterior.is_ccw  # RFC 7946 right-hand rule
    # a defended area covers its asset; a leaker's impact falls inside its asset's defended area
    areas = {
        f["properties"]["id"]: shape(f["geometry"])
        for f in fc["features"]
        if f["properties"]["kind"] == "defended_area"
    }
    for f in fc["features"]:
        if f["properties"]["kind"] == "asset":
            assert areas[f["properties"]["id"]].contains(shape(f["geometry"]))
        if f["properties"]["kind"] == "impact":
            assert (
                areas[f["properties"]["asset"]]
                .buffer(1e-6)
                .contains(shapely.Point(f["geometry"]["coordinates"]))
            )


def test_cli_export_writes_each_format(
    run_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for fmt in ("czml", "kml", "geojson"):
        out = tmp_path / f"x.{fmt}"
        args = [
            "export",
            str(run_dir),
            "-f",
            fmt,
            "-o",
            str(out),
            "--policy",
            "integrated",
            "--trial",
            "2",
            "--json",
        ]
        assert main(args) == 0
        assert json.loads(capsys.readouterr().out)["file"] == str(out)
        assert out.stat().st_size > 1000
    assert main(["export", str(run_dir), "-f", "kml", "-o", str(tmp_path / "x.kml")]) == 2
    assert "exists already" in capsys.readouterr().err
    assert (
        main(["export", str(run_dir), "-f", "kml", "-o", str(tmp_path / "x.kml"), "--force"]) == 0
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-f", "shapefile"], "formats: czml, kml, geojson"),
        (["--trial", "20"], "logs trials 0 to 19"),
        (["--trial", "-1"], "logs trials 0 to 19"),
        (["--policy", "alone"], "its policies: national, cueing"),
    ],
)
def test_cli_export_bad_input_exits_2(
    run_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    assert main(["export", str(run_dir), "-o", str(tmp_path / "y.czml"), *args]) == 2
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err
    assert not (tmp_path / "y.czml").exists()


def test_export_of_a_missing_run_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["export", str(tmp_path / "nope")]) == 2
    assert "no such run folder" in capsys.readouterr().err


def test_api_export(run_dir: Path, tmp_path: Path) -> None:
    out = export_run(read_run(run_dir), "geojson", tmp_path / "a.geojson")
    assert json.loads(out.read_text())["type"] == "FeatureCollection"
    with pytest.raises(ExportError, match="formats"):
        export_run(read_run(run_dir), "svg", tmp_path / "a.svg")
