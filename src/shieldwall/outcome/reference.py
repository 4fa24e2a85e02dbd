"""The battle manager written the plain way: one trial at a time, an event queue, Python floats.

This is the independent reference of the fight defined in docs/battle.md (§3–§4, §7). It is
written from that text, not from the vectorized engine (:func:`shieldwall.outcome.engine.fight`),
so that a misreading in one is caught by the other: given the same :class:`FightInputs`,
:class:`TrialInputs` and :class:`BlockDraws` both must give identical per-trial outcomes
(tests/outcome/test_engine_vs_reference.py). It is also the per-trial baseline of
``benchmarks/bench_montecarlo.py``: straightforward, not a strawman (plain lists, :mod:`heapq`, no
work the definition does not ask for; the inputs are converted to Python objects once, at entry).

How one trial runs (:func:`_fight_one`):

1. Every row with authority in the trial (believed target, ``defends``) gets its ready time, the
   trial's earliest launch, and its first *opportunity*: the admissible sample with the earliest
   intercept among those launched at or after the ready time, queued at its launch time with the
   tie keys of §4 (−priority, threat, battery).
2. Events are popped in time order. At equal times the bookkeeping events come first: a channel
   released at *t* is free for a launch at *t*, an assessment completed at *t* is known at *t*
   ("by L" in §4 rule 1).
3. At an opportunity the manager decides from the state as it is at that moment, rule by rule:
   threat live (not failed, not reported dead), rounds and shot caps (a row that fails these never
   fires again), look before shooting (the latest assessment time of the engagements at the
   threat so far), upper tier first, a free channel, and whether the row has planned rounds left
   or the battery has spare rounds — recomputed from scratch from the plan and the state, never
   carried along.
4. A row that does not fire is considered again at its next admissible launch, literally: its
   ready time becomes the next float after *L* (no jump ahead to when the blocking condition
   could change — that shortcut is the engine's, and checking it is the point). A row that fires
   draws its kills at once (round numbers at the threat, common-mode failure per type) and its
   report (engagement number at the threat, from the true state after the engagement), schedules
   the release of its channel and the arrival of its report, and is ready again at the
   assessment (shoot-look-shoot).

The text of docs/battle.md is followed as written; where it is silent this module chooses: the
engagement log lists a trial's engagements in firing order; the doctrine is read from
``FightInputs.doctrine`` as is (the `doctrine` solver's switch to salvo mode, §6, is made when the
fight inputs are built, not here).
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass

import numpy as np

from shieldwall.battle.fight_inputs import FightInputs
from shieldwall.battle.trial_inputs import TrialInputs
from shieldwall.outcome.draws import BlockDraws
from shieldwall.outcome.outcomes import Events, Outcomes

__all__ = ["fight_reference"]

# Event kinds, in the order they are handled at equal times.
_RELEASE = 0  # an engagement frees its fire channel
_REPORT = 1  # an engagement's kill assessment arrives
_CANDIDATE = 2  # an opportunity: a row may launch at one of its samples


@dataclass(slots=True)
class _Engagement:
    """One salvo of one battery at one threat, as the log and the report events need it."""

    row: int
    sample: int
    launch_s: float
    intercept_s: float
    rounds: int
    dead_after: bool
    reported_dead: bool


@dataclass(frozen=True, slots=True)
class _Plain:
    """The trial-independent inputs as Python lists (one conversion, at entry)."""

    n_threats: int
    n_batteries: int
    n_nations: int
    # threats
    target_nation: list[int]
    threat_class: list[int]
    asset_value: list[float]
    asset_nation: list[int]
    defends: list[list[bool]]
    # batteries
    battery_nation: list[int]
    battery_type: list[int]
    battery_key: list[int]
    inventory: list[int]
    channels: list[int]
    # interceptor types
    p_kill: list[list[float]]  # rel · pk, [type][class]
    common_mode: list[list[float]]  # q, [type][class]
    ka_s: list[float]
    reaction_s: list[float]
    upper: list[bool]
    # rows
    row_battery: list[int]
    row_threat: list[int]
    row_first: list[int]  # first sample index of the row
    row_t_s: list[list[float]]  # admissible intercept times, increasing
    row_launch_s: list[list[float]]  # their launch times
    row_max_launch_s: list[float]  # latest admissible launch
    planned: list[int]
    battery_rows: list[list[int]]
    threat_rows: list[list[int]]
    # doctrine
    salvo: bool
    salvo_size: int
    cap_pair: int
    cap_threat: int
    reserve: int
    upper_first: bool
    hold_to_assessment: bool
    miss_as_kill: float
    kill_as_miss: float


def _plain(fight: FightInputs) -> _Plain:
    doc = fight.doctrine
    rel = fight.interceptor_reliability.tolist()
    pk = fight.pk.tolist()
    start = fight.row_start.tolist()
    t_s = fight.sample_t_s.tolist()
    launch_s = fight.sample_launch_t_s.tolist()
    row_battery = fight.row_battery_idx.tolist()
    row_threat = fight.row_threat_idx.tolist()
    battery_rows: list[list[int]] = [[] for _ in range(fight.n_batteries)]
    threat_rows: list[list[int]] = [[] for _ in range(fight.n_threats)]
    for r, (b, i) in enumerate(zip(row_battery, row_threat, strict=True)):
        battery_rows[b].append(r)
        threat_rows[i].append(r)
    return _Plain(
        n_threats=fight.n_threats,
        n_batteries=fight.n_batteries,
        n_nations=fight.n_nations,
        target_nation=fight.target_nation_idx.tolist(),
        threat_class=fight.threat_class.tolist(),
        asset_value=fight.asset_value.tolist(),
        asset_nation=fight.asset_nation_idx.tolist(),
        defends=fight.defends.tolist(),
        battery_nation=fight.battery_nation_idx.tolist(),
        battery_type=fight.battery_interceptor_idx.tolist(),
        battery_key=fight.battery_fc_key.tolist(),
        inventory=fight.inventory.tolist(),
        channels=fight.fire_channels.tolist(),
        p_kill=[[rel[k] * p for p in pk[k]] for k in range(fight.n_types)],
        common_mode=fight.common_mode.tolist(),
        ka_s=fight.kill_assessment_s.tolist(),
        reaction_s=fight.reaction_time_s.tolist(),
        upper=fight.upper_tier.tolist(),
        row_battery=row_battery,
        row_threat=row_threat,
        row_first=start[:-1],
        row_t_s=[t_s[start[r] : start[r + 1]] for r in range(fight.n_rows)],
        row_launch_s=[launch_s[start[r] : start[r + 1]] for r in range(fight.n_rows)],
        row_max_launch_s=[max(launch_s[start[r] : start[r + 1]]) for r in range(fight.n_rows)],
        planned=fight.planned_rounds.tolist(),
        battery_rows=battery_rows,
        threat_rows=threat_rows,
        salvo=doc.mode == "salvo",
        salvo_size=doc.salvo_size,
        cap_pair=doc.max_rounds_per_pair,
        cap_threat=doc.max_rounds_per_threat,
        reserve=doc.reserve_rounds,
        upper_first=doc.upper_tier_first,
        hold_to_assessment=doc.channel_hold == "assessment",
        miss_as_kill=doc.kill_assessment.miss_as_kill,
        kill_as_miss=doc.kill_assessment.kill_as_miss,
    )


def _next_opportunity(launch_s: list[float], after: int, ready_s: float) -> int:
    """The row's next opportunity: the first sample (in intercept-time order) after index
    ``after`` whose launch is at or after the ready time; -1 when there is none.

    Samples before the previous opportunity need no second look: each of them has an earlier
    intercept than that opportunity, so its launch was before the ready time then, and ready
    times only increase.
    """
    for j in range(after + 1, len(launch_s)):
        if launch_s[j] >= ready_s:
            return j
    return -1


@dataclass(slots=True)
class _Trial:
    """One trial's random inputs as Python lists."""

    fail_s: list[float]  # inf for a threat that flies
    fire_control_s: list[list[float]]  # [key][threat]
    believed_asset: list[list[int]]  # [nation][threat]
    kill_u: list[list[float]]  # [threat][round number]
    ka_u: list[list[float]]  # [threat][engagement number]
    common_mode_u: list[list[float]]  # [threat][type]


