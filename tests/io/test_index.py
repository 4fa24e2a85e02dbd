"""The run database: one transaction per run, rebuilt when lost, safe with concurrent processes."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from shieldwall.io.index import (
    INDEX_FILE,
    index_path,
    index_run,
    list_runs,
    query_index,
    rebuild_index,
    show_run,
)
from shieldwall.io.record import RunFolderError
from shieldwall.io.run_folder import write_record
from tests.io.records import compare_record, run_record, sweep_study_folder

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A written single-policy run and a written compare run."""
    base = tmp_path_factory.mktemp("templates")
    return write_record(run_record(), base / "one"), write_record(compare_record(), base / "cmp")


def _copies(template: Path, root: Path, names: list[str]) -> list[Path]:
    root.mkdir(parents=True, exist_ok=True)
    out = []
    for name in names:
        shutil.copytree(template, root / name)
        out.append(root / name)
    return out


def test_index_list_show_query(tmp_path: Path, template: tuple[Path, Path]) -> None:
    one, cmp_ = template
    runs = tmp_path / "runs"
    for folder in _copies(one, runs, ["a"]) + _copies(cmp_, runs, ["b"]):
        index_run(folder)
    listed = list_runs(runs)
    assert sorted(listed["run_id"]) == ["a", "b"]
    shown = show_run(runs, "b")
    assert shown["run"]["kind"] == "compare"
    assert {m["policy"] for m in shown["metrics"]} == {
        "national",
        "cueing",
        "shared_tracks",
        "integrated",
    }
    d = query_index(
        runs,
        "SELECT value, lo, hi FROM metrics"
        " WHERE run_id='b' AND metric='d_p_zero_leak' AND policy='national'",
    )
    assert d.iloc[0].tolist() == [0.0, 0.0, 0.0]
    p = query_index(runs, "SELECT value FROM metrics WHERE run_id='a' AND metric='p_zero_leak'")
    assert p.iloc[0, 0] == pytest.approx(run_record()["metrics"]["national"]["p_zero_leak"])
    with pytest.raises(RunFolderError, match="no run 'zzz'"):
        show_run(runs, "zzz")


def test_query_is_read_only(tmp_path: Path, template: tuple[Path, Path]) -> None:
    runs = tmp_path / "runs"
    index_run(_copies(template[0], runs, ["a"])[0])
    with pytest.raises(RunFolderError, match="query failed"):
        query_index(runs, "DELETE FROM runs")
    with pytest.raises(RunFolderError, match="query failed"):
        query_index(runs, "SELEKT 1")
    assert len(list_runs(runs)) == 1


def test_reindexing_a_run_replaces_its_rows(tmp_path: Path, template: tuple[Path, Path]) -> None:
    runs = tmp_path / "runs"
    (folder,) = _copies(template[1], runs, ["c"])
    index_run(folder)
    index_run(folder)
    n = query_index(runs, "SELECT count(*) FROM metrics WHERE run_id = 'c'").iloc[0, 0]
    # four policies x nine metrics (leakage, interceptors, inventory, three cost metrics and
    # two paired differences), once
    assert n == 4 * 9
    costs = query_index(
        runs,
        "SELECT policy, value FROM metrics WHERE run_id = 'c' AND metric = 'cost_exchange_ratio'",
    )
    assert len(costs) == 4
    assert (costs["value"] > 0).all()


def test_lost_or_corrupt_index_is_rebuilt_from_the_folders(
    tmp_path: Path, template: tuple[Path, Path]
) -> None:
    runs = tmp_path / "runs"
    folders = _copies(template[0], runs, ["a", "b", "c"])
    index_run(folders[0])  # the index knows one; the folders are the truth
    index_path(runs).unlink()
    assert sorted(list_runs(runs)["run_id"]) == ["a", "b", "c"]
    index_path(runs).write_bytes(b"this is not a database" * 100)
    assert len(list_runs(runs)) == 3
    assert list(runs.glob(f"{INDEX_FILE}.corrupt-*"))
    (runs / "junk").mkdir()  # folders that are not runs are skipped
    (runs / "junk" / "run.json").write_text("{")
    assert rebuild_index(runs) == 3


_WRITER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from shieldwall.io import index
    for name in sys.argv[2:]:
        index.index_run(Path(sys.argv[1]) / name)
        with index._reader(sys.argv[1]) as con:  # readers interleave with the other writers
            assert con.execute("SELECT count(*) FROM runs").fetchone()[0] >= 1
    """
)


def test_concurrent_writer_processes_do_not_corrupt_the_index(
    tmp_path: Path, template: tuple[Path, Path]
) -> None:
    runs = tmp_path / "runs"
    n_proc, per = 4, 5
    names = [[f"p{p}-{k}" for k in range(per)] for p in range(n_proc)]
    for group in names:
        _copies(template[0], runs, group)
    procs = [
        subprocess.Popen([sys.executable, "-c", _WRITER, str(runs), *group], cwd=ROOT)
        for group in names
    ]
    codes = [p.wait(timeout=300) for p in procs]
    assert codes == [0] * n_proc
    listed = list_runs(runs)
    assert sorted(listed["run_id"]) == sorted(n for g in names for n in g)
    counts = query_index(runs, "SELECT run_id, count(*) AS n FROM metrics GROUP BY run_id")
    assert set(counts["n"]) == {7}  # one policy: four metrics and three cost metrics, once


_STALLED = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from shieldwall.io import index
    root = Path(sys.argv[1])
    with index._locked(root, exclusive=True):
        con = index._connect(index.index_path(root), read_only=False)
        con.execute("BEGIN")
        con.execute("DELETE FROM runs")
        con.execute(
            "INSERT INTO runs (run_id, path, kind, indexed_utc)"
            " VALUES ('ghost', '/', 'run', now())"
        )
        print("ready", flush=True)
        time.sleep(600)
    """
)


def test_a_killed_writer_rolls_back_and_releases_the_lock(
    tmp_path: Path, template: tuple[Path, Path]
) -> None:
    runs = tmp_path / "runs"
    first, second = _copies(template[0], runs, ["a", "b"])
    index_run(first)
    proc = subprocess.Popen(
        [sys.executable, "-c", _STALLED, str(runs)], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "ready"
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        proc.kill()
    index_run(second)  # the lock is free again
    assert sorted(list_runs(runs)["run_id"]) == ["a", "b"]  # no ghost, nothing deleted


def test_index_refuses_a_folder_that_is_not_a_run(tmp_path: Path) -> None:
    with pytest.raises(RunFolderError, match="not a complete run or study folder"):
        index_run(tmp_path)
    with pytest.raises(RunFolderError, match="no such runs folder"):
        list_runs(tmp_path / "nope")


def test_study_folders_are_indexed_with_their_cases(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    sweep_study_folder(runs / "sweep")
    listed = list_runs(runs)
    assert listed["kind"].tolist() == ["study"]
    shown = show_run(runs, "sweep")
    assert shown["run"]["command"] == "sweep"
    cases = {m["policy"] for m in shown["metrics"]}
    assert cases == {f"p{k} / {p}" for k in range(3) for p in ("national", "integrated")}
