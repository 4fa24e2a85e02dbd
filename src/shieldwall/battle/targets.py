"""What each threat will truly hit, and where the assets lie around its impact point.

:func:`threat_targets` gives the truth the outcome is scored on (docs/battle.md §1); the asset
offsets in the east–north plane at each true impact point are what believed targets are measured
against (§3.3).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from shieldwall._types import F64, I64
from shieldwall.battle.inputs import TrajectoriesLike, WorldLike
from shieldwall.earth.geodesy import enu_rotation

__all__ = ["CLASS_COLUMN", "Targets", "asset_offsets_en_m", "threat_targets"]

#: Column of each threat class in per-class arrays (``pk``, ``common_mode``).
CLASS_COLUMN = {"srbm": 0, "mrbm": 1, "irbm": 2}


@dataclass(frozen=True, kw_only=True)
class Targets:
    """What each threat is aimed at, and how much that matters (the truth).

    Attributes
    ----------
    asset_idx : (n_threat,) int
        Defended asset the threat will hit; -1 when it falls on no defended asset.
    nation_idx : (n_threat,) int
        Nation owning that asset; -1 when none.
    value : (n_threat,)
        Value of that asset (0 when none). [value units]
    reliability : (n_threat,)
        Probability the threat missile flies to impact (no in-flight failure). []
    impact_t_s : (n_threat,)
        Nominal impact time. [s]
    threat_class : (n_threat,) int
        0 srbm, 1 mrbm, 2 irbm (the column of ``InterceptorTable.pk``).
    """

    asset_idx: I64
    nation_idx: I64
    value: F64
    reliability: F64
    impact_t_s: F64
    threat_class: I64

    @property
    def n_threats(self) -> int:
        """Number of threats."""
        return int(self.asset_idx.shape[0])


def threat_targets(world: WorldLike, trajectories: TrajectoriesLike) -> Targets:
    """Which defended asset each threat will hit.

    A threat aimed at an asset hits it; a threat aimed at a location hits the nearest asset whose
    radius contains the true impact point, or nothing.
    """
    assets = world.assets
    aim = np.asarray(world.raid.aim_asset_idx, dtype=np.int64)
    n_t = aim.shape[0]
    n_a = int(np.asarray(assets.value).shape[0])
    if n_a:
        d_m = np.linalg.norm(
            np.asarray(trajectories.impact_r_ecef_m)[:, None, :]
            - np.asarray(assets.r_ecef_m)[None, :, :],
            axis=-1,
        )
        d_m = np.where(d_m <= np.asarray(assets.radius_m)[None, :], d_m, np.inf)
        nearest = np.argmin(d_m, axis=1)
        hit = np.isfinite(d_m[np.arange(n_t), nearest])
        asset_idx = np.where(aim >= 0, aim, np.where(hit, nearest, -1))
    else:
        asset_idx = np.full(n_t, -1, dtype=np.int64)
    has = asset_idx >= 0
    safe = np.where(has, asset_idx, 0)
    nation = np.where(has, np.asarray(assets.nation_idx)[safe] if n_a else -1, -1)
    value = np.where(has, np.asarray(assets.value, dtype=np.float64)[safe] if n_a else 0.0, 0.0)
    midx = np.asarray(trajectories.missile_idx, dtype=np.int64)
    klass = np.array([CLASS_COLUMN[c] for c in world.missiles.threat_class], dtype=np.int64)
    return Targets(
        asset_idx=asset_idx.astype(np.int64),
        nation_idx=np.asarray(nation, dtype=np.int64),
        value=np.asarray(value, dtype=np.float64),
        reliability=np.asarray(world.missiles.reliability, dtype=np.float64)[midx],
        impact_t_s=np.asarray(trajectories.impact_t_s, dtype=np.float64),
        threat_class=klass[midx],
    )


def asset_offsets_en_m(
    asset_r_ecef_m: F64, impact_r_ecef_m: F64, impact_lat_rad: F64, impact_lon_rad: F64
) -> F64:
    """Each asset's offset from each true impact point, (east, north) at that point.

    Parameters
    ----------
    asset_r_ecef_m : (n_asset, 3)
        Asset positions. [m]
    impact_r_ecef_m : (n_threat, 3)
        True impact points. [m]
    impact_lat_rad, impact_lon_rad : (n_threat,)
        Their geodetic latitude and longitude. [rad]

    Returns
    -------
    (n_threat, n_asset, 2)
        Projection of ``asset − impact`` on the local east and north axes. [m]
    """
    rot = enu_rotation(impact_lat_rad, impact_lon_rad)[:, :2, :]  # (n_t, 2, 3)
    d = np.asarray(asset_r_ecef_m)[None, :, :] - np.asarray(impact_r_ecef_m)[:, None, :]
    return np.asarray(np.einsum("tke,tae->tak", rot, d), dtype=np.float64)
