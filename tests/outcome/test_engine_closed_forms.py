"""The vectorized engine against closed forms (issue #9's arithmetic cases and the classics of
tests/reference/shared/README.md), on hand-made fights.

Every Monte Carlo assertion checks that the closed-form value lies inside the 99.9% interval
(Wilson for rates, normal for means) of a fixed-seed estimate: a correct engine fails by chance
once in a thousand seeds, a wrong rule shows up as a miss of many standard errors.
"""

from __future__ import annotations

from math import comb

import numpy as np
import pytest

from shieldwall.outcome.engine import fight
from shieldwall.scenario.doctrine import Doctrine, KillAssessment
from tests.outcome.handmade import (
    Z999,
    Battery,
    Case,
    Kind,
    Row,
    Threat,
    mean_contains,
    rate_contains,
)

N = 40_000
SALVO = Doctrine(mode="salvo", salvo_size=2)


def _single(battery: int, threat: int, launch_s: float, planned: int = 0) -> Row:
    """One opportunity: launch at ``launch_s``, intercept 20 s later."""
    return Row(battery, threat, ((launch_s + 20.0, launch_s),), planned)


def test_failed_missiles_free_their_rounds_issue_case_1() -> None:
    """8 threats of reliability 0.8 (failures in powered flight, before any engagement), one
    battery with 5 rounds, salvos of 2 with spare rounds (the doctrine baseline), pk 0.6.

    With F ~ Binomial(8, 0.8) flyers, rounds go 2-2-1 to the first three: E[leakers] =
    E[F] − E[min(F, 1)·0.84 + 1{F ≥ 2}·0.84 + 1{F ≥ 3}·0.6] = 4.1208 (0.84 = 1 − 0.4²), and
    E[rounds] = E[min(5, 2F)] ≈ 4.998. (The old plan-replay gave 4.57 leakers, 3.99 rounds.)
    """
    case = Case(
        threats=[Threat(reliability=0.8, burnout_s=60.0) for _ in range(8)],
        batteries=[Battery(inventory=5, channels=8)],
        rows=[_single(0, i, 100.0 + 30.0 * i) for i in range(8)],
        kinds=[Kind(pk=0.6)],
        doctrine=SALVO,
    )
    pf = [comb(8, f) * 0.8**f * 0.2 ** (8 - f) for f in range(9)]
    leak = sum(
        p * (f - (0.84 * min(f, 1) + 0.84 * (f >= 2) + 0.6 * (f >= 3))) for f, p in enumerate(pf)
    )
    rounds = sum(p * min(5, 2 * f) for f, p in enumerate(pf))
    assert leak == pytest.approx(4.1208, abs=1e-4)
    out = case.run(21, N)
    mean_contains(out.leakers, leak)
    mean_contains(out.rounds, rounds)
    assert np.all(out.rounds_at[~out.flew] == 0)  # failed missiles are never engaged


def test_fire_channels_in_time_issue_case_2() -> None:
    """One fire channel, two waves of two threats 300 s apart, salvos of 2, pk 0.7: the channel
    is busy (launch to intercept) while the wave's second threat passes, so each wave gets one
    salvo: E[leakers] = 4 − 2 (1 − 0.3²) = 2.18, exactly 4 rounds. (The whole-raid channel budget
    gave 0.37 leakers and 8 rounds.)"""
    rows = [_single(0, 0, 100.0), _single(0, 1, 101.0), _single(0, 2, 400.0), _single(0, 3, 401.0)]
    case = Case(
        threats=[Threat() for _ in range(4)],
        batteries=[Battery(inventory=8, channels=1)],
        rows=rows,
        kinds=[Kind(pk=0.7)],
        doctrine=SALVO,
    )
    out = case.run(22, N)
    mean_contains(out.leakers, 2.18)
    assert np.all(out.rounds == 4)
    assert np.all(out.rounds_at[:, [1, 3]] == 0)
    # Held until the assessment instead (10 s later), the same windows give the same answer; a
    # second threat arriving between intercept and assessment is engaged only under "intercept".
    late = [_single(0, 0, 100.0), _single(0, 1, 125.0)]
    for hold, expected in (("intercept", 2), ("assessment", 0)):
        c2 = Case(
            threats=[Threat(), Threat()],
            batteries=[Battery(inventory=8, channels=1)],
            rows=late,
            kinds=[Kind(pk=0.7)],
            doctrine=Doctrine(mode="salvo", salvo_size=2, channel_hold=hold),
        )
        assert np.all(c2.run(23, 500).rounds_at[:, 1] == expected)


