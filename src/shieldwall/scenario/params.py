"""Catalog parameter blocks: the keys a scenario may override on a catalog entry.

Each block lists every parameter key of one catalog kind (missile, interceptor, radar,
satellite) as an optional field, generated from the parameter table
(:data:`shieldwall.scenario.catalog.keys.KEYS`: type, physical bounds, meaning, unit). A scenario
object that names a catalog ``type:`` may set any of these keys at the same level to override the
catalog value; an object without ``type:`` must set all of them except those with a default
(checked in :mod:`shieldwall.scenario.checks`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model

from shieldwall.scenario.catalog.keys import KEY_SPECS, PARAM_KEYS, Key, Kind

__all__ = [
    "PARAM_KEYS",
    "InterceptorParams",
    "MissileParams",
    "RadarParams",
    "SatelliteParams",
    "StrictModel",
    "params_model",
]


class StrictModel(BaseModel):
    """Base of every scenario model: unknown fields are errors, instances are immutable."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, populate_by_name=True, allow_inf_nan=False
    )


def _field(kind: Kind, key: Key) -> tuple[Any, Any]:
    unit = f" [{key.unit}]" if key.unit else ""
    description = key.doc_for(kind) + unit
    if key.default is not None:
        description += f" Default without `type:`: {key.default}."
    if key.type == "bool":
        return bool | None, Field(None, description=description)
    if key.type == "str":
        choices: Any = Literal[key.choices]
        return choices | None, Field(None, description=description)
    return float | None, Field(None, ge=key.lo, le=key.hi, description=description)


def params_model(kind: Kind) -> type[StrictModel]:
    """The pydantic block of every ``kind`` key as an optional field (from the table)."""
    fields: dict[str, Any] = {name: _field(kind, key) for name, key in KEY_SPECS[kind].items()}
    return create_model(
        kind.capitalize() + "Params",
        __base__=StrictModel,
        __doc__=f"{kind.capitalize()} catalog keys (see `shieldwall catalog`).",
        __module__=__name__,
        **fields,
    )


# The blocks are built from the table at import; to the type checker they are plain models
# (their parameter fields are read by name, through the table, never as attributes).
if TYPE_CHECKING:
    MissileParams = StrictModel
    InterceptorParams = StrictModel
    RadarParams = StrictModel
    SatelliteParams = StrictModel
else:
    MissileParams = params_model("missile")
    InterceptorParams = params_model("interceptor")
    RadarParams = params_model("radar")
    SatelliteParams = params_model("satellite")
