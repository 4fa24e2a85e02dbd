"""The scenario language: pydantic v2 models of a regional defense architecture.

These models check types, ranges and unknown fields (``extra="forbid"``: a typo is an error).
Checks that need several fields or the catalog (ids, references, catalog names, reach) live in
:mod:`shieldwall.scenario.checks`. Units are in the field names (``_km``, ``_deg``, ``_s``,
``_m``, ``_kpa``, ``_m2``); :func:`shieldwall.scenario.compile_world` converts them to SI once.
``docs/scenario.md`` is the reference by example.
"""

from __future__ import annotations

import datetime as _dt
from typing import Annotated, Any, Literal

from pydantic import Discriminator, Field, PrivateAttr, Tag, field_validator

from shieldwall.errors import Problem
from shieldwall.scenario.params import (
    DoctrineSpec,
    InterceptorParams,
    MissileParams,
    RadarParams,
    SatelliteParams,
    StrictModel,
)
from shieldwall.scenario.source import Source

__all__ = [
    "PRESET_POLICIES",
    "Asset",
    "Battery",
    "Box",
    "DefendsRow",
    "InterceptorType",
    "LatLon",
    "LaunchArea",
    "Link",
    "Location",
    "MissileType",
    "Move",
    "Nation",
    "OrganicRadar",
    "Phase",
    "PhaseAdd",
    "PolicySpec",
    "Radar",
    "Salvo",
    "Satellite",
    "Scenario",
    "Sensors",
    "Settings",
    "Threats",
]

#: Built-in sharing policies (DESIGN.md §3), always available by name.
PRESET_POLICIES: tuple[str, ...] = ("national", "cueing", "shared_tracks", "integrated")

Id = str  # ids: non-empty, checked for duplicates and references in checks.py
ShareLevel = Literal["none", "early_warning", "track", "engage"]
Platform = Literal["ground", "ship"]


def _id(description: str) -> Any:
    return Field(min_length=1, max_length=80, description=description)


class LatLon(StrictModel):
    """A point on the ellipsoid surface."""

    lat_deg: float = Field(ge=-90, le=90, description="Geodetic latitude. [deg]")
    lon_deg: float = Field(ge=-180, le=180, description="Longitude, east positive. [deg]")


class Location(LatLon):
    """A geodetic position (WGS-84)."""

    alt_m: float = Field(
        0.0, ge=-500, le=100_000, description="Height above the WGS-84 ellipsoid. [m]"
    )


class Nation(StrictModel):
    """A nation (or alliance member) that owns sensors, batteries and assets."""

    id: Id = _id("Short id used everywhere else, e.g. KOR, JPN, USA.")
    name: str = Field(min_length=1, description="Display name.")


class Asset(StrictModel):
    """A defended point site."""

    id: Id = _id("Unique id of the asset.")
    name: str | None = Field(None, min_length=1, description="Display name (default: the id).")
    nation: Id = _id("Nation that owns the asset (a nations[].id).")
    kind: str | None = Field(None, description="Free text: city, port, base, ...")
    location: Location = Field(description="Where the asset is (WGS-84).")
    value: float = Field(gt=0, le=1e9, description="Relative value of the asset (> 0).")
    radius_km: float = Field(
        0.0, ge=0, le=500, description="Radius of the defended area around the point. [km]"
    )


class Radar(RadarParams):
    """A radar: a catalog ``type`` plus any catalog key overridden at the same level."""

    id: Id = _id("Unique id of the radar.")
    type: str | None = Field(
        None,
        min_length=1,
        description="Catalog radar name (see `shieldwall catalog`); omit to give every key.",
    )
    nation: Id = _id("Nation operating the radar.")
    site: Location = Field(description="Radar position (ship: its station).")
    platform: Platform = Field("ground", description="`ship` for a sea-based radar.")
    boresight_az_deg: float = Field(
        0.0, ge=-360, le=360, description="Boresight azimuth of a sector radar, from north. [deg]"
    )


class OrganicRadar(RadarParams):
    """A battery's own fire-control radar, placed at the battery's site."""

    id: Id | None = Field(None, min_length=1, description="Radar id (default `<battery>.radar`).")
    type: str | None = Field(None, min_length=1, description="Catalog radar name.")
    boresight_az_deg: float = Field(0.0, ge=-360, le=360, description="Boresight azimuth. [deg]")


