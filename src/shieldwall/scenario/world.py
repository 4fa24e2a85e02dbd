"""The compiled :class:`World`: tables of numpy arrays in SI units (docs/interfaces.md).

Every table is a frozen, keyword-only dataclass of equal-length arrays (struct of arrays); rows
are referred to elsewhere by integer index, ``-1`` meaning "none". Arrays are made read-only
when a table is built so that no stage can change the world another stage reads.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np
from numpy.typing import NDArray

from shieldwall._types import F64, I64, B
from shieldwall.scenario.doctrine import Doctrine

__all__ = [
    "THREAT_CLASSES",
    "AssetTable",
    "BatteryTable",
    "InterceptorTable",
    "MissileTable",
    "NationTable",
    "Policy",
    "RadarTable",
    "RaidTable",
    "SatelliteTable",
    "World",
]

I8 = NDArray[np.int8]

#: Column order of :attr:`InterceptorTable.pk`.
THREAT_CLASSES: tuple[str, ...] = ("srbm", "mrbm", "irbm")

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
    unit_cost_usd: F64 = field(default_factory=_unpriced)  # USD 2024; NaN = not priced


@dataclass(frozen=True, kw_only=True)
class InterceptorTable(_Table):
    """One row per interceptor type used by the batteries (SI)."""

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
