"""Run-record columns built from Arrow buffers: the same arrays as ``pa.array``, and pandas
left unimported (the reason they are built so)."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import numpy as np
import pyarrow as pa
import pytest

from shieldwall.io.columns import _TYPES, _array

CASES = [
    ("float64", [1.5, np.nan, -np.inf, 0.0, np.inf, 2.0]),
    ("float64", np.arange(6.0).reshape(2, 3)),
    ("float64", []),
    ("string", ["a", "", None, "Ω-band", "b"]),
    ("string", ["x", "y"]),
    ("string", []),
    ("int8", [-128, 0, 127]),
    ("int16", np.array([3, -7], dtype=np.int64)),
    ("int32", [1, 2, 3]),
    ("int64", np.arange(5)),
    ("int64", []),
    ("bool", [True, False, True, True, False, False, True, False, True]),
    ("bool", np.array([0, 1, 1])),
    ("bool", []),
]


def _expected(values: object, type_name: str) -> pa.Array:
    """What ``pa.array`` makes of the values, with the record's conventions for nulls."""
    if type_name == "float64":
        arr = np.asarray(values, dtype=np.float64).ravel()
        return pa.array(arr, type=pa.float64(), mask=~np.isfinite(arr))
    if type_name == "string":
        seq = [None if v is None or v == "" else str(v) for v in values]  # type: ignore[attr-defined]
        return pa.array(seq, type=pa.string())
    return pa.array(np.asarray(values).ravel(), type=_TYPES[type_name])


@pytest.mark.parametrize(("type_name", "values"), CASES)
def test_buffers_make_the_same_array_as_pa_array(type_name: str, values: object) -> None:
    got = _array(values, type_name)
    got.validate(full=True)
    want = _expected(values, type_name)
    assert got.type == want.type
    assert got.null_count == want.null_count
    assert got.equals(want)
    assert got.to_pylist() == want.to_pylist()


@pytest.mark.parametrize(
    ("type_name", "values"), [("int8", [300]), ("int32", [1.5]), ("bool", [2, 0])]
)
def test_values_that_do_not_fit_are_refused(type_name: str, values: object) -> None:
    with pytest.raises(ValueError, match="programming error"):
        _array(values, type_name)


def test_building_columns_does_not_import_pandas() -> None:
    code = textwrap.dedent(
        """
        import sys
        from shieldwall.io.columns import _array
        for t, v in [("float64", [1.0, float("nan")]), ("string", ["a", None]),
                     ("int64", [1]), ("bool", [True])]:
            _array(v, t)
        print("pandas" in sys.modules)
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_compare_command_does_not_import_pandas(tmp_path: object) -> None:
    """``shieldwall compare`` writes its run record without pandas (about 1.3 s CPU saved)."""
    from pathlib import Path

    minimal = Path(__file__).resolve().parents[2] / "examples" / "minimal.yaml"
    code = textwrap.dedent(
        f"""
        import sys
        from shieldwall.cli.main import main
        rc = main(["compare", {str(minimal)!r}, "--trials", "50", "--json",
                   "--out", {str(Path(str(tmp_path)) / "run")!r}])
        print("RESULT", rc, "pandas" in sys.modules)
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "RESULT 0 False" in out.stdout
