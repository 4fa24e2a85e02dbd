"""``simulate``: policies end to end, trial block by trial block (docs/architecture.md §1).

flight, the policy-independent sensing and tracking, and what each battery's flyout reaches, once
per world (:func:`prepare`) → per policy: cueing and fusion (they depend on what is shared), the
fight inputs (rows of admissible intercept samples under
the policy's levers) → the nominal plans of all policies together (a more permissive policy starts
from a less permissive one's plan: :func:`shieldwall.battle.plan_policies`) → per trial block:
the block's draws (common to every policy), each policy's trial inputs and fight → metrics.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from shieldwall._types import I64
from shieldwall.arguments import check_count, check_seed
from shieldwall.battle import (
    ChannelGroups,
    FightInputs,
    FireControl,
    Reach,
    Targets,
    build_fight_inputs,
    build_trial_inputs,
    channel_groups,
    plan_policies,
    reach,
    threat_targets,
)
from shieldwall.errors import ArgumentError, Problem
from shieldwall.flight import FlyoutTable, Trajectories, flyout_tables
from shieldwall.flight.checks import (
    FLY_ROWS,
    envelope_problems,
    fly_checked,
    fly_geometries,
    raise_errors,
)
from shieldwall.metrics.summary import Metrics, summarize
from shieldwall.outcome import EVENT_TRIALS, TRIAL_BLOCK, BlockDraws, Outcomes, Tally, block_draws
from shieldwall.outcome.engine import fight, forget
from shieldwall.resources import (
    available_memory_bytes,
    check_resources,
    estimate_resources,
    fight_group_blocks,
    fight_piece_trials,
)
from shieldwall.scenario import Policy, World
from shieldwall.scenario.doctrine import PLANNER_SOLVERS, Doctrine, DoctrineError
from shieldwall.tracking import MODES, SensingBase, TrackPicture, picture
from shieldwall.tracking import prepare as prepare_sensing
from shieldwall.tracking.chunks import pictures

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "TRACKING_MODES",
    "Prepared",
    "Results",
    "SimulationError",
    "geometry_shares",
    "geometry_workers",
    "prepare",
    "prepare_flown",
    "resolve_policy",
    "simulate",
    "simulate_policies",
    "spare_order",
    "workers_for",
]

#: Valid tracking fidelities for the Monte Carlo (``shieldwall.tracking.MODES``).
TRACKING_MODES: tuple[str, ...] = tuple(MODES)


class SimulationError(ArgumentError):
    """A simulation request is invalid (unknown policy, non-positive trials, ...)."""


def _fail(path: str, message: str) -> SimulationError:
    return SimulationError(message, [Problem(message=message, path=path)])


@dataclass(frozen=True, kw_only=True)
class Prepared:
    """The policy-independent part of a simulation.

    Attributes
    ----------
    world
        The compiled world.
    trajectories, flyouts
        Flight results (docs/interfaces.md).
    reach
        What each battery's flyout reaches on each threat (:func:`shieldwall.battle.reach`).
    targets
        What each threat will hit.
    sensing
        Policy-independent sensing and tracking (:func:`shieldwall.tracking.prepare`);
        ``None``: not made (:func:`prepare_flown` with ``sensing=False``).
    timings_s
        Seconds spent per stage.
    """

    world: World
    trajectories: Trajectories
    flyouts: tuple[FlyoutTable, ...]
    reach: Reach
    targets: Targets
    sensing: SensingBase | None
    timings_s: dict[str, float] = field(default_factory=dict)

    def channel_groups(self, doctrine: Doctrine) -> ChannelGroups:
        """The plan's fire-channel groups under ``doctrine`` (docs/battle.md §5)."""
        w = self.world
        return channel_groups(
            self.reach,
            w.batteries.fire_channels,
            w.interceptors.kill_assessment_s,
            w.batteries.interceptor_idx,
            doctrine.channel_hold,
        )


