"""A threat alone: the engagements the doctrine fits against it and its kill probability.

The footprint (docs/studies.md, "footprint") asks, for every ground point, what the defense can
do against *one* threat aimed there with nothing else in the air. A lone threat is never short
of fire channels (a battery engages it at most once at a time, docs/battle.md §4 rule 5) and no
other threat competes for rounds, so the fight of docs/battle.md §4 reduces to a chain:

1. Every row ``r = (b, i)`` with authority starts ready at its nominal earliest launch ``E_r``
   (fire-control time at the median quantile plus reaction, §1).
2. With ``P`` the assessment time of the last engagement (``-inf`` before the first), each row's
   next opportunity is its first admissible sample (earliest intercept) with launch
   ``ℓ_j ≥ max(E_r, P)`` (§4 rule 3: look before shooting again). The opportunity with the
   earliest launch fires; ties go to the higher single-round kill probability, then to the lower
   battery index (§4 order, every threat's value being the same).
3. It fires ``n = min(e, max_rounds_per_threat − fired_i, max_rounds_per_pair − fired_r,
   left_b)`` rounds (``e`` = 1 in ``sls`` mode, ``salvo_size`` in ``salvo``) if the battery's
   spare rounds ``left_b − reserve_rounds`` cover them (§4 rule 6 with no plan: every round is
   a spare round); ``P`` becomes ``intercept + ka``.
4. Repeat until no row has an opportunity.

The kill probability of the chain is a closed form of §3.4–3.5: round ``k`` of type ``κ`` kills
with ``rel[κ]·pk[κ, c]`` unless the type's common-mode failure (probability ``q[κ, c]``) struck
(enumerated over the types present); after a miss, the next engagement happens only if the miss
was not reported as a kill (``1 − miss_as_kill``); the threat leaks only if it flies
(missile reliability). Not modelled: the last-chance shots of §4 rule 3 (a row whose window ends
before the pending assessment fires anyway) and the plan's last-opportunity salvo (§4 rule 7);
both can only add rounds, so ``p_no_leak`` is the doctrine's guaranteed chain, not an upper bound.
``upper_tier_first`` is not applied. The per-trial engine on a one-threat raid with the
``doctrine`` solver agrees within its interval (tests/studies/test_footprint.py).
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
    """The engagement chain against each threat, alone (up to ``K`` engagements).

    Attributes
    ----------
    engaging : (n_row,) bool
        The row has authority and an admissible launch at or after its nominal earliest launch.
    n_engagements : (n_threat,) int
        Engagements in the chain (shoot-look-shoot opportunities the doctrine fits). []
    row_idx, rounds : (n_threat, K) int
        Row and rounds of each engagement (-1 and 0 past the end).
    intercept_t_s : (n_threat, K)
        Intercept time of each engagement (NaN past the end). [s]
    """

    engaging: B
    n_engagements: I64
    row_idx: I64
    rounds: I64
    intercept_t_s: F64


def lone_chains(fi: FightInputs, authority: B) -> LoneChains:
    """The chain of module doc steps 1–4 for every threat of ``fi`` at once.

    Parameters
    ----------
    fi
        Fight inputs of a raid whose threats are each considered alone.
    authority : (n_row,) bool
        Whether each row's battery may engage its threat (the policy's ``defends``).
    """
    doc = fi.doctrine
    n_t, n_r = fi.n_threats, fi.n_rows
    k_max = int(doc.max_rounds_per_threat)
    e = 1 if doc.mode == "sls" else int(doc.salvo_size)
    start = fi.row_start
    row_of = np.repeat(np.arange(n_r, dtype=np.int64), np.diff(start))
    thr_row = fi.row_threat_idx
    bat_row = fi.row_battery_idx
    typ_row = fi.row_type_idx
    p_row = fi.row_p_kill
    ka_row = fi.kill_assessment_s[typ_row]
    e_row = fi.row_nominal_earliest_launch_t_s
    launch = fi.sample_launch_t_s
    can = np.asarray(authority, dtype=bool).copy()
    if n_r:
        with np.errstate(invalid="ignore"):
            can &= np.maximum.reduceat(launch, start[:-1]) >= e_row
    engaging = can.copy()
    spare = fi.inventory[bat_row] - int(doc.reserve_rounds)  # rounds a row may still fire
    fired_r = np.zeros(n_r, dtype=np.int64)
    fired_i = np.zeros(n_t, dtype=np.int64)
    look = np.full(n_t, -np.inf)  # P: assessment time of the threat's last engagement
    row_idx = np.full((n_t, k_max), -1, dtype=np.int64)
    rounds = np.zeros((n_t, k_max), dtype=np.int64)
    when = np.full((n_t, k_max), np.nan)
    count = np.zeros(n_t, dtype=np.int64)
    big = np.iinfo(np.int64).max
    for _ in range(k_max):
        n_fire = np.minimum.reduce(
            [np.full(n_r, e), k_max - fired_i[thr_row], doc.max_rounds_per_pair - fired_r, spare]
        )
        live = can & (n_fire >= 1)
        if not live.any():
            break
        if n_r == 0:  # pragma: no cover - live.any() is False without rows
            break
        ready = np.maximum(e_row, look[thr_row])
        ok = live[row_of] & (launch >= ready[row_of])
        first = np.minimum.reduceat(np.where(ok, np.arange(ok.size), big), start[:-1])
        has = first < big
        rows = np.flatnonzero(has)
        j = first[rows]
        # per threat: earliest launch, then higher p, then lower battery
        order = np.lexsort((bat_row[rows], -p_row[rows], launch[j], thr_row[rows]))
        rows, j = rows[order], j[order]
        lead = np.ones(rows.size, dtype=bool)
        lead[1:] = thr_row[rows][1:] != thr_row[rows][:-1]
        r, j = rows[lead], j[lead]
        i = thr_row[r]
        n = n_fire[r]
        slot = count[i]
        row_idx[i, slot] = r
        rounds[i, slot] = n
        when[i, slot] = fi.sample_t_s[j]
        count[i] += 1
        fired_i[i] += n
        fired_r[r] += n
        spare[r] -= n
        look[i] = fi.sample_t_s[j] + ka_row[r]
    return LoneChains(
        engaging=engaging, n_engagements=count, row_idx=row_idx, rounds=rounds, intercept_t_s=when
    )


def lone_p_no_leak(fi: FightInputs, chains: LoneChains) -> F64:
    """Probability that each threat, alone, does not leak: the closed form of the module doc.

    ``1 − rel_missile · Σ_s w_s · P(leak | s)`` over the common-mode states ``s`` of the
    interceptor types (``w_s = Π_κ q_κ^[κ∈s] (1 − q_κ)^[κ∉s]``), with
    ``P(leak | s) = Σ_{k<E} μ A_k + A_E``, ``A_k = (1 − μ)^{k−1} Π_{e≤k} (1 − p_e(s))^{n_e}``,
    ``μ`` = ``miss_as_kill`` and ``E`` the chain's length.

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
    leak = np.zeros(n_t)
    k_max = r.shape[1]
    fade = (1.0 - mu) ** np.arange(k_max)  # (1 − μ)^{k−1} for k = 1..K
    last = chains.n_engagements
    for state in range(2**types.size):
        failed = np.array([(state >> b) & 1 for b in range(types.size)], dtype=bool)
        weight = np.ones(n_t)
        struck = np.zeros(typ.shape, dtype=bool)
        for b, k in enumerate(types.tolist()):
            q = fi.common_mode[k, fi.threat_class]
            weight *= q if failed[b] else 1.0 - q
            if failed[b]:
                struck |= typ == k
        miss = np.where(used, (1.0 - np.where(struck, 0.0, p)) ** n, 1.0)
        a = np.cumprod(miss, axis=1) * fade[None, :]  # A_k, k = 1..K
        k_idx = np.arange(k_max)[None, :]
        stopped = np.where(k_idx < last[:, None] - 1, mu * a, 0.0).sum(axis=1)
        at_end = np.where(last > 0, a[np.arange(n_t), np.maximum(last - 1, 0)], 1.0)
        leak += weight * (stopped + at_end)
    return np.asarray(1.0 - fi.reliability * leak, dtype=np.float64)
