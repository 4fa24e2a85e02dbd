"""A threat alone: the engagements the manager makes against it and its kill probability.

The footprint (docs/studies.md §12) asks, for every ground point, what the defense does against
*one* threat aimed there with nothing else in the air. Alone, a threat never meets a busy fire
channel (a battery engages it once at a time: a row's next launch waits for its assessment) and
no other threat competes for rounds, so the fight of docs/battle.md §4 is decided by the threat's
own history. Conditional on the threat being alive and every report saying so, that history is
deterministic, and it is all P(leak) needs: once a round kills, later rounds do not matter; once
a report says "dead", nothing fires again. :func:`lone_chains` plays that *alive path* by the
rules of §4, fought as with the ``doctrine`` solver (docs/battle.md §5: no plan, every round a
spare round, engagements in ``salvo`` mode of ``salvo_size`` rounds):

- Rows with authority start ready at their nominal earliest launch ``E_r`` (fire-control time at
  the median quantile plus reaction, §1). A row's next opportunity is its first admissible sample
  (earliest intercept) launched at or after its ready time; opportunities are taken in launch
  order (ties: higher single-round kill probability, then lower battery).
- Rule 3: with ``P`` the latest assessment time of the engagements so far, a row fires at
  ``L < P`` only at its last chance (no admissible launch at or after ``P``); otherwise it waits
  for ``P`` (and is woken when another engagement fires).
- Rules 5–7: ``n = min(salvo_size, max_rounds_per_threat − fired_i, max_rounds_per_pair −
  fired_r, left_b)`` rounds, fired when the battery's
  spare rounds ``left_b − reserve_rounds`` cover them; a row out of rounds or at a cap never
  fires again. After firing at sample ``j`` the row is ready at ``t_j + ka``.

:func:`lone_p_no_leak` is then a closed form of §3.4–3.5: round ``k`` of type ``κ`` kills with
``rel[κ]·pk[κ, c]`` unless the type's common-mode failure (``q[κ, c]``) struck (enumerated over
the types present); the first report of "dead" (``miss_as_kill`` for a live threat) stops every
engagement launched at or after it; a threat that fails in flight never leaks.

The engagements depend on the rows' earliest launches, which vary from trial to trial with each
nation's fire-control time (§3.2); :func:`lone_chains` takes them as given (the nominal ones by
default) and the footprint averages P(no leak) over a fixed design of fire-control quantiles.
Not modelled: ``upper_tier_first``. The per-trial engine on one-threat raids (``doctrine``
solver) agrees within its interval (tests/studies/test_footprint.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from shieldwall._types import F64, I64, B
from shieldwall.battle.fight_inputs import FightInputs

__all__ = ["LoneChains", "lone_chains", "lone_p_no_leak"]

#: Most interceptor types enumerated for common-mode failures (2**types states).
MAX_CM_TYPES = 12


@dataclass(frozen=True, kw_only=True, eq=False)
class LoneChains:
    """The engagements of the alive path against each threat, alone (up to ``K``).

    Attributes
    ----------
    engaging : (n_row,) bool
        The row has authority and an admissible launch at or after its nominal earliest launch.
    n_engagements : (n_threat,) int
        Engagements on the alive path (the shoot-look-shoot opportunities taken). []
    row_idx, rounds : (n_threat, K) int
        Row and rounds of each engagement, in firing order (-1 and 0 past the end).
    launch_t_s, intercept_t_s, assess_t_s : (n_threat, K)
        Launch, intercept and assessment time of each engagement (NaN past the end). [s]
    """

    engaging: B
    n_engagements: I64
    row_idx: I64
    rounds: I64
    launch_t_s: F64
    intercept_t_s: F64
    assess_t_s: F64


def lone_chains(
    fi: FightInputs, authority: B, earliest_launch_t_s: F64 | None = None
) -> LoneChains:
    """The alive path of the module doc for every threat of ``fi`` at once.

    One opportunity per threat per step (its earliest), vectorized over threats and samples; a
    waiting row jumps to the pending assessment and is woken when an engagement fires.

    Parameters
    ----------
    fi
        Fight inputs of a raid whose threats are each considered alone.
    authority : (n_row,) bool
        Whether each row's battery may engage its threat (the policy's ``defends``).
    earliest_launch_t_s : (n_row,), optional
        Each row's earliest launch (one trial's fire-control times plus reaction); the nominal
        ``row_nominal_earliest_launch_t_s`` by default. ``engaging`` is always the nominal one. [s]
    """
    doc = fi.doctrine
    n_t, n_r = fi.n_threats, fi.n_rows
    k_max = int(doc.max_rounds_per_threat)
    e = int(doc.salvo_size)  # the doctrine solver fights in salvo mode (docs/battle.md §5)
    start = fi.row_start
    row_of = np.repeat(np.arange(n_r, dtype=np.int64), np.diff(start))
    thr_row = fi.row_threat_idx
    bat_row = fi.row_battery_idx
    p_row = fi.row_p_kill
    ka_row = fi.kill_assessment_s[fi.row_type_idx]
    launch = fi.sample_launch_t_s
    t_s = fi.sample_t_s
    out = {
        "row_idx": np.full((n_t, k_max), -1, dtype=np.int64),
        "rounds": np.zeros((n_t, k_max), dtype=np.int64),
        "launch_t_s": np.full((n_t, k_max), np.nan),
        "intercept_t_s": np.full((n_t, k_max), np.nan),
        "assess_t_s": np.full((n_t, k_max), np.nan),
    }
    count = np.zeros(n_t, dtype=np.int64)
    can = np.asarray(authority, dtype=bool).copy()
    if n_r == 0:
        return LoneChains(engaging=can, n_engagements=count, **out)
    latest = np.maximum.reduceat(launch, start[:-1])  # each row's latest launch
    nominal = np.asarray(fi.row_nominal_earliest_launch_t_s, dtype=np.float64)
    engaging = can & (latest >= nominal)
    given = nominal if earliest_launch_t_s is None else earliest_launch_t_s
    ready = np.asarray(given, dtype=np.float64).copy()
    can &= latest >= ready
    spare = fi.inventory[bat_row] - int(doc.reserve_rounds)
    left = fi.inventory[bat_row].copy()
    fired_r = np.zeros(n_r, dtype=np.int64)
    fired_i = np.zeros(n_t, dtype=np.int64)
    look = np.full(n_t, -np.inf)  # P: the latest assessment time at the threat
    waiting = np.zeros(n_r, dtype=bool)
    big = np.iinfo(np.int64).max
    idx = np.arange(launch.size, dtype=np.int64)
    for _ in range(4 * (k_max + 1) * max(fi.n_batteries, 1) + 4):
        ok = can[row_of] & (launch >= ready[row_of])
        first = np.minimum.reduceat(np.where(ok, idx, big), start[:-1])
        rows = np.flatnonzero(first < big)
        if rows.size == 0:
            break
        j = first[rows]
        order = np.lexsort((bat_row[rows], -p_row[rows], launch[j], thr_row[rows]))
        rows, j = rows[order], j[order]
        lead = np.ones(rows.size, dtype=bool)
        lead[1:] = thr_row[rows][1:] != thr_row[rows][:-1]
        r, j = rows[lead], j[lead]  # each threat's next opportunity
        i = thr_row[r]
        at = launch[j]
        n = np.minimum.reduce([np.full(r.size, e), k_max - fired_i[i],
                               doc.max_rounds_per_pair - fired_r[r], left[r]])  # fmt: skip
        # rules 5 and 6: out of rounds, at a cap, or no spare rounds for it: never again
        never = (n < 1) | (spare[r] < n)
        can[r[never]] = False
        # rule 3: an engagement in the air and this is not the row's last chance
        wait = ~never & (look[i] > at) & (latest[r] >= look[i])
        ready[r[wait]] = look[i[wait]]
        waiting[r[wait]] = True
        fire = ~never & ~wait
        r, j, i, n, at = r[fire], j[fire], i[fire], n[fire], at[fire]
        slot = count[i]
        out["row_idx"][i, slot] = r
        out["rounds"][i, slot] = n
        out["launch_t_s"][i, slot] = at
        out["intercept_t_s"][i, slot] = t_s[j]
        out["assess_t_s"][i, slot] = t_s[j] + ka_row[r]
        count[i] += 1
        fired_i[i] += n
        fired_r[r] += n
        left[r] -= n
        spare[r] -= n
        look[i] = np.maximum(look[i], t_s[j] + ka_row[r])
        ready[r] = t_s[j] + ka_row[r]
        waiting[r] = False
        # wake the rows waiting at these threats: considered again after this launch
        fired_at = np.full(n_t, np.nan)
        fired_at[i] = at
        woken = waiting & np.isfinite(fired_at[thr_row])
        ready[woken] = np.nextafter(fired_at[thr_row[woken]], np.inf)
        waiting[woken] = False
    else:  # pragma: no cover - the bound above exceeds the steps any threat can take
        raise RuntimeError("lone_chains: step bound reached")
    return LoneChains(engaging=engaging, n_engagements=count, **out)


def lone_p_no_leak(fi: FightInputs, chains: LoneChains) -> F64:
    """Probability that each threat, alone, does not leak: the closed form of the module doc.

    ``1 − rel_missile · Σ_s w_s · P(leak | s)`` over the common-mode states ``s`` of the
    interceptor types (``w_s = Π_κ q_κ^[κ∈s] (1 − q_κ)^[κ∉s]``), with, for engagements ordered
    by assessment time ``A_(1) ≤ … ≤ A_(E)`` and ``μ`` = ``miss_as_kill``,
    ``P(leak | s) = Σ_k μ (1 − μ)^{k−1} Π_{e: L_e < A_(k)} m_e + (1 − μ)^E Π_e m_e``,
    ``m_e = (1 − p_e(s))^{n_e}`` (the first "dead" report, the ``k``-th, stops every engagement
    launched at or after it).

    Returns
    -------
    (n_threat,) probability. []
    """
    n_t = fi.n_threats
    mu = float(fi.doctrine.kill_assessment.miss_as_kill)
    r = chains.row_idx
    used = r >= 0
    safe = np.where(used, r, 0)
    typ = np.where(used, fi.row_type_idx[safe] if fi.n_rows else 0, -1)
    p = np.where(used, fi.row_p_kill[safe] if fi.n_rows else 0.0, 0.0)
    n = chains.rounds
    types = np.unique(typ[used])
    if types.size > MAX_CM_TYPES:  # pragma: no cover - no catalog architecture has this many
        raise ValueError(f"more than {MAX_CM_TYPES} interceptor types in one chain")
    k_max = r.shape[1]
    assess = np.where(used, chains.assess_t_s, np.inf)
    by_a = np.argsort(assess, axis=1, kind="stable")
    a_sorted = np.take_along_axis(assess, by_a, axis=1)  # (n_t, K): A_(k)
    launch = np.where(used, chains.launch_t_s, np.inf)
    # before[t, k, e]: engagement e was launched before the k-th assessment
    before = used[:, None, :] & (launch[:, None, :] < a_sorted[:, :, None])
    k_used = np.isfinite(a_sorted)
    stop = mu * (1.0 - mu) ** np.arange(k_max)  # first dead report is the k-th
    n_e = chains.n_engagements
    leak = np.zeros(n_t)
    for state in range(2**types.size):
        weight = np.ones(n_t)
        struck = np.zeros(typ.shape, dtype=bool)
        for b, k in enumerate(types.tolist()):
            q = fi.common_mode[k, fi.threat_class]
            failed = bool((state >> b) & 1)
            weight *= q if failed else 1.0 - q
            if failed:
                struck |= typ == k
        miss = np.where(used, (1.0 - np.where(struck, 0.0, p)) ** n, 1.0)  # m_e
        upto = np.where(before, miss[:, None, :], 1.0).prod(axis=2)  # (n_t, K)
        stopped = np.where(k_used, stop[None, :] * upto, 0.0).sum(axis=1)
        survived = (1.0 - mu) ** n_e * miss.prod(axis=1)
        leak += weight * (stopped + survived)
    return np.asarray(1.0 - fi.reliability * leak, dtype=np.float64)
