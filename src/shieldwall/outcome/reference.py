"""Plain per-trial, per-object reference implementation of the outcome engine.

The way most engagement simulators are written: a Python loop over trials, and inside it a loop
over shot events with plain Python objects. It is the oracle for the vectorized
:func:`shieldwall.outcome.engine.resolve` (tests check exact agreement on the same draws) and the
baseline of ``benchmarks/bench_montecarlo.py``. Not for production use: it is slow.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from shieldwall.battle.opportunities import Targets
from shieldwall.battle.schedule import Schedule
from shieldwall.outcome.draws import Draws
from shieldwall.outcome.engine import assets_hit
from shieldwall.outcome.outcomes import Events, Outcomes

__all__ = ["event_log", "resolve_reference"]


@dataclass
class _ThreatState:
    flew: bool
    delay_s: float
    killed: bool = False
    known_kill_t_s: float = math.inf
    pending_until_t_s: float = -math.inf
    shots: int = 0


@dataclass
class _Battery:
    rounds_left: int
    fired: int = 0


@dataclass
class _Event:
    threat: int
    battery: int
    n_fire: int
    planned: bool
    planned_after: int
    later_slots: list[int]
    launch_t_s: float
    intercept_t_s: float
    assess_t_s: float
    slack_s: float
    pk: float
    reliability: float


def resolve_reference(
    schedule: Schedule,
    targets: Targets,
    draws: Draws,
    *,
    track_delay_max_s: float = 0.0,
    n_assets: int | None = None,
    miss_as_kill: float = 0.0,
    kill_as_miss: float = 0.0,
    trials: int | None = None,
    log: list[tuple[int, int, int, float, float, int, bool, bool]] | None = None,
) -> Outcomes:
    """Same contract as :func:`shieldwall.outcome.engine.resolve`, one trial at a time.

    Parameters
    ----------
    trials
        Resolve only the first ``trials`` trials (the benchmark's subsample); all when omitted.
    log
        When given, one tuple per engagement is appended: ``(trial, battery, threat, launch_t_s,
        intercept_t_s, rounds, killed, reported_dead)`` (:class:`Events` columns).
    """
    n_tr = draws.n_trials if trials is None else min(trials, draws.n_trials)
    n_t = targets.n_threats
    cap = min(schedule.max_shots_per_threat, draws.n_shots)
    events = [
        _Event(
            threat=int(schedule.threat_idx[e]),
            battery=int(schedule.battery_idx[e]),
            n_fire=int(schedule.n_fire[e]),
            planned=bool(schedule.planned[e]),
            planned_after=int(schedule.planned_after[e]),
            later_slots=[int(x) for x in schedule.later_slots[e] if x >= 0],
            launch_t_s=float(schedule.launch_t_s[e]),
            intercept_t_s=float(schedule.intercept_t_s[e]),
            assess_t_s=float(schedule.assess_t_s[e]),
            slack_s=float(schedule.slack_s[e]),
            pk=float(schedule.pk[e]),
            reliability=float(schedule.reliability[e]),
        )
        for e in range(schedule.n_events)
    ]
    flew = np.zeros((n_tr, n_t), dtype=bool)
    killed = np.zeros((n_tr, n_t), dtype=bool)
    shots = np.zeros((n_tr, n_t), dtype=np.int64)
    expended = np.zeros((n_tr, schedule.n_batteries), dtype=np.int64)
    for n in range(n_tr):
        threats = [
            _ThreatState(
                flew=bool(draws.threat_u[i, n] < targets.reliability[i]),
                delay_s=float(track_delay_max_s * draws.delay_u[i, n]),
            )
            for i in range(n_t)
        ]
        batteries = [_Battery(rounds_left=int(r)) for r in schedule.inventory]
        for ev in events:
            th = threats[ev.threat]
            bt = batteries[ev.battery]
            if not th.flew or th.known_kill_t_s <= ev.launch_t_s or th.delay_s > ev.slack_s:
                continue
            if not ev.planned and (
                ev.planned_after > 0 or th.shots == 0 or th.pending_until_t_s > ev.launch_t_s
            ):
                continue
            salvo = ev.n_fire
            if ev.planned and track_delay_max_s > 0.0:
                for e2 in ev.later_slots:
                    if th.delay_s > events[e2].slack_s:
                        salvo += events[e2].n_fire
            rounds = min(salvo, bt.rounds_left, cap - th.shots)
            if rounds <= 0:
                continue
            p_kill = ev.reliability * ev.pk
            reported = False
            for j in range(rounds):
                k = th.shots + j
                kills = bool(draws.kill_u[ev.threat, k, n] < p_kill)
                if kills:
                    th.killed = True
                assessed_kill = kills
                if miss_as_kill > 0.0 or kill_as_miss > 0.0:
                    u = draws.ka_u[ev.threat, k, n]
                    assessed_kill = (kills and u >= kill_as_miss) or (
                        not kills and u < miss_as_kill
                    )
                if assessed_kill:
                    th.known_kill_t_s = min(th.known_kill_t_s, ev.assess_t_s)
                    reported = True
            if log is not None:
                log.append(
                    (n, ev.battery, ev.threat, ev.launch_t_s, ev.intercept_t_s, rounds,
                     th.killed, reported)
                )  # fmt: skip
            th.pending_until_t_s = max(th.pending_until_t_s, ev.assess_t_s)
            th.shots += rounds
            bt.rounds_left -= rounds
            bt.fired += rounds
        for i, th in enumerate(threats):
            flew[n, i] = th.flew
            killed[n, i] = th.killed
            shots[n, i] = th.shots
        for b, bt in enumerate(batteries):
            expended[n, b] = bt.fired
    leaked = flew & ~killed & (targets.asset_idx >= 0)[None, :]
    n_a = int(targets.asset_idx.max(initial=-1)) + 1 if n_assets is None else n_assets
    return Outcomes(
        flew=flew,
        killed=killed,
        leaked=leaked,
        shots=shots,
        expended=expended,
        asset_hit=assets_hit(leaked, targets.asset_idx, n_a),
    )


def event_log(
    schedule: Schedule,
    targets: Targets,
    draws: Draws,
    *,
    trials: int,
    track_delay_max_s: float = 0.0,
    n_assets: int | None = None,
    miss_as_kill: float = 0.0,
    kill_as_miss: float = 0.0,
) -> Events:
    """The engagements of the first ``trials`` trials, by the plain per-trial resolution.

    The reference and the vectorized engine agree exactly on the same draws (tested), so this is
    the log of the engine's trials; per trial it costs one reference trial (a few ms).
    """
    rows: list[tuple[int, int, int, float, float, int, bool, bool]] = []
    n = min(int(trials), draws.n_trials)
    resolve_reference(
        schedule,
        targets,
        draws,
        track_delay_max_s=track_delay_max_s,
        n_assets=n_assets,
        miss_as_kill=miss_as_kill,
        kill_as_miss=kill_as_miss,
        trials=n,
        log=rows,
    )
    cols = list(zip(*rows, strict=True)) if rows else [()] * 8
    nan = np.full(len(rows), np.nan)
    return Events(
        trial=np.asarray(cols[0], dtype=np.int64),
        battery_idx=np.asarray(cols[1], dtype=np.int64),
        threat_idx=np.asarray(cols[2], dtype=np.int64),
        sample=np.full(len(rows), -1, dtype=np.int64),
        launch_t_s=np.asarray(cols[3], dtype=np.float64),
        intercept_t_s=np.asarray(cols[4], dtype=np.float64),
        rounds=np.asarray(cols[5], dtype=np.int64),
        killed=np.asarray(cols[6], dtype=bool),
        reported_dead=np.asarray(cols[7], dtype=bool),
        lat_rad=nan,
        lon_rad=nan,
        alt_m=nan.copy(),
    )
