"""The error hierarchy.

Every error a user can cause is a :class:`ShieldwallError`; the CLI turns it into a message and
exit code 2 (bad input) without a traceback. Errors carry zero or more :class:`Problem` records
so that one validation pass can report every mistake at once, each with where it is
(``file:line:col``), the field path, what was given and what is allowed.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "ArgumentError",
    "CatalogError",
    "Problem",
    "ScenarioError",
    "ShieldwallError",
    "TargetingError",
]


@dataclass(frozen=True, kw_only=True)
class Problem:
    """One thing wrong (or worth a warning) in user input.

    Parameters
    ----------
    message
        What is wrong, in words, including what is allowed.
    path
        Field path inside the document, e.g. ``sensors[2].site.lat_deg``; empty for the whole file.
    file
        File the problem is in, if it came from a file.
    line, col
        1-based position in ``file``; 0 when unknown.
    severity
        ``"error"`` or ``"warning"``.
    """

    message: str
    path: str = ""
    file: str = ""
    line: int = 0
    col: int = 0
    severity: str = "error"

    @property
    def where(self) -> str:
        """``file:line:col`` (as much of it as is known)."""
        if not self.file:
            return ""
        if self.line:
            return f"{self.file}:{self.line}:{self.col or 1}"
        return self.file

    def __str__(self) -> str:
        head = ": ".join(part for part in (self.where, self.severity) if part)
        field_part = f" {self.path}:" if self.path else ""
        return f"{head}:{field_part} {self.message}"


class ShieldwallError(Exception):
    """Base class for errors caused by user input; the CLI exits with code 2 on these."""

    exit_code = 2

    def __init__(self, message: str, problems: list[Problem] | None = None) -> None:
        super().__init__(message)
        self.problems: list[Problem] = list(problems or [])

    def __str__(self) -> str:
        # Not super().__str__(): for CatalogError that would be KeyError's, which quotes the text.
        head = str(self.args[0]) if self.args else ""
        if not self.problems:
            return head
        return "\n".join([head, *(f"  {p}" for p in self.problems)])


class ArgumentError(ShieldwallError, ValueError):
    """A Python API argument is invalid (wrong type, out of range, unknown name)."""


class ScenarioError(ShieldwallError, ValueError):
    """A scenario file (or dict) is not a valid scenario."""


class CatalogError(ShieldwallError, KeyError):
    """A catalog name is unknown or a catalog file is malformed."""


class TargetingError(ShieldwallError, ValueError):
    """An aim point cannot be reached by the missile (or the shape cannot be flown)."""
