"""``attribute``: Shapley values of players — nations, policy levers, data links — with intervals
(docs/studies.md §9).

A *game* gives every coalition ``S`` of players a variant fought on common random numbers:

- ``nations``: the world keeping only the units (radars, satellites, batteries) of ``S``'s
  nations (:func:`~shieldwall.studies.variants.keep_nations`), fought under one policy; every
  nation's assets count. The empty coalition has no defence at all.
- ``levers``: one world, the policy with ``S``'s levers (share, latency, defends, ifc) at the
  target policy's setting and the others at the baseline policy's
  (:func:`~shieldwall.studies.variants.lever_policy`); every coalition is a policy of one case.
- ``links``: the target policy with the data links of ``S``'s nation pairs kept and the other
  pairs' links at the baseline policy's setting (defends and ifc stay the target's).

The value of a coalition is the metric's change from the empty coalition,
``v(S) = metric(S) − metric(∅)`` (so for ``expected_leakers`` a negative value is leakers
removed). A player's Shapley value ``φᵢ = Σ_S wᵢ(S) metric(S)`` is a fixed linear combination
of the coalitions' per-trial series: per trial it is a series too, and its interval comes from
the paired core (:func:`~shieldwall.studies.paired.contrast`). Per trial the values sum to
``metric(grand) − metric(∅)`` (efficiency), exactly up to rounding.

Up to :data:`EXACT_MAX` players every one of the ``2ⁿ`` coalitions is fought (exact Shapley);
beyond, ``permutations`` random orders of the players (seeded) are averaged — the coalitions
fought are the orders' prefixes, and efficiency still holds per trial.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from shieldwall._types import F64
from shieldwall.errors import Problem
from shieldwall.pipeline import SimulationError
from shieldwall.scenario import World
from shieldwall.studies.engine import METRICS, Case, StudyRun, run_study
from shieldwall.studies.paired import Estimate, contrast, mean_ci
from shieldwall.studies.variants import (
    differing_levers,
    keep_nations,
    lever_policy,
    link_policy,
    links,
)

if TYPE_CHECKING:
    import pandas as pd

    from shieldwall.studies.executor import Executor

__all__ = [
    "EXACT_MAX",
    "GAMES",
    "Attribution",
    "Game",
    "analyse_attribution",
    "attribute",
    "game",
    "shapley_weights",
]

#: Player kinds.
GAMES = ("nations", "levers", "links")
#: Most players for which every coalition is fought (exact Shapley values).
EXACT_MAX = 10


def _fail(msg: str, path: str) -> SimulationError:
    return SimulationError(msg, [Problem(message=msg, path=path)])


def shapley_weights(
    n: int, permutations: int | None = None, seed: int = 0
) -> tuple[list[frozenset[int]], F64]:
    """Coalitions and weights ``W`` with ``φᵢ = Σ_c W[i, c] v(coalition c)``.

    Exact (every coalition; ``W[i, S∪{i}] += w``, ``W[i, S] −= w``, ``w = |S|!(n−|S|−1)!/n!``)
    when ``permutations`` is ``None``; else the average over ``permutations`` random orders
    (``numpy.random.default_rng(seed)``) of each player's marginal contribution at its place.
    Every row of ``W`` sums to 0, and ``Σᵢ W[i, :]`` is +1 at the grand coalition, −1 at the
    empty one and 0 elsewhere.
    """
    everyone = frozenset(range(n))
    if permutations is None:
        coalitions = [
            frozenset(c) for k in range(n + 1) for c in itertools.combinations(range(n), k)
        ]
        col = {c: j for j, c in enumerate(coalitions)}
        w = np.zeros((n, len(coalitions)))
        for c in coalitions:
            if len(c) == n:
                continue
            weight = math.factorial(len(c)) * math.factorial(n - len(c) - 1) / math.factorial(n)
            for i in everyone - c:
                w[i, col[c | {i}]] += weight
                w[i, col[c]] -= weight
        return coalitions, w
    rng = np.random.default_rng(seed)
    orders = [rng.permutation(n) for _ in range(permutations)]
    seen: dict[frozenset[int], int] = {}
    for order in orders:
        for k in range(n + 1):
            seen.setdefault(frozenset(int(p) for p in order[:k]), len(seen))
    coalitions = list(seen)
    w = np.zeros((n, len(coalitions)))
    for order in orders:
        prefix: frozenset[int] = frozenset()
        for p in order:
            nxt = prefix | {int(p)}
            w[int(p), seen[nxt]] += 1.0 / permutations
            w[int(p), seen[prefix]] -= 1.0 / permutations
            prefix = nxt
    return coalitions, w


@dataclass(frozen=True, kw_only=True, eq=False)
class Game:
    """The cases of an attribution study and how its coalitions map onto them.

    Attributes
    ----------
    kind : str
        One of :data:`GAMES`.
    players
        Player names (nation ids, lever names, ``"KOR-JPN"`` pairs).
    coalitions
        Coalitions (sets of player indices), in the columns' order of ``weights``.
    weights : (n_player, n_coalition)
        Shapley weights (:func:`shapley_weights`).
    runs
        ``(case name, policy)`` fighting each coalition.
    cases
        The study's cases.
    policy, baseline_policy : str
        The target policy (nations: the one fought) and the baseline (levers, links).
    method : str
        ``"exact"`` or ``"sampled (P permutations)"``.
    """

    kind: str
    players: tuple[str, ...]
    coalitions: tuple[frozenset[int], ...]
    weights: F64
    runs: tuple[tuple[str, str], ...]
    cases: tuple[Case, ...]
    policy: str
    baseline_policy: str
    method: str

    def name(self, coalition: frozenset[int]) -> str:
        """A coalition as text: ``{KOR, USA}``."""
        return "{" + ", ".join(self.players[i] for i in sorted(coalition)) + "}"


def _policy(world: World, name: str, path: str) -> Any:
    if name not in world.policies:
        raise _fail(f"unknown policy {name!r}; valid policies: {', '.join(world.policies)}", path)
    return world.policies[name]


def game(
    world: World,
    players: str,
    *,
    policy: str = "integrated",
    baseline_policy: str = "national",
    permutations: int | None = None,
    seed: int = 0,
) -> Game:
    """The cases of an attribution study (see the module doc).

    ``permutations``: sample that many orders even with few players (default: exact up to
    :data:`EXACT_MAX` players, 1,000 orders beyond).

    Raises
    ------
    SimulationError
        Unknown player kind or policy; no players (the two policies do not differ).
    """
    if players not in GAMES:
        raise _fail(f"unknown players {players!r}; valid: {', '.join(GAMES)}", "players")
    target = _policy(world, policy, "policy")
    base = _policy(world, baseline_policy, "baseline_policy")
    nations = world.nations.id
    if players == "nations":
        names: tuple[str, ...] = tuple(
            n
            for k, n in enumerate(nations)
            if np.any(world.radars.nation_idx == k)
            or np.any(world.batteries.nation_idx == k)
            or np.any(world.satellites.nation_idx == k)
        )
    elif players == "levers":
        names = tuple(differing_levers(base, target))
    else:
        names = tuple(f"{a}-{b}" for a, b in links(base, target, nations))
    if not names:
        what = (
            "nation has units"
            if players == "nations"
            else (f"{players} differ between {baseline_policy!r} and {policy!r}")
        )
        raise _fail(f"no players: no {what}", "players")
    if permutations is not None and (isinstance(permutations, bool) or permutations < 1):
        raise _fail(f"permutations must be a positive integer, got {permutations!r}",
                    "permutations")  # fmt: skip
    sampled = permutations if permutations is not None else (
        1000 if len(names) > EXACT_MAX else None
    )  # fmt: skip
    coalitions, weights = shapley_weights(len(names), sampled, seed)
    method = "exact" if sampled is None else f"sampled ({sampled} permutations)"
    label = {c: "{" + ", ".join(names[i] for i in sorted(c)) + "}" for c in coalitions}
    cases: list[Case] = []
    runs: list[tuple[str, str]] = []
    if players == "nations":
        for c in coalitions:
            keep = [names[i] for i in sorted(c)]
            w = keep_nations(world, keep)
            cases.append(Case(name=label[c], world=w, policies=(policy,),
                              labels={"coalition": label[c]}))  # fmt: skip
            runs.append((label[c], policy))
    else:
        pols = {}
        for c in coalitions:
            if players == "levers":
                pols[label[c]] = lever_policy(label[c], base, target, [names[i] for i in c])
            else:
                pairs = [tuple(names[i].split("-", 1)) for i in c]
                pols[label[c]] = link_policy(label[c], base, target, pairs, nations)  # type: ignore[arg-type]
            runs.append((players, label[c]))
        w = replace(world, policies=pols)
        cases.append(Case(name=players, world=w, policies=tuple(pols)))
    return Game(
        kind=players, players=names, coalitions=tuple(coalitions), weights=weights,
        runs=tuple(runs), cases=tuple(cases), policy=policy, baseline_policy=baseline_policy,
        method=method,
    )  # fmt: skip


@dataclass(frozen=True, kw_only=True, eq=False)
class Attribution:
    """Shapley values of a game's players, with 95% intervals.

    Attributes
    ----------
    game
        The game.
    metric : str
        The metric attributed (:data:`~shieldwall.studies.engine.METRICS`).
    values
        ``{player: (φ, lo, hi)}``.
    grand, empty, total
        ``metric`` of the grand and empty coalitions, and ``grand − empty`` (paired).
    per_trial : (n_player, trials)
        Each player's per-trial Shapley series.
    coalition_values
        ``{coalition name: metric estimate}``.
    run
        The study run.
    """

    game: Game
    metric: str
    values: dict[str, Estimate]
    grand: Estimate
    empty: Estimate
    total: Estimate
    per_trial: F64
    coalition_values: dict[str, Estimate]
    run: StudyRun
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def table(self) -> pd.DataFrame:
        """Tidy long table: ``shapley_<metric>`` per player, ``<metric>`` per coalition,
        ``d_<metric>`` (grand − empty) for ``all``."""
        import pandas as pd

        g = self.game
        head = {"players": g.kind, "method": g.method, "baseline": g.baseline_policy,
                "asset": "all"}  # fmt: skip
        rows: list[dict[str, Any]] = []
        for p, (v, lo, hi) in self.values.items():
            rows.append({"case": g.kind, "player": p, "coalition": None, "policy": g.policy,
                         **head, "metric": f"shapley_{self.metric}", "value": v, "lo": lo,
                         "hi": hi})  # fmt: skip
        rows.append({"case": g.kind, "player": "all", "coalition": None, "policy": g.policy,
                     **head, "metric": f"d_{self.metric}", "value": self.total[0],
                     "lo": self.total[1], "hi": self.total[2]})  # fmt: skip
        for c, (v, lo, hi) in self.coalition_values.items():
            rows.append({"case": g.kind, "player": None, "coalition": c, "policy": g.policy,
                         **head, "metric": self.metric, "value": v, "lo": lo,
                         "hi": hi})  # fmt: skip
        return pd.DataFrame(rows)

    def summary(self) -> dict[str, Any]:
        """JSON-ready summary."""
        g = self.game
        return {
            "players": g.kind,
            "names": list(g.players),
            "method": g.method,
            "policy": g.policy,
            "baseline_policy": g.baseline_policy,
            "metric": self.metric,
            "shapley": {p: list(v) for p, v in self.values.items()},
            "grand": list(self.grand),
            "empty": list(self.empty),
            "total": list(self.total),
            "coalitions": {c: list(v) for c, v in self.coalition_values.items()},
            "trials": self.run.trials,
            "seed": self.run.seed,
            "elapsed_s": self.run.elapsed_s,
            "executor": self.run.executor,
        }


def analyse_attribution(run: StudyRun, g: Game, metric: str = "expected_leakers") -> Attribution:
    """Shapley values of a finished study of :func:`game`'s cases."""
    if metric not in METRICS:
        raise _fail(f"unknown metric {metric!r}; valid: {', '.join(METRICS)}", "metric")
    series = [run.per_trial(case, pol, metric) for case, pol in g.runs]
    values: dict[str, Estimate] = {}
    stack = np.stack(series)  # (n_coalition, trials)
    per_trial = g.weights @ stack
    clusters = run.common_clusters(*(case for case, _ in g.runs))  # raid geometry samples
    for i, p in enumerate(g.players):
        values[p] = contrast(list(zip(g.weights[i].tolist(), series, strict=True)), clusters)
    sizes = [len(c) for c in g.coalitions]
    top = sizes.index(len(g.players))
    bottom = sizes.index(0)
    est = run.estimate
    coalition_values = {g.name(c): est(*r, metric) for c, r in zip(g.coalitions, g.runs,
                                                                     strict=True)}  # fmt: skip
    return Attribution(
        game=g, metric=metric, values=values, grand=est(*g.runs[top], metric),
        empty=est(*g.runs[bottom], metric),
        total=contrast([(1.0, series[top]), (-1.0, series[bottom])], clusters),
        per_trial=per_trial, coalition_values=coalition_values, run=run,
        extra={"per_trial_total": mean_ci(per_trial.sum(axis=0), clusters)},
    )  # fmt: skip


def attribute(
    world: World,
    players: str = "levers",
    trials: int | None = None,
    seed: int | None = None,
    *,
    policy: str = "integrated",
    baseline_policy: str = "national",
    metric: str = "expected_leakers",
    permutations: int | None = None,
    executor: Executor | str = "serial",
    workers: int | None = None,
    progress: Callable[[int, int, str], None] | None = None,
) -> Attribution:
    """Shapley values of ``players`` (``nations``, ``levers``, ``links``) for ``metric``.

    See the module doc for the games. ``trials``/``seed``: the world's when omitted.

    Raises
    ------
    SimulationError
        Unknown player kind, policy or metric; no players.
    """
    if metric not in METRICS:
        raise _fail(f"unknown metric {metric!r}; valid: {', '.join(METRICS)}", "metric")
    root = world.seed if seed is None else seed
    g = game(world, players, policy=policy, baseline_policy=baseline_policy,
             permutations=permutations, seed=root)  # fmt: skip
    run = run_study(g.cases, world.trials if trials is None else trials, root,
                    executor=executor, workers=workers, progress=progress)  # fmt: skip
    return analyse_attribution(run, g, metric)
