"""The resource guard: memory and time a simulation will need, estimated before any work.

A raid of 10,000 missiles or ``--trials 10**9`` used to run for a minute and die with a
``MemoryError``. :func:`estimate_resources` predicts the peak memory and the run time of
:func:`shieldwall.pipeline.simulate` from the size of the compiled world and the number of
trials, in microseconds; :func:`check_resources` refuses, with a message that says what fits,
when the memory exceeds what this process may use (:func:`available_memory_bytes`) or the time
exceeds :data:`MAX_TIME_S`. ``force=True`` (``--force``) runs anyway.

The model (docs/robustness.md): the arrays of every stage scale with one product of sizes, over
Σ S_i, the trajectory samples of every flight (each flight's length predicted from the
closed-form vacuum conic of its raid row's shape, plus the boost and a margin for drag):
flight with Σ S_i; sensing with one chunk × radars (streamed; Σ S_i × radars where the base
is held whole); tracking, run in chunks of at most
``CHUNK_SAMPLES`` samples, with one chunk × nations; the battle with Σ S_i × batteries; the
Monte Carlo with threats × trials. The coefficients are a fit of peak bytes and seconds measured
with ``tools/calibrate_resources.py`` on the pipeline as it is (``tests/test_resources.py``
checks that the estimate stays an upper bound of the measured peak, and not a wild one); they
move when a stage's layout changes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from shieldwall.arguments import check_count
from shieldwall.errors import Problem, ShieldwallError
from shieldwall.tracking.chunks import CHUNK_SAMPLES

if TYPE_CHECKING:
    from shieldwall.scenario.world import World

__all__ = [
    "MAX_TIME_S",
    "ResourceError",
    "ResourceEstimate",
    "available_memory_bytes",
    "check_resources",
    "estimate_resources",
]

#: Longest run the guard lets start without ``force``. [s]
MAX_TIME_S = 24 * 3600.0

# Peak bytes per element: a least-squares fit of tracemalloc peaks of prepare + simulate on
# 13 scenarios (tools/calibrate_resources.py; the fit is within -11 %..+12 % of every one).
# Sensing and tracking run in threat chunks of at most CHUNK_SAMPLES trajectory samples, trimmed
# to their flights (tracking.chunks): memory grows with the samples actually flown (Σ S_i), the
# per-nation tracking temporaries only up to one chunk.
_B_PER_SAMPLE = 790.0  # flight, Trajectories and per-threat products, per sample Σ S_i
_B_PER_RADAR_SAMPLE = 112.0  # sensing (visibility, looks), per Σ S_i x radar
_B_PER_NATION_CHUNK_SAMPLE = 1014.0  # covariance recursion, per chunk sample x nation
_B_PER_BATTERY_SAMPLE = 17.0  # engagement windows, per Σ S_i x battery
#: A sensing base held whole (a caller's ``prepared``, a study's stage cache) costs
#: ``_B_PER_RADAR_SAMPLE`` per Σ S_i x radar; the pipeline's own samples stream it, one chunk's
#: geometry at a time, keeping the radars' visibility (a bool per sample x radar).
_KEPT_B_PER_RADAR_SAMPLE = 1.0
#: A comparison's extra policy: its picture (first-track distributions, per nation x sample) and
#: fight inputs (measured: ~31 B per Σ S_i x nation at 1,000 threats).
_B_PER_EXTRA_POLICY_NATION_SAMPLE = 40.0
#: What the results keep of a run's first raid geometry sample while the others are fought
#: (its trajectories, per Σ S_i; plus its pictures and fight inputs, per policy as above).
_KEPT_B_PER_SAMPLE = 200.0
_B_PER_THREAT_TRIAL = 360.0  # draws + engine + outcomes, per threat x trial
_B_PER_TRIAL = 480.0  # the engine's per-trial state (magazines, channels, block draws), per trial
_KEPT_B_PER_THREAT_TRIAL = 16.0  # outcomes kept per extra policy of a comparison
# Slim outcomes (``full_outcomes=False``, docs/montecarlo.md §7): per trial and policy the tally
# (leakers, rounds, value lost: 16 B; a bool per asset; an int32 per battery) and what the
# metrics and the run record make of it per trial (float64 series, the ``trials`` table).
_TALLY_B_PER_TRIAL = 16.0
_TALLY_B_PER_ASSET_TRIAL = 1.0
_TALLY_B_PER_BATTERY_TRIAL = 4.0
_RECORD_B_PER_TRIAL = 120.0
#: Most bytes of block draws one fight holds (blocks are fought in groups this big:
#: :func:`fight_group_blocks`), so the engine's working set stops growing with the trials.
DRAW_GROUP_BYTES = 256 * 2**20
#: Most bytes of one policy's per-trial fight inputs and outcomes the pipeline makes at once
#: (a block of a large raid is fought in pieces this big: :func:`fight_piece_trials`).
PIECE_BYTES = 192 * 2**20
_EKF_B_PER_TRIAL_SAMPLE = 40.0  # measurement-mode tracking, per EKF trial x T·S (one nation)
#: Unaccounted allocator overhead (fragmentation, Python objects) and fit error.
_MEMORY_MARGIN = 1.3
#: Process memory the estimate adds regardless of size (catalog, flyout tables). [B]
_FIXED_B = 30e6

# Seconds per element: the same fit on wall times (a shared machine; rough, ±3x), rounded up.
_FIXED_S = 0.2
_PER_MISSILE_TYPE_S = 0.3  # aiming calibration of each missile type (first use)
_PER_THREAT_S = 1.5e-3  # aiming iterations
_SENSING_S_PER_RADAR_SAMPLE = 4e-7
_TRACKING_S_PER_NATION_SAMPLE = 2e-6
_BATTLE_S_PER_BATTERY_SAMPLE = 4e-7
_TRIAL_S_PER_THREAT = 5e-7
_EKF_S_PER_TRIAL_SAMPLE = 3e-6  # per EKF trial x T·S x nation

#: Extra flight time over the vacuum conic (drag slows the reentry; more so for apogees below
#: ``_LOW_APOGEE_M``: depressed shots), and the time when the conic cannot be computed (no
#: reach: refused later by the flight stage). [s]
_DRAG_MARGIN = 1.1
_DRAG_MARGIN_LOW = 1.3
_LOW_APOGEE_M = 100e3
_FALLBACK_FLIGHT_S = 2000.0


class ResourceError(ShieldwallError):
    """A simulation would need more memory (or time) than allowed; nothing was started."""


@dataclass(frozen=True, kw_only=True)
class ResourceEstimate:
    """Predicted peak memory and run time of one simulation (or a comparison of policies).

    Attributes
    ----------
    memory_bytes
        Peak memory the run adds to this process. [B]
    time_s
        Wall time (rough: ±3x, the machine and its load decide). [s]
    threats, samples, total_samples, radars, nations, batteries, trials, policies
        The sizes it comes from (``samples``: the longest flight in record steps;
        ``total_samples``: the record steps of every flight together).
    fixed_bytes, per_trial_bytes
        The part that does not depend on trials, and the part per trial. [B]
    """

    memory_bytes: float
    time_s: float
    threats: int
    samples: int
    total_samples: int
    radars: int
    nations: int
    batteries: int
    trials: int
    policies: int
    fixed_bytes: float
    per_trial_bytes: float
    measurement_trials: int = 0
    parts: dict[str, float] = field(default_factory=dict)

    def sizes(self) -> str:
        """What the estimate comes from: ``10,000 threats x 385 samples x 2 radars, 1 nation,
        20 trials``."""
        return (
            f"{self.threats:,} threats ({self.total_samples:,} trajectory samples), "
            f"{self.radars} radars, "
            f"{self.nations} nation{'s' if self.nations != 1 else ''}, {self.trials:,} trials"
            + (f" x {self.policies} policies" if self.policies > 1 else "")
            + (
                f", {self.measurement_trials:,} measurement-mode tracking trials"
                if self.measurement_trials
                else ""
            )
        )

    def summary(self) -> str:
        """One line: ``~1.2 GB and ~40 s (10,000 threats x ...)``."""
        return f"~{_gb(self.memory_bytes)} and ~{_duration(self.time_s)} ({self.sizes()})"

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON values (``--estimate --json``)."""
        return {
            "memory_bytes": self.memory_bytes,
            "time_s": self.time_s,
            "threats": self.threats,
            "samples": self.samples,
            "total_samples": self.total_samples,
            "radars": self.radars,
            "nations": self.nations,
            "batteries": self.batteries,
            "trials": self.trials,
            "policies": self.policies,
            "fixed_bytes": self.fixed_bytes,
            "per_trial_bytes": self.per_trial_bytes,
            "measurement_trials": self.measurement_trials,
            "parts_bytes": dict(self.parts),
        }

    def trials_that_fit(self, memory_bytes: float) -> int:
        """Most trials whose estimate stays within ``memory_bytes`` (0 if none)."""
        room = memory_bytes - self.fixed_bytes
        if room <= 0:
            return 0
        if self.per_trial_bytes <= 0:
            return self.trials
        return int(room / self.per_trial_bytes)


