"""What the flight stage refuses, as problems pointing at the scenario file (for ``validate``).

``shieldwall validate`` and the simulation accept exactly the same scenarios because they run the
same checks: the real targeting solve (:func:`~shieldwall.flight.targeting.solve`, the one
``fly_raid`` uses: reach, aim points, trajectory shapes), on

- every launch point the compiled raid draws (``World.raid``), and
- the two points of each salvo's launch area nearest to and farthest from its aim point
  (``World.salvos.probe_*``): any launch point drawn in the area lies between them in range, so
  a salvo that flies from both flies from anywhere in its area (raid geometry samples draw new
  launch points in the same areas);

and the interceptor engagement envelopes (a type whose flyout reaches no point of its envelope
can never engage). Each problem names the salvo (its ``id``) or interceptor with the
``file:line:col`` where it is written (``World.origin``). :func:`shieldwall.pipeline.prepare`
flies the raid with :func:`fly_checked` (the drawn rows and the probes in one solve) and raises
the errors of :func:`envelope_problems`.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from shieldwall.errors import Problem, ScenarioError, ShieldwallError, TargetingError
from shieldwall.flight.flyout import FlyoutTable
from shieldwall.flight.interceptor import flyout_tables
from shieldwall.flight.model import FlightModel
from shieldwall.flight.raid import fly_raid, salvo_problems
from shieldwall.flight.threats import fly_threats
from shieldwall.flight.trajectories import Trajectories

if TYPE_CHECKING:
    from shieldwall.scenario.catalog import Catalog
    from shieldwall.scenario.model import Scenario
    from shieldwall.scenario.world import World

__all__ = [
    "Validation",
    "check_scenario",
    "check_world",
    "check_worlds",
    "envelope_problems",
    "fly_checked",
    "fly_geometries",
    "raid_problems",
    "raise_errors",
    "validate",
]

#: Fraction of a declared envelope edge (max_alt_km, max_ground_range_km) the flyout may fall
#: short of before a warning: a few flyout-table cells (81 x 61 over the envelope, ~1.3-1.7 %
#: each), so that grid quantisation alone never warns.
EDGE_SHORTFALL = 0.05


def fly_checked(world: World, model: FlightModel | None = None) -> Trajectories:
    """``fly_raid(world)``, refusing the world as ``validate`` would (drawn launch points and
    launch-area probes, one targeting solve for both).

    Raises
    ------
    TargetingError
        One problem per salvo, with its ``file:line:col``.
    """
    traj, problems = _fly_with_probes(world, model)
    if traj is None:
        n = len(problems)
        raise TargetingError(f"{n} salvo{'s' if n != 1 else ''} cannot be flown as asked", problems)
    return traj


#: Most raid rows :func:`fly_geometries` flies in one solve: the integrator records every row
#: on a grid as long as its time limit (~340 kB a row), so samples are grouped up to this many
#: rows (a sample larger than this is flown alone, as it always was).
FLY_ROWS = 512


def fly_geometries(
    world: World, geometries: Sequence[int], model: FlightModel | None = None
) -> list[Trajectories]:
    """``fly_checked(world.geometry(g))`` for each ``g`` of ``geometries``, in few solves.

    The raid rows of several geometry samples (up to ``FLY_ROWS`` rows, with the launch-area
    probes once: they are the same for every sample) are aimed and flown together. Rows are
    independent in the solver and the integrator, so each sample comes out exactly as it does
    flown alone (tested); the integrator's cost is mostly per step, so flying the flagship's
    10 samples together costs little more than one. Any row that cannot be flown: each sample
    of its group is flown alone, raising its own error.
    """
    gs = list(geometries)
    if len(gs) <= 1 or not world.raid_samples:
        return [fly_checked(world.geometry(g), model) for g in gs]
    groups: list[list[int]] = [[]]
    rows = 0
    for g in gs:
        n = len(world.raid_samples[g])
        if groups[-1] and rows + n > FLY_ROWS:
            groups.append([])
            rows = 0
        groups[-1].append(g)
        rows += n
    return [traj for group in groups for traj in _fly_together(world, group, model)]


def _fly_together(world: World, gs: list[int], model: FlightModel | None) -> list[Trajectories]:
    if len(gs) == 1:
        return [fly_checked(world.geometry(gs[0]), model)]
    raids = [world.raid_samples[g] for g in gs]
    merged = type(raids[0])(
        **{
            f.name: np.concatenate([np.asarray(getattr(r, f.name)) for r in raids])
            for f in dataclasses.fields(raids[0])
        }
    )
    try:
        traj = fly_checked(dataclasses.replace(world, raid=merged, raid_samples=()), model)
    except TargetingError:
        return [fly_checked(world.geometry(g), model) for g in gs]
    edges = np.concatenate([[0], np.cumsum([len(r) for r in raids])])
    return [traj.take(np.arange(a, b)) for a, b in itertools.pairwise(edges.tolist())]


#: Rows per solve when only the targeting problems are wanted (``validate``): a chunk's recorded
#: trajectories are dropped before the next, so a 10,000-missile raid is checked in ~0.3 GB.
CHECK_ROWS = 1024


def raid_problems(world: World, model: FlightModel | None = None) -> list[Problem]:
    """Targeting problems of the drawn launch points and of the launch-area probes."""
    return _fly_with_probes(world, model, keep=False)[1]


def _fly_with_probes(
    world: World, model: FlightModel | None, *, keep: bool = True
) -> tuple[Trajectories | None, list[Problem]]:
    """Fly the drawn raid rows and each salvo's two launch-area probes in one solve.

    Salvos from a point need no probes (their drawn launch point is the point). Rows are
    independent in the solver and the integrator, so the drawn rows come out exactly as
    ``fly_raid`` flies them alone (tested); the grid is trimmed back to their own length.
    Without ``keep`` (only the problems wanted) the rows are flown ``CHECK_ROWS`` at a time, in
    order, which finds the same problems in the same order with bounded memory.
    """
    salvos, raid, mis = world.salvos, world.raid, world.missiles
    n = int(np.asarray(raid.missile_idx).shape[0])
    if len(salvos) == 0:  # a world built without a scenario: nothing to point at
        return fly_raid(world, model), []
    salvo_idx = np.asarray(raid.salvo_idx, dtype=np.int64)
    first = np.full(len(salvos), -1, dtype=np.int64)
    first[salvo_idx[::-1]] = np.arange(n)[::-1]
    lat, lon = np.asarray(salvos.probe_lat_rad), np.asarray(salvos.probe_lon_rad)
    spread = (lat[:, 0] != lat[:, 1]) | (lon[:, 0] != lon[:, 1])
    todo = np.flatnonzero(spread & (first >= 0))
    r = np.concatenate([np.arange(n), np.repeat(first[todo], 2)])
    side = np.tile([0, 1], todo.size)
    paths = [str(int(s)) for s in salvo_idx]
    paths += [f"{s}:{k}" for s, k in zip(np.repeat(todo, 2), side, strict=True)]
    launch_lat = np.concatenate([np.asarray(raid.launch_lat_rad), lat[todo].ravel()])
    launch_lon = np.concatenate([np.asarray(raid.launch_lon_rad), lon[todo].ravel()])

    def fly(sel: slice) -> Trajectories:
        rs = r[sel]
        return fly_threats(
            launch_lat_rad=launch_lat[sel],
            launch_lon_rad=launch_lon[sel],
            aim_lat_rad=np.asarray(raid.aim_lat_rad)[rs],
            aim_lon_rad=np.asarray(raid.aim_lon_rad)[rs],
            launch_t_s=np.asarray(raid.launch_t_s)[rs],
            shape=np.asarray(raid.shape, dtype=np.int64)[rs],
            apogee_m=np.asarray(raid.apogee_m)[rs],
            burnout_speed_mps=np.asarray(raid.burnout_speed_mps)[rs],
            burnout_angle_rad=np.asarray(raid.burnout_angle_rad)[rs],
            missile_idx=np.asarray(raid.missile_idx, dtype=np.int64)[rs],
            missile_names=list(mis.name),
            max_range_m=np.asarray(mis.max_range_m, float),
            burn_time_s=np.asarray(mis.burn_time_s, float),
            burnout_alt_m=np.asarray(mis.burnout_alt_m, float),
            beta_pa=np.asarray(mis.beta_pa, float),
            model=model,
            row_paths=paths[sel],
        )

    found: list[Problem] = []
    traj = None
    step = CHECK_ROWS
    chunks = [slice(None)] if keep else [slice(k, k + step) for k in range(0, r.size, step)]
    for sel in chunks:
        try:
            traj = fly(sel)
        except TargetingError as exc:
            found += exc.problems
    if found:
        drawn = [p for p in found if ":" not in p.path]
        problems = salvo_problems(world, drawn)
        bad = {p.path.split(":")[0] for p in drawn}
        for p in found:
            s_text, _, k_text = p.path.partition(":")
            if not k_text or s_text in bad:
                continue
            bad.add(s_text)
            which = "nearest to" if k_text == "0" else "farthest from"
            area = salvos.launch_area[int(s_text)]
            prefix = (
                f"from the point of launch area {area!r} {which} the aim point (raid samples "
                "draw launch points anywhere in the area): "
            )
            problems += salvo_problems(world, [p], prefix=prefix, count=False)
        return None, sorted(problems, key=lambda p: (p.line, p.col, p.path))
    return (_first_rows(traj, n) if keep and traj is not None else None), []


def _first_rows(traj: Trajectories, n: int) -> Trajectories:
    """Rows ``0..n-1`` (``take`` trims the grid to their own longest flight)."""
    return traj if traj.n == n else traj.take(np.arange(n))


def envelope_problems(world: World, flyouts: Sequence[FlyoutTable] | None = None) -> list[Problem]:
    """Interceptor types whose flyout reaches none (error) or under ``1 - EDGE_SHORTFALL`` of the
    edges (warning) of the engagement envelope their keys declare.

    ``flyouts`` are the world's tables (``flyout_tables(world)``, cached on disk) when omitted.
    """
    tables = flyouts if flyouts is not None else flyout_tables(world)
    found = (_envelope_problem(world, i, table) for i, table in enumerate(tables))
    return [p for p in found if p is not None]


def _envelope_problem(world: World, i: int, table: FlyoutTable) -> Problem | None:
    it = world.interceptors
    gr, alt = table.ground_range_m[:, None], table.alt_m[None, :]
    reach = (gr >= table.min_ground_range_m) & (alt >= table.min_alt_m) & np.isfinite(table.tau_s)
    envelope = (
        f"altitude {table.min_alt_m / 1e3:g}-{table.max_alt_m / 1e3:g} km, ground range "
        f"{table.min_ground_range_m / 1e3:g}-{table.max_ground_range_m / 1e3:g} km"
    )
    flyout = (
        f"burnout speed {float(it.burnout_speed_mps[i]) / 1e3:g} km/s, burn "
        f"{float(it.burn_time_s[i]):g} s, beta {float(it.beta_pa[i]) / 1e3:g} kPa"
    )
    if not reach.any():
        message = (
            f"interceptor {table.name!r} reaches no point of its engagement envelope ({envelope}) "
            f"with {flyout}: no battery of this type could ever engage. Allowed: a flyout that "
            "reaches the envelope (a faster burnout speed, or a lower min_alt_km / "
            "min_ground_range_km)"
        )
        return world.origin.row_problem("interceptors", i, message)
    top = float(table.alt_m[np.flatnonzero(reach.any(axis=0))[-1]])
    far = float(table.ground_range_m[np.flatnonzero(reach.any(axis=1))[-1]])
    keep = 1.0 - EDGE_SHORTFALL
    if top >= keep * table.max_alt_m and far >= keep * table.max_ground_range_m:
        return None
    message = (
        f"interceptor {table.name!r} reaches only up to {top / 1e3:,.0f} km altitude and "
        f"{far / 1e3:,.0f} km ground range of its engagement envelope ({envelope}) with "
        f"{flyout}; the rest of the envelope is never used"
    )
    return world.origin.row_problem("interceptors", i, message, severity="warning")


def check_world(world: World, model: FlightModel | None = None) -> list[Problem]:
    """Every problem the flight stage finds in one World (errors and warnings)."""
    return [*raid_problems(world, model), *envelope_problems(world)]


def check_worlds(worlds: Sequence[World], model: FlightModel | None = None) -> list[Problem]:
    """:func:`check_world` over the phases of one scenario, each problem once.

    The raid is flown once per distinct raid (phases usually share it). A problem found in
    some phases only says which (``in phase '...'``).
    """
    found: dict[tuple[str, str, str], tuple[Problem, list[str]]] = {}
    raids: dict[bytes, list[Problem]] = {}
    for world in worlds:
        key = _raid_key(world)
        if key not in raids:
            raids[key] = raid_problems(world, model)
        for p in [*raids[key], *envelope_problems(world)]:
            entry = found.setdefault((p.path, p.message, p.severity), (p, []))
            entry[1].append(world.phase)
    out = []
    for p, phases in found.values():
        if len(worlds) > 1 and len(phases) < len(worlds):
            named = ", ".join(repr(ph) for ph in phases)
            p = dataclasses.replace(p, message=f"{p.message} (in phase {named})")
        out.append(p)
    return out


def _raid_key(world: World) -> bytes:
    """What the targeting checks of a world depend on: its raid, salvos and missile types."""
    parts = [np.asarray(v).tobytes() for v in vars(world.raid).values()]
    parts += [
        np.asarray(v).tobytes() for v in vars(world.missiles).values() if not isinstance(v, tuple)
    ]
    parts += [np.asarray(world.salvos.probe_lat_rad).tobytes(), repr(world.salvos.id).encode()]
    parts += [np.asarray(world.salvos.probe_lon_rad).tobytes()]
    return b"|".join(parts)


def check_scenario(scenario: Scenario, *, catalog: Catalog | None = None) -> list[Problem]:
    """Compile every phase of a validated scenario and run :func:`check_worlds` on them."""
    return validate(scenario, catalog=catalog).problems


@dataclasses.dataclass(frozen=True, kw_only=True)
class Validation:
    """What ``shieldwall validate`` found in one scenario.

    Attributes
    ----------
    scenario
        The loaded scenario (``None`` if it did not load).
    worlds
        One compiled World per phase (empty if a phase did not compile).
    problems
        Every error and warning, each with ``file:line:col`` where known, sorted by position.
    """

    scenario: Scenario | None
    worlds: tuple[World, ...]
    problems: list[Problem]

    @property
    def ok(self) -> bool:
        """No errors (warnings allowed): the simulation commands accept this scenario."""
        return not any(p.severity == "error" for p in self.problems)


def validate(
    source: Scenario | str | Path | Mapping[str, Any], *, catalog: Catalog | None = None
) -> Validation:
    """Every check a simulation makes, on every phase: what ``shieldwall validate`` runs.

    Loading (types, bounds, references), compiling each phase, and the flight checks
    (:func:`check_worlds`). A scenario is valid iff ``run``, ``compare`` and the studies accept
    it in every phase.

    Parameters
    ----------
    source
        A path, YAML text, a mapping, or an already loaded scenario.
    catalog
        Catalog to resolve names against; the shipped one by default.
    """
    from shieldwall.scenario import compile_world, load_scenario
    from shieldwall.scenario.model import Scenario as ScenarioModel

    label = str(source) if isinstance(source, str | Path) else ""
    try:
        scenario = (
            source if isinstance(source, ScenarioModel) else load_scenario(source, catalog=catalog)
        )
    except ShieldwallError as exc:
        return Validation(scenario=None, worlds=(), problems=_problems_of(exc, label))
    try:
        worlds = tuple(
            compile_world(scenario, k, catalog=catalog) for k in range(len(scenario.phase_names))
        )
    except ShieldwallError as exc:
        problems = [*_problems_of(exc, scenario.file), *scenario.warnings]
        return Validation(scenario=scenario, worlds=(), problems=problems)
    found = [*scenario.warnings, *check_worlds(worlds)]
    return Validation(scenario=scenario, worlds=worlds, problems=_by_position(found))


def _problems_of(exc: ShieldwallError, file: str) -> list[Problem]:
    return list(exc.problems) or [Problem(message=str(exc.args[0]), file=file)]


def _by_position(problems: list[Problem]) -> list[Problem]:
    errors = [p for p in problems if p.severity == "error"]
    rest = [p for p in problems if p.severity != "error"]
    key = lambda p: (p.line, p.col, p.path)  # noqa: E731
    return sorted(errors, key=key) + sorted(rest, key=key)


def raise_errors(problems: Sequence[Problem], what: str = "the scenario") -> None:
    """Raise one :class:`~shieldwall.errors.ScenarioError` listing the errors, if any."""
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        n = len(errors)
        raise ScenarioError(f"{what}: {n} error{'s' if n != 1 else ''} in flight", errors)
