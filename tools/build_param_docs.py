"""Rewrite the generated tables in the docs from the tables in the code.

``docs/glossary.md`` and ``docs/scenario.md`` carry the catalog keys as a Markdown table between
``<!-- BEGIN parameter table ... -->`` and ``<!-- END parameter table -->``, regenerated from
:data:`shieldwall.scenario.catalog.keys.KEYS` (the scenario doc with the physical argument for
each key's bounds); ``docs/scenario.md`` also the doctrine settings between ``<!-- BEGIN doctrine
table ... -->`` and ``<!-- END doctrine table -->`` from
:data:`shieldwall.scenario.doctrine.SETTINGS`. Tests fail when they are out of date.

Run: ``uv run python tools/build_param_docs.py``
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from shieldwall.scenario import doctrine
from shieldwall.scenario.catalog import keys

ROOT = Path(__file__).resolve().parents[1]
#: (document, block name, generated text)
BLOCKS = (
    ("docs/glossary.md", "parameter table", keys.markdown_table(why=False)),
    ("docs/scenario.md", "parameter table", keys.markdown_table(why=True)),
    ("docs/scenario.md", "doctrine table", doctrine.markdown_table()),
)


def block(name: str) -> re.Pattern[str]:
    """The generated block ``name`` of a document (groups: opening marker, text, end marker)."""
    return re.compile(rf"(<!-- BEGIN {name}.*?-->\n)(.*?)(<!-- END {name} -->)", re.S)


def main() -> int:
    for doc, name, table in BLOCKS:
        path = ROOT / doc
        text = path.read_text(encoding="utf-8")
        if not block(name).search(text):
            print(f"{doc}: no generated {name} (add the BEGIN/END markers)", file=sys.stderr)
            return 1
        new = block(name).sub(lambda m, table=table: m.group(1) + table + m.group(3), text)
        if new != text:
            path.write_text(new, encoding="utf-8")
            print(f"rewrote {name} in {doc}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