def _gb(n: float) -> str:
    if n >= 1e11:
        return f"{n / 1e9:,.0f} GB"
    return f"{n / 1e9:.1f} GB" if n >= 1e8 else f"{n / 1e6:.0f} MB"


def _duration(t: float) -> str:
    if t < 90:
        return f"{t:.0f} s"
    if t < 5400:
        return f"{t / 60:.0f} min"
    return f"{t / 3600:.1f} h"


def flight_times_s(world: World) -> np.ndarray:
    """Predicted flight time of each raid row: the vacuum conic of its shape plus the boost,
    times a drag margin; a fallback where the conic does not exist. ``(n_raid,)`` [s]"""
    from shieldwall.earth.constants import WGS84_A_M
    from shieldwall.flight import kepler
    from shieldwall.scenario.world import SHAPE_CODES

    raid, mis = world.raid, world.missiles
    k = np.asarray(raid.missile_idx, dtype=np.int64)
    if k.size == 0:
        return np.zeros(0)
    lat1, lon1 = np.asarray(raid.launch_lat_rad, float), np.asarray(raid.launch_lon_rad, float)
    lat2, lon2 = np.asarray(raid.aim_lat_rad, float), np.asarray(raid.aim_lon_rad, float)
    cos_psi = np.sin(lat1) * np.sin(lat2) + np.cos(lat1) * np.cos(lat2) * np.cos(lon2 - lon1)
    psi = np.arccos(np.clip(cos_psi, -1.0, 1.0))
    r2 = np.full(k.shape, WGS84_A_M)
    r1 = r2 + np.asarray(mis.burnout_alt_m, float)[k]
    shape = np.asarray(raid.shape)
    with np.errstate(all="ignore"):
        v, gamma = kepler.min_energy(r1, r2, psi)
        shaped = (shape == SHAPE_CODES["lofted"]) | (shape == SHAPE_CODES["depressed"])
        if shaped.any():
            ra = r2 + np.asarray(raid.apogee_m, float)
            v_a, g_a = kepler.conic_for_apogee(r1[shaped], r2[shaped], psi[shaped], ra[shaped])
            v[shaped], gamma[shaped] = v_a, g_a
        explicit = shape == SHAPE_CODES["explicit"]
        v = np.where(explicit, np.asarray(raid.burnout_speed_mps, float), v)
        gamma = np.where(explicit, np.asarray(raid.burnout_angle_rad, float), gamma)
        _, tof, ra = kepler.free_flight(r1, v, gamma, r2)
    margin = np.where(ra - r2 < _LOW_APOGEE_M, _DRAG_MARGIN_LOW, _DRAG_MARGIN)
    t = np.asarray(mis.burn_time_s, float)[k] + margin * tof
    return np.where(np.isfinite(t) & (t > 0), t, _FALLBACK_FLIGHT_S)


