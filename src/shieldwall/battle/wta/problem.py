"""The static weapon-target assignment problem, its objectives and its solution record.

Static WTA (Manne, 1958): weapons of type ``i`` (a battery) with ``W_i`` rounds, targets ``j``
(threats) with value ``V_j`` and single-shot kill probability ``p_ij``. An assignment ``x_ij`` (a
non-negative integer number of rounds of ``i`` fired at ``j``) leaves target ``j`` alive with
probability ``prod_i (1 - p_ij) ** x_ij``. The battle manager adds side constraints: pairs with
``p_ij == 0`` cannot engage, at most ``max_shots_ij`` rounds per pair, at most
``max_shots_per_target_j`` rounds per target, and at most ``channels_i`` distinct targets per
weapon.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from shieldwall.errors import Problem, ShieldwallError

__all__ = [
    "SOLVERS",
    "WTAError",
    "WTAProblem",
    "WTASolution",
    "asset_loss",
    "target_loss",
]

#: Valid solver names, in the order the docs list them.
SOLVERS = ("heuristic", "exact")

#: A bound on rounds used when nothing else limits a pair (keeps MILP bounds finite).
_NO_LIMIT = np.iinfo(np.int64).max // 4


class WTAError(ShieldwallError, ValueError):
    """A weapon-target assignment problem, instance file or solver request is invalid."""


def _fail(field_name: str, message: str) -> WTAError:
    return WTAError(
        f"invalid weapon-target assignment problem: {field_name}: {message}",
        [Problem(message=message, path=field_name)],
    )


def _frozen(value: ArrayLike, dtype: type) -> bool:
    """Whether ``value`` is an array of ``dtype`` that owns its data and is read-only (one this
    module made): it is shared, not copied (forbid-and-resolve makes hundreds of problems that
    differ in ``pk`` only)."""
    return (
        isinstance(value, np.ndarray)
        and value.dtype == dtype
        and value.base is None
        and not value.flags.writeable
    )


def _as_float(name: str, value: ArrayLike, ndim: int) -> NDArray[np.float64]:
    if _frozen(value, np.float64):
        arr = np.asarray(value)  # read-only already: shared, checked again below
    else:
        try:
            arr = np.array(value, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise _fail(name, f"must be an array of numbers ({exc})") from exc
    if arr.ndim != ndim:
        raise _fail(name, f"must have {ndim} dimension(s), got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise _fail(name, "must be finite (no NaN or inf)")
    arr.setflags(write=False)
    return arr


def _as_count(name: str, value: ArrayLike, shape: tuple[int, ...]) -> NDArray[np.int64]:
    if _frozen(value, np.int64) and np.shape(value) == shape:
        shared = np.asarray(value)  # read-only already: shared
        if np.any(shared < 0):
            raise _fail(name, "must be non-negative integers")
        return shared
    raw = _as_float(name, value, len(shape))
    if raw.shape != shape:
        raise _fail(name, f"must have shape {shape}, got {raw.shape}")
    if np.any(raw < 0) or np.any(raw != np.round(raw)):
        raise _fail(name, "must be non-negative integers")
    arr = raw.astype(np.int64)
    arr.setflags(write=False)
    return arr


@dataclass(frozen=True, kw_only=True, eq=False)
class WTAProblem:
    """A static weapon-target assignment problem (Manne, 1958) with battle side constraints.

    Target-based objective (minimised): expected surviving target value
    ``sum_j V_j prod_i (1 - p_ij) ** x_ij``.

    Asset-based objective (when ``target_asset`` and ``asset_values`` are given; minimised):
    expected lost asset value ``sum_a A_a (1 - prod_{j: asset(j) = a} (1 - L_j))`` with
    ``L_j = prod_i (1 - p_ij) ** x_ij`` the leak probability of threat ``j``: a leaking threat
    destroys the asset it is aimed at, leaks are independent, and an asset survives only if none of
    its threats leaks. It is solved through the target-based surrogate with weights ``values`` (pass
    ``asset_values[target_asset]``), then polished on the true objective.

    Parameters
    ----------
    values
        ``V_j``, value of each target (threat), shape ``(n_t,)``, non-negative. [value units]
    pk
        ``p_ij``, single-shot kill probability of one round of weapon ``i`` on target ``j``, shape
        ``(n_w, n_t)``, in ``[0, 1)``; 0 marks an infeasible pair (no variable).
    inventory
        ``W_i``, rounds available to each weapon (battery), shape ``(n_w,)``, non-negative integers.
    max_shots
        Most rounds per (weapon, target) pair, shape ``(n_w, n_t)``; ``None`` = no limit.
    max_shots_per_target
        Most rounds fired at each target by all weapons, shape ``(n_t,)``; ``None`` = no limit.
    channels
        Fire channels: most distinct targets each weapon may engage, shape ``(n_w,)``;
        ``None`` = no limit.
    target_asset
        Index into ``asset_values`` of the asset each threat is aimed at, shape ``(n_t,)``.
    asset_values
        ``A_a``, value of each defended asset, shape ``(n_a,)``, non-negative. [value units]
    """

    values: NDArray[np.float64]
    pk: NDArray[np.float64]
    inventory: NDArray[np.int64]
    max_shots: NDArray[np.int64] | None = None
    max_shots_per_target: NDArray[np.int64] | None = None
    channels: NDArray[np.int64] | None = None
    target_asset: NDArray[np.int64] | None = None
    asset_values: NDArray[np.float64] | None = None

    def __post_init__(self) -> None:
        values = _as_float("values", self.values, 1)
        pk = _as_float("pk", self.pk, 2)
        n_t = values.shape[0]
        if pk.shape[1] != n_t:
            raise _fail("pk", f"must have shape (n_weapons, {n_t}) to match values, got {pk.shape}")
        n_w = pk.shape[0]
        if np.any(values < 0):
            raise _fail("values", "must be non-negative")
        if np.any(pk < 0) or np.any(pk >= 1):
            raise _fail("pk", "must lie in [0, 1): 0 = cannot engage, 1 is not allowed")
        sets: dict[str, Any] = {
            "values": values,
            "pk": pk,
            "inventory": _as_count("inventory", self.inventory, (n_w,)),
        }
        if self.max_shots is not None:
            sets["max_shots"] = _as_count("max_shots", self.max_shots, (n_w, n_t))
        if self.max_shots_per_target is not None:
            sets["max_shots_per_target"] = _as_count(
                "max_shots_per_target", self.max_shots_per_target, (n_t,)
            )
        if self.channels is not None:
            sets["channels"] = _as_count("channels", self.channels, (n_w,))
        if (self.target_asset is None) != (self.asset_values is None):
            raise _fail("target_asset", "give both target_asset and asset_values, or neither")
        if self.asset_values is not None and self.target_asset is not None:
            asset_values = _as_float("asset_values", self.asset_values, 1)
            if np.any(asset_values < 0):
                raise _fail("asset_values", "must be non-negative")
            target_asset = _as_count("target_asset", self.target_asset, (n_t,))
            if np.any(target_asset >= asset_values.shape[0]):
                raise _fail(
                    "target_asset", f"must index asset_values: 0 .. {asset_values.shape[0] - 1}"
                )
            sets["asset_values"] = asset_values
            sets["target_asset"] = target_asset
        for name, value in sets.items():
            object.__setattr__(self, name, value)

    @property
    def n_weapons(self) -> int:
        """Number of weapons (batteries, weapon types)."""
        return int(self.pk.shape[0])

    @property
    def n_targets(self) -> int:
        """Number of targets (threats)."""
        return int(self.pk.shape[1])

    @property
    def asset_based(self) -> bool:
        """Whether the objective is the asset-based one."""
        return self.asset_values is not None

    @cached_property
    def kill_log(self) -> NDArray[np.float64]:
        """``a_ij = -ln(1 - p_ij)``, the log-survival decrement of one round, ``(n_w, n_t)``."""
        return -np.log1p(-self.pk)

    @cached_property
    def target_cap(self) -> NDArray[np.int64]:
        """Most rounds per target, ``(n_t,)`` (total inventory when unlimited)."""
        total = int(self.inventory.sum())
        if self.max_shots_per_target is None:
            return np.full(self.n_targets, total, dtype=np.int64)
        return np.minimum(self.max_shots_per_target, total)

    @cached_property
    def channel_cap(self) -> NDArray[np.int64]:
        """Most distinct targets per weapon, ``(n_w,)`` (``n_t`` when unlimited)."""
        if self.channels is None:
            return np.full(self.n_weapons, self.n_targets, dtype=np.int64)
        return np.minimum(self.channels, self.n_targets)

    @cached_property
    def upper(self) -> NDArray[np.int64]:
        """Most rounds of weapon ``i`` at target ``j`` allowed by every constraint, ``(n_w, n_t)``.

        Zero where the pair is infeasible (``p_ij == 0``) or a cap is zero.
        """
        cap = np.minimum(self.inventory[:, None], self.target_cap[None, :])
        if self.max_shots is not None:
            cap = np.minimum(cap, self.max_shots)
        cap = np.where((self.pk > 0) & (self.channel_cap[:, None] > 0), cap, 0)
        return np.minimum(cap, _NO_LIMIT).astype(np.int64)

    def surrogate_loss(self, x: ArrayLike) -> NDArray[np.float64]:
        """Target-based objective ``sum_j V_j prod_i (1 - p_ij) ** x_ij``, ``x (..., n_w, n_t)``."""
        return target_loss(self.values, self.kill_log, x)

    def loss(self, x: ArrayLike) -> NDArray[np.float64]:
        """The problem's objective (asset-based if assets are given), ``x (..., n_w, n_t)``."""
        if self.asset_values is not None and self.target_asset is not None:
            return asset_loss(self.asset_values, self.target_asset, self.kill_log, x)
        return self.surrogate_loss(x)

    def violations(self, x: ArrayLike) -> list[str]:
        """Every constraint ``x (n_w, n_t)`` breaks, in words (empty when feasible)."""
        arr = np.asarray(x)
        if arr.shape != self.pk.shape:
            return [f"x must have shape {self.pk.shape}, got {arr.shape}"]
        found = []
        if np.any(arr < 0) or np.any(arr != np.round(arr)):
            found.append("x must be non-negative integers")
        if np.any(arr > self.upper):
            found.append("x exceeds a per-pair limit (pk == 0, max_shots, or a cap)")
        if np.any(arr.sum(axis=1) > self.inventory):
            found.append("a weapon fires more rounds than its inventory")
        if np.any(arr.sum(axis=0) > self.target_cap):
            found.append("a target receives more rounds than max_shots_per_target")
        if np.any((arr > 0).sum(axis=1) > self.channel_cap):
            found.append("a weapon engages more distinct targets than its channels")
        return found


