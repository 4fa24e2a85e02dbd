"""Every command-line usage error is typer's own message with exit code 2, never a traceback.

The cases are generated from the registered command tree, so a command added later is covered
without editing this file: for each command, an unknown option, each missing required parameter
and a non-number given to each numeric option.
"""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer.main

import shieldwall.cli
from shieldwall.cli.main import COMMAND_MODULES, _register, app, main

_register(None)  # all command modules
CLI_DIR = Path(shieldwall.cli.__file__).parent


def _commands(group: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    for name, cmd in sorted(group.commands.items()):
        if hasattr(cmd, "commands"):
            yield from _commands(cmd, (*path, name))
        else:
            yield (*path, name), cmd


COMMANDS = dict(_commands(typer.main.get_command(app)))
GROUPS = sorted({path[:-1] for path in COMMANDS if len(path) > 1})


def _numeric(param: Any) -> bool:
    annotation = param.type_descriptor.annotation
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        annotation = next(a for a in typing.get_args(annotation) if a is not type(None))
    return annotation in (int, float)


def _required_args(cmd: Any, skip: str = "") -> list[str]:
    """Placeholder values for every required parameter (arguments last) except ``skip``."""
    options: list[str] = []
    arguments: list[str] = []
    for p in cmd.params:
        if not p.required or p.name == skip:
            continue
        if p.opts[0].startswith("-"):
            options += [p.opts[0], "x"]
        else:
            arguments.append("x.yaml")
    return options + arguments


def _check_usage_error(argv: list[str], capsys: pytest.CaptureFixture[str], expect: str) -> None:
    code = main(argv)
    captured = capsys.readouterr()
    assert code == 2, (argv, code, captured.err)
    assert expect in captured.err, (argv, captured.err)
    assert "Traceback" not in captured.out + captured.err


def test_every_command_is_covered() -> None:
    assert {"validate", "run", "compare", "fly", "detect", "demo", "schema"} <= {
        path[0] for path in COMMANDS
    }
    assert ("catalog", "show") in COMMANDS
    assert ("wta", "solve") in COMMANDS


def test_every_command_module_is_registered() -> None:
    # The cases above come from the registered tree; a command module missing from
    # COMMAND_MODULES would be neither reachable by name nor covered here.
    modules = {
        path.stem
        for path in CLI_DIR.glob("*.py")
        if re.search(r"^def register\(", path.read_text(encoding="utf-8"), re.MULTILINE)
    }
    assert modules == set(COMMAND_MODULES.values())
    assert {path[0] for path in COMMANDS} == set(COMMAND_MODULES)


@pytest.mark.parametrize("path", sorted(COMMANDS), ids=" ".join)
def test_unknown_option(path: tuple[str, ...], capsys: pytest.CaptureFixture[str]) -> None:
    argv = [*path, *_required_args(COMMANDS[path]), "--no-such-option"]
    _check_usage_error(argv, capsys, "No such option")


MISSING = [
    (path, p.name) for path, cmd in sorted(COMMANDS.items()) for p in cmd.params if p.required
]


@pytest.mark.parametrize(("path", "param"), MISSING, ids=[f"{' '.join(p)}-{n}" for p, n in MISSING])
def test_missing_required(
    path: tuple[str, ...], param: str, capsys: pytest.CaptureFixture[str]
) -> None:
    _check_usage_error([*path, *_required_args(COMMANDS[path], skip=param)], capsys, "Missing")


NUMERIC = [
    (path, p.opts[0])
    for path, cmd in sorted(COMMANDS.items())
    for p in cmd.params
    if p.opts[0].startswith("-") and _numeric(p)
]


@pytest.mark.parametrize(("path", "option"), NUMERIC, ids=[f"{' '.join(p)}{o}" for p, o in NUMERIC])
@pytest.mark.parametrize("value", ["abc", "[/b]", ""])
def test_not_a_number(
    path: tuple[str, ...], option: str, value: str, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = [*path, *_required_args(COMMANDS[path]), option, value]
    _check_usage_error(argv, capsys, "Invalid value")


def test_numeric_options_exist() -> None:
    assert len(NUMERIC) >= 8  # run/compare/demo/detect --trials, --seed, fly, wta


@pytest.mark.parametrize("argv", [["no-such-command"], *[[*g, "no-such-command"] for g in GROUPS]])
def test_unknown_command(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    _check_usage_error(argv, capsys, "No such command")


@pytest.mark.parametrize("argv", [[], *[list(g) for g in GROUPS]])
def test_no_arguments_prints_help(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert "Usage" in captured.out + captured.err
    assert "Traceback" not in captured.out + captured.err


def test_help_and_version_exit_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    assert main(["--version"]) == 0
    for path in COMMANDS:
        assert main([*path, "--help"]) == 0
    assert "Traceback" not in capsys.readouterr().err
