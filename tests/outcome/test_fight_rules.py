"""Each rule of the fight (docs/battle.md §4) on a hand-built case where its effect is certain.

Deterministic given the draws, so the assertions hold trial by trial; every case runs on each
implementation of :data:`tests.outcome.fights.FIGHTERS`.
"""

from __future__ import annotations

import numpy as np
import pytest

from shieldwall.scenario.doctrine import Doctrine
from tests.outcome.fights import (
    FIGHTERS,
    FightFn,
    Kind,
    Land,
    Lane,
    Raid,
    Unit,
    draws_for,
    make_fight,
    make_trials,
    run_trials,
)

SALVO = Doctrine(mode="salvo")
N = 1000


@pytest.fixture(params=list(FIGHTERS), ids=list(FIGHTERS))
def fight_fn(request: pytest.FixtureRequest) -> FightFn:
    return FIGHTERS[request.param]


def test_rounds_planned_for_a_failed_threat_are_spare_for_another(fight_fn: FightFn) -> None:
    # Two rounds, planned for threat 0 (launch at 200 s); threat 1 (launch at 100 s) is not in the
    # plan. At 100 s the battery's spare rounds are 2 - 2 = 0 while threat 0 is live, 2 once it
    # broke up (every failure is in boost, before 60 s): threat 1 is engaged iff threat 0 failed.
    fight = make_fight(
        Raid(2, reliability=0.7),
        [Kind(pk=0.5)],
        [Unit(inventory=2)],
        [
            Lane.regular(0, 0, first_launch_s=200.0, planned=2),
            Lane.regular(0, 1, first_launch_s=100.0),
        ],
        SALVO,
        land=Land(value=(1.0, 1.0)),
    )
    out = run_trials(fight_fn, fight, seed=11, n_trials=N)
    f0, f1 = out.flew[:, 0], out.flew[:, 1]
    np.testing.assert_array_equal(out.rounds_at[:, 1], 2 * (~f0 & f1))
    np.testing.assert_array_equal(out.rounds_at[:, 0], 2 * f0)
    assert (~f0 & f1).any()
    assert f0.any()


def test_reserve_rounds_are_withheld_from_spare_engagements_only(fight_fn: FightFn) -> None:
    # Four rounds, reserve 2, three threats in launch order 0, 1, 2. With no plan the doctrine
    # salvo goes to threat 0 only (then 4 - 2 - 2 = 0 spare). With 2 rounds planned on threat 2,
    # the spare at threats 0 and 1 is 4 - 2 - 2 = 0 and the plan fires on threat 2.
    lanes = [Lane.regular(0, i, first_launch_s=100.0 + 10.0 * i) for i in range(3)]
    doc = Doctrine(mode="salvo", reserve_rounds=2)
    land = Land(value=(1.0, 1.0, 1.0))
    kinds, units = [Kind(pk=0.5)], [Unit(inventory=4)]
    out = run_trials(
        fight_fn, make_fight(Raid(3), kinds, units, lanes, doc, land), seed=12, n_trials=N
    )
    np.testing.assert_array_equal(out.rounds_at, np.broadcast_to([2, 0, 0], out.rounds_at.shape))
    planned = [*lanes[:2], Lane.regular(0, 2, first_launch_s=120.0, planned=2)]
    out = run_trials(
        fight_fn, make_fight(Raid(3), kinds, units, planned, doc, land), seed=12, n_trials=N
    )
    np.testing.assert_array_equal(out.rounds_at, np.broadcast_to([0, 0, 2], out.rounds_at.shape))


