"""``footprint``: the defended area of an architecture against one missile type from one launch
point (docs/studies.md, "footprint").

A grid of ground aim points over a region; one threat of the missile type aimed at each cell,
launched from the launch point, each considered alone. The cells are flown as one raid per chunk
(flight is vectorized over threats) and go through the real stages: the flyout reach of every
battery (:func:`shieldwall.battle.reach`), the policy-independent sensing and tracking
(:func:`shieldwall.tracking.prepare`, only for threats some battery can reach), each policy's
track picture and fight inputs (:func:`shieldwall.battle.build_fight_inputs`: envelope, field of
regard and horizon, fire-control time under the policy, guidance). The engagements the doctrine
fits against a lone threat and its kill probability are the chain and closed form of
:mod:`shieldwall.battle.lone`.

Each cell belongs to a nation (the authority of docs/battle.md §4: under ``national``, a battery
engages threats at its own nation's cells only): that of the asset whose defended radius holds
the cell (a foreign base is its nation's), else the scenario nation whose territory holds it when
a ``territory`` classifier is given (the CLI and ``api.footprint`` pass the Natural Earth one,
:mod:`shieldwall.io.territory`), else that of the nearest city (a foreign base is no
territory), else of the nearest asset (the last two: the *asset rule*). Results do not depend
on the chunk size (every stage is per threat).
"""

from __future__ import annotations

import ctypes
import dataclasses
import gc
import math
import os
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from shieldwall._types import F64, I64, B
from shieldwall.battle import FightInputs, build_fight_inputs, reach
from shieldwall.battle.lone import lone_chains, lone_p_no_leak
from shieldwall.earth.constants import R_SPHERE_M
from shieldwall.errors import ArgumentError, Problem, TargetingError
from shieldwall.flight import FlyoutTable, Trajectories, flyout_tables
from shieldwall.flight.targeting import REACH_MARGIN
from shieldwall.flight.threats import fly_threats
from shieldwall.pipeline import resolve_policy
from shieldwall.scenario import Scenario, World, compile_world, load_scenario
from shieldwall.scenario.catalog import load_catalog
from shieldwall.scenario.model import LatLon, LaunchArea, Location, Salvo
from shieldwall.scenario.phases import phase_index
from shieldwall.scenario.world import RaidTable, SalvoTable
from shieldwall.studies.executor import Executor, make_executor
from shieldwall.tracking import TrackPicture, picture
from shieldwall.tracking import prepare as prepare_sensing

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "DEFAULT_GRID",
    "DEFAULT_POLICIES",
    "Footprint",
    "FootprintError",
    "Grid",
    "Territory",
    "fire_control_design",
    "footprint",
    "footprint_world",
    "make_grid",
    "p_no_leak_over_fire_control",
    "parse_grid",
    "parse_region",
]

#: Policies of a footprint by default.
DEFAULT_POLICIES = ("national", "integrated")
#: Grid (rows of latitude × columns of longitude) when neither a grid nor a spacing is given.
DEFAULT_GRID = (60, 60)
#: Cells flown and sensed at once (memory grows with it; results do not).
CHUNK_CELLS = 256
#: Padding of the default region around the assets. [deg]
REGION_PAD_DEG = 0.5
#: Batteries a cell's ``battery_mask`` can name (bits of an int64); beyond, the mask is 0.
MAX_MASK_BATTERIES = 63
#: Fire-control quantiles P(no leak) is averaged over (per nation, a Latin hypercube). []
FC_QUANTILES = 16
#: Seed of the fixed fire-control design (the same for every cell and chunk).
FC_DESIGN_SEED = 20261202
#: Largest grid accepted (cells). []
MAX_CELLS = 1_000_000
_LAUNCH_AREA_ID = "footprint_launch"

#: ``territory(nation_ids, nation_names, lat_deg, lon_deg)`` → per cell the index of the scenario
#: nation whose territory it is, -1 where the asset rule decides (module doc).
Territory = Callable[[Sequence[str], Sequence[str], F64, F64], I64]


class FootprintError(ArgumentError):
    """A footprint request is invalid (unknown missile, launch point, region or grid)."""


def _fail(path: str, message: str) -> FootprintError:
    return FootprintError(message, [Problem(message=message, path=path)])


