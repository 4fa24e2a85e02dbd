"""The battle manager against closed forms (docs/battle.md §8, tests/reference/shared/README.md).

Every fight here is built by hand (tests/outcome/fights.py) and fought by each implementation in
:data:`tests.outcome.fights.FIGHTERS` (the per-trial reference, and the vectorized engine once it
exists). Each Monte Carlo estimate must hold the closed-form value inside its 99.9% interval
(Wilson for proportions, normal for means), at a fixed seed: a pass is reproducible and the wide
level keeps a correct implementation from failing by chance when a seed changes. Where the model
makes a per-trial outcome deterministic given the draws, the test asserts it trial by trial.

Each docstring derives its value. Notation: p single-round kill probability (interceptor
reliability × pk), r missile reliability, F number of threats that fly.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from shieldwall.metrics.intervals import mean_interval, wilson_interval
from shieldwall.scenario.doctrine import Doctrine, KillAssessment
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

#: Two-sided 99.9% standard normal quantile of the acceptance intervals.
Z999 = 3.2905

SALVO = Doctrine(mode="salvo")
#: Trials per case: the 99.9% half-width of a proportion near 0.1 is then about 0.01.
N = 10_000


@pytest.fixture(params=list(FIGHTERS), ids=list(FIGHTERS))
def fight_fn(request: pytest.FixtureRequest) -> FightFn:
    return FIGHTERS[request.param]


def _proportion_holds(hits: np.ndarray, expected: float) -> tuple[float, float]:
    lo, hi = wilson_interval(int(np.sum(hits)), int(np.size(hits)), z=Z999)
    assert lo <= expected <= hi, (float(np.mean(hits)), expected, (float(lo), float(hi)))
    return float(lo), float(hi)


def _mean_holds(samples: np.ndarray, expected: float) -> tuple[float, float]:
    mean, lo, hi = mean_interval(np.asarray(samples, dtype=np.float64), z=Z999)
    assert lo <= expected <= hi, (float(mean), expected, (float(lo), float(hi)))
    return float(lo), float(hi)


# --- the three arithmetic cases of issue #9 --------------------------------------------------


def test_failed_missiles_free_their_rounds(fight_fn: FightFn) -> None:
    """8 threats of reliability 0.8, one battery with 5 rounds, the doctrine (salvo 2), pk 0.6.

    Every failure happens in powered flight (0–60 s), before the first launch (100 s), so the
    battery sees which missiles broke up and fires at the flyers in launch order: 2-2-1 rounds
    to the first three (fewer if fewer fly). With F ~ Binomial(8, 0.8), a salvo of 2 kills with
    probability 1 − 0.4² = 0.84 and the single round with 0.6:

        E[kills] = 0.84 P(F ≥ 1) + 0.84 P(F ≥ 2) + 0.6 P(F ≥ 3)
        E[leakers] = E[F] − E[kills] = 6.4 − E[kills] = 4.1208
        rounds = min(5, 2F) in every trial (E = 4.9986).

    The old model (plan made as if every missile flew, rounds kept for failed missiles) gave 4.57.
    """
    fight = make_fight(
        Raid(8, reliability=0.8),
        [Kind(pk=0.6)],
        [Unit(inventory=5)],
        [Lane.regular(0, i, first_launch_s=100.0 + 10.0 * i) for i in range(8)],
        SALVO,
        plan_solver="doctrine",
    )
    out = run_trials(fight_fn, fight, seed=901, n_trials=N)

    def p_at_least(k: int) -> float:
        return sum(math.comb(8, m) * 0.8**m * 0.2 ** (8 - m) for m in range(k, 9))

    expected = 6.4 - 0.84 * (p_at_least(1) + p_at_least(2)) - 0.6 * p_at_least(3)
    assert expected == pytest.approx(4.1208, abs=5e-5)
    flyers = out.flew.sum(axis=1)
    np.testing.assert_array_equal(out.rounds, np.minimum(5, 2 * flyers))
    assert not out.rounds_at[~out.flew].any()  # a failed missile draws no round
    # the rounds go to the first flyers in launch order: 2, 2, 1
    order = np.argsort(~out.flew, axis=1, kind="stable")
    first3 = np.take_along_axis(out.rounds_at, order, axis=1)[flyers >= 3, :3]
    np.testing.assert_array_equal(first3, np.broadcast_to([2, 2, 1], first3.shape))
    lo, hi = _mean_holds(out.leakers, expected)
    assert not lo <= 4.57 <= hi


def test_one_fire_channel_is_busy_while_the_second_threat_passes(fight_fn: FightFn) -> None:
    """One channel, two waves of two threats 300 s apart, the doctrine (salvo 2), pk 0.7.

    In each wave both threats can be engaged from 100 s to 120 s (launches every 10 s, 60 s of
    flyout); the first salvo holds the only channel until its intercept at 160 s, after the
    second threat's last launch. The first threat of each wave has no second opportunity (it
    would need a launch at 165 s or later). So exactly one salvo per wave, 4 rounds in every
    trial, and

        E[leakers] = 2 (the unengaged threats) + 2 · 0.3² = 2.18.

    With two channels both threats of a wave get a salvo: 8 rounds, 4 · 0.09 = 0.36 leakers
    (what the old whole-raid channel budget gave, 0.37, for one channel).
    """
    lanes = [Lane.regular(0, i, first_launch_s=100.0 + 300.0 * (i // 2), n=3) for i in range(4)]
    one = make_fight(Raid(4), [Kind(pk=0.7)], [Unit(inventory=16, channels=1)], lanes, SALVO)
    out = run_trials(fight_fn, one, seed=902, n_trials=N)
    np.testing.assert_array_equal(out.rounds_at, np.broadcast_to([2, 0, 2, 0], out.rounds_at.shape))
    assert out.leaked[:, [1, 3]].all()
    _proportion_holds(out.leaked[:, [0, 2]], 0.09)
    _mean_holds(out.leakers, 2.18)

    two = make_fight(Raid(4), [Kind(pk=0.7)], [Unit(inventory=16, channels=2)], lanes, SALVO)
    out2 = run_trials(fight_fn, two, seed=902, n_trials=N)
    assert (out2.rounds == 8).all()
    _mean_holds(out2.leakers, 0.36)


def test_kill_taken_for_a_miss_is_drawn_from_the_true_state(fight_fn: FightFn) -> None:
    """Shoot-look-shoot with 3 opportunities, pk 0.5, a kill taken for a miss with w = 0.5.

    The report after an engagement is drawn from whether the threat is dead *so far*: dead →
    reported alive w.p. w; alive → reported alive (no miss taken for a kill). Round 2 fires iff
    report 1 says alive: 0.5 (missed) + 0.5 · 0.5 (killed, misreported) = 0.75. Round 3 fires iff
    reports 1 and 2 say alive: missed twice 0.25, plus missed-then-killed 0.25 · w, plus
    killed-first-and-misreported 0.25 · w = 0.5. So

        E[rounds] = 1 + 0.75 + 0.5 = 2.25,   P(leak) = 0.5³ = 0.125.

    Drawing report 2 from round 2's own kill draw instead (the old rule) gives 0.5625 for round
    3 and 2.3125 rounds; the interval must exclude it.
    """
    fight = make_fight(
        Raid(1),
        [Kind(pk=0.5, kill_assessment_s=5.0)],
        [Unit()],
        [Lane.regular(0, 0, first_launch_s=100.0, n=3, step_s=100.0, flight_s=20.0, planned=3)],
        Doctrine(
            mode="sls", max_rounds_per_pair=3, kill_assessment=KillAssessment(kill_as_miss=0.5)
        ),
    )
    out = run_trials(fight_fn, fight, seed=903, n_trials=2 * N)
    lo, hi = _mean_holds(out.rounds, 2.25)
    assert not lo <= 2.3125 <= hi
    _proportion_holds(out.leaked[:, 0], 0.125)


# --- the classic layered-defense closed forms ------------------------------------------------


@pytest.mark.parametrize(
    ("p", "n", "rel", "leak"), [(0.8, 2, 1.0, 0.04), (0.8, 2, 0.9, 0.0784), (0.5, 3, 1.0, 0.125)]
)
def test_salvo_leaks_one_minus_rp_to_the_n(
    fight_fn: FightFn, p: float, n: int, rel: float, leak: float
) -> None:
    """A salvo of n rounds, each killing independently w.p. rel · p: leak (1 − rel·p)ⁿ; the
    salvo fires all n rounds at once (one engagement at the one admissible launch)."""
    fight = make_fight(
        Raid(1),
        [Kind(pk=p, reliability=rel)],
        [Unit()],
        [Lane.regular(0, 0, first_launch_s=100.0)],
        Doctrine(mode="salvo", salvo_size=n, max_rounds_per_pair=n),
    )
    out = run_trials(fight_fn, fight, seed=904, n_trials=N)
    assert leak == pytest.approx((1 - rel * p) ** n)
    assert (out.rounds == n).all()
    _proportion_holds(out.leaked[:, 0], leak)


@pytest.mark.parametrize(("p", "k"), [(0.6, 3), (0.8, 2), (0.3, 4)])
def test_shoot_look_shoot_leak_and_mean_rounds(fight_fn: FightFn, p: float, k: int) -> None:
    """k opportunities 100 s apart, one planned round each, perfect assessment: round j + 1
    fires iff the first j missed, so P(leak) = (1 − p)ᵏ and E[rounds] = Σ_{j<k} (1 − p)ʲ =
    (1 − (1 − p)ᵏ)/p."""
    fight = make_fight(
        Raid(1),
        [Kind(pk=p)],
        [Unit()],
        [Lane.regular(0, 0, first_launch_s=100.0, n=k, step_s=100.0, flight_s=20.0, planned=k)],
        Doctrine(mode="sls", max_rounds_per_pair=k),
    )
    out = run_trials(fight_fn, fight, seed=905, n_trials=N)
    _proportion_holds(out.leaked[:, 0], (1 - p) ** k)
    _mean_holds(out.rounds, (1 - (1 - p) ** k) / p)
    killed_early = out.killed[:, 0] & (out.rounds < k)
    assert out.killed[killed_early, 0].all()  # no round after a known kill


def test_two_independent_layers_multiply(fight_fn: FightFn) -> None:
    """An upper-tier battery (salvo 2 at 100 s, assessed at 165 s) then a lower-tier one (salvo 2
    at 200 s), p = 0.7 each: the lower layer fires only at a threat reported alive, so
    P(leak) = 0.3² · 0.3² = 0.0081 and E[rounds] = 2 + 2 · 0.09 = 2.18."""
    fight = make_fight(
        Raid(1),
        [Kind(pk=0.7, upper=True), Kind(pk=0.7)],
        [Unit(kind=0), Unit(kind=1)],
        [Lane.regular(0, 0, first_launch_s=100.0), Lane.regular(1, 0, first_launch_s=200.0)],
        SALVO,
    )
    out = run_trials(fight_fn, fight, seed=906, n_trials=2 * N)
    _proportion_holds(out.leaked[:, 0], 0.0081)
    _mean_holds(out.rounds, 2.18)
    assert set(np.unique(out.expended[:, 1]).tolist()) <= {0, 2}
    _proportion_holds(out.expended[:, 1] > 0, 0.09)


def test_zero_leakage_against_ten_independent_threats(fight_fn: FightFn) -> None:
    """Ten threats, each met by its own salvo of 2 at p = 0.8 (leak 0.04 each, independent):
    P(no leaker) = 0.96¹⁰ = 0.6648."""
    fight = make_fight(
        Raid(10),
        [Kind(pk=0.8)],
        [Unit(inventory=20, channels=10)],
        [Lane.regular(0, i, first_launch_s=100.0 + i) for i in range(10)],
        SALVO,
        land=Land(value=(1.0,) * 10),
    )
    out = run_trials(fight_fn, fight, seed=907, n_trials=N)
    _proportion_holds(out.leakers == 0, 0.96**10)
    assert not out.asset_hit[out.leakers == 0].any()


def test_common_mode_failure_correlates_the_misses_of_one_type(fight_fn: FightFn) -> None:
    """Two layers of different types, each a salvo of 2 at p = 0.8 with a common-mode failure
    q = 0.1 (every round of that type misses that threat in that trial): one layer leaks
    q + (1 − q)(1 − p)² = 0.136, the two types independently, so P(leak) = 0.136² = 0.018496
    (0.0016 without common mode)."""
    fight = make_fight(
        Raid(1),
        [Kind(pk=0.8, common_mode=0.1, upper=True), Kind(pk=0.8, common_mode=0.1)],
        [Unit(kind=0), Unit(kind=1)],
        [Lane.regular(0, 0, first_launch_s=100.0), Lane.regular(1, 0, first_launch_s=200.0)],
        SALVO,
    )
    out = run_trials(fight_fn, fight, seed=908, n_trials=2 * N)
    _proportion_holds(out.leaked[:, 0], 0.136**2)
    _proportion_holds(out.expended[:, 1] > 0, 0.136)


@pytest.mark.parametrize(("p", "q", "w"), [(0.6, 0.3, 0.0), (0.7, 0.0, 0.4), (0.6, 0.2, 0.3)])
def test_kill_assessment_errors_with_two_opportunities(
    fight_fn: FightFn, p: float, q: float, w: float
) -> None:
    """SLS with 2 opportunities, a miss taken for a kill w.p. q and a kill for a miss w.p. w.
    The second round fires iff the first report says alive: (1 − p)(1 − q) + p·w, so E[rounds] =
    1 + (1 − p)(1 − q) + p·w; the threat leaks iff the first round missed and then either the
    miss was taken for a kill or the second round missed too: (1 − p)(q + (1 − q)(1 − p))."""
    fight = make_fight(
        Raid(1),
        [Kind(pk=p)],
        [Unit()],
        [Lane.regular(0, 0, first_launch_s=100.0, n=2, step_s=100.0, flight_s=20.0, planned=2)],
        Doctrine(mode="sls", kill_assessment=KillAssessment(miss_as_kill=q, kill_as_miss=w)),
    )
    out = run_trials(fight_fn, fight, seed=909, n_trials=N)
    _mean_holds(out.rounds, 1 + (1 - p) * (1 - q) + p * w)
    _proportion_holds(out.leaked[:, 0], (1 - p) * (q + (1 - q) * (1 - p)))


def test_failures_in_free_flight_are_engaged_until_they_break_up(fight_fn: FightFn) -> None:
    """Reliability 0.5, every failure in free flight (fraction 1): failure times uniform over
    [burnout 60 s, impact 1060 s]. The one admissible launch is at 560 s, so the threat is
    engaged iff it flies or fails after 560 s: P = 0.5 + 0.5 · 0.5 = 0.75, 2 rounds each time.
    A threat that fails between launch and intercept (620 s) takes the rounds but is not killed;
    one that flies leaks w.p. 0.3² = 0.09."""
    fight = make_fight(
        Raid(1, reliability=0.5, impact_s=1060.0, free_flight_failure_fraction=1.0),
        [Kind(pk=0.7)],
        [Unit()],
        [Lane.regular(0, 0, first_launch_s=560.0)],
        SALVO,
    )
    out = run_trials(fight_fn, fight, seed=910, n_trials=N)
    engaged = out.rounds_at[:, 0] > 0
    assert set(np.unique(out.rounds_at).tolist()) <= {0, 2}
    _proportion_holds(engaged, 0.75)
    trials = make_trials(fight, draws_for(fight, 910, 0, 1000))  # block 0's trials
    m = trials.n_trials
    fail = trials.fail_t_s[:, 0]
    np.testing.assert_array_equal(engaged[:m], trials.flies[:, 0] | (fail > 560.0))
    assert not out.killed[:m][fail <= 620.0].any()  # broken up before the intercept
    _proportion_holds(out.leaked[out.flew[:, 0], 0], 0.09)
