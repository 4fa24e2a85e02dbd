"""Vectorized Monte Carlo resolution of an engagement schedule over all trials at once.

Decisions depend on earlier outcomes (a reserve shot fires only after the previous one failed), so
the events of the :class:`~shieldwall.battle.schedule.Schedule` are processed in launch order —
one loop over events, each step a handful of numpy operations across every trial. The per-trial
state is a few ``(n_threat, n_trial)`` arrays: whether the threat is truly killed, when its kill
becomes known (assessment), until when shots at it are unassessed, how many rounds it has drawn;
and ``(n_battery, n_trial)`` rounds left. The plain per-trial, per-object version of the same
logic is :func:`shieldwall.outcome.reference.resolve_reference`; tests check they agree exactly.

Event rule (trial n, event e at threat i from battery b, nominal launch time L):

- the threat must have flown (``threat_u < reliability``), and the event must still fit its window
  after the trial's extra track delay ``d = track_delay_max_s · delay_u`` (``d <= slack``);
- it fires unless the threat is assessed killed by ``L`` (kill assessment may err: a miss taken
  for a kill with probability ``miss_as_kill``, a kill for a miss with ``kill_as_miss``, one
  draw ``ka_u`` per round); a reserve event (re-plan) fires only
  once the plan for the threat has failed: no planned event for it left, at least one round
  fired at it and none still unassessed;
- it fires ``min(n_fire, rounds left, shot cap − rounds already at the threat)`` rounds, where a
  planned event's ``n_fire`` also takes the rounds of later planned slots of its pair that the
  delay pushes out of the window (fired now as a salvo instead of never); round k at
  the threat kills iff ``kill_u[i, k] < r · pk``.

Delays shift all events of a threat together, so their relative order — what kill assessment
needs — is the nominal one; only the ordering *between* threats (competition for rounds) is kept
nominal, an approximation.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from shieldwall.battle.opportunities import Targets
from shieldwall.battle.schedule import Schedule
from shieldwall.outcome.draws import Draws
from shieldwall.outcome.outcomes import Outcomes

__all__ = ["assets_hit", "resolve"]


def assets_hit(
    leaked: NDArray[np.bool_], asset_idx: NDArray[np.int64], n_assets: int
) -> NDArray[np.bool_]:
    """Which assets a leaker hits: ``(n_trial, n_asset)`` from ``leaked (n_trial, n_threat)``."""
    hit = np.zeros((leaked.shape[0], n_assets), dtype=bool)
    for a in np.unique(asset_idx[asset_idx >= 0]):
        hit[:, a] = leaked[:, asset_idx == a].any(axis=1)
    return hit


#: Below ``n_trials / _SPARSE_FRACTION`` firing trials an event is resolved on the index subset.
_SPARSE_FRACTION = 8


def _rounds(
    sh: NDArray[np.int64],
    n: NDArray[np.int64],
    cols: NDArray[np.int64],
    row0: int,
    n_sh: int,
    n_tr: int,
    n_max: int,
    p_kill: float,
    kill_flat: NDArray[np.float64],
    ka_flat: NDArray[np.float64] | None,
    miss_as_kill: float,
    kill_as_miss: float,
) -> tuple[NDArray[np.bool_], NDArray[np.bool_]]:
    """Whether the ``n`` rounds fired (after ``sh`` earlier ones) kill, and whether a kill is
    *assessed*; trials are the columns ``cols`` of the draws. Returns ``(hit, believed)``."""
    hit = np.zeros(cols.shape[0], dtype=bool)
    believed = hit if ka_flat is None else np.zeros(cols.shape[0], dtype=bool)
    for j in range(n_max):
        k = np.minimum(sh + j, n_sh - 1)
        flat = (row0 + k) * n_tr + cols
        fire_j = j < n
        kill_j = fire_j & (kill_flat[flat] < p_kill)
        hit |= kill_j
        if ka_flat is not None:
            ka = ka_flat[flat]
            believed |= (kill_j & (ka >= kill_as_miss)) | (fire_j & ~kill_j & (ka < miss_as_kill))
    return hit, believed


def _fire_sparse(
    idx: NDArray[np.int64],
    i: int,
    b: int,
    row0: int,
    n_fire: NDArray[np.int64] | int,
    n_max: int,
    p_kill: float,
    assess: float,
    cap: int,
    n_sh: int,
    n_tr: int,
    kill_flat: NDArray[np.float64],
    ka: tuple[NDArray[np.float64] | None, float, float],
    killed: NDArray[np.bool_],
    known_t: NDArray[np.float64],
    pending_t: NDArray[np.float64],
    shots: NDArray[np.int64],
    left: NDArray[np.int64],
) -> None:
    """One event on the few trials where it may fire (state arrays updated in place)."""
    sh = shots[i, idx]
    n = np.minimum(np.minimum(left[b, idx], cap - sh), n_fire)
    keep = n > 0
    idx, n, sh = idx[keep], n[keep], sh[keep]
    if idx.size == 0:
        return
    hit, believed = _rounds(sh, n, idx, row0, n_sh, n_tr, n_max, p_kill, kill_flat, *ka)
    killed[i, idx[hit]] = True
    h = idx[believed]
    known_t[i, h] = np.minimum(known_t[i, h], assess)
    pending_t[i, idx] = np.maximum(pending_t[i, idx], assess)
    shots[i, idx] = sh + n
    left[b, idx] -= n


def resolve(
    schedule: Schedule,
    targets: Targets,
    draws: Draws,
    *,
    track_delay_max_s: float = 0.0,
    n_assets: int | None = None,
    miss_as_kill: float = 0.0,
    kill_as_miss: float = 0.0,
) -> Outcomes:
    """Resolve every trial of one policy.

    Parameters
    ----------
    schedule
        Events of the policy.
    targets
        What each threat is aimed at, its reliability.
    draws
        Common random numbers (same for every policy).
    track_delay_max_s
        Extra fire-control track delay per (trial, threat) is uniform on [0, this]. [s]
    n_assets
        Number of assets (for ``asset_hit``); the largest target index + 1 when omitted.
    miss_as_kill, kill_as_miss
        Kill-assessment errors: probability a miss is assessed as a kill (the threat is then no
        longer engaged) and a kill as a miss (more rounds are wasted on it). 0 = perfect. []

    Returns
    -------
    Outcomes
    """
    n_tr = draws.n_trials
    n_sh = draws.n_shots
    cap = min(schedule.max_shots_per_threat, n_sh)
    flew = draws.threat_u < targets.reliability[:, None]
    delay_s = track_delay_max_s * draws.delay_u
    killed = np.zeros((targets.n_threats, n_tr), dtype=bool)
    # Time the kill is known; -inf for threats that failed in flight (never engaged).
    known_t = np.where(flew, np.inf, -np.inf)
    pending_t = np.full((targets.n_threats, n_tr), -np.inf)
    shots = np.zeros((targets.n_threats, n_tr), dtype=np.int64)
    left = np.repeat(schedule.inventory[:, None], n_tr, axis=1).astype(np.int64)
    has_delay = track_delay_max_s > 0.0
    kill_flat = draws.kill_u.reshape(-1)
    ka_flat = draws.ka_u.reshape(-1) if (miss_as_kill > 0.0 or kill_as_miss > 0.0) else None
    ka = (ka_flat, miss_as_kill, kill_as_miss)
    trial = np.arange(n_tr)
    for e in range(schedule.n_events):
        i = int(schedule.threat_idx[e])
        b = int(schedule.battery_idx[e])
        t_l = schedule.launch_t_s[e]
        go = known_t[i] > t_l
        if has_delay:
            go &= delay_s[i] <= schedule.slack_s[e]
        if not schedule.planned[e]:
            if schedule.planned_after[e] > 0:
                continue  # the plan for this threat is not finished yet
            go &= (pending_t[i] <= t_l) & (shots[i] > 0)
        count = int(np.count_nonzero(go))
        if count == 0:
            continue
        p_kill = schedule.reliability[e] * schedule.pk[e]
        n_fire = int(schedule.n_fire[e])
        n_max = n_fire
        assess = schedule.assess_t_s[e]
        row0 = i * n_sh  # first draw row of threat i
        if has_delay and schedule.planned[e]:
            # rounds of later slots of this pair that the trial's delay pushes out of the window
            later = schedule.later_slots[e]
            later = later[later >= 0]
            if later.size:
                salvo = np.full(n_tr, n_fire, dtype=np.int64)
                for e2 in later.tolist():
                    salvo += schedule.n_fire[e2] * (delay_s[i] > schedule.slack_s[e2])
                n_max = int(salvo.max())
                n_fire_t: NDArray[np.int64] | int = salvo
            else:
                n_fire_t = n_fire
        else:
            n_fire_t = n_fire
        if count * _SPARSE_FRACTION < n_tr:
            idx = np.flatnonzero(go)
            nf = n_fire_t[idx] if isinstance(n_fire_t, np.ndarray) else n_fire_t
            _fire_sparse(
                idx, i, b, row0, nf, n_max, p_kill, assess, cap, n_sh, n_tr,
                kill_flat, ka, killed, known_t, pending_t, shots, left,
            )  # fmt: skip
            continue
        sh = shots[i]
        n = np.minimum(np.minimum(left[b], cap - sh), n_fire_t) * go
        fired = n > 0
        hit, believed = _rounds(sh, n, trial, row0, n_sh, n_tr, n_max, p_kill, kill_flat, *ka)
        killed[i] |= hit
        known_t[i] = np.where(believed & (assess < known_t[i]), assess, known_t[i])
        pending_t[i] = np.where(fired & (assess > pending_t[i]), assess, pending_t[i])
        sh += n
        left[b] -= n
    leaked = (flew & ~killed & (targets.asset_idx >= 0)[:, None]).T
    n_a = int(targets.asset_idx.max(initial=-1)) + 1 if n_assets is None else n_assets
    return Outcomes(
        flew=flew.T,
        killed=killed.T,
        leaked=leaked,
        shots=shots.T,
        expended=(schedule.inventory[:, None] - left).T,
        asset_hit=assets_hit(leaked, targets.asset_idx, n_a),
    )
