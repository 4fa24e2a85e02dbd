"""The fuzz suite on a fixed seed and a small budget; ``SHIELDWALL_FUZZ=N`` runs N cases.

Each case (:mod:`tests.fuzz.generator`) is validated and, when it validates, run with
``--trials 20``, then compared (even cases) or detected (odd ones) in this process
(:func:`tests.fuzz.oracle.run_case`). It must end in exit 0, or exit 2 with a location
(file:line:col, a field path, or at least the file), never a traceback, never over the time and
memory budget; whatever ``validate`` accepts, ``run``, ``compare`` and ``detect`` must accept,
and nothing may be left behind.

The default budget (``CI_CASES``, most of them mutations of the small example so that it costs
~60 s of CPU, ~55 s on 2 shared cores) is what ``./dev test`` runs; ``SHIELDWALL_FUZZ=10000`` runs
10,000 cases over every example with the heavy extremes (10,000-missile raids) too — better run
by the parallel command ``uv run python -m tests.fuzz --cases 10000``, which prints the outcome
table.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.fuzz.generator import CI_SEED, EXAMPLES, ci_bases, generate
from tests.fuzz.oracle import memory_budget, run_case

CI_CASES = 200

N_CASES = int(os.environ.get("SHIELDWALL_FUZZ") or CI_CASES)
FULL = "SHIELDWALL_FUZZ" in os.environ
#: CI: mostly the small example (ci_bases); the flag: every example alike.
BASES = EXAMPLES if FULL else ci_bases()
BUDGET_S = 60.0 if FULL else 30.0
MEMORY_BYTES = 4e9


@pytest.mark.parametrize("index", range(N_CASES))
def test_fuzz_case(index: int, tmp_path: Path) -> None:
    case = generate(index, CI_SEED, heavy=FULL, bases=BASES)
    with memory_budget(MEMORY_BYTES):
        result = run_case(case, tmp_path, BUDGET_S)
    if result.failed:
        pytest.fail(
            f"{case.describe()}\n{result.outcome}: {result.detail}\n"
            f"reproduce: uv run python -m tests.fuzz --one {index} "
            + (f"--seed {CI_SEED}" if FULL else "--ci"),
            pytrace=False,
        )


def test_generator_is_deterministic() -> None:
    a = [generate(i, CI_SEED, heavy=False, bases=BASES) for i in range(30)]
    b = [generate(i, CI_SEED, heavy=False, bases=BASES) for i in range(30)]
    assert a == b
    assert len({c.text for c in a}) > 25  # and the cases differ


def test_every_family_is_drawn() -> None:
    from tests.fuzz.generator import FAMILIES

    drawn = {generate(i, CI_SEED, heavy=False, bases=BASES).family for i in range(CI_CASES)}
    assert drawn == set(FAMILIES)


def test_other_command_alternates_compare_and_detect_with_the_case_arguments() -> None:
    from tests.fuzz.generator import Case
    from tests.fuzz.oracle import RUN_TRIALS, other_command

    args = ("--phase", "2026", "--policy", "integrated", "--solver", "exact")
    even = Case(index=4, base="minimal", family="cli", mutations=(), text="", run_args=args)
    odd = Case(index=5, base="minimal", family="cli", mutations=(), text="", run_args=args)
    path, out = Path("s.yaml"), Path("o")
    assert other_command(even, path, out) == [
        "compare", "s.yaml", "--trials", str(RUN_TRIALS), "--out", "o",
        "--phase", "2026", "--policies", "integrated",
    ]  # fmt: skip
    assert other_command(odd, path, out) == [
        "detect", "s.yaml", "--phase", "2026", "--policy", "integrated"
    ]  # fmt: skip
    bare = Case(index=7, base="minimal", family="types", mutations=(), text="")
    assert other_command(bare, path, out) == ["detect", "s.yaml"]


@pytest.mark.parametrize("index", [0, 1])
def test_a_valid_case_runs_every_command(index: int, tmp_path: Path) -> None:
    # The unmutated small example passes validate, run and compare (even) or detect (odd).
    from tests.fuzz.generator import Case
    from tests.fuzz.oracle import run_case

    text = (Path(__file__).resolve().parents[2] / "examples" / "minimal.yaml").read_text()
    case = Case(index=index, base="minimal", family="none", mutations=(), text=text)
    result = run_case(case, tmp_path, 60.0)
    assert (result.outcome, result.detail) == ("validate ok, run ok", "")


def test_a_second_command_that_fails_is_a_failure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # What the oracle makes of a compare that refuses what validate and run accepted.
    from tests.fuzz import oracle
    from tests.fuzz.generator import Case

    text = (Path(__file__).resolve().parents[2] / "examples" / "minimal.yaml").read_text()
    case = Case(index=0, base="minimal", family="none", mutations=(), text=text)
    monkeypatch.setattr(
        oracle, "other_command", lambda c, p, o: ["compare", str(p), "--policies", "nosuch"]
    )
    result = oracle.run_case(case, tmp_path, 60.0)
    assert result.outcome == "validate ok, run ok, compare/detect exit 2"
    assert result.failed
