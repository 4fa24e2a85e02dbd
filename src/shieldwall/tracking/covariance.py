"""Covariance-mode tracking: the EKF covariance recursion along the true trajectory.

The EKF covariance does not depend on measurement values once the Jacobians are evaluated on
the true trajectory (the standard covariance analysis of a linearised filter; Gelb 1974,
*Applied Optimal Estimation*, §4.6 and Ch. 7). For each nation the filter runs the recursion

    P⁻ₖ = Fₖ₋₁ P⁺ₖ₋₁ Fₖ₋₁ᵀ + Qₖ₋₁,     P⁺ₖ = (I + P⁻ₖ Jₖ)⁻¹ P⁻ₖ   (= (P⁻⁻¹ + Jₖ)⁻¹)

where ``Jₖ`` is the *measurement information* the nation receives at sample ``k``: the sum over
its own radars and the radars of nations sharing with it at ``track`` level or above of
``w · Hᵀ R⁻¹ H`` (information form of the Kalman update, Bar-Shalom et al. 2011 §8.2). The
weight ``w = looks · Pd`` is the expected number of detections in the sample (the expected
information of a radar that detects with probability Pd; its Monte Carlo check is the
measurement mode with Pd near 1).

Latency is handled exactly for the linearised filter: nation ``n``'s picture at sample ``k``
holds its own measurements up to ``k`` and source ``s``'s up to ``k - d_s`` (``d_s`` = the link
latency rounded *up* to the grid, so data never arrives early). It is computed by taking the
filter that fused every received sensor without delay at ``k - D`` (``D = max d_s``) and
re-running the last ``D`` steps with, at step ``k - D + j``, only the sources with
``d_s ≤ D - j`` (a fixed-lag re-run, vectorized over all ``k`` at once; the covariance analogue
of re-processing out-of-sequence measurements, Bar-Shalom 2002, IEEE TAES 38(3)). A longer
latency can therefore never give a better picture.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from shieldwall._types import F64, I64
from shieldwall.earth.geodesy import enu_rotation
from shieldwall.flight.trajectories import PHASE_BOOST, PHASE_TERMINAL, Trajectories
from shieldwall.scenario.world import World
from shieldwall.sensing.visibility import Visibility
from shieldwall.tracking.ekf import radar_measure, to_batch_major, transition_ballistic
from shieldwall.tracking.ipp import ipp_sensitivity

__all__ = [
    "FilterModel",
    "LookInformation",
    "RadarInformation",
    "TrackingGeometry",
    "lagged_rerun",
    "look_information",
    "nation_information",
    "process_noise",
    "process_noise_density",
    "radar_information",
    "recursion",
    "tracking_geometry",
    "truth_transitions",
]


@dataclass(frozen=True, kw_only=True)
class FilterModel:
    """Tuning of the tracking filter (assumptions, not public data).

    Parameters
    ----------
    q_boost_m2_s3
        White-acceleration spectral density in boost: unmodelled thrust of tens of m/s²
        (σ ≈ 50 m/s² per √s). [m^2/s^3]
    q_midcourse_m2_s3
        Midcourse: the ballistic model is nearly exact (J2 only in the state). [m^2/s^3]
    q_terminal_m2_s3
        Terminal: drag with an uncertain ballistic coefficient and atmosphere. [m^2/s^3]
    p0_pos_sigma_m, p0_vel_sigma_mps
        Prior of a new track: it is initiated from its M-of-N detections, so its position is
        known to about the cross-range measurement error (≈ 1 mrad x 1,000 km) and its velocity
        to a few hundred m/s. Much larger priors make the first EKF update biased (the az/el
        curvature over the prior, ≈ σ²/2R; seen in the measurement-mode NEES). [m, m/s]
    max_az_el_rad
        Azimuth noise is ``σ_angle / cos(el)`` (a cross-range angle error), capped at this
        elevation. [rad]
    drag
        Model drag with the missile type's ballistic coefficient (β known).
    """

    q_boost_m2_s3: float = 2500.0
    q_midcourse_m2_s3: float = 0.1
    q_terminal_m2_s3: float = 10.0
    p0_pos_sigma_m: float = 2e3
    p0_vel_sigma_mps: float = 500.0
    max_az_el_rad: float = math.radians(80.0)
    drag: bool = True


def _beta(world: World, traj: Trajectories, model: FilterModel) -> F64:
    if not model.drag or len(world.missiles) == 0:
        return np.full(traj.n, np.inf)
    mi = traj.missile_idx
    out: F64 = np.where(mi >= 0, world.missiles.beta_pa[np.clip(mi, 0, None)], np.inf)
    return out


def process_noise_density(traj: Trajectories, model: FilterModel) -> F64:
    """``q`` per (threat, sample) from the flight phase, ``(n_threat, m)``. [m^2/s^3]"""
    out: F64 = np.select(
        [traj.phase == PHASE_BOOST, traj.phase == PHASE_TERMINAL],
        [model.q_boost_m2_s3, model.q_terminal_m2_s3],
        model.q_midcourse_m2_s3,
    )
    return out


def truth_transitions(
    world: World, traj: Trajectories, model: FilterModel, dt_s: F64 | None = None
) -> F64:
    """Transition matrices linearised on the true trajectory, ``(n_threat, m, 6, 6)``.

    ``F[j, k]`` maps sample ``k`` to ``k + dt_s[j, k]`` (default: to sample ``k + 1``; the last
    valid step ends at impact). Padding gives the identity.
    """
    r = np.moveaxis(traj.r_ecef_m, -1, 0)
    v = np.moveaxis(traj.v_ecef_mps, -1, 0)
    if dt_s is None:
        dt_s = np.concatenate([np.diff(traj.t_s, axis=1), np.full((traj.n, 1), np.nan)], axis=1)
    beta = _beta(world, traj, model)[:, None]
    with np.errstate(invalid="ignore"):
        F = to_batch_major(transition_ballistic(r, v, dt_s, beta), 2)
    ok = np.all(np.isfinite(F), axis=(-2, -1))
    out: F64 = np.where(ok[..., None, None], F, np.eye(6))
    return out


@dataclass(frozen=True, kw_only=True)
class RadarInformation:
    """Unweighted measurement information ``Hᵀ R⁻¹ H`` of one radar where it sees a threat.

    Attributes
    ----------
    idx
        Flat indices into the ``(n_threat, m)`` grid of the visible samples, ``(k,)``.
    info
        ``(k, 3, 3)`` position information of one look there (ECEF). [1/m^2]
    """

    idx: NDArray[np.int64]
    info: F64


def radar_information(
    world: World, traj: Trajectories, visible: NDArray[np.bool_], model: FilterModel
) -> tuple[RadarInformation, ...]:
    """Per radar, ``Hᵣᵀ R⁻¹ Hᵣ`` at the samples it sees (policy-independent; docs/tracking.md).

    ``R`` holds the azimuth noise ``σ_angle / cos(el)`` (elevation capped at
    ``model.max_az_el_rad``), the elevation noise ``σ_angle`` and the range noise.
    """
    rd = world.radars
    r = np.moveaxis(traj.r_ecef_m, -1, 0)
    rots = enu_rotation(rd.lat_rad, rd.lon_rad)
    out = []
    for i in range(len(rd)):  # a loop over radars (tens), each vectorized over its samples
        idx = np.flatnonzero(visible[i])
        rt, rk = np.divmod(idx, traj.m)
        with np.errstate(invalid="ignore", divide="ignore"):
            z, H = radar_measure(r[:, rt, rk], rd.r_ecef_m[i][:, None], rots[i][:, :, None])
            cos_el = np.maximum(np.cos(z[1]), math.cos(model.max_az_el_rad))
            inv_r = (
                (cos_el / rd.angle_sigma_rad[i]) ** 2,
                np.full(z[1].shape, rd.angle_sigma_rad[i] ** -2.0),
                np.full(z[1].shape, rd.range_sigma_m[i] ** -2.0),
            )
            j_rad = np.zeros((idx.size, 3, 3))
            for a in range(3):
                for p in range(3):
                    for q in range(p, 3):
                        term = H[a, p] * H[a, q] * inv_r[a]
                        j_rad[..., p, q] += term
            for p in range(3):
                for q in range(p + 1, 3):
                    j_rad[..., q, p] = j_rad[..., p, q]
        out.append(RadarInformation(idx=idx.astype(np.int64), info=j_rad))
    return tuple(out)


class SensingLike(Protocol):
    """What the tracking geometry reads of :class:`~shieldwall.sensing.SensorGeometry` (or of a
    :class:`~shieldwall.sensing.Visibility`): the policy-independent look schedule and Pd."""

    @property
    def visible(self) -> NDArray[np.bool_]: ...
    @property
    def pd_cued(self) -> F64: ...
    @property
    def is_look(self) -> NDArray[np.bool_]: ...
    @property
    def looks_per_sample(self) -> F64: ...


@dataclass(frozen=True, kw_only=True)
class LookInformation:
    """The expected measurement information of every radar look, by grid cell (policy-free).

    Entry ``e`` is one radar's look at one sample it sees, ``w Hᵣᵀ R⁻¹ Hᵣ`` with ``w = looks ·
    Pd_cued`` (the expected number of detections; position block, ECEF). Entries are sorted by
    grid cell ``t m + k`` and, within a cell, by radar: cell ``c`` holds ``row[c] : row[c + 1]``.
    A policy selects the entries a nation receives and those after each radar's own track
    initiation (:func:`nation_information`, the compiled filters).

    Attributes
    ----------
    row
        ``(n_t m + 1,)`` offsets.
    radar
        ``(n_e,)`` radar of each entry.
    w
        ``(n_e, 6)`` the six distinct entries (xx, yy, zz, xy, xz, yz). [1/m^2]
    """

    row: I64
    radar: I64
    w: F64

    @property
    def n(self) -> int:
        """Number of entries."""
        return int(self.radar.shape[0])


#: (row, column) of the six distinct entries of a symmetric 3x3, in ``LookInformation.w`` order.
_SYM = ((0, 0), (1, 1), (2, 2), (0, 1), (0, 2), (1, 2))


def look_information(
    world: World, traj: Trajectories, sensing: SensingLike, model: FilterModel
) -> LookInformation:
    """Every radar's expected information at its looks (see :class:`LookInformation`).

    The same terms as :func:`radar_information` times the look weight, computed only at the
    looks that carry information (a visible look with ``Pd_cued > 0``), by the compiled
    :func:`shieldwall.tracking._kernels.look_information_rows` (cell by cell, radars in order:
    already sorted); :func:`look_information_numpy` is its reference (the same operations).
    """
    from shieldwall.tracking._kernels import look_information_rows

    rd = world.radars
    n_radar = len(rd)
    rots = np.ascontiguousarray(enu_rotation(rd.lat_rad, rd.lon_rad), dtype=np.float64)
    sig = np.asarray(rd.angle_sigma_rad, dtype=np.float64)
    rng = np.asarray(rd.range_sigma_m, dtype=np.float64)
    # scalar powers, as the reference takes them (an array pow may round the last bit apart)
    inv_el2 = np.array([sig[i] ** -2.0 for i in range(n_radar)], dtype=np.float64)
    inv_rg2 = np.array([rng[i] ** -2.0 for i in range(n_radar)], dtype=np.float64)
    n_cell = traj.n * traj.m
    row, radar, w = look_information_rows(
        np.ascontiguousarray(traj.r_ecef_m, dtype=np.float64).reshape(-1, 3),
        np.ascontiguousarray(sensing.visible, dtype=np.bool_).reshape(n_radar, n_cell),
        np.ascontiguousarray(sensing.is_look, dtype=np.bool_),
        np.ascontiguousarray(sensing.looks_per_sample, dtype=np.float64),
        np.ascontiguousarray(sensing.pd_cued, dtype=np.float64).reshape(n_radar, n_cell),
        np.ascontiguousarray(rd.r_ecef_m, dtype=np.float64), rots,
        math.cos(model.max_az_el_rad), sig, inv_el2, inv_rg2, traj.m,
    )  # fmt: skip
    return LookInformation(row=row, radar=radar, w=w)


def look_information_numpy(
    world: World, traj: Trajectories, sensing: SensingLike, model: FilterModel
) -> LookInformation:
    """:func:`look_information` one radar at a time over its looks, in numpy (the reference
    of the compiled kernel)."""
    rd = world.radars
    m = traj.m
    n_cell = traj.n * m
    r = traj.r_ecef_m.reshape(-1, 3)  # (cell, 3)
    rots = enu_rotation(rd.lat_rad, rd.lon_rad)
    is_look = np.asarray(sensing.is_look, dtype=bool)
    cells, radars, ws = [], [], []
    for i in range(len(rd)):  # a loop over radars (tens), each vectorized over its looks
        idx = np.flatnonzero(sensing.visible[i])
        rk = idx % m
        wt = (is_look[i, rk] * sensing.looks_per_sample[i]) * sensing.pd_cued[i].reshape(-1)[idx]
        use = wt > 0
        idx, wt = idx[use], wt[use]
        with np.errstate(invalid="ignore", divide="ignore"):
            # (3, look) in the memory order einsum saw before (vector axis fastest)
            z, H = radar_measure(r[idx].T, rd.r_ecef_m[i][:, None], rots[i][:, :, None])
            cos_el = np.maximum(np.cos(z[1]), math.cos(model.max_az_el_rad))
            inv_r = (
                (cos_el / rd.angle_sigma_rad[i]) ** 2,
                np.full(z[1].shape, rd.angle_sigma_rad[i] ** -2.0),
                np.full(z[1].shape, rd.range_sigma_m[i] ** -2.0),
            )
            w = np.empty((idx.size, 6))
            for e, (p, q) in enumerate(_SYM):
                j = np.zeros(idx.size)
                for a in range(3):
                    j += H[a, p] * H[a, q] * inv_r[a]
                w[:, e] = wt * j
        cells.append(idx)
        radars.append(np.full(idx.size, i, dtype=np.int64))
        ws.append(w)
    if not cells:
        return LookInformation(
            row=np.zeros(n_cell + 1, np.int64), radar=np.zeros(0, np.int64), w=np.zeros((0, 6))
        )
    cell = np.concatenate(cells)
    order = np.argsort(cell, kind="stable")  # by cell, radars in ascending order within it
    counts = np.bincount(cell, minlength=n_cell)
    return LookInformation(
        row=np.concatenate([[0], np.cumsum(counts)]).astype(np.int64),
        radar=np.concatenate(radars)[order],
        w=np.concatenate(ws)[order],
    )


def nation_information(
    world: World,
    traj: Trajectories,
    vis: Visibility,
    model: FilterModel,
    looks: LookInformation | None = None,
) -> F64:
    """Expected measurement information of each nation's own radars, ``(n_nat, n_t, m, 3, 3)``.

    Per radar: ``w Hᵣᵀ R⁻¹ Hᵣ`` (position block; ECEF) with ``w = looks · Pd_cued`` at its looks
    after its own track initiation (``Visibility.track_init_t_s``), 0 elsewhere. [1/m^2]
    ``looks`` (:func:`look_information` of the same trajectories) is computed when ``None``.
    """
    rd = world.radars
    n_nat = len(world.nations)
    info = np.zeros((n_nat, traj.n * traj.m, 3, 3))
    if looks is None:
        looks = look_information(world, traj, vis, model)
    cell = np.repeat(np.arange(traj.n * traj.m), np.diff(looks.row))
    t_idx = cell // traj.m
    with np.errstate(invalid="ignore"):
        tracked = traj.t_s.reshape(-1)[cell] >= vis.track_init_t_s[looks.radar, t_idx]
    w = np.zeros((looks.n, 3, 3))
    for e, (a, b) in enumerate(_SYM):
        w[:, a, b] = looks.w[:, e]
        w[:, b, a] = looks.w[:, e]
    for i in range(len(rd)):  # radars in index order, each added once per cell
        use = np.flatnonzero((looks.radar == i) & tracked)
        if use.size:
            info[rd.nation_idx[i], cell[use]] += w[use]
    out: F64 = info.reshape(n_nat, traj.n, traj.m, 3, 3)
    return out


@dataclass(frozen=True, kw_only=True)
class TrackingGeometry:
    """The policy-independent part of the covariance analysis for one set of trajectories.

    Attributes
    ----------
    model
        The filter tuning these were made with.
    F
        Step transition along the truth, ``(n_t, m, 6, 6)``.
    q, dt_s
        Process-noise density and step of each sample's step to the next, ``(n_t, m)``
        (:func:`process_noise` makes ``Q`` from them). [m^2/s^3, s]
    psi, axes
        IPP sensitivities ``(n_t, m, 2, 6)`` and east/north axes ``(n_t, 2, 3)``
        (:func:`shieldwall.tracking.ipp.ipp_sensitivity`).
    looks
        Every radar's expected information at its looks (:func:`look_information`).
    """

    model: FilterModel
    F: F64
    q: F64
    dt_s: F64
    psi: F64
    axes: F64
    looks: LookInformation

    @property
    def Q(self) -> F64:
        """Process noise of each step, ``(n_t, m, 6, 6)`` (made on request)."""
        return process_noise(self.q, self.dt_s)


def tracking_geometry(
    world: World, traj: Trajectories, sensing: SensingLike, model: FilterModel | None = None
) -> TrackingGeometry:
    """Transitions, process noise, IPP sensitivities and the radars' look information, once per
    raid geometry (``sensing`` is the :class:`~shieldwall.sensing.SensorGeometry` of the same
    trajectories, or a :class:`~shieldwall.sensing.Visibility` of them)."""
    model = model or FilterModel()
    F = truth_transitions(world, traj, model)
    dt = np.concatenate([np.diff(traj.t_s, axis=1), np.full((traj.n, 1), np.nan)], axis=1)
    psi, axes = ipp_sensitivity(traj, F)
    return TrackingGeometry(
        model=model,
        F=F,
        q=np.nan_to_num(process_noise_density(traj, model)),
        dt_s=np.nan_to_num(dt),
        psi=psi,
        axes=axes,
        looks=look_information(world, traj, sensing, model),
    )


def process_noise(q_m2_s3: F64, dt_s: F64) -> F64:
    """White-acceleration ``Q`` per step, ``(n_t, m, 6, 6)`` (Bar-Shalom 2001, eq. 6.2.2-12)."""
    dt = np.nan_to_num(dt_s)
    q = np.nan_to_num(q_m2_s3)
    out = np.zeros((*dt.shape, 6, 6))
    for i in range(3):
        out[..., i, i] = np.abs(dt) ** 3 / 3.0 * q
        out[..., i, 3 + i] = dt * dt / 2.0 * q
        out[..., 3 + i, i] = dt * dt / 2.0 * q
        out[..., 3 + i, 3 + i] = np.abs(dt) * q
    return out


def _p0(model: FilterModel) -> F64:
    return np.diag([model.p0_pos_sigma_m**2] * 3 + [model.p0_vel_sigma_mps**2] * 3)


def _inv3(A: F64) -> F64:
    """Closed-form inverse of general 3x3 matrices ``(..., 3, 3)`` (adjugate / determinant)."""
    a, b, c = A[..., 0, 0], A[..., 0, 1], A[..., 0, 2]
    d, e, f = A[..., 1, 0], A[..., 1, 1], A[..., 1, 2]
    g, h, i = A[..., 2, 0], A[..., 2, 1], A[..., 2, 2]
    out = np.empty_like(A)
    out[..., 0, 0] = e * i - f * h
    out[..., 0, 1] = c * h - b * i
    out[..., 0, 2] = b * f - c * e
    out[..., 1, 0] = f * g - d * i
    out[..., 1, 1] = a * i - c * g
    out[..., 1, 2] = c * d - a * f
    out[..., 2, 0] = d * h - e * g
    out[..., 2, 1] = b * g - a * h
    out[..., 2, 2] = a * e - b * d
    det = a * out[..., 0, 0] + b * out[..., 1, 0] + c * out[..., 2, 0]
    res: F64 = out / det[..., None, None]
    return res


def _update(P: F64, J_pos: F64) -> tuple[F64, NDArray[np.bool_]]:
    """Information-form update with position information ``J_pos (..., 3, 3)``.

    ``P⁺ = (P⁻¹ + J)⁻¹ = P - P₍:,r₎ (I + J P_rr)⁻¹ J P₍r,:₎`` (matrix inversion lemma; only a 3x3
    inverse, in closed form, and valid for singular ``J``). Rows without information are
    returned unchanged.
    """
    has = np.trace(J_pos, axis1=-2, axis2=-1) > 0
    out = P.copy()
    if not np.any(has):
        return out, np.asarray(has, dtype=bool)
    Ph, Jh = P[has], J_pos[has]
    M = _inv3(np.eye(3) + Jh @ Ph[:, :3, :3]) @ Jh  # (k, 3, 3)
    upd = Ph - Ph[:, :, :3] @ M @ Ph[:, :3, :]
    out[has] = 0.5 * (upd + np.swapaxes(upd, -1, -2))
    return out, np.asarray(has, dtype=bool)


def recursion(
    F: F64,
    Q: F64,
    info_pos: F64,
    model: FilterModel,
    k_start: NDArray[np.int64],
) -> tuple[F64, NDArray[np.bool_]]:
    """Run the covariance recursion for a batch of filters over the grid (no latency).

    Parameters
    ----------
    F, Q
        ``(n_t, m, 6, 6)`` transition and process noise of the step ``k`` → ``k + 1``.
    info_pos
        ``(n_b, n_t, m, 3, 3)`` position information taken at each sample. [1/m^2]
    k_start
        ``(n_b, n_t)`` sample at which each track starts from the prior (``m`` = never): when
        the first measurement it will ever receive is *taken*, so that a late link never buys
        a fresher prior.

    Returns
    -------
    P, started
        Posterior covariances ``(n_b, n_t, m, 6, 6)`` (NaN before the start) and ``(n_b, n_t,
        m)`` started mask.
    """
    n_b, n_t, m = info_pos.shape[:3]
    p0 = _p0(model)
    P = np.broadcast_to(p0, (n_b, n_t, 6, 6)).copy()
    out = np.full((n_b, n_t, m, 6, 6), np.nan)
    started = np.zeros((n_b, n_t), bool)
    hist = np.zeros((n_b, n_t, m), bool)
    for k in range(m):
        if k > 0:
            Fk = F[:, k - 1]
            pred = Fk @ P @ np.swapaxes(Fk, -1, -2) + Q[:, k - 1]
            P = np.where(started[..., None, None], pred, P)
        fresh = k_start == k
        P = np.where(fresh[..., None, None], p0, P)
        started |= fresh
        upd, has = _update(P, info_pos[:, :, k])
        P = np.where((has & started)[..., None, None], upd, P)
        out[:, :, k] = np.where(started[..., None, None], P, np.nan)
        hist[:, :, k] = started
    return out, hist


def lagged_rerun(
    P_full: F64,
    started_full: NDArray[np.bool_],
    k_start: NDArray[np.int64],
    F: F64,
    Q: F64,
    info_by_lag: dict[int, F64],
    model: FilterModel,
    sample_ok: NDArray[np.bool_] | None = None,
) -> F64:
    """One nation's picture with late sources: a fixed-lag re-run over all samples at once.

    Parameters
    ----------
    P_full, started_full
        ``(n_t, m, 6, 6)`` and ``(n_t, m)``: the filter fusing every source without delay.
    k_start
        ``(n_t,)`` start sample of that filter.
    F, Q
        ``(n_t, m, 6, 6)`` step transition and process noise.
    info_by_lag
        Lag in samples ``d`` → position information ``(n_t, m, 3, 3)`` taken by the sources
        with that lag (``0``: the nation's own sensors and zero-latency links).
    sample_ok
        ``(n_t, m)`` samples worth computing (e.g. not padding); others are NaN.

    Returns
    -------
    P
        ``(n_t, m, 6, 6)``: at ``k``, the covariance given source ``d``'s data up to ``k - d``.

    Notes
    -----
    Where no late source (``d > 0``) took information in the last ``D`` samples, the delayed
    picture holds the same measurements as the undelayed one, so it *is* ``P_full`` there;
    only the other samples are re-run.
    """
    D = max(info_by_lag)
    if D == 0:
        return P_full
    m = started_full.shape[1]
    p0 = _p0(model)
    # work only on windows ending where the full filter has a track on a real sample
    want = started_full if sample_ok is None else started_full & sample_ok
    late = np.zeros(started_full.shape)
    for d, info in info_by_lag.items():
        if d > 0:
            late += np.trace(info, axis1=-2, axis2=-1) > 0
    c = np.cumsum(late, axis=1)
    recent = c - np.concatenate([np.zeros((c.shape[0], D)), c[:, :-D]], axis=1)[:, :m] > 0
    same = want & ~recent  # no late data taken in (k - D, k]: the undelayed picture
    want = want & recent
    tt, kk = np.nonzero(want)
    base_k = kk - D
    st = np.where(base_k >= 0, started_full[tt, np.maximum(base_k, 0)], False)
    P = np.where(
        st[:, None, None], np.nan_to_num(P_full[tt, np.maximum(base_k, 0)]), p0
    )  # (V, 6, 6)
    for j in range(1, D + 1):
        idx = base_k + j  # the sample this step of each window reaches
        ok = idx >= 0
        idc = np.clip(idx, 0, m - 1)
        prev = np.clip(idx - 1, 0, m - 1)
        Fk = F[tt, prev]
        pred = Fk @ P @ np.swapaxes(Fk, -1, -2) + Q[tt, prev]
        P = np.where((st & (idx >= 1))[:, None, None], pred, P)
        fresh = (idx == k_start[tt]) & ~st & ok
        P = np.where(fresh[:, None, None], p0, P)
        st |= fresh
        J = np.zeros((len(tt), 3, 3))
        for d, info in info_by_lag.items():
            if d <= D - j:
                J += info[tt, idc]
        J = np.where((ok & st)[:, None, None], J, 0.0)
        P, _ = _update(P, J)
    out = np.full_like(P_full, np.nan)
    out[same] = P_full[same]
    out[tt, kk] = np.where(st[:, None, None], P, np.nan)
    return out
