"""The compiled sensor geometry and cued Pd against their numpy reference formulations.

On the machine that wrote them the two are bit-identical (the same libm calls in the same
order, checked on the flagship and its 1,000-threat raid); elsewhere numpy may use SIMD
transcendentals, so floats are compared to ``RTOL`` and the field of regard, which a last-bit
difference could flip only at its exact boundary, to ``MAX_FLIPS``.
"""

from __future__ import annotations

import dataclasses
from functools import lru_cache
from pathlib import Path

import numpy as np
import pytest

import shieldwall.sensing.visibility as visibility
from shieldwall.flight import Trajectories, fly_raid
from shieldwall.scenario import compile_world, load_scenario
from shieldwall.scenario.world import World
from shieldwall.sensing import observe, sensor_geometry
from shieldwall.sensing.visibility import _look_pd, _look_pd_numpy, sensor_geometry_numpy
from shieldwall.tracking.chunks import chunk_threats
from tests.sensing import synth

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
#: A few ulps of libm's error (vectorized vs scalar transcendentals), not a model tolerance.
RTOL = 1e-12
#: Samples whose visibility may differ: only where a last-bit difference straddles a limit.
MAX_FLIPS = 2


@lru_cache(maxsize=4)
def scenario(name: str) -> tuple[World, Trajectories]:
    world = compile_world(load_scenario(EXAMPLES / f"{name}.yaml"))
    return world, fly_raid(world)


def _synthetic_no_satellites() -> tuple[World, Trajectories]:
    """Sector radars whose boresights straddle north (azimuth wrap), no satellite, a radar
    that searches a full circle, a revisit faster than the grid."""
    _, traj = synth.korea_japan()
    radars = synth.radar_table(
        [
            {"nation_idx": 0, "lat_deg": 36.0, "lon_deg": 127.5, "boresight_az_deg": 355,
             "half_az_deg": 60, "r0_km": 900},
            {"nation_idx": 1, "lat_deg": 40.5, "lon_deg": 141.0, "boresight_az_deg": 250,
             "half_az_deg": 70, "alt_m": 300, "search_range_factor": 0.4},
            {"nation_idx": 1, "lat_deg": 35.5, "lon_deg": 136.0, "revisit_s": 0.25},
        ]
    )  # fmt: skip
    return synth.world(radars), traj


def settings() -> list[tuple[str, World, Trajectories]]:
    out = [("synthetic", *synth.korea_japan()), ("synthetic_no_sat", *_synthetic_no_satellites())]
    for name in ("korea_japan", "gulf", "minimal"):
        world, traj = scenario(name)
        out.append((name, world, traj))
        if name == "korea_japan":  # the pipeline's chunks, one of them
            idx = chunk_threats(traj.lengths)
            out.append((f"{name}[chunk]", world, traj.take(idx[len(idx) // 2])))
    return out


SETTINGS = settings()
IDS = [s[0] for s in SETTINGS]


def assert_close(a: np.ndarray, b: np.ndarray, name: str) -> None:
    a, b = np.asarray(a), np.asarray(b)
    assert a.shape == b.shape, name
    assert a.dtype == b.dtype, name
    if a.dtype.kind == "f":
        np.testing.assert_allclose(b, a, rtol=RTOL, atol=0.0, equal_nan=True, err_msg=name)
    else:
        np.testing.assert_array_equal(b, a, err_msg=name)


def same_geometry(ref: visibility.SensorGeometry, new: visibility.SensorGeometry) -> None:
    """Every field close; where visibility flipped (at most ``MAX_FLIPS``), those (radar,
    threat) rows are left out (a flip moves the track initiation that follows it)."""
    flips = ref.visible != new.visible
    assert flips.sum() <= MAX_FLIPS
    row = flips.any(axis=-1)  # (radar, threat)
    for f in dataclasses.fields(ref):
        a, b = getattr(ref, f.name), getattr(new, f.name)
        if not isinstance(a, np.ndarray):
            assert a == b, f.name
            continue
        if a.shape[:2] == row.shape:
            a, b = a[~row], b[~row]
        assert_close(a, b, f.name)


@pytest.mark.parametrize("refraction", [True, False])
@pytest.mark.parametrize(("name", "world", "traj"), SETTINGS, ids=IDS)
def test_sensor_geometry_kernel_matches_numpy(name, world, traj, refraction) -> None:  # type: ignore[no-untyped-def]
    same_geometry(
        sensor_geometry_numpy(world, traj, refraction=refraction),
        sensor_geometry(world, traj, refraction=refraction),
    )


@pytest.mark.parametrize(("name", "world", "traj"), SETTINGS, ids=IDS)
def test_look_pd_kernel_matches_numpy(name, world, traj) -> None:  # type: ignore[no-untyped-def]
    base = sensor_geometry(world, traj)
    for policy in (None, *world.policies.values()):
        (pd_ref, cue_ref), (pd, cue) = (
            _look_pd_numpy(world, base, policy),
            _look_pd(world, base, policy),
        )
        assert_close(cue_ref, cue, "cue_t_s")
        assert_close(pd_ref, pd, f"pd1 {getattr(policy, 'name', None)}")
    if name in ("synthetic", "korea_japan"):  # the cued branch is exercised: Pd changed
        pd, _ = _look_pd(world, base, world.policies["integrated"])
        assert np.any(pd != base.pd_uncued)


@pytest.mark.parametrize(("name", "world", "traj"), SETTINGS[:3], ids=IDS[:3])
def test_observe_with_kernels_matches_numpy(name, world, traj, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    base = sensor_geometry(world, traj)
    new = {p: observe(world, traj, world.policies[p], base=base) for p in world.policies}
    monkeypatch.setattr(visibility, "_look_pd", _look_pd_numpy)
    ref_base = sensor_geometry_numpy(world, traj)
    for p, vis in new.items():
        ref = observe(world, traj, world.policies[p], base=ref_base)
        for f in dataclasses.fields(ref):
            a = getattr(ref, f.name)
            if isinstance(a, np.ndarray):
                assert_close(a, getattr(vis, f.name), f"{p}: {f.name}")


def test_kernel_field_of_regard_wraps_north_and_skips_padding() -> None:
    world, traj = _synthetic_no_satellites()
    geo = sensor_geometry(world, traj)
    pad = ~np.isfinite(traj.t_s)
    assert pad.any()
    assert not geo.visible[:, pad].any()
    assert np.all(geo.pd_uncued[:, pad] == 0.0)
    assert np.all(geo.snr_cued[~geo.visible] == 0.0)
    assert geo.visible[0].any()  # the sector across north sees the threats to its east


def test_kernels_on_empty_and_single_rows() -> None:
    world, traj = synth.korea_japan()
    one = synth.radar_table(
        [{"nation_idx": 0, "lat_deg": 36.0, "lon_deg": 127.5, "half_az_deg": 30,
          "boresight_az_deg": -20, "min_el_deg": -1}]
    )  # fmt: skip
    cases = [
        (world, traj.take(np.zeros(0, np.int64))),  # no threat
        (dataclasses.replace(world, radars=synth.radar_table([])), traj),  # no radar
        (synth.world(one), traj.take(np.array([1]))),  # a negative boresight, no satellite
    ]
    for w, tr in cases:
        base = sensor_geometry(w, tr)
        same_geometry(sensor_geometry_numpy(w, tr), base)
        for policy in (None, *w.policies.values()):
            for a, b in zip(
                _look_pd_numpy(w, base, policy), _look_pd(w, base, policy), strict=True
            ):
                assert_close(a, b, "look_pd")
