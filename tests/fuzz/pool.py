"""Worker processes for the fuzz run: each runs cases in-process under a memory limit; a worker
that dies or hangs is replaced and its case counted as crashed."""

from __future__ import annotations

import collections
import multiprocessing as mp
import multiprocessing.connection as mpc
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.fuzz.generator import generate
from tests.fuzz.oracle import Result, memory_budget, run_case

CRASHED = "process crashed or killed"
HARNESS = "fuzz harness error"
RESTART_EVERY = 400  # cases per worker before a fresh one (bounds memory creep)


def worker(
    conn: Any,
    workdir: str,
    seed: int,
    heavy: bool,
    bases: tuple[Path, ...],
    budget_s: float,
    gb: float,
) -> None:
    from shieldwall.cli.main import _register

    _register(None)  # import every command before the memory limit
    with memory_budget(gb * 1e9 if gb > 0 else None):
        while True:
            index = conn.recv()
            if index is None:
                return
            try:
                case = generate(index, seed, heavy=heavy, bases=bases)
                result = run_case(case, Path(workdir), budget_s)
            except Exception as exc:  # a bug of the harness, not of shieldwall: say so
                result = Result(index, HARNESS, f"{type(exc).__name__}: {exc}"[:200], 0.0)
            conn.send(result)


class Pool:
    def __init__(self, jobs: int, args: tuple[Any, ...], budget_s: float) -> None:
        self.ctx = mp.get_context("spawn")
        self.args = args
        self.kill_after_s = 2 * budget_s + 60
        self.slots: list[dict[str, Any]] = [self._spawn() for _ in range(jobs)]

    def _spawn(self) -> dict[str, Any]:
        parent, child = self.ctx.Pipe()
        proc = self.ctx.Process(target=worker, args=(child, *self.args), daemon=True)
        proc.start()
        child.close()
        return {"proc": proc, "conn": parent, "case": None, "since": 0.0, "done": 0}

    def _replace(self, k: int) -> None:
        slot = self.slots[k]
        if slot["proc"].is_alive():
            slot["proc"].kill()
        slot["proc"].join(5)
        slot["conn"].close()
        self.slots[k] = self._spawn()

    def run(self, indices: list[int], report: Callable[[Result, int], None]) -> list[Result]:
        todo = collections.deque(indices)
        results: list[Result] = []
        crashes = 0

        def feed(k: int) -> None:
            slot = self.slots[k]
            if slot["done"] >= RESTART_EVERY:
                slot["conn"].send(None)
                self._replace(k)
                slot = self.slots[k]
            if todo:
                slot["case"] = todo.popleft()
                slot["since"] = time.monotonic()
                slot["conn"].send(slot["case"])
            else:
                slot["case"] = None

        for k in range(len(self.slots)):
            feed(k)
        while any(s["case"] is not None for s in self.slots):
            busy = {s["conn"]: k for k, s in enumerate(self.slots) if s["case"] is not None}
            for conn in mpc.wait(list(busy), timeout=5.0):
                k = busy[conn]
                slot = self.slots[k]
                try:
                    result = conn.recv()
                except (EOFError, OSError):
                    result = Result(slot["case"], CRASHED, "worker died", 0.0)
                    self._replace(k)
                    crashes += 1
                    if crashes >= 20 and crashes == len(results) + 1:
                        raise RuntimeError(
                            "every worker dies at once: see its stderr above"
                        ) from None
                else:
                    self.slots[k]["done"] += 1
                results.append(result)
                report(result, len(results))
                feed(k)
            now = time.monotonic()
            for k, slot in enumerate(self.slots):
                if slot["case"] is not None and now - slot["since"] > self.kill_after_s:
                    result = Result(slot["case"], CRASHED, "hung past twice the budget", 0.0)
                    self._replace(k)
                    results.append(result)
                    report(result, len(results))
                    feed(k)
        for slot in self.slots:
            slot["conn"].send(None)
            slot["proc"].join(10)
        return results