# -- the grid ------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Grid:
    """A regular latitude–longitude grid; cell ``c`` is row ``c // n_cols``, column
    ``c % n_cols`` (rows from south to north, columns from west to east).

    Attributes
    ----------
    lat_edges_deg : (n_rows + 1,)
        Cell edges in latitude. [deg]
    lon_edges_deg : (n_cols + 1,)
        Cell edges in longitude. [deg]
    """

    lat_edges_deg: F64
    lon_edges_deg: F64

    @property
    def shape(self) -> tuple[int, int]:
        """(rows, columns)."""
        return self.lat_edges_deg.size - 1, self.lon_edges_deg.size - 1

    @property
    def n_cells(self) -> int:
        """Number of cells."""
        r, c = self.shape
        return r * c

    @property
    def row(self) -> I64:
        """Row of each cell."""
        return np.arange(self.n_cells, dtype=np.int64) // self.shape[1]

    @property
    def col(self) -> I64:
        """Column of each cell."""
        return np.arange(self.n_cells, dtype=np.int64) % self.shape[1]

    @property
    def lat_deg(self) -> F64:
        """Centre latitude of each cell. [deg]"""
        mid = 0.5 * (self.lat_edges_deg[1:] + self.lat_edges_deg[:-1])
        return np.asarray(mid[self.row], dtype=np.float64)

    @property
    def lon_deg(self) -> F64:
        """Centre longitude of each cell. [deg]"""
        mid = 0.5 * (self.lon_edges_deg[1:] + self.lon_edges_deg[:-1])
        return np.asarray(mid[self.col], dtype=np.float64)

    @property
    def area_km2(self) -> F64:
        """Area of each cell on the sphere (``R² Δλ (sin φ₂ − sin φ₁)``). [km²]"""
        s = np.sin(np.radians(self.lat_edges_deg))
        dlon = np.radians(np.diff(self.lon_edges_deg))
        band = np.diff(s)[self.row] * dlon[self.col]
        return np.asarray((R_SPHERE_M / 1e3) ** 2 * band, dtype=np.float64)


def parse_region(text: str | Sequence[float]) -> tuple[float, float, float, float]:
    """``S,W,N,E`` in degrees (text or four numbers) → (south, west, north, east).

    Raises
    ------
    FootprintError
        Not four numbers, latitudes outside [-90, 90], south ≥ north or west ≥ east.
    """
    allowed = "four numbers S,W,N,E in degrees, with -90 <= S < N <= 90 and -180 <= W < E <= 360"
    try:
        vals = [float(v) for v in (text.split(",") if isinstance(text, str) else text)]
    except (TypeError, ValueError):
        raise _fail("region", f"region must be {allowed}; got {text!r}") from None
    if len(vals) != 4 or not all(math.isfinite(v) for v in vals):
        raise _fail("region", f"region must be {allowed}; got {text!r}")
    s, w, n, e = vals
    if not (-90.0 <= s < n <= 90.0 and -180.0 <= w < e <= 360.0 and e - w <= 360.0):
        raise _fail("region", f"region must be {allowed}; got {text!r}")
    return s, w, n, e


def parse_grid(text: str | Sequence[int]) -> tuple[int, int]:
    """``NxM`` (rows of latitude × columns of longitude) → (N, M).

    Raises
    ------
    FootprintError
        Not two positive whole numbers, or more than ``MAX_CELLS`` cells.
    """
    allowed = f"NxM with N, M whole numbers >= 1 and N*M <= {MAX_CELLS:,} (e.g. 100x100)"
    parts = text.lower().split("x") if isinstance(text, str) else list(text)
    try:
        n, m = (int(str(p).strip()) for p in parts)
    except (TypeError, ValueError):
        raise _fail("grid", f"grid must be {allowed}; got {text!r}") from None
    if n < 1 or m < 1 or n * m > MAX_CELLS:
        raise _fail("grid", f"grid must be {allowed}; got {text!r}")
    return n, m


