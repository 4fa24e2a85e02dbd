"""A mistake in any entry added for issue #14 (Iranian missiles, AN/FPS-132) or in a cost key
(#12) is reported with file:line, the field and what is allowed, exit code 2.

Each case copies one shipped entry (renamed, so it does not clash with the shipped one) with the
file's sources into a user catalog file, breaks one parameter, and runs ``shieldwall catalog
check`` on it.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from shieldwall.cli.main import main
from shieldwall.scenario.catalog import shipped_catalog_paths

NEW_MISSILES = [
    "Fateh-110",
    "Fateh-313",
    "Zolfaghar",
    "Dezful",
    "Qiam-1",
    "Shahab-3",
    "Ghadr-110",
    "Emad",
    "Sejjil",
    "Kheibar Shekan",
    "Haj Qasem",
    "Khorramshahr",
]
FILES = {p.name: p for p in shipped_catalog_paths()}

#: (what is broken, regex on the parameter line, replacement, expected message fragment)
MUTATIONS = {
    "out_of_bounds": (r"max_range_km: \{value: [\d.]+", "max_range_km: {value: -5", "use a number"),
    "range_excludes_value": (
        r"burn_time_s: \{value: [\d.]+",
        "burn_time_s: {value: 999",
        "does not contain value 999",
    ),
    "unknown_source": (r"(reliability: \{[^}]*?)ref: \w+", r"\1ref: nosuch", "unknown source key"),
    "cost_without_range": (
        r"(unit_cost_musd: \{value: [\d.]+, confidence: assumption), range: \[[\d., ]+\]",
        r"\1",
        "needs a plausible `range",
    ),
}


def _entry_file(file_name: str, entry: str) -> list[str]:
    """The shipped file's header and sources, then only ``entry`` renamed ``<entry> copy``."""
    lines = FILES[file_name].read_text(encoding="utf-8").splitlines()
    start = lines.index("entries:")
    head = lines[: start + 1]
    first = lines.index(f"  - name: {entry}")
    end = next(
        (i for i in range(first + 1, len(lines)) if re.match(r"  (- name:|#)", lines[i])),
        len(lines),
    )
    body = [ln for ln in lines[first:end] if not ln.startswith("    aliases:")]
    body[0] = f"  - name: {entry} copy"
    return head + body


def _check(tmp_path: Path, lines: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    path = tmp_path / "user.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code = main(["catalog", "check", str(path)])
    err = capsys.readouterr().err
    assert code == 2, err
    assert "Traceback" not in err
    return err


@pytest.mark.parametrize("entry", [*NEW_MISSILES, "AN/FPS-132"])
def test_the_unbroken_copy_is_valid(
    entry: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file_name = "radars.yaml" if entry.startswith("AN/") else "missiles.yaml"
    path = tmp_path / "user.yaml"
    path.write_text("\n".join(_entry_file(file_name, entry)) + "\n", encoding="utf-8")
    assert main(["catalog", "check", str(path)]) == 0, capsys.readouterr().err


#: Each new missile broken once, the kinds of mistake taken in turn (each kind three times).
CASES = [(entry, list(MUTATIONS)[i % len(MUTATIONS)]) for i, entry in enumerate(NEW_MISSILES)]


@pytest.mark.parametrize(("entry", "mutation"), CASES)
def test_a_broken_new_missile_is_reported_at_its_line(
    entry: str, mutation: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pattern, replacement, expected = MUTATIONS[mutation]
    lines = _entry_file("missiles.yaml", entry)
    hits = [i for i, ln in enumerate(lines) if re.search(pattern, ln)]
    assert len(hits) == 1, (entry, mutation)
    lines[hits[0]] = re.sub(pattern, replacement, lines[hits[0]])
    err = _check(tmp_path, lines, capsys)
    assert f"user.yaml:{hits[0] + 1}:" in err, err
    assert expected in err, err


@pytest.mark.parametrize(
    ("key", "replacement", "expected"),
    [
        ("band", "band: {value: VHF,", "one of UHF, L, S, C, X"),
        ("half_az_deg", "half_az_deg: {value: 240,", "use a number in [0.1, 180]"),
        ("unit_cost_musd", "unit_cost_musd: {value: -1,", "use a number in [0, 10000]"),
    ],
)
def test_a_broken_fps132_is_reported_at_its_line(
    key: str, replacement: str, expected: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = _entry_file("radars.yaml", "AN/FPS-132")
    (i,) = [i for i, ln in enumerate(lines) if ln.strip().startswith(f"{key}: ")]
    lines[i] = re.sub(rf"{key}: \{{value: [^,]+,", replacement, lines[i])
    err = _check(tmp_path, lines, capsys)
    assert f"user.yaml:{i + 1}:" in err, err
    assert expected in err, err


def test_a_missing_cost_key_is_reported_on_the_entry(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # every catalog entry carries every cost key (only inline scenario objects may omit them)
    lines = _entry_file("interceptors.yaml", "THAAD")
    lines = [ln for ln in lines if "round_cost_musd:" not in ln]
    err = _check(tmp_path, lines, capsys)
    assert "lacks interceptor parameters: round_cost_musd" in err, err
    assert re.search(r"user\.yaml:\d+:", err)
