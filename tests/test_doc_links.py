"""Every documentation reference in the project resolves (docs/architecture.md §7).

- ``docs/page.md`` named anywhere in the code, tests, tools, benchmarks, ``./dev``, the docs,
  the changelog or the README is a file of docs/;
- ``docs/page.md §n`` (or ``§n.m``) names a heading of that page that starts with that number
  (``## 4. The fight``, ``### 3.1 Flight and failure``);
- a relative Markdown link in docs/ or README.md (``[x](results.md)``,
  ``[x](interfaces.md#anchor)``, ``[x](#anchor)``) names an existing file and, with ``#``, one of
  its headings' anchors (GitHub's rule: lower case, punctuation dropped, spaces to hyphens);
- no file points at a design document that is not in the repository (``DESIGN.md``, the
  ``CONTRACT``).
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"

#: Where references are looked for (text files only).
SEARCHED = ("src", "docs", "tests", "tools", "benchmarks")
SEARCHED_FILES = ("dev", "pyproject.toml", "CHANGELOG.md", "README.md")
SUFFIXES = {".py", ".md", ".toml", ".yaml", ".yml", ".js", ".html", ".css", ".txt"}

#: ``docs/x.md`` optionally followed by ``§n`` / ``§ n.m``.
DOC_REF = re.compile(r"(?<![\w/.-])docs/([A-Za-z0-9_-]+\.md)(?:\s*§\s*(\d+(?:\.\d+)*))?")
#: A Markdown link's target (not an image, not a URL, not mail).
MD_LINK = re.compile(r"(?<!!)\[[^\]\n]*\]\(\s*([^)\s]+)\s*\)")
#: Pointers at documents that the repository does not hold.
FOREIGN = re.compile(r"\bDESIGN(?:\.md)?\s*§|\bDESIGN\.md\b|\bCONTRACT\s*§")
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
FENCE = re.compile(r"^\s*(```|~~~)")


def _files() -> list[Path]:
    out = [ROOT / f for f in SEARCHED_FILES if (ROOT / f).is_file()]
    for top in SEARCHED:
        for path in sorted((ROOT / top).rglob("*")):
            if (
                path.is_file()
                and path.suffix in SUFFIXES
                and "__pycache__" not in path.parts
                and "node_modules" not in path.parts
                and path != Path(__file__).resolve()  # this file's docstring shows the forms
            ):
                out.append(path)
    return out


@cache
def headings(page: Path) -> tuple[str, ...]:
    """The heading texts of a Markdown page, outside code fences."""
    found: list[str] = []
    fenced = False
    for line in page.read_text(encoding="utf-8").splitlines():
        if FENCE.match(line):
            fenced = not fenced
            continue
        m = None if fenced else HEADING.match(line)
        if m:
            found.append(m.group(2))
    return tuple(found)


def anchor(heading: str) -> str:
    """GitHub's anchor of a heading: lower case, markup and punctuation dropped, spaces → -."""
    text = re.sub(r"[`*_]", "", heading.lower())
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def section_exists(page: Path, number: str) -> bool:
    """Whether ``page`` has a heading numbered ``number`` (``4`` → ``## 4. …``, ``3.1`` → …)."""
    pattern = re.compile(rf"^{re.escape(number)}(?:\.|\s|$)")
    return any(pattern.match(h) for h in headings(page))


def _references() -> list[tuple[str, str, str | None]]:
    """(where, page, section or None) for every ``docs/x.md [§n]`` in the searched files."""
    refs = []
    for path in _files():
        text = path.read_text(encoding="utf-8", errors="replace")
        for m in DOC_REF.finditer(text):
            line = text.count("\n", 0, m.start()) + 1
            refs.append((f"{path.relative_to(ROOT)}:{line}", m.group(1), m.group(2)))
    return refs


