"""``compare``: one raid, several sharing policies, common random numbers (docs/studies.md).

Flight and sensing run once; every policy gets its own track picture, engagement windows, fire
plan and Monte Carlo on the *same* random numbers, so the difference between two policies is
measured trial by trial (a paired interval) rather than as the gap between two noisy estimates.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from shieldwall.arguments import check_names
from shieldwall.errors import Problem
from shieldwall.metrics.costs import CostMetrics, cost_per_leaker_avoided, tally_cost_metrics
from shieldwall.metrics.costs import interceptor_cost_usd as cost_per_trial
from shieldwall.pipeline import Results, SimulationError, geometry_clusters, simulate_policies
from shieldwall.scenario import World
from shieldwall.scenario.doctrine import Doctrine
from shieldwall.studies.paired import paired_ci

__all__ = ["DEFAULT_POLICIES", "Comparison", "PolicyRow", "compare"]

#: The four preset policies, from least to most cooperation.
DEFAULT_POLICIES = ("national", "cueing", "shared_tracks", "integrated")

Interval = tuple[float, float]


@dataclass(frozen=True, kw_only=True)
class PolicyRow:
    """One policy's line of the comparison table.

    Attributes
    ----------
    name : str
        Policy name.
    p_zero_leak, p_zero_leak_ci
        Probability of zero leakage and its Wilson interval. []
    expected_leakers, expected_leakers_ci
        Mean leakers per raid and its interval. []
    interceptors_used, interceptors_used_ci
        Mean interceptors per raid and its interval. []
    d_p_zero_leak, d_p_zero_leak_ci
        Difference in P(zero leakage) from the baseline, paired interval. []
    d_expected_leakers, d_expected_leakers_ci
        Difference in expected leakers from the baseline, paired interval. []
    costs
        Interceptor cost per raid, attack cost, cost-exchange ratio, burden in rounds and USD
        (:mod:`shieldwall.metrics.costs`).
    cost_per_leaker_avoided, cost_per_leaker_avoided_ci
        Extra interceptor cost per leaker avoided against the baseline, paired; NaN where the
        leakers avoided are not resolved as positive or a cost is unknown. [USD per leaker]
    results
        The full simulation results.
    """

    name: str
    p_zero_leak: float
    p_zero_leak_ci: Interval
    expected_leakers: float
    expected_leakers_ci: Interval
    interceptors_used: float
    interceptors_used_ci: Interval
    d_p_zero_leak: float
    d_p_zero_leak_ci: Interval
    d_expected_leakers: float
    d_expected_leakers_ci: Interval
    costs: CostMetrics
    cost_per_leaker_avoided: float
    cost_per_leaker_avoided_ci: Interval
    results: Results

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready summary (no per-trial arrays)."""
        m = self.results.metrics
        world = self.results.world
        by_type: dict[str, float] = {}
        by_nation: dict[str, float] = {}
        for b, n in enumerate(m.expended_by_battery.tolist()):
            kind = world.interceptors.name[int(world.batteries.interceptor_idx[b])]
            nation = world.nations.id[int(world.batteries.nation_idx[b])]
            by_type[kind] = by_type.get(kind, 0.0) + n
            by_nation[nation] = by_nation.get(nation, 0.0) + n
        return {
            "name": self.name,
            "p_zero_leak": self.p_zero_leak,
            "p_zero_leak_ci": list(self.p_zero_leak_ci),
            "expected_leakers": self.expected_leakers,
            "expected_leakers_ci": list(self.expected_leakers_ci),
            "interceptors_used": self.interceptors_used,
            "interceptors_used_ci": list(self.interceptors_used_ci),
            "d_p_zero_leak": self.d_p_zero_leak,
            "d_p_zero_leak_ci": list(self.d_p_zero_leak_ci),
            "d_expected_leakers": self.d_expected_leakers,
            "d_expected_leakers_ci": list(self.d_expected_leakers_ci),
            "p_asset_survives": {
                aid: float(p) for aid, p in zip(world.assets.id, m.p_asset_survives, strict=True)
            },
            "expended_by_interceptor": by_type,
            "expended_by_nation": by_nation,
            "inventory_left": float(m.inventory_left_by_battery.sum()),
            "expected_value_lost": m.expected_value_lost,
            "expected_value_lost_ci": list(m.expected_value_lost_ci),
            "plan_objective": self.results.plan_objective,
            "rounds_defending": _burden(self.results),
            **_cost_dict(self),
        }


