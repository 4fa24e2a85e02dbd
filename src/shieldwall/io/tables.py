"""Named tables of a run record, built from simulation results (declared in :mod:`.columns`).

``world_tables`` holds what every policy shares (the deployed units, the raid, trajectories);
``policy_tables`` what one policy's simulation produced; ``concat`` stacks several policies'.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa

from shieldwall.earth.geodesy import ecef_to_geodetic
from shieldwall.io.columns import TABLES, make_table, names_of
from shieldwall.io.geometry import position_at
from shieldwall.metrics.intervals import cluster_mean_interval, mean_interval

if TYPE_CHECKING:
    from shieldwall.pipeline import Results
    from shieldwall.scenario import Scenario, World

__all__ = [
    "MAX_TRAJECTORY_ROWS",
    "concat",
    "event_trials",
    "metric_rows",
    "policy_tables",
    "world_tables",
]

#: Most trajectory samples a record keeps; larger raids keep every k-th sample (and each impact).
MAX_TRAJECTORY_ROWS = 2_000_000

_PHASES = np.array(["boost", "midcourse", "terminal"], dtype=object)
_SHAPES = np.array(["min_energy", "lofted", "depressed", "explicit"], dtype=object)


def _name(names: Sequence[str], idx: Any) -> np.ndarray:
    """Names for indices, ``None`` where the index is -1."""
    lookup = np.array([*names, None], dtype=object)
    i = np.asarray(idx, dtype=np.int64)
    return lookup[np.where(i >= 0, i, len(names))]


def _deg(x: Any) -> np.ndarray:
    return np.degrees(np.asarray(x, dtype=np.float64))


def _geo(r_ecef_m: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    lat, lon, alt = ecef_to_geodetic(np.asarray(r_ecef_m, dtype=np.float64).reshape(-1, 3))
    return np.degrees(lat), np.degrees(lon), alt


def _salvo_ids(world: World, scenario: Scenario | None) -> list[str]:
    n = int(world.raid.salvo_idx.max(initial=-1)) + 1
    given = [s.id for s in scenario.threats.raid] if scenario is not None else []
    return [(given[s] if s < len(given) else None) or f"raid[{s}]" for s in range(n)]


def trajectory_stride(n_samples: int) -> int:
    """Keep every k-th trajectory sample so that a record holds at most MAX_TRAJECTORY_ROWS."""
    return max(1, -(-n_samples // MAX_TRAJECTORY_ROWS))


def world_tables(results: Results, scenario: Scenario | None = None) -> dict[str, pa.Table]:
    """The policy-independent tables: units, raid, trajectories (``dimension`` group)."""
    world = results.world
    w_nat = world.nations.id
    tables: dict[str, pa.Table] = {
        "nations": make_table("nations", {"nation": w_nat, "name": world.nations.name})
    }
    a = world.assets
    tables["assets"] = make_table(
        "assets",
        {
            "asset": a.id,
            "name": a.name,
            "nation": _name(w_nat, a.nation_idx),
            "lat_deg": _deg(a.lat_rad),
            "lon_deg": _deg(a.lon_rad),
            "alt_m": a.alt_m,
            "value": a.value,
            "radius_m": a.radius_m,
        },
    )
    m = world.missiles
    tables["missiles"] = make_table(
        "missiles",
        {
            "missile": m.name,
            "threat_class": m.threat_class,
            "max_range_m": m.max_range_m,
            "min_range_m": m.min_range_m,
            "burn_time_s": m.burn_time_s,
            "rcs_booster_m2": m.rcs_booster_m2,
            "rcs_rv_m2": m.rcs_rv_m2,
            "beta_pa": m.beta_pa,
            "reliability": m.reliability,
        },
    )
    it = world.interceptors
    pk = np.asarray(it.pk).reshape(len(it), 3)
    tables["interceptors"] = make_table(
        "interceptors",
        {
            "interceptor": it.name,
            "tier": it.tier,
            "burnout_speed_mps": it.burnout_speed_mps,
            "min_alt_m": it.min_alt_m,
            "max_alt_m": it.max_alt_m,
            "max_ground_range_m": it.max_ground_range_m,
            "reaction_time_s": it.reaction_time_s,
            "kill_assessment_s": it.kill_assessment_s,
            "organic_guidance": it.organic_guidance,
            "fcq_ipp_sigma_m": it.fcq_ipp_sigma_m,
            "pk_srbm": pk[:, 0],
            "pk_mrbm": pk[:, 1],
            "pk_irbm": pk[:, 2],
        },
    )
    r = world.radars
    tables["radars"] = make_table(
        "radars",
        {
            "radar": r.id,
            "nation": _name(w_nat, r.nation_idx),
            "type": r.type,
            "platform": r.platform,
            "band": r.band,
            "lat_deg": _deg(r.lat_rad),
            "lon_deg": _deg(r.lon_rad),
            "alt_m": r.alt_m,
            "boresight_az_deg": _deg(r.boresight_az_rad),
            "half_az_deg": _deg(r.half_az_rad),
            "min_el_deg": _deg(r.min_el_rad),
            "max_el_deg": _deg(r.max_el_rad),
            "r0_m": r.r0_m,
            "search_range_factor": r.search_range_factor,
            "revisit_s": r.revisit_s,
            "battery": _name(world.batteries.id, r.battery_idx),
        },
    )
    s = world.satellites
    tables["satellites"] = make_table(
        "satellites",
        {
            "satellite": s.id,
            "nation": _name(w_nat, s.nation_idx),
            "type": s.type,
            "latency_s": s.latency_s,
        },
    )
    b = world.batteries
    tables["batteries"] = make_table(
        "batteries",
        {
            "battery": b.id,
            "nation": _name(w_nat, b.nation_idx),
            "interceptor": _name(it.name, b.interceptor_idx),
            "platform": b.platform,
            "lat_deg": _deg(b.lat_rad),
            "lon_deg": _deg(b.lon_rad),
            "alt_m": b.alt_m,
            "launchers": b.launchers,
            "per_launcher": b.per_launcher,
            "inventory": b.inventory,
            "fire_channels": b.fire_channels,
            "radar": _name(r.id, b.radar_idx),
        },
    )
    tables["threats"] = _threats(results, scenario)
    tables["trajectories"] = _trajectories(results)
    return tables


def _threats(results: Results, scenario: Scenario | None) -> pa.Table:
    world, tr, tg = results.world, results.trajectories, results.targets
    raid = world.raid
    n = len(raid)
    salvo = np.asarray(raid.salvo_idx, dtype=np.int64)
    first = np.searchsorted(salvo, salvo, side="left") if n else salvo
    ids = _salvo_ids(world, scenario)
    salvo_names = _name(ids, salvo)
    missile = np.asarray(raid.missile_idx, dtype=np.int64)
    return make_table(
        "threats",
        {
            "threat": np.arange(n),
            "threat_id": [
                f"{s}/{k + 1}" for s, k in zip(salvo_names, np.arange(n) - first, strict=True)
            ],
            "salvo": salvo_names,
            "salvo_idx": salvo,
            "missile": _name(world.missiles.name, missile),
            "threat_class": _name(world.missiles.threat_class, missile),
            "shape": _SHAPES[np.asarray(raid.shape, dtype=np.int64)],
            "launch_t_s": raid.launch_t_s,
            "burnout_t_s": tr.burnout_t_s,
            "launch_lat_deg": _deg(raid.launch_lat_rad),
            "launch_lon_deg": _deg(raid.launch_lon_rad),
            "aim_lat_deg": _deg(raid.aim_lat_rad),
            "aim_lon_deg": _deg(raid.aim_lon_rad),
            "aim_asset": _name(world.assets.id, raid.aim_asset_idx),
            "target_asset": _name(world.assets.id, tg.asset_idx),
            "target_nation": _name(world.nations.id, tg.nation_idx),
            "target_value": tg.value,
            "impact_t_s": tr.impact_t_s,
            "impact_lat_deg": _deg(tr.impact_lat_rad),
            "impact_lon_deg": _deg(tr.impact_lon_rad),
            "apogee_m": tr.apogee_m,
            "range_m": tr.range_m,
            "reliability": tg.reliability,
        },
    )


def _trajectories(results: Results) -> pa.Table:
    tr = results.trajectories
    t = np.asarray(tr.t_s)
    valid = np.isfinite(t)
    stride = trajectory_stride(int(valid.sum()))
    if stride > 1:  # every k-th sample plus each threat's last (the impact)
        keep = np.zeros_like(valid)
        keep[:, ::stride] = True
        last = valid.sum(axis=1) - 1
        rows = np.flatnonzero(last >= 0)
        keep[rows, last[rows]] = True
        valid &= keep
    threat, _ = np.nonzero(valid)
    r = np.asarray(tr.r_ecef_m)[valid]
    lat, lon, alt = _geo(r)
    phase = np.asarray(tr.phase)[valid].astype(np.int64)
    return make_table(
        "trajectories",
        {
            "threat": threat,
            "t_s": t[valid],
            "x_ecef_m": r[:, 0],
            "y_ecef_m": r[:, 1],
            "z_ecef_m": r[:, 2],
            "lat_deg": lat,
            "lon_deg": lon,
            "alt_m": alt,
            "phase": _PHASES[np.clip(phase, 0, 2)],
        },
    )


def policy_tables(results: Results) -> dict[str, pa.Table]:
    """One policy's tables (``policy`` group; the ``metrics`` table is :func:`metric_rows`)."""
    world = results.world
    pol = results.policy
    bat = world.batteries.id
    tables: dict[str, pa.Table] = {}
    fi = results.fight
    cols = fi.columns()
    n_w = fi.n_rows
    tables["windows"] = make_table(
        "windows",
        {
            "policy": [pol] * n_w,
            "battery": _name(bat, fi.row_battery_idx),
            "threat": fi.row_threat_idx,
            "interceptor": _name(world.interceptors.name, fi.row_type_idx),
            "nominal_earliest_launch_t_s": cols["nominal_earliest_launch_t_s"],
            "latest_launch_t_s": cols["latest_launch_t_s"],
            "first_intercept_t_s": cols["first_intercept_t_s"],
            "last_intercept_t_s": cols["last_intercept_t_s"],
            "n_samples": cols["n_samples"],
            "p_kill": cols["p_kill"],
            "planned_rounds": cols["planned_rounds"],
        },
    )
    tables.update(_sensing(results))
    tables.update(_outcomes(results))
    return tables


