"""What the defense does: engagement windows, weapon-target assignment, doctrine.

See docs/montecarlo.md: :func:`find_opportunities` (windows and shoot-look-shoot slots under a
policy), :func:`plan_shots` (asset-based WTA via :mod:`shieldwall.battle.wta`, or the national
doctrine), :func:`build_schedule` (planned and reserve shots for the Monte Carlo).
"""

from shieldwall.battle.opportunities import (
    MAX_SLOTS,
    Opportunities,
    Targets,
    find_opportunities,
    threat_targets,
)
from shieldwall.battle.plan import (
    PLAN_SOLVERS,
    Doctrine,
    PlanError,
    doctrine_plan,
    plan_shots,
    raid_channels,
)
from shieldwall.battle.schedule import Schedule, build_schedule
from shieldwall.battle.windows import WindowArrays, engagement_windows

__all__ = [
    "MAX_SLOTS",
    "PLAN_SOLVERS",
    "Doctrine",
    "Opportunities",
    "PlanError",
    "Schedule",
    "Targets",
    "WindowArrays",
    "build_schedule",
    "doctrine_plan",
    "engagement_windows",
    "find_opportunities",
    "plan_shots",
    "raid_channels",
    "threat_targets",
]
