"""The nominal planner: solvers and objectives by name, channel groups, warm starts."""

from __future__ import annotations

import dataclasses
from types import SimpleNamespace

import numpy as np
import pytest

from shieldwall.battle import (
    ChannelGroups,
    PlanError,
    Reach,
    at_least_as_permissive,
    channel_groups,
    plan_fight,
    plan_matrix,
    plan_policies,
)
from shieldwall.battle.plan import plan_rows
from shieldwall.scenario.policy import preset_policy
from tests.outcome.handmade import Battery, Case, Kind, Row, Threat

NO_GROUPS = ChannelGroups(
    battery_idx=np.zeros(0, np.int64), cap=np.zeros(0, np.int64),
    start=np.zeros(1, np.int64), members=np.zeros(0, np.int64),
)  # fmt: skip


def _case(inventory: tuple[int, int] = (3, 3), defends: np.ndarray | None = None) -> Case:
    """Two nations; battery 0 (nation 0) reaches threats 0-2, battery 1 (nation 1) threats 1-3;
    threats 0, 1 on nation 0's assets (values 10, 5), threats 2, 3 on nation 1's (values 4, 1)."""
    threats = [Threat(value=v, nation=n) for v, n in ((10.0, 0), (5.0, 0), (4.0, 1), (1.0, 1))]
    rows = [Row.window(0, i, 100.0, 5) for i in (0, 1, 2)] + [
        Row.window(1, i, 100.0, 5) for i in (1, 2, 3)
    ]
    return Case(
        threats=threats,
        batteries=[
            Battery(inventory=inventory[0], nation=0),
            Battery(inventory=inventory[1], nation=1),
        ],
        rows=rows,
        kinds=[Kind(pk=0.6)],
        n_nations=2,
        defends=defends,
    )


def test_rows_in_the_plan_need_authority_for_the_true_target() -> None:
    fi = _case().inputs()
    rows = plan_rows(fi, "asset_value")
    own = fi.target_nation_idx[fi.row_threat_idx] == fi.row_nation_idx
    np.testing.assert_array_equal(rows, own)
    allied = _case(defends=np.ones((2, 2), bool)).inputs()
    assert plan_rows(allied, "asset_value").all()


@pytest.mark.parametrize("objective", ["asset_value", "expected_leakers"])
def test_solvers_respect_the_constraints_and_exact_is_no_worse(objective: str) -> None:
    fi = _case(inventory=(3, 2)).inputs()
    heur = plan_fight(fi, NO_GROUPS, solver="heuristic", objective=objective)
    exact = plan_fight(fi, NO_GROUPS, solver="exact", objective=objective)
    for res in (heur, exact):
        x = plan_matrix(res)
        assert np.all(x.sum(axis=1) <= [3, 2])
        assert np.all(x <= 2)
        assert not res.planned_rounds[~plan_rows(fi, objective)].any()
        assert res.plan_objective_name == objective
    assert exact.plan_objective <= heur.plan_objective + 1e-9
    # the national batteries never plan for the other nation's threats
    x = plan_matrix(heur)
    assert x[0, 2] == 0
    assert x[1, 1] == 0


def test_objective_values_are_what_they_say() -> None:
    fi = _case(inventory=(0, 0)).inputs()  # nothing to fire: everything leaks
    leak = plan_fight(fi, NO_GROUPS, solver="heuristic", objective="expected_leakers")
    value = plan_fight(fi, NO_GROUPS, solver="heuristic", objective="asset_value")
    assert leak.plan_objective == pytest.approx(4.0)
    assert value.plan_objective == pytest.approx(20.0)


def test_unknown_names_list_the_valid_ones() -> None:
    fi = _case().inputs()
    with pytest.raises(PlanError, match="heuristic, exact, doctrine"):
        plan_fight(fi, NO_GROUPS, solver="greedy", objective="asset_value")
    with pytest.raises(PlanError, match="asset_value, expected_leakers"):
        plan_fight(fi, NO_GROUPS, solver="heuristic", objective="kills")


def test_the_doctrine_solver_plans_nothing_and_fires_salvos() -> None:
    res = plan_fight(_case().inputs(), NO_GROUPS, solver="doctrine", objective="asset_value")
    assert not res.planned_rounds.any()
    assert res.doctrine.mode == "salvo"


def _reach(entries: list[tuple[int, int, float, float]]) -> Reach:
    """A Reach with one sample per (battery, threat, first intercept t, flyout tau)."""
    entries = sorted(entries, key=lambda e: (e[1], e[0]))
    n = len(entries)
    f = np.array([e[2] for e in entries])
    return Reach(
        pair_battery_idx=np.array([e[0] for e in entries]),
        pair_threat_idx=np.array([e[1] for e in entries]),
        pair_start=np.arange(n + 1),
        grid_idx=np.zeros(n, np.int64),
        t_s=f,
        tau_s=np.array([e[3] for e in entries]),
        lat_rad=np.zeros(n),
        lon_rad=np.zeros(n),
        alt_m=np.zeros(n),
    )


