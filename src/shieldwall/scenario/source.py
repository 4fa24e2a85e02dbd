"""Reading scenario text safely while remembering where every key and value came from.

A scenario is parsed with ruamel.yaml's round-trip loader (it builds only plain mappings,
sequences and scalars: no Python objects, so it is safe on hostile input) and converted at once
into plain Python data. While converting, the 1-based ``line:col`` of every key and value is
recorded under its path (a tuple of keys and indices), so that any later error, from pydantic or
from a cross-field check, can point at the exact spot in the file.

Guards against hostile files: a size limit, a nesting-depth limit and a node-count limit (the
latter defeats "billion laughs" alias expansion, which would otherwise blow up the conversion).
"""

from __future__ import annotations

import datetime as _dt
import io
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shieldwall.errors import ArgumentError, Problem, ScenarioError

__all__ = [
    "MAX_DEPTH",
    "MAX_NODES",
    "MAX_SOURCE_BYTES",
    "Source",
    "format_path",
    "key_value_position",
    "parse_source",
]

#: Largest scenario file accepted. [bytes] A large regional scenario is ~50 kB.
MAX_SOURCE_BYTES = 5_000_000
#: Deepest nesting of mappings/sequences accepted (the schema itself is ~7 deep).
MAX_DEPTH = 32
#: Most scalars + containers accepted after alias expansion (~20,000 units; a regional
#: scenario has a few thousand).
MAX_NODES = 200_000

Path_ = tuple[str | int, ...]


