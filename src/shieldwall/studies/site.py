"""``site``: where k more units of a type most reduce expected value lost (docs/studies.md).

**Greedy on the simulation.** Step 1 fights the baseline world and the world with each candidate
added; the candidate with the largest paired gain ``metric(S) − metric(S + j)`` is kept; step
``s`` fights ``S + j`` for every remaining candidate against ``S`` (the previous step's winner).
Every case of every step is fought on the study's common random numbers, so each gain is one
paired contrast (:func:`~shieldwall.studies.paired.contrast`) with its 95% interval.

**Exact on the surrogate** (``exact=True``, :mod:`shieldwall.studies.surrogate`): the step-1
cases give every candidate's effect on every asset's hit probability; the MILP finds the best k
of the surrogate, whose pick is then fought too, and the greedy's gap to it is a paired
difference on the simulation (and a difference on the surrogate).

Candidates are sites (``lat, lon``) and, for a unit whose radar is a sector radar, a few
boresights per site (:func:`candidate_additions`).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from shieldwall.errors import Problem
from shieldwall.scenario import Scenario, World
from shieldwall.studies.additions import (
    Addition,
    AdditionError,
    CostTerm,
    add_units,
    addition_cost,
    load_yaml,
    unit_kind,
)
from shieldwall.studies.engine import Case, StudyRun, run_study
from shieldwall.studies.paired import Estimate, contrast
from shieldwall.studies.surrogate import Surrogate, greedy, solve

if TYPE_CHECKING:
    import pandas as pd

    from shieldwall.studies.executor import Executor

__all__ = [
    "METRICS",
    "Site",
    "SiteStudy",
    "bearing_deg",
    "candidate_additions",
    "grid_sites",
    "merge_runs",
    "parse_candidates",
    "set_name",
    "site",
    "site_table",
    "surrogate_of",
]

#: Metrics a site study minimises (the study engine's series), by name and alias.
METRICS = {
    "expected_value_lost": "expected_value_lost",
    "value_lost": "expected_value_lost",
    "expected_leakers": "expected_leakers",
    "leakers": "expected_leakers",
}
#: The most candidates (sites × boresights) one study fights.
MAX_CANDIDATES = 400
_KM_PER_DEG = 111.195  # mean Earth radius 6371.0 km × π/180


def _fail(path: str, message: str) -> AdditionError:
    return AdditionError(message, [Problem(message=message, path=path)])


@dataclass(frozen=True, kw_only=True)
class Site:
    """A candidate site: ``lat_deg, lon_deg, alt_m`` and the boresights to try there
    (empty: the defaults of :func:`candidate_additions`)."""

    id: str
    lat_deg: float
    lon_deg: float
    alt_m: float = 0.0
    boresights_deg: tuple[float, ...] = ()


def _floats(text: str, n: int, what: str) -> list[float]:
    parts = [p.strip() for p in text.split(",")]
    try:
        values = [float(p) for p in parts]
    except ValueError:
        values = []
    if len(values) != n or not all(math.isfinite(v) for v in values):
        raise _fail("candidates", f"{what} needs {n} comma-separated numbers, got {text!r}")
    return values


def _box(values: list[float], what: str) -> tuple[float, float, float, float]:
    s, w, n, e = values
    if not (-90 <= s < n <= 90) or not (-180 <= w < e <= 180):
        raise _fail(
            "candidates",
            f"{what}: S,W,N,E must satisfy -90 <= S < N <= 90 and -180 <= W < E <= 180",
        )
    return s, w, n, e


def grid_sites(s: float, w: float, n: float, e: float, step_km: float) -> list[Site]:
    """Points ``step_km`` apart in latitude and (at each row's latitude) in longitude, inside the
    box ``[s, n] × [w, e]`` [deg], named ``"<lat>N <lon>E"``."""
    out = []
    dlat = step_km / _KM_PER_DEG
    for lat in np.arange(s, n + 1e-9, dlat):
        dlon = step_km / (_KM_PER_DEG * max(math.cos(math.radians(lat)), 1e-3))
        for lon in np.arange(w, e + 1e-9, dlon):
            out.append(Site(id=f"{lat:.2f}N {lon:.2f}E", lat_deg=float(lat), lon_deg=float(lon)))
    return out


def parse_candidates(spec: str | Path) -> list[Site]:
    """Candidate sites from ``grid:S,W,N,E,step_km``, ``box:S,W,N,E[;S,W,N,E ...]`` (one
    candidate at each box's centre: a ship's patrol box) or a YAML file
    (``sites: [{id, lat_deg, lon_deg, alt_m?, boresight_az_deg? | boresights_deg?}]``).

    Raises
    ------
    AdditionError
        A malformed spec or file (the message says what is allowed).
    """
    text = str(spec)
    if text.startswith("grid:"):
        v = _floats(text[5:], 5, "grid:")
        s, w, n, e = _box(v[:4], "grid:")
        if not (1.0 <= v[4] <= 1000.0):
            raise _fail("candidates", f"grid: step_km must be in [1, 1000], got {v[4]}")
        return grid_sites(s, w, n, e, v[4])
    if text.startswith("box:"):
        out = []
        for k, part in enumerate(text[4:].split(";")):
            s, w, n, e = _box(_floats(part, 4, "box:"), "box:")
            out.append(Site(id=f"box {k + 1}", lat_deg=(s + n) / 2, lon_deg=(w + e) / 2))
        return out
    return _sites_file(Path(text))


def _sites_file(path: Path) -> list[Site]:
    if not path.is_file():
        raise _fail(
            "candidates",
            f"no such file {str(path)!r}; give a sites YAML file, grid:S,W,N,E,step_km or "
            "box:S,W,N,E",
        )
    doc = load_yaml(path, "candidates")
    items = doc.get("sites") if isinstance(doc, dict) else None
    if not isinstance(items, list) or not items:
        raise _fail("sites", f"{path}: needs a non-empty list `sites:`")
    allowed = {"id", "lat_deg", "lon_deg", "alt_m", "boresight_az_deg", "boresights_deg", "note"}
    out = []
    for k, item in enumerate(items):
        where = f"sites[{k}]"
        if not isinstance(item, dict):
            raise _fail(where, f"{path}: {where} must be a mapping")
        extra = sorted(set(item) - allowed)
        if extra:
            raise _fail(
                f"{where}.{extra[0]}",
                f"{path}: {where}: unknown key {extra[0]!r}; allowed: {', '.join(sorted(allowed))}",
            )
        try:
            lat, lon = float(item["lat_deg"]), float(item["lon_deg"])
            alt = float(item.get("alt_m", 0.0))
            bs = item.get(
                "boresights_deg", [item["boresight_az_deg"]] if "boresight_az_deg" in item else []
            )
            bores = tuple(float(b) for b in bs)
        except (KeyError, TypeError, ValueError):
            raise _fail(
                where,
                f"{path}: {where} needs numbers lat_deg and lon_deg "
                "(alt_m, boresight_az_deg or boresights_deg optional)",
            ) from None
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise _fail(where, f"{path}: {where}: lat_deg in [-90, 90], lon_deg in [-180, 180]")
        out.append(
            Site(
                id=str(item.get("id", f"site {k + 1}")),
                lat_deg=lat,
                lon_deg=lon,
                alt_m=alt,
                boresights_deg=bores,
            )
        )
    return out


def bearing_deg(lat0: float, lon0: float, lat1: float, lon1: float) -> float:
    """Initial great-circle bearing from point 0 to point 1, from north. [deg]"""
    p0, p1, dl = math.radians(lat0), math.radians(lat1), math.radians(lon1 - lon0)
    y = math.sin(dl) * math.cos(p1)
    x = math.cos(p0) * math.sin(p1) - math.sin(p0) * math.cos(p1) * math.cos(dl)
    return math.degrees(math.atan2(y, x)) % 360.0


def candidate_additions(
    scenario: Scenario,
    unit_type: str,
    nation: str,
    sites: Sequence[Site],
    *,
    phase: str | int | None = None,
    boresights: Sequence[float] | None = None,
    **loadout: Any,
) -> list[Addition]:
    """One addition per site and (for a sector radar) boresight.

    The radar of the unit (a stand-alone radar, or a battery's organic radar) decides: with a
    full circle (``half_az = 180°``) one candidate per site; else the site's own boresights,
    else ``boresights``, else three: the bearing from the site to the raid's mean launch point
    and ±half the radar's half-width around it (rounded to 5°).

    Raises
    ------
    AdditionError
        Unknown type or nation, no template battery, too many candidates.
    """
    kind = unit_kind(unit_type, scenario)
    probe = Addition(
        id="_probe",
        kind=kind,
        type=unit_type,
        nation=nation,
        lat_deg=sites[0].lat_deg if sites else 0.0,
        lon_deg=sites[0].lon_deg if sites else 0.0,
        **loadout,
    )
    world = add_units(scenario, [probe], phase)
    r = (
        world.radars.id.index("_probe")
        if kind == "radar"
        else int(world.batteries.radar_idx[world.batteries.id.index("_probe")])
    )
    half = math.degrees(float(world.radars.half_az_rad[r]))
    sector = half < 179.999
    lat_l = float(np.degrees(world.raid.launch_lat_rad).mean())
    lon_l = float(np.degrees(world.raid.launch_lon_rad).mean())
    out: list[Addition] = []
    for s in sites:
        if not sector:
            bores: Sequence[float] = (0.0,)
        elif s.boresights_deg:
            bores = s.boresights_deg
        elif boresights:
            bores = boresights
        else:
            b0 = bearing_deg(s.lat_deg, s.lon_deg, lat_l, lon_l)
            bores = sorted({(5 * round((b0 + d) / 5)) % 360 for d in (-half / 2, 0, half / 2)})
        for b in bores:
            name = f"{s.id} @{b:g}°" if sector else s.id
            out.append(
                probe.at(
                    lat_deg=s.lat_deg,
                    lon_deg=s.lon_deg,
                    boresight_az_deg=float(b),
                    id=_unit_id(name),
                )
            )
            out[-1] = _with_alt(out[-1], s.alt_m)
    if len(out) > MAX_CANDIDATES:
        raise _fail(
            "candidates",
            f"{len(out)} candidates (sites × boresights); at most "
            f"{MAX_CANDIDATES}: use a coarser grid or a smaller region",
        )
    if not out:
        raise _fail("candidates", "no candidate sites")
    ids = [a.id for a in out]
    if len(set(ids)) != len(ids):
        raise _fail("candidates", "candidate ids must be unique")
    return out


def _with_alt(a: Addition, alt_m: float) -> Addition:
    return dataclasses.replace(a, alt_m=alt_m)


def _unit_id(name: str) -> str:
    """A unit id from a candidate's name (ids are words: letters, digits, ``_ . -``)."""
    out = "".join(c if c.isalnum() or c in "_.-" else "_" for c in name.replace("°", "deg"))
    return "new_" + out.strip("_")


# --------------------------------------------------------------------------------------------
# studies


def merge_runs(runs: Sequence[StudyRun]) -> StudyRun:
    """Study runs of the same trials and seed as one (their cases share the random numbers)."""
    first = runs[0]
    cases: list[Case] = []
    metrics = {}
    for r in runs:
        if (r.trials, r.seed) != (first.trials, first.seed):
            raise ValueError("runs of different trials or seeds do not share random numbers")
        cases += [c for c in r.cases if c.name not in {x.name for x in cases}]
        metrics.update(r.metrics)
    return StudyRun(
        cases=tuple(cases),
        trials=first.trials,
        seed=first.seed,
        metrics=metrics,
        elapsed_s=sum(r.elapsed_s for r in runs),
        executor=first.executor,
        resumed=sum(r.resumed for r in runs),
    )


def set_name(ids: Sequence[str]) -> str:
    """A case's name for a set of added units (order-free)."""
    return "baseline" if not ids else "+ " + " + ".join(sorted(ids))


def surrogate_of(run: StudyRun, base: str, items: Sequence[str], policy: str) -> Surrogate:
    """The surrogate (:mod:`~shieldwall.studies.surrogate`) of single-item cases of a run."""
    world = run.case(base).world
    q0 = 1.0 - run.asset_survives(base, policy).mean(axis=0)
    qj = np.array([1.0 - run.asset_survives(c, policy).mean(axis=0) for c in items])
    return Surrogate.from_hits(world.assets.value, q0, qj.reshape(len(items), q0.size))


@dataclass(frozen=True, kw_only=True, eq=False)
class SiteStudy:
    """What a site study chose, step by step, and how sure it is.

    Attributes
    ----------
    run
        Every case fought (all steps, and the exact pick), on common random numbers.
    candidates
        The candidate additions (sites × boresights).
    costs
        Each candidate's cost and its terms (:func:`~shieldwall.studies.additions.addition_cost`).
    chosen
        Candidate ids, in the greedy's order.
    steps
        Per step: ``{candidate id: gain estimate}`` (``metric(S) − metric(S + j)``, paired).
    policy, metric : str
    exact
        With ``exact=True``: the MILP's pick, the surrogate's values and the gaps (else empty).
    table
        Tidy long table (see :meth:`SiteStudy.summary` for the JSON).
    """

    run: StudyRun
    candidates: tuple[Addition, ...]
    costs: dict[str, tuple[float, tuple[CostTerm, ...]]]
    chosen: tuple[str, ...]
    steps: tuple[dict[str, Estimate], ...]
    policy: str
    metric: str
    exact: dict[str, Any] = field(default_factory=dict)
    table: Any = None

    def candidate(self, cid: str) -> Addition:
        """The candidate of an id."""
        return next(c for c in self.candidates if c.id == cid)

    def total(self) -> Estimate:
        """``metric(baseline) − metric(baseline + chosen)``: what the k units remove, paired."""
        return _gain(self.run, "baseline", set_name(self.chosen), self.policy, self.metric)

    def summary(self) -> dict[str, Any]:
        """JSON-ready: the steps (each candidate's gain), the choice, its cost, the exact pick."""
        steps = []
        sofar: list[str] = []
        for s, gains in enumerate(self.steps):
            pick = self.chosen[s]
            rows = []
            for cid, g in sorted(gains.items(), key=lambda kv: -kv[1][0]):
                a = self.candidate(cid)
                rows.append(
                    {
                        "candidate": cid,
                        "lat_deg": a.lat_deg,
                        "lon_deg": a.lon_deg,
                        "boresight_az_deg": a.boresight_az_deg,
                        "gain": list(g),
                        "cost_usd": _num(self.costs[cid][0]),
                    }
                )
            sofar.append(pick)
            steps.append(
                {
                    "step": s + 1,
                    "chosen": pick,
                    "gain": list(gains[pick]),
                    "cost_usd": _num(self.costs[pick][0]),
                    "cost_terms": [
                        {
                            "what": t.what,
                            "count": t.count,
                            "unit_usd": _num(t.unit_usd),
                            "source": t.source,
                        }
                        for t in self.costs[pick][1]
                    ],
                    "metric_after": list(
                        self.run.estimate(set_name(sofar), self.policy, self.metric)
                    ),
                    "candidates": rows,
                }
            )
        total_cost = sum(self.costs[c][0] for c in self.chosen)
        return {
            "policy": self.policy,
            "metric": self.metric,
            "k": len(self.chosen),
            "chosen": list(self.chosen),
            "cost_usd": _num(total_cost),
            "baseline": list(self.run.estimate("baseline", self.policy, self.metric)),
            "after": list(self.run.estimate(set_name(self.chosen), self.policy, self.metric)),
            "gain": list(self.total()),
            "steps": steps,
            "exact": self.exact,
            "trials": self.run.trials,
            "seed": self.run.seed,
            "elapsed_s": self.run.elapsed_s,
            "executor": self.run.executor,
        }


def _num(x: float) -> float | None:
    return float(x) if math.isfinite(x) else None


def _gain(run: StudyRun, before: str, after: str, policy: str, metric: str) -> Estimate:
    """``metric(before) − metric(after)``, paired (positive: ``after`` loses less)."""
    terms = [
        (1.0, run.per_trial(before, policy, metric)),
        (-1.0, run.per_trial(after, policy, metric)),
    ]
    return contrast(terms, run.common_clusters(before, after))


def site(
    scenario: Scenario,
    unit_type: str,
    nation: str,
    candidates: Sequence[Site] | str | Path,
    k: int = 1,
    *,
    policy: str = "integrated",
    metric: str = "expected_value_lost",
    exact: bool = False,
    phase: str | int | None = None,
    boresights: Sequence[float] | None = None,
    trials: int | None = None,
    seed: int | None = None,
    executor: Executor | str = "serial",
    workers: int | None = None,
    checkpoint: Path | None = None,
    progress: Callable[[int, int, str], None] | None = None,
    **loadout: Any,
) -> SiteStudy:
    """Choose ``k`` candidate sites for new units of ``unit_type`` (an interceptor: a battery
    or ship; a radar type: a radar) of ``nation`` that most reduce ``metric`` under ``policy``
    (module doc). ``loadout``: ``launchers``, ``per_launcher``, ``fire_channels``,
    ``radar_type``, ``platform`` of a new battery (default: the template's).

    Raises
    ------
    AdditionError
        Unknown type, nation, metric; bad candidates; k out of range.
    SimulationError
        Unknown policy. SurrogateError: an exact problem too large.
    """
    m = METRICS.get(metric)
    if m is None:
        raise _fail("metric", f"unknown metric {metric!r}; valid: {', '.join(METRICS)}")
    if exact and m != "expected_value_lost":
        raise _fail(
            "exact",
            "--exact works on expected value lost (the surrogate is built "
            "from per-asset hits); use --metric expected_value_lost",
        )
    sites = parse_candidates(candidates) if isinstance(candidates, str | Path) else candidates
    cands = candidate_additions(
        scenario, unit_type, nation, sites, phase=phase, boresights=boresights, **loadout
    )
    if not (isinstance(k, int) and 1 <= k <= len(cands)):
        raise _fail("k", f"k must be an integer in [1, {len(cands)}] (the candidates), got {k!r}")
    base_world = add_units(scenario, [], phase)
    if policy not in base_world.policies:
        valid = ", ".join(base_world.policies)
        raise _fail("policy", f"unknown policy {policy!r}; valid policies: {valid}")
    n = base_world.trials if trials is None else trials
    root = base_world.seed if seed is None else seed
    by_id = {c.id: c for c in cands}
    worlds: dict[str, World] = {}
    costs = {}
    for c in cands:
        w = add_units(scenario, [c], phase)
        worlds[c.id] = w
        costs[c.id] = addition_cost(c, w)

    def case(ids: Sequence[str], labels: dict[str, Any]) -> Case:
        world = (
            worlds[ids[0]]
            if len(ids) == 1
            else (base_world if not ids else add_units(scenario, [by_id[i] for i in ids], phase))
        )
        return Case(name=set_name(ids), world=world, policies=(policy,), labels=labels)

    def fight(cases: Sequence[Case]) -> StudyRun:
        return run_study(
            cases,
            n,
            root,
            executor=executor,
            workers=workers,
            checkpoint=checkpoint,
            progress=progress,
        )

    def labels(step: int, cid: str) -> dict[str, Any]:
        a = by_id[cid]
        return {
            "step": step,
            "candidate": cid,
            "lat_deg": a.lat_deg,
            "lon_deg": a.lon_deg,
            "boresight_az_deg": a.boresight_az_deg,
            "cost_usd": costs[cid][0],
        }

    runs: list[StudyRun] = []
    chosen: list[str] = []
    steps: list[dict[str, Estimate]] = []
    base_labels = {
        "step": 0,
        "candidate": "",
        "lat_deg": math.nan,
        "lon_deg": math.nan,
        "boresight_az_deg": math.nan,
        "cost_usd": 0.0,
    }
    for s in range(1, k + 1):
        rest = [c.id for c in cands if c.id not in chosen]
        cases = [case([*chosen, cid], labels(s, cid)) for cid in rest]
        if s == 1:
            cases.insert(0, case([], base_labels))
        runs.append(fight(cases))
        run = merge_runs(runs)
        before = set_name(chosen)
        gains = {cid: _gain(run, before, set_name([*chosen, cid]), policy, m) for cid in rest}
        steps.append(gains)
        chosen.append(max(rest, key=lambda cid: (gains[cid][0], -rest.index(cid))))
    run = merge_runs(runs)
    info: dict[str, Any] = {}
    if exact:
        sur = surrogate_of(run, "baseline", [set_name([c.id]) for c in cands], policy)
        pick_idx, sur_loss = solve(sur, k=k)
        pick = [cands[j].id for j in pick_idx]
        if set_name(pick) not in {c.name for c in run.cases}:
            runs.append(fight([case(pick, {**base_labels, "step": -1, "candidate": "exact"})]))
            run = merge_runs(runs)
        idx = {c.id: j for j, c in enumerate(cands)}
        g_idx = [idx[c] for c in chosen]
        sg = greedy(sur, k)
        f0 = sur.loss([])
        best_red = f0 - sur_loss
        info = {
            "chosen": pick,
            "surrogate_loss": sur_loss,
            "surrogate_loss_greedy": sur.loss(g_idx),
            "surrogate_loss_baseline": f0,
            "surrogate_greedy_chosen": [cands[j].id for j in sg],
            "surrogate_greedy_ratio": ((f0 - sur.loss(sg)) / best_red) if best_red > 0 else 1.0,
            "greedy_bound": 1.0 - 1.0 / math.e,
            "simulated": list(run.estimate(set_name(pick), policy, m)),
            "gap": list(_gain(run, set_name(chosen), set_name(pick), policy, m)),
        }
    study = SiteStudy(
        run=run,
        candidates=tuple(cands),
        costs=costs,
        chosen=tuple(chosen),
        steps=tuple(steps),
        policy=policy,
        metric=m,
        exact=info,
    )
    return dataclasses.replace(study, table=site_table(study))


def site_table(study: SiteStudy) -> pd.DataFrame:
    """The tidy table: the run's rows (every case; ``d_`` from the baseline) and per step the
    gain of each candidate (``metric = gain_<metric>``, ``baseline`` = the step's ``S``)."""
    import pandas as pd

    run = study.run
    t = run.table(baseline=("baseline", study.policy))
    rows = []
    chosen: list[str] = []
    for s, gains in enumerate(study.steps):
        before = set_name(chosen)
        for cid, g in gains.items():
            a = study.candidate(cid)
            rows.append(
                {
                    "case": set_name([*chosen, cid]),
                    "step": s + 1,
                    "candidate": cid,
                    "lat_deg": a.lat_deg,
                    "lon_deg": a.lon_deg,
                    "boresight_az_deg": a.boresight_az_deg,
                    "cost_usd": study.costs[cid][0],
                    "policy": study.policy,
                    "baseline": before,
                    "asset": "all",
                    "metric": f"gain_{study.metric}",
                    "value": g[0],
                    "lo": g[1],
                    "hi": g[2],
                    "chosen": cid == study.chosen[s],
                }
            )
        chosen.append(study.chosen[s])
    if study.exact:
        e = study.exact
        head = {
            "case": set_name(e["chosen"]),
            "step": -1,
            "candidate": "exact",
            "policy": study.policy,
            "asset": "all",
        }
        rows.append(
            {
                **head,
                "baseline": set_name(study.chosen),
                "metric": f"gap_{study.metric}",
                "value": e["gap"][0],
                "lo": e["gap"][1],
                "hi": e["gap"][2],
            }
        )
        for what, v in (
            ("surrogate_exact", e["surrogate_loss"]),
            ("surrogate_greedy", e["surrogate_loss_greedy"]),
        ):
            rows.append(
                {
                    **head,
                    "baseline": "",
                    "metric": f"{what}_{study.metric}",
                    "value": v,
                    "lo": math.nan,
                    "hi": math.nan,
                }
            )
    return pd.concat([t, pd.DataFrame(rows)], ignore_index=True)
