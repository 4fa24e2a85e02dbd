"""shieldwall: simulate and analyse cooperative regional ballistic missile defense.

The public Python API is curated in :mod:`shieldwall.api`.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("shieldwall")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0+unknown"

__all__ = ["__version__"]
