"""Schedules: slot spreading, event order, reserve bookkeeping."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from shieldwall.battle.schedule import slot_rounds
from tests.outcome.synthetic import Pair, schedule


@given(
    st.lists(st.tuples(st.integers(0, 9), st.integers(1, 4)), min_size=1, max_size=20),
    st.sampled_from(["sls", "salvo"]),
)
def test_slot_rounds_spread_every_planned_round(pairs: list[tuple[int, int]], mode: str) -> None:
    shots = np.array([p[0] for p in pairs], dtype=np.int64)
    n_slots = np.array([p[1] for p in pairs], dtype=np.int64)
    per_slot = slot_rounds(shots, n_slots, 4, mode)
    np.testing.assert_array_equal(per_slot.sum(axis=1), shots)
    assert np.all(per_slot >= 0)
    used = np.arange(4)[None, :] >= n_slots[:, None]
    assert not np.any(per_slot[used])  # never a round in a slot the window does not have
    if mode == "sls":  # as even as possible, earlier slots first
        spread = per_slot.max(axis=1) - np.where(~used, per_slot, 10**6).min(axis=1)
        assert np.all(spread <= 1)


def test_events_in_launch_order_with_reserve_bookkeeping() -> None:
    pairs = [Pair(0, 0, 0.5, n_slots=3, t0_s=10.0), Pair(1, 0, 0.5, n_slots=2, t0_s=0.0)]
    sched = schedule(pairs, [1, 1], n_threats=1, inventory=[4, 4], reserve=True)
    assert np.all(np.diff(sched.launch_t_s) >= 0)
    assert sched.n_events == 5  # 2 planned + 3 reserve slots
    planned = np.flatnonzero(sched.planned)
    assert sched.n_fire[planned].sum() == 2
    # a reserve event waits while planned events at its threat remain later in the schedule
    for e in range(sched.n_events):
        later_planned = np.sum(sched.planned[e + 1 :] & (sched.threat_idx[e + 1 :] == 0))
        assert sched.planned_after[e] == later_planned
    # 2 planned rounds on battery 0's 3 slots in SLS: slots 0 and 1, later_slots links them
    sched2 = schedule([Pair(0, 0, 0.5, n_slots=3)], [2], n_threats=1, inventory=[4])
    first = int(np.flatnonzero(sched2.planned & (sched2.slot == 0))[0])
    second = int(np.flatnonzero(sched2.planned & (sched2.slot == 1))[0])
    assert sched2.later_slots[first][0] == second
