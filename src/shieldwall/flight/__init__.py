"""flight/: how things move — threat trajectories (boost, free flight, reentry), interceptor flyout.

See docs/flight.md for the models and docs/interfaces.md for the types.
"""

from __future__ import annotations

from shieldwall.flight.flyout import FlyoutTable
from shieldwall.flight.trajectories import Trajectories

__all__ = ["FlyoutTable", "Trajectories"]