@pytest.mark.parametrize("planned", [3, 0])
def test_kill_assessment_from_the_true_state_issue_case_3(planned: int) -> None:
    """A kill taken for a miss with w = 0.5, shoot-look-shoot with 3 opportunities, pk 0.5.

    Reports are drawn from the threat's true state after each engagement: round 2 follows
    unless a kill was reported (P = 0.5 + 0.5·0.5 = 0.75), round 3 when the state after round 2
    is reported alive (0.25·0.5 + 0.25·0.5 + 0.25 = 0.5): 1 + 0.75 + 0.5 = 2.25 rounds. Drawing
    each report from its own round's kill instead gives 2.3125, which must lie outside the
    interval. Leakage is (1 − p)³ = 0.125 either way. Planned rounds and spare rounds alike.
    """
    row = Row(0, 0, tuple((t + 20.0, t) for t in (100.0, 200.0, 300.0)), planned)
    case = Case(
        threats=[Threat()],
        batteries=[Battery(inventory=5)],
        rows=[row],
        kinds=[Kind(pk=0.5)],
        doctrine=Doctrine(
            mode="sls", max_rounds_per_pair=3, kill_assessment=KillAssessment(kill_as_miss=0.5)
        ),
    )
    out = case.run(24, N)
    mean_contains(out.rounds, 2.25)
    mean, sd = out.rounds.mean(), out.rounds.std(ddof=1)
    assert abs(2.3125 - mean) > Z999 * sd / np.sqrt(N)
    rate_contains(out.leaked[:, 0], 0.125)


@pytest.mark.parametrize(("p", "n", "r"), [(0.8, 2, 1.0), (0.8, 2, 0.9), (0.5, 3, 1.0)])
def test_salvo_leaks_one_minus_rp_to_the_n(p: float, n: int, r: float) -> None:
    case = Case(
        threats=[Threat()],
        batteries=[Battery(inventory=10)],
        rows=[_single(0, 0, 100.0)],
        kinds=[Kind(pk=p, reliability=r)],
        doctrine=Doctrine(mode="salvo", salvo_size=n, max_rounds_per_pair=n),
    )
    out = case.run(11, N)
    rate_contains(out.leaked[:, 0], (1 - r * p) ** n)
    assert np.all(out.rounds_at[:, 0] == n)


@pytest.mark.parametrize(("p", "k"), [(0.6, 3), (0.8, 2), (0.3, 4)])
def test_shoot_look_shoot_leak_and_mean_rounds(p: float, k: int) -> None:
    row = Row(0, 0, tuple((100.0 * j + 20.0, 100.0 * j) for j in range(1, k + 1)), planned=k)
    case = Case(
        threats=[Threat()],
        batteries=[Battery(inventory=10)],
        rows=[row],
        kinds=[Kind(pk=p)],
        doctrine=Doctrine(mode="sls", max_rounds_per_pair=k, max_rounds_per_threat=k),
    )
    out = case.run(12, N)
    rate_contains(out.leaked[:, 0], (1 - p) ** k)
    mean_contains(out.rounds_at[:, 0], (1 - (1 - p) ** k) / p)
    assert out.rounds_at.max() <= k


def test_planned_rounds_beyond_the_opportunities_fire_as_a_salvo_at_the_last() -> None:
    # 3 planned rounds, 2 opportunities: 1 round at the first, the remaining 2 at the last
    # (if the first missed): leak (1 - p)^3, rounds 1 + 2 (1 - p).
    p = 0.6
    row = Row(0, 0, ((120.0, 100.0), (220.0, 200.0)), planned=3)
    case = Case(
        threats=[Threat()],
        batteries=[Battery(inventory=10)],
        rows=[row],
        kinds=[Kind(pk=p)],
        doctrine=Doctrine(mode="sls", max_rounds_per_pair=3),
    )
    out = case.run(13, N)
    rate_contains(out.leaked[:, 0], (1 - p) ** 3)
    mean_contains(out.rounds, 1 + 2 * (1 - p))


def test_independent_layers_multiply() -> None:
    # Upper tier (battery 0) salvo at 100 s, assessed at 130 s; the lower tier (battery 1) looks
    # first and fires its salvo at 200 s only at a surviving threat: (0.3²)² = 0.0081.
    rows = [_single(0, 0, 100.0), _single(1, 0, 200.0)]
    case = Case(
        threats=[Threat()],
        batteries=[Battery(kind=0, inventory=4), Battery(kind=1, inventory=4)],
        rows=rows,
        kinds=[Kind(pk=0.7, upper=True), Kind(pk=0.7)],
        doctrine=SALVO,
    )
    out = case.run(14, 200_000)
    rate_contains(out.leaked[:, 0], 0.0081)
    assert np.all(out.rounds_at[out.rounds_at[:, 0] > 2, 0] == 4)


def test_zero_leakage_against_n_independent_threats() -> None:
    case = Case(
        threats=[Threat() for _ in range(10)],
        batteries=[Battery(inventory=20, channels=10)],
        rows=[_single(0, i, 100.0 + i) for i in range(10)],
        kinds=[Kind(pk=0.8)],
        doctrine=SALVO,
    )
    out = case.run(15, N)
    rate_contains(out.leakers == 0, 0.96**10)


def test_missile_reliability_scales_leakage() -> None:
    case = Case(
        threats=[Threat(reliability=0.75)],
        batteries=[Battery(inventory=2)],
        rows=[_single(0, 0, 100.0)],
        kinds=[Kind(pk=0.8)],
        doctrine=SALVO,
    )
    out = case.run(16, N)
    rate_contains(out.leaked[:, 0], 0.75 * 0.04)
    assert np.all(out.rounds_at[~out.flew[:, 0], 0] == 0)