@dataclass(frozen=True, kw_only=True, eq=False)
class Results:
    """Everything one policy's simulation produced.

    Attributes
    ----------
    policy, tracking_mode : str
        What was simulated.
    solver, objective : str
        The planner and the objective it minimised (``doctrine.planner``).
    plan_objective : float
        The planner's objective at its plan (expected value lost, or expected leakers). []
    seed, trials : int
        The Monte Carlo.
    doctrine
        How the manager fought.
    fight
        The fight inputs (rows, samples, the plan).
    tally
        What the metrics need of every trial (:class:`~shieldwall.outcome.outcomes.Tally`:
        per-trial leakers, rounds, value lost, assets hit, rounds per battery; per-threat counts).
    outcomes
        Full per-trial results (engagement log: the first ``event_trials`` trials): of every
        trial with ``full_outcomes=True`` (``simulate_policies``' default), else of the run's
        first ``max(event_trials, EVENT_TRIALS)`` trials only (``outcomes.n_trials``; what a run
        record shows per trial) - docs/montecarlo.md §7.
    metrics
        Summaries (from the tally: the same values either way).
    targets, trajectories
        What each threat will hit; the flown raid.
    timings_s
        Seconds per stage (flight is that of :func:`prepare`).
    picture
        The policy's track picture (who detects and tracks what, when).
    """

    world: World
    policy: str
    solver: str
    objective: str
    plan_objective: float
    tracking_mode: str
    seed: int
    trials: int
    doctrine: Doctrine
    targets: Targets
    trajectories: Trajectories
    fight: FightInputs
    tally: Tally
    outcomes: Outcomes
    metrics: Metrics
    timings_s: dict[str, float]
    picture: TrackPicture | None = None

    def __repr__(self) -> str:
        m = self.metrics
        return (
            f"Results({self.world.name!r}, policy={self.policy!r}, trials={self.trials}, "
            f"seed={self.seed}, solver={self.solver!r}, p_zero_leak={m.p_zero_leak:.3f}, "
            f"expected_leakers={m.expected_leakers:.2f})"
        )

    def per_trial(self) -> dict[str, NDArray[np.generic]]:
        """The columns of :meth:`to_frame` as arrays (no pandas: run records use these)."""
        out = self.tally
        leakers = out.leakers.astype(np.int64)
        return {
            "trial": np.arange(out.n_trials, dtype=np.int64),
            "leakers": leakers,
            "interceptors_used": out.rounds.astype(np.int64),
            "zero_leak": leakers == 0,
            "value_lost": np.asarray(out.value_lost, dtype=np.float64),
        }

    def to_frame(self) -> pd.DataFrame:
        """One row per trial: ``trial``, ``leakers``, ``interceptors_used``, ``zero_leak``,
        ``value_lost`` (sum of the values of the assets hit). Named tables of every kind:
        :func:`shieldwall.api.run_record`."""
        import pandas as pd

        return pd.DataFrame(self.per_trial())


def prepare(world: World) -> Prepared:
    """Fly the raid, tabulate the interceptor flyouts, run the policy-independent sensing and
    tracking and find what each battery's flyout can reach (shared by every policy).

    Refuses what ``shieldwall validate`` refuses (:mod:`shieldwall.flight.checks`): salvos that
    cannot be flown from their launch areas, interceptors that reach none of their envelope.
    """
    trajectories, flyouts, flight_s = _fly(world)
    return prepare_flown(world, trajectories, flyouts, flight_s=flight_s)


def _fly(world: World) -> tuple[Trajectories, tuple[FlyoutTable, ...], float]:
    """The raid flown and checked, the flyout tables checked, and the seconds it took."""
    t0 = time.perf_counter()
    trajectories = fly_checked(world)
    flyouts = flyout_tables(world)
    raise_errors(envelope_problems(world, flyouts))
    return trajectories, flyouts, time.perf_counter() - t0


def prepare_flown(
    world: World,
    trajectories: Trajectories,
    flyouts: tuple[FlyoutTable, ...],
    *,
    flight_s: float = 0.0,
    sensing: bool = True,
) -> Prepared:
    """:func:`prepare` of a raid already flown (``trajectories`` = ``fly_checked(world)``).

    ``sensing=False`` leaves ``Prepared.sensing`` unmade (``None``): :func:`simulate_policies`
    then makes every policy's picture in one pass over the threat chunks without holding the
    base (:func:`shieldwall.tracking.chunks.pictures`), what it does for the raid samples it
    prepares itself."""
    t1 = time.perf_counter()
    base = prepare_sensing(world, trajectories) if sensing else None
    t2 = time.perf_counter()
    rch = reach(world, trajectories, flyouts)
    return Prepared(
        world=world,
        trajectories=trajectories,
        flyouts=flyouts,
        reach=rch,
        targets=threat_targets(world, trajectories),
        sensing=base,
        timings_s={"flight": flight_s, "sensing": t2 - t1, "reach": time.perf_counter() - t2},
    )


def resolve_policy(world: World, policy: Policy | str) -> Policy:
    """The policy object for a name (the presets and the scenario's own).

    Raises
    ------
    SimulationError
        Unknown name; the message lists the valid ones.
    """
    if isinstance(policy, Policy):
        return policy
    if not isinstance(policy, str) or policy not in world.policies:
        valid = ", ".join(world.policies)
        raise _fail("policy", f"unknown policy {policy!r}; valid policies: {valid}")
    return world.policies[policy]


def _doctrine(world: World, doctrine: Doctrine | None, solver: str | None) -> Doctrine:
    doc = doctrine or world.doctrine
    if solver is not None:
        if solver not in PLANNER_SOLVERS:
            msg = f"unknown solver {solver!r}; valid solvers: {', '.join(PLANNER_SOLVERS)}"
            raise DoctrineError(msg, [Problem(message=msg, path="solver")])
        doc = doc.with_overrides(planner_solver=solver)
    return doc


