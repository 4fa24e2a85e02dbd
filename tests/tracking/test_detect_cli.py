"""``shieldwall detect``: in-process on the minimal example (JSON and table), and bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from shieldwall.cli.main import main

EXAMPLE = str(Path(__file__).parents[2] / "examples" / "minimal.yaml")


def test_detect_json_and_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["detect", EXAMPLE, "--policy", "national", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["policy"] == "national"
    assert doc["threats"]
    for th in doc["threats"]:
        assert th["launch_t_s"] <= th["first_detect_t_s"] <= th["impact_t_s"]
        for rec in th["nations"].values():
            if rec["ipp_sigma_at_fcq_m"] is not None:
                req = doc["fcq_requirement_m"]
                assert rec["ipp_sigma_at_fcq_m"] <= max(req.values())
    assert main(["detect", EXAMPLE, "--policy", "cueing"]) == 0
    text = capsys.readouterr().out
    assert "FCQ" in text
    assert "policy cueing" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--policy", "sharing_everything"], "valid policies: national"),
        (["--fusion", "mean"], "valid fusions: centralized, ci"),
        (["--mode", "particle"], "valid modes: covariance, measurement"),
        (["--mode", "measurement", "--fusion", "ci"], "--fusion centralized"),
    ],
)
def test_detect_bad_input_exits_2(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["detect", EXAMPLE, *args]) == 2
    assert message in capsys.readouterr().err
