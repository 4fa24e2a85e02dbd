"""Read and validate catalog YAML files.

A catalog file holds one kind of system::

    kind: missile
    sources:                       # optional: cite a source once, refer to it by key
      yomiuri2017: {text: "Japan MoD via Yomiuri (2017-03)", url: "http://..."}
    entries:
      - name: Scud-B
        aliases: [Hwasong-5]
        description: Single-stage liquid-fuel SRBM.
        params:
          max_range_km: {value: 300, confidence: medium, ref: yomiuri2017, range: [280, 340]}
          burnout_alt_km: {value: 30, confidence: assumption, range: [25, 40],
                           source: "assumption: gravity turn, ~60 s burn"}

Each parameter has ``value``, ``confidence`` and either ``source`` (+ optional ``url``) or ``ref``
(a key of ``sources``); optional ``range``, ``note`` and ``see`` (keys of further supporting
``sources``, e.g. the quoted figure an assumption was calibrated from). A numeric
``assumption`` must have a ``range`` and every ``range`` must contain its value. All problems
of a file are reported at once as one :class:`~shieldwall.errors.CatalogError` with
``file:line:col`` and the field path.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable, Mapping
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from shieldwall.errors import CatalogError, Problem
from shieldwall.scenario.catalog import cache
from shieldwall.scenario.catalog.keys import KEY_SPECS, KINDS, PARAM_KEYS, Kind
from shieldwall.scenario.catalog.model import Catalog, CatalogEntry, Param, Value

__all__ = [
    "CATALOG_FILES",
    "check_value",
    "load_catalog",
    "read_catalog_file",
    "shipped_catalog_paths",
]

#: The data file shipped in the package for each kind.
CATALOG_FILES: dict[Kind, str] = {
    "missile": "missiles.yaml",
    "interceptor": "interceptors.yaml",
    "radar": "radars.yaml",
    "satellite": "satellites.yaml",
}

Path_ = tuple[str | int, ...]


# --- raw file structure (pydantic) ---------------------------------------------------------
# pydantic and ruamel.yaml are imported on first use: a catalog served from the cache
# (:mod:`shieldwall.scenario.catalog.cache`) needs neither, which keeps one-off commands quick.


@functools.cache
def _schema() -> Any:
    """The pydantic model of a catalog file (built on first use)."""
    from pydantic import (
        BaseModel,
        ConfigDict,
        Field,
        StrictBool,
        StrictFloat,
        StrictInt,
        StrictStr,
    )

    class _Strict(BaseModel):
        model_config = ConfigDict(extra="forbid", frozen=True)

    class _Source(_Strict):
        text: StrictStr
        url: StrictStr = ""

    class _Param(_Strict):
        value: StrictBool | StrictInt | StrictFloat | StrictStr
        confidence: Literal["high", "medium", "low", "assumption"]
        source: StrictStr | None = None
        url: StrictStr = ""
        ref: StrictStr | None = None
        range: tuple[StrictInt | StrictFloat, StrictInt | StrictFloat] | None = None
        note: StrictStr = ""
        see: list[StrictStr] = Field(default_factory=list)

    class _Entry(_Strict):
        name: StrictStr
        aliases: list[StrictStr] = Field(default_factory=list)
        description: StrictStr = ""
        params: dict[StrictStr, _Param]

    class _File(_Strict):
        kind: Literal["missile", "interceptor", "radar", "satellite"]
        sources: dict[StrictStr, _Source] = Field(default_factory=dict)
        entries: list[_Entry]

    return _File


# --- positions ------------------------------------------------------------------------------


def _positions(node: Any, path: Path_, out: dict[Path_, tuple[int, int]]) -> None:
    """Record the 1-based (line, col) of every mapping key and sequence item under ``node``."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    if isinstance(node, CommentedMap):
        for key, child in node.items():
            line, col = node.lc.key(key)
            out[(*path, str(key))] = (line + 1, col + 1)
            _positions(child, (*path, str(key)), out)
    elif isinstance(node, CommentedSeq):
        for i, child in enumerate(node):
            line, col = node.lc.item(i)
            out[(*path, i)] = (line + 1, col + 1)
            _positions(child, (*path, i), out)


