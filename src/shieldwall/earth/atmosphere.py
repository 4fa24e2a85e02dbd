"""Atmospheric density for drag: the U.S. Standard Atmosphere 1976 and an exponential model.

US-1976 (``us1976_density``): below 86 km geometric height the standard's seven hydrostatic
layers in geopotential height (the standard's own definition: base temperatures, lapse rates
and base pressures of its Table 4; density from the ideal-gas law with the molecular-scale
temperature, eq. 42); from 86 to 1000 km its tabulated densities (Table I), interpolated
log-linearly. Below -5 km the -5 km value is used; above 1000 km the density decays with the
1000 km scale height.

``DensityTable`` is the fast path used inside integrators: ln(density) tabulated once on a fine
height grid and interpolated linearly (its agreement with the exact model is tested).

References
----------
- NOAA/NASA/USAF (1976), *U.S. Standard Atmosphere, 1976*, NOAA-S/T 76-1562: eqs. 18, 23, 33a,
  33b, 42, Table 4 (layers), Table I (densities above 86 km).
- H. J. Allen and A. J. Eggers (1958), NACA TR-1381 (exponential atmosphere for reentry).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
from numpy.typing import ArrayLike

from shieldwall._types import F64

__all__ = ["DensityTable", "exponential_density", "us1976_density"]


#: Effective Earth radius of the US-1976 geopotential height. [m] (US-1976 eq. 18)
_R0_M = 6356766.0
#: g0 M0 / R* of US-1976. [K/m] (eq. 33a/b constant: 9.80665 * 0.0289644 / 8.31432)
_GMR_K_PER_M = 9.80665 * 0.0289644 / 8.31432
#: R* / M0. [J/(kg K)]
_R_AIR = 8.31432 / 0.0289644
#: Layer bases: geopotential height [m], molecular-scale temperature [K], lapse rate [K/m],
#: pressure [Pa]. (US-1976 Table 4)
_H_BASE_M = np.array([0.0, 11000.0, 20000.0, 32000.0, 47000.0, 51000.0, 71000.0])
_T_BASE_K = np.array([288.15, 216.65, 216.65, 228.65, 270.65, 270.65, 214.65])
_LAPSE_K_PER_M = np.array([-6.5e-3, 0.0, 1.0e-3, 2.8e-3, 0.0, -2.8e-3, -2.0e-3])
_P_BASE_PA = np.array([101325.0, 22632.06, 5474.889, 868.0187, 110.9063, 66.93887, 3.956420])
#: Tabulated density above 86 km: geometric height [km], density [kg/m^3] (US-1976 Table I).
_UPPER_KM = np.array(
    [86, 90, 95, 100, 105, 110, 115, 120, 125, 130, 140, 150, 160, 180, 200, 250, 300, 350,
     400, 450, 500, 600, 700, 800, 900, 1000],
    dtype=np.float64,
)  # fmt: skip
_UPPER_RHO = np.array(
    [6.958e-6, 3.416e-6, 1.393e-6, 5.604e-7, 2.325e-7, 9.708e-8, 4.289e-8, 2.222e-8, 1.291e-8,
     8.152e-9, 3.831e-9, 2.076e-9, 1.233e-9, 5.194e-10, 2.541e-10, 6.073e-11, 1.916e-11,
     7.014e-12, 2.803e-12, 1.184e-12, 5.215e-13, 1.137e-13, 3.070e-14, 1.136e-14, 5.759e-15,
     3.561e-15],
)  # fmt: skip
_Z_UPPER_M = 86000.0
_Z_MIN_M = -5000.0
_Z_MAX_M = 1.0e6


def _lower(z_m: F64) -> F64:
    # US-1976 eqs. 18 (geopotential), 23 (temperature), 33a/33b (pressure), 42 (density).
    h = _R0_M * z_m / (_R0_M + z_m)
    i = np.clip(np.searchsorted(_H_BASE_M, h, side="right") - 1, 0, _H_BASE_M.size - 1)
    hb, tb, lb, pb = _H_BASE_M[i], _T_BASE_K[i], _LAPSE_K_PER_M[i], _P_BASE_PA[i]
    t = tb + lb * (h - hb)
    isothermal = lb == 0.0
    safe_l = np.where(isothermal, 1.0, lb)
    p_grad = pb * (tb / t) ** (_GMR_K_PER_M / safe_l)
    p_iso = pb * np.exp(-_GMR_K_PER_M * (h - hb) / tb)
    p = np.where(isothermal, p_iso, p_grad)
    return np.asarray(p / (_R_AIR * t))


def us1976_density(alt_m: ArrayLike) -> F64:
    """Mass density of the U.S. Standard Atmosphere 1976 at a geometric height.

    Parameters
    ----------
    alt_m
        Geometric height above mean sea level (any shape). [m]

    Returns
    -------
    rho_kg_m3
        Density (``alt_m`` shape). [kg/m^3]
    """
    z = np.clip(np.asarray(alt_m, dtype=np.float64), _Z_MIN_M, None)
    low = _lower(np.minimum(z, _Z_UPPER_M))
    zk = np.minimum(z, _Z_MAX_M) / 1000.0
    log_up = np.interp(zk, _UPPER_KM, np.log(_UPPER_RHO))
    # Beyond 1000 km: continue with the scale height of the last table interval.
    h_top_km = (_UPPER_KM[-1] - _UPPER_KM[-2]) / np.log(_UPPER_RHO[-2] / _UPPER_RHO[-1])
    log_up = log_up - np.maximum(z / 1000.0 - _UPPER_KM[-1], 0.0) / h_top_km
    return np.asarray(np.where(z < _Z_UPPER_M, low, np.exp(log_up)))


def exponential_density(alt_m: ArrayLike, rho0_kg_m3: float, scale_height_m: float) -> F64:
    """Isothermal exponential atmosphere ``rho0 exp(-h / H)`` (Allen & Eggers 1958).

    Parameters
    ----------
    alt_m
        Height. [m]
    rho0_kg_m3
        Density at h = 0. [kg/m^3]
    scale_height_m
        Scale height H. [m]

    Returns
    -------
    rho_kg_m3
        Density. [kg/m^3]
    """
    return np.asarray(rho0_kg_m3 * np.exp(-np.asarray(alt_m, dtype=np.float64) / scale_height_m))


@dataclass(frozen=True, kw_only=True)
class DensityTable:
    """ln(density) tabulated on a uniform height grid, for fast interpolation in integrators.

    Build with :meth:`us1976` or :meth:`exponential`; ``None`` atmosphere = vacuum is handled
    by the caller. Outside the grid the end values are held (so tabulate up to where drag no
    longer matters; above ``top_m`` the density is reported as 0).
    """

    bottom_m: float
    step_m: float
    log_rho: F64
    top_m: float = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "top_m", self.bottom_m + self.step_m * (self.log_rho.size - 1))

    @classmethod
    def us1976(cls, top_m: float = 300e3, step_m: float = 50.0) -> DensityTable:
        """US-1976 from -5 km to ``top_m`` every ``step_m``. [m]"""
        z = np.arange(_Z_MIN_M, top_m + step_m / 2, step_m)
        return cls(bottom_m=_Z_MIN_M, step_m=step_m, log_rho=np.log(us1976_density(z)))

    @classmethod
    def exponential(
        cls, rho0_kg_m3: float, scale_height_m: float, top_m: float = 300e3, step_m: float = 50.0
    ) -> DensityTable:
        """Exponential atmosphere (exact under linear interpolation of ln rho)."""
        z = np.arange(_Z_MIN_M, top_m + step_m / 2, step_m)
        return cls(
            bottom_m=_Z_MIN_M,
            step_m=step_m,
            log_rho=np.log(rho0_kg_m3) - z / scale_height_m,
        )

    @cached_property
    def _log_rho_list(self) -> list[float]:
        return [float(v) for v in self.log_rho]

    def density_one(self, alt_m: float) -> float:
        """:meth:`density` at one height, on Python floats (for one-row integrators). [kg/m^3]"""
        x = (alt_m - self.bottom_m) / self.step_m
        if x != x:  # NaN height
            return math.nan
        x = min(max(x, 0.0), self.log_rho.size - 1.000001)
        i = int(x)
        f = x - i
        lr = self._log_rho_list[i] * (1.0 - f) + self._log_rho_list[i + 1] * f
        return 0.0 if alt_m > self.top_m else math.exp(lr)

    def density(self, alt_m: F64) -> F64:
        """Interpolated density; 0 above ``top_m``, NaN at a NaN height. [kg/m^3]"""
        x = (alt_m - self.bottom_m) / self.step_m
        # fmax/fmin, unlike maximum/minimum, turn NaN into the bound: a valid index.
        x = np.fmin(np.fmax(x, 0.0), self.log_rho.size - 1.000001)
        i = x.astype(np.intp)
        f = x - i
        lr = self.log_rho[i] * (1.0 - f) + self.log_rho[i + 1] * f
        rho = np.where(alt_m > self.top_m, 0.0, np.exp(lr))
        return np.asarray(np.where(np.isnan(alt_m), np.nan, rho))
