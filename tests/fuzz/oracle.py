"""Run one fuzz case through the command line, in this process, and classify what happened.

``validate FILE``, then (when it accepts the file) ``run FILE --trials 20``, then (when the run
succeeded) the case's other scenario command — ``compare FILE --trials 20`` on even case numbers,
``detect FILE`` on odd ones (:func:`other_command`), with the case's ``--phase``/``--policy`` —
each through :func:`shieldwall.cli.main.main` with stdout/stderr captured, under a wall-clock
budget (``SIGALRM``) and, where the platform allows, a memory budget (``RLIMIT_AS``). The outcome
is one row of the table of issue #15; rows marked ``failure`` break the promise (a traceback, no
location, over budget, validate accepting what a command then refuses, files left behind).
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import resource
import shutil
import signal
import tempfile
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from tests.fuzz.generator import Case

#: Trials of the ``run`` step (the issue's fuzz used 20).
RUN_TRIALS = 20
#: Files the run index (DuckDB, beside a run folder) may add next to a successful run.
_INDEX_FILES = ("index.duckdb", "index.duckdb.lock", "index.duckdb.wal")

#: (outcome, is a failure), in table order.
OUTCOMES: tuple[tuple[str, bool], ...] = (
    ("validate: exit 2 with file:line:col", False),
    ("validate: exit 2 with a field path", False),
    ("validate: exit 2 with the file name only", False),
    ("validate: exit 2 without a location", True),
    ("validate: traceback", True),
    ("validate: over budget", True),
    ("validate ok, run ok", False),
    ("validate ok, run refused by the resource guard", False),
    ("validate ok, run refused its own bad --phase/--policy", False),
    ("validate ok, run exit 2 with a location", True),
    ("validate ok, run exit 2 without a location", True),
    ("validate ok, run traceback", True),
    ("validate ok, run over budget", True),
    ("validate ok, run left files behind", True),
    ("validate ok, run ok, compare/detect refused by the resource guard", False),
    ("validate ok, run ok, compare/detect exit 2", True),
    ("validate ok, run ok, compare/detect traceback", True),
    ("validate ok, run ok, compare/detect over budget", True),
    ("validate ok, run ok, compare/detect left files behind", True),
)
FAILURES = frozenset(name for name, failed in OUTCOMES if failed)


@dataclass(frozen=True)
class Result:
    """What one case did."""

    index: int
    outcome: str
    detail: str
    seconds: float

    @property
    def failed(self) -> bool:
        return self.outcome in FAILURES


class _OverTime(BaseException):
    """Raised by SIGALRM in the case's thread: the command ran past its budget."""


@contextlib.contextmanager
def _time_budget(seconds: float) -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield  # signals reach the main thread only: measured afterwards instead
        return

    def expire(signum: int, frame: object) -> None:
        raise _OverTime

    old = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def _vm_bytes() -> int | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


@contextlib.contextmanager
def memory_budget(extra_bytes: float | None) -> Iterator[None]:
    """Lower ``RLIMIT_AS`` to the current size + ``extra_bytes`` while inside (Linux)."""
    vm = _vm_bytes()
    if extra_bytes is None or vm is None:
        yield
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = int(vm + extra_bytes)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


@dataclass(frozen=True)
class Call:
    code: int | None  # None: an exception escaped main()
    out: str
    err: str
    exception: str = ""
    over_budget: bool = False


def call(argv: list[str], budget_s: float) -> Call:
    """``main(argv)`` with output captured, under the time budget."""
    from shieldwall.cli.main import main

    out, err = io.StringIO(), io.StringIO()
    t0 = time.perf_counter()
    try:
        with (
            contextlib.redirect_stdout(out),
            contextlib.redirect_stderr(err),
            _time_budget(budget_s),
        ):
            code = main(argv)
    except _OverTime:
        return Call(None, out.getvalue(), err.getvalue(), "over time", over_budget=True)
    except MemoryError:
        return Call(None, out.getvalue(), err.getvalue(), "MemoryError", over_budget=True)
    except BaseException as exc:  # a traceback: what the fuzz is looking for
        frames = traceback.extract_tb(exc.__traceback__)
        ours = [f for f in frames if "shieldwall" in f.filename] or frames
        where = f"{Path(ours[-1].filename).name}:{ours[-1].lineno}" if ours else "?"
        return Call(None, out.getvalue(), err.getvalue(), f"{type(exc).__name__} at {where}")
    text = out.getvalue() + err.getvalue()
    if time.perf_counter() - t0 > budget_s:
        return Call(code, out.getvalue(), err.getvalue(), "over time", over_budget=True)
    if code == 1 and "out of memory" in text:
        return Call(code, out.getvalue(), err.getvalue(), "MemoryError", over_budget=True)
    return Call(code, out.getvalue(), err.getvalue())


def _location(file: str, err: str) -> str:
    """``line``: file:line:col; ``path``: a field path; ``file``: the file name only; ``""``."""
    f = re.escape(file)
    if re.search(rf"(?m)^{f}:\d+:\d+: error", err):
        return "line"
    if re.search(r"(?m)^(?:.*: )?error: [^\s:][^:]*: ", err):
        return "path"
    if re.search(rf"(?m)^{f}: error", err) or file in err:
        return "file"
    return ""


def _first_error(text: str) -> str:
    for line in text.splitlines():
        if "error" in line or "Error" in line:
            return line.strip()[:200]
    return text.strip().splitlines()[0][:200] if text.strip() else ""