def _check(trials: int, tracking_mode: str) -> None:
    if isinstance(trials, bool) or not isinstance(trials, int) or trials < 1:
        raise _fail("trials", f"must be a positive integer, got {trials!r}")
    if tracking_mode not in TRACKING_MODES:
        valid = ", ".join(TRACKING_MODES)
        raise _fail("tracking_mode", f"unknown tracking mode {tracking_mode!r}; valid: {valid}")


@dataclass(frozen=True)
class _Stage:
    policy: Policy
    picture: TrackPicture
    fight: FightInputs
    picture_s: float


def simulate_policies(
    world: World,
    policies: Sequence[Policy | str],
    trials: int | None = None,
    seed: int | None = None,
    solver: str | None = None,
    *,
    tracking_mode: str = "covariance",
    doctrine: Doctrine | None = None,
    prepared: Prepared | None = None,
    event_trials: int = EVENT_TRIALS,
    progress: Callable[[str, int, int], None] | None = None,
    force: bool = False,
    blocks: range | None = None,
    prepare_with: Callable[[World], Prepared] = prepare,
    workers: int | None = None,
    full_outcomes: bool = True,
) -> dict[str, Results]:
    """Simulate several policies on the same raid and the same random numbers.

    The plans are made together: each policy's planner starts from the plan of the policies it
    is at least as permissive as (docs/battle.md §5), so its planner objective is never worse.

    Parameters
    ----------
    world
        The compiled world.
    policies
        Policies or names in ``world.policies`` (distinct names).
    trials, seed
        Monte Carlo size and root seed; the scenario's settings when omitted.
    solver
        Overrides ``doctrine.planner.solver`` (``heuristic``, ``exact`` or ``doctrine``).
    tracking_mode
        One of ``TRACKING_MODES`` (``covariance``, the default).
    doctrine
        How the manager fights; ``world.doctrine`` when omitted.
    prepared
        Reuse flight and reach (from :func:`prepare`; of the first raid geometry sample when
        the world has several).
    event_trials
        Engagements of the first this-many trials are logged (``Outcomes.events``). []
    progress
        Called as ``progress(stage, done, total)`` after each step.
    force
        Run even when the resource guard (:func:`shieldwall.resources.check_resources`)
        estimates more memory than this process may use, or more than a day.
    blocks
        Fight only these trial blocks of the ``trials``-trial run (a study's executor splits a
        run this way); each block's outcomes are those it has in the whole run, so the parts
        concatenated in block order are bit-identical to the whole. ``Results.trials`` is then
        the number of trials fought; event logs cover the run's first ``event_trials`` trials.
    prepare_with
        Prepares each raid geometry sample the run needs (a study passes its stage cache).
        With the default, small raids' samples (``FLY_ROWS`` rows in all) are flown together
        in one solve (:func:`shieldwall.flight.checks.fly_geometries`, each as flown alone).
    workers
        Processes the raid geometry samples are spread over: this one and ``workers - 1``
        forked workers, each flying and fighting a share of the samples
        (:func:`geometry_shares`), then the samples the others have not reached
        (:func:`spare_order`); each sample is computed exactly as serially, so the results are
        bit-identical. Default: one per CPU up to the number of samples for a whole run
        (:func:`geometry_workers`), fewer where the resource guard's estimate for that many
        would not fit in memory; one when ``blocks`` is given (a study's task: its executor has
        the other CPUs).
    full_outcomes
        Keep every trial's full :class:`~shieldwall.outcome.Outcomes` (``Results.outcomes``;
        ~935 B per trial and policy for the flagship). ``False`` keeps per block only what the
        metrics need (``Results.tally``, ~79 B) and the full outcomes of the run's first
        ``max(event_trials, EVENT_TRIALS)`` trials (the run record's per-threat rows): the
        metrics are the same bit for bit (docs/montecarlo.md §7).

    A world with raid geometry samples (``settings.raid_samples``) fights block ``k`` on sample
    ``k % G``, each sample with its own flight, sensing and plans; the results' trajectories,
    fight inputs and picture are the first sample's, and the metrics' intervals count the
    samples as clusters (docs/montecarlo.md §5).

    Returns
    -------
    dict
        Results per policy name, in the order given.

    Raises
    ------
    SimulationError, DoctrineError, PlanError
        Bad request (unknown policy / solver / mode, trials not a whole number >= 1, seed not in
        0 .. 2**63 - 1).
    ResourceError
        The run would not fit (nothing was started); ``force=True`` runs it anyway.
    """
    n_trials = check_count(
        world.trials if trials is None else trials, "trials", error=SimulationError
    )
    root_seed = check_seed(world.seed if seed is None else seed, error=SimulationError)
    _check(n_trials, tracking_mode)
    doc = _doctrine(world, doctrine, solver)
    pols = [resolve_policy(world, p) for p in policies]
    n_blocks = -(-n_trials // TRIAL_BLOCK)
    span = range(n_blocks) if blocks is None else blocks
    if not isinstance(span, range) or span.step != 1 or not 0 <= span.start < span.stop <= n_blocks:
        raise _fail("blocks", f"must be a range of blocks in 0..{n_blocks}, step 1; got {span}")
    # raid geometry samples: block k fights sample k % G (docs/montecarlo.md §5)
    n_geo = world.n_geometries
    n_fought = min(n_geo, len(span))  # samples that get a block
    auto = workers is None and blocks is None
    n_workers = geometry_workers(n_fought) if auto else workers
    n_workers = max(1, min(check_count(n_workers or 1, "workers", error=SimulationError),
                           n_fought))  # fmt: skip
    held = prepared is not None or prepare_with is not prepare  # whole sensing bases
    while auto and n_workers > 1 and _too_big(world, n_trials, len(pols), n_workers,
                                              full_outcomes, held):  # fmt: skip
        n_workers -= 1  # fewer samples at once rather than a refusal
    # the whole run, every process holding a sample: cautious (before any work or big list)
    check_resources(world, n_trials, policies=len(pols), force=force, workers=n_workers,
                    full_outcomes=full_outcomes, sensing_held=held)  # fmt: skip
    todo = {g: [k for k in span if k % n_geo == g] for g in range(n_geo)}
    todo = {g: ks for g, ks in todo.items() if ks}
    job = _Job(
        world=world, pols=pols, doc=doc, n_trials=n_trials, root_seed=root_seed,
        tracking_mode=tracking_mode, event_trials=event_trials, todo=todo, first=min(todo),
        prepared=prepared, prepare_with=prepare_with,
        keep=None if full_outcomes else max(event_trials, EVENT_TRIALS),
    )  # fmt: skip
    if n_workers == 1:
        job.check_envelopes()
        job.fly(list(todo))
        fought = [job.run(g, progress) for g in todo]
    else:
        fought = _run_parallel(job, n_workers, progress)
    first = fought[0]
    assert first.trajectories is not None
    assert first.targets is not None
    assert first.planned is not None
    assert first.pictures is not None
    out: dict[str, Results] = {}
    for name, fi in first.planned.items():
        t0 = time.perf_counter()
        tally, outcomes = _assemble([f.outcomes.pop(name) for f in fought], span, full_outcomes)
        clusters = geometry_clusters(tally.n_trials, span.start, n_geo)
        metrics = summarize(tally, fight=fi, clusters=clusters)
        timings = {key: sum(f.timings_s.get(key, 0.0) for f in fought)
                   for key in first.timings_s}  # fmt: skip
        timings.update(
            cueing_and_fusion=sum(f.picture_s[name] for f in fought),
            plan=sum(f.plan_s for f in fought) / len(first.planned),
            workers=float(n_workers),
            fight=sum(f.fight_s[name] for f in fought),
            metrics=time.perf_counter() - t0,
        )
        out[name] = Results(
            world=world,
            policy=name,
            solver=fi.plan_solver,
            objective=fi.plan_objective_name,
            plan_objective=float(np.mean([f.plan_objective[name] for f in fought])),
            tracking_mode=tracking_mode,
            seed=root_seed,
            trials=tally.n_trials,
            doctrine=fi.doctrine,
            targets=first.targets,
            trajectories=first.trajectories,
            fight=fi,
            tally=tally,
            outcomes=outcomes,
            metrics=metrics,
            timings_s=timings,
            picture=first.pictures[name],
        )
    return out


@dataclass(frozen=True)
class _Kept:
    """What is kept of one trial block of one policy: its tally and, where asked, its full
    outcomes (None: not kept)."""

    tally: Tally
    outcomes: Outcomes | None


def _kept_blocks(
    got: Outcomes, blocks: Sequence[int], edges: NDArray[np.int64], keep: int | None
) -> dict[int, _Kept]:
    """Split the outcomes of consecutive trial blocks fought together (block ``blocks[i]`` is
    trials ``edges[i]:edges[i + 1]``) into what is kept of each: ``keep`` None keeps the full
    outcomes of every block, else those of block 0's first ``keep`` trials only (copied: the
    group's outcomes are then freed)."""
    out: dict[int, _Kept] = {}
    for k, a, b in zip(blocks, edges[:-1], edges[1:], strict=True):
        a, b = int(a), int(b)
        full: Outcomes | None = None
        if keep is None:
            full = got if a == 0 and b == got.n_trials else got.take(a, b)
        elif k == 0:
            full = got.take(a, min(b, a + keep), copy=True)
        out[k] = _Kept(tally=got.tally(a, b), outcomes=full)
    return out


def _fight_pieces(
    fi: FightInputs,
    fire_control: FireControl,
    draws: BlockDraws,
    blocks: Sequence[int],
    edges: NDArray[np.int64],
    piece: int,
    logged: int,
    keep: int | None,
) -> dict[int, _Kept]:
    """The blocks (trials ``edges[i]:edges[i + 1]`` of ``draws``) fought ``piece`` trials at a
    time, what is kept of each joined from its pieces (:func:`_kept_blocks`' parts): a trial's
    outcome depends on its own draws only, so the outcomes are those of one call, while one
    policy's per-trial inputs and outcomes stay near ``PIECE_BYTES``. ``logged``: the first
    trials of the draws whose engagements are logged."""
    out: dict[int, _Kept] = {}
    for k, a, b in zip(blocks, edges[:-1].tolist(), edges[1:].tolist(), strict=True):
        tallies: list[Tally] = []
        fulls: list[Outcomes] = []
        for lo in range(a, b, piece):
            hi = min(lo + piece, b)
            d = draws.trials(lo, hi)
            trials_in = build_trial_inputs(fi, d, fire_control.times(d.fcq_u))
            got = fight(fi, trials_in, d, event_trials=max(0, min(logged - lo, hi - lo)))
            tallies.append(got.tally())
            if keep is None:
                fulls.append(got)
            elif k == 0 and lo - a < keep:
                fulls.append(got.take(0, min(hi - lo, keep - (lo - a)), copy=True))
            del trials_in, got
        out[k] = _Kept(
            tally=Tally.concatenate(tallies),
            outcomes=Outcomes.concatenate(fulls) if fulls else None,
        )
    return out


def _assemble(parts: Sequence[dict[int, _Kept]], span: range, full: bool) -> tuple[Tally, Outcomes]:
    """One policy's tally of the run's blocks ``span`` and its kept outcomes: every block's with
    ``full``, else block 0's first trials (none when the span does not start at block 0)."""
    by_block = {k: kept for part in parts for k, kept in part.items()}
    tally = Tally.concatenate([by_block[k].tally for k in span])
    kept = [o for o in (by_block[k].outcomes for k in span) if o is not None]
    if full:
        return tally, Outcomes.concatenate(kept)
    return tally, kept[0] if kept else Outcomes.empty_like(tally)


def geometry_clusters(n_trials: int, first_block: int, n_geometries: int) -> I64 | None:
    """Raid geometry sample of each trial (``None`` with one geometry): trial ``n`` of a run
    whose first block is ``first_block`` is in block ``first_block + n // TRIAL_BLOCK``."""
    if n_geometries <= 1:
        return None
    block = first_block + np.arange(n_trials, dtype=np.int64) // TRIAL_BLOCK
    return np.asarray(block % n_geometries, dtype=np.int64)


@dataclass(frozen=True)
class _Fought:
    """One raid geometry's part of a run: its plans and its blocks' outcomes.

    ``trajectories``, ``targets``, ``planned`` and ``pictures`` are kept for the run's first
    geometry only (its results show them); the others keep what the results sum or average."""

    trajectories: Trajectories | None
    targets: Targets | None
    planned: dict[str, FightInputs] | None
    pictures: dict[str, TrackPicture] | None
    timings_s: dict[str, float]
    plan_objective: dict[str, float]
    outcomes: dict[str, dict[int, _Kept]]  # policy -> block -> what is kept of it
    picture_s: dict[str, float]
    plan_s: float
    fight_s: dict[str, float]

    def slim(self) -> _Fought:
        """Without the first geometry's products (what a worker sends back for the others)."""
        return replace(self, trajectories=None, targets=None, planned=None, pictures=None)


@dataclass(kw_only=True)
class _Job:
    """What every raid geometry of one ``simulate_policies`` call shares (a worker's input)."""

    world: World
    pols: list[Policy]
    doc: Doctrine
    n_trials: int
    root_seed: int
    tracking_mode: str
    event_trials: int
    todo: dict[int, list[int]]  # geometry -> its trial blocks
    first: int  # the geometry whose products the results show
    prepared: Prepared | None
    prepare_with: Callable[[World], Prepared]
    keep: int | None = None  # full outcomes kept: every trial's (None) or block 0's first few
    flown: dict[int, tuple[Trajectories, float]] = field(default_factory=dict)
    flyouts: list[tuple[FlyoutTable, ...]] = field(default_factory=list)

    def flies_together(self) -> bool:
        """Whether the samples are flown in few solves (small raids with the default
        ``prepare``: ``FLY_ROWS`` rows in all) rather than each where it is fought."""
        rows = sum(map(len, self.world.raid_samples))
        return self.prepare_with is prepare and len(self.todo) > 1 and rows <= FLY_ROWS

    def check_envelopes(self) -> None:
        """The interceptors' flyout tables, made and checked once before any sample is flown
        (forked workers inherit them)."""
        if self.flies_together() and not self.flyouts:
            flyouts = flyout_tables(self.world)
            raise_errors(envelope_problems(self.world, flyouts))
            self.flyouts.append(flyouts)

    def fly(self, geometries: Sequence[int]) -> None:
        """Fly the samples ``geometries`` together where the raid is small (each as flown
        alone: :func:`fly_geometries`); larger ones are flown where they are fought."""
        gs = [g for g in geometries if not (g == 0 and self.prepared is not None)]
        gs = [g for g in gs if g not in self.flown]
        if len(gs) < 2 or not self.flies_together():
            return
        t0 = time.perf_counter()
        flown = fly_geometries(self.world, gs)
        each = (time.perf_counter() - t0) / len(gs)
        self.flown.update({g: (t, each) for g, t in zip(gs, flown, strict=True)})

    def run_share(self, share: Sequence[int]) -> list[_Fought]:
        """Fly the samples ``share`` (together where small) and fight each (the serial loop)."""
        self.fly(share)
        return [self.run(g, None) for g in share]

    def run_claimed(
        self, share: Sequence[int], spare: Sequence[int], claims: _Claims
    ) -> list[tuple[int, _Fought]]:
        """A process's part of a parallel run: fly ``share`` (together where small), fight each
        of its samples not yet claimed by another process, then claim and fight what is left
        of ``spare`` (the other shares' samples, the last first), flying those alone."""
        self.fly(share)
        return [(g, self.run(g, None)) for g in [*share, *spare] if claims.take(g)]

    def prepared_for(self, g: int) -> Prepared:
        """Raid geometry ``g`` prepared (unless done). With the default ``prepare`` its sensing
        base is left unmade: :func:`_fight_geometry` streams it with the pictures."""
        wg = self.world.geometry(g)
        if g == 0 and self.prepared is not None:
            return self.prepared
        if self.prepare_with is not prepare:
            return self.prepare_with(wg)
        if g in self.flown:
            traj, flight_s = self.flown[g]
            flyouts = self.flyouts[0]
        else:
            traj, flyouts, flight_s = _fly(wg)
        return prepare_flown(wg, traj, flyouts, flight_s=flight_s, sensing=False)

    def run(self, g: int, progress: Callable[[str, int, int], None] | None) -> _Fought:
        """Prepare raid geometry ``g`` (unless done) and fight its blocks."""
        got = _fight_geometry(
            self.world.geometry(g), self.pols, self.doc, self.prepared_for(g), self.todo[g],
            self.n_trials, self.root_seed, self.tracking_mode, self.event_trials, progress,
            (g, self.world.n_geometries), keep=self.keep,
        )  # fmt: skip
        return got if g == self.first else got.slim()


class _Claims:
    """Which raid geometry samples of a parallel run a process has taken: one shared byte per
    sample (made before the fork, so the workers inherit it), set under its lock."""

    def __init__(self, ctx: multiprocessing.context.BaseContext, samples: Sequence[int]) -> None:
        self._taken = ctx.Array("b", len(samples))
        self._at = {g: k for k, g in enumerate(samples)}

    def take(self, g: int) -> bool:
        """Claim sample ``g``: whether this process got it (False: another one has it)."""
        with self._taken.get_lock():
            k = self._at[g]
            if self._taken[k]:
                return False
            self._taken[k] = 1
            return True


#: The job of the parallel run in progress and its claims (forked workers inherit them;
#: nothing is pickled on the way in).
_JOB: tuple[_Job, _Claims] | None = None


def _run_in_worker(share: list[int], spare: list[int]) -> list[tuple[int, _Fought]]:
    assert _JOB is not None
    job, claims = _JOB
    return job.run_claimed(share, spare, claims)


def _too_big(
    world: World, trials: int, policies: int, workers: int, full: bool, sensing_held: bool
) -> bool:
    est = estimate_resources(world, trials, policies=policies, workers=workers,
                             full_outcomes=full, sensing_held=sensing_held)  # fmt: skip
    return est.memory_bytes > available_memory_bytes()


def workers_for(world: World, trials: int) -> int:
    """Raid samples a whole run of ``trials`` trials on ``world`` holds at once by default (one
    per process, :func:`geometry_workers`): the resource guard's ``workers``."""
    n_blocks = -(-int(trials) // TRIAL_BLOCK)
    return geometry_workers(min(world.n_geometries, n_blocks))


def geometry_workers(n_geometries: int) -> int:
    """Processes a whole run spreads its raid geometry samples over by default: the CPUs this
    process may use (``SHIELDWALL_WORKERS`` overrides), one inside a daemon process (a study's
    pool worker), off the main thread (the viewer's job thread) or where ``fork`` is not
    available."""
    env = os.environ.get("SHIELDWALL_WORKERS", "").strip()
    if n_geometries <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        return 1
    if multiprocessing.current_process().daemon:
        return 1
    if threading.current_thread() is not threading.main_thread():
        return 1  # a server's job thread: forking a threaded process there is not safe
    if env:
        if not env.isdigit() or int(env) < 1:
            raise _fail("SHIELDWALL_WORKERS", f"must be a whole number >= 1, got {env!r}")
        return int(env)
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, n_geometries))