class Satellite(SatelliteParams):
    """An early-warning satellite constellation serving one nation."""

    id: Id = _id("Unique id of the satellite system.")
    type: str | None = Field(None, min_length=1, description="Catalog satellite name, e.g. SBIRS.")
    nation: Id = _id("Nation receiving the warnings first.")


class Sensors(StrictModel):
    """Radars and early-warning satellites."""

    radars: tuple[Radar, ...] = Field((), description="Stand-alone radars.")
    satellites: tuple[Satellite, ...] = Field((), description="Early-warning satellite systems.")


class InterceptorType(InterceptorParams):
    """A scenario interceptor type: a catalog ``type`` with overrides, or fully inline."""

    name: str = Field(min_length=1, description="Name batteries use in `interceptor:`.")
    type: str | None = Field(None, min_length=1, description="Catalog interceptor it is based on.")


class Battery(StrictModel):
    """An interceptor battery (or an Aegis ship's magazine)."""

    id: Id = _id("Unique id of the battery.")
    nation: Id = _id("Nation operating the battery.")
    interceptor: str = Field(
        min_length=1, description="Interceptor: an `interceptors[].name` or a catalog name."
    )
    launchers: int = Field(ge=1, le=1000, description="Number of launchers (or ship VLS groups).")
    per_launcher: int = Field(ge=1, le=1000, description="Interceptors per launcher (inventory).")
    fire_channels: int | None = Field(
        None, ge=1, le=1000, description="Threats engaged at once (default: `launchers`)."
    )
    site: Location = Field(description="Battery position (ship: its station).")
    platform: Platform = Field("ground", description="`ship` for a sea-based battery.")
    radar: Id | None = Field(
        None, min_length=1, description="Id of a radar in sensors.radars it relies on."
    )
    organic_radar: OrganicRadar | None = Field(None, description="Its own radar, inline.")


class MissileType(MissileParams):
    """A scenario missile type: a catalog ``type`` with overrides, or fully inline."""

    name: str = Field(min_length=1, description="Name salvos use in `missile:`.")
    type: str | None = Field(None, min_length=1, description="Catalog missile it is based on.")


class Box(StrictModel):
    """A latitude/longitude box."""

    lat_min_deg: float = Field(ge=-90, le=90, description="Southern edge. [deg]")
    lat_max_deg: float = Field(ge=-90, le=90, description="Northern edge. [deg]")
    lon_min_deg: float = Field(ge=-180, le=180, description="Western edge. [deg]")
    lon_max_deg: float = Field(ge=-180, le=180, description="Eastern edge. [deg]")


class LaunchArea(StrictModel):
    """Where missiles are launched from: exactly one of ``point``, ``box``, ``polygon``."""

    id: Id = _id("Unique id of the launch area.")
    name: str | None = Field(None, min_length=1, description="Display name.")
    point: Location | None = Field(None, description="A fixed launch site.")
    box: Box | None = Field(None, description="Launch points drawn uniformly (by area) in a box.")
    polygon: tuple[LatLon, ...] | None = Field(
        None, min_length=3, description="Launch points drawn uniformly inside a polygon."
    )


class Salvo(StrictModel):
    """``count`` missiles of one type, from one launch area, at one aim point."""

    id: str | None = Field(None, min_length=1, description="Optional name of the salvo.")
    missile: str = Field(min_length=1, description="A threats.missiles[].name or a catalog name.")
    count: int = Field(1, ge=1, le=10_000, description="Missiles in the salvo.")
    launch_t_s: float = Field(
        0.0, ge=0, le=86_400, description="Launch time of the first missile after epoch. [s]"
    )
    interval_s: float = Field(0.0, ge=0, le=3600, description="Time between launches. [s]")
    launch_area: Id = _id("Id of a threats.launch_areas entry.")
    aim_asset: Id | None = Field(
        None, min_length=1, description="Aim at this asset (an assets[].id)."
    )
    aim_point: LatLon | None = Field(None, description="Aim at this location instead.")
    shape: Literal["min_energy", "lofted", "depressed", "explicit"] = Field(
        "min_energy", description="Trajectory shape."
    )
    apogee_km: float | None = Field(
        None, gt=0, le=5000, description="Apogee for lofted / depressed shapes. [km]"
    )
    burnout_speed_kms: float | None = Field(
        None, gt=0, le=12, description="Burnout speed for the explicit shape. [km/s]"
    )
    burnout_angle_deg: float | None = Field(
        None, gt=0, lt=90, description="Burnout flight-path angle for the explicit shape. [deg]"
    )


