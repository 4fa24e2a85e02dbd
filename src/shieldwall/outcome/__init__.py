"""What happens: the fight of every trial, on common random numbers (docs/battle.md)."""

from shieldwall.outcome.draws import TRIAL_BLOCK, BlockDraws, block_draws
from shieldwall.outcome.engine import fight
from shieldwall.outcome.outcomes import EVENT_TRIALS, Events, Outcomes, Tally

__all__ = [
    "EVENT_TRIALS",
    "TRIAL_BLOCK",
    "BlockDraws",
    "Events",
    "Outcomes",
    "Tally",
    "block_draws",
    "fight",
]
