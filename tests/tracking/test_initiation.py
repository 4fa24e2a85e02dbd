"""Per-trial first-track and fire-control times (TrackPicture.fire_control_times).

The exact distribution is checked against a brute-force simulation of the looks written from
the model's definition (Bernoulli detections at each look, 2 of the last 3 looks initiate, the
nation tracks at the first initiation among the radars it receives plus the link lag), with
Wilson intervals; the quantile kernel against ``np.searchsorted`` row by row.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from shieldwall.sensing import observe
from shieldwall.sensing.visibility import TRACK_INIT_M, TRACK_INIT_N
from shieldwall.tracking import track
from shieldwall.tracking.initiation import QUANTILE_BINS, quantile_index
from tests.sensing import synth

#: z of a two-sided Wilson interval with family-wise error ~1e-3 over the ~100 comparisons
#: below (Bonferroni: 1e-5 each).
Z = 4.42


def wilson(k: int, n: int, z: float = Z) -> tuple[float, float]:
    p = k / n
    d = 1 + z * z / n
    c = (p + z * z / (2 * n)) / d
    h = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / d
    return c - h, c + h


def test_quantile_index_matches_searchsorted_row_by_row() -> None:
    rng = np.random.default_rng(3)
    rows = []
    for j in range(60):
        n = int(rng.integers(0, 40))
        steps = rng.choice([0.0, 1.0], size=n, p=[0.4, 0.6]) * rng.random(n)
        cdf = np.cumsum(steps)
        cdf = cdf / max(cdf[-1], 1e-300) * rng.choice([0.3, 1.0]) if n else cdf
        if n and j % 7 == 0:  # plateaus inside one lookup bin and exact bin edges
            cdf = np.round(cdf * QUANTILE_BINS) / QUANTILE_BINS
        rows.append(cdf)
    gap = 3  # ragged rows with junk between them
    offsets, flat = [], []
    pos = 0
    for cdf in rows:
        flat.extend([9.0] * gap)
        pos += gap
        offsets.append(pos)
        flat.extend(cdf)
        pos += len(cdf)
    lengths = np.array([len(c) for c in rows])
    u = rng.random((len(rows), 200))
    u[:, :5] = np.array([0.0, 0.5, 0.25, 1 - 2**-53, 1.0 / QUANTILE_BINS])
    for j, cdf in enumerate(rows):  # ties: quantiles equal to CDF values
        if len(cdf):
            u[j, 5:10] = rng.choice(cdf, 5)
    got = quantile_index(np.array(flat), np.array(offsets), lengths, u)
    for j, cdf in enumerate(rows):
        expect = np.searchsorted(cdf, u[j], side="left")  # first k with cdf[k] >= u
        np.testing.assert_array_equal(got[j], expect)


def _brute_force_track_samples(vis, receives_from, trials, rng):  # type: ignore[no-untyped-def]
    """Per trial, the first sample at which the nation holds a track (m if never).

    receives_from: list of (radar index, lag in samples).
    """
    n_t, m = vis.t_s.shape
    best = np.full((trials, n_t), m)
    for r, lag in receives_from:
        looks = np.flatnonzero(vis.is_look[r])
        for j in range(n_t):
            det = rng.random((trials, looks.size)) < vis.pd[r, j, looks]
            init = np.full(trials, m)
            for a in range(looks.size):  # M of the last N looks
                window = det[:, max(0, a - TRACK_INIT_N + 1) : a + 1].sum(axis=1)
                newly = (window >= TRACK_INIT_M) & (init == m)
                init[newly] = looks[a]
            best[:, j] = np.minimum(best[:, j], np.where(init < m, init + lag, m))
    return best


def _weak_radars():  # type: ignore[no-untyped-def]
    """The synthetic Korea-Japan arcs seen by weaker, slower radars: broad distributions."""
    _, traj = synth.korea_japan()
    radars = synth.radar_table(
        [
            {"nation_idx": 0, "lat_deg": 36.0, "lon_deg": 127.5, "r0_km": 420, "revisit_s": 4},
            {"nation_idx": 1, "lat_deg": 35.5, "lon_deg": 136.0, "r0_km": 380, "revisit_s": 3},
        ]
    )
    return synth.world(radars, satellites=[(2, 30.0)]), traj


@pytest.mark.parametrize("policy", ["national", "shared_tracks"])
def test_first_track_distribution_matches_a_simulation_of_the_looks(policy: str) -> None:
    world, traj = _weak_radars()
    pol = world.policies[policy]
    vis = observe(world, traj, pol)
    pic = track(world, traj, vis, pol)
    rng = np.random.default_rng(11)
    trials = 4000
    dt = traj.dt_s
    n_t, m = traj.t_s.shape
    rn = world.radars.nation_idx
    compared = 0
    for nat in range(3):
        src = []
        for r in range(len(rn)):
            own = int(rn[r]) == nat
            if own or pol.share[rn[r], nat] >= 2:
                lag = 0 if own else math.ceil(pol.latency_s[rn[r], nat] / dt - 1e-9)
                src.append((r, lag))
        k_bf = _brute_force_track_samples(vis, src, trials, rng)
        t_api = pic.first_track_times(nat, rng.random((n_t, trials)))
        off, ln = pic.row_offsets, pic.lengths
        for j in range(n_t):
            cdf = pic.track_cdf[nat, off[j] : off[j] + ln[j]]
            ks = np.flatnonzero((cdf > 0.02) & (cdf < 0.98))[:12]
            for k in ks:
                lo, hi = wilson(int(np.sum(k_bf[:, j] <= k)), trials)
                assert lo <= cdf[k] <= hi, (nat, j, k)
                lo, hi = wilson(int(np.sum(t_api[j] <= traj.t_s[j, k])), trials)
                assert lo <= cdf[k] <= hi, (nat, j, k)
                compared += 1
            lo, hi = wilson(int(np.sum(k_bf[:, j] == m)), trials)
            assert lo <= 1.0 - cdf[-1] <= hi
    assert compared > 20  # the setting has real randomness to check


def test_compiled_fire_control_times_equal_the_numpy_ones() -> None:
    world, traj = synth.korea_japan()
    for name in ("national", "shared_tracks"):
        pol = world.policies[name]
        pic = track(world, traj, observe(world, traj, pol), pol)
        u = np.random.default_rng(7).random((traj.n, 3000))
        u[:, :4] = [0.0, 0.5, np.nextafter(1.0, 0.0), 0.25]  # the ends and bin edges too
        for nat in range(3):
            for req in (np.array([300.0, 1000.0, 3000.0]), 1000.0):
                fast = pic.fire_control_times(nat, req, u)
                slow = pic.fire_control_times(nat, req, u, compiled=False)
                assert fast.shape == slow.shape
                np.testing.assert_array_equal(fast, slow)
    # a first-track distribution that never reaches 1/2 (no median) while the covariance
    # crossing is made: no fire-control time in either path, though low quantiles have a track
    low = replace(pic, track_cdf=0.4 * pic.track_cdf)
    assert np.isfinite(low.first_track_times(0, np.full((traj.n, 1), 0.1))).any()
    for nat in range(3):
        assert np.isfinite(low.fire_control_time(nat, 1000.0)).any()
        fast = low.fire_control_times(nat, 1000.0, u)
        slow = low.fire_control_times(nat, 1000.0, u, compiled=False)
        np.testing.assert_array_equal(fast, slow)
        assert np.isinf(slow).all()


def test_fire_control_times_median_is_the_nominal_time_and_shift_is_convergence() -> None:
    world, traj = synth.korea_japan()
    pol = world.policies["shared_tracks"]
    pic = track(world, traj, observe(world, traj, pol), pol)
    rng = np.random.default_rng(5)
    u = rng.random((traj.n, 20000))
    req = np.array([300.0, 1000.0, 3000.0])
    for nat in range(3):
        nominal = pic.fire_control_time(nat, req)  # (3, n_t)
        half = pic.fire_control_times(nat, req, np.full((traj.n, 1), 0.5))[..., 0]
        np.testing.assert_array_equal(half, nominal)
        fc = pic.fire_control_times(nat, req, u)
        assert fc.shape == (3, traj.n, 20000)
        fin = np.isfinite(nominal)
        assert np.all(np.isinf(fc[~fin]))
        # a median: at least half the trials at or before, at least half at or after
        assert np.all(np.mean(fc <= nominal[..., None], axis=-1)[fin] >= 0.5)
        assert np.all(np.mean(fc >= nominal[..., None], axis=-1)[fin] >= 0.5)
        # never before the IPP exists; monotone in u (common random numbers keep the order)
        assert np.all(
            fc[np.isfinite(fc)]
            >= np.broadcast_to(pic.ipp_from_t_s[:, None], fc.shape[1:])[
                np.isfinite(fc).any(axis=0)
            ].min()
        )
        order = np.argsort(u, axis=1)
        s = np.take_along_axis(fc, order[None], axis=-1)
        assert np.all(np.diff(s, axis=-1)[np.isfinite(s[..., 1:])] >= 0)
        # the spread is the first-track spread: t_fc(u) - t_first(u) is constant where not
        # clipped at the IPP start
        first = pic.first_track_times(nat, u)
        shift = fc - first[None]
        for i in range(3):
            for j in range(traj.n):
                if fin[i, j]:
                    free = fc[i, j] > pic.ipp_from_t_s[j]
                    vals = shift[i, j][free & np.isfinite(first[j])]
                    if vals.size:
                        assert np.ptp(vals) < 1e-9


def test_ipp_covariance_at_fire_control_and_bad_quantiles() -> None:
    world, traj = synth.korea_japan()
    pol = world.policies["integrated"]
    pic = track(world, traj, observe(world, traj, pol), pol)
    for nat in range(3):
        k = pic.fire_control_index(nat, 800.0)
        cov = pic.ipp_cov_at_fire_control(nat, 800.0)
        assert cov.shape == (traj.n, 2, 2)
        for j in range(traj.n):
            if k[j] < 0:
                assert np.isnan(cov[j]).all()
            else:
                np.testing.assert_array_equal(cov[j], pic.ipp_cov_m2[nat, j, k[j]])
                sig = math.sqrt(np.linalg.eigvalsh(cov[j]).max())
                assert sig <= 800.0
    with pytest.raises(ValueError, match="shape"):
        pic.fire_control_times(0, 500.0, np.zeros((traj.n + 1, 3)))
    with pytest.raises(ValueError, match=r"\[0, 1\)"):
        pic.fire_control_times(0, 500.0, np.ones((traj.n, 3)))
