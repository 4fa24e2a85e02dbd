"""Radar kernels: line of sight over the WGS-84 horizon, field of regard, SNR and Swerling-1 Pd.

All functions are vectorized and never raise part-way through an array: a sample a radar cannot
see gets ``visible = False`` and ``pd = 0``; NaN positions (trajectory padding) are not visible.

References
----------
- Skolnik (2001), *Introduction to Radar Systems*, 3rd ed., eq. 2.1 (SNR ∝ σ/R⁴) and §2.8
  (Swerling models); Richards (2005), *Fundamentals of Radar Signal Processing*, eq. 6.80:
  Swerling 1, single pulse (or non-coherently integrated look), ``Pd = Pfa^(1/(1+SNR))``.
- Doerry (2013), "Earth curvature and atmospheric refraction effects on radar signal
  propagation", Sandia SAND2012-10690, §3: the 4/3-Earth model bends a ray with curvature
  ``(1 - 1/k)/a``; seen from the radar the target's apparent elevation is raised by about
  ``(1 - 1/k) R / (2 a)`` at slant range ``R``.
"""

from __future__ import annotations

import numpy as np

from shieldwall._types import F64, B
from shieldwall.earth.constants import WGS84_A_M
from shieldwall.earth.geodesy import enu_rotation, geodetic_to_ecef

__all__ = [
    "PD_AT_R0",
    "PFA",
    "REFRACTION_K",
    "SNR_AT_R0",
    "horizon_dip_rad",
    "in_field_of_regard",
    "radar_aer",
    "snr",
    "swerling1_pd",
]


#: False-alarm probability per detection cell (a common design value; Skolnik 2001 §2.5).
PFA = 1e-6
#: Definition of the catalog's ``r0``: single-look Pd against 1 m² at range ``r0``.
PD_AT_R0 = 0.5
#: SNR (linear) at ``r0`` implied by Swerling 1, ``PFA`` and ``PD_AT_R0`` (≈ 18.9, 12.8 dB).
SNR_AT_R0 = float(np.log(PFA) / np.log(PD_AT_R0) - 1.0)
#: Effective-Earth-radius factor of the standard atmosphere (Doerry 2013, eq. 20).
REFRACTION_K = 4.0 / 3.0


def radar_aer(r_ecef_m: F64, lat_rad: F64, lon_rad: F64, alt_m: F64) -> tuple[F64, F64, F64]:
    """Azimuth, elevation and slant range from every radar to every target sample.

    Parameters
    ----------
    r_ecef_m
        Targets, ``(*shape, 3)``. [m]
    lat_rad, lon_rad, alt_m
        Radar sites, ``(n_radar,)``. [rad, rad, m]

    Returns
    -------
    az_rad, el_rad, range_m
        ``(n_radar, *shape)``; azimuth clockwise from north in [0, 2π), elevation above the
        site's geodetic horizontal plane, slant range. [rad, rad, m]

    Notes
    -----
    Bit-identical to :func:`shieldwall.earth.geodesy.ecef_to_aer` broadcast over the radars
    (its reference; tested), one radar at a time on its components: the ENU rotation's sums
    are taken in the order ``einsum`` takes them (``(x + z) + y``), without its broadcast
    ``(n_radar, *shape, 3)`` offset array and per-element 3x3 products.
    """
    r = np.asarray(r_ecef_m, dtype=np.float64)
    origin = geodetic_to_ecef(lat_rad, lon_rad, alt_m)
    rot = enu_rotation(lat_rad, lon_rad)
    n_radar = origin.shape[0]
    shape = (n_radar, *r.shape[:-1])
    az, el, rg = np.empty(shape), np.empty(shape), np.empty(shape)
    x, y, z = r[..., 0], r[..., 1], r[..., 2]
    for i in range(n_radar):  # radars (tens), each vectorized over every sample
        dx, dy, dz = x - origin[i, 0], y - origin[i, 1], z - origin[i, 2]
        rt = rot[i]
        e, n, u = ((rt[a, 0] * dx + rt[a, 2] * dz) + rt[a, 1] * dy for a in range(3))
        horiz = np.hypot(e, n)
        np.mod(np.arctan2(e, n), 2.0 * np.pi, out=az[i])
        np.arctan2(u, horiz, out=el[i])
        np.hypot(horiz, u, out=rg[i])
    return az, el, rg


def horizon_dip_rad(alt_m: F64) -> F64:
    """Dip of the geometric horizon below the horizontal plane for a site at height ``alt_m``.

    ``acos(a / (a + h))`` on a sphere of the WGS-84 equatorial radius (the ellipsoid changes it
    by well under 1 % at these heights). [rad]
    """
    h = np.maximum(np.asarray(alt_m, dtype=np.float64), 0.0)
    out: F64 = np.arccos(WGS84_A_M / (WGS84_A_M + h))
    return out


def in_field_of_regard(
    az_rad: F64,
    el_rad: F64,
    range_m: F64,
    *,
    boresight_az_rad: F64,
    half_az_rad: F64,
    min_el_rad: F64,
    max_el_rad: F64,
    site_alt_m: F64,
    refraction: bool = True,
) -> B:
    """Whether each sample is above the horizon and inside the radar's field of regard.

    Radar parameters have shape ``(n_radar,)`` and broadcast against the leading axis of the
    geometry ``(n_radar, ...)``. A half-width of π (or more) is a full circle.

    The apparent elevation (4/3-Earth refraction when ``refraction``) must be at least both the
    minimum elevation and minus the horizon dip, and at most the maximum elevation.
    """
    extra = (1,) * (az_rad.ndim - 1)

    def col(a: F64) -> F64:
        return np.reshape(np.asarray(a, dtype=np.float64), (-1, *extra))

    el_app = el_rad
    if refraction:
        el_app = el_rad + (1.0 - 1.0 / REFRACTION_K) * range_m / (2.0 * WGS84_A_M)
    floor = np.maximum(col(min_el_rad), -col(horizon_dip_rad(site_alt_m)))
    d_az = np.abs(np.mod(az_rad - col(boresight_az_rad) + np.pi, 2.0 * np.pi) - np.pi)
    half = col(half_az_rad)
    with np.errstate(invalid="ignore"):
        ok = (el_app >= floor) & (el_app <= col(max_el_rad)) & ((half >= np.pi) | (d_az <= half))
    out: B = ok & np.isfinite(range_m)
    return out


def snr(rcs_m2: F64, range_m: F64, r0_m: F64) -> F64:
    """Linear SNR of a look: ``SNR_AT_R0 · σ · (r0 / R)⁴`` (Skolnik 2001, eq. 2.1).

    Parameters
    ----------
    rcs_m2
        Target radar cross-section. [m^2]
    range_m
        Slant range. [m]
    r0_m
        Range at which a 1 m² target gives ``SNR_AT_R0`` (apply the search factor before). [m]
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        out: F64 = SNR_AT_R0 * rcs_m2 * (r0_m / range_m) ** 4
    return out


def swerling1_pd(snr_linear: F64, pfa: float = PFA) -> F64:
    """Swerling-1 single-look detection probability ``Pfa^(1/(1+SNR))`` (Richards 2005, 6.80).

    NaN SNR (no geometry) gives 0.
    """
    with np.errstate(invalid="ignore", over="ignore"):
        pd = np.exp(np.log(pfa) / (1.0 + np.asarray(snr_linear, dtype=np.float64)))
    out: F64 = np.where(np.isfinite(pd), pd, 0.0)
    return out
