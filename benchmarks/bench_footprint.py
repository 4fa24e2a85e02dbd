"""Benchmark: a 100 x 100 footprint on the flagship (one launch area, one missile, one policy).

What ``shieldwall footprint examples/korea_japan.yaml --launch south_pyongan --missile Nodong
--grid 100x100 --policies integrated`` computes (default region: a box around the assets),
timed

1. batched, serially in this process (``executor="serial"``: CPU time is the honest cost on a
   shared machine), and
2. batched on the process pool with ``--workers`` workers (the command's default executor);

against the baseline, the strongest straightforward one: the ordinary pipeline **per cell** —
for each cell, the scenario with its raid replaced by one missile aimed at the cell, compiled,
``pipeline.prepare`` (flight, flyouts from their cache, sensing and tracking, reach), the
policy's picture and fight inputs, and the same lone-threat chain and closed form
(:mod:`shieldwall.battle.lone`, averaged over the same fire-control design). It leaves out
the Monte Carlo a user would also run, so it is faster than the naive loop. It runs on
``--sample`` cells drawn at random (seeded) and is extrapolated to the grid; its results on
those cells are checked against the batched ones (same engageable flag, opportunities and
P(no leak)).

One-off costs (imports, kernel compilation) are paid by an untimed warm-up. Prints wall and CPU
(this process plus finished children) of each, peak memory, and the last lines

    speedup_vs_per_cell=<baseline CPU per grid / batched serial CPU>
    under_60s_wall=<True|False> (pool wall)

Usage: ``uv run python benchmarks/bench_footprint.py [--grid 100x100] [--sample 24]
[--workers W] [--missile Nodong] [--launch south_pyongan] [--policy integrated]``
"""

from __future__ import annotations

import argparse
import resource
import time
from pathlib import Path

import numpy as np

from shieldwall.battle import build_fight_inputs
from shieldwall.battle.lone import lone_chains
from shieldwall.errors import TargetingError
from shieldwall.pipeline import prepare, resolve_policy
from shieldwall.scenario import Scenario, compile_world, load_scenario
from shieldwall.scenario.model import LatLon, LaunchArea, Location, Salvo
from shieldwall.studies.footprint import Footprint, footprint, p_no_leak_over_fire_control
from shieldwall.tracking import picture

FLAGSHIP = Path(__file__).resolve().parents[1] / "examples" / "korea_japan.yaml"


def _cpu() -> float:
    own = time.process_time()
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own + kids.ru_utime + kids.ru_stime


def _one_cell(
    scenario: Scenario, fp: Footprint, cell: int, policy: str
) -> tuple[bool, int, float] | None:
    """The ordinary pipeline on a one-threat raid aimed at ``cell`` (None: out of reach)."""
    threats = scenario.threats
    area = LaunchArea(
        id="bench_launch", point=Location(lat_deg=fp.launch_lat_deg, lon_deg=fp.launch_lon_deg)
    )
    aim = LatLon(lat_deg=float(fp.grid.lat_deg[cell]), lon_deg=float(fp.grid.lon_deg[cell]))
    salvo = Salvo(missile=fp.missile, count=1, launch_area="bench_launch", aim_point=aim)
    changed = scenario.model_copy(
        update={
            "threats": threats.model_copy(
                update={"launch_areas": (*threats.launch_areas, area), "raid": (salvo,)}
            ),
            "settings": scenario.settings.model_copy(
                update={"raid_samples": 1, "launch_jitter_s": 0.0}
            ),
        }
    )
    world = compile_world(changed, phase=len(scenario.phase_names) - 1)
    try:
        prep = prepare(world)
    except TargetingError:
        return None
    pol = resolve_policy(world, policy)
    pic = picture(world, prep.trajectories, pol, base=prep.sensing, mode="covariance")
    fi = build_fight_inputs(world=world, trajectories=prep.trajectories, picture=pic,
                            reach=prep.reach, policy=pol, doctrine=world.doctrine)  # fmt: skip
    nation = int(fp.cell_nation[cell])
    authority = np.asarray(pol.defends, dtype=bool)[fi.row_nation_idx, np.full(fi.n_rows, nation)]
    ch = lone_chains(fi, authority)
    p_ok = p_no_leak_over_fire_control(fi, pic, authority)  # as the footprint averages it
    return bool(ch.engaging.any()), int(ch.n_engagements[0]), float(p_ok[0])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--grid", default="100x100")
    ap.add_argument("--sample", type=int, default=24, help="cells run one by one (baseline)")
    ap.add_argument("--workers", type=int, default=None)
    ap.add_argument("--missile", default="Nodong")
    ap.add_argument("--launch", default="south_pyongan")
    ap.add_argument("--policy", default="integrated")
    a = ap.parse_args()
    scenario = load_scenario(FLAGSHIP)
    kw = {"launch": a.launch, "missile": a.missile, "policies": [a.policy]}
    footprint(scenario, grid="3x3", executor="serial", **kw)  # warm-up (imports, kernels)

    c0, t0 = _cpu(), time.perf_counter()
    fp = footprint(scenario, grid=a.grid, executor="serial", **kw)
    serial_cpu, serial_wall = _cpu() - c0, time.perf_counter() - t0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    n = fp.grid.n_cells
    print(f"grid {a.grid}: {n:,} cells, {int(fp.in_range.sum()):,} within the {a.missile}'s "
          f"reach, defended {fp.defended_area_km2(a.policy):,.0f} km² ({a.policy})")  # fmt: skip
    print(f"batched serial: wall {serial_wall:.1f} s, CPU {serial_cpu:.1f} s, "
          f"peak RSS {peak_mb:,.0f} MB")  # fmt: skip

    c0, t0 = _cpu(), time.perf_counter()
    fp_pool = footprint(scenario, grid=a.grid, executor="pool", workers=a.workers, **kw)
    pool_cpu, pool_wall = _cpu() - c0, time.perf_counter() - t0
    same = all(
        np.array_equal(getattr(fp, f)[a.policy], getattr(fp_pool, f)[a.policy], equal_nan=True)
        for f in ("engageable", "opportunities", "battery_mask", "p_no_leak")
    )
    print(f"batched pool:   wall {pool_wall:.1f} s, CPU {pool_cpu:.1f} s (same result: {same})")

    rng = np.random.default_rng(12)
    cells = rng.choice(n, size=min(a.sample, n), replace=False)
    c0, t0 = _cpu(), time.perf_counter()
    agree = 0
    for c in cells.tolist():
        got = _one_cell(scenario, fp, c, a.policy)
        if got is None:
            agree += int(not fp.in_range[c])
            continue
        eng, opp, pnl = got
        agree += int(eng == bool(fp.engageable[a.policy][c])
                     and opp == int(fp.opportunities[a.policy][c])
                     and abs(pnl - float(fp.p_no_leak[a.policy][c])) < 1e-9)  # fmt: skip
    base_cpu, base_wall = _cpu() - c0, time.perf_counter() - t0
    per_cell = base_cpu / cells.size
    print(f"per-cell pipeline: {cells.size} cells, wall {base_wall:.1f} s, CPU {base_cpu:.1f} s "
          f"({per_cell:.2f} s/cell; extrapolated {per_cell * n:,.0f} s CPU for the grid); "
          f"agrees with the batched result on {agree}/{cells.size} cells")  # fmt: skip
    print(f"speedup_vs_per_cell={per_cell * n / serial_cpu:.1f}")
    print(f"under_60s_wall={pool_wall < 60.0} (pool wall {pool_wall:.1f} s)")


if __name__ == "__main__":
    main()
