"""``uncertainty``: two-level Monte Carlo over uncertain inputs, and a tornado (docs/studies.md §7).

Outer level: ``samples`` input points drawn by a seeded Latin hypercube, each input uniform in
its range (the catalog's ``range: [lo, hi]`` of a value, or a range the user gives for any
numeric override key). Inner level: ``trials`` raids per point. Every point is one case of the
study, on the common random numbers of the study.

Per policy and metric it reports the nominal value (the scenario as written), the mean over
inputs, the 5-95% spread of the per-sample means, and a variance decomposition: the variance of
the per-sample means minus the mean sampling variance of one mean (``s²/trials``;
cluster-robust when trials share raid geometry samples) is the part due to the inputs. Under
common random numbers the samples' noises are positively correlated, so this subtraction
over-corrects: the input share is a lower bound (clipped at 0).

The tornado moves each input to the low and the high end of its range with the others nominal;
the swing ``metric(high) − metric(low)`` has a paired interval (same random numbers), and the
inputs are ranked by the size of their swing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from shieldwall.errors import Problem
from shieldwall.metrics.intervals import Z95, _t95
from shieldwall.scenario import Scenario, World, compile_world
from shieldwall.scenario.catalog.keys import KEY_SPECS, Kind
from shieldwall.scenario.doctrine import Doctrine
from shieldwall.scenario.loader import default_catalog
from shieldwall.studies.compare import DEFAULT_POLICIES
from shieldwall.studies.engine import Case, StudyRun, run_study
from shieldwall.studies.overrides import OverrideError, check_override, key_bounds, overridden_world
from shieldwall.studies.paired import mean_ci

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "DEFAULT_CATALOG_KEYS",
    "HEADLINE",
    "Uncertainty",
    "catalog_inputs",
    "uncertainty",
    "uncertainty_cases",
]

#: Catalog keys whose ranges are the default inputs (those that decide who is killed).
DEFAULT_CATALOG_KEYS = ("pk_srbm", "pk_mrbm", "pk_irbm", "reliability")
#: The metrics reported.
HEADLINE = ("p_zero_leak", "expected_leakers")
NOMINAL = "nominal"


def _fail(field: str, message: str) -> OverrideError:
    return OverrideError(f"bad {field}", [Problem(message=message, path=field)])


def catalog_inputs(
    world: World, keys: Sequence[str] = DEFAULT_CATALOG_KEYS
) -> dict[str, tuple[float, float]]:
    """``{<kind>.<type>.<key>: (lo, hi)}``: the catalog ranges of ``keys`` for every catalog
    type the world uses (a type that is not in the catalog has no range and is left out)."""
    cat = default_catalog()
    names: dict[Kind, Sequence[str]] = {
        "interceptor": world.interceptors.name,
        "missile": world.missiles.name,
        "radar": list(dict.fromkeys(world.radars.type)),
        "satellite": list(dict.fromkeys(world.satellites.type)),
    }
    known = {k for specs in KEY_SPECS.values() for k in specs}
    for k in keys:
        if k not in known:
            raise _fail(
                "--catalog-keys", f"unknown catalog key {k!r}; keys: {', '.join(sorted(known))}"
            )
    out: dict[str, tuple[float, float]] = {}
    for kind, types in names.items():
        for t in types:
            try:
                entry = cat.get(kind, t)
            except KeyError:
                continue
            for k in keys:
                p = entry.params.get(k)
                if p is not None and p.range is not None and p.range[0] < p.range[1]:
                    out[f"{kind}.{t}.{k}"] = (float(p.range[0]), float(p.range[1]))
    return out


def _check_inputs(inputs: Mapping[str, tuple[float, float]], world: World) -> None:
    if not inputs:
        raise _fail("--inputs", "no uncertain inputs: give --inputs KEY=lo:hi or catalog keys")
    for key, (lo, hi) in inputs.items():
        klo, khi, _ = key_bounds(key)
        if not (klo <= lo <= hi <= khi):
            raise _fail(key, f"range [{lo:g}, {hi:g}] must lie in the allowed [{klo:g}, {khi:g}]")
        check_override(key, lo, world)
        check_override(key, hi, world)


def _coerce(key: str, value: float) -> Any:
    from shieldwall.studies.sweep import _integer_key

    return round(value) if _integer_key(key) else float(value)


def uncertainty_cases(
    scenario: Scenario,
    inputs: Mapping[str, tuple[float, float]],
    policies: Sequence[str],
    *,
    samples: int,
    seed: int,
    tornado: bool = True,
    phase: str | int | None = None,
    doctrine: Doctrine | None = None,
) -> list[Case]:
    """The nominal case, ``samples`` Latin-hypercube cases and (``tornado``) each input at its
    low and high end; every value checked before any case is run."""
    from scipy.stats import qmc

    world = compile_world(scenario, phase=phase)
    _check_inputs(inputs, world)
    if not 2 <= samples <= 100_000:
        raise _fail("--samples", f"must be an integer in [2, 100000], got {samples}")
    keys = list(inputs)
    u = qmc.LatinHypercube(d=len(keys), seed=np.random.default_rng(seed)).random(samples)
    pols = tuple(policies)

    def case(name: str, values: dict[str, Any], labels: dict[str, Any]) -> Case:
        ovs = [check_override(k, v, world) for k, v in values.items()]
        w, doc = overridden_world(scenario, ovs, phase=phase, doctrine=doctrine)
        return Case(name=name, world=w, policies=pols, labels=labels, doctrine=doc)

    cases = [case(NOMINAL, {}, {"sample": -1, "input": "", "end": ""})]
    for i, row in enumerate(u):
        values = {
            k: _coerce(k, lo + x * (hi - lo))
            for (k, (lo, hi)), x in zip(inputs.items(), row, strict=True)
        }
        cases.append(case(f"sample {i}", values, {"sample": i, "input": "", "end": ""}))
    if tornado:
        for k, (lo, hi) in inputs.items():
            for end, v in (("low", lo), ("high", hi)):
                labels = {"sample": -1, "input": k, "end": end}
                cases.append(case(f"{k}={end}", {k: _coerce(k, v)}, labels))
    return cases


@dataclass(frozen=True, kw_only=True, eq=False)
class Uncertainty:
    """A two-level Monte Carlo run and what it says.

    Attributes
    ----------
    run
        The study run: ``nominal``, ``sample <i>`` and the tornado's ``<key>=low|high`` cases.
    inputs
        ``{key: (lo, hi)}``, the uncertain inputs.
    samples : int
        Outer samples.
    """

    run: StudyRun
    inputs: dict[str, tuple[float, float]]
    samples: int

    def _samples(self) -> list[str]:
        return [c.name for c in self.run.cases if c.name.startswith("sample ")]

    def _mean_var(self, case: str, policy: str, metric: str) -> float:
        """Sampling variance of one case's mean, from the interval core (cluster-robust when
        the trials share raid geometry samples): ``(half width / critical value)²``."""
        clusters = self.run.clusters(case)
        _, lo, hi = mean_ci(self.run.per_trial(case, policy, metric), clusters)
        g = 1 if clusters is None else int(np.unique(clusters).size)
        q = _t95(g) if g >= 2 else Z95
        return float(((hi - lo) / (2.0 * q)) ** 2)

    def spread(self) -> list[dict[str, Any]]:
        """Per policy and metric: nominal, mean over inputs, 5-95% of the per-sample means,
        input and sampling standard deviations (see the module doc)."""
        rows = []
        names = self._samples()
        for pol in self.run.cases[0].policies:
            for m in HEADLINE:
                ests = [self.run.estimate(n, pol, m) for n in names]
                means = np.array([e[0] for e in ests])
                samp_var = np.array([self._mean_var(n, pol, m) for n in names])
                total = float(np.var(means, ddof=1))
                inputs_var = max(0.0, total - float(samp_var.mean()))
                nominal = self.run.estimate(NOMINAL, pol, m)
                rows.append(
                    {
                        "policy": pol,
                        "metric": m,
                        "nominal": list(nominal),
                        "mean_over_inputs": list(mean_ci(means)),
                        "p05": float(np.quantile(means, 0.05)),
                        "p95": float(np.quantile(means, 0.95)),
                        "var_total": total,
                        "var_sampling": float(samp_var.mean()),
                        "var_inputs_lower_bound": inputs_var,
                        "sd_inputs": float(np.sqrt(inputs_var)),
                        "sd_sampling": float(np.sqrt(samp_var.mean())),
                    }
                )
        return rows

    def tornado(self) -> list[dict[str, Any]]:
        """Per policy and metric, each input's swing ``metric(high) − metric(low)`` with its
        paired interval, largest first."""
        rows = []
        have = {c.name for c in self.run.cases}
        for pol in self.run.cases[0].policies:
            for m in HEADLINE:
                items: list[dict[str, Any]] = []
                for k in self.inputs:
                    lo_c, hi_c = f"{k}=low", f"{k}=high"
                    if lo_c not in have:
                        continue
                    d = self.run.difference((hi_c, pol), (lo_c, pol), m)
                    items.append(
                        {
                            "policy": pol, "metric": m, "input": k,
                            "low": self.run.estimate(lo_c, pol, m)[0],
                            "high": self.run.estimate(hi_c, pol, m)[0],
                            "swing": list(d),
                        }
                    )  # fmt: skip
                items.sort(key=lambda r: -abs(r["swing"][0]))
                for rank, r in enumerate(items, 1):
                    rows.append({**r, "rank": rank})
        return rows

    @property
    def table(self) -> pd.DataFrame:
        """Tidy long table: every case's rows (``sample``, ``input``, ``end`` label columns), then
        ``case="inputs"`` rows (metric ``<m>:mean_over_inputs|p05|p95|sd_inputs|sd_sampling``) and
        ``case="tornado"`` rows (metric ``<m>:swing``, ``input`` = the key)."""
        import pandas as pd

        t = self.run.table()
        t = t[t["asset"] == "all"]
        extra: list[dict[str, Any]] = []
        base = {"baseline": None, "asset": "all", "sample": -1, "end": ""}
        for r in self.spread():
            head = {**base, "case": "inputs", "input": "", "policy": r["policy"]}
            v, lo, hi = r["mean_over_inputs"]
            extra.append(
                {
                    **head,
                    "metric": f"{r['metric']}:mean_over_inputs",
                    "value": v,
                    "lo": lo,
                    "hi": hi,
                }
            )
            for stat in ("p05", "p95", "sd_inputs", "sd_sampling"):
                x = r[stat]
                extra.append(
                    {**head, "metric": f"{r['metric']}:{stat}", "value": x, "lo": x, "hi": x}
                )
        for r in self.tornado():
            v, lo, hi = r["swing"]
            head = {**base, "case": "tornado", "input": r["input"], "policy": r["policy"]}
            extra.append({**head, "metric": f"{r['metric']}:swing", "value": v, "lo": lo, "hi": hi})
        return pd.concat([t, pd.DataFrame(extra)], ignore_index=True)

    def summary(self) -> dict[str, Any]:
        """JSON-ready: inputs, the spread per policy and metric, the tornado."""
        return {
            "study": "uncertainty",
            "trials": self.run.trials,
            "seed": self.run.seed,
            "samples": self.samples,
            "inputs": {k: list(v) for k, v in self.inputs.items()},
            "spread": self.spread(),
            "tornado": self.tornado(),
        }


def uncertainty(
    scenario: Scenario,
    inputs: Mapping[str, tuple[float, float]] | None = None,
    *,
    catalog_keys: Sequence[str] = DEFAULT_CATALOG_KEYS,
    samples: int = 32,
    policies: Sequence[str] | None = None,
    trials: int | None = None,
    seed: int | None = None,
    tornado: bool = True,
    phase: str | int | None = None,
    doctrine: Doctrine | None = None,
    executor: str = "serial",
    workers: int | None = None,
) -> Uncertainty:
    """Two-level Monte Carlo over uncertain inputs (the user's ranges, else the catalog ranges
    of ``catalog_keys`` of every type the scenario uses), with a tornado.

    Raises
    ------
    OverrideError
        Unknown key, a range outside the key's bounds, no inputs, bad ``samples`` — before
        anything runs.
    """
    world = compile_world(scenario, phase=phase)
    ins = dict(inputs) if inputs else catalog_inputs(world, catalog_keys)
    pols = list(policies) if policies else list(DEFAULT_POLICIES)
    for p in pols:
        if p not in world.policies:
            raise _fail("--policies", f"unknown policy {p!r}; valid: {', '.join(world.policies)}")
    root = world.seed if seed is None else seed
    cases = uncertainty_cases(scenario, ins, pols, samples=samples, seed=root, tornado=tornado,
                              phase=phase, doctrine=doctrine)  # fmt: skip
    n = world.trials if trials is None else trials
    run = run_study(cases, n, root, executor=executor, workers=workers)
    return Uncertainty(run=run, inputs=ins, samples=samples)
