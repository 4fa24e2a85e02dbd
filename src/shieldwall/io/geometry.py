"""Geometry for records, exports and maps: positions at event times, coverage fans, flyout arcs.

Everything here is for display and for the run record; the simulation's own geometry is in the
stages (``flight``, ``sensing``, ``battle``).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from shieldwall._types import F64, I64
from shieldwall.earth.geodesy import geodesic_direct, geodesic_inverse

__all__ = ["coverage_fan_deg", "detection_range_m", "flyout_arc_deg", "position_at"]


def position_at(t_grid_s: F64, r_ecef_m: F64, threat_idx: I64, t_s: ArrayLike) -> F64:
    """Where each threat is at a time, by linear interpolation on its trajectory samples.

    Parameters
    ----------
    t_grid_s : (n_threat, m)
        Sample times, NaN padding after impact (``Trajectories.t_s``). [s]
    r_ecef_m : (n_threat, m, 3)
        Sample positions (``Trajectories.r_ecef_m``). [m]
    threat_idx : (e,) int
        Threat of each query.
    t_s : (e,)
        Query times; clamped to the threat's first and last sample. [s]

    Returns
    -------
    (e, 3) ECEF position; NaN for a threat without samples. [m]
    """
    idx = np.asarray(threat_idx, dtype=np.int64)
    t = np.asarray(t_s, dtype=np.float64)
    if idx.size == 0:
        return np.zeros((0, 3))
    grid = t_grid_s[idx]  # (e, m)
    n_valid = np.isfinite(grid).sum(axis=1)
    last = np.maximum(n_valid - 1, 0)
    filled = np.where(np.isfinite(grid), grid, np.inf)
    # first sample at or after t (searchsorted per row, rows are increasing then inf)
    k = (filled < t[:, None]).sum(axis=1)
    k1 = np.clip(k, 1, np.maximum(last, 1))
    k0 = k1 - 1
    rows = np.arange(idx.size)
    t0, t1 = grid[rows, k0], grid[rows, np.minimum(k1, last)]
    r0 = r_ecef_m[idx, k0]
    r1 = r_ecef_m[idx, np.minimum(k1, last)]
    with np.errstate(invalid="ignore", divide="ignore"):
        w = np.where(t1 > t0, (t - t0) / (t1 - t0), 0.0)
    w = np.clip(np.nan_to_num(w), 0.0, 1.0)
    out: F64 = r0 + w[:, None] * (r1 - r0)
    out[n_valid == 0] = np.nan
    return out


def detection_range_m(r0_m: ArrayLike, rcs_m2: float) -> F64:
    """Cued detection range against a target of cross section ``rcs_m2``: ``r0 · σ^¼``.

    The range at which the target gives the reference SNR of ``r0`` (the radar equation, SNR ∝
    σ / R⁴; :func:`shieldwall.sensing.radar.snr`). [m]
    """
    out: F64 = np.asarray(r0_m, dtype=np.float64) * max(float(rcs_m2), 0.0) ** 0.25
    return out


def coverage_fan_deg(
    lat_deg: float,
    lon_deg: float,
    boresight_az_deg: float,
    half_az_deg: float,
    range_m: float,
    n_arc: int = 48,
) -> F64:
    """Ground outline of a radar's coverage sector as a closed (lon, lat) ring in degrees.

    A sector of half-width ``half_az_deg`` about the boresight out to ``range_m`` along
    geodesics (a full circle when ``half_az_deg >= 180``). The horizon and elevation limits are
    not drawn: it shows where the radar looks and how far, not what it sees at a given altitude.

    Returns
    -------
    (k, 2) longitude, latitude; first point = last point. [deg]
    """
    full = half_az_deg >= 180.0
    if full:
        az = np.linspace(0.0, 360.0, n_arc + 1)
    else:
        az = np.linspace(boresight_az_deg - half_az_deg, boresight_az_deg + half_az_deg, n_arc)
    lat2, lon2, _ = geodesic_direct(
        np.radians(lat_deg), np.radians(lon_deg), np.radians(az), np.full(az.shape, range_m)
    )
    ring = np.column_stack([np.degrees(lon2), np.degrees(lat2)])
    if not full:
        apex = np.array([[lon_deg, lat_deg]])
        ring = np.vstack([apex, ring, apex])
    else:
        ring[-1] = ring[0]
    return _unwrap_lon(ring)


def flyout_arc_deg(
    lat0_deg: float,
    lon0_deg: float,
    alt0_m: float,
    lat1_deg: float,
    lon1_deg: float,
    alt1_m: float,
    n: int = 16,
) -> F64:
    """An illustrative interceptor path from launcher to intercept point.

    Along the geodesic, with the altitude rising as ``sin(π f / 2)`` of the fraction ``f`` of
    the ground distance (steep first, then flattening, the shape of a boost then coast). For
    display only: the flyout model's time-to-reach tables do not keep the path.

    Returns
    -------
    (n, 3) longitude [deg], latitude [deg], altitude [m].
    """
    s12, az12, _ = geodesic_inverse(
        np.radians(lat0_deg), np.radians(lon0_deg), np.radians(lat1_deg), np.radians(lon1_deg)
    )
    f = np.linspace(0.0, 1.0, n)
    lat, lon, _ = geodesic_direct(
        np.full(n, np.radians(lat0_deg)),
        np.full(n, np.radians(lon0_deg)),
        np.full(n, float(az12)),
        f * float(s12),
    )
    alt = alt0_m + (alt1_m - alt0_m) * np.sin(0.5 * np.pi * f)
    ll = _unwrap_lon(np.column_stack([np.degrees(lon), np.degrees(lat)]))
    return np.column_stack([ll, alt])


def _unwrap_lon(lonlat: F64) -> F64:
    """Keep a path continuous across the antimeridian (longitudes may leave [-180, 180])."""
    out = np.array(lonlat, dtype=np.float64)
    out[:, 0] = np.degrees(np.unwrap(np.radians(out[:, 0])))
    return out
