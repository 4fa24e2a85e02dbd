"""A literal, slow, one-trial-at-a-time reading of docs/battle.md §4 for the engine's own tests.

It considers every row at *every* admissible launch after its ready time (no jumps, no
wake-ups), so it checks the engine's two devices (jumps to the time a blocking condition can
change, wake-ups) directly. Plain Python lists and floats. The team's independent reference is
``shieldwall.outcome.reference`` (written by another engineer from the same document); this file
is the battle engineer's own oracle and is deliberately as plain as possible.
"""

from __future__ import annotations

import math

import numpy as np

from shieldwall.battle.fight_inputs import FightInputs
from shieldwall.battle.trial_inputs import TrialInputs
from shieldwall.outcome.draws import BlockDraws

#: Print each decision (debugging aid).
TRACE = False


def step_trial(fi: FightInputs, ti: TrialInputs, dr: BlockDraws, n: int) -> dict[str, list]:
    """Fight trial ``n``; return per-threat rounds, kill flags and per-battery rounds left."""
    doc = fi.doctrine
    n_t, _n_b, n_r = fi.n_threats, fi.n_batteries, fi.n_rows
    e = 1 if doc.mode == "sls" else doc.salvo_size
    cap_t, cap_p = doc.max_rounds_per_threat, doc.max_rounds_per_pair
    rows = []
    for r in range(n_r):
        b = int(fi.row_battery_idx[r])
        i = int(fi.row_threat_idx[r])
        k = int(fi.battery_interceptor_idx[b])
        d = int(fi.battery_nation_idx[b])
        a = int(ti.believed_asset_idx[n, d, i])
        bel_nat = int(fi.asset_nation_idx[a]) if a >= 0 else -1
        bel_val = float(fi.asset_value[a]) if a >= 0 else 0.0
        auth = a >= 0 and bool(fi.defends[d, bel_nat]) and bel_val > 0.0
        lo, hi = int(fi.row_start[r]), int(fi.row_start[r + 1])
        p = float(fi.interceptor_reliability[k]) * float(fi.pk[k, int(fi.threat_class[i])])
        key = int(fi.battery_fc_key[b])
        rows.append(
            {
                "b": b, "i": i, "k": k, "auth": auth, "prio": bel_val * p, "p": p,
                "t": [float(x) for x in fi.sample_t_s[lo:hi]],
                "l": [float(x) for x in fi.sample_launch_t_s[lo:hi]],
                "ka": float(fi.kill_assessment_s[k]),
                "ready": float(ti.fire_control_t_s[n, key, i]) + float(fi.reaction_time_s[k]),
                "x": int(fi.planned_rounds[r]), "fired": 0, "upper": bool(fi.upper_tier[k]),
            }
        )  # fmt: skip
    for rw in rows:
        rw["latest"] = max(rw["l"])
    fail = [float(v) for v in ti.fail_t_s[n]]
    fired_t = [0] * n_t
    neng = [0] * n_t
    dead = [False] * n_t
    kill_t = [math.inf] * n_t
    report_t = [math.inf] * n_t
    pending = [-math.inf] * n_t
    left = [int(v) for v in fi.inventory]
    chans = [[-math.inf] * int(c) for c in fi.fire_channels]

    def opportunity(rw: dict) -> tuple[float, int]:
        best = -1
        for j, ell in enumerate(rw["l"]):
            if ell >= rw["ready"] and (best < 0 or rw["t"][j] < rw["t"][best]):
                best = j
        return (rw["l"][best], best) if best >= 0 else (math.inf, -1)

    def chain_depth(rw: dict, j: int) -> int:
        depth = 1
        while True:
            x = rw["t"][j] + rw["ka"]
            nxt = -1
            for jj, ell in enumerate(rw["l"]):
                if ell >= x and (nxt < 0 or rw["t"][jj] < rw["t"][nxt]):
                    nxt = jj
            if nxt < 0:
                return depth
            depth += 1
            j = nxt

    done = [not rw["auth"] for rw in rows]
    while True:
        cands = []
        for r, rw in enumerate(rows):
            if done[r]:
                continue
            ell, j = opportunity(rw)
            if j >= 0:
                cands.append((ell, -rw["prio"], rw["i"], rw["b"], r, j))
        if not cands:
            break
        ell, _, i, b, r, j = min(cands)
        rw = rows[r]
        if fail[i] <= ell or report_t[i] <= ell or left[b] < 1 or fired_t[i] >= cap_t:
            done[r] = True
            continue
        if rw["fired"] >= cap_p:
            done[r] = True
            continue
        ok = not (pending[i] > ell and rw["latest"] >= pending[i])
        free = min(range(len(chans[b])), key=lambda c: chans[b][c])
        ok = ok and chans[b][free] <= ell
        if ok and doc.upper_tier_first and not rw["upper"]:
            for r2, rw2 in enumerate(rows):
                if rw2["i"] != i or not rw2["upper"] or not rw2["auth"] or done[r2]:
                    continue
                if (
                    rw2["latest"] >= max(ell, rw2["ready"])
                    and left[rw2["b"]] >= 1
                    and rw2["fired"] < cap_p
                ):
                    ok = False
        plan_left = rw["x"] - rw["fired"]
        want = (plan_left if chain_depth(rw, j) == 1 else min(e, plan_left)) if plan_left > 0 else e
        nf = min(want, left[b], cap_t - fired_t[i], cap_p - rw["fired"])
        if ok and plan_left <= 0:
            committed = 0
            for r2, rw2 in enumerate(rows):
                if r2 == r or rw2["b"] != b or not rw2["auth"]:
                    continue
                rem = rw2["x"] - rw2["fired"]
                i2 = rw2["i"]
                if rem > 0 and rw2["latest"] >= ell and fail[i2] > ell and report_t[i2] > ell:
                    committed += rem
            ok = left[b] - doc.reserve_rounds - committed >= nf
        if TRACE:
            print("  step", ell, "row b,i", b, i, "ok", ok, "nf", nf)
        if not ok:
            rw["ready"] = math.nextafter(ell, math.inf)
            continue
        t_draw = n
        q_cm = float(fi.common_mode[rw["k"], int(fi.threat_class[i])])
        cm = float(dr.common_mode_u[i, rw["k"], t_draw]) < q_cm
        hit = False
        for s in range(nf):
            if not cm and float(dr.kill_u[i, fired_t[i] + s, t_draw]) < rw["p"]:
                hit = True
        inter = rw["t"][j]
        assess = inter + rw["ka"]
        dead[i] = dead[i] or hit
        if hit:
            kill_t[i] = min(kill_t[i], inter)
        u = float(dr.ka_u[i, neng[i], t_draw])
        ka = doc.kill_assessment
        reported = u >= ka.kill_as_miss if dead[i] else u < ka.miss_as_kill
        if reported:
            report_t[i] = min(report_t[i], assess)
        pending[i] = max(pending[i], assess)
        fired_t[i] += nf
        neng[i] += 1
        rw["fired"] += nf
        left[b] -= nf
        chans[b][free] = assess if doc.channel_hold == "assessment" else inter
        rw["ready"] = assess
    killed = [kill_t[i] < fail[i] for i in range(n_t)]
    return {"rounds_at": fired_t, "killed": killed, "left": left}


def step_all(
    fi: FightInputs, ti: TrialInputs, dr: BlockDraws, trials: int
) -> dict[str, np.ndarray]:
    """:func:`step_trial` for the first ``trials`` trials, stacked like ``Outcomes``."""
    res = [step_trial(fi, ti, dr, n) for n in range(trials)]
    return {k: np.array([r[k] for r in res]) for k in res[0]}
