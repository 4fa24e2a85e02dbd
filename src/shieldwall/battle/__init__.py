"""What the defense does: engagement windows, the nominal plan, the inputs of each fight.

See docs/battle.md (the model). Per raid geometry: :func:`reach` (what each battery's flyout
reaches, policy-independent). Per policy: :func:`build_fight_inputs` (rows of admissible intercept
samples under the policy's levers), then :func:`plan_fight` / :func:`plan_policies` (the nominal
plan, warm-started across policies). Per trial block: :func:`build_trial_inputs` (failures,
fire-control times, believed targets); the fight itself is :func:`shieldwall.outcome.fight`.
"""

from shieldwall.battle.assemble import build_fight_inputs
from shieldwall.battle.fight_inputs import FightInputs, FightInputsError
from shieldwall.battle.plan import (
    ChannelGroups,
    PlanError,
    at_least_as_permissive,
    channel_groups,
    plan_fight,
    plan_matrix,
    plan_policies,
)
from shieldwall.battle.targets import Targets, threat_targets
from shieldwall.battle.trial_inputs import (
    FireControl,
    TrialInputs,
    believed_assets,
    build_trial_inputs,
    failures,
)
from shieldwall.battle.windows import Reach, guided, reach

__all__ = [
    "ChannelGroups",
    "FightInputs",
    "FightInputsError",
    "FireControl",
    "PlanError",
    "Reach",
    "Targets",
    "TrialInputs",
    "at_least_as_permissive",
    "believed_assets",
    "build_fight_inputs",
    "build_trial_inputs",
    "channel_groups",
    "failures",
    "guided",
    "plan_fight",
    "plan_matrix",
    "plan_policies",
    "reach",
    "threat_targets",
]
