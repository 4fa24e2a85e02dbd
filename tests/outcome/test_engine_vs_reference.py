"""The fight on small random cases: what any correct implementation must satisfy, trial by
trial, and (once both exist) the vectorized engine equals the per-trial reference on the same
draws.

The invariants are read off the outputs and the engagement log against docs/battle.md §4 — not
from either implementation — so they hold each of them to the definition on its own.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings

from shieldwall.battle.trial_inputs import TrialInputs
from shieldwall.outcome.outcomes import EVENT_TRIALS, Outcomes
from tests.outcome.fights import FIGHTERS, FightFn, draws_for
from tests.outcome.random_fights import Case, cases

#: Trials per random case (one block); the first EVENT_TRIALS are logged.
N_TRIALS = 60


def check_invariants(case: Case, trials: TrialInputs, out: Outcomes) -> None:
    """Resource, cap, timing and accounting rules of docs/battle.md §4 and §7."""
    f = case.fight
    doc = f.doctrine
    n = out.n_trials
    # accounting (§7)
    assert (out.expended <= f.inventory[None, :]).all()
    assert (out.rounds_at <= doc.max_rounds_per_threat).all()
    np.testing.assert_array_equal(out.rounds_at.sum(axis=1), out.expended.sum(axis=1))
    np.testing.assert_array_equal(out.rounds_defending.sum(axis=2), out.expended)
    np.testing.assert_array_equal(out.flew, trials.flies[:n])
    np.testing.assert_array_equal(
        out.leaked, out.flew & ~out.killed & (f.target_asset_idx >= 0)[None, :]
    )
    hit = np.zeros_like(out.asset_hit)
    for i, a in enumerate(f.target_asset_idx):
        if a >= 0:
            hit[:, a] |= out.leaked[:, i]
    np.testing.assert_array_equal(out.asset_hit, hit)
    np.testing.assert_allclose(out.value_lost, hit @ f.asset_value, rtol=0, atol=1e-12)
    assert not (out.killed & (out.rounds_at == 0)).any()
    # the engagement log (§4), first trials
    ev = out.events
    assert (ev.trial < min(n, EVENT_TRIALS)).all()
    pairs = zip(f.row_battery_idx.tolist(), f.row_threat_idx.tolist(), strict=True)
    row_of = {pair: r for r, pair in enumerate(pairs)}
    believed_nation = trials.believed_nation_idx(f)
    believed_value = trials.believed_value(f)
    for t in range(min(n, EVENT_TRIALS)):
        sel = np.flatnonzero(ev.trial == t)
        np.testing.assert_array_equal(
            np.bincount(ev.threat_idx[sel], weights=ev.rounds[sel], minlength=f.n_threats),
            out.rounds_at[t],
        )
        per_pair: dict[tuple[int, int], int] = {}
        for e in sel:
            b, i = int(ev.battery_idx[e]), int(ev.threat_idx[e])
            r = row_of[(b, i)]
            d = int(f.battery_nation_idx[b])
            k = int(f.battery_interceptor_idx[b])
            launch = float(ev.launch_t_s[e])
            assert ev.rounds[e] >= 1
            # a sample of the row, not before the trial's earliest launch
            lo, hi = f.row_start[r], f.row_start[r + 1]
            j = np.flatnonzero(
                (f.sample_launch_t_s[lo:hi] == launch)
                & (f.sample_t_s[lo:hi] == ev.intercept_t_s[e])
            )
            assert j.size >= 1
            earliest = trials.fire_control_t_s[t, f.battery_fc_key[b], i] + f.reaction_time_s[k]
            assert launch >= earliest
            # live and with authority at launch
            assert trials.fail_t_s[t, i] > launch
            assert launch < f.impact_t_s[i]
            assert believed_nation[t, d, i] >= 0
            assert f.defends[d, believed_nation[t, d, i]]
            assert believed_value[t, d, i] > 0
            # not reported dead by then
            before = sel[(ev.threat_idx[sel] == i) & (ev.launch_t_s[sel] < launch)]
            assess = (
                ev.intercept_t_s[before]
                + f.kill_assessment_s[f.battery_interceptor_idx[ev.battery_idx[before]]]
            )
            assert not (ev.reported_dead[before] & (assess <= launch)).any()
            # a free fire channel
            mine = sel[ev.battery_idx[sel] == b]
            hold = ev.intercept_t_s[mine] + (
                f.kill_assessment_s[k] if doc.channel_hold == "assessment" else 0.0
            )
            in_air = (ev.launch_t_s[mine] <= launch) & (hold > launch)
            assert in_air.sum() <= f.fire_channels[b]
            per_pair[(b, i)] = per_pair.get((b, i), 0) + int(ev.rounds[e])
        assert all(v <= doc.max_rounds_per_pair for v in per_pair.values())


@pytest.mark.parametrize("name", list(FIGHTERS))
@settings(max_examples=60, deadline=None)
@given(case=cases())
def test_fight_keeps_the_rules_on_random_cases(name: str, case: Case) -> None:
    fight_fn: FightFn = FIGHTERS[name]
    draws = draws_for(case.fight, case.seed, 0, N_TRIALS)
    trials = case.trials(draws)
    out = fight_fn(case.fight, trials, draws)
    check_invariants(case, trials, out)


def assert_same_outcomes(fast: Outcomes, slow: Outcomes) -> None:
    """Every per-trial output identical; the engagement logs equal as sets of engagements."""
    for name in (
        "flew",
        "killed",
        "leaked",
        "rounds_at",
        "expended",
        "asset_hit",
        "value_lost",
        "rounds_defending",
    ):
        np.testing.assert_array_equal(getattr(fast, name), getattr(slow, name), err_msg=name)
    logs = []
    for out in (fast, slow):
        ev = out.events.columns()
        order = np.lexsort((ev["battery_idx"], ev["threat_idx"], ev["launch_t_s"], ev["trial"]))
        logs.append({name: col[order] for name, col in ev.items()})
    for name in logs[0]:
        np.testing.assert_array_equal(logs[0][name], logs[1][name], err_msg=f"events.{name}")


@settings(max_examples=150, deadline=None)
@given(case=cases())
def test_engine_equals_reference_on_random_cases(case: Case) -> None:
    draws = draws_for(case.fight, case.seed, 0, N_TRIALS, extra_shots=3)
    trials = case.trials(draws)
    assert_same_outcomes(
        FIGHTERS["engine"](case.fight, trials, draws),
        FIGHTERS["reference"](case.fight, trials, draws),
    )
