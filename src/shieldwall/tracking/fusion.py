"""Track-to-track fusion: covariance intersection with optimised ω, and the information sum.

- Centralized measurement fusion (the full-sharing bound): every received sensor's measurement
  information ``Hᵀ R⁻¹ H`` is added to the nation's filter (information form of the Kalman
  update; Bar-Shalom, Willett & Tian 2011, *Tracking and Data Fusion*, §8.2). It is what
  :mod:`shieldwall.tracking.covariance` does for ``fusion="centralized"``.
- Covariance intersection (Julier & Uhlmann 1997, "A non-divergent estimation algorithm in the
  presence of unknown correlations", Proc. ACC, eq. 4-5): ``C⁻¹ = ω A⁻¹ + (1-ω) B⁻¹``,
  ``c = C (ω A⁻¹ a + (1-ω) B⁻¹ b)``, consistent for any unknown cross-correlation; ω minimises
  ``trace(C)`` (golden-section search, vectorized over the batch).

Batch-first ``(..., n, n)`` here: fusion runs on (nation, threat) batches of a few thousand at
most, where batched ``np.linalg`` is fast.
"""

from __future__ import annotations

import numpy as np

from shieldwall._types import F64

__all__ = ["ci_fuse", "ci_optimal_omega"]


_GOLDEN = (np.sqrt(5.0) - 1.0) / 2.0
#: Golden-section iterations: the bracket shrinks by 0.618^60 ≈ 3e-13.
_CI_ITERATIONS = 60


def _inv(a: F64) -> F64:
    """Batched inverse; NaN for the singular (or non-finite) matrices of the batch, which
    would otherwise make ``np.linalg.inv`` raise for all of them."""
    try:
        out: F64 = np.asarray(np.linalg.inv(a), dtype=np.float64)
    except np.linalg.LinAlgError:  # rare path: find the singular ones, invert the others
        a = np.asarray(a, dtype=np.float64)
        finite = np.asarray(np.all(np.isfinite(a), axis=(-2, -1)))
        sv = np.asarray(np.linalg.svd(np.where(finite[..., None, None], a, 0.0), compute_uv=False))
        ok = finite & (sv[..., -1] > sv[..., 0] * a.shape[-1] * np.finfo(np.float64).eps)
        out = np.full(a.shape, np.nan)
        out[ok] = np.linalg.inv(a[ok])
    return out


def _fused_cov(ia: F64, ib: F64, w: F64) -> F64:
    return _inv(w[..., None, None] * ia + (1.0 - w[..., None, None]) * ib)


def ci_optimal_omega(cov_a: F64, cov_b: F64) -> F64:
    """ω in [0, 1] minimising ``trace(C(ω))`` for each pair in the batch, ``(...)``.

    ``trace(C(ω))`` is convex in ω (Julier & Uhlmann 1997; Reinhardt et al. 2012), so a
    golden-section search finds the minimum.
    """
    ia = _inv(cov_a)
    ib = _inv(cov_b)
    shape = np.broadcast_shapes(cov_a.shape[:-2], cov_b.shape[:-2])
    lo = np.zeros(shape)
    hi = np.ones(shape)
    for _ in range(_CI_ITERATIONS):
        x1 = hi - _GOLDEN * (hi - lo)
        x2 = lo + _GOLDEN * (hi - lo)
        f1 = np.trace(_fused_cov(ia, ib, x1), axis1=-2, axis2=-1)
        f2 = np.trace(_fused_cov(ia, ib, x2), axis1=-2, axis2=-1)
        left = f1 <= f2
        hi = np.where(left, x2, hi)
        lo = np.where(left, lo, x1)
    out: F64 = 0.5 * (lo + hi)
    return out


def ci_fuse(
    x_a: F64, cov_a: F64, x_b: F64, cov_b: F64, omega: F64 | float | None = None
) -> tuple[F64, F64, F64]:
    """Covariance intersection of two estimates with unknown correlation.

    Parameters
    ----------
    x_a, x_b
        Means ``(..., n)``.
    cov_a, cov_b
        Covariances ``(..., n, n)`` (positive definite).
    omega
        Weight of ``a`` in [0, 1]; ``None`` = the trace-minimising ω.

    Returns
    -------
    x, cov, omega
        Fused mean ``(..., n)``, covariance ``(..., n, n)`` and the ω used ``(...)``.
    """
    ia = _inv(cov_a)
    ib = _inv(cov_b)
    w = ci_optimal_omega(cov_a, cov_b) if omega is None else np.asarray(omega, dtype=np.float64)
    w = np.broadcast_to(w, np.broadcast_shapes(cov_a.shape[:-2], cov_b.shape[:-2]))
    wa = w[..., None, None] * ia
    wb = (1.0 - w[..., None, None]) * ib
    cov = _inv(wa + wb)
    info = np.einsum("...ij,...j->...i", wa, x_a) + np.einsum("...ij,...j->...i", wb, x_b)
    x: F64 = np.einsum("...ij,...j->...i", cov, info)
    cov_out: F64 = 0.5 * (cov + np.swapaxes(cov, -1, -2))
    return x, cov_out, np.asarray(w, dtype=np.float64)