def estimate_resources(
    world: World,
    trials: int,
    *,
    policies: int = 1,
    measurement_trials: int = 0,
    record_dt_s: float = 1.0,
    workers: int = 1,
    full_outcomes: bool = True,
    sensing_held: bool = False,
) -> ResourceEstimate:
    """Peak memory and time of simulating ``world`` for ``trials`` (× ``policies``).

    Parameters
    ----------
    world
        The compiled world.
    trials
        Monte Carlo trials (per policy).
    policies
        Policies simulated on the same flight (a comparison keeps each policy's outcomes).
    measurement_trials
        Trials of measurement-mode tracking (``track(mode="measurement", trials=...)``); 0 for
        the covariance mode.
    record_dt_s
        Step of the trajectory grid (``FlightModel.record_dt_s``). [s]
    workers
        Processes the raid geometry samples are fought on at once (``simulate_policies``'
        ``workers``): each holds one sample's stage products (the fixed part), the trials'
        outcomes come back to this one.
    full_outcomes
        Every trial's full outcomes are kept (``simulate_policies``' default); ``False``: slim
        outcomes (``compare``, ``run``): the engine's working set then grows with the trials
        only up to one group of blocks (:data:`DRAW_GROUP_BYTES`) per process, and what is kept
        per trial is the tally and the run record's per-trial rows.
    sensing_held
        The raid samples' sensing bases are made whole and held (a caller's ``prepared``, a
        study's ``prepare_with``); by default they are streamed by threat chunk, as
        ``simulate_policies`` does for the samples it prepares itself.
    """
    trials = check_count(trials, "trials")
    workers = check_count(workers, "workers")
    policies = check_count(policies, "policies")
    n_ekf = check_count(measurement_trials, "measurement_trials", minimum=0)
    t_flight = flight_times_s(world)
    n_threat = int(t_flight.size)
    samples = int(np.ceil(t_flight.max() / record_dt_s)) + 2 if n_threat else 0
    total = float(np.sum(np.ceil(t_flight / record_dt_s) + 2))  # Σ S_i
    chunk = min(total, float(CHUNK_SAMPLES))
    n_radar = len(world.radars.id)
    n_nat = len(world.nations.id)
    n_bat = len(world.batteries.id)
    ts = float(n_threat) * samples  # padded grid
    k = float(trials)
    fixed = {
        "flight and trajectories": _B_PER_SAMPLE * total,
        "sensing": (
            _B_PER_RADAR_SAMPLE * total * n_radar
            if sensing_held
            else (_B_PER_RADAR_SAMPLE * chunk + _KEPT_B_PER_RADAR_SAMPLE * total) * n_radar
        ),
        "tracking": _B_PER_NATION_CHUNK_SAMPLE * chunk * n_nat,
        "battle": _B_PER_BATTERY_SAMPLE * total * n_bat,
        "other policies": _B_PER_EXTRA_POLICY_NATION_SAMPLE * total * n_nat * (policies - 1),
        "measurement": _EKF_B_PER_TRIAL_SAMPLE * ts * n_ekf,
    }
    kept = 0.0  # the first sample's products, held by this process only
    if world.n_geometries > 1:
        kept = (_KEPT_B_PER_SAMPLE + _B_PER_EXTRA_POLICY_NATION_SAMPLE * n_nat * policies) * total
    per_trial = _B_PER_TRIAL + n_threat * (
        _B_PER_THREAT_TRIAL + _KEPT_B_PER_THREAT_TRIAL * (policies - 1)
    )
    if not full_outcomes:
        # the engine: one group of blocks at a time in each process holding a sample
        engine = _B_PER_TRIAL + n_threat * _B_PER_THREAT_TRIAL
        fixed["fight"] = engine * min(k, float(workers * fight_group_trials(world)))
        per_trial = policies * (
            _TALLY_B_PER_TRIAL
            + _TALLY_B_PER_ASSET_TRIAL * len(world.assets.id)
            + _TALLY_B_PER_BATTERY_TRIAL * n_bat
            + _RECORD_B_PER_TRIAL
        )
    fixed_bytes = _MEMORY_MARGIN * (
        sum(v for key, v in fixed.items() if key != "fight") * workers
        + fixed.get("fight", 0.0)
        + kept
    )
    per_trial_bytes = _MEMORY_MARGIN * per_trial
    parts = {**fixed, **({"first sample kept": kept} if kept else {}), "trials": per_trial * k}
    n_types = len(set(np.asarray(world.raid.missile_idx).tolist()))
    time_s = (
        _FIXED_S
        + _PER_MISSILE_TYPE_S * n_types
        + _PER_THREAT_S * n_threat
        + policies
        * (
            _SENSING_S_PER_RADAR_SAMPLE * total * n_radar
            + _TRACKING_S_PER_NATION_SAMPLE * total * n_nat
            + _BATTLE_S_PER_BATTERY_SAMPLE * total * n_bat
            + _TRIAL_S_PER_THREAT * n_threat * k
            + _EKF_S_PER_TRIAL_SAMPLE * ts * n_ekf * n_nat
        )
    )
    return ResourceEstimate(
        memory_bytes=_FIXED_B + fixed_bytes + per_trial_bytes * k,
        time_s=time_s,
        threats=n_threat,
        samples=samples,
        total_samples=int(total),
        radars=n_radar,
        nations=n_nat,
        batteries=n_bat,
        trials=trials,
        policies=policies,
        fixed_bytes=_FIXED_B + fixed_bytes,
        per_trial_bytes=per_trial_bytes,
        measurement_trials=n_ekf,
        parts=parts,
    )


