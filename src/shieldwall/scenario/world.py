"""The compiled :class:`World`: tables of numpy arrays in SI units (docs/interfaces.md).

Every table is a frozen, keyword-only dataclass of equal-length arrays (struct of arrays); rows
are referred to elsewhere by integer index, ``-1`` meaning "none". Arrays are made read-only
when a table is built so that no stage can change the world another stage reads.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

from shieldwall._types import F64, I64, B
from shieldwall.errors import Problem
from shieldwall.scenario.catalog.keys import THREAT_CLASSES
from shieldwall.scenario.doctrine import Doctrine
from shieldwall.scenario.source import Source, format_path

__all__ = [
    "THREAT_CLASSES",
    "AssetTable",
    "BatteryTable",
    "InterceptorTable",
    "MissileTable",
    "NationTable",
    "Origin",
    "Policy",
    "RadarTable",
    "RaidTable",
    "SalvoTable",
    "SatelliteTable",
    "World",
]

I8 = NDArray[np.int8]

#: Raid ``shape`` codes.
SHAPE_CODES: dict[str, int] = {"min_energy": 0, "lofted": 1, "depressed": 2, "explicit": 3}


def _unpriced() -> F64:
    """Default of a cost column: not given (filled with NaN, one per row, by ``_Table``)."""
    return np.zeros(0)


#: Cost columns (USD at 2024 prices); a table built without one has NaN costs (not priced).
_COST_COLUMNS = frozenset(
    {"unit_cost_usd", "round_cost_usd", "launcher_cost_usd", "battery_cost_usd"}
)


class _Table:
    """Freezes its array fields (read-only) after construction; cost columns not given are NaN."""

    def __post_init__(self) -> None:
        n = len(self)
        for f in fields(self):  # type: ignore[arg-type]
            value = getattr(self, f.name)
            if f.name in _COST_COLUMNS and isinstance(value, np.ndarray) and value.size == 0 < n:
                value = np.full(n, np.nan)
                object.__setattr__(self, f.name, value)
            if isinstance(value, np.ndarray):
                value.setflags(write=False)

    def __len__(self) -> int:
        first = getattr(self, fields(self)[0].name)  # type: ignore[arg-type]
        return len(first)


@dataclass(frozen=True, kw_only=True)
class NationTable(_Table):
    """Nations. ``id`` and ``name`` per row."""

    id: tuple[str, ...]
    name: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class AssetTable(_Table):
    """Defended assets (point sites with a value and a defended radius)."""

    id: tuple[str, ...]
    name: tuple[str, ...]
    nation_idx: I64
    lat_rad: F64
    lon_rad: F64
    alt_m: F64
    r_ecef_m: F64  # (n, 3)
    value: F64
    radius_m: F64


@dataclass(frozen=True, kw_only=True)
class MissileTable(_Table):
    """One row per missile type used by the raid (catalog values + overrides, SI)."""

    name: tuple[str, ...]
    threat_class: tuple[str, ...]
    max_range_m: F64
    min_range_m: F64
    burn_time_s: F64
    burnout_alt_m: F64
    rcs_booster_m2: F64
    rcs_rv_m2: F64
    beta_pa: F64
    reliability: F64
    free_flight_failure_fraction: F64
    unit_cost_usd: F64 = field(default_factory=_unpriced)  # USD 2024; NaN = not priced


@dataclass(frozen=True, kw_only=True)
class InterceptorTable(_Table):
    """One row per interceptor type used by the batteries (SI).

    ``pk`` and ``common_mode`` have one column per threat class (:data:`THREAT_CLASSES`).
    ``reliability`` is the probability a round works; ``remote_guidance`` whether a radar other
    than the battery's fire-control radar may guide it to intercept where the policy allows;
    ``common_mode[type, class]`` the probability that every round of the type misses a given
    threat of that class in a trial (correlated failure).
    """

    name: tuple[str, ...]
    tier: tuple[str, ...]
    burn_time_s: F64
    burnout_speed_mps: F64
    beta_pa: F64
    min_alt_m: F64
    max_alt_m: F64
    min_ground_range_m: F64
    max_ground_range_m: F64
    reaction_time_s: F64
    kill_assessment_s: F64
    organic_guidance: B
    fcq_ipp_sigma_m: F64
    pk: F64  # (n, 3): columns THREAT_CLASSES
    reliability: F64
    remote_guidance: B
    common_mode: F64  # (n, 3): columns THREAT_CLASSES
    # Costs, USD at 2024 prices (NaN = not priced): one round, one launcher, and the rest of a
    # fire unit without launchers, rounds and its radar (catalog keys *_cost_musd).
    round_cost_usd: F64 = field(default_factory=_unpriced)
    launcher_cost_usd: F64 = field(default_factory=_unpriced)
    battery_cost_usd: F64 = field(default_factory=_unpriced)


@dataclass(frozen=True, kw_only=True)
class RadarTable(_Table):
    """Radars (stand-alone and organic to batteries)."""

    id: tuple[str, ...]
    nation_idx: I64
    type: tuple[str, ...]
    platform: tuple[str, ...]
    band: tuple[str, ...]
    lat_rad: F64
    lon_rad: F64
    alt_m: F64
    r_ecef_m: F64  # (n, 3)
    boresight_az_rad: F64
    half_az_rad: F64
    min_el_rad: F64
    max_el_rad: F64
    r0_m: F64
    search_range_factor: F64
    search_el_rad: F64
    beamwidth_rad: F64
    revisit_s: F64
    range_sigma_m: F64
    angle_sigma_rad: F64
    battery_idx: I64
    unit_cost_usd: F64 = field(default_factory=_unpriced)  # USD 2024 (a ship: its radar)


@dataclass(frozen=True, kw_only=True)
class SatelliteTable(_Table):
    """Early-warning satellite systems."""

    id: tuple[str, ...]
    nation_idx: I64
    type: tuple[str, ...]
    latency_s: F64
    launch_point_sigma_m: F64
    azimuth_sigma_rad: F64


@dataclass(frozen=True, kw_only=True)
class BatteryTable(_Table):
    """Interceptor batteries (ground or ship)."""

    id: tuple[str, ...]
    nation_idx: I64
    interceptor_idx: I64
    launchers: I64
    per_launcher: I64
    inventory: I64
    fire_channels: I64
    platform: tuple[str, ...]
    lat_rad: F64
    lon_rad: F64
    alt_m: F64
    r_ecef_m: F64  # (n, 3)
    radar_idx: I64


@dataclass(frozen=True, kw_only=True)
class RaidTable(_Table):
    """One row per missile launched."""

    missile_idx: I64
    salvo_idx: I64
    launch_t_s: F64
    launch_lat_rad: F64
    launch_lon_rad: F64
    aim_lat_rad: F64
    aim_lon_rad: F64
    aim_asset_idx: I64
    shape: I8  # SHAPE_CODES
    apogee_m: F64
    burnout_speed_mps: F64
    burnout_angle_rad: F64


@dataclass(frozen=True, kw_only=True)
class SalvoTable(_Table):
    """One row per salvo of the raid (``RaidTable.salvo_idx`` indexes it).

    Attributes
    ----------
    id : tuple[str, ...]
        The salvo's ``id``, or ``raid[s]`` (its position in ``threats.raid``) when it has none.
    launch_area : tuple[str, ...]
        Id of its launch area.
    missile_idx, count : (n,)
        Missile type (row of ``World.missiles``) and number of missiles.
    probe_lat_rad, probe_lon_rad : (n, 2)
        The points of the launch area nearest to and farthest from the aim point (a point area:
        the point twice). Any launch point drawn in the area lies between them in range, so a
        salvo that can be flown from both can be flown from anywhere in its area. [rad]
    """

    id: tuple[str, ...]
    launch_area: tuple[str, ...]
    missile_idx: I64
    count: I64
    probe_lat_rad: F64
    probe_lon_rad: F64

    @classmethod
    def empty(cls) -> SalvoTable:
        """A table with no salvos (worlds built without a scenario)."""
        z = np.zeros((0, 2))
        return cls(
            id=(), launch_area=(), missile_idx=np.zeros(0, np.int64),
            count=np.zeros(0, np.int64), probe_lat_rad=z, probe_lon_rad=z.copy(),
        )  # fmt: skip


Path_ = tuple[str | int, ...]


@dataclass(frozen=True, kw_only=True)
class Origin:
    """Where the rows of a World were written, so that any stage can point at the scenario file.

    Parameters
    ----------
    source
        File name and ``line:col`` of every key and value of the scenario document (no data).
    rows
        Per table (``"salvos"``, ``"missiles"``, ``"interceptors"``, ``"batteries"``,
        ``"radars"``, ``"satellites"``, ``"assets"``): the document path of each row, e.g.
        ``("threats", "raid", 3)`` for salvo 3 or ``("phases", 1, "add", "batteries", 0)``.
    """

    source: Source = field(default_factory=lambda: Source(data=None))
    rows: Mapping[str, tuple[Path_, ...]] = field(default_factory=dict)

    @property
    def file(self) -> str:
        """The scenario file (``""`` for text or a dict)."""
        return self.source.file

    def path(self, table: str, row: int) -> Path_:
        """Document path of row ``row`` of ``table`` (``()`` if unknown)."""
        paths = self.rows.get(table, ())
        return paths[row] if 0 <= row < len(paths) else ()

    def problem(
        self, path: Sequence[str | int], message: str, *, severity: str = "error"
    ) -> Problem:
        """A :class:`Problem` at a document path, with its ``file:line:col``."""
        return self.source.problem(path, message, severity=severity)

    def row_problem(
        self, table: str, row: int, message: str, *, field: str = "", severity: str = "error"
    ) -> Problem:
        """A :class:`Problem` at row ``row`` of ``table`` (or at one of its fields)."""
        path = self.path(table, row)
        return self.problem((*path, field) if field and path else path, message, severity=severity)

    def label(self, table: str, row: int) -> str:
        """The row's document path as text, e.g. ``threats.raid[3]``."""
        return format_path(self.path(table, row))