def target_loss(
    values: NDArray[np.float64], kill_log: NDArray[np.float64], x: ArrayLike
) -> NDArray[np.float64]:
    """Expected surviving target value ``sum_j V_j exp(-sum_i a_ij x_ij)`` (Manne, 1958).

    Parameters
    ----------
    values
        Target values, ``(n_t,)``.
    kill_log
        ``a_ij = -ln(1 - p_ij)``, ``(n_w, n_t)``.
    x
        Rounds per pair, ``(..., n_w, n_t)``.

    Returns
    -------
    numpy.ndarray
        Objective per leading index, shape ``(...)``.
    """
    y = np.einsum("...ij,ij->...j", np.asarray(x, dtype=np.float64), kill_log)
    return np.asarray(np.exp(-y) @ values)


def asset_loss(
    asset_values: NDArray[np.float64],
    target_asset: NDArray[np.int64],
    kill_log: NDArray[np.float64],
    x: ArrayLike,
) -> NDArray[np.float64]:
    """Expected lost asset value ``sum_a A_a (1 - prod_{j in a} (1 - L_j))``.

    ``L_j = exp(-sum_i a_ij x_ij)`` is the leak probability of threat ``j``; an asset is lost if
    any threat aimed at it leaks (independent leaks). Shapes as in :func:`target_loss`.
    """
    y = np.einsum("...ij,ij->...j", np.asarray(x, dtype=np.float64), kill_log)
    engaged = y > 0
    log_hold = np.log(-np.expm1(-y), where=engaged, out=np.zeros(y.shape))
    member = np.zeros((target_asset.shape[0], asset_values.shape[0]))
    member[np.arange(target_asset.shape[0]), target_asset] = 1.0
    unengaged = (~engaged).astype(np.float64) @ member
    lost = np.where(unengaged > 0, 1.0, -np.expm1(log_hold @ member))
    return np.asarray(lost @ asset_values)


@dataclass(frozen=True, kw_only=True)
class WTASolution:
    """The result of :func:`shieldwall.battle.wta.solve`.

    Parameters
    ----------
    x
        Rounds of weapon ``i`` fired at target ``j``, ``(n_w, n_t)`` int.
    objective
        The problem's objective at ``x`` (expected surviving target value, or expected lost asset
        value in the asset-based form). [value units]
    bound
        A proven lower bound on the optimum; NaN when the solver proves none (``heuristic``, and
        the asset-based form). [value units]
    gap
        ``(objective - bound) / objective``; 0 when both are 0; NaN without a bound.
    time_s
        Wall-clock time of the solve. [s]
    solver
        ``"heuristic"`` or ``"exact"``.
    status
        ``"heuristic"`` (no bound); ``"optimal"`` (``exact``, gap within tolerance) or
        ``"time_limit"`` (``exact`` stopped first, the gap says how far it got); in the asset-based
        form ``exact`` reports ``"surrogate_optimal"`` / ``"surrogate_time_limit"``: the
        target-based surrogate was solved, the answer polished on the asset objective, no bound.
    """

    x: NDArray[np.int64]
    objective: float
    bound: float
    gap: float
    time_s: float
    solver: str
    status: str
