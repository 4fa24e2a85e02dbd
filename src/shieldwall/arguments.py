"""Checks of Python API arguments: the same clear errors as the command line, never a raw one.

The library's entry points (:func:`shieldwall.pipeline.simulate`, :func:`shieldwall.api.compare`,
:func:`shieldwall.sensing.observe`, ...) call these at their top, so that ``seed=-1``,
``trials=nan``, ``trials=1.5``, ``policy=None`` or ``policies="national"`` fail at once with a
:class:`~shieldwall.errors.ArgumentError` that names the argument, says what was given and what
is allowed, instead of a numpy ``ValueError`` halfway through, or a silent ``int(1.5) == 1``.
"""

from __future__ import annotations

import functools
import inspect
import math
import numbers
import os
import types
import typing
from collections.abc import Callable, Collection, Mapping, Sequence
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from shieldwall.errors import ArgumentError, Problem

__all__ = [
    "MAX_SEED",
    "check_choice",
    "check_count",
    "check_names",
    "check_probability",
    "check_seed",
    "check_type",
    "checked",
]

#: Largest root seed, the same as a scenario's ``settings.seed``: numpy's ``SeedSequence`` takes
#: any non-negative integer, run folders and the run index store it as a 64-bit integer.
MAX_SEED = 2**63 - 1

T = TypeVar("T")
P = ParamSpec("P")
R = TypeVar("R")


def _fail(error: type[ArgumentError], name: str, message: str) -> ArgumentError:
    return error(f"{name}: {message}", [Problem(message=message, path=name)])


def _integer(value: object) -> int | None:
    """``value`` as an int if it is an integer (Python or numpy; not bool, not 1.0)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        return None
    return int(value)


def check_count(
    value: object, name: str, *, minimum: int = 1, error: type[ArgumentError] = ArgumentError
) -> int:
    """A whole number ``>= minimum`` (trials, counts); floats, bools and strings are refused.

    Raises
    ------
    ArgumentError
        (or ``error``) naming ``name``: not an integer, or below ``minimum``.
    """
    n = _integer(value)
    if n is None:
        raise _fail(error, name, f"must be a whole number >= {minimum}, got {value!r}")
    if n < minimum:
        raise _fail(error, name, f"must be >= {minimum}, got {n}")
    return n


def check_seed(
    value: object, name: str = "seed", *, error: type[ArgumentError] = ArgumentError
) -> int:
    """A root seed: a whole number in ``0 .. 2**63 - 1``."""
    n = _integer(value)
    if n is None or not 0 <= n <= MAX_SEED:
        raise _fail(error, name, f"must be a whole number in 0 .. 2**63 - 1, got {value!r}")
    return n


def check_probability(
    value: object, name: str, *, error: type[ArgumentError] = ArgumentError
) -> float:
    """A probability in ``[0, 1]`` (NaN refused)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise _fail(error, name, f"must be a probability in [0, 1], got {value!r}")
    p = float(value)
    if not (math.isfinite(p) and 0.0 <= p <= 1.0):
        raise _fail(error, name, f"must be a probability in [0, 1], got {value!r}")
    return p


def check_choice(
    value: object,
    name: str,
    choices: Collection[str],
    *,
    error: type[ArgumentError] = ArgumentError,
) -> str:
    """One of ``choices`` (a model or mode chosen by name); the message lists them."""
    if not isinstance(value, str) or value not in choices:
        valid = ", ".join(choices)
        raise _fail(error, name, f"unknown {name} {value!r}; valid {name}s: {valid}")
    return value


def check_names(
    value: object,
    name: str,
    known: Mapping[str, object] | Collection[str],
    *,
    what: str = "name",
    error: type[ArgumentError] = ArgumentError,
) -> list[str]:
    """A list of names (of ``what``: policy, ...), each in ``known``; a lone string is refused
    (it would iterate its letters)."""
    if isinstance(value, str):
        raise _fail(
            error, name, f"must be a list of names, e.g. [{value!r}], got the string {value!r}"
        )
    if not isinstance(value, Sequence | set | frozenset | tuple):
        raise _fail(error, name, f"must be a list of names, got {type(value).__name__}")
    names = list(value)
    for item in names:
        if not isinstance(item, str) or item not in known:
            valid = ", ".join(map(str, known))
            raise _fail(error, name, f"unknown {what} {item!r}; valid {name}: {valid}")
    return names


def check_type(
    value: object,
    name: str,
    kind: type[T],
    hint: str = "",
    *,
    error: type[ArgumentError] = ArgumentError,
) -> T:
    """``value`` itself if it is a ``kind``; else an error saying what to pass (``hint``)."""
    if not isinstance(value, kind):
        what = hint or f"a {kind.__name__}"
        raise _fail(error, name, f"must be {what}, got {type(value).__name__} {value!r:.60}")
    return value


# -- type checks of the public API's component arguments ----------------------------------------


def _allowed(hint: Any) -> tuple[type, ...] | None:
    """The classes a parameter annotated ``hint`` accepts, when they are worth checking: one of
    shieldwall's own classes (World, Policy, Trajectories, ...), maybe with None, ``str`` or a
    path; ``None`` for hints left to the function (numbers, arrays, callables)."""
    args = (
        typing.get_args(hint)
        if typing.get_origin(hint) in (typing.Union, types.UnionType)
        else (hint,)
    )
    classes: list[type] = []
    ours = False
    for arg in args:
        if arg is type(None) or arg is str:
            classes.append(arg)
        elif arg is os.PathLike or typing.get_origin(arg) is os.PathLike or arg is Path:
            classes.append(os.PathLike)
        elif (
            isinstance(arg, type)
            and arg.__module__.startswith("shieldwall.")
            and not getattr(arg, "_is_protocol", False)  # a Protocol: no isinstance
        ):
            classes.append(arg)
            ours = True
        else:
            return None
    return tuple(classes) if ours or os.PathLike in classes else None


def checked(func: Callable[P, R], namespace: Mapping[str, Any]) -> Callable[P, R]:
    """``func`` with its component arguments type-checked: an :class:`ArgumentError` naming the
    argument, the class expected and what was given, instead of an ``AttributeError`` deep
    inside (``simulate(None)``, ``track(world, trajectories, visibility, "national")``).

    ``namespace`` resolves annotations imported only for type checking.
    """
    try:
        hints = typing.get_type_hints(func, localns=dict(namespace))
    except Exception:  # an annotation that cannot be resolved: check nothing
        return func
    hints.pop("return", None)
    checks = {name: allowed for name, hint in hints.items() if (allowed := _allowed(hint))}
    if not checks:
        return func
    sig = inspect.signature(func)

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        bound = sig.bind_partial(*args, **kwargs)
        for name, value in bound.arguments.items():
            allowed = checks.get(name)
            if allowed is not None and not isinstance(value, allowed):
                what = " or ".join("None" if c is type(None) else c.__name__ for c in allowed)
                raise _fail(
                    ArgumentError,
                    name,
                    f"must be {what}, got {type(value).__name__} {_short(value)}",
                )
        return func(*args, **kwargs)

    wrapper.checked_arguments = checks  # type: ignore[attr-defined]
    return wrapper


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
