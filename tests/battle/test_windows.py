"""Engagement-window kernel on geometry simple enough to solve by hand."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from shieldwall.battle.windows import engagement_windows


def _line(n_threats: int = 1, m: int = 101) -> np.ndarray:
    return np.tile(np.linspace(0.0, 100.0, m), (n_threats, 1))


def test_sls_slots_follow_flyout_plus_assessment() -> None:
    # tau = 10 s everywhere: launch at t - 10. Earliest launch 20 s -> intercept at 30 s; each
    # next launch waits for the previous intercept + 5 s assessment: intercepts 30, 45, 60, 75.
    t = _line()
    w = engagement_windows(
        t_s=t,
        tau_s=np.full_like(t, 10.0),
        guided=np.ones(t.shape, bool),
        earliest_launch_t_s=np.array([20.0]),
        kill_assessment_s=5.0,
        max_slots=4,
    )
    np.testing.assert_allclose(w.intercept_t_s[0], [30.0, 45.0, 60.0, 75.0])
    np.testing.assert_allclose(w.launch_t_s[0], [20.0, 35.0, 50.0, 65.0])
    assert w.n_slots[0] == 4
    assert w.latest_launch_t_s[0] == 90.0
    assert w.first_intercept_t_s[0] == 30.0
    assert w.last_intercept_t_s[0] == 100.0


def test_slot_count_matches_window_length_over_cycle() -> None:
    # Window of intercepts [30, 100] with a 15 s cycle: floor((100 - 30) / 15) + 1 = 5 slots.
    t = _line()
    w = engagement_windows(
        t_s=t,
        tau_s=np.full_like(t, 10.0),
        guided=np.ones(t.shape, bool),
        earliest_launch_t_s=np.array([20.0]),
        kill_assessment_s=5.0,
        max_slots=8,
    )
    assert w.n_slots[0] == 5


def test_no_track_envelope_or_guidance_means_no_window() -> None:
    t = _line(n_threats=3)
    tau = np.full_like(t, 10.0)
    tau[1] = np.nan  # never in the envelope
    guided = np.ones(t.shape, bool)
    guided[2] = False  # never guided
    w = engagement_windows(
        t_s=t,
        tau_s=tau,
        guided=guided,
        earliest_launch_t_s=np.array([np.inf, 0.0, 0.0]),  # threat 0: no fire-control track
        kill_assessment_s=5.0,
        max_slots=4,
    )
    np.testing.assert_array_equal(w.n_slots, [0, 0, 0])
    assert np.all(np.isnan(w.intercept_t_s))
    assert np.all(np.isnan(w.latest_launch_t_s))


def test_envelope_limits_intercept_points() -> None:
    # Reachable only for samples with 40 <= t <= 60 (e.g. the altitude band).
    t = _line()
    tau = np.where((t[0] >= 40) & (t[0] <= 60), 10.0, np.nan)[None, :]
    w = engagement_windows(
        t_s=t,
        tau_s=tau,
        guided=np.ones(t.shape, bool),
        earliest_launch_t_s=np.array([0.0]),
        kill_assessment_s=5.0,
        max_slots=4,
    )
    np.testing.assert_allclose(w.intercept_t_s[0, :2], [40.0, 55.0])
    assert w.n_slots[0] == 2


@settings(max_examples=50, deadline=None)
@given(
    st.floats(0.0, 80.0),
    st.floats(0.0, 80.0),
    st.floats(1.0, 30.0),
    st.floats(0.0, 20.0),
)
def test_earlier_track_never_shrinks_the_window(
    early_s: float, extra_s: float, tau_s: float, ka_s: float
) -> None:
    t = _line()
    common = {
        "t_s": t,
        "tau_s": np.full_like(t, tau_s),
        "guided": np.ones(t.shape, bool),
        "kill_assessment_s": ka_s,
        "max_slots": 6,
    }
    a = engagement_windows(earliest_launch_t_s=np.array([early_s]), **common)
    b = engagement_windows(earliest_launch_t_s=np.array([early_s + extra_s]), **common)
    assert a.n_slots[0] >= b.n_slots[0]
    k = int(b.n_slots[0])
    # every slot time respects launch >= earliest and the assessment cycle
    if k:
        assert b.launch_t_s[0, 0] >= early_s + extra_s - 1e-9
        gaps = b.launch_t_s[0, 1:k] - b.intercept_t_s[0, : k - 1]
        assert np.all(gaps >= ka_s - 1e-9)
