"""Catalog parameter blocks: the keys a scenario may override on a catalog entry.

Each block lists every parameter key of one catalog kind (missile, interceptor, radar,
satellite) as an optional field, with I/O units in the names. A scenario object that names a
catalog ``type:`` may set any of these keys at the same level to override the catalog value; an
object without ``type:`` must set all of them (checked in :mod:`shieldwall.scenario.checks`).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "PARAM_KEYS",
    "InterceptorParams",
    "MissileParams",
    "RadarParams",
    "SatelliteParams",
    "StrictModel",
]


class StrictModel(BaseModel):
    """Base of every scenario model: unknown fields are errors, instances are immutable."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, populate_by_name=True, allow_inf_nan=False
    )


class MissileParams(StrictModel):
    """Missile catalog keys (see ``shieldwall catalog``)."""

    threat_class: Literal["srbm", "mrbm", "irbm"] | None = Field(
        None, description="Threat class by range: srbm < 1000 km, mrbm < 3000 km, irbm < 5500 km."
    )
    max_range_km: float | None = Field(None, gt=0, le=20000, description="Maximum range. [km]")
    min_range_km: float | None = Field(None, ge=0, le=20000, description="Minimum range. [km]")
    burn_time_s: float | None = Field(None, gt=0, le=1000, description="Boost duration. [s]")
    burnout_alt_km: float | None = Field(
        None, ge=0, le=1000, description="Nominal burnout altitude. [km]"
    )
    rcs_booster_m2: float | None = Field(
        None, gt=0, description="Radar cross-section of the booster. [m^2]"
    )
    rcs_rv_m2: float | None = Field(
        None, gt=0, description="Radar cross-section of the reentry vehicle. [m^2]"
    )
    beta_kpa: float | None = Field(
        None, gt=0, le=1000, description="Ballistic coefficient m*g0/(Cd*A) of the RV. [kPa]"
    )
    reliability: float | None = Field(
        None, ge=0, le=1, description="Probability the missile flies as intended. [0..1]"
    )
    unit_cost_musd: float | None = Field(
        None,
        ge=0,
        le=1e3,
        description="Cost of one missile (optional inline). [M USD, 2024 prices]",
    )


class InterceptorParams(StrictModel):
    """Interceptor catalog keys."""

    tier: Literal["upper", "lower"] | None = Field(None, description="Defensive tier.")
    burn_time_s: float | None = Field(None, gt=0, le=1000, description="Boost duration. [s]")
    burnout_speed_kms: float | None = Field(
        None, gt=0, le=12, description="Speed at burnout. [km/s]"
    )
    beta_kpa: float | None = Field(
        None, gt=0, le=1000, description="Ballistic coefficient m*g0/(Cd*A). [kPa]"
    )
    min_alt_km: float | None = Field(None, ge=0, le=2000, description="Lowest intercept. [km]")
    max_alt_km: float | None = Field(None, gt=0, le=2000, description="Highest intercept. [km]")
    min_ground_range_km: float | None = Field(
        None, ge=0, le=5000, description="Closest intercept ground range. [km]"
    )
    max_ground_range_km: float | None = Field(
        None, gt=0, le=5000, description="Farthest intercept ground range. [km]"
    )
    reaction_time_s: float | None = Field(
        None, ge=0, le=3600, description="Track-to-launch delay. [s]"
    )
    kill_assessment_s: float | None = Field(
        None, ge=0, le=3600, description="Time to assess a kill before the next shot. [s]"
    )
    organic_guidance: bool | None = Field(
        None, description="Needs its own fire-control radar on the target until intercept."
    )
    fcq_ipp_sigma_m: float | None = Field(
        None, gt=0, description="IPP 1-sigma needed to commit (fire-control quality). [m]"
    )
    pk_srbm: float | None = Field(None, ge=0, le=1, description="Single-shot Pk vs SRBM. [0..1]")
    pk_mrbm: float | None = Field(None, ge=0, le=1, description="Single-shot Pk vs MRBM. [0..1]")
    pk_irbm: float | None = Field(None, ge=0, le=1, description="Single-shot Pk vs IRBM. [0..1]")
    round_cost_musd: float | None = Field(
        None,
        ge=0,
        le=1e3,
        description="Cost of one interceptor round (optional inline). [M USD, 2024 prices]",
    )
    launcher_cost_musd: float | None = Field(
        None,
        ge=0,
        le=1e3,
        description="Cost of one launcher, no rounds (optional inline). [M USD, 2024 prices]",
    )
    battery_cost_musd: float | None = Field(
        None,
        ge=0,
        le=1e4,
        description="Fire unit without launchers, rounds, radar (optional inline). "
        "[M USD, 2024 prices]",
    )


class RadarParams(StrictModel):
    """Radar catalog keys."""

    band: Literal["UHF", "L", "S", "C", "X"] | None = Field(None, description="Frequency band.")
    r0_km: float | None = Field(
        None, gt=0, le=10000, description="Cued detection range against a 1 m^2 target. [km]"
    )
    search_range_factor: float | None = Field(
        None, gt=0, le=1, description="Range multiplier when searching uncued. [0..1]"
    )
    search_el_deg: float | None = Field(
        None, gt=0, le=90, description="Elevation depth of the search fence above min_el. [deg]"
    )
    beamwidth_mrad: float | None = Field(
        None, gt=0, le=1000, description="3-dB beamwidth (one beam's solid angle). [mrad]"
    )
    half_az_deg: float | None = Field(
        None, gt=0, le=180, description="Half-width of the azimuth field of regard. [deg]"
    )
    min_el_deg: float | None = Field(None, ge=-5, le=90, description="Lowest elevation. [deg]")
    max_el_deg: float | None = Field(None, gt=0, le=90, description="Highest elevation. [deg]")
    revisit_s: float | None = Field(None, gt=0, le=600, description="Track revisit period. [s]")
    range_sigma_m: float | None = Field(None, gt=0, description="Range noise 1-sigma. [m]")
    angle_sigma_mrad: float | None = Field(None, gt=0, description="Angle noise 1-sigma. [mrad]")
    unit_cost_musd: float | None = Field(
        None, ge=0, le=1e4, description="Cost of one radar (optional inline). [M USD, 2024 prices]"
    )


class SatelliteParams(StrictModel):
    """Early-warning satellite catalog keys."""

    latency_s: float | None = Field(
        None, ge=0, le=3600, description="Delay from launch to the boost detection report. [s]"
    )
    launch_point_sigma_km: float | None = Field(
        None, gt=0, description="Launch-point estimate 1-sigma. [km]"
    )
    azimuth_sigma_deg: float | None = Field(
        None, gt=0, le=180, description="Launch-azimuth estimate 1-sigma. [deg]"
    )


#: Parameter keys of each catalog kind, as the scenario spells them.
PARAM_KEYS: dict[str, tuple[str, ...]] = {
    "missile": tuple(MissileParams.model_fields),
    "interceptor": tuple(InterceptorParams.model_fields),
    "radar": tuple(RadarParams.model_fields),
    "satellite": tuple(SatelliteParams.model_fields),
}
