"""`TrackPicture`: what each nation's fused picture knows about each threat, over time."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from shieldwall._types import F64, I64, B

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
    pos_cov_m2
        Position covariance (ECEF), ``(n_nat, n_threat, m, 3, 3)``; NaN where no track. [m^2]
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
    """

    policy: str
    mode: str
    fusion: str
    t_s: F64
    ipp_sigma_m: F64
    ipp_cov_m2: F64
    pos_cov_m2: F64
    impact_r_ecef_m: F64
    ipp_axes_ecef: F64
    track_t_s: F64
    first_detect_t_s: F64
    first_detect_sensor: I64
    sensor_ids: tuple[str, ...]
    radar_tracking: B
    guidance_radars: B
    radar_nation_idx: I64

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