def test_channel_groups_hold_the_threats_a_first_engagement_overlaps() -> None:
    # Battery 0, one channel: threats 0, 1 enter its reach 1 s apart (engagements hold 20 s);
    # threat 2 enters 300 s later: one group {0, 1} with cap 1. Battery 1 has 2 channels for
    # three threats entering at once: {0, 1, 2}, cap 2. With the hold to the assessment (+30 s),
    # threat 3 at +45 s joins battery 0's group.
    rch = _reach(
        [(0, 0, 100.0, 20.0), (0, 1, 101.0, 20.0), (0, 2, 400.0, 20.0), (0, 3, 145.0, 20.0),
         (1, 0, 50.0, 10.0), (1, 1, 51.0, 10.0), (1, 2, 52.0, 10.0)]
    )  # fmt: skip
    g = channel_groups(rch, np.array([1, 2]), np.array([30.0]), np.array([0, 0]), "intercept")
    members = [sorted(g.members[g.start[k] : g.start[k + 1]].tolist()) for k in range(g.n_groups)]
    assert sorted(zip(g.battery_idx.tolist(), members, g.cap.tolist(), strict=True)) == [
        (0, [0, 1], 1),
        (1, [0, 1, 2], 2),
    ]
    g2 = channel_groups(rch, np.array([1, 2]), np.array([30.0]), np.array([0, 0]), "assessment")
    assert [0, 1, 3] in [
        sorted(g2.members[g2.start[k] : g2.start[k + 1]].tolist()) for k in range(g2.n_groups)
    ]


def test_plans_keep_to_the_channel_groups() -> None:
    # One channel; threats 0, 1 in one group: the plan engages one of them only.
    case = Case(
        threats=[Threat(value=3.0), Threat(value=2.0)],
        batteries=[Battery(inventory=4, channels=1)],
        rows=[Row.window(0, 0, 100.0, 3), Row.window(0, 1, 100.0, 3)],
        kinds=[Kind(pk=0.6)],
    )
    fi = case.inputs()
    groups = ChannelGroups(
        battery_idx=np.array([0]),
        cap=np.array([1]),
        start=np.array([0, 2]),
        members=np.array([0, 1]),
    )
    for solver in ("heuristic", "exact"):
        x = plan_matrix(plan_fight(fi, groups, solver=solver, objective="asset_value"))
        assert (x[0] > 0).sum() == 1
        assert x[0, 0] == 2


def test_warm_starts_are_never_made_worse() -> None:
    fi = _case(inventory=(3, 3)).inputs()
    start = np.zeros((2, 4), dtype=np.int64)
    start[0, 0] = 2
    start[1, 3] = 2
    with_start = plan_fight(
        fi, NO_GROUPS, solver="heuristic", objective="asset_value", warm_start=start
    )
    # the start's own objective: lost value of assets 1 (5), 2 (4) for sure, 0 and 3 with 0.4^2
    start_value = 5.0 + 4.0 + (10.0 + 1.0) * 0.4**2
    assert with_start.plan_objective <= start_value + 1e-12
    # a start this policy cannot fly (a pair without authority) is cut down to what it can
    bad = start.copy()
    bad[0, 2] = 1
    cut = plan_fight(fi, NO_GROUPS, solver="heuristic", objective="asset_value", warm_start=bad)
    assert cut.plan_objective <= start_value + 1e-12
    assert plan_matrix(cut)[0, 2] == 0


def test_presets_are_ordered_by_permissiveness() -> None:
    names = ("national", "cueing", "shared_tracks", "integrated")
    pol = {n: preset_policy(n, 3, 10.0) for n in names}
    for k, a in enumerate(names):
        for b in names[: k + 1]:
            assert at_least_as_permissive(pol[a], pol[b])
        for b in names[k + 1 :]:
            assert not at_least_as_permissive(pol[a], pol[b])
    slower = dataclasses.replace(pol["cueing"], latency_s=pol["cueing"].latency_s * 2)
    assert not at_least_as_permissive(slower, pol["cueing"])


def test_plan_policies_is_monotone_in_authority() -> None:
    eye, allied = np.eye(2, dtype=bool), np.ones((2, 2), bool)
    fights = {"alone": _case(defends=eye).inputs(), "allied": _case(defends=allied).inputs()}
    fights = {
        k: dataclasses.replace(v, defends=eye if k == "alone" else allied)
        for k, v in fights.items()
    }
    lever = {"share": np.full((2, 2), 3), "ifc": np.zeros(2, bool), "latency_s": np.zeros((2, 2))}
    policies = {
        "alone": SimpleNamespace(defends=eye, **lever),
        "allied": SimpleNamespace(defends=allied, **lever),
    }
    for inv in ((1, 4), (3, 3), (4, 0)):
        fights = {k: dataclasses.replace(v, inventory=np.array(inv)) for k, v in fights.items()}
        planned = plan_policies(
            fights, policies, NO_GROUPS, solver="heuristic", objective="asset_value"
        )  # type: ignore[arg-type]
        assert planned["allied"].plan_objective <= planned["alone"].plan_objective + 1e-12


def test_channel_groups_engaged_counts_distinct_threats_per_group_empty_ones_too() -> None:
    x = np.array([[1, 0, 2, 1], [0, 3, 0, 0]])
    full = ChannelGroups(
        battery_idx=np.array([0, 1, 0]), cap=np.array([1, 1, 1]), start=np.array([0, 3, 5, 7]),
        members=np.array([0, 1, 2, 0, 1, 2, 3]),
    )  # fmt: skip
    np.testing.assert_array_equal(full.engaged(x), [2, 1, 2])
    with_empty = ChannelGroups(
        battery_idx=np.array([0, 1, 0]), cap=np.array([1, 1, 1]), start=np.array([0, 3, 3, 5]),
        members=np.array([0, 1, 2, 2, 3]),
    )  # fmt: skip
    np.testing.assert_array_equal(with_empty.engaged(x), [2, 0, 2])
