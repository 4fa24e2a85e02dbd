"""Engagement opportunities: which battery can shoot at which threat, when, and how often.

:func:`find_opportunities` turns trajectories, the track picture and the flyout tables into the
:class:`Opportunities` table under one sharing policy. It is deterministic: random draws (detection
delays, kills) are the Monte Carlo's business (:mod:`shieldwall.outcome`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from shieldwall._types import F64, I64
from shieldwall.battle.inputs import (
    FlyoutLike,
    PictureLike,
    PolicyLike,
    TrajectoriesLike,
    WorldLike,
)
from shieldwall.battle.windows import engagement_windows
from shieldwall.earth.constants import R_SPHERE_M

__all__ = [
    "MAX_SLOTS",
    "Opportunities",
    "Targets",
    "find_opportunities",
    "threat_targets",
]


#: Most shoot-look-shoot slots tracked per (battery, threat) pair.
MAX_SLOTS = 4
_CLASS_COLUMN = {"srbm": 0, "mrbm": 1, "irbm": 2}


@dataclass(frozen=True, kw_only=True)
class Targets:
    """What each threat is aimed at, and how much that matters.

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


@dataclass(frozen=True, kw_only=True)
class Opportunities:
    """Engagement windows under one policy: one row per (battery, threat) pair with a window.

    Columnar; rows are sorted by threat then battery. Slot columns have ``MAX_SLOTS`` entries,
    NaN beyond ``n_slots``.

    Attributes
    ----------
    policy : str
        Policy the windows were computed under.
    battery_idx, threat_idx, interceptor_idx : (n,) int
        The pair and the battery's interceptor type.
    track_t_s : (n,)
        Time the battery's nation gets a fire-control-quality track (own or received). [s]
    earliest_launch_t_s, latest_launch_t_s : (n,)
        First and last launch times that reach an admissible intercept point. [s]
    first_intercept_t_s, last_intercept_t_s : (n,)
        First and last admissible intercept times. [s]
    n_slots : (n,) int
        Shoot-look-shoot opportunities that fit (at least 1).
    launch_t_s, intercept_t_s, assess_t_s : (n, MAX_SLOTS)
        Launch, intercept and kill-assessment-complete time of each slot. [s]
    pk : (n,)
        Single-shot kill probability of the interceptor against the threat's class. []
    reliability : (n,)
        Interceptor reliability (1 when the catalog gives none). []
    upper_tier : (n,) bool
        Whether the interceptor is upper tier.
    remote : (n,) bool
        Whether the window needs a remote track (launch or engage on remote): the battery's own
        nation alone would not have it.
    """

    policy: str
    battery_idx: I64
    threat_idx: I64
    interceptor_idx: I64
    track_t_s: F64
    earliest_launch_t_s: F64
    latest_launch_t_s: F64
    first_intercept_t_s: F64
    last_intercept_t_s: F64
    n_slots: I64
    launch_t_s: F64
    intercept_t_s: F64
    assess_t_s: F64
    pk: F64
    reliability: F64
    upper_tier: NDArray[np.bool_]
    remote: NDArray[np.bool_]

    @property
    def n_rows(self) -> int:
        """Number of (battery, threat) pairs with a window."""
        return int(self.battery_idx.shape[0])

    def columns(self) -> dict[str, NDArray[np.generic]]:
        """Flat columns (slot arrays split per slot) for tables and Parquet."""
        cols: dict[str, NDArray[np.generic]] = {
            "battery_idx": self.battery_idx,
            "threat_idx": self.threat_idx,
            "interceptor_idx": self.interceptor_idx,
            "track_t_s": self.track_t_s,
            "earliest_launch_t_s": self.earliest_launch_t_s,
            "latest_launch_t_s": self.latest_launch_t_s,
            "first_intercept_t_s": self.first_intercept_t_s,
            "last_intercept_t_s": self.last_intercept_t_s,
            "n_slots": self.n_slots,
            "pk": self.pk,
            "reliability": self.reliability,
            "upper_tier": self.upper_tier,
            "remote": self.remote,
        }
        for k in range(self.launch_t_s.shape[1]):
            cols[f"launch_{k}_t_s"] = self.launch_t_s[:, k]
            cols[f"intercept_{k}_t_s"] = self.intercept_t_s[:, k]
        return cols


