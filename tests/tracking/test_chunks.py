"""Policy-independent sensing/tracking once per raid geometry, in threat chunks (issue #10).

The reference is the plain whole-raid path (``observe`` + ``track`` per policy, everything
recomputed in numpy): the chunked path with a shared base and the compiled filters must give
the same fire-control crossings, track and detection times, first-track distributions and
radar tracks bit for bit, and the same covariances to rounding; and chunked pictures of any
chunk size must be bit-identical to each other.
"""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache
from pathlib import Path

import numpy as np
import pytest

from shieldwall.flight import Trajectories, fly_raid
from shieldwall.scenario import World, compile_world, load_scenario
from shieldwall.sensing import observe, sensor_geometry
from shieldwall.tracking import picture, prepare, track, tracking_geometry
from shieldwall.tracking.chunks import (
    ReleasedDetail,
    chunk_threats,
    pictures,
)
from tests.sensing import synth

FLAGSHIP = Path(__file__).resolve().parents[2] / "examples" / "korea_japan.yaml"
#: The compiled filters and the numpy reference sum the same terms in other orders; over a few
#: hundred updates of a filter whose prior is 1e4 times its converged variance the covariances
#: agree to ~1e-10 of their size (flagship: 9e-11).
COV_RTOL = 1e-9
#: Fields that must agree exactly; the covariances agree to COV_RTOL.
PICTURE_FIELDS = (
    "fc_sigma_req_m",
    "fc_index",
    "radar_tracking",
    "track_cdf",
    "track_t_s",
    "first_detect_t_s",
    "first_detect_sensor",
    "guidance_radars",
    "ipp_axes_ecef",
    "ipp_from_t_s",
)


@lru_cache(maxsize=1)
def flagship() -> tuple[World, Trajectories]:
    world = compile_world(load_scenario(FLAGSHIP))
    return world, fly_raid(world)


def assert_same_picture(a, b, valid, cov_rtol: float = 0.0) -> None:  # type: ignore[no-untyped-def]
    for name in (*PICTURE_FIELDS, "fc_ipp_cov_m2", "ipp_cov_m2", "ipp_sigma_m"):
        x, y = np.asarray(getattr(a, name)), np.asarray(getattr(b, name))
        assert x.shape == y.shape, name
        if x.ndim >= 3 and x.shape[1:3] == valid.shape:  # (axis, threat, sample, ...)
            x, y = x[:, valid], y[:, valid]  # padding values are not part of the result
        if name in PICTURE_FIELDS or cov_rtol == 0.0:
            assert np.array_equal(x, y, equal_nan=True), name
        else:
            assert np.array_equal(np.isfinite(x), np.isfinite(y)), name
            fin = np.isfinite(y)
            np.testing.assert_allclose(x[fin], y[fin], rtol=0, atol=cov_rtol * np.abs(y[fin]).max())


@pytest.mark.parametrize("policy", ["cueing", "shared_tracks"])
def test_chunked_picture_agrees_with_the_whole_raid_path(policy: str) -> None:
    world, traj = flagship()
    pol = world.policies[policy]
    plain = track(world, traj, observe(world, traj, pol), pol)
    valid = np.isfinite(traj.t_s)
    first = None
    for size in (1 << 30, 3000, 700):
        base = prepare(world, traj, chunk_samples=size)
        assert sum(c.threat_idx.size for c in base.chunks) == traj.n
        pic = picture(world, traj, pol, base=base)
        assert_same_picture(plain, pic, valid, COV_RTOL)
        if first is None:
            first = pic
        else:  # results do not depend on the chunking, bit for bit
            assert_same_picture(first, pic, valid)
    assert first is not None
    assert (first.fc_index >= 0).any()  # the crossings are real
    # small chunks really do trim the padding of the longest flight
    cells = sum(c.trajectories.t_s.size for c in prepare(world, traj, chunk_samples=3000).chunks)
    assert cells < 0.6 * traj.t_s.size


