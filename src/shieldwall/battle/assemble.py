"""Build :class:`FightInputs` from the world, the flown raid, the track picture and a policy.

:func:`build_fight_inputs` gathers docs/battle.md §1: true targets and asset offsets, the
battery and interceptor tables (catalog keys ``reliability``, ``remote_guidance`` and
``common_mode`` read where the world has them, with their documented defaults otherwise), the
fire-control keys and nominal fire-control times, each nation's commit-time IPP factor, and the
rows with their admissible samples (:func:`shieldwall.battle.windows.guided` on the policy-
independent :class:`~shieldwall.battle.windows.Reach`). The result carries no plan yet
(:func:`shieldwall.battle.plan.plan_fight` adds it).
"""

from __future__ import annotations

import numpy as np

from shieldwall._types import F64
from shieldwall.battle.fight_inputs import FightInputs
from shieldwall.battle.inputs import PictureLike, PolicyLike, TrajectoriesLike, WorldLike
from shieldwall.battle.targets import asset_offsets_en_m, threat_targets
from shieldwall.battle.windows import Reach, guided
from shieldwall.scenario.doctrine import Doctrine
from shieldwall.tracking import nation_fcq_requirement_m

__all__ = ["build_fight_inputs", "commit_ipp"]


def _column(table: object, name: str, default: F64) -> F64:
    """A World column that may not exist yet (catalog keys being added): its documented default."""
    value = getattr(table, name, None)
    return np.asarray(default if value is None else value)


def commit_ipp(picture: PictureLike, world: WorldLike) -> tuple[F64, F64]:
    """Each nation's IPP Cholesky factor and 1-σ at its nominal commit time (§3.3).

    Returns
    -------
    chol_m : (n_nation, n_threat, 2, 2)
        Lower Cholesky factor of the (east, north) IPP covariance; NaN where none. [m]
    sigma_m : (n_nation, n_threat)
        √(largest eigenvalue); NaN where none. [m]
    """
    req = nation_fcq_requirement_m(world)  # type: ignore[arg-type]
    n_nat = req.shape[0]
    covs = [
        np.asarray(picture.ipp_cov_at_fire_control(d, float(req[d])), dtype=np.float64)
        for d in range(n_nat)  # nations: a handful
    ]
    cov = np.stack(covs) if covs else np.zeros((0, 0, 2, 2))
    a, b, c = cov[..., 0, 0], cov[..., 1, 0], cov[..., 1, 1]
    with np.errstate(invalid="ignore", divide="ignore"):
        l00 = np.sqrt(a)
        l10 = b / l00
        l11 = np.sqrt(np.maximum(c - l10 * l10, 0.0))
        sigma = np.sqrt(0.5 * (a + c) + np.sqrt((0.5 * (a - c)) ** 2 + b * b))
    bad = ~(np.isfinite(l00) & np.isfinite(l10) & np.isfinite(l11) & (a > 0))
    chol = np.zeros(cov.shape)
    chol[..., 0, 0], chol[..., 1, 0], chol[..., 1, 1] = l00, l10, l11
    chol[bad] = np.nan
    return chol, np.where(bad, np.nan, sigma)


