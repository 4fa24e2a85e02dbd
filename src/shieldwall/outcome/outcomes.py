"""The :class:`Outcomes` of a fight: what happened to every threat in every trial (§7 of
docs/battle.md)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from shieldwall._types import F64, I64, B

__all__ = ["EVENT_TRIALS", "Events", "Outcomes"]

#: Trials of block 0 whose engagements are logged by default (run records, the viewer).
EVENT_TRIALS = 20


@dataclass(frozen=True, kw_only=True, eq=False)
class Events:
    """Engagement log (one entry per engagement) for a bounded sample of trials.

    Attributes
    ----------
    trial, battery_idx, threat_idx : (n_event,) int
        Trial (within the fight's trials), shooter and target.
    sample : (n_event,) int
        The intercept sample (index into ``FightInputs.sample_*``).
    launch_t_s, intercept_t_s : (n_event,)
        Launch and intercept times. [s]
    rounds : (n_event,) int
        Rounds fired together.
    killed : (n_event,) bool
        The threat is truly dead after this engagement (a round so far killed it).
    reported_dead : (n_event,) bool
        The kill assessment of this engagement says dead.
    lat_rad, lon_rad, alt_m : (n_event,)
        Intercept point (the threat's position at the intercept sample). [rad], [m]
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

    @classmethod
    def empty(cls) -> Events:
        """A log with no entries."""
        i0, f0, b0 = np.zeros(0, np.int64), np.zeros(0), np.zeros(0, bool)
        return cls(
            trial=i0,
            battery_idx=i0,
            threat_idx=i0,
            sample=i0,
            launch_t_s=f0,
            intercept_t_s=f0,
            rounds=i0,
            killed=b0,
            reported_dead=b0,
            lat_rad=f0,
            lon_rad=f0,
            alt_m=f0,
        )

    def columns(self) -> dict[str, np.ndarray]:
        """Flat columns for tables and Parquet."""
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


@dataclass(frozen=True, kw_only=True, eq=False)
class Outcomes:
    """Per-trial results of one fight (trial axis first).

    Attributes
    ----------
    flew : (n_trial, n_threat) bool
        The threat missile did not fail in flight.
    killed : (n_trial, n_threat) bool
        An interceptor killed it (before it failed, for one that failed).
    leaked : (n_trial, n_threat) bool
        It flew, was not killed and falls on a defended asset.
    rounds_at : (n_trial, n_threat) int
        Rounds fired at it.
    expended : (n_trial, n_battery) int
        Rounds each battery fired.
    asset_hit : (n_trial, n_asset) bool
        At least one leaker fell on the asset.
    value_lost : (n_trial,)
        Sum of the values of the assets hit. [value units]
    rounds_defending : (n_trial, n_battery, n_nation + 1) int
        Rounds each battery fired at threats whose true target belongs to each nation; the last
        column counts rounds at threats that fall on no defended asset (burden accounting).
    events : Events
        Engagement log of the first logged trials.
    """

    flew: B
    killed: B
    leaked: B
    rounds_at: I64
    expended: I64
    asset_hit: B
    value_lost: F64
    rounds_defending: I64
    events: Events

    @property
    def n_trials(self) -> int:
        """Number of trials."""
        return int(self.flew.shape[0])

    @property
    def leakers(self) -> I64:
        """Leakers per trial, ``(n_trial,)``."""
        return np.asarray(self.leaked.sum(axis=1), dtype=np.int64)

    @property
    def rounds(self) -> I64:
        """Interceptors fired per trial, ``(n_trial,)``."""
        return np.asarray(self.expended.sum(axis=1), dtype=np.int64)

    def __repr__(self) -> str:
        n_tr, n_t = self.flew.shape
        mean = float(self.leakers.mean()) if n_tr else float("nan")
        return (
            f"Outcomes(trials={n_tr}, threats={n_t}, mean_leakers={mean:.3f}, "
            f"events={self.events.n_events})"
        )

    @classmethod
    def concatenate(cls, parts: Sequence[Outcomes]) -> Outcomes:
        """Outcomes of consecutive trial blocks as one (events keep their block's trial offset)."""
        if len(parts) == 1:
            return parts[0]
        offsets = np.cumsum([0] + [p.n_trials for p in parts[:-1]])
        ev = [p.events for p in parts]
        events = Events(
            **{
                name: np.concatenate(
                    [
                        getattr(e, name) + (off if name == "trial" else 0)
                        for e, off in zip(ev, offsets, strict=True)
                    ]
                )
                for name in Events.__dataclass_fields__
            }
        )
        return cls(
            flew=np.concatenate([p.flew for p in parts]),
            killed=np.concatenate([p.killed for p in parts]),
            leaked=np.concatenate([p.leaked for p in parts]),
            rounds_at=np.concatenate([p.rounds_at for p in parts]),
            expended=np.concatenate([p.expended for p in parts]),
            asset_hit=np.concatenate([p.asset_hit for p in parts]),
            value_lost=np.concatenate([p.value_lost for p in parts]),
            rounds_defending=np.concatenate([p.rounds_defending for p in parts]),
            events=events,
        )

    def take(self, start: int, stop: int) -> Outcomes:
        """Trials ``start:stop`` (their events renumbered from 0)."""
        ev = self.events
        keep = (ev.trial >= start) & (ev.trial < stop)
        events = Events(
            **{
                name: getattr(ev, name)[keep] - (start if name == "trial" else 0)
                for name in Events.__dataclass_fields__
            }
        )
        return Outcomes(
            flew=self.flew[start:stop],
            killed=self.killed[start:stop],
            leaked=self.leaked[start:stop],
            rounds_at=self.rounds_at[start:stop],
            expended=self.expended[start:stop],
            asset_hit=self.asset_hit[start:stop],
            value_lost=self.value_lost[start:stop],
            rounds_defending=self.rounds_defending[start:stop],
            events=events,
        )
