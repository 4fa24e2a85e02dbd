"""``footprint``: closed geometry, sector radar, the engine on a lone threat, chunking, the
flagship's policies, the CLI and bad input."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from shieldwall.battle.windows import ground_range_m
from shieldwall.cli.main import main
from shieldwall.earth.geodesy import geodesic_direct, geodesic_inverse, geodetic_to_ecef
from shieldwall.flight import fly_raid, flyout_tables
from shieldwall.pipeline import simulate
from shieldwall.scenario import compile_world, load_scenario
from shieldwall.studies.footprint import Footprint, FootprintError, footprint, make_grid

ROOT = Path(__file__).resolve().parents[2]
TOY = Path(__file__).resolve().parent / "data" / "footprint_toy.yaml"
FLAGSHIP = ROOT / "examples" / "korea_japan.yaml"

#: A line of cells east-west through the battery (35 N, 128 E): 81 cells of 0.0247 deg (2.25 km).
LINE = "34.995,127.0,35.005,129.0"
LINE_GRID = "1x81"


def _line(scenario_path: Path, **kw: object) -> Footprint:
    return footprint(
        load_scenario(scenario_path), launch="north", missile="Scud-C", region=LINE,
        grid=LINE_GRID, policies=["national"], **kw,  # type: ignore[arg-type]
    )  # fmt: skip


@pytest.fixture(scope="module")
def omni() -> Footprint:
    return _line(TOY)


@pytest.fixture(scope="module")
def sector(tmp_path_factory: pytest.TempPathFactory) -> Footprint:
    text = TOY.read_text().replace(
        "boresight_az_deg: 0, half_az_deg: 180", "boresight_az_deg: 45, half_az_deg: 45"
    )
    assert "half_az_deg: 45" in text
    path = tmp_path_factory.mktemp("sector") / "sector.yaml"
    path.write_text(text)
    return _line(path)


def _hand_engageable(fp: Footprint) -> np.ndarray:
    """Cells whose threat passes through the flyout table's envelope, by hand.

    The descent of a Scud-C from the launch point onto the battery site (the toy's raid) gives
    each trajectory sample's altitude and ground distance up-range of the impact. A threat aimed
    at a cell has (nearly) the same descent along its own approach azimuth; the cell can be
    engaged iff one of its samples (midcourse or terminal, before impact) is at a ground range
    and altitude where the flyout table has a finite time: the envelope, nothing else.
    """
    world = compile_world(load_scenario(TOY))
    traj = fly_raid(world)
    table = flyout_tables(world)[0]
    ok = (np.asarray(traj.phase[0]) >= 1) & (np.asarray(traj.t_s[0]) < traj.impact_t_s[0])
    r = np.asarray(traj.r_ecef_m[0])[ok]
    h = np.asarray(traj.alt_m[0])[ok]
    d = ground_range_m(np.asarray(traj.impact_r_ecef_m[0]), r)  # up-range of impact [m]
    lat_l, lon_l = math.radians(38.0), math.radians(128.0)
    site = geodetic_to_ecef(math.radians(35.0), math.radians(128.0), 0.0)
    out = np.zeros(fp.grid.n_cells, dtype=bool)
    for c in range(fp.grid.n_cells):
        la, lo = math.radians(fp.grid.lat_deg[c]), math.radians(fp.grid.lon_deg[c])
        _, az, _ = geodesic_inverse(la, lo, lat_l, lon_l)
        sla, slo, _ = geodesic_direct(np.full(d.size, la), np.full(d.size, lo), az, d)
        gr = ground_range_m(site, geodetic_to_ecef(sla, slo, 0.0))
        out[c] = bool(np.isfinite(table.time_to_reach(gr, h)).any())
    return out


def _extent_cells(engageable: np.ndarray, centre: int) -> tuple[int, int]:
    """Engageable cells west and east of the centre cell, counted outwards without a gap."""
    west = next((k for k in range(centre + 1) if not engageable[centre - k]), centre + 1)
    east = next((k for k in range(engageable.size - centre) if not engageable[centre + k]),
                engageable.size - centre)  # fmt: skip
    return west, east


def test_envelope_matches_flyout_table_by_hand(omni: Footprint) -> None:
    got = omni.engageable["national"]
    hand = _hand_engageable(omni)
    centre = 40  # the battery's cell
    assert got[centre]
    assert hand[centre]
    gw, ge = _extent_cells(got, centre)
    hw, he = _extent_cells(hand, centre)
    # extent along the line within one cell of the hand envelope, both ways
    assert abs(gw - hw) <= 1, (gw, hw)
    assert abs(ge - he) <= 1, (ge, he)
    # and it is the interceptor's 60 km ground-range limit to within two cells (2.25 km each)
    cell_km = omni.grid.area_km2[0] / (0.01 * 111.2)
    assert abs(ge * cell_km - 60.0) <= 2 * cell_km + 1.0, ge * cell_km
    assert not got[:5].any()
    assert not got[-5:].any()


def test_sector_radar_cuts_the_footprint(omni: Footprint, sector: Footprint) -> None:
    """A radar facing north-east (azimuths 0..90 deg): a threat from the north aimed west of the
    battery approaches and falls at azimuths west of north, outside the sector, so its own
    fire-control radar never tracks it; aimed east, it stays in the sector all the way down."""
    full = omni.engageable["national"]
    cut = sector.engageable["national"]
    centre = 40
    assert full[: centre - 1].sum() > 10  # omnidirectional: engageable west of the battery
    assert not cut[:centre].any()  # sector: nothing west of the battery
    assert np.all(cut <= full)
    _, east_full = _extent_cells(full, centre)
    _, east_cut = _extent_cells(np.r_[np.zeros(centre + 1, bool), cut[centre + 1 :]] | (
        np.arange(cut.size) == centre), centre)  # fmt: skip
    assert abs(east_cut - east_full) <= 1, (east_cut, east_full)


def test_opportunities_and_p_no_leak_closed_form(omni: Footprint) -> None:
    """One battery, fought as the doctrine solver fights (salvos of ``salvo_size`` = 2): one
    engagement reaches the pair cap of 2 rounds, so P(no leak) = 1 − rel·(1 − rel_i·pk)²."""
    world = omni.world
    rel_m = float(world.missiles.reliability[0])
    p = float(world.interceptors.reliability[0]) * 0.8  # rel · pk_srbm of the PAC-3 MSE
    eng = omni.engageable["national"]
    opp = omni.opportunities["national"]
    assert np.all(opp[eng] == 1)
    assert np.all(opp[~eng] == 0)
    rounds = np.minimum(world.doctrine.salvo_size * opp, world.doctrine.max_rounds_per_pair)
    want = 1.0 - rel_m * (1.0 - p) ** rounds
    np.testing.assert_allclose(omni.p_no_leak["national"], want, rtol=0, atol=1e-12)


def test_p_no_leak_agrees_with_the_engine_on_a_lone_threat() -> None:
    """The closed form against the per-trial engine on the toy's one-threat raid (aimed at the
    battery's asset), fought without a plan (the footprint's doctrine chain)."""
    fp = footprint(TOY, launch="north", missile="Scud-C", region="34.99,127.99,35.01,128.01",
                   grid="1x1", policies=["national"])  # fmt: skip
    res = simulate(compile_world(load_scenario(TOY)), "national", trials=4000, seed=3,
                   solver="doctrine")  # fmt: skip
    lo, hi = res.metrics.p_zero_leak_ci
    assert lo <= float(fp.p_no_leak["national"][0]) <= hi, (fp.p_no_leak, lo, hi)


def test_chunk_size_does_not_change_the_result(omni: Footprint) -> None:
    small = _line(TOY, chunk_cells=7)
    for name in ("engageable", "opportunities", "battery_mask", "p_no_leak"):
        np.testing.assert_array_equal(getattr(small, name)["national"],
                                      getattr(omni, name)["national"])  # fmt: skip
    np.testing.assert_array_equal(small.in_range, omni.in_range)


def test_table_is_one_row_per_cell_and_policy(omni: Footprint) -> None:
    t = omni.table
    assert len(t) == omni.grid.n_cells
    assert set(t["policy"]) == {"national"}
    row = t.iloc[40]
    assert row["batteries"] == "patriot"
    assert row["engageable"]
    assert omni.defended_area_km2("national") == pytest.approx(
        float(t.loc[t["engageable"], "area_km2"].sum())
    )


@pytest.mark.slow
def test_flagship_national_and_integrated_differ_where_a_track_is_shared() -> None:
    """Japanese cells of the Sea of Japan that Japan's own Aegis ships engage only under the
    integrated policy (with another nation's track or guidance), not under national."""
    fp = footprint(FLAGSHIP, launch="south_pyongan", missile="Nodong",
                   region="36.5,133.3,37.6,135.6", grid="2x2")  # fmt: skip
    w = fp.world
    jpn = w.nation_index("JPN")
    own = sum(1 << b for b, n in enumerate(w.batteries.nation_idx) if n == jpn)
    mi, mn = fp.battery_mask["integrated"], fp.battery_mask["national"]
    japanese = fp.in_range & (fp.cell_nation == jpn)
    gained = japanese & ((mi & own & ~mn) != 0)
    assert gained.any(), (fp.batteries("integrated"), fp.batteries("national"))
    assert np.all(fp.engageable["integrated"] >= fp.engageable["national"])
    assert fp.defended_area_km2("integrated") > fp.defended_area_km2("national")


# -- the grid and bad input ----------------------------------------------------------------------


def test_grid_spacing_and_area() -> None:
    g = make_grid((30.0, 120.0, 40.0, 130.0), spacing_km=50.0)
    rows, _cols = g.shape
    assert rows == round(10 * math.pi * 6371 / 180 / 50)
    sphere_band = (
        6371.0**2 * math.radians(10) * (math.sin(math.radians(40)) - math.sin(math.radians(30)))
    )
    assert g.area_km2.sum() == pytest.approx(sphere_band, rel=1e-12)
    with pytest.raises(FootprintError, match="not both"):
        make_grid((30.0, 120.0, 40.0, 130.0), (2, 2), 5.0)


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"missile": "Scud-Z"}, "missile"),
        ({"launch": "nowhere"}, "launch"),
        ({"launch": "-10,0"}, "launch"),  # every cell out of reach
        ({"grid": "0x5"}, "grid"),
        ({"grid": "axb"}, "grid"),
        ({"region": "35,129,34,128"}, "region"),
        ({"grid": None, "spacing_km": -1.0}, "spacing_km"),
        ({"spacing_km": 5.0}, "grid"),  # both a grid and a spacing
    ],
)
def test_bad_input_names_the_field(kw: dict[str, object], field: str) -> None:
    args: dict[str, object] = {"launch": "north", "missile": "Scud-C", "region": LINE,
                               "grid": "1x3", "policies": ["national"], **kw}  # fmt: skip
    with pytest.raises(FootprintError) as info:
        footprint(TOY, **args)  # type: ignore[arg-type]
    assert info.value.problems[0].path == field


