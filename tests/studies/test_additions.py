"""Additions to a scenario: re-indexing, templates, rounds, costs from the catalog, bad input."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from shieldwall import api
from shieldwall.scenario.catalog import load_catalog
from shieldwall.studies.additions import (
    Addition,
    AdditionError,
    add_units,
    addition_cost,
)

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
MUSD = 1e6


@pytest.fixture(scope="module")
def flagship() -> api.Scenario:
    return api.load_scenario(EXAMPLES / "korea_japan.yaml")


def _check_links(world: api.World) -> None:
    """Every battery's radar points back at it (organic), ids follow the compiler's rule."""
    for b in range(len(world.batteries)):
        r = int(world.batteries.radar_idx[b])
        if r >= 0 and world.radars.battery_idx[r] == b:
            assert world.radars.nation_idx[r] == world.batteries.nation_idx[b]
    for r, b in enumerate(world.radars.battery_idx.tolist()):
        if b >= 0:
            assert int(world.batteries.radar_idx[b]) == r


def test_battery_and_radar_added_and_reindexed(flagship: api.Scenario) -> None:
    base = api.compile_world(flagship)
    pat = Addition(
        id="new_pat",
        kind="battery",
        type="PAC-3 MSE",
        nation="KOR",
        lat_deg=35.18,
        lon_deg=128.94,
        boresight_az_deg=320,
    )
    rad = Addition(
        id="new_radar",
        kind="radar",
        type="AN/TPY-2 FBM",
        nation="USA",
        lat_deg=37.0,
        lon_deg=129.0,
        boresight_az_deg=300,
    )
    w = add_units(flagship, [pat, rad])
    assert len(w.batteries) == len(base.batteries) + 1
    assert len(w.radars) == len(base.radars) + 2  # the stand-alone radar and the organic one
    b = w.batteries.id.index("new_pat")
    r = int(w.batteries.radar_idx[b])
    assert w.radars.id[r] == "new_pat.radar"
    assert w.radars.battery_idx[r] == b
    assert np.degrees(w.radars.boresight_az_rad[r]) == pytest.approx(320.0)
    assert w.radars.type[w.radars.id.index("new_radar")] == "AN/TPY-2 FBM"
    assert w.radars.battery_idx[w.radars.id.index("new_radar")] == -1
    # every old battery still points at its own radar (by id), after the radar rows shifted
    for bid in base.batteries.id:
        ob, nb = base.batteries.id.index(bid), w.batteries.id.index(bid)
        old_r, new_r = int(base.batteries.radar_idx[ob]), int(w.batteries.radar_idx[nb])
        assert (old_r < 0) == (new_r < 0)
        if old_r >= 0:
            assert base.radars.id[old_r] == w.radars.id[new_r]
    _check_links(w)


def test_loadout_copied_from_a_deployed_battery(flagship: api.Scenario) -> None:
    w = add_units(
        flagship,
        [
            Addition(
                id="x", kind="battery", type="PAC-3 MSE", nation="USA", lat_deg=35.0, lon_deg=129.0
            )
        ],
    )
    b = w.batteries.id.index("x")
    t = w.batteries.id.index("usfk_patriot_humphreys")  # the first USA PAC-3 MSE battery
    for field in ("launchers", "per_launcher", "fire_channels", "inventory"):
        assert getattr(w.batteries, field)[b] == getattr(w.batteries, field)[t]
    ship = add_units(
        flagship,
        [
            Addition(
                id="y",
                kind="battery",
                type="SM-3 Block IIA",
                nation="JPN",
                lat_deg=38.5,
                lon_deg=135.0,
            )
        ],
    )
    assert ship.batteries.platform[ship.batteries.id.index("y")] == "ship"


def test_more_rounds(flagship: api.Scenario) -> None:
    base = api.compile_world(flagship)
    w = add_units(
        flagship,
        [Addition(id="r", kind="rounds", type="jasdf_pac3_ichigaya", rounds_per_launcher=8)],
    )
    b = base.batteries.id.index("jasdf_pac3_ichigaya")
    assert w.batteries.inventory[b] == base.batteries.inventory[b] + 8 * base.batteries.launchers[b]
    others = np.arange(len(base.batteries)) != b
    assert np.array_equal(w.batteries.inventory[others], base.batteries.inventory[others])


def test_costs_from_the_catalog(flagship: api.Scenario) -> None:
    cat = load_catalog()
    pac3, mpq = cat.get("interceptor", "PAC-3 MSE"), cat.get("radar", "AN/MPQ-65")
    add = Addition(
        id="c", kind="battery", type="PAC-3 MSE", nation="USA", lat_deg=35.0, lon_deg=129.0
    )
    usd, terms = addition_cost(add, add_units(flagship, [add]))
    launchers, rounds = 6, 6 * 12  # usfk_patriot_humphreys' loadout
    by_hand = MUSD * (
        float(pac3.value("battery_cost_musd"))
        + launchers * float(pac3.value("launcher_cost_musd"))
        + float(mpq.value("unit_cost_musd"))
        + rounds * float(pac3.value("round_cost_musd"))
    )
    assert usd == pytest.approx(by_hand)
    assert all(t.source for t in terms)
    assert any("Defense Daily" in t.source for t in terms if t.what == "rounds")
    more = Addition(id="m", kind="rounds", type="jasdf_pac3_ichigaya", rounds_per_launcher=8)
    usd, _ = addition_cost(more, add_units(flagship, [more]))
    cri = cat.get("interceptor", "PAC-3 CRI")
    assert usd == pytest.approx(2 * 8 * MUSD * float(cri.value("round_cost_musd")))
    radar = Addition(
        id="t", kind="radar", type="AN/TPY-2 FBM", nation="USA", lat_deg=37.0, lon_deg=129.0
    )
    usd, _ = addition_cost(radar, add_units(flagship, [radar]))
    assert usd == pytest.approx(
        MUSD * float(cat.get("radar", "AN/TPY-2 FBM").value("unit_cost_musd"))
    )


@pytest.mark.parametrize(
    ("addition", "match"),
    [
        (
            Addition(
                id="a", kind="battery", type="PAC-3 MSE", nation="XX", lat_deg=35, lon_deg=129
            ),
            "unknown nation",
        ),
        (
            Addition(
                id="usfk_patriot_osan",
                kind="battery",
                type="PAC-3 MSE",
                nation="USA",
                lat_deg=35,
                lon_deg=129,
            ),
            "already taken",
        ),
        (
            Addition(id="r", kind="rounds", type="no_such_battery", rounds_per_launcher=2),
            "unknown battery",
        ),
    ],
)
def test_bad_additions(flagship: api.Scenario, addition: Addition, match: str) -> None:
    with pytest.raises(AdditionError, match=match):
        add_units(flagship, [addition])


def test_bad_values_refused_on_construction() -> None:
    with pytest.raises(AdditionError, match="lat_deg"):
        Addition(id="a", kind="battery", type="PAC-3 MSE", nation="USA", lat_deg=95, lon_deg=0)
    with pytest.raises(AdditionError, match="rounds_per_launcher"):
        Addition(id="a", kind="rounds", type="b", rounds_per_launcher=0)
    with pytest.raises(AdditionError, match="kind"):
        Addition(id="a", kind="ship", type="b")  # type: ignore[arg-type]
