"""`validate` accepts exactly what the simulation accepts (issues #14 and #15).

Each case is a small scenario with one thing pushed to an edge: every numeric catalog key at its
lower and at its upper physical bound, and aims, shapes, envelopes and phases that the flight
stage refuses. For each, ``validate`` (what ``shieldwall validate`` runs) must say ok exactly when
``simulate`` runs on every phase; a run that is accepted must give finite metrics (no NaN from a
degenerate parameter, no silent failure).
"""

from __future__ import annotations

import copy
import math
from typing import Any

import numpy as np
import pytest

from shieldwall.earth.geodesy import geodesic_direct
from shieldwall.errors import ShieldwallError
from shieldwall.flight.checks import validate
from shieldwall.pipeline import simulate
from shieldwall.scenario import compile_world, load_scenario
from shieldwall.scenario.catalog.keys import KEYS

#: Launch point and a city 400 km south of it (Scud-C reaches 500 km).
LAUNCH = (38.0, 127.0)


def _city() -> tuple[float, float]:
    lat, lon, _ = geodesic_direct(math.radians(LAUNCH[0]), math.radians(LAUNCH[1]), math.pi, 400e3)
    return math.degrees(float(lat)), math.degrees(float(lon))


def base_doc() -> dict[str, Any]:
    lat, lon = _city()
    return {
        "name": "edges",
        "settings": {"trials": 8, "seed": 1},
        "nations": [{"id": "A", "name": "A"}],
        "assets": [
            {"id": "c", "nation": "A", "location": {"lat_deg": lat, "lon_deg": lon},
             "value": 1, "radius_km": 5}
        ],
        "sensors": {
            "radars": [
                {"id": "r", "type": "Green Pine", "nation": "A",
                 "site": {"lat_deg": lat + 0.5, "lon_deg": lon}, "boresight_az_deg": 0}
            ],
            "satellites": [{"id": "s", "type": "SBIRS", "nation": "A"}],
        },
        "interceptors": [{"name": "i", "type": "PAC-3 MSE"}],
        "batteries": [
            {"id": "b", "nation": "A", "interceptor": "i", "launchers": 2, "per_launcher": 4,
             "site": {"lat_deg": lat + 0.02, "lon_deg": lon},
             "organic_radar": {"type": "AN/MPQ-65", "boresight_az_deg": 0}},
            {"id": "b2", "nation": "A", "interceptor": "THAAD", "launchers": 1, "per_launcher": 4,
             "site": {"lat_deg": lat + 0.05, "lon_deg": lon},
             "organic_radar": {"type": "AN/TPY-2 TM", "boresight_az_deg": 0}},
        ],
        "threats": {
            "missiles": [{"name": "m", "type": "Scud-C"}],
            "launch_areas": [
                {"id": "p", "point": {"lat_deg": LAUNCH[0], "lon_deg": LAUNCH[1]}},
                {"id": "box", "box": {"lat_min_deg": 38.0, "lat_max_deg": 38.3,
                                      "lon_min_deg": 126.8, "lon_max_deg": 127.2}},
            ],
            "raid": [
                {"id": "s1", "missile": "m", "count": 2, "launch_area": "p", "aim_asset": "c"},
                {"id": "s2", "missile": "Scud-C", "count": 1, "launch_area": "box",
                 "aim_asset": "c"},
            ],
        },
    }  # fmt: skip


def _target(doc: dict[str, Any], kind: str) -> dict[str, Any]:
    if kind == "missile":
        return doc["threats"]["missiles"][0]
    if kind == "interceptor":
        return doc["interceptors"][0]
    if kind == "radar":
        return doc["batteries"][0]["organic_radar"]
    return doc["sensors"]["satellites"][0]


def _at_bound(kind: str, key: str, value: float) -> dict[str, Any]:
    doc = base_doc()
    _target(doc, kind)[key] = value
    return doc


