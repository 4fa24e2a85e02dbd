"""End-to-end ``simulate`` on the shipped examples (small trial counts)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
import pytest

from shieldwall.battle import FireControl, build_trial_inputs
from shieldwall.outcome import Outcomes, block_draws
from shieldwall.pipeline import Prepared, SimulationError, prepare, simulate, simulate_policies
from shieldwall.scenario import World, compile_world, load_scenario
from shieldwall.scenario.doctrine import DoctrineError
from shieldwall.tracking import picture
from tests.outcome.stepping import step_all

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
    assert np.all(out.expended.sum(axis=1) == out.rounds_at.sum(axis=1))
    assert np.all(out.expended <= world.batteries.inventory[None, :])
    # burden accounting: every round is counted once, against the true target's nation
    np.testing.assert_array_equal(out.rounds_defending.sum(axis=2), out.expended)
    assert res.fight.n_rows > 0  # the battery can engage the raid on its capital
    assert m.expected_value_lost == pytest.approx(out.value_lost.mean())
    # the engagement log covers the first trials, and its rounds add up
    ev = out.events
    assert ev.n_events > 0
    assert ev.trial.max() < 20
    first = ev.trial < 20
    np.testing.assert_array_equal(
        np.bincount(ev.trial[first], weights=ev.rounds[first], minlength=20), out.rounds[:20]
    )


def test_same_seed_same_results_different_seed_different_draws() -> None:
    world = _world("minimal")
    prep = _prepared("minimal")
    a = simulate(world, "national", trials=300, seed=5, prepared=prep)
    b = simulate(world, "national", trials=300, seed=5, prepared=prep)
    c = simulate(world, "national", trials=300, seed=6, prepared=prep)
    np.testing.assert_array_equal(a.outcomes.killed, b.outcomes.killed)
    np.testing.assert_array_equal(a.outcomes.expended, b.outcomes.expended)
    assert not np.array_equal(a.outcomes.rounds_at, c.outcomes.rounds_at) or not np.array_equal(
        a.outcomes.killed, c.outcomes.killed
    )


def test_engine_equals_the_stepping_reading_on_a_real_fight() -> None:
    # The pipeline's own inputs (rows from trajectories, the picture, the plan) on a subsample.
    world = _world("minimal")
    prep = _prepared("minimal")
    res = simulate(world, "integrated", trials=40, seed=11, prepared=prep)
    pol = world.policies["integrated"]
    pic = picture(world, prep.trajectories, pol, base=prep.sensing)
    d = block_draws(
        11, 0, n_trials=40, n_threats=res.fight.n_threats, n_nations=res.fight.n_nations,
        type_names=world.interceptors.name, n_shots=res.doctrine.max_rounds_per_threat,
    )  # fmt: skip
    fc = FireControl(res.fight, pic).times(d.fcq_u)
    ref = step_all(res.fight, build_trial_inputs(res.fight, d, fc), d, 40)
    np.testing.assert_array_equal(res.outcomes.rounds_at, ref["rounds_at"])
    np.testing.assert_array_equal(res.outcomes.killed, ref["killed"])


def test_unknown_policy_lists_the_valid_ones() -> None:
    world = _world("minimal")
    with pytest.raises(SimulationError, match="valid policies: national"):
        simulate(world, "together", trials=10, prepared=_prepared("minimal"))


def test_bad_trials_and_solver_are_user_errors() -> None:
    world = _world("minimal")
    with pytest.raises(SimulationError, match="trials"):
        simulate(world, "national", trials=0, prepared=_prepared("minimal"))
    with pytest.raises(DoctrineError, match="heuristic, exact, doctrine"):
        simulate(world, "national", trials=10, solver="best", prepared=_prepared("minimal"))


def test_kill_assessment_errors_never_help_and_are_validated() -> None:
    world = _world("minimal")
    prep = _prepared("minimal")
    perfect = simulate(world, "national", trials=2000, seed=8, prepared=prep)
    sloppy_doctrine = world.doctrine.with_overrides(miss_as_kill=0.5)
    sloppy = simulate(
        world, "national", trials=2000, seed=8, prepared=prep, doctrine=sloppy_doctrine
    )
    d = sloppy.outcomes.leakers.astype(float) - perfect.outcomes.leakers
    assert d.mean() > 0.0  # missed kills taken as kills leak more on the same random numbers
    with pytest.raises(DoctrineError, match="kill_as_miss"):
        world.doctrine.with_overrides(kill_as_miss=1.5)


def test_results_say_what_planned_them() -> None:
    world = _world("minimal")
    res = simulate(
        world, "national", trials=50, seed=2, solver="doctrine", prepared=_prepared("minimal")
    )
    assert (res.solver, res.objective) == ("doctrine", "asset_value")
    assert res.doctrine.mode == "salvo"  # the national baseline fires salvos with spare rounds
    assert not res.fight.planned_rounds.any()
    assert "expected_leakers" in repr(res)
    assert len(repr(res)) < 200


def test_blocks_fought_apart_concatenate_to_the_whole_run() -> None:
    world = _world("minimal")
    prep = _prepared("minimal")
    whole = simulate_policies(world, ["national", "integrated"], trials=2500, seed=9, prepared=prep)
    parts = [
        simulate_policies(
            world, ["national", "integrated"], trials=2500, seed=9, prepared=prep, blocks=span
        )
        for span in (range(0, 1), range(1, 3))
    ]
    assert [p["national"].trials for p in parts] == [1000, 1500]
    for name in ("national", "integrated"):
        joined = Outcomes.concatenate([p[name].outcomes for p in parts])
        for column in ("flew", "killed", "leaked", "rounds_at", "expended", "asset_hit"):
            np.testing.assert_array_equal(
                getattr(joined, column), getattr(whole[name].outcomes, column)
            )


@pytest.mark.parametrize("blocks", [range(0, 4), range(2, 2), range(0, 2, 2), [0]])
def test_blocks_outside_the_run_are_refused(blocks: object) -> None:
    with pytest.raises(SimulationError, match="blocks"):
        simulate_policies(
            _world("minimal"), ["national"], trials=2500, prepared=_prepared("minimal"),
            blocks=blocks,  # type: ignore[arg-type]
        )  # fmt: skip


def _sampled(samples: int, jitter_s: float = 0.0) -> World:
    scenario = load_scenario(EXAMPLES / "minimal.yaml")
    settings = scenario.settings.model_copy(
        update={"raid_samples": samples, "launch_jitter_s": jitter_s}
    )
    return compile_world(scenario.model_copy(update={"settings": settings}))


def test_raid_samples_draw_new_launch_points_and_keep_the_first() -> None:
    one, three = _world("minimal"), _sampled(3, jitter_s=20.0)
    assert three.n_geometries == 3
    assert one.n_geometries == 1
    np.testing.assert_array_equal(three.raid.launch_lat_rad, one.raid.launch_lat_rad)
    shift = three.raid_samples[2].launch_t_s - one.raid.launch_t_s
    assert np.all(np.abs(shift) <= 20.0)
    assert np.any(shift != 0.0)
    again = _sampled(3, jitter_s=20.0)
    np.testing.assert_array_equal(
        again.raid_samples[2].launch_t_s, three.raid_samples[2].launch_t_s
    )


def test_block_k_fights_raid_sample_k_mod_g() -> None:
    world = _sampled(2, jitter_s=20.0)
    run = simulate_policies(world, ["national"], trials=3000, seed=2)["national"].outcomes
    for k in range(3):
        alone = simulate_policies(
            world.geometry(k % 2), ["national"], trials=3000, seed=2, blocks=range(k, k + 1)
        )["national"].outcomes
        sl = slice(1000 * k, 1000 * (k + 1))
        np.testing.assert_array_equal(run.killed[sl], alone.killed)
        np.testing.assert_array_equal(run.leaked[sl], alone.leaked)
