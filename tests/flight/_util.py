"""Shared helpers for flight tests: reference tables and synthetic missiles."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from shieldwall.flight.model import FlightModel
from shieldwall.flight.threats import fly_threats
from shieldwall.flight.trajectories import Trajectories

REF = Path(__file__).parents[1] / "reference" / "shared"


def rows(name: str) -> list[dict[str, str]]:
    with (REF / name).open() as f:
        return list(csv.DictReader(f))


def fly(
    lat0_deg: float | np.ndarray,
    lon0_deg: float | np.ndarray,
    lat1_deg: float | np.ndarray,
    lon1_deg: float | np.ndarray,
    *,
    model: FlightModel,
    shape: int | np.ndarray = 0,
    apogee_m: float | np.ndarray = np.nan,
    speed_mps: float | np.ndarray = np.nan,
    angle_rad: float | np.ndarray = np.nan,
    max_range_m: float = 6000e3,
    burn_time_s: float = 100.0,
    burnout_alt_m: float = 80e3,
    beta_pa: float = 50e3,
) -> Trajectories:
    """Fly threats of one synthetic missile type (long reach so only geometry matters)."""
    lat0, lon0, lat1, lon1 = np.broadcast_arrays(
        *(
            np.radians(np.atleast_1d(np.asarray(x, dtype=float)))
            for x in (lat0_deg, lon0_deg, lat1_deg, lon1_deg)
        )
    )
    n = lat0.shape[0]
    return fly_threats(
        launch_lat_rad=lat0,
        launch_lon_rad=lon0,
        aim_lat_rad=lat1,
        aim_lon_rad=lon1,
        launch_t_s=np.zeros(n),
        shape=np.broadcast_to(np.asarray(shape, dtype=np.int64), (n,)).copy(),
        apogee_m=np.broadcast_to(np.asarray(apogee_m, float), (n,)).copy(),
        burnout_speed_mps=np.broadcast_to(np.asarray(speed_mps, float), (n,)).copy(),
        burnout_angle_rad=np.broadcast_to(np.asarray(angle_rad, float), (n,)).copy(),
        missile_idx=np.zeros(n, dtype=np.int64),
        missile_names=["test-missile"],
        max_range_m=np.array([max_range_m]),
        burn_time_s=np.array([burn_time_s]),
        burnout_alt_m=np.array([burnout_alt_m]),
        beta_pa=np.array([beta_pa]),
        model=model,
    )
