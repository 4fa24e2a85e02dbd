"""Scenario fields generated from the tables: catalog parameter blocks and the doctrine section.

Each block lists every parameter key of one catalog kind (missile, interceptor, radar,
satellite) as an optional field, generated from the parameter table
(:data:`shieldwall.scenario.catalog.keys.KEYS`: type, physical bounds, meaning, unit). A scenario
object that names a catalog ``type:`` may set any of these keys at the same level to override the
catalog value; an object without ``type:`` must set all of them except those with a default
(checked in :mod:`shieldwall.scenario.checks`). The ``doctrine:`` section is generated the same
way from :data:`shieldwall.scenario.doctrine.SETTINGS`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    create_model,
    field_validator,
)

from shieldwall.scenario.catalog.keys import KEY_SPECS, PARAM_KEYS, Key, Kind
from shieldwall.scenario.doctrine import SETTINGS, Setting

__all__ = [
    "PARAM_KEYS",
    "DoctrineSpec",
    "InterceptorParams",
    "MissileParams",
    "RadarParams",
    "SatelliteParams",
    "StrictModel",
    "doctrine_model",
    "doctrine_settings",
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
        description += " " + key.default_text()
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


_JSON_TYPE = {bool: "boolean", int: "integer", float: "number", str: "string"}


def _setting_field(setting: Setting) -> tuple[Any, Any]:
    """An optional field checked by the setting itself, so that a value is refused with the same
    message in a file as on the command line (the JSON Schema still says type and bounds)."""
    extra: dict[str, Any] = {"default": setting.default, "type": _JSON_TYPE[setting.type]}
    if setting.choices:
        extra["enum"] = list(setting.choices)
    elif setting.type is not bool:
        extra.update(minimum=setting.lo, maximum=setting.hi)
    description = f"{setting.doc} (default {setting.default!r}; command line: {setting.flag})"
    return Any, Field(None, description=description, json_schema_extra=extra)


def _setting_validator(setting: Setting) -> Callable[..., Any]:
    def check(value: Any) -> Any:
        message = None if value is None else setting.problem(value)
        if message is not None:
            raise ValueError(message)
        return value

    validator: Any = field_validator(setting.key)(classmethod(lambda cls, v: check(v)))
    return validator  # type: ignore[no-any-return]


def _settings_model(
    name: str, doc: str, settings: list[Setting], nested: dict[str, Any] | None = None
) -> type[StrictModel]:
    validators = {f"_check_{s.key}": _setting_validator(s) for s in settings}
    fields: dict[str, Any] = {s.key: _setting_field(s) for s in settings}
    fields.update(nested or {})
    return create_model(
        name,
        __base__=StrictModel,
        __doc__=doc,
        __module__=__name__,
        __validators__=validators,
        **fields,
    )


def doctrine_settings(spec: BaseModel | None) -> dict[str, Any]:
    """The settings a ``doctrine:`` section gives, by dotted name (those left out are absent)."""
    if spec is None:
        return {}
    out: dict[str, Any] = {}
    for name, value in spec:
        if isinstance(value, BaseModel):
            out.update({f"{name}.{k}": v for k, v in doctrine_settings(value).items()})
        elif value is not None:
            out[name] = value
    return out


def doctrine_model() -> type[StrictModel]:
    """The scenario's ``doctrine:`` section, generated from
    :data:`~shieldwall.scenario.doctrine.SETTINGS` (nested ``kill_assessment:`` and ``planner:``
    mappings; every setting optional)."""
    top = [s for s in SETTINGS if "." not in s.name]
    groups: dict[str, list[Setting]] = {}
    for s in SETTINGS:
        if "." in s.name:
            groups.setdefault(s.name.split(".")[0], []).append(s)
    nested: dict[str, Any] = {
        parent: (
            _settings_model(
                "".join(p.capitalize() for p in parent.split("_")) + "Spec",
                f"Doctrine settings under `{parent}:`.",
                members,
            )
            | None,
            Field(None, description=f"{parent.replace('_', ' ').capitalize()} settings."),
        )
        for parent, members in groups.items()
    }
    return _settings_model(
        "DoctrineSpec",
        "How the battle manager fights (docs/battle.md); every setting has a default.",
        top,
        nested,
    )


if TYPE_CHECKING:
    DoctrineSpec = StrictModel
else:
    DoctrineSpec = doctrine_model()
