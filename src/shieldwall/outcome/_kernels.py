"""Compiled kernel of the fight engine (numba, the project's explicit accelerator; STYLE.md).

Imported on first use by :func:`shieldwall.outcome.engine.fight`, so that commands that do not
fight never load numba. :func:`fight_trials` runs the engine's algorithm — opportunities found
through the per-row lookup tables, jumps of a blocked row's ready time, wake-ups, the rule-6
commitment kept per battery until its next end (docs/battle.md §4; the module docstring of
:mod:`shieldwall.outcome.engine`) — one trial at a time, with the state of one trial in small
arrays that stay in cache. The numpy lockstep formulation (``engine._Lockstep``, all trials of a
chunk at once) is the same algorithm step for step: the two give identical outcomes and
engagement logs (tested), and both equal the per-trial reference, which steps literally.

Per trial, each step takes the row whose next opportunity comes first (ties: the lowest
position in the trial's priority order), exactly as a lane of the lockstep does; the positions'
next launch times are the leaves of a tournament tree (each node: the smallest value below it
and the lowest position holding it), so a step reads the root and a change costs ``log2(W)``
comparisons, not the lockstep's ``~2·sqrt(W)`` block scan. Every comparison and every
floating-point operation (sums ``t + ka``, ``F + reaction``, products ``value · pk``,
``nextafter``) is the one the numpy formulation makes, so the results are bit-identical to it.

A trial's setup reads what the trials share: the rows' priority order is merged from the order
sorted once at the most common beliefs and the few rows whose priority differs (the order of a
stable sort of all of them), and each row's first opportunity is looked up from the searches it
made in earlier trials from the same time (remembered per whole second), else searched.
"""

from __future__ import annotations

import math

import numpy as np

from shieldwall._jit import njit

__all__ = ["fight_trials", "lookup_tables"]

_INF = np.inf


@njit(cache=True, nogil=True)
def _first_at_or_after(row, x, row_start, run_max, row_base, table_start, table_size, table):
    """First sample of ``row`` whose launch time is ``>= x`` (-1 none): the per-second table,
    then a step over the few samples whose running maximum lies in ``[floor(x), x)``."""
    start = row_start[row]
    if not x <= run_max[row_start[row + 1] - 1]:  # also x = inf or NaN
        return -1
    if x <= run_max[start]:
        return start
    v = np.int64(math.floor(x)) - row_base[row]
    v = min(max(v, 0), max(table_size[row] - 1, 0))
    j = table[table_start[row] + v]
    while run_max[j] < x:
        j += 1
    return j


@njit(cache=True, nogil=True)
def _first_packed(row, x, rec_i, rec_f, run_max, table):
    """:func:`_first_at_or_after` on the rows' packed records (one cache line per row):
    ``rec_i (n_row, 4)`` first sample, floor of the first running maximum, table offset, table
    size; ``rec_f (n_row, 2)`` the first and last running maximum."""
    if not x <= rec_f[row, 1]:  # also x = inf or NaN
        return -1
    if x <= rec_f[row, 0]:
        return rec_i[row, 0]
    v = np.int64(math.floor(x)) - rec_i[row, 1]
    v = min(max(v, 0), max(rec_i[row, 3] - 1, 0))
    j = table[rec_i[row, 2] + v]
    while run_max[j] < x:
        j += 1
    return j


@njit(cache=True, nogil=True)
def _touch(q, size, nl, tv, tq):
    """Set leaf ``q`` of the tournament tree over the positions' next launch times and update
    its ancestors: each node keeps the smallest value of its leaves (``inf`` for none, NaN
    taken as ``inf``) and the lowest position holding it (the left child on ties)."""
    node = size + q
    v = nl[q]
    tv[node] = v if v < _INF else _INF
    node >>= 1
    while node >= 1:
        _pull(node, tv, tq)
        node >>= 1


@njit(cache=True, nogil=True)
def _pull(node, tv, tq):
    """Node ``node`` of the tournament tree from its two children (the left one on ties)."""
    lc = 2 * node
    if tv[lc + 1] < tv[lc]:
        tv[node] = tv[lc + 1]
        tq[node] = tq[lc + 1]
    else:
        tv[node] = tv[lc]
        tq[node] = tq[lc]


