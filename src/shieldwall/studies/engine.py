"""The study engine: cases on common random numbers, mapped over trial blocks (docs/studies.md).

A study is a set of :class:`Case` — a variant of a World (units added, moved or removed, a
parameter overridden, a coalition kept, policy levers set) and the policies to fight on it. The
engine splits every case into *tasks* of consecutive trial blocks, runs them on an executor
(:mod:`shieldwall.studies.executor`: serial, a local process pool, or Dask) and keeps only slim
per-trial metrics (:class:`TrialMetrics`), never whole ``Results``.

Bit-identical however it is split: a block's draws depend only on ``(seed, block)``
(:mod:`shieldwall.outcome.draws`) and a task plans the policies of its case together, exactly
as the serial run does (``pipeline.simulate_policies(blocks=)``).

Stage products are reused between cases whose inputs they do not depend on
(:func:`prepared_for`): the raid is flown once per (raid, missiles, interceptors), the
policy-independent sensing and tracking made once per flown raid and sensor set, and what each
battery reaches once per flown raid and battery set — a case that moves a battery re-flies
nothing; a case that changes only a policy or the doctrine reuses all of it.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import pickle
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from shieldwall._types import F64, I32, I64, B
from shieldwall.arguments import check_count, check_seed
from shieldwall.battle import reach, threat_targets
from shieldwall.errors import Problem
from shieldwall.flight import flyout_tables
from shieldwall.flight.checks import envelope_problems, fly_checked, raise_errors
from shieldwall.metrics.costs import interceptor_cost_usd
from shieldwall.outcome import TRIAL_BLOCK, Tally
from shieldwall.outcome.draws import n_blocks
from shieldwall.pipeline import (
    TRACKING_MODES,
    Prepared,
    SimulationError,
    geometry_clusters,
    simulate_policies,
)
from shieldwall.scenario import World
from shieldwall.scenario.doctrine import Doctrine
from shieldwall.studies.paired import Estimate, contrast, mean_ci, proportion_ci
from shieldwall.tracking import prepare as prepare_sensing

if TYPE_CHECKING:
    import pandas as pd

    from shieldwall.studies.executor import Executor

__all__ = [
    "METRICS",
    "SERIES",
    "Case",
    "StudyRun",
    "Task",
    "TrialMetrics",
    "batch_tasks",
    "fingerprint",
    "prepared_for",
    "run_batch",
    "run_study",
    "run_task",
]

#: The metrics of a study's table, by name: (the per-trial series whose mean it is, meaning).
#: ``p_zero_leak`` is a proportion (Wilson interval); the others are means (normal interval).
METRICS: dict[str, tuple[str, str]] = {
    "p_zero_leak": ("zero_leak", "probability that no threat leaks in a raid"),
    "expected_leakers": ("leakers", "threats that leaked and hit an asset, per raid"),
    "interceptors_used": ("rounds", "interceptors fired, per raid"),
    "expected_value_lost": ("value_lost", "sum of the values of the assets hit, per raid"),
    "interceptor_cost_usd": (
        "interceptor_cost_usd",
        "cost of the interceptors fired, per raid (NaN where an unpriced one fired) [USD]",
    ),
}
#: Per-trial series (:meth:`TrialMetrics.series`).
SERIES = ("zero_leak", "leakers", "rounds", "value_lost", "interceptor_cost_usd")


def fingerprint(*parts: object) -> str:
    """A content hash of picklable parts (World tables, policies, doctrines)."""
    h = hashlib.sha256()
    for part in parts:
        h.update(pickle.dumps(part, protocol=5))
    return h.hexdigest()[:24]


@dataclass(frozen=True, kw_only=True, eq=False)
class Case:
    """One variant of a study.

    Attributes
    ----------
    name : str
        Unique within the study (``"phase 2017"``, ``"{KOR, JPN}"``, ``"latency_s=60"``).
    world
        The variant's compiled world (its ``policies`` include those named below).
    policies
        Policy names fought on this world, planned together (docs/battle.md §5).
    labels
        Extra columns of the study's table (``{"phase": "2017"}``, ``{"latency_s": 60.0}``).
    doctrine
        How the manager fights (``world.doctrine`` when ``None``).
    """

    name: str
    world: World
    policies: tuple[str, ...]
    labels: Mapping[str, Any] = field(default_factory=dict)
    doctrine: Doctrine | None = None

    @property
    def key(self) -> str:
        """Content hash of what decides the case's results (world, policies, doctrine)."""
        doc = self.doctrine or self.world.doctrine
        return fingerprint(_world_content(self.world), self.policies, doc)


