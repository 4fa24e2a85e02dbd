"""The viewer's job queue: uploaded scenarios validated and run, one at a time, bounded.

Each job writes the uploaded text into a private temporary folder under its own (sanitised)
name, so that problems read ``upload.yaml:12:3`` as ``shieldwall validate upload.yaml`` would
print them, then runs it through :func:`shieldwall.io.runner.run_scenario` into the runs root.
At most ``max_jobs`` are queued or running; the rest are refused (the caller answers 429).
"""

from __future__ import annotations

import re
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shieldwall.errors import Problem, ShieldwallError
from shieldwall.io.runner import run_scenario, validate_file

__all__ = ["Job", "JobQueue", "QueueFull"]

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


class QueueFull(Exception):
    """Too many jobs queued or running."""


def safe_name(name: str) -> str:
    """A file name without folders or odd characters (``../x y.yaml`` -> ``x_y.yaml``)."""
    base = _UNSAFE.sub("_", name.replace("\\", "/").rsplit("/", 1)[-1]).strip("._") or "upload"
    return base[:100] if base.endswith((".yaml", ".yml", ".json")) else f"{base[:95]}.yaml"


@contextmanager
def _as_file(name: str, text: str) -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="shieldwall-upload-") as tmp:
        path = Path(tmp) / name
        path.write_text(text, encoding="utf-8")
        yield path


@dataclass
class Job:
    """One uploaded scenario run."""

    id: str
    name: str
    policy: str
    trials: int
    status: str = "queued"  # queued | running | done | failed
    run_id: str | None = None
    problems: list[Problem] = field(default_factory=list)
    detail: str = ""
    warning: str | None = None
    created: float = field(default_factory=time.time)

    def as_dict(self) -> dict[str, Any]:
        """JSON form (problems as their ``file:line:col: error: ...`` text)."""
        return {
            "id": self.id,
            "name": self.name,
            "policy": self.policy,
            "trials": self.trials,
            "status": self.status,
            "run_id": self.run_id,
            "detail": self.detail,
            "warning": self.warning,
            "problems": [
                {"text": str(p), "where": p.where, "message": p.message, "path": p.path}
                for p in self.problems
            ],
        }


class JobQueue:
    """Runs uploaded scenarios in one worker thread; at most ``max_jobs`` pending."""

    def __init__(self, *, root: Path, max_jobs: int) -> None:
        self.root = root
        self.max_jobs = max_jobs
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="shieldwall-job")
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()

    def validate(self, name: str, text: str) -> tuple[bool, list[Problem]]:
        """Problems of an uploaded scenario, as ``shieldwall validate`` reports them."""
        label = safe_name(name)
        with _as_file(label, text) as path:
            return validate_file(path, label=label)

    def submit(self, name: str, text: str, policy: str, trials: int, seed: int | None) -> Job:
        """Queue a run.

        Raises
        ------
        QueueFull
            ``max_jobs`` jobs are queued or running already.
        """
        with self._lock:
            active = sum(j.status in ("queued", "running") for j in self._jobs.values())
            if active >= self.max_jobs:
                raise QueueFull(f"{active} jobs are queued or running (at most {self.max_jobs})")
            job = Job(id=uuid.uuid4().hex[:12], name=safe_name(name), policy=policy, trials=trials)
            self._jobs[job.id] = job
        self._pool.submit(self._run, job, text, seed)
        return job

    def _run(self, job: Job, text: str, seed: int | None) -> None:
        job.status = "running"
        with _as_file(job.name, text) as path:
            try:
                folder, _, warning = run_scenario(
                    path,
                    policy=job.policy,
                    trials=job.trials,
                    seed=seed,
                    root=self.root,
                    extra={"command": "serve", "argv": [job.name, "--policy", job.policy]},
                )
            except ShieldwallError as exc:
                job.problems = [_relabel(p, path, job.name) for p in exc.problems]
                job.detail = str(exc.args[0]).replace(str(path), job.name) if exc.args else ""
                job.status = "failed"
                return
            except Exception as exc:  # pragma: no cover - reported, never a dead worker
                job.detail = f"internal error: {type(exc).__name__}"
                job.status = "failed"
                return
        job.run_id = folder.name
        job.warning = warning
        job.status = "done"

    def get(self, job_id: str) -> Job | None:
        """A job by id."""
        return self._jobs.get(job_id)

    def all(self) -> list[Job]:
        """Every job, newest first."""
        return sorted(self._jobs.values(), key=lambda j: -j.created)

    def wait(self, timeout_s: float = 600.0) -> None:
        """Wait until no job is queued or running (for tests and shutdown)."""
        deadline = time.monotonic() + timeout_s
        while any(j.status in ("queued", "running") for j in self._jobs.values()):
            if time.monotonic() > deadline:
                raise TimeoutError("jobs still running")
            time.sleep(0.05)


def _relabel(p: Problem, path: Path, name: str) -> Problem:
    import dataclasses

    return dataclasses.replace(p, file=name) if p.file == str(path) else p
