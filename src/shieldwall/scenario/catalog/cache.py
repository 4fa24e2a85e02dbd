"""A cache of the validated shipped catalog, so that quick commands skip YAML and pydantic.

The shipped catalog files are package data, validated in full by
:mod:`shieldwall.scenario.catalog.loader` (and the test-suite). The first full load writes the
validated entries as JSON to ``$XDG_CACHE_HOME/shieldwall`` (default ``~/.cache/shieldwall``);
later loads read them back without importing ruamel.yaml or pydantic. The key is the sha256 of
the package version, of the names and texts of the files and of the source of the validating
modules, so editing a catalog file or a check, or upgrading shieldwall, starts a new cache file.
Writes are atomic (temporary file and :func:`os.replace`); a cache directory that cannot be
written, or a cache file that cannot be read or does not hold a valid catalog, is skipped
silently and the files are validated as usual. User catalog files never go through the cache.

Entries are rebuilt with the :class:`~shieldwall.scenario.catalog.model.CatalogEntry` and
:class:`~shieldwall.scenario.catalog.model.Param` constructors, the same ones the loader uses.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from collections.abc import Iterable, Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from shieldwall.scenario.catalog.keys import KINDS
from shieldwall.scenario.catalog.model import CatalogEntry, Param

__all__ = ["cache_dir", "cache_key", "code_texts", "read_cache", "write_cache"]

#: Bumped when the JSON layout changes.
_FORMAT = 1


def cache_dir() -> Path:
    """``$XDG_CACHE_HOME/shieldwall``, or ``~/.cache/shieldwall`` when that is unset."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "shieldwall"


#: Modules whose code decides what a valid entry is: their source is part of the key, so that a
#: changed check (e.g. a tighter allowed range in ``keys.py``) re-validates the shipped files
#: even while the version string stays the same (development installs).
_CODE = ("keys.py", "loader.py", "model.py", "cache.py")


def code_texts() -> dict[str, str] | None:
    """Source texts of the modules that validate catalog entries, or None if unreadable."""
    base = resources.files("shieldwall.scenario.catalog")
    try:
        return {f"code/{name}": base.joinpath(name).read_text("utf-8") for name in _CODE}
    except (OSError, UnicodeDecodeError):
        return None


def cache_key(texts: Mapping[str, str], version: str) -> str:
    """sha256 (hex) of the cache format, the package version and each file's name and text."""
    digest = hashlib.sha256(f"shieldwall-catalog/{_FORMAT}/{version}".encode())
    for name in sorted(texts):
        for part in (name, texts[name]):
            data = part.encode("utf-8")
            digest.update(len(data).to_bytes(8, "little"))
            digest.update(data)
    return digest.hexdigest()


_KEY_CHARS = 40
_HEX = frozenset("0123456789abcdef")


def _path(key: str, label: str, directory: Path | None) -> Path:
    return (directory or cache_dir()) / f"{label}-{key[:_KEY_CHARS]}.json"


def _remove_older(target: Path, label: str) -> None:
    # Other cache files of the same label are from earlier texts or code: remove them.
    for old in target.parent.glob(f"{label}-*.json"):
        digest = old.name[len(label) + 1 : -len(".json")]
        if old != target and len(digest) == _KEY_CHARS and all(c in _HEX for c in digest):
            with contextlib.suppress(OSError):
                old.unlink()


def _param_to_json(param: Param) -> dict[str, Any]:
    return {
        "value": param.value,
        "source": param.source,
        "confidence": param.confidence,
        "range": None if param.range is None else list(param.range),
        "note": param.note,
        "url": param.url,
        "see": [list(pair) for pair in param.see],
    }


def _entry_to_json(entry: CatalogEntry) -> dict[str, Any]:
    return {
        "name": entry.name,
        "kind": entry.kind,
        "aliases": list(entry.aliases),
        "description": entry.description,
        "params": {key: _param_to_json(p) for key, p in entry.params.items()},
    }


def _str(x: object) -> str:
    if not isinstance(x, str):
        raise TypeError("not a string")
    return x


def _param_from_json(d: Mapping[str, Any]) -> Param:
    value = d["value"]
    if not isinstance(value, bool | float | str):
        raise TypeError("bad value")
    rng = d["range"]
    confidence = d["confidence"]
    if confidence not in ("high", "medium", "low", "assumption"):
        raise ValueError("bad confidence")
    return Param(
        value=value,
        source=_str(d["source"]),
        confidence=confidence,
        range=None if rng is None else (float(rng[0]), float(rng[1])),
        note=_str(d["note"]),
        url=_str(d["url"]),
        see=tuple((_str(text), _str(url)) for text, url in d["see"]),
    )


def _entry_from_json(d: Mapping[str, Any]) -> CatalogEntry:
    kind = d["kind"]
    if kind not in KINDS:
        raise ValueError("bad kind")
    return CatalogEntry(
        name=_str(d["name"]),
        kind=kind,
        aliases=tuple(_str(a) for a in d["aliases"]),
        description=_str(d["description"]),
        params={_str(k): _param_from_json(p) for k, p in d["params"].items()},
    )


def read_cache(
    key: str, *, label: str = "catalog", directory: Path | None = None
) -> list[CatalogEntry] | None:
    """The entries cached under ``key``, or None if there are none or they cannot be read.

    Parameters
    ----------
    key
        From :func:`cache_key`.
    label
        What is cached (file name prefix), e.g. ``"catalog-missiles"``.
    directory
        Cache directory (default :func:`cache_dir`).
    """
    try:
        with open(_path(key, label, directory), encoding="utf-8") as f:
            doc = json.load(f)
        if doc["key"] != key:
            return None
        return [_entry_from_json(d) for d in doc["entries"]]
    except (OSError, ValueError, TypeError, KeyError, IndexError, AttributeError):
        return None


def write_cache(
    key: str,
    entries: Iterable[CatalogEntry],
    *,
    label: str = "catalog",
    directory: Path | None = None,
) -> bool:
    """Store validated ``entries`` under ``key`` atomically; False (silently) if impossible.

    Parameters
    ----------
    key
        From :func:`cache_key`.
    entries
        Entries validated by the loader.
    label
        What is cached (file name prefix); other files of the same label (earlier texts or
        code) are removed once this one is written.
    directory
        Cache directory (default :func:`cache_dir`).
    """
    target = _path(key, label, directory)
    doc: dict[str, Any] = {"key": key, "entries": [_entry_to_json(e) for e in entries]}
    tmp: str | None = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".catalog-", suffix=".tmp", dir=target.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(doc, f, ensure_ascii=False, allow_nan=False)
        os.replace(tmp, target)
        _remove_older(target, label)
        return True
    except (OSError, ValueError):
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        return False