def threat_targets(world: WorldLike, trajectories: TrajectoriesLike) -> Targets:
    """Which defended asset each threat will hit.

    A threat aimed at an asset hits it; a threat aimed at a location hits the nearest asset whose
    radius contains the nominal impact point, or nothing.

    Parameters
    ----------
    world
        The compiled world.
    trajectories
        Flown raid (for impact points and times).
    """
    assets = world.assets
    aim = np.asarray(world.raid.aim_asset_idx, dtype=np.int64)
    n_t = aim.shape[0]
    asset_idx = aim.copy()
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
    klass = np.array([_CLASS_COLUMN[c] for c in world.missiles.threat_class], dtype=np.int64)
    return Targets(
        asset_idx=asset_idx.astype(np.int64),
        nation_idx=np.asarray(nation, dtype=np.int64),
        value=np.asarray(value, dtype=np.float64),
        reliability=np.asarray(world.missiles.reliability, dtype=np.float64)[midx],
        impact_t_s=np.asarray(trajectories.impact_t_s, dtype=np.float64),
        threat_class=klass[midx],
    )


def ground_range_m(site_r_ecef_m: F64, r_ecef_m: F64) -> F64:
    """Great-circle ground range from a site to the sub-point of each position (sphere).

    Parameters
    ----------
    site_r_ecef_m : (3,)
        Site position. [m]
    r_ecef_m : (..., 3)
        Positions (NaN allowed). [m]

    Returns
    -------
    (...,) ground range on a sphere of radius ``R_SPHERE_M``; NaN where the position is NaN. [m]
    """
    u_site = site_r_ecef_m / np.linalg.norm(site_r_ecef_m)
    with np.errstate(invalid="ignore"):
        u = r_ecef_m / np.linalg.norm(r_ecef_m, axis=-1, keepdims=True)
        cos_c = np.clip(u @ u_site, -1.0, 1.0)
    return np.asarray(R_SPHERE_M * np.arccos(cos_c), dtype=np.float64)


def _guided(
    picture: PictureLike,
    battery_radar_idx: int,
    nation_idx: int,
    organic: bool,
    shape: tuple[int, int],
) -> NDArray[np.bool_]:
    """Where guidance to intercept is available for one battery, ``(n_threat, m)``.

    Interceptors without organic guidance fly out on the track alone. Organic-guidance
    interceptors need the battery's own radar tracking the threat at the intercept point, or,
    where the policy allows engage on remote, any radar whose data may guide the nation's
    interceptors (``picture.guidance_radars``).
    """
    if not organic:
        return np.ones(shape, dtype=bool)
    tracking = np.asarray(picture.radar_tracking, dtype=bool)
    guided = tracking[battery_radar_idx] if battery_radar_idx >= 0 else np.zeros(shape, bool)
    radars = np.asarray(picture.guidance_radars, dtype=bool)[nation_idx]
    if radars.any():
        guided = guided | tracking[radars].any(axis=0)
    return np.asarray(guided, dtype=bool)


