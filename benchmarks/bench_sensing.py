"""Sensing + tracking of one raid geometry for the flagship's four preset policies.

Timed (best of ``--repeat``, CPU of this process): what the simulation runs per raid geometry —
``tracking.prepare`` (radar geometry, field of regard, SNR and Pd, the uncued initiation pass,
transitions, IPP sensitivities, look information; once per geometry) and
``tracking.picture`` for ``national``, ``cueing``, ``shared_tracks`` and ``integrated`` (cueing,
initiation, the compiled filters; per policy). The compiled kernels are loaded before timing
(numba's import and cache load, about 1-2 s once per process, are printed apart).

Baseline, in the same process: the numpy formulation of the same model on the whole raid, its
policy-independent part once (``sensing.sensor_geometry``, ``tracking.tracking_geometry``) and
per policy ``sensing.observe`` + ``tracking.track`` on it — the previous implementation less its
chunking (every sample of every filter, the numpy M-of-N chain and IPP loop put back in place of
the compiled ones). Both give the same fire-control crossings, track and detection times
(checked). Before it, ``sensor_geometry_ratio=<x>``: ``sensor_geometry`` and the four presets'
cued Pd per chunk, numpy references (``sensor_geometry_numpy``, ``_look_pd_numpy``) over the
compiled kernels, on the same inputs (checked bit-identical). The last line is
``ratio_vs_numpy=<x>``.

With ``--scale 1 8 28`` it also prints the raid-size curve of the same per-geometry work (the
flagship's salvo counts multiplied: 36, 288, 1,008 threats) and its fitted exponent.

``--kernels F`` (the flagship's salvos times ``F``, e.g. 28: 1,008 threats) times the
per-element kernels the prepare step runs on that raid against the formulations they replaced,
in the same process on the same inputs, and checks each bit-identical: ``radar_aer`` one radar
at a time vs ``earth.geodesy.ecef_to_aer`` broadcast over the radars; the field of regard, SNR
and Pd per radar vs on the whole (radar, threat, sample) array; the flyout's
``time_to_reach`` interpolated inside the envelope only vs the bilinear formula everywhere then
masked (each battery over the whole grid, as ``battle.windows.reach`` asks). Printed:
``kernels_ratio=<old CPU / new CPU>`` over the three.

    uv run python benchmarks/bench_sensing.py [--repeat 5] [--scale 1 8 28] [--kernels 28]
"""

from __future__ import annotations

import argparse
import dataclasses
import re
import tempfile
import time
from pathlib import Path

import numpy as np

import shieldwall.sensing.visibility as visibility
import shieldwall.tracking.covariance as covariance
from shieldwall.flight import fly_raid
from shieldwall.scenario import compile_world, load_scenario
from shieldwall.sensing import observe, sensor_geometry
from shieldwall.sensing.detection import m_of_n_cdf_reference
from shieldwall.tracking import picture, prepare, track, tracking_geometry
from shieldwall.tracking.ipp import ipp_sensitivity_reference

FLAGSHIP = Path(__file__).resolve().parents[1] / "examples" / "korea_japan.yaml"
PRESETS = ("national", "cueing", "shared_tracks", "integrated")


def geometry_cpu(world, traj) -> float:  # type: ignore[no-untyped-def]
    """CPU seconds of prepare + the four presets' pictures."""
    c0 = time.process_time()
    base = prepare(world, traj)
    for p in PRESETS:
        picture(world, traj, world.policies[p], base=base)
    return time.process_time() - c0


def raid_curve(factors: list[int]) -> None:
    text = FLAGSHIP.read_text()
    n, cpu = [], []
    for k in factors:
        scaled = re.sub(r"count: (\d+)", lambda m, k=k: f"count: {int(m.group(1)) * k}", text)
        path = Path(tempfile.mkdtemp()) / FLAGSHIP.name
        path.write_text(scaled)
        world = compile_world(load_scenario(path))
        traj = fly_raid(world)
        geometry_cpu(world, traj)
        n.append(traj.n)
        cpu.append(geometry_cpu(world, traj))
        print(f"raid of {traj.n} threats: {cpu[-1]:.2f} s CPU per geometry (4 presets)")
    if len(n) > 1:
        slope = np.polyfit(np.log(n), np.log(cpu), 1)[0]
        print(f"fitted exponent (CPU ~ threats^b): b = {slope:.2f}")


def _best(fn, repeat: int):  # type: ignore[no-untyped-def]
    best, out = np.inf, None
    for _ in range(repeat):
        c0 = time.process_time()
        out = fn()
        best = min(best, time.process_time() - c0)
    return best, out


