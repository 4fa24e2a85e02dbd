"""The :class:`Outcomes` of a Monte Carlo: what happened to every threat in every trial."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

__all__ = ["Outcomes"]


@dataclass(frozen=True, kw_only=True)
class Outcomes:
    """Per-trial results of one policy (trial axis first).

    Attributes
    ----------
    flew : (n_trial, n_threat) bool
        The threat missile did not fail in flight.
    killed : (n_trial, n_threat) bool
        An interceptor killed it.
    leaked : (n_trial, n_threat) bool
        It flew, was not killed and falls on a defended asset.
    shots : (n_trial, n_threat) int
        Rounds fired at it.
    expended : (n_trial, n_battery) int
        Rounds each battery fired.
    asset_hit : (n_trial, n_asset) bool
        At least one leaker fell on the asset.
    """

    flew: NDArray[np.bool_]
    killed: NDArray[np.bool_]
    leaked: NDArray[np.bool_]
    shots: NDArray[np.int64]
    expended: NDArray[np.int64]
    asset_hit: NDArray[np.bool_]

    @property
    def n_trials(self) -> int:
        """Number of trials."""
        return int(self.flew.shape[0])

    @property
    def leakers(self) -> NDArray[np.int64]:
        """Leakers per trial, ``(n_trial,)``."""
        return np.asarray(self.leaked.sum(axis=1), dtype=np.int64)

    @property
    def rounds(self) -> NDArray[np.int64]:
        """Interceptors fired per trial, ``(n_trial,)``."""
        return np.asarray(self.expended.sum(axis=1), dtype=np.int64)