@njit(cache=True, nogil=True)
def _wake(rows, at_s, pos, floor, ready, spare_wait, woken, nw):
    """Bring the spare-waiting rows among ``rows`` (padded with -1) forward to ``at_s``;
    append their positions to ``woken`` and return the new count."""
    for row2 in rows:
        if row2 < 0:
            break
        q2 = pos[row2]
        if q2 < 0:
            continue
        at = max(floor[q2], at_s)
        if spare_wait[q2] and ready[q2] > at:
            ready[q2] = at
            woken[nw] = q2
            nw += 1
    return nw


@njit(cache=True, nogil=True)
def _precedes(pa, ra, pb, rb):
    """Whether row ``ra`` of priority ``pa`` comes before row ``rb`` of priority ``pb`` in a
    stable sort of the rows by priority (numpy's order: NaN last; ties by row)."""
    if pa < pb:
        return True
    if pb < pa:
        return False
    na = pa != pa
    nb = pb != pb
    if na != nb:
        return nb
    return ra < rb


@njit(cache=True, nogil=True)
def _merged_order(ref_order, kept, prio, new_rows, new_prio, perm):
    """The rows of ``ref_order`` that are ``kept`` (their priorities ``prio``, in the order of
    ``ref_order``: by priority, ties by row) merged with ``new_rows`` (ascending; priorities
    ``new_prio``) into ``perm``: the order a stable sort of all of them by priority gives (ties
    by row; NaN last, as numpy sorts). Returns their count."""
    sub = np.argsort(new_prio, kind="mergesort")
    n_new = new_rows.shape[0]
    q = 0
    k = 0
    for u in ref_order:
        if not kept[u]:
            continue
        while k < n_new and _precedes(new_prio[sub[k]], new_rows[sub[k]], prio[u], u):
            perm[q] = new_rows[sub[k]]
            q += 1
            k += 1
        perm[q] = u
        q += 1
    while k < n_new:
        perm[q] = new_rows[sub[k]]
        q += 1
        k += 1
    return q


@njit(cache=True, nogil=True)
def _common_beliefs(believed, n_asset):
    """The most common belief of each nation about each threat over the trials, ``(n_d, n_t)``
    (-1 none; ties: the lowest)."""
    n_tr, n_d, n_t = believed.shape
    count = np.zeros((n_d, n_t, n_asset + 1), dtype=np.int64)
    for n in range(n_tr):
        for d in range(n_d):
            for i in range(n_t):
                count[d, i, min(max(believed[n, d, i], -1), n_asset - 1) + 1] += 1
    common = np.empty((n_d, n_t), dtype=np.int64)
    for d in range(n_d):
        for i in range(n_t):
            common[d, i] = np.argmax(count[d, i]) - 1
    return common


