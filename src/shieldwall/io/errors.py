"""Errors and names shared by the io modules (kept tiny: reading a run imports no stage)."""

from __future__ import annotations

from pathlib import Path

from shieldwall.errors import Problem, ShieldwallError

__all__ = ["RUN_FILE", "STUDY_FILE", "RunFolderError", "fail"]

#: Name of the provenance file inside a run folder.
RUN_FILE = "run.json"
#: Provenance file of a study folder (written by the study engine, docs/studies.md).
STUDY_FILE = "study.json"


class RunFolderError(ShieldwallError, OSError):
    """A run folder cannot be written or read (exists already, not a run folder, ...)."""


def fail(path: Path | str, message: str) -> RunFolderError:
    """A :class:`RunFolderError` about ``path``."""
    return RunFolderError(f"{path}: {message}", [Problem(message=message, file=str(path))])
