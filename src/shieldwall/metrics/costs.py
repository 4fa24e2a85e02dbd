"""What the defense costs (issue #12 §3): interceptor cost per raid, attack cost, cost-exchange
ratio, cost per leaker avoided against a baseline, and burden in rounds and dollars.

Costs come from the World (``InterceptorTable.round_cost_usd``, ``MissileTable.unit_cost_usd``,
USD at 2024 prices, sourced in the catalog). An unpriced item (NaN) is never counted as free: a
raid in which an unpriced round was fired has an unknown (NaN) interceptor cost, a raid with an
unpriced missile has an unknown attack cost, and :attr:`CostMetrics.unpriced` names them.

Only rounds fired are counted (launchers, batteries and radars are bought once, not spent per
raid). The attack cost is the sum of the unit costs of every missile launched, whether or not it
flew (a missile that fails in flight was still paid for).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from shieldwall._types import F64
from shieldwall.metrics.intervals import cluster_mean_interval, mean_interval
from shieldwall.outcome.outcomes import Tally
from shieldwall.scenario import World

__all__ = [
    "CostMetrics",
    "attack_cost_usd",
    "burden_cost_usd",
    "burden_rounds",
    "cost_metrics",
    "cost_per_leaker_avoided",
    "interceptor_cost_usd",
    "tally_cost_metrics",
    "unpriced_items",
]

Interval = tuple[float, float]


def _mean_ci(x: F64, clusters: ArrayLike | None) -> tuple[float, float, float]:
    """Mean and 95% interval: normal, or cluster-robust (CR1, t(G-1)) when trials share raid
    geometry samples (``clusters``: each trial's sample)."""
    m, lo, hi = mean_interval(x) if clusters is None else cluster_mean_interval(x, clusters)
    return float(m), float(lo), float(hi)


def interceptor_cost_usd(expended: ArrayLike, world: World) -> F64:
    """Cost of the rounds fired in each trial, ``(n_trial,)``; NaN in a trial where a battery
    whose round is unpriced fired (an unpriced battery that did not fire costs nothing). [USD]

    Parameters
    ----------
    expended : (n_trial, n_battery)
        Rounds each battery fired (``Outcomes.expended``).
    world
        The world whose batteries fired.
    """
    fired = np.asarray(expended, dtype=np.float64)
    cost = world.interceptors.round_cost_usd[world.batteries.interceptor_idx]
    spent = np.where(fired > 0, fired * cost[None, :], 0.0)
    return np.asarray(spent.sum(axis=1), dtype=np.float64)


def attack_cost_usd(world: World) -> float:
    """Sum of the unit costs of the missiles the raid launches; NaN if any is unpriced. [USD]"""
    return float(world.missiles.unit_cost_usd[world.raid.missile_idx].sum())


def burden_cost_usd(rounds_defending: ArrayLike, world: World) -> F64:
    """Mean cost each nation's batteries spent defending each nation's assets.

    Parameters
    ----------
    rounds_defending : (n_trial, n_battery, n_nation + 1)
        ``Outcomes.rounds_defending`` (last column: threats aimed at no defended asset).
    world
        The world whose batteries fired.

    Returns
    -------
    (n_nation, n_nation + 1)
        ``[shooter, defended]`` mean cost per raid; NaN where an unpriced round was fired. [USD]
    """
    return _burden_cost(_mean_over_trials(rounds_defending), world)


def burden_rounds(rounds_defending: ArrayLike, world: World) -> F64:
    """Mean rounds each nation's batteries fired defending each nation's assets,
    ``(n_nation, n_nation + 1)`` (``[shooter, defended]``, last column: no defended asset)."""
    return _burden_rounds(_mean_over_trials(rounds_defending), world)


def _mean_over_trials(rounds_defending: ArrayLike) -> F64 | None:
    """``(n_battery, n_nation + 1)`` mean over the trial axis; None without trials."""
    rd = np.asarray(rounds_defending, dtype=np.float64)
    return None if rd.shape[0] == 0 else np.asarray(rd.mean(axis=0), dtype=np.float64)


def _burden_cost(mean: F64 | None, world: World) -> F64:
    """:func:`burden_cost_usd` of the mean rounds defending (None: no trials, NaN)."""
    n_nation = len(world.nations.id)
    out = np.zeros((n_nation, n_nation + 1))
    if mean is None:
        return np.full_like(out, np.nan)
    cost = world.interceptors.round_cost_usd[world.batteries.interceptor_idx]
    spent = np.where(mean > 0, mean * cost[:, None], 0.0)
    np.add.at(out, world.batteries.nation_idx, spent)
    return out


def _burden_rounds(mean: F64 | None, world: World) -> F64:
    """:func:`burden_rounds` of the mean rounds defending (None: no trials, NaN)."""
    n_nation = len(world.nations.id)
    out = np.zeros((n_nation, n_nation + 1))
    if mean is None:
        return np.full_like(out, np.nan)
    np.add.at(out, world.batteries.nation_idx, mean)
    return out


def unpriced_items(world: World, expended: ArrayLike | None = None) -> tuple[str, ...]:
    """Names of the unpriced items that enter the costs: interceptor types of batteries that
    fired (all batteries' when ``expended`` is None) and missile types the raid launches."""
    inter = world.batteries.interceptor_idx
    if expended is not None:
        fired = np.asarray(expended).sum(axis=0) > 0
        inter = inter[fired]
    names = [
        f"interceptor {world.interceptors.name[int(i)]}"
        for i in np.unique(inter)
        if not np.isfinite(world.interceptors.round_cost_usd[int(i)])
    ]
    names += [
        f"missile {world.missiles.name[int(i)]}"
        for i in np.unique(world.raid.missile_idx)
        if not np.isfinite(world.missiles.unit_cost_usd[int(i)])
    ]
    return tuple(names)


def cost_per_leaker_avoided(
    cost: ArrayLike,
    base_cost: ArrayLike,
    leakers: ArrayLike,
    base_leakers: ArrayLike,
    *,
    clusters: ArrayLike | None = None,
) -> tuple[float, float, float]:
    """Extra interceptor cost per leaker avoided against a baseline, paired over the same trials.

    ``R = mean(cost - base_cost) / mean(base_leakers - leakers)`` with a delta-method 95%
    interval: ``R ± h / mean(base_leakers - leakers)``, ``h`` the half-width of the mean of the
    per-trial residuals ``(cost - base_cost) - R (base_leakers - leakers)`` (normal, or
    cluster-robust with ``clusters``). Undefined (NaN, NaN, NaN) when the leakers avoided are not
    resolved as positive (their own 95% interval reaches 0 or below) or a cost is unknown.
    [USD per leaker]
    """
    dc = np.asarray(cost, dtype=np.float64) - np.asarray(base_cost, dtype=np.float64)
    dl = np.asarray(base_leakers, dtype=np.float64) - np.asarray(leakers, dtype=np.float64)
    nan = (float("nan"),) * 3
    if dc.shape[0] < 2 or not np.isfinite(dc).all():
        return nan
    mean_dl, lo_dl, _ = _mean_ci(dl, clusters)
    if not lo_dl > 0.0:
        return nan
    ratio = float(dc.mean()) / mean_dl
    _, lo, hi = _mean_ci(dc - ratio * dl, clusters)  # mean 0; its half-width
    half = (hi - lo) / 2.0
    return ratio, ratio - half / mean_dl, ratio + half / mean_dl


@dataclass(frozen=True, kw_only=True)
class CostMetrics:
    """What one policy's defense cost, per raid.

    Attributes
    ----------
    interceptor_cost_usd, interceptor_cost_usd_ci
        Mean cost of the rounds fired, with its normal interval; NaN when an unpriced round was
        fired in some trial. [USD]
    attack_cost_usd : float
        Cost of the missiles launched (the same every trial); NaN when one is unpriced. [USD]
    cost_exchange_ratio, cost_exchange_ratio_ci
        Interceptor cost over attack cost (the interval is the interceptor cost's, divided by
        the fixed attack cost). []
    burden_rounds, burden_cost_usd : (n_nation, n_nation + 1)
        ``[shooter, defended]`` mean rounds and cost each nation's batteries spent on threats
        aimed at each nation's assets (last column: at no defended asset). [], [USD]
    unpriced : tuple of str
        Unpriced items that entered (or made unknown) these costs.
    """

    interceptor_cost_usd: float
    interceptor_cost_usd_ci: Interval
    attack_cost_usd: float
    cost_exchange_ratio: float
    cost_exchange_ratio_ci: Interval
    burden_rounds: F64
    burden_cost_usd: F64
    unpriced: tuple[str, ...]


def cost_metrics(
    expended: ArrayLike,
    rounds_defending: ArrayLike,
    world: World,
    *,
    clusters: ArrayLike | None = None,
) -> CostMetrics:
    """Cost metrics of one policy from its per-trial rounds (``Outcomes.expended`` and
    ``Outcomes.rounds_defending``) and the World's prices; ``clusters`` (each trial's raid
    geometry sample) makes the intervals cluster-robust."""
    return _cost_metrics(expended, _mean_over_trials(rounds_defending), world, clusters)


def tally_cost_metrics(
    tally: Tally, world: World, *, clusters: ArrayLike | None = None
) -> CostMetrics:
    """:func:`cost_metrics` of a :class:`~shieldwall.outcome.outcomes.Tally` (the same values:
    the burden's mean of integer rounds is exact either way)."""
    mean = tally.mean("rounds_defending") if tally.n_trials else None
    return _cost_metrics(tally.expended, mean, world, clusters)


def _cost_metrics(
    expended: ArrayLike, mean_defending: F64 | None, world: World, clusters: ArrayLike | None
) -> CostMetrics:
    per_trial = interceptor_cost_usd(expended, world)
    mean, lo, hi = _mean_ci(per_trial, clusters)
    attack = attack_cost_usd(world)
    with np.errstate(divide="ignore", invalid="ignore"):
        cer = mean / attack if attack > 0 else float("nan")
        cer_ci = (lo / attack, hi / attack) if attack > 0 else (float("nan"), float("nan"))
    return CostMetrics(
        interceptor_cost_usd=mean,
        interceptor_cost_usd_ci=(lo, hi),
        attack_cost_usd=attack,
        cost_exchange_ratio=float(cer),
        cost_exchange_ratio_ci=(float(cer_ci[0]), float(cer_ci[1])),
        burden_rounds=_burden_rounds(mean_defending, world),
        burden_cost_usd=_burden_cost(mean_defending, world),
        unpriced=unpriced_items(world, expended),
    )
