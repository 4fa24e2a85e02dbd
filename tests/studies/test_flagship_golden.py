"""Golden regression of the flagship comparison: the same seed gives the same numbers.

A speed change must leave these exactly as they are (block draws make the results independent
of chunking and workers). A change to the model moves them: update the numbers in the same
commit, and write by how much in that commit's message and in CHANGELOG.md.

The values are means over 200 trials of integer counts, so they are exact decimal fractions
(k / 200) and compared with ``==``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from shieldwall.scenario import compile_world, load_scenario
from shieldwall.studies.compare import compare

FLAGSHIP = Path(__file__).resolve().parents[2] / "examples" / "korea_japan.yaml"
N_TRIALS, SEED = 200, 11

#: (policy, expected leakers, interceptors used, P(zero leakage)) at ``N_TRIALS``, ``SEED``.
#: 200 trials are in block 0, so they fight raid sample 0 only (its launch times jittered by
#: settings.launch_jitter_s = 30 s since raid samples landed: national 13.025 -> 12.935).
GOLDEN = [
    ("national", 12.935, 42.91, 0.0),
    ("cueing", 12.835, 43.1, 0.0),
    ("shared_tracks", 10.38, 46.595, 0.0),
    ("integrated", 4.16, 60.545, 0.005),
]


@pytest.mark.slow
def test_flagship_comparison_is_unchanged() -> None:
    c = compare(compile_world(load_scenario(FLAGSHIP)), trials=N_TRIALS, seed=SEED)
    got = [(r.name, r.expected_leakers, r.interceptors_used, r.p_zero_leak) for r in c.rows]
    assert got == GOLDEN