def _dense_time_to_reach(table, gr, h):  # type: ignore[no-untyped-def]
    """The bilinear formula on every element, then masked (the previous time_to_reach)."""
    x, y, tau = table.ground_range_m, table.alt_m, table.tau_s
    with np.errstate(invalid="ignore"):
        i = np.clip(np.searchsorted(x, gr, side="right") - 1, 0, x.size - 2)
        j = np.clip(np.searchsorted(y, h, side="right") - 1, 0, y.size - 2)
        fx = (gr - x[i]) / (x[i + 1] - x[i])
        fy = (h - y[j]) / (y[j + 1] - y[j])
        t = (
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
    return np.where(inside, t, np.nan)


def kernels(factor: int, repeat: int) -> None:
    from shieldwall.battle.windows import ground_range_m
    from shieldwall.earth.geodesy import ecef_to_aer, ecef_to_geodetic
    from shieldwall.flight import flyout_tables
    from shieldwall.sensing.radar import in_field_of_regard, radar_aer, snr, swerling1_pd
    from shieldwall.tracking.chunks import chunk_threats

    text = re.sub(r"count: (\d+)", lambda m: f"count: {int(m.group(1)) * factor}",
                  FLAGSHIP.read_text())  # fmt: skip
    path = Path(tempfile.mkdtemp()) / FLAGSHIP.name
    path.write_text(text)
    world = compile_world(load_scenario(path))
    traj = fly_raid(world)
    rd = world.radars
    chunks = [traj.take(i) for i in chunk_threats(traj.lengths)]
    rcs = [visibility._rcs(world, c) for c in chunks]

    def aer_old():  # type: ignore[no-untyped-def]
        return [ecef_to_aer(c.r_ecef_m[None], rd.lat_rad[:, None, None],
                            rd.lon_rad[:, None, None], rd.alt_m[:, None, None])
                for c in chunks]  # fmt: skip

    def aer_new():  # type: ignore[no-untyped-def]
        return [radar_aer(c.r_ecef_m, rd.lat_rad, rd.lon_rad, rd.alt_m) for c in chunks]

    fr = {
        "boresight_az_rad": rd.boresight_az_rad,
        "half_az_rad": rd.half_az_rad,
        "min_el_rad": rd.min_el_rad,
        "max_el_rad": rd.max_el_rad,
        "site_alt_m": rd.alt_m,
    }
    aers = aer_new()

    def pd_old():  # type: ignore[no-untyped-def]
        out = []
        for (az, el, rg), rc in zip(aers, rcs, strict=True):
            vis = in_field_of_regard(az, el, rg, **fr)
            r0 = rd.r0_m[:, None, None]
            sc = np.where(vis, snr(rc[None], rg, r0), 0.0)
            ss = np.where(vis, snr(rc[None], rg, r0 * rd.search_range_factor[:, None, None]), 0.0)
            out.append((vis, sc, np.where(vis, swerling1_pd(sc), 0.0),
                        np.where(vis, swerling1_pd(ss), 0.0)))  # fmt: skip
        return out

    def pd_new():  # type: ignore[no-untyped-def]
        out = []
        for (az, el, rg), rc in zip(aers, rcs, strict=True):
            vis, sc = np.empty(rg.shape, bool), np.empty(rg.shape)
            pc, pu = np.empty(rg.shape), np.empty(rg.shape)
            for i in range(rg.shape[0]):
                s = slice(i, i + 1)
                v = in_field_of_regard(az[s], el[s], rg[s], **{k: a[s] for k, a in fr.items()})[0]
                vis[i] = v
                sc[i] = np.where(v, snr(rc, rg[i], rd.r0_m[i]), 0.0)
                pc[i] = np.where(v, swerling1_pd(sc[i]), 0.0)
                ss = np.where(v, snr(rc, rg[i], rd.r0_m[i] * rd.search_range_factor[i]), 0.0)
                pu[i] = np.where(v, swerling1_pd(ss), 0.0)
            out.append((vis, sc, pc, pu))
        return out

    flyouts = flyout_tables(world)
    bat = world.batteries
    alt = ecef_to_geodetic(traj.r_ecef_m)[2]
    grs = [ground_range_m(np.asarray(bat.r_ecef_m[b], dtype=np.float64), traj.r_ecef_m)
           for b in range(len(bat.interceptor_idx))]  # fmt: skip

    def reach_old():  # type: ignore[no-untyped-def]
        return [_dense_time_to_reach(flyouts[int(bat.interceptor_idx[b])], g, alt)
                for b, g in enumerate(grs)]  # fmt: skip

    def reach_new():  # type: ignore[no-untyped-def]
        return [flyouts[int(bat.interceptor_idx[b])].time_to_reach(g, alt)
                for b, g in enumerate(grs)]  # fmt: skip

    total_old = total_new = 0.0
    for name, old, new in (("radar_aer", aer_old, aer_new), ("field of regard, SNR, Pd",
                           pd_old, pd_new), ("time_to_reach", reach_old, reach_new)):  # fmt: skip
        t_old, a = _best(old, repeat)
        t_new, b = _best(new, repeat)
        flat_a = [np.asarray(x) for x in _leaves(a)]
        flat_b = [np.asarray(x) for x in _leaves(b)]
        if not all(
            np.array_equal(x, y, equal_nan=True) for x, y in zip(flat_a, flat_b, strict=True)
        ):
            raise SystemExit(f"{name}: the two formulations differ")
        total_old, total_new = total_old + t_old, total_new + t_new
        print(f"{name} ({traj.n} threats, {len(chunks)} chunks): {t_old:.3f} s CPU before, "
              f"{t_new:.3f} s now, x{t_old / t_new:.1f} (bit-identical)")  # fmt: skip
    print(f"kernels_ratio={total_old / total_new:.1f}")


def _leaves(x):  # type: ignore[no-untyped-def]
    if isinstance(x, (list, tuple)):
        for y in x:
            yield from _leaves(y)
    else:
        yield x


def sensing_ratio(world, traj, repeat: int) -> None:  # type: ignore[no-untyped-def]
    """``sensor_geometry`` and the four presets' cued Pd (``_look_pd``) per chunk, as the
    pipeline runs them: the compiled kernels against their numpy references (checked
    bit-identical on the same inputs)."""
    from shieldwall.tracking.chunks import chunk_threats

    chunks = [traj.take(i) for i in chunk_threats(traj.lengths)]
    policies = [world.policies[p] for p in PRESETS]

    def run(geometry, look_pd):  # type: ignore[no-untyped-def]
        out = []
        for c in chunks:
            geo = geometry(world, c)
            out.append((geo, [look_pd(world, geo, p) for p in policies]))
        return out

    t_old, a = _best(
        lambda: run(visibility.sensor_geometry_numpy, visibility._look_pd_numpy), repeat
    )
    t_new, b = _best(lambda: run(sensor_geometry, visibility._look_pd), repeat)
    for (ga, pa), (gb, pb) in zip(a, b, strict=True):
        fields = [f.name for f in dataclasses.fields(ga)]
        pairs = [(getattr(ga, f), getattr(gb, f)) for f in fields] + list(
            zip(_leaves(pa), _leaves(pb), strict=True)
        )
        if not all(np.array_equal(x, y, equal_nan=np.asarray(x).dtype.kind == "f")
                   for x, y in pairs if isinstance(x, np.ndarray)):  # fmt: skip
            raise SystemExit("sensor_geometry / _look_pd: the kernels differ from numpy")
    print(f"sensor_geometry + _look_pd x4 ({traj.n} threats, {len(chunks)} chunks): "
          f"{t_old:.3f} s CPU numpy, {t_new:.3f} s compiled (bit-identical)")  # fmt: skip
    print(f"sensor_geometry_ratio={t_old / t_new:.1f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--scale", type=int, nargs="*", default=[], help="salvo count factors")
    ap.add_argument("--kernels", type=int, default=0, help="salvo count factor (e.g. 28)")
    args = ap.parse_args()
    if args.kernels:
        kernels(args.kernels, args.repeat)
        return
    if args.scale:
        raid_curve(args.scale)
    world = compile_world(load_scenario(FLAGSHIP))
    traj = fly_raid(world)
    c0 = time.process_time()
    base = prepare(world, traj)
    for p in PRESETS:
        picture(world, traj, world.policies[p], base=base)
    print(f"first geometry, with numba's import and cache load: {time.process_time() - c0:.2f} s")
    best, parts = np.inf, {}
    for _ in range(args.repeat):
        c0 = time.process_time()
        base = prepare(world, traj)
        t = {"prepare": time.process_time() - c0}
        pics = {}
        for p in PRESETS:
            c1 = time.process_time()
            pics[p] = picture(world, traj, world.policies[p], base=base)
            t[p] = time.process_time() - c1
        if sum(t.values()) < best:
            best, parts = sum(t.values()), t
    detail = ", ".join(f"{k} {v * 1e3:.0f} ms" for k, v in parts.items())
    print(
        f"shieldwall per raid geometry ({traj.n} threats, 4 policies): {best:.3f} s CPU ({detail})"
    )
    sensing_ratio(world, traj, args.repeat)
    # baseline: the numpy formulation, per policy on the whole raid
    visibility.m_of_n_cdf = m_of_n_cdf_reference  # type: ignore[assignment]
    visibility._look_pd = visibility._look_pd_numpy  # type: ignore[assignment]
    covariance.ipp_sensitivity = ipp_sensitivity_reference  # type: ignore[assignment]
    c0 = time.process_time()
    geo = visibility.sensor_geometry_numpy(world, traj)
    trk = tracking_geometry(world, traj, geo)
    for p in PRESETS:
        pol = world.policies[p]
        ref = track(world, traj, observe(world, traj, pol, base=geo), pol, base=trk)
        for name in ("fc_index", "track_t_s", "first_detect_t_s", "first_detect_sensor"):
            if not np.array_equal(getattr(ref, name), getattr(pics[p], name)):
                raise SystemExit(f"{p}: {name} differs between the two paths")
    base_cpu = time.process_time() - c0
    print(
        f"baseline: the numpy formulation, geometry once, observe + track per policy (same "
        f"crossings): {base_cpu:.2f} s CPU"
    )
    print(f"ratio_vs_numpy={base_cpu / best:.1f}")


if __name__ == "__main__":
    main()
