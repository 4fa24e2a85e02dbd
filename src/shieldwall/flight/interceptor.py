"""Interceptor flyout: a point-mass fan of trajectories tabulated into tau(ground range, altitude).

Model (per interceptor type; catalog values are labelled assumptions): a point mass launched
from the ground over a non-rotating spherical Earth (radius ``R_SPHERE_M``, central gravity),
in the vertical plane towards the target. During the burn (``burn_time_s``) it accelerates
along a fixed launch elevation with constant thrust acceleration ``a_T = v_bo / T_b + g0``
(the ideal burnout speed plus a gravity-loss allowance, so that a steep launch in vacuum burns
out near the catalog ``burnout_speed_kms``); then it coasts. Drag uses US-1976 density and the
catalog ballistic coefficient ``beta = m g0 / (Cd A)`` (taken constant). A fan of launch
elevations from 2 to 90 deg is integrated at once (RK4), and the time at which the fan first
passes through each (ground range, altitude) grid point becomes ``tau_s``: the least time over
neighbouring fan members bracketing the point's altitude at that ground range. Grid points no
member reaches are NaN.

This is a kinematic envelope for engagement timing, not a guidance simulation: real
interceptors shape their trajectories (and their divert manoeuvres) in ways the public record
does not describe.

References
----------
- G. M. Siouris (2004), *Missile Guidance and Control Systems*, Springer, §4.2 (point-mass
  flyout equations).
- NOAA/NASA/USAF (1976), *U.S. Standard Atmosphere, 1976* (via :mod:`shieldwall.earth.atmosphere`).
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

from shieldwall._types import F64
from shieldwall.earth.atmosphere import DensityTable
from shieldwall.earth.constants import G0_MPS2, MU_EARTH_M3_S2, R_SPHERE_M
from shieldwall.flight.flyout import FlyoutTable
from shieldwall.flight.flyout_cache import flyout_key, read_flyout, write_flyout

if TYPE_CHECKING:  # the scenario package is heavy to import; only the type is needed
    from shieldwall.scenario.world import World

__all__ = ["flyout_fan", "flyout_table", "flyout_tables"]


#: Launch elevations of the fan. [rad]
_FAN_RAD = np.radians(np.concatenate([np.linspace(2.0, 80.0, 40), np.linspace(80.25, 90.0, 40)]))
#: Steps: during the burn, and while coasting. [s]
_DT_BURN_S = 0.1
_DT_COAST_S = 0.5
#: Table grid size (ground range x altitude).
_GRID = (81, 61)


def flyout_fan(
    burn_time_s: float,
    burnout_speed_mps: float,
    beta_pa: float,
    t_max_s: float,
    elevations_rad: F64 | None = None,
) -> tuple[F64, F64, F64]:
    """Integrate the flyout fan.

    Parameters
    ----------
    burn_time_s, burnout_speed_mps, beta_pa
        Interceptor parameters. [s], [m/s], [Pa]
    t_max_s
        How long to fly. [s]
    elevations_rad
        Launch elevations (default: 50 from 2 to 90 deg), ``(j,)``. [rad]

    Returns
    -------
    t_s, ground_range_m, alt_m
        ``(steps,)``, ``(steps, j)``, ``(steps, j)``: time since launch, ground range (arc on
        the sphere) and height of each fan member. [s], [m], [m]
    """
    el = _FAN_RAD if elevations_rad is None else np.asarray(elevations_rad, dtype=np.float64)
    table = DensityTable.us1976()
    a_thrust = burnout_speed_mps / burn_time_s + G0_MPS2
    u = np.stack([np.cos(el), np.sin(el)], axis=-1)  # thrust direction, fixed in the plane
    # Plane coordinates: x horizontal at the launcher, z up; the Earth's centre at (0, -R).
    pos = np.zeros((el.size, 2))
    vel = np.zeros((el.size, 2))
    centre = np.array([0.0, -R_SPHERE_M])

    def accel(p: F64, v: F64, thrusting: bool) -> F64:
        rel = p - centre
        r = np.sqrt(np.einsum("ij,ij->i", rel, rel))
        a = -MU_EARTH_M3_S2 * rel / (r**3)[:, None]
        speed = np.sqrt(np.einsum("ij,ij->i", v, v))
        rho = table.density(r - R_SPHERE_M)
        a = a - (rho * speed * 0.5 * G0_MPS2 / beta_pa)[:, None] * v
        if thrusting:
            a = a + a_thrust * u
        return np.asarray(a)

    ts = [0.0]
    xs = [np.zeros(el.size)]
    hs = [np.zeros(el.size)]
    t = 0.0
    while t < t_max_s - 1e-9:
        thrusting = t < burn_time_s - 1e-9
        dt = min(_DT_BURN_S, burn_time_s - t) if thrusting else _DT_COAST_S
        k1v = accel(pos, vel, thrusting)
        k2v = accel(pos + 0.5 * dt * vel, vel + 0.5 * dt * k1v, thrusting)
        v2 = vel + 0.5 * dt * k1v
        k3v = accel(pos + 0.5 * dt * v2, vel + 0.5 * dt * k2v, thrusting)
        v3 = vel + 0.5 * dt * k2v
        k4v = accel(pos + dt * v3, vel + dt * k3v, thrusting)
        v4 = vel + dt * k3v
        pos = pos + dt / 6.0 * (vel + 2 * v2 + 2 * v3 + v4)
        vel = vel + dt / 6.0 * (k1v + 2 * k2v + 2 * k3v + k4v)
        t += dt
        rel = pos - centre
        ts.append(t)
        xs.append(R_SPHERE_M * np.arctan2(rel[:, 0], rel[:, 1]))
        hs.append(np.sqrt(np.einsum("ij,ij->i", rel, rel)) - R_SPHERE_M)
    return np.array(ts), np.array(xs), np.array(hs)


def _tabulate(t: F64, x: F64, h: F64, gr_grid: F64, alt_grid: F64) -> F64:
    n_el = x.shape[1]
    # Each member's altitude and time at each grid ground range, while still airborne and
    # before it turns back (ground range is then increasing in time).
    h_at = np.full((n_el, gr_grid.size), np.nan)
    t_at = np.full((n_el, gr_grid.size), np.nan)
    for j in range(n_el):
        alive = np.ones(t.size, dtype=bool)
        below = np.nonzero(h[1:, j] < 0.0)[0]
        if below.size:
            alive[below[0] + 1 :] = False
        xj, hj = x[alive, j], h[alive, j]
        inc = np.concatenate([[True], np.diff(xj) > 0])
        if inc.sum() < 2:
            continue
        xj, hj, tj = xj[inc], hj[inc], t[alive][inc]
        inside = (gr_grid >= xj[0]) & (gr_grid <= xj[-1])
        h_at[j, inside] = np.interp(gr_grid[inside], xj, hj)
        t_at[j, inside] = np.interp(gr_grid[inside], xj, tj)
    # Pairs of neighbouring fan members bracketing each grid altitude: interpolate time.
    h0, h1 = h_at[:-1, :, None], h_at[1:, :, None]
    t0, t1 = t_at[:-1, :, None], t_at[1:, :, None]
    a = alt_grid[None, None, :]
    lo, hi = np.fmin(h0, h1), np.fmax(h0, h1)
    with np.errstate(invalid="ignore", divide="ignore"):
        f = np.where(h1 != h0, (a - h0) / (h1 - h0), 0.0)
        tau = t0 + f * (t1 - t0)
    tau = np.where((a >= lo) & (a <= hi), tau, np.inf)
    out = np.min(tau, axis=0)
    # Straight up (ground range 0): the vertical member.
    vertical = int(np.argmax(_FAN_RAD)) if n_el == _FAN_RAD.size else n_el - 1
    hv = h[:, vertical]
    rising = np.concatenate([[True], np.diff(hv) > 0])
    last = int(np.argmin(rising)) if not rising.all() else hv.size
    up_h, up_t = hv[:last], t[:last]
    col0 = np.where(alt_grid <= up_h[-1], np.interp(alt_grid, up_h, up_t), np.inf)
    out[0] = np.fmin(out[0], col0)
    return np.asarray(np.where(np.isfinite(out), out, np.nan))


@lru_cache(maxsize=64)
def _table_cached(
    name: str,
    burn_time_s: float,
    burnout_speed_mps: float,
    beta_pa: float,
    min_alt_m: float,
    max_alt_m: float,
    min_ground_range_m: float,
    max_ground_range_m: float,
) -> FlyoutTable:
    gr_grid = np.linspace(0.0, max_ground_range_m, _GRID[0])
    alt_grid = np.linspace(0.0, max_alt_m, _GRID[1])
    key = flyout_key((burn_time_s, burnout_speed_mps, beta_pa, max_ground_range_m, max_alt_m))
    tau = None if key is None else read_flyout(key, _GRID)
    if tau is None:
        t_max = burn_time_s + 3.0 * max(max_ground_range_m, max_alt_m) / burnout_speed_mps
        t, x, h = flyout_fan(burn_time_s, burnout_speed_mps, beta_pa, min(t_max, 1500.0))
        tau = _tabulate(t, x, h, gr_grid, alt_grid)
        if key is not None:
            write_flyout(key, tau)
    return FlyoutTable(
        name=name,
        ground_range_m=gr_grid,
        alt_m=alt_grid,
        tau_s=tau,
        min_alt_m=min_alt_m,
        max_alt_m=max_alt_m,
        max_ground_range_m=max_ground_range_m,
        min_ground_range_m=min_ground_range_m,
    )


def flyout_table(
    *,
    name: str,
    burn_time_s: float,
    burnout_speed_mps: float,
    beta_pa: float,
    min_alt_m: float,
    max_alt_m: float,
    max_ground_range_m: float,
    min_ground_range_m: float = 0.0,
) -> FlyoutTable:
    """Tabulate one interceptor type's time to reach (cached per parameter set, in memory and
    on disk: :mod:`shieldwall.flight.flyout_cache`).

    Parameters
    ----------
    name
        Interceptor type name.
    burn_time_s, burnout_speed_mps, beta_pa
        Motor burn time, burnout speed and ballistic coefficient. [s], [m/s], [Pa]
    min_alt_m, max_alt_m, max_ground_range_m, min_ground_range_m
        Engagement envelope (catalog). [m]

    Returns
    -------
    FlyoutTable
        81 ground ranges x 61 altitudes over ``[0, max_ground_range_m] x [0, max_alt_m]``.
    """
    return _table_cached(
        name,
        float(burn_time_s),
        float(burnout_speed_mps),
        float(beta_pa),
        float(min_alt_m),
        float(max_alt_m),
        float(min_ground_range_m),
        float(max_ground_range_m),
    )


def flyout_tables(world: World) -> tuple[FlyoutTable, ...]:
    """One `FlyoutTable` per row of ``world.interceptors`` (same order)."""
    it = world.interceptors
    return tuple(
        flyout_table(
            name=str(it.name[i]),
            burn_time_s=float(it.burn_time_s[i]),
            burnout_speed_mps=float(it.burnout_speed_mps[i]),
            beta_pa=float(it.beta_pa[i]),
            min_alt_m=float(it.min_alt_m[i]),
            max_alt_m=float(it.max_alt_m[i]),
            max_ground_range_m=float(it.max_ground_range_m[i]),
            min_ground_range_m=float(it.min_ground_range_m[i]),
        )
        for i in range(len(it.name))
    )