def _num(x: float) -> float | None:
    """A JSON number, or null for an unknown (NaN) one."""
    return float(x) if np.isfinite(x) else None


def _cost_dict(row: PolicyRow) -> dict[str, Any]:
    c = row.costs
    nations = row.results.world.nations.id
    cols = [*nations, "none"]
    return {
        "interceptor_cost_usd": _num(c.interceptor_cost_usd),
        "interceptor_cost_usd_ci": [_num(v) for v in c.interceptor_cost_usd_ci],
        "attack_cost_usd": _num(c.attack_cost_usd),
        "cost_exchange_ratio": _num(c.cost_exchange_ratio),
        "cost_exchange_ratio_ci": [_num(v) for v in c.cost_exchange_ratio_ci],
        "cost_per_leaker_avoided_usd": _num(row.cost_per_leaker_avoided),
        "cost_per_leaker_avoided_usd_ci": [_num(v) for v in row.cost_per_leaker_avoided_ci],
        "burden_cost_usd": {
            shooter: {col: _num(v) for col, v in zip(cols, line, strict=True)}
            for shooter, line in zip(nations, c.burden_cost_usd.tolist(), strict=True)
        },
        "unpriced": list(c.unpriced),
    }


def _burden(res: Results) -> dict[str, dict[str, float]]:
    """Mean rounds each nation's batteries fired at threats aimed at each nation's assets."""
    world = res.world
    nations = world.nations.id
    cols = [*nations, "none"]
    out: dict[str, dict[str, float]] = {}
    for b, row in enumerate(res.metrics.rounds_defending.tolist()):
        shooter = nations[int(world.batteries.nation_idx[b])]
        acc = out.setdefault(shooter, dict.fromkeys(cols, 0.0))
        for col, v in zip(cols, row, strict=True):
            acc[col] += float(v)
    return out