def make_grid(
    region: tuple[float, float, float, float],
    grid: tuple[int, int] | None = None,
    spacing_km: float | None = None,
) -> Grid:
    """The grid over ``region`` (S, W, N, E): ``grid`` cells, or cells about ``spacing_km`` on a
    side (east–west at the region's middle latitude), or :data:`DEFAULT_GRID`.

    Raises
    ------
    FootprintError
        Both ``grid`` and ``spacing_km``; a spacing that is not a positive number or that gives
        more than ``MAX_CELLS`` cells.
    """
    s, w, n, e = parse_region(region)
    if grid is not None and spacing_km is not None:
        raise _fail("grid", "give either a grid (NxM) or a spacing in km, not both")
    if spacing_km is not None:
        if isinstance(spacing_km, bool) or not (
            isinstance(spacing_km, int | float) and math.isfinite(spacing_km) and spacing_km > 0
        ):
            raise _fail(
                "spacing_km", f"spacing must be a positive number of km; got {spacing_km!r}"
            )
        km_per_deg = math.pi * R_SPHERE_M / 180e3
        rows = max(1, round((n - s) * km_per_deg / spacing_km))
        mid = math.cos(math.radians(0.5 * (s + n)))
        cols = max(1, round((e - w) * km_per_deg * mid / spacing_km))
        if rows * cols > MAX_CELLS:
            raise _fail(
                "spacing_km",
                f"a spacing of {spacing_km:g} km gives {rows}x{cols} cells; at most "
                f"{MAX_CELLS:,} are allowed (a larger spacing or a smaller region)",
            )
        shape = (rows, cols)
    else:
        shape = parse_grid(grid) if grid is not None else DEFAULT_GRID
    return Grid(
        lat_edges_deg=np.linspace(s, n, shape[0] + 1), lon_edges_deg=np.linspace(w, e, shape[1] + 1)
    )


def default_region(world: World) -> tuple[float, float, float, float]:
    """A box around the world's assets, padded by :data:`REGION_PAD_DEG`."""
    if len(world.assets) == 0:
        raise _fail("region", "the scenario has no assets: give a region S,W,N,E")
    lat = np.degrees(world.assets.lat_rad)
    lon = np.degrees(world.assets.lon_rad)
    p = REGION_PAD_DEG
    return (
        max(-90.0, float(lat.min()) - p),
        float(lon.min()) - p,
        min(90.0, float(lat.max()) + p),
        float(lon.max()) + p,
    )


# -- the world of one missile type from one launch point -----------------------------------------


def _launch_point(scenario: Scenario, world: World, launch: str) -> tuple[float, float, str]:
    """``LAT,LON`` or the id of a launch area (its centre, a point area its point) or of a
    salvo (its first missile's launch point) → (lat, lon, label)."""
    text = launch.strip()
    parts = text.split(",")
    if len(parts) == 2:
        try:
            lat, lon = float(parts[0]), float(parts[1])
        except ValueError:
            pass
        else:
            if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 360.0):
                raise _fail(
                    "launch", f"launch LAT,LON must be in [-90, 90] x [-180, 360]; got {text!r}"
                )
            return lat, lon, f"{lat:.3f},{lon:.3f}"
    for area in scenario.threats.launch_areas:
        if area.id == text:
            if area.point is not None:
                return area.point.lat_deg, area.point.lon_deg, text
            if area.box is not None:
                b = area.box
                return (
                    0.5 * (b.lat_min_deg + b.lat_max_deg),
                    0.5 * (b.lon_min_deg + b.lon_max_deg),
                    text,
                )
            poly = area.polygon or ()
            return (
                float(np.mean([v.lat_deg for v in poly])),
                float(np.mean([v.lon_deg for v in poly])),
                text,
            )
    if text in world.salvos.id:
        s = world.salvos.id.index(text)
        first = int(np.flatnonzero(np.asarray(world.raid.salvo_idx) == s)[0])
        return (
            math.degrees(float(world.raid.launch_lat_rad[first])),
            math.degrees(float(world.raid.launch_lon_rad[first])),
            text,
        )
    areas = [a.id for a in scenario.threats.launch_areas]
    raise _fail(
        "launch",
        f"unknown launch {text!r}: give LAT,LON in degrees, a launch area "
        f"({', '.join(areas) or 'none'}) or a salvo ({', '.join(world.salvos.id) or 'none'})",
    )


def _missile_names(scenario: Scenario) -> list[str]:
    return [m.name for m in scenario.threats.missiles] + load_catalog(kind="missile").names(
        "missile"
    )


def footprint_world(
    scenario: Scenario, missile: str, lat_deg: float, lon_deg: float, phase: int
) -> World:
    """The scenario's phase ``phase`` with its raid replaced by one ``missile`` from the launch
    point (one raid geometry, no launch jitter); its raid row is a template for the cells."""
    names = _missile_names(scenario)
    if missile not in names:
        raise _fail("missile", f"unknown missile {missile!r}; valid missiles: {', '.join(names)}")
    threats = scenario.threats
    area = LaunchArea(id=_LAUNCH_AREA_ID, point=Location(lat_deg=lat_deg, lon_deg=lon_deg))
    salvo = Salvo(
        missile=missile,
        count=1,
        launch_area=_LAUNCH_AREA_ID,
        aim_point=LatLon(lat_deg=lat_deg, lon_deg=((lon_deg + 180.0) % 360.0) - 180.0),
    )
    new_threats = threats.model_copy(
        update={"launch_areas": (*threats.launch_areas, area), "raid": (salvo,)}
    )
    settings = scenario.settings.model_copy(update={"raid_samples": 1, "launch_jitter_s": 0.0})
    changed = scenario.model_copy(update={"threats": new_threats, "settings": settings})
    return compile_world(changed, phase=phase)


