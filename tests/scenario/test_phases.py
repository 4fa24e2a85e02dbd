"""Phases: each phase adds, moves and removes units relative to the previous one."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pytest

from shieldwall.errors import ScenarioError
from shieldwall.scenario import compile_world, deployment, load_scenario, phase_index
from tests.scenario.conftest import BASE_DOC, make_doc

NEW_RADAR = {
    "id": "tpy2",
    "type": "AN/TPY-2 FBM",
    "nation": "GRN",
    "site": {"lat_deg": 35.8, "lon_deg": 135.2},
    "boresight_az_deg": 295,
}
NEW_ASSET = {"id": "base", "nation": "GRN", "location": {"lat_deg": 33, "lon_deg": 130}, "value": 3}


def _phased() -> dict[str, Any]:
    thaad = {
        "id": "thaad",
        "nation": "BLU",
        "interceptor": "THAAD",
        "launchers": 6,
        "per_launcher": 8,
        "site": {"lat_deg": 35.95, "lon_deg": 128.13},
        "organic_radar": {"id": "thaad.tpy2", "type": "AN/TPY-2 TM"},
    }
    return make_doc(
        base_phase="2014",
        phases=[
            {
                "name": "2017",
                "add": {"batteries": [thaad], "radars": [NEW_RADAR], "assets": [NEW_ASSET]},
                "move": [
                    {"id": "ship", "site": {"lat_deg": 38.0, "lon_deg": 134.0}},
                    {"id": "gp", "boresight_az_deg": 300},
                    {"id": "city", "location": {"lat_deg": 35.1, "lon_deg": 128.1}},
                ],
            },
            {"name": "2026", "remove": ["pat", "tpy2", "port"]},
        ],
    )


def test_phase_names_and_indices() -> None:
    s = load_scenario(_phased())
    assert s.phase_names == ("2014", "2017", "2026")
    assert [phase_index(s, p) for p in ("2014", "2017", "2026", None, -1, 1)] == [0, 1, 2, 2, 2, 1]
    doc = _phased()
    doc["phases"][0]["name"] = "2017 THAAD in Korea"
    s2 = load_scenario(doc)
    assert phase_index(s2, "2017 THAAD") == 1  # the start of exactly one name
    with pytest.raises(ScenarioError, match="unknown phase '20'"):
        phase_index(s2, "20")  # the start of three names
    with pytest.raises(ScenarioError, match="did you mean '2017'"):
        compile_world(s, "2071")
    with pytest.raises(ScenarioError, match="phases are: 2014, 2017, 2026"):
        compile_world(s, 3)
    # As typed on a command line: a name (or name start) wins; else an index written as text.
    assert [phase_index(s2, p) for p in ("2017", "1", "-1", "0")] == [1, 1, 2, 0]
    with pytest.raises(ScenarioError, match="unknown phase '7'"):
        phase_index(s2, "7")


def test_cli_phase_option_takes_a_name_start() -> None:
    """Regression: ``--phase 2017`` was read as index 2017 by the CLI and refused."""
    from shieldwall.cli.main import main

    assert main(["detect", "examples/minimal.yaml", "--phase", "0", "--json"]) == 0


def test_phase_zero_is_the_document() -> None:
    s = load_scenario(_phased())
    base = compile_world(load_scenario(BASE_DOC))
    w0 = compile_world(s, 0)
    assert w0.phase == "2014"
    assert w0.batteries.id == base.batteries.id
    assert w0.radars.id == base.radars.id
    np.testing.assert_array_equal(w0.radars.r_ecef_m, base.radars.r_ecef_m)


def test_add_and_move() -> None:
    s = load_scenario(_phased())
    w = compile_world(s, "2017")
    assert w.batteries.id == ("pat", "ship", "thaad")
    assert w.radars.id == ("gp", "tpy2", "pat.radar", "thaad.tpy2")
    assert w.batteries.radar_idx.tolist() == [2, 0, 3]
    assert w.assets.id == ("city", "port", "base")
    np.testing.assert_allclose(np.degrees(w.batteries.lat_rad[1]), 38.0)
    np.testing.assert_allclose(np.degrees(w.radars.boresight_az_rad[0]), 300.0)
    np.testing.assert_allclose(np.degrees(w.assets.lat_rad[0]), 35.1)
    # moving does not touch the earlier phase
    w0 = compile_world(s, "2014")
    np.testing.assert_allclose(np.degrees(w0.batteries.lat_rad[1]), 37.5)
    assert sum(w.batteries.inventory) == sum(w0.batteries.inventory) + 48


def test_remove_takes_the_organic_radar_along() -> None:
    s = load_scenario(_phased())
    w = compile_world(s, "2026")
    assert w.batteries.id == ("ship", "thaad")
    assert w.radars.id == ("gp", "thaad.tpy2")
    assert w.batteries.radar_idx.tolist() == [0, 1]
    assert w.radars.battery_idx.tolist() == [0, 1]
    assert w.assets.id == ("city", "base")
    # a salvo still aims at the (moved) city; the KN-23 at a point
    assert w.raid.aim_asset_idx.tolist() == [0, 0, 0, -1, -1]
    np.testing.assert_allclose(np.degrees(w.raid.aim_lat_rad[:3]), 35.1)  # follows the move
    np.testing.assert_allclose(np.degrees(compile_world(s, 0).raid.aim_lat_rad[:3]), 35.0)
    dep = deployment(s, "2026")
    assert [b.id for b in dep.batteries] == ["ship", "thaad"]


def test_removed_asset_keeps_its_aim_location() -> None:
    doc = _phased()
    doc["phases"][1]["remove"].append("city")
    w = compile_world(load_scenario(doc), "2026")
    assert w.raid.aim_asset_idx.tolist()[:3] == [-1, -1, -1]
    np.testing.assert_allclose(np.degrees(w.raid.aim_lat_rad[:3]), 35.1)


def test_removing_a_radar_a_battery_relies_on_is_an_error() -> None:
    doc = _phased()
    doc["phases"][1]["remove"] = ["gp"]
    with pytest.raises(ScenarioError) as info:
        load_scenario(doc)
    (problem,) = info.value.problems
    assert problem.path == "phases[1].remove[0]"
    assert "battery 'ship' relies on it" in problem.message
    doc["phases"][1]["remove"] = ["gp", "ship"]  # both together is fine
    w = compile_world(load_scenario(doc))
    assert "gp" not in w.radars.id


@pytest.mark.parametrize(
    ("move", "message"),
    [
        ({"id": "city", "site": {"lat_deg": 1, "lon_deg": 1}}, "move it with `location`"),
        ({"id": "pat", "location": {"lat_deg": 1, "lon_deg": 1}}, "use `site`"),
        ({"id": "sat"}, "cannot move"),
        ({"id": "pat", "boresight_az_deg": 10}, "is not a radar"),
    ],
)
def test_bad_moves(move: dict[str, Any], message: str) -> None:
    doc = _phased()
    doc["phases"][1]["move"] = [move]
    with pytest.raises(ScenarioError, match=message):
        load_scenario(doc)


def test_adding_an_existing_id_is_an_error() -> None:
    doc = _phased()
    doc["phases"][1]["add"] = {"radars": [copy.deepcopy(NEW_RADAR)]}
    with pytest.raises(ScenarioError) as info:
        load_scenario(doc)
    (problem,) = info.value.problems
    assert problem.path == "phases[1].add.radars[0].id"
    assert "phase adds 'tpy2', which already exists" in problem.message


def test_phase_adds_are_checked_like_the_base() -> None:
    doc = _phased()
    doc["phases"][1]["add"] = {
        "batteries": [{**BASE_DOC["batteries"][1], "id": "s2", "nation": "X"}]
    }
    with pytest.raises(ScenarioError) as info:
        load_scenario(doc)
    (problem,) = info.value.problems
    assert problem.path == "phases[1].add.batteries[0].nation"


def test_organic_radars_go_with_their_battery() -> None:
    doc = _phased()
    doc["phases"][1] = {"name": "2026", "move": [{"id": "thaad.tpy2"}], "remove": ["pat.radar"]}
    with pytest.raises(ScenarioError) as info:
        load_scenario(doc)
    messages = [p.message for p in info.value.problems]
    assert messages == [
        "'thaad.tpy2' is a battery's organic radar: it moves with its battery",
        "'pat.radar' is a battery's organic radar: remove its battery",
    ]
    # removing the battery frees its radar's id: a later phase may reuse it
    doc = _phased()
    doc["phases"].append({"name": "2030", "add": {"radars": [{**NEW_RADAR, "id": "pat.radar"}]}})
    w = compile_world(load_scenario(doc))
    assert "pat.radar" in w.radars.id
    assert w.radars.battery_idx[w.radars.id.index("pat.radar")] == -1


def test_battery_radar_must_be_a_standalone_radar() -> None:
    doc = _phased()
    doc["batteries"][1]["radar"] = "pat.radar"
    with pytest.raises(ScenarioError, match="is a battery's organic radar; `radar:` names"):
        load_scenario(doc)