@dataclass(slots=True)
class _TrialResult:
    killed: list[bool]
    rounds_at: list[int]
    expended: list[int]
    rounds_defending: list[list[int]]  # [battery][true target nation, last: none]
    engagements: list[_Engagement]
    opportunities: int  # opportunities visited (fired or not)


def _fight_one(f: _Plain, tr: _Trial) -> _TrialResult:
    """Fight one trial (docs/battle.md §4)."""
    n_t = f.n_threats
    n_r = len(f.row_battery)
    # Authority and the manager's priority come from what the battery's nation believes.
    believed_value = [
        [f.asset_value[a] if a >= 0 else 0.0 for a in tr.believed_asset[d]]
        for d in range(f.n_nations)
    ]
    authority = [False] * n_r
    ready = [math.inf] * n_r  # the row's ready time R_r
    queue: list[tuple[float, int, float, int, int, int, int]] = []
    for r, (b, i) in enumerate(zip(f.row_battery, f.row_threat, strict=True)):
        d = f.battery_nation[b]
        a = tr.believed_asset[d][i]
        if a < 0 or not f.defends[d][f.asset_nation[a]] or believed_value[d][i] <= 0.0:
            continue
        authority[r] = True
        k = f.battery_type[b]
        ready[r] = tr.fire_control_s[f.battery_key[b]][i] + f.reaction_s[k]
        priority = believed_value[d][i] * f.p_kill[k][f.threat_class[i]]
        j = _next_opportunity(f.row_launch_s[r], -1, ready[r])
        if j >= 0:
            queue.append((f.row_launch_s[r][j], _CANDIDATE, -priority, i, b, r, j))
    heapq.heapify(queue)

    left = list(f.inventory)
    busy = [0] * f.n_batteries
    fired_row = [0] * n_r
    dead_end = [False] * n_r  # failed rule 1, or rule 5 for rounds or a cap: never again
    fired_at = [0] * n_t
    engagements_at = [0] * n_t
    latest_assessment = [-math.inf] * n_t
    reported_dead = [False] * n_t
    dead = [False] * n_t  # a round fired so far kills (firing order)
    killed = [False] * n_t  # a round kills at an intercept before the threat fails
    rounds_defending = [[0] * (f.n_nations + 1) for _ in range(f.n_batteries)]
    log: list[_Engagement] = []
    visited = 0

    def live(i: int, t: float) -> bool:
        return tr.fail_s[i] > t and not reported_dead[i]

    def upper_can_engage(i: int, t: float) -> bool:
        return any(
            f.upper[f.battery_type[f.row_battery[r2]]]
            and authority[r2]
            and not dead_end[r2]
            and f.row_max_launch_s[r2] >= max(t, ready[r2])
            and left[f.row_battery[r2]] >= 1
            and fired_row[r2] < f.cap_pair
            for r2 in f.threat_rows[i]
        )

    while queue:
        event = heapq.heappop(queue)
        t, kind = event[0], event[1]
        if kind == _RELEASE:
            busy[event[3]] -= 1
            continue
        if kind == _REPORT:
            if log[event[3]].reported_dead:
                reported_dead[event[4]] = True
            continue
        _, _, _, i, b, r, j = event
        visited += 1
        k = f.battery_type[b]
        last_launch = f.row_max_launch_s[r]
        # 1. threat live at L (2. authority: every row in the queue has it)
        # 5. rounds and shot caps (the parts that never come back)
        if (
            not live(i, t)
            or left[b] < 1
            or fired_at[i] >= f.cap_threat
            or fired_row[r] >= f.cap_pair
        ):
            dead_end[r] = True
            continue
        fire = (
            # 3. look before shooting again, unless the row has no launch left after the look
            not (latest_assessment[i] > t and last_launch >= latest_assessment[i])
            # 4. upper tier first
            and not (f.upper_first and not f.upper[k] and upper_can_engage(i, t))
            # 5. a free fire channel
            and busy[b] < f.channels[b]
        )
        n = 0
        intercept = f.row_t_s[r][j]
        if fire:
            # 6.–7. wanted, and how many rounds
            last_opportunity = last_launch < intercept + f.ka_s[k]
            per_engagement = f.salvo_size if f.salvo else 1
            planned_left = f.planned[r] - fired_row[r]
            if planned_left > 0:
                want = planned_left if last_opportunity else min(per_engagement, planned_left)
            else:
                want = per_engagement
            n = min(want, left[b], f.cap_threat - fired_at[i], f.cap_pair - fired_row[r])
            if planned_left <= 0:
                # rounds still wanted by the battery's other rows that it may defend, whose
                # threat is live and whose window is open, from scratch
                spare = left[b] - f.reserve
                for r2 in f.battery_rows[b]:
                    p2 = f.planned[r2] - fired_row[r2]
                    if (
                        p2 > 0
                        and r2 != r
                        and authority[r2]
                        and f.row_max_launch_s[r2] >= t
                        and live(f.row_threat[r2], t)
                    ):
                        spare -= p2
                fire = spare >= n
        if fire:
            # kills by round number, the report by engagement number
            assess = intercept + f.ka_s[k]
            c = f.threat_class[i]
            common_mode = tr.common_mode_u[i][k] < f.common_mode[k][c]  # all rounds of k miss
            for round_no in range(fired_at[i], fired_at[i] + n):
                if not common_mode and tr.kill_u[i][round_no] < f.p_kill[k][c]:
                    dead[i] = True
                    if intercept < tr.fail_s[i]:
                        killed[i] = True
            u = tr.ka_u[i][engagements_at[i]]
            report_dead = (u >= f.kill_as_miss) if dead[i] else (u < f.miss_as_kill)
            log.append(_Engagement(r, f.row_first[r] + j, t, intercept, n, dead[i], report_dead))
            engagements_at[i] += 1
            fired_at[i] += n
            fired_row[r] += n
            left[b] -= n
            busy[b] += 1
            nation = f.target_nation[i]
            rounds_defending[b][nation if nation >= 0 else f.n_nations] += n
            latest_assessment[i] = max(latest_assessment[i], assess)
            release = assess if f.hold_to_assessment else intercept
            heapq.heappush(queue, (release, _RELEASE, 0.0, b, 0, 0, 0))
            heapq.heappush(queue, (assess, _REPORT, 0.0, len(log) - 1, i, 0, 0))
            ready[r] = assess  # shoot-look-shoot: the next launch waits for the assessment
        else:
            ready[r] = math.nextafter(t, math.inf)  # again at its next admissible launch
        j = _next_opportunity(f.row_launch_s[r], j, ready[r])
        if j >= 0:
            heapq.heappush(queue, (f.row_launch_s[r][j], _CANDIDATE, event[2], i, b, r, j))
    expended = [f.inventory[b] - left[b] for b in range(f.n_batteries)]
    return _TrialResult(killed, fired_at, expended, rounds_defending, log, visited)


