"""Benchmark: the flagship comparison, and the vectorized fight against the per-trial reference.

1. Runs ``compare`` on ``examples/korea_japan.yaml`` (the four preset policies × ``--trials``
   trials, full pipeline) and prints its table and wall time. Every call the pipeline makes to
   the fight engine is recorded on the way (its fight inputs, trial inputs and block draws), so
   what is timed next is exactly what the pipeline fought.
2. For every recorded call (a policy and the trial blocks it fought together): the engine
   again (the compiled kernel the pipeline runs), warm (best of 3), on all its trials; the
   engine's numpy lockstep formulation (``fight(..., compiled=False)``: every trial of the block
   at once, the previous engine) once, on all its trials; the per-trial reference
   (:func:`shieldwall.outcome.reference.fight_reference`: one trial at a time, an event queue,
   Python lists — docs/montecarlo.md §Checks) on its first ``--subsample`` trials per block of
   1,000, on the same inputs and draws. Both must agree on every
   per-trial output and on the engagement log; a disagreement stops the benchmark (no ratio).
3. The reference's time per trial counts its one-off conversion of a block's inputs as if it
   fought the whole block (``t(k) − t(0)`` over ``k`` trials, plus ``t(0)`` over the block).

The baseline is the strongest straightforward per-trial implementation we have: the reference
works on Python lists and floats converted once at entry (not numpy scalars, which are ~2x
slower in such a loop) and a :mod:`heapq` event queue. Every time is measured both as wall time
and as CPU time (:func:`time.process_time`; the machine is shared, so wall time includes waits
for the other jobs). The last line is the per-trial CPU time of the reference over that of the
engine::

    ratio_vs_loop=<x>

Timings on a shared, loaded machine vary by tens of percent between runs; the ratio less so
(both sides run in the same process, one after the other).

``--raid THREATS`` times instead the per-trial stage of one raid geometry sample of a large raid
(the flagship's salvos scaled by the ``raid_scale`` override; 4 policies x 1,000 trials, one
block): the block's draws, the fire-control times, the trial inputs, the fight's search tables
and the fight, as the pipeline runs them (``pipeline._fight_geometry``), against the
straightforward numpy path in the same process on the same inputs: one ``fire_control_times``
call per fire-control key in numpy (``compiled=False``: the quantile search and the formula
over whole arrays), the believed-target search in numpy (``believed_assets(...,
compiled=False)``, chunked over trials), the trial inputs copied on construction and the search
tables built in numpy (``engine._lookup(..., compiled=False)``). Both must give identical trial
inputs, search tables and outcomes; the last line is ``trial_stage_ratio=<old CPU / new CPU>``
(the fight kernel, the same in both, is timed once and added to both sides).

Usage: ``uv run python benchmarks/bench_montecarlo.py [--trials N] [--subsample K] [--seed S]
[--raid THREATS]``
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

import shieldwall.pipeline as pipeline
from shieldwall.battle import FightInputs, TrialInputs
from shieldwall.cli.compare import print_comparison
from shieldwall.outcome import TRIAL_BLOCK, BlockDraws, Outcomes, engine
from shieldwall.outcome.engine import fight
from shieldwall.outcome.reference import fight_reference
from shieldwall.scenario import compile_world, load_scenario
from shieldwall.studies.compare import compare

FLAGSHIP = Path(__file__).resolve().parents[1] / "examples" / "korea_japan.yaml"

#: Per-trial outputs the two implementations must share exactly.
FIELDS = (
    "flew",
    "killed",
    "leaked",
    "rounds_at",
    "expended",
    "asset_hit",
    "value_lost",
    "rounds_defending",
)


@dataclass
class Call:
    """One fight the pipeline ran: its inputs and the engine's outcomes."""

    inputs: FightInputs
    trials: TrialInputs
    draws: BlockDraws
    event_trials: int
    outcomes: Outcomes


def record_fights(calls: list[Call]) -> Any:
    """Replace the pipeline's fight with one that records every call (returns the original)."""
    original = pipeline.fight

    def recording(
        inputs: FightInputs, trials: TrialInputs, draws: BlockDraws, **kw: Any
    ) -> Outcomes:
        out = original(inputs, trials, draws, **kw)
        calls.append(Call(inputs, trials, draws, int(kw.get("event_trials", 0)), out))
        return out

    pipeline.fight = recording  # type: ignore[assignment]
    return original


