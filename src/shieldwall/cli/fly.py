"""``shieldwall fly``: one trajectory, the questions users ask ("how long from X to Tokyo?")."""

from __future__ import annotations

import math
from typing import Annotated, Any

import typer

from shieldwall.cli._common import esc, out, print_json
from shieldwall.errors import Problem, TargetingError

_SHAPES = ("min_energy", "lofted", "depressed", "explicit")


def _point(text: str, option: str) -> tuple[float, float]:
    parts = text.replace(" ", "").split(",")
    try:
        lat, lon = (float(p) for p in parts)
    except ValueError:
        raise _bad(option, f"{text!r} is not LAT,LON in degrees (e.g. 39.0,125.7)") from None
    if not (math.isfinite(lat) and math.isfinite(lon)) or abs(lat) > 90.0:
        raise _bad(option, f"{text!r}: latitude must be in -90..90 deg, longitude finite")
    return lat, lon


def _bad(option: str, message: str) -> TargetingError:
    return TargetingError("bad input to shieldwall fly", [Problem(message=message, path=option)])


def fly(
    missile: Annotated[str, typer.Option("--missile", "-m", help="Catalog missile name.")],
    from_: Annotated[str, typer.Option("--from", help="Launch point LAT,LON [deg].")],
    to: Annotated[str, typer.Option("--to", help="Aim point LAT,LON [deg].")],
    shape: Annotated[
        str, typer.Option(help="min_energy | lofted | depressed | explicit.")
    ] = "min_energy",
    apogee_km: Annotated[
        float | None, typer.Option(help="Apogee of a lofted or depressed shot [km].")
    ] = None,
    burnout_speed_kms: Annotated[
        float | None, typer.Option(help="Burnout speed of an explicit shot [km/s].")
    ] = None,
    burnout_angle_deg: Annotated[
        float | None, typer.Option(help="Burnout flight-path angle of an explicit shot [deg].")
    ] = None,
    vacuum: Annotated[bool, typer.Option("--vacuum", help="No atmosphere (no drag).")] = False,
    no_rotation: Annotated[bool, typer.Option("--no-rotation", help="Non-rotating Earth.")] = False,
    impulsive: Annotated[
        bool, typer.Option("--impulsive", help="No boost: burnout at the launch point.")
    ] = False,
    spherical: Annotated[
        bool,
        typer.Option("--spherical", help="Spherical Earth (R = 6371 km), central gravity."),
    ] = False,
    textbook: Annotated[
        bool,
        typer.Option(
            "--textbook", help="All four: the Bate-Mueller-White case (checks, teaching)."
        ),
    ] = False,
    json_: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Fly one missile from a launch point to an aim point; print times, apogee and speeds.

    Example: shieldwall fly --missile Nodong --from 39.0,125.7 --to 35.68,139.69
    """
    from shieldwall.flight.aim import aim
    from shieldwall.flight.model import FlightModel

    lat0, lon0 = _point(from_, "--from")
    lat1, lon1 = _point(to, "--to")
    if shape not in _SHAPES:
        raise _bad("--shape", f"{shape!r} is not a shape; allowed: {', '.join(_SHAPES)}")
    model = FlightModel().with_switches(
        vacuum=vacuum or textbook,
        no_rotation=no_rotation or textbook,
        impulsive=impulsive or textbook,
        spherical=spherical or textbook,
    )
    traj = aim(
        missile,
        launch_lat_rad=math.radians(lat0),
        launch_lon_rad=math.radians(lon0),
        aim_lat_rad=math.radians(lat1),
        aim_lon_rad=math.radians(lon1),
        shape=shape,
        apogee_m=None if apogee_km is None else apogee_km * 1e3,
        burnout_speed_mps=None if burnout_speed_kms is None else burnout_speed_kms * 1e3,
        burnout_angle_rad=None if burnout_angle_deg is None else math.radians(burnout_angle_deg),
        model=model,
    )
    effects = [
        name
        for name, on in (
            ("drag", model.atmosphere != "vacuum"),
            ("rotation", model.rotation),
            ("boost", not model.impulsive),
            ("wgs84+J2", model.earth == "wgs84"),
        )
        if on
    ]
    result: dict[str, Any] = {
        "missile": missile,
        "shape": shape,
        "model": effects or ["textbook"],
        "range_km": float(traj.range_m[0]) / 1e3,
        "apogee_km": float(traj.apogee_m[0]) / 1e3,
        "burnout_speed_kms": float(traj.burnout_speed_mps[0]) / 1e3,
        "burnout_angle_deg": math.degrees(float(traj.burnout_angle_rad[0])),
        "boost_time_s": float(traj.burnout_t_s[0] - traj.launch_t_s[0]),
        "free_flight_time_s": float(traj.free_flight_time_s[0]),
        "flight_time_s": float(traj.flight_time_s[0]),
        "reentry_speed_kms": float(traj.reentry_speed_mps[0]) / 1e3,
        "impact_speed_kms": float(traj.impact_speed_mps[0]) / 1e3,
        "impact_lat_deg": math.degrees(float(traj.impact_lat_rad[0])),
        "impact_lon_deg": math.degrees(float(traj.impact_lon_rad[0])),
        "miss_m": float(traj.miss_m[0]),
    }
    if json_:
        print_json(result)
        return
    t = result["flight_time_s"]
    where_entry = "back at the ground: vacuum" if model.atmosphere == "vacuum" else "through 100 km"
    lines = [
        f"[bold]{esc(missile)}[/bold] {esc(from_)} -> {esc(to)}  "
        f"({shape}; model: {', '.join(result['model'])})",
        f"  range            {result['range_km']:10,.1f} km",
        f"  apogee           {result['apogee_km']:10,.1f} km",
        f"  burnout          {result['burnout_speed_kms']:10.3f} km/s at "
        f"{result['burnout_angle_deg']:.2f} deg",
        f"  boost time       {result['boost_time_s']:10.1f} s",
        f"  free flight      {result['free_flight_time_s']:10.1f} s",
        f"  total flight     {t:10.1f} s  ({int(t // 60)} min {t % 60:02.0f} s)",
        f"  reentry speed    {result['reentry_speed_kms']:10.3f} km/s  ({where_entry})",
        f"  impact speed     {result['impact_speed_kms']:10.3f} km/s",
        f"  impact point     {result['impact_lat_deg']:.4f}, {result['impact_lon_deg']:.4f} "
        f"(miss {result['miss_m']:.1f} m)",
    ]
    for line in lines:
        out.print(line, markup=True)


def register(app: typer.Typer) -> None:
    """Add ``fly`` to the ``shieldwall`` command."""
    app.command("fly")(fly)
