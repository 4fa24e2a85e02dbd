"""The vectorized engine against the literal stepping reading of docs/battle.md (tests/outcome/
stepping.py) on random small fights: identical per-trial outcomes on the same draws.

The engine jumps a blocked row to the earliest time its blocking conditions can change and wakes
waiting rows on events; the stepping reading considers every admissible launch. Any difference is
a bug in the jumps or wake-ups (or in the stepping reading).
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from shieldwall.battle import build_trial_inputs
from shieldwall.outcome.engine import fight
from shieldwall.scenario.doctrine import Doctrine, KillAssessment
from tests.outcome.handmade import Battery, Case, Kind, Row, Threat
from tests.outcome.stepping import step_all

N_TRIALS = 60


@st.composite
def cases(draw: st.DrawFn) -> Case:
    n_t = draw(st.integers(1, 4))
    n_nat = draw(st.integers(1, 2))
    kinds = [
        Kind(
            pk=draw(st.sampled_from([0.3, 0.5, 0.8])),
            reliability=draw(st.sampled_from([1.0, 0.9])),
            ka_s=draw(st.sampled_from([5.0, 10.0, 30.0])),
            upper=draw(st.booleans()),
            common_mode=draw(st.sampled_from([0.0, 0.0, 0.3])),
        )
        for _ in range(draw(st.integers(1, 2)))
    ]
    batteries = [
        Battery(
            kind=draw(st.integers(0, len(kinds) - 1)),
            inventory=draw(st.integers(0, 6)),
            channels=draw(st.integers(1, 3)),
            nation=draw(st.integers(0, n_nat - 1)),
        )
        for _ in range(draw(st.integers(1, 3)))
    ]
    threats = [
        Threat(
            reliability=draw(st.sampled_from([1.0, 0.8])),
            launch_s=0.0,
            burnout_s=draw(st.sampled_from([10.0, 60.0])),
            impact_s=400.0,
            value=draw(st.sampled_from([1.0, 3.0])),
            nation=draw(st.integers(0, n_nat - 1)),
            free_flight_failure_fraction=draw(st.sampled_from([0.0, 0.5, 1.0])),
        )
        for _ in range(n_t)
    ]
    rows = []
    for b in range(len(batteries)):
        for i in range(n_t):
            if not draw(st.booleans()):
                continue
            n_s = draw(st.integers(1, 8))
            first = draw(st.floats(20.0, 150.0))
            samples = []
            t = first
            for _ in range(n_s):
                t += draw(st.sampled_from([3.0, 7.0, 15.0]))
                tau = draw(st.sampled_from([10.0, 20.0, 40.0]))
                samples.append((t + tau, t))
            rows.append(Row(b, i, tuple(samples), planned=draw(st.integers(0, 3))))
    if not rows:
        rows = [Row(0, 0, ((60.0, 40.0),), planned=1)]
    grant = draw(st.lists(st.booleans(), min_size=n_nat * n_nat, max_size=n_nat * n_nat))
    defends = np.eye(n_nat, dtype=bool) | np.asarray(grant, dtype=bool).reshape(n_nat, n_nat)
    doctrine = Doctrine(
        mode=draw(st.sampled_from(["sls", "salvo"])),
        salvo_size=draw(st.integers(1, 3)),
        max_rounds_per_pair=draw(st.integers(1, 4)),
        max_rounds_per_threat=draw(st.integers(1, 6)),
        reserve_rounds=draw(st.integers(0, 2)),
        upper_tier_first=draw(st.booleans()),
        channel_hold=draw(st.sampled_from(["intercept", "assessment"])),
        kill_assessment=KillAssessment(
            miss_as_kill=draw(st.sampled_from([0.0, 0.2])),
            kill_as_miss=draw(st.sampled_from([0.0, 0.3])),
        ),
    )
    return Case(
        threats=threats,
        batteries=batteries,
        rows=rows,
        kinds=kinds,
        doctrine=doctrine,
        n_nations=n_nat,
        defends=defends,
    )


@settings(max_examples=300, deadline=None)
@given(cases(), st.integers(0, 10_000))
def test_engine_matches_stepping(case: Case, seed: int) -> None:
    fi, _, d = case.block(seed, 0, N_TRIALS)
    # Per-trial fire-control times from the fcq quantiles: rows start at different times.
    fc = 40.0 * np.moveaxis(d.fcq_u[fi.fc_nation_idx], -1, 0)
    ti = build_trial_inputs(fi, d, fc)
    out = fight(fi, ti, d)
    ref = step_all(fi, ti, d, N_TRIALS)
    np.testing.assert_array_equal(out.rounds_at, ref["rounds_at"])
    np.testing.assert_array_equal(out.killed, ref["killed"])
    np.testing.assert_array_equal(fi.inventory[None, :] - out.expended, ref["left"])
