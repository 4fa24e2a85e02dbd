"""The :class:`Outcomes` of a fight: what happened to every threat in every trial (§7 of
docs/battle.md)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from shieldwall._types import F64, I32, I64, B

__all__ = ["EVENT_TRIALS", "Events", "Outcomes", "Tally"]

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

    def tally(self, start: int = 0, stop: int | None = None) -> Tally:
        """What the metrics need of trials ``start:stop`` (all by default): :class:`Tally`."""
        sl = slice(start, self.n_trials if stop is None else stop)
        leaked = self.leaked[sl]
        expended = self.expended[sl]
        return Tally(
            leakers=leaked.sum(axis=1, dtype=np.int32),
            rounds=expended.sum(axis=1, dtype=np.int32),
            value_lost=np.array(self.value_lost[sl], dtype=np.float64),
            asset_hit=np.array(self.asset_hit[sl], dtype=bool),
            expended=expended.astype(np.int32),
            flew=self.flew[sl].sum(axis=0, dtype=np.int64),
            killed=self.killed[sl].sum(axis=0, dtype=np.int64),
            leaked=leaked.sum(axis=0, dtype=np.int64),
            rounds_at=self.rounds_at[sl].sum(axis=0, dtype=np.int64),
            rounds_defending=self.rounds_defending[sl].sum(axis=0, dtype=np.int64),
        )

    @classmethod
    def empty_like(cls, tally: Tally) -> Outcomes:
        """No trials, with the threat, battery, asset and nation axes of ``tally``."""
        n_threat, (n_bat, n_col) = tally.flew.shape[0], tally.rounds_defending.shape
        n_asset = tally.asset_hit.shape[1]
        no = np.zeros((0, n_threat), bool)
        return cls(
            flew=no,
            killed=no.copy(),
            leaked=no.copy(),
            rounds_at=np.zeros((0, n_threat), np.int64),
            expended=np.zeros((0, n_bat), np.int64),
            asset_hit=np.zeros((0, n_asset), bool),
            value_lost=np.zeros(0),
            rounds_defending=np.zeros((0, n_bat, n_col), np.int64),
            events=Events.empty(),
        )

    def take(self, start: int, stop: int, *, copy: bool = False) -> Outcomes:
        """Trials ``start:stop`` (their events renumbered from 0); ``copy`` copies the arrays
        (else they are views that keep the whole outcomes' memory alive)."""
        cp = np.array if copy else np.asarray
        ev = self.events
        keep = (ev.trial >= start) & (ev.trial < stop)
        events = Events(
            **{
                name: getattr(ev, name)[keep] - (start if name == "trial" else 0)
                for name in Events.__dataclass_fields__
            }
        )
        return Outcomes(
            flew=cp(self.flew[start:stop]),
            killed=cp(self.killed[start:stop]),
            leaked=cp(self.leaked[start:stop]),
            rounds_at=cp(self.rounds_at[start:stop]),
            expended=cp(self.expended[start:stop]),
            asset_hit=cp(self.asset_hit[start:stop]),
            value_lost=cp(self.value_lost[start:stop]),
            rounds_defending=cp(self.rounds_defending[start:stop]),
            events=events,
        )


@dataclass(frozen=True, kw_only=True, eq=False)
class Tally:
    """What the metrics, the comparison and the run record need of every trial of one policy
    (docs/montecarlo.md §7): per-trial scalars and per-asset / per-battery values, and per-threat
    and burden counts summed over the trials. About ``16 + n_asset + 4 n_battery`` bytes per
    trial (79 B for the flagship) where :class:`Outcomes` holds ~935 B.

    Every metric computed from a tally equals the one computed from the full outcomes bit for
    bit: the per-trial series are the same values, and the means over trials are of integer
    counts, whose float64 sums are exact (below 2**53) in any order.

    Attributes
    ----------
    leakers, rounds : (n_trial,) int32
        Leakers and interceptors fired per trial (``Outcomes.leakers``, ``Outcomes.rounds``).
    value_lost : (n_trial,)
        Sum of the values of the assets hit per trial. [value units]
    asset_hit : (n_trial, n_asset) bool
        At least one leaker fell on the asset.
    expended : (n_trial, n_battery) int32
        Rounds each battery fired.
    flew, killed, leaked, rounds_at : (n_threat,) int64
        Trials in which each threat flew / was killed / leaked, and rounds fired at it, summed
        over the trials.
    rounds_defending : (n_battery, n_nation + 1) int64
        ``Outcomes.rounds_defending`` summed over the trials.
    """

    leakers: I32
    rounds: I32
    value_lost: F64
    asset_hit: B
    expended: I32
    flew: I64
    killed: I64
    leaked: I64
    rounds_at: I64
    rounds_defending: I64

    @property
    def n_trials(self) -> int:
        """Number of trials."""
        return int(self.leakers.shape[0])

    @property
    def nbytes(self) -> int:
        """Bytes held."""
        return sum(int(getattr(self, f).nbytes) for f in self.__dataclass_fields__)

    def mean(self, name: str) -> F64:
        """Mean over the trials of a summed field (``flew``, ``killed``, ``leaked``,
        ``rounds_at``, ``rounds_defending``); NaN without trials. []"""
        total = np.asarray(getattr(self, name), dtype=np.float64)
        n = self.n_trials
        return total / n if n else np.full(total.shape, np.nan)

    def __repr__(self) -> str:
        n = self.n_trials
        mean = float(self.leakers.mean()) if n else float("nan")
        return f"Tally(trials={n}, threats={self.flew.shape[0]}, mean_leakers={mean:.3f})"

    @classmethod
    def concatenate(cls, parts: Sequence[Tally]) -> Tally:
        """Tallies of consecutive trial ranges as one."""
        if len(parts) == 1:
            return parts[0]

        def cat(name: str) -> np.ndarray:
            return np.concatenate([getattr(p, name) for p in parts])

        def total(name: str) -> I64:
            return np.asarray(np.sum([getattr(p, name) for p in parts], axis=0), dtype=np.int64)

        return cls(
            leakers=cat("leakers"),
            rounds=cat("rounds"),
            value_lost=cat("value_lost"),
            asset_hit=cat("asset_hit"),
            expended=cat("expended"),
            flew=total("flew"),
            killed=total("killed"),
            leaked=total("leaked"),
            rounds_at=total("rounds_at"),
            rounds_defending=total("rounds_defending"),
        )