# -- the command ---------------------------------------------------------------------------------


def test_cli_json_folder_geojson_png(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "fp"
    argv = ["footprint", str(TOY), "--launch", "north", "--missile", "Scud-C", "--region",
            "34.8,127.6,35.2,128.4", "--grid", "3x4", "--policies", "national,integrated",
            "--executor", "serial", "--out", str(out), "--json"]  # fmt: skip
    assert main(argv) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["grid"] == [3, 4]
    assert [p["policy"] for p in doc["policies"]] == ["national", "integrated"]
    assert doc["folder"] == str(out)
    t = pd.read_parquet(out / "results.parquet")
    assert len(t) == 2 * 12
    gj = json.loads((out / "footprint.geojson").read_text())
    assert gj["type"] == "FeatureCollection"
    assert len(gj["features"]) == int(doc["cells_in_range"])
    f = gj["features"][0]
    assert f["geometry"]["type"] == "Polygon"
    assert len(f["geometry"]["coordinates"][0]) == 5
    assert {"national.engageable", "integrated.p_no_leak", "national.batteries"} <= set(
        f["properties"])  # fmt: skip
    assert (out / "footprint.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    study = json.loads((out / "study.json").read_text())
    assert study["study"] == "footprint"
    assert study["complete"]


@pytest.mark.parametrize(
    ("extra", "needle"),
    [
        (["--missile", "Scud-Z", "--grid", "1x2"], "valid missiles"),
        (["--missile", "Scud-C", "--launch", "-40,10", "--grid", "1x2"], "reach"),
        (["--missile", "Scud-C", "--grid", "2by2"], "NxM"),
        (["--missile", "Scud-C", "--grid", "1x2", "-p", "solo"], "valid policies"),
        (["--missile", "Scud-C", "--grid", "1x2", "--phase", "9"], "phase"),
    ],
)
def test_cli_bad_input_exits_2(
    extra: list[str], needle: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    argv = ["footprint", str(TOY), "--launch", "north", "--region", LINE, "--executor",
            "serial", "--out", str(tmp_path / "x"), *extra]  # fmt: skip
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert needle in err
    assert "Traceback" not in err


def test_cell_nation_is_territory_not_a_foreign_base() -> None:
    """A cell in a defended radius is that asset's nation's (Kadena: USA); elsewhere the nearest
    city's (Iwakuni's surroundings are Japan's, though the nearest asset is a US base)."""
    from shieldwall.studies.footprint import _cell_nations, _city_assets

    scenario = load_scenario(FLAGSHIP)
    world = compile_world(scenario)
    lat = np.radians([26.352, 34.3, 37.5])
    lon = np.radians([127.769, 132.4, 127.0])
    got, by_territory = _cell_nations(world, lat, lon, _city_assets(scenario, world))
    assert not by_territory.any()
    assert [world.nations.id[k] for k in got] == ["USA", "JPN", "KOR"]


# -- the cells' nations by territory ---------------------------------------------------------------


def _haversine_km(lat0: float, lon0: float, lat1: np.ndarray, lon1: np.ndarray) -> np.ndarray:
    p0, p1 = math.radians(lat0), np.radians(lat1)
    a = (np.sin(0.5 * (p1 - p0)) ** 2
         + math.cos(p0) * np.cos(p1) * np.sin(0.5 * np.radians(lon1 - lon0)) ** 2)  # fmt: skip
    return np.asarray(2.0 * 6371.0088 * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0))))