class Threats(StrictModel):
    """Missile types, launch areas and the raid."""

    missiles: tuple[MissileType, ...] = Field(
        (), description="Missile variants (catalog type + overrides, or fully inline)."
    )
    launch_areas: tuple[LaunchArea, ...] = Field((), description="Where missiles start from.")
    raid: tuple[Salvo, ...] = Field((), description="Salvos of the raid, in order.")


class Link(StrictModel):
    """What one nation's sensors give another, and how late."""

    src: Id = Field(alias="from", min_length=1, description="Nation whose sensors share.")
    dst: Id = Field(alias="to", min_length=1, description="Nation receiving.")
    level: ShareLevel = Field(description="none < early_warning < track < engage.")
    latency_s: float | None = Field(
        None, ge=0, le=3600, description="Link latency (default settings.default_latency_s). [s]"
    )
    two_way: bool = Field(False, description="Apply the same link in the other direction too.")


class DefendsRow(StrictModel):
    """One nation's engagement authority written out in full (the long form of ``defends``)."""

    nations: tuple[Id, ...] = Field(
        (), description="Nations whose assets its batteries may defend (`all` = every nation)."
    )
    own: bool = Field(
        True,
        description="Its batteries also defend its own assets; `false` removes that authority.",
    )


#: Tags of the two forms of a ``defends`` entry (a list, or a :class:`DefendsRow` mapping); the
#: loader drops them from error paths.
DEFENDS_FORMS: tuple[str, str] = ("list", "mapping")


def _defends_form(value: Any) -> str | None:
    if isinstance(value, dict | DefendsRow):
        return DEFENDS_FORMS[1]
    return DEFENDS_FORMS[0] if isinstance(value, list | tuple) else None


DefendsEntry = Annotated[
    Annotated[tuple[Id, ...], Tag(DEFENDS_FORMS[0])] | Annotated[DefendsRow, Tag(DEFENDS_FORMS[1])],
    Discriminator(
        _defends_form,
        custom_error_type="defends_form",
        custom_error_message="a defends entry is a list of nation ids (e.g. [KOR, JPN] or [all])"
        " or {nations: [...], own: true|false}",
    ),
]


class PolicySpec(StrictModel):
    """A named data-sharing policy: a preset, then every lever written replaces the preset's.

    ``links`` set data level and latency per ordered pair (later wins); each ``defends`` entry
    replaces that nation's row of engagement authority (restricting included; the nation keeps
    its own assets unless the long form says ``own: false``); ``ifc`` sets integrated fire
    control per nation (``all`` first, then named nations).
    """

    name: str = Field(min_length=1, description="Policy name (not a preset name).")
    description: str | None = Field(None, description="Free text.")
    base: Literal["national", "cueing", "shared_tracks", "integrated"] = Field(
        "national", description="Preset the links, `defends` and `ifc` change."
    )
    links: tuple[Link, ...] = Field((), description="Per ordered nation pair; later wins.")
    defends: dict[Id, DefendsEntry] = Field(
        default_factory=dict,
        description="Nation -> the nations whose assets its batteries may defend (`all` = "
        "every nation); replaces the base's row for that nation. Its own assets stay unless "
        "written as `{nations: [...], own: false}`.",
    )
    ifc: dict[Id, bool] = Field(
        default_factory=dict,
        description="Integrated fire control per nation (`all` = every nation; a named nation "
        "overrides `all`): its remote-guidance-capable interceptors may be guided by its other "
        "radars.",
    )


class Move(StrictModel):
    """Move (or re-point) an existing radar, battery, asset in a phase."""

    id: Id = _id("Id of the unit to move.")
    site: Location | None = Field(None, description="New site (radars, batteries).")
    location: Location | None = Field(None, description="New location (assets).")
    boresight_az_deg: float | None = Field(None, ge=-360, le=360, description="New boresight.")


class PhaseAdd(StrictModel):
    """Units a phase adds."""

    assets: tuple[Asset, ...] = Field((), description="Assets added.")
    radars: tuple[Radar, ...] = Field((), description="Radars added.")
    satellites: tuple[Satellite, ...] = Field((), description="Satellite systems added.")
    batteries: tuple[Battery, ...] = Field((), description="Batteries added.")