def _problems(refs: list[tuple[str, str, str | None]]) -> list[str]:
    problems = []
    for where, page, section in refs:
        target = DOCS / page
        if not target.is_file():
            problems.append(f"{where}: docs/{page} does not exist")
        elif section is not None and not section_exists(target, section):
            problems.append(f"{where}: docs/{page} has no section §{section}")
    return problems


def test_every_docs_reference_resolves() -> None:
    refs = _references()
    assert len(refs) > 100  # the pattern finds the project's references at all
    assert any(section for _, _, section in refs)
    problems = _problems(refs)
    assert not problems, "\n".join(problems)


def _md_links() -> list[tuple[str, Path, str]]:
    links = []
    for page in [*sorted(DOCS.glob("*.md")), ROOT / "README.md"]:
        fenced = False
        for n, line in enumerate(page.read_text(encoding="utf-8").splitlines(), 1):
            if FENCE.match(line):
                fenced = not fenced
            if fenced:
                continue
            for m in MD_LINK.finditer(line):
                target = m.group(1)
                if re.match(r"^[a-z][a-z0-9+.-]*:", target):  # http:, mailto:, …
                    continue
                links.append((f"{page.relative_to(ROOT)}:{n}", page, target))
    return links


def _link_problem(page: Path, target: str) -> str | None:
    path_part, _, frag = target.partition("#")
    dest = page if not path_part else (page.parent / path_part).resolve()
    if not dest.exists():
        return f"{path_part} does not exist"
    if frag and dest.suffix == ".md" and frag not in {anchor(h) for h in headings(dest)}:
        return f"{dest.name} has no heading with anchor #{frag}"
    return None


def test_every_relative_link_in_docs_resolves() -> None:
    links = _md_links()
    assert links  # docs/ does link between its pages
    problems = [
        f"{where}: ({target}): {problem}"
        for where, page, target in links
        if (problem := _link_problem(page, target)) is not None
    ]
    assert not problems, "\n".join(problems)


def test_no_pointer_to_a_document_outside_the_repository() -> None:
    hits = []
    for path in _files():
        for n, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines()):
            if FOREIGN.search(line):
                hits.append(f"{path.relative_to(ROOT)}:{n + 1}: {line.strip()[:100]}")
    assert not hits, "\n".join(hits)


# --- the checker itself finds what it must ------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("see docs/battle.md §4.", ("battle.md", "4")),
        ("(docs/battle.md § 3.1, rules)", ("battle.md", "3.1")),
        ("docs/results.md has it", ("results.md", None)),
    ],
)
def test_reference_pattern(text: str, expected: tuple[str, str | None]) -> None:
    m = DOC_REF.search(text)
    assert m is not None
    assert (m.group(1), m.group(2)) == expected


def test_broken_references_are_reported() -> None:
    refs = [
        ("a:1", "battle.md", "4"),  # exists
        ("a:2", "battle.md", "3.1"),  # exists
        ("a:3", "battle.md", "99"),  # no such section
        ("a:4", "no_such_page.md", None),  # no such page
        ("a:5", "battle.md", "3.9"),  # no such subsection
    ]
    assert _problems(refs) == [
        "a:3: docs/battle.md has no section §99",
        "a:4: docs/no_such_page.md does not exist",
        "a:5: docs/battle.md has no section §3.9",
    ]


def test_anchors_follow_github() -> None:
    assert anchor("Sensing → `Visibility` (owner: sensing/)") == "sensing--visibility-owner-sensing"
    assert anchor("Parameter table") == "parameter-table"
    page = DOCS / "interfaces.md"
    assert _link_problem(page, "interfaces.md#sensing--visibility-owner-sensing") is None
    assert _link_problem(page, "interfaces.md#no-such-heading") is not None
    assert _link_problem(page, "no_such.md") is not None


def test_foreign_pattern() -> None:
    assert FOREIGN.search("(DESIGN.md §3)")
    assert FOREIGN.search("DESIGN §5: zero range")
    assert FOREIGN.search("CONTRACT §2.1")
    assert not FOREIGN.search("a DESIGN study over budgets")
