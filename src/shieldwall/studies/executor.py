"""Where a study's tasks run: in this process, a local process pool, or a Dask cluster.

Every executor maps a function over tasks and yields ``(id, result)`` as tasks finish; the
engine puts results back in block order, so the study is bit-identical whatever ran it. Tasks
carry their compiled world (pickled to the worker) and come back as slim per-trial metrics.

- ``serial``: one task after the other here (no start-up cost; the reference).
- ``pool``: ``concurrent.futures.ProcessPoolExecutor`` over the CPUs this process may use
  (forked workers on Linux inherit the imported modules and compiled kernels).
- ``dask``: a ``distributed.LocalCluster`` started for the study, or an existing scheduler
  (``tcp://host:port``, e.g. one started with ``dask scheduler`` on a head node and
  ``dask worker tcp://host:port --nthreads 1`` on each machine; docs/studies.md §5).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import Any, Protocol

from shieldwall.errors import Problem
from shieldwall.pipeline import SimulationError

__all__ = ["EXECUTORS", "Executor", "available_workers", "make_executor"]

#: Executor names accepted by ``--executor`` (a ``tcp://`` address means Dask too).
EXECUTORS = ("serial", "pool", "dask")


def available_workers() -> int:
    """CPUs this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


class Executor(Protocol):
    """What the study engine needs of an executor."""

    workers: int

    def map(
        self, fn: Callable[[Any], Any], tasks: Sequence[Any], ids: Sequence[int]
    ) -> Iterator[tuple[int, Any]]:
        """``(id, fn(task))`` for every task, in the order they finish."""
        ...

    def describe(self) -> str:
        """Where it runs, for the run record (``pool(2)``)."""
        ...

    def close(self) -> None:
        """Release workers (cancels what has not started)."""
        ...


class Serial:
    """Tasks one after the other in this process."""

    workers = 1

    def map(
        self, fn: Callable[[Any], Any], tasks: Sequence[Any], ids: Sequence[int]
    ) -> Iterator[tuple[int, Any]]:
        for i, task in zip(ids, tasks, strict=True):
            yield i, fn(task)

    def describe(self) -> str:
        return "serial"

    def close(self) -> None:
        return None


class Pool:
    """A local process pool (started on first use)."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._pool: ProcessPoolExecutor | None = None

    def map(
        self, fn: Callable[[Any], Any], tasks: Sequence[Any], ids: Sequence[int]
    ) -> Iterator[tuple[int, Any]]:
        if not tasks:
            return
        method = "fork" if sys.platform.startswith("linux") else "spawn"
        self._pool = ProcessPoolExecutor(
            max_workers=min(self.workers, len(tasks)),
            mp_context=multiprocessing.get_context(method),
        )
        pending: dict[Future[Any], int] = {
            self._pool.submit(fn, task): i for i, task in zip(ids, tasks, strict=True)
        }
        while pending:
            finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            for fut in finished:
                yield pending.pop(fut), fut.result()

    def describe(self) -> str:
        return f"pool({self.workers})"

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


class Dask:
    """A Dask distributed client: of a LocalCluster it starts, or of a scheduler address."""

    def __init__(self, workers: int, address: str | None = None) -> None:
        try:
            from distributed import Client, LocalCluster
        except ImportError:  # pragma: no cover - the `dist` extra is not installed
            msg = "the dask executor needs dask[distributed] (pip install 'shieldwall[dist]')"
            raise SimulationError(msg, [Problem(message=msg, path="executor")]) from None
        self.address = address
        self._cluster = None
        if address is None:
            self._cluster = LocalCluster(  # type: ignore[no-untyped-call]
                n_workers=workers, threads_per_worker=1, processes=True,
                dashboard_address=None, silence_logs=logging.ERROR,
            )  # fmt: skip
            self._client = Client(self._cluster)  # type: ignore[no-untyped-call]
        else:
            try:
                self._client = Client(address, timeout=10)  # type: ignore[no-untyped-call]
            except (OSError, TimeoutError) as err:
                msg = f"cannot reach the Dask scheduler at {address}: {err}"
                raise SimulationError(msg, [Problem(message=msg, path="scheduler")]) from None
        n = len(self._client.scheduler_info().get("workers", {}))
        self.workers = max(1, n if address is not None else workers)

    def map(
        self, fn: Callable[[Any], Any], tasks: Sequence[Any], ids: Sequence[int]
    ) -> Iterator[tuple[int, Any]]:
        from distributed import as_completed

        if not tasks:
            return
        futures = self._client.map(fn, list(tasks), pure=False)
        index = {f.key: i for f, i in zip(futures, ids, strict=True)}
        for fut in as_completed(futures):  # type: ignore[no-untyped-call]
            yield index[fut.key], fut.result()

    def describe(self) -> str:
        return f"dask({self.address or f'local, {self.workers} workers'})"

    def close(self) -> None:
        self._client.close()  # type: ignore[no-untyped-call]
        if self._cluster is not None:
            self._cluster.close()


def make_executor(spec: Executor | str, workers: int | None = None) -> Executor:
    """An executor from a name (:data:`EXECUTORS`), a ``tcp://`` scheduler address, or as is.

    Raises
    ------
    SimulationError
        Unknown name, workers not a whole number >= 1, unreachable scheduler.
    """
    if not isinstance(spec, str):
        return spec
    n = available_workers() if workers is None else workers
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        msg = f"workers must be a whole number >= 1, got {workers!r}"
        raise SimulationError(msg, [Problem(message=msg, path="workers")])
    if spec == "serial":
        return Serial()
    if spec == "pool":
        return Pool(n)
    if spec == "dask":
        return Dask(n)
    if spec.startswith(("tcp://", "tls://", "inproc://")):
        return Dask(n, address=spec)
    msg = f"unknown executor {spec!r}; valid: {', '.join(EXECUTORS)} or tcp://host:port"
    raise SimulationError(msg, [Problem(message=msg, path="executor")])
