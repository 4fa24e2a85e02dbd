"""The compiled kernel's per-trial priority order: the rows kept from the once-sorted reference
merged with the rows whose priority differs equal a stable sort of all of them."""

from __future__ import annotations

import numpy as np
import pytest

from shieldwall.outcome._kernels import _merged_order


@pytest.mark.parametrize("seed", range(40))
def test_merged_order_equals_the_stable_sort(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n_r = int(rng.integers(1, 60))
    values = np.array([-5.0, -2.0, -2.0, -1.0, -1.0, -0.0, 0.0])  # many equal priorities
    ref_prio = rng.choice(values, n_r)
    ref_auth = rng.random(n_r) < 0.8
    ref_rows = np.flatnonzero(ref_auth)
    ref_order = ref_rows[np.argsort(ref_prio[ref_rows], kind="stable")]
    for _ in range(20):
        # per trial: some rows lose authority, some take another priority (or gain authority)
        auth = np.where(rng.random(n_r) < 0.15, ~ref_auth, ref_auth)
        prio = np.where(
            rng.random(n_r) < rng.choice([0.0, 0.1, 0.6]), rng.choice(values, n_r), ref_prio
        )
        prio[rng.random(n_r) < 0.03] = np.nan
        kept = auth & ref_auth & (prio == ref_prio)
        new_rows = np.flatnonzero(auth & ~kept)
        perm = np.full(n_r, -1, dtype=np.int64)
        count = _merged_order(ref_order, kept, prio, new_rows, prio[new_rows].copy(), perm)
        rows = np.flatnonzero(auth)
        expected = rows[np.argsort(prio[rows], kind="stable")]
        assert count == rows.size
        np.testing.assert_array_equal(perm[:count], expected)
