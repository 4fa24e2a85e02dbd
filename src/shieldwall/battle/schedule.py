"""The engagement schedule: every shot the battle manager may take, in launch order.

A :class:`Schedule` turns a plan (how many rounds each battery commits to each threat) and the
:class:`~shieldwall.battle.opportunities.Opportunities` into a flat list of *events*, sorted by
launch time. Planned events fire unless the threat is already assessed killed. Reserve events are
the rolling re-plan: every remaining (battery, threat, SLS slot) opportunity, taken one round at a
time only after the plan for that threat has failed — at least one round fired at it, every one
of them assessed as a miss, no planned event for it left — while the battery has rounds left and
the threat's shot cap is not reached. The outcome engine resolves the events for
all trials at once (:mod:`shieldwall.outcome.engine`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from shieldwall._types import F64, I64
from shieldwall.battle.opportunities import Opportunities

__all__ = ["FIRE_MODES", "Schedule", "build_schedule", "slot_rounds"]


#: How planned rounds of one pair are spread over its SLS slots.
FIRE_MODES = ("sls", "salvo")


@dataclass(frozen=True, kw_only=True)
class Schedule:
    """Events (shots the manager may take) sorted by launch time, plus the plan behind them.

    Attributes
    ----------
    policy, solver : str
        Where the plan came from.
    n_threats, n_batteries : int
        Table sizes.
    inventory : (n_batteries,) int
        Rounds each battery holds at the start.
    max_shots_per_threat : int
        Most rounds fired at one threat in a trial (all batteries).
    plan : (n_batteries, n_threats) int
        Rounds planned per pair.
    threat_idx, battery_idx, row_idx, slot : (e,) int
        Event pair, its row in the opportunities table and its SLS slot.
    n_fire : (e,) int
        Rounds fired together (salvo size of the event).
    planned : (e,) bool
        Planned (fires unless assessed killed) or reserve (re-plan).
    planned_after : (e,) int
        Planned events at the same threat later in the schedule (a reserve waits for 0).
    later_slots : (e, k) int
        For a planned event, the planned events of later SLS slots of the same pair (-1
        padding). When a trial's track delay pushes them out of the window, their rounds are
        fired with this event instead (the manager knows the delay before its first launch).
    launch_t_s, intercept_t_s, assess_t_s : (e,)
        Nominal launch, intercept and assessment-complete times. [s]
    slack_s : (e,)
        Largest extra track delay for which the event still fits its window. [s]
    pk, reliability : (e,)
        Single-shot kill probability and interceptor reliability. []
    """

    policy: str
    solver: str
    n_threats: int
    n_batteries: int
    inventory: I64
    max_shots_per_threat: int
    plan: I64
    threat_idx: I64
    battery_idx: I64
    row_idx: I64
    slot: I64
    n_fire: I64
    planned: NDArray[np.bool_]
    planned_after: I64
    later_slots: I64
    launch_t_s: F64
    intercept_t_s: F64
    assess_t_s: F64
    slack_s: F64
    pk: F64
    reliability: F64

    @property
    def n_events(self) -> int:
        """Number of events."""
        return int(self.threat_idx.shape[0])


def slot_rounds(shots: I64, n_slots: I64, n_max: int, mode: str) -> I64:
    """Spread each pair's planned rounds over its SLS slots.

    Parameters
    ----------
    shots : (n,) int
        Planned rounds per pair. []
    n_slots : (n,) int
        SLS slots available per pair (>= 1 where ``shots > 0``). []
    n_max
        Width of the result (slot axis). []
    mode
        ``"sls"``: one round per slot, earlier slots take the extra rounds when there are more
        rounds than slots; ``"salvo"``: every round in the first slot.

    Returns
    -------
    (n, n_max) int rounds per slot; they sum to ``shots``.
    """
    k = np.arange(n_max)[None, :]
    if mode == "salvo":
        return np.where(k == 0, shots[:, None], 0).astype(np.int64)
    n = np.maximum(n_slots, 1)[:, None]
    base = shots[:, None] // n
    extra = (k < (shots[:, None] % n)).astype(np.int64)
    return np.where(k < n, base + extra, 0).astype(np.int64)


def build_schedule(
    *,
    opportunities: Opportunities,
    plan: I64,
    inventory: I64,
    n_threats: int,
    solver: str,
    mode: str = "sls",
    reserve: bool = True,
    max_shots_per_threat: int = 8,
) -> Schedule:
    """Planned and reserve events of one policy, sorted by launch time.

    Parameters
    ----------
    opportunities
        Windows under the policy.
    plan : (n_batteries, n_threats) int
        Rounds each battery commits to each threat (0 where there is no window).
    inventory : (n_batteries,) int
        Starting rounds per battery.
    n_threats
        Number of threats.
    solver
        Name of the solver that made the plan (provenance).
    mode
        ``"sls"`` or ``"salvo"`` (:func:`slot_rounds`).
    reserve
        Whether to add reserve (re-engagement) events.
    max_shots_per_threat
        Cap on rounds per threat per trial.
    """
    opp = opportunities
    n_b = int(np.asarray(inventory).shape[0])
    shots = np.asarray(plan, dtype=np.int64)[opp.battery_idx, opp.threat_idx]
    per_slot = slot_rounds(shots, opp.n_slots, opp.launch_t_s.shape[1], mode)
    exists = np.arange(opp.launch_t_s.shape[1])[None, :] < opp.n_slots[:, None]
    planned_ev = (per_slot > 0) & exists
    reserve_ev = (per_slot == 0) & exists & reserve
    r_p, k_p = np.nonzero(planned_ev)
    r_r, k_r = np.nonzero(reserve_ev)
    row = np.concatenate([r_p, r_r]).astype(np.int64)
    slot = np.concatenate([k_p, k_r]).astype(np.int64)
    n_fire = np.concatenate([per_slot[r_p, k_p], np.ones(r_r.size, dtype=np.int64)])
    planned = np.concatenate([np.ones(r_p.size, bool), np.zeros(r_r.size, bool)])
    launch = opp.launch_t_s[row, slot]
    # Planned before reserve at equal times; then by threat and battery for a stable order.
    order = np.lexsort((opp.battery_idx[row], opp.threat_idx[row], ~planned, launch))
    row, slot, n_fire = row[order], slot[order], n_fire[order]
    planned, launch = planned[order], launch[order]
    threat = opp.threat_idx[row]
    # planned events at the same threat strictly later in the schedule: a reverse cumulative
    # count within each threat
    planned_after = np.zeros(row.size, dtype=np.int64)
    by_threat = np.lexsort((-np.arange(row.size), threat))  # per threat, latest event first
    seen = np.zeros(n_threats, dtype=np.int64)
    for e in by_threat.tolist():  # once per policy, over events
        planned_after[e] = seen[threat[e]]
        seen[threat[e]] += int(planned[e])
    width = max(opp.launch_t_s.shape[1] - 1, 1)
    later = np.full((row.size, width), -1, dtype=np.int64)
    planned_ev_idx = np.flatnonzero(planned)
    by_row = planned_ev_idx[np.lexsort((slot[planned_ev_idx], row[planned_ev_idx]))]
    for a in range(by_row.size):  # once per policy, over planned events
        e = by_row[a]
        b = a + 1
        while b < by_row.size and row[by_row[b]] == row[e]:
            later[e, b - a - 1] = by_row[b]
            b += 1
    return Schedule(
        policy=opp.policy,
        solver=solver,
        n_threats=n_threats,
        n_batteries=n_b,
        inventory=np.asarray(inventory, dtype=np.int64),
        max_shots_per_threat=max_shots_per_threat,
        plan=np.asarray(plan, dtype=np.int64),
        threat_idx=threat,
        battery_idx=opp.battery_idx[row],
        row_idx=row,
        slot=slot,
        n_fire=n_fire.astype(np.int64),
        planned=planned,
        planned_after=planned_after,
        later_slots=later,
        launch_t_s=launch,
        intercept_t_s=opp.intercept_t_s[row, slot],
        assess_t_s=opp.assess_t_s[row, slot],
        slack_s=opp.latest_launch_t_s[row] - launch,
        pk=opp.pk[row],
        reliability=opp.reliability[row],
    )
