"""One entry point for every WTA solver, chosen by name (docs/wta.md)."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterable

import numpy as np
from numpy.typing import ArrayLike, NDArray

from shieldwall.battle.wta.exact import DEFAULT_GAP, solve_exact
from shieldwall.battle.wta.heuristic import local_search
from shieldwall.battle.wta.polish import polish_assets
from shieldwall.battle.wta.problem import SOLVERS, WTAError, WTAProblem, WTASolution
from shieldwall.battle.wta.starts import AssignmentPrefixes, assignment_start

__all__ = ["START_RULES", "StartCache", "solve", "solve_many"]

#: Representative kill probabilities of the assignment starts tried after the greedy one.
START_RULES = ("max", "mean")

_FIELDS = (
    "values", "pk", "inventory", "max_shots", "max_shots_per_target", "channels", "target_asset",
    "asset_values",
)  # fmt: skip


class StartCache:
    """The local-search results of the assignment starts, per problem, for re-solved problems,
    and the heuristic's answer per (problem, start).

    Those searches depend on the problem only, not on the warm start, so a caller that solves the
    same problem again (forbid-and-resolve from two starts, or two policies with the same pairs:
    :func:`shieldwall.battle.plan.plan_policies`) reuses them; and the heuristic's answer depends
    on the problem and the start only, so a solve from a start met before is served whole (50 of
    274 solves at 1,000 threats). The solution is the same as without the cache. A problem is
    known by a 128-bit BLAKE2b digest of its arrays' dtypes, shapes and bytes (and a start by
    one of the problem's digest and its own): the cache keeps digests and answers, not the
    problems (which held ~600 MB at 3,000 threats); two of the few hundred problems of a plan
    share a digest with probability ~1e-34.
    """

    def __init__(self) -> None:
        #: Saved states of the slot assignments of the assignment starts, to resume from.
        self.prefixes = AssignmentPrefixes()
        self._found: dict[bytes, list[NDArray[np.int64]]] = {}
        self._solved: dict[bytes, NDArray[np.int64]] = {}

    @staticmethod
    def _digest(problem: WTAProblem) -> bytes:
        h = hashlib.blake2b(digest_size=16)
        for name in _FIELDS:
            arr = getattr(problem, name)
            h.update(b"-" if arr is None else f"{arr.dtype}{arr.shape}".encode() + arr.tobytes())
        return h.digest()

    @staticmethod
    def same(a: WTAProblem, b: WTAProblem) -> bool:
        """Whether two problems have equal arrays (the same problem)."""
        for name in _FIELDS:
            u, v = getattr(a, name), getattr(b, name)
            if (u is None) != (v is None) or (u is not None and not np.array_equal(u, v)):
                return False
        return True

    def get(self, problem: WTAProblem, key: bytes | None = None) -> list[NDArray[np.int64]] | None:
        """The cached searches of ``problem`` (copies), or None (``key``: its digest, if known)."""
        found = self._found.get(key or self._digest(problem))
        return None if found is None else [x.copy() for x in found]

    def put(
        self, problem: WTAProblem, found: list[NDArray[np.int64]], key: bytes | None = None
    ) -> None:
        """Remember the searches of ``problem``."""
        self._found[key or self._digest(problem)] = [x.copy() for x in found]

    @staticmethod
    def _start_key(key: bytes, start: NDArray[np.int64]) -> bytes:
        h = hashlib.blake2b(key, digest_size=16)
        h.update(f"{start.dtype}{start.shape}".encode() + start.tobytes())
        return h.digest()

    def solved(self, key: bytes, start: NDArray[np.int64]) -> NDArray[np.int64] | None:
        """The heuristic's answer for the problem of digest ``key`` from ``start`` (a copy), or
        None."""
        x = self._solved.get(self._start_key(key, start))
        return None if x is None else x.copy()

    def keep(self, key: bytes, start: NDArray[np.int64], x: NDArray[np.int64]) -> None:
        """Remember the heuristic's answer ``x`` for the problem of digest ``key`` from
        ``start``."""
        self._solved[self._start_key(key, start)] = x.copy()


def _assignment_searches(
    problem: WTAProblem, cache: StartCache | None, key: bytes | None = None
) -> list[NDArray[np.int64]]:
    """Local search from each assignment start in :data:`START_RULES` order (stopping at the
    first rule without a start); a start equal to an earlier one is not searched again (the
    search depends on the problem and the start only: a third of the "mean" starts at 1,000
    threats equal the "max" ones)."""
    if cache is not None and (hit := cache.get(problem, key)) is not None:
        return hit
    found: list[NDArray[np.int64]] = []
    begins: list[NDArray[np.int64]] = []
    for rule in START_RULES:
        begin = assignment_start(problem, rule, None if cache is None else cache.prefixes)
        if begin is None:
            break
        again = next(
            (x for b, x in zip(begins, found, strict=True) if np.array_equal(b, begin)), None
        )
        found.append(local_search(problem, begin) if again is None else again.copy())
        begins.append(begin)
    if cache is not None:
        cache.put(problem, found, key)
    return found


def _start(problem: WTAProblem, warm_start: ArrayLike | None) -> NDArray[np.int64]:
    if warm_start is None:
        return np.zeros(problem.pk.shape, dtype=np.int64)
    x = np.asarray(warm_start)
    broken = problem.violations(x)
    if broken:
        raise WTAError(f"warm_start is not a feasible assignment: {'; '.join(broken)}")
    return x.astype(np.int64)


def _heuristic_x(
    problem: WTAProblem, start: NDArray[np.int64], cache: StartCache | None = None
) -> NDArray[np.int64]:
    """Best of the local searches from the greedy (extending ``start``) and assignment starts."""
    if cache is None:
        return _heuristic_x_uncached(problem, start, None, None)
    key = StartCache._digest(problem)
    found = cache.solved(key, start)
    if found is None:
        found = _heuristic_x_uncached(problem, start, cache, key)
        cache.keep(key, start, found)
    return found


def _heuristic_x_uncached(
    problem: WTAProblem, start: NDArray[np.int64], cache: StartCache | None, key: bytes | None
) -> NDArray[np.int64]:
    best = local_search(problem, start)
    best_loss = float(problem.surrogate_loss(best))
    for x in _assignment_searches(problem, cache, key):
        loss = float(problem.surrogate_loss(x))
        if loss < best_loss:
            best, best_loss = x, loss
    if problem.asset_based:
        best = polish_assets(problem, best)
        # The surrogate search may leave a good warm start on the asset objective: keep the better.
        kept = polish_assets(problem, start)
        if float(problem.loss(kept)) < float(problem.loss(best)):
            best = kept
    return best


def _gap(objective: float, bound: float) -> float:
    if np.isnan(bound):
        return float("nan")
    if objective <= 0.0:
        return 0.0
    return max(objective - bound, 0.0) / objective


def solve(
    problem: WTAProblem,
    solver: str = "heuristic",
    time_limit_s: float | None = None,
    warm_start: ArrayLike | None = None,
    gap: float = DEFAULT_GAP,
    cache: StartCache | None = None,
) -> WTASolution:
    """Solve a static weapon-target assignment problem with the named solver.

    ``heuristic``: maximum marginal return then swap / move local search (Ahuja et al., 2007);
    milliseconds for battle-sized problems, no bound. ``exact``: log-domain outer approximation
    re-solved on HiGHS until the bounds meet (Kelley, 1960; Duran and Grossmann, 1986), warm
    started by the heuristic; reports a proven lower bound and the relative gap. In the asset-based
    form both solve the target-based surrogate and then polish on the true objective (no bound).

    Parameters
    ----------
    problem
        The problem.
    solver
        ``"heuristic"`` or ``"exact"``.
    time_limit_s
        Wall-clock budget of ``exact``; ``None`` = until proven. The heuristic ignores it. [s]
    warm_start
        A feasible assignment ``(n_w, n_t)`` to start from (local search start, MIP incumbent).
    gap
        Relative gap at which ``exact`` stops.
    cache
        Reuse the assignment-start searches of problems solved before (:class:`StartCache`);
        the solution is the same with or without it.

    Returns
    -------
    WTASolution
        Assignment, objective, bound, gap, time, solver and status.

    Raises
    ------
    WTAError
        Not a problem, unknown solver name, non-positive time limit, or an infeasible
        ``warm_start``. An empty problem (no weapon or no target) is solved: nothing to assign.
    """
    if not isinstance(problem, WTAProblem):
        raise WTAError(f"problem must be a WTAProblem, got {type(problem).__name__}")
    if solver not in SOLVERS:
        raise WTAError(f"unknown WTA solver {solver!r}; valid solvers: {', '.join(SOLVERS)}")
    if time_limit_s is not None and not time_limit_s > 0:
        raise WTAError(f"time_limit_s must be positive, got {time_limit_s}")
    if not 0.0 <= gap < 1.0:
        raise WTAError(f"gap must lie in [0, 1), got {gap}")
    t0 = time.perf_counter()
    start = _start(problem, warm_start)
    if problem.n_weapons == 0 or problem.n_targets == 0:  # nothing to assign: proven optimal
        objective = float(problem.loss(start))
        return WTASolution(
            x=start,
            objective=objective,
            bound=objective,
            gap=0.0,
            time_s=time.perf_counter() - t0,
            solver=solver,
            status="optimal",
        )
    x = _heuristic_x(problem, start, cache)
    bound = float("nan")
    status = "heuristic"
    if solver == "exact":
        remaining = (
            None if time_limit_s is None else max(time_limit_s - (time.perf_counter() - t0), 1e-3)
        )
        result = solve_exact(problem, x, time_limit_s=remaining, gap=gap)
        status = "optimal" if result.optimal else "time_limit"
        if problem.asset_based:
            # The surrogate's optimum, polished, competes with the polished heuristic answer.
            status = "surrogate_" + status
            polished = polish_assets(problem, result.x)
            if float(problem.loss(polished)) < float(problem.loss(x)):
                x = polished
        else:
            x = result.x
            bound = result.bound
    objective = float(problem.loss(x))
    if not np.isnan(bound):  # the bound comes from rescaled HiGHS output: clip its round-off
        bound = min(bound, objective)
    return WTASolution(
        x=x,
        objective=objective,
        bound=bound,
        gap=_gap(objective, bound),
        time_s=time.perf_counter() - t0,
        solver=solver,
        status=status,
    )


def solve_many(
    problems: Iterable[WTAProblem],
    solver: str = "heuristic",
    time_limit_s: float | None = None,
) -> list[WTASolution]:
    """Solve many independent problems (one Monte Carlo trial each) with the same solver.

    Parameters
    ----------
    problems
        The problems, of any sizes.
    solver, time_limit_s
        As in :func:`solve`; the time limit applies to each problem.

    Returns
    -------
    list of WTASolution
        One solution per problem, in order.
    """
    return [solve(p, solver=solver, time_limit_s=time_limit_s) for p in problems]
