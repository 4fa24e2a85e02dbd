"""The `FlyoutTable` type: an interceptor's time to reach a point, tau(ground range, altitude).

Built once per interceptor type by :func:`shieldwall.flight.interceptor.flyout_table` (a
point-mass flyout with gravity and drag); engagement geometry then only interpolates it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from shieldwall._types import F64

__all__ = ["FlyoutTable"]


@dataclass(frozen=True, kw_only=True)
class FlyoutTable:
    """Time for one interceptor type to reach a point, from its launcher.

    Attributes
    ----------
    name
        Interceptor type name (catalog name).
    ground_range_m
        Ground-range grid (ascending, starting at 0), ``(k,)``. [m]
    alt_m
        Altitude grid (ascending), ``(l,)``. [m]
    tau_s
        Time from interceptor launch to reach ``(ground_range_m[i], alt_m[j])``, ``(k, l)``;
        NaN where unreachable. [s]
    min_alt_m, max_alt_m
        Intercept altitude band (catalog). [m]
    max_ground_range_m
        Largest ground range at which an intercept is allowed (catalog). [m]
    min_ground_range_m
        Smallest allowed intercept ground range (catalog; 0 when none). [m]
    """

    name: str
    ground_range_m: F64
    alt_m: F64
    tau_s: F64
    min_alt_m: float
    max_alt_m: float
    max_ground_range_m: float
    min_ground_range_m: float = 0.0

    def __post_init__(self) -> None:
        k, l_ = self.ground_range_m.shape[0], self.alt_m.shape[0]
        if self.tau_s.shape != (k, l_):
            raise ValueError(f"FlyoutTable.tau_s has shape {self.tau_s.shape}, expected {(k, l_)}")
        if k < 2 or l_ < 2:
            raise ValueError("FlyoutTable needs at least 2 grid points on each axis")
        if np.any(np.diff(self.ground_range_m) <= 0) or np.any(np.diff(self.alt_m) <= 0):
            raise ValueError("FlyoutTable grids must be strictly ascending")

    def time_to_reach(self, ground_range_m: ArrayLike, alt_m: ArrayLike) -> F64:
        """Time to reach a point, by bilinear interpolation of ``tau_s``.

        Parameters
        ----------
        ground_range_m
            Ground range from the launcher (any shape, broadcast with ``alt_m``). [m]
        alt_m
            Geodetic height of the point. [m]

        Returns
        -------
        t_s
            Time from launch; NaN outside the envelope (altitude band, ground-range limits) or
            where a neighbouring grid cell is unreachable. [s]
        """
        gr, h = np.broadcast_arrays(
            np.asarray(ground_range_m, dtype=np.float64), np.asarray(alt_m, dtype=np.float64)
        )
        x, y = self.ground_range_m, self.alt_m
        with np.errstate(invalid="ignore"):
            inside = (
                (h >= self.min_alt_m)
                & (h <= self.max_alt_m)
                & (gr >= self.min_ground_range_m)
                & (gr <= self.max_ground_range_m)
                & (gr >= x[0])
                & (gr <= x[-1])
                & (h >= y[0])
                & (h <= y[-1])
            )
        # interpolated only inside the envelope (elementwise: the same values as everywhere)
        out = np.full(gr.shape, np.nan)
        at = np.nonzero(np.atleast_1d(inside))
        g, a = np.atleast_1d(gr)[at], np.atleast_1d(h)[at]
        i = np.clip(np.searchsorted(x, g, side="right") - 1, 0, x.size - 2)
        j = np.clip(np.searchsorted(y, a, side="right") - 1, 0, y.size - 2)
        fx = (g - x[i]) / (x[i + 1] - x[i])
        fy = (a - y[j]) / (y[j + 1] - y[j])
        tau = self.tau_s
        np.atleast_1d(out)[at] = (
            tau[i, j] * (1.0 - fx) * (1.0 - fy)
            + tau[i + 1, j] * fx * (1.0 - fy)
            + tau[i, j + 1] * (1.0 - fx) * fy
            + tau[i + 1, j + 1] * fx * fy
        )
        return out
