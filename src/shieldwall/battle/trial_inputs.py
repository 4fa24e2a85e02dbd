"""`TrialInputs`: what varies from trial to trial in one fight (docs/battle.md §3).

Made from the block's draws by :func:`shieldwall.battle.build_trial_inputs` (purposes ``fly``,
``fail_time``, ``fcq``, ``ipp``); the fight reads the remaining purposes (``kill``, ``ka``,
``common_mode``) from the draws themselves. Trial axis first.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from shieldwall._types import F64, I64, B
from shieldwall.battle.fight_inputs import FightInputs, FightInputsError
from shieldwall.errors import Problem

__all__ = ["TrialInputs"]


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
            value = np.array(getattr(self, f.name), copy=True)
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
