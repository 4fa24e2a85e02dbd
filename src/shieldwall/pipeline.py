"""``simulate``: one policy, end to end (DESIGN.md §1).

flight and the policy-independent sensing and tracking (shared by every policy:
:func:`prepare`) → cueing and fusion (per policy: they depend on what is shared) → battle
(engagement windows, fire plan, schedule) → outcome (vectorized Monte Carlo on common random
numbers) → metrics. Studies call :func:`simulate` many times with the same :class:`Prepared` and
:class:`~shieldwall.outcome.draws.Draws`, so policies are compared on the same random numbers.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import numpy as np

from shieldwall.battle.opportunities import (
    Opportunities,
    Targets,
    find_opportunities,
    threat_targets,
)
from shieldwall.battle.plan import PLAN_SOLVERS, Doctrine, PlanError, plan_shots, raid_channels
from shieldwall.battle.schedule import Schedule, build_schedule
from shieldwall.errors import Problem, ShieldwallError
from shieldwall.flight import FlyoutTable, Trajectories, flyout_tables
from shieldwall.flight.checks import envelope_problems, fly_checked, raise_errors
from shieldwall.metrics.summary import Metrics, summarize
from shieldwall.outcome.draws import Draws, draw
from shieldwall.outcome.engine import resolve
from shieldwall.outcome.outcomes import EVENT_TRIALS, Outcomes
from shieldwall.outcome.reference import event_log
from shieldwall.scenario import Policy, World
from shieldwall.tracking import MODES, SensingBase, TrackPicture, picture
from shieldwall.tracking import prepare as prepare_sensing

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "TRACKING_MODES",
    "Prepared",
    "Results",
    "SimulationError",
    "prepare",
    "resolve_policy",
    "simulate",
]

#: Valid tracking fidelities for the Monte Carlo (``shieldwall.tracking.MODES``).
TRACKING_MODES: tuple[str, ...] = tuple(MODES)


class SimulationError(ShieldwallError, ValueError):
    """A simulation request is invalid (unknown policy, non-positive trials, ...)."""


def _fail(path: str, message: str) -> SimulationError:
    return SimulationError(message, [Problem(message=message, path=path)])


@dataclass(frozen=True, kw_only=True)
class Prepared:
    """The policy-independent part of a simulation: the flown raid and the flyout tables.

    Attributes
    ----------
    world
        The compiled world.
    trajectories, flyouts
        Flight results (docs/interfaces.md).
    targets
        What each threat will hit.
    sensing
        Policy-independent sensing and tracking (:func:`shieldwall.tracking.prepare`).
    timings_s
        Seconds spent per stage.
    """

    world: World
    trajectories: Trajectories
    flyouts: tuple[FlyoutTable, ...]
    targets: Targets
    sensing: SensingBase
    timings_s: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class Results:
    """Everything one policy's simulation produced.

    Attributes
    ----------
    policy, solver, tracking_mode : str
        What was simulated.
    seed, trials : int
        The Monte Carlo.
    opportunities, schedule, outcomes, metrics
        Stage outputs.
    targets
        What each threat will hit.
    trajectories
        The flown raid.
    timings_s
        Seconds per stage (flight and sensing are those of :func:`prepare`).
    picture
        The policy's track picture (who detects and tracks what, when).
    """

    world: World
    policy: str
    solver: str
    tracking_mode: str
    seed: int
    trials: int
    targets: Targets
    trajectories: Trajectories
    opportunities: Opportunities
    schedule: Schedule
    outcomes: Outcomes
    metrics: Metrics
    timings_s: dict[str, float]
    picture: TrackPicture | None = None

    def __repr__(self) -> str:
        m = self.metrics
        return (
            f"Results({self.world.name!r}, policy={self.policy!r}, trials={self.trials}, "
            f"seed={self.seed}, p_zero_leak={m.p_zero_leak:.3f}, "
            f"expected_leakers={m.expected_leakers:.2f})"
        )

    def to_frame(self) -> pd.DataFrame:
        """One row per trial: ``trial``, ``leakers``, ``interceptors_used``, ``zero_leak``,
        ``value_lost`` (sum of the values of the assets hit). Named tables of every kind:
        :func:`shieldwall.api.run_record`."""
        import pandas as pd

        out = self.outcomes
        leakers = out.leakers
        value = np.asarray(self.world.assets.value, dtype=np.float64)
        return pd.DataFrame(
            {
                "trial": np.arange(out.n_trials, dtype=np.int64),
                "leakers": leakers,
                "interceptors_used": out.rounds,
                "zero_leak": leakers == 0,
                "value_lost": out.asset_hit.astype(np.float64) @ value,
            }
        )


def prepare(world: World) -> Prepared:
    """Fly the raid, tabulate the interceptor flyouts and run the policy-independent sensing
    and tracking (shared by every policy).

    Refuses what ``shieldwall validate`` refuses (:mod:`shieldwall.flight.checks`): salvos that
    cannot be flown from their launch areas, interceptors that reach none of their envelope.
    """
    t0 = time.perf_counter()
    trajectories = fly_checked(world)
    flyouts = flyout_tables(world)
    raise_errors(envelope_problems(world, flyouts))
    t1 = time.perf_counter()
    sensing = prepare_sensing(world, trajectories)
    return Prepared(
        world=world,
        trajectories=trajectories,
        flyouts=flyouts,
        targets=threat_targets(world, trajectories),
        sensing=sensing,
        timings_s={"flight": t1 - t0, "sensing": time.perf_counter() - t1},
    )


def resolve_policy(world: World, policy: Policy | str) -> Policy:
    """The policy object for a name (the presets and the scenario's own).

    Raises
    ------
    SimulationError
        Unknown name; the message lists the valid ones.
    """
    if not isinstance(policy, str):
        return policy
    if policy not in world.policies:
        valid = ", ".join(world.policies)
        raise _fail("policy", f"unknown policy {policy!r}; valid policies: {valid}")
    return world.policies[policy]


def default_track_delay_max_s(world: World) -> float:
    """Upper end of the per-trial extra track delay: the median radar revisit period. [s]

    A threat is first seen at a random phase of the revisit cycle, so fire-control quality
    arrives up to one revisit later than the covariance analysis's nominal time.
    """
    revisit = np.asarray(world.radars.revisit_s, dtype=np.float64)
    return float(np.median(revisit)) if revisit.size else 0.0


def _check(trials: int, solver: str, tracking_mode: str) -> None:
    if not isinstance(trials, int) or trials < 1:
        raise _fail("trials", f"must be a positive integer, got {trials!r}")
    if solver not in PLAN_SOLVERS:
        raise PlanError(
            f"unknown solver {solver!r}; valid solvers: {', '.join(PLAN_SOLVERS)}",
            [Problem(message=f"valid solvers: {', '.join(PLAN_SOLVERS)}", path="solver")],
        )
    if tracking_mode not in TRACKING_MODES:
        valid = ", ".join(TRACKING_MODES)
        raise _fail("tracking_mode", f"unknown tracking mode {tracking_mode!r}; valid: {valid}")


def engine_doctrine(world: World) -> Doctrine:
    """Today's engine's doctrine record from the compiled ``World.doctrine``.

    A bridge until the battle manager reads ``World.doctrine`` itself: salvo size and the shot
    caps carry over; the reserve is today's rolling re-engagement.
    """
    doc = world.doctrine
    return Doctrine(
        salvo_size=doc.salvo_size,
        max_shots_per_pair=doc.max_rounds_per_pair,
        max_shots_per_threat=doc.max_rounds_per_threat,
    )


def simulate(
    world: World,
    policy: Policy | str = "national",
    trials: int | None = None,
    seed: int | None = None,
    solver: str | None = None,
    *,
    tracking_mode: str = "covariance",
    doctrine: Doctrine | None = None,
    prepared: Prepared | None = None,
    draws: Draws | None = None,
    track_delay_max_s: float | None = None,
    miss_as_kill: float | None = None,
    kill_as_miss: float | None = None,
) -> Results:
    """Simulate one policy: windows, fire plan and the Monte Carlo over ``trials`` raids.

    Parameters
    ----------
    world
        The compiled world.
    policy
        A :class:`~shieldwall.scenario.Policy` or the name of one in ``world.policies``.
    trials, seed
        Monte Carlo size and root seed; the scenario's settings when omitted.
    solver
        Fire planning: ``heuristic``, ``exact`` or ``doctrine``; the world's
        ``doctrine.planner.solver`` when omitted.
    tracking_mode
        One of ``TRACKING_MODES`` (``covariance``, the default).
    doctrine
        Fire doctrine (salvo size, shot caps, re-engagement); from ``World.doctrine`` when omitted.
    prepared
        Reuse flight and sensing (from :func:`prepare`) across policies.
    draws
        Reuse random numbers across policies (common random numbers).
    track_delay_max_s
        Per-trial extra track delay upper bound; the median radar revisit when omitted. [s]
    miss_as_kill, kill_as_miss
        Kill-assessment error probabilities; the world's ``doctrine.kill_assessment`` when
        omitted (0 = perfect assessment, the default). []

    Raises
    ------
    SimulationError, PlanError
        Bad request (unknown policy / solver / mode, trials < 1).
    """
    n_trials = int(world.trials if trials is None else trials)
    root_seed = int(world.seed if seed is None else seed)
    solver = world.doctrine.planner.solver if solver is None else solver
    ka = world.doctrine.kill_assessment
    miss_as_kill = ka.miss_as_kill if miss_as_kill is None else miss_as_kill
    kill_as_miss = ka.kill_as_miss if kill_as_miss is None else kill_as_miss
    _check(n_trials, solver, tracking_mode)
    for name, q in (("miss_as_kill", miss_as_kill), ("kill_as_miss", kill_as_miss)):
        if not 0.0 <= q <= 1.0:
            raise _fail(name, f"must be a probability in [0, 1], got {q!r}")
    pol = resolve_policy(world, policy)
    doc = doctrine or engine_doctrine(world)
    prep = prepared or prepare(world)
    timings = dict(prep.timings_s)
    t0 = time.perf_counter()
    # cueing and fusion depend on the policy; the rest was done once in prepare()
    pic = picture(world, prep.trajectories, pol, base=prep.sensing, mode=tracking_mode)
    t1 = time.perf_counter()
    opp = find_opportunities(
        world=world,
        trajectories=prep.trajectories,
        picture=pic,
        flyouts=prep.flyouts,
        policy=pol,
        targets=prep.targets,
    )
    plan = plan_shots(
        opportunities=opp,
        targets=prep.targets,
        battery_nation_idx=world.batteries.nation_idx,
        inventory=world.batteries.inventory,
        # fire channels bound simultaneous engagements; the plan spans the whole raid
        channels=raid_channels(opp, world.batteries.fire_channels),
        solver=solver,
        doctrine=doc,
    )
    sched = build_schedule(
        opportunities=opp,
        plan=plan,
        inventory=world.batteries.inventory,
        n_threats=prep.targets.n_threats,
        solver=solver,
        mode="salvo" if solver == "doctrine" else world.doctrine.mode,
        reserve=doc.reserve,
        max_shots_per_threat=doc.max_shots_per_threat,
    )
    t2 = time.perf_counter()
    if draws is None or draws.n_trials != n_trials or draws.n_shots < doc.max_shots_per_threat:
        draws = draw(root_seed, n_trials, prep.targets.n_threats, doc.max_shots_per_threat)
    delay = default_track_delay_max_s(world) if track_delay_max_s is None else track_delay_max_s
    outcomes = resolve(
        sched,
        prep.targets,
        draws,
        track_delay_max_s=delay,
        n_assets=len(world.assets.value),
        miss_as_kill=miss_as_kill,
        kill_as_miss=kill_as_miss,
    )
    events = event_log(
        sched,
        prep.targets,
        draws,
        trials=min(EVENT_TRIALS, n_trials),
        track_delay_max_s=delay,
        n_assets=len(world.assets.value),
        miss_as_kill=miss_as_kill,
        kill_as_miss=kill_as_miss,
    )
    outcomes = replace(outcomes, events=events)
    t3 = time.perf_counter()
    metrics = summarize(
        outcomes, inventory=world.batteries.inventory, opportunities=opp, targets=prep.targets
    )
    t4 = time.perf_counter()
    timings.update(tracking=t1 - t0, battle=t2 - t1, outcome=t3 - t2, metrics=t4 - t3)
    return Results(
        world=world,
        policy=pol.name,
        solver=solver,
        tracking_mode=tracking_mode,
        seed=root_seed,
        trials=n_trials,
        targets=prep.targets,
        trajectories=prep.trajectories,
        opportunities=opp,
        schedule=sched,
        outcomes=outcomes,
        metrics=metrics,
        timings_s=timings,
        picture=pic,
    )
