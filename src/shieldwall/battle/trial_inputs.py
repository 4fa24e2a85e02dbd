"""`TrialInputs`: what varies from trial to trial in one fight (docs/battle.md §3).

Made from the block's draws by :func:`shieldwall.battle.build_trial_inputs` (purposes ``fly``,
``fail_time``, ``fcq``, ``ipp``); the fight reads the remaining purposes (``kill``, ``ka``,
``common_mode``) from the draws themselves. Trial axis first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Protocol

import numpy as np

from shieldwall._types import F64, I64, B
from shieldwall.battle.fight_inputs import FightInputs, FightInputsError
from shieldwall.battle.inputs import PictureLike
from shieldwall.errors import Problem

__all__ = [
    "FireControl",
    "TrialDrawsLike",
    "TrialInputs",
    "believed_assets",
    "build_trial_inputs",
    "failures",
]


@dataclass(frozen=True, kw_only=True, eq=False)
class TrialInputs:
    """Per-trial inputs of one fight.

    Attributes
    ----------
    flies : (n_trial, n_threat) bool
        The threat flies to impact (no in-flight failure).
    fail_t_s : (n_trial, n_threat)
        When a threat that does not fly fails (``inf`` for one that flies). [s]
    fire_control_t_s : (n_trial, n_key, n_threat)
        Fire-control time of each fire-control key (``FightInputs.fc_nation_idx``,
        ``fc_sigma_m``) against each threat in the trial; ``inf`` never. [s]
    believed_asset_idx : (n_trial, n_nation, n_threat) int
        The asset each nation believes the threat will hit (-1 none).
    """

    flies: B
    fail_t_s: F64
    fire_control_t_s: F64
    believed_asset_idx: I64

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            # an array that owns its data and is read-only cannot change under us: kept as it
            # is (build_trial_inputs hands over its fresh arrays so; at 10,000 threats the
            # fire-control times alone are 0.7 GB a block); anything else is copied
            if not (
                isinstance(value, np.ndarray) and value.base is None and not value.flags.writeable
            ):
                value = np.array(value, copy=True)
                value.setflags(write=False)
            object.__setattr__(self, f.name, value)
        n_tr, n_t = self.flies.shape
        for name, ndim in (("fail_t_s", 2), ("fire_control_t_s", 3), ("believed_asset_idx", 3)):
            shape = np.shape(getattr(self, name))
            if len(shape) != ndim or shape[0] != n_tr or shape[-1] != n_t:
                msg = f"must have shape ({n_tr}, ..., {n_t}) like flies, got {shape}"
                raise FightInputsError(
                    f"invalid trial inputs: {name}: {msg}", [Problem(message=msg, path=name)]
                )

    @property
    def n_trials(self) -> int:
        """Number of trials."""
        return int(self.flies.shape[0])

    @classmethod
    def concatenate(cls, parts: Sequence[TrialInputs]) -> TrialInputs:
        """Consecutive trials of several blocks as one record (trial axis first)."""
        if len(parts) == 1:
            return parts[0]
        return cls(
            **{f.name: np.concatenate([getattr(p, f.name) for p in parts]) for f in fields(cls)}
        )

    def check_fits(self, fight: FightInputs) -> None:
        """Raise :class:`FightInputsError` unless these trials fit ``fight``'s tables."""
        want = {
            "flies": (self.n_trials, fight.n_threats),
            "fire_control_t_s": (self.n_trials, fight.n_keys, fight.n_threats),
            "believed_asset_idx": (self.n_trials, fight.n_nations, fight.n_threats),
        }
        for name, shape in want.items():
            got = np.shape(getattr(self, name))
            if got != shape:
                msg = f"must have shape {shape} for these fight inputs, got {got}"
                raise FightInputsError(
                    f"invalid trial inputs: {name}: {msg}", [Problem(message=msg, path=name)]
                )
        b = self.believed_asset_idx
        if b.size and (b.min() < -1 or b.max() >= fight.n_assets):
            msg = f"must be -1 or an asset index 0 .. {fight.n_assets - 1}"
            raise FightInputsError(
                f"invalid trial inputs: believed_asset_idx: {msg}",
                [Problem(message=msg, path="believed_asset_idx")],
            )

    def believed_nation_idx(self, fight: FightInputs) -> I64:
        """Nation of each believed asset, ``(n_trial, n_nation, n_threat)`` (-1 none)."""
        b = self.believed_asset_idx
        nat = fight.asset_nation_idx[np.maximum(b, 0)] if fight.n_assets else np.zeros(b.shape)
        return np.where(b >= 0, nat, -1).astype(np.int64)

    def believed_value(self, fight: FightInputs) -> F64:
        """Value of each believed asset, ``(n_trial, n_nation, n_threat)`` (0 none)."""
        b = self.believed_asset_idx
        val = fight.asset_value[np.maximum(b, 0)] if fight.n_assets else np.zeros(b.shape)
        return np.where(b >= 0, val, 0.0).astype(np.float64)


