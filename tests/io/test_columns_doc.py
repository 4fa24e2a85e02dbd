"""docs/results.md and the tables a run record holds stay in step (shieldwall.io.columns)."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pyarrow.parquet as pq

from shieldwall.io.columns import TABLES
from shieldwall.io.run_folder import write_record
from tests.io.records import compare_record

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "results.md"


def _render() -> object:
    spec = importlib.util.spec_from_file_location(
        "build_results_doc", ROOT / "tools" / "build_results_doc.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_doc_column_tables_are_generated_from_the_declarations() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert _render().render(text) == text, "run: uv run python tools/build_results_doc.py"  # type: ignore[attr-defined]


def test_every_table_is_documented_once() -> None:
    documented = re.findall(r"<!-- columns:(\w+) -->", DOC.read_text(encoding="utf-8"))
    assert sorted(documented) == sorted(TABLES)


def test_written_files_have_exactly_the_documented_columns_and_types(tmp_path: Path) -> None:
    folder = write_record(compare_record(), tmp_path / "run")
    written = {p.stem for p in folder.glob("*.parquet")}
    assert written == set(TABLES)
    for name, spec in TABLES.items():
        schema = pq.read_schema(folder / f"{name}.parquet")
        assert schema.names == list(spec.names), name
        assert [str(f.type) for f in schema] == [str(f.type) for f in spec.schema], name
        assert all(c.doc.strip() for c in spec.columns), name