#: On land by Natural Earth 1:50m, and the nation the flagship should give them.
LAND = {"fukuoka": (33.59, 130.40, "JPN"), "kagoshima": (31.60, 130.56, "JPN"),
        "busan": (35.18, 129.07, "KOR"), "pyongyang": (39.02, 125.75, None),
        "dandong": (40.13, 124.39, None)}  # fmt: skip
#: At sea: east of Honshu (~110 km off Sendai), the Korea Strait off Busan, the Sea of Japan
#: off North Korea, the open Pacific ~800 km east of Honshu.
SEA = {"off_sendai": (38.0, 142.3, "JPN"), "off_busan": (35.0, 129.3, "KOR"),
       "off_north_korea": (39.6, 128.6, None), "pacific": (37.0, 150.0, None)}  # fmt: skip


def test_territory_of_land_and_sea_on_the_flagship() -> None:
    """Land: the country polygon's scenario nation (North Korea, China: none); sea: the nation of
    the nearest coast within 200 nmi, checked against a brute-force great-circle distance to
    every coast vertex (not the k-d tree), by the nearest coast's country."""
    from shieldwall.io.basemap import countries, country_index
    from shieldwall.io.territory import EEZ_PROXY_KM, ISO_NUMERIC, territory_nations

    world = compile_world(load_scenario(FLAGSHIP))
    pts = {**LAND, **SEA}
    lat = np.array([p[0] for p in pts.values()])
    lon = np.array([p[1] for p in pts.values()])
    got = territory_nations(world.nations.id, world.nations.name, lat, lon)
    named = {k: (world.nations.id[n] if n >= 0 else None) for k, n in zip(pts, got, strict=True)}
    assert named == {k: p[2] for k, p in pts.items()}
    where = country_index(lat, lon)
    assert np.all((where >= 0) == np.array([k in LAND for k in pts]))
    # the sea rule by brute force: nearest vertex of any country's rings, its country's code
    table = countries()
    verts = np.vstack([r for _, _, polys in table for poly in polys for r in poly])
    owner = np.concatenate([np.full(len(r), k) for k, (_, _, polys) in enumerate(table)
                            for poly in polys for r in poly])  # fmt: skip
    code_of = {v: k for k, v in ISO_NUMERIC.items()}
    for name, (la, lo, want) in SEA.items():
        d = _haversine_km(la, lo, verts[:, 1], verts[:, 0])
        j = int(np.argmin(d))
        near = code_of.get(table[owner[j]][0]) if d[j] <= EEZ_PROXY_KM else None
        assert near == want, (name, d[j], table[owner[j]][1])