# --- builders ---------------------------------------------------------------------------------

#: Cells (trials × nations × threats × assets) per chunk of the believed-target search.
_BELIEF_CELLS = 2_000_000


def failures(fight: FightInputs, fly_u: F64, fail_time_u: F64) -> tuple[B, F64]:
    """Which threats fly, and when the others fail (docs/battle.md §3.1).

    Parameters
    ----------
    fight
        Threat reliabilities, launch, burnout and impact times, free-flight failure fractions.
    fly_u, fail_time_u : (n_threat, n_trial)
        The block's ``fly`` and ``fail_time`` uniforms.

    Returns
    -------
    flies : (n_trial, n_threat) bool
    fail_t_s : (n_trial, n_threat)
        ``inf`` for threats that fly. [s]
    """
    flies = fight.reliability[None, :] > np.asarray(fly_u, dtype=np.float64).T
    v = np.asarray(fail_time_u, dtype=np.float64).T
    f = fight.free_flight_failure_fraction[None, :]
    launch = fight.launch_t_s[None, :]
    burnout = fight.burnout_t_s[None, :]
    impact = fight.impact_t_s[None, :]
    powered = v < 1.0 - f
    with np.errstate(divide="ignore", invalid="ignore"):
        t_powered = launch + (burnout - launch) * v / (1.0 - f)
        t_free = burnout + (impact - burnout) * (v - (1.0 - f)) / f
    fail_t = np.where(flies, np.inf, np.where(powered, t_powered, t_free))
    return flies, np.asarray(fail_t, dtype=np.float64)


def believed_assets(
    fight: FightInputs, ipp_z: F64, margin_sigma: float, *, compiled: bool = True
) -> I64:
    """The asset each nation believes each threat will hit, per trial (docs/battle.md §3.3).

    Parameters
    ----------
    fight
        Asset offsets from the true impact points, radii, commit-time IPP Cholesky factors.
    ipp_z : (n_nation, n_threat, 2, n_trial)
        The block's ``ipp`` standard normals.
    margin_sigma
        ``ipp_margin_sigma``: how many IPP 1-σ are added to an asset's radius. []
    compiled
        Run the compiled kernel (:mod:`shieldwall.battle._kernels`, one cell at a time, no
        (trial, nation, threat, asset) temporaries), else the numpy formulation (chunks of
        trials); both give identical indices (tested). []

    Returns
    -------
    (n_trial, n_nation, n_threat) int
        Believed asset (-1 none).

    Notes
    -----
    ``e_east = C00 z0``, ``e_north = C10 z0 + C11 z1`` (C lower triangular); the distance to asset
    ``a`` is ``sqrt((o_east − e_east)² + (o_north − e_north)²)``; an asset is a candidate when that
    is ``<= radius + margin · σ``; the nearest candidate wins, the lower index on ties.
    """
    z = np.asarray(ipp_z, dtype=np.float64)
    out = np.full((int(z.shape[-1]), fight.n_nations, fight.n_threats), -1, dtype=np.int64)
    if fight.n_assets == 0 or out.size == 0:
        return out
    if not compiled:
        return _believed_numpy(fight, z, margin_sigma, out)
    from shieldwall.battle._kernels import believed_trials  # numba: loaded on first use

    c = np.ascontiguousarray
    reach = fight.asset_radius_m[None, None, :] + margin_sigma * fight.ipp_sigma_m[..., None]
    off = fight.asset_offset_en_m
    believed_trials(
        c(fight.ipp_chol_m, dtype=np.float64),
        c(reach, dtype=np.float64),
        c(off[..., 0], dtype=np.float64),
        c(off[..., 1], dtype=np.float64),
        c(z),
        out,
    )
    return out


