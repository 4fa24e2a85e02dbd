"""The outcome engine against the layered-defense closed forms (tests/reference/shared/README.md).

Each Monte Carlo estimate must contain the closed-form value inside its 99.9% Wilson (or normal)
interval; seeds are fixed so a pass is reproducible, and the wide level keeps a correct engine
from failing by chance when a seed changes.
"""

from __future__ import annotations

import numpy as np
import pytest

from shieldwall.metrics.intervals import mean_interval, wilson_interval
from shieldwall.outcome.draws import draw
from shieldwall.outcome.engine import resolve
from tests.outcome.synthetic import Pair, schedule, targets

#: Two-sided 99.9% normal quantile for the acceptance intervals.
Z999 = 3.2905


def _leak_rate_contains(leaked: np.ndarray, expected: float) -> None:
    n = leaked.size
    lo, hi = wilson_interval(int(leaked.sum()), n, z=Z999)
    assert lo <= expected <= hi, (leaked.mean(), expected, (lo, hi))


@pytest.mark.parametrize(("p", "n", "r"), [(0.8, 2, 1.0), (0.8, 2, 0.9), (0.5, 3, 1.0)])
def test_salvo_leaks_one_minus_rp_to_the_n(p: float, n: int, r: float) -> None:
    sched = schedule([Pair(0, 0, p, reliability=r)], [n], n_threats=1, inventory=[10], mode="salvo")
    out = resolve(sched, targets(1), draw(11, 40_000, 1))
    _leak_rate_contains(out.leaked[:, 0], (1 - r * p) ** n)
    assert np.all(out.shots[:, 0] == n)  # a salvo fires every round at once


@pytest.mark.parametrize(("p", "k"), [(0.6, 3), (0.8, 2), (0.3, 4)])
def test_shoot_look_shoot_leak_and_mean_rounds(p: float, k: int) -> None:
    sched = schedule([Pair(0, 0, p, n_slots=k)], [k], n_threats=1, inventory=[10], mode="sls")
    out = resolve(sched, targets(1), draw(12, 40_000, 1))
    _leak_rate_contains(out.leaked[:, 0], (1 - p) ** k)
    mean, lo, hi = mean_interval(out.shots[:, 0], z=Z999)
    expected_rounds = (1 - (1 - p) ** k) / p
    assert lo <= expected_rounds <= hi, (mean, expected_rounds)
    assert out.shots.max() <= k


def test_independent_layers_multiply() -> None:
    # Upper tier (battery 0) then lower tier (battery 1), each a 2-round salvo at p = 0.7.
    pairs = [Pair(0, 0, 0.7, t0_s=100.0), Pair(1, 0, 0.7, t0_s=200.0)]
    sched = schedule(pairs, [2, 2], n_threats=1, inventory=[4, 4], mode="salvo")
    out = resolve(sched, targets(1), draw(13, 200_000, 1))
    _leak_rate_contains(out.leaked[:, 0], 0.0081)


def test_zero_leakage_against_n_independent_threats() -> None:
    pairs = [Pair(0, i, 0.8, t0_s=100.0 + i) for i in range(10)]
    sched = schedule(pairs, [2] * 10, n_threats=10, inventory=[20], mode="salvo")
    out = resolve(sched, targets(10, n_assets=10), draw(14, 40_000, 10))
    zero = out.leakers == 0
    _leak_rate_contains(zero, (1 - 0.04) ** 10)


def test_threat_reliability_scales_leakage() -> None:
    sched = schedule([Pair(0, 0, 0.8)], [2], n_threats=1, inventory=[2], mode="salvo")
    out = resolve(sched, targets(1, reliability=0.75), draw(15, 40_000, 1))
    _leak_rate_contains(out.leaked[:, 0], 0.75 * 0.04)
    # failed threats are never engaged
    assert np.all(out.shots[~out.flew[:, 0], 0] == 0)


def test_inventory_runs_out_in_launch_order() -> None:
    # One round for two threats: the earlier launch gets it, the later threat always leaks.
    pairs = [Pair(0, 0, 0.5, t0_s=100.0), Pair(0, 1, 0.5, t0_s=150.0)]
    sched = schedule(pairs, [1, 1], n_threats=2, inventory=[1], mode="salvo")
    out = resolve(sched, targets(2, n_assets=2), draw(16, 5_000, 2))
    assert np.all(out.shots[:, 1] == 0)
    assert np.all(out.leaked[:, 1])
    assert np.all(out.expended[:, 0] == 1)


def test_reserve_reengages_only_after_a_failed_assessed_shot() -> None:
    # Plan one round in slot 0; slots 1 and 2 are reserve: leak (1-p)^3, like SLS with 3 slots.
    p = 0.5
    sched = schedule(
        [Pair(0, 0, p, n_slots=3)], [1], n_threats=1, inventory=[5], mode="sls", reserve=True
    )
    out = resolve(sched, targets(1), draw(17, 40_000, 1))
    _leak_rate_contains(out.leaked[:, 0], (1 - p) ** 3)
    killed_first = out.shots[:, 0] == 1
    assert np.all(out.killed[killed_first, 0])  # no round wasted after a known kill


def test_track_delay_closes_late_slots() -> None:
    # Two SLS slots 30 s apart; the last launch is the second slot's, so slot 0 has 30 s of slack
    # and slot 1 none. With delays uniform on [0, 60] s, slot 0 fits half the time, slot 1
    # never: the manager then fires slot 1's planned round with slot 0's (a 2-round salvo).
    p = 0.6
    sched = schedule([Pair(0, 0, p, n_slots=2)], [2], n_threats=1, inventory=[5], mode="sls")
    out = resolve(sched, targets(1), draw(18, 40_000, 1), track_delay_max_s=60.0)
    expected = 0.5 * 1.0 + 0.5 * (1 - p) ** 2  # half the trials: no shot; half: a salvo of 2
    assert set(np.unique(out.shots[out.flew[:, 0], 0]).tolist()) == {0, 2}
    _leak_rate_contains(out.leaked[:, 0], expected)


@pytest.mark.parametrize(("p", "miss_as_kill", "kill_as_miss"), [(0.6, 0.3, 0.0), (0.7, 0.0, 0.4)])
def test_kill_assessment_errors(p: float, miss_as_kill: float, kill_as_miss: float) -> None:
    # SLS with 2 slots. A miss taken for a kill stops the engagement: leak (1-p)(q + (1-q)(1-p)).
    # A kill taken for a miss draws the second round anyway: rounds 1 + (1-p)(1-q) + p w.
    sched = schedule([Pair(0, 0, p, n_slots=2)], [2], n_threats=1, inventory=[5], mode="sls")
    out = resolve(
        sched,
        targets(1),
        draw(19, 40_000, 1),
        miss_as_kill=miss_as_kill,
        kill_as_miss=kill_as_miss,
    )
    q, w = miss_as_kill, kill_as_miss
    _leak_rate_contains(out.leaked[:, 0], (1 - p) * (q + (1 - q) * (1 - p)))
    _, lo, hi = mean_interval(out.shots[:, 0], z=Z999)
    assert lo <= 1 + (1 - p) * (1 - q) + p * w <= hi