def test_territory_decides_the_cell_nation_except_radii_and_foreign_land() -> None:
    """Through ``footprint``: a Kyushu cell is Japan's (the asset rule said Korea, nearer Busan
    than Osaka), a Busan cell Korea's; a North Korean cell keeps the asset rule; a cell in a US
    base's defended radius stays the US's; without world-atlas ``api.footprint`` warns and uses
    the asset rule."""
    import warnings

    from shieldwall import api
    from shieldwall.io.basemap import NODE_MODULES_ENV
    from shieldwall.studies.footprint import _cell_nations, _city_assets

    scenario = load_scenario(FLAGSHIP)
    # 2x2 cells centred on (33.59|39.02) x (125.75|130.40): sea W of Jeju, Fukuoka, Pyongyang,
    # the Sea of Japan ~190 km N of Ulleungdo (Korea's; North Korea's coast is farther)
    region = "30.875,123.425,41.735,132.725"
    fp = api.footprint(scenario, launch="south_pyongan", missile="Nodong", region=region,
                       grid="2x2", policies=["national"])  # fmt: skip
    np.testing.assert_allclose(fp.grid.lat_deg, [33.59, 33.59, 39.02, 39.02])
    np.testing.assert_allclose(fp.grid.lon_deg, [125.75, 130.40, 125.75, 130.40])
    w = fp.world
    assert [w.nations.id[k] for k in fp.cell_nation[[0, 1, 3]]] == ["KOR", "JPN", "KOR"]
    old, _ = _cell_nations(w, np.radians(fp.grid.lat_deg), np.radians(fp.grid.lon_deg),
                           _city_assets(scenario, w))  # fmt: skip
    assert w.nations.id[old[1]] == "KOR"  # the asset rule's Kyushu
    assert fp.cell_nation[2] == old[2]  # Pyongyang: the asset rule
    np.testing.assert_array_equal(fp.nation_by_territory, [True, True, False, True])
    assert list(fp.table["nation_rule"][:4]) == ["territory", "territory", "assets", "territory"]
    assert fp.summary()["cells_nation_by_territory"] == 3
    # a defended radius before territory: Sasebo (Kyushu, Japan) stays a US cell
    sasebo = api.footprint(scenario, launch="south_pyongan", missile="Nodong",
                           region="33.154,129.718,33.164,129.728", grid="1x1",
                           policies=["national"])  # fmt: skip
    assert sasebo.world.nations.id[int(sasebo.cell_nation[0])] == "USA"
    assert not sasebo.nation_by_territory[0]
    # world-atlas missing: one warning line, the asset rule
    mp = pytest.MonkeyPatch()
    try:
        mp.setenv(NODE_MODULES_ENV, "/nonexistent")
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            bare = api.footprint(scenario, launch="south_pyongan", missile="Nodong",
                                 region=region, grid="2x2", policies=["national"])  # fmt: skip
    finally:
        mp.undo()
    assert [str(c.message) for c in caught if "by the nearest assets" in str(c.message)]
    np.testing.assert_array_equal(bare.cell_nation, old)
    assert not bare.nation_by_territory.any()


