"""Hypothesis strategy for small random fights (threats, batteries, rows, plans, doctrines).

Times are multiples of 5 s so that equal launch times, a channel released at a launch, and a
report arriving at a launch (the tie rules of docs/battle.md §4) happen often.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from hypothesis import strategies as st

from shieldwall.battle.fight_inputs import FightInputs
from shieldwall.battle.trial_inputs import TrialInputs
from shieldwall.outcome.draws import BlockDraws
from shieldwall.scenario.doctrine import Doctrine, KillAssessment
from tests.outcome.fights import Kind, Land, Lane, Raid, Unit, fail_times, make_fight

_TICK_S = 5.0


@dataclass(frozen=True)
class Case:
    """A random fight and how its trials vary."""

    fight: FightInputs
    #: fire-control time spread per trial: F = quantile · spread (inf when the quantile > cut)
    fc_spread_s: float
    fc_never_above: float
    #: probability that a nation's belief is another asset (or none) than the truth
    belief_error: float
    seed: int

    def trials(self, draws: BlockDraws) -> TrialInputs:
        """Trial inputs from the block's draws (flight, failures, fire control, beliefs)."""
        f = self.fight
        n_tr = draws.n_trials
        flies = (draws.fly_u < f.reliability[:, None]).T
        fail = fail_times(f, flies, draws.fail_time_u.T)
        q = np.moveaxis(draws.fcq_u, -1, 0)[:, f.fc_nation_idx, :]  # (trial, key, threat)
        fc = np.where(q > self.fc_never_above, np.inf, np.round(q * self.fc_spread_s / _TICK_S))
        fc = fc * _TICK_S
        rng = np.random.default_rng(self.seed)
        truth = np.broadcast_to(f.target_asset_idx, (n_tr, f.n_nations, f.n_threats))
        wrong = rng.random(truth.shape) < self.belief_error
        other = rng.integers(-1, f.n_assets, truth.shape)
        return TrialInputs(
            flies=flies,
            fail_t_s=fail,
            fire_control_t_s=fc,
            believed_asset_idx=np.where(wrong, other, truth),
        )


def _tick(lo: int, hi: int) -> st.SearchStrategy[float]:
    return st.integers(lo, hi).map(lambda k: k * _TICK_S)


@st.composite
def _lane(draw: st.DrawFn, battery: int, threat: int, impact_s: float) -> Lane:
    n = draw(st.integers(1, 5))
    # intercept times strictly increase along a row (trajectory samples); launches need not
    t = sorted(
        draw(st.lists(_tick(14, int(impact_s / _TICK_S) - 1), min_size=n, max_size=n, unique=True))
    )
    tau = draw(st.lists(_tick(1, 12), min_size=n, max_size=n))
    return Lane(
        battery,
        threat,
        [a - b for a, b in zip(t, tau, strict=True)],
        t,
        planned=draw(st.integers(0, 3)),
    )


@st.composite
def cases(draw: st.DrawFn, upper_tier_first: st.SearchStrategy[bool] | None = None) -> Case:
    """Random small fights; ``upper_tier_first`` overrides that doctrine field's strategy."""
    n_t = draw(st.integers(1, 4))
    n_b = draw(st.integers(1, 3))
    n_k = draw(st.integers(1, 2))
    n_nat = draw(st.integers(1, 2))
    n_a = draw(st.integers(1, 3))
    probability = st.floats(0.05, 0.95)
    kinds = [
        Kind(
            pk=draw(probability),
            reliability=draw(st.sampled_from([1.0, 0.8])),
            kill_assessment_s=draw(_tick(0, 6)),
            reaction_s=draw(_tick(0, 4)),
            upper=draw(st.booleans()),
            common_mode=draw(st.sampled_from([0.0, 0.0, 0.2])),
        )
        for _ in range(n_k)
    ]
    units = [
        Unit(
            kind=draw(st.integers(0, n_k - 1)),
            inventory=draw(st.sampled_from([0, 1, 2, 3, 4, 6])),
            channels=draw(st.integers(1, 3)),
            nation=draw(st.integers(0, n_nat - 1)),
        )
        for _ in range(n_b)
    ]
    impact = [draw(_tick(60, 120)) for _ in range(n_t)]
    lanes = [
        draw(_lane(b, i, impact[i]))
        for i in range(n_t)
        for b in range(n_b)
        if draw(st.integers(0, 4)) > 0
    ]
    if not lanes:
        lanes = [draw(_lane(0, 0, impact[0]))]
    raid = Raid(
        n_t,
        reliability=[draw(st.sampled_from([1.0, 0.9, 0.6])) for _ in range(n_t)],
        target_asset=[draw(st.integers(-1, n_a - 1)) for _ in range(n_t)],
        impact_s=impact,
        free_flight_failure_fraction=draw(st.sampled_from([0.0, 0.5])),
    )
    land = Land(
        value=[draw(st.sampled_from([0.0, 1.0, 1.0, 2.0, 5.0])) for _ in range(n_a)],
        nation=[draw(st.integers(0, n_nat - 1)) for _ in range(n_a)],
        n_nations=n_nat,
        defends=[[d == o or draw(st.booleans()) for o in range(n_nat)] for d in range(n_nat)],
    )
    cap_threat = draw(st.integers(1, 6))
    doctrine = Doctrine(
        mode=draw(st.sampled_from(["sls", "salvo"])),
        salvo_size=draw(st.integers(1, 3)),
        max_rounds_per_pair=draw(st.integers(1, 4)),
        max_rounds_per_threat=cap_threat,
        reserve_rounds=draw(st.integers(0, 2)),
        upper_tier_first=draw(st.booleans() if upper_tier_first is None else upper_tier_first),
        channel_hold=draw(st.sampled_from(["intercept", "assessment"])),
        kill_assessment=KillAssessment(
            miss_as_kill=draw(st.sampled_from([0.0, 0.2])),
            kill_as_miss=draw(st.sampled_from([0.0, 0.3])),
        ),
    )
    return Case(
        fight=make_fight(raid, kinds, units, lanes, doctrine, land),
        fc_spread_s=draw(st.sampled_from([0.0, 100.0, 300.0])),
        fc_never_above=draw(st.sampled_from([1.0, 0.9])),
        belief_error=draw(st.sampled_from([0.0, 0.3])),
        seed=draw(st.integers(0, 2**31 - 1)),
    )
