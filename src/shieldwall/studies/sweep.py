"""``sweep``: metrics as one or more override keys vary (docs/studies.md §6).

Each point of the sweep is one :class:`~shieldwall.studies.engine.Case`: the scenario with the
point's overrides (:mod:`shieldwall.studies.overrides`) applied before it is compiled, fought
on the common random numbers of the study, so neighbouring points differ by the key, not by
noise. Several keys make the full grid of their values, or a Latin hypercube of ``lhs`` points
(``scipy.stats.qmc``, seeded).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from shieldwall.errors import Problem
from shieldwall.scenario import Scenario, World
from shieldwall.scenario.doctrine import Doctrine
from shieldwall.studies.compare import DEFAULT_POLICIES
from shieldwall.studies.engine import Case, StudyRun, run_study
from shieldwall.studies.overrides import (
    OverrideError,
    check_override,
    key_bounds,
    overridden_world,
    parse_value,
)

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Sweep", "parse_range", "parse_set", "sweep", "sweep_cases", "sweep_points"]

#: Most points a sweep may have (a grid grows as the product of its keys' values).
MAX_POINTS = 10_000


def _fail(field: str, message: str) -> OverrideError:
    return OverrideError(f"bad {field}", [Problem(message=message, path=field)])


def parse_set(text: str) -> tuple[str, list[Any]]:
    """``KEY=a,b,c`` as ``(key, [values])``."""
    key, eq, rest = text.partition("=")
    values = [parse_value(v) for v in rest.split(",") if v.strip()]
    if not eq or not key.strip() or not values:
        raise _fail("--set", f"write KEY=a,b,c; got {text!r}")
    return key.strip(), values


def parse_range(text: str, *, points: bool = True) -> tuple[str, float, float, int]:
    """``KEY=lo:hi:n`` (``KEY=lo:hi`` when ``points`` is false) as ``(key, lo, hi, n)``."""
    key, eq, rest = text.partition("=")
    parts = rest.split(":")
    want = 3 if points else 2
    form = "KEY=lo:hi:n" if points else "KEY=lo:hi"
    try:
        if not eq or not key.strip() or len(parts) != want:
            raise ValueError
        lo, hi = float(parts[0]), float(parts[1])
        n = int(parts[2]) if points else 2
    except ValueError:
        raise _fail("--range" if points else "--inputs", f"write {form}; got {text!r}") from None
    if not (np.isfinite(lo) and np.isfinite(hi)) or lo > hi or n < 1:
        raise _fail(key.strip(), f"need lo <= hi and n >= 1; got {text!r}")
    return key.strip(), lo, hi, n


def _integer_key(key: str) -> bool:
    from shieldwall.scenario.doctrine import _BY_NAME

    setting = _BY_NAME.get(key.removeprefix("doctrine."))
    return key == "rounds_per_launcher" or (setting is not None and setting.type is int)


def _coerce(key: str, value: float) -> Any:
    return round(value) if _integer_key(key) else float(value)


def sweep_points(
    values: Mapping[str, Sequence[Any]],
    ranges: Mapping[str, tuple[float, float, int]],
    *,
    lhs: int | None = None,
    seed: int = 0,
) -> list[dict[str, Any]]:
    """The points of a sweep: the full grid of every key's values, or ``lhs`` Latin-hypercube
    points (range keys drawn in ``[lo, hi]``, listed keys picked from their values)."""
    keys = [*values, *ranges]
    if not keys:
        raise _fail("--set/--range", "give at least one key to sweep")
    if len(set(keys)) != len(keys):
        raise _fail("--set/--range", "a key is given twice")
    for key, (lo, hi, _) in ranges.items():
        klo, khi, _u = key_bounds(key)
        if lo < klo or hi > khi:
            raise _fail(key, f"range [{lo:g}, {hi:g}] leaves the allowed [{klo:g}, {khi:g}]")
    if lhs is not None:
        if not 1 <= lhs <= MAX_POINTS:
            raise _fail("--lhs", f"must be an integer in [1, {MAX_POINTS}], got {lhs}")
        from scipy.stats import qmc

        u = qmc.LatinHypercube(d=len(keys), seed=np.random.default_rng(seed)).random(lhs)
        pts = []
        for row in u:
            p: dict[str, Any] = {}
            for j, key in enumerate(keys):
                if key in values:
                    vs = list(values[key])
                    p[key] = vs[min(len(vs) - 1, int(row[j] * len(vs)))]
                else:
                    lo, hi, _ = ranges[key]
                    p[key] = _coerce(key, lo + row[j] * (hi - lo))
            pts.append(p)
        return pts
    axes: list[list[Any]] = [list(values[k]) for k in values]
    for key, (lo, hi, n) in ranges.items():
        grid = np.linspace(lo, hi, n)
        axes.append(list(dict.fromkeys(_coerce(key, float(x)) for x in grid)))
    total = int(np.prod([len(a) for a in axes]))
    if total > MAX_POINTS:
        raise _fail("--set/--range", f"the grid has {total:,} points; at most {MAX_POINTS:,}")
    return [dict(zip(keys, combo, strict=True)) for combo in itertools.product(*axes)]


def _fmt(v: Any) -> str:
    return f"{v:g}" if isinstance(v, float) else str(v)


def sweep_cases(
    scenario: Scenario,
    points: Sequence[Mapping[str, Any]],
    policies: Sequence[str],
    *,
    phase: str | int | None = None,
    doctrine: Doctrine | None = None,
    world: World | None = None,
) -> list[Case]:
    """One case per point (labels = the keys' values); every point checked before any is run
    (``world``: the compiled scenario, whose types a catalog key must name)."""
    checked = [[check_override(k, v, world) for k, v in p.items()] for p in points]
    cases = []
    seen: set[str] = set()
    for p, ovs in zip(points, checked, strict=True):
        name = ", ".join(f"{k}={_fmt(v)}" for k, v in p.items())
        if name in seen:  # an LHS over listed values can repeat a point
            continue
        seen.add(name)
        world, doc = overridden_world(scenario, ovs, phase=phase, doctrine=doctrine)
        cases.append(
            Case(name=name, world=world, policies=tuple(policies), labels=dict(p), doctrine=doc)
        )
    return cases


@dataclass(frozen=True, kw_only=True, eq=False)
class Sweep:
    """A sweep's study run and its table.

    Attributes
    ----------
    run
        The study run (per-trial metrics of every point and policy).
    keys
        The swept keys (the table's label columns).
    points
        The points, in case order.
    """

    run: StudyRun
    keys: tuple[str, ...]
    points: tuple[dict[str, Any], ...]

    @property
    def table(self) -> pd.DataFrame:
        """Tidy long table: case, <keys>, policy, baseline, asset, metric, value, lo, hi."""
        return self.run.table()

    def summary(self) -> dict[str, Any]:
        """JSON-ready: every point's headline metrics per policy, with 95% intervals."""
        t = self.table
        t = t[t["asset"] == "all"]
        rows = []
        for c in self.run.cases:
            for pol in c.policies:
                d = t[(t["case"] == c.name) & (t["policy"] == pol)]
                rows.append(
                    {
                        "case": c.name,
                        **{k: c.labels[k] for k in self.keys},
                        "policy": pol,
                        **{
                            m: [float(v), float(lo), float(hi)]
                            for m, v, lo, hi in zip(
                                d["metric"], d["value"], d["lo"], d["hi"], strict=True
                            )
                        },
                    }
                )
        return {
            "study": "sweep",
            "keys": list(self.keys),
            "trials": self.run.trials,
            "seed": self.run.seed,
            "points": rows,
        }


def sweep(
    scenario: Scenario,
    values: Mapping[str, Sequence[Any]] | None = None,
    ranges: Mapping[str, tuple[float, float, int]] | None = None,
    *,
    lhs: int | None = None,
    policies: Sequence[str] | None = None,
    trials: int | None = None,
    seed: int | None = None,
    phase: str | int | None = None,
    doctrine: Doctrine | None = None,
    executor: str = "serial",
    workers: int | None = None,
) -> Sweep:
    """Sweep override keys over a grid (or a Latin hypercube) on common random numbers.

    Parameters
    ----------
    scenario
        The loaded scenario (overrides are applied before compiling).
    values, ranges
        ``{key: [values]}`` and ``{key: (lo, hi, n)}``.
    lhs
        Latin-hypercube points instead of the full grid (seeded by ``seed``).
    policies
        Policies fought at every point (default: the four presets).

    Raises
    ------
    OverrideError
        Unknown key, value out of bounds, no key, too many points — before anything runs.
    """
    from shieldwall.scenario import compile_world

    values = dict(values or {})
    ranges = dict(ranges or {})
    base = compile_world(scenario, phase=phase)
    root = base.seed if seed is None else seed
    points = sweep_points(values, ranges, lhs=lhs, seed=root)
    pols = list(policies) if policies else list(DEFAULT_POLICIES)
    for p in pols:
        if p not in base.policies:
            raise _fail("--policies", f"unknown policy {p!r}; valid: {', '.join(base.policies)}")
    cases = sweep_cases(scenario, points, pols, phase=phase, doctrine=doctrine, world=base)
    n = base.trials if trials is None else trials
    run = run_study(cases, n, root, executor=executor, workers=workers)
    return Sweep(run=run, keys=(*values, *ranges), points=tuple(dict(c.labels) for c in cases))
