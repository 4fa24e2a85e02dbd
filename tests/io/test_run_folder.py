"""Run folders: atomic writes, early refusal, stale temporaries of killed writers, read errors."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from shieldwall.io.run_folder import (
    RUN_FILE,
    RunFolderError,
    clean_stale_temporaries,
    prepare_out_folder,
    read_run,
    write_record,
    write_run_folder,
)
from tests.io.records import results, run_record

ROOT = Path(__file__).resolve().parents[2]


def test_round_trip_leaves_only_the_folder(tmp_path: Path) -> None:
    folder = write_run_folder(results(), tmp_path / "run1", extra={"command": "test"})
    run = read_run(folder)
    assert run["complete"] is True
    assert (run["seed"], run["trials"], run["policies"]) == (2, 300, ["national"])
    assert run["command"] == "test"
    for name in run["files"]:
        assert (folder / name).is_file()
    assert run["tables"]["trials"] == 300
    assert [p.name for p in tmp_path.iterdir()] == ["run1"]


def test_existing_folder_is_never_overwritten(tmp_path: Path) -> None:
    target = tmp_path / "taken"
    target.mkdir()
    (target / "precious.txt").write_text("keep me")
    with pytest.raises(RunFolderError, match="exists already"):
        write_record(run_record(), target)
    assert (target / "precious.txt").read_text() == "keep me"


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p / "file" / "run", "not a folder"),
        (lambda p: p / ("x" * 300), "longer than 255 bytes"),
        (lambda p: p / "a" / "..", "folder name"),
    ],
)
def test_bad_out_folders_are_refused_before_anything_is_written(
    tmp_path: Path, make: object, message: str
) -> None:
    (tmp_path / "file").write_text("not a folder")
    with pytest.raises(RunFolderError, match=message):
        prepare_out_folder(make(tmp_path))  # type: ignore[operator]
    assert sorted(p.name for p in tmp_path.iterdir()) in (["file"], ["a", "file"])


_WRITER = textwrap.dedent(
    """
    import os, sys, time
    import shieldwall.io.run_folder as rf
    from tests.io.records import run_record

    def stall(src, dst):  # everything is written; stop just before the rename
        print("ready", flush=True)
        time.sleep(600)

    rf.os.rename = stall
    rf.write_record(run_record(), sys.argv[1])
    """
)


def test_killed_writer_leaves_no_run_and_its_temporary_is_cleaned(tmp_path: Path) -> None:
    target = tmp_path / "run"
    proc = subprocess.Popen(
        [sys.executable, "-c", _WRITER, str(target)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "ready"
        (tmp,) = [p for p in tmp_path.iterdir() if p.name.startswith(".run.tmp-")]
        assert (tmp / RUN_FILE).is_file()
        assert clean_stale_temporaries(tmp_path) == []  # its writer is alive: kept
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        proc.kill()
    assert not target.exists()
    assert tmp.exists()
    prepare_out_folder(tmp_path / "next")  # the next write into this folder cleans up
    assert not tmp.exists()
    assert list(tmp_path.iterdir()) == []


_FULL = textwrap.dedent(
    """
    import resource, signal, sys
    from shieldwall.errors import ShieldwallError
    from shieldwall.io.run_folder import write_record
    from tests.io.records import run_record

    rec = run_record()
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG
    resource.setrlimit(resource.RLIMIT_FSIZE, (20_000, 20_000))
    try:
        write_record(rec, sys.argv[1])
    except ShieldwallError as exc:
        print("refused:", exc.args[0])
    """
)


def test_a_write_that_fails_part_way_leaves_nothing(tmp_path: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-c", _FULL, str(tmp_path / "run")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    assert "refused:" in out.stdout
    assert "cannot write the run folder" in out.stdout
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no run.json"),
        ("{not json", "unreadable"),
        ("[1, 2]", "not a JSON object"),
        ('{"complete": false}', "incomplete"),
        ('{"complete": true, "format": 1}', "format 1"),
        ('{"complete": true, "format": 2}', "malformed"),
        ('{"complete": true, "format": 2, "tables": {}, "files": ["gone.parquet"]}', "missing"),
        ('{"complete": true, "format": 2, "tables": {}, "files": ["../x"]}', "missing"),
    ],
)
def test_read_run_refuses_what_is_not_a_run(
    tmp_path: Path, content: str | None, message: str
) -> None:
    if content is not None:
        (tmp_path / RUN_FILE).write_text(content)
    with pytest.raises(RunFolderError, match=message):
        read_run(tmp_path)


def test_read_run_of_a_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(RunFolderError, match="no such run folder"):
        read_run(tmp_path / "nope")


def test_run_json_has_no_nan(tmp_path: Path) -> None:
    folder = write_record(run_record(), tmp_path / "r")
    json.loads((folder / RUN_FILE).read_text(), parse_constant=pytest.fail)  # type: ignore[arg-type]


def test_writer_pid_in_temporary_name_is_this_process(tmp_path: Path) -> None:
    # a temporary of a live process (ours) is not stale
    live = tmp_path / f".x.tmp-{os.getpid()}-0123abcd"
    live.mkdir()
    dead = tmp_path / ".y.tmp-999999999-0123abcd"
    dead.mkdir()
    other = tmp_path / ".z.tmp-notapid"
    other.mkdir()
    assert clean_stale_temporaries(tmp_path) == [dead]
    assert live.exists()
    assert other.exists()
    time.sleep(0)
