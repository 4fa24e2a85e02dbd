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
(checked). The last line is ``ratio_vs_numpy=<x>``.

With ``--scale 1 8 28`` it also prints the raid-size curve of the same per-geometry work (the
flagship's salvo counts multiplied: 36, 288, 1,008 threats) and its fitted exponent.

    uv run python benchmarks/bench_sensing.py [--repeat 5] [--scale 1 8 28]
"""

from __future__ import annotations

import argparse
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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--scale", type=int, nargs="*", default=[], help="salvo count factors")
    args = ap.parse_args()
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
    # baseline: the numpy formulation, per policy on the whole raid
    visibility.m_of_n_cdf = m_of_n_cdf_reference  # type: ignore[assignment]
    covariance.ipp_sensitivity = ipp_sensitivity_reference  # type: ignore[assignment]
    c0 = time.process_time()
    geo = sensor_geometry(world, traj)
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
