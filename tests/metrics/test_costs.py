"""Costs (issue #12 §3): interceptor cost per raid, attack cost, cost-exchange ratio, burden and
cost per leaker avoided — against figures computed by hand from the model's definition."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from shieldwall.metrics.costs import (
    attack_cost_usd,
    cost_metrics,
    cost_per_leaker_avoided,
    interceptor_cost_usd,
)
from shieldwall.metrics.intervals import wilson_interval
from shieldwall.scenario import World, compile_world, load_scenario
from tests.scenario.conftest import make_doc


@pytest.fixture(scope="module")
def world() -> World:
    # batteries: pat (BLU, PAC-3 MSE $4.5M a round), ship (GRN, SM-3 IIA $27.9M a round);
    # raid: 3 Scud-C ($3M each) and 2 KN-23 ($4M each)
    return compile_world(load_scenario(make_doc()))


def test_world_prices_are_the_ones_the_hand_computation_uses(world: World) -> None:
    assert world.interceptors.name == ("PAC-3 MSE", "SM-3 Block IIA")
    np.testing.assert_array_equal(world.interceptors.round_cost_usd, [4.5e6, 27.9e6])
    np.testing.assert_array_equal(world.batteries.interceptor_idx, [0, 1])
    assert world.missiles.name == ("Scud-C", "KN-23")
    np.testing.assert_array_equal(world.missiles.unit_cost_usd, [3e6, 4e6])
    np.testing.assert_array_equal(world.raid.missile_idx, [0, 0, 0, 1, 1])


def test_cost_exchange_ratio_of_a_hand_computed_case(world: World) -> None:
    expended = np.array([[2, 1], [0, 0], [4, 0]])
    # trial costs: 2 x 4.5 + 27.9 = 36.9; 0; 4 x 4.5 = 18 ($M) -> mean 18.3
    np.testing.assert_allclose(interceptor_cost_usd(expended, world), [36.9e6, 0.0, 18e6])
    assert attack_cost_usd(world) == pytest.approx(3 * 3e6 + 2 * 4e6)  # 17 $M
    rd = np.zeros((3, 2, 3), dtype=np.int64)
    rd[0, 0, 0], rd[0, 0, 1], rd[0, 1, 1] = 1, 1, 1  # pat: 1 at BLU, 1 at GRN; ship: 1 at GRN
    rd[2, 0, 0], rd[2, 0, 2] = 3, 1  # pat: 3 at BLU, 1 at a threat falling on nothing
    c = cost_metrics(expended, rd, world)
    assert c.interceptor_cost_usd == pytest.approx(18.3e6)
    assert c.cost_exchange_ratio == pytest.approx(18.3 / 17.0)
    sd = np.std([36.9e6, 0.0, 18e6], ddof=1) / np.sqrt(3)
    lo, hi = c.cost_exchange_ratio_ci
    assert lo == pytest.approx((18.3e6 - 1.959964 * sd) / 17e6, rel=1e-6)
    assert hi == pytest.approx((18.3e6 + 1.959964 * sd) / 17e6, rel=1e-6)
    # burden [shooter, defended (BLU, GRN, none)], mean over the 3 trials
    np.testing.assert_allclose(c.burden_rounds, [[4 / 3, 1 / 3, 1 / 3], [0, 1 / 3, 0]])
    np.testing.assert_allclose(
        c.burden_cost_usd, [[4 / 3 * 4.5e6, 1.5e6, 1.5e6], [0.0, 27.9e6 / 3, 0.0]]
    )
    assert c.unpriced == ()


def test_an_unpriced_round_that_fired_makes_the_cost_unknown_not_zero(world: World) -> None:
    inter = dataclasses.replace(world.interceptors, round_cost_usd=np.array([4.5e6, np.nan]))
    w = dataclasses.replace(world, interceptors=inter)
    per_trial = interceptor_cost_usd(np.array([[2, 1], [0, 0], [4, 0]]), w)
    assert np.isnan(per_trial[0])
    np.testing.assert_array_equal(per_trial[1:], [0.0, 18e6])
    c = cost_metrics(np.array([[2, 1], [1, 0]]), np.zeros((2, 2, 3), np.int64), w)
    assert np.isnan(c.interceptor_cost_usd)
    assert np.isnan(c.cost_exchange_ratio)
    assert c.unpriced == ("interceptor SM-3 Block IIA",)
    # the unpriced battery never fired: its price does not enter, nothing is unknown
    c = cost_metrics(np.array([[2, 0], [1, 0]]), np.zeros((2, 2, 3), np.int64), w)
    assert c.interceptor_cost_usd == pytest.approx(6.75e6)
    assert c.unpriced == ()


def test_an_unpriced_missile_makes_the_attack_cost_unknown(world: World) -> None:
    mis = dataclasses.replace(world.missiles, unit_cost_usd=np.array([3e6, np.nan]))
    w = dataclasses.replace(world, missiles=mis)
    c = cost_metrics(np.array([[1, 0]]), np.zeros((1, 2, 3), np.int64), w)
    assert np.isnan(c.attack_cost_usd)
    assert np.isnan(c.cost_exchange_ratio)
    assert c.interceptor_cost_usd == pytest.approx(4.5e6)
    assert c.unpriced == ("missile KN-23",)


def test_cost_per_leaker_avoided_hand_case() -> None:
    # every trial: 2 more rounds of $5M, and 1, 0 or 2 leakers fewer -> $10M / 1 leaker
    dl = np.array([1.0, 0.0, 2.0] * 20)
    base_leak = np.full(60, 3.0)
    value, lo, hi = cost_per_leaker_avoided(
        np.full(60, 10e6), np.zeros(60), base_leak - dl, base_leak
    )
    assert value == pytest.approx(10e6)
    assert lo < value < hi
    # no leaker avoided (or not resolved): undefined, not infinite
    out = cost_per_leaker_avoided(np.full(60, 10e6), np.zeros(60), base_leak, base_leak)
    assert all(np.isnan(out))
    out = cost_per_leaker_avoided(
        np.full(4, 1.0), np.zeros(4), np.array([3, 4, 3, 3.0]), base_leak[:4]
    )
    assert all(np.isnan(out))


def test_cost_per_leaker_avoided_interval_covers_the_true_ratio_95_percent() -> None:
    # dc = 3 dl + noise (mean 0): the true ratio E[dc] / E[dl] is 3
    rng = np.random.default_rng(12)
    reps, n, hits = 400, 400, 0
    for _ in range(reps):
        dl = rng.poisson(2.0, n).astype(float)
        dc = 3.0 * dl + rng.normal(0.0, 4.0, n)
        _, lo, hi = cost_per_leaker_avoided(dc, np.zeros(n), np.zeros(n), dl)
        hits += lo <= 3.0 <= hi
    w_lo, w_hi = wilson_interval(hits, reps, z=3.0)
    assert w_lo <= 0.95 <= w_hi, hits / reps


def test_cluster_robust_intervals_widen_with_geometry_clusters(world: World) -> None:
    # two raid geometries: one where every trial fires 1 round, one where every trial fires 3
    expended = np.zeros((40, 2), np.int64)
    expended[:20, 0], expended[20:, 0] = 1, 3
    clusters = np.repeat([0, 1], 20)
    rd = np.zeros((40, 2, 3), np.int64)
    iid = cost_metrics(expended, rd, world)
    clu = cost_metrics(expended, rd, world, clusters=clusters)
    assert clu.interceptor_cost_usd == iid.interceptor_cost_usd == pytest.approx(9e6)
    # CR1 with G = 2: V = 2 * sum_g (sum_i (x_i - mean))^2 / n^2 = 2 * 2 * (20 * 4.5e6)^2 / 40^2
    half = 12.706205 * np.sqrt(2 * 2 * (20 * 4.5e6) ** 2 / 40**2)
    assert clu.interceptor_cost_usd_ci[1] - 9e6 == pytest.approx(half, rel=1e-5)
    assert clu.interceptor_cost_usd_ci[1] > iid.interceptor_cost_usd_ci[1]
