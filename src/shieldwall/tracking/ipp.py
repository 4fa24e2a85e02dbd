"""Impact-point prediction (IPP) covariance by linearised propagation to the ground.

A state error ``δx`` at sample ``k`` moves the impact-time position by ``Φ(t_imp, t_k)[0:3] δx``
(the product of the per-step transitions along the true trajectory). The impact *point* moves
along the trajectory until it meets the local horizontal plane at the impact point:
``δp = (I - v uᵀ / (u·v)) δr`` with ``v`` the impact velocity and ``u`` the local up vector
(a first-order ground-intersection correction; e.g. Zarchan 2012, *Tactical and Strategic
Missile Guidance*, ch. on impact-point prediction). Its east/north components give the 2x2 IPP
covariance ``Ψ P Ψᵀ`` with ``Ψ = E Π Φ[0:3]``.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from shieldwall._types import F64
from shieldwall.earth.geodesy import ecef_to_geodetic, enu_rotation
from shieldwall.flight.trajectories import Trajectories

__all__ = ["ipp_sensitivity", "ipp_sensitivity_reference", "ipp_sigma"]


def ipp_sensitivity(traj: Trajectories, F: F64) -> tuple[F64, F64]:
    """``Ψ`` per (threat, sample) and the (east, north) axes at each impact point.

    Parameters
    ----------
    traj
        True trajectories; the last valid sample of each row is the impact.
    F
        ``(n_t, m, 6, 6)`` per-step transitions (identity on padding).

    Returns
    -------
    psi
        ``(n_t, m, 2, 6)``: ∂(IPP east, north)/∂(state at k); NaN on padding. [m/m, m/(m/s)]
    axes
        ``(n_t, 2, 3)`` east and north unit vectors (ECEF) at the impact point.
    """
    n_t, m = traj.t_s.shape
    valid = np.isfinite(traj.t_s)
    last = np.where(valid.any(axis=1), m - 1 - np.argmax(valid[:, ::-1], axis=1), 0)
    en_proj, rot = _projection(traj, last)
    psi = np.full((n_t, m, 2, 6), np.nan)
    if n_t:
        from shieldwall.tracking._kernels import ipp_rows  # numba: loaded on first use

        ipp_rows(
            np.ascontiguousarray(F, dtype=np.float64),
            last.astype(np.int64),
            np.ascontiguousarray(en_proj),
            psi,
        )
    return psi, rot[:, :2]


def ipp_sensitivity_reference(traj: Trajectories, F: F64) -> tuple[F64, F64]:
    """:func:`ipp_sensitivity` in numpy, all threats at once, sample by sample (the plain
    formulation; the compiled one agrees to rounding, tested)."""
    n_t, m = traj.t_s.shape
    valid = np.isfinite(traj.t_s)
    last = np.where(valid.any(axis=1), m - 1 - np.argmax(valid[:, ::-1], axis=1), 0)
    en_proj, rot = _projection(traj, last)
    psi = np.full((n_t, m, 2, 6), np.nan)
    acc = np.broadcast_to(np.eye(6), (n_t, 6, 6)).copy()
    for k in range(m - 1, -1, -1):
        if k < m - 1:
            step = (k < last)[:, None, None]
            acc = np.where(step, acc @ F[:, k], acc)
        psi[:, k] = np.where((k <= last)[:, None, None], en_proj @ acc[:, :3, :], np.nan)
    return psi, rot[:, :2]


def _projection(traj: Trajectories, last: NDArray[np.int64]) -> tuple[F64, F64]:
    """East/north ground-intersection projection ``E Π`` at each impact ``(n_t, 2, 3)`` and the
    ENU rotation there ``(n_t, 3, 3)``."""
    idx = np.arange(traj.n)
    r_imp = traj.r_ecef_m[idx, last]
    v_imp = traj.v_ecef_mps[idx, last]
    lat, lon, _ = ecef_to_geodetic(r_imp)
    rot = enu_rotation(lat, lon)  # (n_t, 3, 3) rows e, n, u
    up = rot[:, 2]
    uv = np.einsum("ti,ti->t", up, v_imp)
    with np.errstate(divide="ignore", invalid="ignore"):
        proj = np.eye(3) - v_imp[:, :, None] * up[:, None, :] / uv[:, None, None]
    en_proj: F64 = rot[:, :2] @ proj
    return en_proj, rot


def ipp_sigma(cov_2x2: F64) -> F64:
    """Square root of the largest eigenvalue of symmetric 2x2 covariances ``(..., 2, 2)``. [m]

    NaN input gives ``inf`` ("no IPP").
    """
    a, b, c = cov_2x2[..., 0, 0], cov_2x2[..., 0, 1], cov_2x2[..., 1, 1]
    lam = 0.5 * (a + c) + np.sqrt(0.25 * (a - c) ** 2 + b * b)
    out: F64 = np.where(np.isfinite(lam), np.sqrt(np.maximum(lam, 0.0)), np.inf)
    return out
