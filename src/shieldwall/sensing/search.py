"""Search versus cued detection: the radar's time budget over the volume it must search.

A phased-array radar covers its search fence (solid angle ``Ω_s``, the azimuth width of its
field of regard times the fence depth ``search_el``) with beams of solid angle ``Ω_b`` every
frame. With a fixed frame time the dwell per beam position is ``T_f Ω_b / Ω`` for a volume
``Ω``, and by the search radar equation the energy on target — the SNR of a look — is
proportional to that dwell (Skolnik 2001, *Introduction to Radar Systems*, 3rd ed., §2.13,
eq. 2.67: ``R⁴ ∝ P_av A_e t_s / Ω``). Searching the whole fence, a look has ``f⁴`` of the SNR
of a cued (track) look, ``f`` = the catalog's ``search_range_factor`` (range ∝ SNR^(1/4)). A cue
tells the radar where to look: it searches only the cue's error window ``Ω_c`` (at least one
beam), so

    SNR(Ω_c) / SNR_cued = min(1, max(f⁴, f⁴ Ω_s / max(Ω_c, Ω_b)))

capped at a full track dwell (``r0``'s definition) and never below searching the fence. The
window is the ``CUE_SIGMAS``-sigma ellipse of the cue's position error seen from the radar,
``Ω_c = π (k σ_x / R)(k σ_a / R)``:

- an early-warning satellite report gives the launch point (1-sigma ``launch_point_sigma_m``)
  and the azimuth (``azimuth_sigma_rad``); a threat ``D`` downrange is then off the reported
  track by ``σ_x = √(σ_lp² + (D σ_az)²)`` across it and ``σ_a = √(σ_lp² + (ε D)²)`` along it
  (``ε`` = :data:`EW_ALONG_TRACK_FRACTION`: the report does not say how fast or how lofted);
- another radar's track puts the threat within one beam (its errors, hundreds of metres, are
  far below a beam at these ranges: 10 mrad × 800 km = 8 km), so a radar cue buys a full
  track dwell when the budget allows it.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike

from shieldwall._types import F64

__all__ = [
    "CUE_SIGMAS",
    "EW_ALONG_TRACK_FRACTION",
    "beam_solid_angle_sr",
    "cue_solid_angle_sr",
    "dwell_snr_factor",
    "ew_cue_sigma_m",
    "search_solid_angle_sr",
]

#: Half-width of the window searched around a cue, in standard deviations (3.03 σ holds 99 %
#: of a 2-D Gaussian).
CUE_SIGMAS = 3.0
#: Along-track error of a satellite cue per metre flown downrange: the report gives launch
#: point, time and azimuth, not the missile's speed or loft. Assumption, range [0.05, 0.3].
EW_ALONG_TRACK_FRACTION = 0.1


def search_solid_angle_sr(half_az_rad: ArrayLike, search_el_rad: ArrayLike) -> F64:
    """Solid angle of the search fence, ``2 min(half_az, π) · search_el`` (a band just above
    the horizon: cos(el) ≈ 1). [sr]"""
    half = np.minimum(np.asarray(half_az_rad, dtype=np.float64), math.pi)
    out: F64 = 2.0 * half * np.asarray(search_el_rad, dtype=np.float64)
    return out


def beam_solid_angle_sr(beamwidth_rad: ArrayLike) -> F64:
    """Solid angle of one beam, ``θ²`` for a 3-dB beamwidth ``θ``. [sr]"""
    out: F64 = np.asarray(beamwidth_rad, dtype=np.float64) ** 2
    return out


def ew_cue_sigma_m(
    launch_point_sigma_m: ArrayLike, azimuth_sigma_rad: ArrayLike, downrange_m: ArrayLike
) -> tuple[F64, F64]:
    """Cross- and along-track 1-sigma of a satellite cue ``downrange_m`` from the launch. [m]"""
    lp = np.asarray(launch_point_sigma_m, dtype=np.float64)
    d = np.asarray(downrange_m, dtype=np.float64)
    cross: F64 = np.sqrt(lp**2 + (d * np.asarray(azimuth_sigma_rad, dtype=np.float64)) ** 2)
    along: F64 = np.sqrt(lp**2 + (EW_ALONG_TRACK_FRACTION * d) ** 2)
    return cross, along


def cue_solid_angle_sr(
    sigma_cross_m: ArrayLike, sigma_along_m: ArrayLike, range_m: ArrayLike
) -> F64:
    """The ``CUE_SIGMAS`` window of a cue seen from a radar at slant range ``range_m``. [sr]"""
    r = np.asarray(range_m, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        out: F64 = (
            math.pi
            * (CUE_SIGMAS * np.asarray(sigma_cross_m, dtype=np.float64) / r)
            * (CUE_SIGMAS * np.asarray(sigma_along_m, dtype=np.float64) / r)
        )
    return out


def dwell_snr_factor(
    search_range_factor: ArrayLike,
    search_sr: ArrayLike,
    searched_sr: ArrayLike,
    beam_sr: ArrayLike,
) -> F64:
    """SNR of a look relative to a cued look when the radar searches ``searched_sr``.

    ``min(1, max(f⁴, f⁴ Ω_s / max(Ω, Ω_b)))`` (see the module doc); NaN volumes (no geometry)
    give the search value ``f⁴``. []
    """
    f4 = np.asarray(search_range_factor, dtype=np.float64) ** 4
    omega = np.fmax(np.asarray(searched_sr, dtype=np.float64), np.asarray(beam_sr))
    with np.errstate(divide="ignore", invalid="ignore"):
        gain = f4 * np.asarray(search_sr, dtype=np.float64) / omega
    out: F64 = np.minimum(1.0, np.fmax(f4, gain))
    return out
