"""``shieldwall wta solve``: output keys, and exit code 2 on bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from shieldwall.battle.wta import read_instance, solve
from shieldwall.cli.main import main

INSTANCE = "3 4 2\n10\n20\n5.5\n40\n" + "".join(
    f"{i} {j} {0.2 + 0.05 * (i + j)}\n" for i in range(3) for j in range(4)
)


@pytest.fixture
def instance(tmp_path: Path) -> Path:
    path = tmp_path / "wta_3x4x2.txt"
    path.write_text(INSTANCE)
    return path


def test_json_output(instance: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["wta", "solve", str(instance), "--solver", "exact", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {"objective", "bound", "gap", "time_s"} <= data.keys()
    expected = solve(read_instance(instance), solver="exact")
    assert data["objective"] == pytest.approx(expected.objective, rel=1e-12)
    assert data["bound"] <= data["objective"]


def test_heuristic_text_output(instance: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["wta", "solve", str(instance), "--time-limit", "5"]) == 0
    text = capsys.readouterr().out
    assert "objective" in text
    assert "n/a" in text  # no bound from the heuristic


@pytest.mark.parametrize(
    "args",
    [
        ["--solver", "magic"],
        ["--time-limit", "-1", "--solver", "exact"],
    ],
)
def test_bad_options_exit_2(instance: Path, args: list[str]) -> None:
    assert main(["wta", "solve", str(instance), *args]) == 2


def test_bad_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "broken.txt"
    path.write_text("1 1 1\n5\n0 0 2.0\n")
    assert main(["wta", "solve", str(path)]) == 2
    assert f"{path}:3" in capsys.readouterr().err
    assert main(["wta", "solve", str(tmp_path / "missing.txt")]) == 2
