"""What a scenario contains, phase by phase, as plain data (for ``shieldwall validate``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from shieldwall.scenario.checks import CatalogLike
from shieldwall.scenario.compile import compile_world
from shieldwall.scenario.model import Scenario
from shieldwall.scenario.world import World

__all__ = ["summarize"]


def summarize(
    scenario: Scenario,
    *,
    catalog: CatalogLike | None = None,
    worlds: Sequence[World] | None = None,
) -> dict[str, Any]:
    """Counts per phase (compiling each phase unless ``worlds`` gives them, one per phase).

    Returns
    -------
    dict
        ``name``, ``file``, ``hash``, ``trials``, ``seed``, ``policies`` and ``phases``: a list of
        :meth:`World.summary` dicts, one per phase (phase 0 first).
    """
    if worlds is None:
        worlds = [
            compile_world(scenario, k, catalog=catalog) for k in range(len(scenario.phase_names))
        ]
    last = worlds[-1]
    return {
        "name": scenario.name,
        "file": scenario.file,
        "hash": last.scenario_hash,
        "trials": scenario.settings.trials,
        "seed": scenario.settings.seed,
        "nations": list(last.nations.id),
        "policies": list(last.policies),
        "phases": [w.summary() for w in worlds],
    }
