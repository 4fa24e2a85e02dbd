"""Stone Soup's radar measurement model with an analytic Jacobian (test and benchmark oracle).

Stone Soup's default finite-difference Jacobian of ``CartesianToElevationBearingRange`` takes a
step that collapses to 1e-8 m for negative coordinates and moves estimates by tens of metres, so
the oracle comparisons (tests/tracking/test_ekf_oracle.py, benchmarks/bench_tracking.py) give it
the exact Jacobian of elevation, bearing and range in its own sensor frame x' = R (r - site).
Stone Soup is the ``oracles`` extra: imported only when this function is called.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np


def analytic_ebr(
    *,
    site_ecef_m: np.ndarray,
    sigma: tuple[float, float, float],
    rotation_offset: tuple[float, float, float] = (0.0, 0.0, 0.0),
) -> Any:
    """A ``CartesianToElevationBearingRange`` on state (x, vx, y, vy, z, vz) with exact Jacobian.

    Parameters
    ----------
    site_ecef_m
        Radar position (Stone Soup's ``translation_offset``). [m]
    sigma
        1-sigma azimuth [rad], elevation [rad], range [m] (our order); Stone Soup's noise order is
        (elevation, bearing, range).
    rotation_offset
        Stone Soup's sensor-frame rotation angles. [rad]
    """
    from stonesoup.models.measurement.nonlinear import CartesianToElevationBearingRange
    from stonesoup.types.array import StateVector

    class AnalyticEBR(CartesianToElevationBearingRange):  # type: ignore[misc]
        def jacobian(self, state, **kwargs):  # type: ignore[no-untyped-def]
            pos = np.asarray(state.state_vector[self.mapping, :], dtype=float)
            p = self.rotation_matrix @ (pos - np.asarray(self.translation_offset, dtype=float))
            xr, yr, zr = p.ravel()
            rxy2 = xr * xr + yr * yr
            rxy = math.sqrt(rxy2)
            r2 = rxy2 + zr * zr
            r = math.sqrt(r2)
            jl = np.array(
                [
                    [-xr * zr / (r2 * rxy), -yr * zr / (r2 * rxy), rxy / r2],
                    [-yr / rxy2, xr / rxy2, 0.0],
                    [xr / r, yr / r, zr / r],
                ]
            )
            jac = np.zeros((3, self.ndim_state))
            jac[:, list(self.mapping)] = jl @ self.rotation_matrix
            return jac

    return AnalyticEBR(
        ndim_state=6,
        mapping=(0, 2, 4),
        noise_covar=np.diag([sigma[1] ** 2, sigma[0] ** 2, sigma[2] ** 2]),
        translation_offset=StateVector(site_ecef_m),
        rotation_offset=StateVector(list(rotation_offset)),
    )
