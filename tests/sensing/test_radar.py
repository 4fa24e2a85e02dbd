"""Radar kernels: Swerling-1 and RCS scaling vs references, horizon vs the 4/3-Earth formula,
field of regard, and geometry vs pymap3d."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np
import pymap3d
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from shieldwall.earth.constants import WGS84_A_M
from shieldwall.earth.geodesy import geodetic_to_ecef
from shieldwall.sensing import radar

REF = Path(__file__).parents[1] / "reference" / "shared" / "radars_public.csv"

#: The reference scale factors are printed to 4 decimals.
RCS_SCALE_TOL = 5e-5
#: pymap3d and ours are both exact in float64.
AER_TOL_RAD = 1e-10
AER_TOL_M = 1e-6
#: Our refraction is the small-angle form of the 4/3-Earth model; against the exact radio
#: horizon sqrt(2 k a h) the error is O(h/a) ~ 1e-2 for targets below 60 km.
HORIZON_RTOL = 0.02


def test_pd_at_r0_is_the_definition() -> None:
    pd = radar.swerling1_pd(radar.snr(np.array(1.0), np.array(700e3), np.array(700e3)))
    assert float(pd) == pytest.approx(radar.PD_AT_R0, rel=1e-12)
    # Swerling 1 closed form (Richards 2005, eq. 6.80): Pd = Pfa^(1/(1+SNR))
    assert float(radar.swerling1_pd(np.array(10.0), pfa=1e-6)) == pytest.approx(
        1e-6 ** (1 / 11), rel=1e-12
    )


def _reference_scales() -> list[tuple[float, float]]:
    rows = []
    with REF.open() as f:
        for row in csv.DictReader(f):
            if row["parameter"] == "range_scale_factor_for_RCS":
                sigma = float(row["notes"].split("=")[1].split()[0])
                rows.append((sigma, float(row["value"])))
    return rows


@pytest.mark.parametrize(("sigma_m2", "scale"), _reference_scales())
def test_detection_range_scales_with_rcs_to_the_quarter(sigma_m2: float, scale: float) -> None:
    # the range at which a target of RCS sigma has the Pd a 1 m^2 target has at r0
    r0 = 1000e3
    r = np.linspace(0.05, 1.5, 300_001) * r0
    pd = radar.swerling1_pd(radar.snr(np.array(sigma_m2), r, np.array(r0)))
    r_equal = r[np.argmin(np.abs(pd - radar.PD_AT_R0))]
    assert r_equal / r0 == pytest.approx(scale, abs=RCS_SCALE_TOL)


def test_refracted_horizon_matches_the_four_thirds_earth_formula() -> None:
    # site on the equator at sea level, targets due east at height h: the ellipsoid's
    # east-west radius of curvature on the equator is exactly a
    for h in (5e3, 20e3, 60e3):
        theta = np.linspace(0.0, 0.3, 600_001)
        r = geodetic_to_ecef(np.zeros_like(theta), theta, np.full_like(theta, h))
        az, el, rg = radar.radar_aer(r, np.array([0.0]), np.array([0.0]), np.array([0.0]))
        kw = {
            "boresight_az_rad": np.array([0.0]),
            "half_az_rad": np.array([math.pi]),
            "min_el_rad": np.array([0.0]),
            "max_el_rad": np.array([math.pi / 2]),
            "site_alt_m": np.array([0.0]),
        }
        vis_geo = radar.in_field_of_regard(az, el, rg, refraction=False, **kw)[0]
        vis_ref = radar.in_field_of_regard(az, el, rg, refraction=True, **kw)[0]
        d_geo = WGS84_A_M * theta[vis_geo].max()
        d_ref = WGS84_A_M * theta[vis_ref].max()
        assert d_geo == pytest.approx(WGS84_A_M * math.acos(WGS84_A_M / (WGS84_A_M + h)), rel=1e-4)
        k = radar.REFRACTION_K
        assert d_ref == pytest.approx(math.sqrt(2 * k * WGS84_A_M * h), rel=HORIZON_RTOL)
        assert d_ref > d_geo


@settings(max_examples=60, deadline=None)
@given(
    bore=st.floats(0.0, 2 * math.pi),
    half=st.floats(0.05, 3.0),
    off=st.floats(-math.pi, math.pi),
)
def test_field_of_regard_sector(bore: float, half: float, off: float) -> None:
    assume(abs(abs(off) - half) > 1e-9)  # exactly on the edge is decided by rounding
    az = np.array([[bore + off]])
    inside = radar.in_field_of_regard(
        np.mod(az, 2 * math.pi),
        np.array([[0.3]]),
        np.array([[1e5]]),
        boresight_az_rad=np.array([bore]),
        half_az_rad=np.array([half]),
        min_el_rad=np.array([0.0]),
        max_el_rad=np.array([1.0]),
        site_alt_m=np.array([0.0]),
    )
    assert bool(inside[0, 0]) == (abs(off) <= half)


def test_nan_positions_are_never_visible() -> None:
    r = np.full((2, 3), np.nan)
    az, el, rg = radar.radar_aer(r, np.array([0.6]), np.array([2.2]), np.array([0.0]))
    vis = radar.in_field_of_regard(
        az,
        el,
        rg,
        boresight_az_rad=np.array([0.0]),
        half_az_rad=np.array([math.pi]),
        min_el_rad=np.array([0.0]),
        max_el_rad=np.array([1.5]),
        site_alt_m=np.array([0.0]),
    )
    assert not vis.any()
    assert np.all(radar.swerling1_pd(radar.snr(np.array(1.0), rg, np.array(1e6))) == 0.0)


@pytest.mark.oracle
def test_radar_aer_matches_pymap3d() -> None:
    rng = np.random.default_rng(3)
    lat = np.radians([36.0, 40.9, 24.4])
    lon = np.radians([127.5, 140.3, 123.8])
    alt = np.array([100.0, 30.0, 0.0])
    tgt = geodetic_to_ecef(
        np.radians(rng.uniform(30, 45, 50)),
        np.radians(rng.uniform(120, 145, 50)),
        rng.uniform(0, 6e5, 50),
    )
    az, el, rg = radar.radar_aer(tgt, lat, lon, alt)
    for i in range(3):
        a, e, r = pymap3d.ecef2aer(
            tgt[:, 0], tgt[:, 1], tgt[:, 2], np.degrees(lat[i]), np.degrees(lon[i]), alt[i]
        )
        np.testing.assert_allclose(az[i], np.radians(a), atol=AER_TOL_RAD)
        np.testing.assert_allclose(el[i], np.radians(e), atol=AER_TOL_RAD)
        np.testing.assert_allclose(rg[i], r, atol=AER_TOL_M)


def test_radar_aer_bit_identical_to_broadcast_ecef_to_aer() -> None:
    """The per-radar component form is ecef_to_aer broadcast over radars, bit for bit
    (NaN padding included), on targets of several shapes."""
    from shieldwall.earth.geodesy import ecef_to_aer, geodetic_to_ecef

    rng = np.random.default_rng(7)
    n_radar = 5
    lat = rng.uniform(-1.2, 1.2, n_radar)
    lon = rng.uniform(-3.0, 3.0, n_radar)
    alt = rng.uniform(0.0, 3000.0, n_radar)
    for shape in ((7,), (3, 11), (4, 2, 6)):
        tgt = geodetic_to_ecef(
            rng.uniform(-1.3, 1.3, shape), rng.uniform(-3.1, 3.1, shape),
            rng.uniform(0.0, 1.5e6, shape),
        )  # fmt: skip
        tgt.reshape(-1, 3)[::5] = np.nan
        extra = (1,) * len(shape)
        want = ecef_to_aer(
            tgt[None], lat.reshape(-1, *extra), lon.reshape(-1, *extra), alt.reshape(-1, *extra)
        )
        got = radar.radar_aer(tgt, lat, lon, alt)
        for g, w in zip(got, want, strict=True):
            assert g.shape == (n_radar, *shape)
            np.testing.assert_array_equal(g, w)