def _sensing(results: Results) -> dict[str, pa.Table]:
    world, pic, pol = results.world, results.picture, results.policy
    if pic is None:
        return {"detections": _empty("detections"), "radar_tracks": _empty("radar_tracks")}
    n_nat, n_t = pic.first_detect_t_s.shape
    nat, thr = np.meshgrid(np.arange(n_nat), np.arange(n_t), indexing="ij")
    detections = make_table(
        "detections",
        {
            "policy": [pol] * nat.size,
            "nation": _name(world.nations.id, nat.ravel()),
            "threat": thr.ravel(),
            "first_detect_t_s": pic.first_detect_t_s.ravel(),
            "first_detect_sensor": _name(pic.sensor_ids, pic.first_detect_sensor.ravel()),
            "track_t_s": pic.track_t_s.ravel(),
        },
    )
    start, end = pic.radar_track_spans()  # (n_radar, n_threat), no per-sample array
    radar, threat = np.nonzero(np.isfinite(start))
    tracks = make_table(
        "radar_tracks",
        {
            "policy": [pol] * radar.size,
            "radar": _name(world.radars.id, radar),
            "threat": threat,
            "start_t_s": start[radar, threat],
            "end_t_s": end[radar, threat],
        },
    )
    return {"detections": detections, "radar_tracks": tracks}


