"""The :class:`Outcomes` of a Monte Carlo: what happened to every threat in every trial."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from shieldwall._types import F64, I64, B

__all__ = ["EVENT_TRIALS", "Events", "Outcomes"]

#: Trials whose engagements are logged (the first ones; run records and the viewer replay them).
EVENT_TRIALS = 20


@dataclass(frozen=True, kw_only=True, eq=False)
class Events:
    """Engagement log (one entry per engagement: a salvo of one battery at one threat) of the
    first :data:`EVENT_TRIALS` trials, in launch order within each trial.

    The same type as the battle engine's log (docs/battle.md); until that engine runs the
    pipeline, :func:`shieldwall.outcome.reference.event_log` fills it, with ``sample = -1`` and
    the intercept point left NaN (the run record takes it from the trajectory).

    Attributes
    ----------
    trial, battery_idx, threat_idx : (n_event,) int
        Trial, shooter (``World.batteries`` row) and target (``World.raid`` row).
    sample : (n_event,) int
        The intercept sample; -1 when not known.
    launch_t_s, intercept_t_s : (n_event,)
        Launch and intercept times. [s]
    rounds : (n_event,) int
        Rounds fired together.
    killed : (n_event,) bool
        The threat is truly dead after this engagement (a round so far killed it).
    reported_dead : (n_event,) bool
        The kill assessment of this engagement says dead.
    lat_rad, lon_rad, alt_m : (n_event,)
        Intercept point (the threat's position at the intercept); NaN when not known. [rad], [m]
    """

    trial: I64
    battery_idx: I64
    threat_idx: I64
    sample: I64
    launch_t_s: F64
    intercept_t_s: F64
    rounds: I64
    killed: B
    reported_dead: B
    lat_rad: F64
    lon_rad: F64
    alt_m: F64

    @property
    def n_events(self) -> int:
        """Number of logged engagements."""
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
    events : Events or None
        Engagements of the first trials (:data:`EVENT_TRIALS`); ``None`` when not logged.
    """

    flew: NDArray[np.bool_]
    killed: NDArray[np.bool_]
    leaked: NDArray[np.bool_]
    shots: NDArray[np.int64]
    expended: NDArray[np.int64]
    asset_hit: NDArray[np.bool_]
    events: Events | None = None

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
