"""The engine and the per-trial reference on the flagship: the fights the pipeline runs for the
four preset policies (examples/korea_japan.yaml), identical outcomes on a subsample of trials;
and the engine's numpy lockstep, in chunks of trials, identical to its compiled kernel on all."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import shieldwall.pipeline as pipeline
from shieldwall.outcome.engine import fight
from shieldwall.outcome.outcomes import Outcomes
from shieldwall.outcome.reference import fight_reference
from shieldwall.scenario import compile_world, load_scenario
from shieldwall.studies.compare import DEFAULT_POLICIES
from tests.outcome.fights import assert_same_outcomes

FLAGSHIP = Path(__file__).resolve().parents[2] / "examples" / "korea_japan.yaml"
#: Trials the pipeline fights (one block) and the first of them the reference refights.
N_TRIALS, N_REFERENCE = 300, 12


@pytest.mark.slow
def test_reference_refights_the_flagship(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[Any, ...]] = []
    engine = pipeline.fight

    def recording(inputs: Any, trials: Any, draws: Any, **kw: Any) -> Outcomes:
        out = engine(inputs, trials, draws, **kw)
        calls.append((inputs, trials, draws, kw.get("event_trials", 0), out))
        return out

    monkeypatch.setattr(pipeline, "fight", recording)
    world = compile_world(load_scenario(FLAGSHIP))
    pipeline.simulate_policies(world, list(DEFAULT_POLICIES), trials=N_TRIALS, seed=3)
    assert sorted(c[0].policy for c in calls) == sorted(DEFAULT_POLICIES)
    for inputs, trials, draws, logged, fast in calls:
        slow = fight_reference(
            inputs, trials, draws, n_trials=N_REFERENCE, event_trials=min(logged, N_REFERENCE)
        )
        assert slow.events.n_events > 0
        assert_same_outcomes(fast, slow)
        # ~100 trials per chunk: the lockstep's chunking changes nothing either
        lock = fight(inputs, trials, draws, event_trials=logged, compiled=False, max_cells=10_000)
        assert_same_outcomes(fast, lock)
