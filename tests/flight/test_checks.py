"""flight/checks.py: what `validate` and the simulation refuse, pointing at the scenario file."""

from __future__ import annotations

import copy
import dataclasses
import math
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shieldwall.earth.geodesy import geodesic_direct
from shieldwall.errors import ScenarioError, TargetingError
from shieldwall.flight import fly_raid, fly_threats
from shieldwall.flight.checks import (
    check_worlds,
    envelope_problems,
    fly_checked,
    raid_problems,
    validate,
)
from shieldwall.pipeline import prepare
from shieldwall.scenario import World, compile_world, load_scenario
from shieldwall.scenario.catalog import load_catalog
from shieldwall.scenario.launch import sample_box

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

#: A box launch area ~40 x 45 km and one city; the raid aims from the box at the city.
BOX = {"lat_min_deg": 39.0, "lat_max_deg": 39.4, "lon_min_deg": 127.0, "lon_max_deg": 127.5}


def doc_with(aim_lat_deg: float, aim_lon_deg: float, missile: str = "Scud-C") -> dict[str, Any]:
    return {
        "name": "reach",
        "settings": {"trials": 5, "seed": 3},
        "nations": [{"id": "A", "name": "A"}],
        "assets": [
            {
                "id": "city",
                "nation": "A",
                "location": {"lat_deg": aim_lat_deg, "lon_deg": aim_lon_deg},
                "value": 1,
            }
        ],
        "threats": {
            "launch_areas": [{"id": "box", "box": dict(BOX)}],
            "raid": [
                {"id": "s1", "missile": missile, "count": 3, "launch_area": "box",
                 "aim_asset": "city"}
            ],
        },
    }  # fmt: skip


@cache
def _flagship() -> World:
    return compile_world(load_scenario(EXAMPLES / "korea_japan.yaml"))


def test_drawn_rows_fly_exactly_as_fly_raid_flies_them() -> None:
    world = _flagship()
    alone, checked = fly_raid(world), fly_checked(world)
    for f in dataclasses.fields(alone):
        a, b = getattr(alone, f.name), getattr(checked, f.name)
        if isinstance(a, np.ndarray):
            assert a.shape == b.shape, f.name
            np.testing.assert_array_equal(a, b, err_msg=f.name)


def test_flagship_is_valid() -> None:
    found = validate(EXAMPLES / "korea_japan.yaml")
    assert found.ok, "\n".join(map(str, found.problems))
    assert [w.phase for w in found.worlds] == list(found.scenario.phase_names)  # type: ignore[union-attr]


def _far_side_problem(text: str) -> Any:
    found = validate(text)
    errors = [p for p in found.problems if p.severity == "error"]
    assert len(errors) == 1, errors
    return errors[0]


def _partly_out_of_reach() -> dict[str, Any]:
    # Scud-C (500 km): the city is 480 km south of the box's southern edge, ~525 km from its
    # farthest corner.
    lat, lon, _ = geodesic_direct(math.radians(39.0), math.radians(127.25), math.pi, 480e3)
    return doc_with(math.degrees(float(lat)), math.degrees(float(lon)))


def test_a_salvo_out_of_reach_is_an_error_at_the_salvo_in_validate_and_run() -> None:
    text = _yaml(_partly_out_of_reach())
    problem = _far_side_problem(text)
    assert problem.path == "threats.raid[0]"
    assert problem.line == _line(text, "id: s1")
    assert "salvo 's1'" in problem.message
    assert "cannot reach the aim point" in problem.message
    with pytest.raises(TargetingError) as info:
        prepare(compile_world(load_scenario(text)))  # the simulation refuses it the same way
    assert info.value.problems == [problem]


