"""A disk cache of flyout tables, like the catalog's: one small ``.npy`` per parameter set.

Tabulating a type (:func:`shieldwall.flight.interceptor.flyout_table`) integrates a fan of 80
trajectories, 0.2–1.6 s each; the flagship's 10 types cost about 1.2 s at every start. The table
depends only on the type's parameters and on the code that integrates it, so it is written to
``$XDG_CACHE_HOME/shieldwall`` (the catalog cache's directory) under the sha256 of the package
version, the parameters and the source of the modules that compute it; a changed model or
parameter gives a new file. Writes are atomic; an unreadable, unwritable or malformed cache is
skipped silently and the table is computed as usual. Loaded tables are bit-identical to
computed ones (``.npy`` stores the float64 values exactly).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from importlib import resources
from pathlib import Path

import numpy as np

from shieldwall._types import F64

__all__ = ["flyout_key", "read_flyout", "write_flyout"]

#: Bumped when the file layout changes.
_FORMAT = 1
#: Modules whose code decides a table's values.
_CODE = (
    ("shieldwall.flight", "interceptor.py"),
    ("shieldwall.earth", "atmosphere.py"),
    ("shieldwall.earth", "constants.py"),
)


def flyout_key(params: tuple[object, ...]) -> str | None:
    """sha256 (hex) of the format, version, parameters and code; None if code is unreadable."""
    from shieldwall import __version__

    digest = hashlib.sha256(f"shieldwall-flyout/{_FORMAT}/{__version__}/{params!r}".encode())
    try:
        for package, name in _CODE:
            digest.update(resources.files(package).joinpath(name).read_bytes())
    except OSError:
        return None
    return digest.hexdigest()


def _path(key: str, directory: Path | None) -> Path:
    if directory is None:
        from shieldwall.scenario.catalog.cache import cache_dir

        directory = cache_dir()
    return directory / f"flyout-{key[:40]}.npy"


def read_flyout(key: str, shape: tuple[int, int], directory: Path | None = None) -> F64 | None:
    """The cached ``tau_s`` table, or None if there is none of that shape or it is unreadable."""
    try:
        tau = np.load(_path(key, directory), allow_pickle=False)
    except (OSError, ValueError, EOFError):
        return None
    if tau.shape != shape or tau.dtype != np.float64:
        return None
    out: F64 = tau
    return out


def write_flyout(key: str, tau_s: F64, directory: Path | None = None) -> bool:
    """Store ``tau_s`` under ``key`` atomically; False (silently) if impossible."""
    target = _path(key, directory)
    tmp: str | None = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".flyout-", suffix=".tmp", dir=target.parent)
        with os.fdopen(fd, "wb") as f:
            np.save(f, np.asarray(tau_s, dtype=np.float64), allow_pickle=False)
        os.replace(tmp, target)
        return True
    except (OSError, ValueError):
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        return False
