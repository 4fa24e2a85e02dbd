"""Benchmark: ``compare`` (4 policies x 10,000 trials) against the raid size, and the flagship CLI.

Each raid size runs in a fresh subprocess (so its peak memory, ``ru_maxrss``, is its own): the
flagship (examples/korea_japan.yaml, 10 raid geometry samples, launch jitter) with every
salvo's ``count`` scaled by the ``raid_scale`` override of :mod:`shieldwall.studies.overrides`
(the sweep's own scaling: rounded, at least 1), compared with ``studies.compare.compare`` - the
function ``shieldwall compare`` calls - with ``force=True`` (the resource guard would refuse the
largest sizes on a small machine; the guard is what is being measured against).

Printed per size: threats, wall time, CPU time (this process and its worker processes), peak
resident memory of the parent and of the largest worker (forked workers share the parent's
pages until written, so the sum is an upper bound of the peak), and the resource guard's
estimate for the run (slim outcomes, as ``compare`` checks it), and the seconds of each stage
(``Results.timings_s``: flight, sensing and reach once per sample; cueing and fusion, plan and
fight per policy; summed over samples, policies and processes). Then the fitted exponent ``b``
of ``time = a * threats**b`` (least squares in log-log), over the sizes that completed.

Baseline (skipped with ``--no-baseline``): the strongest straightforward alternative on the
same code path is the pipeline as it was before raid geometry samples were flown in one solve
and fought on the CPUs: every sample prepared one after the other in this process
(``prepare_with`` a plain ``prepare``, ``workers=1``). It is run on the flagship (36 threats)
and must give bit-identical outcomes; the ratio printed is its wall and CPU time over the new
path's.

``--flight`` times the flagship's 10 raid geometry samples flown one by one (``fly_checked`` of
each) against in one solve (``fly_geometries``), checks them identical and prints
``flight_ratio`` (CPU). ``--cli`` times the whole flagship command, ``shieldwall compare
examples/korea_japan.yaml --trials 10000 --json`` (imports, run folder and all), in a fresh
process: what a user waits for. Note: with ``PYTHONDONTWRITEBYTECODE=1`` (set in some sandboxes)
Python recompiles every module of the package on each start (~1.5 s here); the CLI is timed as
installed, after a warm-up run, with byte-code caching on.

``--million [N ...]`` (issue #10's "1,000,000 trials of the flagship in under 2 GB") runs only
the whole flagship command - ``compare``, its run record and run folder, as ``shieldwall compare
examples/korea_japan.yaml --trials N`` does - in a fresh process per run, with slim outcomes (what
the command runs) and, up to ``--million-baseline-max`` trials (default 100,000), with every
trial's full outcomes kept (``full_outcomes=True``: the path before slim outcomes, the strongest
straightforward baseline). It prints wall, CPU (this process and its workers), the peak RSS of the
parent and of the largest worker, whether every reported number and run-record table is
identical (a digest), the ratios, and at 1,000,000 trials ``million_peak_gb=<x>``.

The last line is ``raid_1000_s=<wall seconds of the 1,000-threat size>`` (``nan`` if skipped).

Usage: ``uv run python benchmarks/bench_scale.py [--sizes 36 300 1000 3000] [--trials N]
[--no-baseline] [--flight] [--cli] [--timeout S]`` or ``... --million [100000 1000000]``
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
FLAGSHIP = ROOT / "examples" / "korea_japan.yaml"
BASE_THREATS = 36  # the flagship's raid


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _one(threats: int, trials: int, baseline: bool, out_path: str | None) -> None:
    """One size, in this (fresh) process: prints one JSON line."""
    import numpy as np

    from shieldwall.pipeline import prepare, workers_for
    from shieldwall.resources import estimate_resources
    from shieldwall.scenario import load_scenario
    from shieldwall.studies.compare import DEFAULT_POLICIES
    from shieldwall.studies.overrides import overridden_world, parse_overrides

    scenario = load_scenario(FLAGSHIP)
    scale = threats / BASE_THREATS
    world, _ = overridden_world(scenario, parse_overrides({"raid_scale": scale}))
    n = len(world.raid.missile_idx)
    workers = 1 if baseline else workers_for(world, trials)
    # the guard's estimate for what is run: compare keeps slim outcomes, the baseline full ones
    est = estimate_resources(world, trials, policies=len(DEFAULT_POLICIES), workers=workers,
                             full_outcomes=baseline)  # fmt: skip
    t0, c0 = time.perf_counter(), _cpu()
    if baseline:
        # the pipeline before: each raid sample prepared alone, serially, in this process
        from shieldwall.pipeline import simulate_policies

        results = simulate_policies(
            world, list(DEFAULT_POLICIES), trials, force=True, workers=1,
            prepare_with=lambda w: prepare(w),
        )  # fmt: skip
        outcomes = {k: r.tally for k, r in results.items()}
    else:
        from shieldwall.studies.compare import compare

        comp = compare(world, trials=trials, force=True)
        outcomes = {r.name: r.results.tally for r in comp.rows}  # every trial's
        stages = _stages([r.results.timings_s for r in comp.rows])
    wall, cpu = time.perf_counter() - t0, _cpu() - c0
    if out_path:
        np.savez(out_path, **{f"{k}_{f}": getattr(o, f) for k, o in outcomes.items()
                              for f in ("leakers", "killed", "rounds_at", "expended")})  # fmt: skip
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    print(json.dumps({"threats": n, "trials": trials, "wall_s": wall, "cpu_s": cpu,
                      "rss_parent_b": own, "rss_worker_b": kids,
                      "estimate_b": est.memory_bytes, "estimate_s": est.time_s,
                      "stages_s": {} if baseline else stages}))  # fmt: skip


#: The stages of ``Results.timings_s`` that are the policy-independent (shared) work.
_SHARED = ("flight", "sensing", "reach")
#: ... and those spent per policy.
_PER_POLICY = ("cueing_and_fusion", "plan", "fight")


def _stages(timings: list[dict[str, float]]) -> dict[str, float]:
    """Seconds per stage, summed over the raid samples and (per-policy stages) the policies;
    summed over every process, so they add up to about the CPU time less start-up."""
    out = {key: timings[0].get(key, 0.0) for key in _SHARED}
    out.update({key: sum(t.get(key, 0.0) for t in timings) for key in _PER_POLICY})
    return out


def _run_one(
    threats: int, trials: int, timeout: float, *, baseline: bool = False, save: str | None = None
) -> dict[str, float] | None:
    cmd = [sys.executable, __file__, "--one", str(threats), "--trials", str(trials)]
    if baseline:
        cmd.append("--baseline-path")
    if save:
        cmd += ["--save", save]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        print(f"  {threats} threats: over the {timeout:.0f} s timeout", flush=True)
        return None
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        print(f"  {threats} threats: failed (exit {done.returncode}): {' | '.join(tail)}")
        return None
    row: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return row


def _gb(b: float) -> str:
    return f"{b / 1e9:.2f} GB"


def _fit(rows: list[dict[str, float]], key: str) -> float:
    xs = [math.log(r["threats"]) for r in rows]
    ys = [math.log(r[key]) for r in rows]
    if len(xs) < 2:
        return float("nan")
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sxx


def _same(a: str, b: str) -> bool:
    import numpy as np

    x, y = np.load(a), np.load(b)
    return set(x.files) == set(y.files) and all(np.array_equal(x[k], y[k]) for k in x.files)


def _cli(trials: int) -> None:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    exe = str(Path(sys.executable).with_name("shieldwall"))  # the installed command
    cmd = [exe, "compare", str(FLAGSHIP), "--trials", str(trials),
           "--json"]  # fmt: skip
    with tempfile.TemporaryDirectory() as where:  # the run folders go there
        walls, cpus = _time_cli(cmd, env, where)
    print(f"flagship CLI compare --trials {trials}: wall {min(walls):.2f} s (best of 2), "
          f"CPU {min(cpus):.2f} s")  # fmt: skip
    print(f"flagship_cli_s={min(walls):.2f}")


def _time_cli(cmd: list[str], env: dict[str, str], where: str) -> tuple[list[float], list[float]]:
    subprocess.run(cmd, env=env, cwd=where, capture_output=True, check=True)  # warm-up
    walls, cpus = [], []
    for _ in range(2):
        c0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        subprocess.run(cmd, env=env, cwd=where, capture_output=True, check=True)
        walls.append(time.perf_counter() - t0)
        c1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(c1.ru_utime + c1.ru_stime - c0.ru_utime - c0.ru_stime)
    return walls, cpus


def _flight() -> None:
    """The flagship's raid geometry samples flown one by one vs in one solve (identical)."""
    import numpy as np

    from shieldwall.flight.checks import fly_checked, fly_geometries
    from shieldwall.scenario import compile_world, load_scenario

    world = compile_world(load_scenario(FLAGSHIP))
    gs = range(world.n_geometries)
    fly_checked(world)  # warm: aiming calibration, kernels
    c0, t0 = _cpu(), time.perf_counter()
    alone = [fly_checked(world.geometry(g)) for g in gs]
    c1, t1 = _cpu(), time.perf_counter()
    together = fly_geometries(world, gs)
    c2, t2 = _cpu(), time.perf_counter()
    same = all(
        np.array_equal(np.asarray(getattr(a, k)), np.asarray(getattr(b, k)), equal_nan=True)
        for a, b in zip(alone, together, strict=True)
        for k in vars(a)
        if k != "dt_s"
    )
    print(f"flight of {len(gs)} samples: one by one CPU {c1 - c0:.2f} s (wall {t1 - t0:.2f} s), "
          f"together CPU {c2 - c1:.2f} s (wall {t2 - t1:.2f} s), identical: {same}; "
          f"flight_ratio={(c1 - c0) / (c2 - c1):.2f}")  # fmt: skip