def _edit(path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    doc = base_doc()
    node: Any = doc
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    return doc


def _phased() -> dict[str, Any]:
    doc = base_doc()
    doc["batteries"][1]["radar"] = "r"
    del doc["batteries"][1]["organic_radar"]
    doc["phases"] = [{"name": "p1", "remove": ["r"]}]  # removes a radar battery b2 relies on
    return doc


CASES: dict[str, dict[str, Any]] = {
    f"{kind}.{key.name}={value:g}": _at_bound(kind, key.name, value)
    for key in KEYS
    if key.type == "float"
    for kind in key.kinds
    for value in (key.lo, key.hi)
}
CASES.update(
    {
        "as shipped": base_doc(),
        "aim beyond reach": _edit(("threats", "raid", 0, "missile"), "Scud-B"),
        "far side of the box beyond reach": _edit(
            ("threats", "launch_areas", 1, "box", "lat_max_deg"), 41.0
        ),
        "lofted apogee below min-energy": _edit(
            ("threats", "raid", 0), {**base_doc()["threats"]["raid"][0], "shape": "lofted",
                                     "apogee_km": 20}
        ),
        "depressed apogee above min-energy": _edit(
            ("threats", "raid", 0), {**base_doc()["threats"]["raid"][0], "shape": "depressed",
                                     "apogee_km": 400}
        ),
        "explicit too slow": _edit(
            ("threats", "raid", 0), {**base_doc()["threats"]["raid"][0], "shape": "explicit",
                                     "burnout_speed_kms": 0.5, "burnout_angle_deg": 45}
        ),
        "explicit": _edit(
            ("threats", "raid", 0), {**base_doc()["threats"]["raid"][0], "shape": "explicit",
                                     "burnout_speed_kms": 1.9, "burnout_angle_deg": 40}
        ),
        "envelope unreachable": _edit(("interceptors", 0, "burnout_speed_kms"), 0.3)
        | {"interceptors": [{"name": "i", "type": "THAAD", "burnout_speed_kms": 0.3}]},
        "radar removed under a battery": _phased(),
    }
)  # fmt: skip


def _runs(doc: dict[str, Any]) -> bool:
    try:
        scenario = load_scenario(copy.deepcopy(doc))
        for k in range(len(scenario.phase_names)):
            result = simulate(compile_world(scenario, k), "national", trials=8, seed=1)
            m = result.metrics
            assert np.isfinite(m.expected_leakers)
            assert np.isfinite(m.p_zero_leak)
            assert np.isfinite(np.asarray(result.outcomes.leaked, dtype=float)).all()
    except ShieldwallError:
        return False
    return True


@pytest.mark.parametrize("name", list(CASES))
def test_validate_accepts_exactly_what_the_simulation_accepts(name: str) -> None:
    doc = CASES[name]
    found = validate(copy.deepcopy(doc))
    ran = _runs(doc)
    errors = [str(p) for p in found.problems if p.severity == "error"]
    assert found.ok is ran, f"validate ok={found.ok}, simulate ok={ran}: {errors}"
    for problem in found.problems:
        assert problem.path, problem  # every problem points at a field


def test_the_cases_exercise_both_outcomes() -> None:
    # a check that could not fail: make sure some cases are refused and most run
    outcomes = [validate(copy.deepcopy(d)).ok for d in CASES.values()]
    assert sum(outcomes) > len(outcomes) // 2
    assert outcomes.count(False) >= 8


@pytest.mark.parametrize("bound", ["lo", "hi"])
def test_measurement_noise_at_its_bounds_gives_finite_covariances(bound: str) -> None:
    """Regression (issue #15 item 6): sigmas of 1e-100 validated and gave NaN covariances (a
    defense that never engages, silently). At the physical bounds every IPP sigma is finite
    or +inf (no track), never NaN, and tracks form."""
    from shieldwall.pipeline import prepare
    from shieldwall.scenario.catalog.keys import KEY_SPECS
    from shieldwall.tracking import picture

    doc = base_doc()
    for radar in (
        doc["batteries"][0]["organic_radar"],
        doc["batteries"][1]["organic_radar"],
        doc["sensors"]["radars"][0],
    ):
        for key in ("range_sigma_m", "angle_sigma_mrad"):
            radar[key] = getattr(KEY_SPECS["radar"][key], bound)
    world = compile_world(load_scenario(doc))
    prep = prepare(world)
    sigma = picture(world, prep.trajectories, world.policies["national"], base=prep.sensing)
    s = np.asarray(sigma.ipp_sigma_m)
    assert not np.isnan(s).any()
    assert np.isfinite(s).sum() > 100
