"""flight/: how things move — threat trajectories (boost, free flight, reentry), interceptor flyout.

See docs/flight.md for the models and docs/interfaces.md for the types.
"""

from __future__ import annotations

from shieldwall.flight.aim import aim
from shieldwall.flight.flyout import FlyoutTable
from shieldwall.flight.interceptor import flyout_table, flyout_tables
from shieldwall.flight.model import FlightModel
from shieldwall.flight.raid import fly_raid
from shieldwall.flight.threats import fly_threats
from shieldwall.flight.trajectories import Trajectories

__all__ = [
    "FlightModel",
    "FlyoutTable",
    "Trajectories",
    "aim",
    "fly_raid",
    "fly_threats",
    "flyout_table",
    "flyout_tables",
]
