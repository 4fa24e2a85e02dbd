"""Run folders: contents, provenance, atomic write, never overwrite."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from shieldwall.io.run_folder import RUN_FILE, RunFolderError, read_run, write_run_folder
from shieldwall.pipeline import Results, simulate
from shieldwall.scenario import compile_world, load_scenario

MINIMAL = Path(__file__).resolve().parents[2] / "examples" / "minimal.yaml"


@cache
def _results() -> Results:
    return simulate(compile_world(load_scenario(MINIMAL)), "national", trials=200, seed=2)


def test_run_folder_round_trip(tmp_path: Path) -> None:
    res = _results()
    folder = write_run_folder(res, tmp_path / "run1", extra={"command": "test"})
    run = read_run(folder)
    assert run["complete"] is True
    assert run["seed"] == 2
    assert run["trials"] == 200
    assert run["policy"] == "national"
    assert run["scenario_hash"] == res.world.scenario_hash
    assert run["command"] == "test"
    assert run["metrics"]["p_zero_leak"] == pytest.approx(res.metrics.p_zero_leak)
    for name in run["files"]:
        assert (folder / name).is_file()
    trials = pq.read_table(folder / "trials.parquet")
    assert trials.num_rows == 200
    assert sum(trials.column("leakers").to_pylist()) == int(res.outcomes.leakers.sum())
    opp = pq.read_table(folder / "opportunities.parquet")
    assert opp.num_rows == res.fight.n_rows
    eng = pq.read_table(folder / "engagements.parquet")
    assert eng.num_rows == res.outcomes.events.n_events
    # nothing but the run folder is left in the parent (no temporary folders)
    assert [p.name for p in tmp_path.iterdir()] == ["run1"]


def test_existing_folder_is_never_overwritten(tmp_path: Path) -> None:
    target = tmp_path / "taken"
    target.mkdir()
    (target / "precious.txt").write_text("keep me")
    with pytest.raises(RunFolderError, match="exists already"):
        write_run_folder(_results(), target)
    assert (target / "precious.txt").read_text() == "keep me"


def test_unwritable_location_is_a_user_error_and_leaves_nothing(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(RunFolderError, match="cannot"):
        write_run_folder(_results(), blocker / "run")
    assert [p.name for p in tmp_path.iterdir()] == ["file"]


def test_read_run_refuses_a_non_run_folder(tmp_path: Path) -> None:
    with pytest.raises(RunFolderError, match=RUN_FILE):
        read_run(tmp_path)
