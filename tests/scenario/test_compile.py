"""compile_world: catalog values + overrides, converted once to SI, raid expansion, hashing."""

from __future__ import annotations

import copy
import math
from typing import Any

import numpy as np
import pytest

from shieldwall.earth.geodesy import geodetic_to_ecef
from shieldwall.errors import ScenarioError
from shieldwall.scenario import THREAT_CLASSES, World, compile_world, load_scenario
from shieldwall.scenario.compile import scenario_hash
from shieldwall.scenario.launch import inside_polygon
from tests.scenario.conftest import BASE_DOC, make_doc

#: Unit conversions are exact multiplications by powers of ten or pi/180: float64 round-off only.
EXACT_RTOL = 1e-12


def _world(doc: dict[str, Any] | None = None, phase: str | int | None = None) -> World:
    return compile_world(load_scenario(doc if doc is not None else make_doc()), phase)


def test_radar_overrides_and_si_units(catalog: Any) -> None:
    w = _world()
    gp = catalog.get("radar", "Green Pine").values()
    assert w.radars.id == ("gp", "pat.radar")
    assert w.radars.type == ("Green Pine", "AN/MPQ-65")
    # r0_km overridden inline (650 km), every other key from the catalog
    np.testing.assert_allclose(w.radars.r0_m[0], 650e3, rtol=EXACT_RTOL)
    np.testing.assert_allclose(w.radars.half_az_rad[0], math.radians(gp["half_az_deg"]))
    np.testing.assert_allclose(w.radars.angle_sigma_rad[0], gp["angle_sigma_mrad"] * 1e-3)
    np.testing.assert_allclose(w.radars.revisit_s[0], gp["revisit_s"])
    np.testing.assert_allclose(w.radars.boresight_az_rad, np.radians([340.0, 330.0]))
    np.testing.assert_allclose(w.radars.alt_m, [300.0, 0.0])
    expected = geodetic_to_ecef(np.radians(36.0), np.radians(127.5), 300.0)
    np.testing.assert_allclose(w.radars.r_ecef_m[0], expected, rtol=EXACT_RTOL)
    assert w.radars.platform == ("ground", "ground")


def test_batteries_and_organic_radars(catalog: Any) -> None:
    w = _world()
    b = w.batteries
    assert b.id == ("pat", "ship")
    assert b.inventory.tolist() == [48, 8]
    assert b.fire_channels.tolist() == [4, 2]  # default = launchers; explicit 2
    assert b.platform == ("ground", "ship")
    # "pat" has an inline organic radar (row 1), "ship" relies on radar "gp" (row 0)
    assert b.radar_idx.tolist() == [1, 0]
    assert w.radars.battery_idx.tolist() == [1, 0]
    assert [w.interceptors.name[i] for i in b.interceptor_idx] == ["PAC-3 MSE", "SM-3 Block IIA"]
    mse = catalog.get("interceptor", "PAC-3 MSE").values()
    np.testing.assert_allclose(w.interceptors.max_alt_m[0], mse["max_alt_km"] * 1e3)
    np.testing.assert_allclose(w.interceptors.burnout_speed_mps[0], mse["burnout_speed_kms"] * 1e3)
    np.testing.assert_allclose(w.interceptors.beta_pa[0], mse["beta_kpa"] * 1e3)
    assert w.interceptors.pk.shape == (2, len(THREAT_CLASSES))
    np.testing.assert_allclose(w.interceptors.pk[0], [mse[f"pk_{c}"] for c in THREAT_CLASSES])
    assert w.interceptors.organic_guidance[0] == mse["organic_guidance"]


def test_satellites_and_assets(catalog: Any) -> None:
    w = _world()
    sbirs = catalog.get("satellite", "SBIRS").values()
    assert w.satellites.latency_s.tolist() == [45.0]  # overridden
    np.testing.assert_allclose(
        w.satellites.launch_point_sigma_m, [sbirs["launch_point_sigma_km"] * 1e3]
    )
    assert w.satellites.nation_idx.tolist() == [1]
    assert w.assets.radius_m.tolist() == [5000.0, 0.0]
    assert w.assets.nation_idx.tolist() == [0, 1]
    assert w.assets.name == ("city", "port")
    np.testing.assert_allclose(w.assets.lat_rad, np.radians([35.0, 34.0]), rtol=EXACT_RTOL)


def test_scenario_defined_types_override_the_catalog(catalog: Any) -> None:
    doc = make_doc(
        interceptors=[{"name": "MSE 2030", "type": "PAC-3 MSE", "pk_srbm": 0.95}],
    )
    doc["batteries"][0]["interceptor"] = "MSE 2030"
    doc["threats"]["missiles"] = [{"name": "Scud-C long", "type": "Scud-C", "max_range_km": 650}]
    doc["threats"]["raid"][0]["missile"] = "Scud-C long"
    w = _world(doc)
    mse = catalog.get("interceptor", "PAC-3 MSE").values()
    assert w.interceptors.name[0] == "MSE 2030"
    assert w.interceptors.pk[0, 0] == 0.95
    np.testing.assert_allclose(w.interceptors.max_alt_m[0], mse["max_alt_km"] * 1e3)
    assert w.missiles.name == ("Scud-C long", "KN-23")
    assert w.missiles.max_range_m[0] == 650e3
    scud_c = catalog.get("missile", "Scud-C").values()
    np.testing.assert_allclose(w.missiles.beta_pa[0], scud_c["beta_kpa"] * 1e3)


