"""``shieldwall catalog list|show|check``, in process and once as a real subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from shieldwall.cli.main import main
from shieldwall.scenario.catalog import KINDS, PARAM_KEYS, load_catalog, unit_of

from .test_catalog_data import REQUIRED


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["catalog", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_list_shows_every_entry(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys, "list")
    assert code == 0, err
    for names in REQUIRED.values():
        for name in names:
            assert name in out
    assert "…" not in out, "nothing is truncated when output is not a terminal"


def test_list_json_by_kind(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "list", "--json")
    assert code == 0
    data = json.loads(out)
    assert list(data) == list(KINDS)
    for kind in KINDS:
        assert [e["name"] for e in data[kind]] == REQUIRED[kind]
        for e in data[kind]:
            assert list(e["values"]) == list(PARAM_KEYS[kind])
            assert 0 <= e["n_assumptions"] <= e["n_params"] == len(PARAM_KEYS[kind])
    code, out, _ = _run(capsys, "list", "--kind", "radar", "--json")
    assert list(json.loads(out)) == ["radar"]


def test_show_prints_every_parameter_with_its_source(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys, "show", "thaad")
    entry = load_catalog().get("interceptor", "THAAD")
    assert any(p.see for p in entry.params.values()), "THAAD cites supporting sources"
    assert code == 0, err
    entry = load_catalog().get("interceptor", "THAAD")
    for key, param in entry.params.items():
        assert key in out
        assert param.source in out
        if param.url:
            assert param.url in out
        for text, url in param.see:
            assert text in out
            assert url in out
    for param in entry.params.values():
        if param.range is not None:
            assert f"{param.range[0]:g} – {param.range[1]:g}" in out
    assert f"{entry.n_assumptions} of {len(entry.params)} values are assumptions" in out


def test_show_json_has_value_unit_confidence_range_source(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = _run(capsys, "show", "AN/TPY-2 FBM", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["name"] == "AN/TPY-2 FBM"
    assert data["kind"] == "radar"
    entry = load_catalog().get("radar", "AN/TPY-2 FBM")
    assert list(data["params"]) == list(PARAM_KEYS["radar"])
    for key, shown in data["params"].items():
        param = entry.params[key]
        assert shown["value"] == param.value
        assert shown["unit"] == unit_of(key)
        assert shown["confidence"] == param.confidence
        assert shown["source"] == param.source
        assert shown["range"] == (list(param.range) if param.range else None)


def test_unknown_name_exits_2_with_close_matches(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys, "show", "Hwasong-21")
    assert code == 2
    assert out == ""
    assert "did you mean" in err
    assert "Hwasong-12" in err
    assert "Traceback" not in err


def test_unknown_kind_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(capsys, "list", "--kind", "laser")
    assert code == 2
    assert "kinds are: missile, interceptor, radar, satellite" in err
    code, _, err = _run(capsys, "show", "THAAD", "--kind", "missile")
    assert code == 2
    assert "unknown missile catalog name 'THAAD'" in err


def test_check_user_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text(
        "kind: satellite\nentries:\n  - name: Mine\n    params:\n"
        '      latency_s: {value: 10, confidence: low, source: "Me (2024)"}\n'
        '      launch_point_sigma_km: {value: 1, confidence: low, source: "Me (2024)"}\n'
        '      azimuth_sigma_deg: {value: 1, confidence: low, source: "Me (2024)"}\n',
        encoding="utf-8",
    )
    code, out, err = _run(capsys, "check", str(path))
    assert code == 0, err
    assert "1 entries (Mine)" in out
    code, out, _ = _run(capsys, "show", "mine", "--file", str(path), "--json")
    assert code == 0
    assert json.loads(out)["params"]["latency_s"]["value"] == 10.0

    path.write_text(path.read_text().replace("value: 10", "value: -10"), encoding="utf-8")
    code, out, err = _run(capsys, "check", str(path))
    assert code == 2
    assert f"{path}:5:" in err
    assert "latency_s" in err
    assert "Traceback" not in err


def test_subprocess_entry_point() -> None:
    # One real process (the in-process tests cover the rest): the exit code reaches the shell,
    # the message names the close match, and there is no traceback.
    result = subprocess.run(
        [sys.executable, "-m", "shieldwall.cli.main", "catalog", "show", "Nodongg"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 2
    assert "did you mean: Nodong" in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