@pytest.mark.parametrize("upper_first", [False, True])
def test_upper_tier_first(fight_fn: FightFn, upper_first: bool) -> None:
    # A lower-tier battery (launches at 100 s and 300 s) and an upper-tier one (150 s,
    # assessed at 215 s). Upper tier first: the lower battery holds fire at 100 s, the upper
    # fires at 150 s, the lower at 300 s only if the threat is reported alive. Otherwise the
    # lower battery fires first.
    fight = make_fight(
        Raid(1),
        [Kind(pk=0.6), Kind(pk=0.6, upper=True)],
        [Unit(kind=0), Unit(kind=1)],
        [
            Lane(0, 0, [100.0, 300.0], [160.0, 360.0]),
            Lane.regular(1, 0, first_launch_s=150.0),
        ],
        Doctrine(mode="salvo", upper_tier_first=upper_first),
    )
    out = run_trials(fight_fn, fight, seed=13, n_trials=N)
    first = out.events.battery_idx[np.r_[True, np.diff(out.events.trial) != 0]]
    if upper_first:
        assert (out.expended[:, 1] == 2).all()
        assert (first == 1).all()
        assert set(np.unique(out.expended[:, 0]).tolist()) == {0, 2}
    else:
        assert (out.expended[:, 0] >= 2).all()
        assert (first == 0).all()


@pytest.mark.parametrize(("hold", "engaged"), [("intercept", True), ("assessment", False)])
def test_fire_channel_hold(fight_fn: FightFn, hold: str, engaged: bool) -> None:
    # One channel. Threat 0: launch 100 s, intercept 160 s, assessment 165 s. Threat 1 can only be
    # engaged at 162 s: the channel is free then when held to the intercept, not to the assessment.
    fight = make_fight(
        Raid(2),
        [Kind(pk=0.5)],
        [Unit(channels=1)],
        [Lane.regular(0, 0, first_launch_s=100.0), Lane.regular(0, 1, first_launch_s=162.0)],
        Doctrine(mode="salvo", channel_hold=hold),
        land=Land(value=(1.0, 1.0)),
    )
    out = run_trials(fight_fn, fight, seed=14, n_trials=N)
    assert (out.rounds_at[:, 0] == 2).all()
    assert (out.rounds_at[:, 1] == (2 if engaged else 0)).all()


def test_late_fire_control_leaves_one_opportunity_and_the_plan_fires_as_a_salvo(
    fight_fn: FightFn,
) -> None:
    # Samples at launch 100 s and 200 s (intercepts 160 s, 260 s), 2 planned rounds, SLS. A trial
    # whose fire-control time is 0 has two opportunities: 1 round, then 1 more if reported alive.
    # A trial whose fire control comes at 150 s has only the launch at 200 s, its last
    # opportunity: both planned rounds fire there as a salvo.
    fight = make_fight(
        Raid(1),
        [Kind(pk=0.6)],
        [Unit()],
        [Lane(0, 0, [100.0, 200.0], [160.0, 260.0], planned=2)],
        Doctrine(mode="sls"),
    )
    late = np.arange(N) % 2 == 1
    fc = np.where(late, 150.0, 0.0)[:, None, None]
    out = run_trials(
        fight_fn,
        fight,
        seed=15,
        n_trials=N,
        trials_fn=lambda f, d: make_trials(f, d, fire_control_t_s=fc[: d.n_trials]),
    )
    assert (out.rounds_at[late, 0] == 2).all()
    ev = out.events
    late_ev = late[ev.trial]
    assert (ev.launch_t_s[late_ev] == 200.0).all()
    assert (ev.rounds[late_ev] == 2).all()
    assert (ev.rounds[~late_ev] == 1).all()
    assert set(np.unique(out.rounds_at[~late, 0]).tolist()) == {1, 2}


def test_authority_comes_from_the_believed_target_and_damage_from_the_truth(
    fight_fn: FightFn,
) -> None:
    # Two nations; asset 0 (nation 0, value 3) and asset 1 (nation 1, value 1). The battery is
    # nation 0's and defends only nation 0. The threat truly falls on asset 0; in a third of the
    # trials nation 0 believes it falls on asset 1, in a third on nothing: then the battery holds
    # fire and the threat leaks onto asset 0, losing value 3.
    fight = make_fight(
        Raid(1, target_asset=[0]),
        [Kind(pk=0.9)],
        [Unit(nation=0)],
        [Lane.regular(0, 0, first_launch_s=100.0)],
        SALVO,
        land=Land(value=(3.0, 1.0), nation=(0, 1), n_nations=2, defends=((1, 0), (0, 1))),
    )
    belief = np.array([0, 1, -1])[np.arange(N) % 3]
    believed = np.stack([belief, belief], axis=1)[:, :, None]
    out = run_trials(
        fight_fn,
        fight,
        seed=16,
        n_trials=N,
        trials_fn=lambda f, d: make_trials(f, d, believed_asset_idx=believed[: d.n_trials]),
    )
    right = belief == 0
    assert (out.rounds_at[right, 0] == 2).all()
    assert (out.rounds_at[~right, 0] == 0).all()
    assert out.leaked[~right, 0].all()
    assert out.asset_hit[~right, 0].all()
    np.testing.assert_array_equal(out.value_lost, 3.0 * out.leaked[:, 0])
    np.testing.assert_array_equal(out.rounds_defending[:, 0, 0], out.rounds_at[:, 0])