def build_fight_inputs(
    *,
    world: WorldLike,
    trajectories: TrajectoriesLike,
    picture: PictureLike,
    reach: Reach,
    policy: PolicyLike,
    doctrine: Doctrine,
) -> FightInputs:
    """The fight inputs of one raid geometry under one policy, without a plan.

    Parameters
    ----------
    world
        The compiled world.
    trajectories
        The flown raid (this geometry).
    picture
        The policy's track picture (fire-control times, tracks, IPP covariances, radar tracking).
    reach
        Reachable samples of the geometry (:func:`shieldwall.battle.windows.reach`).
    policy
        The policy (authority, sharing, integrated fire control).
    doctrine
        How the manager fights (``World.doctrine`` or an override).
    """
    bat, itc, assets = world.batteries, world.interceptors, world.assets
    targets = threat_targets(world, trajectories)
    n_t = targets.n_threats
    n_types = int(np.asarray(itc.reaction_time_s).shape[0])
    nat_b = np.asarray(bat.nation_idx, dtype=np.int64)
    type_b = np.asarray(bat.interceptor_idx, dtype=np.int64)
    sigma_k = np.asarray(itc.fcq_ipp_sigma_m, dtype=np.float64)
    # Fire-control keys: distinct (nation, requirement) of the batteries.
    pairs = sorted({(int(d), float(sigma_k[k])) for d, k in zip(nat_b, type_b, strict=True)})
    key_of = {p: j for j, p in enumerate(pairs)}
    fc_nat = np.array([p[0] for p in pairs], dtype=np.int64)
    fc_sig = np.array([p[1] for p in pairs], dtype=np.float64)
    battery_key = np.array(
        [key_of[(int(d), float(sigma_k[k]))] for d, k in zip(nat_b, type_b, strict=True)],
        dtype=np.int64,
    )
    nominal_fc = (
        np.stack(
            [
                np.asarray(picture.fire_control_time(int(d), float(s)), dtype=np.float64)
                for d, s in pairs
            ]
        )
        if pairs
        else np.zeros((0, n_t))
    )
    # Rows: pairs with an admissible sample whose battery's nation ever holds a track.
    ok = guided(reach, world, picture, policy)
    pair = reach.pair_of_sample
    track_t = np.asarray(picture.track_t_s, dtype=np.float64)
    tracked = np.isfinite(track_t[nat_b[reach.pair_battery_idx], reach.pair_threat_idx])
    ok &= tracked[pair]
    keep_pair = np.bincount(pair[ok], minlength=reach.n_pairs) > 0
    rows = np.flatnonzero(keep_pair)
    sel = np.flatnonzero(ok)
    counts = np.bincount(pair[sel], minlength=reach.n_pairs)[rows]
    row_b = reach.pair_battery_idx[rows]
    row_i = reach.pair_threat_idx[rows]
    reaction = np.asarray(itc.reaction_time_s, dtype=np.float64)
    t_s = reach.t_s[sel]
    chol, sigma = commit_ipp(picture, world)
    n_nat = len(world.nations.id)
    return FightInputs(
        policy=policy.name,
        target_asset_idx=targets.asset_idx,
        target_nation_idx=targets.nation_idx,
        target_value=targets.value,
        reliability=targets.reliability,
        threat_class=targets.threat_class,
        launch_t_s=np.asarray(trajectories.launch_t_s, dtype=np.float64),
        burnout_t_s=np.asarray(trajectories.burnout_t_s, dtype=np.float64),
        impact_t_s=targets.impact_t_s,
        free_flight_failure_fraction=_column(
            world.missiles,
            "free_flight_failure_fraction",
            np.zeros(len(world.missiles.reliability)),
        )[np.asarray(trajectories.missile_idx, dtype=np.int64)].astype(np.float64),
        asset_value=np.asarray(assets.value, dtype=np.float64),
        asset_nation_idx=np.asarray(assets.nation_idx, dtype=np.int64),
        asset_radius_m=np.asarray(assets.radius_m, dtype=np.float64),
        asset_offset_en_m=asset_offsets_en_m(
            np.asarray(assets.r_ecef_m, dtype=np.float64).reshape(-1, 3),
            np.asarray(trajectories.impact_r_ecef_m, dtype=np.float64),
            np.asarray(trajectories.impact_lat_rad, dtype=np.float64),
            np.asarray(trajectories.impact_lon_rad, dtype=np.float64),
        ),
        defends=np.asarray(policy.defends, dtype=bool)[:n_nat, :n_nat],
        battery_nation_idx=nat_b,
        battery_interceptor_idx=type_b,
        inventory=np.asarray(bat.inventory, dtype=np.int64),
        fire_channels=np.asarray(bat.fire_channels, dtype=np.int64),
        battery_fc_key=battery_key,
        pk=np.asarray(itc.pk, dtype=np.float64).reshape(n_types, 3),
        interceptor_reliability=_column(itc, "reliability", np.ones(n_types)).astype(np.float64),
        kill_assessment_s=np.asarray(itc.kill_assessment_s, dtype=np.float64),
        reaction_time_s=reaction,
        upper_tier=np.array([t == "upper" for t in itc.tier], dtype=bool),
        common_mode=_column(itc, "common_mode", np.zeros((n_types, 3)))
        .astype(np.float64)
        .reshape(n_types, 3),
        fc_nation_idx=fc_nat,
        fc_sigma_m=fc_sig,
        ipp_chol_m=chol,
        ipp_sigma_m=sigma,
        row_battery_idx=row_b,
        row_threat_idx=row_i,
        row_start=np.concatenate([[0], np.cumsum(counts)]).astype(np.int64),
        row_nominal_earliest_launch_t_s=nominal_fc[battery_key[row_b], row_i]
        + reaction[type_b[row_b]],
        planned_rounds=np.zeros(rows.size, dtype=np.int64),
        sample_t_s=t_s,
        sample_launch_t_s=t_s - reach.tau_s[sel],
        sample_lat_rad=reach.lat_rad[sel],
        sample_lon_rad=reach.lon_rad[sel],
        sample_alt_m=reach.alt_m[sel],
        doctrine=doctrine,
    )
