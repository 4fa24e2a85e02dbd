"""Costs (issue #12 §3): every cost value is sourced, in USD millions at 2024 prices, and compiled
into the World in USD; an inline object may leave its cost out (unknown, NaN)."""

from __future__ import annotations

import copy
import math
import re
from typing import Any

import numpy as np
import pytest

from shieldwall.scenario import compile_world, load_scenario
from shieldwall.scenario.catalog import COST_KEYS, KINDS, PARAM_KEYS, load_catalog, unit_of
from tests.scenario.conftest import make_doc

COSTS = [
    (entry, key)
    for kind in KINDS
    for entry in load_catalog().entries_of(kind)
    for key in COST_KEYS[kind]
]
#: Cost values whose source is a shieldwall modelling convention (a ship is priced through its
#: radar), not a price: exactly 0 and labelled so.
CONVENTION = "assumption (shieldwall convention, COST_KEYS)"


def test_every_kind_but_satellites_is_priced_and_keys_are_catalog_keys() -> None:
    assert COST_KEYS["missile"] == ("unit_cost_musd",)
    assert COST_KEYS["radar"] == ("unit_cost_musd",)
    assert COST_KEYS["interceptor"] == (
        "round_cost_musd",
        "launcher_cost_musd",
        "battery_cost_musd",
    )
    assert COST_KEYS["satellite"] == ()
    for kind in KINDS:
        assert set(COST_KEYS[kind]) <= set(PARAM_KEYS[kind])
        for key in COST_KEYS[kind]:
            assert unit_of(key) == "M USD 2024"
    assert len(COSTS) == 20 * 1 + 10 * 3 + 8 * 1


@pytest.mark.parametrize(("entry", "key"), COSTS, ids=lambda x: getattr(x, "name", x))
def test_every_cost_value_has_a_source(entry: Any, key: str) -> None:
    param = entry.params[key]
    assert isinstance(param.value, float)
    assert param.value >= 0.0
    assert len(param.source) >= 20, "who published the figure, or how the guess was made"
    if param.source.startswith(CONVENTION):
        assert param.value == 0.0
        return
    assert param.value > 0.0, "a zero price is only the ship convention"
    assert param.range is not None, "costs conflict: every cost carries a range"
    lo, hi = param.range
    assert 0.0 < lo <= param.value <= hi
    assert param.note, "the note says which figure (and price year) the value comes from"
    if param.confidence == "assumption":
        # an assumption cites the public figures that bound it
        assert param.see or param.url, entry.name
    else:
        assert param.url.startswith("http")


def test_cpi_conversion_factors_in_notes_match_the_cited_index() -> None:
    # Each note that converts (" x 1.39") uses CPI(2024) / CPI(year) from the cited BLS table.
    cpi = {2003: 184.0, 2010: 218.1, 2011: 224.9, 2013: 233.0, 2016: 240.0, 2017: 245.1}
    cpi |= {2019: 255.7, 2020: 258.8, 2022: 292.7, 2023: 304.7, 2024: 313.7}
    seen = 0
    for entry, key in COSTS:
        note = entry.params[key].note
        for year, factor in re.findall(r"\((\d{4})\)[^x(]*x (\d\.\d\d)", note):
            assert float(factor) == pytest.approx(cpi[2024] / cpi[int(year)], abs=0.006), (
                entry.name,
                note,
            )
            seen += 1
    assert seen >= 8


def test_costs_compile_into_the_world_in_usd(catalog: Any) -> None:
    w = compile_world(load_scenario(make_doc()))
    mse = catalog.get("interceptor", "PAC-3 MSE").values()
    np.testing.assert_allclose(w.interceptors.round_cost_usd[0], mse["round_cost_musd"] * 1e6)
    np.testing.assert_allclose(w.interceptors.launcher_cost_usd[0], mse["launcher_cost_musd"] * 1e6)
    np.testing.assert_allclose(w.interceptors.battery_cost_usd[0], mse["battery_cost_musd"] * 1e6)
    gp = catalog.get("radar", "Green Pine").values()
    mpq = catalog.get("radar", "AN/MPQ-65").values()
    np.testing.assert_allclose(
        w.radars.unit_cost_usd, [gp["unit_cost_musd"] * 1e6, mpq["unit_cost_musd"] * 1e6]
    )
    scud_c = catalog.get("missile", "Scud-C").values()
    np.testing.assert_allclose(w.missiles.unit_cost_usd[0], scud_c["unit_cost_musd"] * 1e6)
    # an inline override of a cost replaces the catalog value, like any key
    doc = make_doc()
    doc["batteries"][0]["organic_radar"]["unit_cost_musd"] = 55.0
    w2 = compile_world(load_scenario(doc))
    assert w2.radars.unit_cost_usd[1] == 55e6


def test_an_inline_object_may_leave_its_cost_out() -> None:
    doc = make_doc()
    radar = dict(load_catalog().get("radar", "AN/MPQ-65").values())
    del radar["unit_cost_musd"]
    doc["batteries"][0]["organic_radar"] = {**radar, "boresight_az_deg": 330}
    scenario = load_scenario(doc)
    w = compile_world(scenario)
    assert math.isnan(w.radars.unit_cost_usd[1])
    assert w.radars.unit_cost_usd[0] > 0
    # ...but not a physical key: the message lists what is missing, and not the cost
    broken = copy.deepcopy(doc)
    del broken["batteries"][0]["organic_radar"]["r0_km"]
    with pytest.raises(Exception, match=r"missing: r0_km\.") as info:
        load_scenario(broken)
    assert "unit_cost_musd" not in str(info.value)


def test_tables_built_without_costs_are_unpriced() -> None:
    # Stages and tests that build tables by hand need not know about costs: NaN, one per row.
    w = compile_world(load_scenario(make_doc()))
    from dataclasses import fields, replace

    t = w.missiles
    kwargs = {f.name: getattr(t, f.name) for f in fields(t) if f.name != "unit_cost_usd"}
    bare = type(t)(**kwargs)
    assert bare.unit_cost_usd.shape == (len(t),)
    assert np.isnan(bare.unit_cost_usd).all()
    assert not bare.unit_cost_usd.flags.writeable
    # a wrong-length cost column is not silently replaced
    odd = replace(t, unit_cost_usd=np.ones(len(t)))
    assert (odd.unit_cost_usd == 1.0).all()