def _cell_raid(template: RaidTable, lat_rad: F64, lon_rad: F64) -> RaidTable:
    n = lat_rad.size
    return RaidTable(
        missile_idx=np.full(n, int(template.missile_idx[0]), dtype=np.int64),
        salvo_idx=np.zeros(n, dtype=np.int64),
        launch_t_s=np.zeros(n),
        launch_lat_rad=np.full(n, float(template.launch_lat_rad[0])),
        launch_lon_rad=np.full(n, float(template.launch_lon_rad[0])),
        aim_lat_rad=np.asarray(lat_rad, dtype=np.float64),
        aim_lon_rad=np.asarray(lon_rad, dtype=np.float64),
        aim_asset_idx=np.full(n, -1, dtype=np.int64),
        shape=np.zeros(n, dtype=np.int8),
        apogee_m=np.full(n, np.nan),
        burnout_speed_mps=np.full(n, np.nan),
        burnout_angle_rad=np.full(n, np.nan),
    )


def _take_raid(raid: RaidTable, idx: I64) -> RaidTable:
    return RaidTable(**{f.name: np.asarray(getattr(raid, f.name))[idx]
                        for f in dataclasses.fields(raid)})  # fmt: skip


def _fly(world: World, raid: RaidTable) -> tuple[Trajectories | None, I64]:
    """Fly what can be flown of ``raid``: (trajectories, indices of the rows flown)."""
    mis = world.missiles
    keep = np.arange(len(raid), dtype=np.int64)
    for _ in range(2):
        sub = _take_raid(raid, keep)
        if keep.size == 0:
            return None, keep
        try:
            traj = fly_threats(
                launch_lat_rad=sub.launch_lat_rad, launch_lon_rad=sub.launch_lon_rad,
                aim_lat_rad=sub.aim_lat_rad, aim_lon_rad=sub.aim_lon_rad,
                launch_t_s=sub.launch_t_s, shape=np.asarray(sub.shape, dtype=np.int64),
                apogee_m=sub.apogee_m, burnout_speed_mps=sub.burnout_speed_mps,
                burnout_angle_rad=sub.burnout_angle_rad, missile_idx=sub.missile_idx,
                missile_names=list(mis.name), max_range_m=np.asarray(mis.max_range_m, float),
                burn_time_s=np.asarray(mis.burn_time_s, float),
                burnout_alt_m=np.asarray(mis.burnout_alt_m, float),
                beta_pa=np.asarray(mis.beta_pa, float),
                row_paths=[str(k) for k in range(keep.size)],
            )  # fmt: skip
        except TargetingError as exc:  # cells the missile cannot reach (or fly to) are dropped
            bad = np.array([int(p.path) for p in exc.problems], dtype=np.int64)
            keep = np.delete(keep, bad)
            continue
        return traj, keep
    raise _fail("missile", "the missile could not be flown to the cells it reaches")


# -- per chunk -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _PolicyCells:
    engageable: B
    opportunities: I64
    battery_mask: I64
    p_no_leak: F64
    first_intercept_t_s: F64


