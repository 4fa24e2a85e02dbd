"""The nominal fire plan: rounds per row, by a named solver and objective (docs/battle.md §5).

The plan is made once per (raid geometry, policy) on nominal inputs — nominal earliest launches,
true targets, every missile flying — and then fought per trial by the engine, which frees the
rounds of threats that fail, are reported dead or whose windows close (the spare rule). Solvers:
``heuristic`` (maximum marginal return + local search) and ``exact`` (MILP) from
:mod:`shieldwall.battle.wta`, and ``doctrine`` (no plan). Objectives: ``asset_value`` (expected
asset value lost, asset-based WTA) and ``expected_leakers`` (target-based, value 1 per threat on a
defended asset). Fire channels enter as time-aware channel groups (:class:`ChannelGroups`),
enforced by forbid-and-resolve. A more permissive policy's plan starts from the less permissive
one's (:func:`plan_policies`), so the planner objective is monotone in the levers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import cached_property

import numpy as np

from shieldwall._types import F64, I64, B
from shieldwall.battle.fight_inputs import FightInputs
from shieldwall.battle.inputs import PolicyLike
from shieldwall.battle.windows import Reach
from shieldwall.battle.wta import WTAProblem, solve
from shieldwall.battle.wta.solve import StartCache
from shieldwall.errors import Problem, ShieldwallError
from shieldwall.scenario.doctrine import PLANNER_OBJECTIVES, PLANNER_SOLVERS

__all__ = [
    "ChannelGroups",
    "PlanError",
    "PlanMemo",
    "at_least_as_permissive",
    "channel_groups",
    "plan_fight",
    "plan_matrix",
    "plan_policies",
    "plan_rows",
]

#: Largest kill probability passed to the WTA solvers (they require pk < 1).
_PK_CEILING = 1.0 - 1e-9
#: Most forbid-and-resolve rounds (each forbids at least one pair; this only guards the loop).
_MAX_REPAIRS = 50


class PlanError(ShieldwallError, ValueError):
    """A fire-planning request is invalid (unknown solver or objective)."""


@dataclass(frozen=True, kw_only=True)
class ChannelGroups:
    """Time-aware fire-channel constraints of the plan (policy-independent).

    Group ``g`` of battery ``battery_idx[g]`` holds the threats
    ``members[start[g]:start[g + 1]]``; the plan engages at most ``cap[g]`` of them.

    Attributes
    ----------
    battery_idx, cap : (n_group,) int
    start : (n_group + 1,) int
    members : (n_member,) int
    """

    battery_idx: I64
    cap: I64
    start: I64
    members: I64

    @property
    def n_groups(self) -> int:
        """Number of groups."""
        return int(self.battery_idx.shape[0])

    @cached_property
    def _member_group(self) -> tuple[I64, I64, bool]:
        """The group of each member and its battery, ``(n_member,)`` each, and whether every
        group has a member (those from :func:`channel_groups` do)."""
        g = np.repeat(np.arange(self.n_groups), np.diff(self.start))
        return g, self.battery_idx[g], bool(np.all(np.diff(self.start) > 0))

    def engaged(self, x: I64) -> I64:
        """Distinct threats each group engages under plan ``x (n_battery, n_threat)``."""
        g, b, none_empty = self._member_group
        on = x[b, self.members] > 0
        if none_empty and self.n_groups:
            return np.add.reduceat(on.astype(np.int64), self.start[:-1])
        return np.bincount(g, weights=on, minlength=self.n_groups).astype(np.int64)


def channel_groups(
    rch: Reach, fire_channels: I64, kill_assessment_s: F64, battery_type: I64, hold: str
) -> ChannelGroups:
    """Channel groups from the kinematic windows (docs/battle.md §5, "Fire channels in the plan").

    Parameters
    ----------
    rch
        Reachable samples (policy-independent).
    fire_channels : (n_battery,) int
        Simultaneous engagements per battery.
    kill_assessment_s : (n_type,)
        Assessment time per interceptor type (added to the hold under ``assessment``). [s]
    battery_type : (n_battery,) int
        Interceptor type of each battery.
    hold
        ``intercept`` or ``assessment`` (``doctrine.channel_hold``).
    """
    e, tau = rch.first()
    b = rch.pair_battery_idx
    h = tau + (kill_assessment_s[battery_type[b]] if hold == "assessment" else 0.0)
    order = np.lexsort((rch.pair_threat_idx, e, b))
    b, e, h, thr = b[order], e[order], h[order], rch.pair_threat_idx[order]
    # Per battery, pairs sorted by entry time: group at anchor a = [a, first e >= e_a + h_a).
    key_b = b.astype(np.float64)
    # searchsorted within each battery's block: combine (battery, time) lexicographically.
    block_lo = np.searchsorted(b, b, side="left")
    block_hi = np.searchsorted(b, b, side="right")
    ends = np.empty(b.size, dtype=np.int64)
    for blo, bhi in {(int(lo), int(hi)) for lo, hi in zip(block_lo, block_hi, strict=True)}:
        ends[blo:bhi] = blo + np.searchsorted(e[blo:bhi], e[blo:bhi] + h[blo:bhi], side="left")
    del key_b
    size = ends - np.arange(b.size)
    cap = np.asarray(fire_channels, dtype=np.int64)[b]
    binding = size > cap
    # A group contained in its predecessor's (same end, later start) adds nothing.
    prev_end = np.concatenate([[-1], ends[:-1]])
    same_b = np.concatenate([[False], b[1:] == b[:-1]])
    keep = binding & ~(same_b & (ends <= prev_end))
    anchors = np.flatnonzero(keep)
    lengths = ends[anchors] - anchors
    start = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    idx = (
        np.concatenate([np.arange(a, z) for a, z in zip(anchors, ends[anchors], strict=True)])
        if anchors.size
        else np.zeros(0, dtype=np.int64)
    )
    return ChannelGroups(
        battery_idx=b[anchors].astype(np.int64),
        cap=cap[anchors].astype(np.int64),
        start=start,
        members=thr[idx].astype(np.int64),
    )


def _check(solver: str, objective: str) -> None:
    if solver not in PLANNER_SOLVERS:
        msg = f"unknown solver {solver!r}; valid solvers: {', '.join(PLANNER_SOLVERS)}"
        raise PlanError(msg, [Problem(message=msg, path="planner.solver")])
    if objective not in PLANNER_OBJECTIVES:
        msg = f"unknown objective {objective!r}; valid objectives: {', '.join(PLANNER_OBJECTIVES)}"
        raise PlanError(msg, [Problem(message=msg, path="planner.objective")])


def plan_rows(fi: FightInputs, objective: str) -> B:
    """Rows that enter the plan: a nominal slot, authority for the true target, and worth."""
    latest = fi.row_latest_launch_t_s
    has_slot = latest >= fi.row_nominal_earliest_launch_t_s
    nat = fi.target_nation_idx[fi.row_threat_idx]
    auth = (nat >= 0) & fi.defends[fi.row_nation_idx, np.maximum(nat, 0)]
    worth = (
        fi.target_value[fi.row_threat_idx] > 0
        if objective == "asset_value"
        else fi.target_asset_idx[fi.row_threat_idx] >= 0
    )
    return np.asarray(has_slot & auth & worth, dtype=bool)


def _full_problem(fi: FightInputs, objective: str) -> WTAProblem:
    """The WTA problem of ``fi`` in ``objective`` with every pair its rows allow."""
    n_b, n_t = fi.n_batteries, fi.n_threats
    rows = plan_rows(fi, objective)
    b, i = fi.row_battery_idx[rows], fi.row_threat_idx[rows]
    k = fi.row_type_idx[rows]
    c = fi.threat_class[i]
    p = fi.interceptor_reliability[k] * fi.pk[k, c] * (1.0 - fi.common_mode[k, c])
    pk = np.zeros((n_b, n_t))
    pk[b, i] = np.clip(p, 0.0, _PK_CEILING)
    max_shots = np.zeros((n_b, n_t), dtype=np.int64)
    max_shots[b, i] = fi.doctrine.max_rounds_per_pair
    caps = np.full(n_t, fi.doctrine.max_rounds_per_threat, dtype=np.int64)
    if objective == "expected_leakers":
        values = (fi.target_asset_idx >= 0).astype(np.float64)
        return WTAProblem(
            values=values, pk=pk, inventory=fi.inventory, max_shots=max_shots,
            max_shots_per_target=caps,
        )  # fmt: skip
    n_a = fi.n_assets
    target = np.where(fi.target_asset_idx >= 0, fi.target_asset_idx, n_a)  # n_a = "nothing"
    return WTAProblem(
        values=fi.target_value.copy(),
        pk=pk,
        inventory=fi.inventory,
        max_shots=max_shots,
        max_shots_per_target=caps,
        target_asset=target,
        asset_values=np.append(fi.asset_value, 0.0),
    )


def _forbid(full: WTAProblem, forbidden: B) -> WTAProblem:
    """``full`` with the kill probability of the ``forbidden`` pairs set to 0 (the problem
    :func:`_full_problem` would make with them forbidden; the other arrays are read-only)."""
    pk = full.pk.copy()
    pk[forbidden] = 0.0
    return replace(full, pk=pk)


def _feasible_start(problem: WTAProblem, x: I64 | None) -> I64 | None:
    """``x`` cut down to what ``problem`` allows (pairs it lacks dropped), or None."""
    if x is None:
        return None
    y = np.minimum(np.asarray(x, dtype=np.int64), problem.upper)
    return None if problem.violations(y) else y


def _repair(x: I64, groups: ChannelGroups, problem: WTAProblem, forbidden: B) -> bool:
    """Forbid (in place) the weakest engaged pairs of every over-subscribed group — the smallest
    expected value saved, ``V_j (1 − (1 − p)^x)`` — and return whether any was forbidden."""
    pk, values = problem.pk, problem.values
    over = np.flatnonzero(groups.engaged(x) > groups.cap)
    changed = False
    for g in over.tolist():  # over-subscribed groups: few, once per repair round
        b = int(groups.battery_idx[g])
        mem = groups.members[groups.start[g] : groups.start[g + 1]]
        on = mem[x[b, mem] > 0]
        excess = on.size - int(groups.cap[g])
        if excess <= 0:
            continue  # an earlier group's repair already fixed it
        saved = values[on] * -np.expm1(x[b, on] * np.log1p(-pk[b, on]))
        weakest = on[np.argsort(saved, kind="stable")[:excess]]
        forbidden[b, weakest] = True
        x[b, weakest] = 0
        changed = True
    return changed


@dataclass(frozen=True, kw_only=True)
class _Plan:
    x: I64
    objective: float


def plan_fight(
    fi: FightInputs,
    groups: ChannelGroups,
    *,
    solver: str,
    objective: str,
    warm_start: I64 | None = None,
    memo: PlanMemo | None = None,
) -> FightInputs:
    """``fi`` with its nominal plan (``planned_rounds``, ``plan_*``) made by the named solver.

    Parameters
    ----------
    fi
        Fight inputs (any plan in them is ignored).
    groups
        Channel groups of the geometry (:func:`channel_groups`).
    solver, objective
        Names (:data:`~shieldwall.scenario.doctrine.PLANNER_SOLVERS`, ``PLANNER_OBJECTIVES``).
    warm_start : (n_battery, n_threat) int, optional
        A plan to start from (a less permissive policy's); the result is no worse than it in the
        objective. Pairs this policy cannot plan are dropped from it first.
    memo
        Work shared by plans of one geometry (:class:`PlanMemo`); the plan is the same without.

    Raises
    ------
    PlanError
        Unknown solver or objective (the message lists the valid names).
    """
    _check(solver, objective)
    found = _solve(fi, groups, solver, objective, warm_start, memo)
    return _with_plan(fi, found.x, solver, objective, found.objective)


class PlanMemo:
    """Work shared by the plans of one raid geometry (same channel groups and solver).

    Holds a :class:`~shieldwall.battle.wta.solve.StartCache` (the assignment-start searches of
    every WTA problem solved, re-used when forbid-and-resolve meets a problem again) and the
    from-scratch forbid-and-resolve plan of each full problem (two policies with the same
    pairs share it). Plans are the same with or without it; :func:`plan_policies` makes one.
    """

    def __init__(self, groups: ChannelGroups, solver: str) -> None:
        self.groups, self.solver = groups, solver
        self.starts = StartCache()
        self._scratch: list[tuple[WTAProblem, I64]] = []

    def scratch(self, full: WTAProblem) -> I64 | None:
        """The from-scratch plan of ``full`` (a copy), or None."""
        for other, x in self._scratch:
            if StartCache.same(full, other):
                return x.copy()
        return None

    def keep(self, full: WTAProblem, x: I64) -> None:
        """Remember the from-scratch plan ``x`` of ``full``."""
        self._scratch.append((full, x.copy()))


def _forbid_and_resolve(
    fi: FightInputs,
    groups: ChannelGroups,
    solver: str,
    objective: str,
    start: I64 | None,
    cache: StartCache | None,
) -> I64:
    """Solve without channel groups, then forbid the weakest pairs of over-subscribed groups
    and re-solve from the repaired plan until every group holds."""
    forbidden = np.zeros((fi.n_batteries, fi.n_threats), dtype=bool)
    full = _full_problem(fi, objective)
    problem = _forbid(full, forbidden)
    x = solve(problem, solver=solver, warm_start=start, cache=cache).x.astype(np.int64)
    for _ in range(_MAX_REPAIRS):
        if not _repair(x, groups, problem, forbidden):
            break
        problem = _forbid(full, forbidden)
        x = solve(problem, solver=solver, warm_start=x, cache=cache).x.astype(np.int64)
    while _repair(x, groups, problem, forbidden):  # guard: never return an infeasible plan
        pass
    return x


def _from_scratch(
    fi: FightInputs,
    full: WTAProblem,
    groups: ChannelGroups,
    solver: str,
    objective: str,
    memo: PlanMemo | None,
) -> I64:
    """Forbid-and-resolve from no start, shared through ``memo`` by equal full problems."""
    if memo is None or memo.groups is not groups or memo.solver != solver:
        return _forbid_and_resolve(fi, groups, solver, objective, None, None)
    found = memo.scratch(full)
    if found is None:
        found = _forbid_and_resolve(fi, groups, solver, objective, None, memo.starts)
        memo.keep(full, found)
    return found


def _solve(
    fi: FightInputs,
    groups: ChannelGroups,
    solver: str,
    objective: str,
    warm: I64 | None,
    memo: PlanMemo | None = None,
) -> _Plan:
    full = _full_problem(fi, objective)
    start = _feasible_start(full, warm)
    if start is not None and groups.n_groups and np.any(groups.engaged(start) > groups.cap):
        start = None  # not a plan of the same channel model: not a start
    candidates = [np.zeros(full.pk.shape, dtype=np.int64)]
    if solver != "doctrine" and full.pk.any():
        # Forbid-and-resolve depends on where it starts: try from scratch and from the warm
        # start, and keep the warm start itself, so the result is never worse than it.
        candidates = [_from_scratch(fi, full, groups, solver, objective, memo)]
        if start is not None:
            cache = memo.starts if memo is not None and memo.groups is groups else None
            again = _forbid_and_resolve(fi, groups, solver, objective, start, cache)
            candidates += [again, start]
    scores = [float(full.loss(x)) for x in candidates]
    best = int(np.argmin(scores))
    return _Plan(x=candidates[best], objective=scores[best])


def _with_plan(fi: FightInputs, x: I64, solver: str, objective: str, value: float) -> FightInputs:
    rounds = np.asarray(x, dtype=np.int64)[fi.row_battery_idx, fi.row_threat_idx]
    doc = fi.doctrine
    if solver == "doctrine" and doc.mode != "salvo":
        doc = replace(doc, mode="salvo")
    return replace(
        fi,
        planned_rounds=rounds,
        plan_solver=solver,
        plan_objective_name=objective,
        plan_objective=value,
        doctrine=doc,
    )


def plan_matrix(fi: FightInputs) -> I64:
    """The plan of ``fi`` as ``(n_battery, n_threat)`` rounds."""
    x = np.zeros((fi.n_batteries, fi.n_threats), dtype=np.int64)
    x[fi.row_battery_idx, fi.row_threat_idx] = fi.planned_rounds
    return x


def at_least_as_permissive(p: PolicyLike, q: PolicyLike) -> bool:
    """Whether ``p``'s levers are all at least as permissive as ``q``'s (docs/battle.md §5)."""
    share_p, share_q = np.asarray(p.share), np.asarray(q.share)
    if share_p.shape != share_q.shape or np.any(share_p < share_q):
        return False
    if np.any(np.asarray(q.defends) & ~np.asarray(p.defends)):
        return False
    ifc_p = np.asarray(getattr(p, "ifc", np.zeros(share_p.shape[0], bool)), dtype=bool)
    ifc_q = np.asarray(getattr(q, "ifc", np.zeros(share_q.shape[0], bool)), dtype=bool)
    if np.any(ifc_q & ~ifc_p):
        return False
    linked = share_q >= 1
    return not np.any(linked & (np.asarray(p.latency_s) > np.asarray(q.latency_s)))


def plan_policies(
    fights: Mapping[str, FightInputs],
    policies: Mapping[str, PolicyLike],
    groups: ChannelGroups,
    *,
    solver: str,
    objective: str,
) -> dict[str, FightInputs]:
    """Plan several policies on one geometry, each warm-started from those it dominates.

    Policies are planned least permissive first (by the number of policies each is at least as
    permissive as); each starts from the best plan, in its own objective, of the already planned
    policies it is at least as permissive as.

    Parameters
    ----------
    fights
        Fight inputs per policy name (same geometry).
    policies
        The policies by the same names.
    groups
        Channel groups of the geometry.
    solver, objective
        As in :func:`plan_fight`.
    """
    _check(solver, objective)
    names = list(fights)
    below = {
        p: [q for q in names if q != p and at_least_as_permissive(policies[p], policies[q])]
        for p in names
    }
    order = sorted(names, key=lambda p: (len(below[p]), names.index(p)))
    memo = PlanMemo(groups, solver)
    done: dict[str, FightInputs] = {}
    for p in order:
        fi = fights[p]
        starts = [plan_matrix(done[q]) for q in below[p] if q in done]
        best: I64 | None = None
        if starts:
            full = _full_problem(fi, objective)
            scored: list[tuple[float, int, I64]] = []
            for s in starts:
                y = _feasible_start(full, s)
                if y is not None:
                    scored.append((float(full.loss(y)), len(scored), y))
            if scored:
                best = min(scored)[2]
        done[p] = plan_fight(
            fi, groups, solver=solver, objective=objective, warm_start=best, memo=memo
        )
    return {p: done[p] for p in names}
