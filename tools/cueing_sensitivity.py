"""The flagship's cueing sensitivity to ``search_range_factor`` (docs/sensing.md).

Every radar of the scenario (the organic fire-control radars and inline ones included) gets its
``search_range_factor`` set to one end of its catalog range (an inline radar, which has no
catalog range, gets ``INLINE_RANGE``); a "pessimistic cue" variant also sets every satellite's
report errors and every radar's search fence to the far ends of their catalog ranges (and, to
separate them, the report alone at its optimistic ends, the fence alone at 2°). Each
variant is compared under the four presets on common random numbers and one markdown table of
expected leakers (95 % intervals) is printed.

    uv run --frozen --no-sync python tools/cueing_sensitivity.py [--trials 10000] [FILE]
"""

from __future__ import annotations

import argparse
import copy
import sys
import time
from pathlib import Path
from typing import Any

import yaml

from shieldwall.scenario import compile_world, load_scenario
from shieldwall.scenario.catalog import load_catalog
from shieldwall.studies.compare import Comparison, compare

ROOT = Path(__file__).resolve().parents[1]
FLAGSHIP = ROOT / "examples" / "korea_japan.yaml"
#: Range given to an inline radar's factor: that of the catalog radars with the same nominal 0.5.
INLINE_RANGE = (0.3, 0.8)
#: The ends of the cue's inputs (catalog ranges: SBIRS's ew_rule, the radars' fence_rule).
PESSIMISTIC_SATELLITE = {"azimuth_sigma_deg": 15.0, "launch_point_sigma_km": 5.0}
OPTIMISTIC_SATELLITE = {"azimuth_sigma_deg": 2.0, "launch_point_sigma_km": 0.5}
PESSIMISTIC_FENCE_DEG = 2.0
POLICIES = ("national", "cueing", "shared_tracks", "integrated")

Radar = dict[str, Any]


def _radars(node: Any) -> list[Radar]:
    """Every radar mapping of a scenario (``radars:`` lists and ``organic_radar:``), phases too."""
    found: list[Radar] = []
    if isinstance(node, dict):
        for key, val in node.items():
            if key == "radars" and isinstance(val, list):
                found += [r for r in val if isinstance(r, dict)]
            elif key == "organic_radar" and isinstance(val, dict):
                found.append(val)
            else:
                found += _radars(val)
    elif isinstance(node, list):
        for val in node:
            found += _radars(val)
    return found


def _satellites(node: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    if isinstance(node, dict):
        for key, val in node.items():
            if key == "satellites" and isinstance(val, list):
                found += [s for s in val if isinstance(s, dict)]
            else:
                found += _satellites(val)
    elif isinstance(node, list):
        for val in node:
            found += _satellites(val)
    return found


def variant(
    data: dict[str, Any],
    end: str | None,
    satellite: dict[str, float] | None = None,
    fence_deg: float | None = None,
) -> dict[str, Any]:
    """The scenario with every radar's factor at ``end`` ("low"/"high"; None: as written), every
    satellite's keys updated by ``satellite``, every radar's ``search_el_deg`` = ``fence_deg``."""
    out = copy.deepcopy(data)
    catalog = load_catalog()
    for radar in _radars(out):
        if end is not None:
            rng = None
            if "type" in radar:
                rng = catalog.get("radar", radar["type"]).params["search_range_factor"].range
            lo, hi = rng if rng is not None else INLINE_RANGE
            radar["search_range_factor"] = lo if end == "low" else hi
        if fence_deg is not None:
            radar["search_el_deg"] = fence_deg
    if satellite:
        for sat in _satellites(out):
            sat.update(satellite)
    return out


def _fmt(value: float, ci: Any, signed: bool = False) -> str:
    if signed:
        return f"{value:+.2f} ({ci[0]:+.2f} to {ci[1]:+.2f})"
    return f"{value:.2f} ({ci[0]:.2f}–{ci[1]:.2f})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", nargs="?", type=Path, default=FLAGSHIP)
    parser.add_argument("--trials", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args(argv)
    data = yaml.safe_load(args.file.read_text(encoding="utf-8"))
    pess, fence = PESSIMISTIC_SATELLITE, PESSIMISTIC_FENCE_DEG
    cases: list[tuple[str, str | None, dict[str, float] | None, float | None]] = [
        ("low end", "low", None, None),
        ("low end, optimistic report", "low", OPTIMISTIC_SATELLITE, None),
        ("low end, 2° fence", "low", None, fence),
        ("low end, pessimistic cue", "low", pess, fence),
        ("nominal", None, None, None),
        ("nominal, pessimistic cue", None, pess, fence),
        ("high end", "high", None, None),
    ]
    print("| `search_range_factor` | national | cueing | Δ cueing | shared_tracks | integrated |")
    print("|---|---|---|---|---|---|")
    for label, end, satellite, fence_deg in cases:
        cpu0, wall0 = time.process_time(), time.perf_counter()
        world = compile_world(load_scenario(variant(data, end, satellite, fence_deg)))
        result: Comparison = compare(world, POLICIES, trials=args.trials, seed=args.seed)
        rows = {r.name: r for r in result.rows}
        cueing = rows["cueing"]
        cells = [
            _fmt(rows["national"].expected_leakers, rows["national"].expected_leakers_ci),
            _fmt(cueing.expected_leakers, cueing.expected_leakers_ci),
            _fmt(cueing.d_expected_leakers, cueing.d_expected_leakers_ci, signed=True),
            _fmt(rows["shared_tracks"].expected_leakers, rows["shared_tracks"].expected_leakers_ci),
            _fmt(rows["integrated"].expected_leakers, rows["integrated"].expected_leakers_ci),
        ]
        print(f"| {label} | " + " | ".join(cells) + " |")
        print(
            f"  ({result.trials:,} trials, seed {result.seed}: "
            f"{time.process_time() - cpu0:.1f} s CPU, {time.perf_counter() - wall0:.1f} s wall)",
            file=sys.stderr,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
