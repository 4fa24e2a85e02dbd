"""Launch-point sampling: uniform by area (Monte Carlo with binomial bounds) and inside the area."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from shieldwall.scenario.launch import inside_polygon, sample_box, sample_polygon

#: Two-sided z for a 99.9 % normal-approximation binomial interval (fixed seed; n = 40 000).
Z999 = 3.29
N = 40_000


def _within_binomial(k: int, n: int, p: float) -> bool:
    return abs(k / n - p) <= Z999 * math.sqrt(p * (1 - p) / n)


def test_box_is_uniform_by_area_not_by_latitude() -> None:
    rng = np.random.default_rng(np.random.SeedSequence(1234))
    lat, lon = sample_box(rng, N, 0.0, math.radians(60), 0.0, math.radians(10))
    k = int(np.count_nonzero(lat < math.radians(30)))
    # Archimedes: area fraction below 30 deg = sin 30 / sin 60 = 0.577 (uniform latitude: 0.5)
    assert _within_binomial(k, N, math.sin(math.radians(30)) / math.sin(math.radians(60)))
    assert not _within_binomial(k, N, 0.5)
    assert _within_binomial(int(np.count_nonzero(lon < math.radians(2.5))), N, 0.25)


def test_polygon_sampling_is_uniform_in_a_triangle() -> None:
    rng = np.random.default_rng(np.random.SeedSequence(99))
    # small right triangle (0,0),(0,1),(1,0) deg: flat enough that area ~ lat/lon area
    tri_lat, tri_lon = np.radians([0.0, 0.0, 1.0]), np.radians([0.0, 1.0, 0.0])
    drawn = sample_polygon(rng, N, tri_lat, tri_lon)
    assert drawn is not None
    lat, lon = drawn
    assert inside_polygon(lat, lon, tri_lat, tri_lon).all()
    # fraction with lat < 0.5 deg: 1 - 0.25 = 0.75 of the triangle's area
    assert _within_binomial(int(np.count_nonzero(lat < math.radians(0.5))), N, 0.75)


def test_inside_polygon_known_points() -> None:
    sq_lat = np.array([0.0, 0.0, 1.0, 1.0])
    sq_lon = np.array([0.0, 1.0, 1.0, 0.0])
    lat = np.array([0.5, 1.5, 0.5, -0.1, 0.99])
    lon = np.array([0.5, 0.5, 1.5, 0.5, 0.01])
    assert inside_polygon(lat, lon, sq_lat, sq_lon).tolist() == [True, False, False, False, True]
    concave_lat = np.array([0.0, 0.0, 1.0, 0.5, 1.0])  # a "V" notch from the top
    concave_lon = np.array([0.0, 1.0, 1.0, 0.5, 0.0])
    pts = inside_polygon(np.array([0.9, 0.2]), np.array([0.5, 0.5]), concave_lat, concave_lon)
    assert pts.tolist() == [False, True]


@settings(max_examples=50, deadline=None)
@given(
    lat0=st.floats(-1.2, 1.1),
    dlat=st.floats(1e-3, 0.3),
    lon0=st.floats(-3.0, 2.9),
    dlon=st.floats(1e-3, 0.3),
    seed=st.integers(0, 2**32),
)
def test_box_points_stay_inside(
    lat0: float, dlat: float, lon0: float, dlon: float, seed: int
) -> None:
    rng = np.random.default_rng(seed)
    lat, lon = sample_box(rng, 200, lat0, lat0 + dlat, lon0, lon0 + dlon)
    assert ((lat >= lat0 - 1e-12) & (lat <= lat0 + dlat + 1e-12)).all()
    assert ((lon >= lon0) & (lon <= lon0 + dlon)).all()
    poly_lat = np.array([lat0, lat0, lat0 + dlat, lat0 + dlat])
    poly_lon = np.array([lon0, lon0 + dlon, lon0 + dlon, lon0])
    inner = (lat > lat0 + 1e-9) & (lat < lat0 + dlat - 1e-9)
    inside = inside_polygon(lat, lon, poly_lat, poly_lon)
    assert inside[inner & (lon > lon0 + 1e-9) & (lon < lon0 + dlon - 1e-9)].all()
