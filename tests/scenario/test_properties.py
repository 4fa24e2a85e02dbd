"""Properties of the loader: a typo in any key never passes; valid documents round-trip."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from shieldwall.earth.geodesy import geodetic_to_ecef
from shieldwall.errors import ScenarioError
from shieldwall.scenario import compile_world, load_scenario, scenario_hash
from shieldwall.scenario.source import format_path
from tests.scenario.conftest import BASE_DOC, make_doc


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
