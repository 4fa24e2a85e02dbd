"""The shipped examples validate, compile in every phase, and match their package copies."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest

from shieldwall.cli.main import main
from shieldwall.cli.scenario import schema_document
from shieldwall.examples import example_names, example_path
from shieldwall.scenario import compile_world, load_scenario

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
GULF = ROOT / "examples" / "gulf.yaml"


def test_examples_exist_and_package_copies_are_identical() -> None:
    names = [p.stem for p in EXAMPLES]
    assert {"gulf", "korea_japan", "minimal"} <= set(names)
    assert example_names() == names
    for path in EXAMPLES:
        assert example_path(path.stem).read_bytes() == path.read_bytes(), (
            f"src/shieldwall/examples/{path.name} differs from examples/{path.name}: "
            "copy examples/*.yaml into src/shieldwall/examples/"
        )
    with pytest.raises(KeyError, match="korea_japan"):
        example_path("nope")


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_example_is_valid_without_warnings_in_every_phase(path: Path) -> None:
    scenario = load_scenario(path)
    assert scenario.warnings == []
    for k, name in enumerate(scenario.phase_names):
        world = compile_world(scenario, k)
        assert world.phase == name
        for table in (world.assets, world.radars, world.batteries):
            assert np.isfinite(table.r_ecef_m).all()


def test_validate_all_examples_exits_zero() -> None:
    assert main(["validate", *map(str, EXAMPLES)]) == 0


def test_flagship_contents() -> None:
    s = load_scenario(ROOT / "examples" / "korea_japan.yaml")
    assert [n.id for n in s.nations] == ["KOR", "JPN", "USA"]
    assert len(s.phase_names) >= 3
    worlds = [compile_world(s, k) for k in range(len(s.phase_names))]
    first, last = worlds[0], worlds[-1]
    assert 20 <= len(first.raid) <= 40
    assert {"Scud-B", "Scud-C", "Scud-ER", "KN-23", "Nodong", "Pukguksong-2"} <= set(
        first.missiles.name
    )
    shapes = set(first.raid.shape.tolist())
    assert {0, 1, 2} <= shapes  # min-energy, lofted and depressed all present
    assert "THAAD" not in first.interceptors.name
    assert "THAAD" in worlds[1].interceptors.name
    assert {"L-SAM", "SM-3 Block IIA"} <= set(last.interceptors.name)
    assert {"tisa_2014", "gsomia_2016", "realtime_2023", "integrated"} <= set(last.policies)
    assert "ship" in last.batteries.platform


def _site_windows(name: str) -> list[tuple[int, str, list[str]]]:
    """(line, entry id, comment lines on the entry's own lines or the three lines above it) for
    every asset, radar and battery entry of an example, phases included."""
    lines = (ROOT / "examples" / f"{name}.yaml").read_text().splitlines()
    first, threats = lines.index("assets:"), lines.index("threats:")
    phases = lines.index("phases:") if "phases:" in lines else len(lines)
    rows = [*range(first, threats), *range(phases, len(lines))]
    starts = [i for i in rows if re.match(r"\s*- (\{id:|id:)", lines[i])]
    ends = [*starts[1:], len(lines)]
    out = []
    for i, nxt in zip(starts, ends, strict=True):
        nxt = threats if i < threats < nxt else nxt
        window = [t.split("#", 1)[1] for t in lines[max(0, i - 3) : nxt] if "#" in t]
        ident = re.search(r"id: ([\w.]+)", lines[i])
        out.append((i + 1, ident.group(1) if ident else "?", window))
    return out


@pytest.mark.parametrize("name", ["korea_japan", "gulf"])
def test_example_cites_a_source_for_every_site(name: str) -> None:
    """Every asset, radar and battery entry carries a comment (its source, or that it is an
    illustrative stand-in) on its own lines or in the three lines above it."""
    windows = _site_windows(name)
    assert len(windows) > 20
    for line, ident, comments in windows:
        assert comments, f"{name}.yaml:{line}: no source comment for {ident}"


def test_gulf_sites_are_sourced_or_marked_illustrative() -> None:
    # No Gulf battery or radar site is public: each says ILLUSTRATIVE; each asset names its source.
    windows = _site_windows("gulf")
    assets = [w for w in windows if w[1] in {a.id for a in load_scenario(GULF).assets}]
    assert len(assets) == 16
    for line, ident, comments in windows:
        text = " ".join(comments)
        if (line, ident, comments) in assets:
            assert "Wikipedia" in text, f"gulf.yaml:{line}: {ident}"
        else:
            assert "ILLUSTRATIVE" in text, f"gulf.yaml:{line}: {ident}"


def test_demo_runs_on_a_shipped_example(capsys: pytest.CaptureFixture[str]) -> None:
    # the flagship demo takes ~30 s; the minimal example exercises the same path quickly
    assert main(["demo", "--example", "minimal", "--trials", "50"]) == 0
    out = capsys.readouterr().out
    assert "Minimal tutorial" in out
    assert main(["demo", "--example", "nope"]) == 2
    assert "no example 'nope'" in capsys.readouterr().err


def test_committed_schema_is_up_to_date() -> None:
    """examples/scenario.schema.json (referenced by the examples for editor completion)."""
    committed = json.loads((ROOT / "examples" / "scenario.schema.json").read_text())
    assert committed == schema_document(), (
        "regenerate it: shieldwall schema -o examples/scenario.schema.json"
    )
    for path in EXAMPLES:
        first = path.read_text().splitlines()[0]
        assert first == "# yaml-language-server: $schema=scenario.schema.json"