def _million_one(trials: int, full: bool) -> None:
    """``shieldwall compare examples/korea_japan.yaml --trials N`` as the command runs it
    (compare, run record, run folder) in this fresh process, slim or with every trial's full
    outcomes kept: prints one JSON line (times, peak RSS, a digest of every reported number)."""
    import hashlib

    from shieldwall.io.record import record_comparison
    from shieldwall.io.runner import save_record
    from shieldwall.scenario import compile_world, load_scenario
    from shieldwall.studies.compare import compare

    t0, c0 = time.perf_counter(), _cpu()
    scenario = load_scenario(FLAGSHIP)
    world = compile_world(scenario)
    comp = compare(world, trials=trials, force=True, full_outcomes=full)
    record = record_comparison(comp, scenario=scenario)
    with tempfile.TemporaryDirectory() as where:
        save_record(record, Path(where) / "run")
    wall, cpu = time.perf_counter() - t0, _cpu() - c0
    digest = hashlib.sha256()
    doc = comp.as_dict()
    doc.pop("elapsed_s")
    digest.update(json.dumps(doc, sort_keys=True).encode())
    for name in sorted(record.names):
        digest.update(name.encode())
        for col in record.arrow(name).columns:
            for chunk in col.chunks:
                for buf in chunk.buffers():
                    if buf is not None:
                        digest.update(buf)
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    print(json.dumps({"trials": trials, "full": full, "wall_s": wall, "cpu_s": cpu,
                      "rss_parent_b": own, "rss_worker_b": kids,
                      "digest": digest.hexdigest()}))  # fmt: skip