@dataclass(frozen=True, kw_only=True)
class Policy(_Table):
    """A data-sharing policy over the world's nations (DESIGN.md §3).

    Parameters
    ----------
    name
        Policy name.
    share
        ``share[src, dst]``: what ``src``'s sensors give ``dst`` (0 none, 1 early_warning,
        2 track, 3 engage; each implies the lower ones). Diagonal 3.
    latency_s
        Link latency ``src -> dst``; 0 on the diagonal. [s]
    defends
        ``defends[d, o]``: nation ``d``'s batteries may engage threats aimed at nation ``o``'s
        assets (engagement authority). Diagonal True unless a scenario removes it.
    ifc
        ``ifc[n]``: integrated fire control — nation ``n``'s remote-guidance-capable interceptors
        may be guided to intercept by ``n``'s own radars other than their battery's fire-control
        radar. Default False (each interceptor needs its own fire-control radar).
    """

    name: str
    share: I8
    latency_s: F64
    defends: B
    ifc: B

    def __len__(self) -> int:
        return int(self.share.shape[0])


@dataclass(frozen=True, kw_only=True)
class World:
    """Everything the simulation needs, in SI arrays (docs/interfaces.md)."""

    name: str
    epoch: str
    scenario_hash: str
    phase: str
    seed: int
    trials: int
    nations: NationTable
    assets: AssetTable
    missiles: MissileTable
    interceptors: InterceptorTable
    radars: RadarTable
    satellites: SatelliteTable
    batteries: BatteryTable
    raid: RaidTable
    policies: dict[str, Policy]
    doctrine: Doctrine = field(default_factory=Doctrine)
    salvos: SalvoTable = field(default_factory=SalvoTable.empty)
    origin: Origin = field(default_factory=Origin)
    #: Raid geometry samples (``settings.raid_samples`` > 1): ``raid_samples[0]`` is ``raid``;
    #: trial block ``k`` fights sample ``k % len(raid_samples)`` (docs/montecarlo.md §5).
    #: Empty: every trial fights ``raid``.
    raid_samples: tuple[RaidTable, ...] = ()

    @property
    def n_geometries(self) -> int:
        """Number of raid geometry samples (1 without ``raid_samples``)."""
        return max(1, len(self.raid_samples))

    def geometry(self, g: int) -> World:
        """This world with raid sample ``g`` as its raid (and no further samples)."""
        if not self.raid_samples:
            return self
        return replace(self, raid=self.raid_samples[g], raid_samples=())

    def nation_index(self, nation_id: str) -> int:
        """Row of a nation id (``-1`` if absent)."""
        return self.nations.id.index(nation_id) if nation_id in self.nations.id else -1

    def summary(self) -> dict[str, Any]:
        """Counts for people: what this world contains."""
        inventory: dict[str, int] = {}
        for idx, n in zip(self.batteries.interceptor_idx, self.batteries.inventory, strict=True):
            name = self.interceptors.name[int(idx)]
            inventory[name] = inventory.get(name, 0) + int(n)
        raid: dict[str, int] = {}
        for idx in self.raid.missile_idx:
            name = self.missiles.name[int(idx)]
            raid[name] = raid.get(name, 0) + 1
        return {
            "phase": self.phase,
            "nations": list(self.nations.id),
            "assets": len(self.assets),
            "radars": len(self.radars),
            "satellites": len(self.satellites),
            "batteries": len(self.batteries),
            "interceptors": inventory,
            "raid": raid,
            "raid_size": len(self.raid),
            "policies": list(self.policies),
        }
