"""compare carries the costs (issue #12 §3): table, --json fields, run record, api.cost_table."""

from __future__ import annotations

import numpy as np
import pytest

from shieldwall import api
from shieldwall.io.record import record_comparison
from shieldwall.scenario import compile_world, load_scenario
from tests.scenario.conftest import make_doc


@pytest.fixture(scope="module")
def comparison() -> api.Comparison:
    world = compile_world(load_scenario(make_doc()))
    # every trial's outcomes: the costs are checked by hand from the rounds fired
    return api.compare(world, ["national", "integrated"], trials=64, seed=3, full_outcomes=True)


def test_compare_costs_agree_with_the_rounds_fired(comparison: api.Comparison) -> None:
    for row in comparison.rows:
        w, out = row.results.world, row.results.outcomes
        price = w.interceptors.round_cost_usd[w.batteries.interceptor_idx]
        by_hand = float((out.expended * price).sum(axis=1).mean())
        assert row.costs.interceptor_cost_usd == pytest.approx(by_hand)
        assert row.costs.attack_cost_usd == pytest.approx(17e6)
        assert row.costs.cost_exchange_ratio == pytest.approx(by_hand / 17e6)
        # the burden in rounds adds up to all rounds fired
        assert row.costs.burden_rounds.sum() == pytest.approx(out.expended.sum(axis=1).mean())
        d = row.as_dict()
        assert d["interceptor_cost_usd"] == pytest.approx(by_hand)
        assert set(d["burden_cost_usd"]) == {"BLU", "GRN"}
        assert d["unpriced"] == []
    base = comparison.rows[0]
    assert base.name == "national"
    assert np.isnan(base.cost_per_leaker_avoided)  # no leaker avoided against itself


def test_cost_table_and_record(comparison: api.Comparison) -> None:
    df = api.cost_table(comparison)
    assert list(df.columns) == ["policy", "metric", "shooter", "defended", "value", "lo", "hi"]
    for row in comparison.rows:
        sel = df[(df.policy == row.name) & (df.metric == "interceptor_cost_usd")]
        assert float(sel.value.iloc[0]) == pytest.approx(row.costs.interceptor_cost_usd)
        burden = df[(df.policy == row.name) & (df.metric == "burden_rounds")]
        assert len(burden) == 2 * 3
    rec = record_comparison(comparison)
    metrics = rec.table("metrics")
    assert {"interceptor_cost_usd", "attack_cost_usd", "cost_exchange_ratio"} <= set(metrics.metric)
    assert "cost_per_leaker_avoided_usd" in set(metrics.metric)
    assert rec.info["metrics"]["integrated"]["attack_cost_usd"] == pytest.approx(17e6)