def test_the_far_side_of_a_launch_area_is_checked_even_if_no_launch_point_is_there() -> None:
    # The compiled launch points may all lie in reach while another raid sample's would not:
    # put every compiled point at the area's nearest point; the farthest probe still refuses.
    world = compile_world(load_scenario(_partly_out_of_reach()))
    n = world.raid.launch_lat_rad.shape[0]
    near = dataclasses.replace(
        world.raid,
        launch_lat_rad=np.full(n, world.salvos.probe_lat_rad[0, 0]),
        launch_lon_rad=np.full(n, world.salvos.probe_lon_rad[0, 0]),
    )
    world = dataclasses.replace(world, raid=near)
    assert fly_raid(world).n == n
    (problem,) = raid_problems(world)
    assert problem.path == "threats.raid[0]"
    assert "from the point of launch area 'box' farthest from the aim point" in problem.message
    with pytest.raises(TargetingError, match="farthest from the aim point"):
        prepare(world)


@pytest.mark.parametrize("rows", [1, 2])
def test_the_checks_flown_in_chunks_find_what_one_solve_finds(
    monkeypatch: pytest.MonkeyPatch, rows: int
) -> None:
    """``validate`` flies the rows ``CHECK_ROWS`` at a time (bounded memory for a large raid):
    the same problems, in the same order, as the simulation's one solve (``fly_checked``)."""
    from shieldwall.flight import checks

    world = compile_world(load_scenario(_yaml(_partly_out_of_reach())))
    with pytest.raises(TargetingError) as info:
        checks.fly_checked(world)
    monkeypatch.setattr(checks, "CHECK_ROWS", rows)
    assert world.raid.launch_lat_rad.shape[0] > rows  # several chunks
    assert raid_problems(world) == info.value.problems
    flagship = compile_world(load_scenario(EXAMPLES / "korea_japan.yaml"))
    assert raid_problems(flagship) == []


def _yaml(doc: dict[str, Any]) -> str:
    from io import StringIO

    from ruamel.yaml import YAML

    out = StringIO()
    YAML(typ="safe", pure=True).dump(doc, out)
    return out.getvalue()


def _line(text: str, needle: str) -> int:
    return next(i for i, t in enumerate(text.splitlines(), 1) if needle in t)


def test_problems_name_the_phase_they_occur_in() -> None:
    # phase 1 moves the city out of reach: only that phase is refused
    lat, lon, _ = geodesic_direct(math.radians(39.0), math.radians(127.25), math.pi, 300e3)
    doc = doc_with(math.degrees(float(lat)), math.degrees(float(lon)))
    doc["phases"] = [
        {"name": "moved", "move": [{"id": "city", "location": {"lat_deg": 33.0, "lon_deg": 127.2}}]}
    ]
    found = validate(doc)
    (error,) = [p for p in found.problems if p.severity == "error"]
    assert error.message.endswith("(in phase 'moved')")
    assert found.scenario is not None
    assert prepare(compile_world(found.scenario, 0)).trajectories.n == 3
    with pytest.raises(TargetingError):
        prepare(compile_world(found.scenario, 1))


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,
)
@given(
    fraction=st.floats(min_value=0.35, max_value=1.05),
    azimuth_deg=st.floats(min_value=0.0, max_value=360.0),
    shape=st.sampled_from(["min_energy", "lofted", "depressed"]),
)
def test_every_aim_point_validate_accepts_is_flown(
    fraction: float, azimuth_deg: float, shape: str
) -> None:
    """Property (issue #14): an aim point validate accepts is flown by the simulation, from any
    launch point in the area (raid samples draw anywhere in it), not only the compiled ones."""
    reach_m = 500e3 * fraction  # Scud-C max_range_km = 500
    lat, lon, _ = geodesic_direct(
        math.radians(39.2), math.radians(127.25), math.radians(azimuth_deg), reach_m
    )
    doc = doc_with(math.degrees(float(lat)), math.degrees(float(lon)))
    salvo = doc["threats"]["raid"][0]
    salvo["shape"] = shape
    if shape != "min_energy":
        salvo["apogee_km"] = 150.0 if shape == "lofted" else 40.0
    found = validate(doc)
    if not found.ok:
        return
    world = found.worlds[0]
    prepare(world)  # the compiled raid flies
    rng = np.random.default_rng(int(1e6 * fraction))
    la, lo = sample_box(rng, 16, *np.radians([39.0, 39.4, 127.0, 127.5]))
    raid, mis = world.raid, world.missiles
    n = la.size
    traj = fly_threats(
        launch_lat_rad=la,
        launch_lon_rad=lo,
        aim_lat_rad=np.full(n, raid.aim_lat_rad[0]),
        aim_lon_rad=np.full(n, raid.aim_lon_rad[0]),
        launch_t_s=np.zeros(n),
        shape=np.full(n, int(raid.shape[0])),
        apogee_m=np.full(n, raid.apogee_m[0]),
        burnout_speed_mps=np.full(n, np.nan),
        burnout_angle_rad=np.full(n, np.nan),
        missile_idx=np.zeros(n, np.int64),
        missile_names=list(mis.name),
        max_range_m=mis.max_range_m,
        burn_time_s=mis.burn_time_s,
        burnout_alt_m=mis.burnout_alt_m,
        beta_pa=mis.beta_pa,
    )  # any launch point in the area flies
    assert np.all(traj.miss_m < 50.0)


