"""Benchmark: the compiled fight kernel against its previous version, on a large raid.

Runs one raid geometry sample of a large raid (the flagship's salvos scaled by the
``raid_scale`` override; 4 policies x 1,000 trials, one block) through the pipeline and records
the arguments of every call to :func:`shieldwall.outcome._kernels.fight_trials` (one per
policy). Then, per policy, in the same process on those arguments: the kernel of this tree and
the kernel of ``--baseline`` (a git revision, default the last one before the per-trial setup
was reworked: a full stable sort of the rows' priorities per trial and a search of every
position's first opportunity in priority order), each warm, best of ``--reps``, alternating.
Every output array and the engagement log must be identical (else no ratio). Times are wall
and CPU (:func:`time.process_time`; the machine is shared). The last line::

    kernel_ratio=<baseline CPU / new CPU>

Usage: ``uv run python benchmarks/bench_fight_kernel.py [--threats N] [--reps R]
[--baseline REV]``
"""

from __future__ import annotations

import argparse
import importlib.util
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

import shieldwall.outcome._kernels as kernels
from shieldwall.pipeline import simulate_policies
from shieldwall.scenario import load_scenario
from shieldwall.studies.compare import DEFAULT_POLICIES
from shieldwall.studies.overrides import overridden_world, parse_overrides

ROOT = Path(__file__).resolve().parents[1]
FLAGSHIP = ROOT / "examples" / "korea_japan.yaml"
#: the kernel before this benchmark's change (per-trial mergesort of all priorities)
BASELINE = "b8fb818"
#: positions of the kernel's per-trial outputs (``out_*``) and log (``ev_*``) among its arguments
OUT_TRIALS, OUT_LOG = range(33, 37), range(37, 40)


def baseline_kernel(rev: str, folder: Path) -> Any:
    """``fight_trials`` of ``src/shieldwall/outcome/_kernels.py`` at git revision ``rev``."""
    src = subprocess.run(
        ["git", "show", f"{rev}:src/shieldwall/outcome/_kernels.py"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    path = folder / "_kernels_baseline.py"
    path.write_text(src)
    spec = importlib.util.spec_from_file_location("_kernels_baseline", path)
    assert spec is not None
    assert spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules["_kernels_baseline"] = mod
    spec.loader.exec_module(mod)
    return mod.fight_trials


def recorded_calls(threats: int) -> list[tuple[Any, ...]]:
    """The arguments of every ``fight_trials`` call of one raid sample (outputs included)."""
    world, _ = overridden_world(
        load_scenario(FLAGSHIP), parse_overrides({"raid_scale": threats / 36})
    )
    calls: list[tuple[Any, ...]] = []
    real = kernels.fight_trials

    def recording(*args: Any) -> int:
        calls.append(args)
        return int(real(*args))

    kernels.fight_trials = recording
    try:
        t0 = time.perf_counter()
        simulate_policies(
            world, list(DEFAULT_POLICIES), 1000, workers=1, blocks=range(0, 1), force=True
        )
        n = len(world.raid.missile_idx)
        print(f"one raid sample: {n} threats, {len(calls)} kernel calls, "
              f"{time.perf_counter() - t0:.1f} s")  # fmt: skip
    finally:
        kernels.fight_trials = real
    return calls


def run(kernel: Any, args: tuple[Any, ...]) -> tuple[float, float, list[Any]]:
    """One call on fresh outputs: wall and CPU seconds, the outputs (logs cut to their count)."""
    a = list(args)
    for k in (*OUT_TRIALS, *OUT_LOG):
        a[k] = np.empty_like(a[k])
    t0, c0 = time.perf_counter(), time.process_time()
    n = kernel(*a)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    return wall, cpu, [a[k] for k in OUT_TRIALS] + [a[k][:n] for k in OUT_LOG] + [np.int64(n)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--threats", type=int, default=1000)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--baseline", default=BASELINE)
    opts = ap.parse_args()
    calls = recorded_calls(opts.threats)
    with tempfile.TemporaryDirectory() as tmp:
        old = baseline_kernel(opts.baseline, Path(tmp))
        new = kernels.fight_trials
        tot = {"new": [0.0, 0.0], "old": [0.0, 0.0]}
        for p, args in enumerate(calls):
            best: dict[str, list[float]] = {}
            outs: dict[str, list[Any]] = {}
            for name, kern in (("new", new), ("old", old)):
                outs[name] = run(kern, args)[2]  # warm (compiles or loads the cache)
                best[name] = [np.inf, np.inf]
            for _ in range(opts.reps):
                for name, kern in (("new", new), ("old", old)):
                    wall, cpu, _ = run(kern, args)
                    best[name] = [min(best[name][0], wall), min(best[name][1], cpu)]
            same = all(np.array_equal(x, y) for x, y in zip(outs["new"], outs["old"], strict=True))
            if not same:
                raise SystemExit(f"policy {p}: the kernels' outputs differ: no ratio")
            for name in tot:
                tot[name][0] += best[name][0]
                tot[name][1] += best[name][1]
            print(
                f"policy {p}: new {best['new'][0]:.3f} s (CPU {best['new'][1]:.3f}), "
                f"baseline {best['old'][0]:.3f} s (CPU {best['old'][1]:.3f}), identical"
            )
    print(
        f"all policies: new {tot['new'][0]:.3f} s (CPU {tot['new'][1]:.3f}), "
        f"baseline {opts.baseline} {tot['old'][0]:.3f} s (CPU {tot['old'][1]:.3f})"
    )
    print(f"kernel_ratio={tot['old'][1] / tot['new'][1]:.3f}")


if __name__ == "__main__":
    main()
