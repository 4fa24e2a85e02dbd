"""Tutorial 5: the Gulf -- what THAAD buys, what sharing buys, and what the defense spends.

The second theater (examples/gulf.yaml): Saudi Arabia, the UAE, Qatar, Bahrain, Kuwait and the
US defend capitals, oil and gas facilities and bases against a 36-missile Iranian SRBM/MRBM
raid. Three deployment phases (2015 Patriot only, 2017 THAAD in the UAE, 2026 Saudi THAAD and
the Qatar early-warning radar) and three arrangements besides the presets: ``hizam_2001`` (the
GCC's voice-relayed early warning), ``centcom_iamd`` (US tracks to and from every partner, US
forces defending all) and ``gulf_shield_2025`` (the announced joint shield: every partner shares
tracks and defends every other). Every catalog number has a source (``api.load_catalog()``);
costs are USD at 2024 prices (docs/catalog.md).

A small trial count keeps this quick; intervals are 95 %, differences paired on common random
numbers.

Run: ``uv run python examples/tutorials/05_gulf.py``
"""

from pathlib import Path

import numpy as np

from shieldwall import api

GULF = Path(__file__).resolve().parents[1] / "gulf.yaml"
TRIALS = 300
POLICIES = ["national", "centcom_iamd", "gulf_shield_2025"]

scenario = api.load_scenario(GULF)
catalog = api.load_catalog()
first = api.compile_world(scenario, 0)

# The raid, with where each missile's range comes from.
print(f"{scenario.name}: {len(first.raid)} missiles")
counts = np.bincount(first.raid.missile_idx, minlength=len(first.missiles))
for name, n in zip(first.missiles.name, counts, strict=True):
    reach = catalog.get("missile", name).params["max_range_km"]
    print(f"  {n} x {name:15} {reach.value:6,.0f} km ({reach.confidence}: {reach.source[:60]})")

# Each phase under each arrangement.
print(f"{TRIALS} trials per policy; leakers = expected leakers per raid")
for phase in (0, len(scenario.phase_names) - 1):
    world = api.compile_world(scenario, phase)
    raid_cost_musd = world.missiles.unit_cost_usd[world.raid.missile_idx].sum() / 1e6
    comparison = api.compare(world, policies=POLICIES, trials=TRIALS, seed=1)
    print(f"phase {world.phase} (raid cost ~${raid_cost_musd:.0f}M, a rough estimate)")
    print(f"  {'policy':18}{'leakers':>22}{'vs national':>26}{'rounds':>8}{'rounds $M':>11}")
    for row in comparison.rows:
        # Rounds fired per battery (mean over trials) times each battery's round cost.
        metrics = row.results.metrics
        round_cost_usd = world.interceptors.round_cost_usd[world.batteries.interceptor_idx]
        spent_musd = float(metrics.expended_by_battery @ round_cost_usd) / 1e6
        lo, hi = row.expected_leakers_ci
        d_lo, d_hi = row.d_expected_leakers_ci
        print(
            f"  {row.name:18}{f'{row.expected_leakers:.2f} ({lo:.2f}-{hi:.2f})':>22}"
            f"{f'{row.d_expected_leakers:+.2f} ({d_lo:+.2f} to {d_hi:+.2f})':>26}"
            f"{row.interceptors_used:8.1f}{spent_musd:11.0f}"
        )
