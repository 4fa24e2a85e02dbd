"""Engagement windows: where each battery's interceptor can meet each threat (docs/battle.md §1–2).

Two steps, so that the expensive one is shared by every policy:

- :func:`reach` (policy-independent, once per raid geometry): for every battery and threat, the
  trajectory samples the interceptor's flyout reaches — midcourse or terminal phase, strictly
  before impact, flyout time ``τ(ground range, altitude)`` finite (altitude band, ground-range
  limits). Stored sparsely (only reachable samples), with the intercept point.
- :func:`guided` (per policy): which of those samples have guidance to intercept under the
  policy's levers — the battery's own fire-control radar tracks the threat there, or the type is
  remote-guidance capable and an own-nation radar (``ifc``) or a radar of a nation sharing at
  ``engage`` does.

Launching at ``t_j − τ_j`` meets the threat at ``t_j`` (Wilkening, 1998, *Science & Global
Security* 8(1): shoot-look-shoot needs the battle space to hold two flyouts and an assessment).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from shieldwall._types import F64, I64, B
from shieldwall.battle.inputs import (
    FlyoutLike,
    PictureLike,
    PolicyLike,
    TrajectoriesLike,
    WorldLike,
)
from shieldwall.earth.constants import R_SPHERE_M
from shieldwall.earth.geodesy import ecef_to_geodetic

__all__ = ["Reach", "ground_range_m", "guided", "reach"]


@dataclass(frozen=True, kw_only=True, eq=False)
class Reach:
    """Samples each battery's flyout reaches on each threat (policy-independent), by pairs.

    Attributes
    ----------
    pair_battery_idx, pair_threat_idx : (n_pair,) int
        Pairs with at least one reachable sample, sorted by threat then battery.
    pair_start : (n_pair + 1,) int
        Pair ``p``'s samples are ``pair_start[p] : pair_start[p + 1]`` (in time order).
    grid_idx : (n_rs,) int
        Index of the sample on the threat's trajectory grid.
    t_s, tau_s : (n_rs,)
        Intercept time and flyout time to it. [s]
    lat_rad, lon_rad, alt_m : (n_rs,)
        The intercept point. [rad], [m]
    """

    pair_battery_idx: I64
    pair_threat_idx: I64
    pair_start: I64
    grid_idx: I64
    t_s: F64
    tau_s: F64
    lat_rad: F64
    lon_rad: F64
    alt_m: F64

    @property
    def n_pairs(self) -> int:
        """Number of (battery, threat) pairs with a kinematic window."""
        return int(self.pair_battery_idx.shape[0])

    @property
    def pair_of_sample(self) -> I64:
        """Pair of each sample, ``(n_rs,)``."""
        return np.repeat(np.arange(self.n_pairs, dtype=np.int64), np.diff(self.pair_start))

    def first(self) -> tuple[F64, F64]:
        """First reachable intercept time of each pair and the flyout time to it. [s]"""
        s = self.pair_start[:-1]
        return self.t_s[s], self.tau_s[s]


def ground_range_m(site_r_ecef_m: F64, r_ecef_m: F64) -> F64:
    """Great-circle ground range from a site to the sub-point of each position (sphere). [m]

    Parameters
    ----------
    site_r_ecef_m : (3,)
        Site position. [m]
    r_ecef_m : (..., 3)
        Positions (NaN allowed: NaN out). [m]
    """
    return _ground_range_of_units(site_r_ecef_m, _units(r_ecef_m))


def _units(r_ecef_m: F64) -> F64:
    """Unit vectors of positions ``(..., 3)`` (NaN stays NaN)."""
    with np.errstate(invalid="ignore"):
        out: F64 = r_ecef_m / np.linalg.norm(r_ecef_m, axis=-1, keepdims=True)
    return out


def _ground_range_of_units(site_r_ecef_m: F64, u: F64) -> F64:
    """:func:`ground_range_m` from the positions' unit vectors (:func:`_units`, made once for
    every site). [m]"""
    u_site = site_r_ecef_m / np.linalg.norm(site_r_ecef_m)
    with np.errstate(invalid="ignore"):
        cos_c = np.clip(u @ u_site, -1.0, 1.0)
    return np.asarray(R_SPHERE_M * np.arccos(cos_c), dtype=np.float64)


def reach(world: WorldLike, trajectories: TrajectoriesLike, flyouts: Sequence[FlyoutLike]) -> Reach:
    """Reachable samples of every battery against every threat (docs/battle.md §1).

    One battery at a time (tens), vectorized over threats × samples.
    """
    bat = world.batteries
    t_s = np.asarray(trajectories.t_s, dtype=np.float64)
    alt_m = np.asarray(trajectories.alt_m, dtype=np.float64)
    r_m = np.asarray(trajectories.r_ecef_m, dtype=np.float64)
    phase = np.asarray(trajectories.phase)
    impact = np.asarray(trajectories.impact_t_s, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        usable = (phase >= 1) & np.isfinite(t_s) & (t_s < impact[:, None])
    parts: list[tuple[I64, I64, I64, F64]] = []  # battery, threat, grid index, tau
    units = _units(r_m)  # the samples' directions, for every battery's ground range
    for b in range(int(np.asarray(bat.nation_idx).shape[0])):
        itype = int(bat.interceptor_idx[b])
        gr = _ground_range_of_units(np.asarray(bat.r_ecef_m[b], dtype=np.float64), units)
        tau = np.asarray(flyouts[itype].time_to_reach(gr, alt_m), dtype=np.float64)
        ok = usable & np.isfinite(tau)
        i, j = np.nonzero(ok)
        parts.append((np.full(i.size, b, dtype=np.int64), i.astype(np.int64), j, tau[i, j]))
    b_all = np.concatenate([p[0] for p in parts]) if parts else np.zeros(0, np.int64)
    i_all = np.concatenate([p[1] for p in parts]) if parts else np.zeros(0, np.int64)
    j_all = np.concatenate([p[2] for p in parts]) if parts else np.zeros(0, np.int64)
    tau_all = np.concatenate([p[3] for p in parts]) if parts else np.zeros(0)
    n_b = max(int(np.asarray(bat.nation_idx).shape[0]), 1)
    order = np.lexsort((j_all, b_all, i_all))
    b_all, i_all, j_all, tau_all = b_all[order], i_all[order], j_all[order], tau_all[order]
    pair_key = i_all * n_b + b_all
    new = np.ones(pair_key.size, dtype=bool)
    new[1:] = pair_key[1:] != pair_key[:-1]
    starts = np.flatnonzero(new)
    lat, lon, alt = ecef_to_geodetic(r_m[i_all, j_all])
    return Reach(
        pair_battery_idx=b_all[starts],
        pair_threat_idx=i_all[starts],
        pair_start=np.append(starts, pair_key.size).astype(np.int64),
        grid_idx=j_all.astype(np.int64),
        t_s=t_s[i_all, j_all],
        tau_s=tau_all,
        lat_rad=np.asarray(lat, dtype=np.float64),
        lon_rad=np.asarray(lon, dtype=np.float64),
        alt_m=np.asarray(alt, dtype=np.float64),
    )


def guided(rch: Reach, world: WorldLike, picture: PictureLike, policy: PolicyLike) -> B:
    """Whether guidance to intercept is available at each reachable sample (docs/battle.md §2).

    Parameters
    ----------
    rch
        Reachable samples (:func:`reach`).
    world
        Batteries (radar, nation, type), interceptor types (``organic_guidance``, and the catalog
        key ``remote_guidance``: false where the world has none), radar nations.
    picture
        ``radar_tracks(radar, threat, sample)``: the radar holds a track and sees the threat
        there (single samples of ``radar_tracking (n_radar, n_threat, m)``).
    policy
        ``share`` (``engage`` = 3 grants remote guidance across nations) and ``ifc`` (own nation).

    Returns
    -------
    (n_rs,) bool
    """
    bat = world.batteries
    itc = world.interceptors
    organic = np.asarray(itc.organic_guidance, dtype=bool)
    remote_ok = np.asarray(
        getattr(itc, "remote_guidance", np.zeros(organic.shape, dtype=bool)), dtype=bool
    )
    radar_nat = np.asarray(world.radars.nation_idx, dtype=np.int64)
    share = np.asarray(policy.share)
    ifc = np.asarray(getattr(policy, "ifc", np.zeros(share.shape[0], dtype=bool)), dtype=bool)
    out = np.ones(rch.t_s.shape[0], dtype=bool)
    pair_b = rch.pair_battery_idx[rch.pair_of_sample]
    thr = rch.pair_threat_idx[rch.pair_of_sample]
    for b in np.unique(rch.pair_battery_idx).tolist():  # batteries: tens
        k = int(bat.interceptor_idx[b])
        if not organic[k]:
            continue
        sel = np.flatnonzero(pair_b == b)
        i, j = thr[sel], rch.grid_idx[sel]
        own = int(bat.radar_idx[b])
        # single samples of the picture's radar tracking (no (radar, threat, m) mask is made)
        ok = picture.radar_tracks(own, i, j) if own >= 0 else np.zeros(sel.size, dtype=bool)
        if remote_ok[k]:
            d = int(bat.nation_idx[b])
            others = np.arange(radar_nat.size) != own
            allowed = others & np.where(radar_nat == d, bool(ifc[d]), share[radar_nat, d] >= 3)
            for r in np.flatnonzero(allowed).tolist():  # radars: tens
                ok = ok | picture.radar_tracks(r, i, j)
        out[sel] = ok
    return out
