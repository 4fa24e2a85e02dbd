"""Tutorial 1: what does a scenario file become, and what happens when it is wrong?

A scenario is a YAML file (docs/scenario.md). ``api.load_scenario`` validates it and reports
every mistake at once, each with ``file:line:col``; ``api.compile_world`` turns a valid
scenario into a ``World``: read-only numpy arrays in SI units (metres, seconds, radians).

Run: ``uv run python examples/tutorials/01_scenario.py``
"""

from pathlib import Path

import numpy as np

from shieldwall import api

# Paths are relative to this file, so the script runs from any directory.
EXAMPLES = Path(__file__).resolve().parents[1]
MINIMAL = EXAMPLES / "minimal.yaml"

# 1. Load the minimal scenario: one nation, one radar, one battery, three Scud-C.
scenario = api.load_scenario(MINIMAL)
print(f"loaded {MINIMAL.name}: {scenario.name!r}, {len(scenario.warnings)} warning(s)")

# 2. A deliberately broken copy: a typo in a field name and a latitude out of range.
#    Validation reports both at once, each at its line and column.
text = MINIMAL.read_text()
broken = text.replace("boresight_az_deg: 0       #", "boresite_az_deg: 0        #", 1)
broken = broken.replace("lat_deg: 35.0, lon_deg: 128.0", "lat_deg: 95.0, lon_deg: 128.0", 1)
if "boresite" not in broken or "lat_deg: 95.0" not in broken:
    raise SystemExit("the edits did not apply: has examples/minimal.yaml changed?")
try:
    api.load_scenario(broken)
except api.ScenarioError as error:
    print(f"broken copy: {len(error.problems)} problems")
    for problem in error.problems:
        # ``where`` is file:line:col; YAML given as text is reported as file "<text>".
        message = problem.message.split(" (allowed here")[0]
        print(f"  {problem.where}  {problem.path}: {message}")
else:
    raise SystemExit("the broken scenario was accepted")

# 3. Compile the valid scenario into a World of SI arrays.
world = api.compile_world(scenario)
print(
    f"world {world.name!r}, phase {world.phase!r}: {len(world.nations)} nation, "
    f"{len(world.assets)} asset, {len(world.radars)} radars (one organic to the battery), "
    f"{len(world.batteries)} battery, {len(world.raid)} threats"
)
print(f"asset ECEF position r_ecef_m: {np.round(world.assets.r_ecef_m[0]).tolist()} m")
print(f"radar r0_m (1 m^2, cued): {world.radars.r0_m.tolist()} m")
print(f"interceptor fcq_ipp_sigma_m: {world.interceptors.fcq_ipp_sigma_m.tolist()} m")
print(f"raid launch_t_s: {world.raid.launch_t_s.tolist()} s")
