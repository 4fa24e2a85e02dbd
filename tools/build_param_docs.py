"""Rewrite the generated parameter tables in the docs from the parameter table.

``docs/glossary.md`` and ``docs/scenario.md`` carry the catalog keys as a Markdown table between
``<!-- BEGIN parameter table ... -->`` and ``<!-- END parameter table -->``; this script
regenerates them from :data:`shieldwall.scenario.catalog.keys.KEYS` (the scenario doc with the
physical argument for each key's bounds). ``tests/scenario/test_param_table.py`` fails when they
are out of date.

Run: ``uv run python tools/build_param_docs.py``
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from shieldwall.scenario.catalog.keys import markdown_table

ROOT = Path(__file__).resolve().parents[1]
DOCS = {"docs/glossary.md": False, "docs/scenario.md": True}
_BLOCK = re.compile(
    r"(<!-- BEGIN parameter table.*?-->\n)(.*?)(<!-- END parameter table -->)", re.S
)


def main() -> int:
    for name, why in DOCS.items():
        path = ROOT / name
        text = path.read_text(encoding="utf-8")
        if not _BLOCK.search(text):
            print(f"{name}: no generated block (add the BEGIN/END markers)", file=sys.stderr)
            return 1
        table = markdown_table(why=why)
        new = _BLOCK.sub(lambda m, table=table: m.group(1) + table + m.group(3), text)
        if new != text:
            path.write_text(new, encoding="utf-8")
            print(f"rewrote {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
