"""The report: self-contained HTML (no external URL), a PDF whose map is drawn, study curves."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from lxml import html as lxml_html
from matplotlib.image import imread

from shieldwall.cli.main import main
from shieldwall.io.basemap import NODE_MODULES_ENV
from shieldwall.io.record import record_results
from shieldwall.io.run_folder import read_folder, read_run
from shieldwall.pipeline import simulate
from shieldwall.report import report_html, write_report
from shieldwall.report.figures import LAND, SEA
from shieldwall.scenario import compile_world, load_scenario
from tests.io.records import MINIMAL, flagship_compare_dir, sweep_study_folder

#: Attributes through which a page loads something.
LOADING = ("src", "href", "srcset", "data", "poster", "background", "action", "formaction")


@pytest.fixture(scope="module")
def flagship(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return flagship_compare_dir(tmp_path_factory.getbasetemp().parent)


def _assert_self_contained(text: str) -> None:
    doc = lxml_html.fromstring(text)
    assert not doc.xpath("//script | //link | //iframe | //object | //embed | //base")
    for el in doc.iter():
        for attr in LOADING:
            value = el.get(attr)
            if value is not None:
                assert value.startswith(("data:", "#")), (el.tag, attr, value[:80])
    css = " ".join(doc.xpath("//style/text()")) + " ".join(doc.xpath("//@style"))
    assert "@import" not in css
    assert "url(" not in css.replace("url(data:", "")
    # addresses appear only as the printed text of catalog sources
    for node in doc.xpath("//text()[contains(., 'http')]"):
        assert node.getparent().get("class") == "url", node[:80]


def test_html_report_is_self_contained_and_complete(flagship: Path) -> None:
    record = read_run(flagship)
    text = report_html(record)
    _assert_self_contained(text)
    doc = lxml_html.fromstring(text)
    headings = [h.text_content() for h in doc.xpath("//h2")]
    assert headings == [
        "Headline numbers",
        "The theater",
        "Where leakers fall",
        "Per-asset survival",
        "Interceptors spent",
        "Provenance",
    ]
    images = doc.xpath("//img/@src")
    assert len(images) == 4  # policies, theater, where leakers fall, survival
    assert all(src.startswith("data:image/png;base64,") for src in images)
    page = doc.text_content()
    assert record["scenario_hash"] in page
    assert "Natural Earth" in page
    assert "imply no position on any territorial dispute" in page
    # every catalog value used is listed, with its source
    cv = record.table("catalog_values")
    assert f"Catalog values used ({len(cv)};" in page
    for source in set(cv["source"]):
        assert source in page


def test_user_text_is_shown_not_interpreted(tmp_path: Path) -> None:
    doc = load_scenario(MINIMAL).model_dump(mode="json", by_alias=True)
    doc["name"] = "Plan <script>alert(1)</script> [/b] :100:"
    scenario = load_scenario(doc)
    res = simulate(compile_world(scenario), "national", trials=50, seed=1)
    text = report_html(record_results(res, scenario=scenario))
    _assert_self_contained(text)
    assert "Plan &lt;script&gt;alert(1)&lt;/script&gt; [/b] :100:" in text


@pytest.mark.skipif(
    shutil.which("pdftoppm") is None, reason="poppler-utils (pdftoppm) missing; ./dev installs it"
)
def test_pdf_pages_render_and_the_map_is_drawn(flagship: Path, tmp_path: Path) -> None:
    _, pdf_file = write_report(read_run(flagship), tmp_path / "r.html", pdf=True)
    assert pdf_file.read_bytes().startswith(b"%PDF")
    subprocess.run(
        ["pdftoppm", "-r", "40", "-png", str(pdf_file), str(tmp_path / "page")],
        check=True,
        timeout=120,
    )
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) >= 3

    def share(img: np.ndarray, colour: str) -> float:
        rgb = np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)]) / 255
        return float(np.mean(np.all(np.abs(img[..., :3] - rgb) < 0.04, axis=-1)))

    maps = [p for p in pages if share(imread(p), SEA) > 0.05 and share(imread(p), LAND) > 0.01]
    assert maps, "no page shows a map with sea and land drawn"
    img = imread(maps[0])[..., :3]
    colours = np.unique((img * 31).astype(int).reshape(-1, 3), axis=0)
    assert len(colours) > 60  # units, fans, tracks and labels drawn on it, not a flat image


def test_report_of_a_study_folder(tmp_path: Path) -> None:
    record = read_folder(sweep_study_folder(tmp_path / "sweep"))
    assert record.kind == "study"
    text = report_html(record)
    _assert_self_contained(text)
    doc = lxml_html.fromstring(text)
    assert [h.text_content() for h in doc.xpath("//h2")] == ["Study: sweep", "Provenance"]
    assert len(doc.xpath("//img")) == 1


def test_cli_report(flagship: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "rep.html"
    assert main(["report", str(flagship), "-o", str(out), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["files"] == [str(out)]
    assert main(["report", str(flagship), "-o", str(out)]) == 2
    assert "exists already" in capsys.readouterr().err
    assert main(["report", str(tmp_path / "nope"), "-o", str(tmp_path / "x.html")]) == 2
    assert "no such run folder" in capsys.readouterr().err


def test_missing_map_data_is_a_clear_error(
    flagship: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(NODE_MODULES_ENV, str(tmp_path / "empty"))
    assert main(["report", str(flagship), "-o", str(tmp_path / "x.html")]) == 2
    err = capsys.readouterr().err
    assert "./dev setup" in err
    assert "Traceback" not in err
    assert not (tmp_path / "x.html").exists()
