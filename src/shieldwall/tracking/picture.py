"""`TrackPicture`: what each nation's fused picture knows about each threat, over time."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Protocol

import numpy as np
from numpy.typing import ArrayLike

from shieldwall._types import F64, I64, B
from shieldwall.tracking.initiation import QUANTILE_BINS, quantile_index
from shieldwall.tracking.ipp import ipp_sigma

__all__ = ["DenseDetail", "PictureDetail", "TrackPicture", "fire_control_crossings"]


class PictureDetail(Protocol):
    """The per-sample products of a picture, made when asked for (see :class:`TrackPicture`)."""

    def ipp_cov_m2(self) -> F64:
        """IPP covariance at every sample, ``(n_nat, n_threat, m, 2, 2)`` (NaN where none)."""
        ...

    def radar_tracking(self) -> B:
        """``(n_radar, n_threat, m)``: the radar holds its own track and sees the threat."""
        ...

    def radar_tracks(self, radar_idx: I64, threat_idx: I64, sample_idx: I64) -> B:
        """``radar_tracking[radar_idx, threat_idx, sample_idx]`` (broadcast), without the
        dense array."""
        ...

    def radar_tracking_spans(self) -> tuple[I64, I64]:
        """First and last sample of each radar's tracking of each threat, ``(n_radar,
        n_threat)`` each (-1 where it never tracks), without the dense array."""
        ...


def tracking_spans(mask: B) -> tuple[I64, I64]:
    """First and last True along the last axis of ``mask`` (-1 where none)."""
    some = mask.any(axis=-1)
    m = mask.shape[-1]
    first = np.where(some, np.argmax(mask, axis=-1), -1)
    last = np.where(some, m - 1 - np.argmax(mask[..., ::-1], axis=-1), -1)
    return first.astype(np.int64), last.astype(np.int64)


@dataclass(frozen=True, kw_only=True)
class DenseDetail:
    """:class:`PictureDetail` of arrays already made (the whole-raid reference path)."""

    ipp_cov: F64
    tracking: B

    def ipp_cov_m2(self) -> F64:
        return self.ipp_cov

    def radar_tracking(self) -> B:
        return self.tracking

    def radar_tracks(self, radar_idx: I64, threat_idx: I64, sample_idx: I64) -> B:
        out: B = self.tracking[radar_idx, threat_idx, sample_idx]
        return out

    def radar_tracking_spans(self) -> tuple[I64, I64]:
        return tracking_spans(self.tracking)


def fire_control_crossings(ipp_cov_m2: F64, sigma_req_m: F64) -> tuple[I64, F64]:
    """First sample at which each IPP 1-sigma series is within each requirement.

    Parameters
    ----------
    ipp_cov_m2
        ``(n_nat, n_threat, m, 2, 2)`` (NaN where no IPP). [m^2]
    sigma_req_m
        ``(n_req,)`` requirements. [m]

    Returns
    -------
    index, cov
        ``(n_nat, n_req, n_threat)`` sample (-1 never) and the covariance there
        ``(n_nat, n_req, n_threat, 2, 2)`` (NaN never). [-, m^2]
    """
    sig = ipp_sigma(ipp_cov_m2)  # (n_nat, n_t, m)
    ok = sig[:, None] <= np.asarray(sigma_req_m, dtype=np.float64)[None, :, None, None]
    k = np.where(ok.any(axis=-1), np.argmax(ok, axis=-1), -1).astype(np.int64)
    n_nat, _, n_t = k.shape
    nat = np.arange(n_nat)[:, None, None]
    thr = np.arange(n_t)[None, None, :]
    cov = ipp_cov_m2[nat, thr, np.maximum(k, 0)]
    cov = np.where((k >= 0)[..., None, None], cov, np.nan)
    return k, cov


@dataclass(frozen=True, kw_only=True)
class TrackPicture:
    """Per nation and threat, on the trajectory grid: track accuracy and impact-point prediction.

    Covariance mode is deterministic given the trajectories: the estimate is unbiased and the
    true trajectory is the mean; a trial's estimation error is a draw from ``N(0, cov)``.

    What the simulation consumes is made eagerly: for each fire-control requirement of the
    world (``fc_sigma_req_m``) the first sample at which each nation's IPP 1-sigma is within
    it and the IPP covariance there, the first-track distribution, the first-detection and
    track times. The per-sample series (``ipp_cov_m2``, ``ipp_sigma_m``, ``radar_tracking``)
    are made on first access (``detail``; ``shieldwall detect``, tests, run records).

    Attributes
    ----------
    policy
        Name of the sharing policy.
    mode
        ``"covariance"`` or ``"measurement"``.
    fusion
        ``"centralized"`` (measurement-level information sum) or ``"ci"`` (track-level
        covariance intersection).
    t_s
        Trajectory grid, ``(n_threat, m)`` (NaN padding). [s]
    impact_r_ecef_m
        Predicted impact point (covariance mode: the true one), ``(n_threat, 3)``. [m]
    ipp_axes_ecef
        Unit vectors east and north at the impact point, rows, ``(n_threat, 2, 3)``.
    track_t_s
        First time the nation holds a track (any radar information received), ``(n_nat,
        n_threat)``; ``inf`` never. [s]
    first_detect_t_s, first_detect_sensor
        When and by which sensor the nation first learns of the threat (own sensors or
        received at ``early_warning`` or above, after latency), ``(n_nat, n_threat)``.
        Sensor index: radars ``0 .. n_radar-1``, then satellites ``n_radar + i``; -1 never.
    sensor_ids
        Names for ``first_detect_sensor`` (radar ids, then satellite ids).
    guidance_radars
        ``(n_nat, n_radar)``: radars whose data may guide nation ``n``'s interceptors to
        intercept: its own, plus those of nations sharing at ``engage`` (engage on remote).
    radar_nation_idx
        ``(n_radar,)`` nation of each radar.
    track_cdf
        ``(n_nat, S)``, ragged: threat ``j``'s valid samples are columns
        ``row_offsets[j] : row_offsets[j] + lengths[j]``; the probability that the nation holds
        a first track by each sample, from the detection and M-of-N initiation process of the
        radars it receives (:func:`shieldwall.tracking.initiation.nation_track_cdf`); drives
        the per-trial :meth:`fire_control_times`.
    ipp_from_t_s
        ``(n_threat,)``: first sample after boost, the earliest an IPP exists. [s]
    fc_sigma_req_m
        ``(n_req,)`` ascending: the fire-control requirements (IPP 1-sigma) whose crossings
        were made (:func:`~shieldwall.tracking.track.fire_control_requirements_m`). [m]
    fc_index, fc_ipp_cov_m2
        ``(n_nat, n_req, n_threat)`` first sample at which the nation's IPP 1-sigma is within
        each requirement (-1 never) and the IPP covariance there (east, north at the impact
        point), ``(n_nat, n_req, n_threat, 2, 2)``, NaN never. [-, m^2]
    detail
        Makes the per-sample products on request (:class:`PictureDetail`).
    pos_cov_m2
        Position covariance (ECEF), ``(n_nat, n_threat, m, 3, 3)``, NaN where no track; only
        when asked for (``track(..., position_covariance=True)``), else ``None``. [m^2]
    """

    policy: str
    mode: str
    fusion: str
    t_s: F64
    impact_r_ecef_m: F64
    ipp_axes_ecef: F64
    track_t_s: F64
    first_detect_t_s: F64
    first_detect_sensor: I64
    sensor_ids: tuple[str, ...]
    guidance_radars: B
    radar_nation_idx: I64
    track_cdf: F64
    ipp_from_t_s: F64
    fc_sigma_req_m: F64
    fc_index: I64
    fc_ipp_cov_m2: F64
    detail: PictureDetail = field(repr=False, compare=False)
    pos_cov_m2: F64 | None = field(default=None, repr=False)

    @cached_property
    def ipp_cov_m2(self) -> F64:
        """IPP covariance in (east, north) at the impact point, ``(n_nat, n_threat, m, 2, 2)``;
        NaN where no IPP (made on first access). [m^2]"""
        return self.detail.ipp_cov_m2()

    @cached_property
    def ipp_sigma_m(self) -> F64:
        """1-sigma impact-point uncertainty, the square root of the largest eigenvalue of
        :attr:`ipp_cov_m2`, ``(n_nat, n_threat, m)``; ``inf`` = no track or no IPP yet (boost)
        (made on first access). [m]"""
        return ipp_sigma(self.ipp_cov_m2)

    @cached_property
    def radar_tracking(self) -> B:
        """``(n_radar, n_threat, m)``: the radar holds its own track and sees the threat at that
        sample (it can guide an interceptor there); made on first access —
        :meth:`radar_tracks` reads single samples without it."""
        return self.detail.radar_tracking()

    def radar_tracks(self, radar_idx: ArrayLike, threat_idx: ArrayLike, sample_idx: ArrayLike) -> B:
        """``radar_tracking[radar_idx, threat_idx, sample_idx]`` (indices broadcast), read from
        the compact products (no ``(n_radar, n_threat, m)`` array is made)."""
        r, i, k = np.broadcast_arrays(
            np.asarray(radar_idx, dtype=np.int64),
            np.asarray(threat_idx, dtype=np.int64),
            np.asarray(sample_idx, dtype=np.int64),
        )
        return self.detail.radar_tracks(r, i, k)

    def radar_track_spans(self) -> tuple[F64, F64]:
        """When each radar first and last tracks each threat (:attr:`radar_tracking`'s first
        and last True sample), ``(n_radar, n_threat)`` each; ``inf`` / ``-inf`` where it never
        does. Read from the compact products (no ``(n_radar, n_threat, m)`` array). [s]"""
        first, last = self.detail.radar_tracking_spans()
        thr = np.arange(first.shape[1])[None, :]
        start: F64 = np.where(first >= 0, self.t_s[thr, np.maximum(first, 0)], np.inf)
        end: F64 = np.where(last >= 0, self.t_s[thr, np.maximum(last, 0)], -np.inf)
        return start, end

    @property
    def lengths(self) -> I64:
        """Valid samples per threat, ``(n_threat,)``."""
        out: I64 = np.isfinite(self.t_s).sum(axis=1).astype(np.int64)
        return out

    @property
    def row_offsets(self) -> I64:
        """Start of each threat's row in the ragged :attr:`track_cdf`, ``(n_threat,)``."""
        n = self.lengths
        out: I64 = (np.cumsum(n) - n).astype(np.int64)
        return out

    @property
    def n_nations(self) -> int:
        """Number of nations."""
        return int(self.track_t_s.shape[0])

    def _requirement(self, sigma_req_m: F64) -> tuple[I64, bool]:
        """Positions of requirements in ``fc_sigma_req_m`` and whether all are there."""
        pos = np.searchsorted(self.fc_sigma_req_m, sigma_req_m)
        pos = np.minimum(pos, max(self.fc_sigma_req_m.size - 1, 0))
        hit = self.fc_sigma_req_m.size > 0 and bool(np.all(self.fc_sigma_req_m[pos] == sigma_req_m))
        return pos.astype(np.int64), hit

    def fire_control_index(self, nation_idx: ArrayLike, sigma_req_m: ArrayLike) -> I64:
        """First sample at which each nation's IPP 1-sigma is at or below each requirement
        (``-1`` if never), ``(*shape, n_threat)``.

        Parameters
        ----------
        nation_idx
            Nation per request (e.g. per battery), shape ``(k,)`` (or scalar).
        sigma_req_m
            IPP 1-sigma the requester needs (``InterceptorTable.fcq_ipp_sigma_m``), broadcast
            to ``nation_idx``. [m]

        Requirements among ``fc_sigma_req_m`` are read from the crossings; any other is found
        on the per-sample series (made on first use).
        """
        nat, req = np.broadcast_arrays(np.asarray(nation_idx), np.asarray(sigma_req_m, float))
        nat = nat.astype(np.int64)
        pos, hit = self._requirement(req)
        if hit:
            out: I64 = self.fc_index[nat, pos]
            return out
        ok = self.ipp_sigma_m[nat] <= req[..., None, None]
        out = np.where(np.any(ok, axis=-1), np.argmax(ok, axis=-1), -1).astype(np.int64)
        return out

    def fire_control_time(self, nation_idx: ArrayLike, sigma_req_m: ArrayLike) -> F64:
        """First time each nation's IPP 1-sigma is at or below each requirement.

        Parameters
        ----------
        nation_idx, sigma_req_m
            As for :meth:`fire_control_index`. [-, m]

        Returns
        -------
        t_s
            ``(*shape, n_threat)``: fire-control-quality time per request and threat; ``inf``
            if never. [s]
        """
        k = self.fire_control_index(nation_idx, sigma_req_m)
        t = np.take_along_axis(
            np.broadcast_to(self.t_s, (*k.shape, self.t_s.shape[1])),
            np.maximum(k, 0)[..., None],
            axis=-1,
        )[..., 0]
        out: F64 = np.where(k >= 0, t, np.inf)
        return out

    def guidance_available(self, nation_idx: ArrayLike) -> B:
        """Whether some radar allowed to guide the nation's interceptors tracks the threat.

        Returns ``(*shape(nation_idx), n_threat, m)`` bool: own radars, or (engage on remote)
        radars of nations sharing at ``engage`` level.
        """
        allowed = self.guidance_radars[np.asarray(nation_idx, dtype=np.int64)]  # (*s, n_radar)
        out: B = (
            np.einsum(
                "...r,rtm->...tm", allowed.astype(np.int8), self.radar_tracking.astype(np.int8)
            )
            > 0
        )
        return out

    def _rows(self) -> tuple[I64, I64]:
        return self._ragged_rows

    @cached_property
    def _ragged_rows(self) -> tuple[I64, I64]:
        """:attr:`row_offsets` and :attr:`lengths`, made once (read-only): every per-trial
        fire-control call reads them."""
        offsets, lengths = self.row_offsets, self.lengths
        offsets.setflags(write=False)
        lengths.setflags(write=False)
        return offsets, lengths

    def first_track_times(self, nation_idx: int, u: ArrayLike) -> F64:
        """Per-trial time at which the nation first holds a track: the ``u`` quantile of
        :attr:`track_cdf`.

        Parameters
        ----------
        nation_idx
            The nation.
        u
            ``(n_threat, n_trial)`` uniform quantiles in [0, 1) (common random numbers: drawn
            per (nation, threat), never per policy).

        Returns
        -------
        t_s
            ``(n_threat, n_trial)``; ``inf`` in trials in which no radar the nation receives
            initiates a track. [s]
        """
        return self._first_track_times(int(nation_idx), self._check_u(u))

    def _first_track_times(self, nation_idx: int, q: F64) -> F64:
        offsets, lengths = self._rows()
        cdf = self.track_cdf[int(nation_idx)]
        k = quantile_index(cdf, offsets, lengths, q)
        m = self.t_s.shape[1]
        cell = np.arange(q.shape[0], dtype=np.int64)[:, None] * m
        t = self.t_s.reshape(-1)[cell + np.minimum(k, np.maximum(lengths - 1, 0)[:, None])]
        out: F64 = np.where(k < lengths[:, None], t, np.inf)
        return out

    def fire_control_times(
        self, nation_idx: int, sigma_req_m: ArrayLike, u: ArrayLike, *, compiled: bool = True
    ) -> F64:
        """Per-trial fire-control times from the detection and track-initiation process.

        ``t_fc(u) = max(Q(u) + Δ, ipp_from_t_s)`` with ``Q`` the nation's first-track quantile
        (:meth:`first_track_times`) and ``Δ = t_fc − Q(½)`` the covariance convergence time of
        the nominal analysis (:meth:`fire_control_time`), so that ``u = ½`` gives the nominal
        time: the nominal value is the median (docs/tracking.md, "Per-trial fire control").

        Parameters
        ----------
        nation_idx
            The nation whose picture the battery uses.
        sigma_req_m
            IPP 1-sigma requirement(s), scalar or ``(k,)``. [m]
        u
            ``(n_threat, n_trial)`` uniform quantiles in [0, 1) (the ``fcq`` draws of the
            (nation, threat); the same for every requirement and policy).
        compiled
            Run the compiled kernel (:func:`shieldwall.tracking._kernels.fire_control_trials`,
            threat by threat, no ``(requirement, threat, trial)`` temporaries), else the numpy
            formulation; both give identical times (tested). []

        Returns
        -------
        t_s
            ``(*shape(sigma_req_m), n_threat, n_trial)``; ``inf`` where the nation never gets a
            fire-control-quality track. [s]
        """
        q = self._check_u(u)
        n = int(nation_idx)
        cdf = self.track_cdf[n]
        nominal = np.asarray(self.fire_control_time(n, sigma_req_m), dtype=np.float64)
        if compiled and q.size and nominal.size and bool(np.isfinite(cdf).all()):
            from shieldwall.tracking._kernels import fire_control_trials  # numba: on first use

            shape = nominal.shape
            offsets, lengths = self._rows()
            c = np.ascontiguousarray
            got = np.empty((*shape[:-1], *q.shape))  # (*shape(sigma_req_m), n_t, n_trial)
            fire_control_trials(
                c(cdf, dtype=np.float64), c(offsets, dtype=np.int64), c(lengths, dtype=np.int64),
                c(self.t_s, dtype=np.float64), c(q), QUANTILE_BINS,
                c(nominal.reshape(-1, shape[-1])), c(self.ipp_from_t_s, dtype=np.float64),
                got.reshape(-1, *q.shape),
            )  # fmt: skip
            return got
        # the trials' quantiles and the median in one search (each quantile is found alone)
        both = self._first_track_times(n, np.concatenate([q, np.full((q.shape[0], 1), 0.5)], 1))
        t_first, t_med = both[:, :-1], both[:, -1]  # (n_t, n_trial), (n_t,)
        ok = np.isfinite(nominal) & np.isfinite(t_med)  # nominal: (*s, n_t)
        delta = np.where(ok, nominal - np.where(np.isfinite(t_med), t_med, 0.0), np.inf)
        with np.errstate(invalid="ignore"):
            t = np.maximum(t_first + delta[..., None], self.ipp_from_t_s[:, None])
        out: F64 = np.where(ok[..., None] & np.isfinite(t_first), t, np.inf)
        return out

    def ipp_cov_at_fire_control(self, nation_idx: int, sigma_req_m: float) -> F64:
        """IPP covariance (east, north at the impact point) at the nominal fire-control time.

        Returns ``(n_threat, 2, 2)`` [m^2]; NaN where the nation never gets a
        fire-control-quality track. Draw a trial's IPP error from ``N(0, cov)``
        (``ipp_axes_ecef`` maps it to ECEF).
        """
        n = int(nation_idx)
        req = np.asarray(float(sigma_req_m))
        pos, hit = self._requirement(req)
        if hit:
            out: F64 = self.fc_ipp_cov_m2[n, int(pos)]
            return out
        k = self.fire_control_index(n, sigma_req_m)  # (n_t,)
        j = np.arange(k.shape[0])
        cov = self.ipp_cov_m2[n, j, np.maximum(k, 0)]
        out = np.where((k >= 0)[:, None, None], cov, np.nan)
        return out

    def _check_u(self, u: ArrayLike) -> F64:
        q = np.asarray(u, dtype=np.float64)
        n_t = self.t_s.shape[0]
        if q.ndim != 2 or q.shape[0] != n_t:
            raise ValueError(
                f"u must have shape (n_threat, n_trial) = ({n_t}, n_trial), got {q.shape}"
            )
        if q.size and (np.nanmin(q) < 0.0 or np.nanmax(q) >= 1.0 or np.isnan(q).any()):
            raise ValueError("u must hold uniform quantiles in [0, 1)")
        return q