def test_one_base_serves_every_policy_and_remembers_the_last_picture() -> None:
    world, traj = synth.korea_japan()
    base = prepare(world, traj, chunk_samples=150)
    assert len(base.chunks) >= 2
    valid = np.isfinite(traj.t_s)
    for p in ("national", "cueing", "shared_tracks", "integrated", "national"):
        pol = world.policies[p]
        assert_same_picture(
            track(world, traj, observe(world, traj, pol), pol),
            picture(world, traj, pol, base=base),
            valid,
            COV_RTOL,
        )
    # integrated after shared_tracks: the same cueing and fusion, reused with its own guidance
    st = picture(world, traj, world.policies["shared_tracks"], base=base)
    it = picture(world, traj, world.policies["integrated"], base=base)
    assert it.fc_index is st.fc_index
    assert it.detail is st.detail
    assert it.policy == "integrated"
    assert it.guidance_radars.all()
    assert not st.guidance_radars.all()
    # a latency change is a new picture
    slow = replace(
        world.policies["integrated"], latency_s=world.policies["integrated"].latency_s * 3
    )
    assert picture(world, traj, slow, base=base).fc_index is not it.fc_index


@pytest.mark.parametrize("chunk_samples", [150, 1 << 15])
def test_pictures_in_one_pass_equal_each_picture_from_a_held_base(chunk_samples: int) -> None:
    world, traj = synth.korea_japan()
    names = ["national", "shared_tracks", "cueing", "integrated"]
    pols = [world.policies[p] for p in names]
    base = prepare(world, traj, chunk_samples=chunk_samples)
    got = pictures(world, traj, pols, chunk_samples=chunk_samples)
    assert list(got.pictures) == names
    valid = np.isfinite(traj.t_s)
    for pol in pols:
        want = picture(world, traj, pol, base=base)
        pic = got.pictures[pol.name]
        assert isinstance(pic.detail, ReleasedDetail)
        assert pic.policy == pol.name
        assert_same_picture(want, pic, valid)  # bit for bit, the IPP series remade
        assert np.array_equal(want.guidance_radars, pic.guidance_radars)
    r, i, k = np.meshgrid(np.arange(len(world.radars.id)), np.arange(traj.n), [0, 50, 200])
    pic, want = got.pictures["cueing"], picture(world, traj, world.policies["cueing"], base=base)
    assert np.array_equal(pic.radar_tracks(r, i, k), want.radar_tracks(r, i, k))
    # integrated and shared_tracks differ only in engage links: one picture, two guidances
    st, it = got.pictures["shared_tracks"], got.pictures["integrated"]
    assert it.fc_index is st.fc_index
    assert got.picture_s["integrated"] == 0.0 < got.picture_s["shared_tracks"]
    assert got.sensing_s > 0.0


def test_sensor_and_tracking_geometry_reuse_is_bit_identical() -> None:
    world, traj = synth.korea_japan()
    geo = sensor_geometry(world, traj)
    trk = tracking_geometry(world, traj, geo)
    for p in ("national", "cueing", "shared_tracks"):
        pol = world.policies[p]
        a = observe(world, traj, pol)
        b = observe(world, traj, pol, base=geo)
        for name in ("pd", "p_track_cdf", "p_detect_cdf", "cue_t_s", "track_init_t_s"):
            assert np.array_equal(getattr(a, name), getattr(b, name)), name
        assert_same_picture(
            track(world, traj, a, pol), track(world, traj, b, pol, base=trk), np.isfinite(traj.t_s)
        )


def test_mismatched_bases_are_refused() -> None:
    world, traj = synth.korea_japan()
    pol = world.policies["national"]
    other = traj.take([0])
    with pytest.raises(ValueError, match="sensor_geometry"):
        observe(world, traj, pol, base=sensor_geometry(world, other))
    with pytest.raises(ValueError, match="refraction"):
        observe(world, traj, pol, refraction=False, base=sensor_geometry(world, traj))
    vis = observe(world, traj, pol)
    with pytest.raises(ValueError, match="tracking_geometry"):
        track(
            world,
            traj,
            vis,
            pol,
            base=tracking_geometry(world, other, sensor_geometry(world, other)),
        )
    with pytest.raises(ValueError, match="prepare"):
        picture(world, traj, pol, base=prepare(world, other))
    with pytest.raises(ValueError, match="chunk_samples"):
        prepare(world, traj, chunk_samples=0)


def test_chunks_group_threats_by_length_and_cover_each_once() -> None:
    lengths = np.array([5, 100, 7, 100, 6, 50, 1])
    chunks = chunk_threats(lengths, 120)
    flat = np.concatenate(chunks)
    assert sorted(flat.tolist()) == list(range(lengths.size))
    for c in chunks:
        assert c.size == 1 or c.size * lengths[c].max() <= 120
    assert [lengths[c].max() for c in chunks] == sorted(lengths[c].max() for c in chunks)