def _believed_numpy(fight: FightInputs, z: F64, margin_sigma: float, out: I64) -> I64:
    """:func:`believed_assets` in numpy, chunked over trials (the compiled kernel's check)."""
    n_nat, n_t, n_a = fight.n_nations, fight.n_threats, fight.n_assets
    n_tr = int(z.shape[-1])
    chol = fight.ipp_chol_m  # (n_nat, n_t, 2, 2)
    reach = fight.asset_radius_m[None, None, :] + margin_sigma * fight.ipp_sigma_m[..., None]
    o_e = fight.asset_offset_en_m[None, :, :, 0]  # (1, n_t, n_a)
    o_n = fight.asset_offset_en_m[None, :, :, 1]
    step = max(1, _BELIEF_CELLS // max(n_nat * n_t * n_a, 1))
    for lo in range(0, n_tr, step):
        hi = min(lo + step, n_tr)
        z0 = np.moveaxis(z[:, :, 0, lo:hi], -1, 0)  # (n, n_nat, n_t)
        z1 = np.moveaxis(z[:, :, 1, lo:hi], -1, 0)
        e_e = chol[None, :, :, 0, 0] * z0
        e_n = chol[None, :, :, 1, 0] * z0 + chol[None, :, :, 1, 1] * z1
        with np.errstate(invalid="ignore"):
            d = np.sqrt((o_e[:, None] - e_e[..., None]) ** 2 + (o_n[:, None] - e_n[..., None]) ** 2)
            inside = d <= reach[None]  # NaN (no IPP) compares False
        d = np.where(inside, d, np.inf)
        best = np.argmin(d, axis=-1)
        found = np.take_along_axis(inside, best[..., None], -1)[..., 0]
        out[lo:hi] = np.where(found, best, -1)
    return out


class TrialDrawsLike(Protocol):
    """The draws :func:`build_trial_inputs` reads (``shieldwall.outcome.BlockDraws``)."""

    @property
    def fly_u(self) -> F64: ...
    @property
    def fail_time_u(self) -> F64: ...
    @property
    def ipp_z(self) -> F64: ...


def build_trial_inputs(
    fight: FightInputs, draws: TrialDrawsLike, fire_control_t_s: F64
) -> TrialInputs:
    """The per-trial inputs of one block from its draws and fire-control times.

    Parameters
    ----------
    fight
        The fight inputs.
    draws
        The block's draws (``fly``, ``fail_time``, ``ipp`` are used here).
    fire_control_t_s : (n_trial, n_key, n_threat)
        Per-trial fire-control times of the fight's keys (:meth:`FireControl.times`). [s]
    """
    flies, fail_t = failures(fight, draws.fly_u, draws.fail_time_u)
    believed = believed_assets(fight, draws.ipp_z, fight.doctrine.ipp_margin_sigma)
    own = [flies, fail_t, believed]  # made here: handed over read-only, not copied again
    for a in own:
        if a.base is None:
            a.setflags(write=False)
    return TrialInputs(
        flies=flies,
        fail_t_s=fail_t,
        fire_control_t_s=np.asarray(fire_control_t_s, dtype=np.float64),
        believed_asset_idx=believed,
    )


class FireControl:
    """Per-trial fire-control times of one fight's keys (docs/battle.md §3.2), block by block.

    From the tracking stage's detection and track-initiation model,
    ``picture.fire_control_times(nation, σ, u)`` (docs/tracking.md, "Per-trial fire control"): one
    call per fire-control key and block.

    Parameters
    ----------
    fight
        The fight inputs (its fire-control keys).
    picture
        The policy's track picture.
    """

    def __init__(self, fight: FightInputs, picture: PictureLike) -> None:
        self.fight = fight
        self.picture = picture
        self.keys = [
            (int(fight.fc_nation_idx[k]), float(fight.fc_sigma_m[k])) for k in range(fight.n_keys)
        ]

    def times(self, fcq_u: F64) -> F64:
        """``(n_trial, n_key, n_threat)`` fire-control times for the block's ``fcq`` quantiles
        ``(n_nation, n_threat, n_trial)``; ``inf`` never; read-only. [s]"""
        u = np.asarray(fcq_u, dtype=np.float64)
        fi = self.fight
        out = np.empty((int(u.shape[-1]), fi.n_keys, fi.n_threats))
        # one call per nation for all its requirements: the first-track quantiles are found
        # once per nation, not once per key (the same times, element by element)
        nations = sorted({d for d, _ in self.keys})
        for d in nations:  # a handful
            ks = [k for k, (dk, _) in enumerate(self.keys) if dk == d]
            sig = np.array([self.keys[k][1] for k in ks])
            got = np.asarray(self.picture.fire_control_times(d, sig, u[d]), dtype=np.float64)
            out[:, ks] = np.moveaxis(got, -1, 0)  # (n_k, n_t, n_trial) -> (n_trial, n_k, n_t)
        out.setflags(write=False)  # TrialInputs keeps it as it is (no copy)
        return out
