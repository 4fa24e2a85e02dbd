"""Doctrine and planner flags shared by ``run``, ``compare`` and the study commands.

:func:`doctrine_options` adds one option per doctrine setting
(:data:`shieldwall.scenario.doctrine.SETTINGS`: ``--mode``, ``--salvo``,
``--max-rounds-per-pair``, ``--max-rounds-per-threat``, ``--reserve``,
``--upper-tier-first/--no-upper-tier-first``, ``--channel-hold``, ``--miss-as-kill``,
``--kill-as-miss``, ``--ipp-margin``, ``--solver``, ``--objective``) to a typer command and hands
the command one :class:`DoctrineFlags`; ``flags.apply(world)`` is the world with the scenario's
doctrine overridden by the flags given. A value not allowed is refused with the same message as
in a scenario file, naming the flag (exit code 2)::

    @app.command()
    @doctrine_options
    def run_cmd(file: Path, ..., doctrine: DoctrineFlags) -> None:
        scenario, world = load(file, phase)
        world = doctrine.apply(world)
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import typer

from shieldwall.errors import Problem
from shieldwall.scenario.doctrine import SETTINGS, DoctrineError, Setting
from shieldwall.scenario.world import World

__all__ = ["PARAMETER", "DoctrineFlags", "doctrine_options"]

#: Name of the parameter through which a decorated command receives the flags.
PARAMETER = "doctrine"

F = TypeVar("F", bound=Callable[..., Any])


def _argument(setting: Setting) -> str:
    return "doctrine_" + setting.name.replace(".", "_")


@dataclasses.dataclass(frozen=True)
class DoctrineFlags:
    """The doctrine settings given on the command line (dotted name -> value)."""

    values: dict[str, Any] = dataclasses.field(default_factory=dict)

    def apply(self, world: World) -> World:
        """``world`` with its doctrine overridden by these flags.

        Raises
        ------
        DoctrineError
            A value not allowed; the problem's path is the flag (``--salvo``).
        """
        if not self.values:
            return world
        try:
            doctrine = world.doctrine.with_overrides(**self.values)
        except DoctrineError as exc:
            flags = {s.name: s.flag for s in SETTINGS}
            problems = [
                Problem(message=p.message, path=flags.get(p.path, p.path)) for p in exc.problems
            ]
            raise DoctrineError(str(exc.args[0]), problems) from None
        return dataclasses.replace(world, doctrine=doctrine)


def _help(setting: Setting) -> str:
    allowed = "" if setting.type is bool or setting.choices else f" {setting.describe()}."
    return f"{setting.doc}{allowed} Default: the scenario's doctrine ({setting.default!r})."


def _option(setting: Setting) -> inspect.Parameter:
    if setting.type is bool:
        flag = f"{setting.flag}/--no-{setting.flag.removeprefix('--')}"
        option = typer.Option(flag, help=_help(setting), show_default=False)
    else:
        metavar = "|".join(setting.choices) if setting.choices else setting.type.__name__.upper()
        option = typer.Option(
            setting.flag, help=_help(setting), metavar=metavar, show_default=False
        )
    kind: Any = setting.type
    return inspect.Parameter(
        _argument(setting),
        inspect.Parameter.KEYWORD_ONLY,
        default=None,
        annotation=Annotated[kind | None, option],
    )


def doctrine_options(command: F) -> F:
    """Add the doctrine flags to a typer command that takes ``doctrine: DoctrineFlags``."""
    signature = inspect.signature(command, eval_str=True)  # typer reads these annotations
    if PARAMETER not in signature.parameters:
        raise TypeError(f"{command.__name__} needs a `{PARAMETER}: DoctrineFlags` parameter")
    extra = [_option(s) for s in SETTINGS]
    names = {_argument(s): s.name for s in SETTINGS}

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        given = {names[k]: kwargs.pop(k) for k in list(kwargs) if k in names}
        flags = DoctrineFlags({k: v for k, v in given.items() if v is not None})
        return command(*args, **kwargs, **{PARAMETER: flags})

    params = [p for name, p in signature.parameters.items() if name != PARAMETER]
    new = signature.replace(parameters=[*params, *extra])
    wrapper.__signature__ = new  # type: ignore[attr-defined]
    wrapper.__annotations__ = {p.name: p.annotation for p in new.parameters.values()}
    del wrapper.__wrapped__  # typer must read the new signature, not the wrapped one
    return wrapper  # type: ignore[return-value]
