"""The numbered tutorials in examples/tutorials/ run cleanly and still say what they teach.

Each tutorial runs as a user would run it: a fresh interpreter (``sys.executable``) on the script
file. All of them start at once (they are independent) so the module costs about as long as the
slowest one; each test then checks the exit code, that no traceback was printed, and one fact
the tutorial exists to show.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TUTORIALS = sorted((ROOT / "examples" / "tutorials").glob("*.py"))
TIMEOUT_S = 120


@pytest.fixture(scope="module")
def outputs() -> dict[str, subprocess.CompletedProcess[str]]:
    """Run every tutorial (concurrently) from a directory other than the repository root."""
    procs = {
        path.name: subprocess.Popen(
            [sys.executable, str(path)],
            cwd=path.parent,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for path in TUTORIALS
    }
    done = {}
    for name, proc in procs.items():
        try:
            out, err = proc.communicate(timeout=TIMEOUT_S)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate()
        done[name] = subprocess.CompletedProcess(proc.args, proc.returncode, out, err)
    return done


def test_numbered_tutorials_exist() -> None:
    names = [p.name for p in TUTORIALS]
    assert names == [
        "01_scenario.py",
        "02_fly.py",
        "03_who_sees_what.py",
        "04_together_or_alone.py",
        "05_gulf.py",
    ]
    for path in TUTORIALS:
        text = path.read_text()
        assert text.startswith('"""'), f"{path.name} needs a module docstring"
        # Only the curated API (and numpy, pathlib): what a reader may rely on.
        imports = re.findall(r"^(?:from|import) .*$", text, flags=re.MULTILINE)
        allowed = {"from pathlib import Path", "import numpy as np", "from shieldwall import api"}
        assert set(imports) <= allowed, f"{path.name}: {imports}"


@pytest.mark.parametrize("name", [p.name for p in TUTORIALS])
def test_tutorial_runs_cleanly(name: str, outputs: dict[str, subprocess.CompletedProcess[str]]):
    result = outputs[name]
    assert result.returncode == 0, f"{name} exited {result.returncode}:\n{result.stderr}"
    assert "Traceback" not in result.stderr, result.stderr
    assert result.stdout.strip(), f"{name} printed nothing"


def _stdout(outputs: dict[str, subprocess.CompletedProcess[str]], name: str) -> str:
    result = outputs[name]
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_01_broken_scenario_reports_every_problem_with_its_position(outputs) -> None:
    out = _stdout(outputs, "01_scenario.py")
    assert int(re.search(r"broken copy: (\d+) problems", out).group(1)) >= 2
    positions = re.findall(r"^  <text>:(\d+):(\d+)  ", out, flags=re.MULTILINE)
    assert len(positions) >= 2
    assert all(int(line) > 0 and int(col) > 0 for line, col in positions)
    assert "did you mean 'boresight_az_deg'?" in out


def test_02_nodong_to_tokyo_takes_9_to_12_minutes(outputs) -> None:
    out = _stdout(outputs, "02_fly.py")
    full_min, textbook_min = map(
        float, re.search(r"flight time \[min\]\s+(\S+)\s+(\S+)", out).groups()
    )
    assert 9.0 < full_min < 12.0
    assert textbook_min < full_min  # the boost and the atmosphere cost time


def test_03_shared_tracks_give_japan_at_least_its_national_fcq_tracks(outputs) -> None:
    out = _stdout(outputs, "03_who_sees_what.py")
    counts = {}
    for block in re.split(r"^policy ", out, flags=re.MULTILINE)[1:]:
        policy = block.split(":", 1)[0]
        counts[policy] = {
            nation: int(n) for nation, n in re.findall(r"(\w+): FCQ track on\s+(\d+)/", block)
        }
    assert set(counts) == {"national", "shared_tracks"}
    for nation, n_national in counts["national"].items():
        assert counts["shared_tracks"][nation] >= n_national, nation
    assert counts["shared_tracks"]["JPN"] > counts["national"]["JPN"]


def test_04_integrated_defense_lets_fewer_missiles_through(outputs) -> None:
    out = _stdout(outputs, "04_together_or_alone.py")
    rows = dict(re.findall(r"^  (\w+) .*?\)\s+([\d.]+)\s+[+-]", out, flags=re.MULTILINE))
    assert set(rows) == {"national", "cueing", "shared_tracks", "integrated"}
    leakers = {name: float(v) for name, v in rows.items()}
    assert leakers["integrated"] < leakers["national"]
    # The paired interval of integrated - national lies wholly below zero.
    line = next(ln for ln in out.splitlines() if ln.startswith("  integrated"))
    hi = float(re.findall(r"to ([+-][\d.]+)\)", line)[-1])
    assert hi < 0


def test_05_the_gulf_shield_lets_fewer_missiles_through_at_a_cost(outputs) -> None:
    out = _stdout(outputs, "05_gulf.py")
    assert re.search(r"Fateh-313\s+500 km \(medium: AFP", out)  # each range with its source
    phases = re.split(r"^phase ", out, flags=re.MULTILINE)[1:]
    assert len(phases) == 2
    row = re.compile(
        r"^  (\w+)\s+([\d.]+) \([\d.]+-[\d.]+\)\s+[+-][\d.]+ \([+-][\d.]+ to ([+-][\d.]+)\)"
        r"\s+([\d.]+)\s+(\d+)$",
        flags=re.MULTILINE,
    )
    rows = {m[0]: tuple(map(float, m[1:])) for m in row.findall(phases[-1])}
    assert set(rows) == {"national", "centcom_iamd", "gulf_shield_2025"}
    national, shield = rows["national"], rows["gulf_shield_2025"]
    assert shield[1] < 0  # the paired interval against national lies wholly below zero
    assert shield[0] < national[0]
    assert shield[3] > national[3] > 0  # stopping more missiles spends more on rounds
