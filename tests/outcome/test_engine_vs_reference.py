"""Cross-method oracle: the vectorized engine equals the per-trial reference on the same draws."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from shieldwall.outcome.draws import draw
from shieldwall.outcome.engine import resolve
from shieldwall.outcome.reference import resolve_reference
from tests.outcome.synthetic import Pair, schedule, targets


@st.composite
def problems(draw_: st.DrawFn) -> tuple[list[Pair], list[int], int, list[int], str, float]:
    n_threats = draw_(st.integers(1, 4))
    n_batteries = draw_(st.integers(1, 3))
    pairs: list[Pair] = []
    shots: list[int] = []
    for b in range(n_batteries):
        for i in range(n_threats):
            if draw_(st.booleans()):
                pairs.append(
                    Pair(
                        b,
                        i,
                        pk=draw_(st.floats(0.05, 0.95)),
                        n_slots=draw_(st.integers(1, 4)),
                        t0_s=draw_(st.floats(0.0, 200.0)),
                        reliability=draw_(st.floats(0.5, 1.0)),
                        step_s=draw_(st.floats(5.0, 40.0)),
                        assess_s=draw_(st.floats(0.0, 30.0)),
                    )
                )
                shots.append(draw_(st.integers(0, 3)))
    if not pairs:
        pairs.append(Pair(0, 0, 0.5))
        shots.append(1)
    inventory = [draw_(st.integers(0, 6)) for _ in range(n_batteries)]
    mode = draw_(st.sampled_from(["sls", "salvo"]))
    delay = draw_(st.sampled_from([0.0, 20.0]))
    return pairs, shots, n_threats, inventory, mode, delay


@settings(max_examples=40, deadline=None)
@given(
    problems(),
    st.integers(0, 2**31 - 1),
    st.booleans(),
    st.sampled_from([(0.0, 0.0), (0.2, 0.0), (0.0, 0.3), (0.1, 0.1)]),
)
def test_vectorized_engine_equals_reference(
    problem: tuple[list[Pair], list[int], int, list[int], str, float],
    seed: int,
    reserve: bool,
    ka_errors: tuple[float, float],
) -> None:
    pairs, shots, n_threats, inventory, mode, delay = problem
    sched = schedule(
        pairs,
        shots,
        n_threats=n_threats,
        inventory=inventory,
        mode=mode,
        reserve=reserve,
        max_shots_per_threat=5,
    )
    tg = targets(n_threats, reliability=0.9, n_assets=2)
    d = draw(seed, 60, n_threats, n_shots=6)
    mk, km = ka_errors
    fast = resolve(sched, tg, d, track_delay_max_s=delay, miss_as_kill=mk, kill_as_miss=km)
    slow = resolve_reference(
        sched, tg, d, track_delay_max_s=delay, miss_as_kill=mk, kill_as_miss=km
    )
    for name in ("flew", "killed", "leaked", "shots", "expended", "asset_hit"):
        np.testing.assert_array_equal(getattr(fast, name), getattr(slow, name), err_msg=name)
    assert np.all(fast.expended <= np.asarray(inventory)[None, :])
    assert np.all(fast.shots <= 5)