def geometry_shares(geometries: Sequence[int], first: int, n_workers: int) -> list[list[int]]:
    """The samples ``geometries`` dealt round-robin to ``n_workers`` processes, ``first`` (whose
    products the results show) in the first share: this process's. Each process flies its share
    and fights it first; a process that runs out takes what is left of the others'
    (:func:`spare_order`)."""
    order = [first, *(g for g in geometries if g != first)]
    return [order[k::n_workers] for k in range(min(n_workers, len(order)))]


def spare_order(shares: Sequence[Sequence[int]], mine: int, first: int) -> list[int]:
    """The other shares' samples in the order process ``mine`` takes them once its own are
    fought: each share's last first (its owner reaches those last), never ``first`` (its
    products stay in this process)."""
    others = [list(share) for k, share in enumerate(shares) if k != mine]
    depth = max((len(share) for share in others), default=0)
    return [
        share[-1 - d] for d in range(depth) for share in others
        if d < len(share) and share[-1 - d] != first
    ]  # fmt: skip


def _run_parallel(
    job: _Job, n_workers: int, progress: Callable[[str, int, int], None] | None
) -> list[_Fought]:
    """The job's geometries on ``n_workers`` processes: ``n_workers - 1`` forked workers and
    this one each fly a share (:func:`geometry_shares`) and fight it, then take the samples
    the others have not reached (:func:`spare_order`; samples differ in cost by half, so equal
    counts leave one CPU idle). This process keeps the first geometry, whose products stay here
    (nothing large is pickled back); results in geometry order. Each geometry is computed
    exactly as serially (a sample flown alone is the one flown with others): the same inputs,
    the same code, whichever process takes it."""
    global _JOB
    from concurrent.futures import ProcessPoolExecutor, as_completed
    from concurrent.futures.process import BrokenProcessPool

    job.check_envelopes()  # once, before forking: an error is raised here
    shares = geometry_shares(list(job.todo), job.first, n_workers)
    ctx = multiprocessing.get_context("fork")
    claims = _Claims(ctx, list(job.todo))
    _JOB = (job, claims)
    done: dict[int, _Fought] = {}
    n = len(job.todo)

    def report() -> None:
        if progress:
            progress(f"raid geometry samples {len(done)}/{n} ({len(shares)} processes)",
                     len(done), n)  # fmt: skip

    try:
        with ProcessPoolExecutor(max_workers=len(shares) - 1, mp_context=ctx) as ex:
            futures = [ex.submit(_run_in_worker, shares[k], spare_order(shares, k, job.first))
                       for k in range(1, len(shares))]  # fmt: skip
            done.update(job.run_claimed(shares[0], spare_order(shares, 0, job.first), claims))
            report()
            for fut in as_completed(futures):
                done.update(fut.result())
                report()
    except BrokenProcessPool as exc:  # a worker killed (the kernel's OOM killer, a signal)
        raise _fail(
            "workers",
            f"a worker process fighting raid geometry samples died ({len(shares)} processes; "
            "killed for memory?). Allowed: fewer processes (SHIELDWALL_WORKERS=1 fights the "
            "samples one at a time in this process) or fewer trials",
        ) from exc
    finally:
        _JOB = None
    return [done[g] for g in job.todo]