def disagreement(fast: Outcomes, slow: Outcomes, k: int) -> str | None:
    """The first output on which the engine's first ``k`` trials and the reference differ."""
    for name in FIELDS:
        if not np.array_equal(getattr(fast, name)[:k], getattr(slow, name)):
            return name
    logs = []
    for out in (fast, slow):
        ev = out.events.columns()
        keep = ev["trial"] < k
        order = np.lexsort(
            (
                ev["battery_idx"][keep],
                ev["threat_idx"][keep],
                ev["launch_t_s"][keep],
                ev["trial"][keep],
            )
        )
        logs.append({name: col[keep][order] for name, col in ev.items()})
    for name in logs[0]:
        if not np.array_equal(logs[0][name], logs[1][name]):
            return f"events.{name}"
    return None


def _old_trial_inputs(fi: FightInputs, pic: Any, d: BlockDraws) -> TrialInputs:
    """The straightforward path: one picture call per fire-control key (the numpy quantile
    search and formula), the numpy believed-target search."""
    from shieldwall.battle.trial_inputs import believed_assets, failures

    out = np.empty((d.n_trials, fi.n_keys, fi.n_threats))
    for k in range(fi.n_keys):
        nat = int(fi.fc_nation_idx[k])
        got = pic.fire_control_times(nat, float(fi.fc_sigma_m[k]), d.fcq_u[nat], compiled=False)
        out[:, k] = got.T
    flies, fail_t = failures(fi, d.fly_u, d.fail_time_u)
    bel = believed_assets(fi, d.ipp_z, fi.doctrine.ipp_margin_sigma, compiled=False)
    return TrialInputs(flies=flies, fail_t_s=fail_t, fire_control_t_s=out, believed_asset_idx=bel)


