"""Tutorial 3: which ally gets a fire-control-quality track, and how early, when tracks are shared?

On the flagship scenario (examples/korea_japan.yaml: South Korea, Japan and the US against a
36-missile raid) we fly the raid once, then for two sharing policies ask each nation's fused
picture when its impact-point prediction (IPP) becomes good enough for its batteries to commit:
a fire-control-quality (FCQ) track. ``national``: each nation uses only its own sensors.
``shared_tracks``: allies exchange fire-control tracks (launch on remote). See docs/sensing.md
and docs/tracking.md.

Run: ``uv run python examples/tutorials/03_who_sees_what.py``
"""

from pathlib import Path

import numpy as np

from shieldwall import api

FLAGSHIP = Path(__file__).resolve().parents[1] / "korea_japan.yaml"

world = api.compile_world(api.load_scenario(FLAGSHIP))  # the last deployment phase
trajectories = api.fly_raid(world)  # flight does not depend on the policy: fly once
impact_t_s = trajectories.impact_t_s  # (n_threat,) seconds since the scenario epoch

# Each nation's FCQ requirement: the loosest fcq_ipp_sigma_m among its batteries' interceptors
# (the rule `shieldwall detect` uses). A nation commits once its IPP 1-sigma is below it.
nations = world.nations.id
req_m = api.nation_fcq_requirement_m(world)
print(f"{world.name} ({world.phase}): {trajectories.n} threats")
print(
    "FCQ requirement: " + ", ".join(f"{n} {r:.0f} m" for n, r in zip(nations, req_m, strict=True))
)

for name in ("national", "shared_tracks"):
    policy = world.policies[name]
    # Cueing depends on the policy, so observe and track under the same one.
    visibility = api.observe(world, trajectories, policy)
    picture = api.track(world, trajectories, visibility, policy)
    # First time each nation's IPP sigma is within its requirement: (n_nation, n_threat), inf never.
    fcq_t_s = picture.fire_control_time(np.arange(len(nations)), req_m)
    print(f"policy {name}:")
    for n, nation in enumerate(nations):
        has_fcq = np.isfinite(fcq_t_s[n])
        # Time left to engage, averaged over the threats this nation has an FCQ track on (all
        # threats in the raid, not only those aimed at its own assets).
        margin_s = impact_t_s[has_fcq] - fcq_t_s[n, has_fcq]
        mean_margin = f"{margin_s.mean():5.0f} s" if has_fcq.any() else "    -"
        print(
            f"  {nation}: FCQ track on {has_fcq.sum():2d}/{trajectories.n} threats, "
            f"mean time from FCQ to impact {mean_margin}"
        )
