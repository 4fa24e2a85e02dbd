"""The :class:`Outcomes` of a Monte Carlo: what happened to every threat in every trial."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from shieldwall._types import F64, I64, B

__all__ = ["EVENT_TRIALS", "EventLog", "Outcomes"]

#: Trials whose engagements are logged (the first ones; run records and the viewer replay them).
EVENT_TRIALS = 20


@dataclass(frozen=True, kw_only=True)
class EventLog:
    """Engagement log of the first ``n_trials`` trials: one row per engagement (a salvo of one
    battery at one threat), in launch order within each trial.

    The intercept point is not stored: it is where the threat truly is at ``intercept_t_s``
    (the run record takes it from the trajectory).

    Attributes
    ----------
    n_trials : int
        Trials logged: ``0 .. n_trials - 1``.
    trial, battery_idx, threat_idx : (e,) int
        Which trial, battery (``World.batteries`` row) and threat (``World.raid`` row).
    launch_t_s, intercept_t_s : (e,)
        Launch and (planned) intercept time of the engagement. [s]
    rounds : (e,) int
        Rounds fired. []
    killed : (e,) bool
        Truth after the engagement: some round fired at the threat so far killed it.
    reported_killed : (e,) bool
        Kill assessment of the engagement: reported as a kill (the threat is dropped).
    """

    n_trials: int
    trial: I64
    battery_idx: I64
    threat_idx: I64
    launch_t_s: F64
    intercept_t_s: F64
    rounds: I64
    killed: B
    reported_killed: B

    @property
    def n_events(self) -> int:
        """Number of engagements logged."""
        return int(self.trial.shape[0])


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
    events : EventLog or None
        Engagements of the first trials (:data:`EVENT_TRIALS`); ``None`` when not logged.
    """

    flew: NDArray[np.bool_]
    killed: NDArray[np.bool_]
    leaked: NDArray[np.bool_]
    shots: NDArray[np.int64]
    expended: NDArray[np.int64]
    asset_hit: NDArray[np.bool_]
    events: EventLog | None = None

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