def _million(sizes: list[int], baseline_max: int, timeout: float) -> None:
    """Slim outcomes against every trial's full outcomes kept (the path before), whole command
    in a fresh process each; the baseline only up to ``baseline_max`` trials."""

    def run(trials: int, full: bool) -> dict[str, Any] | None:
        cmd = [sys.executable, __file__, "--million-one", str(trials)] + (["--full"] * full)
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                                  check=False)  # fmt: skip
        except subprocess.TimeoutExpired:
            print(f"  {trials:,} trials: over the {timeout:.0f} s timeout", flush=True)
            return None
        if done.returncode != 0:
            tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
            print(f"  {trials:,} trials: failed (exit {done.returncode}): {' | '.join(tail)}")
            return None
        row: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
        return row

    print("flagship compare (4 policies), whole command: slim outcomes vs full outcomes kept")
    print(f"{'trials':>10} {'path':>5} {'wall':>8} {'CPU':>8} {'parent RSS':>11} "
          f"{'worker RSS':>11}")  # fmt: skip
    for trials in sizes:
        rows = {"slim": run(trials, False)}
        if trials <= baseline_max:
            rows["full"] = run(trials, True)
        for path, r in rows.items():
            if r is not None:
                print(f"{trials:>10,} {path:>5} {r['wall_s']:>7.1f}s {r['cpu_s']:>7.1f}s "
                      f"{_gb(r['rss_parent_b']):>11} {_gb(r['rss_worker_b']):>11}",
                      flush=True)  # fmt: skip
        slim, full = rows["slim"], rows.get("full")
        if slim is not None and full is not None:
            print(f"  every reported number and run-record table identical: "
                  f"{slim['digest'] == full['digest']}; peak RSS ratio (full/slim) parent "
                  f"{full['rss_parent_b'] / slim['rss_parent_b']:.2f}, worker "
                  f"{full['rss_worker_b'] / slim['rss_worker_b']:.2f}; CPU ratio "
                  f"{full['cpu_s'] / slim['cpu_s']:.2f}")  # fmt: skip
        if slim is not None:
            peak = max(slim["rss_parent_b"], slim["rss_worker_b"])
            print(f"million_peak_gb={peak / 1e9:.2f}" if trials == 1_000_000 else "", end="")
    print()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="*", default=[36, 300, 1000, 3000])
    ap.add_argument("--trials", type=int, default=10_000)
    ap.add_argument("--no-baseline", action="store_true", help="skip the old path at 36 threats")
    ap.add_argument("--cli", action="store_true", help="also the whole flagship CLI command")
    ap.add_argument("--flight", action="store_true", help="also the samples' flight alone")
    ap.add_argument("--timeout", type=float, default=900.0, help="per size [s]")
    ap.add_argument("--one", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--baseline-path", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--save", help=argparse.SUPPRESS)
    ap.add_argument("--million", type=int, nargs="*", help="slim vs full outcomes at these "
                    "trial counts (default 100000); then only this")  # fmt: skip
    ap.add_argument("--million-baseline-max", type=int, default=100_000,
                    help="largest trial count the full-outcome baseline runs at")  # fmt: skip
    ap.add_argument("--million-one", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--full", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.million_one is not None:
        _million_one(args.million_one, args.full)
        return
    if args.million is not None:
        _million(args.million or [100_000], args.million_baseline_max, args.timeout * 4)
        return
    if args.one is not None:
        _one(args.one, args.trials, args.baseline_path, args.save)
        return
    print(f"compare, 4 policies x {args.trials:,} trials, flagship salvos scaled "
          f"({os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.1f})")  # fmt: skip
    if args.flight:
        _flight()
    if args.cli:
        _cli(args.trials)
    if not args.no_baseline:
        new = _run_one(BASE_THREATS, args.trials, args.timeout, save="/tmp/bench_scale_new.npz")
        old = _run_one(BASE_THREATS, args.trials, args.timeout, baseline=True,
                       save="/tmp/bench_scale_old.npz")  # fmt: skip
        if new and old:
            same = _same("/tmp/bench_scale_new.npz", "/tmp/bench_scale_old.npz")
            print(f"baseline (samples prepared one by one, serial): wall {old['wall_s']:.2f} s, "
                  f"CPU {old['cpu_s']:.2f} s; new: wall {new['wall_s']:.2f} s, CPU "
                  f"{new['cpu_s']:.2f} s; outcomes bit-identical: {same}")  # fmt: skip
            print(f"speedup_wall={old['wall_s'] / new['wall_s']:.2f} "
                  f"cpu_ratio={old['cpu_s'] / new['cpu_s']:.2f}")  # fmt: skip
    rows = []
    print(f"{'threats':>8} {'wall':>8} {'CPU':>8} {'parent RSS':>11} {'worker RSS':>11} "
          f"{'estimate':>9}   stage seconds (all processes)")  # fmt: skip
    for size in args.sizes:
        row = _run_one(size, args.trials, args.timeout)
        if row is None:
            continue
        rows.append(row)
        print(f"{int(row['threats']):>8} {row['wall_s']:>7.1f}s {row['cpu_s']:>7.1f}s "
              f"{_gb(row['rss_parent_b']):>11} {_gb(row['rss_worker_b']):>11} "
              f"{_gb(row['estimate_b']):>9}   "
              + ", ".join(f"{k} {v:.1f}" for k, v in row["stages_s"].items()),
              flush=True)  # fmt: skip
    print(f"fitted exponent (time ~ threats^b): wall b={_fit(rows, 'wall_s'):.2f}, "
          f"CPU b={_fit(rows, 'cpu_s'):.2f}")  # fmt: skip
    near = [r for r in rows if abs(r["threats"] - 1000) <= 50]
    print(f"raid_1000_s={near[0]['wall_s']:.2f}" if near else "raid_1000_s=nan")


if __name__ == "__main__":
    main()