def test_raid_expansion() -> None:
    w = _world()
    r = w.raid
    assert len(r) == 5
    assert w.missiles.name == ("Scud-C", "KN-23")
    assert r.missile_idx.tolist() == [0, 0, 0, 1, 1]
    assert r.salvo_idx.tolist() == [0, 0, 0, 1, 1]
    assert r.launch_t_s.tolist() == [10.0, 15.0, 20.0, 0.0, 0.0]
    assert r.aim_asset_idx.tolist() == [0, 0, 0, -1, -1]
    assert r.shape.tolist() == [0, 0, 0, 2, 2]
    assert r.shape.dtype == np.int8
    assert np.isnan(r.apogee_m[:3]).all()
    assert r.apogee_m[3:].tolist() == [50e3, 50e3]
    assert np.isnan(r.burnout_speed_mps).all()
    np.testing.assert_allclose(r.aim_lat_rad, np.radians([35, 35, 35, 36, 36]))
    # the point area gives the point itself; the box draws inside the box
    np.testing.assert_allclose(r.launch_lat_rad[3:], math.radians(38.6))
    lat, lon = np.degrees(r.launch_lat_rad[:3]), np.degrees(r.launch_lon_rad[:3])
    assert ((lat >= 38.9) & (lat <= 39.3) & (lon >= 127.2) & (lon <= 127.6)).all()


def test_launch_points_are_reproducible_and_seeded() -> None:
    a, b = _world(), _world()
    np.testing.assert_array_equal(a.raid.launch_lat_rad, b.raid.launch_lat_rad)
    doc = make_doc(settings={"trials": 10, "seed": 8})
    c = _world(doc)
    assert not np.array_equal(a.raid.launch_lat_rad[:3], c.raid.launch_lat_rad[:3])
    doc = make_doc(settings={"trials": 99, "seed": 7})  # trials do not change the raid
    np.testing.assert_array_equal(a.raid.launch_lon_rad, _world(doc).raid.launch_lon_rad)


def test_polygon_launch_area() -> None:
    doc = make_doc()
    poly = [(39.0, 127.0), (39.4, 127.3), (39.0, 127.6)]  # a triangle
    doc["threats"]["launch_areas"][1] = {
        "id": "bx",
        "polygon": [{"lat_deg": a, "lon_deg": o} for a, o in poly],
    }
    doc["threats"]["raid"][0]["count"] = 50
    r = _world(doc).raid
    vertices = np.radians(np.array(poly))
    inside = inside_polygon(r.launch_lat_rad[:50], r.launch_lon_rad[:50], *vertices.T)
    assert inside.all()


def test_degenerate_polygon_is_a_clean_error() -> None:
    doc = make_doc()
    doc["threats"]["launch_areas"][1] = {
        "id": "bx",
        "polygon": [{"lat_deg": 39.0, "lon_deg": 127.0 + d} for d in (0.0, 0.1, 0.2)],
    }
    with pytest.raises(ScenarioError, match="encloses \\(almost\\) no area"):
        _world(doc)


def test_arrays_are_read_only() -> None:
    w = _world()
    with pytest.raises(ValueError, match="read-only"):
        w.radars.r0_m[0] = 1.0
    with pytest.raises(ValueError, match="read-only"):
        w.policies["national"].share[0, 1] = 3


def test_scenario_hash_is_canonical() -> None:
    doc = make_doc()
    h = scenario_hash(load_scenario(doc))
    assert len(h) == 64
    reordered = dict(reversed(list(copy.deepcopy(doc).items())))
    assert scenario_hash(load_scenario(reordered)) == h
    changed = make_doc()
    changed["batteries"][0]["launchers"] = 5
    assert scenario_hash(load_scenario(changed)) != h
    assert _world().scenario_hash == h


def test_empty_tables_have_the_right_shapes() -> None:
    doc = {"name": "empty", "nations": [{"id": "A", "name": "A"}]}
    w = _world(doc)
    assert len(w.assets) == len(w.radars) == len(w.batteries) == len(w.raid) == 0
    assert w.assets.r_ecef_m.shape == (0, 3)
    assert w.interceptors.pk.shape == (0, 3)
    assert w.raid.launch_t_s.dtype == np.float64
    assert w.raid.shape.dtype == np.int8
    assert set(w.policies) == {"national", "cueing", "shared_tracks", "integrated"}


def test_round_trip_through_model_dump() -> None:
    first = load_scenario(BASE_DOC)
    dumped = first.model_dump(mode="json", by_alias=True, exclude_none=True)
    again = load_scenario(dumped)
    assert again == first
    assert scenario_hash(again) == scenario_hash(first)


def test_override_keys_match_the_catalog_keys() -> None:
    """Every catalog key can be overridden in a scenario, and nothing else (no drift)."""
    from shieldwall.scenario import catalog as catalog_package
    from shieldwall.scenario.params import PARAM_KEYS

    assert {k: set(v) for k, v in PARAM_KEYS.items()} == {
        k: set(v) for k, v in catalog_package.PARAM_KEYS.items()
    }
