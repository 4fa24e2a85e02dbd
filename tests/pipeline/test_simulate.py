"""End-to-end ``simulate`` on the shipped examples (small trial counts)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
import pytest

from shieldwall.battle.plan import PlanError
from shieldwall.outcome.draws import draw
from shieldwall.outcome.reference import resolve_reference
from shieldwall.pipeline import (
    Prepared,
    SimulationError,
    default_track_delay_max_s,
    prepare,
    simulate,
)
from shieldwall.scenario import World, compile_world, load_scenario

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@cache
def _world(name: str) -> World:
    return compile_world(load_scenario(EXAMPLES / f"{name}.yaml"))


@cache
def _prepared(name: str) -> Prepared:
    return prepare(_world(name))


def test_minimal_example_runs_and_metrics_are_consistent() -> None:
    world = _world("minimal")
    res = simulate(world, "national", trials=400, seed=3, prepared=_prepared("minimal"))
    m = res.metrics
    out = res.outcomes
    assert out.leaked.shape == (400, len(world.raid.missile_idx))
    assert m.p_zero_leak_ci[0] <= m.p_zero_leak <= m.p_zero_leak_ci[1]
    assert m.p_zero_leak == pytest.approx(np.mean(out.leakers == 0))
    assert m.expected_leakers == pytest.approx(out.leakers.mean())
    # leakers are threats that flew, were not killed and fall on an asset
    assert np.all(out.leaked <= (out.flew & ~out.killed))
    assert np.all(out.expended.sum(axis=1) == out.shots.sum(axis=1))
    assert np.all(out.expended <= world.batteries.inventory[None, :])
    assert res.opportunities.n_rows > 0  # the battery can engage the raid on its capital


def test_same_seed_same_results_different_seed_different_draws() -> None:
    world = _world("minimal")
    prep = _prepared("minimal")
    a = simulate(world, "national", trials=300, seed=5, prepared=prep)
    b = simulate(world, "national", trials=300, seed=5, prepared=prep)
    c = simulate(world, "national", trials=300, seed=6, prepared=prep)
    np.testing.assert_array_equal(a.outcomes.killed, b.outcomes.killed)
    np.testing.assert_array_equal(a.outcomes.expended, b.outcomes.expended)
    assert not np.array_equal(a.outcomes.shots, c.outcomes.shots) or not np.array_equal(
        a.outcomes.killed, c.outcomes.killed
    )


def test_engine_equals_reference_on_a_real_schedule() -> None:
    # (the flagship version is in tests/studies/test_compare.py, marked slow)
    world = _world("minimal")
    res = simulate(world, "integrated", trials=200, seed=11, prepared=_prepared("minimal"))
    sched = res.schedule
    d = draw(11, 200, res.targets.n_threats, sched.max_shots_per_threat)
    ref = resolve_reference(
        sched,
        res.targets,
        d,
        track_delay_max_s=default_track_delay_max_s(world),
        n_assets=len(world.assets.value),
    )
    np.testing.assert_array_equal(res.outcomes.killed, ref.killed)
    np.testing.assert_array_equal(res.outcomes.expended, ref.expended)
    np.testing.assert_array_equal(res.outcomes.leaked, ref.leaked)


def test_unknown_policy_lists_the_valid_ones() -> None:
    world = _world("minimal")
    with pytest.raises(SimulationError, match="valid policies: national"):
        simulate(world, "together", trials=10, prepared=_prepared("minimal"))


def test_bad_trials_and_solver_are_user_errors() -> None:
    world = _world("minimal")
    with pytest.raises(SimulationError, match="trials"):
        simulate(world, "national", trials=0, prepared=_prepared("minimal"))
    with pytest.raises(PlanError, match="heuristic, exact, doctrine"):
        simulate(world, "national", trials=10, solver="best", prepared=_prepared("minimal"))


def test_kill_assessment_errors_never_help_and_are_validated() -> None:
    world = _world("minimal")
    prep = _prepared("minimal")
    perfect = simulate(world, "national", trials=2000, seed=8, prepared=prep)
    sloppy = simulate(world, "national", trials=2000, seed=8, prepared=prep, miss_as_kill=0.5)
    d = sloppy.outcomes.leakers.astype(float) - perfect.outcomes.leakers
    assert d.mean() > 0.0  # missed kills taken as kills leak more on the same random numbers
    with pytest.raises(SimulationError, match="kill_as_miss"):
        simulate(world, "national", trials=10, prepared=prep, kill_as_miss=1.5)
