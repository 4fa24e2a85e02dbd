"""Exact WTA: log-domain outer approximation solved as a MILP on HiGHS, refined until bounds meet.

With ``a_ij = -ln(1 - p_ij)`` and ``y_j = sum_i a_ij x_ij`` the target-based objective is
``sum_j V_j exp(-y_j)``: a separable convex function of a linear map of the integer ``x``. Each
tangent ``s_j >= e^(-t) (1 + t) - e^(-t) y_j`` under-estimates ``exp(-y_j)``, so the MILP
``min sum_j V_j s_j`` over any set of tangents is a relaxation whose optimum (HiGHS's dual bound)
is a valid lower bound. Its solution ``x`` evaluated on the true objective is an upper bound. New
tangents are added at the ``y`` of each MILP solution and the MILP is re-solved until the bounds
meet: Kelley's (1960) cutting-plane method, in the outer-approximation form of Duran and Grossmann
(1986), used for WTA by Andersen, Pavlikov and Toffolo (2022) as a baseline and by Ahuja et al.
(2007) for lower bounds. Fire channels add binaries ``z_ij >= x_ij / U_ij``, ``sum_j z_ij <= C_i``.

HiGHS: Huangfu and Hall (2018), "Parallelizing the dual revised simplex method", Math. Prog. Comp.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import highspy
import numpy as np
from numpy.typing import NDArray

from shieldwall.battle.wta.heuristic import local_search
from shieldwall.battle.wta.problem import WTAProblem

__all__ = ["OuterApproximation", "solve_exact"]

#: Default relative gap at which the Kelley loop stops: the reference optima are printed to
#: about 1e-9 relative, so 1e-7 leaves the objective within 1e-6 of a proven optimum with room.
DEFAULT_GAP = 1e-7
#: A tangent is added for target j when the MILP under-estimates V_j exp(-y_j) by more than this
#: fraction of the incumbent objective (smaller violations cannot move the bound by the gap).
_CUT_REL = 1e-9
#: Absolute gap, in units of the largest target value, below which HiGHS's feasibility tolerances
#: (1e-7 by default) cannot resolve the bound anyway: counted as optimal.
_ABS_TOL = 1e-9
#: Each MILP after the first is solved to this fraction of the current Kelley gap.
_GAP_SHRINK = 0.01
#: HiGHS's ``mip_heuristic_effort`` (default 0.05).
_HEURISTIC_EFFORT = 0.0
#: Quantiles of a target's single-round log-kill values used as first tangent points.
_QUANTILES = np.array([0.25, 0.5, 0.75, 0.9, 1.0])
#: Relative gap of the first MILP.
_FIRST_MILP_GAP = 1e-3


@dataclass(frozen=True, kw_only=True)
class OuterApproximation:
    """The outcome of :func:`solve_exact`.

    Parameters
    ----------
    x
        Best assignment found, ``(n_w, n_t)``.
    objective
        Target-based objective at ``x``.
    bound
        Proven lower bound on the optimum of the target-based objective.
    rounds
        Number of MILP solves (Kelley iterations).
    optimal
        Whether the relative gap reached the requested tolerance.
    """

    x: NDArray[np.int64]
    objective: float
    bound: float
    rounds: int
    optimal: bool


def _tangent_rows(
    problem: WTAProblem,
    values: NDArray[np.float64],
    pairs: tuple[NDArray[np.intp], ...],
    targets: NDArray[np.intp],
    points: NDArray[np.float64],
) -> tuple[NDArray[np.float64], NDArray[np.int32], NDArray[np.int32], NDArray[np.float64]]:
    """Rows ``s_j + V_j e^(-t) sum_i a_ij x_ij >= V_j e^(-t)(1 + t)`` in CSR form, one per (j, t).

    Columns: ``x`` pairs first (index ``0 .. n_pairs-1``), then ``s_j`` at ``n_pairs + j``; here
    ``s_j`` is in value units (scaled by ``V_j``) so that HiGHS's absolute feasibility tolerance
    is a tolerance on the objective, not on a survival probability.
    """
    pi, pj = pairs
    n_pairs = pi.size
    order = np.argsort(pj, kind="stable")
    counts = np.bincount(pj, minlength=problem.n_targets)
    first = np.concatenate([[0], np.cumsum(counts)])
    slope = values[targets] * np.exp(-points)
    lower = slope * (1.0 + points)
    lengths = counts[targets] + 1
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int32)
    total = int(lengths.sum())
    indices = np.empty(total, dtype=np.int32)
    values = np.empty(total)
    for row, (j, sl) in enumerate(zip(targets.tolist(), slope.tolist(), strict=True)):
        cols = order[first[j] : first[j + 1]]
        at = int(starts[row])
        indices[at] = n_pairs + j
        values[at] = 1.0
        indices[at + 1 : at + 1 + cols.size] = cols
        values[at + 1 : at + 1 + cols.size] = sl * problem.kill_log[pi[cols], pj[cols]]
    return lower, starts, indices, values


def _initial_points(
    problem: WTAProblem, start: NDArray[np.int64]
) -> tuple[NDArray[np.intp], NDArray[np.float64]]:
    """Tangent points per target: 0, the start's ``y_j`` and one strong round either side of it,
    and the single-round values ``a_ij`` at a few quantiles of the target's feasible weapons (the
    ``y`` a lightly engaged target takes), each also on top of the start's ``y_j``."""
    feasible = problem.upper > 0
    has = np.asarray(feasible.any(axis=0), dtype=bool)
    y0 = (problem.kill_log * start).sum(axis=0)
    # NaN marks infeasible pairs; targets nobody can engage get a column of zeros (no all-NaN).
    a = np.where(feasible, problem.kill_log, np.nan)
    a = np.where(has[None, :], a, 0.0)
    levels = np.nanquantile(a, _QUANTILES, axis=0)
    step = levels[-1]
    pts = np.concatenate(
        [
            np.zeros((1, y0.size)),
            y0[None, :],
            (y0 + step)[None, :],
            np.maximum(y0 - step, 0.0)[None, :],
            levels,
            y0[None, :] + levels,
        ]
    )
    n_t = problem.n_targets
    targets = np.tile(np.arange(n_t), pts.shape[0])
    flat = pts.reshape(-1)
    keep = np.ones(flat.size, dtype=bool)
    keep[n_t:] = (flat[n_t:] > 0) & has[targets[n_t:]]  # the y = 0 tangent is always there
    pairs = np.unique(np.stack([targets[keep], flat[keep]], axis=1), axis=0)
    return pairs[:, 0].astype(np.intp), pairs[:, 1]