def _chunk(
    world: World,
    flyouts: tuple[FlyoutTable, ...],
    lat_rad: F64,
    lon_rad: F64,
    cell_nation: I64,
    policies: Sequence[str],
) -> tuple[B, dict[str, _PolicyCells]]:
    """Every stage for one chunk of cells: (in_range, per-policy results)."""
    n = lat_rad.size
    raid = _cell_raid(world.raid, lat_rad, lon_rad)
    k = int(world.raid.missile_idx[0])
    reliability = float(np.asarray(world.missiles.reliability)[k])
    gr = _ground_range_m(raid.launch_lat_rad, raid.launch_lon_rad, lat_rad, lon_rad)
    # beyond this no shape flies (fly_threats refuses the rest with a reason: dropped below)
    near = np.flatnonzero(gr <= REACH_MARGIN * 1.25 * float(world.missiles.max_range_m[k]))
    traj, flown = _fly(world, _take_raid(raid, near))
    in_range = np.zeros(n, dtype=bool)
    cells = near[flown]
    in_range[cells] = True
    # a threat nobody engages leaks unless it fails in flight
    p_alone = np.where(in_range, 1.0 - reliability, np.nan)
    out = {
        p: _PolicyCells(
            np.zeros(n, dtype=bool), np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int64),
            p_alone.copy(), np.full(n, np.nan),
        )
        for p in policies
    }  # fmt: skip
    if traj is None:
        return in_range, out
    rch = reach(world, traj, flyouts)
    reachable = np.unique(rch.pair_threat_idx)
    if reachable.size == 0:
        return in_range, out
    # sensing and tracking only for the threats some battery's flyout reaches
    traj = traj.take(reachable)
    rch = dataclasses.replace(
        rch, pair_threat_idx=np.searchsorted(reachable, rch.pair_threat_idx).astype(np.int64)
    )
    cells = cells[reachable]
    w = dataclasses.replace(world, raid=_take_raid(raid, cells), salvos=SalvoTable.empty())
    base = prepare_sensing(w, traj)
    nat = cell_nation[cells]
    for name in policies:
        pol = resolve_policy(w, name)
        pic = picture(w, traj, pol, base=base, mode="covariance")
        fi = build_fight_inputs(world=w, trajectories=traj, picture=pic, reach=rch, policy=pol,
                                doctrine=w.doctrine)  # fmt: skip
        authority = np.asarray(pol.defends, dtype=bool)[fi.row_nation_idx, nat[fi.row_threat_idx]]
        chains = lone_chains(fi, authority)
        res = out[name]
        res.p_no_leak[cells] = p_no_leak_over_fire_control(fi, pic, authority)
        thr = fi.row_threat_idx[chains.engaging]
        res.engageable[cells] = np.bincount(thr, minlength=cells.size) > 0
        res.opportunities[cells] = chains.n_engagements
        if len(world.batteries) <= MAX_MASK_BATTERIES:
            bits = np.zeros(cells.size, dtype=np.int64)
            np.bitwise_or.at(bits, thr, np.left_shift(1, fi.row_battery_idx[chains.engaging]))
            res.battery_mask[cells] = bits
        res.first_intercept_t_s[cells] = chains.intercept_t_s[:, 0]
    return in_range, out


def fire_control_design(n_nations: int, n: int = FC_QUANTILES) -> F64:
    """``(n, n_nations)`` fire-control quantiles: a Latin hypercube (every nation's column is the
    ``n`` midpoints ``(k + ½)/n`` in its own fixed order), so that the nations' fire-control times
    are spread as independent draws would be (docs/battle.md §3.2: one quantile per nation)."""
    rng = np.random.default_rng(np.random.SeedSequence(FC_DESIGN_SEED))
    mid = (np.arange(n) + 0.5) / n
    return np.stack([mid[rng.permutation(n)] for _ in range(n_nations)], axis=1)


def p_no_leak_over_fire_control(fi: FightInputs, pic: TrackPicture, authority: B) -> F64:
    """P(no leak) of each threat alone, averaged over :func:`fire_control_design`: the rows'
    earliest launches are each nation's fire-control time at its quantile plus reaction."""
    design = fire_control_design(fi.n_nations)
    n_q = design.shape[0]
    fc = np.full((fi.n_keys, fi.n_threats, n_q), np.inf)
    for k in range(fi.n_keys):
        d = int(fi.fc_nation_idx[k])
        u = np.broadcast_to(design[:, d], (fi.n_threats, n_q))
        fc[k] = pic.fire_control_times(d, float(fi.fc_sigma_m[k]), u)
    key = fi.battery_fc_key[fi.row_battery_idx]
    reaction = fi.reaction_time_s[fi.row_type_idx]
    total = np.zeros(fi.n_threats)
    for q in range(n_q):
        earliest = fc[key, fi.row_threat_idx, q] + reaction
        total += lone_p_no_leak(fi, lone_chains(fi, authority, earliest))
    return np.asarray(total / n_q, dtype=np.float64)


@dataclass(frozen=True)
class _Task:
    world: World
    flyouts: tuple[FlyoutTable, ...]
    lat_rad: F64
    lon_rad: F64
    cell_nation: I64
    policies: tuple[str, ...]


def _run_task(task: _Task) -> tuple[B, dict[str, _PolicyCells]]:
    try:
        return _chunk(task.world, task.flyouts, task.lat_rad, task.lon_rad, task.cell_nation,
                      task.policies)  # fmt: skip
    finally:
        _release_memory()


