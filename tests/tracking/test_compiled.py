"""The compiled filters (tracking/_kernels.py) against their numpy formulations.

What the simulation consumes from a picture — fire-control crossings, the IPP covariance there,
track times — is made by the compiled per-filter kernel in crossing mode; its series mode
gives the per-sample products on request. Checked here: series and crossings agree with each
other, with the numpy reference (``track``), and the shortcut of the crossing mode (the delayed
picture is made only where the undelayed one meets a requirement) never changes a crossing.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace

import numpy as np
import pytest

from shieldwall.sensing import observe
from shieldwall.sensing.visibility import sensor_geometry
from shieldwall.tracking import picture, prepare, track
from shieldwall.tracking.chunks import chunk_threats
from shieldwall.tracking.covariance import (
    FilterModel,
    look_information,
    look_information_numpy,
    truth_transitions,
)
from shieldwall.tracking.ipp import ipp_sensitivity, ipp_sensitivity_reference
from shieldwall.tracking.picture import fire_control_crossings, tracking_spans
from tests.sensing import synth

#: Relative agreement of two summation orders of the same products (see test_chunks.COV_RTOL).
COV_RTOL = 1e-9
#: Ψ is a product of up to ~1,000 step transitions near the identity: rounding grows slowly.
PSI_RTOL = 1e-11


def test_compiled_ipp_sensitivities_match_the_numpy_loop() -> None:
    world, traj = synth.korea_japan()
    F = truth_transitions(world, traj, FilterModel())
    psi, axes = ipp_sensitivity(traj, F)
    ref, ref_axes = ipp_sensitivity_reference(traj, F)
    np.testing.assert_array_equal(np.isnan(psi), np.isnan(ref))
    fin = np.isfinite(ref)
    scale = np.abs(ref[fin]).max()
    np.testing.assert_allclose(psi[fin], ref[fin], rtol=0, atol=PSI_RTOL * scale)
    np.testing.assert_array_equal(axes, ref_axes)


#: Compiled look information against the numpy reference: the same operations in the same
#: order (bit for bit where numpy's transcendentals are the platform's libm). [relative]
LOOK_RTOL = 1e-12


@pytest.mark.parametrize("max_az_el_deg", [85.0, 30.0])  # the cos(el) floor inactive / active
def test_compiled_look_information_matches_the_numpy_reference(max_az_el_deg: float) -> None:
    world, traj = synth.korea_japan()
    base = sensor_geometry(world, traj)
    model = replace(FilterModel(), max_az_el_rad=np.radians(max_az_el_deg))
    got = look_information(world, traj, base, model)
    want = look_information_numpy(world, traj, base, model)
    assert got.n == want.n > 0
    np.testing.assert_array_equal(got.row, want.row)
    np.testing.assert_array_equal(got.radar, want.radar)
    np.testing.assert_allclose(got.w, want.w, rtol=LOOK_RTOL, atol=0)


@pytest.mark.parametrize("policy", ["national", "shared_tracks"])
def test_crossings_are_the_first_crossings_of_the_series(policy: str) -> None:
    world, traj = synth.korea_japan()
    pol = world.policies[policy]
    pic = picture(world, traj, pol, base=prepare(world, traj, chunk_samples=150))
    # the series (series mode of the same kernel) crosses where the crossing mode says
    k, cov = fire_control_crossings(pic.ipp_cov_m2, pic.fc_sigma_req_m)
    np.testing.assert_array_equal(k, pic.fc_index)
    np.testing.assert_array_equal(cov, pic.fc_ipp_cov_m2)
    assert (k >= 0).any()  # the crossings are real
    # a requirement outside the crossing set is found on the series and equals the reference
    ref = track(world, traj, observe(world, traj, pol), pol)
    for req in (333.0, 2500.0):
        assert req not in pic.fc_sigma_req_m
        np.testing.assert_array_equal(
            pic.fire_control_time(np.arange(3), req), ref.fire_control_time(np.arange(3), req)
        )


def test_latency_shortcut_never_changes_a_crossing() -> None:
    """Under latency the crossing mode re-runs the delayed filter only where the undelayed one
    meets a pending requirement; the exhaustive series mode finds the same crossings, and a
    later link never crosses earlier."""
    world, traj = synth.korea_japan()
    base = prepare(world, traj)
    pol = world.policies["shared_tracks"]
    previous = None
    for scale in (0.0, 1.0, 3.0, 8.0):
        slow = replace(pol, latency_s=pol.latency_s * scale + 0.0)
        pic = picture(world, traj, slow, base=base)
        k, _ = fire_control_crossings(pic.ipp_cov_m2, pic.fc_sigma_req_m)
        np.testing.assert_array_equal(k, pic.fc_index)
        t = pic.fire_control_time(
            np.repeat(np.arange(3), pic.fc_sigma_req_m.size), np.tile(pic.fc_sigma_req_m, 3)
        )
        if previous is not None:
            assert np.all(t >= previous)
        previous = t
    assert np.isinf(previous).sum() > 0 or np.any(previous > 0)


def test_radar_tracks_reads_single_samples_of_the_dense_mask() -> None:
    world, traj = synth.korea_japan()
    pic = picture(
        world, traj, world.policies["cueing"], base=prepare(world, traj, chunk_samples=150)
    )
    dense = pic.radar_tracking
    assert dense.any()
    r, i, k = np.nonzero(np.ones(dense.shape, dtype=bool))
    np.testing.assert_array_equal(pic.radar_tracks(r, i, k), dense[r, i, k])


def test_radar_track_spans_are_those_of_the_dense_mask() -> None:
    """The run record's per (radar, threat) tracking start and end, read chunk by chunk, are
    the first and last tracked sample times of the dense mask (its definition)."""
    world, traj = synth.korea_japan()
    pic = picture(
        world, traj, world.policies["shared_tracks"], base=prepare(world, traj, chunk_samples=150)
    )
    dense = pic.radar_tracking
    t = np.where(np.isfinite(pic.t_s), pic.t_s, np.nan)[None, :, :]
    with np.errstate(invalid="ignore"):
        want_start = np.where(dense, t, np.inf).min(axis=2, initial=np.inf)
        want_end = np.where(dense, t, -np.inf).max(axis=2, initial=-np.inf)
    start, end = pic.radar_track_spans()
    assert np.isfinite(want_start).any()
    np.testing.assert_array_equal(start, want_start)
    np.testing.assert_array_equal(end, want_end)
    mask = np.array([[[False, True, True, False], [False] * 4, [True, False, False, True]]])
    first, last = tracking_spans(mask)
    np.testing.assert_array_equal(first, [[1, -1, 0]])
    np.testing.assert_array_equal(last, [[2, -1, 3]])


def test_chunks_bound_their_padding() -> None:
    lengths = np.array([100, 110, 124, 126, 200, 260, 1000])
    for c in chunk_threats(lengths, 1 << 20, stretch=1.25):
        assert lengths[c].max() <= 1.25 * lengths[c].min()
    assert len(chunk_threats(lengths, 1 << 20, stretch=100.0)) == 1


def test_numba_is_loaded_only_when_sensing_runs() -> None:
    """The accelerator costs start-up time: commands that do not sense never import it."""
    code = (
        "import sys; import shieldwall.cli.main, shieldwall.pipeline, shieldwall.api; "
        "print('numba' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
