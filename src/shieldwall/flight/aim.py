"""One-off questions: aim one missile (from the catalog) from a launch point at an aim point.

``shieldwall fly`` calls :func:`aim`; so can notebooks. Bad input raises a
:class:`~shieldwall.errors.ShieldwallError` naming the field and what is allowed.
"""

from __future__ import annotations

import math

import numpy as np

from shieldwall.errors import TargetingError
from shieldwall.flight import targeting as tg
from shieldwall.flight.model import FlightModel
from shieldwall.flight.threats import fly_threats
from shieldwall.flight.trajectories import Trajectories

__all__ = ["aim"]


def _check_point(lat_rad: float, lon_rad: float, field: str) -> None:
    if not (math.isfinite(lat_rad) and abs(lat_rad) <= math.pi / 2):
        raise TargetingError(
            f"{field}: latitude {math.degrees(lat_rad):g} deg is not allowed: use -90..90 deg"
        )
    if not math.isfinite(lon_rad):
        raise TargetingError(f"{field}: longitude must be a finite number of degrees")


def aim(
    missile: str,
    *,
    launch_lat_rad: float,
    launch_lon_rad: float,
    aim_lat_rad: float,
    aim_lon_rad: float,
    shape: str = "min_energy",
    apogee_m: float | None = None,
    burnout_speed_mps: float | None = None,
    burnout_angle_rad: float | None = None,
    model: FlightModel | None = None,
) -> Trajectories:
    """Aim and fly one missile of a catalog type.

    Parameters
    ----------
    missile
        Catalog missile name (e.g. ``"Nodong"``).
    launch_lat_rad, launch_lon_rad, aim_lat_rad, aim_lon_rad
        Launch and aim points. [rad]
    shape
        ``min_energy``, ``lofted`` or ``depressed`` (both need ``apogee_m``), or ``explicit``
        (needs ``burnout_speed_mps`` and ``burnout_angle_rad``; only the azimuth is aimed).
    apogee_m
        Apogee of a lofted or depressed shot. [m]
    burnout_speed_mps, burnout_angle_rad
        Burnout speed and flight-path angle of an explicit shot. [m/s], [rad]
    model
        Flight model (default: the full model).

    Returns
    -------
    Trajectories
        One threat (``n = 1``).

    Raises
    ------
    CatalogError
        Unknown missile name (with close matches).
    TargetingError
        Bad point, shape or shape parameters, or an aim point the missile cannot reach.
    """
    from shieldwall.scenario.catalog import load_catalog

    entry = load_catalog(kind="missile").get("missile", missile).values()
    if shape not in tg.SHAPES:
        raise TargetingError(f"shape {shape!r} is not known; allowed: {', '.join(tg.SHAPES)}")
    _check_point(launch_lat_rad, launch_lon_rad, "from")
    _check_point(aim_lat_rad, aim_lon_rad, "to")
    code = tg.SHAPES.index(shape)
    if code in (tg.LOFTED, tg.DEPRESSED) and not (apogee_m and apogee_m > 0):
        raise TargetingError(f"shape {shape} needs an apogee (apogee_km > 0)")
    if code == tg.EXPLICIT and not (
        burnout_speed_mps
        and burnout_speed_mps > 0
        and burnout_angle_rad is not None
        and 0 < burnout_angle_rad < math.pi / 2
    ):
        raise TargetingError(
            "shape explicit needs a burnout speed (> 0 km/s) and a burnout angle (0..90 deg)"
        )
    name = str(entry.get("name", missile))
    return fly_threats(
        launch_lat_rad=np.array([launch_lat_rad]),
        launch_lon_rad=np.array([launch_lon_rad]),
        aim_lat_rad=np.array([aim_lat_rad]),
        aim_lon_rad=np.array([aim_lon_rad]),
        launch_t_s=np.zeros(1),
        shape=np.array([code]),
        apogee_m=np.array([np.nan if apogee_m is None else apogee_m]),
        burnout_speed_mps=np.array([np.nan if burnout_speed_mps is None else burnout_speed_mps]),
        burnout_angle_rad=np.array([np.nan if burnout_angle_rad is None else burnout_angle_rad]),
        missile_idx=np.zeros(1, dtype=np.int64),
        missile_names=[name],
        max_range_m=np.array([float(entry["max_range_km"]) * 1e3]),
        burn_time_s=np.array([float(entry["burn_time_s"])]),
        burnout_alt_m=np.array([float(entry["burnout_alt_km"]) * 1e3]),
        beta_pa=np.array([float(entry["beta_kpa"]) * 1e3]),
        model=model,
    )