@pytest.mark.parametrize("q", [0.2, 0.5])
def test_common_mode_failure_correlates_the_salvo(q: float) -> None:
    # Both rounds of one type miss together with probability q: leak q + (1 - q)(1 - p)^2.
    p = 0.8
    case = Case(
        threats=[Threat()],
        batteries=[Battery(inventory=2)],
        rows=[_single(0, 0, 100.0)],
        kinds=[Kind(pk=p, common_mode=q)],
        doctrine=SALVO,
    )
    out = case.run(17, N)
    rate_contains(out.leaked[:, 0], q + (1 - q) * (1 - p) ** 2)


def test_failures_in_free_flight_spend_the_rounds_already_fired() -> None:
    # Reliability 0.5, every failure in free flight (uniform on [burnout 60, impact 460]); one
    # salvo launched at 160 s fires at a failing threat iff it fails after 160 s, i.e. with
    # probability (460 - 160) / 400 = 0.75: E[rounds] = 2 (0.5 + 0.5 · 0.75) = 1.75.
    case = Case(
        threats=[
            Threat(
                reliability=0.5, burnout_s=60.0, impact_s=460.0, free_flight_failure_fraction=1.0
            )
        ],
        batteries=[Battery(inventory=2)],
        rows=[_single(0, 0, 160.0)],
        kinds=[Kind(pk=0.8)],
        doctrine=SALVO,
    )
    out = case.run(18, N)
    mean_contains(out.rounds, 1.75)
    rate_contains(out.leaked[:, 0], 0.5 * 0.04)
    assert not out.killed[~out.flew[:, 0] & (out.rounds_at[:, 0] == 0)].any()


@pytest.mark.parametrize(("p", "q"), [(0.6, 0.3), (0.7, 0.6)])
def test_a_miss_taken_for_a_kill_stops_the_engagement(p: float, q: float) -> None:
    # SLS with 2 opportunities: leak (1 - p)(q + (1 - q)(1 - p)), rounds 1 + (1 - p)(1 - q).
    row = Row(0, 0, ((120.0, 100.0), (220.0, 200.0)), planned=2)
    case = Case(
        threats=[Threat()],
        batteries=[Battery(inventory=5)],
        rows=[row],
        kinds=[Kind(pk=p)],
        doctrine=Doctrine(mode="sls", kill_assessment=KillAssessment(miss_as_kill=q)),
    )
    out = case.run(19, N)
    rate_contains(out.leaked[:, 0], (1 - p) * (q + (1 - q) * (1 - p)))
    mean_contains(out.rounds, 1 + (1 - p) * (1 - q))


def test_spare_rounds_only_once_the_plan_lets_them_go() -> None:
    # One round, planned for threat 1 (later); threat 0 comes first with no plan. The battery
    # fires at threat 0 only when threat 1 has failed (reliability 0.5, powered flight) —
    # otherwise the round stays committed — so threat 0 is engaged in half the trials.
    rows = [_single(0, 0, 100.0), _single(0, 1, 200.0, planned=1)]
    case = Case(
        threats=[Threat(), Threat(reliability=0.5, burnout_s=60.0)],
        batteries=[Battery(inventory=1)],
        rows=rows,
        kinds=[Kind(pk=0.5)],
        doctrine=Doctrine(mode="sls"),
    )
    out = case.run(20, N)
    np.testing.assert_array_equal(out.rounds_at[:, 0] == 1, ~out.flew[:, 1])
    np.testing.assert_array_equal(out.rounds_at[:, 1] == 1, out.flew[:, 1])
    # with a reserve of one round nothing is fired at the unplanned threat
    reserved = Case(
        threats=case.threats, batteries=case.batteries, rows=rows, kinds=case.kinds,
        doctrine=Doctrine(mode="sls", reserve_rounds=1),
    )  # fmt: skip
    assert not reserved.run(20, 2000).rounds_at[:, 0].any()


def test_upper_tier_first_holds_the_lower_tier() -> None:
    # Lower tier could fire first (at 50 s), the upper tier at 100 s: with upper_tier_first the
    # lower tier waits, then engages only what the upper tier's assessment reports alive.
    rows = [Row(0, 0, ((120.0, 100.0),)), Row(1, 0, ((70.0, 50.0), (200.0, 180.0)))]
    kinds = [Kind(pk=0.7, upper=True), Kind(pk=0.5)]
    batteries = [Battery(kind=0, inventory=4), Battery(kind=1, inventory=4)]
    for first, lower_first_round in ((False, 50.0), (True, 180.0)):
        case = Case(
            threats=[Threat()], batteries=batteries, rows=rows, kinds=kinds,
            doctrine=Doctrine(mode="sls", upper_tier_first=first),
        )  # fmt: skip
        fi, ti, d = case.block(25, 0, 1000)
        out = fight(fi, ti, d, event_trials=1000)
        ev = out.events
        lower = ev.battery_idx == 1
        assert ev.launch_t_s[lower].min() == lower_first_round
