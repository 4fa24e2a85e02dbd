"""Example scenarios shipped with the package (identical copies of the repository's
``examples/*.yaml``, checked by ``tests/examples``).
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

__all__ = ["example_names", "example_path"]


def example_names() -> list[str]:
    """Names of the shipped examples (file stems), sorted."""
    root = files(__name__)
    return sorted(p.name[: -len(".yaml")] for p in root.iterdir() if p.name.endswith(".yaml"))


def example_path(name: str) -> Path:
    """Path of a shipped example, e.g. ``example_path("korea_japan")``.

    Raises
    ------
    KeyError
        If there is no such example (the message lists them).
    """
    path = Path(str(files(__name__).joinpath(f"{name}.yaml")))
    if not path.is_file():
        raise KeyError(f"no example {name!r}; examples: {', '.join(example_names())}")
    return path