def _outcomes(results: Results) -> dict[str, pa.Table]:
    world, out, pol, m = results.world, results.outcomes, results.policy, results.metrics
    tally = results.tally  # every trial; ``out``: the first trials' full outcomes
    n_tr, n_t = tally.n_trials, tally.flew.shape[0]
    per_trial = results.per_trial()
    tables = {
        "trials": make_table(
            "trials",
            {"policy": [pol] * n_tr, **per_trial},
        ),
        "threat_summary": make_table(
            "threat_summary",
            {
                "policy": [pol] * n_t,
                "threat": np.arange(n_t),
                "p_flew": tally.mean("flew"),
                "p_killed": tally.mean("killed"),
                "p_leaked": tally.mean("leaked"),
                "rounds_mean": tally.mean("rounds_at"),
            },
        ),
    }
    n_log = event_trials(results)
    tr_idx, th_idx = np.meshgrid(np.arange(n_log), np.arange(n_t), indexing="ij")
    tables["threat_outcomes"] = make_table(
        "threat_outcomes",
        {
            "policy": [pol] * tr_idx.size,
            "trial": tr_idx.ravel(),
            "threat": th_idx.ravel(),
            "flew": out.flew[:n_log].ravel(),
            "killed": out.killed[:n_log].ravel(),
            "leaked": out.leaked[:n_log].ravel(),
            "rounds": _rounds_at(out)[:n_log].ravel(),
        },
    )
    tables["events"] = _events(results)
    a_id = world.assets.id
    tables["asset_outcomes"] = make_table(
        "asset_outcomes",
        {
            "policy": [pol] * len(a_id),
            "asset": a_id,
            "p_survives": m.p_asset_survives,
            "p_survives_lo": m.p_asset_survives_lo,
            "p_survives_hi": m.p_asset_survives_hi,
        },
    )
    b_id = world.batteries.id
    tables["battery_use"] = make_table(
        "battery_use",
        {
            "policy": [pol] * len(b_id),
            "battery": b_id,
            "inventory": world.batteries.inventory,
            "expended_mean": m.expended_by_battery,
            "left_mean": m.inventory_left_by_battery,
        },
    )
    return tables


