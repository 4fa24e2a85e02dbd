"""``compare`` on the flagship: common random numbers, paired differences, monotonicity, and the
vectorized engine against the per-trial reference on the real schedules.

One comparison (four policies, full pipeline) feeds every check, inside a single test so that a
parallel run computes it once; it takes about 25 s, hence ``slow``.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest

from shieldwall.pipeline import SimulationError
from shieldwall.scenario import compile_world, load_scenario
from shieldwall.studies.compare import DEFAULT_POLICIES, Comparison, compare

FLAGSHIP = Path(__file__).resolve().parents[2] / "examples" / "korea_japan.yaml"
MINIMAL = FLAGSHIP.with_name("minimal.yaml")
Z999 = 3.2905
N_TRIALS = 1500


def _check_rows_and_paired_differences(c: Comparison) -> None:
    assert [r.name for r in c.rows] == list(DEFAULT_POLICIES)
    base = c.rows[0]
    assert base.d_p_zero_leak == 0.0
    for r in c.rows:
        lo, hi = r.p_zero_leak_ci
        assert lo <= r.p_zero_leak <= hi
        assert r.d_p_zero_leak == pytest.approx(r.p_zero_leak - base.p_zero_leak)
        assert r.d_p_zero_leak_ci[0] <= r.d_p_zero_leak <= r.d_p_zero_leak_ci[1]
        assert r.d_expected_leakers == pytest.approx(r.expected_leakers - base.expected_leakers)


def _check_common_random_numbers(c: Comparison) -> None:
    flew = [r.results.outcomes.flew for r in c.rows]
    for f in flew[1:]:
        np.testing.assert_array_equal(f, flew[0])


def _check_more_sharing_never_increases_leakers(c: Comparison) -> None:
    # national <= cueing <= shared_tracks <= integrated in what is shared; on the same random
    # numbers the paired 99.9% interval of (more - less) must not lie above 0.
    leakers = {r.name: r.results.tally.leakers for r in c.rows}  # every trial's
    for less, more in itertools.pairwise(DEFAULT_POLICIES):
        d = leakers[more].astype(float) - leakers[less]
        lo = d.mean() - Z999 * d.std(ddof=1) / np.sqrt(c.trials)
        assert lo <= 0.0, (less, more, d.mean())
    # and full integration is a large, significant improvement on this raid
    d = leakers["integrated"].astype(float) - leakers["national"]
    assert d.mean() + Z999 * d.std(ddof=1) / np.sqrt(c.trials) < 0.0


def _check_plan_objective_is_monotone(c: Comparison) -> None:
    # each preset's planner starts from the less permissive one's plan (docs/battle.md §5)
    objective = {r.name: r.results.plan_objective for r in c.rows}
    for less, more in itertools.pairwise(DEFAULT_POLICIES):
        assert objective[more] <= objective[less] + 1e-9, (less, more, objective)


def _check_json(c: Comparison) -> None:
    doc = c.as_dict()
    row = doc["policies"][0]
    for key in ("name", "p_zero_leak", "p_zero_leak_ci", "expected_leakers", "interceptors_used"):
        assert key in row
    assert len(row["p_zero_leak_ci"]) == 2
    assert doc["solver"] == "heuristic"
    assert doc["objective"] == "asset_value"
    burden = row["rounds_defending"]  # rounds each nation's batteries spent on each nation
    assert sum(sum(v.values()) for v in burden.values()) == pytest.approx(row["interceptors_used"])


@pytest.mark.slow
def test_flagship_comparison() -> None:
    c = compare(compile_world(load_scenario(FLAGSHIP)), trials=N_TRIALS, seed=7)
    _check_rows_and_paired_differences(c)
    _check_common_random_numbers(c)
    _check_more_sharing_never_increases_leakers(c)
    _check_plan_objective_is_monotone(c)
    _check_json(c)


def test_minimal_comparison_common_random_numbers() -> None:
    c = compare(compile_world(load_scenario(MINIMAL)), trials=300, seed=1)
    _check_rows_and_paired_differences(c)
    _check_common_random_numbers(c)
    _check_json(c)


def test_unknown_policy_is_a_user_error() -> None:
    with pytest.raises(SimulationError, match="valid policies"):
        compare(compile_world(load_scenario(MINIMAL)), ["national", "nope"], trials=10)
