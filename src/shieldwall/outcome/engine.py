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
- it fires unless the threat is assessed killed by ``L``; a reserve event also waits until no
  round at the threat is unassessed;
- it fires ``min(n_fire, rounds left, shot cap − rounds already at the threat)`` rounds; round k at
  the threat kills iff ``reliability_u[i, k] < r`` and ``kill_u[i, k] < pk``.

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


def resolve(
    schedule: Schedule,
    targets: Targets,
    draws: Draws,
    *,
    track_delay_max_s: float = 0.0,
    n_assets: int | None = None,
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

    Returns
    -------
    Outcomes
    """
    n_tr = draws.n_trials
    cap = min(schedule.max_shots_per_threat, draws.n_shots)
    flew = draws.threat_u < targets.reliability[:, None]
    delay_s = track_delay_max_s * draws.delay_u
    killed = np.zeros((targets.n_threats, n_tr), dtype=bool)
    known_t = np.full((targets.n_threats, n_tr), np.inf)
    pending_t = np.full((targets.n_threats, n_tr), -np.inf)
    shots = np.zeros((targets.n_threats, n_tr), dtype=np.int64)
    left = np.repeat(schedule.inventory[:, None], n_tr, axis=1).astype(np.int64)
    trial = np.arange(n_tr)
    for e in range(schedule.n_events):
        i = int(schedule.threat_idx[e])
        b = int(schedule.battery_idx[e])
        t_l = schedule.launch_t_s[e]
        go = flew[i] & (known_t[i] > t_l) & (delay_s[i] <= schedule.slack_s[e])
        if not schedule.planned[e]:
            go &= pending_t[i] <= t_l
        n = np.minimum(np.minimum(left[b], cap - shots[i]), schedule.n_fire[e])
        n = np.where(go, n, 0)
        fired = n > 0
        if not fired.any():
            continue
        hit = np.zeros(n_tr, dtype=bool)
        for j in range(int(schedule.n_fire[e])):
            k = np.minimum(shots[i] + j, draws.n_shots - 1)
            works = draws.reliability_u[i, k, trial] < schedule.reliability[e]
            hit |= (j < n) & works & (draws.kill_u[i, k, trial] < schedule.pk[e])
        killed[i] |= hit
        known_t[i] = np.where(hit, np.minimum(known_t[i], schedule.assess_t_s[e]), known_t[i])
        pending_t[i] = np.where(
            fired, np.maximum(pending_t[i], schedule.assess_t_s[e]), pending_t[i]
        )
        shots[i] += n
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
