"""Small hand-made fights (no pipeline): a few threats, batteries and rows written out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from shieldwall.battle import FightInputs, TrialInputs, build_trial_inputs
from shieldwall.metrics.intervals import mean_interval, wilson_interval
from shieldwall.outcome import TRIAL_BLOCK, BlockDraws, Outcomes, block_draws
from shieldwall.outcome.engine import fight
from shieldwall.scenario.doctrine import Doctrine

#: Two-sided 99.9% normal quantile for the acceptance intervals of the Monte Carlo tests.
Z999 = 3.2905


@dataclass(frozen=True)
class Threat:
    """A threat aimed at its own asset (value ``value``, nation ``nation``)."""

    reliability: float = 1.0
    launch_s: float = 0.0
    burnout_s: float = 60.0
    impact_s: float = 2000.0
    klass: int = 0
    value: float = 1.0
    nation: int = 0
    on_asset: bool = True
    free_flight_failure_fraction: float = 0.0


@dataclass(frozen=True)
class Kind:
    """An interceptor type."""

    pk: float = 0.6
    reliability: float = 1.0
    ka_s: float = 10.0
    reaction_s: float = 0.0
    upper: bool = False
    common_mode: float = 0.0


@dataclass(frozen=True)
class Battery:
    """A battery of interceptor type ``kind``."""

    kind: int = 0
    inventory: int = 10
    channels: int = 8
    nation: int = 0


@dataclass(frozen=True)
class Row:
    """Admissible samples ``(intercept t, launch ℓ)`` of a battery on a threat."""

    battery: int
    threat: int
    samples: tuple[tuple[float, float], ...]
    planned: int = 0

    @classmethod
    def window(
        cls, battery: int, threat: int, first_launch_s: float, n: int, step_s: float = 1.0,
        flyout_s: float = 20.0, planned: int = 0,
    ) -> Row:  # fmt: skip
        """``n`` samples ``step_s`` apart, each a ``flyout_s`` flight from launch."""
        return cls(
            battery,
            threat,
            tuple(
                (first_launch_s + k * step_s + flyout_s, first_launch_s + k * step_s)
                for k in range(n)
            ),
            planned,
        )


@dataclass(frozen=True)
class Case:
    """A whole hand-made fight."""

    threats: Sequence[Threat]
    batteries: Sequence[Battery]
    rows: Sequence[Row]
    kinds: Sequence[Kind] = (Kind(),)
    doctrine: Doctrine = field(default_factory=Doctrine)
    n_nations: int = 1
    defends: np.ndarray | None = None
    fire_control_s: float = 0.0

    def inputs(self) -> FightInputs:
        """The :class:`FightInputs` of the case (each threat aimed at its own asset)."""
        n_t, n_b, _n_k = len(self.threats), len(self.batteries), len(self.kinds)
        rows = sorted(self.rows, key=lambda r: (r.threat, r.battery))
        samples = [sorted(r.samples) for r in rows]
        start = np.concatenate([[0], np.cumsum([len(s) for s in samples])]).astype(np.int64)
        flat = [p for s in samples for p in s]
        # Asset i at the true impact point of threat i; other assets 1,000 km away.
        offset = np.full((n_t, n_t, 2), 1.0e6)
        offset[np.arange(n_t), np.arange(n_t)] = 0.0
        nat = self.n_nations
        defends = np.eye(nat, dtype=bool) if self.defends is None else self.defends
        th = self.threats
        return FightInputs(
            policy="handmade",
            target_asset_idx=np.array([i if t.on_asset else -1 for i, t in enumerate(th)]),
            target_nation_idx=np.array([t.nation if t.on_asset else -1 for t in th]),
            target_value=np.array([t.value if t.on_asset else 0.0 for t in th]),
            reliability=np.array([t.reliability for t in th]),
            threat_class=np.array([t.klass for t in th]),
            launch_t_s=np.array([t.launch_s for t in th]),
            burnout_t_s=np.array([t.burnout_s for t in th]),
            impact_t_s=np.array([t.impact_s for t in th]),
            free_flight_failure_fraction=np.array([t.free_flight_failure_fraction for t in th]),
            asset_value=np.array([t.value for t in th]),
            asset_nation_idx=np.array([t.nation for t in th]),
            asset_radius_m=np.full(n_t, 1000.0),
            asset_offset_en_m=offset,
            defends=defends,
            battery_nation_idx=np.array([b.nation for b in self.batteries]),
            battery_interceptor_idx=np.array([b.kind for b in self.batteries]),
            inventory=np.array([b.inventory for b in self.batteries]),
            fire_channels=np.array([b.channels for b in self.batteries]),
            battery_fc_key=np.arange(n_b),
            pk=np.array([[k.pk] * 3 for k in self.kinds]),
            interceptor_reliability=np.array([k.reliability for k in self.kinds]),
            kill_assessment_s=np.array([k.ka_s for k in self.kinds]),
            reaction_time_s=np.array([k.reaction_s for k in self.kinds]),
            upper_tier=np.array([k.upper for k in self.kinds]),
            common_mode=np.array([[k.common_mode] * 3 for k in self.kinds]),
            fc_nation_idx=np.array([b.nation for b in self.batteries]),
            fc_sigma_m=np.arange(n_b, dtype=np.float64),
            ipp_chol_m=np.zeros((nat, n_t, 2, 2)),
            ipp_sigma_m=np.zeros((nat, n_t)),
            row_battery_idx=np.array([r.battery for r in rows], dtype=np.int64),
            row_threat_idx=np.array([r.threat for r in rows], dtype=np.int64),
            row_start=start,
            row_nominal_earliest_launch_t_s=np.full(len(rows), self.fire_control_s),
            planned_rounds=np.array([r.planned for r in rows], dtype=np.int64),
            sample_t_s=np.array([p[0] for p in flat]),
            sample_launch_t_s=np.array([p[1] for p in flat]),
            sample_lat_rad=np.zeros(len(flat)),
            sample_lon_rad=np.zeros(len(flat)),
            sample_alt_m=np.zeros(len(flat)),
            doctrine=self.doctrine,
            plan_solver="handmade",
        )

    def block(
        self, seed: int, k: int, n_trials: int
    ) -> tuple[FightInputs, TrialInputs, BlockDraws]:
        """Fight inputs, trial inputs and draws of block ``k`` (``n_trials`` trials)."""
        fi = self.inputs()
        d = block_draws(
            seed, k, n_trials=n_trials, n_threats=fi.n_threats, n_nations=fi.n_nations,
            type_names=tuple(f"kind{j}" for j in range(fi.n_types)),
            n_shots=fi.doctrine.max_rounds_per_threat,
        )  # fmt: skip
        fc = np.full((n_trials, fi.n_keys, fi.n_threats), self.fire_control_s)
        return fi, build_trial_inputs(fi, d, fc), d

    def run(self, seed: int, n_trials: int) -> Outcomes:
        """All trials, block by block."""
        parts = []
        for k, lo in enumerate(range(0, n_trials, TRIAL_BLOCK)):
            fi, ti, d = self.block(seed, k, min(TRIAL_BLOCK, n_trials - lo))
            parts.append(fight(fi, ti, d))
        return Outcomes.concatenate(parts)


def rate_contains(hits: np.ndarray, expected: float) -> None:
    """The 99.9% Wilson interval of the rate of ``hits`` contains ``expected``."""
    lo, hi = wilson_interval(int(np.sum(hits)), hits.size, z=Z999)
    assert lo <= expected <= hi, (float(np.mean(hits)), expected, (float(lo), float(hi)))


def mean_contains(x: np.ndarray, expected: float) -> None:
    """The 99.9% normal interval of the mean of ``x`` contains ``expected``."""
    mean, lo, hi = mean_interval(np.asarray(x, dtype=np.float64), z=Z999)
    assert lo <= expected <= hi, (float(mean), expected, (float(lo), float(hi)))