def _battery_doc(**interceptor: Any) -> dict[str, Any]:
    doc = doc_with(38.0, 127.0)
    doc["interceptors"] = [{"name": "slow", "type": "THAAD", **interceptor}]
    doc["batteries"] = [
        {
            "id": "b",
            "nation": "A",
            "interceptor": "slow",
            "launchers": 1,
            "per_launcher": 4,
            "site": {"lat_deg": 38.0, "lon_deg": 127.0},
            "organic_radar": {"type": "AN/TPY-2 TM"},
        }
    ]
    return doc


def test_an_interceptor_that_reaches_none_of_its_envelope_is_refused() -> None:
    doc = _battery_doc(burnout_speed_kms=0.4)  # ~8 km up at most; THAAD's band starts at 40 km
    found = validate(doc)
    (error,) = [p for p in found.problems if p.severity == "error"]
    assert error.path == "interceptors[0]"
    assert "reaches no point of its engagement envelope" in error.message
    with pytest.raises(ScenarioError, match="reaches no point"):
        prepare(compile_world(load_scenario(doc)))


def test_an_envelope_reached_in_part_is_a_warning() -> None:
    found = validate(_battery_doc(burnout_speed_kms=1.6))  # reaches ~100 of THAAD's 150 km
    assert found.ok
    (warning,) = [p for p in found.problems if "envelope" in p.message]
    assert warning.severity == "warning"
    assert "reaches only up to" in warning.message


def test_every_shipped_interceptor_reaches_its_whole_envelope() -> None:
    for entry in load_catalog().entries_of("interceptor"):
        doc = _battery_doc()
        doc["batteries"][0]["interceptor"] = entry.name
        del doc["interceptors"]
        assert envelope_problems(compile_world(load_scenario(doc))) == [], entry.name


def test_check_worlds_flies_a_shared_raid_once(monkeypatch: pytest.MonkeyPatch) -> None:
    from shieldwall.flight import checks

    calls: list[int] = []
    real = checks.raid_problems

    def counting(world: World, model: Any = None) -> Any:
        calls.append(1)
        return real(world, model)

    monkeypatch.setattr(checks, "raid_problems", counting)
    doc = doc_with(37.0, 127.2)
    doc["phases"] = [{"name": "p1", "remove": []}, {"name": "p2"}]
    scenario = load_scenario(doc)
    worlds = [compile_world(scenario, k) for k in range(3)]
    assert check_worlds(worlds) == []
    assert len(calls) == 1
    other = copy.deepcopy(doc)
    other["phases"][0]["move"] = [{"id": "city", "location": {"lat_deg": 37.1, "lon_deg": 127.2}}]
    scenario = load_scenario(other)
    check_worlds([compile_world(scenario, k) for k in range(3)])
    assert len(calls) == 3  # the move changes the aim of phases 1 and 2 (one raid between them)
