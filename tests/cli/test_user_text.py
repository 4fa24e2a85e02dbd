"""User text is printed literally: rich markup and emoji codes in names never render or crash.

Regression for issue #15 item 3: a scenario named ``"Plan [/b] B"`` crashed ``validate``,
``compare`` and ``run`` (after the run folder was written) and ``:100:`` rendered as an emoji.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from shieldwall.cli.main import main

ROOT = Path(__file__).resolve().parents[2]
MINIMAL = ROOT / "examples" / "minimal.yaml"

NAME = "Plan [/b] B :100: [bold red]loud"
NATION = "B[/]LU"
ASSET = "cap[/i]ital:fire:"
RADAR = "[red]ew"
BATTERY = "pat[/bold]riot"
AREA = "north[link=x]"
POLICY = "share [/b] all"
EMOJI = "\N{HUNDRED POINTS SYMBOL}"


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Path:
    yaml = YAML(typ="safe", pure=True)
    doc = yaml.load(MINIMAL.read_text())
    doc["name"] = NAME
    doc["description"] = "[/] closing tag with nothing open :100:"
    doc["nations"][0].update(id=NATION, name="Blue[/b]land")
    doc["assets"][0].update(id=ASSET, nation=NATION)
    doc["sensors"]["radars"][0].update(id=RADAR, nation=NATION)
    doc["batteries"][0].update(id=BATTERY, nation=NATION)
    doc["threats"]["launch_areas"][0]["id"] = AREA
    doc["threats"]["raid"][0].update(launch_area=AREA, aim_asset=ASSET)
    doc["policies"] = [{"name": POLICY, "base": "integrated"}]
    path = tmp_path_factory.mktemp("markup") / "plan [bold] :100:.yaml"
    with path.open("w") as fh:
        yaml.dump(doc, fh)
    return path


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    code = main(argv)
    captured = capsys.readouterr()
    text = captured.out + captured.err
    assert code == 0, text
    assert "Traceback" not in text
    assert EMOJI not in text
    return text


def test_validate_prints_names_literally(
    scenario: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = _run(["validate", str(scenario)], capsys)
    for literal in (NAME, NATION, POLICY, str(scenario)):
        assert literal in text


def test_validate_json(scenario: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["validate", "--json", str(scenario)])
    doc = json.loads(capsys.readouterr().out)
    assert code == 0
    assert doc[0]["summary"]["name"] == NAME


def test_run_prints_names_literally(
    scenario: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "run [red]"
    argv = ["run", str(scenario), "-n", "20", "--policy", POLICY, "--out", str(out)]
    text = _run(argv, capsys)
    for literal in (NAME, POLICY, ASSET, NATION, str(out)):
        assert literal in text
    assert (out / "run.json").is_file()
    text = _run(["runs", "list", "--root", str(tmp_path)], capsys)  # the run database
    assert NAME in text
    assert POLICY in text


def test_compare_prints_names_literally(scenario: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["compare", str(scenario), "-n", "20", "-p", f"national,{POLICY}"]
    text = _run([*argv, "--baseline", POLICY], capsys)
    assert NAME in text
    assert POLICY in text


def test_detect_prints_names_literally(scenario: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = _run(["detect", str(scenario), "--policy", POLICY], capsys)
    for literal in (POLICY, NATION, RADAR):
        assert literal in text


def test_problems_print_user_text_literally(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad [bold].yaml"
    bad.write_text(MINIMAL.read_text().replace("settings:", "se[/b]ttings:"))
    code = main(["validate", str(bad)])
    text = capsys.readouterr().err
    assert code == 2
    assert f"{bad}:" in text
    assert "se[/b]ttings" in text
    assert "Traceback" not in text


def test_user_catalog_names_print_literally(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "mine [i].yaml"
    path.write_text(
        "kind: satellite\nentries:\n  - name: 'Mine [/b] :100:'\n"
        "    description: '[/i] :fire:'\n    params:\n"
        '      latency_s: {value: 10, confidence: low, source: "Me [/b] (2024)"}\n'
        '      launch_point_sigma_km: {value: 1, confidence: low, source: "Me (2024)"}\n'
        '      azimuth_sigma_deg: {value: 1, confidence: low, source: "Me (2024)"}\n',
        encoding="utf-8",
    )
    for argv in (["catalog", "check", str(path)], ["catalog", "list", "-f", str(path)]):
        text = _run(argv, capsys)
        assert "Mine [/b] :100:" in text
    text = _run(["catalog", "show", "Mine [/b] :100:", "-f", str(path)], capsys)
    assert "Mine [/b] :100:" in text
