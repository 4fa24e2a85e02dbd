"""Tutorial 2: how long, how high and how fast is a Nodong from Pyongyang to Tokyo?

``api.aim`` aims one missile of a catalog type at a point and flies it in the full model
(WGS-84 + J2 gravity, Earth rotation, US-1976 atmosphere drag, a programmed boost). The same
shot in the textbook model (``api.FlightModel.textbook()``: vacuum, non-rotating Earth,
impulsive burnout at the launch point, spherical Earth; Bate, Mueller & White 1971 §6.2) shows
what those effects add. See docs/flight.md.

Run: ``uv run python examples/tutorials/02_fly.py``
"""

import numpy as np

from shieldwall import api

# Approximate points (degrees): Pyongyang area and central Tokyo, as in docs/flight.md.
LAUNCH_DEG = (39.03, 125.75)
AIM_DEG = (35.68, 139.69)


def fly(model: api.FlightModel | None) -> api.Trajectories:
    """Aim one minimum-energy Nodong shot (angles in radians, as the API expects)."""
    return api.aim(
        "Nodong",
        launch_lat_rad=np.radians(LAUNCH_DEG[0]),
        launch_lon_rad=np.radians(LAUNCH_DEG[1]),
        aim_lat_rad=np.radians(AIM_DEG[0]),
        aim_lon_rad=np.radians(AIM_DEG[1]),
        model=model,
    )


full = fly(None)  # None = the full model, api.FlightModel()
textbook = fly(api.FlightModel.textbook())

# Each field is an array over threats; here there is one threat, index 0.
print(f"Nodong {LAUNCH_DEG} -> {AIM_DEG}: range {full.range_m[0] / 1e3:,.0f} km")
print(f"{'':22}{'full model':>12}{'textbook':>12}")
rows = [
    ("flight time [min]", full.flight_time_s[0] / 60, textbook.flight_time_s[0] / 60),
    ("apogee [km]", full.apogee_m[0] / 1e3, textbook.apogee_m[0] / 1e3),
    ("burnout speed [km/s]", full.burnout_speed_mps[0] / 1e3, textbook.burnout_speed_mps[0] / 1e3),
    ("reentry speed [km/s]", full.reentry_speed_mps[0] / 1e3, textbook.reentry_speed_mps[0] / 1e3),
]
for label, a, b in rows:
    print(f"{label:22}{a:12.2f}{b:12.2f}")

# What each effect adds: remove one at a time (``with_switches``) and compare flight times.
# Boost is removed together with drag: an impulsive burnout at sea level at full speed meets
# absurd drag (docs/flight.md), so "vacuum" vs "vacuum + impulsive" isolates the boost.
full_model = api.FlightModel()
variants = [
    ("no rotation", full_model.with_switches(no_rotation=True)),
    ("vacuum (no drag)", full_model.with_switches(vacuum=True)),
    ("vacuum + impulsive", full_model.with_switches(vacuum=True, impulsive=True)),
    ("spherical Earth", full_model.with_switches(spherical=True)),
]
print(f"full model flight time {full.flight_time_s[0]:.0f} s; with one effect removed:")
for label, model in variants:
    t_s = fly(model).flight_time_s[0]
    print(f"  {label:20} {t_s:5.0f} s  ({t_s - full.flight_time_s[0]:+4.0f} s)")