def _plain(node: Any) -> Any:
    """Round-trip YAML nodes to plain dicts, lists and scalars (str subclasses to str)."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    if isinstance(node, CommentedMap):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, CommentedSeq):
        return [_plain(v) for v in node]
    if isinstance(node, bool | int | float) or node is None:
        return node
    if isinstance(node, str):
        return str(node)
    return node


def _dotted(path: Path_) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


class _Report:
    """Collects problems for one file, placing each at the nearest known position."""

    def __init__(self, file: str, positions: dict[Path_, tuple[int, int]]) -> None:
        self.file = file
        self.positions = positions
        self.problems: list[Problem] = []

    def add(self, path: Path_, message: str) -> None:
        line, col = 0, 0
        for cut in range(len(path), -1, -1):
            if path[:cut] in self.positions:
                line, col = self.positions[path[:cut]]
                break
        self.problems.append(
            Problem(message=message, path=_dotted(path), file=self.file, line=line, col=col)
        )


# --- checks ---------------------------------------------------------------------------------


def check_value(kind: str, key: str, value: object) -> Value:
    """Check one parameter value against its key's type and allowed values.

    The scenario loader uses this for inline overrides of catalog values.

    Parameters
    ----------
    kind
        Catalog kind (``missile``, ``interceptor``, ``radar``, ``satellite``).
    key
        Parameter key of that kind, e.g. ``"max_range_km"``.
    value
        The value given (I/O unit as named by the key).

    Returns
    -------
    float | str | bool
        The value, with integers turned into floats.

    Raises
    ------
    CatalogError
        If the kind or key is unknown or the value is not allowed; the message says what is.
    """
    if kind not in KINDS:
        raise CatalogError(f"unknown catalog kind {kind!r}; kinds are: {', '.join(KINDS)}")
    specs = KEY_SPECS[kind]
    if key not in specs:
        raise CatalogError(
            f"{key!r} is not a {kind} parameter; {kind} parameters are: "
            + ", ".join(PARAM_KEYS[kind])
        )
    spec = specs[key]
    bad = CatalogError(f"{kind} parameter {key} = {value!r} is not allowed: use {spec.describe()}")
    if spec.type == "bool":
        if not isinstance(value, bool):
            raise bad
        return value
    if spec.type == "str":
        if not isinstance(value, str) or not value or (spec.choices and value not in spec.choices):
            raise bad
        return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise bad
    number = float(value)
    if not math.isfinite(number) or not spec.lo <= number <= spec.hi:
        raise bad
    return number


def _build_param(
    kind: Kind, key: str, raw: Any, sources: Mapping[str, Any], at: Path_, rep: _Report
) -> Param | None:
    n_before = len(rep.problems)
    try:
        value = check_value(kind, key, raw.value)
    except CatalogError as exc:
        rep.add((*at, "value"), str(exc.args[0]))
        value = raw.value
    source, url = raw.source, raw.url
    if (raw.ref is None) == (raw.source is None):
        rep.add(at, "give one of `source` (text, optional `url`) or `ref` (key of `sources`)")
    elif raw.ref is not None:
        if raw.ref not in sources:
            known = ", ".join(sorted(sources)) or "none defined"
            rep.add((*at, "ref"), f"unknown source key {raw.ref!r}; keys of `sources`: {known}")
        else:
            source, url = sources[raw.ref].text, url or sources[raw.ref].url
    see: list[tuple[str, str]] = []
    for i, see_key in enumerate(raw.see):
        if see_key in sources:
            see.append((sources[see_key].text, sources[see_key].url))
        else:
            known = ", ".join(sorted(sources)) or "none defined"
            rep.add((*at, "see", i), f"unknown source key {see_key!r}; keys of `sources`: {known}")
    if source is not None and not source.strip():
        rep.add((*at, "source"), "source must not be empty: say who published the figure")
    rng: tuple[float, float] | None = None
    numeric = KEY_SPECS[kind][key].type == "float"
    if raw.range is not None:
        lo, hi = float(raw.range[0]), float(raw.range[1])
        rng = (lo, hi)
        if not numeric:
            rep.add((*at, "range"), f"{key} is not numeric, so it takes no range")
        elif not lo <= hi:
            rep.add((*at, "range"), f"range [{lo:g}, {hi:g}] must have lo <= hi")
        elif isinstance(value, float) and not lo <= value <= hi:
            rep.add((*at, "range"), f"range [{lo:g}, {hi:g}] does not contain value {value:g}")
    elif numeric and raw.confidence == "assumption":
        rep.add(at, "an assumption needs a plausible `range: [lo, hi]` that contains the value")
    if len(rep.problems) > n_before:
        return None
    return Param(
        value=value,
        source=source or "",
        confidence=raw.confidence,
        range=rng,
        note=raw.note,
        url=url,
        see=tuple(see),
    )


def _build_entries(doc: Any, rep: _Report) -> list[CatalogEntry]:
    entries: list[CatalogEntry] = []
    expected = PARAM_KEYS[doc.kind]
    for i, raw in enumerate(doc.entries):
        at: Path_ = ("entries", i)
        missing = [k for k in expected if k not in raw.params]
        if missing:
            lacking = ", ".join(missing)
            rep.add((*at, "params"), f"{raw.name!r} lacks {doc.kind} parameters: {lacking}")
        params: dict[str, Param] = {}
        for key, raw_param in raw.params.items():
            if key not in expected:
                rep.add(
                    (*at, "params", key),
                    f"unknown {doc.kind} parameter {key!r}; allowed: {', '.join(expected)}",
                )
                continue
            param = _build_param(doc.kind, key, raw_param, doc.sources, (*at, "params", key), rep)
            if param is not None:
                params[key] = param
        if not raw.name.strip():
            rep.add((*at, "name"), "name must not be empty")
        ordered = {k: params[k] for k in expected if k in params}
        entries.append(
            CatalogEntry(
                name=raw.name,
                kind=doc.kind,
                aliases=tuple(raw.aliases),
                description=raw.description,
                params=ordered,
            )
        )
    return entries


def read_catalog_file(path: str | Path, *, text: str | None = None) -> list[CatalogEntry]:
    """Read and validate one catalog file (shipped or user-supplied).

    Parameters
    ----------
    path
        The file; also the name used in error messages when ``text`` is given.
    text
        The YAML text, if already read.

    Returns
    -------
    list[CatalogEntry]
        Its entries, in file order.

    Raises
    ------
    CatalogError
        With one :class:`~shieldwall.errors.Problem` per mistake (``file:line:col``, field path,
        what is allowed) if the file is unreadable, not YAML or not a valid catalog file.
    """
    from pydantic import ValidationError as PydanticValidationError
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    file = str(path)
    if text is None:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise CatalogError(f"cannot read catalog file {file}: {exc.strerror or exc}") from None
    try:
        node = YAML(typ="rt", pure=True).load(text)
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line, col = (mark.line + 1, mark.column + 1) if mark is not None else (0, 0)
        problem = Problem(message=f"not valid YAML: {exc}", file=file, line=line, col=col)
        raise CatalogError(f"{file} is not a valid catalog file", [problem]) from None
    positions: dict[Path_, tuple[int, int]] = {}
    _positions(node, (), positions)
    rep = _Report(file, positions)
    try:
        doc = _schema().model_validate(_plain(node))
    except PydanticValidationError as exc:
        for error in exc.errors():
            loc = tuple(p for p in error["loc"] if isinstance(p, str | int))
            # Drop pydantic's union-member tags (e.g. "bool", "str") from the path.
            clean = tuple(p for p in loc if p not in {"bool", "int", "float", "str"})
            rep.add(clean, _pydantic_message(error))
        raise CatalogError(f"{file} is not a valid catalog file", rep.problems) from None
    entries = _build_entries(doc, rep)
    if rep.problems:
        raise CatalogError(f"{file} is not a valid catalog file", rep.problems)
    return entries


def _pydantic_message(error: Mapping[str, Any]) -> str:
    kind = error.get("type", "")
    if kind == "missing":
        return "this field is required"
    if kind == "extra_forbidden":
        return (
            "unknown field; a parameter takes value, confidence, source, url, ref, range, note, "
            "see; an entry takes name, aliases, description, params; a file takes kind, sources, "
            "entries"
        )
    return str(error.get("msg", "invalid value"))


def shipped_catalog_paths() -> list[Path]:
    """Paths of the catalog files shipped in the package, one per kind."""
    base = resources.files("shieldwall.scenario.catalog")
    return [Path(str(base.joinpath(name))) for name in CATALOG_FILES.values()]


def _catalog_from_files(paths: Iterable[str | Path]) -> Catalog:
    """The shipped catalog (validated, cached) extended by the entries of user files."""
    entries: list[CatalogEntry] = list(_shipped().entries)
    problems: list[Problem] = []
    for path in paths:
        try:
            entries.extend(read_catalog_file(path))
        except CatalogError as exc:
            problems.extend(exc.problems or [Problem(message=str(exc.args[0]), file=str(path))])
    if problems:
        raise CatalogError("the catalog is not valid", problems)
    return Catalog.from_entries(entries)


def _shipped_entries(kinds: Iterable[Kind], *, use_cache: bool = True) -> list[CatalogEntry]:
    """Entries of the shipped files of ``kinds``: from the validated-catalog cache when it
    holds these exact texts (:mod:`~shieldwall.scenario.catalog.cache`), else read, validated
    in full and cached."""
    from shieldwall import __version__

    base = resources.files("shieldwall.scenario.catalog")
    names = [CATALOG_FILES[k] for k in kinds]
    texts = {name: base.joinpath(name).read_text("utf-8") for name in names}
    code = cache.code_texts() if use_cache else None
    use_cache = code is not None
    key = cache.cache_key({**texts, **(code or {})}, __version__)
    label = "catalog-" + "+".join(name.removesuffix(".yaml") for name in names)
    if use_cache:
        cached = cache.read_cache(key, label=label)
        if cached is not None:
            return cached
    entries: list[CatalogEntry] = []
    problems: list[Problem] = []
    for name in names:
        # shipped files are read as package resources (works from any importer)
        path = str(base.joinpath(name))
        try:
            entries.extend(read_catalog_file(path, text=texts[name]))
        except CatalogError as exc:
            problems.extend(exc.problems or [Problem(message=str(exc.args[0]), file=path)])
    if problems:
        raise CatalogError("the catalog is not valid", problems)
    if use_cache:
        cache.write_cache(key, entries, label=label)
    return entries


@functools.cache
def _shipped() -> Catalog:
    return Catalog.from_entries(_shipped_entries(KINDS))


@functools.cache
def _shipped_kind(kind: Kind) -> Catalog:
    return Catalog.from_entries(_shipped_entries([kind]))


def load_catalog(*extra_files: str | Path, kind: Kind | None = None) -> Catalog:
    """The catalog shipped with shieldwall, optionally extended by user catalog files.

    Parameters
    ----------
    *extra_files
        User catalog files (same format and checks as the shipped ones) whose entries are added;
        their names and aliases must not clash with shipped ones.
    kind
        Read only the shipped file of this kind (a quarter of the parsing, for one-off questions
        such as ``shieldwall fly``); other kinds are then absent. Not combinable with
        ``extra_files``. Cross-kind name uniqueness is checked by the full load (and its tests).

    Returns
    -------
    Catalog
        Cached when no extra files are given.

    Raises
    ------
    CatalogError
        If a file is malformed (``file:line:col`` and field) or names clash.
    """
    if kind is not None:
        if extra_files:
            raise CatalogError("load_catalog(kind=...) reads only the shipped catalog")
        if kind not in CATALOG_FILES:
            raise CatalogError(f"unknown catalog kind {kind!r}; allowed: {', '.join(KINDS)}")
        return _shipped_kind(kind)
    if not extra_files:
        return _shipped()
    return _catalog_from_files(extra_files)
