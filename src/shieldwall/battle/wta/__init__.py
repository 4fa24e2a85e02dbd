"""Weapon-target assignment: which battery fires how many interceptors at which threat.

Static WTA (Manne, 1958) with the battle side constraints, target- or asset-based, solved by name:
``heuristic`` (maximum marginal return + local search, Ahuja et al., 2007) or ``exact`` (log-domain
outer approximation on HiGHS, Kelley, 1960). Usable on its own::

    from shieldwall.battle.wta import WTAProblem, solve

    problem = WTAProblem(values=[10.0, 5.0], pk=[[0.7, 0.5]], inventory=[2])
    solution = solve(problem, solver="exact")
"""

from __future__ import annotations

from shieldwall.battle.wta.instance import ahuja_instance, read_instance
from shieldwall.battle.wta.problem import SOLVERS, WTAError, WTAProblem, WTASolution
from shieldwall.battle.wta.solve import solve, solve_many

__all__ = [
    "SOLVERS",
    "WTAError",
    "WTAProblem",
    "WTASolution",
    "ahuja_instance",
    "read_instance",
    "solve",
    "solve_many",
]