@pytest.mark.slow
def test_japans_aegis_defends_kyushu_under_national_by_territory() -> None:
    """A cell by Fukuoka: under ``integrated`` Japan's Aegis ships engage it (in reach). By the
    asset rule it was Korea's, so under ``national`` nobody might engage it (P(no leak) = the
    missile's failure probability alone); by territory it is Japan's and its own ships engage it
    at some fire-control times (P(no leak) above that)."""
    from shieldwall import api

    kw = {"launch": "south_pyongan", "missile": "Nodong", "region": "33.68,130.24,33.70,130.26",
          "grid": "1x1", "policies": ["national", "integrated"]}  # fmt: skip
    new = api.footprint(FLAGSHIP, **kw)  # type: ignore[arg-type]
    old = api.footprint(FLAGSHIP, territory=None, **kw)  # type: ignore[arg-type]
    w = new.world
    assert [w.nations.id[int(f.cell_nation[0])] for f in (new, old)] == ["JPN", "KOR"]
    aegis = {b for b in new.batteries("integrated")[0].split(",") if b}
    assert aegis
    jpn = w.nation_index("JPN")
    assert all(w.batteries.nation_idx[w.batteries.id.index(b)] == jpn for b in aegis), aegis
    assert all("aegis" in b for b in aegis), aegis
    alone = 1.0 - float(np.asarray(w.missiles.reliability)[0])
    assert float(old.p_no_leak["national"][0]) == pytest.approx(alone, abs=1e-12)
    assert float(new.p_no_leak["national"][0]) > alone + 0.2
    assert float(new.p_no_leak["integrated"][0]) == float(old.p_no_leak["integrated"][0])


def test_cli_without_world_atlas_warns_and_uses_the_asset_rule(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from shieldwall.io.basemap import NODE_MODULES_ENV

    monkeypatch.setenv(NODE_MODULES_ENV, str(tmp_path / "no_node_modules"))
    out = tmp_path / "fp"
    argv = ["footprint", str(TOY), "--launch", "north", "--missile", "Scud-C", "--region", LINE,
            "--grid", "1x5", "--policies", "national", "--executor", "serial", "--out", str(out),
            "--json"]  # fmt: skip
    assert main(argv) == 0
    cap = capsys.readouterr()
    assert "warning: cell nations by the nearest assets" in cap.err
    assert "warning: no footprint.png" in cap.err
    assert "Traceback" not in cap.err
    assert json.loads(cap.out)["cells_nation_by_territory"] == 0
    assert (out / "footprint.geojson").is_file()
    assert not (out / "footprint.png").exists()