def raid_stage(threats: int) -> None:
    """``--raid``: the per-trial stage of one raid sample of a large raid, new path and old."""
    from shieldwall.battle import FireControl, build_trial_inputs
    from shieldwall.outcome import block_draws
    from shieldwall.pipeline import simulate_policies
    from shieldwall.studies.compare import DEFAULT_POLICIES
    from shieldwall.studies.overrides import overridden_world, parse_overrides

    world, _ = overridden_world(
        load_scenario(FLAGSHIP), parse_overrides({"raid_scale": threats / 36})
    )
    seen: list[tuple[FightInputs, Any]] = []
    draw_args: list[tuple[Any, Any]] = []
    real_fc, real_bd = pipeline.FireControl, pipeline.block_draws

    class Recording(FireControl):
        def __init__(self, fight_inputs: FightInputs, picture: Any) -> None:
            super().__init__(fight_inputs, picture)
            seen.append((fight_inputs, picture))

    def rec_draws(*a: Any, **k: Any) -> BlockDraws:
        draw_args.append((a, k))
        return real_bd(*a, **k)

    pipeline.FireControl, pipeline.block_draws = Recording, rec_draws  # type: ignore[misc]
    try:
        t0, c0 = time.perf_counter(), time.process_time()
        res = simulate_policies(
            world, list(DEFAULT_POLICIES), 1000, workers=1, blocks=range(0, 1), force=True
        )
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        n = len(world.raid.missile_idx)
        print(
            f"one raid sample: {n} threats, 4 policies x 1,000 trials: {wall:.1f} s (CPU {cpu:.1f})"
        )
    finally:
        pipeline.FireControl, pipeline.block_draws = real_fc, real_bd  # type: ignore[misc]
    a, k = draw_args[0]
    c0 = time.process_time()
    d = block_draws(*a, **k)
    c_draws = time.process_time() - c0
    new_cpu = old_cpu = fight_cpu = lk_new = lk_old = 0.0
    for fi, pic in seen:
        c1 = time.process_time()
        ti = build_trial_inputs(fi, d, FireControl(fi, pic).times(d.fcq_u))
        c2 = time.process_time()
        old = _old_trial_inputs(fi, pic, d)
        c3 = time.process_time()
        # the fight's search tables: compiled (the pipeline's) and in numpy, both made anew
        lk = engine._lookup(fi)
        c4 = time.process_time()
        lk_np = engine._lookup(fi, compiled=False)
        c5 = time.process_time()
        for name in ("run_max", "row_base", "table_start", "table_size", "table", "depth", "succ"):
            if not np.array_equal(getattr(lk, name), getattr(lk_np, name)):
                raise SystemExit(f"search tables differ on {name} ({fi.policy}): no ratio")
        engine._LOOKUPS[fi] = lk
        c6 = time.process_time()
        got = fight(fi, ti, d, event_trials=0)
        c7 = time.process_time()
        new_cpu, old_cpu = new_cpu + c2 - c1, old_cpu + c3 - c2
        lk_new, lk_old, fight_cpu = lk_new + c4 - c3, lk_old + c5 - c4, fight_cpu + c7 - c6
        for name in ("flies", "fail_t_s", "fire_control_t_s", "believed_asset_idx"):
            if not np.array_equal(getattr(ti, name), getattr(old, name)):
                raise SystemExit(f"trial inputs differ on {name} ({fi.policy}): no ratio")
        for name in FIELDS:
            if not np.array_equal(getattr(got, name), getattr(res[fi.policy].outcomes, name)):
                raise SystemExit(f"outcomes differ from the pipeline's on {name}: no ratio")
    print(f"draws_cpu_s={c_draws:.2f}")
    print(f"trial_inputs_cpu_s={new_cpu:.2f} (numpy path {old_cpu:.2f}; 4 policies)")
    print(f"search_tables_cpu_s={lk_new:.2f} (numpy path {lk_old:.2f}; 4 policies)")
    print(f"fight_cpu_s={fight_cpu:.2f} (compiled kernel; 4 policies x 1,000 trials)")
    new = c_draws + new_cpu + lk_new + fight_cpu
    old = c_draws + old_cpu + lk_old + fight_cpu
    print(f"trial_stage_cpu_s={new:.2f} (numpy path {old:.2f})")
    print(f"trial_stage_ratio={old / new:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=10_000)
    parser.add_argument(
        "--subsample", type=int, default=20, help="reference trials per block of 1,000 trials"
    )
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--raid", type=int, default=None, help="threats: the per-trial stage")
    args = parser.parse_args()
    if args.raid:
        raid_stage(args.raid)
        return

    world = compile_world(load_scenario(FLAGSHIP))
    calls: list[Call] = []
    original = record_fights(calls)
    try:
        t0, c0 = time.perf_counter(), time.process_time()
        comparison = compare(world, trials=args.trials, seed=args.seed)
        t_compare, c_compare = time.perf_counter() - t0, time.process_time() - c0
    finally:
        pipeline.fight = original
    if not calls:
        raise SystemExit("the pipeline made no call to shieldwall.pipeline.fight: update the hook")
    print_comparison(comparison, title=f"{world.name} — phase {world.phase}")
    print(
        f"flagship_compare_s={t_compare:.2f} (CPU {c_compare:.2f}; 4 policies x {args.trials} "
        "trials, full pipeline)"
    )

    by_policy: dict[str, dict[str, float]] = {}
    for call in calls:
        fi, ti, d = call.inputs, call.trials, call.draws
        # the pipeline fights blocks that share their inputs together: as many reference trials
        # per call as blocks in it
        k = min(args.subsample * -(-ti.n_trials // TRIAL_BLOCK), ti.n_trials)
        best = best_cpu = float("inf")
        for _ in range(3):  # warm: the pipeline's call paid for first touches
            t1, c1 = time.perf_counter(), time.process_time()
            fast = fight(fi, ti, d, event_trials=call.event_trials)
            best = min(best, time.perf_counter() - t1)
            best_cpu = min(best_cpu, time.process_time() - c1)
        for name in FIELDS:
            if not np.array_equal(getattr(fast, name), getattr(call.outcomes, name)):
                raise SystemExit(f"the engine is not deterministic on {name} ({fi.policy})")
        t1, c1 = time.perf_counter(), time.process_time()
        lock = fight(fi, ti, d, event_trials=call.event_trials, compiled=False)
        t_lock, c_lock = time.perf_counter() - t1, time.process_time() - c1
        differs = disagreement(fast, lock, ti.n_trials)
        if differs is not None:
            raise SystemExit(
                f"the kernel and the numpy lockstep disagree on {differs} ({fi.policy}, block "
                f"{d.block}): no ratio"
            )
        t2, c2 = time.perf_counter(), time.process_time()
        fight_reference(fi, ti, d, n_trials=0)
        t_fixed, c_fixed = time.perf_counter() - t2, time.process_time() - c2
        counts: dict[str, int] = {}
        t3, c3 = time.perf_counter(), time.process_time()
        slow = fight_reference(
            fi, ti, d, n_trials=k, event_trials=min(k, call.event_trials), counts=counts
        )
        t_k, c_k = time.perf_counter() - t3, time.process_time() - c3
        differs = disagreement(fast, slow, k)
        if differs is not None:
            raise SystemExit(
                f"engine and reference disagree on {differs} ({fi.policy}, block "
                f"{d.block}, first {k} trials): no ratio"
            )
        acc = by_policy.setdefault(
            fi.policy,
            {
                "engine_s": 0.0,
                "engine_cpu": 0.0,
                "lock_s": 0.0,
                "lock_cpu": 0.0,
                "trials": 0,
                "ref_s": 0.0,
                "ref_cpu": 0.0,
                "ref_trials": 0,
                "opp": 0,
                "eng": 0,
            },
        )
        acc["engine_s"] += best
        acc["engine_cpu"] += best_cpu
        acc["lock_s"] += t_lock
        acc["lock_cpu"] += c_lock
        acc["trials"] += ti.n_trials
        acc["ref_s"] += (t_k - t_fixed) + t_fixed * k / ti.n_trials
        acc["ref_cpu"] += (c_k - c_fixed) + c_fixed * k / ti.n_trials
        acc["ref_trials"] += k
        acc["opp"] += counts.get("opportunities", 0)
        acc["eng"] += counts.get("engagements", 0)

    tot = {"engine": 0.0, "engine_cpu": 0.0, "lock": 0.0, "lock_cpu": 0.0}
    tot.update(ref=0.0, ref_cpu=0.0)
    for name, a in by_policy.items():
        per = {
            key: 1e6 * a[f"{src}"] / a[n]
            for key, src, n in (
                ("engine", "engine_s", "trials"),
                ("engine_cpu", "engine_cpu", "trials"),
                ("lock", "lock_s", "trials"),
                ("lock_cpu", "lock_cpu", "trials"),
                ("ref", "ref_s", "ref_trials"),
                ("ref_cpu", "ref_cpu", "ref_trials"),
            )
        }
        for key, v in per.items():
            tot[key] += v
        print(
            f"{name:>14}: engine {per['engine']:7.1f} us/trial (CPU {per['engine_cpu']:7.1f}; "
            f"{int(a['trials'])} trials), numpy lockstep {per['lock']:7.1f} (CPU "
            f"{per['lock_cpu']:7.1f}), reference {per['ref']:8.1f} (CPU {per['ref_cpu']:8.1f}; "
            f"{int(a['ref_trials'])} trials; {a['opp'] / a['ref_trials']:.0f} opportunities and "
            f"{a['eng'] / a['ref_trials']:.1f} engagements per trial), agree"
        )
    n_pol = len(by_policy)
    for key, what in (("engine", "engine"), ("lock", "numpy_lockstep"), ("ref", "reference")):
        print(
            f"fight_{what}_us_per_trial={tot[key]:.1f} (CPU {tot[key + '_cpu']:.1f}; "
            f"sum over {n_pol} policies)"
        )
    fight_s = sum(a["engine_s"] for a in by_policy.values())
    loop_s = t_compare - fight_s + tot["ref"] * 1e-6 * args.trials
    print(f"whole_compare_with_reference_fight_s={loop_s:.1f} (estimated) vs {t_compare:.1f}")
    print(
        f"ratio_vs_numpy_lockstep={tot['lock_cpu'] / tot['engine_cpu']:.1f} (CPU; wall "
        f"{tot['lock'] / tot['engine']:.1f})"
    )
    print(f"ratio_vs_loop_wall={tot['ref'] / tot['engine']:.1f}")
    print(f"ratio_vs_loop={tot['ref_cpu'] / tot['engine_cpu']:.1f}")


if __name__ == "__main__":
    main()