def _leftovers(parent: Path, keep: set[str]) -> list[str]:
    return sorted(p.name for p in parent.iterdir() if p.name not in keep)


def run_case(case: Case, workdir: Path, budget_s: float = 60.0) -> Result:
    """Validate the case's file, then run it if it validated; classify the outcome."""
    t0 = time.perf_counter()
    folder = Path(tempfile.mkdtemp(prefix="case-", dir=workdir))
    try:
        return _run(case, folder, budget_s, t0)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _run(case: Case, folder: Path, budget_s: float, t0: float) -> Result:
    path = folder / case.file_name
    try:
        data = case.text.encode("utf-8", errors="surrogatepass")  # lone surrogates: not UTF-8
        path.write_bytes(data)
    except OSError:  # e.g. a name longer than the file system allows: validate must say so
        pass

    def done(outcome: str, detail: str = "") -> Result:
        return Result(case.index, outcome, detail, time.perf_counter() - t0)

    v = call(["validate", str(path)], budget_s)
    if v.over_budget:
        return done("validate: over budget", v.exception)
    if v.code is None or v.code not in (0, 2) or "Traceback" in v.err:
        return done("validate: traceback", v.exception or f"exit {v.code}: {_first_error(v.err)}")
    if v.code == 2:
        where = _location(str(path), v.err)
        row = {
            "line": "validate: exit 2 with file:line:col",
            "path": "validate: exit 2 with a field path",
            "file": "validate: exit 2 with the file name only",
            "": "validate: exit 2 without a location",
        }[where]
        return done(row, _first_error(v.err))
    before = set(os.listdir(folder))
    out_dir = folder / "run-out"
    r = call(
        ["run", str(path), "--trials", str(RUN_TRIALS), "--out", str(out_dir), *case.run_args],
        budget_s,
    )
    if r.over_budget:
        return done("validate ok, run over budget", r.exception)
    if r.code is None or r.code not in (0, 2) or "Traceback" in r.err:
        return done(
            "validate ok, run traceback", r.exception or f"exit {r.code}: {_first_error(r.err)}"
        )
    made = {"run-out", *_INDEX_FILES} if r.code == 0 else set()  # a run and the run index
    left = _leftovers(folder, before | made)
    if left:
        return done("validate ok, run left files behind", ", ".join(left))
    if r.code == 2:
        if "this process may use" in r.err or "would take about" in r.err:
            return done("validate ok, run refused by the resource guard", _first_error(r.err))
        if _bad_cli_args(case, r.err):
            return done(
                "validate ok, run refused its own bad --phase/--policy", _first_error(r.err)
            )
        where = _location(str(path), r.err)
        row = (
            "validate ok, run exit 2 with a location"
            if where
            else "validate ok, run exit 2 without a location"
        )
        return done(row, _first_error(r.err))
    from shieldwall.io.run_folder import read_run

    try:
        read_run(out_dir)
    except Exception as exc:
        return done("validate ok, run left files behind", f"run folder unreadable: {exc}")
    return _other(case, path, folder, budget_s, done)


def other_command(case: Case, path: Path, out_dir: Path) -> list[str]:
    """The scenario command a case runs after a successful ``run``: ``compare`` (even case
    numbers; the case's ``--policy`` becomes ``--policies``) or ``detect`` (odd ones)."""
    opts = dict(zip(case.run_args[::2], case.run_args[1::2], strict=False))
    phase = ["--phase", opts["--phase"]] if "--phase" in opts else []
    if case.index % 2 == 0:
        policies = ["--policies", opts["--policy"]] if "--policy" in opts else []
        trials = ["--trials", str(RUN_TRIALS)]
        return ["compare", str(path), *trials, "--out", str(out_dir), *phase, *policies]
    policy = ["--policy", opts["--policy"]] if "--policy" in opts else []
    return ["detect", str(path), *phase, *policy]


def _other(
    case: Case, path: Path, folder: Path, budget_s: float, done: Callable[..., Result]
) -> Result:
    before = set(os.listdir(folder))
    out_dir = folder / "other-out"
    argv = other_command(case, path, out_dir)
    c = call(argv, budget_s)
    name = argv[0]
    if c.over_budget:
        return done("validate ok, run ok, compare/detect over budget", f"{name}: {c.exception}")
    if c.code is None or c.code not in (0, 2) or "Traceback" in c.err:
        detail = c.exception or f"exit {c.code}: {_first_error(c.err)}"
        return done("validate ok, run ok, compare/detect traceback", f"{name}: {detail}")
    made = {"other-out", *_INDEX_FILES} if c.code == 0 else set()
    left = _leftovers(folder, before | made)
    if left:
        return done("validate ok, run ok, compare/detect left files behind", ", ".join(left))
    if c.code == 2:
        detail = f"{name}: {_first_error(c.err)}"
        if "this process may use" in c.err or "would take about" in c.err:
            return done("validate ok, run ok, compare/detect refused by the resource guard", detail)
        return done("validate ok, run ok, compare/detect exit 2", detail)
    return done("validate ok, run ok")


def _bad_cli_args(case: Case, err: str) -> bool:
    """The run refused a ``--phase``/``--policy`` of the case that the scenario lacks (that is
    the run's own argument check, not the scenario validating and then failing)."""
    if not case.run_args:
        return False
    return bool(re.search(r"unknown phase|unknown policy|valid policies|phases are", err))
