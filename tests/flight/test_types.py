"""The flight types: shape validation and the flyout-table interpolation."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from shieldwall.flight import FlyoutTable


def _linear_table() -> FlyoutTable:
    # tau = 1e-3 * range + 2e-3 * alt is reproduced exactly by bilinear interpolation.
    gr = np.linspace(0.0, 200e3, 21)
    alt = np.linspace(0.0, 150e3, 16)
    tau = 1e-3 * gr[:, None] + 2e-3 * alt[None, :]
    return FlyoutTable(
        name="test",
        ground_range_m=gr,
        alt_m=alt,
        tau_s=tau,
        min_alt_m=10e3,
        max_alt_m=140e3,
        max_ground_range_m=190e3,
    )


@given(st.floats(0.0, 190e3), st.floats(10e3, 140e3))
def test_bilinear_is_exact_for_a_bilinear_function(gr: float, alt: float) -> None:
    t = _linear_table().time_to_reach(gr, alt)
    assert float(t) == pytest.approx(1e-3 * gr + 2e-3 * alt, rel=1e-12, abs=1e-9)


def test_outside_the_envelope_is_nan() -> None:
    table = _linear_table()
    t = table.time_to_reach(np.array([50e3, 195e3, 50e3, 50e3]), np.array([5e3, 50e3, 145e3, 50e3]))
    assert np.isnan(t[:3]).all()
    assert np.isfinite(t[3])


def test_unreachable_cells_propagate_nan() -> None:
    table = _linear_table()
    tau = table.tau_s.copy()
    tau[10, 5] = np.nan
    t = FlyoutTable(**{**table.__dict__, "tau_s": tau}).time_to_reach(100e3, 50e3)
    assert np.isnan(t)


def test_bad_shape_is_refused() -> None:
    with pytest.raises(ValueError, match="tau_s"):
        FlyoutTable(
            name="x",
            ground_range_m=np.arange(3.0),
            alt_m=np.arange(4.0),
            tau_s=np.zeros((4, 3)),
            min_alt_m=0.0,
            max_alt_m=1.0,
            max_ground_range_m=1.0,
        )


def test_interpolated_only_inside_is_the_dense_formula_bit_for_bit() -> None:
    """time_to_reach interpolates only inside the envelope: the values there are the bilinear
    formula evaluated on the whole array (the reference, written out here), NaN elsewhere;
    scalars, NaN padding and 2-D inputs keep their shapes."""
    table = _linear_table()
    rng = np.random.default_rng(3)
    gr = rng.uniform(-20e3, 260e3, (40, 30))
    h = rng.uniform(-5e3, 170e3, (40, 30))
    gr[::7, ::3] = np.nan
    x, y, tau = table.ground_range_m, table.alt_m, table.tau_s
    with np.errstate(invalid="ignore"):
        i = np.clip(np.searchsorted(x, gr, side="right") - 1, 0, x.size - 2)
        j = np.clip(np.searchsorted(y, h, side="right") - 1, 0, y.size - 2)
        fx = (gr - x[i]) / (x[i + 1] - x[i])
        fy = (h - y[j]) / (y[j + 1] - y[j])
        dense = (
            tau[i, j] * (1.0 - fx) * (1.0 - fy)
            + tau[i + 1, j] * fx * (1.0 - fy)
            + tau[i, j + 1] * (1.0 - fx) * fy
            + tau[i + 1, j + 1] * fx * fy
        )
        inside = (
            (h >= table.min_alt_m) & (h <= table.max_alt_m)
            & (gr >= table.min_ground_range_m) & (gr <= table.max_ground_range_m)
            & (gr >= x[0]) & (gr <= x[-1]) & (h >= y[0]) & (h <= y[-1])
        )  # fmt: skip
    got = table.time_to_reach(gr, h)
    assert got.shape == gr.shape
    assert inside.any()
    assert not inside.all()
    np.testing.assert_array_equal(got, np.where(inside, dense, np.nan))
    assert np.ndim(table.time_to_reach(100e3, 50e3)) == 0
