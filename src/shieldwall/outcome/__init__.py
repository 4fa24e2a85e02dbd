"""What happens: the Monte Carlo over trials on common random numbers (docs/montecarlo.md)."""

from shieldwall.outcome.draws import Draws, draw
from shieldwall.outcome.engine import resolve
from shieldwall.outcome.outcomes import Outcomes
from shieldwall.outcome.reference import resolve_reference

__all__ = ["Draws", "Outcomes", "draw", "resolve", "resolve_reference"]
