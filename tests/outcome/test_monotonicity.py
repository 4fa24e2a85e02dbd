"""Monotonicity on common random numbers: more interceptors or more windows (more sharing) never
increase expected leakers beyond sampling error (paired 99.9% interval)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from shieldwall.battle.plan import Doctrine, plan_shots
from shieldwall.battle.schedule import build_schedule
from shieldwall.metrics.intervals import paired_difference
from shieldwall.outcome.draws import draw
from shieldwall.outcome.engine import resolve
from tests.outcome.synthetic import Pair, opportunities, targets

Z999 = 3.2905
N_TRIALS = 4_000


def _leakers(pairs: list[Pair], inventory: list[int], n_threats: int, seed: int) -> np.ndarray:
    opp = opportunities(pairs)
    tg = targets(n_threats, reliability=0.95, n_assets=n_threats)
    inv = np.asarray(inventory, dtype=np.int64)
    doc = Doctrine(max_shots_per_pair=2, max_shots_per_threat=4)
    plan = plan_shots(
        opportunities=opp,
        targets=tg,
        battery_nation_idx=np.zeros(inv.size, dtype=np.int64),
        inventory=inv,
        channels=None,
        solver="heuristic",
        doctrine=doc,
    )
    sched = build_schedule(
        opportunities=opp,
        plan=plan,
        inventory=inv,
        n_threats=n_threats,
        solver="heuristic",
        max_shots_per_threat=doc.max_shots_per_threat,
    )
    return resolve(sched, tg, draw(seed, N_TRIALS, n_threats, 4)).leakers


@st.composite
def raids(draw_: st.DrawFn) -> tuple[list[Pair], int, int]:
    n_threats = draw_(st.integers(1, 4))
    n_batteries = draw_(st.integers(1, 2))
    pairs = [
        Pair(
            b,
            i,
            pk=draw_(st.floats(0.3, 0.9)),
            n_slots=draw_(st.integers(1, 3)),
            t0_s=draw_(st.floats(0.0, 100.0)),
        )
        for b in range(n_batteries)
        for i in range(n_threats)
        if draw_(st.booleans()) or (b == 0)
    ]
    return pairs, n_threats, n_batteries


@settings(max_examples=15, deadline=None)
@given(raids(), st.integers(0, 4), st.integers(1, 4), st.integers(0, 1000))
def test_more_interceptors_never_increase_leakers(
    raid: tuple[list[Pair], int, int], base: int, extra: int, seed: int
) -> None:
    pairs, n_threats, n_b = raid
    few = _leakers(pairs, [base] * n_b, n_threats, seed)
    many = _leakers(pairs, [base + extra] * n_b, n_threats, seed)
    diff, lo, _ = paired_difference(many, few, z=Z999)
    assert lo <= 0.0, (diff, lo)


@settings(max_examples=15, deadline=None)
@given(raids(), st.integers(1, 6), st.integers(0, 1000))
def test_more_windows_never_increase_leakers(
    raid: tuple[list[Pair], int, int], inventory: int, seed: int
) -> None:
    # Sharing only ever adds windows (another nation's battery, launch on remote) or makes them
    # open earlier (more slots); model both: an extra battery with windows on every threat.
    pairs, n_threats, n_b = raid
    alone = _leakers(pairs, [inventory] * n_b, n_threats, seed)
    helper = [Pair(n_b, i, pk=0.6, n_slots=2, t0_s=50.0) for i in range(n_threats)]
    together = _leakers(pairs + helper, [inventory] * n_b + [inventory], n_threats, seed)
    diff, lo, _ = paired_difference(together, alone, z=Z999)
    assert lo <= 0.0, (diff, lo)
