"""``compare`` on the flagship: common random numbers, paired differences, monotonicity."""

from __future__ import annotations

import itertools
from functools import cache
from pathlib import Path

import numpy as np
import pytest

from shieldwall.pipeline import SimulationError
from shieldwall.scenario import World, compile_world, load_scenario
from shieldwall.studies.compare import DEFAULT_POLICIES, Comparison, compare

FLAGSHIP = Path(__file__).resolve().parents[2] / "examples" / "korea_japan.yaml"
Z999 = 3.2905


@cache
def _world() -> World:
    return compile_world(load_scenario(FLAGSHIP))


@cache
def _comparison() -> Comparison:
    return compare(_world(), trials=1500, seed=7)


def test_rows_and_paired_differences() -> None:
    c = _comparison()
    assert [r.name for r in c.rows] == list(DEFAULT_POLICIES)
    base = c.rows[0]
    assert base.d_p_zero_leak == 0.0
    for r in c.rows:
        lo, hi = r.p_zero_leak_ci
        assert lo <= r.p_zero_leak <= hi
        diff = r.p_zero_leak - base.p_zero_leak
        assert r.d_p_zero_leak == pytest.approx(diff)
        assert r.d_p_zero_leak_ci[0] <= r.d_p_zero_leak <= r.d_p_zero_leak_ci[1]


def test_policies_see_the_same_random_numbers() -> None:
    c = _comparison()
    flew = [r.results.outcomes.flew for r in c.rows]
    for f in flew[1:]:
        np.testing.assert_array_equal(f, flew[0])


def test_more_sharing_never_increases_expected_leakers() -> None:
    # national <= cueing <= shared_tracks <= integrated in what is shared; on the same random
    # numbers the paired 99.9% interval of (more - less) must not lie above 0.
    c = _comparison()
    rows = {r.name: r.results.outcomes.leakers for r in c.rows}
    order = list(DEFAULT_POLICIES)
    n = c.trials
    for less, more in itertools.pairwise(order):
        d = rows[more].astype(float) - rows[less]
        lo = d.mean() - Z999 * d.std(ddof=1) / np.sqrt(n)
        assert lo <= 0.0, (less, more, d.mean())


def test_json_form_has_the_documented_keys() -> None:
    doc = _comparison().as_dict()
    row = doc["policies"][0]
    for key in ("name", "p_zero_leak", "p_zero_leak_ci", "expected_leakers", "interceptors_used"):
        assert key in row
    assert len(row["p_zero_leak_ci"]) == 2


def test_unknown_policy_is_a_user_error() -> None:
    with pytest.raises(SimulationError, match="valid policies"):
        compare(_world(), ["national", "nope"], trials=10)
