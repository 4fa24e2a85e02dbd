"""Properties of the loader: a typo in any key never passes; valid documents round-trip."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from shieldwall.earth.geodesy import geodetic_to_ecef
from shieldwall.errors import Problem, ScenarioError
from shieldwall.scenario import compile_world, load_scenario, scenario_hash
from shieldwall.scenario.source import format_path
from tests.scenario.conftest import BASE_DOC, RICH_DOC, make_doc


def _key_paths(node: Any, path: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    """Path of every mapping key in a document."""
    found: list[tuple[str | int, ...]] = []
    if isinstance(node, dict):
        for key, value in node.items():
            found.append((*path, key))
            found.extend(_key_paths(value, (*path, key)))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found.extend(_key_paths(value, (*path, i)))
    return found


KEY_PATHS = _key_paths(BASE_DOC)


def _rename(doc: dict[str, Any], path: tuple[str | int, ...], new: str) -> None:
    node: Any = doc
    for part in path[:-1]:
        node = node[part]
    node[new] = node.pop(path[-1])


@settings(max_examples=60, deadline=None)
@given(
    path=st.sampled_from(KEY_PATHS),
    suffix=st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=3),
)
def test_a_typo_in_any_key_is_an_error_at_that_key(
    path: tuple[str | int, ...], suffix: str
) -> None:
    doc = copy.deepcopy(BASE_DOC)
    typo = f"{path[-1]}{suffix}"
    _rename(doc, path, typo)
    try:
        load_scenario(doc)
    except ScenarioError as exc:
        paths = [p.path for p in exc.problems if p.severity == "error"]
        assert format_path((*path[:-1], typo)) in paths, paths
    else:
        raise AssertionError(f"typo {typo!r} at {format_path(path)} passed silently")


coords = st.fixed_dictionaries(
    {
        "lat_deg": st.floats(-89.9, 89.9),
        "lon_deg": st.floats(-179.9, 179.9),
        "alt_m": st.floats(-400, 9000),
    }
)


@settings(max_examples=40, deadline=None)
@given(
    sites=st.lists(coords, min_size=1, max_size=5),
    values=st.lists(st.floats(1e-3, 1e6), min_size=5, max_size=5),
    seed=st.integers(0, 2**63 - 1),
)
def test_valid_documents_round_trip_and_compile_consistently(
    sites: list[dict[str, float]], values: list[float], seed: int
) -> None:
    assets = [
        {"id": f"a{i}", "nation": "BLU", "location": site, "value": values[i]}
        for i, site in enumerate(sites)
    ]
    doc = make_doc(assets=assets, settings={"seed": seed})
    doc["threats"]["raid"][0]["aim_asset"] = "a0"
    scenario = load_scenario(doc)
    again = load_scenario(scenario.model_dump(mode="json", by_alias=True))
    assert again == scenario
    assert scenario_hash(again) == scenario_hash(scenario)
    world = compile_world(scenario)
    lat = np.radians([s["lat_deg"] for s in sites])
    lon = np.radians([s["lon_deg"] for s in sites])
    expected = geodetic_to_ecef(lat, lon, np.array([s["alt_m"] for s in sites]))
    np.testing.assert_array_equal(world.assets.r_ecef_m, expected)
    np.testing.assert_array_equal(world.assets.value, values[: len(sites)])


def _value_paths(node: Any, path: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    """Path of every value (mapping values and list items) in a document."""
    found: list[tuple[str | int, ...]] = []
    items = node.items() if isinstance(node, dict) else enumerate(node)
    for key, value in items:
        found.append((*path, key))
        if isinstance(value, dict | list):
            found.extend(_value_paths(value, (*path, key)))
    return found


VALUE_PATHS = _value_paths(RICH_DOC)


def _problems_of(source: Any) -> list[Problem] | None:
    """Load and compile every phase: None if that works, else the problems (never a crash)."""
    try:
        scenario = load_scenario(source)
        for phase in range(len(scenario.phase_names)):
            compile_world(scenario, phase)
    except ScenarioError as exc:
        return exc.problems
    return None


junk = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**20), 10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=5),
    st.sampled_from(["BLU", "GRN", "city", "gp", "pat", "bx", "pt", "Scud-C", "THAAD"]),
    st.lists(st.integers(0, 3), max_size=3),
    st.dictionaries(st.sampled_from(["id", "lat_deg", "type", "x"]), st.integers(), max_size=2),
)


@settings(max_examples=150, deadline=None)
@given(changes=st.lists(st.tuples(st.sampled_from(VALUE_PATHS), junk), min_size=1, max_size=3))
def test_any_junk_value_gives_scenario_errors_never_a_crash(
    changes: list[tuple[tuple[str | int, ...], Any]],
) -> None:
    doc = copy.deepcopy(RICH_DOC)
    for path, value in changes:
        node: Any = doc
        try:
            for part in path[:-1]:
                node = node[part]
            node[path[-1]] = value
        except (KeyError, IndexError, TypeError):
            continue  # an earlier change removed this place
    problems = _problems_of(doc)
    if problems is not None:
        assert problems
        assert all(p.message for p in problems)


MINIMAL_TEXT = (Path(__file__).resolve().parents[2] / "examples" / "minimal.yaml").read_text()


@settings(max_examples=100, deadline=None)
@given(
    edits=st.lists(
        st.tuples(
            st.integers(0, len(MINIMAL_TEXT)),
            st.integers(0, 3),
            st.text(alphabet=" \n\t:-[]{}#&*!|>'\"0123456789abcxyz,.", max_size=3),
        ),
        min_size=1,
        max_size=4,
    )
)
def test_mangled_yaml_text_gives_scenario_errors_never_a_crash(
    edits: list[tuple[int, int, str]],
) -> None:
    text = MINIMAL_TEXT
    for at, cut, insert in edits:
        text = text[:at] + insert + text[at + cut :]
    problems = _problems_of(text)
    if problems is not None:
        assert problems
        for problem in problems:  # every problem in a text says where it is
            assert problem.file == "<text>"
            assert problem.line > 0, problem


def test_the_rich_document_is_valid() -> None:
    """The fuzz tests above start from a valid document (or they would test nothing)."""
    assert _problems_of(RICH_DOC) is None
    assert _problems_of(BASE_DOC) is None
    assert _problems_of(MINIMAL_TEXT) is None
