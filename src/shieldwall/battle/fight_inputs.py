"""`FightInputs`: everything fixed about one fight, for one raid geometry and one policy.

The model is docs/battle.md (§1 for these inputs).

A columnar record: threat, asset, battery and interceptor-type tables, the fire-control keys, the
commit-time IPP factors for believed targets, the rows (battery, threat) with their admissible
intercept samples (ragged, by offsets), the nominal plan and the doctrine. Built by
:func:`shieldwall.battle.build_fight_inputs`; small ones can be written by hand for tests
(:meth:`FightInputs.__post_init__` checks shapes and says which field is wrong).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

import numpy as np
from numpy.typing import NDArray

from shieldwall._types import F64, I64, B
from shieldwall.errors import Problem, ShieldwallError
from shieldwall.scenario.doctrine import Doctrine

__all__ = ["FightInputs", "FightInputsError"]


class FightInputsError(ShieldwallError, ValueError):
    """A hand-made :class:`FightInputs` (or :class:`TrialInputs`) has inconsistent arrays."""


def _fail(field_name: str, message: str) -> FightInputsError:
    return FightInputsError(
        f"invalid fight inputs: {field_name}: {message}",
        [Problem(message=message, path=field_name)],
    )


#: Fields of each table and the axis length they must share, in order of the checks.
_TABLES: dict[str, tuple[str, ...]] = {
    "n_threats": (
        "target_asset_idx",
        "target_nation_idx",
        "target_value",
        "reliability",
        "threat_class",
        "launch_t_s",
        "burnout_t_s",
        "impact_t_s",
        "free_flight_failure_fraction",
    ),
    "n_assets": ("asset_value", "asset_nation_idx", "asset_radius_m"),
    "n_batteries": (
        "battery_nation_idx",
        "battery_interceptor_idx",
        "inventory",
        "fire_channels",
        "battery_fc_key",
    ),
    "n_types": (
        "pk",
        "interceptor_reliability",
        "kill_assessment_s",
        "reaction_time_s",
        "upper_tier",
        "common_mode",
    ),
    "n_keys": ("fc_nation_idx", "fc_sigma_m"),
    "n_rows": (
        "row_battery_idx",
        "row_threat_idx",
        "row_nominal_earliest_launch_t_s",
        "planned_rounds",
    ),
    "n_samples": (
        "sample_t_s",
        "sample_launch_t_s",
        "sample_lat_rad",
        "sample_lon_rad",
        "sample_alt_m",
    ),
}


@dataclass(frozen=True, kw_only=True, eq=False)
class FightInputs:
    """The deterministic inputs of one fight (one raid geometry, one policy).

    Index conventions as everywhere: integer indices into the tables below, ``-1`` = none.

    Attributes
    ----------
    policy : str
        Name of the policy the rows and the plan were made under.
    target_asset_idx, target_nation_idx : (n_threat,) int
        True target asset of each threat and its nation (-1: falls on no defended asset).
    target_value : (n_threat,)
        Value of the true target asset (0 when none). [value units]
    reliability : (n_threat,)
        Probability the missile flies to impact. []
    threat_class : (n_threat,) int
        0 srbm, 1 mrbm, 2 irbm (column of ``pk`` and ``common_mode``).
    launch_t_s, burnout_t_s, impact_t_s : (n_threat,)
        Launch, burnout and nominal impact times. [s]
    free_flight_failure_fraction : (n_threat,)
        Fraction of in-flight failures that happen after burnout (0: all in powered flight). []
    asset_value, asset_radius_m : (n_asset,)
        Value and defended radius of each asset. [value units], [m]
    asset_nation_idx : (n_asset,) int
        Nation owning each asset.
    asset_offset_en_m : (n_threat, n_asset, 2)
        Each asset's position relative to the threat's true impact point, (east, north) in the
        plane tangent there. [m]
    defends : (n_nation, n_nation) bool
        The policy's engagement authority: ``defends[d, o]``, nation ``d``'s batteries may engage
        threats believed aimed at nation ``o``'s assets.
    battery_nation_idx, battery_interceptor_idx : (n_battery,) int
        Nation and interceptor type of each battery.
    inventory, fire_channels : (n_battery,) int
        Rounds at the start and simultaneous engagements. []
    battery_fc_key : (n_battery,) int
        Row of ``fc_nation_idx``/``fc_sigma_m`` whose fire-control time the battery uses.
    pk : (n_type, 3)
        Single-shot kill probability per threat class. []
    interceptor_reliability : (n_type,)
        Probability a round works. []
    kill_assessment_s, reaction_time_s : (n_type,)
        Time from intercept to knowing the result; from fire-control track to launch. [s]
    upper_tier : (n_type,) bool
        Upper-tier (exo-atmospheric / high) interceptor.
    common_mode : (n_type, 3)
        Probability that every round of the type misses a given threat of the class in a trial. []
    fc_nation_idx, fc_sigma_m : (n_key,)
        Fire-control keys: distinct (nation, IPP 1-σ requirement) pairs of the batteries. [-], [m]
    ipp_chol_m : (n_nation, n_threat, 2, 2)
        Lower Cholesky factor of each nation's IPP covariance (east, north) at its nominal commit
        time; NaN where the nation never holds an IPP. [m]
    ipp_sigma_m : (n_nation, n_threat)
        √(largest eigenvalue) of that covariance (NaN where none). [m]
    row_battery_idx, row_threat_idx : (n_row,) int
        The rows (battery, threat), sorted by threat then battery.
    row_start : (n_row + 1,) int
        Row ``r``'s admissible samples are ``row_start[r] : row_start[r + 1]``.
    row_nominal_earliest_launch_t_s : (n_row,)
        Nominal fire-control time of the battery's key plus its reaction time (the planner's). [s]
    planned_rounds : (n_row,) int
        The nominal plan ``x_r``.
    sample_t_s, sample_launch_t_s : (n_sample,)
        Intercept time ``t_j`` (increasing within a row) and launch time ``ℓ_j = t_j − τ_j``. [s]
    sample_lat_rad, sample_lon_rad, sample_alt_m : (n_sample,)
        Geodetic position of the threat at the sample (the intercept point). [rad], [m]
    doctrine : Doctrine
        How the manager fights (``World.doctrine``, with the solver's mode for ``doctrine``).
    plan_solver, plan_objective_name : str
        Planner that made ``planned_rounds`` and the objective it minimised.
    plan_objective : float
        That objective's value at the plan (expected value lost or expected leakers). []
    """

    policy: str
    target_asset_idx: I64
    target_nation_idx: I64
    target_value: F64
    reliability: F64
    threat_class: I64
    launch_t_s: F64
    burnout_t_s: F64
    impact_t_s: F64
    free_flight_failure_fraction: F64
    asset_value: F64
    asset_nation_idx: I64
    asset_radius_m: F64
    asset_offset_en_m: F64
    defends: B
    battery_nation_idx: I64
    battery_interceptor_idx: I64
    inventory: I64
    fire_channels: I64
    battery_fc_key: I64
    pk: F64
    interceptor_reliability: F64
    kill_assessment_s: F64
    reaction_time_s: F64
    upper_tier: B
    common_mode: F64
    fc_nation_idx: I64
    fc_sigma_m: F64
    ipp_chol_m: F64
    ipp_sigma_m: F64
    row_battery_idx: I64
    row_threat_idx: I64
    row_start: I64
    row_nominal_earliest_launch_t_s: F64
    planned_rounds: I64
    sample_t_s: F64
    sample_launch_t_s: F64
    sample_lat_rad: F64
    sample_lon_rad: F64
    sample_alt_m: F64
    doctrine: Doctrine
    plan_solver: str = "none"
    plan_objective_name: str = "asset_value"
    plan_objective: float = float("nan")

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            # an array that owns its data and is read-only (another FightInputs' after a
            # dataclasses.replace: a plan) is shared; anything else is copied and frozen
            if isinstance(value, np.ndarray) and (value.base is not None or value.flags.writeable):
                value = np.array(value, copy=True)
                value.setflags(write=False)
                object.__setattr__(self, f.name, value)
        for size, names in _TABLES.items():
            n = int(np.shape(getattr(self, names[0]))[0])
            for name in names[1:]:
                got = np.shape(getattr(self, name))
                if not got or got[0] != n:
                    raise _fail(name, f"must have {n} rows like {names[0]} ({size}), got {got}")
        n_t, n_a = self.n_threats, self.n_assets
        n_nat = int(self.defends.shape[0])
        expect: dict[str, tuple[int, ...]] = {
            "asset_offset_en_m": (n_t, n_a, 2),
            "defends": (n_nat, n_nat),
            "pk": (self.n_types, 3),
            "common_mode": (self.n_types, 3),
            "ipp_chol_m": (n_nat, n_t, 2, 2),
            "ipp_sigma_m": (n_nat, n_t),
            "row_start": (self.n_rows + 1,),
        }
        for name, shape in expect.items():
            if np.shape(getattr(self, name)) != shape:
                raise _fail(name, f"must have shape {shape}, got {np.shape(getattr(self, name))}")
        start = self.row_start
        if self.n_rows and (start[0] != 0 or start[-1] != self.n_samples):
            raise _fail("row_start", f"must run from 0 to n_samples = {self.n_samples}")
        if np.any(np.diff(start) < 1):
            raise _fail("row_start", "every row needs at least one admissible sample")
        checks: list[tuple[str, NDArray[Any], int]] = [
            ("row_battery_idx", self.row_battery_idx, self.n_batteries),
            ("row_threat_idx", self.row_threat_idx, n_t),
            ("battery_interceptor_idx", self.battery_interceptor_idx, self.n_types),
            ("battery_fc_key", self.battery_fc_key, self.n_keys),
            ("battery_nation_idx", self.battery_nation_idx, n_nat),
            ("fc_nation_idx", self.fc_nation_idx, n_nat),
            ("asset_nation_idx", self.asset_nation_idx, n_nat),
        ]
        for name, idx, n in checks:
            if idx.size and (idx.min() < 0 or idx.max() >= n):
                raise _fail(name, f"must index a table of {n} rows (0 .. {n - 1})")
        if self.n_rows:
            key = self.row_threat_idx * max(self.n_batteries, 1) + self.row_battery_idx
            if np.any(np.diff(key) <= 0):
                raise _fail("row_threat_idx", "rows must be unique and sorted by threat, battery")
        if np.any(self.planned_rounds < 0):
            raise _fail("planned_rounds", "must be >= 0")
        if np.any(self.inventory < 0) or np.any(self.fire_channels < 1):
            raise _fail("fire_channels", "inventory must be >= 0 and fire_channels >= 1")
        for name in ("reliability", "interceptor_reliability", "pk", "common_mode"):
            v = getattr(self, name)
            if np.any(~((v >= 0.0) & (v <= 1.0))):
                raise _fail(name, "must be probabilities in [0, 1]")

    # sizes -------------------------------------------------------------------------------
    @property
    def n_threats(self) -> int:
        """Number of threats."""
        return int(self.target_asset_idx.shape[0])

    @property
    def n_assets(self) -> int:
        """Number of assets."""
        return int(self.asset_value.shape[0])

    @property
    def n_nations(self) -> int:
        """Number of nations."""
        return int(self.defends.shape[0])

    @property
    def n_batteries(self) -> int:
        """Number of batteries."""
        return int(self.battery_nation_idx.shape[0])

    @property
    def n_types(self) -> int:
        """Number of interceptor types."""
        return int(self.interceptor_reliability.shape[0])

    @property
    def n_keys(self) -> int:
        """Number of fire-control keys."""
        return int(self.fc_nation_idx.shape[0])

    @property
    def n_rows(self) -> int:
        """Number of rows (battery, threat)."""
        return int(self.row_battery_idx.shape[0])

    @property
    def n_samples(self) -> int:
        """Number of admissible intercept samples over all rows."""
        return int(self.sample_t_s.shape[0])

    # derived per row ---------------------------------------------------------------------
    @property
    def row_type_idx(self) -> I64:
        """Interceptor type of each row, ``(n_row,)``."""
        return np.asarray(self.battery_interceptor_idx[self.row_battery_idx], dtype=np.int64)

    @property
    def row_nation_idx(self) -> I64:
        """Nation of each row's battery, ``(n_row,)``."""
        return np.asarray(self.battery_nation_idx[self.row_battery_idx], dtype=np.int64)

    @property
    def row_p_kill(self) -> F64:
        """Single-round kill probability ``rel · pk`` of each row (common mode aside), (n_row,)."""
        k = self.row_type_idx
        c = self.threat_class[self.row_threat_idx]
        return np.asarray(self.interceptor_reliability[k] * self.pk[k, c], dtype=np.float64)

    @property
    def row_latest_launch_t_s(self) -> F64:
        """Latest admissible launch of each row, ``max_j ℓ_j``, ``(n_row,)``. [s]"""
        if self.n_rows == 0:
            return np.zeros(0)
        return np.asarray(
            np.maximum.reduceat(self.sample_launch_t_s, self.row_start[:-1]), dtype=np.float64
        )

    def columns(self) -> dict[str, NDArray[np.generic]]:
        """One entry per row, for tables and Parquet (rows sorted by threat, battery)."""
        first = self.row_start[:-1]
        return {
            "battery_idx": self.row_battery_idx,
            "threat_idx": self.row_threat_idx,
            "interceptor_idx": self.row_type_idx,
            "n_samples": np.diff(self.row_start),
            "first_intercept_t_s": self.sample_t_s[first] if self.n_rows else np.zeros(0),
            "last_intercept_t_s": (
                self.sample_t_s[self.row_start[1:] - 1] if self.n_rows else np.zeros(0)
            ),
            "nominal_earliest_launch_t_s": self.row_nominal_earliest_launch_t_s,
            "latest_launch_t_s": self.row_latest_launch_t_s,
            "p_kill": self.row_p_kill,
            "planned_rounds": self.planned_rounds,
        }

    def __repr__(self) -> str:
        return (
            f"FightInputs(policy={self.policy!r}, threats={self.n_threats}, "
            f"batteries={self.n_batteries}, rows={self.n_rows}, samples={self.n_samples}, "
            f"planned={int(self.planned_rounds.sum())}, solver={self.plan_solver!r})"
        )
