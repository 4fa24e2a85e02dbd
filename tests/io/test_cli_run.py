"""``shieldwall run``: metrics table, run folder, exit code 2 on bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from shieldwall.cli.main import main
from shieldwall.io.run_folder import read_run

MINIMAL = Path(__file__).resolve().parents[2] / "examples" / "minimal.yaml"


def test_run_prints_metrics_and_writes_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_dir = tmp_path / "r"
    code = main(["run", str(MINIMAL), "--trials", "200", "--seed", "4", "--out", str(out_dir)])
    assert code == 0
    printed = capsys.readouterr()
    assert "P(zero leakage)" in printed.out
    run = read_run(out_dir)
    assert run["trials"] == 200
    assert run["seed"] == 4


def test_run_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["run", str(MINIMAL), "-n", "100", "--out", str(tmp_path / "j"), "--json"])
    assert code == 0
    doc = json.loads(capsys.readouterr().out)
    assert 0.0 <= doc["p_zero_leak"] <= 1.0
    assert doc["run_folder"] == str(tmp_path / "j")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--policy", "alone"], "valid policies"),
        (["--solver", "magic"], "one of heuristic, exact, doctrine"),
        (["--trials", "0"], "trials"),
    ],
)
def test_bad_input_exits_2_without_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    code = main(["run", str(MINIMAL), "--out", str(tmp_path / "x"), *args])
    assert code == 2
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err
    assert not (tmp_path / "x").exists()


def test_existing_out_folder_exits_2_and_is_kept(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "keep").mkdir()
    (tmp_path / "keep" / "a.txt").write_text("x")
    assert main(["run", str(MINIMAL), "-n", "50", "--out", str(tmp_path / "keep")]) == 2
    assert "exists already" in capsys.readouterr().err
    assert (tmp_path / "keep" / "a.txt").read_text() == "x"
