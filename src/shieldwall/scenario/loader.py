"""``load_scenario``: YAML text / file / dict -> validated :class:`Scenario`, or every problem.

One pass collects the pydantic errors (types, ranges, unknown fields) and the cross-field
errors of :mod:`shieldwall.scenario.checks`, maps each to ``file:line:col`` and raises them
together in one :class:`~shieldwall.errors.ScenarioError`. Warnings come back on
:attr:`Scenario.warnings`.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from shieldwall.errors import Problem, ScenarioError
from shieldwall.scenario.checks import CatalogLike, check_document
from shieldwall.scenario.model import DEFENDS_FORMS, Scenario
from shieldwall.scenario.source import Source, parse_source
from shieldwall.scenario.suggest import did_you_mean, list_allowed

__all__ = ["EXTENSION_PREFIX", "default_catalog", "load_scenario"]


def default_catalog() -> CatalogLike:
    """The shipped catalog (:func:`shieldwall.scenario.catalog.load_catalog`)."""
    from shieldwall.scenario.catalog import load_catalog

    catalog: CatalogLike = load_catalog()
    return catalog


def load_scenario(
    source: str | Path | Mapping[str, Any], *, catalog: CatalogLike | None = None
) -> Scenario:
    """Load and validate a scenario.

    Parameters
    ----------
    source
        A path to a YAML (or JSON) file, YAML text (a string with a newline), or a mapping.
        Top-level keys starting with ``x-`` are ignored (define YAML anchors there); merge keys
        (``<<: *anchor``) work, and a problem in a merged value points at the anchored line.
    catalog
        Catalog to resolve names against; the shipped one by default.

    Returns
    -------
    Scenario
        The validated scenario; ``scenario.warnings`` lists non-fatal problems.

    Raises
    ------
    ScenarioError
        With one :class:`~shieldwall.errors.Problem` per error (``file:line:col``, field path,
        what was given and what is allowed), sorted by position.
    """
    src = parse_source(source)
    label = src.file or "scenario"
    if not isinstance(src.data, dict):
        got = "an empty document" if src.data is None else type(src.data).__name__
        raise ScenarioError(
            f"{label}: not a scenario",
            [src.problem((), f"a scenario is a mapping with `name:`, `nations:`, ...; got {got}")],
        )
    src = dataclasses.replace(src, data=_without_extensions(src.data))
    cat = catalog if catalog is not None else default_catalog()
    found = check_document(src, cat)
    errors = [p for p in found if p.severity == "error"]
    warnings = [p for p in found if p.severity != "error"]
    scenario: Scenario | None = None
    try:
        scenario = Scenario.model_validate(src.data, context={"warnings": warnings, "source": src})
    except ValidationError as exc:
        errors.extend(_problem(src, e) for e in exc.errors(include_url=False))
    if errors or scenario is None:
        errors = _dedupe(errors)
        n = len(errors)
        raise ScenarioError(
            f"{label}: {n} error{'s' if n != 1 else ''}",
            sorted(errors, key=lambda p: (p.line, p.col, p.path)) + warnings,
        )
    return scenario


#: Top-level keys starting with this are ignored (a place for YAML anchors, as in Compose files).
EXTENSION_PREFIX = "x-"


def _without_extensions(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if not str(k).startswith(EXTENSION_PREFIX)}


def _dedupe(problems: list[Problem]) -> list[Problem]:
    seen: set[tuple[str, str]] = set()
    out: list[Problem] = []
    for p in problems:
        if (p.path, p.message) not in seen:
            seen.add((p.path, p.message))
            out.append(p)
    return out


def _strip_union_tags(loc: tuple[int | str, ...]) -> tuple[int | str, ...]:
    """Drop the form tag pydantic puts after a ``defends`` key (``list`` / ``mapping``)."""
    out: list[int | str] = []
    i = 0
    while i < len(loc):
        out.append(loc[i])
        if loc[i] == "defends" and i + 2 < len(loc) and loc[i + 2] in DEFENDS_FORMS:
            out.append(loc[i + 1])
            i += 3
            continue
        i += 1
    return tuple(out)


def _problem(src: Source, error: ErrorDetails) -> Problem:
    loc = _strip_union_tags(tuple(error["loc"]))
    kind = error["type"]
    given = error.get("input")
    if kind == "extra_forbidden":
        allowed = _fields_at(loc[:-1])
        name = str(loc[-1])
        message = f"unknown field {name!r}{did_you_mean(name, allowed)}"
        allowed = sorted(allowed)
        if allowed:
            message += f" (allowed here: {list_allowed(allowed, limit=40)})"
        return src.problem(loc, message, key=True)
    if kind == "missing":
        field = str(loc[-1])
        description = _description_at(loc)
        extra = f" ({description})" if description else ""
        return src.problem(loc[:-1], f"missing required field {field!r}{extra}")
    message = str(error["msg"])
    if message.startswith("Value error, "):
        message = message[len("Value error, ") :]
    ctx = error.get("ctx") or {}
    expected = ctx.get("expected")
    if given is not None and not isinstance(given, dict | list) and kind != "value_error":
        message += f"; got {given!r}"
    elif isinstance(given, dict | list):
        message += f"; got a {'mapping' if isinstance(given, dict) else 'list'}"
    if kind in ("literal_error", "enum") and isinstance(given, str) and isinstance(expected, str):
        choices = [c.strip(" '") for c in expected.replace(" or ", ",").split(",")]
        message += did_you_mean(given, choices)
    return src.problem(loc, message)


# -- walking the model classes along an error location -----------------------------------------


def _model_at(loc: tuple[int | str, ...]) -> type[BaseModel] | None:
    """The model class whose fields live at ``loc`` (None if ``loc`` is not a model)."""
    annotation: Any = Scenario
    for part in loc:
        annotation = _unwrap(annotation)
        if isinstance(part, int):
            args = typing.get_args(annotation)
            if not args:
                return None
            annotation = args[0]
            continue
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            field = _field(annotation, part)
            if field is None:
                return None
            annotation = field.annotation
        elif typing.get_origin(annotation) is dict:
            annotation = typing.get_args(annotation)[1]
        else:
            return None
    annotation = _unwrap(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return None


def _field(model: type[BaseModel], name: str) -> Any:
    for fname, info in model.model_fields.items():
        if name in (fname, info.alias):
            return info
    return None


def _unwrap(annotation: Any) -> Any:
    """``X | None`` -> ``X``; ``Annotated[X, ...]`` -> ``X``; a union of one model and plain
    types (the two forms of a ``defends`` entry) -> the model."""
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        args = [_unwrap(a) for a in typing.get_args(annotation) if a is not type(None)]
        models = [a for a in args if isinstance(a, type) and issubclass(a, BaseModel)]
        if len(args) == 1:
            return args[0]
        if len(models) == 1:
            return models[0]
    return annotation


def _fields_at(loc: tuple[int | str, ...]) -> list[str]:
    model = _model_at(loc)
    if model is None:
        return []
    return [info.alias or name for name, info in model.model_fields.items()]


def _description_at(loc: tuple[int | str, ...]) -> str:
    model = _model_at(loc[:-1])
    if model is None:
        return ""
    info = _field(model, str(loc[-1]))
    return str(info.description or "") if info is not None else ""
