"""The `Trajectories` type: threat flights on a per-threat uniform time grid.

One row per threat (missile launched), one column per grid sample. The grid of threat ``i`` is
``launch_t_s[i] + k * dt_s`` for ``k = 0, 1, ...``; samples after impact are NaN (``phase`` -1).
The last valid sample of each row is the impact itself (its time is ``impact_t_s``, which is in
general not on the grid), so consumers always see the trajectory reach the ground.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from shieldwall._types import F64

__all__ = ["PHASE_BOOST", "PHASE_MIDCOURSE", "PHASE_PAD", "PHASE_TERMINAL", "Trajectories"]


#: ``phase`` codes.
PHASE_PAD = -1
PHASE_BOOST = 0
PHASE_MIDCOURSE = 1
PHASE_TERMINAL = 2


@dataclass(frozen=True, kw_only=True)
class Trajectories:
    """Threat trajectories (struct of arrays), reported in ECEF and geodetic coordinates.

    Flight is integrated in an inertial frame (see :mod:`shieldwall.flight.propagate`); this
    type only holds the result. ``n`` threats, ``m`` grid samples.

    Attributes
    ----------
    dt_s
        Grid step. [s]
    t_s
        Absolute time of each sample since the scenario epoch, ``(n, m)``; NaN after impact. [s]
    r_ecef_m
        Position, ECEF, ``(n, m, 3)``; NaN padding. [m]
    v_ecef_mps
        Velocity relative to the rotating Earth, expressed in ECEF, ``(n, m, 3)``. [m/s]
    alt_m
        Geodetic height above the WGS-84 ellipsoid (above the sphere in the spherical model),
        ``(n, m)``. [m]
    phase
        ``(n, m)`` int8: 0 boost, 1 midcourse, 2 terminal (descending below 100 km), -1 padding.
    missile_idx
        Row of each threat in ``World.missiles`` (``-1`` when flown without a world), ``(n,)``.
    launch_t_s, burnout_t_s, impact_t_s
        Event times since the epoch, ``(n,)``; ``inf`` impact when the flight did not end. [s]
    launch_r_ecef_m, impact_r_ecef_m
        Launch and impact points, ECEF, ``(n, 3)``. [m]
    launch_lat_rad, launch_lon_rad, impact_lat_rad, impact_lon_rad
        Geodetic launch and impact points, ``(n,)``. [rad]
    apogee_m
        Highest geodetic height reached, ``(n,)``. [m]
    range_m
        Geodesic ground range launch -> impact (WGS-84; great circle in the spherical model),
        ``(n,)``. [m]
    burnout_speed_mps, burnout_angle_rad
        Earth-relative speed and flight-path angle above the local (geocentric) horizontal at
        burnout, ``(n,)``. [m/s], [rad]
    reentry_speed_mps
        Earth-relative speed when descending through 100 km (at impact if the apogee is lower,
        and in vacuum, where there is no atmosphere to reenter), ``(n,)``. [m/s]
    impact_speed_mps
        Earth-relative speed at impact, ``(n,)``. [m/s]
    miss_m
        Distance from the impact point to the aim point in the model (NaN when not aimed),
        ``(n,)``. [m]
    """

    dt_s: float
    t_s: F64
    r_ecef_m: F64
    v_ecef_mps: F64
    alt_m: F64
    phase: NDArray[np.int8]
    missile_idx: NDArray[np.int64]
    launch_t_s: F64
    burnout_t_s: F64
    impact_t_s: F64
    launch_r_ecef_m: F64
    impact_r_ecef_m: F64
    launch_lat_rad: F64
    launch_lon_rad: F64
    impact_lat_rad: F64
    impact_lon_rad: F64
    apogee_m: F64
    range_m: F64
    burnout_speed_mps: F64
    burnout_angle_rad: F64
    reentry_speed_mps: F64
    impact_speed_mps: F64
    miss_m: F64

    def __post_init__(self) -> None:
        n, m = self.t_s.shape
        expect = {
            "r_ecef_m": (n, m, 3),
            "v_ecef_mps": (n, m, 3),
            "alt_m": (n, m),
            "phase": (n, m),
            "launch_r_ecef_m": (n, 3),
            "impact_r_ecef_m": (n, 3),
        }
        for name in (
            "missile_idx",
            "launch_t_s",
            "burnout_t_s",
            "impact_t_s",
            "launch_lat_rad",
            "launch_lon_rad",
            "impact_lat_rad",
            "impact_lon_rad",
            "apogee_m",
            "range_m",
            "burnout_speed_mps",
            "burnout_angle_rad",
            "reentry_speed_mps",
            "impact_speed_mps",
            "miss_m",
        ):
            expect[name] = (n,)
        for name, shape in expect.items():
            got = np.shape(getattr(self, name))
            if got != shape:
                raise ValueError(f"Trajectories.{name} has shape {got}, expected {shape}")

    @property
    def n(self) -> int:
        """Number of threats."""
        return int(self.t_s.shape[0])

    @property
    def m(self) -> int:
        """Number of grid samples per threat (padded)."""
        return int(self.t_s.shape[1])

    @property
    def valid(self) -> NDArray[np.bool_]:
        """``(n, m)`` mask of real (non-padding) samples."""
        return np.asarray(self.phase >= 0)

    @property
    def flight_time_s(self) -> F64:
        """Launch to impact, ``(n,)``. [s]"""
        return np.asarray(self.impact_t_s - self.launch_t_s, dtype=np.float64)

    @property
    def free_flight_time_s(self) -> F64:
        """Burnout to impact, ``(n,)``. [s]"""
        return np.asarray(self.impact_t_s - self.burnout_t_s, dtype=np.float64)

    @property
    def lengths(self) -> NDArray[np.int64]:
        """Valid samples per threat, ``(n,)`` (the rest of each row is padding)."""
        out: NDArray[np.int64] = np.sum(np.isfinite(self.t_s), axis=1).astype(np.int64)
        return out

    def take(self, idx: NDArray[np.int64] | list[int]) -> Trajectories:
        """The threats ``idx`` (in that order) as a new `Trajectories`.

        Its grid is trimmed to the longest of the selected flights (``m`` = their largest
        :attr:`lengths`, at least 1): taking threats of similar flight length packs them
        without the padding of the longest flight in the raid.
        """
        i = np.asarray(idx, dtype=np.int64)
        m = max(int(self.lengths[i].max(initial=0)), 1) if i.size else 1
        out = {}
        for k, v in self.__dict__.items():
            if k == "dt_s":
                continue
            a = np.asarray(v)[i]
            out[k] = a[:, :m] if k in _SAMPLED else a
        return Trajectories(dt_s=self.dt_s, **out)


#: Fields with a sample axis (axis 1).
_SAMPLED = frozenset({"t_s", "r_ecef_m", "v_ecef_mps", "alt_m", "phase"})
