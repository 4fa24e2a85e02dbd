"""A run killed while its folder is written leaves nothing behind once the next run starts.

Issue #15 item 9: kill -9 or SIGTERM during the write left a hidden ``.x.tmp-XXXX`` folder
forever; the next run into the same parent now removes it (io.run_folder.prepare_out_folder).
Tested end to end, in processes, as a user would meet it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MINIMAL = ROOT / "examples" / "minimal.yaml"


def _run(out: Path) -> subprocess.Popen[bytes]:
    argv = [sys.executable, "-m", "shieldwall.cli.main", "run", str(MINIMAL), "-n", "200"]
    return subprocess.Popen(
        [*argv, "--out", str(out)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_killed_while_writing_leaves_nothing(tmp_path: Path, sig: signal.Signals) -> None:
    proc = _run(tmp_path / "first")
    deadline = time.monotonic() + 120
    while proc.poll() is None and time.monotonic() < deadline:
        if any(p.name.startswith(".first") for p in tmp_path.iterdir()):
            os.kill(proc.pid, sig)  # while the folder is being written
            break
        time.sleep(0.001)
    proc.wait(60)
    if proc.returncode == 0:
        pytest.skip("the run finished before it could be killed")
    assert _run(tmp_path / "second").wait(120) == 0
    left = {p.name for p in tmp_path.iterdir()} - {"index.duckdb", "index.duckdb.lock"}
    assert left == {"second"}  # the run database may sit beside the runs
