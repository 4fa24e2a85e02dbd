"""Small hand-built engagement problems for the outcome-engine tests."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from shieldwall.battle.opportunities import MAX_SLOTS, Opportunities, Targets
from shieldwall.battle.schedule import Schedule, build_schedule


@dataclass(frozen=True)
class Pair:
    """One (battery, threat) window: ``n_slots`` SLS slots, 30 s apart from ``t0_s``."""

    battery: int
    threat: int
    pk: float
    n_slots: int = 1
    t0_s: float = 100.0
    reliability: float = 1.0
    step_s: float = 30.0
    flight_s: float = 20.0
    assess_s: float = 5.0


def opportunities(pairs: Sequence[Pair], policy: str = "test") -> Opportunities:
    n = len(pairs)
    launch = np.full((n, MAX_SLOTS), np.nan)
    intercept = np.full((n, MAX_SLOTS), np.nan)
    for r, p in enumerate(pairs):
        for k in range(p.n_slots):
            launch[r, k] = p.t0_s + k * p.step_s
            intercept[r, k] = launch[r, k] + p.flight_s
    n_slots = np.array([p.n_slots for p in pairs], dtype=np.int64)
    first = launch[:, 0]
    last = launch[np.arange(n), n_slots - 1]
    return Opportunities(
        policy=policy,
        battery_idx=np.array([p.battery for p in pairs], dtype=np.int64),
        threat_idx=np.array([p.threat for p in pairs], dtype=np.int64),
        interceptor_idx=np.zeros(n, dtype=np.int64),
        track_t_s=first - 5.0,
        earliest_launch_t_s=first,
        latest_launch_t_s=last,
        first_intercept_t_s=intercept[:, 0],
        last_intercept_t_s=intercept[np.arange(n), n_slots - 1],
        n_slots=n_slots,
        launch_t_s=launch,
        intercept_t_s=intercept,
        assess_t_s=intercept + np.array([p.assess_s for p in pairs])[:, None],
        pk=np.array([p.pk for p in pairs]),
        reliability=np.array([p.reliability for p in pairs]),
        upper_tier=np.zeros(n, dtype=bool),
        remote=np.zeros(n, dtype=bool),
    )


def targets(n_threats: int, reliability: float = 1.0, n_assets: int = 1) -> Targets:
    asset = np.arange(n_threats, dtype=np.int64) % n_assets
    return Targets(
        asset_idx=asset,
        nation_idx=np.zeros(n_threats, dtype=np.int64),
        value=np.ones(n_threats),
        reliability=np.full(n_threats, reliability),
        impact_t_s=np.full(n_threats, 1000.0) + np.arange(n_threats),
        threat_class=np.zeros(n_threats, dtype=np.int64),
    )


def schedule(
    pairs: Sequence[Pair],
    shots: Sequence[int],
    *,
    n_threats: int,
    inventory: Sequence[int],
    mode: str = "sls",
    reserve: bool = False,
    max_shots_per_threat: int = 8,
) -> Schedule:
    """Schedule with ``shots[r]`` rounds planned on pair ``r``."""
    opp = opportunities(pairs)
    plan = np.zeros((len(inventory), n_threats), dtype=np.int64)
    for p, s in zip(pairs, shots, strict=True):
        plan[p.battery, p.threat] = s
    return build_schedule(
        opportunities=opp,
        plan=plan,
        inventory=np.asarray(inventory, dtype=np.int64),
        n_threats=n_threats,
        solver="test",
        mode=mode,
        reserve=reserve,
        max_shots_per_threat=max_shots_per_threat,
    )
