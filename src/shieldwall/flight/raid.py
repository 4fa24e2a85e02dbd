"""The raid of a scenario as trajectories: ``fly_raid(world) -> Trajectories``."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from shieldwall.flight.model import FlightModel
from shieldwall.flight.threats import fly_threats
from shieldwall.flight.trajectories import Trajectories

if TYPE_CHECKING:  # the scenario package is heavy to import; only the type is needed
    from shieldwall.scenario.world import World

__all__ = ["fly_raid"]


def fly_raid(world: World, model: FlightModel | None = None) -> Trajectories:
    """Aim and fly every missile of ``world.raid`` (one `Trajectories` row per raid row).

    Launch points, times, aim points and shapes come from the compiled raid (launch points
    drawn from launch areas with the scenario seed by ``compile_world``); missile parameters
    from ``world.missiles``.

    Parameters
    ----------
    world
        Compiled scenario.
    model
        Flight model (default: the full model).

    Returns
    -------
    Trajectories
        Rows in raid order; ``missile_idx`` indexes ``world.missiles``.

    Raises
    ------
    TargetingError
        Naming each raid row (``raid[i]``) that is out of reach or cannot fly its shape.
    """
    raid, mis = world.raid, world.missiles
    n = int(np.asarray(raid.missile_idx).shape[0])
    return fly_threats(
        launch_lat_rad=np.asarray(raid.launch_lat_rad, float),
        launch_lon_rad=np.asarray(raid.launch_lon_rad, float),
        aim_lat_rad=np.asarray(raid.aim_lat_rad, float),
        aim_lon_rad=np.asarray(raid.aim_lon_rad, float),
        launch_t_s=np.asarray(raid.launch_t_s, float),
        shape=np.asarray(raid.shape, dtype=np.int64),
        apogee_m=np.asarray(raid.apogee_m, float),
        burnout_speed_mps=np.asarray(raid.burnout_speed_mps, float),
        burnout_angle_rad=np.asarray(raid.burnout_angle_rad, float),
        missile_idx=np.asarray(raid.missile_idx, dtype=np.int64),
        missile_names=list(mis.name),
        max_range_m=np.asarray(mis.max_range_m, float),
        burn_time_s=np.asarray(mis.burn_time_s, float),
        burnout_alt_m=np.asarray(mis.burnout_alt_m, float),
        beta_pa=np.asarray(mis.beta_pa, float),
        model=model,
        row_paths=[f"raid[{i}]" for i in range(n)],
    )
