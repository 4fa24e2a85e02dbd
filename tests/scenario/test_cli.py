"""`shieldwall validate` / `schema`: exit codes 0 / 2, summaries, problems, no traceback."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from shieldwall.cli.main import main
from shieldwall.cli.scenario import schema_document
from shieldwall.scenario import Scenario
from tests.scenario.test_loader import EXPECTED, FIVE_ERRORS

ROOT = Path(__file__).resolve().parents[2]
MINIMAL = ROOT / "examples" / "minimal.yaml"


@pytest.fixture
def bad_file(tmp_path: Path) -> Path:
    path = tmp_path / "bad.yaml"
    path.write_text(FIVE_ERRORS)
    return path


def test_validate_ok(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(MINIMAL)]) == 0
    out = capsys.readouterr().out
    assert "Minimal tutorial" in out
    assert f"ok {MINIMAL}" in out
    assert "48 PAC-3 MSE" in out
    assert "3 missiles (3 Scud-C)" in out
    assert "national, cueing, shared_tracks, integrated" in out


def test_validate_bad_reports_every_error(
    bad_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["validate", str(bad_file), str(MINIMAL)]) == 2
    captured = capsys.readouterr()
    for line, col, field, _ in EXPECTED:
        assert f"{bad_file}:{line}:{col}: error: {field}:" in captured.err
    assert f"invalid {bad_file} (5 errors)" in captured.out
    assert f"ok {MINIMAL}" in captured.out  # later files are still checked
    assert "Traceback" not in captured.out + captured.err


def test_validate_json(bad_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "--json", str(MINIMAL), str(bad_file)]) == 2
    data = json.loads(capsys.readouterr().out)
    assert [r["ok"] for r in data] == [True, False]
    assert data[0]["summary"]["phases"][0]["raid"] == {"Scud-C": 3}
    got = [(p["line"], p["col"], p["path"]) for p in data[1]["problems"]]
    assert got == [(line, col, field) for line, col, field, _ in EXPECTED]


def test_validate_refuses_what_run_refuses(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Regression (issues #14, #15 item 7): an aim out of reach validated with a warning, then
    `run` failed with `raid[i]` counting missiles and no file:line. Now both refuse it, naming
    the salvo at its line, exit 2."""
    text = MINIMAL.read_text().replace("missile: Scud-C", "missile: Scud-B")
    path = tmp_path / "far.yaml"
    path.write_text(text)
    line = next(i for i, t in enumerate(text.splitlines(), 1) if "missile: Scud-B" in t)
    assert main(["validate", str(path)]) == 2
    captured = capsys.readouterr()
    where = f"{path}:{line}:7: error: threats.raid[0]: salvo 'raid[0]': 3 of its 3 missiles:"
    assert where in captured.err
    assert "Scud-B cannot reach the aim point" in captured.err
    assert "invalid" in captured.out
    assert main(["run", str(path), "--trials", "5", "--out", str(tmp_path / "run")]) == 2
    assert where in capsys.readouterr().err
    assert not (tmp_path / "run").exists()


def test_validate_prints_warnings(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = MINIMAL.read_text().replace(
        "    - missile: Scud-C\n", "    - missile: Scud-C\n      id: close\n"
    )
    text = text.replace(
        "threats:\n",
        "threats:\n  missiles:\n    - {name: Scud-C, type: Scud-C, min_range_km: 450}\n",
    )
    path = tmp_path / "close.yaml"
    path.write_text(text)
    assert main(["validate", str(path)]) == 0
    captured = capsys.readouterr()
    assert "warning" in captured.err
    assert "below Scud-C's min_range_km 450" in captured.err
    assert "(1 warning)" in captured.out


def test_validate_missing_file_and_garbage(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    junk = tmp_path / "junk.yaml"
    junk.write_bytes(b"\xff\xfe\x00garbage: [")
    assert main(["validate", str(tmp_path / "none.yaml"), str(junk)]) == 2
    captured = capsys.readouterr()
    assert "file not found" in captured.err
    assert "Traceback" not in captured.out + captured.err


def test_schema_command(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["schema"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed == schema_document()
    assert main(["schema", "-o", str(tmp_path / "s.json")]) == 0
    assert json.loads((tmp_path / "s.json").read_text()) == printed
    assert main(["schema", "-o", str(tmp_path / "no" / "such" / "dir.json")]) == 2
    assert "cannot write" in capsys.readouterr().err


def _walk(node: Any) -> Any:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def test_schema_is_well_formed_json_schema() -> None:
    schema = schema_document()
    assert schema["$schema"].startswith("https://json-schema.org/draft/2020-12")
    assert schema["title"] == "Scenario"
    assert schema["type"] == "object"
    assert schema["required"] == ["name", "nations"]
    defs = schema["$defs"]
    json_types = {"object", "array", "string", "number", "integer", "boolean", "null"}
    for node in _walk(schema):
        if "$ref" in node:
            assert node["$ref"].removeprefix("#/$defs/") in defs, node["$ref"]
        if isinstance(node.get("type"), str):  # (a "properties" map may have a field "type")
            assert node["type"] in json_types
        if node.get("type") == "object" and "properties" in node:
            assert node.get("additionalProperties") is False  # typos are errors in editors too
            assert set(node.get("required", [])) <= set(node["properties"])
    # every field is described (editors show it on hover)
    for name, model in [("Scenario", schema), *defs.items()]:
        for field, prop in model.get("properties", {}).items():
            assert prop.get("description"), f"{name}.{field} has no description"
    # units are in the names and the descriptions say them
    radar = defs["Radar"]["properties"]
    assert "[km]" in radar["r0_km"]["anyOf"][0].get("description", "") or "[km]" in radar[
        "r0_km"
    ].get("description", "")
    assert set(defs["Link"]["properties"]) >= {"from", "to", "level", "latency_s"}
    assert set(schema["properties"]) == {
        info.alias or name for name, info in Scenario.model_fields.items()
    }


def test_subprocess_exit_codes_and_no_traceback(bad_file: Path) -> None:
    ok = subprocess.run(
        [sys.executable, "-m", "shieldwall.cli.main", "validate", str(MINIMAL)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert ok.returncode == 0, ok.stderr
    bad = subprocess.run(
        [sys.executable, "-m", "shieldwall.cli.main", "validate", str(bad_file)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert bad.returncode == 2
    assert "Traceback" not in bad.stdout + bad.stderr
    assert f"{bad_file}:7:25" in bad.stderr
