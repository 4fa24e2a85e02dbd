"""``KEY=value`` overrides of a scenario, applied before it is compiled (docs/studies.md §6).

The keys a study varies (``sweep``, ``uncertainty``):

- ``raid_scale``: multiplies every salvo's ``count`` (rounded, at least 1);
- ``latency_s``: the latency of every off-diagonal link of every policy (the presets take
  ``settings.default_latency_s``; a scenario policy's written links are set too) [s];
- ``pk_scale``: multiplies every interceptor's ``pk_srbm``, ``pk_mrbm``, ``pk_irbm`` (clipped
  to 1);
- ``inventory_scale``: multiplies every battery's ``per_launcher`` (rounded, at least 1);
  ``rounds_per_launcher``: sets it;
- a doctrine setting by its dotted name (``salvo_size``, ``planner.solver``, …:
  :data:`shieldwall.scenario.doctrine.SETTINGS`);
- a catalog value ``<kind>.<type name>.<key>`` (``interceptor.PAC-3 MSE.pk_srbm``,
  ``missile.Scud-C.rcs_m2``, ``radar.AN/TPY-2.r0_km``): every unit of that type gets the value
  as an inline override (as if written in the scenario), checked against the key's physical
  bounds (:data:`shieldwall.scenario.catalog.keys.KEYS`).

Every key and value is checked by :func:`parse_overrides` before anything is simulated; a bad
one is an :class:`OverrideError` naming the key and what is allowed.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from shieldwall.errors import Problem, ShieldwallError
from shieldwall.scenario import Scenario, World, compile_world
from shieldwall.scenario.catalog.keys import KEY_SPECS, KINDS, ORDERED_PAIRS, Key, Kind
from shieldwall.scenario.doctrine import _BY_NAME as _SETTINGS_BY_NAME
from shieldwall.scenario.doctrine import SETTINGS, Doctrine, DoctrineError
from shieldwall.scenario.loader import default_catalog

__all__ = [
    "GLOBAL_KEYS",
    "Override",
    "OverrideError",
    "apply_overrides",
    "describe_key",
    "key_bounds",
    "parse_overrides",
    "parse_value",
]


class OverrideError(ShieldwallError, ValueError):
    """An override key that does not exist or a value it does not allow (exit 2)."""


#: The scenario-wide keys: (lo, hi, unit, meaning).
GLOBAL_KEYS: dict[str, tuple[float, float, str, str]] = {
    "raid_scale": (0.01, 100.0, "", "multiplies every salvo's count (rounded, at least 1)"),
    "latency_s": (0.0, 3600.0, "s", "latency of every link of every policy"),
    "pk_scale": (0.0, 10.0, "", "multiplies every interceptor's Pk (clipped to 1)"),
    "inventory_scale": (0.01, 100.0, "", "multiplies every battery's rounds per launcher"),
    "rounds_per_launcher": (1.0, 1000.0, "", "rounds per launcher of every battery"),
}
_PK_KEYS = ("pk_srbm", "pk_mrbm", "pk_irbm")


@dataclass(frozen=True)
class Override:
    """One checked ``KEY=value``.

    Attributes
    ----------
    key : str
        As given (``pk_scale``, ``planner.solver``, ``interceptor.PAC-3 MSE.pk_srbm``).
    value
        The parsed value (number, text or flag).
    kind : str
        ``global``, ``doctrine`` or ``catalog``.
    """

    key: str
    value: Any
    kind: str


def _fail(key: str, message: str) -> OverrideError:
    return OverrideError(f"bad override {key}", [Problem(message=message, path=key)])


def _allowed_keys() -> str:
    return (
        ", ".join(GLOBAL_KEYS)
        + ", a doctrine setting ("
        + ", ".join(s.name for s in SETTINGS)
        + "), or <kind>.<type name>.<key> with kind one of "
        + ", ".join(KINDS)
    )


def parse_value(text: str) -> Any:
    """A value as written on the command line: a number, ``true``/``false``, or text."""
    t = text.strip()
    low = t.lower()
    if low in ("true", "false"):
        return low == "true"
    try:
        return int(t)
    except ValueError:
        pass
    try:
        return float(t)
    except ValueError:
        return t


def _catalog_key(key: str) -> tuple[Kind, str, Key] | None:
    kind, _, rest = key.partition(".")
    if kind not in KINDS or "." not in rest:
        return None
    name, _, param = rest.rpartition(".")
    k: Kind = kind
    spec = KEY_SPECS[k].get(param)
    if spec is None:
        allowed = ", ".join(KEY_SPECS[k])
        raise _fail(key, f"{kind} has no key {param!r}; {kind} keys: {allowed}")
    return k, name, spec


def key_bounds(key: str) -> tuple[float, float, str]:
    """``(lo, hi, unit)`` of a numeric override key (for ranges and checks).

    Raises
    ------
    OverrideError
        Unknown key, or a key that is not a number.
    """
    if key in GLOBAL_KEYS:
        lo, hi, unit, _ = GLOBAL_KEYS[key]
        return lo, hi, unit
    setting = _setting(key)
    if setting is not None:
        if setting.type not in (int, float):
            raise _fail(key, f"not a number ({setting.describe()}): give values, not a range")
        return float(setting.lo), float(setting.hi), ""
    found = _catalog_key(key)
    if found is None:
        raise _fail(key, f"unknown override key; allowed: {_allowed_keys()}")
    _, _, spec = found
    if spec.type != "float":
        raise _fail(key, f"not a number ({spec.describe()}): give values, not a range")
    return spec.lo, spec.hi, spec.unit


def describe_key(key: str) -> str:
    """The unit of a key for labels (``""`` if dimensionless or not a number)."""
    try:
        return key_bounds(key)[2]
    except OverrideError:
        return ""


def _setting(key: str) -> Any:
    name = key.removeprefix("doctrine.")
    return _SETTINGS_BY_NAME.get(name)


def check_override(key: str, value: Any, world: World | None = None) -> Override:
    """One ``KEY=value`` checked (``world``: the catalog type must be in it).

    Raises
    ------
    OverrideError
        Unknown key, a value out of bounds or of the wrong type, a type the scenario lacks.
    """
    if key in GLOBAL_KEYS:
        lo, hi, unit, _ = GLOBAL_KEYS[key]
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        ok = ok and math.isfinite(value) and lo <= value <= hi
        if key == "rounds_per_launcher":
            ok = ok and isinstance(value, int)
        if not ok:
            what = "an integer" if key == "rounds_per_launcher" else "a number"
            u = f" {unit}" if unit else ""
            raise _fail(key, f"must be {what} in [{lo:g}, {hi:g}]{u}, got {value!r}")
        return Override(key, value, "global")
    setting = _setting(key)
    if setting is not None:
        if setting.type is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        message = setting.problem(value)
        if message is not None:
            raise _fail(key, message)
        return Override(setting.name, value, "doctrine")
    found = _catalog_key(key)
    if found is None:
        raise _fail(key, f"unknown override key; allowed: {_allowed_keys()}")
    kind, name, spec = found
    if spec.type == "float" and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if not spec.allows(value):
        raise _fail(key, f"must be {spec.describe()}, got {value!r}")
    if world is not None:
        names = _type_names(world, kind)
        if name not in names:
            raise _fail(
                key, f"the scenario has no {kind} {name!r}; its {kind}s: {', '.join(names)}"
            )
    return Override(key, value, "catalog")


def parse_overrides(
    pairs: Mapping[str, Any] | Iterable[str], world: World | None = None
) -> list[Override]:
    """Checked overrides from ``{"key": value}`` or ``["KEY=value", ...]`` texts."""
    items: list[tuple[str, Any]] = []
    if isinstance(pairs, Mapping):
        items = list(pairs.items())
    else:
        for text in pairs:
            key, eq, value = str(text).partition("=")
            if not eq or not key.strip():
                raise _fail(str(text), "write KEY=value")
            items.append((key.strip(), parse_value(value)))
    return [check_override(k, v, world) for k, v in items]


def _type_names(world: World, kind: Kind) -> list[str]:
    if kind == "interceptor":
        return list(world.interceptors.name)
    if kind == "missile":
        return list(world.missiles.name)
    if kind == "radar":
        return list(dict.fromkeys([*world.radars.type, *world.radars.id]))
    return list(dict.fromkeys([*world.satellites.type, *world.satellites.id]))


# --------------------------------------------------------------------------------------------
# applying


def _resolved(kind: Kind, type_name: str | None, model: Any, key: str) -> Any:
    value = getattr(model, key, None)
    if value is not None:
        return value
    if type_name is not None:
        return default_catalog().get(kind, type_name).value(key)
    return KEY_SPECS[kind][key].default


def _set_interceptors(scenario: Scenario, change: Mapping[str, Any] | None, name: str | None,
                      scale_pk: float | None) -> Scenario:  # fmt: skip
    """Inline overrides of interceptor types (every type used when ``name`` is None)."""
    from shieldwall.scenario.model import InterceptorType

    defined = {t.name: t for t in scenario.interceptors}
    used: list[str] = []
    for b in _all_batteries(scenario):
        if b.interceptor not in used:
            used.append(b.interceptor)
    types = list(scenario.interceptors)
    for n in used:
        if n not in defined:
            types.append(InterceptorType.model_validate({"name": n, "type": n}))
    out = []
    for t in types:
        canonical = t.name if t.type is None else default_catalog().get("interceptor", t.type).name
        if name is not None and name not in (t.name, canonical):
            out.append(t)
            continue
        upd = dict(change or {})
        if scale_pk is not None:
            for k in _PK_KEYS:
                upd[k] = min(1.0, float(_resolved("interceptor", t.type, t, k)) * scale_pk)
        out.append(t.model_copy(update=upd))
    return scenario.model_copy(update={"interceptors": tuple(out)})


def _all_batteries(scenario: Scenario) -> list[Any]:
    return [*scenario.batteries, *(b for p in scenario.phases for b in p.add.batteries)]


def _map_batteries(scenario: Scenario, fn: Any) -> Scenario:
    phases = tuple(
        p.model_copy(
            update={
                "add": p.add.model_copy(update={"batteries": tuple(fn(b) for b in p.add.batteries)})
            }
        )
        for p in scenario.phases
    )
    return scenario.model_copy(
        update={"batteries": tuple(fn(b) for b in scenario.batteries), "phases": phases}
    )


def _set_missiles(scenario: Scenario, name: str, key: str, value: Any) -> Scenario:
    from shieldwall.scenario.model import MissileType

    th = scenario.threats
    defined = {m.name for m in th.missiles}
    types = list(th.missiles)
    for s in th.raid:
        if s.missile not in defined:
            types.append(MissileType.model_validate({"name": s.missile, "type": s.missile}))
            defined.add(s.missile)
    out = []
    for m in types:
        canonical = m.name if m.type is None else default_catalog().get("missile", m.type).name
        out.append(m.model_copy(update={key: value}) if name in (m.name, canonical) else m)
    return scenario.model_copy(update={"threats": th.model_copy(update={"missiles": tuple(out)})})


def _sensor_match(unit: Any, kind: Kind, name: str) -> bool:
    if unit is None:
        return False
    if getattr(unit, "id", None) == name:
        return True
    t = getattr(unit, "type", None)
    return t is not None and (t == name or default_catalog().get(kind, t).name == name)


def _set_sensors(scenario: Scenario, kind: Kind, name: str, key: str, value: Any) -> Scenario:
    field = "radars" if kind == "radar" else "satellites"

    def fix(units: Sequence[Any]) -> tuple[Any, ...]:
        return tuple(
            u.model_copy(update={key: value}) if _sensor_match(u, kind, name) else u for u in units
        )

    sensors = scenario.sensors.model_copy(update={field: fix(getattr(scenario.sensors, field))})
    phases = tuple(
        p.model_copy(update={"add": p.add.model_copy(update={field: fix(getattr(p.add, field))})})
        for p in scenario.phases
    )
    out = scenario.model_copy(update={"sensors": sensors, "phases": phases})
    if kind == "radar":

        def organic(b: Any) -> Any:
            r = b.organic_radar
            if r is not None and _sensor_match(r, kind, name):
                return b.model_copy(update={"organic_radar": r.model_copy(update={key: value})})
            return b

        out = _map_batteries(out, organic)
    return out


def apply_overrides(
    scenario: Scenario, overrides: Sequence[Override]
) -> tuple[Scenario, dict[str, Any]]:
    """The scenario with the global and catalog overrides applied, and the doctrine settings
    (``{dotted name: value}``) to fight with (:meth:`Doctrine.with_overrides`)."""
    doctrine: dict[str, Any] = {}
    for o in overrides:
        if o.kind == "doctrine":
            doctrine[o.key] = o.value
        elif o.key == "raid_scale":
            th = scenario.threats
            raid = tuple(
                s.model_copy(update={"count": min(10_000, max(1, round(s.count * o.value)))})
                for s in th.raid
            )
            scenario = scenario.model_copy(update={"threats": th.model_copy(update={"raid": raid})})
        elif o.key == "latency_s":
            lat = float(o.value)
            settings = scenario.settings.model_copy(update={"default_latency_s": lat})
            pols = tuple(
                p.model_copy(
                    update={
                        "links": tuple(k.model_copy(update={"latency_s": lat}) for k in p.links)
                    }
                )
                for p in scenario.policies
            )
            scenario = scenario.model_copy(update={"settings": settings, "policies": pols})
        elif o.key == "pk_scale":
            scenario = _set_interceptors(scenario, None, None, float(o.value))
        elif o.key == "inventory_scale":
            f = float(o.value)
            scenario = _map_batteries(
                scenario,
                lambda b, f=f: b.model_copy(
                    update={"per_launcher": min(1000, max(1, round(b.per_launcher * f)))}
                ),
            )
        elif o.key == "rounds_per_launcher":
            n = int(o.value)
            scenario = _map_batteries(
                scenario, lambda b, n=n: b.model_copy(update={"per_launcher": n})
            )
        else:
            found = _catalog_key(o.key)
            assert found is not None  # checked by check_override
            kind, name, spec = found
            if kind == "interceptor":
                scenario = _set_interceptors(scenario, {spec.name: o.value}, name, None)
            elif kind == "missile":
                scenario = _set_missiles(scenario, name, spec.name, o.value)
            else:
                scenario = _set_sensors(scenario, kind, name, spec.name, o.value)
    return scenario, doctrine


def overridden_world(
    scenario: Scenario,
    overrides: Sequence[Override],
    *,
    phase: str | int | None = None,
    doctrine: Doctrine | None = None,
) -> tuple[World, Doctrine]:
    """The compiled world of the overridden scenario and the doctrine to fight with.

    Raises
    ------
    OverrideError
        A catalog value that breaks an ordered pair (``min_alt_km < max_alt_km``).
    """
    changed, settings = apply_overrides(scenario, overrides)
    _check_pairs(changed, overrides)
    world = compile_world(changed, phase=phase)
    base = doctrine if doctrine is not None else world.doctrine
    try:
        doc = base.with_overrides(**settings)
    except DoctrineError as exc:  # checked already; kept for a doctrine of a caller
        raise _fail(",".join(settings), str(exc)) from None
    return world, doc


def _check_pairs(scenario: Scenario, overrides: Sequence[Override]) -> None:
    for o in overrides:
        if o.kind != "catalog":
            continue
        found = _catalog_key(o.key)
        assert found is not None
        kind, name, spec = found
        for lo_key, hi_key in ORDERED_PAIRS[kind]:
            if spec.name not in (lo_key, hi_key):
                continue
            for model, tname in _models_of(scenario, kind, name):
                lo = _resolved(kind, tname, model, lo_key)
                hi = _resolved(kind, tname, model, hi_key)
                if not lo < hi:
                    raise _fail(
                        o.key, f"{lo_key} must stay below {hi_key} ({lo:g} vs {hi:g}) for {name}"
                    )


def _models_of(scenario: Scenario, kind: Kind, name: str) -> list[tuple[Any, str | None]]:
    if kind == "interceptor":
        return [(t, t.type) for t in scenario.interceptors if name in (t.name, t.type)]
    if kind == "missile":
        return [(m, m.type) for m in scenario.threats.missiles if name in (m.name, m.type)]
    field = "radars" if kind == "radar" else "satellites"
    units = [
        *getattr(scenario.sensors, field),
        *(u for p in scenario.phases for u in getattr(p.add, field)),
    ]
    if kind == "radar":
        units += [b.organic_radar for b in _all_batteries(scenario) if b.organic_radar is not None]
    return [(u, u.type) for u in units if _sensor_match(u, kind, name)]
