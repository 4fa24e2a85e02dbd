"""Rewrite the generated column tables of docs/results.md from shieldwall.io.columns.

Each table block sits between ``<!-- columns:NAME -->`` and ``<!-- /columns -->``; everything
else in the document is prose and stays as written. ``tests/io/test_columns_doc.py`` fails when
the document and the declarations differ; run ``uv run python tools/build_results_doc.py`` then.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from shieldwall.io.columns import TABLES, markdown

DOC = Path(__file__).resolve().parents[1] / "docs" / "results.md"
BLOCK = re.compile(r"<!-- columns:(\w+) -->\n.*?<!-- /columns -->", re.DOTALL)


def render(text: str) -> str:
    """The document with every block regenerated."""

    def sub(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in TABLES:
            raise SystemExit(f"docs/results.md: no table {name!r} in shieldwall.io.columns")
        return f"<!-- columns:{name} -->\n{markdown(name)}\n<!-- /columns -->"

    return BLOCK.sub(sub, text)


if __name__ == "__main__":
    new = render(DOC.read_text(encoding="utf-8"))
    DOC.write_text(new, encoding="utf-8")
    sys.stdout.write(f"wrote {DOC}\n")