def _world_content(world: World) -> tuple[object, ...]:
    # everything that can change a result; names and the scenario hash cannot
    return (
        world.nations, world.assets, world.missiles, world.interceptors, world.radars,
        world.satellites, world.batteries, world.raid, world.salvos, world.origin,
        world.raid_samples, sorted(world.policies.items()), world.seed,
    )  # fmt: skip


@dataclass(frozen=True, kw_only=True, eq=False)
class TrialMetrics:
    """Slim per-trial metrics of one (case, policy) over consecutive trials.

    Attributes
    ----------
    leakers, rounds : (n_trial,)
        Leakers and interceptors fired per raid. []
    value_lost : (n_trial,)
        Sum of the values of the assets hit per raid. []
    asset_hit : (n_trial, n_asset)
        Whether each asset was hit.
    expended : (n_trial, n_battery)
        Rounds each battery fired. []
    rounds_defending : (n_battery, n_nation + 1)
        Rounds each battery fired at threats aimed at each nation (last: at no asset), summed
        over the trials. []
    """

    leakers: I32
    rounds: I32
    value_lost: F64
    asset_hit: B
    expended: I32
    rounds_defending: F64

    @property
    def n_trials(self) -> int:
        """Number of trials."""
        return int(self.leakers.shape[0])

    @classmethod
    def from_tally(cls, tally: Tally) -> TrialMetrics:
        """The slim metrics of a run's tally (``Outcomes.tally()`` of full outcomes)."""
        return cls(
            leakers=tally.leakers.astype(np.int32),
            rounds=tally.rounds.astype(np.int32),
            value_lost=np.asarray(tally.value_lost, dtype=np.float64),
            asset_hit=np.asarray(tally.asset_hit, dtype=bool),
            expended=tally.expended.astype(np.int32),
            rounds_defending=tally.rounds_defending.astype(np.float64),
        )

    @classmethod
    def concatenate(cls, parts: Sequence[TrialMetrics]) -> TrialMetrics:
        """Metrics of consecutive trial ranges as one."""
        if len(parts) == 1:
            return parts[0]
        return cls(
            leakers=np.concatenate([p.leakers for p in parts]),
            rounds=np.concatenate([p.rounds for p in parts]),
            value_lost=np.concatenate([p.value_lost for p in parts]),
            asset_hit=np.concatenate([p.asset_hit for p in parts]),
            expended=np.concatenate([p.expended for p in parts]),
            rounds_defending=np.sum([p.rounds_defending for p in parts], axis=0),
        )

    def as_arrays(self) -> dict[str, np.ndarray]:
        """The fields by name (for a checkpoint file)."""
        return {name: getattr(self, name) for name in self.__dataclass_fields__}

    def series(self, metric: str, world: World) -> F64:
        """A per-trial series of :data:`SERIES` (or the series of a :data:`METRICS` name)."""
        metric = METRICS[metric][0] if metric in METRICS else metric
        if metric == "leakers":
            return self.leakers.astype(np.float64)
        if metric == "zero_leak":
            return np.asarray(self.leakers == 0, dtype=np.float64)
        if metric == "rounds":
            return self.rounds.astype(np.float64)
        if metric == "value_lost":
            return self.value_lost
        if metric == "interceptor_cost_usd":
            # an unpriced battery that fired makes the raid's cost unknown, not lower
            return interceptor_cost_usd(self.expended, world)
        valid = ", ".join([*METRICS, *SERIES])
        msg = f"unknown metric {metric!r}; valid: {valid}"
        raise SimulationError(msg, [Problem(message=msg, path="metric")])


# --------------------------------------------------------------------------------------------
# stage reuse


