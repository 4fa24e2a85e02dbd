"""Paths and disks: clear errors (exit 2, or 1 for output that cannot be written), never a
traceback, and nothing half written.

Regression for issue #15 item 5: a 300-character file name, an ``--out`` in a folder without
permission and output to a full disk were tracebacks. A full disk is simulated with
``RLIMIT_FSIZE`` (writes past the limit fail with EFBIG, as they fail with ENOSPC on a full disk:
the same code path) and ``/dev/full``.
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from shieldwall.cli.main import main

ROOT = Path(__file__).resolve().parents[2]
MINIMAL = ROOT / "examples" / "minimal.yaml"
LONG = "x" * 300


def _no_traceback(capsys: pytest.CaptureFixture[str]) -> str:
    captured = capsys.readouterr()
    text = captured.out + captured.err
    assert "Traceback" not in text
    return text


def test_file_name_too_long(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(tmp_path / f"{LONG}.yaml")]) == 2
    assert "File name too long" in _no_traceback(capsys)
    assert main(["run", str(tmp_path / f"{LONG}.yaml"), "-n", "20"]) == 2
    assert "File name too long" in _no_traceback(capsys)


def test_out_name_too_long(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", str(MINIMAL), "-n", "20", "--out", str(tmp_path / LONG)]) == 2
    assert re.search("too long|longer than 255", _no_traceback(capsys))
    assert list(tmp_path.iterdir()) == []


def test_out_under_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "file").write_text("not a folder")
    assert main(["run", str(MINIMAL), "-n", "20", "--out", str(tmp_path / "file" / "r")]) == 2
    _no_traceback(capsys)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]


def test_out_without_permission(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    tmp_path.chmod(0o755)
    argv = [sys.executable, "-m", "shieldwall.cli.main", "run", str(MINIMAL), "-n", "20"]
    if os.geteuid() == 0:  # root ignores permissions: run as nobody
        if shutil.which("setpriv") is None:
            pytest.skip("running as root without setpriv to drop privileges")
        argv = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *argv]
    for out in (locked / "sub" / "r",):  # the parent cannot even be looked into
        proc = subprocess.run(
            [*argv, "--out", str(out)],
            capture_output=True,
            text=True,
            env={**os.environ, "HOME": str(tmp_path)},
            check=False,
        )
        assert proc.returncode == 2, proc.stderr
        assert "permission" in proc.stderr.lower()
        assert "Traceback" not in proc.stderr
    locked.chmod(0o700)
    assert list(locked.iterdir()) == []


@contextlib.contextmanager
def _file_size_limit(n_bytes: int) -> Iterator[None]:
    """Writes past ``n_bytes`` fail with EFBIG (SIGXFSZ ignored), as on a full disk."""
    old_handler = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (n_bytes, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        signal.signal(signal.SIGXFSZ, old_handler)


def test_full_disk_leaves_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "run"
    with _file_size_limit(20_000):
        code = main(["run", str(MINIMAL), "-n", "20", "--out", str(out)])
        schema = main(["schema", "--output", str(tmp_path / "schema.json")])
    assert code == 2
    assert schema == 2
    text = _no_traceback(capsys)
    assert "cannot write" in text
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temp


class _FullStdout(io.StringIO):
    def write(self, s: str) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")


@pytest.mark.parametrize(
    "argv", [["schema"], ["catalog", "list", "--json"], ["validate", "--json", str(MINIMAL)]]
)
def test_stdout_on_a_full_disk(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with contextlib.redirect_stdout(_FullStdout()):
        code = main(argv)
    assert code == 1
    assert "cannot write the output: No space left on device" in _no_traceback(capsys)


def test_dev_full_and_closed_pipe() -> None:
    """The real thing once, in a process: stdout on /dev/full, then a reader that leaves."""
    argv = [sys.executable, "-m", "shieldwall.cli.main", "catalog", "list"]
    if Path("/dev/full").exists():
        with open("/dev/full", "w") as full:
            proc = subprocess.run(argv, stdout=full, stderr=subprocess.PIPE, text=True)
        assert proc.returncode == 1
        assert "No space left on device" in proc.stderr
        assert "Traceback" not in proc.stderr
    with subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as proc:
        assert proc.stdout is not None
        assert proc.stderr is not None
        proc.stdout.read(10)
        proc.stdout.close()  # the reader leaves (`| head -c 10`)
        err = proc.stderr.read().decode()
    assert "Traceback" not in err
    assert "Exception ignored" not in err
