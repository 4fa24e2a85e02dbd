"""A YAML emitter for the fuzz cases, with the features a round trip through ruamel cannot
produce on purpose: verbatim values (tags, aliases, flow style), anchored values and merge keys."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Raw:
    """A value written verbatim (already YAML), e.g. ``!!omap [...]`` or ``*a``."""

    text: str


@dataclass(frozen=True)
class Anchored:
    """A mapping or list written with an anchor ``&name``."""

    name: str
    value: Any


@dataclass(frozen=True)
class Merge:
    """A ``<<: *name`` entry at the start of a mapping (the mapping's other keys follow)."""

    name: str
    rest: dict[str, Any] = field(default_factory=dict)


_PLAIN = re.compile(r"^[A-Za-z_][A-Za-z0-9_ .\-/]*$")
_RESERVED = {"true", "false", "null", "yes", "no", "on", "off", "y", "n", "~", ""}


def _scalar(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return ".nan"
        if math.isinf(value):
            return ".inf" if value > 0 else "-.inf"
        return repr(value)
    if isinstance(value, Raw):
        return value.text
    text = str(value)
    if _PLAIN.match(text) and text.lower() not in _RESERVED and not text.endswith(" "):
        return text
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a YAML double-quoted one


def _key(key: Any) -> str:
    return key.text if isinstance(key, Raw) else _scalar(key)


def emit(data: Any, indent: int = 0) -> str:
    """Block-style YAML of ``data`` (dicts, lists, scalars and the marker classes above)."""
    return "".join(_lines(data, indent)) or "{}\n"


def _lines(data: Any, indent: int) -> Iterator[str]:
    pad = " " * indent
    if isinstance(data, Merge):
        yield f"{pad}<<: *{data.name}\n"
        yield from _lines(data.rest, indent) if data.rest else iter(())
        return
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _entry(f"{pad}{_key(key)}:", value, indent)
        return
    if isinstance(data, list):
        for item in data:
            if isinstance(item, Anchored) and isinstance(item.value, dict | list) and item.value:
                yield f"{pad}- &{item.name}\n"
                yield from _lines(item.value, indent + 2)
            elif isinstance(item, dict | Merge) and item:
                inner = list(_lines(item, indent + 2))
                yield f"{pad}- {inner[0].lstrip()}"
                yield from inner[1:]
            else:
                yield from _entry(f"{pad}-", item, indent)
        return
    yield f"{pad}{_scalar(data)}\n"


def _entry(head: str, value: Any, indent: int) -> Iterator[str]:
    anchor = ""
    if isinstance(value, Anchored):
        anchor, value = f" &{value.name}", value.value
    if (isinstance(value, dict | Merge) and value) or (isinstance(value, list) and value):
        yield f"{head}{anchor}\n"
        yield from _lines(value, indent + 2)
    elif isinstance(value, dict):
        yield f"{head}{anchor} {{}}\n"
    elif isinstance(value, list):
        yield f"{head}{anchor} []\n"
    else:
        yield f"{head}{anchor} {_scalar(value)}\n"


def plain(data: Any) -> Any:
    """``data`` without the marker classes (JSON-serialisable; NaN and inf stay floats)."""
    if isinstance(data, Raw):
        return data.text
    if isinstance(data, Anchored):
        return plain(data.value)
    if isinstance(data, Merge):
        return plain(data.rest)
    if isinstance(data, dict):
        return {str(_key(k)) if isinstance(k, Raw) else k: plain(v) for k, v in data.items()}
    if isinstance(data, list):
        return [plain(v) for v in data]
    return data
