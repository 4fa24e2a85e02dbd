"""``shieldwall validate FILE...`` and ``shieldwall schema``."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from shieldwall.cli._common import EXIT_BAD_INPUT, EXIT_OK, esc, out, print_json, print_problem
from shieldwall.errors import Problem, ShieldwallError
from shieldwall.flight.checks import validate
from shieldwall.scenario import Scenario
from shieldwall.scenario.loader import EXTENSION_PREFIX
from shieldwall.scenario.summary import summarize

__all__ = ["print_summary", "register", "schema_document", "validate_files"]


def schema_document() -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of a scenario file, from the pydantic models."""
    schema = Scenario.model_json_schema(by_alias=True, mode="validation")
    # top-level `x-...` keys are ignored by the loader: a place for YAML anchors
    schema["patternProperties"] = {f"^{EXTENSION_PREFIX}": {}}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://shieldwall.invalid/scenario.schema.json",
        **schema,
    }


def _problem_json(p: Problem) -> dict[str, Any]:
    return {
        "severity": p.severity,
        "file": p.file,
        "line": p.line,
        "col": p.col,
        "path": p.path,
        "message": p.message,
    }


def validate_files(files: list[Path]) -> list[dict[str, Any]]:
    """Validate each file as every simulation command would (every phase, the flight checks);
    one result dict per file (``ok``, ``problems``, ``summary`` when ok)."""
    results: list[dict[str, Any]] = []
    for path in files:
        found = validate(path)
        result: dict[str, Any] = {"file": str(path), "ok": found.ok, "problems": found.problems}
        if found.ok and found.scenario is not None:
            result["summary"] = summarize(found.scenario, worlds=found.worlds)
        results.append(result)
    return results


def _counts(counts: dict[str, int]) -> str:
    return esc(", ".join(f"{n} {name}" for name, n in counts.items())) or "none"


def print_summary(summary: dict[str, Any]) -> None:
    """A few lines saying what a scenario contains (last phase in full, then each phase)."""
    last = summary["phases"][-1]
    out.print(f"[bold]{esc(summary['name'])}[/bold]  ({esc(summary['file'] or 'text')})")
    out.print(f"  nations     {esc(', '.join(summary['nations']))}")
    out.print(f"  assets      {last['assets']}")
    out.print(f"  radars      {last['radars']}    satellites {last['satellites']}")
    n_int = sum(last["interceptors"].values())
    out.print(
        f"  batteries   {last['batteries']} with {n_int} interceptors "
        f"({_counts(last['interceptors'])})"
    )
    out.print(f"  raid        {last['raid_size']} missiles ({_counts(last['raid'])})")
    out.print(f"  policies    {esc(', '.join(summary['policies']))}")
    out.print(f"  trials      {summary['trials']}    seed {summary['seed']}")
    phases = summary["phases"]
    out.print(f"  phases      {len(phases)}")
    for k, ph in enumerate(phases):
        n = sum(ph["interceptors"].values())
        out.print(
            f"    {k}. {esc(ph['phase'])}: {ph['assets']} assets, {ph['radars']} radars, "
            f"{ph['batteries']} batteries, {n} interceptors"
        )


def register(app: typer.Typer) -> None:
    """Add ``validate`` and ``schema`` to the CLI."""

    @app.command()
    def validate(
        files: Annotated[list[Path], typer.Argument(help="Scenario files (YAML) to check.")],
        as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
    ) -> int:
        """Check scenario files; print what each contains, or every problem with file:line:col.

        Exit code 0 when every file is valid (warnings allowed), 2 otherwise.
        """
        results = validate_files(files)
        ok = all(r["ok"] for r in results)
        if as_json:
            print_json(
                [{**r, "problems": [_problem_json(p) for p in r["problems"]]} for r in results]
            )
        else:
            for r in results:
                for problem in r["problems"]:
                    print_problem(problem)
                if r["ok"]:
                    print_summary(r["summary"])
                    n_warn = len(r["problems"])
                    note = f" ({n_warn} warning{'s' if n_warn != 1 else ''})" if n_warn else ""
                    out.print(f"[green]ok[/green] {esc(r['file'])}{note}")
                else:
                    n_err = sum(p.severity == "error" for p in r["problems"])
                    out.print(
                        f"[red]invalid[/red] {esc(r['file'])} "
                        f"({n_err} error{'s' if n_err != 1 else ''})",
                        markup=True,
                    )
        code = EXIT_OK if ok else EXIT_BAD_INPUT
        if code:
            raise typer.Exit(code)
        return code

    @app.command()
    def schema(
        output: Annotated[
            Path | None,
            typer.Option("--output", "-o", help="Write to this file instead of stdout."),
        ] = None,
    ) -> None:
        """Print the JSON Schema of scenario files (for editor completion and checking)."""
        text = json.dumps(schema_document(), indent=2) + "\n"
        if output is None:
            sys.stdout.write(text)
            sys.stdout.flush()
        else:
            try:
                output.write_text(text, encoding="utf-8")
            except OSError as exc:
                raise ShieldwallError(f"cannot write {output}: {exc.strerror or exc}") from None
