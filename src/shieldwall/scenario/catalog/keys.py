"""Parameter keys of each catalog kind: their value types, allowed values and units.

Every entry of a kind carries every key of that kind (:data:`PARAM_KEYS`). Keys carry their I/O
unit as a suffix (``max_range_km``, ``burnout_speed_kms``); :func:`unit_of` reads it back for
display. The scenario loader converts to SI once (DESIGN.md §2).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

__all__ = [
    "CONFIDENCES",
    "COST_KEYS",
    "KEY_SPECS",
    "KINDS",
    "PARAM_KEYS",
    "Confidence",
    "KeySpec",
    "Kind",
    "unit_of",
]

Kind = Literal["missile", "interceptor", "radar", "satellite"]
Confidence = Literal["high", "medium", "low", "assumption"]

#: The catalog kinds, in pipeline order of use.
KINDS: Final[tuple[Kind, ...]] = ("missile", "interceptor", "radar", "satellite")

#: Allowed confidence labels. ``assumption`` = no public figure: the value is a labelled guess and
#: a plausible ``range: [lo, hi]`` is then required.
CONFIDENCES: Final[tuple[Confidence, ...]] = ("high", "medium", "low", "assumption")


@dataclass(frozen=True, kw_only=True)
class KeySpec:
    """What one parameter key accepts.

    Parameters
    ----------
    type
        ``"float"``, ``"str"`` or ``"bool"``.
    choices
        Allowed values of a ``"str"`` key; empty = any non-empty text.
    lo, hi
        Inclusive bounds of a ``"float"`` key (in the key's I/O unit).
    """

    type: Literal["float", "str", "bool"]
    choices: tuple[str, ...] = ()
    lo: float = float("-inf")
    hi: float = float("inf")

    def describe(self) -> str:
        """The allowed values in words (for error messages)."""
        if self.type == "bool":
            return "true or false"
        if self.type == "str":
            return "one of " + ", ".join(self.choices) if self.choices else "non-empty text"
        if self.hi == float("inf"):
            return f"a number >= {self.lo:g}"
        return f"a number in [{self.lo:g}, {self.hi:g}]"


def _num(lo: float = 0.0, hi: float = float("inf")) -> KeySpec:
    return KeySpec(type="float", lo=lo, hi=hi)


_PROB = _num(0.0, 1.0)
#: Costs, USD millions at 2024 prices (see :data:`COST_KEYS`). Bounds: 0 (the ship convention)
#: to $1 billion for one missile, round or launcher (KIDA puts a North Korean ICBM at $20-30M,
#: a GBI interceptor costs well under $100M) and $10 billion for a fire unit or a radar (a DDG-51
#: carried by its SPY-1D is ~$2.5B; the Saudi 7-battery THAAD case was $15B in all).
_COST_ITEM = _num(0.0, 1e3)
_COST_UNIT = _num(0.0, 1e4)

#: Every key of every kind with what it accepts; insertion order is display order.
KEY_SPECS: Final[dict[Kind, dict[str, KeySpec]]] = {
    "missile": {
        "threat_class": KeySpec(type="str", choices=("srbm", "mrbm", "irbm")),
        "max_range_km": _num(1.0, 20000.0),
        "burn_time_s": _num(1.0, 1000.0),
        "burnout_alt_km": _num(1.0, 1000.0),
        "rcs_booster_m2": _num(1e-6, 1000.0),
        "rcs_rv_m2": _num(1e-6, 1000.0),
        "beta_kpa": _num(0.1, 1000.0),
        "reliability": _PROB,
        "min_range_km": _num(0.0, 20000.0),
        "unit_cost_musd": _COST_ITEM,
    },
    "interceptor": {
        "tier": KeySpec(type="str", choices=("upper", "lower")),
        "burn_time_s": _num(0.1, 1000.0),
        "burnout_speed_kms": _num(0.1, 10.0),
        "beta_kpa": _num(0.1, 1000.0),
        "min_alt_km": _num(0.0, 2000.0),
        "max_alt_km": _num(0.1, 2000.0),
        "min_ground_range_km": _num(0.0, 5000.0),
        "max_ground_range_km": _num(0.1, 5000.0),
        "reaction_time_s": _num(0.0, 3600.0),
        "kill_assessment_s": _num(0.0, 3600.0),
        "organic_guidance": KeySpec(type="bool"),
        "fcq_ipp_sigma_m": _num(1.0, 1e6),
        "pk_srbm": _PROB,
        "pk_mrbm": _PROB,
        "pk_irbm": _PROB,
        "round_cost_musd": _COST_ITEM,
        "launcher_cost_musd": _COST_ITEM,
        "battery_cost_musd": _COST_UNIT,
    },
    "radar": {
        "band": KeySpec(type="str", choices=("UHF", "L", "S", "C", "X")),
        "r0_km": _num(1.0, 10000.0),
        "search_range_factor": _PROB,
        "search_el_deg": _num(0.1, 90.0),
        "beamwidth_mrad": _num(0.1, 1000.0),
        "half_az_deg": _num(0.1, 180.0),
        "min_el_deg": _num(-5.0, 90.0),
        "max_el_deg": _num(0.0, 90.0),
        "revisit_s": _num(0.01, 3600.0),
        "range_sigma_m": _num(0.01, 1e5),
        "angle_sigma_mrad": _num(1e-4, 1000.0),
        "unit_cost_musd": _COST_UNIT,
    },
    "satellite": {
        "latency_s": _num(0.0, 3600.0),
        "launch_point_sigma_km": _num(0.001, 1000.0),
        "azimuth_sigma_deg": _num(0.001, 180.0),
    },
}

#: The keys each entry of a kind must have, in display order.
PARAM_KEYS: Final[dict[Kind, tuple[str, ...]]] = {
    kind: tuple(specs) for kind, specs in KEY_SPECS.items()
}

#: The cost keys of each kind: USD millions at 2024 prices (then-year figures converted with
#: the US CPI-U annual averages; each value's note gives the figure and the factor).
#: ``unit_cost_musd`` (missile): one threat missile; ``round_cost_musd``: one interceptor round;
#: ``launcher_cost_musd``: one launcher without rounds; ``battery_cost_musd``: the rest of a
#: fire unit without launchers, rounds and its fire-control radar (engagement control,
#: communications, power, support); ``unit_cost_musd`` (radar): one radar. A ship is priced
#: through its radar (the SPY-1D entry carries the cost of the destroyer), so the ship-launched
#: interceptors carry launcher and battery costs of 0. A scenario object without catalog
#: ``type:`` may leave its cost keys out: its cost is then unknown (NaN in the World).
COST_KEYS: Final[dict[Kind, tuple[str, ...]]] = {
    "missile": ("unit_cost_musd",),
    "interceptor": ("round_cost_musd", "launcher_cost_musd", "battery_cost_musd"),
    "radar": ("unit_cost_musd",),
    "satellite": (),
}

# Longest suffix first so that ``_kms`` is not read as ``_s`` and ``_m2`` not as ``_m``.
_UNITS: Final[tuple[tuple[str, str], ...]] = (
    ("_musd", "M USD 2024"),
    ("_mrad", "mrad"),
    ("_kpa", "kPa"),
    ("_kms", "km/s"),
    ("_deg", "deg"),
    ("_m2", "m²"),
    ("_km", "km"),
    ("_s", "s"),
    ("_m", "m"),
)


def unit_of(key: str) -> str:
    """The I/O unit named by a key's suffix, ``""`` for dimensionless or text keys.

    Parameters
    ----------
    key
        A parameter key such as ``"max_range_km"``.

    Returns
    -------
    str
        The unit, e.g. ``"km"``; ``"m²"`` for ``_m2``; ``"km/s"`` for ``_kms``.
    """
    for suffix, unit in _UNITS:
        if key.endswith(suffix):
            return unit
    return ""
