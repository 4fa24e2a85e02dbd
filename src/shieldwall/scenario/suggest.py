"""Did-you-mean suggestions for unknown names, fields and ids."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

__all__ = ["close_matches", "did_you_mean", "list_allowed"]

#: difflib similarity below which a name is not offered as a suggestion.
CUTOFF = 0.6


def close_matches(word: str, choices: Iterable[str], n: int = 3) -> list[str]:
    """Up to ``n`` choices close to ``word`` (case-insensitive), best first."""
    pool = list(dict.fromkeys(choices))
    folded = {c.casefold(): c for c in pool}
    hits = difflib.get_close_matches(word.casefold(), list(folded), n=n, cutoff=CUTOFF)
    return [folded[h] for h in hits]


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """``"; did you mean 'x'?"`` (or ``'x' or 'y'``), or ``""`` when nothing is close."""
    hits = close_matches(word, choices)
    if not hits:
        return ""
    return "; did you mean " + " or ".join(repr(h) for h in hits) + "?"


def list_allowed(choices: Iterable[str], limit: int = 25) -> str:
    """Comma-separated choices (truncated after ``limit``)."""
    pool = list(dict.fromkeys(choices))
    if not pool:
        return "(none defined)"
    text = ", ".join(pool[:limit])
    return text + (f", ... ({len(pool) - limit} more)" if len(pool) > limit else "")
