"""``phases``: every deployment phase side by side, and what each phase bought (docs/studies.md §8).

One case per phase (``compile_world(scenario, phase=k)``, labels ``phase``/``phase_index``),
every case under the same policies, on common random numbers. What phase ``k`` bought is the
paired difference of phase ``k`` and phase ``k − 1`` (``vs = "previous"``) and of phase ``k``
and the baseline phase (``vs = "baseline"``, the first phase by default), per policy, for the
whole raid and for each asset present in both phases (``d_p_survives``); each is one contrast of
the paired core (:func:`~shieldwall.studies.paired.contrast`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from shieldwall.errors import Problem
from shieldwall.pipeline import SimulationError
from shieldwall.scenario import Scenario, compile_world
from shieldwall.scenario.phases import phase_index
from shieldwall.studies.engine import METRICS, Case, StudyRun, run_study
from shieldwall.studies.paired import Estimate, contrast

if TYPE_CHECKING:
    import pandas as pd

    from shieldwall.studies.executor import Executor

__all__ = ["DEFAULT_POLICIES", "PhaseStudy", "analyse_phases", "phase_cases", "phases"]

#: Policies of a phases study by default.
DEFAULT_POLICIES = ("national", "integrated")


def _fail(msg: str, path: str) -> SimulationError:
    return SimulationError(msg, [Problem(message=msg, path=path)])


def phase_cases(
    scenario: Scenario, policies: Sequence[str] | None = None
) -> tuple[list[Case], list[str]]:
    """One case per deployment phase, each under ``policies``; and the phase names.

    Raises
    ------
    SimulationError
        A policy the scenario does not define (the message lists them); no policies.
    """
    names = list(scenario.phase_names)
    cases = []
    pols = tuple(DEFAULT_POLICIES if policies is None else policies)
    if not pols:
        raise _fail("give at least one policy", "policies")
    for k, name in enumerate(names):
        world = compile_world(scenario, phase=k)
        for p in pols:
            if p not in world.policies:
                valid = ", ".join(world.policies)
                raise _fail(f"unknown policy {p!r}; valid policies: {valid}", "policies")
        cases.append(Case(name=f"phase {name}", world=world, policies=pols,
                          labels={"phase": name, "phase_index": k}))  # fmt: skip
    return cases, names


@dataclass(frozen=True, kw_only=True, eq=False)
class PhaseStudy:
    """Every phase under every policy, and what each phase bought.

    Attributes
    ----------
    run
        The study run (one case per phase).
    phases
        Phase names, in order.
    baseline_phase : int
        The phase ``vs = "baseline"`` differences are taken from.
    table
        Tidy long table: the run's table (``vs`` empty) and the differences (``d_<metric>``,
        ``d_p_survives``; ``vs`` = ``previous`` or ``baseline``, ``baseline`` = that case).
    """

    run: StudyRun
    phases: tuple[str, ...]
    baseline_phase: int
    table: pd.DataFrame

    def bought(self, phase: int, policy: str, metric: str, vs: str = "previous") -> Estimate:
        """What phase ``phase`` bought under ``policy``: ``metric`` minus that of the previous
        (or baseline) phase, with its paired interval."""
        t = self.table
        sel = t[(t["phase_index"] == phase) & (t["policy"] == policy) & (t["vs"] == vs)
                & (t["metric"] == f"d_{metric}") & (t["asset"] == "all")]  # fmt: skip
        if sel.empty:
            raise _fail(f"no {vs} difference for phase {phase} / {policy} / {metric}", "phase")
        r = sel.iloc[0]
        return float(r["value"]), float(r["lo"]), float(r["hi"])

    def summary(self) -> dict[str, Any]:
        """JSON-ready: per phase and policy, the metrics and what the phase bought."""
        out: list[dict[str, Any]] = []
        for k, name in enumerate(self.phases):
            case = f"phase {name}"
            for pol in self.run.case(case).policies:
                row: dict[str, Any] = {"phase": name, "phase_index": k, "policy": pol}
                for m in METRICS:
                    row[m] = list(self.run.estimate(case, pol, m))
                    for vs in ("previous", "baseline"):
                        with contextlib.suppress(SimulationError):
                            row[f"d_{m}_vs_{vs}"] = list(self.bought(k, pol, m, vs))
                out.append(row)
        return {
            "phases": list(self.phases),
            "baseline_phase": self.phases[self.baseline_phase],
            "rows": out,
            "trials": self.run.trials,
            "seed": self.run.seed,
            "elapsed_s": self.run.elapsed_s,
            "executor": self.run.executor,
        }


def analyse_phases(run: StudyRun, names: Sequence[str], baseline_phase: int = 0) -> PhaseStudy:
    """The table of a finished phases study (see the module doc)."""
    import pandas as pd

    rows: list[dict[str, Any]] = []
    base = run.table()
    base["vs"] = None
    cases = [f"phase {n}" for n in names]
    for k, case in enumerate(cases):
        refs = []
        if k > 0:
            refs.append(("previous", k - 1))
        if k != baseline_phase:
            refs.append(("baseline", baseline_phase))
        c = run.case(case)
        for vs, j in refs:
            ref = cases[j]
            w_ref = run.case(ref).world
            for pol in c.policies:
                head = {"case": case, **dict(c.labels), "policy": pol, "baseline": ref, "vs": vs}
                for m in METRICS:
                    d = run.difference((case, pol), (ref, pol), m)
                    rows.append({**head, "asset": "all", "metric": f"d_{m}",
                                 "value": d[0], "lo": d[1], "hi": d[2]})  # fmt: skip
                now = run.asset_survives(case, pol)
                then = run.asset_survives(ref, pol)
                for a, aid in enumerate(c.world.assets.id):
                    if aid in w_ref.assets.id:
                        b = w_ref.assets.id.index(aid)
                        pair = run.common_clusters(case, ref)
                        d = contrast([(1.0, now[:, a]), (-1.0, then[:, b])], pair)
                        rows.append({**head, "asset": aid, "metric": "d_p_survives",
                                     "value": d[0], "lo": d[1], "hi": d[2]})  # fmt: skip
    table = pd.concat([base, pd.DataFrame(rows)], ignore_index=True)
    return PhaseStudy(run=run, phases=tuple(names), baseline_phase=baseline_phase, table=table)


def phases(
    scenario: Scenario,
    policies: Sequence[str] | None = None,
    trials: int | None = None,
    seed: int | None = None,
    *,
    baseline_phase: str | int = 0,
    executor: Executor | str = "serial",
    workers: int | None = None,
    progress: Callable[[int, int, str], None] | None = None,
) -> PhaseStudy:
    """Every deployment phase of ``scenario`` under ``policies`` (default national,
    integrated), and what each phase bought (paired differences, 95% intervals).

    Raises
    ------
    SimulationError
        Unknown policy. ScenarioError: unknown baseline phase (the message lists them).
    """
    cases, names = phase_cases(scenario, policies)
    k0 = phase_index(scenario, baseline_phase)
    w = cases[-1].world
    run = run_study(cases, w.trials if trials is None else trials,
                    w.seed if seed is None else seed, executor=executor, workers=workers,
                    progress=progress)  # fmt: skip
    return analyse_phases(run, names, k0)
