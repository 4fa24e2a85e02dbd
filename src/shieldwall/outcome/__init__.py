"""What happens: the fight of every trial, on common random numbers (docs/battle.md)."""

from shieldwall.outcome.draws import TRIAL_BLOCK, BlockDraws, block_draws
from shieldwall.outcome.outcomes import Events, Outcomes

__all__ = ["TRIAL_BLOCK", "BlockDraws", "Events", "Outcomes", "block_draws"]