def format_path(path: Sequence[str | int]) -> str:
    """``("sensors", "radars", 2, "site")`` -> ``"sensors.radars[2].site"``."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


@dataclass(frozen=True, kw_only=True)
class Source:
    """Plain data of one scenario document and the position of everything in it.

    Parameters
    ----------
    data
        The document as plain ``dict``/``list``/scalars.
    file
        File name for messages (``"<text>"`` for a string, ``""`` for a dict).
    key_pos, value_pos
        1-based ``(line, col)`` of each mapping key and of each value, by path.
    """

    data: Any
    file: str = ""
    key_pos: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    value_pos: dict[Path_, tuple[int, int]] = field(default_factory=dict)

    def position(self, path: Sequence[str | int], *, key: bool = False) -> tuple[int, int]:
        """Best known ``(line, col)`` for ``path``: the value (or the key when ``key``), else the
        nearest enclosing path that is known; ``(0, 0)`` when nothing is known."""
        p = tuple(path)
        table = (self.key_pos, self.value_pos) if key else (self.value_pos, self.key_pos)
        while True:
            for tab in table:
                if p in tab:
                    return tab[p]
            if not p:
                return (0, 0)
            p = p[:-1]

    def problem(
        self,
        path: Sequence[str | int],
        message: str,
        *,
        severity: str = "error",
        key: bool = False,
    ) -> Problem:
        """A :class:`Problem` at ``path`` with its file position filled in."""
        line, col = self.position(path, key=key)
        return Problem(
            message=message,
            path=format_path(path),
            file=self.file,
            line=line,
            col=col,
            severity=severity,
        )


class _Converter:
    def __init__(self) -> None:
        self.nodes = 0
        self.key_pos: dict[Path_, tuple[int, int]] = {}
        self.value_pos: dict[Path_, tuple[int, int]] = {}

    def convert(self, node: Any, path: Path_, depth: int) -> Any:
        from ruamel.yaml.comments import (
            CommentedMap,
            CommentedOrderedMap,
            CommentedSeq,
            CommentedSet,
            TaggedScalar,
        )

        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise _TooBig(f"more than {MAX_NODES} nodes (alias expansion?)")
        if depth > MAX_DEPTH:
            raise _TooBig(f"nested deeper than {MAX_DEPTH} levels")
        for kind, what, instead in _UNSUPPORTED:
            if type(node).__name__ == kind:
                raise _BadTag(path, what, instead)
        if isinstance(node, CommentedOrderedMap | CommentedSet):  # a subclass of either
            raise _BadTag(path, type(node).__name__)
        tag = getattr(getattr(node, "tag", None), "value", None)
        if isinstance(node, CommentedMap | CommentedSeq) and tag:
            raise _BadTag(path, f"tag {tag}")
        if isinstance(node, CommentedMap | CommentedSeq) and path not in self.value_pos:
            self.value_pos[path] = (node.lc.line + 1, node.lc.col + 1)  # the root
        if isinstance(node, CommentedMap):
            out: dict[str, Any] = {}
            for key in node:
                kpath = (*path, str(key))
                kl, kc, vl, vc = key_value_position(node, key)
                self.key_pos[kpath] = (kl + 1, kc + 1)
                self.value_pos[kpath] = (vl + 1, vc + 1)
                out[str(key)] = self.convert(node[key], kpath, depth + 1)
            return out
        if isinstance(node, CommentedSeq):
            items: list[Any] = []
            for i, item in enumerate(node):
                ipath = (*path, i)
                il, ic = node.lc.item(i)
                self.value_pos[ipath] = (il + 1, ic + 1)
                items.append(self.convert(item, ipath, depth + 1))
            return items
        if isinstance(node, TaggedScalar):
            tag_value = node.tag.value if hasattr(node.tag, "value") else node.tag
            raise _BadTag(path, f"tag {tag_value}")
        if isinstance(node, bool) or node is None:
            return node if node is None else bool(node)
        if isinstance(node, int):
            return int(node)
        if isinstance(node, float):
            return float(node)
        if isinstance(node, str):
            return str(node)
        if isinstance(node, _dt.datetime | _dt.date):
            return node.isoformat()
        if isinstance(node, list):  # !!pairs
            raise _BadTag(path, "!!pairs", "a mapping or a list")
        raise _BadTag(path, type(node).__name__)


#: YAML types ruamel builds that a scenario cannot hold: (type, what it is, what to write).
_UNSUPPORTED = (
    ("CommentedOrderedMap", "!!omap", "a plain mapping (its order is kept)"),
    ("CommentedSet", "!!set", "a list"),
)
_PLAIN = "plain mappings, lists, numbers and strings"


def key_value_position(node: Any, key: Any) -> tuple[int, int, int, int]:
    """0-based (key line, key col, value line, value col) of ``key`` in a mapping.

    A key brought in by a merge key (``<<: *anchor``) is placed where the anchored mapping
    writes it (the first merged mapping that has it, as YAML's merge rule reads them).
    """
    from ruamel.yaml.comments import merge_attrib

    data = getattr(node.lc, "data", None) or {}
    if key in data:
        kl, kc, vl, vc = data[key]
        return int(kl), int(kc), int(vl), int(vc)
    for merged in getattr(node, merge_attrib, None) or ():
        source = merged[1] if isinstance(merged, tuple) else merged
        if key in source:
            return key_value_position(source, key)
    return node.lc.line, node.lc.col, node.lc.line, node.lc.col


class _TooBig(Exception):
    pass


class _BadTag(Exception):
    def __init__(self, path: Path_, what: str, instead: str = _PLAIN) -> None:
        super().__init__(what)
        self.path = path
        self.message = f"YAML {what} is not supported here; write {instead}"


def _yaml_error(exc: Exception, file: str) -> ScenarioError:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line = int(mark.line) + 1 if mark is not None else 0
    col = int(mark.column) + 1 if mark is not None else 0
    what = " ".join(
        str(part) for part in (getattr(exc, "context", None), getattr(exc, "problem", None)) if part
    )
    if not what:
        what = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    problem = Problem(
        message=f"not valid YAML: {what}", path="", file=file, line=line, col=col or 1
    )
    return ScenarioError(f"{file or 'scenario'}: cannot parse", [problem])


def parse_text(text: str, *, file: str = "<text>") -> Source:
    """Parse YAML (or JSON) text into a :class:`Source`; syntax errors become ScenarioError."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    if len(text.encode("utf-8", errors="replace")) > MAX_SOURCE_BYTES:
        raise ScenarioError(
            f"{file}: too large",
            [Problem(message=f"file larger than {MAX_SOURCE_BYTES} bytes", file=file)],
        )
    yaml = YAML(typ="rt", pure=True)
    yaml.allow_duplicate_keys = False
    try:
        node = yaml.load(io.StringIO(text))
    except YAMLError as exc:
        raise _yaml_error(exc, file) from None
    except (ValueError, TypeError, RecursionError) as exc:  # odd scalars, deep nesting
        raise ScenarioError(
            f"{file}: cannot parse",
            [Problem(message=f"not valid YAML: {exc}", file=file, line=1, col=1)],
        ) from None
    conv = _Converter()
    try:
        data = conv.convert(node, (), 0)
    except _TooBig as exc:
        raise ScenarioError(
            f"{file}: too large", [Problem(message=f"document has {exc}", file=file)]
        ) from None
    except _BadTag as exc:
        src = Source(data=None, file=file, key_pos=conv.key_pos, value_pos=conv.value_pos)
        raise ScenarioError(
            f"{file}: unsupported YAML",
            [src.problem(exc.path, exc.message)],
        ) from None
    conv.value_pos.setdefault((), (1, 1))  # a scalar or empty document
    return Source(data=data, file=file, key_pos=conv.key_pos, value_pos=conv.value_pos)


def parse_source(source: str | Path | Mapping[str, Any]) -> Source:
    """Turn a path, YAML text or a mapping into a :class:`Source`.

    A :class:`~pathlib.Path` is always a file. A string is YAML text when it contains a newline
    or does not look like a file name; otherwise it is a path. A mapping is used as is (no
    positions).
    """
    if isinstance(source, Mapping):
        return Source(data=dict(source), file="")
    if not isinstance(source, str | os.PathLike):
        raise ArgumentError(
            f"source: must be a file path, YAML text or a mapping, got {type(source).__name__}",
            [Problem(message="must be a file path, YAML text or a mapping", path="source")],
        )
    if isinstance(source, str) and ("\n" in source or not _looks_like_path(source)):
        return parse_text(source, file="<text>")
    path = Path(source)
    try:
        return _read_file(path)
    except OSError as exc:  # unreadable, name too long, permission denied, I/O error
        reason = exc.strerror or type(exc).__name__
        raise ScenarioError(
            f"{path}: cannot read",
            [Problem(message=f"cannot read the file: {reason}", file=str(path))],
        ) from None


def _read_file(path: Path) -> Source:
    if path.is_dir():
        raise ScenarioError(
            f"{path}: a directory",
            [
                Problem(
                    message=f"is a directory; give scenario files, e.g. {path}/*.yaml",
                    file=str(path),
                )
            ],
        )
    if not path.is_file():
        raise ScenarioError(
            f"{path}: no such file",
            [Problem(message="file not found (give a .yaml scenario file)", file=str(path))],
        )
    size = path.stat().st_size
    if size > MAX_SOURCE_BYTES:
        raise ScenarioError(
            f"{path}: too large",
            [Problem(message=f"file larger than {MAX_SOURCE_BYTES} bytes", file=str(path))],
        )
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ScenarioError(
            f"{path}: not UTF-8 text",
            [Problem(message=f"cannot decode as UTF-8 ({exc.reason})", file=str(path))],
        ) from None
    return parse_text(text, file=str(path))


def _looks_like_path(text: str) -> bool:
    stripped = text.strip()
    name = stripped.split("/")[-1]
    if not stripped or (":" in name and not stripped.endswith((".yaml", ".yml"))):
        return False
    if stripped.endswith((".yaml", ".yml", ".json")):
        return True
    try:
        return Path(stripped).exists()
    except (OSError, ValueError):  # too long for a file name, NUL: not a path
        return False
