"""Small fights written by hand for the closed-form and agreement tests (no pipeline).

:func:`make_fight` builds a :class:`FightInputs` from a few threats, batteries and rows given by
their admissible (launch, intercept) samples; :func:`make_trials` turns a block's draws into the
:class:`TrialInputs` of docs/battle.md §3.1 (flight and failure times) with fire-control times and
believed targets given directly; :func:`run_trials` fights any number of trials block by block
with a fight function (the reference, or the engine) and concatenates the outcomes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial

import numpy as np

from shieldwall._types import F64
from shieldwall.battle.fight_inputs import FightInputs
from shieldwall.battle.trial_inputs import TrialInputs
from shieldwall.outcome.draws import TRIAL_BLOCK, BlockDraws, block_draws
from shieldwall.outcome.engine import fight
from shieldwall.outcome.outcomes import EVENT_TRIALS, Outcomes
from shieldwall.outcome.reference import fight_reference
from shieldwall.scenario.doctrine import Doctrine

FightFn = Callable[[FightInputs, TrialInputs, BlockDraws], Outcomes]

#: The implementations every closed-form case must hold for, by name.
FIGHTERS: dict[str, FightFn] = {
    "engine": partial(fight, event_trials=EVENT_TRIALS),
    "lockstep": partial(fight, event_trials=EVENT_TRIALS, compiled=False),
    "reference": partial(fight_reference, event_trials=EVENT_TRIALS),
}


@dataclass(frozen=True)
class Kind:
    """An interceptor type: pk against every threat class, reliability, times, tier."""

    pk: float
    reliability: float = 1.0
    kill_assessment_s: float = 5.0
    reaction_s: float = 0.0
    upper: bool = False
    common_mode: float = 0.0


@dataclass(frozen=True)
class Unit:
    """A battery: type index, rounds, fire channels, nation."""

    kind: int = 0
    inventory: int = 10
    channels: int = 8
    nation: int = 0


@dataclass(frozen=True)
class Lane:
    """A row (battery, threat) and its admissible samples (launch times, intercept times)."""

    battery: int
    threat: int
    launch_s: Sequence[float]
    intercept_s: Sequence[float]
    planned: int = 0

    @classmethod
    def regular(
        cls,
        battery: int,
        threat: int,
        *,
        first_launch_s: float,
        n: int = 1,
        step_s: float = 10.0,
        flight_s: float = 60.0,
        planned: int = 0,
    ) -> Lane:
        """``n`` samples ``step_s`` apart, each reached after ``flight_s`` of flyout."""
        launch = [first_launch_s + k * step_s for k in range(n)]
        return cls(battery, threat, launch, [t + flight_s for t in launch], planned)


@dataclass(frozen=True)
class Raid:
    """Threats: reliability, target asset (-1 none), times, class."""

    n: int
    reliability: float | Sequence[float] = 1.0
    target_asset: Sequence[int] | None = None  # default: threat i aims at asset i % n_assets
    launch_s: float = 0.0
    burnout_s: float = 60.0
    impact_s: float | Sequence[float] = 2000.0
    threat_class: int = 0
    free_flight_failure_fraction: float = 0.0


@dataclass(frozen=True)
class Land:
    """Assets and nations: values, owners, who defends whom."""

    value: Sequence[float] = (1.0,)
    nation: Sequence[int] | None = None
    n_nations: int = 1
    defends: Sequence[Sequence[bool]] | None = None  # default: all nations defend all


def make_fight(
    raid: Raid,
    kinds: Sequence[Kind],
    units: Sequence[Unit],
    lanes: Sequence[Lane],
    doctrine: Doctrine,
    land: Land | None = None,
    plan_solver: str = "test",
) -> FightInputs:
    land = Land() if land is None else land
    n_t, n_a, n_b, n_k = raid.n, len(land.value), len(units), len(kinds)
    n_nat = land.n_nations
    target = (
        np.arange(n_t) % n_a if raid.target_asset is None else np.asarray(raid.target_asset)
    ).astype(np.int64)
    asset_nation = np.zeros(n_a, np.int64) if land.nation is None else np.asarray(land.nation)
    value = np.asarray(land.value, dtype=np.float64)
    defends = np.ones((n_nat, n_nat), bool) if land.defends is None else np.asarray(land.defends)
    lanes = sorted(lanes, key=lambda ln: (ln.threat, ln.battery))
    start = np.cumsum([0] + [len(ln.launch_s) for ln in lanes]).astype(np.int64)
    sample_t = np.array([t for ln in lanes for t in ln.intercept_s], dtype=np.float64)
    sample_l = np.array([t for ln in lanes for t in ln.launch_s], dtype=np.float64)
    n_s = sample_t.size
    per_threat = np.broadcast_to(np.asarray(raid.impact_s, dtype=np.float64), (n_t,))
    return FightInputs(
        policy="test",
        target_asset_idx=target,
        target_nation_idx=np.where(target >= 0, asset_nation[np.maximum(target, 0)], -1),
        target_value=np.where(target >= 0, value[np.maximum(target, 0)], 0.0),
        reliability=np.broadcast_to(np.asarray(raid.reliability, dtype=np.float64), (n_t,)),
        threat_class=np.full(n_t, raid.threat_class, np.int64),
        launch_t_s=np.full(n_t, raid.launch_s),
        burnout_t_s=np.full(n_t, raid.burnout_s),
        impact_t_s=per_threat.copy(),
        free_flight_failure_fraction=np.full(n_t, raid.free_flight_failure_fraction),
        asset_value=value,
        asset_nation_idx=asset_nation.astype(np.int64),
        asset_radius_m=np.full(n_a, 10_000.0),
        asset_offset_en_m=np.zeros((n_t, n_a, 2)),
        defends=defends.astype(bool),
        battery_nation_idx=np.array([u.nation for u in units], np.int64),
        battery_interceptor_idx=np.array([u.kind for u in units], np.int64),
        inventory=np.array([u.inventory for u in units], np.int64),
        fire_channels=np.array([u.channels for u in units], np.int64),
        battery_fc_key=np.arange(n_b, dtype=np.int64),
        pk=np.array([[k.pk] * 3 for k in kinds], dtype=np.float64).reshape(n_k, 3),
        interceptor_reliability=np.array([k.reliability for k in kinds], dtype=np.float64),
        kill_assessment_s=np.array([k.kill_assessment_s for k in kinds], dtype=np.float64),
        reaction_time_s=np.array([k.reaction_s for k in kinds], dtype=np.float64),
        upper_tier=np.array([k.upper for k in kinds], bool),
        common_mode=np.array([[k.common_mode] * 3 for k in kinds], dtype=np.float64).reshape(
            n_k, 3
        ),
        fc_nation_idx=np.array([u.nation for u in units], np.int64),
        fc_sigma_m=np.full(n_b, 100.0),
        ipp_chol_m=np.full((n_nat, n_t, 2, 2), np.nan),
        ipp_sigma_m=np.full((n_nat, n_t), np.nan),
        row_battery_idx=np.array([ln.battery for ln in lanes], np.int64),
        row_threat_idx=np.array([ln.threat for ln in lanes], np.int64),
        row_start=start,
        row_nominal_earliest_launch_t_s=np.array(
            [kinds[units[ln.battery].kind].reaction_s for ln in lanes], dtype=np.float64
        ),
        planned_rounds=np.array([ln.planned for ln in lanes], np.int64),
        sample_t_s=sample_t,
        sample_launch_t_s=sample_l,
        sample_lat_rad=np.zeros(n_s),
        sample_lon_rad=np.zeros(n_s),
        sample_alt_m=np.linspace(10_000.0, 20_000.0, n_s),
        doctrine=doctrine,
        plan_solver=plan_solver,
    )


def fail_times(fight: FightInputs, flies: np.ndarray, v: F64) -> F64:
    """docs/battle.md §3.1: powered-flight failures uniform over boost, the rest over free flight.

    ``flies``, ``v``: ``(n_trial, n_threat)``.
    """
    f = fight.free_flight_failure_fraction[None, :]
    t0, tb, ti = fight.launch_t_s[None, :], fight.burnout_t_s[None, :], fight.impact_t_s[None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        powered = t0 + (tb - t0) * v / (1.0 - f)
        free = tb + (ti - tb) * (v - (1.0 - f)) / f
    t = np.where(v < 1.0 - f, powered, free)
    return np.where(flies, np.inf, t)


def make_trials(
    fight: FightInputs,
    draws: BlockDraws,
    *,
    fire_control_t_s: float | np.ndarray = 0.0,
    believed_asset_idx: np.ndarray | None = None,
) -> TrialInputs:
    """Trial inputs from the block's ``fly``/``fail_time`` draws.

    Parameters
    ----------
    fire_control_t_s
        Broadcast to ``(n_trial, n_key, n_threat)`` (default: every key holds fire control at 0).
    believed_asset_idx
        ``(n_trial, n_nation, n_threat)``; default: every nation knows the true target.
    """
    n_tr = draws.n_trials
    flies = (draws.fly_u < fight.reliability[:, None]).T
    fail = fail_times(fight, flies, draws.fail_time_u.T)
    fc = np.broadcast_to(
        np.asarray(fire_control_t_s, dtype=np.float64), (n_tr, fight.n_keys, fight.n_threats)
    )
    if believed_asset_idx is None:
        believed = np.broadcast_to(
            fight.target_asset_idx[None, None, :], (n_tr, fight.n_nations, fight.n_threats)
        )
    else:
        believed = believed_asset_idx
    return TrialInputs(flies=flies, fail_t_s=fail, fire_control_t_s=fc, believed_asset_idx=believed)


def draws_for(
    fight: FightInputs, seed: int, block: int, n_trials: int, extra_shots: int = 0
) -> BlockDraws:
    """The block's draws sized for ``fight`` (type names ``t0``, ``t1``, ...), covering
    ``max_rounds_per_threat + extra_shots`` rounds per threat."""
    return block_draws(
        seed,
        block,
        n_trials=n_trials,
        n_threats=fight.n_threats,
        n_nations=fight.n_nations,
        type_names=[f"t{k}" for k in range(fight.n_types)],
        n_shots=fight.doctrine.max_rounds_per_threat + extra_shots,
    )


def run_trials(
    fight_fn: FightFn,
    fight: FightInputs,
    *,
    seed: int,
    n_trials: int,
    trials_fn: Callable[[FightInputs, BlockDraws], TrialInputs] = make_trials,
) -> Outcomes:
    """Fight ``n_trials`` trials, block by block (common random numbers per block)."""
    parts = []
    for block, lo in enumerate(range(0, n_trials, TRIAL_BLOCK)):
        d = draws_for(fight, seed, block, min(TRIAL_BLOCK, n_trials - lo))
        parts.append(fight_fn(fight, trials_fn(fight, d), d))
    return Outcomes.concatenate(parts)


#: Per-trial outputs of a fight (docs/battle.md §7), the engagement log aside.
OUTCOME_FIELDS = (
    "flew",
    "killed",
    "leaked",
    "rounds_at",
    "expended",
    "asset_hit",
    "value_lost",
    "rounds_defending",
)


def assert_same_outcomes(fast: Outcomes, slow: Outcomes) -> None:
    """``slow``'s trials are the first trials of ``fast``: every per-trial output identical on
    them, and the engagement logs of those trials equal as sets of engagements."""
    k = slow.n_trials
    for name in OUTCOME_FIELDS:
        np.testing.assert_array_equal(getattr(fast, name)[:k], getattr(slow, name), err_msg=name)
    logs = []
    for out in (fast, slow):
        ev = out.events.columns()
        keep = ev["trial"] < k
        ev = {name: col[keep] for name, col in ev.items()}
        order = np.lexsort((ev["battery_idx"], ev["threat_idx"], ev["launch_t_s"], ev["trial"]))
        logs.append({name: col[order] for name, col in ev.items()})
    for name in logs[0]:
        np.testing.assert_array_equal(logs[0][name], logs[1][name], err_msg=f"events.{name}")