def fight_group_blocks(world: World, max_rounds_per_threat: int | None = None) -> int:
    """Trial blocks one fight holds at once: as many as :data:`DRAW_GROUP_BYTES` of block
    draws allow, at least one (the pipeline fights blocks in groups this big).
    ``max_rounds_per_threat`` defaults to the world's doctrine's."""
    from shieldwall.outcome.draws import TRIAL_BLOCK

    rounds = (
        world.doctrine.max_rounds_per_threat
        if max_rounds_per_threat is None
        else (max_rounds_per_threat)
    )
    per_block = (
        8
        * TRIAL_BLOCK
        * len(world.raid.missile_idx)
        * (2 * rounds + len(world.interceptors.name) + 2 + 3 * len(world.nations))
    )
    return max(1, DRAW_GROUP_BYTES // max(per_block, 1))


def fight_piece_trials(world: World) -> int:
    """Trials of one policy fought in one call: as many as :data:`PIECE_BYTES` of per-trial
    inputs and outcomes allow — fire-control times per key (at most one per battery), believed
    targets per nation, failures and the outcomes' per-threat columns, ~8 B each per threat —
    at least one; the pipeline fights a block in pieces this big where it holds more trials
    (1,000 threats: whole blocks; 10,000: ~100 trials)."""
    per_trial = (
        8 * len(world.raid.missile_idx) * (len(world.batteries.nation_idx) + len(world.nations) + 8)
    )
    return max(1, PIECE_BYTES // max(per_trial, 1))


def fight_group_trials(world: World) -> int:
    """Trials one fight holds at once (:func:`fight_group_blocks` blocks)."""
    from shieldwall.outcome.draws import TRIAL_BLOCK

    return TRIAL_BLOCK * fight_group_blocks(world)


def _read_int(path: str) -> int | None:
    try:
        text = Path(path).read_text().split()[0]
    except (OSError, IndexError):
        return None
    return int(text) if text.isdigit() else None


def _meminfo_kb(key: str, text: str) -> int | None:
    for line in text.splitlines():
        if line.startswith(key + ":"):
            parts = line.split()
            return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None
    return None


def available_memory_bytes() -> float:
    """Memory this process may still allocate: the least of the machine's available memory
    (``MemAvailable``), the cgroup limit (containers) and ``ulimit -v`` / ``-d``; ``inf`` when
    none is known (not Linux). [B]"""
    limits: list[float] = []
    try:
        meminfo = Path("/proc/meminfo").read_text()
    except OSError:
        meminfo = ""
    avail = _meminfo_kb("MemAvailable", meminfo)
    if avail is not None:
        limits.append(avail * 1024.0)
    for max_file, cur_file in (
        ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory.current"),  # cgroup v2
        (
            "/sys/fs/cgroup/memory/memory.limit_in_bytes",
            "/sys/fs/cgroup/memory/memory.usage_in_bytes",
        ),
    ):
        cap, used = _read_int(max_file), _read_int(cur_file)
        if cap is not None and used is not None and cap < 2**60:
            limits.append(float(cap - used))
    try:
        import resource

        status = Path("/proc/self/status").read_text()
        for rlimit, key in ((resource.RLIMIT_AS, "VmSize"), (resource.RLIMIT_DATA, "VmData")):
            soft, _ = resource.getrlimit(rlimit)
            now = _meminfo_kb(key, status)
            if soft != resource.RLIM_INFINITY and now is not None:
                limits.append(float(soft - now * 1024))
    except (ImportError, OSError):
        pass
    return max(min(limits), 0.0) if limits else math.inf


def check_resources(
    world: World,
    trials: int,
    *,
    policies: int = 1,
    measurement_trials: int = 0,
    force: bool = False,
    memory_bytes: float | None = None,
    workers: int = 1,
    full_outcomes: bool = True,
    sensing_held: bool = False,
) -> ResourceEstimate:
    """Estimate a simulation and refuse it, before any work, if it would not fit.

    Parameters
    ----------
    world, trials, policies, measurement_trials, workers, full_outcomes, sensing_held
        As for :func:`estimate_resources`.
    force
        Do not refuse (``--force``); the estimate is still returned.
    memory_bytes
        Memory allowed; :func:`available_memory_bytes` by default. [B]

    Raises
    ------
    ResourceError
        The estimated memory exceeds what is allowed, or the time exceeds :data:`MAX_TIME_S`;
        the message gives the estimate, what is allowed and how many trials would fit.
    """
    est = estimate_resources(
        world, trials, policies=policies, measurement_trials=measurement_trials, workers=workers,
        full_outcomes=full_outcomes, sensing_held=sensing_held,
    )  # fmt: skip
    if force:
        return est
    allowed = available_memory_bytes() if memory_bytes is None else memory_bytes
    if est.memory_bytes > allowed:
        fit = est.trials_that_fit(allowed)
        if est.parts.get("measurement", 0.0) > 0.5 * est.fixed_bytes:
            hint, path = "fewer measurement-mode tracking trials would fit", "measurement_trials"
        elif fit >= 1:
            hint, path = f"at most {fit:,} trials fit", "trials"
        else:
            path = "threats"
            hint = (
                "not even one trial fits: a smaller raid (fewer missiles, shorter flights) or "
                "fewer radars/nations would"
            )
        msg = (
            f"this simulation needs about {_gb(est.memory_bytes)} of memory ({est.sizes()}), "
            f"more than the {_gb(allowed)} this process may use; {hint}; "
            "--force (force=True) runs it anyway"
        )
        raise ResourceError(msg, [Problem(message=msg, path=path)])
    if est.time_s > MAX_TIME_S:
        msg = (
            f"this simulation would take about {_duration(est.time_s)} ({est.sizes()}), "
            f"more than {_duration(MAX_TIME_S)}; use fewer trials or a smaller raid; "
            "--force (force=True) runs it anyway"
        )
        raise ResourceError(msg, [Problem(message=msg, path="trials")])
    return est
