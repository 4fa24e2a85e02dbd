"""The flyout tables' disk cache: written once, read back bit-identical, ignored when broken."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from shieldwall.flight import interceptor
from shieldwall.flight.flyout_cache import flyout_key

PARAMS = {
    "name": "test-sam",
    "burn_time_s": 6.0,
    "burnout_speed_mps": 1400.0,
    "beta_pa": 20e3,
    "min_alt_m": 3e3,
    "max_alt_m": 25e3,
    "max_ground_range_m": 40e3,
}


def _fresh() -> np.ndarray:
    interceptor._table_cached.cache_clear()
    return interceptor.flyout_table(**PARAMS).tau_s


def test_tables_are_cached_on_disk_and_read_back_identical(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    computed = _fresh()
    files = list((tmp_path / "shieldwall").glob("flyout-*.npy"))
    assert len(files) == 1
    # read from disk: proven by making the computation impossible
    monkeypatch.setattr(interceptor, "flyout_fan", None)
    np.testing.assert_array_equal(_fresh(), computed)
    # another parameter set is another file
    assert flyout_key((6.0, 1400.0, 20e3, 40e3, 25e3)) != flyout_key(
        (6.0, 1401.0, 20e3, 40e3, 25e3)
    )


def test_broken_or_unwritable_cache_is_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    good = _fresh()
    (path,) = (tmp_path / "shieldwall").glob("flyout-*.npy")
    path.write_bytes(b"not a table")
    np.testing.assert_array_equal(_fresh(), good)  # recomputed (and rewritten)
    np.testing.assert_array_equal(np.load(path), good)
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))  # a file where the directory should be
    np.testing.assert_array_equal(_fresh(), good)
    interceptor._table_cached.cache_clear()
