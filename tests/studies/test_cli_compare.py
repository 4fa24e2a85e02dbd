"""``shieldwall compare``: the table, ``--json``, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from shieldwall.cli.main import main

MINIMAL = Path(__file__).resolve().parents[2] / "examples" / "minimal.yaml"


def test_compare_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["compare", str(MINIMAL), "-n", "200", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    names = [p["name"] for p in doc["policies"]]
    assert names == ["national", "cueing", "shared_tracks", "integrated"]
    for p in doc["policies"]:
        lo, hi = p["p_zero_leak_ci"]
        assert lo <= p["p_zero_leak"] <= hi
        assert p["expected_leakers"] >= 0.0
        assert p["interceptors_used"] >= 0.0


def test_compare_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["compare", str(MINIMAL), "-n", "100", "--policies", "national,integrated"]) == 0
    out = capsys.readouterr().out
    assert "P(zero leakage)" in out
    assert "integrated" in out


def test_compare_unknown_policy_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["compare", str(MINIMAL), "-n", "10", "-p", "national,solo"]) == 2
    err = capsys.readouterr().err
    assert "valid policies" in err
    assert "Traceback" not in err
