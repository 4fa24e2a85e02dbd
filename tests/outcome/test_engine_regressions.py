"""Engine deviations from docs/battle.md found by the independent reference (branch battleref),
each traced by hand; both failed before the fix and agree with the stepping reading."""

from __future__ import annotations

import numpy as np

from shieldwall.outcome.engine import fight
from shieldwall.scenario.doctrine import Doctrine
from tests.outcome.handmade import Battery, Case, Kind, Row, Threat
from tests.outcome.stepping import step_all


def test_a_battery_short_of_a_full_salvo_needs_fewer_spare_rounds() -> None:
    """One battery, one channel, 4 rounds, salvos of 2, caps 2, 1 round planned for threat 2.

    65 s: threat 0 takes a spare salvo (4 − 1 committed ≥ 2); threats 1 and 2 find the channel
    busy. 70 s: threat 2 fires its planned round. 75 s: threat 1 (lower index, equal priority)
    now needs only 1 spare round — the battery has 1 left — and takes it. The engine once kept
    threat 1 waiting for the end of threat 2's commitment: rounds [2, 0, 2] instead of [2, 1, 1].
    """
    case = Case(
        threats=[Threat(impact_s=300.0)] * 3,
        batteries=[Battery(inventory=4, channels=1)],
        rows=[
            Row(0, 0, ((70.0, 65.0),)),
            Row(0, 1, ((70.0, 65.0), (80.0, 75.0))),
            Row(0, 2, ((70.0, 65.0), (75.0, 70.0), (80.0, 75.0)), planned=1),
        ],
        kinds=[Kind(pk=0.5, ka_s=0.0)],
        doctrine=Doctrine(
            mode="salvo", salvo_size=2, max_rounds_per_pair=2, max_rounds_per_threat=2
        ),
    )
    fi, ti, d = case.block(5, 0, 50)
    out = fight(fi, ti, d)
    np.testing.assert_array_equal(out.rounds_at, np.broadcast_to([2, 1, 1], (50, 3)))
    np.testing.assert_array_equal(step_all(fi, ti, d, 50)["rounds_at"], out.rounds_at)


def test_the_lower_tier_waits_for_an_upper_row_short_of_spare_rounds() -> None:
    """Upper tier first, reserve 1: the upper battery (1 round) has no spare round, but its row is
    pending by rule 4 (authority, not dead-ended, an admissible launch left, a round, under its
    cap), so the lower tier holds fire too: nothing is fired. The engine once used the upper
    row's jumped ready time (never) instead of the definition's and let the lower tier fire."""
    case = Case(
        threats=[Threat(impact_s=300.0)],
        batteries=[Battery(kind=1, inventory=2, channels=1), Battery(kind=0, inventory=1, channels=1)],
        rows=[Row(0, 0, ((70.0, 65.0), (75.0, 70.0))), Row(1, 0, ((70.0, 65.0), (75.0, 70.0)))],
        kinds=[Kind(pk=0.5, ka_s=0.0, upper=True), Kind(pk=0.5, ka_s=0.0)],
        doctrine=Doctrine(
            mode="sls", max_rounds_per_pair=1, max_rounds_per_threat=1, reserve_rounds=1,
            upper_tier_first=True,
        ),
    )  # fmt: skip
    fi, ti, d = case.block(5, 0, 50)
    out = fight(fi, ti, d)
    assert not out.rounds_at.any()
    assert out.leaked.all()