def _release_memory() -> None:
    """Free a chunk's arrays now: collect the reference cycles that hold some of them (left to
    the cyclic collector, they pile up over several chunks) and give the heap back to the system
    (glibc ``malloc_trim``), so that the peak is one chunk's, not several."""
    gc.collect()
    if not sys.platform.startswith("linux"):
        return
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # pragma: no cover - not glibc
        return


_FIELDS = ("engageable", "opportunities", "battery_mask", "p_no_leak", "first_intercept_t_s")


def _ground_range_m(lat0: F64, lon0: F64, lat1: F64, lon1: F64) -> F64:
    """Great-circle distance on the sphere (haversine). [m]"""
    a = (
        np.sin(0.5 * (lat1 - lat0)) ** 2
        + np.cos(lat0) * np.cos(lat1) * np.sin(0.5 * (lon1 - lon0)) ** 2
    )
    return np.asarray(2.0 * R_SPHERE_M * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0))), np.float64)


def _cell_nations(
    world: World, lat_rad: F64, lon_rad: F64, city: B, own: I64 | None = None
) -> tuple[I64, B]:
    """Nation of each cell and whether its territory decided it: of the asset whose defended
    radius holds it (the nearest such; a foreign base is its nation's), else of the territory
    ``own`` gives (>= 0), else of the nearest city-kind asset (a nation's territory; a foreign
    base is not), else of the nearest asset."""
    d = _ground_range_m(
        lat_rad[:, None], lon_rad[:, None],
        np.asarray(world.assets.lat_rad)[None, :], np.asarray(world.assets.lon_rad)[None, :],
    )  # fmt: skip
    inside = d <= np.asarray(world.assets.radius_m)[None, :]
    pick = np.argmin(np.where(inside, d, np.inf), axis=1)
    pool = city if city.any() else np.ones_like(city)
    fallback = np.argmin(np.where(pool[None, :], d, np.inf), axis=1)
    in_radius = inside.any(axis=1)
    best = np.where(in_radius, pick, fallback)
    nation = np.asarray(np.asarray(world.assets.nation_idx)[best], dtype=np.int64)
    if own is None:
        return nation, np.zeros(nation.size, dtype=bool)
    by_territory = ~in_radius & (own >= 0)
    return np.where(by_territory, own, nation).astype(np.int64), by_territory


def _city_assets(scenario: Scenario, world: World) -> B:
    """Whether each of the world's assets is of kind ``city`` (the scenario's free-text kind)."""
    kinds = {a.id: a.kind for a in scenario.assets}
    for ph in scenario.phases:
        kinds.update({a.id: a.kind for a in ph.add.assets})
    return np.array([(kinds.get(i) or "").strip().lower() == "city" for i in world.assets.id],
                    dtype=bool)  # fmt: skip


