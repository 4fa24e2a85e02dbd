"""Batched extended Kalman filter kernels in a component-major (structure-of-arrays) layout.

Layout
------
The hot kernels keep the *state component* axes first and the batch axes last:
``x`` has shape ``(6, *batch)`` (``x, y, z, vx, vy, vz`` in ECEF metres and metres per second) and
``P`` has shape ``(6, 6, *batch)``. Each scalar component ``P[i, j]`` is then one contiguous
vector over the whole batch, so every formula below is a handful of whole-array numpy operations
with no per-track Python loop and no tiny per-track ``np.linalg`` calls. The loops over ``i, j``
are loops over matrix *components* (at most 36), never over tracks. This is the deliberate
exception to the batch-first rule of docs/architecture.md §3, confined to this module; the public
types (``TrackPicture``) are batch-first. :func:`to_component_major` / :func:`to_batch_major`
convert.

Kernels update ``x`` and ``P`` **in place** (the filter loop reuses its buffers; allocating a
``(6, 6, N)`` array per step would cost as much as the update itself).

Models
------
- Constant velocity with continuous white-noise acceleration of spectral density ``q``
  [m^2/s^3]: Bar-Shalom, Li & Kirubarajan (2001), *Estimation with Applications to Tracking and
  Navigation*, §6.2.2, eq. 6.2.2-12 (the same model as Stone Soup's ``ConstantVelocity``).
- Ballistic: Earth-fixed (rotating) frame with point-mass gravity plus J2, Coriolis and
  centrifugal terms, and optional drag with a known ballistic coefficient β = m g0 / (Cd A)
  in an exponential atmosphere (Vallado 2013, *Fundamentals of Astrodynamics*, eq. 8-30 for J2,
  eq. 8-28 for drag). The state is propagated by one classical RK4 step; the covariance by the
  third-order transition ``F = I + A dt + A² dt²/2 + A³ dt³/6`` of the Jacobian ``A``
  (Bar-Shalom et al. §10.3, linearised discretisation).
- Radar measurement: azimuth (clockwise from north), elevation and slant range in the site's
  east-north-up frame; analytic Jacobian; the 3x3 innovation covariance is inverted in closed
  form (cofactors). Update ``P+ = P - K S K^T`` (the same form as Stone Soup's
  ``ExtendedKalmanUpdater``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from shieldwall._types import F64
from shieldwall.earth.constants import (
    G0_MPS2,
    J2_EARTH,
    MU_EARTH_M3_S2,
    OMEGA_EARTH_RAD_S,
    WGS84_A_M,
)

__all__ = [
    "ATMOSPHERE_RHO0_KG_M3",
    "ATMOSPHERE_SCALE_HEIGHT_M",
    "ballistic_acceleration",
    "ballistic_jacobian",
    "predict_ballistic",
    "predict_cv",
    "propagate_ballistic",
    "radar_measure",
    "to_batch_major",
    "to_component_major",
    "transition_ballistic",
    "update_linearized",
    "update_radar",
]


#: Sea-level density of the exponential atmosphere used *inside the filter*. [kg/m^3]
#: (US Standard Atmosphere 1976 sea-level value.)
ATMOSPHERE_RHO0_KG_M3 = 1.225
#: Scale height of the filter's exponential atmosphere. [m] (a common single-scale fit of the
#: US-1976 density between 0 and 80 km; the filter model, not the truth model.)
ATMOSPHERE_SCALE_HEIGHT_M = 7200.0
#: Above this height the filter ignores drag. [m]
DRAG_CEILING_M = 100e3


def to_component_major(a: F64, n_comp_axes: int) -> F64:
    """Move the last ``n_comp_axes`` axes (components) to the front, contiguous."""
    nd = a.ndim
    order = list(range(nd - n_comp_axes, nd)) + list(range(nd - n_comp_axes))
    return np.ascontiguousarray(np.transpose(a, order))


def to_batch_major(a: F64, n_comp_axes: int) -> F64:
    """Inverse of :func:`to_component_major`: components back to the last axes."""
    nd = a.ndim
    order = list(range(n_comp_axes, nd)) + list(range(n_comp_axes))
    return np.ascontiguousarray(np.transpose(a, order))


# --------------------------------------------------------------------------- constant velocity


def predict_cv(x: F64, P: F64, dt_s: float | F64, q_m2_s3: float | F64) -> None:
    """Constant-velocity prediction, in place.

    Parameters
    ----------
    x
        State, ``(6, *batch)``: position then velocity. [m, m/s]
    P
        Covariance, ``(6, 6, *batch)``. [m^2, m^2/s, m^2/s^2]
    dt_s
        Time step (scalar or broadcastable to the batch; may be negative). [s]
    q_m2_s3
        Spectral density of the white acceleration noise, per axis. [m^2/s^3]

    Notes
    -----
    ``F = [[I, dt I], [0, I]]``, ``Q = q [[dt³/3 I, dt²/2 I], [dt²/2 I, dt I]]``
    (Bar-Shalom et al. 2001, eq. 6.2.2-12), written out block by block.
    """
    dt = dt_s
    x[0:3] += dt * x[3:6]
    q3 = q_m2_s3 * np.abs(dt) ** 3 / 3.0
    q2 = q_m2_s3 * dt * dt / 2.0
    q1 = q_m2_s3 * np.abs(dt)
    # 3x3 blocks, each one numpy call over (3, 3, *batch):
    # P_rr' = P_rr + dt (P_rv + P_vr) + dt² P_vv ; P_rv' = P_rv + dt P_vv ; P_vr' = P_rv'ᵀ
    prv = P[0:3, 3:6]
    pvv = P[3:6, 3:6]
    P[0:3, 0:3] += dt * (prv + P[3:6, 0:3]) + (dt * dt) * pvv
    prv += dt * pvv
    P[3:6, 0:3] = np.swapaxes(prv, 0, 1)
    for i in range(3):
        P[i, i] += q3
        P[i, 3 + i] += q2
        P[3 + i, i] += q2
        P[3 + i, 3 + i] += q1


# --------------------------------------------------------------------------- ballistic


def _drag_factor(r: F64, v: F64, beta_pa: F64 | float) -> tuple[F64, F64]:
    """k = ρ g0 / (2β) (so a_drag = -k |v| v) and |v|; zero above the drag ceiling."""
    rn = np.sqrt(r[0] ** 2 + r[1] ** 2 + r[2] ** 2)
    h = rn - WGS84_A_M  # spherical height is enough for the filter's drag model
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        rho = ATMOSPHERE_RHO0_KG_M3 * np.exp(-np.maximum(h, 0.0) / ATMOSPHERE_SCALE_HEIGHT_M)
        k = np.where(h < DRAG_CEILING_M, rho * G0_MPS2 / (2.0 * beta_pa), 0.0)
    vn = np.sqrt(v[0] ** 2 + v[1] ** 2 + v[2] ** 2)
    return np.asarray(k, dtype=np.float64), vn


def ballistic_acceleration(r: F64, v: F64, beta_pa: F64 | float = np.inf) -> F64:
    """Acceleration in the rotating Earth-fixed frame, component-major.

    Parameters
    ----------
    r
        Position, ``(3, *batch)``. [m]
    v
        Velocity relative to the rotating Earth, ``(3, *batch)``. [m/s]
    beta_pa
        Ballistic coefficient β = m g0 / (Cd A); ``inf`` for no drag. [Pa]

    Returns
    -------
    a
        ``(3, *batch)``: point mass + J2 (Vallado 2013 eq. 8-30), Coriolis ``-2Ω×v``,
        centrifugal ``-Ω×(Ω×r)`` and drag ``-ρ g0 |v| v / (2β)``. [m/s^2]
    """
    x, y, z = r[0], r[1], r[2]
    r2 = x * x + y * y + z * z
    rn = np.sqrt(r2)
    with np.errstate(divide="ignore", invalid="ignore"):  # r = 0 gives NaN, never a warning
        mu_r3 = MU_EARTH_M3_S2 / (r2 * rn)
        j2f = 1.5 * J2_EARTH * WGS84_A_M**2 / r2
        z2r2 = z * z / r2
    cxy = 1.0 + j2f * (1.0 - 5.0 * z2r2)
    cz = 1.0 + j2f * (3.0 - 5.0 * z2r2)
    w = OMEGA_EARTH_RAD_S
    a = np.empty_like(r)
    a[0] = -mu_r3 * cxy * x + 2.0 * w * v[1] + w * w * x
    a[1] = -mu_r3 * cxy * y - 2.0 * w * v[0] + w * w * y
    a[2] = -mu_r3 * cz * z
    if np.any(np.isfinite(beta_pa)):
        k, vn = _drag_factor(r, v, beta_pa)
        a -= (k * vn) * v
    return a


def ballistic_jacobian(r: F64, v: F64, beta_pa: F64 | float = np.inf) -> tuple[F64, F64]:
    """Blocks ``A_r = ∂a/∂r`` and ``A_v = ∂a/∂v`` of the ballistic model, ``(3, 3, *batch)``.

    Point-mass gravity gradient ``μ/r³ (3 r̂ r̂ᵀ - I)`` (J2 neglected in the Jacobian, a 1e-3
    relative term), centrifugal ``Ω² diag(1, 1, 0)``, Coriolis ``-2[Ω×]`` and drag
    ``∂(-k|v|v)/∂v = -k (|v| I + v vᵀ/|v|)``, ``∂/∂r = -(a_drag r̂ᵀ)/H`` (exponential density).
    [1/s^2, 1/s]
    """
    x = r
    r2 = x[0] ** 2 + x[1] ** 2 + x[2] ** 2
    rn = np.sqrt(r2)
    shape = (3, 3, *r.shape[1:])
    ar = np.empty(shape)
    av = np.zeros(shape)
    with np.errstate(divide="ignore", invalid="ignore"):  # r = 0 gives NaN, never a warning
        mu_r3 = MU_EARTH_M3_S2 / (r2 * rn)
        for i in range(3):
            for j in range(3):
                ar[i, j] = mu_r3 * (3.0 * x[i] * x[j] / r2 - (1.0 if i == j else 0.0))
    w = OMEGA_EARTH_RAD_S
    ar[0, 0] += w * w
    ar[1, 1] += w * w
    av[0, 1] = 2.0 * w
    av[1, 0] = -2.0 * w
    if np.any(np.isfinite(beta_pa)):
        k, vn = _drag_factor(r, v, beta_pa)
        with np.errstate(invalid="ignore", divide="ignore"):
            inv_vn = np.where(vn > 0, 1.0 / vn, 0.0)
        for i in range(3):
            for j in range(3):
                av[i, j] -= k * ((vn if i == j else 0.0) + v[i] * v[j] * inv_vn)
                # a_drag,i = -k |v| v_i ; dρ/dr = -ρ r̂ / H
                ar[i, j] += k * vn * v[i] * x[j] / (rn * ATMOSPHERE_SCALE_HEIGHT_M)
    return ar, av


def transition_ballistic(r: F64, v: F64, dt_s: float | F64, beta_pa: F64 | float = np.inf) -> F64:
    """Third-order state-transition matrix ``F = I + A dt + A² dt²/2 + A³ dt³/6``.

    With ``A = [[0, I], [A_r, A_v]]``: ``A² = [[A_r, A_v], [A_v A_r, B]]``, ``B = A_r + A_v²``,
    and ``A³ = [[A_v A_r, B], [B A_r, A_v A_r + B A_v]]``. The third-order term matters in the
    atmosphere, where the density gradient makes ``|A_r|`` ≈ 1e-3 s⁻² (against 1.5e-6 s⁻² for
    gravity). Returns ``(6, 6, *batch)``; ``dt_s`` may be negative.
    """
    ar, av = ballistic_jacobian(r, v, beta_pa)
    dt = dt_s
    h2 = 0.5 * dt * dt
    h3 = dt * dt * dt / 6.0
    avar = np.einsum("ik...,kj...->ij...", av, ar)
    b = ar + np.einsum("ik...,kj...->ij...", av, av)
    bar = np.einsum("ik...,kj...->ij...", b, ar)
    bav = np.einsum("ik...,kj...->ij...", b, av)
    F = np.zeros((6, 6, *r.shape[1:]))
    for i in range(3):
        for j in range(3):
            e = 1.0 if i == j else 0.0
            F[i, j] = e + ar[i, j] * h2 + avar[i, j] * h3
            F[i, 3 + j] = e * dt + av[i, j] * h2 + b[i, j] * h3
            F[3 + i, j] = ar[i, j] * dt + avar[i, j] * h2 + bar[i, j] * h3
            F[3 + i, 3 + j] = e + av[i, j] * dt + b[i, j] * h2 + (avar[i, j] + bav[i, j]) * h3
    return F


def propagate_ballistic(x: F64, dt: float | F64, beta_pa: F64 | float = np.inf) -> F64:
    """One classical RK4 step of the ballistic dynamics of :func:`ballistic_acceleration`.

    ``x`` is ``(6, *batch)``; ``dt`` may be negative. Returns a new state. [m, m/s]
    """

    def f(s: F64) -> F64:
        return np.concatenate([s[3:6], ballistic_acceleration(s[0:3], s[3:6], beta_pa)])

    k1 = f(x)
    k2 = f(x + 0.5 * dt * k1)
    k3 = f(x + 0.5 * dt * k2)
    k4 = f(x + dt * k3)
    out: F64 = x + (dt / 6.0) * (k1 + 2.0 * k2 + 2.0 * k3 + k4)
    return out


def predict_ballistic(
    x: F64,
    P: F64,
    dt_s: float | F64,
    q_m2_s3: float | F64,
    beta_pa: F64 | float = np.inf,
) -> None:
    """Ballistic prediction, in place: RK4 for the state, ``F P Fᵀ + Q`` for the covariance.

    Parameters
    ----------
    x
        State ``(6, *batch)`` in ECEF. [m, m/s]
    P
        Covariance ``(6, 6, *batch)``.
    dt_s
        Time step. [s]
    q_m2_s3
        White-acceleration spectral density (model error: unmodelled thrust, J2 in the
        Jacobian, atmosphere). Scalar or per track. [m^2/s^3]
    beta_pa
        Ballistic coefficient per track, ``inf`` for none. [Pa]

    Notes
    -----
    ``F`` is linearised at the *prior* state (standard EKF), ``Q`` is the constant-velocity
    white-acceleration ``Q`` of :func:`predict_cv` (Bar-Shalom et al. 2001, eq. 6.2.2-12).
    """
    F = transition_ballistic(x[0:3], x[3:6], dt_s, beta_pa)
    x[...] = propagate_ballistic(x, dt_s, beta_pa)
    FP = np.einsum("ik...,kj...->ij...", F, P)
    P[...] = np.einsum("ik...,jk...->ij...", FP, F)
    dt = dt_s
    q3 = q_m2_s3 * np.abs(dt) ** 3 / 3.0
    q2 = q_m2_s3 * dt * dt / 2.0
    q1 = q_m2_s3 * np.abs(dt)
    for i in range(3):
        P[i, i] += q3
        P[i, 3 + i] += q2
        P[3 + i, i] += q2
        P[3 + i, 3 + i] += q1


# --------------------------------------------------------------------------- radar update


def radar_measure(r: F64, site_m: F64, rot: F64) -> tuple[F64, F64]:
    """Azimuth, elevation, range of positions seen from a site, with the analytic Jacobian.

    Parameters
    ----------
    r
        Target position ``(3, *batch)``. [m]
    site_m
        Site position ``(3, *batch)`` (broadcastable). [m]
    rot
        ``(3, 3, *batch)`` rotation whose rows are the site's east, north, up unit vectors in
        the frame of ``r`` (:func:`shieldwall.earth.geodesy.enu_rotation`, component-major).

    Returns
    -------
    z
        ``(3, *batch)``: azimuth clockwise from north in (-π, π], elevation, range. [rad, rad, m]
    H
        ``(3, 3, *batch)``: ∂z/∂r (the velocity columns are zero). [rad/m, rad/m, 1]
    """
    enu = np.einsum("ij...,j...->i...", rot, r - site_m)
    e, n, u = enu[0], enu[1], enu[2]
    rh2 = e * e + n * n
    rh = np.sqrt(rh2)
    rg2 = rh2 + u * u
    rg = np.sqrt(rg2)
    z = np.empty_like(enu)
    z[0] = np.arctan2(e, n)
    z[1] = np.arctan2(u, rh)
    z[2] = rg
    # Jacobian in local axes (rows az, el, range; columns e, n, u), then H = J_local @ rot
    jl = np.empty((3, 3, *enu.shape[1:]))
    inv_rh2 = 1.0 / rh2
    jl[0, 0] = n * inv_rh2
    jl[0, 1] = -e * inv_rh2
    jl[0, 2] = 0.0
    c = -u / (rg2 * rh)
    jl[1, 0] = e * c
    jl[1, 1] = n * c
    jl[1, 2] = rh / rg2
    jl[2] = enu / rg
    H = np.einsum("ab...,bj...->aj...", jl, rot)
    return z, H


def update_radar(
    x: F64,
    P: F64,
    z_meas: F64,
    site_m: F64,
    rot: F64,
    sigma: F64 | tuple[Any, Any, Any],
    mask: NDArray[np.bool_] | None = None,
) -> tuple[F64, F64]:
    """EKF update with one azimuth/elevation/range measurement per track, in place.

    Parameters
    ----------
    x, P
        State ``(6, *batch)`` and covariance ``(6, 6, *batch)``; updated in place.
    z_meas
        Measured azimuth, elevation, range ``(3, *batch)``. [rad, rad, m]
    site_m, rot
        Sensor site and ENU rotation (see :func:`radar_measure`).
    sigma
        Standard deviations of azimuth, elevation and range (three scalars or arrays
        broadcastable to the batch). [rad, rad, m]
    mask
        ``(*batch)`` bool: tracks that receive the measurement; others are left unchanged.

    Returns
    -------
    nu, S
        Innovation ``(3, *batch)`` (azimuth wrapped to (-π, π]) and its covariance
        ``(3, 3, *batch)``, for NIS checks.

    Notes
    -----
    ``S = H P Hᵀ + R``; ``K = P Hᵀ S⁻¹`` with the 3x3 symmetric ``S⁻¹`` from cofactors;
    ``x += K ν``; ``P -= K (P Hᵀ)ᵀ`` (= ``K S Kᵀ``), then symmetrised.
    """
    zp, H = radar_measure(x[0:3], site_m, rot)
    nu = z_meas - zp
    nu[0] = np.mod(nu[0] + np.pi, 2.0 * np.pi) - np.pi
    if mask is not None:
        nu = np.where(mask, nu, 0.0)
    # P Hᵀ (6 x 3): only the position columns of H are non-zero. einsum contracts the small
    # component axes in one C loop over the contiguous batch axis.
    PHt = np.einsum("ij...,aj...->ia...", P[:, 0:3], H)
    S = np.einsum("aj...,jb...->ab...", H, PHt[0:3])
    for a, sig in enumerate(sigma):
        S[a, a] += np.asarray(sig, dtype=np.float64) ** 2
    s00, s01, s02, s11, s12, s22 = S[0, 0], S[0, 1], S[0, 2], S[1, 1], S[1, 2], S[2, 2]
    # closed-form inverse of the symmetric 3x3 S (adjugate / determinant)
    Si = np.empty_like(S)
    Si[0, 0] = s11 * s22 - s12 * s12
    Si[0, 1] = s02 * s12 - s01 * s22
    Si[0, 2] = s01 * s12 - s02 * s11
    Si[1, 1] = s00 * s22 - s02 * s02
    Si[1, 2] = s01 * s02 - s00 * s12
    Si[2, 2] = s00 * s11 - s01 * s01
    inv_det = 1.0 / (s00 * Si[0, 0] + s01 * Si[0, 1] + s02 * Si[0, 2])
    if mask is not None:
        inv_det = np.where(mask, inv_det, 0.0)  # zero gain where no measurement
    Si[1, 0], Si[2, 0], Si[2, 1] = Si[0, 1], Si[0, 2], Si[1, 2]
    Si *= inv_det
    K = np.einsum("ic...,ca...->ia...", PHt, Si)
    x += np.einsum("ia...,a...->i...", K, nu)
    P -= np.einsum("ia...,ja...->ij...", K, PHt)
    return nu, S


def update_linearized(
    x: F64,
    P: F64,
    nu: F64,
    H: F64,
    sigma: F64 | tuple[Any, Any, Any],
    mask: NDArray[np.bool_] | None = None,
    extra_cov: F64 | None = None,
) -> None:
    """EKF update with a general 3x6 measurement Jacobian, in place.

    Used for measurements received late (``H Φ(-L)`` has velocity columns) and anywhere the
    position-only structure of :func:`update_radar` does not hold. Same algebra:
    ``S = H P Hᵀ + R``, closed-form ``S⁻¹``, ``x += K ν``, ``P -= K (P Hᵀ)ᵀ``.

    Parameters
    ----------
    nu
        Innovation ``(3, *batch)`` (angles already wrapped).
    H
        Jacobian ``(3, 6, *batch)``.
    sigma
        Noise standard deviations of the three measurement components.
    mask
        ``(*batch)`` bool: tracks that receive the measurement.
    extra_cov
        ``(3, 3, *batch)`` added to ``S`` (e.g. retrodicted process noise of a late
        measurement), or ``None``.
    """
    PHt = [[sum(P[i, j] * H[a, j] for j in range(6)) for a in range(3)] for i in range(6)]
    r2 = [np.asarray(s, dtype=np.float64) ** 2 for s in sigma]
    s_ = [[sum(H[a, j] * PHt[j][b] for j in range(6)) for b in range(3)] for a in range(3)]
    if extra_cov is not None:
        s_ = [[s_[a][b] + extra_cov[a, b] for b in range(3)] for a in range(3)]
    s00, s01, s02 = s_[0][0] + r2[0], s_[0][1], s_[0][2]
    s11, s12, s22 = s_[1][1] + r2[1], s_[1][2], s_[2][2] + r2[2]
    c00 = s11 * s22 - s12 * s12
    c01 = s02 * s12 - s01 * s22
    c02 = s01 * s12 - s02 * s11
    c11 = s00 * s22 - s02 * s02
    c12 = s01 * s02 - s00 * s12
    c22 = s00 * s11 - s01 * s01
    inv_det = 1.0 / (s00 * c00 + s01 * c01 + s02 * c02)
    if mask is not None:
        inv_det = np.where(mask, inv_det, 0.0)
    si = ((c00, c01, c02), (c01, c11, c12), (c02, c12, c22))
    K = [
        [
            (PHt[i][0] * si[0][a] + PHt[i][1] * si[1][a] + PHt[i][2] * si[2][a]) * inv_det
            for a in range(3)
        ]
        for i in range(6)
    ]
    nu_m = np.where(mask, nu, 0.0) if mask is not None else nu
    for i in range(6):
        x[i] += K[i][0] * nu_m[0] + K[i][1] * nu_m[1] + K[i][2] * nu_m[2]
    for i in range(6):
        for j in range(i, 6):
            P[i, j] -= K[i][0] * PHt[j][0] + K[i][1] * PHt[j][1] + K[i][2] * PHt[j][2]
            if i != j:
                P[j, i] = P[i, j]
