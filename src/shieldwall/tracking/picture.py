"""`TrackPicture`: what each nation's fused picture knows about each threat, over time."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from shieldwall._types import F64, I64, B
from shieldwall.tracking.initiation import quantile_index

__all__ = ["TrackPicture"]


@dataclass(frozen=True, kw_only=True)
class TrackPicture:
    """Per nation and threat, on the trajectory grid: track accuracy and impact-point prediction.

    Covariance mode is deterministic given the trajectories: the estimate is unbiased and the
    true trajectory is the mean; a trial's estimation error is a draw from ``N(0, cov)``.

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
    ipp_sigma_m
        1-sigma impact-point uncertainty, the square root of the largest eigenvalue of
        ``ipp_cov_m2``, ``(n_nat, n_threat, m)``; ``inf`` = no track or no IPP yet (boost). [m]
    ipp_cov_m2
        IPP covariance in (east, north) at the impact point, ``(n_nat, n_threat, m, 2, 2)``;
        NaN where no IPP. [m^2]
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
    radar_tracking
        ``(n_radar, n_threat, m)``: the radar holds its own track and sees the threat at that
        sample (it can guide an interceptor there).
    guidance_radars
        ``(n_nat, n_radar)``: radars whose data may guide nation ``n``'s interceptors to
        intercept: its own, plus those of nations sharing at ``engage`` (engage on remote).
    radar_nation_idx
        ``(n_radar,)`` nation of each radar.
    track_cdf
        ``(n_nat, n_threat, m)``: probability that the nation holds a first track by each
        sample, from the detection and M-of-N initiation process of the radars it receives
        (:func:`shieldwall.tracking.initiation.nation_track_cdf`); drives the per-trial
        :meth:`fire_control_times`.
    ipp_from_t_s
        ``(n_threat,)``: first sample after boost, the earliest an IPP exists. [s]
    pos_cov_m2
        Position covariance (ECEF), ``(n_nat, n_threat, m, 3, 3)``, NaN where no track; only
        when asked for (``track(..., position_covariance=True)``: 9/4 the size of
        ``ipp_cov_m2``, and no stage needs it), else ``None``. [m^2]
    """

    policy: str
    mode: str
    fusion: str
    t_s: F64
    ipp_sigma_m: F64
    ipp_cov_m2: F64
    impact_r_ecef_m: F64
    ipp_axes_ecef: F64
    track_t_s: F64
    first_detect_t_s: F64
    first_detect_sensor: I64
    sensor_ids: tuple[str, ...]
    radar_tracking: B
    guidance_radars: B
    radar_nation_idx: I64
    track_cdf: F64
    ipp_from_t_s: F64
    pos_cov_m2: F64 | None = None

    @property
    def n_nations(self) -> int:
        """Number of nations."""
        return int(self.ipp_sigma_m.shape[0])

    def fire_control_time(self, nation_idx: ArrayLike, sigma_req_m: ArrayLike) -> F64:
        """First time each nation's IPP 1-sigma is at or below each requirement.

        Parameters
        ----------
        nation_idx
            Nation per request (e.g. per battery), shape ``(k,)`` (or scalar).
        sigma_req_m
            IPP 1-sigma the requester needs (``InterceptorTable.fcq_ipp_sigma_m``), broadcast
            to ``nation_idx``. [m]

        Returns
        -------
        t_s
            ``(*shape, n_threat)``: fire-control-quality time per request and threat; ``inf``
            if never. [s]
        """
        nat, req = np.broadcast_arrays(np.asarray(nation_idx), np.asarray(sigma_req_m, float))
        sig = self.ipp_sigma_m[nat.astype(np.int64)]  # (*shape, n_threat, m)
        ok = sig <= req[..., None, None]
        k = np.argmax(ok, axis=-1)
        t = np.take_along_axis(np.broadcast_to(self.t_s, ok.shape), k[..., None], axis=-1)
        out: F64 = np.where(np.any(ok, axis=-1), t[..., 0], np.inf)
        return out

    def fire_control_index(self, nation_idx: ArrayLike, sigma_req_m: ArrayLike) -> I64:
        """Grid index of :meth:`fire_control_time` (``-1`` if never), same shape."""
        nat, req = np.broadcast_arrays(np.asarray(nation_idx), np.asarray(sigma_req_m, float))
        ok = self.ipp_sigma_m[nat.astype(np.int64)] <= req[..., None, None]
        out: I64 = np.where(np.any(ok, axis=-1), np.argmax(ok, axis=-1), -1).astype(np.int64)
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
        n_t, m = self.t_s.shape
        lengths = np.isfinite(self.t_s).sum(axis=1).astype(np.int64)
        return np.arange(n_t, dtype=np.int64) * m, lengths

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
        q = self._check_u(u)
        offsets, lengths = self._rows()
        cdf = self.track_cdf[int(nation_idx)].reshape(-1)
        k = quantile_index(cdf, offsets, lengths, q)
        t = self.t_s.reshape(-1)[
            offsets[:, None] + np.minimum(k, np.maximum(lengths - 1, 0)[:, None])
        ]
        out: F64 = np.where(k < lengths[:, None], t, np.inf)
        return out

    def fire_control_times(self, nation_idx: int, sigma_req_m: ArrayLike, u: ArrayLike) -> F64:
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

        Returns
        -------
        t_s
            ``(*shape(sigma_req_m), n_threat, n_trial)``; ``inf`` where the nation never gets a
            fire-control-quality track. [s]
        """
        q = self._check_u(u)
        n = int(nation_idx)
        t_first = self.first_track_times(n, q)  # (n_t, n_trial)
        t_med = self.first_track_times(n, np.full((q.shape[0], 1), 0.5))[:, 0]
        nominal = self.fire_control_time(n, sigma_req_m)  # (*s, n_t)
        ok = np.isfinite(nominal) & np.isfinite(t_med)
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
        k = self.fire_control_index(n, sigma_req_m)  # (n_t,)
        j = np.arange(k.shape[0])
        cov = self.ipp_cov_m2[n, j, np.maximum(k, 0)]
        out: F64 = np.where((k >= 0)[:, None, None], cov, np.nan)
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
