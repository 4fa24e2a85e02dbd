"""``design``: what each nation buys within its budget to minimise expected value lost
(docs/studies.md).

A **menu** lists additions (:class:`~shieldwall.studies.additions.Addition`: a catalog type at a
site, or more rounds for a deployed battery), each priced from the catalog
(:func:`~shieldwall.studies.additions.addition_cost`). Study 1 fights the baseline and each item
alone on common random numbers; that gives the surrogate (:mod:`shieldwall.studies.surrogate`)
on which the MILP chooses, for each budget level (fractions of the budgets):

- ``coordinated``: each nation pays for its own items within its own budget; one objective,
  the expected value lost of every nation's assets;
- ``pooled`` (``pooled=True``): one budget, the sum, for any item;
- ``alone``: each nation, within its own budget and among its own items, minimises the value
  lost of its own assets only (as if the others bought nothing); the design is the union.

Study 2 fights every distinct pick, so every design's expected value lost is simulated (not the
surrogate's) and "each buys alone" against "buy together" is a paired difference.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Mapping, Sequence
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
from shieldwall.studies.site import bearing_deg, merge_runs, set_name, surrogate_of
from shieldwall.studies.surrogate import Budget, solve

if TYPE_CHECKING:
    import pandas as pd

    from shieldwall.studies.executor import Executor

__all__ = ["DEFAULT_LEVELS", "Design", "DesignStudy", "design", "parse_budgets", "read_menu"]

#: Budget levels (fractions of every budget) of the Pareto front by default.
DEFAULT_LEVELS = (0.25, 0.5, 0.75, 1.0)
#: The most menu items one design study fights.
MAX_ITEMS = 40
_METRIC = "expected_value_lost"


def _fail(path: str, message: str) -> AdditionError:
    return AdditionError(message, [Problem(message=message, path=path)])


def parse_budgets(values: Sequence[str], nations: Sequence[str]) -> dict[str, float]:
    """``NATION=AMOUNT`` budgets in USD (``2.5e9``, ``2500M``, ``2.5B``).

    Raises
    ------
    AdditionError
        A malformed pair, an unknown or repeated nation, a negative amount.
    """
    out: dict[str, float] = {}
    for v in values:
        name, sep, amount = v.partition("=")
        name = name.strip()
        if not sep or not name:
            raise _fail(
                "budget", f"--budget wants NATION=AMOUNT (USD; 2.5e9, 2500M or 2.5B), got {v!r}"
            )
        if name not in nations:
            raise _fail(
                "budget", f"--budget: unknown nation {name!r}; nations: {', '.join(nations)}"
            )
        if name in out:
            raise _fail("budget", f"--budget: nation {name} given twice")
        text = amount.strip().upper()
        scale = {"M": 1e6, "B": 1e9}.get(text[-1:], 1.0)
        try:
            usd = float(text[:-1] if scale != 1.0 else text) * scale
        except ValueError:
            usd = math.nan
        if not (math.isfinite(usd) and usd >= 0):
            raise _fail(
                "budget",
                f"--budget {name}: amount must be a number >= 0 (USD; "
                f"2.5e9, 2500M or 2.5B), got {amount!r}",
            )
        out[name] = usd
    if not out:
        raise _fail("budget", "give at least one --budget NATION=AMOUNT")
    return out


_ITEM_KEYS = {
    "id",
    "add",
    "type",
    "nation",
    "lat_deg",
    "lon_deg",
    "alt_m",
    "boresight_az_deg",
    "launchers",
    "per_launcher",
    "fire_channels",
    "radar_type",
    "platform",
    "battery",
    "rounds_per_launcher",
    "at",
    "note",
}


def read_menu(
    path: str | Path, scenario: Scenario, phase: str | int | None = None
) -> list[Addition]:
    """The additions of a menu file.

    ``items:`` each ``{id, add: battery|radar|rounds, ...}``: a battery ``type`` (interceptor)
    or radar ``type`` with ``nation``, ``lat_deg``, ``lon_deg`` (or ``at: [site ids]`` of the
    file's ``sites:`` list, one item per site, named ``<id>@<site>``), optional
    ``boresight_az_deg`` (default: toward the raid's mean launch point) and loadout keys;
    ``rounds``: ``battery`` (a deployed battery id) and ``rounds_per_launcher``.

    Raises
    ------
    AdditionError
        A malformed file or item (the message names the item and what is allowed).
    """
    p = Path(path)
    doc = load_yaml(p, "menu")
    items = doc.get("items") if isinstance(doc, dict) else None
    if not isinstance(items, list) or not items:
        raise _fail("items", f"{p}: a menu needs a non-empty list `items:`")
    sites = {str(s.get("id")): s for s in (doc.get("sites") or []) if isinstance(s, dict)}
    base = add_units(scenario, [], phase)
    lat_l = float(np.degrees(base.raid.launch_lat_rad).mean())
    lon_l = float(np.degrees(base.raid.launch_lon_rad).mean())
    out: list[Addition] = []
    for k, item in enumerate(items):
        where = f"items[{k}]"
        if not isinstance(item, dict) or "id" not in item or "add" not in item:
            raise _fail(where, f"{p}: {where} must be a mapping with id and add")
        extra = sorted(set(item) - _ITEM_KEYS)
        if extra:
            raise _fail(
                f"{where}.{extra[0]}",
                f"{p}: {where}: unknown key {extra[0]!r}; allowed: {', '.join(sorted(_ITEM_KEYS))}",
            )
        kind = str(item["add"])
        iid = str(item["id"])
        try:
            if kind == "rounds":
                battery = str(item["battery"])
                if battery not in base.batteries.id:
                    raise _fail(
                        f"{where}.battery",
                        f"{p}: {where}: unknown battery "
                        f"{battery!r}; deployed: {', '.join(base.batteries.id)}",
                    )
                nation = base.nations.id[
                    int(base.batteries.nation_idx[base.batteries.id.index(battery)])
                ]
                out.append(
                    Addition(
                        id=iid,
                        kind="rounds",
                        type=battery,
                        nation=nation,
                        rounds_per_launcher=int(item["rounds_per_launcher"]),
                    )
                )
                continue
            if kind not in ("battery", "radar"):
                raise _fail(
                    f"{where}.add",
                    f"{p}: {where}: add must be battery, radar or rounds, got {kind!r}",
                )
            if unit_kind(str(item["type"]), scenario) != kind:
                raise _fail(
                    f"{where}.type",
                    f"{p}: {where}: {item['type']!r} is not a {kind} "
                    "type (an interceptor for a battery, a radar type for a radar)",
                )
            if "at" in item:
                places = []
                for sid in item["at"]:
                    if str(sid) not in sites:
                        raise _fail(
                            f"{where}.at",
                            f"{p}: {where}: unknown site {sid!r}; "
                            f"sites: {', '.join(sites) or '(none)'}",
                        )
                    s = sites[str(sid)]
                    places.append(
                        (
                            f"{iid}@{sid}",
                            float(s["lat_deg"]),
                            float(s["lon_deg"]),
                            float(s.get("alt_m", 0.0)),
                        )
                    )
            else:
                places = [
                    (
                        iid,
                        float(item["lat_deg"]),
                        float(item["lon_deg"]),
                        float(item.get("alt_m", 0.0)),
                    )
                ]
            loadout = {
                key: item[key]
                for key in ("launchers", "per_launcher", "fire_channels", "radar_type", "platform")
                if key in item
            }
            for name, lat, lon, alt in places:
                bore = float(item.get("boresight_az_deg", bearing_deg(lat, lon, lat_l, lon_l)))
                out.append(
                    Addition(
                        id=name,
                        kind=kind,
                        type=str(item["type"]),
                        nation=str(item.get("nation", "")),
                        lat_deg=lat,
                        lon_deg=lon,
                        alt_m=alt,
                        boresight_az_deg=round(bore),
                        **loadout,
                    )
                )
        except (KeyError, TypeError, ValueError) as exc:
            if isinstance(exc, AdditionError):
                raise
            raise _fail(
                where,
                f"{p}: {where}: missing or bad value ({exc}); a battery or "
                "radar needs type, nation, lat_deg, lon_deg (or at); rounds needs "
                "battery and rounds_per_launcher",
            ) from None
    ids = [a.id for a in out]
    dup = sorted({i for i in ids if ids.count(i) > 1})
    if dup:
        raise _fail("items", f"{p}: item ids must be unique; repeated: {', '.join(dup)}")
    if len(out) > MAX_ITEMS:
        raise _fail("items", f"{p}: {len(out)} items; at most {MAX_ITEMS}")
    return out


@dataclass(frozen=True, kw_only=True)
class Design:
    """One design: a mode at a budget level and what it buys."""

    mode: str  # coordinated, pooled, alone
    level: float
    items: tuple[str, ...]
    spent_usd: float
    spent_by_nation: dict[str, float]
    surrogate: float

    @property
    def name(self) -> str:
        """``<mode> <level>``."""
        return f"{self.mode} {self.level:g}"


@dataclass(frozen=True, kw_only=True, eq=False)
class DesignStudy:
    """Every design, its simulated expected value lost, the front, alone vs together.

    Attributes
    ----------
    run
        Study 1 (baseline, each item) and study 2 (each distinct pick), merged.
    items, costs
        The menu and each item's cost (with its terms and sources).
    budgets
        Each nation's budget. [USD]
    designs
        Every (mode, level) design.
    policy : str
    table
        Tidy long table.
    """

    run: StudyRun
    items: tuple[Addition, ...]
    costs: dict[str, tuple[float, tuple[CostTerm, ...]]]
    budgets: dict[str, float]
    designs: tuple[Design, ...]
    policy: str
    pooled: bool
    table: Any = None
    comparisons: dict[str, Estimate] = field(default_factory=dict)

    def estimate(self, d: Design) -> Estimate:
        """A design's simulated expected value lost (95% interval)."""
        return self.run.estimate(set_name(d.items), self.policy, _METRIC)

    def main(self, level: float = 1.0) -> Design:
        """The design the command reports: pooled with ``pooled``, else coordinated."""
        mode = "pooled" if self.pooled else "coordinated"
        return next(d for d in self.designs if d.mode == mode and d.level == level)

    def pareto(self) -> list[Design]:
        """The designs no other one beats on both spent and simulated value lost."""
        pts = [(d.spent_usd, self.estimate(d)[0]) for d in self.designs]
        return [
            d
            for d, (c, v) in zip(self.designs, pts, strict=True)
            if not any((c2 <= c and v2 < v) or (c2 < c and v2 <= v) for c2, v2 in pts)
        ]

    def summary(self) -> dict[str, Any]:
        """JSON-ready: budgets, the menu with costs, every design, the front, comparisons."""
        front = {d.name for d in self.pareto()}
        return {
            "policy": self.policy,
            "metric": _METRIC,
            "budgets_usd": self.budgets,
            "pooled": self.pooled,
            "baseline": list(self.run.estimate("baseline", self.policy, _METRIC)),
            "items": [
                {
                    "id": a.id,
                    "kind": a.kind,
                    "type": a.type,
                    "nation": a.nation,
                    "lat_deg": _num(a.lat_deg),
                    "lon_deg": _num(a.lon_deg),
                    "cost_usd": _num(self.costs[a.id][0]),
                    "gain_alone": list(_gain(self.run, "baseline", set_name([a.id]), self.policy)),
                    "cost_terms": [
                        {
                            "what": t.what,
                            "count": t.count,
                            "unit_usd": _num(t.unit_usd),
                            "source": t.source,
                        }
                        for t in self.costs[a.id][1]
                    ],
                }
                for a in self.items
            ],
            "designs": [
                {
                    "design": d.name,
                    "mode": d.mode,
                    "level": d.level,
                    "items": list(d.items),
                    "spent_usd": d.spent_usd,
                    "spent_by_nation": d.spent_by_nation,
                    "surrogate": d.surrogate,
                    "simulated": list(self.estimate(d)),
                    "pareto": d.name in front,
                }
                for d in self.designs
            ],
            "comparisons": {k: list(v) for k, v in self.comparisons.items()},
            "trials": self.run.trials,
            "seed": self.run.seed,
            "elapsed_s": self.run.elapsed_s,
            "executor": self.run.executor,
        }


def _num(x: float) -> float | None:
    return float(x) if math.isfinite(x) else None


def _gain(run: StudyRun, before: str, after: str, policy: str) -> Estimate:
    terms = [
        (1.0, run.per_trial(before, policy, _METRIC)),
        (-1.0, run.per_trial(after, policy, _METRIC)),
    ]
    return contrast(terms, run.common_clusters(before, after))


def design(
    scenario: Scenario,
    menu: Sequence[Addition] | str | Path,
    budgets: Mapping[str, float],
    *,
    pooled: bool = False,
    levels: Sequence[float] = DEFAULT_LEVELS,
    policy: str = "integrated",
    phase: str | int | None = None,
    trials: int | None = None,
    seed: int | None = None,
    executor: Executor | str = "serial",
    workers: int | None = None,
    checkpoint: Path | None = None,
    progress: Callable[[int, int, str], None] | None = None,
) -> DesignStudy:
    """Budget-constrained force design (module doc).

    Raises
    ------
    AdditionError
        A bad menu, budget or level; an unpriced item (it cannot be budgeted).
    SimulationError
        Unknown policy. SurrogateError: an exact problem too large.
    """
    items = read_menu(menu, scenario, phase) if isinstance(menu, str | Path) else list(menu)
    base = add_units(scenario, [], phase)
    nations = list(base.nations.id)
    for nat in budgets:
        if nat not in nations:
            raise _fail("budget", f"unknown nation {nat!r}; nations: {', '.join(nations)}")
    lv = sorted({float(x) for x in levels})
    if not lv or any(not (0 < x <= 1) for x in lv):
        raise _fail("levels", f"budget levels must be fractions in (0, 1], got {list(levels)}")
    if 1.0 not in lv:
        lv.append(1.0)
    if policy not in base.policies:
        raise _fail(
            "policy", f"unknown policy {policy!r}; valid policies: {', '.join(base.policies)}"
        )
    worlds: dict[str, World] = {}
    costs = {}
    for a in items:
        worlds[a.id] = add_units(scenario, [a], phase)
        costs[a.id] = addition_cost(a, worlds[a.id])
        if not math.isfinite(costs[a.id][0]):
            raise _fail(
                f"items.{a.id}",
                f"menu item {a.id!r} is unpriced (a catalog cost is "
                "missing): it cannot be budgeted; price it inline or drop it",
            )
    by_id = {a.id: a for a in items}
    n = base.trials if trials is None else trials
    root = base.seed if seed is None else seed

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

    def case(ids: Sequence[str], labels: dict[str, Any]) -> Case:
        world = (
            base
            if not ids
            else worlds[ids[0]]
            if len(ids) == 1
            else add_units(scenario, [by_id[i] for i in ids], phase)
        )
        return Case(name=set_name(ids), world=world, policies=(policy,), labels=labels)

    first = fight([case([], {"item": ""}), *(case([a.id], {"item": a.id}) for a in items)])
    sur = surrogate_of(first, "baseline", [set_name([a.id]) for a in items], policy)
    cost = np.array([costs[a.id][0] for a in items])
    owner = np.array([a.nation for a in items])
    asset_nation = np.array([base.nations.id[int(i)] for i in base.assets.nation_idx])
    designs: list[Design] = []

    def make(mode: str, level: float, idx: Sequence[int]) -> Design:
        chosen = tuple(items[j].id for j in sorted(idx))
        by_n = {nn: float(cost[[j for j in idx if owner[j] == nn]].sum()) for nn in nations}
        return Design(
            mode=mode,
            level=level,
            items=chosen,
            spent_usd=float(cost[list(idx)].sum()),
            spent_by_nation=by_n,
            surrogate=sur.loss(list(idx)),
        )

    for f in lv:
        own = [Budget(name=nn, items=owner == nn, amount=f * b) for nn, b in budgets.items()]
        allowed = np.isin(owner, list(budgets))
        idx, _ = solve(sur, cost=cost, budgets=own, allowed=allowed)
        designs.append(make("coordinated", f, idx))
        if pooled:
            pool = [
                Budget(
                    name="pooled", items=np.ones(len(items), bool), amount=f * sum(budgets.values())
                )
            ]
            idx, _ = solve(sur, cost=cost, budgets=pool)
            designs.append(make("pooled", f, idx))
        alone: list[int] = []
        for nn, b in budgets.items():
            mine = owner == nn
            got, _ = solve(
                sur,
                cost=cost,
                budgets=[Budget(name=nn, items=mine, amount=f * b)],
                allowed=mine,
                assets=asset_nation == nn,
            )
            alone += got
        designs.append(make("alone", f, alone))
    fought = {c.name for c in first.cases}
    todo: dict[str, Case] = {}
    for d in designs:
        nm = set_name(d.items)
        if nm not in fought and nm not in todo:
            todo[nm] = case(d.items, {"item": "+".join(d.items)})
    run = merge_runs([first, fight(list(todo.values()))]) if todo else first
    study = DesignStudy(
        run=run,
        items=tuple(items),
        costs=costs,
        budgets=dict(budgets),
        designs=tuple(designs),
        policy=policy,
        pooled=pooled,
    )
    comp: dict[str, Estimate] = {}
    full = {d.mode: set_name(d.items) for d in designs if d.level == 1.0}
    pairs = [("alone_minus_coordinated", "alone", "coordinated")]
    if pooled:
        pairs += [
            ("alone_minus_pooled", "alone", "pooled"),
            ("coordinated_minus_pooled", "coordinated", "pooled"),
        ]
    for key, one, other in pairs:
        comp[key] = _gain(run, full[one], full[other], policy)  # metric(one) − metric(other)
    study = dataclasses.replace(study, comparisons=comp)
    return dataclasses.replace(study, table=design_table(study))


def design_table(study: DesignStudy) -> pd.DataFrame:
    """The tidy table: the run's rows (``d_`` from the baseline), one ``design_<metric>`` row
    per design (labels ``design, mode, level, items, spent_usd``, ``pareto``), and the
    comparisons (``metric = <a>_minus_<b>``, paired)."""
    import pandas as pd

    t = study.run.table(baseline=("baseline", study.policy))
    front = {d.name for d in study.pareto()}
    rows = []
    for d in study.designs:
        v = study.estimate(d)
        rows.append(
            {
                "case": set_name(d.items),
                "design": d.name,
                "mode": d.mode,
                "level": d.level,
                "items": " + ".join(d.items),
                "spent_usd": d.spent_usd,
                "policy": study.policy,
                "baseline": "",
                "asset": "all",
                "metric": f"design_{_METRIC}",
                "value": v[0],
                "lo": v[1],
                "hi": v[2],
                "pareto": d.name in front,
                "surrogate": d.surrogate,
            }
        )
    for key, e in study.comparisons.items():
        rows.append(
            {
                "case": key,
                "design": key,
                "policy": study.policy,
                "baseline": "",
                "asset": "all",
                "metric": f"{key}_{_METRIC}",
                "value": e[0],
                "lo": e[1],
                "hi": e[2],
            }
        )
    return pd.concat([t, pd.DataFrame(rows)], ignore_index=True)