# -- the study -----------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True, eq=False)
class Footprint:
    """The defended area per policy over a grid.

    Attributes
    ----------
    world
        The scenario's phase with the footprint's one-missile raid (its batteries, radars, ...).
    grid
        The cells.
    missile, launch : str
        The missile type and the launch (as given, or the area's / salvo's id).
    launch_lat_deg, launch_lon_deg : float
        The launch point. [deg]
    policies : tuple[str, ...]
        Policies, in the order given.
    in_range : (n_cell,) bool
        The missile can be flown to the cell from the launch point.
    cell_nation : (n_cell,) int
        Nation of each cell (module doc).
    nation_by_territory : (n_cell,) bool
        The cell's nation is its territory's (else a defended radius's or the asset rule's).
    engageable, opportunities, battery_mask, p_no_leak, first_intercept_t_s : dict
        Per policy, ``(n_cell,)`` arrays: some battery may engage a threat aimed at the cell;
        shoot-look-shoot engagements the doctrine fits; bit ``b`` set when battery ``b`` can
        engage; probability the threat (alone) does not leak (NaN out of range); intercept time
        of the first engagement (NaN none). [-], [-], [-], [], [s]
    elapsed_s : float
        Wall time of the computation. [s]
    """

    world: World
    grid: Grid
    missile: str
    launch: str
    launch_lat_deg: float
    launch_lon_deg: float
    policies: tuple[str, ...]
    in_range: B
    cell_nation: I64
    nation_by_territory: B
    engageable: dict[str, B]
    opportunities: dict[str, I64]
    battery_mask: dict[str, I64]
    p_no_leak: dict[str, F64]
    first_intercept_t_s: dict[str, F64]
    elapsed_s: float

    def __repr__(self) -> str:
        r, c = self.grid.shape
        areas = ", ".join(f"{p}={self.defended_area_km2(p):,.0f} km²" for p in self.policies)
        return f"Footprint({self.missile!r} from {self.launch!r}, {r}x{c} cells, {areas})"

    def batteries(self, policy: str) -> list[str]:
        """Per cell, the batteries that can engage (comma-separated ids)."""
        ids = self.world.batteries.id
        mask = self.battery_mask[policy]
        names: dict[int, str] = {}
        out = []
        for m in mask.tolist():
            if m not in names:
                names[m] = ",".join(b for k, b in enumerate(ids) if (m >> k) & 1)
            out.append(names[m])
        return out

    def defended_area_km2(self, policy: str) -> float:
        """Area of the cells (in range) some battery can engage under ``policy``. [km²]"""
        sel = self.engageable[policy] & self.in_range
        return float(self.grid.area_km2[sel].sum())

    @property
    def table(self) -> pd.DataFrame:
        """Tidy table: one row per cell × policy."""
        import pandas as pd

        g = self.grid
        n = g.n_cells
        nat = np.asarray(self.world.nations.id, dtype=object)[self.cell_nation]
        frames = []
        for p in self.policies:
            frames.append(
                pd.DataFrame(
                    {
                        "cell": np.arange(n), "row": g.row, "col": g.col,
                        "lat_deg": g.lat_deg, "lon_deg": g.lon_deg, "area_km2": g.area_km2,
                        "nation": nat,
                        "nation_rule": np.where(self.nation_by_territory, "territory", "assets"),
                        "policy": p, "in_range": self.in_range,
                        "engageable": self.engageable[p] & self.in_range,
                        "opportunities": self.opportunities[p],
                        "battery_mask": self.battery_mask[p],
                        "batteries": self.batteries(p),
                        "p_no_leak": self.p_no_leak[p],
                        "first_intercept_t_s": self.first_intercept_t_s[p],
                    }
                )
            )  # fmt: skip
        return pd.concat(frames, ignore_index=True)

    def summary(self) -> dict[str, Any]:
        """JSON-ready: the request and, per policy, the defended area and cell counts."""
        rows = []
        for p in self.policies:
            eng = self.engageable[p] & self.in_range
            pnl = self.p_no_leak[p][self.in_range]
            rows.append({
                "policy": p,
                "defended_area_km2": self.defended_area_km2(p),
                "engageable_cells": int(eng.sum()),
                "mean_opportunities_engageable": (
                    float(self.opportunities[p][eng].mean()) if eng.any() else 0.0
                ),
                "mean_p_no_leak_in_range": float(pnl.mean()) if pnl.size else None,
            })  # fmt: skip
        r, c = self.grid.shape
        return {
            "missile": self.missile,
            "launch": self.launch,
            "launch_lat_deg": self.launch_lat_deg,
            "launch_lon_deg": self.launch_lon_deg,
            "phase": self.world.phase,
            "region": [float(self.grid.lat_edges_deg[0]), float(self.grid.lon_edges_deg[0]),
                       float(self.grid.lat_edges_deg[-1]), float(self.grid.lon_edges_deg[-1])],
            "grid": [r, c],
            "cells_in_range": int(self.in_range.sum()),
            "in_range_area_km2": float(self.grid.area_km2[self.in_range].sum()),
            "cells_nation_by_territory": int(self.nation_by_territory.sum()),
            "policies": rows,
            "elapsed_s": self.elapsed_s,
        }  # fmt: skip


