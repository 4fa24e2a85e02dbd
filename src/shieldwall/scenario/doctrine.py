"""The compiled fire doctrine and battle-manager settings (:class:`Doctrine`).

One frozen record of how the battle manager fights (docs/battle.md): how many rounds an engagement
fires, the shot caps, what it holds back, tier order, how long fire channels stay busy,
kill-assessment errors, the believed-target margin and the planner. The scenario's ``doctrine:``
section and the command-line flags compile into it; ``World.doctrine`` carries it to battle.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from typing import Any

from shieldwall.errors import Problem, ShieldwallError

__all__ = [
    "CHANNEL_HOLDS",
    "FIRE_MODES",
    "PLANNER_OBJECTIVES",
    "PLANNER_SOLVERS",
    "Doctrine",
    "DoctrineError",
    "KillAssessment",
    "Planner",
]

#: How an engagement spends rounds: one per shoot-look-shoot slot, or a salvo at once.
FIRE_MODES: tuple[str, ...] = ("sls", "salvo")
#: Until when an engagement holds its fire channel.
CHANNEL_HOLDS: tuple[str, ...] = ("intercept", "assessment")
#: Fire planners, by name.
PLANNER_SOLVERS: tuple[str, ...] = ("heuristic", "exact", "doctrine")
#: Planner objectives, by name.
PLANNER_OBJECTIVES: tuple[str, ...] = ("asset_value", "expected_leakers")


class DoctrineError(ShieldwallError, ValueError):
    """A doctrine value is out of range or unknown (names the field and what is allowed)."""


def _fail(path: str, message: str) -> DoctrineError:
    return DoctrineError(
        f"invalid doctrine: {path}: {message}", [Problem(message=message, path=path)]
    )


@dataclass(frozen=True, kw_only=True)
class KillAssessment:
    """Kill-assessment error probabilities (0 = perfect assessment).

    Parameters
    ----------
    miss_as_kill
        Probability that a surviving threat is reported dead (it is then dropped). []
    kill_as_miss
        Probability that a dead threat is reported alive (more rounds are spent on it). []
    """

    miss_as_kill: float = 0.0
    kill_as_miss: float = 0.0


@dataclass(frozen=True, kw_only=True)
class Planner:
    """Which planner makes the nominal fire plan, and what it minimizes.

    Parameters
    ----------
    solver
        One of :data:`PLANNER_SOLVERS`.
    objective
        One of :data:`PLANNER_OBJECTIVES`: expected asset value lost, or expected leakers.
    """

    solver: str = "heuristic"
    objective: str = "asset_value"


@dataclass(frozen=True, kw_only=True)
class Doctrine:
    """How the battle manager fights (every field has a documented default).

    Parameters
    ----------
    mode
        ``sls`` (one round per shoot-look-shoot slot) or ``salvo`` (``salvo_size`` rounds at once).
    salvo_size
        Rounds per engagement in ``salvo`` mode. []
    max_rounds_per_pair
        Most rounds one battery fires at one threat. []
    max_rounds_per_threat
        Most rounds fired at one threat by all batteries. []
    reserve_rounds
        Rounds each battery holds back from engagements the plan did not ask for. []
    upper_tier_first
        Lower-tier batteries hold fire at a threat while an upper-tier battery can still engage it.
    channel_hold
        ``intercept`` or ``assessment``: until when an engagement occupies its fire channel.
    kill_assessment
        Kill-assessment error probabilities.
    ipp_margin_sigma
        A battery believes a threat is aimed at an asset when the predicted impact point lies within
        the asset's radius plus this many IPP standard deviations. []
    planner
        The planner (solver and objective).
    """

    mode: str = "sls"
    salvo_size: int = 2
    max_rounds_per_pair: int = 2
    max_rounds_per_threat: int = 6
    reserve_rounds: int = 0
    upper_tier_first: bool = False
    channel_hold: str = "intercept"
    kill_assessment: KillAssessment = field(default_factory=KillAssessment)
    ipp_margin_sigma: float = 2.0
    planner: Planner = field(default_factory=Planner)

    def __post_init__(self) -> None:
        for name, allowed in (("mode", FIRE_MODES), ("channel_hold", CHANNEL_HOLDS)):
            if getattr(self, name) not in allowed:
                raise _fail(
                    name, f"must be one of {', '.join(allowed)}, got {getattr(self, name)!r}"
                )
        if self.planner.solver not in PLANNER_SOLVERS:
            valid = ", ".join(PLANNER_SOLVERS)
            raise _fail("planner.solver", f"must be one of {valid}, got {self.planner.solver!r}")
        if self.planner.objective not in PLANNER_OBJECTIVES:
            valid = ", ".join(PLANNER_OBJECTIVES)
            raise _fail(
                "planner.objective", f"must be one of {valid}, got {self.planner.objective!r}"
            )
        for name in ("salvo_size", "max_rounds_per_pair", "max_rounds_per_threat"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise _fail(name, f"must be a positive integer, got {value!r}")
        if (
            isinstance(self.reserve_rounds, bool)
            or not isinstance(self.reserve_rounds, int)
            or self.reserve_rounds < 0
        ):
            raise _fail("reserve_rounds", f"must be an integer >= 0, got {self.reserve_rounds!r}")
        for name in ("miss_as_kill", "kill_as_miss"):
            q = getattr(self.kill_assessment, name)
            if not (isinstance(q, int | float) and 0.0 <= q <= 1.0):
                raise _fail(
                    f"kill_assessment.{name}", f"must be a probability in [0, 1], got {q!r}"
                )
        m = self.ipp_margin_sigma
        if not (isinstance(m, int | float) and 0.0 <= m <= 10.0):
            raise _fail("ipp_margin_sigma", f"must be a number in [0, 10], got {m!r}")

    def with_overrides(self, **values: Any) -> Doctrine:
        """A copy with fields replaced (``planner_solver=``/``miss_as_kill=`` etc. reach nested
        records); unknown names raise :class:`DoctrineError`."""
        nested = {
            "planner_solver": ("planner", "solver"),
            "planner_objective": ("planner", "objective"),
            "miss_as_kill": ("kill_assessment", "miss_as_kill"),
            "kill_as_miss": ("kill_assessment", "kill_as_miss"),
        }
        top = {f.name for f in fields(self)}
        direct: dict[str, Any] = {k: v for k, v in values.items() if k in top}
        planner = direct.pop("planner", self.planner)
        ka = direct.pop("kill_assessment", self.kill_assessment)
        for key, value in values.items():
            if key in top:
                continue
            if key in nested:
                parent, child = nested[key]
                if parent == "planner":
                    planner = replace(planner, **{child: value})
                else:
                    ka = replace(ka, **{child: value})
            else:
                allowed = ", ".join(sorted(top | set(nested)))
                raise _fail(key, f"unknown doctrine field; allowed: {allowed}")
        return replace(self, **direct, planner=planner, kill_assessment=ka)