class _Lru(OrderedDict[str, Any]):
    """A small least-recently-used cache (stage products are large: keep a few)."""

    def __init__(self, size: int) -> None:
        super().__init__()
        self.size = size

    def get_or(self, key: str, make: Callable[[], Any]) -> Any:
        if key in self:
            self.move_to_end(key)
            return self[key]
        value = make()
        self[key] = value
        while len(self) > self.size:
            self.popitem(last=False)
        return value


_FLIGHT = _Lru(4)
_SENSING = _Lru(8)
_REACH = _Lru(16)


def prepared_for(world: World) -> Prepared:
    """``pipeline.prepare(world)``, reusing stage products of earlier worlds of this process
    whose inputs were the same (see the module doc); the same products as a fresh ``prepare``."""
    t0 = time.perf_counter()
    k_flight = flight_key(world)

    def fly() -> tuple[Any, Any]:
        trajectories = fly_checked(world)
        return trajectories, flyout_tables(world)

    trajectories, flyouts = _FLIGHT.get_or(k_flight, fly)
    raise_errors(envelope_problems(world, flyouts))
    t1 = time.perf_counter()
    k_sense = fingerprint(k_flight, world.radars, world.satellites, world.nations,
                          world.batteries, world.seed)  # fmt: skip
    sensing = _SENSING.get_or(k_sense, lambda: prepare_sensing(world, trajectories))
    t2 = time.perf_counter()
    k_reach = fingerprint(k_flight, world.batteries, world.radars, world.assets)

    def reach_and_targets() -> tuple[Any, Any]:
        return reach(world, trajectories, flyouts), threat_targets(world, trajectories)

    rch, targets = _REACH.get_or(k_reach, reach_and_targets)
    return Prepared(
        world=world,
        trajectories=trajectories,
        flyouts=flyouts,
        reach=rch,
        targets=targets,
        sensing=sensing,
        timings_s={"flight": t1 - t0, "sensing": t2 - t1, "reach": time.perf_counter() - t2},
    )


# --------------------------------------------------------------------------------------------
# tasks


@dataclass(frozen=True, kw_only=True, eq=False)
class Task:
    """Consecutive trial blocks of one case: what one worker runs."""

    index: int  # the case's position in the study
    case: Case
    trials: int
    seed: int
    blocks: range
    solver: str | None
    tracking_mode: str

    @property
    def key(self) -> str:
        """What decides the task's result (a checkpoint's file name)."""
        return fingerprint(self.case.key, self.trials, self.seed, self.blocks.start,
                           self.blocks.stop, self.solver, self.tracking_mode)  # fmt: skip


def run_task(task: Task) -> dict[str, TrialMetrics]:
    """Fight one task; slim metrics per policy (runs in a worker)."""
    case = task.case
    results = simulate_policies(
        case.world, list(case.policies), task.trials, task.seed, task.solver,
        tracking_mode=task.tracking_mode, doctrine=case.doctrine, prepare_with=prepared_for,
        event_trials=0, blocks=task.blocks, force=True, full_outcomes=False,
    )  # fmt: skip
    return {name: TrialMetrics.from_tally(res.tally) for name, res in results.items()}


def run_batch(tasks: Sequence[Task]) -> list[dict[str, TrialMetrics]]:
    """Fight tasks one after the other in one worker (they share its stage caches)."""
    return [run_task(t) for t in tasks]


def flight_key(world: World) -> str:
    """What decides a world's flown raid (the stage cache's key; its first raid sample)."""
    return fingerprint(world.raid, world.salvos, world.missiles, world.interceptors, world.origin)


