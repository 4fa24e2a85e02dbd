"""The vectorized fight: every trial of a block at once, each in its own exact time order.

:func:`fight` implements docs/battle.md §4 (the definition; read it first). A row is considered at
its *next opportunity* — the earliest admissible intercept whose launch is not before the row's
ready time — and the rows of a trial are considered in launch-time order (ties by priority,
threat, battery). The engine runs all trials in **lockstep**: step ``c`` takes, in every trial at
once, the row whose next opportunity comes first in that trial and applies the rules to all of
them with a few dozen numpy operations (gathers from and scatters to flat per-trial state). Each
trial's state changes only at its own opportunities, in its own order, so every trial is resolved
exactly as the one-trial definition says.

Two devices keep the number of steps small without changing any result:

- **Jumps.** The definition considers a row at every admissible launch after its ready time; a
  row that does not fire would not fire at any later launch before one of the conditions that
  blocked it can change, so its ready time jumps to the earliest such time (the pending assessment
  for the look rule, the first channel release, the first expiry of a commitment for the spare
  rule; never, for a dead threat or an empty battery).
- **Wake-ups.** Two things can unblock a row earlier than its jump foresaw and are only known when
  they happen: a round fired at its threat (fewer rounds left under the threat's cap) and a report
  "dead" of a threat its battery has planned rounds for (those rounds become spare). Both bring
  the ready time of the waiting rows concerned back to the moment of the event.

"First admissible sample of row ``r`` with ``ℓ_j ≥ x``" is the first ``j`` whose running maximum
of ``ℓ`` within the row reaches ``x``; with the ``ℓ`` replaced by their global ranks the running
maxima of all rows form one non-decreasing integer key (``row · n_sample + rank``), so every such
query is one exact :func:`numpy.searchsorted`. Memory is bounded by running trials in chunks
(``max_cells`` (trial, row) cells per chunk); trials are independent, so chunking changes nothing.

The pipeline runs the same algorithm compiled (:mod:`shieldwall.outcome._kernels`, numba): one
trial at a time, each step the lane's step of the lockstep written for one lane, with the same
comparisons and floating-point operations, so its outcomes and engagement log are identical to
the lockstep's (tested) at ~5× less CPU; ``fight(..., compiled=False)`` runs the lockstep.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from shieldwall._types import F64, I64, B
from shieldwall.battle.fight_inputs import FightInputs
from shieldwall.battle.trial_inputs import TrialInputs
from shieldwall.outcome.draws import BlockDraws
from shieldwall.outcome.outcomes import Events, Outcomes

__all__ = ["MAX_CELLS", "fight", "forget"]

#: (trial, row) cells per chunk of trials: bounds the engine's memory (~200 bytes per cell).
MAX_CELLS = 2_000_000

#: Search structures per fight inputs, shared by the blocks fought on them.
_LOOKUPS: weakref.WeakKeyDictionary[FightInputs, _Lookup] = weakref.WeakKeyDictionary()


@dataclass(frozen=True)
class _Lookup:
    """Per-fight search structures (independent of the trials).

    "The first sample of row ``r`` with ``ℓ_j ≥ x``" is the first ``j`` whose running maximum
    ``M_j`` of ``ℓ`` within the row reaches ``x``. ``table`` holds, per row and per whole second
    ``v`` of its range, the first ``j`` with ``M_j ≥ v``; a query starts there from ``floor(x)``
    and steps over the few samples with ``M_j`` in ``[floor(x), x)``: exact, and a handful of
    gathers instead of a binary search.
    """

    run_max: F64  # (n_sample,) running maximum of ℓ within the row
    row_base: I64  # (n_row,) floor of the row's first ℓ
    table_start: I64  # (n_row,) offset of the row's part of ``table``
    table_size: I64  # (n_row,) number of whole seconds covered
    table: I64  # first sample with run_max >= base + v
    depth: I64  # (n_sample,) opportunities left if the row fires here and at each successor
    succ: I64  # (n_sample,) the next opportunity after firing here (-1 none)
    # for the kernel: per row its first sample, base, table start and size (int) and its first
    # and last running maximum (float), one record each; the array read for the launch time of
    # a sample a search returns (``run_max`` itself where the launch times are finite)
    rec_i: I64  # (n_row, 4)
    rec_f: F64  # (n_row, 2)
    launch_at: F64  # (n_sample,)


def _search(fi: FightInputs, rows: I64, x_s: F64) -> I64:
    """First sample of each row ``rows`` whose launch time is ``>= x_s`` by exact binary search
    on the global key ``row · n_sample + rank(running max)`` (-1 none); used to build tables."""
    n_s = fi.n_samples
    launch = fi.sample_launch_t_s
    row_of = np.repeat(np.arange(fi.n_rows, dtype=np.int64), np.diff(fi.row_start))
    order = np.argsort(launch, kind="stable")
    sorted_launch = launch[order]
    rank = np.empty(n_s, dtype=np.int64)
    # Equal ℓ get equal ranks (the first of their value), so ">= x" stays exact on ties.
    rank[order] = np.searchsorted(sorted_launch, sorted_launch, side="left")
    keys = np.maximum.accumulate(row_of * n_s + rank)
    q = np.searchsorted(sorted_launch, x_s, side="left")  # number of ℓ values below x
    j = np.searchsorted(keys, rows * n_s + q, side="left")
    end = fi.row_start[rows + 1]
    return np.where((j < end) & (q < n_s), j, -1).astype(np.int64)


def _lookup(fi: FightInputs, *, compiled: bool = True) -> _Lookup:
    """The fight's search structures: compiled (:func:`shieldwall.outcome._kernels.
    lookup_tables`, one pass per array) where the launch times are finite, else in numpy (the
    compiled one's check: identical arrays, tested)."""
    launch = fi.sample_launch_t_s
    finite = bool(np.isfinite(launch).all())
    if compiled and finite and fi.n_samples:
        from shieldwall.outcome._kernels import lookup_tables  # numba: loaded on first use

        c = np.ascontiguousarray
        ka = fi.kill_assessment_s[fi.row_type_idx]
        parts = lookup_tables(
            c(fi.row_start, dtype=np.int64),
            c(launch, dtype=np.float64),
            c(fi.sample_t_s, dtype=np.float64),
            c(ka, dtype=np.float64),
        )
    else:
        parts = _lookup_numpy(fi)
    run_max, base, t_start, size, table, depth, nxt = parts
    start, end = fi.row_start[:-1], fi.row_start[1:]
    rec_i = np.stack([start, base, t_start, size], axis=1).astype(np.int64)
    rec_f = np.stack([run_max[start], run_max[end - 1]], axis=1).astype(np.float64)
    # the first sample whose running maximum reaches x is one where it rises to that sample's
    # own launch time: there the two are equal, so the kernel reads one array (finite times)
    launch_at = run_max if finite else np.asarray(launch, dtype=np.float64)
    return _Lookup(run_max, base, t_start, size, table, depth, nxt, rec_i, rec_f, launch_at)


def _lookup_numpy(fi: FightInputs) -> tuple[F64, I64, I64, I64, I64, I64, I64]:
    """:func:`_lookup`'s arrays in numpy: ``run_max, base, table_start, table_size, table,
    depth, succ``."""
    n_s, n_r = fi.n_samples, fi.n_rows
    start, end = fi.row_start[:-1], fi.row_start[1:]
    row_of = np.repeat(np.arange(n_r, dtype=np.int64), np.diff(fi.row_start))
    launch = fi.sample_launch_t_s
    if n_s == 0:
        z = np.zeros(0, dtype=np.int64)
        return np.zeros(0), z, z, z, z, z, z
    # Running maximum within each row: rows do not mix because each starts from its own ℓ.
    run_max = launch.copy()
    for_rows = np.diff(fi.row_start)
    width = int(for_rows.max())
    for k in range(1, width):  # the longest row's length: hundreds of vectorized steps at most
        idx = start[for_rows > k] + k
        run_max[idx] = np.maximum(run_max[idx], run_max[idx - 1])
    base = np.floor(run_max[start]).astype(np.int64)
    size = np.floor(run_max[end - 1]).astype(np.int64) - base + 1
    t_start = np.concatenate([[0], np.cumsum(size)[:-1]]).astype(np.int64)
    t_row = np.repeat(np.arange(n_r, dtype=np.int64), size)
    values = (base[t_row] + (np.arange(int(size.sum())) - t_start[t_row])).astype(np.float64)
    table = _search(fi, t_row, values)
    z = np.zeros(0, dtype=np.int64)
    zr, zf = np.zeros((n_r, 4), dtype=np.int64), np.zeros((n_r, 2))
    lk = _Lookup(run_max, base, t_start, size, table, z, z, zr, zf, run_max)
    ka = fi.kill_assessment_s[fi.row_type_idx]
    nxt = _first_at_or_after(lk, fi, row_of, fi.sample_t_s + ka[row_of])
    depth = np.ones(n_s, dtype=np.int64)
    cur = nxt
    while (cur >= 0).any():  # chain lengths: a handful
        depth += cur >= 0
        cur = np.where(cur >= 0, nxt[np.maximum(cur, 0)], -1)
    return run_max, base, t_start, size, table, depth, nxt


def _first_at_or_after(lk: _Lookup, fi: FightInputs, rows: I64, x_s: F64) -> I64:
    """First sample of each row ``rows`` whose launch time is ``>= x_s`` (-1 none)."""
    start = fi.row_start[rows]
    last = lk.run_max[fi.row_start[rows + 1] - 1]
    x = np.asarray(x_s, dtype=np.float64)
    none = ~(x <= last)  # also x = inf or NaN
    at_start = x <= lk.run_max[start]
    v = np.floor(np.where(none | at_start, 0.0, x)).astype(np.int64) - lk.row_base[rows]
    v = np.clip(v, 0, np.maximum(lk.table_size[rows] - 1, 0))
    j = np.where(at_start, start, lk.table[lk.table_start[rows] + v])
    j = np.where(none, start, j)
    step = ~none & (lk.run_max[j] < x)
    while step.any():  # samples with running max in [floor(x), x): a few
        j = np.where(step, j + 1, j)
        step &= lk.run_max[j] < x
    return np.where(none, -1, j).astype(np.int64)


def fight(
    inputs: FightInputs,
    trials: TrialInputs,
    draws: BlockDraws,
    *,
    event_trials: int = 0,
    max_cells: int = MAX_CELLS,
    compiled: bool = True,
) -> Outcomes:
    """Fight every trial of a block (docs/battle.md §4).

    Parameters
    ----------
    inputs
        The deterministic inputs of the fight (rows, samples, plan, doctrine).
    trials
        The per-trial inputs (failures, fire-control times, believed targets).
    draws
        The block's random numbers (``kill_u``, ``ka_u``, ``common_mode_u`` are read here).
    event_trials
        Log the engagements of the first this-many trials (``Outcomes.events``). []
    max_cells
        (trial, row) cells per chunk of trials of the numpy formulation (memory bound). []
    compiled
        Run the compiled kernel (:mod:`shieldwall.outcome._kernels`, one trial at a time; its
        memory is the outputs'), else the numpy lockstep formulation (all trials of a chunk at
        once). Both give identical outcomes (tested); the kernel is the pipeline's. []

    Returns
    -------
    Outcomes
        Trial axis first, in the order of ``trials``.

    Raises
    ------
    FightInputsError, DrawsError
        Trial inputs or draws that do not fit these fight inputs.
    """
    fi = inputs
    trials.check_fits(fi)
    draws.check_fits(
        n_trials=trials.n_trials,
        n_threats=fi.n_threats,
        n_nations=fi.n_nations,
        n_shots=fi.doctrine.max_rounds_per_threat,
        n_types=fi.n_types,
    )
    lk = _LOOKUPS.get(fi)
    if lk is None:
        lk = _LOOKUPS[fi] = _lookup(fi, compiled=compiled)
    if compiled:
        return _outcomes(fi, trials, [_fight_compiled(fi, trials, draws, lk, event_trials)])
    n_tr = trials.n_trials
    step = max(1, min(n_tr, max_cells // max(fi.n_rows, 1)))
    parts = [
        _Lockstep(fi, trials, draws, lk, lo, min(lo + step, n_tr), event_trials).run()
        for lo in range(0, n_tr, step)
    ]
    return _outcomes(fi, trials, parts)


@dataclass(frozen=True)
class _Groups:
    """Per-fight static groups of rows and batteries (padded with -1), for the kernel."""

    planned_of_b: I64  # planned rows of each battery
    rows_of_t: I64  # rows of each threat
    rows_of_b: I64  # rows of each battery
    upper_of_t: I64  # upper-tier rows of each threat
    wake_of_t: I64  # rows woken by a report "dead" of the threat (batteries with a plan on it)
    plan_bats_of_t: I64  # batteries with planned rounds for the threat
    has_plan_t: B
    spare_batteries: B  # batteries whose rows may wait for spare rounds
    per_b: I64  # planned rounds per battery
    row_i: I64  # (7, n_row) threat, battery, type, nation, fire-control key, planned rounds,
    # rounds-defending column
    row_f: F64  # (5, n_row) rel·pk, latest launch, assessment time, common-mode q, reaction
    row_upper: B


#: Static groups per fight inputs, shared by the blocks fought on them.
_GROUPS: weakref.WeakKeyDictionary[FightInputs, _Groups] = weakref.WeakKeyDictionary()


def forget(fi: FightInputs) -> None:
    """Drop what :func:`fight` keeps for ``fi`` while it lives (its search tables and row
    groups): for a caller that keeps ``fi`` but fights no more on it (a run's first raid sample,
    kept for the results while the others are fought). Fighting on it again rebuilds them."""
    _LOOKUPS.pop(fi, None)
    _GROUPS.pop(fi, None)


def _groups(fi: FightInputs) -> _Groups:
    n_r, n_b, n_t = fi.n_rows, fi.n_batteries, fi.n_threats
    r_thr, r_bat, r_typ = fi.row_threat_idx, fi.row_battery_idx, fi.row_type_idx
    planned = np.flatnonzero(fi.planned_rounds > 0)
    planned_of_b = _members(r_bat[planned], planned, n_b)
    rows_of_b = _members(r_bat, np.arange(n_r), n_b)
    upper = np.asarray(fi.upper_tier[r_typ], dtype=bool)
    up = np.flatnonzero(upper)
    pb, pt = r_bat[planned], r_thr[planned]
    gi, gr = [], []
    for t_i, b_i in sorted({(int(t), int(b)) for t, b in zip(pt, pb, strict=True)}):
        rs = rows_of_b[b_i]
        rs = rs[rs >= 0]
        gi.append(np.full(rs.size, t_i))
        gr.append(rs)
    wake_of_t = (
        _members(np.concatenate(gi), np.concatenate(gr), n_t)
        if gi
        else np.full((n_t, 0), -1, dtype=np.int64)
    )
    plan_bats_of_t = (
        _members(pt, pb, n_t) if planned.size else np.full((n_t, 0), -1, dtype=np.int64)
    )
    per_b = np.bincount(r_bat, weights=fi.planned_rounds, minlength=n_b).astype(np.int64)
    row_i = np.stack(
        [
            r_thr, r_bat, r_typ, fi.row_nation_idx, fi.battery_fc_key[r_bat], fi.planned_rounds,
            _burden_column(fi),
        ]
    )  # fmt: skip
    row_f = np.stack(
        [
            fi.row_p_kill,
            fi.row_latest_launch_t_s,
            fi.kill_assessment_s[r_typ],
            fi.common_mode[r_typ, fi.threat_class[r_thr]],
            fi.reaction_time_s[r_typ],
        ]
    )
    c = np.ascontiguousarray
    return _Groups(
        planned_of_b=c(planned_of_b, dtype=np.int64),
        rows_of_t=c(_members(r_thr, np.arange(n_r), n_t), dtype=np.int64),
        rows_of_b=c(rows_of_b, dtype=np.int64),
        upper_of_t=c(_members(r_thr[up], up, n_t), dtype=np.int64),
        wake_of_t=c(wake_of_t, dtype=np.int64),
        plan_bats_of_t=c(plan_bats_of_t, dtype=np.int64),
        has_plan_t=c((wake_of_t >= 0).any(axis=1), dtype=bool),
        spare_batteries=c((planned_of_b >= 0).any(axis=1) | (fi.doctrine.reserve_rounds > 0)),
        per_b=c(per_b, dtype=np.int64),
        row_i=c(row_i, dtype=np.int64),
        row_f=c(row_f, dtype=np.float64),
        row_upper=c(upper, dtype=bool),
    )


def _fight_compiled(
    fi: FightInputs, trials: TrialInputs, draws: BlockDraws, lk: _Lookup, event_trials: int
) -> _Chunk:
    """All trials in the compiled kernel (:func:`shieldwall.outcome._kernels.fight_trials`)."""
    from shieldwall.outcome._kernels import fight_trials  # numba: loaded on first use

    g = _GROUPS.get(fi)
    if g is None:
        g = _GROUPS[fi] = _groups(fi)
    doc = fi.doctrine
    n_tr, n_t, n_b = trials.n_trials, fi.n_threats, fi.n_batteries
    per_eng = 1 if doc.mode == "sls" else doc.salvo_size
    tier = doc.upper_tier_first and bool(g.row_upper.any())
    n_log = max(0, min(int(event_trials), n_tr))
    per_trial = min(int(fi.inventory.sum()), n_t * doc.max_rounds_per_threat)
    cap = n_log * per_trial
    doc_i = np.array(
        [
            doc.max_rounds_per_threat,
            doc.max_rounds_per_pair,
            per_eng,
            doc.reserve_rounds,
            doc.channel_hold == "assessment",
            tier,
            n_log,
            bool(np.isfinite(fi.asset_value).all()),
        ],
        dtype=np.int64,
    )
    doc_f = np.array([doc.kill_assessment.miss_as_kill, doc.kill_assessment.kill_as_miss])
    th_fired = np.empty((n_tr, n_t), dtype=np.int64)
    kill_t = np.empty((n_tr, n_t))
    burden = np.empty((n_tr, fi.n_batteries * (fi.n_nations + 1)), dtype=np.int64)
    left = np.empty((n_tr, n_b), dtype=np.int64)
    ev_i = np.empty((cap, 5), dtype=np.int64)
    ev_f = np.empty((cap, 2))
    ev_b = np.empty((cap, 2), dtype=bool)
    c = np.ascontiguousarray
    n_ev = fight_trials(
        c(lk.rec_i, dtype=np.int64),
        c(lk.rec_f, dtype=np.float64),
        c(lk.run_max, dtype=np.float64),
        c(lk.table, dtype=np.int64),
        c(lk.depth, dtype=np.int64),
        c(lk.succ, dtype=np.int64),
        c(fi.sample_t_s, dtype=np.float64),
        c(lk.launch_at, dtype=np.float64),
        g.row_i,
        g.row_f,
        g.row_upper,
        c(fi.asset_nation_idx, dtype=np.int64),
        c(fi.asset_value, dtype=np.float64),
        c(fi.defends, dtype=bool),
        c(fi.inventory, dtype=np.int64),
        c(fi.fire_channels, dtype=np.int64),
        g.planned_of_b,
        g.rows_of_t,
        g.rows_of_b,
        g.upper_of_t,
        g.wake_of_t,
        g.plan_bats_of_t,
        g.has_plan_t,
        g.spare_batteries,
        g.per_b,
        doc_i,
        doc_f,
        c(trials.fail_t_s, dtype=np.float64),
        c(trials.fire_control_t_s, dtype=np.float64),
        c(trials.believed_asset_idx, dtype=np.int64),
        # views of a piece of a block's draws are read in place (strided), not copied
        np.asarray(draws.kill_u, dtype=np.float64),
        np.asarray(draws.ka_u, dtype=np.float64),
        np.asarray(draws.common_mode_u, dtype=np.float64),
        th_fired,
        kill_t,
        burden,
        left,
        ev_i,
        ev_f,
        ev_b,
    )
    events: list[dict[str, NDArray[np.generic]]] = []
    if n_ev:
        events.append(
            {
                "trial": ev_i[:n_ev, 0],
                "battery_idx": ev_i[:n_ev, 1],
                "threat_idx": ev_i[:n_ev, 2],
                "sample": ev_i[:n_ev, 3],
                "launch_t_s": ev_f[:n_ev, 0],
                "intercept_t_s": ev_f[:n_ev, 1],
                "rounds": ev_i[:n_ev, 4],
                "killed": ev_b[:n_ev, 0],
                "reported_dead": ev_b[:n_ev, 1],
            }
        )
    return _Chunk(th_fired=th_fired, kill_t=kill_t, burden=burden, left=left, events=events)


def _members(group: I64, member: I64, n_groups: int) -> I64:
    """Members of each group, ``(n_groups, width)`` padded with -1."""
    if member.size == 0:
        return np.full((n_groups, 0), -1, dtype=np.int64)
    order = np.lexsort((member, group))
    g, mem = group[order], member[order]
    count = np.bincount(g, minlength=n_groups)
    start = np.concatenate([[0], np.cumsum(count)[:-1]])
    out = np.full((n_groups, int(count.max())), -1, dtype=np.int64)
    out[g, np.arange(g.size) - start[g]] = mem
    return out


@dataclass
class _Chunk:
    th_fired: I64  # (n, n_t)
    kill_t: F64  # (n, n_t)
    burden: I64  # (n, n_battery * (n_nation + 1)) rounds per battery and defended nation
    left: I64  # (n, n_b)
    events: list[dict[str, NDArray[np.generic]]]


class _Lockstep:
    """State and rules of one chunk of trials (lanes); rows per lane in priority order."""

    def __init__(
        self,
        fi: FightInputs,
        trials: TrialInputs,
        draws: BlockDraws,
        lk: _Lookup,
        lo: int,
        hi: int,
        event_trials: int,
    ) -> None:
        self.fi, self.lk = fi, lk
        doc = fi.doctrine
        n = self.n = hi - lo
        n_t, n_r, n_b = fi.n_threats, fi.n_rows, fi.n_batteries
        self.n_t, self.n_r, self.n_b = n_t, n_r, n_b
        self.lane_trial = np.arange(lo, hi)  # trial within the block (draw column)
        self.n_draw = draws.n_trials
        r_thr, r_bat, r_typ, r_nat = (
            fi.row_threat_idx, fi.row_battery_idx, fi.row_type_idx, fi.row_nation_idx
        )  # fmt: skip
        self.fail_t = np.ascontiguousarray(trials.fail_t_s[lo:hi]).reshape(-1)  # lane * n_t + i
        # Authority and priority per (lane, row), from the trial's beliefs.
        bel = trials.believed_asset_idx[lo:hi][:, r_nat, r_thr]
        has = bel >= 0
        bel0 = np.maximum(bel, 0)
        if fi.n_assets:
            bel_nat = np.where(has, fi.asset_nation_idx[bel0], -1)
            bel_val = np.where(has, fi.asset_value[bel0], 0.0)
        else:
            bel_nat, bel_val = np.full(bel.shape, -1), np.zeros(bel.shape)
        auth = has & fi.defends[r_nat[None, :], np.maximum(bel_nat, 0)] & (bel_val > 0.0)
        p_kill = fi.row_p_kill
        key = fi.battery_fc_key[r_bat]
        ready = trials.fire_control_t_s[lo:hi][:, key, r_thr] + fi.reaction_time_s[r_typ]
        ready = np.where(auth, ready, np.inf)
        # Rows of each lane in priority order (higher priority, lower threat, lower battery);
        # rows without authority last and cut off.
        # (rows are sorted by threat, then battery: a stable sort on the priority alone)
        prio = np.where(auth, bel_val * p_kill[None, :], -np.inf)
        perm = np.argsort(-prio, axis=-1, kind="stable")
        # Positions come in blocks of ``bsize`` (the next opportunity is found as the minimum of
        # block minima: a step costs ~2·sqrt(W), not W); the width is padded to whole blocks.
        n_auth = int(auth.sum(axis=1).max(initial=0))
        self.bsize = max(8, int(np.sqrt(max(n_auth, 1))))
        width = -(-n_auth // self.bsize) * self.bsize
        real = min(width, n_r)
        pad = np.zeros((n, width - real), dtype=np.int64)  # positions that are never candidates
        self.perm = np.concatenate([perm[:, :real], pad], axis=1)  # (n, W) position -> row
        self.w = width
        lane = np.arange(n)[:, None]
        self.pos = np.full((n, n_r), -1, dtype=np.int64)  # row -> position (-1 not a candidate)
        self.pos[lane, self.perm[:, :real]] = np.arange(real)[None, :]
        pr = self.perm
        self.done = ~auth[lane, pr]
        self.done[:, real:] = True
        self.ready = ready[lane, pr]
        self.nj = np.full((n, width), -1, dtype=np.int64)
        self.nl = np.full((n, width), np.inf)
        self.bmin = np.full((n, max(width // self.bsize, 1)), np.inf)  # minimum of each block
        # Static per row.
        self.latest = fi.row_latest_launch_t_s
        self.r_thr, self.r_bat, self.r_typ = r_thr, r_bat, r_typ
        self.p_kill = p_kill
        self.ka = fi.kill_assessment_s[r_typ]
        self.upper = fi.upper_tier[r_typ]
        self.cm = draws.common_mode_u  # (n_t, n_type, n_draw)
        self.q_cm = fi.common_mode[r_typ, fi.threat_class[r_thr]]
        # Authority per (lane, row) for the spare and tier rules.
        self.auth_flat = auth.reshape(-1)
        # Dynamic state (flat over lanes).
        self.th_fired = np.zeros(n * n_t, dtype=np.int64)
        self.th_neng = np.zeros(n * n_t, dtype=np.int64)
        self.th_dead = np.zeros(n * n_t, dtype=bool)
        self.kill_t = np.full(n * n_t, np.inf)
        self.report_t = np.full(n * n_t, np.inf)
        self.pending = np.full(n * n_t, -np.inf)
        self.row_fired = np.zeros(n * n_r, dtype=np.int64)
        self.left = np.tile(fi.inventory.astype(np.int64), n)
        c_max = int(fi.fire_channels.max(initial=1))
        chan = np.full((n_b, c_max), -np.inf)
        chan[np.arange(c_max)[None, :] >= fi.fire_channels[:, None]] = np.inf  # absent: never free
        self.chan = np.tile(chan, (n, 1))
        # Doctrine.
        self.cap_t = doc.max_rounds_per_threat
        self.cap_p = doc.max_rounds_per_pair
        self.per_eng = 1 if doc.mode == "sls" else doc.salvo_size
        self.reserve = doc.reserve_rounds
        self.mak = doc.kill_assessment.miss_as_kill
        self.kam = doc.kill_assessment.kill_as_miss
        self.hold_assess = doc.channel_hold == "assessment"
        self.tier = doc.upper_tier_first and bool(self.upper.any())
        self.kill_flat = draws.kill_u.reshape(-1)
        self.ka_flat = draws.ka_u.reshape(-1)
        self.n_shot = draws.n_shots
        # Static groups: planned rows of each battery; rows of each threat; upper-tier rows of
        # each threat; rows woken when a threat is reported dead (all rows of the batteries
        # that have planned rounds for it).
        planned = np.flatnonzero(fi.planned_rounds > 0)
        self.planned_of_b = _members(r_bat[planned], planned, n_b)
        self.spare_batteries: B = np.asarray(
            (self.planned_of_b >= 0).any(axis=1) | (self.reserve > 0), dtype=bool
        )
        self.rows_of_t = _members(r_thr, np.arange(n_r), n_t)
        self.rows_of_b = _members(r_bat, np.arange(n_r), n_b)
        up = np.flatnonzero(self.upper)
        self.upper_of_t = _members(r_thr[up], up, n_t)
        pb, pt = r_bat[planned], r_thr[planned]
        all_rows_of_b = _members(r_bat, np.arange(n_r), n_b)
        gi, gr = [], []
        for t_i, b_i in {(int(t), int(b)) for t, b in zip(pt, pb, strict=True)}:
            rs = all_rows_of_b[b_i]
            rs = rs[rs >= 0]
            gi.append(np.full(rs.size, t_i))
            gr.append(rs)
        self.wake_of_t = (
            _members(np.concatenate(gi), np.concatenate(gr), n_t)
            if gi
            else np.full((n_t, 0), -1, dtype=np.int64)
        )
        self.has_plan_t: B = np.asarray((self.wake_of_t >= 0).any(axis=1), dtype=bool)
        self.plan_bats_of_t = _members(pt, pb, n_t) if planned.size else np.full((n_t, 0), -1)
        self.spare_bat = np.zeros(n * n_b, dtype=bool)  # (lane, battery) has spare-waiting rows
        # Rule 6's commitment per (lane, battery), valid until cm_next (see _commitment).
        self.cm_sum = np.zeros(n * n_b, dtype=np.int64)
        self.cm_next = np.full(n * n_b, -np.inf)
        # Planned rounds not yet fired per (lane, battery): an upper bound on rule 6's sum.
        per_b = np.bincount(r_bat, weights=fi.planned_rounds, minlength=n_b).astype(np.int64)
        self.plan_left_b = np.tile(per_b, n)
        self.spare_wait = np.zeros((n, width), dtype=bool)
        # The definition's ready time (after firing: the assessment; after an opportunity that
        # did not fire: just after it); ``ready`` may be later (a jump), never earlier.
        self.floor = self.ready.copy()
        self.event_trials = event_trials
        self.events: list[dict[str, NDArray[np.generic]]] = []
        self._refresh(np.flatnonzero(~self.done.reshape(-1)))

    # --- opportunities ----------------------------------------------------------------------
    def _refresh(self, cells: I64, known: I64 | None = None) -> None:
        """Recompute the next opportunity of flat (lane, position) cells from their ready time
        (``known``: the first cells' next samples, already known — the firing rows' successors)."""
        if cells.size == 0:
            return
        lane, q = np.divmod(cells, self.w)
        rows = self.perm[lane, q]
        if known is None:
            j = _first_at_or_after(self.lk, self.fi, rows, self.ready.reshape(-1)[cells])
        else:
            k = known.size
            rest = _first_at_or_after(self.lk, self.fi, rows[k:], self.ready.reshape(-1)[cells[k:]])
            j = np.concatenate([known, rest])
        ell = np.where(j >= 0, self.fi.sample_launch_t_s[np.maximum(j, 0)], np.inf)
        # An opportunity at or after the threat's failure or its report "dead" would not fire
        # (rule 1): the row waits instead of spending a step on it (a wake-up may still bring
        # its ready time back before them).
        tcell = lane * self.n_t + self.r_thr[rows]
        gone = (ell >= self.fail_t[tcell]) | (ell >= self.report_t[tcell])
        off = gone | self.done.reshape(-1)[cells]
        self.nj.reshape(-1)[cells] = np.where(off, -1, j)
        self.nl.reshape(-1)[cells] = np.where(off, np.inf, ell)
        self._touch(cells)

    def _touch(self, cells: I64) -> None:
        """Recompute the block minima of the blocks holding ``cells`` (after ``nl`` changed)."""
        if cells.size == 0:
            return
        if cells.size * self.bsize >= self.nl.size:  # many cells (the start): all blocks
            self.bmin = self.nl.reshape(self.n, -1, self.bsize).min(axis=2)
            return
        blocks = cells // self.bsize  # (a block listed twice is recomputed twice: harmless)
        start = blocks * self.bsize
        vals = self.nl.reshape(-1)[start[:, None] + np.arange(self.bsize)[None, :]]
        self.bmin.reshape(-1)[blocks] = vals.min(axis=1)

    def _wake(self, lanes: I64, rows: I64, at_s: F64) -> I64:
        """Bring the spare-waiting rows among ``rows (k, w)`` of ``lanes (k,)`` forward to
        ``at_s (k,)``; return their cells."""
        q = self.pos[lanes[:, None], np.maximum(rows, 0)]
        cell = lanes[:, None] * self.w + np.maximum(q, 0)
        flat_ready = self.ready.reshape(-1)
        at = np.maximum(self.floor.reshape(-1)[cell], at_s[:, None])
        ok = (rows >= 0) & (q >= 0)
        ok &= self.spare_wait.reshape(-1)[cell] & (flat_ready[cell] > at)
        cells = cell[ok]
        flat_ready[cells] = at[ok]
        return cells

    # --- the loop -------------------------------------------------------------------------
    def run(self) -> _Chunk:
        n, w = self.n, self.w
        lanes_all = np.arange(n)
        within = np.arange(self.bsize)[None, :]
        while w:
            bq = self.bmin.argmin(axis=1)
            best = self.bmin[lanes_all, bq]
            a = np.flatnonzero(best < np.inf)
            if a.size == 0:
                break
            first = bq[a] * self.bsize
            q = first + self.nl[a[:, None], first[:, None] + within].argmin(axis=1)
            self._step(a, q, best[a])
        inv_shape = (n, self.n_t)
        return _Chunk(
            th_fired=self.th_fired.reshape(inv_shape),
            kill_t=self.kill_t.reshape(inv_shape),
            burden=_burden(self.fi, self.row_fired.reshape(n, self.n_r)),
            left=self.left.reshape(n, self.n_b),
            events=self.events,
        )

    def _step(self, a: I64, q: I64, ell: F64) -> None:
        """The opportunity of position ``q`` in each lane ``a`` at launch ``ell`` (rules 1-7).

        Lanes leave as soon as a rule blocks them, with a retry at the latest change time of
        the conditions checked so far: a subset of the blocking conditions gives an earlier
        retry, never a missed opportunity.
        """
        n_t, n_b = self.n_t, self.n_b
        cell = a * self.w + q
        row = self.perm[a, q]
        i = self.r_thr[row]
        ti, bi = a * n_t + i, a * n_b + self.r_bat[row]
        # Rules 1 and 5 (never again): reported dead, empty battery, threat cap, pair cap.
        # (Opportunities at or after the threat's failure never come up: see _refresh.)
        fired_t = self.th_fired[ti]
        lft = self.left[bi]
        dead = (self.report_t[ti] <= ell) | (lft < 1) | (fired_t >= self.cap_t)
        ri = a * self.n_r + row
        fired_r = self.row_fired[ri]
        dead |= fired_r >= self.cap_p
        if dead.any():
            c_d = cell[dead]
            self.done.reshape(-1)[c_d] = True
            self.nl.reshape(-1)[c_d] = np.inf
            self._touch(c_d)
            live = np.flatnonzero(~dead)
            a, q, ell, cell, row, i = a[live], q[live], ell[live], cell[live], row[live], i[live]
            ti, bi, ri = ti[live], bi[live], ri[live]
            fired_t, lft, fired_r = fired_t[live], lft[live], fired_r[live]
        # Rule 5: a free fire channel at L; rule 3: look before shooting again, unless no
        # admissible launch is left after the pending assessment.
        ch = self.chan[bi]
        free_k = ch.argmin(axis=1)
        first_free = ch[np.arange(a.size), free_k]
        pend = self.pending[ti]
        busy = first_free > ell
        look = (pend > ell) & (self.latest[row] >= pend)
        blocked = busy | look
        retry = np.maximum(np.where(busy, first_free, -np.inf), np.where(look, pend, -np.inf))
        ok = ~blocked
        if self.tier:  # Rule 4: upper tier first.
            waits = self._upper_waits(a, row, i, ell) & ok
            retry = np.where(waits, np.nextafter(ell, np.inf), retry)
            ok &= ~waits
        # Rules 6-7: planned or spare, and how many rounds.
        j = self.nj[a, q]
        plan_left = self.fi.planned_rounds[row] - fired_r
        planned = plan_left > 0
        last = self.lk.depth[j] == 1
        want = np.where(
            planned, np.where(last, plan_left, np.minimum(self.per_eng, plan_left)), self.per_eng
        )
        n_fire = np.minimum(
            np.minimum(want, lft), np.minimum(self.cap_t - fired_t, self.cap_p - fired_r)
        )
        # Spare rounds: certainly enough when even every planned round of the battery still
        # counted would leave them (no need to look at which commitments still hold).
        b = self.r_bat[row]
        spare_q: B = ok & ~planned & self.spare_batteries[b]
        spare_q &= lft - self.reserve - self.plan_left_b[bi] < n_fire
        sq = np.flatnonzero(spare_q)
        waiting = np.zeros(a.size, dtype=bool)
        if sq.size:
            committed, change = self._commitment(a[sq], b[sq], bi[sq], ell[sq])
            short = lft[sq] - self.reserve - committed < n_fire[sq]
            ok[sq[short]] = False
            retry[sq[short]] = change[short]
            waiting[sq[short]] = True
        nf_idx = np.flatnonzero(~ok)
        c_nf = cell[nf_idx]
        if nf_idx.size:  # not fired: jump to when the blocking conditions can change
            self.ready.reshape(-1)[c_nf] = retry[nf_idx]
            self.floor.reshape(-1)[c_nf] = np.nextafter(ell[nf_idx], np.inf)
            self.spare_wait.reshape(-1)[c_nf] = waiting[nf_idx]
            self.spare_bat[bi[nf_idx[waiting[nf_idx]]]] = True
        f = np.flatnonzero(ok)
        woken = self._fire(a[f], cell[f], row[f], j[f], i[f], ti[f], bi[f], ri[f], ell[f],
                           fired_t[f], fired_r[f], lft[f], n_fire[f], free_k[f], pend[f]) \
            if f.size else np.zeros(0, dtype=np.int64)  # fmt: skip
        # The firing rows first: their next opportunity is the shoot-look-shoot successor.
        self._refresh(np.concatenate([cell[f], c_nf, woken]), known=self.lk.succ[j[f]])

    def _fire(
        self, a: I64, cell: I64, row: I64, j: I64, i: I64, ti: I64, bi: I64, ri: I64, ell: F64,
        fired_t: I64, fired_r: I64, lft: I64, nf: I64, free_k: I64, pend: F64,
    ) -> I64:  # fmt: skip
        """Fire; return the cells whose ready time changed by a wake-up."""
        fi = self.fi
        t_draw = self.lane_trial[a]
        typ = self.r_typ[row]
        cm = self.cm[i, typ, t_draw] < self.q_cm[row]
        p = np.where(cm, 0.0, self.p_kill[row])
        base = (i * self.n_shot) * self.n_draw + t_draw
        hit = np.zeros(a.size, dtype=bool)
        for s in range(int(nf.max())):  # rounds of a salvo: a handful
            k = np.minimum(fired_t + s, self.n_shot - 1)  # (lanes with fewer rounds: masked)
            hit |= (s < nf) & (self.kill_flat[base + k * self.n_draw] < p)
        inter = fi.sample_t_s[j]
        assess = inter + self.ka[row]
        dead = self.th_dead[ti] | hit
        self.th_dead[ti] = dead
        self.kill_t[ti] = np.where(hit, np.minimum(self.kill_t[ti], inter), self.kill_t[ti])
        u = self.ka_flat[base + self.th_neng[ti] * self.n_draw]
        reported = np.where(dead, u >= self.kam, u < self.mak)
        self.report_t[ti] = np.where(
            reported, np.minimum(self.report_t[ti], assess), self.report_t[ti]
        )
        self.pending[ti] = np.maximum(pend, assess)
        self.th_fired[ti] = fired_t + nf
        self.th_neng[ti] += 1
        self.row_fired[ri] = fired_r + nf
        self.left[bi] = lft - nf
        plan_left = fi.planned_rounds[row] - fired_r
        fired_plan = np.clip(plan_left, 0, nf)
        self.plan_left_b[bi] -= fired_plan
        self.cm_sum[bi] -= fired_plan  # a firing row is counted (live, window open, authority)
        self.chan[bi, free_k] = assess if self.hold_assess else inter
        # The rows of this threat: done when its cap is reached; the others that wait wake now
        # (the later pending assessment may make this their last chance; fewer rounds may be
        # wanted under the cap). On a report "dead", rows of batteries with planned rounds for
        # the threat that wait for spare rounds wake at the report (those rounds become spare).
        woken = self._threat_rows(a, i, ell, fired_t + nf, assess, pend)
        # A battery left with fewer rounds than an engagement wants needs fewer spare rounds
        # (rule 7 caps the rounds by what is left): wake its rows waiting for spare rounds at
        # once. (Before the wake at a report "dead" below, which is later and clears the same
        # flag: the earlier wake must not be lost.)
        short = np.flatnonzero((lft - nf < self.per_eng) & (lft - nf > 0) & self.spare_bat[bi])
        if short.size:
            self.spare_bat[bi[short]] = False
            rows_b = self.rows_of_b[self.r_bat[row[short]]]
            at = np.nextafter(ell[short], np.inf)
            woken = np.concatenate([woken, self._wake(a[short], rows_b, at)])
        rd = np.flatnonzero(np.asarray(reported, dtype=bool) & self.has_plan_t[i])
        if rd.size:  # commitments to the threat end just before the report
            bats = self.plan_bats_of_t[i[rd]]
            bcell = a[rd][:, None] * self.n_b + np.maximum(bats, 0)
            end = np.broadcast_to(np.nextafter(assess[rd], -np.inf)[:, None], bats.shape)
            has = bats >= 0
            self.cm_next[bcell[has]] = np.minimum(self.cm_next[bcell[has]], end[has])
        if rd.size:  # only where one of those batteries has rows waiting for spare rounds
            bats = self.plan_bats_of_t[i[rd]]
            bcell = a[rd][:, None] * self.n_b + np.maximum(bats, 0)
            flagged = (bats >= 0) & self.spare_bat[bcell]
            rd2 = np.flatnonzero(flagged.any(axis=1))
            if rd2.size:
                self.spare_bat[bcell[rd2][flagged[rd2]]] = False
                g = rd[rd2]
                woken = np.concatenate([woken, self._wake(a[g], self.wake_of_t[i[g]], assess[g])])
        # The firing row itself (after the wake-ups): its next opportunity follows its assessment.
        self.ready.reshape(-1)[cell] = assess
        self.floor.reshape(-1)[cell] = assess
        self.spare_wait.reshape(-1)[cell] = False
        empty = np.flatnonzero(lft - nf == 0)
        if empty.size:  # an empty battery never fires again
            rows_b = self.rows_of_b[self.r_bat[row[empty]]]
            q = self.pos[a[empty][:, None], np.maximum(rows_b, 0)]
            ok = (rows_b >= 0) & (q >= 0)
            c_e = (a[empty][:, None] * self.w + np.maximum(q, 0))[ok]
            self.done.reshape(-1)[c_e] = True
            self.nl.reshape(-1)[c_e] = np.inf
            self._touch(c_e)
        if self.event_trials > 0:
            lg = np.flatnonzero(t_draw < self.event_trials)
            if lg.size:
                self.events.append(
                    {
                        "trial": t_draw[lg],
                        "battery_idx": self.r_bat[row[lg]],
                        "threat_idx": i[lg],
                        "sample": j[lg],
                        "launch_t_s": ell[lg],
                        "intercept_t_s": inter[lg],
                        "rounds": nf[lg],
                        "killed": dead[lg],
                        "reported_dead": reported[lg],
                    }
                )
        return woken

    def _threat_rows(
        self, a: I64, i: I64, ell: F64, fired_t: I64, assess: F64, pend_before: F64
    ) -> I64:
        """After a firing at threat ``i`` in lanes ``a`` (``fired_t`` rounds at it now): its rows
        are done if its cap is reached; waiting rows the firing may unblock wake at the next
        instant — those whose window now ends before the pending assessment (last chance) and,
        when the threat's remaining cap falls below a full engagement, those waiting for spare
        rounds (fewer may be needed). Return the woken cells."""
        rows = self.rows_of_t[i]
        capped = fired_t >= self.cap_t
        cp = np.flatnonzero(capped)
        if cp.size:
            q = self.pos[a[cp][:, None], np.maximum(rows[cp], 0)]
            ok = (rows[cp] >= 0) & (q >= 0)
            c_g = (a[cp][:, None] * self.w + np.maximum(q, 0))[ok]
            self.done.reshape(-1)[c_g] = True
            self.nl.reshape(-1)[c_g] = np.inf
            self._touch(c_g)
        latest = self.latest[np.maximum(rows, 0)]
        pend = np.maximum(pend_before, assess)[:, None]
        cand = (rows >= 0) & (latest < pend) & (latest >= pend_before[:, None])
        cand &= ~capped[:, None]
        fewer = np.flatnonzero(~capped & (self.cap_t - fired_t < self.per_eng))
        cand[fewer] |= rows[fewer] >= 0  # checked against the spare flag below
        k, c = np.nonzero(cand)
        if k.size == 0:
            return np.zeros(0, dtype=np.int64)
        lane, row = a[k], rows[k, c]
        q = self.pos[lane, row]
        cell = lane * self.w + np.maximum(q, 0)
        ok = (q >= 0) & ~self.done.reshape(-1)[cell]
        last_chance = (latest[k, c] < pend[k, 0]) & (latest[k, c] >= pend_before[k])
        ok &= last_chance | self.spare_wait.reshape(-1)[cell]
        at = np.maximum(self.floor.reshape(-1)[cell], np.nextafter(ell[k], np.inf))
        flat_ready = self.ready.reshape(-1)
        ok &= flat_ready[cell] > at
        c_w: I64 = np.asarray(cell[ok], dtype=np.int64)
        flat_ready[c_w] = at[ok]
        return c_w

    def _commitment(self, a: I64, b: I64, bi: I64, ell: F64) -> tuple[I64, F64]:
        """Rule 6: planned rounds still committed by each battery at ``ell`` and the last time
        before that commitment shrinks (a window closes, a threat fails or is reported dead).

        Every term only ever leaves the sum as time goes on, so it is kept per (lane, battery)
        and recomputed only once its next end has passed; firings subtract their planned rounds
        and reports "dead" bring the next end forward (in :meth:`_fire`). The row asking is never
        in the sum: it has no planned rounds left.
        """
        stale = np.flatnonzero(ell > self.cm_next[bi])
        if stale.size:
            s_sum, s_next = self._committed(a[stale], b[stale], ell[stale])
            self.cm_sum[bi[stale]] = s_sum
            self.cm_next[bi[stale]] = s_next
        return self.cm_sum[bi], np.nextafter(self.cm_next[bi], np.inf)

    def _committed(self, a: I64, b: I64, ell: F64) -> tuple[I64, F64]:
        """The planned rounds of each battery counted at ``ell`` (rows with authority, rounds
        left, window open, threat live) and the last time they are all still counted."""
        rows = self.planned_of_b[b]  # (q, P)
        rr = np.maximum(rows, 0)
        cell = a[:, None] * self.n_r + rr
        rem = self.fi.planned_rounds[rr] - self.row_fired[cell]
        tcell = a[:, None] * self.n_t + self.r_thr[rr]
        fail = self.fail_t[tcell]
        rep = self.report_t[tcell]
        latest = self.latest[rr]
        e = ell[:, None]
        on = (rows >= 0) & self.auth_flat[cell] & (rem > 0)
        on &= (latest >= e) & (fail > e) & (rep > e)
        committed = np.where(on, rem, 0).sum(axis=1)
        # counted while L <= latest, L < fail, L < report: the last such time
        ends = np.minimum(latest, np.nextafter(np.minimum(fail, rep), -np.inf))
        last = np.where(on, ends, np.inf).min(axis=1, initial=np.inf)
        return committed.astype(np.int64), last

    def _upper_waits(self, a: I64, row: I64, i: I64, ell: F64) -> B:
        """Rule 4: lower-tier rows that wait for a pending upper-tier row of their threat."""
        waits = np.zeros(a.size, dtype=bool)
        q = np.flatnonzero(~self.upper[row])
        if q.size == 0 or self.upper_of_t.shape[1] == 0:
            return waits
        ups = self.upper_of_t[i[q]]  # (q, U)
        uu = np.maximum(ups, 0)
        lane = a[q][:, None]
        cell = lane * self.n_r + uu
        pos = self.pos[lane, uu]
        c2 = lane * self.w + np.maximum(pos, 0)
        # the definition's ready time (a jump is the engine's, not the row's)
        ready = np.where(pos >= 0, self.floor.reshape(-1)[c2], np.inf)
        e = ell[q][:, None]
        w = (ups >= 0) & (pos >= 0) & ~self.done.reshape(-1)[c2]
        w &= self.latest[uu] >= np.maximum(e, ready)
        w &= self.left[lane * self.n_b + self.r_bat[uu]] >= 1
        w &= self.row_fired[cell] < self.cap_p
        waits[q] = w.any(axis=1)
        return waits


def _outcomes(fi: FightInputs, trials: TrialInputs, parts: list[_Chunk]) -> Outcomes:
    th_fired = np.concatenate([p.th_fired for p in parts])
    kill_t = np.concatenate([p.kill_t for p in parts])
    burden = np.concatenate([p.burden for p in parts])
    left = np.concatenate([p.left for p in parts])
    n_tr = th_fired.shape[0]
    flew = np.asarray(trials.flies, dtype=bool)
    killed = kill_t < np.asarray(trials.fail_t_s)
    on_asset = fi.target_asset_idx >= 0
    leaked = flew & ~killed & on_asset[None, :]
    member = np.zeros((fi.n_threats, fi.n_assets))
    member[np.flatnonzero(on_asset), fi.target_asset_idx[on_asset]] = 1.0
    asset_hit = (leaked.astype(np.float64) @ member) > 0.0
    value_lost = asset_hit.astype(np.float64) @ fi.asset_value
    n_col = fi.n_nations + 1
    return Outcomes(
        flew=flew,
        killed=killed,
        leaked=leaked,
        rounds_at=th_fired,
        expended=fi.inventory[None, :] - left,
        asset_hit=asset_hit,
        value_lost=np.asarray(value_lost, dtype=np.float64),
        rounds_defending=burden.reshape(n_tr, fi.n_batteries, n_col),
        events=_events(fi, [e for p in parts for e in p.events]),
    )


def _burden_column(fi: FightInputs) -> I64:
    """Column of each row in the rounds-defending table: battery x nation the threat's target
    belongs to (the last column: no defended nation)."""
    nat = fi.target_nation_idx[fi.row_threat_idx]
    col: I64 = fi.row_battery_idx * (fi.n_nations + 1) + np.where(nat >= 0, nat, fi.n_nations)
    return np.asarray(col, dtype=np.int64)


def _burden(fi: FightInputs, row_fired: I64) -> I64:
    """Rounds per trial, battery and defended nation from the rounds per trial and row."""
    n_tr = int(row_fired.shape[0])
    size = fi.n_batteries * (fi.n_nations + 1)
    flat = (np.arange(n_tr)[:, None] * size + _burden_column(fi)[None, :]).reshape(-1)
    burden = np.bincount(flat, weights=row_fired.reshape(-1), minlength=n_tr * size)
    out: I64 = np.rint(burden).astype(np.int64).reshape(n_tr, size)
    return out


def _events(fi: FightInputs, logs: list[dict[str, NDArray[np.generic]]]) -> Events:
    if not logs:
        return Events.empty()
    cols = {k: np.concatenate([d[k] for d in logs]) for k in logs[0]}
    order = np.lexsort((cols["battery_idx"], cols["launch_t_s"], cols["trial"]))
    cols = {k: v[order] for k, v in cols.items()}
    sample = cols["sample"].astype(np.int64)
    return Events(
        trial=cols["trial"].astype(np.int64),
        battery_idx=cols["battery_idx"].astype(np.int64),
        threat_idx=cols["threat_idx"].astype(np.int64),
        sample=sample,
        launch_t_s=cols["launch_t_s"].astype(np.float64),
        intercept_t_s=cols["intercept_t_s"].astype(np.float64),
        rounds=cols["rounds"].astype(np.int64),
        killed=cols["killed"].astype(bool),
        reported_dead=cols["reported_dead"].astype(bool),
        lat_rad=fi.sample_lat_rad[sample],
        lon_rad=fi.sample_lon_rad[sample],
        alt_m=fi.sample_alt_m[sample],
    )
