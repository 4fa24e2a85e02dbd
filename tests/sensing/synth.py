"""Synthetic worlds and ballistic arcs for sensing/tracking tests (independent of flight/).

Arcs are integrated with a fine RK4 of the same rotating-Earth point-mass + J2 dynamics the
filter models (no drag), from an impulsive launch; the first ``boost_s`` seconds are labelled
boost for the RCS model only.
"""

from __future__ import annotations

import functools
import math

import numpy as np

from shieldwall.earth.geodesy import ecef_to_geodetic, enu_rotation, geodetic_to_ecef
from shieldwall.flight.trajectories import Trajectories
from shieldwall.scenario.policy import preset_policy
from shieldwall.scenario.world import (
    AssetTable,
    BatteryTable,
    InterceptorTable,
    MissileTable,
    NationTable,
    Policy,
    RadarTable,
    RaidTable,
    SatelliteTable,
    World,
)
from shieldwall.tracking.ekf import ballistic_acceleration

D = math.pi / 180.0


@functools.lru_cache(maxsize=32)
def arc(
    launch_deg: tuple[float, float],
    az_deg: float,
    speed_mps: float,
    gamma_deg: float,
    dt_s: float = 1.0,
    launch_t_s: float = 0.0,
    max_steps: int = 2000,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(t_s (m,), r_ecef_m (m, 3), v_ecef_mps (m, 3)) until the arc reaches the ground."""
    lat, lon = launch_deg[0] * D, launch_deg[1] * D
    r = geodetic_to_ecef(lat, lon, 0.0)
    rot = enu_rotation(lat, lon)
    g, a = gamma_deg * D, az_deg * D
    v_enu = speed_mps * np.array(
        [math.cos(g) * math.sin(a), math.cos(g) * math.cos(a), math.sin(g)]
    )
    x = np.concatenate([r, rot.T @ v_enu])[:, None]
    sub = 4
    h = dt_s / sub

    def f(s: np.ndarray) -> np.ndarray:
        return np.concatenate([s[3:6], ballistic_acceleration(s[0:3], s[3:6])])

    out = [x[:, 0].copy()]
    for _ in range(max_steps):
        for _ in range(sub):
            k1 = f(x)
            k2 = f(x + 0.5 * h * k1)
            k3 = f(x + 0.5 * h * k2)
            k4 = f(x + h * k3)
            x = x + (h / 6.0) * (k1 + 2 * k2 + 2 * k3 + k4)
        out.append(x[:, 0].copy())
        if ecef_to_geodetic(x[0:3, 0])[2] < 0.0:
            break
    s = np.array(out)
    t = launch_t_s + dt_s * np.arange(len(s))
    return t, s[:, :3], s[:, 3:]


def trajectories(
    arcs: list[tuple[np.ndarray, np.ndarray, np.ndarray]], boost_s: float = 60.0, dt_s: float = 1.0
) -> Trajectories:
    n = len(arcs)
    m = max(len(a[0]) for a in arcs)
    t = np.full((n, m), np.nan)
    r = np.full((n, m, 3), np.nan)
    v = np.full((n, m, 3), np.nan)
    alt = np.full((n, m), np.nan)
    phase = np.full((n, m), -1, np.int8)
    for i, (ti, ri, vi) in enumerate(arcs):
        k = len(ti)
        t[i, :k], r[i, :k], v[i, :k] = ti, ri, vi
        alt[i, :k] = ecef_to_geodetic(ri)[2]
        desc = np.r_[False, np.diff(alt[i, :k]) < 0]
        phase[i, :k] = np.where(ti - ti[0] < boost_s, 0, np.where(desc & (alt[i, :k] < 1e5), 2, 1))
    last = np.array([len(a[0]) - 1 for a in arcs])
    idx = np.arange(n)
    lat0, lon0, _ = ecef_to_geodetic(r[:, 0])
    lat1, lon1, _ = ecef_to_geodetic(r[idx, last])
    nan = np.full(n, np.nan)
    return Trajectories(
        dt_s=dt_s,
        t_s=t,
        r_ecef_m=r,
        v_ecef_mps=v,
        alt_m=alt,
        phase=phase,
        missile_idx=np.zeros(n, np.int64),
        launch_t_s=t[:, 0].copy(),
        burnout_t_s=t[:, 0] + boost_s,
        impact_t_s=t[idx, last],
        launch_r_ecef_m=r[:, 0].copy(),
        impact_r_ecef_m=r[idx, last].copy(),
        launch_lat_rad=lat0,
        launch_lon_rad=lon0,
        impact_lat_rad=lat1,
        impact_lon_rad=lon1,
        apogee_m=np.nanmax(alt, axis=1),
        range_m=nan.copy(),
        burnout_speed_mps=nan.copy(),
        burnout_angle_rad=nan.copy(),
        reentry_speed_mps=nan.copy(),
        impact_speed_mps=nan.copy(),
        miss_m=nan.copy(),
    )


def radar_table(rows: list[dict[str, float | str | int]]) -> RadarTable:
    """Rows with keys nation_idx, lat_deg, lon_deg and optional radar parameters."""

    def col(key: str, default: float) -> np.ndarray:
        return np.array([float(r.get(key, default)) for r in rows])

    lat, lon, alt = col("lat_deg", 0) * D, col("lon_deg", 0) * D, col("alt_m", 0)
    n = len(rows)
    return RadarTable(
        id=tuple(str(r.get("id", f"r{i}")) for i, r in enumerate(rows)),
        nation_idx=np.array([int(r["nation_idx"]) for r in rows], np.int64),
        type=("test",) * n,
        platform=("ground",) * n,
        band=("X",) * n,
        lat_rad=lat,
        lon_rad=lon,
        alt_m=alt,
        r_ecef_m=geodetic_to_ecef(lat, lon, alt).reshape(n, 3),
        boresight_az_rad=col("boresight_az_deg", 0) * D,
        half_az_rad=col("half_az_deg", 180) * D,
        min_el_rad=col("min_el_deg", 1) * D,
        max_el_rad=col("max_el_deg", 85) * D,
        r0_m=col("r0_km", 1000) * 1e3,
        search_range_factor=col("search_range_factor", 0.6),
        search_el_rad=col("search_el_deg", 5.0) * D,
        beamwidth_rad=col("beamwidth_mrad", 10.0) * 1e-3,
        revisit_s=col("revisit_s", 1.0),
        range_sigma_m=col("range_sigma_m", 20.0),
        angle_sigma_rad=col("angle_sigma_mrad", 1.0) * 1e-3,
        battery_idx=np.full(n, -1, np.int64),
    )


def world(
    radars: RadarTable,
    n_nations: int = 3,
    satellites: list[tuple[int, float]] = (),  # type: ignore[assignment]
    latency_s: float = 10.0,
    fcq_ipp_sigma_m: float = 500.0,
) -> World:
    z = np.zeros(0)
    zi = np.zeros(0, np.int64)
    ns = len(satellites)
    pols: dict[str, Policy] = {
        p: preset_policy(p, n_nations, latency_s)
        for p in ("national", "cueing", "shared_tracks", "integrated")
    }
    return World(
        name="synthetic",
        epoch="2026-01-01T00:00:00Z",
        scenario_hash="0",
        phase="p0",
        seed=1,
        trials=10,
        nations=NationTable(
            id=("KOR", "JPN", "USA")[:n_nations], name=("KOR", "JPN", "USA")[:n_nations]
        ),
        assets=AssetTable(
            id=(),
            name=(),
            nation_idx=zi,
            lat_rad=z,
            lon_rad=z,
            alt_m=z,
            r_ecef_m=np.zeros((0, 3)),
            value=z,
            radius_m=z,
        ),
        missiles=MissileTable(
            name=("mrbm",),
            threat_class=("mrbm",),
            max_range_m=np.array([1.5e6]),
            min_range_m=np.array([2e5]),
            burn_time_s=np.array([60.0]),
            burnout_alt_m=np.array([5e4]),
            rcs_booster_m2=np.array([10.0]),
            rcs_rv_m2=np.array([0.1]),
            beta_pa=np.array([5e4]),
            reliability=np.array([0.9]),
        ),
        interceptors=InterceptorTable(
            name=("sam",),
            tier=("lower",),
            burn_time_s=np.array([10.0]),
            burnout_speed_mps=np.array([1500.0]),
            beta_pa=np.array([1e4]),
            min_alt_m=np.array([1e4]),
            max_alt_m=np.array([3e4]),
            min_ground_range_m=np.array([3e3]),
            max_ground_range_m=np.array([5e4]),
            reaction_time_s=np.array([10.0]),
            kill_assessment_s=np.array([5.0]),
            organic_guidance=np.array([True]),
            fcq_ipp_sigma_m=np.array([fcq_ipp_sigma_m]),
            pk=np.array([[0.7, 0.6, 0.5]]),
        ),
        radars=radars,
        satellites=SatelliteTable(
            id=tuple(f"s{i}" for i in range(ns)),
            nation_idx=np.array([s[0] for s in satellites], np.int64),
            type=("ew",) * ns,
            latency_s=np.array([s[1] for s in satellites], float),
            launch_point_sigma_m=np.full(ns, 5e3),
            azimuth_sigma_rad=np.full(ns, 0.05),
        ),
        batteries=BatteryTable(
            id=(),
            nation_idx=zi,
            interceptor_idx=zi,
            launchers=zi,
            per_launcher=zi,
            inventory=zi,
            fire_channels=zi,
            platform=(),
            lat_rad=z,
            lon_rad=z,
            alt_m=z,
            r_ecef_m=np.zeros((0, 3)),
            radar_idx=zi,
        ),
        raid=RaidTable(
            missile_idx=zi,
            salvo_idx=zi,
            launch_t_s=z,
            launch_lat_rad=z,
            launch_lon_rad=z,
            aim_lat_rad=z,
            aim_lon_rad=z,
            aim_asset_idx=zi,
            shape=np.zeros(0, np.int8),
            apogee_m=z,
            burnout_speed_mps=z,
            burnout_angle_rad=z,
        ),
        policies=pols,
    )


#: A Korean-peninsula-like setting: launch near 39N 125.7E, flying east-south-east ~1,000 km.
LAUNCH_DEG = (39.0, 125.7)


@functools.lru_cache(maxsize=1)
def korea_japan() -> tuple[World, Trajectories]:
    """Three threats toward Japan, a Korean radar near the launch, a Japanese one near impact.

    Cached: callers must not modify the returned arrays.
    """
    arcs = [
        arc(LAUNCH_DEG, 100.0 + 5 * i, 3300.0 + 100 * i, 45.0, launch_t_s=10.0 * i)
        for i in range(3)
    ]
    radars = radar_table(
        [
            {"id": "kor", "nation_idx": 0, "lat_deg": 36.0, "lon_deg": 127.5, "r0_km": 900},
            {"id": "jpn", "nation_idx": 1, "lat_deg": 35.5, "lon_deg": 136.0, "r0_km": 900},
        ]
    )
    return world(radars, satellites=[(2, 30.0)]), trajectories(arcs)