@dataclass(frozen=True, kw_only=True)
class Comparison:
    """The comparison table and how it was made.

    Attributes
    ----------
    rows
        One per policy, in the order asked.
    baseline : str
        Policy the differences are taken from.
    trials, seed : int
        Monte Carlo size and seed (shared by every policy).
    solver, objective : str
        The planner and its objective (``doctrine.planner``).
    tracking_mode : str
        Tracking fidelity.
    elapsed_s : float
        Wall time of the whole comparison. [s]
    """

    rows: tuple[PolicyRow, ...]
    baseline: str
    trials: int
    seed: int
    solver: str
    objective: str
    tracking_mode: str
    elapsed_s: float

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form (``{"policies": [...], ...}``)."""
        return {
            "policies": [r.as_dict() for r in self.rows],
            "baseline": self.baseline,
            "trials": self.trials,
            "seed": self.seed,
            "solver": self.solver,
            "objective": self.objective,
            "tracking_mode": self.tracking_mode,
            "elapsed_s": self.elapsed_s,
        }


def compare(
    world: World,
    policies: Sequence[str] | None = None,
    trials: int | None = None,
    seed: int | None = None,
    solver: str | None = None,
    *,
    baseline: str = "national",
    tracking_mode: str = "covariance",
    doctrine: Doctrine | None = None,
    progress: Callable[[str, int, int], None] | None = None,
    force: bool = False,
    full_outcomes: bool = False,
) -> Comparison:
    """Compare sharing policies on one raid with common random numbers.

    Parameters
    ----------
    world
        The compiled world.
    policies
        Policy names (the four presets by default); the baseline is added first if missing.
    trials, seed
        Monte Carlo size and root seed (the scenario's when omitted).
    solver
        Overrides the doctrine's planner: ``heuristic``, ``exact`` or ``doctrine``.
    baseline
        Policy differences are measured from.
    tracking_mode
        ``covariance`` or ``measurement``.
    doctrine
        How the manager fights (``world.doctrine`` when omitted).
    progress
        Called as ``progress(stage, done, total)`` after each step.
    force
        Run even if the resource guard refuses (:func:`shieldwall.resources.check_resources`).
    full_outcomes
        Keep every trial's full outcomes in each row's ``results.outcomes`` (~935 B per trial
        and policy for the flagship); by default only the first ``EVENT_TRIALS`` trials' are
        kept and every metric comes from ``results.tally`` (the same numbers; docs/montecarlo.md
        §7), so a million trials fit in memory.

    Raises
    ------
    SimulationError
        Unknown policy (the message lists the valid ones), empty list, bad trials or seed.
    ResourceError
        The comparison would not fit in memory (nothing was started).
    """
    t0 = time.perf_counter()
    names = (
        list(DEFAULT_POLICIES)
        if policies is None
        else check_names(policies, "policies", world.policies, what="policy", error=SimulationError)
    )
    if not names:
        msg = "give at least one policy"
        raise SimulationError(msg, [Problem(message=msg, path="policies")])
    for field, name in [*(("policies", n) for n in names), ("baseline", baseline)]:
        if not isinstance(name, str) or name not in world.policies:
            msg = f"unknown policy {name!r}; valid policies: {', '.join(world.policies)}"
            raise SimulationError(msg, [Problem(message=msg, path=field)])
    if baseline not in names:
        names.insert(0, baseline)
    results = simulate_policies(
        world, names, trials, seed, solver, tracking_mode=tracking_mode, doctrine=doctrine,
        progress=progress, force=force, full_outcomes=full_outcomes,
    )  # fmt: skip
    first = results[names[0]]
    base = results[baseline].tally
    base_zero = (base.leakers == 0).astype(np.float64)
    base_cost = cost_per_trial(base.expended, results[baseline].world)
    clusters = geometry_clusters(first.trials, 0, world.n_geometries)  # raid geometry samples
    rows = []
    for name in names:
        res = results[name]
        m = res.metrics
        out = res.tally
        zero = (out.leakers == 0).astype(np.float64)
        cpl, cpl_lo, cpl_hi = cost_per_leaker_avoided(
            cost_per_trial(out.expended, res.world),
            base_cost,
            out.leakers,
            base.leakers,
            clusters=clusters,
        )
        dz, dz_lo, dz_hi = paired_ci(zero, base_zero, clusters)
        dl, dl_lo, dl_hi = paired_ci(out.leakers, base.leakers, clusters)
        rows.append(
            PolicyRow(
                name=name,
                p_zero_leak=m.p_zero_leak,
                p_zero_leak_ci=m.p_zero_leak_ci,
                expected_leakers=m.expected_leakers,
                expected_leakers_ci=m.expected_leakers_ci,
                interceptors_used=m.interceptors_used,
                interceptors_used_ci=m.interceptors_used_ci,
                d_p_zero_leak=dz,
                d_p_zero_leak_ci=(dz_lo, dz_hi),
                d_expected_leakers=dl,
                d_expected_leakers_ci=(dl_lo, dl_hi),
                costs=tally_cost_metrics(out, res.world, clusters=clusters),
                cost_per_leaker_avoided=cpl,
                cost_per_leaker_avoided_ci=(cpl_lo, cpl_hi),
                results=res,
            )
        )
    return Comparison(
        rows=tuple(rows),
        baseline=baseline,
        trials=first.trials,
        seed=first.seed,
        solver=first.solver,
        objective=first.objective,
        tracking_mode=tracking_mode,
        elapsed_s=time.perf_counter() - t0,
    )