def fight_reference(
    fight: FightInputs,
    trials: TrialInputs,
    draws: BlockDraws,
    *,
    n_trials: int | None = None,
    event_trials: int = 0,
    counts: dict[str, int] | None = None,
) -> Outcomes:
    """Fight the trials of one block one at a time (the reference of the vectorized engine).

    Parameters
    ----------
    fight
        The deterministic inputs (rows, samples, plan, doctrine).
    trials
        The per-trial inputs made from the block's draws (flight, failure times, fire-control
        times, believed targets).
    draws
        The block's random numbers; the fight reads ``kill_u``, ``ka_u`` and ``common_mode_u``.
    n_trials
        Fight only the first ``n_trials`` trials (the benchmark's subsample); all when omitted. []
    event_trials
        Log the engagements of the first ``event_trials`` trials. []
    counts
        When given, ``"opportunities"`` (visited, fired or not) and ``"engagements"`` are added to
        it: what the per-trial walk cost (benchmarks/bench_montecarlo.py reports them).

    Returns
    -------
    Outcomes
        Trial axis first, ``n_trials`` trials.
    """
    trials.check_fits(fight)
    draws.check_fits(
        n_trials=trials.n_trials,
        n_threats=fight.n_threats,
        n_nations=fight.n_nations,
        n_shots=fight.doctrine.max_rounds_per_threat,
        n_types=fight.n_types,
    )
    m = trials.n_trials if n_trials is None else max(0, min(int(n_trials), trials.n_trials))
    f = _plain(fight)
    fail_s: list[list[float]] = trials.fail_t_s[:m].tolist()
    fire_control_s: list[list[list[float]]] = trials.fire_control_t_s[:m].tolist()
    believed: list[list[list[int]]] = trials.believed_asset_idx[:m].tolist()
    kill_u: list[list[list[float]]] = np.moveaxis(draws.kill_u[..., :m], -1, 0).tolist()
    ka_u: list[list[list[float]]] = np.moveaxis(draws.ka_u[..., :m], -1, 0).tolist()
    cm_u: list[list[list[float]]] = np.moveaxis(draws.common_mode_u[..., :m], -1, 0).tolist()

    killed: list[list[bool]] = []
    rounds_at: list[list[int]] = []
    expended: list[list[int]] = []
    defending: list[list[list[int]]] = []
    log: dict[str, list[float]] = {name: [] for name in Events.__dataclass_fields__}
    lat, lon = fight.sample_lat_rad.tolist(), fight.sample_lon_rad.tolist()
    alt = fight.sample_alt_m.tolist()
    for n in range(m):
        res = _fight_one(
            f,
            _Trial(
                fail_s=fail_s[n],
                fire_control_s=fire_control_s[n],
                believed_asset=believed[n],
                kill_u=kill_u[n],
                ka_u=ka_u[n],
                common_mode_u=cm_u[n],
            ),
        )
        if counts is not None:
            counts["opportunities"] = counts.get("opportunities", 0) + res.opportunities
            counts["engagements"] = counts.get("engagements", 0) + len(res.engagements)
        killed.append(res.killed)
        rounds_at.append(res.rounds_at)
        expended.append(res.expended)
        defending.append(res.rounds_defending)
        if n < event_trials:
            for e in res.engagements:
                for name, value in (
                    ("trial", n),
                    ("battery_idx", f.row_battery[e.row]),
                    ("threat_idx", f.row_threat[e.row]),
                    ("sample", e.sample),
                    ("launch_t_s", e.launch_s),
                    ("intercept_t_s", e.intercept_s),
                    ("rounds", e.rounds),
                    ("killed", e.dead_after),
                    ("reported_dead", e.reported_dead),
                    ("lat_rad", lat[e.sample]),
                    ("lon_rad", lon[e.sample]),
                    ("alt_m", alt[e.sample]),
                ):
                    log[name].append(value)
    return _outcomes(fight, trials.flies[:m], killed, rounds_at, expended, defending, log)


