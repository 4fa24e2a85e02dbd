"""The compiled kernel's per-trial setup: its priority order (the rows kept from the once-sorted
reference merged with the rows whose priority differs) equals a stable sort of all of them, and
its remembered searches for the rows' first opportunities are those a search makes."""

from __future__ import annotations

import numpy as np
import pytest

from shieldwall.outcome._kernels import _merged_order
from shieldwall.outcome.outcomes import EVENT_TRIALS
from shieldwall.scenario.doctrine import Doctrine
from tests.outcome.fights import (
    FIGHTERS,
    Kind,
    Land,
    Lane,
    Raid,
    Unit,
    draws_for,
    make_fight,
    make_trials,
)


@pytest.mark.parametrize("seed", range(40))
def test_merged_order_equals_the_stable_sort(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n_r = int(rng.integers(1, 60))
    values = np.array([-5.0, -2.0, -2.0, -1.0, -1.0, -0.0, 0.0])  # many equal priorities
    ref_prio = rng.choice(values, n_r)
    ref_auth = rng.random(n_r) < 0.8
    ref_rows = np.flatnonzero(ref_auth)
    ref_order = ref_rows[np.argsort(ref_prio[ref_rows], kind="stable")]
    for _ in range(20):
        # per trial: some rows lose authority, some take another priority (or gain authority)
        auth = np.where(rng.random(n_r) < 0.15, ~ref_auth, ref_auth)
        prio = np.where(
            rng.random(n_r) < rng.choice([0.0, 0.1, 0.6]), rng.choice(values, n_r), ref_prio
        )
        prio[rng.random(n_r) < 0.03] = np.nan
        kept = auth & ref_auth & (prio == ref_prio)
        new_rows = np.flatnonzero(auth & ~kept)
        perm = np.full(n_r, -1, dtype=np.int64)
        count = _merged_order(ref_order, kept, prio, new_rows, prio[new_rows].copy(), perm)
        rows = np.flatnonzero(auth)
        expected = rows[np.argsort(prio[rows], kind="stable")]
        assert count == rows.size
        np.testing.assert_array_equal(perm[:count], expected)


def test_first_opportunity_searched_anew_for_another_time_in_the_same_second() -> None:
    # the kernel remembers a row's searches per whole second of the time searched from: a
    # trial with fire control at 100.25 s must not reuse the search from 100.0 s (the sample
    # launching at 100.0), but take the one launching at 100.5
    fight = make_fight(
        Raid(1, impact_s=[300.0]),
        [Kind(pk=1.0, kill_assessment_s=5.0, reaction_s=0.0)],
        [Unit(inventory=4, channels=1)],
        [Lane(0, 0, [100.0, 100.5, 103.0], [150.0, 151.0, 160.0])],
        Doctrine(mode="sls"),
        Land(value=(1.0,)),
    )
    n_tr = 2 * EVENT_TRIALS
    draws = draws_for(fight, 3, 0, n_tr)
    fc = np.where(np.arange(n_tr) % 2 == 0, 100.0, 100.25)[:, None, None]
    trials = make_trials(fight, draws, fire_control_t_s=fc)
    for name in ("engine", "reference"):
        ev = FIGHTERS[name](fight, trials, draws).events.columns()
        first = np.array([ev["launch_t_s"][ev["trial"] == n].min() for n in range(EVENT_TRIALS)])
        expected = np.where(np.arange(EVENT_TRIALS) % 2 == 0, 100.0, 100.5)
        np.testing.assert_array_equal(first, expected, err_msg=name)
