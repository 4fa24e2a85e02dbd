"""Slim outcomes (docs/montecarlo.md §7): per block only what the metrics need is kept, and every
number a comparison, its metrics and its run record report is the same as with every trial's
full outcomes kept.

The reference is computed here from the full outcomes by the metrics' definitions (a mean of
leakers over trials, a Wilson or cluster-robust interval of the per-trial series), not through
:class:`~shieldwall.outcome.outcomes.Tally`.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from shieldwall.io.record import record_comparison
from shieldwall.metrics.costs import cost_metrics
from shieldwall.metrics.intervals import (
    cluster_mean_interval,
    cluster_proportion_interval,
)
from shieldwall.outcome import EVENT_TRIALS, TRIAL_BLOCK, Outcomes, Tally
from shieldwall.pipeline import geometry_clusters, simulate_policies
from shieldwall.scenario import compile_world, load_scenario
from shieldwall.studies.compare import Comparison, compare

FLAGSHIP = Path(__file__).resolve().parents[2] / "examples" / "korea_japan.yaml"
MINIMAL = FLAGSHIP.with_name("minimal.yaml")
N_TRIALS, SEED = 2500, 5  # three trial blocks: raid geometry samples 0, 1 and 2 (clusters)


def _same(a: object, b: object) -> bool:
    """Equal bit for bit (NaN equal to NaN), for floats, tuples and arrays."""
    if isinstance(a, tuple | list):
        return isinstance(b, tuple | list) and len(a) == len(b) and all(map(_same, a, b))
    if isinstance(a, str) or a is None:
        return a == b
    x, y = np.asarray(a), np.asarray(b)
    return x.shape == y.shape and bool(np.array_equal(x, y, equal_nan=x.dtype.kind == "f"))


@pytest.fixture(scope="module")
def both() -> tuple[Comparison, Comparison]:
    world = compile_world(load_scenario(FLAGSHIP))
    slim = compare(world, trials=N_TRIALS, seed=SEED)
    full = compare(world, trials=N_TRIALS, seed=SEED, full_outcomes=True)
    return slim, full


@pytest.mark.slow
def test_slim_comparison_reports_the_full_numbers(both: tuple[Comparison, Comparison]) -> None:
    slim, full = both
    for s, f in zip(slim.rows, full.rows, strict=True):
        for field in dataclasses.fields(s):
            if field.name in ("results", "costs"):
                continue
            assert _same(getattr(s, field.name), getattr(f, field.name)), (s.name, field.name)
        for field in dataclasses.fields(s.costs):
            assert _same(getattr(s.costs, field.name), getattr(f.costs, field.name)), field.name
        ms, mf = s.results.metrics, f.results.metrics
        for field in dataclasses.fields(ms):
            assert _same(getattr(ms, field.name), getattr(mf, field.name)), (s.name, field.name)
        # what is kept: every trial's tally, the first EVENT_TRIALS trials' full outcomes
        assert s.results.trials == f.results.trials == N_TRIALS
        assert s.results.outcomes.n_trials == EVENT_TRIALS
        assert f.results.outcomes.n_trials == N_TRIALS
        head = f.results.outcomes.take(0, EVENT_TRIALS)
        for name in ("flew", "killed", "leaked", "rounds_at", "expended", "rounds_defending"):
            np.testing.assert_array_equal(getattr(s.results.outcomes, name), getattr(head, name))
        for name in head.events.__dataclass_fields__:
            np.testing.assert_array_equal(
                getattr(s.results.outcomes.events, name), getattr(head.events, name)
            )


@pytest.mark.slow
def test_slim_metrics_equal_their_definition_on_full_outcomes(
    both: tuple[Comparison, Comparison],
) -> None:
    slim, full = both
    clusters = geometry_clusters(N_TRIALS, 0, compile_world(load_scenario(FLAGSHIP)).n_geometries)
    assert clusters is not None
    assert np.unique(clusters).size == 3
    for s, f in zip(slim.rows, full.rows, strict=True):
        out: Outcomes = f.results.outcomes
        m = s.results.metrics
        leakers = out.leaked.sum(axis=1)
        assert m.expected_leakers == leakers.mean()
        assert m.expected_leakers_ci == tuple(
            float(v) for v in cluster_mean_interval(leakers, clusters)[1:]
        )
        assert m.p_zero_leak == np.mean(leakers == 0)
        _, lo, hi = cluster_proportion_interval(leakers == 0, clusters)
        assert m.p_zero_leak_ci == (float(lo), float(hi))
        assert m.interceptors_used == out.expended.sum(axis=1).mean()
        np.testing.assert_array_equal(m.p_threat_killed, out.killed.mean(axis=0))
        np.testing.assert_array_equal(m.expended_by_battery, out.expended.mean(axis=0))
        np.testing.assert_array_equal(m.rounds_defending, out.rounds_defending.mean(axis=0))
        np.testing.assert_array_equal(m.p_asset_survives, (~out.asset_hit).mean(axis=0))
        _, s_lo, s_hi = cluster_proportion_interval(~out.asset_hit, clusters)
        np.testing.assert_array_equal(m.p_asset_survives_lo, s_lo)
        np.testing.assert_array_equal(m.p_asset_survives_hi, s_hi)
        c = cost_metrics(out.expended, out.rounds_defending, f.results.world, clusters=clusters)
        for field in dataclasses.fields(c):
            assert _same(getattr(s.costs, field.name), getattr(c, field.name)), field.name


@pytest.mark.slow
def test_slim_run_record_has_the_full_tables(both: tuple[Comparison, Comparison]) -> None:
    slim, full = both
    a, b = record_comparison(slim), record_comparison(full)
    assert a.names == b.names
    for name in a.names:
        assert a.arrow(name).equals(b.arrow(name)), name
    for key in ("metrics", "trials", "event_trials", "seed"):
        assert a[key] == b[key], key


def test_tally_of_parts_is_the_tally_of_the_whole() -> None:
    world = compile_world(load_scenario(MINIMAL))
    n = 2 * TRIAL_BLOCK + 300
    res = simulate_policies(world, ["national"], trials=n, seed=3)["national"]
    out = res.outcomes
    whole = out.tally()
    parts = Tally.concatenate([out.tally(0, 700), out.tally(700, 2100), out.tally(2100, n)])
    for name in whole.__dataclass_fields__:
        np.testing.assert_array_equal(getattr(parts, name), getattr(whole, name))
        np.testing.assert_array_equal(getattr(res.tally, name), getattr(whole, name))
    np.testing.assert_array_equal(whole.leakers, out.leakers)
    np.testing.assert_array_equal(whole.flew, out.flew.sum(axis=0))
    np.testing.assert_array_equal(whole.rounds_defending, out.rounds_defending.sum(axis=0))
    # per trial: leakers and rounds (int32), value lost (float64), a bool per asset, an int32
    # per battery; the per-threat and burden sums do not grow with the trials
    n_asset, n_bat = out.asset_hit.shape[1], out.expended.shape[1]
    fixed = 8 * (4 * out.flew.shape[1] + out.rounds_defending[0].size)
    assert whole.nbytes == n * (16 + n_asset + 4 * n_bat) + fixed


def test_slim_blocks_of_a_run_join_to_the_whole_run() -> None:
    world = compile_world(load_scenario(MINIMAL))
    n = 3 * TRIAL_BLOCK
    whole = simulate_policies(world, ["national"], trials=n, seed=4, full_outcomes=False)
    parts = [
        simulate_policies(world, ["national"], trials=n, seed=4, blocks=span, full_outcomes=False)[
            "national"
        ]
        for span in (range(0, 1), range(1, 3))
    ]
    assert parts[0].outcomes.n_trials == EVENT_TRIALS
    assert parts[1].outcomes.n_trials == 0  # no full outcomes of a span after block 0
    assert parts[1].outcomes.flew.shape[1] == whole["national"].tally.flew.shape[0]
    joined = Tally.concatenate([p.tally for p in parts])
    for name in joined.__dataclass_fields__:
        np.testing.assert_array_equal(getattr(joined, name), getattr(whole["national"].tally, name))


@pytest.mark.parametrize("full", [False, True])
def test_blocks_fought_in_pieces_give_the_outcomes_of_one_call(
    full: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A large raid's blocks are fought a piece of trials at a time (fight_piece_trials): the
    tallies, kept outcomes and event logs are those of fighting each block in one call."""
    import shieldwall.pipeline as pl

    world = compile_world(load_scenario(MINIMAL))
    n = TRIAL_BLOCK + 300  # a whole block and a truncated one
    kw = {"trials": n, "seed": 7, "full_outcomes": full, "event_trials": 30}
    whole = simulate_policies(world, ["national", "integrated"], **kw)
    monkeypatch.setattr(pl, "fight_piece_trials", lambda _world: 7)  # pieces across the log
    pieces = simulate_policies(world, ["national", "integrated"], **kw)
    for name in whole:
        a, b = whole[name], pieces[name]
        for f in a.tally.__dataclass_fields__:
            np.testing.assert_array_equal(getattr(a.tally, f), getattr(b.tally, f), err_msg=f)
        assert a.outcomes.n_trials == b.outcomes.n_trials == (n if full else 30)
        for f in ("flew", "killed", "leaked", "rounds_at", "expended", "value_lost"):
            np.testing.assert_array_equal(getattr(a.outcomes, f), getattr(b.outcomes, f))
        assert a.outcomes.events.n_events > 0
        for f in a.outcomes.events.__dataclass_fields__:
            np.testing.assert_array_equal(
                getattr(a.outcomes.events, f), getattr(b.outcomes.events, f), err_msg=f
            )
        assert _same(a.metrics.expected_leakers, b.metrics.expected_leakers)