def _events(results: Results) -> pa.Table:
    log = results.outcomes.events
    if log is None or log.n_events == 0:
        return _empty("events")
    tr = results.trajectories
    order = np.lexsort((log.threat_idx, log.launch_t_s, log.trial))
    trial = log.trial[order]
    threat = log.threat_idx[order]
    killed = log.killed[order]
    # order within the trial; a kill is the first engagement after which the threat is dead
    start = np.searchsorted(trial, trial, side="left")
    engagement = np.arange(trial.size) - start
    key = trial * (int(threat.max()) + 1) + threat
    by_key = np.lexsort((np.arange(trial.size), key))
    first_dead = np.zeros(trial.size, dtype=bool)
    k_sorted, d_sorted = key[by_key], killed[by_key]
    prev_dead = np.zeros(trial.size, dtype=bool)
    prev_dead[1:] = (k_sorted[1:] == k_sorted[:-1]) & d_sorted[:-1]
    first_dead[by_key] = d_sorted & ~prev_dead
    # the intercept point is where the threat is at the intercept time: the engine's, else the
    # trajectory interpolated there
    r = position_at(np.asarray(tr.t_s), np.asarray(tr.r_ecef_m), threat, log.intercept_t_s[order])
    lat, lon, alt = _geo(r)
    given = np.isfinite(log.lat_rad[order])
    lat = np.where(given, np.degrees(log.lat_rad[order]), lat)
    lon = np.where(given, np.degrees(log.lon_rad[order]), lon)
    alt = np.where(given, log.alt_m[order], alt)
    return make_table(
        "events",
        {
            "policy": [results.policy] * trial.size,
            "trial": trial,
            "engagement": engagement,
            "battery": _name(results.world.batteries.id, log.battery_idx[order]),
            "threat": threat,
            "launch_t_s": log.launch_t_s[order],
            "intercept_t_s": log.intercept_t_s[order],
            "rounds": log.rounds[order],
            "kill": first_dead,
            "killed": killed,
            "reported_dead": log.reported_dead[order],
            "intercept_lat_deg": lat,
            "intercept_lon_deg": lon,
            "intercept_alt_m": alt,
        },
    )