class Phase(StrictModel):
    """A deployment step relative to the previous phase."""

    name: str = Field(min_length=1, description="Phase name, e.g. `2017 THAAD in Korea`.")
    description: str | None = Field(None, description="Free text.")
    add: PhaseAdd = Field(default_factory=PhaseAdd, description="Units added (applied first).")
    move: tuple[Move, ...] = Field((), description="Units moved (applied second).")
    remove: tuple[Id, ...] = Field((), description="Ids of units removed (applied last).")


class Settings(StrictModel):
    """Run settings."""

    trials: int = Field(1000, ge=1, le=10_000_000, description="Monte Carlo trials.")
    seed: int = Field(0, ge=0, le=2**63 - 1, description="Seed of all random draws.")
    epoch: str = Field(
        "2026-01-01T00:00:00Z", description="Scenario epoch t_s = 0 (ISO 8601, UTC)."
    )
    default_latency_s: float = Field(
        10.0, ge=0, le=3600, description="Latency of preset policy links. [s]"
    )
    raid_samples: int = Field(
        1,
        ge=1,
        le=1000,
        description="Raid geometry samples: launch points drawn anew in their launch areas "
        "(and launch times jittered) for each; trial block k (1,000 trials) fights sample "
        "k mod raid_samples, and intervals count the samples as clusters.",
    )
    launch_jitter_s: float = Field(
        0.0,
        ge=0,
        le=3600,
        description="Each launch time of a raid sample moves by a uniform draw in "
        "[-launch_jitter_s, +launch_jitter_s]. [s]",
    )

    @field_validator("epoch")
    @classmethod
    def _iso(cls, value: str) -> str:
        try:
            stamp = _dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise ValueError(
                f"epoch must be ISO 8601, e.g. 2026-01-01T00:00:00Z (got {value!r})"
            ) from None
        if stamp.tzinfo is None:
            stamp = stamp.replace(tzinfo=_dt.UTC)
        return stamp.astimezone(_dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class Scenario(StrictModel):
    """A regional ballistic missile defense scenario (the top of a scenario file)."""

    name: str = Field(min_length=1, description="Scenario name.")
    description: str | None = Field(None, description="Free text.")
    base_phase: str = Field("base", min_length=1, description="Name of phase 0 (the document).")
    settings: Settings = Field(default_factory=Settings, description="Trials, seed, epoch.")
    nations: tuple[Nation, ...] = Field(min_length=1, description="Allies (at least one).")
    assets: tuple[Asset, ...] = Field((), description="Defended point sites.")
    sensors: Sensors = Field(default_factory=Sensors, description="Radars and satellites.")
    interceptors: tuple[InterceptorType, ...] = Field(
        (), description="Interceptor variants (catalog type + overrides, or fully inline)."
    )
    batteries: tuple[Battery, ...] = Field((), description="Interceptor batteries and ships.")
    threats: Threats = Field(
        default_factory=Threats, description="Missile types, launch areas, raid."
    )
    policies: tuple[PolicySpec, ...] = Field(
        (),
        description="Extra policies; the presets national, cueing, shared_tracks, integrated"
        " are always there.",
    )
    doctrine: DoctrineSpec = Field(
        default_factory=DoctrineSpec,
        description="How the battle manager fights: salvo size, shoot-look-shoot, shot caps, "
        "reserve, tier order, kill-assessment errors, planner (command-line flags override).",
    )
    phases: tuple[Phase, ...] = Field((), description="Deployment steps after the base phase.")

    _warnings: tuple[Problem, ...] = PrivateAttr(default=())
    _source: Source = PrivateAttr(default_factory=lambda: Source(data=None))

    def model_post_init(self, context: Any) -> None:
        if isinstance(context, dict):
            self._warnings = tuple(context.get("warnings", ()))
            source = context.get("source")
            if isinstance(source, Source):  # positions only: the data is this model now
                self._source = Source(
                    data=None, file=source.file, key_pos=source.key_pos, value_pos=source.value_pos
                )

    @property
    def warnings(self) -> list[Problem]:
        """Warnings found while loading (e.g. a salvo aimed beyond its missile's reach)."""
        return list(self._warnings)

    @property
    def file(self) -> str:
        """File the scenario was loaded from (empty for text or a dict)."""
        return self._source.file

    @property
    def source(self) -> Source:
        """Where each key and value was written (``file``, ``line:col`` by path; no data)."""
        return self._source

    @property
    def phase_names(self) -> tuple[str, ...]:
        """Phase 0 (``base_phase``) then every ``phases[].name``."""
        return (self.base_phase, *(p.name for p in self.phases))