def _outcomes(
    fight: FightInputs,
    flew: np.ndarray,
    killed: list[list[bool]],
    rounds_at: list[list[int]],
    expended: list[list[int]],
    defending: list[list[list[int]]],
    log: dict[str, list[float]],
) -> Outcomes:
    """Outcomes from the per-trial lists (leakage and damage from the truth, docs/battle.md §4)."""
    m, n_t, n_b = flew.shape[0], fight.n_threats, fight.n_batteries
    killed_a = np.array(killed, dtype=bool).reshape(m, n_t)
    leaked = flew & ~killed_a & (fight.target_asset_idx >= 0)[None, :]
    asset_hit = np.zeros((m, fight.n_assets), dtype=bool)
    for i, a in enumerate(fight.target_asset_idx.tolist()):
        if a >= 0:
            asset_hit[:, a] |= leaked[:, i]
    ints = ("trial", "battery_idx", "threat_idx", "sample", "rounds")
    bools = ("killed", "reported_dead")
    events = Events(
        **{
            name: np.array(
                values, dtype=np.int64 if name in ints else bool if name in bools else np.float64
            )
            for name, values in log.items()
        }
    )
    return Outcomes(
        flew=np.array(flew, dtype=bool),
        killed=killed_a,
        leaked=leaked,
        rounds_at=np.array(rounds_at, dtype=np.int64).reshape(m, n_t),
        expended=np.array(expended, dtype=np.int64).reshape(m, n_b),
        asset_hit=asset_hit,
        value_lost=asset_hit.astype(np.float64) @ fight.asset_value,
        rounds_defending=np.array(defending, dtype=np.int64).reshape(m, n_b, fight.n_nations + 1),
        events=events,
    )