def _costs(results: Results) -> Any:
    """The cost metrics of one policy (:func:`shieldwall.metrics.costs.cost_metrics`)."""
    from shieldwall.metrics.costs import tally_cost_metrics
    from shieldwall.pipeline import geometry_clusters

    world = results.world
    clusters = geometry_clusters(results.trials, 0, world.n_geometries)  # raid geometry samples
    return tally_cost_metrics(results.tally, world, clusters=clusters)


def metric_rows(
    results: Results, paired: Mapping[str, tuple[float, float, float]] | None = None
) -> pa.Table:
    """The ``metrics`` table of one policy; ``paired`` adds baseline differences
    ``{metric: (value, lo, hi)}`` (``d_p_zero_leak``, ``d_expected_leakers``)."""
    from shieldwall.pipeline import geometry_clusters

    m = results.metrics
    clusters = geometry_clusters(results.trials, 0, results.world.n_geometries)
    value_lost = results.per_trial()["value_lost"]
    vl, vl_lo, vl_hi = (  # cluster-robust over raid geometry samples, like every other metric
        mean_interval(value_lost)
        if clusters is None
        else cluster_mean_interval(value_lost, clusters)
    )
    nan = float("nan")
    rows: list[tuple[str, float, float, float]] = [
        ("p_zero_leak", m.p_zero_leak, *m.p_zero_leak_ci),
        ("expected_leakers", m.expected_leakers, *m.expected_leakers_ci),
        ("interceptors_used", m.interceptors_used, *m.interceptors_used_ci),
        ("value_lost", float(vl), float(vl_lo), float(vl_hi)),
        ("inventory_left", float(np.sum(m.inventory_left_by_battery)), nan, nan),
    ]
    c = _costs(results)
    rows += [
        ("interceptor_cost_usd", c.interceptor_cost_usd, *c.interceptor_cost_usd_ci),
        ("attack_cost_usd", c.attack_cost_usd, nan, nan),
        ("cost_exchange_ratio", c.cost_exchange_ratio, *c.cost_exchange_ratio_ci),
    ]
    rows += [(name, *v) for name, v in (paired or {}).items()]
    return make_table(
        "metrics",
        {
            "policy": [results.policy] * len(rows),
            "metric": [r[0] for r in rows],
            "value": [r[1] for r in rows],
            "lo": [r[2] for r in rows],
            "hi": [r[3] for r in rows],
        },
    )


def event_trials(results: Results) -> int:
    """Trials whose engagements are logged: the first ``EVENT_TRIALS`` (0 without a log; never
    more than the trials whose full outcomes were kept)."""
    from shieldwall.outcome.outcomes import EVENT_TRIALS

    out = results.outcomes
    return 0 if out.events is None else min(EVENT_TRIALS, results.trials, out.n_trials)


def _rounds_at(out: Any) -> np.ndarray:
    """Rounds fired at each threat per trial (``Outcomes.rounds_at``; ``shots`` before #9)."""
    return np.asarray(out.rounds_at if hasattr(out, "rounds_at") else out.shots)


def _empty(name: str) -> pa.Table:
    return TABLES[name].schema.empty_table()


def concat(per_policy: Sequence[Mapping[str, pa.Table]]) -> dict[str, pa.Table]:
    """Stack several policies' tables (same names) into one table each."""
    names = [n for n in names_of("policy") if all(n in t for t in per_policy)]
    return {n: pa.concat_tables([t[n] for t in per_policy]) for n in names}