def footprint(
    scenario: Scenario | str | os.PathLike[str],
    *,
    launch: str,
    missile: str,
    region: str | Sequence[float] | None = None,
    grid: str | Sequence[int] | None = None,
    spacing_km: float | None = None,
    policies: Sequence[str] | None = None,
    phase: str | int | None = None,
    chunk_cells: int = CHUNK_CELLS,
    executor: Executor | str = "serial",
    workers: int | None = None,
    progress: Callable[[int, int, str], None] | None = None,
    territory: Territory | None = None,
) -> Footprint:
    """The defended area of ``scenario`` (phase ``phase``, the last by default) against one
    ``missile`` launched from ``launch``, over a grid of aim points.

    Parameters
    ----------
    scenario
        The loaded scenario, or a scenario file.
    launch
        ``LAT,LON`` in degrees, a launch area id (its centre) or a salvo id (its first launch
        point).
    missile
        A missile name (the scenario's ``threats.missiles`` or the catalog).
    region
        ``S,W,N,E`` in degrees; default a box around the assets.
    grid, spacing_km
        ``NxM`` cells (rows × columns), or cells about this size; default :data:`DEFAULT_GRID`.
    policies
        Policy names (default :data:`DEFAULT_POLICIES`).
    phase
        Deployment phase (name or index).
    chunk_cells
        Cells per chunk (memory; results do not depend on it).
    executor, workers
        Where the chunks run (:func:`shieldwall.studies.executor.make_executor`: ``serial``,
        ``pool``, ``dask`` or a scheduler address) and on how many processes; the result does
        not depend on it.
    progress
        Called as ``progress(done, total, what)`` after each chunk.
    territory
        The cells' nations by territory (:data:`Territory`;
        :func:`shieldwall.io.territory.natural_earth_territory`); ``None``: defended radii and
        the asset rule only (module doc).

    Raises
    ------
    FootprintError
        Unknown missile or launch, bad region or grid, no cell within the missile's reach.
    SimulationError, ScenarioError
        Unknown policy or phase.
    """
    t0 = time.perf_counter()
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(Path(scenario))
    if isinstance(chunk_cells, bool) or not isinstance(chunk_cells, int) or chunk_cells < 1:
        raise _fail("chunk_cells", f"must be a whole number >= 1; got {chunk_cells!r}")
    k = phase_index(scenario, phase)
    base = compile_world(scenario, phase=k)
    lat0, lon0, label = _launch_point(scenario, base, launch)
    world = footprint_world(scenario, missile, lat0, lon0, k)
    pols = tuple(DEFAULT_POLICIES if policies is None else policies)
    if not pols or len(set(pols)) != len(pols):
        raise _fail("policies", f"give distinct policies; got {list(pols)}")
    for p in pols:
        resolve_policy(world, p)
    g = make_grid(
        default_region(world) if region is None else parse_region(region),
        None if grid is None else parse_grid(grid),
        spacing_km,
    )
    if len(world.assets) == 0:
        raise _fail("region", "the scenario has no assets (a cell's nation is its nearest asset's)")
    lat = np.radians(g.lat_deg)
    lon = np.radians(g.lon_deg)
    own = None
    if territory is not None:
        own = np.asarray(
            territory(world.nations.id, world.nations.name, g.lat_deg, g.lon_deg), dtype=np.int64
        )
        if own.shape != (g.n_cells,) or ((own < -1) | (own >= len(world.nations))).any():
            raise _fail(
                "territory",
                f"must give one nation index per cell ({g.n_cells}), each -1 or below "
                f"{len(world.nations)}; got shape {own.shape}",
            )
    nation, by_land = _cell_nations(world, lat, lon, _city_assets(scenario, world), own)
    flyouts = tuple(flyout_tables(world))
    n = g.n_cells
    n_chunks = -(-n // chunk_cells)
    tasks = []
    for c in range(n_chunks):
        sl = slice(c * chunk_cells, min(n, (c + 1) * chunk_cells))
        tasks.append(_Task(world, flyouts, lat[sl], lon[sl], nation[sl], pols))
    done: dict[int, tuple[B, dict[str, _PolicyCells]]] = {}
    ex = make_executor(executor, workers)
    try:
        for c, result in ex.map(_run_task, tasks, list(range(n_chunks))):
            done[c] = result
            if progress:
                progress(len(done), n_chunks, f"footprint: {len(done)}/{n_chunks} chunks of cells")
    finally:
        ex.close()
    in_range = np.concatenate([done[c][0] for c in range(n_chunks)])
    cat = {
        f: {p: np.concatenate([getattr(done[c][1][p], f) for c in range(n_chunks)]) for p in pols}
        for f in _FIELDS
    }
    if not in_range.any():
        raise _fail(
            "launch",
            f"no cell of the region is within the {missile}'s reach from {label} "
            f"({math.degrees(float(world.missiles.max_range_m[0]) / R_SPHERE_M):.1f}° max range): "
            "choose a nearer launch point or another region",
        )
    return Footprint(
        world=world, grid=g, missile=missile, launch=label, launch_lat_deg=lat0,
        launch_lon_deg=lon0, policies=pols, in_range=in_range, cell_nation=nation,
        nation_by_territory=by_land,
        engageable=cat["engageable"], opportunities=cat["opportunities"],
        battery_mask=cat["battery_mask"], p_no_leak=cat["p_no_leak"],
        first_intercept_t_s=cat["first_intercept_t_s"], elapsed_s=time.perf_counter() - t0,
    )  # fmt: skip