def test_shot_caps(fight_fn: FightFn) -> None:
    # Four SLS opportunities and 4 planned rounds, pk 0: at most max_rounds_per_pair = 3 rounds
    # from the battery; with a second battery, at most max_rounds_per_threat = 4 at the threat.
    lanes = [Lane.regular(0, 0, first_launch_s=100.0, n=4, step_s=100.0, flight_s=20.0, planned=4)]
    doc = Doctrine(mode="sls", max_rounds_per_pair=3, max_rounds_per_threat=4)
    out = run_trials(
        fight_fn, make_fight(Raid(1), [Kind(pk=0.0)], [Unit()], lanes, doc), seed=17, n_trials=N
    )
    assert (out.rounds_at[:, 0] == 3).all()
    lanes2 = [
        *lanes,
        Lane.regular(1, 0, first_launch_s=150.0, n=4, step_s=100.0, flight_s=20.0, planned=4),
    ]
    out = run_trials(
        fight_fn,
        make_fight(Raid(1), [Kind(pk=0.0)], [Unit(), Unit()], lanes2, doc),
        seed=17,
        n_trials=N,
    )
    assert (out.rounds_at[:, 0] == 4).all()


@pytest.mark.parametrize("second_look", [False, True])
def test_shoot_when_you_can_no_longer_look(fight_fn: FightFn, second_look: bool) -> None:
    # Battery 0 fires a salvo at 100 s (assessed at 165 s). Battery 1's launch at 120 s comes while
    # that salvo is unassessed: it fires there only if it has no launch at or after 165 s (its last
    # chance); with a second launch at 200 s it looks first and fires only at a threat reported
    # alive.
    launch = [120.0, 200.0] if second_look else [120.0]
    fight = make_fight(
        Raid(1),
        [Kind(pk=0.7)],
        [Unit(), Unit()],
        [Lane.regular(0, 0, first_launch_s=100.0), Lane(1, 0, launch, [t + 60.0 for t in launch])],
        SALVO,
    )
    out = run_trials(fight_fn, fight, seed=18, n_trials=N)
    b1 = out.events.battery_idx == 1
    if second_look:
        assert (out.events.launch_t_s[b1] == 200.0).all()
        d = draws_for(fight, 18, 0, N)
        first_kills = (d.kill_u[0, :2, :] < 0.7).any(axis=0)
        np.testing.assert_array_equal(out.expended[:, 1], 2 * ~first_kills)
    else:
        assert (out.expended[:, 1] == 2).all()
        assert (out.events.launch_t_s[b1] == 120.0).all()


def test_equal_launch_times_go_to_the_higher_believed_value(fight_fn: FightFn) -> None:
    # One round, two threats with launches at the same 100 s: the one aimed at the more valuable
    # asset (threat 1, value 5) takes it; with equal values the lower threat index does.
    lanes = [Lane.regular(0, 0, first_launch_s=100.0), Lane.regular(0, 1, first_launch_s=100.0)]
    for values, winner in (((1.0, 5.0), 1), ((2.0, 2.0), 0)):
        fight = make_fight(
            Raid(2), [Kind(pk=0.5)], [Unit(inventory=1)], lanes, SALVO, land=Land(value=values)
        )
        out = run_trials(fight_fn, fight, seed=19, n_trials=N)
        assert (out.rounds_at[:, winner] == 1).all()
        assert (out.rounds_at[:, 1 - winner] == 0).all()