def solve_exact(
    problem: WTAProblem,
    start: NDArray[np.int64],
    time_limit_s: float | None = None,
    gap: float = DEFAULT_GAP,
    trace: list[tuple[float, float, float, int]] | None = None,
) -> OuterApproximation:
    """Solve the target-based WTA to a proven relative gap by outer approximation on HiGHS.

    Parameters
    ----------
    problem
        The problem (its target-based ``values`` are used).
    start
        A feasible assignment (the heuristic's), used as first incumbent, MIP start and tangents.
    time_limit_s
        Wall-clock budget for the whole loop; ``None`` = until proven. [s]
    gap
        Relative gap ``(upper - lower) / upper`` at which to stop.
    trace
        If given, one ``(elapsed_s, lower, upper, n_new_tangents)`` tuple is appended per MILP.

    Returns
    -------
    OuterApproximation
        Best assignment, its objective, the proven lower bound and how it ended.
    """
    t0 = time.perf_counter()
    deadline = np.inf if time_limit_s is None else t0 + time_limit_s
    upper = problem.upper
    pairs = np.nonzero(upper > 0)
    pi, pj = pairs
    n_pairs, n_t, n_w = pi.size, problem.n_targets, problem.n_weapons
    best_x = start.astype(np.int64).copy()
    # Work in units of the largest value so that HiGHS's absolute tolerances are relative ones.
    scale = float(problem.values.max(initial=0.0))
    values = problem.values / scale if scale > 0 else problem.values
    best = float(problem.surrogate_loss(best_x)) / max(scale, 1e-300)
    total_value = float(values.sum())
    if n_pairs == 0 or best <= 0.0:
        value = best * scale
        return OuterApproximation(x=best_x, objective=value, bound=value, rounds=0, optimal=True)

    h = highspy.Highs()  # type: ignore[no-untyped-call]
    h.setOptionValue("output_flag", False)
    h.setOptionValue("mip_improving_solution_save", True)
    # The heuristic's answer is the MIP start and is usually optimal or nearly: HiGHS's own
    # primal heuristics rarely beat it and cost a large share of each solve.
    h.setOptionValue("mip_heuristic_effort", _HEURISTIC_EFFORT)
    tight = gap / 4.0
    milp_gap = max(tight, _FIRST_MILP_GAP)
    h.setOptionValue("mip_rel_gap", milp_gap)
    h.setOptionValue("mip_abs_gap", _ABS_TOL * 1e-2)
    # Tangent rows are in units of the largest value; a looser feasibility tolerance would let
    # every s_j sit that far below its cut and cap the provable relative gap near 1e-6.
    h.setOptionValue("mip_feasibility_tolerance", _ABS_TOL)
    h.setOptionValue("primal_feasibility_tolerance", _ABS_TOL)
    inf = highspy.kHighsInf
    # Columns: x pairs (integer), s_j (continuous, [0, 1]), z pairs (binary) when channels bind.
    ub_x = upper[pi, pj].astype(np.float64)
    empty_i = np.zeros(0, dtype=np.int32)
    empty_f = np.zeros(0)
    h.addCols(n_pairs, np.zeros(n_pairs), np.zeros(n_pairs), ub_x, 0, empty_i, empty_i, empty_f)
    h.addCols(n_t, np.ones(n_t), np.zeros(n_t), values.copy(), 0, empty_i, empty_i, empty_f)
    kinds = np.full(n_pairs, highspy.HighsVarType.kInteger.value, dtype=np.uint8)
    h.changeColsIntegrality(n_pairs, np.arange(n_pairs, dtype=np.int32), kinds)

    def add_rows(
        lower: NDArray[np.float64],
        row_upper: NDArray[np.float64],
        starts: NDArray[np.int32],
        indices: NDArray[np.int32],
        values: NDArray[np.float64],
    ) -> None:
        h.addRows(lower.size, lower, row_upper, indices.size, starts, indices, values)

    # Inventory rows: sum_j x_ij <= W_i (one row per weapon with pairs).
    by_w = np.argsort(pi, kind="stable").astype(np.int32)
    w_counts = np.bincount(pi, minlength=n_w)
    w_starts = np.concatenate([[0], np.cumsum(w_counts)[:-1]]).astype(np.int32)
    add_rows(
        np.full(n_w, -inf), problem.inventory.astype(np.float64), w_starts, by_w, np.ones(n_pairs)
    )
    # Per-target caps: sum_i x_ij <= M_j.
    if problem.max_shots_per_target is not None:
        by_t = np.argsort(pj, kind="stable").astype(np.int32)
        t_counts = np.bincount(pj, minlength=n_t)
        t_starts = np.concatenate([[0], np.cumsum(t_counts)[:-1]]).astype(np.int32)
        caps = problem.target_cap.astype(np.float64)
        add_rows(np.full(n_t, -inf), caps, t_starts, by_t, np.ones(n_pairs))
    # Fire channels: x_p <= U_p z_p, sum_{p of i} z_p <= C_i, only where they can bind.
    if problem.channels is not None:
        binding = np.bincount(pi, minlength=n_w) > problem.channel_cap
        zp = np.nonzero(binding[pi])[0]
        if zp.size:
            z0 = n_pairs + n_t
            h.addCols(
                zp.size, np.zeros(zp.size), np.zeros(zp.size), np.ones(zp.size), 0,
                empty_i, empty_i, empty_f,
            )  # fmt: skip
            h.changeColsIntegrality(
                zp.size,
                np.arange(z0, z0 + zp.size, dtype=np.int32),
                np.full(zp.size, highspy.HighsVarType.kInteger.value, dtype=np.uint8),
            )
            link_idx = np.stack([zp, z0 + np.arange(zp.size)], axis=1).reshape(-1).astype(np.int32)
            link_val = np.stack([np.ones(zp.size), -ub_x[zp]], axis=1).reshape(-1)
            add_rows(
                np.full(zp.size, -inf), np.zeros(zp.size),
                np.arange(0, 2 * zp.size, 2, dtype=np.int32), link_idx, link_val,
            )  # fmt: skip
            zw = pi[zp]
            order = np.argsort(zw, kind="stable")
            zcounts = np.bincount(zw, minlength=n_w)
            add_rows(
                np.full(n_w, -inf),
                problem.channel_cap.astype(np.float64),
                np.concatenate([[0], np.cumsum(zcounts)[:-1]]).astype(np.int32),
                (z0 + order).astype(np.int32),
                np.ones(zp.size),
            )

    points: list[set[float]] = [set() for _ in range(n_t)]

    def add_tangents(targets: NDArray[np.intp], at: NDArray[np.float64]) -> None:
        keep = values[targets] > 0
        targets, at = targets[keep], at[keep]
        for j, t in zip(targets.tolist(), at.tolist(), strict=True):
            points[j].add(t)
        lower, starts, indices, coefs = _tangent_rows(problem, values, pairs, targets, at)
        add_rows(lower, np.full(lower.size, inf), starts, indices, coefs)

    add_tangents(*_initial_points(problem, best_x))
    n_cols = h.getNumCol()
    a_max = np.where(upper > 0, problem.kill_log, 0.0).max(axis=0)
    lower_bound = 0.0
    rounds = 0
    while True:
        remaining = deadline - time.perf_counter()
        if remaining <= 0:
            break
        if np.isfinite(remaining):
            h.setOptionValue("time_limit", float(remaining))
        y_best = (problem.kill_log * best_x).sum(axis=0)
        hint = np.zeros(n_cols)
        hint[:n_pairs] = best_x[pi, pj]
        hint[n_pairs : n_pairs + n_t] = values * np.exp(-y_best)
        if n_cols > n_pairs + n_t:
            hint[n_pairs + n_t :] = (best_x[pi, pj] > 0)[zp]
        h.setSolution(n_cols, np.arange(n_cols, dtype=np.int32), hint)
        h.run()
        rounds += 1
        info = h.getInfo()
        lower_bound = max(lower_bound, float(info.mip_dual_bound))
        # Tangents at the MILP optimum and at every improving solution HiGHS met on the way
        # there: more cuts per round, fewer rounds (Kelley's loop converges slowly otherwise).
        found = [np.asarray(h.getSolution().col_value)]
        found += [np.asarray(saved.col_value) for saved in h.getSavedMipSolutions()]
        cut_t: list[int] = []
        cut_y: list[float] = []
        for k, sol in enumerate(found):
            if sol.size != n_cols:
                continue
            x = np.zeros_like(best_x)
            x[pi, pj] = np.rint(sol[:n_pairs]).astype(np.int64)
            if k == 0 and not problem.violations(x):
                polished = local_search(problem, x)
                value = float(problem.surrogate_loss(polished)) / scale
                if value < best:
                    best, best_x = value, polished
            y = (problem.kill_log * x).sum(axis=0)
            under = values * np.exp(-y) - sol[n_pairs : n_pairs + n_t]
            for j in np.nonzero(under > _CUT_REL * max(best, 1e-300))[0].tolist():
                # The point itself, and one round more / one round fewer of the strongest weapon:
                # where the next MILP tends to move this target (saves Kelley rounds).
                fired = problem.kill_log[x[:, j] > 0, j]
                near = (y[j], y[j] + a_max[j], y[j] - (fired.max() if fired.size else 0.0))
                for t in near:
                    if t > 0 and float(t) not in points[j]:
                        points[j].add(float(t))
                        cut_t.append(j)
                        cut_y.append(float(t))
        new = np.asarray(cut_t, dtype=np.intp)
        if trace is not None:
            trace.append((time.perf_counter() - t0, lower_bound, best, int(new.size)))
        if best - lower_bound <= gap * best + _ABS_TOL or (new.size == 0 and milp_gap <= tight):
            break
        if h.getModelStatus() == highspy.HighsModelStatus.kTimeLimit:
            break
        if new.size:
            add_tangents(new, np.asarray(cut_y))
        # Early rounds only need good tangent points; the last ones must prove the gap.
        current = (best - lower_bound) / best
        milp_gap = (
            tight if new.size == 0 else max(tight, min(_GAP_SHRINK * current, _FIRST_MILP_GAP))
        )
        h.setOptionValue("mip_rel_gap", milp_gap)
    lower_bound = min(lower_bound, best)
    optimal = best - lower_bound <= gap * best + _ABS_TOL or total_value == 0.0
    return OuterApproximation(
        x=best_x,
        objective=best * scale,
        bound=lower_bound * scale,
        rounds=rounds,
        optimal=optimal,
    )