def find_opportunities(
    *,
    world: WorldLike,
    trajectories: TrajectoriesLike,
    picture: PictureLike,
    flyouts: Sequence[FlyoutLike],
    policy: PolicyLike,
    targets: Targets,
    national_track_t_s: F64 | None = None,
) -> Opportunities:
    """Engagement windows of every battery against every threat under ``policy``.

    Parameters
    ----------
    world
        The compiled world.
    trajectories
        The flown raid.
    picture
        Each nation's fused track picture under ``policy`` (fire-control times; which radars
        track each threat and may guide each nation's interceptors).
    flyouts
        Flyout tables indexed like ``world.interceptors``.
    policy
        The sharing policy (``defends`` limits which threats a battery may engage).
    targets
        What each threat is aimed at (:func:`threat_targets`).
    national_track_t_s : (n_nat, n_threat), optional
        Fire-control track times each nation gets alone; used only to flag ``remote`` rows.

    Returns
    -------
    Opportunities
        Rows for pairs with at least one slot. The loop runs over batteries (tens); each battery's
        windows are vectorized over threats × time samples.
    """
    bat = world.batteries
    itc = world.interceptors
    t_s = np.asarray(trajectories.t_s, dtype=np.float64)
    alt_m = np.asarray(trajectories.alt_m, dtype=np.float64)
    r_m = np.asarray(trajectories.r_ecef_m, dtype=np.float64)
    phase = np.asarray(trajectories.phase)
    n_t = t_s.shape[0]
    defends = np.asarray(policy.defends, dtype=bool)
    # Boost-phase intercepts are out of scope for the terminal/midcourse systems modelled here.
    in_flight = phase >= 1
    parts: list[dict[str, NDArray[np.generic]]] = []
    fc_cache: dict[tuple[int, float], F64] = {}
    for b in range(int(np.asarray(bat.nation_idx).shape[0])):
        nation = int(bat.nation_idx[b])
        itype = int(bat.interceptor_idx[b])
        allowed = (targets.nation_idx >= 0) & defends[nation, np.maximum(targets.nation_idx, 0)]
        if not allowed.any():
            continue
        sigma = float(itc.fcq_ipp_sigma_m[itype])
        key = (nation, sigma)
        if key not in fc_cache:
            fc_cache[key] = np.asarray(picture.fire_control_time(nation, sigma), dtype=np.float64)
        track_t = fc_cache[key]
        earliest = np.where(allowed, track_t + float(itc.reaction_time_s[itype]), np.inf)
        gr = ground_range_m(np.asarray(bat.r_ecef_m[b], dtype=np.float64), r_m)
        tau = np.asarray(flyouts[itype].time_to_reach(gr, alt_m), dtype=np.float64)
        tau = np.where(in_flight, tau, np.nan)
        organic = bool(itc.organic_guidance[itype])
        guided = _guided(picture, int(bat.radar_idx[b]), nation, organic, t_s.shape)
        win = engagement_windows(
            t_s=t_s,
            tau_s=tau,
            guided=guided,
            earliest_launch_t_s=earliest,
            kill_assessment_s=float(itc.kill_assessment_s[itype]),
            max_slots=MAX_SLOTS,
        )
        rows = np.flatnonzero(win.n_slots > 0)
        if rows.size == 0:
            continue
        pk = np.asarray(itc.pk, dtype=np.float64)[itype, targets.threat_class[rows]]
        if national_track_t_s is not None:
            alone = np.asarray(national_track_t_s, dtype=np.float64)[nation, rows]
            remote = alone > track_t[rows] + 1e-9
        else:
            remote = np.zeros(rows.size, dtype=bool)
        ka = float(itc.kill_assessment_s[itype])
        upper = itc.tier[itype] == "upper"
        parts.append(
            {
                "battery_idx": np.full(rows.size, b, dtype=np.int64),
                "threat_idx": rows.astype(np.int64),
                "interceptor_idx": np.full(rows.size, itype, dtype=np.int64),
                "track_t_s": track_t[rows],
                "earliest_launch_t_s": win.earliest_launch_t_s[rows],
                "latest_launch_t_s": win.latest_launch_t_s[rows],
                "first_intercept_t_s": win.first_intercept_t_s[rows],
                "last_intercept_t_s": win.last_intercept_t_s[rows],
                "n_slots": win.n_slots[rows],
                "launch_t_s": win.launch_t_s[rows],
                "intercept_t_s": win.intercept_t_s[rows],
                "assess_t_s": win.intercept_t_s[rows] + ka,
                "pk": pk,
                "reliability": np.ones(rows.size),
                "upper_tier": np.full(rows.size, upper),
                "remote": remote,
            }
        )
    return _assemble(policy.name, parts, n_t)


def _assemble(policy: str, parts: list[dict[str, NDArray[np.generic]]], n_t: int) -> Opportunities:
    del n_t
    if not parts:
        return empty_opportunities(policy)
    cols = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    order = np.lexsort((cols["battery_idx"], cols["threat_idx"]))
    cols = {k: v[order] for k, v in cols.items()}
    return Opportunities(policy=policy, **cols)


def empty_opportunities(policy: str) -> Opportunities:
    """An :class:`Opportunities` table with no rows."""
    i0 = np.zeros(0, dtype=np.int64)
    f0 = np.zeros(0)
    s0 = np.zeros((0, MAX_SLOTS))
    b0 = np.zeros(0, dtype=bool)
    return Opportunities(
        policy=policy,
        battery_idx=i0,
        threat_idx=i0,
        interceptor_idx=i0,
        track_t_s=f0,
        earliest_launch_t_s=f0,
        latest_launch_t_s=f0,
        first_intercept_t_s=f0,
        last_intercept_t_s=f0,
        n_slots=i0,
        launch_t_s=s0,
        intercept_t_s=s0,
        assess_t_s=s0,
        pk=f0,
        reliability=f0,
        upper_tier=b0,
        remote=b0,
    )