def batch_tasks(tasks: Sequence[Task], workers: int) -> list[list[int]]:
    """Positions of ``tasks`` grouped into what one worker runs at a time.

    One worker per task with one worker; else tasks whose worlds fly the same raid go
    together (a worker then flies and senses it once, where tasks spread over workers would
    each fly it again), in batches of at most ``ceil(len(tasks) / workers)`` so every worker
    has a share.
    """
    if workers <= 1:
        return [[j] for j in range(len(tasks))]
    groups: dict[str, list[int]] = {}
    for j, t in enumerate(tasks):
        groups.setdefault(flight_key(t.case.world), []).append(j)
    size = max(1, -(-len(tasks) // workers))
    return [g[i : i + size] for g in groups.values() for i in range(0, len(g), size)]


def split_tasks(
    cases: Sequence[Case],
    trials: int,
    seed: int,
    *,
    workers: int,
    solver: str | None,
    tracking_mode: str,
) -> list[Task]:
    """Tasks of a study: one per case when there are enough cases to keep every worker busy,
    else each case's blocks split in as many parts as it takes (every part re-prepares its
    world in its worker, so splitting has a cost)."""
    blocks = n_blocks(trials)
    parts = max(1, min(blocks, -(-workers // max(len(cases), 1)))) if workers > 1 else 1
    tasks = []
    for i, case in enumerate(cases):
        edges = np.linspace(0, blocks, parts + 1).round().astype(int)
        for a, b in itertools.pairwise(edges):
            if b > a:
                tasks.append(
                    Task(
                        index=i,
                        case=case,
                        trials=trials,
                        seed=seed,
                        blocks=range(a, b),
                        solver=solver,
                        tracking_mode=tracking_mode,
                    )
                )
    return tasks


# --------------------------------------------------------------------------------------------
# the study


@dataclass(frozen=True, kw_only=True, eq=False)
class StudyRun:
    """The slim per-trial metrics of every (case, policy) of a study, on common random numbers.

    Attributes
    ----------
    cases
        The cases, in the order given.
    trials, seed : int
        Trials per case and the root seed (shared by every case).
    metrics
        ``{(case name, policy): TrialMetrics}``.
    elapsed_s : float
        Wall time. [s]
    executor : str
        Where it ran (``serial``, ``pool(2)``, ``dask(tcp://...)``).
    resumed : int
        Tasks read back from a checkpoint instead of being run.
    """

    cases: tuple[Case, ...]
    trials: int
    seed: int
    metrics: dict[tuple[str, str], TrialMetrics]
    elapsed_s: float
    executor: str
    resumed: int = 0

    def case(self, name: str) -> Case:
        """The case of a name."""
        for c in self.cases:
            if c.name == name:
                return c
        valid = ", ".join(c.name for c in self.cases)
        msg = f"unknown case {name!r}; cases: {valid}"
        raise SimulationError(msg, [Problem(message=msg, path="case")])

    def _get(self, case: str, policy: str) -> TrialMetrics:
        try:
            return self.metrics[(case, policy)]
        except KeyError:
            self.case(case)
            valid = ", ".join(self.case(case).policies)
            msg = f"case {case!r} has no policy {policy!r}; its policies: {valid}"
            raise SimulationError(msg, [Problem(message=msg, path="policy")]) from None

    def per_trial(self, case: str, policy: str, metric: str) -> F64:
        """One per-trial series (:data:`SERIES`, or a :data:`METRICS` name), ``(trials,)``."""
        return self._get(case, policy).series(metric, self.case(case).world)

    def clusters(self, case: str) -> I64 | None:
        """Each trial's raid geometry sample (``None`` with one geometry)."""
        return geometry_clusters(self.trials, 0, self.case(case).world.n_geometries)

    def common_clusters(self, *cases: str) -> I64 | None:
        """Each trial's cluster for a contrast across ``cases`` (their most raid geometry
        samples; ``None`` when every case has one geometry)."""
        n_geo = max(self.case(c).world.n_geometries for c in cases)
        return geometry_clusters(self.trials, 0, n_geo)

    def asset_survives(self, case: str, policy: str) -> B:
        """``(trials, n_asset)``: whether each asset of the case's world survived."""
        return ~self._get(case, policy).asset_hit

    def estimate(self, case: str, policy: str, metric: str) -> Estimate:
        """A metric of :data:`METRICS` (or a series' mean) with its 95% interval (Wilson for
        ``p_zero_leak``)."""
        x = self.per_trial(case, policy, metric)
        c = self.clusters(case)
        zero = metric in ("p_zero_leak", "zero_leak")
        return proportion_ci(x > 0.5, c) if zero else mean_ci(x, c)

    def difference(self, a: tuple[str, str], b: tuple[str, str], metric: str) -> Estimate:
        """``metric(a) − metric(b)`` trial by trial, with its paired interval."""
        terms = [(1.0, self.per_trial(*a, metric)), (-1.0, self.per_trial(*b, metric))]
        return contrast(terms, self.common_clusters(a[0], b[0]))

    def table(self, baseline: tuple[str, str] | None = None) -> pd.DataFrame:
        """The tidy long table: one row per (case, policy, asset, metric).

        Columns: ``case``, the cases' label columns, ``policy``, ``asset`` (``"all"`` for the
        whole raid), ``metric`` (:data:`METRICS`, and ``p_survives`` per asset), ``value``,
        ``lo``, ``hi`` (95% interval), ``baseline``. With a ``baseline`` (case, policy), rows
        ``d_<metric>`` hold paired differences from it (``baseline`` names it: ``case/policy``).
        """
        import pandas as pd

        rows: list[dict[str, Any]] = []
        base = self._get(*baseline) if baseline is not None else None
        named = "/".join(baseline) if baseline is not None else None
        for case in self.cases:
            world = case.world
            for pol in case.policies:
                head = {"case": case.name, **dict(case.labels), "policy": pol, "baseline": named}
                for metric in METRICS:
                    rows.append(
                        {
                            **head,
                            "asset": "all",
                            "metric": metric,
                            **_vlh(self.estimate(case.name, pol, metric)),
                        }
                    )
                    if base is not None and baseline is not None:
                        d = self.difference((case.name, pol), baseline, metric)
                        rows.append({**head, "asset": "all", "metric": f"d_{metric}", **_vlh(d)})
                survive = self.asset_survives(case.name, pol)
                for a, aid in enumerate(world.assets.id):
                    rows.append(
                        {
                            **head,
                            "asset": aid,
                            "metric": "p_survives",
                            **_vlh(proportion_ci(survive[:, a], self.clusters(case.name))),
                        }
                    )
                    if base is not None and baseline is not None:
                        b_world = self.case(baseline[0]).world
                        if aid in b_world.assets.id:
                            j = b_world.assets.id.index(aid)
                            pair = self.common_clusters(case.name, baseline[0])
                            terms = [(1.0, survive[:, a]), (-1.0, ~base.asset_hit[:, j])]
                            d = contrast(terms, pair)
                            rows.append({**head, "asset": aid, "metric": "d_p_survives", **_vlh(d)})
        return pd.DataFrame(rows)


def _vlh(e: Estimate) -> dict[str, float]:
    return {"value": e[0], "lo": e[1], "hi": e[2]}


def check_cases(cases: Iterable[Case]) -> tuple[Case, ...]:
    """The cases as a tuple; refuses duplicate names and policies a world does not have."""
    out = tuple(cases)
    if not out:
        msg = "a study needs at least one case"
        raise SimulationError(msg, [Problem(message=msg, path="cases")])
    seen: set[str] = set()
    for c in out:
        if c.name in seen:
            msg = f"two cases are named {c.name!r}; case names must be unique"
            raise SimulationError(msg, [Problem(message=msg, path="cases")])
        seen.add(c.name)
        if not c.policies:
            msg = f"case {c.name!r}: give at least one policy"
            raise SimulationError(msg, [Problem(message=msg, path="policies")])
        for p in c.policies:
            if p not in c.world.policies:
                valid = ", ".join(c.world.policies)
                msg = f"case {c.name!r}: unknown policy {p!r}; valid policies: {valid}"
                raise SimulationError(msg, [Problem(message=msg, path="policies")])
    return out


def run_study(
    cases: Iterable[Case],
    trials: int,
    seed: int,
    *,
    solver: str | None = None,
    tracking_mode: str = "covariance",
    executor: Executor | str = "serial",
    workers: int | None = None,
    checkpoint: Path | None = None,
    progress: Callable[[int, int, str], None] | None = None,
) -> StudyRun:
    """Run every case of a study on common random numbers.

    Parameters
    ----------
    cases
        The study's cases (unique names).
    trials, seed
        Trials per case and the root seed.
    solver, tracking_mode
        As in :func:`shieldwall.pipeline.simulate_policies`.
    executor
        ``"serial"``, ``"pool"`` (local processes), ``"dask"`` (a LocalCluster), a Dask
        scheduler address (``"tcp://host:port"``), or an :class:`~.executor.Executor`.
    workers
        Worker processes for ``pool`` and ``dask`` (default: the CPUs this process may use).
    checkpoint
        A folder where each finished task is saved; a rerun with the same folder reads back the
        tasks it finished (an interrupted study resumes) and runs the rest.
    progress
        Called as ``progress(done, total, what)`` after each task.

    Raises
    ------
    SimulationError
        No cases, duplicate names, unknown policy, bad trials/seed/tracking mode.
    """
    from shieldwall.studies.executor import make_executor

    t0 = time.perf_counter()
    cs = check_cases(cases)
    n = check_count(trials, "trials", error=SimulationError)
    root = check_seed(seed, error=SimulationError)
    if tracking_mode not in TRACKING_MODES:
        valid = ", ".join(TRACKING_MODES)
        msg = f"unknown tracking mode {tracking_mode!r}; valid: {valid}"
        raise SimulationError(msg, [Problem(message=msg, path="tracking_mode")])
    ex = make_executor(executor, workers)
    try:
        tasks = split_tasks(cs, n, root, workers=ex.workers, solver=solver,
                            tracking_mode=tracking_mode)  # fmt: skip
        store = _Checkpoint(checkpoint) if checkpoint is not None else None
        done: dict[int, dict[str, TrialMetrics]] = {}
        if store is not None:
            for j, task in enumerate(tasks):
                saved = store.load(task)
                if saved is not None:
                    done[j] = saved
        resumed = len(done)
        todo = [j for j in range(len(tasks)) if j not in done]
        if progress and resumed:
            progress(resumed, len(tasks), f"resumed {resumed} finished tasks")
        batches = batch_tasks([tasks[j] for j in todo], ex.workers)
        ids = [[todo[j] for j in b] for b in batches]
        work = [[tasks[j] for j in b] for b in ids]
        for b, results in ex.map(run_batch, work, list(range(len(work)))):
            for j, result in zip(ids[b], results, strict=True):
                done[j] = result
                if store is not None:
                    store.save(tasks[j], result)
            if progress:
                t = tasks[ids[b][-1]]
                what = f"{t.case.name} trials {t.blocks.start * TRIAL_BLOCK}.."
                progress(len(done), len(tasks), what)
    finally:
        ex.close()
    metrics: dict[tuple[str, str], TrialMetrics] = {}
    for i, case in enumerate(cs):
        parts = [done[j] for j, t in enumerate(tasks) if t.index == i]  # block order
        for pol in case.policies:
            metrics[(case.name, pol)] = TrialMetrics.concatenate([p[pol] for p in parts])
    return StudyRun(
        cases=cs, trials=n, seed=root, metrics=metrics, elapsed_s=time.perf_counter() - t0,
        executor=ex.describe(), resumed=resumed,
    )  # fmt: skip


class _Checkpoint:
    """Finished tasks as ``<task key>.npz`` files (written to a temp name, then renamed)."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)

    def _path(self, task: Task) -> Path:
        return self.folder / f"{task.key}.npz"

    def load(self, task: Task) -> dict[str, TrialMetrics] | None:
        path = self._path(task)
        if not path.is_file():
            return None
        try:
            with np.load(path) as z:
                out = {}
                for pol in task.case.policies:
                    fields = {f: z[f"{pol}/{f}"] for f in TrialMetrics.__dataclass_fields__}
                    out[pol] = TrialMetrics(**fields)
        except (OSError, ValueError, KeyError):  # torn or foreign file: run the task again
            return None
        return out

    def save(self, task: Task, result: dict[str, TrialMetrics]) -> None:
        arrays = {
            f"{pol}/{name}": value
            for pol, m in result.items()
            for name, value in m.as_arrays().items()
        }
        path = self._path(task)
        tmp = path.with_suffix(".tmp.npz")
        with open(tmp, "wb") as fh:
            np.savez(fh, **arrays)  # type: ignore[arg-type]
            fh.flush()
            os.fsync(fh.fileno())
        tmp.replace(path)