def _fight_geometry(
    world: World,
    pols: list[Policy],
    doc: Doctrine,
    prep: Prepared,
    blocks: list[int],
    n_trials: int,
    root_seed: int,
    tracking_mode: str,
    event_trials: int,
    progress: Callable[[str, int, int], None] | None,
    geometry: tuple[int, int],
    *,
    keep: int | None = None,
) -> _Fought:
    """Plan every policy on one raid geometry and fight its trial blocks (``keep``: the full
    outcomes kept, :func:`_kept_blocks`).

    A ``prep`` without its sensing base (covariance mode) gets every policy's picture in one
    pass over the threat chunks (:func:`shieldwall.tracking.chunks.pictures`: one chunk's
    sensing and tracking geometry held at a time, ~0.9 GB less at 1,000 threats)."""
    total = len(pols) + 2
    g, n_geo = geometry
    where = f" (raid sample {g + 1}/{n_geo})" if n_geo > 1 else ""
    timings = dict(prep.timings_s)
    if prep.sensing is None and tracking_mode == "covariance":
        made = pictures(world, prep.trajectories, pols)
        pics, picture_s = made.pictures, made.picture_s
        timings["sensing"] += made.sensing_s
    else:  # a base made by the caller, or the measurement mode (which uses none)
        pics, picture_s = {}, {}
        for pol in pols:
            t0 = time.perf_counter()
            # cueing and fusion depend on the policy; the rest was done once in prepare()
            pics[pol.name] = picture(
                world, prep.trajectories, pol, base=prep.sensing, mode=tracking_mode
            )
            picture_s[pol.name] = time.perf_counter() - t0
    stages: dict[str, _Stage] = {}
    for k, pol in enumerate(pols):
        fi = build_fight_inputs(
            world=world, trajectories=prep.trajectories, picture=pics[pol.name],
            reach=prep.reach, policy=pol, doctrine=doc,
        )  # fmt: skip
        stages[pol.name] = _Stage(pol, pics[pol.name], fi, picture_s[pol.name])
        if progress:
            progress(f"sensing and tracking: {pol.name}{where}", k + 1, total)
    t_plan = time.perf_counter()
    planned = plan_policies(
        {name: st.fight for name, st in stages.items()},
        {name: st.policy for name, st in stages.items()},
        prep.channel_groups(doc),
        solver=doc.planner.solver,
        objective=doc.planner.objective,
    )
    plan_s = time.perf_counter() - t_plan
    trajectories, targets = prep.trajectories, prep.targets
    del prep  # its reach (every reachable sample, ~0.3 GB at 10,000 threats) is not fought on
    if progress:
        progress(f"plans{where}", len(pols) + 1, total)
    fire_control = {name: FireControl(planned[name], st.picture) for name, st in stages.items()}
    # Every block of a policy is fought on the same fight inputs: blocks go to the engine in
    # groups (one lockstep over all their trials) as large as the draws' memory bound allows.
    group = fight_group_blocks(world, doc.max_rounds_per_threat)
    piece = fight_piece_trials(world)  # a large raid's blocks are fought in pieces
    parts: dict[str, dict[int, _Kept]] = {name: {} for name in stages}
    fight_s = dict.fromkeys(stages, 0.0)
    for j in range(0, len(blocks), group):
        ks = blocks[j : j + group]
        sizes = [min(TRIAL_BLOCK, n_trials - k * TRIAL_BLOCK) for k in ks]
        draws = BlockDraws.concatenate(
            [
                block_draws(
                    root_seed,
                    k,
                    n_trials=size,
                    n_threats=targets.n_threats,
                    n_nations=len(world.nations),
                    type_names=world.interceptors.name,
                    n_shots=doc.max_rounds_per_threat,
                )
                for k, size in zip(ks, sizes, strict=True)
            ]
        )
        # the run's first event_trials trials are logged: they are at the start of block 0
        logged = max(0, min(event_trials, sizes[0])) if ks[0] == 0 else 0
        edges = np.concatenate([[0], np.cumsum(sizes)])
        for name in stages:
            t0 = time.perf_counter()
            fi = planned[name]
            if piece < max(sizes):
                parts[name].update(
                    _fight_pieces(fi, fire_control[name], draws, ks, edges, piece, logged, keep)
                )
            else:
                trials_in = build_trial_inputs(fi, draws, fire_control[name].times(draws.fcq_u))
                got = fight(fi, trials_in, draws, event_trials=logged)
                parts[name].update(_kept_blocks(got, ks, edges, keep))
                # this policy's trial inputs and outcomes go before the next policy's are made
                # (~0.4 GB at 3,000 threats x 1,000 trials)
                del trials_in, got
            if j + group >= len(blocks):
                # its last group: its search tables go before the next policy's are made (the
                # first sample's fight inputs outlive its fight in the results: not their caches)
                forget(fi)
            fight_s[name] += time.perf_counter() - t0
        del draws  # before the next group's are drawn
        if progress:
            progress(
                f"trial blocks {min(j + group, len(blocks))}/{len(blocks)}{where}",
                len(pols) + 2,
                total,
            )
    return _Fought(
        trajectories=trajectories,
        targets=targets,
        planned=planned,
        pictures={name: st.picture for name, st in stages.items()},
        timings_s=timings,
        plan_objective={name: fi.plan_objective for name, fi in planned.items()},
        outcomes=parts,
        picture_s={name: st.picture_s for name, st in stages.items()},
        plan_s=plan_s,
        fight_s=fight_s,
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
    event_trials: int = EVENT_TRIALS,
    force: bool = False,
    full_outcomes: bool = True,
) -> Results:
    """Simulate one policy: windows, nominal plan and the fight of ``trials`` raids.

    Parameters as in :func:`simulate_policies` (one policy, planned without a warm start).
    """
    name = policy if isinstance(policy, str) else policy.name
    res = simulate_policies(
        world, [policy], trials, seed, solver, tracking_mode=tracking_mode, doctrine=doctrine,
        prepared=prepared, event_trials=event_trials, force=force, full_outcomes=full_outcomes,
    )  # fmt: skip
    return res[name]
