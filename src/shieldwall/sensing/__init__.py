"""sensing/: what sensors can see — radar horizon, field of regard, RCS-scaled detection, EW
satellites, and the cueing a sharing policy gives. See docs/sensing.md."""

from __future__ import annotations

from shieldwall.sensing.visibility import (
    SensorGeometry,
    Visibility,
    cue_times,
    observe,
    sensor_geometry,
)

__all__ = ["SensorGeometry", "Visibility", "cue_times", "observe", "sensor_geometry"]
