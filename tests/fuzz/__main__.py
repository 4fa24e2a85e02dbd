"""The fuzz run: ``uv run python -m tests.fuzz --cases 10000`` prints the outcome table.

Cases (:mod:`tests.fuzz.generator`) are run by worker processes, each case in-process in its
worker (:func:`tests.fuzz.oracle.run_case`) under a time budget and a memory limit
(``RLIMIT_AS``: the worker's size + ``--memory-gb``); a worker that dies or hangs past twice the
budget is replaced and its case counted as ``process crashed or killed``.

Other uses::

    python -m tests.fuzz --show 1234     # the mutations and the YAML of case 1234
    python -m tests.fuzz --one 1234      # run case 1234 here, print its outcome and output
    python -m tests.fuzz --cases 10000 --log fuzz.jsonl   # each result appended as it ends;
                                         # rerun the same command to go on where it stopped
"""

from __future__ import annotations

import argparse
import collections
import json
import re
import sys
import tempfile
import time
from pathlib import Path

from tests.fuzz.generator import CI_SEED, EXAMPLES, ci_bases, generate
from tests.fuzz.oracle import FAILURES, OUTCOMES, Result, run_case
from tests.fuzz.pool import CRASHED, HARNESS, Pool


def table(results: list[Result]) -> str:
    """The outcome table (markdown), failures in bold, then each failure's distinct details."""
    counts = collections.Counter(r.outcome for r in results)
    rows = [*(name for name, _ in OUTCOMES), CRASHED, HARNESS]
    lines = ["| outcome | cases |", "|---|---|"]
    for name in rows:
        failed = name in FAILURES or name in (CRASHED, HARNESS)
        label = f"**{name}**" if failed and counts[name] else name
        lines.append(f"| {label} | {counts[name]:,} |")
    lines.append(f"| total | {len(results):,} |")
    failures = [r for r in results if r.failed or r.outcome in (CRASHED, HARNESS)]
    if failures:
        lines += ["", "Failures (distinct details, with one case each):"]
        by_detail: dict[tuple[str, str], list[int]] = collections.defaultdict(list)
        for r in failures:  # numbers and quoted names vary between cases of one failure
            shape = re.sub(r"'[^']*'", "'…'", re.sub(r"\d[\d,.]*", "#", r.detail))[:150]
            by_detail[(r.outcome, shape)].append(r.index)
        for (outcome, detail), idx in sorted(by_detail.items(), key=lambda kv: -len(kv[1])):
            lines.append(f"- {outcome}: {detail} — {len(idx)} case(s), e.g. {idx[0]}")
    return "\n".join(lines)


def _logged(log: Path | None, mode: dict[str, object], wanted: set[int]) -> dict[int, Result]:
    """The results of ``wanted`` cases already in the JSON-lines ``log`` for this ``mode``."""
    if log is None or not log.is_file():
        return {}
    done: dict[int, Result] = {}
    for line in log.read_text(encoding="utf-8").splitlines():
        try:
            row = json.loads(line)
        except ValueError:  # a line cut short by a kill
            continue
        if all(row.get(k) == v for k, v in mode.items()) and row.get("index") in wanted:
            done[row["index"]] = Result(row["index"], row["outcome"], row["detail"], row["seconds"])
    return done


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.fuzz", description=__doc__)
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--start", type=int, default=0, help="first case index")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--budget-s", type=float, default=60.0, help="per command")
    parser.add_argument("--memory-gb", type=float, default=4.0, help="per worker; 0: none")
    parser.add_argument("--light", action="store_true", help="no 10,000-missile raids etc.")
    parser.add_argument(
        "--ci", action="store_true", help="the cases of ./dev test (seed, bases, --light)"
    )
    parser.add_argument("--show", type=int, help="print one case and exit")
    parser.add_argument("--one", type=int, help="run one case here and print it")
    parser.add_argument("--json", type=Path, help="write every result to this file")
    parser.add_argument(
        "--log",
        type=Path,
        help="append each result to this JSON-lines file as it ends; cases already in it"
        " (same seed and mode) are not run again, and the table covers them",
    )
    args = parser.parse_args(argv)
    if args.ci:
        args.seed, args.light = CI_SEED, True
    heavy = not args.light
    bases = ci_bases() if args.ci else EXAMPLES
    if args.show is not None:
        case = generate(args.show, args.seed, heavy=heavy, bases=bases)
        print(case.describe())
        print(f"file name: {case.file_name!r}; run args: {list(case.run_args)}")
        print(case.text)
        return 0
    if args.one is not None:
        case = generate(args.one, args.seed, heavy=heavy, bases=bases)
        with tempfile.TemporaryDirectory() as tmp:
            result = run_case(case, Path(tmp), args.budget_s)
        print(case.describe())
        print(f"{result.outcome}: {result.detail} ({result.seconds:.1f} s)")
        return 1 if result.failed else 0
    indices = list(range(args.start, args.start + args.cases))
    mode = {"seed": args.seed, "heavy": heavy, "ci": args.ci, "budget_s": args.budget_s}
    done = _logged(args.log, mode, set(indices))
    indices = [i for i in indices if i not in done]
    t0 = time.monotonic()

    def report(result: Result, n: int) -> None:
        if args.log is not None:
            with args.log.open("a", encoding="utf-8") as f:
                f.write(json.dumps({**mode, **result.__dict__}) + "\n")
        if n % 100 == 0 or result.failed:
            mark = (
                f"  FAIL {result.index}: {result.outcome}: {result.detail}" if result.failed else ""
            )
            print(f"[{n}/{len(indices)} {time.monotonic() - t0:.0f} s]{mark}", file=sys.stderr)

    with tempfile.TemporaryDirectory(prefix="shieldwall-fuzz-") as workdir:
        pool = Pool(
            args.jobs,
            (workdir, args.seed, heavy, bases, args.budget_s, args.memory_gb),
            args.budget_s,
        )
        results = pool.run(indices, report) if indices else []
    results = sorted([*done.values(), *results], key=lambda r: r.index)
    if args.json:
        args.json.write_text(json.dumps([r.__dict__ for r in results], indent=1))
    command = (
        f"uv run python -m tests.fuzz --cases {args.cases} --start {args.start} --seed {args.seed}"
        f" --jobs {args.jobs} --budget-s {args.budget_s:g} --memory-gb {args.memory_gb:g}"
        + (" --ci" if args.ci else " --light" if args.light else "")
    )
    print(f"{command}  ({time.monotonic() - t0:.0f} s)\n")
    print(table(results))
    return 1 if any(r.failed or r.outcome in (CRASHED, HARNESS) for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