@njit(cache=True, nogil=True)
def fight_trials(
    rec_i,
    rec_f,
    run_max,
    table,
    depth,
    succ,
    sample_t,
    launch_at,
    row_i,
    row_f,
    r_upper,
    asset_nation,
    asset_value,
    defends,
    inventory,
    channels,
    planned_of_b,
    rows_of_t,
    rows_of_b,
    upper_of_t,
    wake_of_t,
    plan_bats_of_t,
    has_plan_t,
    spare_batteries,
    per_b,
    doc_i,
    doc_f,
    fail_t,
    fire_control,
    believed,
    kill_u,
    ka_u,
    cm_u,
    out_th_fired,
    out_kill_t,
    out_burden,
    out_left,
    ev_i,
    ev_f,
    ev_b,
):
    """Fight every trial (docs/battle.md §4); return the number of logged engagements.

    Packed inputs (one contiguous array per dtype keeps the signature short):

    - the lookup of :class:`shieldwall.outcome.engine._Lookup`, its rows packed
      (``rec_i``, ``rec_f``: :func:`_first_packed`), and ``launch_at``, read for the launch
      time of the sample a search returns: the running maximum itself where the launch times
      are finite (the first sample whose running maximum reaches ``x`` is one where it rises
      to that sample's own launch time, so the two are equal there and one array is read),
      else the launch times;
    - ``row_i (7, n_row)``: threat, battery, type, nation, fire-control key, planned rounds,
      column of ``out_burden`` (battery x defended nation).
    - ``row_f (5, n_row)``: rel·pk, latest launch, kill-assessment time, common-mode q,
      reaction time.
    - ``doc_i``: cap per threat, cap per pair, rounds per engagement, reserve, hold to
      assessment, upper tier first, event trials, finite asset values (the priorities are
      finite: the rows with authority are ordered alone, in the order a stable sort of all rows
      with ``inf`` for the others gives; the rows are sorted once at the most common beliefs,
      and per trial only the rows whose priority differs from that are sorted and merged in).
    - ``doc_f``: miss taken for a kill, kill taken for a miss.

    Outputs ``out_* (n_trial, ·)`` (``out_burden``: the rounds each row fired, summed per
    column); ``ev_i (cap, 5)`` trial, battery, threat, sample, rounds;
    ``ev_f (cap, 2)`` launch, intercept; ``ev_b (cap, 2)`` truly dead after, reported dead.
    """
    r_thr = row_i[0]
    r_bat = row_i[1]
    r_typ = row_i[2]
    r_nat = row_i[3]
    r_key = row_i[4]
    r_planned = row_i[5]
    r_col = row_i[6]
    r_pkill = row_f[0]
    r_latest = row_f[1]
    r_ka = row_f[2]
    r_qcm = row_f[3]
    r_reaction = row_f[4]
    cap_t = doc_i[0]
    cap_p = doc_i[1]
    per_eng = doc_i[2]
    reserve = doc_i[3]
    hold_assess = doc_i[4] != 0
    tier = doc_i[5] != 0
    event_trials = doc_i[6]
    mak = doc_f[0]
    kam = doc_f[1]

    n_tr, n_t = fail_t.shape
    n_r = r_thr.shape[0]
    n_b = inventory.shape[0]
    n_shot = kill_u.shape[1]
    c_max = 1
    for b in range(n_b):
        c_max = max(c_max, channels[b])

    # one trial's state, reset per trial
    th_fired = np.zeros(n_t, dtype=np.int64)
    th_neng = np.zeros(n_t, dtype=np.int64)
    th_dead = np.zeros(n_t, dtype=np.bool_)
    kill_t = np.empty(n_t)
    report_t = np.empty(n_t)
    pending = np.empty(n_t)
    fl = np.empty(n_t)
    row_fired = np.zeros(n_r, dtype=np.int64)
    auth = np.zeros(n_r, dtype=np.bool_)
    prio_neg = np.empty(n_r)
    compact = doc_i[7] != 0
    order = np.zeros(0, dtype=np.int64)
    # finite priorities: the rows with authority at the most common beliefs, sorted once by
    # priority (the reference order); per trial only the rows whose priority differs from it
    # are sorted, and merged into the rest, still in the reference order (the order a stable
    # sort of all the rows with authority gives: by priority, ties by row)
    ref_prio = np.full(n_r, _INF)
    kept = np.zeros(n_r, dtype=np.bool_)
    new_rows = np.empty(n_r, dtype=np.int64)
    new_prio = np.empty(n_r)
    n_ref = 0
    if compact:
        common = _common_beliefs(believed, asset_value.shape[0])
        for r in range(n_r):
            a = common[r_nat[r], r_thr[r]]
            if a >= 0 and defends[r_nat[r], asset_nation[a]] and asset_value[a] > 0.0:
                ref_prio[r] = -(asset_value[a] * r_pkill[r])
                new_rows[n_ref] = r
                new_prio[n_ref] = ref_prio[r]
                n_ref += 1
    ref_order = new_rows[np.argsort(new_prio[:n_ref], kind="mergesort")]
    # each row's searches for its first opportunity, remembered per whole second of the time
    # searched from (slot ``floor(x) mod 8``): the fire-control times of a row take a few
    # values over the trials, and a search the lookup has made need not read it again
    memo_x = np.full((n_r, 8), np.nan)
    memo_j = np.empty((n_r, 8), dtype=np.int64)
    memo_e = np.empty((n_r, 8))
    ready_row = np.empty(n_r)
    pos = np.empty(n_r, dtype=np.int64)
    left = np.empty(n_b, dtype=np.int64)
    chan = np.empty((n_b, c_max))
    spare_bat = np.zeros(n_b, dtype=np.bool_)
    cm_sum = np.zeros(n_b, dtype=np.int64)
    cm_next = np.empty(n_b)
    plan_left_b = np.empty(n_b, dtype=np.int64)
    # positions (rows with authority in priority order), padded to whole blocks
    cap_w = n_r + 8 * (n_r // 8 + 1) + 8
    perm = np.zeros(cap_w, dtype=np.int64)
    done = np.ones(cap_w, dtype=np.bool_)
    ready = np.empty(cap_w)
    floor = np.empty(cap_w)
    nj = np.empty(cap_w, dtype=np.int64)
    nl = np.empty(cap_w)
    spare_wait = np.zeros(cap_w, dtype=np.bool_)
    cap_tree = 1
    while cap_tree < cap_w:
        cap_tree *= 2
    tv = np.empty(2 * cap_tree)  # tournament tree: node values (leaves from ``cap_tree``)
    tq = np.empty(2 * cap_tree, dtype=np.int64)  # and the position each node's value is at
    woken = np.empty(rows_of_t.shape[1] + rows_of_b.shape[1] + wake_of_t.shape[1] + 1, np.int64)
    n_ev = 0

    for n in range(n_tr):
        for i in range(n_t):
            th_fired[i] = 0
            th_neng[i] = 0
            th_dead[i] = False
            kill_t[i] = _INF
            report_t[i] = _INF
            pending[i] = -_INF
            fl[i] = fail_t[n, i]
        for b in range(n_b):
            left[b] = inventory[b]
            spare_bat[b] = False
            cm_sum[b] = 0
            cm_next[b] = -_INF
            plan_left_b[b] = per_b[b]
            for c in range(c_max):
                chan[b, c] = -_INF if c < channels[b] else _INF
        # authority, earliest launch and priority from the trial's beliefs
        n_auth = 0
        n_new = 0
        for r in range(n_r):
            row_fired[r] = 0
            pos[r] = -1
            d = r_nat[r]
            i = r_thr[r]
            a = believed[n, d, i]
            au = False
            val = 0.0
            if a >= 0:
                val = asset_value[a]
                au = defends[d, asset_nation[a]] and val > 0.0
            auth[r] = au
            kept[r] = False
            if au:
                prio_neg[r] = -(val * r_pkill[r])
                ready_row[r] = fire_control[n, r_key[r], i] + r_reaction[r]
                n_auth += 1
                if prio_neg[r] == ref_prio[r]:
                    kept[r] = True
                else:
                    new_rows[n_new] = r
                    new_prio[n_new] = prio_neg[r]
                    n_new += 1
            else:
                prio_neg[r] = _INF
        if compact:  # the rows whose priority differs, merged into the reference order
            _merged_order(ref_order, kept, prio_neg, new_rows[:n_new], new_prio[:n_new], perm)
        else:
            order = np.argsort(prio_neg, kind="mergesort")
            perm[:n_auth] = order[:n_auth]
        width = n_auth
        for q in range(width):
            spare_wait[q] = False
            nj[q] = -1
            nl[q] = _INF
            row = perm[q]
            pos[row] = q
            done[q] = False
            ready[q] = ready_row[row]
            floor[q] = ready_row[row]
        for row in range(n_r):  # in row order: the lookup's records are read in sequence
            q = pos[row]
            if q < 0:
                continue
            x = ready_row[row]
            if x < _INF and x > -_INF:
                slot = np.int64(math.floor(x)) & 7
                if x == memo_x[row, slot]:
                    jj = memo_j[row, slot]
                    e2 = memo_e[row, slot]
                else:
                    jj = _first_packed(row, x, rec_i, rec_f, run_max, table)
                    e2 = launch_at[jj] if jj >= 0 else _INF
                    memo_x[row, slot] = x
                    memo_j[row, slot] = jj
                    memo_e[row, slot] = e2
            else:  # no fire control (or NaN): no slot
                jj = _first_packed(row, x, rec_i, rec_f, run_max, table)
                e2 = launch_at[jj] if jj >= 0 else _INF
            i2 = r_thr[row]
            if not (e2 >= fl[i2] or e2 >= report_t[i2]):
                nj[q] = jj
                nl[q] = e2
        size = 1  # leaves of this trial's tree: the positions, padded to a power of two
        while size < width:
            size *= 2
        for q in range(size):
            v = nl[q] if q < width else _INF
            tv[size + q] = v if v < _INF else _INF
            tq[size + q] = q
        for node in range(size - 1, 0, -1):
            _pull(node, tv, tq)

        while True:
            # the position whose next opportunity comes first (the lowest position on ties)
            best = tv[1]  # the root (the only leaf when size is 1)
            if not best < _INF:
                break
            q = tq[1]
            ell = best
            row = perm[q]
            i = r_thr[row]
            b = r_bat[row]
            fired_t = th_fired[i]
            lft = left[b]
            fired_r = row_fired[row]
            # rules 1 and 5 (never again)
            if report_t[i] <= ell or lft < 1 or fired_t >= cap_t or fired_r >= cap_p:
                done[q] = True
                nl[q] = _INF
                _touch(q, size, nl, tv, tq)
                continue
            # rule 5: a free channel; rule 3: look before shooting again
            free_k = 0
            first_free = chan[b, 0]
            for c in range(1, c_max):
                if chan[b, c] < first_free:
                    first_free = chan[b, c]
                    free_k = c
            pend = pending[i]
            busy = first_free > ell
            look = pend > ell and r_latest[row] >= pend
            retry = max(first_free if busy else -_INF, pend if look else -_INF)
            ok = not (busy or look)
            if tier and ok and not r_upper[row]:  # rule 4: upper tier first
                for u in upper_of_t[i]:
                    if u < 0:
                        break
                    pu = pos[u]
                    if pu < 0 or done[pu]:
                        continue
                    if (
                        r_latest[u] >= max(ell, floor[pu])
                        and left[r_bat[u]] >= 1
                        and row_fired[u] < cap_p
                    ):
                        retry = np.nextafter(ell, _INF)
                        ok = False
                        break
            # rules 6-7
            j = nj[q]
            plan_left = r_planned[row] - fired_r
            planned = plan_left > 0
            want = per_eng
            if planned and ok:  # (the rounds matter only to a row that may fire)
                want = plan_left if depth[j] == 1 else min(per_eng, plan_left)
            n_fire = min(min(want, lft), min(cap_t - fired_t, cap_p - fired_r))
            waiting = False
            if (
                ok
                and not planned
                and spare_batteries[b]
                and lft - reserve - plan_left_b[b] < n_fire
            ):
                if ell > cm_next[b]:  # the kept commitment has ended: recompute it
                    committed = 0
                    last = _INF
                    for r2 in planned_of_b[b]:
                        if r2 < 0:
                            break
                        rem = r_planned[r2] - row_fired[r2]
                        i2 = r_thr[r2]
                        f2 = fl[i2]
                        rp = report_t[i2]
                        lat = r_latest[r2]
                        if auth[r2] and rem > 0 and lat >= ell and f2 > ell and rp > ell:
                            committed += rem
                            e = min(lat, np.nextafter(min(f2, rp), -_INF))
                            if e < last:
                                last = e
                    cm_sum[b] = committed
                    cm_next[b] = last
                if lft - reserve - cm_sum[b] < n_fire:
                    ok = False
                    retry = np.nextafter(cm_next[b], _INF)
                    waiting = True
            if not ok:  # jump to when the blocking conditions can change
                ready[q] = retry
                floor[q] = np.nextafter(ell, _INF)
                spare_wait[q] = waiting
                if waiting:
                    spare_bat[b] = True
                jj = _first_packed(row, retry, rec_i, rec_f, run_max, table)
                e2 = launch_at[jj] if jj >= 0 else _INF
                if e2 >= fl[i] or e2 >= report_t[i] or done[q]:
                    nj[q] = -1
                    nl[q] = _INF
                else:
                    nj[q] = jj
                    nl[q] = e2
                _touch(q, size, nl, tv, tq)
                continue

            # fire: kills by round number, the report by engagement number
            typ = r_typ[row]
            p_shot = 0.0 if cm_u[i, typ, n] < r_qcm[row] else r_pkill[row]
            hit = False
            for s in range(n_fire):
                if kill_u[i, min(fired_t + s, n_shot - 1), n] < p_shot:
                    hit = True
            inter = sample_t[j]
            assess = inter + r_ka[row]
            dead = th_dead[i] or hit
            th_dead[i] = dead
            if hit and inter < kill_t[i]:
                kill_t[i] = inter
            u_ka = ka_u[i, th_neng[i], n]
            reported = (u_ka >= kam) if dead else (u_ka < mak)
            if reported and assess < report_t[i]:
                report_t[i] = assess
            pending[i] = max(pend, assess)
            new_t = fired_t + n_fire
            th_fired[i] = new_t
            th_neng[i] += 1
            row_fired[row] = fired_r + n_fire
            left[b] = lft - n_fire
            fired_plan = min(max(plan_left, 0), n_fire)
            plan_left_b[b] -= fired_plan
            cm_sum[b] -= fired_plan
            chan[b, free_k] = assess if hold_assess else inter
            ell_next = np.nextafter(ell, _INF)
            nw = 0
            # the threat's rows: done at its cap; the waiting ones the firing may unblock wake
            capped = new_t >= cap_t
            if capped:
                for row2 in rows_of_t[i]:
                    if row2 < 0:
                        break
                    q2 = pos[row2]
                    if q2 >= 0:
                        done[q2] = True
                        nl[q2] = _INF
                        _touch(q2, size, nl, tv, tq)
            pend_new = max(pend, assess)
            fewer = (not capped) and cap_t - new_t < per_eng
            for row2 in rows_of_t[i]:
                if row2 < 0:
                    break
                lat2 = r_latest[row2]
                last_chance = lat2 < pend_new and lat2 >= pend
                if not ((last_chance and not capped) or fewer):
                    continue
                q2 = pos[row2]
                if q2 < 0 or done[q2]:
                    continue
                if not (last_chance or spare_wait[q2]):
                    continue
                at = max(floor[q2], ell_next)
                if ready[q2] > at:
                    ready[q2] = at
                    woken[nw] = q2
                    nw += 1
            # fewer rounds left than an engagement wants: fewer spare rounds needed (at once,
            # before the later wake at a report "dead", which clears the same flag)
            if lft - n_fire < per_eng and lft - n_fire > 0 and spare_bat[b]:
                spare_bat[b] = False
                nw = _wake(rows_of_b[b], ell_next, pos, floor, ready, spare_wait, woken, nw)
            # a report "dead": commitments to the threat end just before it; rows waiting for
            # spare rounds at the batteries with planned rounds for it wake at the report
            if reported and has_plan_t[i]:
                end = np.nextafter(assess, -_INF)
                flagged = False
                for bat in plan_bats_of_t[i]:
                    if bat < 0:
                        break
                    if end < cm_next[bat]:
                        cm_next[bat] = end
                    if spare_bat[bat]:
                        flagged = True
                if flagged:
                    for bat in plan_bats_of_t[i]:
                        if bat < 0:
                            break
                        spare_bat[bat] = False
                    nw = _wake(wake_of_t[i], assess, pos, floor, ready, spare_wait, woken, nw)
            # the firing row itself: its next opportunity follows its assessment
            ready[q] = assess
            floor[q] = assess
            spare_wait[q] = False
            if lft - n_fire == 0:  # an empty battery never fires again
                for row2 in rows_of_b[b]:
                    if row2 < 0:
                        break
                    q2 = pos[row2]
                    if q2 >= 0:
                        done[q2] = True
                        nl[q2] = _INF
                        _touch(q2, size, nl, tv, tq)
            if n < event_trials:
                ev_i[n_ev, 0] = n
                ev_i[n_ev, 1] = b
                ev_i[n_ev, 2] = i
                ev_i[n_ev, 3] = j
                ev_i[n_ev, 4] = n_fire
                ev_f[n_ev, 0] = ell
                ev_f[n_ev, 1] = inter
                ev_b[n_ev, 0] = dead
                ev_b[n_ev, 1] = reported
                n_ev += 1
            # next opportunities: the firing row's is its shoot-look-shoot successor
            jj = succ[j]
            e2 = launch_at[jj] if jj >= 0 else _INF
            if e2 >= fl[i] or e2 >= report_t[i] or done[q]:
                nj[q] = -1
                nl[q] = _INF
            else:
                nj[q] = jj
                nl[q] = e2
            _touch(q, size, nl, tv, tq)
            for w in range(nw):
                q2 = woken[w]
                row2 = perm[q2]
                jj = _first_packed(row2, ready[q2], rec_i, rec_f, run_max, table)
                e2 = launch_at[jj] if jj >= 0 else _INF
                i2 = r_thr[row2]
                if e2 >= fl[i2] or e2 >= report_t[i2] or done[q2]:
                    nj[q2] = -1
                    nl[q2] = _INF
                else:
                    nj[q2] = jj
                    nl[q2] = e2
                _touch(q2, size, nl, tv, tq)

        for i in range(n_t):
            out_th_fired[n, i] = th_fired[i]
            out_kill_t[n, i] = kill_t[i]
        for c in range(out_burden.shape[1]):
            out_burden[n, c] = 0
        for r in range(n_r):
            out_burden[n, r_col[r]] += row_fired[r]
        for b in range(n_b):
            out_left[n, b] = left[b]
    return n_ev


@njit(cache=True, nogil=True)
def lookup_tables(row_start, launch, sample_t, ka_row):
    """The search structures of ``engine._Lookup`` from the rows' samples, in one pass per array
    (the numpy formulation, ``engine._lookup(..., compiled=False)``, is the check: identical).

    Needs finite launch times. Returns ``run_max, row_base, table_start, table_size, table,
    depth, succ``: the running maximum of the launch times within each row (``np.maximum``'s
    choice, the later sample on ties); per row and whole second ``v`` of its range the first
    sample whose running maximum reaches ``base + v``; each sample's shoot-look-shoot successor
    (the first opportunity of its row at or after its intercept plus the kill-assessment time)
    and the length of its chain of successors.
    """
    n_r = row_start.shape[0] - 1
    n_s = launch.shape[0]
    run_max = launch.copy()
    base = np.empty(n_r, dtype=np.int64)
    size = np.empty(n_r, dtype=np.int64)
    t_start = np.empty(n_r, dtype=np.int64)
    total = 0
    for r in range(n_r):
        lo = row_start[r]
        hi = row_start[r + 1]
        for k in range(lo + 1, hi):
            if not run_max[k] >= run_max[k - 1]:  # np.maximum(run_max[k], run_max[k - 1])
                run_max[k] = run_max[k - 1]
        base[r] = np.int64(math.floor(run_max[lo]))
        size[r] = np.int64(math.floor(run_max[hi - 1])) - base[r] + 1
        t_start[r] = total
        total += size[r]
    table = np.empty(total, dtype=np.int64)
    for r in range(n_r):
        j = row_start[r]
        hi = row_start[r + 1]
        for v in range(size[r]):
            x = np.float64(base[r] + v)
            while j < hi and run_max[j] < x:
                j += 1
            table[t_start[r] + v] = j if j < hi else -1
    succ = np.empty(n_s, dtype=np.int64)
    for r in range(n_r):
        for j in range(row_start[r], row_start[r + 1]):
            succ[j] = _first_at_or_after(
                r, sample_t[j] + ka_row[r], row_start, run_max, base, t_start, size, table
            )
    depth = np.ones(n_s, dtype=np.int64)
    for j in range(n_s):  # chain lengths: a handful
        cur = succ[j]
        while cur >= 0:
            depth[j] += 1
            cur = succ[cur]
    return run_max, base, t_start, size, table, depth, succ
