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
GOLDEN = [
    ("national", 13.025, 41.615, 0.0),
    ("cueing", 12.84, 42.83, 0.0),
    ("shared_tracks", 9.73, 48.36, 0.0),
    ("integrated", 4.43, 58.17, 0.0),
]


@pytest.mark.slow
def test_flagship_comparison_is_unchanged() -> None:
    c = compare(compile_world(load_scenario(FLAGSHIP)), trials=N_TRIALS, seed=SEED)
    got = [(r.name, r.expected_leakers, r.interceptors_used, r.p_zero_leak) for r in c.rows]
    assert got == GOLDEN
