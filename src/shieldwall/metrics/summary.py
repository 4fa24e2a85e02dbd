"""Summary metrics of one policy's Monte Carlo, every probability with a 95% Wilson interval."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from shieldwall._types import F64
from shieldwall.battle.fight_inputs import FightInputs
from shieldwall.metrics.intervals import (
    cluster_mean_interval,
    cluster_proportion_interval,
    mean_interval,
    wilson_interval,
)
from shieldwall.outcome.outcomes import Outcomes, Tally

__all__ = ["Metrics", "decision_margin_s", "summarize"]


@dataclass(frozen=True, kw_only=True)
class Metrics:
    """How well one policy did.

    Attributes
    ----------
    n_trials : int
        Trials behind every estimate.
    p_zero_leak, p_zero_leak_ci
        Probability that no threat leaks, with its Wilson interval. []
    expected_leakers, expected_leakers_ci
        Mean leakers per raid, with its normal interval. []
    interceptors_used, interceptors_used_ci
        Mean interceptors fired per raid, with its normal interval. []
    p_asset_survives, p_asset_survives_lo, p_asset_survives_hi : (n_asset,)
        Probability each asset is hit by no leaker, with Wilson bounds. []
    expected_value_lost, expected_value_lost_ci
        Mean value of the assets hit per raid, with its normal interval. [value units]
    expended_by_battery, inventory_left_by_battery : (n_battery,)
        Mean rounds fired and left per battery. []
    rounds_defending : (n_battery, n_nation + 1)
        Mean rounds each battery fired at threats truly aimed at each nation's assets (last
        column: at threats falling on no defended asset): the burden accounting. []
    p_threat_killed : (n_threat,)
        Probability each threat is killed. []
    decision_margin_s : (n_threat,)
        Longest launch window any battery has against each threat under the policy (latest minus
        earliest launch); NaN when no battery can engage it. [s]
    """

    n_trials: int
    p_zero_leak: float
    p_zero_leak_ci: tuple[float, float]
    expected_leakers: float
    expected_leakers_ci: tuple[float, float]
    interceptors_used: float
    interceptors_used_ci: tuple[float, float]
    expected_value_lost: float
    expected_value_lost_ci: tuple[float, float]
    p_asset_survives: F64
    p_asset_survives_lo: F64
    p_asset_survives_hi: F64
    expended_by_battery: F64
    inventory_left_by_battery: F64
    rounds_defending: F64
    p_threat_killed: F64
    decision_margin_s: F64


def decision_margin_s(fight: FightInputs) -> F64:
    """Longest launch window against each threat: latest admissible launch minus the nominal
    earliest launch, over the rows; ``(n_threat,)``, NaN where no row has a nominal slot. [s]"""
    margin = np.full(fight.n_threats, -np.inf)
    width = fight.row_latest_launch_t_s - fight.row_nominal_earliest_launch_t_s
    np.maximum.at(margin, fight.row_threat_idx, np.where(width >= 0, width, -np.inf))
    return np.where(np.isfinite(margin), margin, np.nan)


def summarize(
    outcomes: Outcomes | Tally, *, fight: FightInputs, clusters: ArrayLike | None = None
) -> Metrics:
    """Metrics of one policy from its per-trial outcomes.

    Parameters
    ----------
    outcomes
        Per-trial results, full or their :class:`~shieldwall.outcome.outcomes.Tally` (the same
        metrics bit for bit).
    fight
        The fight inputs (inventory, windows for decision-time margins).
    clusters
        Raid geometry sample of each trial, when there are several: intervals are then
        cluster-robust (:func:`~shieldwall.metrics.intervals.cluster_mean_interval`).
    """
    tally = outcomes.tally() if isinstance(outcomes, Outcomes) else outcomes
    n = tally.n_trials
    inventory = fight.inventory
    leakers = tally.leakers
    zero = int((leakers == 0).sum())
    survived = n - tally.asset_hit.sum(axis=0, dtype=np.int64)
    if clusters is None:
        lo, hi = wilson_interval(zero, n)
        el, el_lo, el_hi = mean_interval(leakers)
        ru, ru_lo, ru_hi = mean_interval(tally.rounds)
        vl, vl_lo, vl_hi = mean_interval(tally.value_lost)
        s_lo, s_hi = wilson_interval(survived, n)
    else:
        _, lo, hi = cluster_proportion_interval(leakers == 0, clusters)
        el, el_lo, el_hi = cluster_mean_interval(leakers, clusters)
        ru, ru_lo, ru_hi = cluster_mean_interval(tally.rounds, clusters)
        vl, vl_lo, vl_hi = cluster_mean_interval(tally.value_lost, clusters)
        _, s_lo, s_hi = cluster_proportion_interval(~tally.asset_hit, clusters)
    nan_b = np.full(inventory.shape, np.nan)
    expended = tally.expended.sum(axis=0, dtype=np.int64) / n if n else nan_b
    return Metrics(
        n_trials=n,
        p_zero_leak=zero / n if n else float("nan"),
        p_zero_leak_ci=(float(lo), float(hi)),
        expected_leakers=float(el),
        expected_leakers_ci=(float(el_lo), float(el_hi)),
        interceptors_used=float(ru),
        interceptors_used_ci=(float(ru_lo), float(ru_hi)),
        expected_value_lost=float(vl),
        expected_value_lost_ci=(float(vl_lo), float(vl_hi)),
        p_asset_survives=survived / n if n else np.full(survived.shape, np.nan),
        p_asset_survives_lo=np.asarray(s_lo, dtype=np.float64),
        p_asset_survives_hi=np.asarray(s_hi, dtype=np.float64),
        expended_by_battery=np.asarray(expended, dtype=np.float64),
        inventory_left_by_battery=np.asarray(inventory - expended, dtype=np.float64),
        rounds_defending=np.asarray(tally.mean("rounds_defending"), dtype=np.float64),
        p_threat_killed=tally.mean("killed") if n else np.full(fight.n_threats, np.nan),
        decision_margin_s=decision_margin_s(fight),
    )
