"""Determinism: the same scenario and seed give byte-identical Parquet tables (#15 check).

Two comparisons are simulated from scratch (each loads and compiles the scenario itself, no
cached stage product is shared) and written as run folders; every Parquet file of one must equal
the other's byte for byte. A third run on another seed must differ, so the comparison can fail.
``run.json`` is left out: it holds the timings and the creation time.
"""

from __future__ import annotations

from pathlib import Path

from shieldwall.io.record import record_comparison
from shieldwall.io.run_folder import write_record
from shieldwall.scenario import compile_world, load_scenario
from shieldwall.studies.compare import compare

MINIMAL = Path(__file__).resolve().parents[2] / "examples" / "minimal.yaml"


def _folder(out: Path, seed: int) -> Path:
    scenario = load_scenario(MINIMAL)
    comparison = compare(compile_world(scenario), trials=1200, seed=seed)  # two trial blocks
    return write_record(record_comparison(comparison, scenario=scenario), out)


def _tables(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.rglob("*.parquet"))}


def test_same_seed_gives_byte_identical_parquet(tmp_path: Path) -> None:
    a = _tables(_folder(tmp_path / "a", seed=7))
    b = _tables(_folder(tmp_path / "b", seed=7))
    c = _tables(_folder(tmp_path / "c", seed=8))
    assert len(a) >= 5  # the run folder's tables are there at all
    assert a.keys() == b.keys() == c.keys()
    assert [name for name in a if a[name] != b[name]] == []
    assert any(a[name] != c[name] for name in a)  # another seed: other draws, other outcomes
