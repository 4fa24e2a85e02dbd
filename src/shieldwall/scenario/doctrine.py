"""The compiled fire doctrine and battle-manager settings (:class:`Doctrine`).

One frozen record of how the battle manager fights (docs/battle.md): how many rounds an engagement
fires, the shot caps, what it holds back, tier order, how long fire channels stay busy,
kill-assessment errors, the believed-target margin and the planner. ``World.doctrine`` carries it
to battle.

Every setting is defined once, in :data:`SETTINGS` (name, type, default, allowed values, meaning,
command-line flag). The checks of :class:`Doctrine`, the scenario's ``doctrine:`` section
(:func:`shieldwall.scenario.params.doctrine_model`, and so the JSON Schema) and the command-line
flags of ``run``/``compare``/the studies (``shieldwall.cli._doctrine``) are derived from it, so
a value is refused with the same message wherever it is written.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any, Final

from shieldwall.errors import Problem, ShieldwallError

__all__ = [
    "CHANNEL_HOLDS",
    "FIRE_MODES",
    "PLANNER_OBJECTIVES",
    "PLANNER_SOLVERS",
    "SETTINGS",
    "Doctrine",
    "DoctrineError",
    "KillAssessment",
    "Planner",
    "Setting",
    "markdown_table",
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


@dataclass(frozen=True, kw_only=True)
class Setting:
    """One doctrine setting (the single definition of it).

    Parameters
    ----------
    name
        Dotted path in :class:`Doctrine` and in the scenario's ``doctrine:`` section
        (``salvo_size``, ``kill_assessment.miss_as_kill``).
    type
        ``int``, ``float``, ``bool`` or ``str`` (a choice).
    default
        The value when nothing says otherwise.
    doc
        What it means, one sentence.
    flag
        The command-line option of ``run``, ``compare`` and the studies.
    lo, hi
        Inclusive bounds of a number.
    choices
        Allowed values of a choice.
    """

    name: str
    type: type
    default: Any
    doc: str
    flag: str
    lo: float = -math.inf
    hi: float = math.inf
    choices: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        """The last part of the name (the field in its record)."""
        return self.name.rpartition(".")[2]

    def describe(self) -> str:
        """What is allowed, in words."""
        if self.type is bool:
            return "true or false"
        if self.choices:
            return "one of " + ", ".join(self.choices)
        if self.type is int:
            return f"an integer in [{int(self.lo):,}, {int(self.hi):,}]"
        return f"a number in [{self.lo:g}, {self.hi:g}]"

    def problem(self, value: Any) -> str | None:
        """Why ``value`` is not allowed (``None`` if it is)."""
        ok: bool
        if self.type is bool:
            ok = isinstance(value, bool)
        elif self.choices:
            ok = isinstance(value, str) and value in self.choices
        elif self.type is int:
            ok = isinstance(value, int) and not isinstance(value, bool)
            ok = ok and self.lo <= value <= self.hi
        else:
            ok = isinstance(value, int | float) and not isinstance(value, bool)
            ok = ok and math.isfinite(value) and self.lo <= value <= self.hi
        return None if ok else f"must be {self.describe()}, got {value!r}"


#: Every doctrine setting, in display order.
SETTINGS: Final[tuple[Setting, ...]] = (
    Setting(
        name="mode",
        type=str,
        default="sls",
        choices=FIRE_MODES,
        flag="--mode",
        doc="sls: one round per shoot-look-shoot opportunity; salvo: salvo_size rounds at once.",
    ),
    Setting(
        name="salvo_size",
        type=int,
        default=2,
        lo=1,
        hi=16,
        flag="--salvo",
        doc="Rounds per engagement in salvo mode (and in the doctrine baseline); a launcher holds "
        "at most 16.",
    ),
    Setting(
        name="max_rounds_per_pair",
        type=int,
        default=2,
        lo=1,
        hi=16,
        flag="--max-rounds-per-pair",
        doc="Most rounds one battery fires at one threat.",
    ),
    Setting(
        name="max_rounds_per_threat",
        type=int,
        default=6,
        lo=1,
        hi=32,
        flag="--max-rounds-per-threat",
        doc="Most rounds fired at one threat by all batteries together.",
    ),
    Setting(
        name="reserve_rounds",
        type=int,
        default=0,
        lo=0,
        hi=1_000_000,
        flag="--reserve",
        doc="Rounds each battery holds back from engagements the plan did not ask for.",
    ),
    Setting(
        name="upper_tier_first",
        type=bool,
        default=False,
        flag="--upper-tier-first",
        doc="Lower-tier batteries hold fire at a threat while an upper-tier battery with rounds "
        "can still engage it.",
    ),
    Setting(
        name="channel_hold",
        type=str,
        default="intercept",
        choices=CHANNEL_HOLDS,
        flag="--channel-hold",
        doc="Until when an engagement occupies its fire channel: intercept, or the kill "
        "assessment after it.",
    ),
    Setting(
        name="kill_assessment.miss_as_kill",
        type=float,
        default=0.0,
        lo=0.0,
        hi=1.0,
        flag="--miss-as-kill",
        doc="Probability that a surviving threat is reported dead (it is then dropped).",
    ),
    Setting(
        name="kill_assessment.kill_as_miss",
        type=float,
        default=0.0,
        lo=0.0,
        hi=1.0,
        flag="--kill-as-miss",
        doc="Probability that a dead threat is reported alive (more rounds are spent on it).",
    ),
    Setting(
        name="ipp_margin_sigma",
        type=float,
        default=2.0,
        lo=0.0,
        hi=10.0,
        flag="--ipp-margin",
        doc="A battery believes a threat is aimed at an asset when the predicted impact point "
        "lies within the asset's radius plus this many IPP standard deviations.",
    ),
    Setting(
        name="planner.solver",
        type=str,
        default="heuristic",
        choices=PLANNER_SOLVERS,
        flag="--solver",
        doc="Who makes the nominal fire plan: heuristic (marginal return + local search), "
        "exact (MILP) or doctrine (no plan: the national salvo baseline).",
    ),
    Setting(
        name="planner.objective",
        type=str,
        default="asset_value",
        choices=PLANNER_OBJECTIVES,
        flag="--objective",
        doc="What the planner minimizes: expected asset value lost, or expected leakers.",
    ),
)

_BY_NAME: Final[dict[str, Setting]] = {s.name: s for s in SETTINGS}
#: Flat aliases accepted by :meth:`Doctrine.with_overrides` (``miss_as_kill=0.1``).
_FLAT: Final[dict[str, str]] = {
    **{s.name.replace(".", "_"): s.name for s in SETTINGS},
    **{s.key: s.name for s in SETTINGS},
}


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
    """How the battle manager fights; every field is a :data:`SETTINGS` entry with its default.

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

    Raises
    ------
    DoctrineError
        A value that :data:`SETTINGS` does not allow (the message names it and what is allowed).
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
        for setting in SETTINGS:
            message = setting.problem(self.get(setting.name))
            if message is not None:
                raise _fail(setting.name, message)

    def get(self, name: str) -> Any:
        """The value of a setting by dotted name (``"planner.solver"``)."""
        record: Any = self
        for part in name.split("."):
            record = getattr(record, part)
        return record

    def as_dict(self) -> dict[str, Any]:
        """Every setting by dotted name (for provenance and ``--json``)."""
        return {s.name: self.get(s.name) for s in SETTINGS}

    @classmethod
    def from_settings(cls, values: dict[str, Any]) -> Doctrine:
        """A doctrine from values by dotted name; missing ones take their defaults."""
        return cls().with_overrides(**values)

    def with_overrides(self, **values: Any) -> Doctrine:
        """A copy with settings replaced, by dotted name (as a ``**dict``), flat name
        (``planner_solver``, ``miss_as_kill``) or field name; ``None`` values are ignored.

        Raises
        ------
        DoctrineError
            An unknown name (the message lists the valid ones) or a value not allowed.
        """
        top: dict[str, Any] = {}
        nested: dict[str, dict[str, Any]] = {}
        for given, value in values.items():
            name = given if given in _BY_NAME else _FLAT.get(given)
            if name is None:
                allowed = ", ".join(s.name for s in SETTINGS)
                raise _fail(given, f"unknown doctrine setting; allowed: {allowed}")
            if value is None:
                continue
            setting = _BY_NAME[name]
            message = setting.problem(value)
            if message is not None:
                raise _fail(name, message)
            if setting.type is float:
                value = float(value)
            parent, _, key = name.rpartition(".")
            if parent:
                nested.setdefault(parent, {})[key] = value
            else:
                top[key] = value
        for parent, changes in nested.items():
            top[parent] = replace(getattr(self, parent), **changes)
        return replace(self, **top)


def markdown_table() -> str:
    """The doctrine settings as Markdown (docs/scenario.md is generated from this)."""
    rows = [
        "| setting (`doctrine:`) | flag | default | allowed | meaning |",
        "|---|---|---|---|---|",
    ]
    for s in SETTINGS:
        default = str(s.default).lower() if s.type is bool else f"{s.default}"
        rows.append(f"| `{s.name}` | `{s.flag}` | `{default}` | {s.describe()} | {s.doc} |")
    return "\n".join(rows) + "\n"
