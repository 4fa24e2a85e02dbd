"""Fire plans: how many rounds each battery commits to each threat.

Three solvers, chosen by name:

- ``heuristic`` / ``exact``: asset-based weapon-target assignment over the engagement windows
  (:mod:`shieldwall.battle.wta`): a threat's value is the value of the asset it will hit; the
  constraints are inventory, optionally fire channels, windows (a pair without a window cannot
  engage) and doctrine (rounds per pair capped by ``max_shots_per_pair``, rounds per threat by
  ``max_shots_per_threat``). Rounds are then fired shoot-look-shoot over the window's slots.
- ``doctrine``: the national baseline (:func:`doctrine_plan`): each battery fires a fixed salvo at
  every threat aimed at its own nation that it can engage, in arrival order, while rounds last.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from shieldwall._types import I64
from shieldwall.battle.opportunities import Opportunities, Targets
from shieldwall.battle.wta import WTAProblem, solve
from shieldwall.errors import Problem, ShieldwallError

__all__ = [
    "PLAN_SOLVERS",
    "Doctrine",
    "PlanError",
    "doctrine_plan",
    "plan_shots",
    "raid_channels",
]


#: Valid ``solver`` names for :func:`plan_shots`.
PLAN_SOLVERS = ("heuristic", "exact", "doctrine")
#: Largest kill probability passed to the WTA solvers (they require pk < 1).
_PK_CEILING = 1.0 - 1e-9


class PlanError(ShieldwallError, ValueError):
    """A fire-planning request is invalid (unknown solver, bad doctrine)."""


@dataclass(frozen=True, kw_only=True)
class Doctrine:
    """Fire doctrine of the battle manager.

    Parameters
    ----------
    salvo_size
        Rounds per engagement in the ``doctrine`` baseline (fired together). []
    max_shots_per_pair
        Most rounds one battery commits to one threat (per layer: each battery is one layer's
        shooter for that threat). []
    max_shots_per_threat
        Most rounds fired at one threat by all batteries in a trial. []
    reserve
        Re-engage with remaining windows when an intercept fails (rolling re-plan). []
    """

    salvo_size: int = 2
    max_shots_per_pair: int = 2
    max_shots_per_threat: int = 6
    reserve: bool = True

    def __post_init__(self) -> None:
        for name in ("salvo_size", "max_shots_per_pair", "max_shots_per_threat"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 1:
                msg = f"must be a positive integer, got {value!r}"
                problem = Problem(message=msg, path=name)
                raise PlanError(f"invalid doctrine: {name}: {msg}", [problem])


def raid_channels(opportunities: Opportunities, fire_channels: I64) -> I64:
    """Most distinct threats each battery can engage over the whole raid.

    Fire channels bound *simultaneous* engagements; over a raid a channel frees up once its
    engagement (launch to kill assessment) is over. A battery with ``c`` channels whose windows
    span ``S`` seconds, with engagements lasting ``E`` seconds on average, can engage about
    ``c · (1 + floor(S / E))`` threats. This is the channel limit given to the whole-raid plan.

    Parameters
    ----------
    opportunities
        Windows under the policy.
    fire_channels : (n_batteries,) int
        Simultaneous engagements per battery.

    Returns
    -------
    (n_batteries,) int
    """
    channels = np.asarray(fire_channels, dtype=np.int64)
    n_b = channels.shape[0]
    opp = opportunities
    if opp.n_rows == 0:
        return channels.copy()
    b = opp.battery_idx
    rows = np.bincount(b, minlength=n_b)
    total_s = np.bincount(b, opp.assess_t_s[:, 0] - opp.launch_t_s[:, 0], minlength=n_b)
    engage_s = total_s / np.maximum(rows, 1)
    first = np.full(n_b, np.inf)
    last = np.full(n_b, -np.inf)
    np.minimum.at(first, b, opp.earliest_launch_t_s)
    np.maximum.at(last, b, opp.latest_launch_t_s)
    with np.errstate(invalid="ignore", divide="ignore"):
        waves = 1 + np.floor(np.where(rows > 0, (last - first) / engage_s, 0.0))
    waves = np.where(np.isfinite(waves) & (waves >= 1), waves, 1).astype(np.int64)
    return np.asarray(channels * waves, dtype=np.int64)


def _check_solver(solver: str) -> None:
    if solver not in PLAN_SOLVERS:
        msg = f"unknown solver {solver!r}; valid solvers: {', '.join(PLAN_SOLVERS)}"
        raise PlanError(msg, [Problem(message=msg, path="solver")])


def doctrine_plan(
    opportunities: Opportunities,
    targets: Targets,
    battery_nation_idx: I64,
    inventory: I64,
    doctrine: Doctrine,
) -> I64:
    """The national doctrine baseline: fixed salvos at own-nation threats in arrival order.

    Parameters
    ----------
    opportunities
        Windows under the policy.
    targets
        What each threat is aimed at.
    battery_nation_idx : (n_batteries,) int
        Nation of each battery.
    inventory : (n_batteries,) int
        Rounds per battery.
    doctrine
        ``salvo_size`` is the salvo.

    Returns
    -------
    (n_batteries, n_threats) int rounds planned.
    """
    n_b = int(np.asarray(inventory).shape[0])
    plan = np.zeros((n_b, targets.n_threats), dtype=np.int64)
    opp = opportunities
    own = targets.nation_idx[opp.threat_idx] == np.asarray(battery_nation_idx)[opp.battery_idx]
    rows = np.flatnonzero(own & (targets.value[opp.threat_idx] > 0))
    # Arrival order: earliest impact first; ties by threat index.
    order = np.lexsort((opp.threat_idx[rows], targets.impact_t_s[opp.threat_idx[rows]]))
    left = np.asarray(inventory, dtype=np.int64).copy()
    for r in rows[order]:  # one pass over pairs, once per policy (not per trial)
        b = int(opp.battery_idx[r])
        n = min(doctrine.salvo_size, int(left[b]))
        plan[b, opp.threat_idx[r]] = n
        left[b] -= n
    return plan


def wta_plan(
    opportunities: Opportunities,
    targets: Targets,
    inventory: I64,
    channels: I64 | None,
    doctrine: Doctrine,
    solver: str,
) -> I64:
    """Asset-based WTA plan over the engagement windows (see the module docstring).

    Returns
    -------
    (n_batteries, n_threats) int rounds planned.
    """
    n_b = int(np.asarray(inventory).shape[0])
    n_t = targets.n_threats
    opp = opportunities
    pk = np.zeros((n_b, n_t))
    p_eff = np.clip(opp.pk * opp.reliability, 0.0, _PK_CEILING)
    valued = targets.value[opp.threat_idx] > 0
    pk[opp.battery_idx[valued], opp.threat_idx[valued]] = p_eff[valued]
    max_shots = np.zeros((n_b, n_t), dtype=np.int64)
    max_shots[opp.battery_idx, opp.threat_idx] = doctrine.max_shots_per_pair
    n_assets = int(targets.asset_idx.max(initial=-1)) + 1
    asset_values = np.zeros(n_assets + 1)
    has = targets.asset_idx >= 0
    asset_values[targets.asset_idx[has]] = targets.value[has]
    target_asset = np.where(has, targets.asset_idx, n_assets)  # the last asset is "nothing"
    problem = WTAProblem(
        values=targets.value.copy(),
        pk=pk,
        inventory=np.asarray(inventory, dtype=np.int64),
        max_shots=max_shots,
        max_shots_per_target=np.full(n_t, doctrine.max_shots_per_threat, dtype=np.int64),
        channels=None if channels is None else np.asarray(channels, dtype=np.int64),
        target_asset=target_asset,
        asset_values=asset_values,
    )
    solution = solve(problem, solver=solver)
    return np.asarray(solution.x, dtype=np.int64)


def plan_shots(
    *,
    opportunities: Opportunities,
    targets: Targets,
    battery_nation_idx: I64,
    inventory: I64,
    channels: I64 | None,
    solver: str,
    doctrine: Doctrine,
) -> I64:
    """Rounds each battery commits to each threat, by the named solver.

    Raises
    ------
    PlanError
        Unknown solver name (the message lists the valid ones).
    """
    _check_solver(solver)
    if solver == "doctrine":
        return doctrine_plan(opportunities, targets, battery_nation_idx, inventory, doctrine)
    if opportunities.n_rows == 0:
        return np.zeros((int(np.asarray(inventory).shape[0]), targets.n_threats), dtype=np.int64)
    return wta_plan(opportunities, targets, inventory, channels, doctrine, solver)
