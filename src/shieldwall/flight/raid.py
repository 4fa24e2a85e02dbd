"""The raid of a scenario as trajectories: ``fly_raid(world) -> Trajectories``."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np

from shieldwall.errors import Problem, TargetingError
from shieldwall.flight.model import FlightModel
from shieldwall.flight.threats import fly_threats
from shieldwall.flight.trajectories import Trajectories

if TYPE_CHECKING:  # the scenario package is heavy to import; only the type is needed
    from shieldwall.scenario.world import World

__all__ = ["fly_raid", "salvo_problems"]


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
        One problem per salvo with missiles out of reach or unable to fly their shape, naming
        the salvo by id with the ``file:line:col`` of its entry in the scenario.
    """
    raid = world.raid
    n = int(np.asarray(raid.missile_idx).shape[0])
    located = len(world.salvos) > 0
    salvo = np.asarray(raid.salvo_idx, dtype=np.int64)
    try:
        return _fly(world, model, [str(s) for s in salvo] if located else None)
    except TargetingError as exc:
        if not located:
            raise
        problems = salvo_problems(world, exc.problems)
        n_bad = len(exc.problems)
        raise TargetingError(
            f"{n_bad} of {n} missile{'s' if n != 1 else ''} in {len(problems)} "
            f"salvo{'s' if len(problems) != 1 else ''} cannot be flown as asked",
            problems,
        ) from None


def _fly(world: World, model: FlightModel | None, row_paths: list[str] | None) -> Trajectories:
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
        row_paths=row_paths or [f"raid[{i}]" for i in range(n)],
    )


def salvo_problems(
    world: World, row_problems: Iterable[Problem], *, prefix: str = "", count: bool = True
) -> list[Problem]:
    """Row problems of ``fly_threats`` (whose ``path`` is a salvo index) -> one per salvo.

    Each names the salvo by id with the ``file:line:col`` of its entry in ``threats.raid``;
    with ``count``, how many of its missiles are affected (the message is the first one's).
    """
    by_salvo: dict[int, list[Problem]] = {}
    for p in row_problems:
        by_salvo.setdefault(int(p.path.split(":")[0]), []).append(p)
    out: list[Problem] = []
    salvos = world.salvos
    for s, group in sorted(by_salvo.items()):
        n = int(salvos.count[s])
        how_many = f"{len(group)} of its {n} missiles: " if count and n > 1 else ""
        message = f"salvo {salvos.id[s]!r}: {prefix}{how_many}{group[0].message}"
        out.append(world.origin.row_problem("salvos", s, message))
    return out
