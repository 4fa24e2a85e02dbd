"""The parameter table: every catalog key defined once.

Each :class:`Key` says, for one parameter: its name at I/O (with the unit suffix), which kinds of
catalog entry have it, its value type, its physical bounds and why, what it means, and where it
goes in the compiled :class:`~shieldwall.scenario.world.World`. Everything else is derived from
:data:`KEYS`:

- the catalog checks (:data:`KEY_SPECS`, :func:`~shieldwall.scenario.catalog.check_value`),
- the scenario's pydantic override fields (:mod:`shieldwall.scenario.params`) and so the JSON
  Schema,
- the conversion to SI in :func:`~shieldwall.scenario.compile_world` (:func:`si_name`,
  :func:`si_scale`: the unit suffix says both),
- the ordered pairs that must stay ordered after overrides (``min_alt_km < max_alt_km``),
- the "Catalog parameters" rows of ``docs/glossary.md`` and ``docs/catalog.md``
  (:func:`markdown_table`; a test keeps the documents in step, ``tools/build_param_docs.py``
  rewrites them).

**Adding a key** is one :class:`Key` entry below (and a value for it in every catalog entry of
its kinds, each with a source). If its SI name is a new column, add that field to the World table
of its kind (``scenario/world.py``); the test suite says so if it is missing.

**Bounds are physical**: each says the widest range a real system of that kind could have, with
the argument in ``bounds_why``, and the simulation runs at each bound (a test runs the pipeline
with every numeric key at its lower and at its upper bound). A value outside is refused where it
is written, with its ``file:line:col``. This module imports nothing heavy (the catalog cache path
needs neither pydantic nor ruamel.yaml).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final, Literal

__all__ = [
    "CONFIDENCES",
    "COST_KEYS",
    "KEYS",
    "KEY_SPECS",
    "KINDS",
    "ORDERED_PAIRS",
    "PARAM_KEYS",
    "THREAT_CLASSES",
    "Confidence",
    "Key",
    "KeySpec",
    "Kind",
    "markdown_table",
    "si_name",
    "si_scale",
    "unit_of",
]

Kind = Literal["missile", "interceptor", "radar", "satellite"]
Confidence = Literal["high", "medium", "low", "assumption"]

#: The catalog kinds, in pipeline order of use.
KINDS: Final[tuple[Kind, ...]] = ("missile", "interceptor", "radar", "satellite")

#: Allowed confidence labels. ``assumption`` = no public figure: the value is a labelled guess and
#: a plausible ``range: [lo, hi]`` is then required.
CONFIDENCES: Final[tuple[Confidence, ...]] = ("high", "medium", "low", "assumption")

#: Threat classes by range (US DoD/MDA convention), the column order of per-class arrays
#: (``InterceptorTable.pk``, ``InterceptorTable.common_mode``).
THREAT_CLASSES: Final[tuple[str, ...]] = ("srbm", "mrbm", "irbm")

# I/O unit suffix -> (unit for people, SI suffix, scale to SI). Longest suffix first so that
# ``_kms`` is not read as ``_s`` and ``_m2`` not as ``_m``. The only unit conversions there are.
_UNITS: Final[tuple[tuple[str, str, str, float], ...]] = (
    ("_musd", "M USD 2024", "_usd", 1e6),
    ("_mrad", "mrad", "_rad", 1e-3),
    ("_kpa", "kPa", "_pa", 1e3),
    ("_kms", "km/s", "_mps", 1e3),
    ("_deg", "deg", "_rad", math.pi / 180.0),
    ("_m2", "m²", "_m2", 1.0),
    ("_km", "km", "_m", 1e3),
    ("_s", "s", "_s", 1.0),
    ("_m", "m", "_m", 1.0),
)


def _suffix(name: str) -> tuple[str, str, str, float] | None:
    for unit in _UNITS:
        if name.endswith(unit[0]):
            return unit
    return None


@dataclass(frozen=True, kw_only=True)
class Key:
    """One catalog parameter (the single definition of it).

    Parameters
    ----------
    name
        The name at I/O, with its unit suffix (``max_range_km``); no suffix = dimensionless.
    kinds
        Kinds of catalog entry that have it.
    type
        ``"float"``, ``"str"`` or ``"bool"``.
    doc
        What it means, one sentence (the same for every kind, or see ``doc_by_kind``).
    doc_by_kind
        Kind-specific meaning where one sentence cannot serve all kinds.
    lo, hi
        Inclusive physical bounds of a ``"float"`` key, in its I/O unit.
    bounds_why
        The physical argument for ``lo`` and ``hi``.
    choices
        Allowed values of a ``"str"`` key.
    si
        Field of the World table it compiles into; default: the name with the SI suffix
        (``r0_km`` -> ``r0_m``, ``half_az_deg`` -> ``half_az_rad``).
    column
        For keys stacked into one per-class array (``pk_srbm`` -> ``pk[:, 0]``): the threat class.
    less_than
        Another key of the same entry that this one must stay below once overrides are applied.
    default
        Value an inline scenario object (one without ``type:``) gets when it leaves the key out;
        ``None`` = the key is required there. Catalog entries always give every key.
    """

    name: str
    kinds: tuple[Kind, ...]
    type: Literal["float", "str", "bool"]
    doc: str
    doc_by_kind: tuple[tuple[Kind, str], ...] = ()
    lo: float = -math.inf
    hi: float = math.inf
    bounds_why: str = ""
    choices: tuple[str, ...] = ()
    si: str = ""
    column: str = ""
    less_than: str = ""
    default: float | str | bool | None = None

    def __post_init__(self) -> None:
        if self.type == "float" and not (math.isfinite(self.lo) and math.isfinite(self.hi)):
            raise ValueError(f"key {self.name}: a number needs finite physical bounds")
        if self.type == "float" and not self.bounds_why:
            raise ValueError(f"key {self.name}: say why the bounds are what they are")
        if self.column and self.column not in THREAT_CLASSES:
            raise ValueError(f"key {self.name}: column must be one of {THREAT_CLASSES}")

    @property
    def unit(self) -> str:
        """The I/O unit for people (``"km"``, ``"km/s"``, ``"m²"``); ``""`` if dimensionless."""
        unit = _suffix(self.name)
        return unit[1] if unit is not None and self.type == "float" else ""

    @property
    def si_name(self) -> str:
        """The World table field this key compiles into."""
        if self.si:
            return self.si
        unit = _suffix(self.name)
        if unit is None or self.type != "float":
            return self.name
        return self.name[: -len(unit[0])] + unit[2]

    @property
    def scale(self) -> float:
        """SI value = I/O value x scale (1 for text, flags and SI-named keys)."""
        unit = _suffix(self.name)
        return unit[3] if unit is not None and self.type == "float" else 1.0

    def default_text(self) -> str:
        """What an inline definition that leaves this key out gets, in words."""
        if isinstance(self.default, float) and math.isnan(self.default):
            return "An inline definition may leave it out (unknown: NaN)."
        shown = str(self.default).lower() if isinstance(self.default, bool) else self.default
        return f"Default for inline definitions: {shown}."

    def doc_for(self, kind: Kind) -> str:
        """The meaning of this key for entries of ``kind``."""
        return dict(self.doc_by_kind).get(kind, self.doc)

    def describe(self) -> str:
        """The allowed values in words (for error messages)."""
        if self.type == "bool":
            return "true or false"
        if self.type == "str":
            return "one of " + ", ".join(self.choices) if self.choices else "non-empty text"
        unit = f" {self.unit}" if self.unit else ""
        return f"a number in [{self.lo:g}, {self.hi:g}]{unit}"

    def allows(self, value: object) -> bool:
        """Whether ``value`` is allowed (type and bounds; ints count as numbers)."""
        if self.type == "bool":
            return isinstance(value, bool)
        if self.type == "str":
            return (
                isinstance(value, str)
                and bool(value)
                and (not self.choices or value in self.choices)
            )
        if isinstance(value, bool) or not isinstance(value, int | float):
            return False
        return math.isfinite(value) and self.lo <= value <= self.hi


#: What one key accepts (kept as a name for the checks that only need that).
KeySpec = Key

_TIME_WHY = (
    "0 = instantaneous; 1800 s is the longest ballistic flight of the threats modelled (an "
    "intercontinental flight, ~30 min): a longer delay is never met within a raid"
)


def _per_class(
    prefix: str, doc: str, *, kinds: tuple[Kind, ...], bounds_why: str, default: float | None
) -> tuple[Key, ...]:
    """One probability key per threat class, stacked into the SI array ``prefix`` (n, 3)."""
    return tuple(
        Key(
            name=f"{prefix}_{c}",
            kinds=kinds,
            type="float",
            doc=doc.format(cls=c.upper()),
            si=prefix,
            column=c,
            lo=0.0,
            hi=1.0,
            bounds_why=bounds_why,
            default=default,
        )
        for c in THREAT_CLASSES
    )


_ITEM_COST_WHY = (
    "0 (the ship convention: a ship is priced through its radar) to $1 billion for one missile, "
    "round or launcher (KIDA puts a North Korean ICBM at $20-30M; a GBI interceptor costs well "
    "under $100M)"
)
_UNIT_COST_WHY = (
    "0 to $10 billion for a fire unit or a radar (a DDG-51 carried by its SPY-1D is ~$2.5B; the "
    "Saudi 7-battery THAAD case was $15B in all)"
)


def _cost(name: str, kind: Kind, doc: str, hi: float, why: str) -> Key:
    """A cost key: USD millions at 2024 prices; an inline object may leave it out (NaN cost)."""
    return Key(
        name=name,
        kinds=(kind,),
        type="float",
        lo=0.0,
        hi=hi,
        default=math.nan,
        doc=doc + " (USD millions at 2024 prices; then-year figures converted with the US CPI-U, "
        "each value's note gives the figure and the factor; NaN = not priced).",
        bounds_why=why,
    )


#: Every catalog key, in display order (per kind: the order of the keys of that kind here).
KEYS: Final[tuple[Key, ...]] = (
    # -- what it is ------------------------------------------------------------------------
    Key(
        name="threat_class",
        kinds=("missile",),
        type="str",
        choices=THREAT_CLASSES,
        doc="Threat class by range: srbm < 1,000 km <= mrbm < 3,000 km <= irbm < 5,500 km.",
    ),
    Key(
        name="tier",
        kinds=("interceptor",),
        type="str",
        choices=("upper", "lower"),
        doc="Defensive layer: upper (exo-atmospheric or high endo) or lower (terminal).",
    ),
    # -- flight (missiles and interceptors) ------------------------------------------------
    Key(
        name="max_range_km",
        kinds=("missile",),
        type="float",
        lo=20.0,
        hi=16000.0,
        doc="Maximum ground range (minimum-energy trajectory).",
        bounds_why="from the shortest tactical ballistic missiles (OTR-21 Tochka ~70 km, with "
        "margin) to intercontinental reach (~16,000 km); the antipode is 20,000 km away",
    ),
    Key(
        name="min_range_km",
        kinds=("missile",),
        type="float",
        lo=0.0,
        hi=16000.0,
        less_than="max_range_km",
        doc="Minimum ground range (aims closer than this are warned about).",
        bounds_why="0 (no minimum) up to the largest max_range_km",
    ),
    Key(
        name="burn_time_s",
        kinds=("missile", "interceptor"),
        type="float",
        lo=0.5,
        hi=600.0,
        doc="Boost (motor burn) duration, all stages together.",
        bounds_why="from a short interceptor booster pulse (~1 s) to a three-stage "
        "intercontinental missile (~300 s), with margin",
    ),
    Key(
        name="burnout_alt_km",
        kinds=("missile",),
        type="float",
        lo=2.0,
        hi=1000.0,
        doc="Nominal burnout altitude of the minimum-energy shot to max_range_km.",
        bounds_why="a short-range missile burns out above ~10 km (Scud-B ~30 km); "
        "intercontinental missiles at ~200-400 km; 1,000 km bounds any boost",
    ),
    Key(
        name="rcs_booster_m2",
        kinds=("missile",),
        type="float",
        lo=1e-4,
        hi=100.0,
        doc="Radar cross-section of the missile in boost (booster attached).",
        bounds_why="from a shaped, coated body (1e-4 m²) to a large liquid booster broadside "
        "(~10 m²), with margin; detection range scales as RCS^(1/4), so the bounds move it by "
        "a factor 0.1 to 3.2 from 1 m²",
    ),
    Key(
        name="rcs_rv_m2",
        kinds=("missile",),
        type="float",
        lo=1e-4,
        hi=100.0,
        doc="Radar cross-section of the reentry vehicle (or the whole missile if it does not "
        "separate) after burnout.",
        bounds_why="as rcs_booster_m2: a low-observable RV (~1e-3 m²) to a non-separating "
        "Scud-type body (~1 m²), with margin",
    ),
    Key(
        name="beta_kpa",
        kinds=("missile", "interceptor"),
        type="float",
        lo=1.0,
        hi=500.0,
        doc="Ballistic coefficient m g0 / (Cd A) of the re-entering body (interceptor: at "
        "burnout).",
        bounds_why="from a tumbling spent booster or a light decoy (~1 kPa) to a modern "
        "high-beta RV (~150-250 kPa), with margin; a lighter body is a balloon, not a missile",
    ),
    Key(
        name="reliability",
        kinds=("missile", "interceptor"),
        type="float",
        lo=0.0,
        hi=1.0,
        doc="Probability that it works as intended.",
        doc_by_kind=(
            (
                "missile",
                "Probability that the missile flies to impact (no boost or in-flight failure).",
            ),
            (
                "interceptor",
                "Probability that a round works (launches, flies and fuzes); its "
                "kill probability is then pk. Test records are not reliabilities.",
            ),
        ),
        bounds_why="a probability",
    ),
    Key(
        name="free_flight_failure_fraction",
        kinds=("missile",),
        type="float",
        lo=0.0,
        hi=1.0,
        default=0.0,
        doc="Fraction of the missile's in-flight failures (1 - reliability) that happen after "
        "burnout, in free flight (a reentry breakup, say), rather than in powered flight.",
        bounds_why="a fraction; 0 = every failure in boost (the default)",
    ),
    _cost("unit_cost_musd", "missile", "Cost of one threat missile", 1e3, _ITEM_COST_WHY),
    # -- interceptors ------------------------------------------------------------------------
    Key(
        name="burnout_speed_kms",
        kinds=("interceptor",),
        type="float",
        lo=0.3,
        hi=8.0,
        doc="Interceptor speed at burnout.",
        bounds_why="from a slow short-range missile (~Mach 1) to a ground-based midcourse "
        "interceptor (~7-8 km/s); 8 km/s is about orbital speed",
    ),
    Key(
        name="min_alt_km",
        kinds=("interceptor",),
        type="float",
        lo=0.0,
        hi=2000.0,
        less_than="max_alt_km",
        doc="Lowest intercept altitude.",
        bounds_why="the ground up to the highest exo-atmospheric intercepts (~2,000 km)",
    ),
    Key(
        name="max_alt_km",
        kinds=("interceptor",),
        type="float",
        lo=1.0,
        hi=2000.0,
        doc="Highest intercept altitude.",
        bounds_why="a point-defence gun or missile reaches ~1 km at least; the highest "
        "exo-atmospheric intercepts are ~2,000 km up",
    ),
    Key(
        name="min_ground_range_km",
        kinds=("interceptor",),
        type="float",
        lo=0.0,
        hi=5000.0,
        less_than="max_ground_range_km",
        doc="Closest intercept ground range from the launcher.",
        bounds_why="0 (overhead) up to the largest max_ground_range_km",
    ),
    Key(
        name="max_ground_range_km",
        kinds=("interceptor",),
        type="float",
        lo=1.0,
        hi=5000.0,
        doc="Farthest intercept ground range from the launcher.",
        bounds_why="~1 km for a point defence; a ground-based midcourse interceptor reaches "
        "a few thousand km",
    ),
    Key(
        name="reaction_time_s",
        kinds=("interceptor",),
        type="float",
        lo=0.0,
        hi=1800.0,
        doc="From a fire-control-quality track to launch.",
        bounds_why=_TIME_WHY,
    ),
    Key(
        name="kill_assessment_s",
        kinds=("interceptor",),
        type="float",
        lo=0.0,
        hi=1800.0,
        doc="From intercept to knowing whether it killed (before the next shot).",
        bounds_why=_TIME_WHY,
    ),
    Key(
        name="organic_guidance",
        kinds=("interceptor",),
        type="bool",
        doc="Needs a radar tracking the threat up to intercept (its fire-control radar, or "
        "one allowed by remote_guidance); false = flies on the track alone.",
    ),
    Key(
        name="fcq_ipp_sigma_m",
        kinds=("interceptor",),
        type="float",
        lo=10.0,
        hi=100000.0,
        doc="Impact-point-prediction 1-sigma the battery needs before it commits "
        "(fire-control quality).",
        bounds_why="radar tracks predict impact points to tens of metres at best; a "
        "requirement looser than 100 km is early-warning, not fire-control, quality",
    ),
    *_per_class(
        "pk",
        "Single-shot kill probability against an {cls} (given the round works).",
        kinds=("interceptor",),
        bounds_why="a probability",
        default=None,
    ),
    Key(
        name="remote_guidance",
        kinds=("interceptor",),
        type="bool",
        default=False,
        doc="Can be guided to intercept by a radar other than its battery's fire-control "
        "radar (engage on remote), where the policy allows it (integrated fire control within "
        "a nation, engage-level sharing between nations).",
    ),
    *_per_class(
        "common_mode",
        "Probability that, in a trial, every round of this type at a given {cls} misses "
        "together (correlated failure: discrimination, a shared design flaw).",
        kinds=("interceptor",),
        bounds_why="a probability; 0 = independent shots (the default)",
        default=0.0,
    ),
    _cost("round_cost_musd", "interceptor", "Cost of one interceptor round", 1e3, _ITEM_COST_WHY),
    _cost(
        "launcher_cost_musd",
        "interceptor",
        "Cost of one launcher without rounds",
        1e3,
        _ITEM_COST_WHY,
    ),
    _cost(
        "battery_cost_musd",
        "interceptor",
        "Cost of the rest of a fire unit without launchers, rounds and its fire-control radar "
        "(engagement control, communications, power, support)",
        1e4,
        _UNIT_COST_WHY,
    ),
    # -- radars -----------------------------------------------------------------------------
    Key(
        name="band",
        kinds=("radar",),
        type="str",
        choices=("UHF", "L", "S", "C", "X"),
        doc="Frequency band.",
    ),
    Key(
        name="r0_km",
        kinds=("radar",),
        type="float",
        lo=5.0,
        hi=10000.0,
        doc="Cued detection range against a 1 m² target (per-look Pd 0.5).",
        bounds_why="from a short-range fire-control radar (tens of km) to the largest "
        "early-warning radars (~5,000 km against 1 m²), with margin",
    ),
    Key(
        name="search_range_factor",
        kinds=("radar",),
        type="float",
        lo=0.05,
        hi=1.0,
        doc="Multiplier on r0 while the radar searches uncued.",
        bounds_why="1 = search as good as a cued look; detection range scales as dwell^(1/4), "
        "so 0.05 is a search dwell 160,000 times shorter than a cued one",
    ),
    Key(
        name="search_el_deg",
        kinds=("radar",),
        type="float",
        lo=0.1,
        hi=90.0,
        doc="Elevation depth of the search fence above min_el_deg (docs/sensing.md).",
        bounds_why="a fence a tenth of a degree deep (a narrow-beam tracker) up to the whole "
        "sky above the horizon",
    ),
    Key(
        name="beamwidth_mrad",
        kinds=("radar",),
        type="float",
        lo=0.1,
        hi=1000.0,
        doc="3-dB beamwidth (one beam's solid angle is its square), about lambda/D of the antenna.",
        bounds_why="lambda/D from a large X-band array (~1 mrad, with margin) to a broad-beam "
        "antenna of ~1 rad (57 degrees)",
    ),
    Key(
        name="half_az_deg",
        kinds=("radar",),
        type="float",
        lo=1.0,
        hi=180.0,
        doc="Half-width of the azimuth field of regard (180 = full circle).",
        bounds_why="a 2-degree sector (a fixed narrow-beam tracker) up to a full circle",
    ),
    Key(
        name="min_el_deg",
        kinds=("radar",),
        type="float",
        lo=-5.0,
        hi=89.0,
        less_than="max_el_deg",
        doc="Lowest elevation of the field of regard.",
        bounds_why="a radar on a mountain or a mast looks a few degrees below its horizontal; "
        "below max_el_deg",
    ),
    Key(
        name="max_el_deg",
        kinds=("radar",),
        type="float",
        lo=1.0,
        hi=90.0,
        doc="Highest elevation of the field of regard.",
        bounds_why="a field of regard at least 1 degree high, up to the zenith",
    ),
    Key(
        name="revisit_s",
        kinds=("radar",),
        type="float",
        lo=0.05,
        hi=600.0,
        doc="Time between looks at a threat.",
        bounds_why="a phased array updates a track up to ~20 times a second; a radar that looks "
        "at a threat less than once in 10 minutes cannot hold a track on a ballistic missile "
        "(an SRBM flies 5-8 minutes); rotating surveillance radars revisit in 5-12 s",
    ),
    Key(
        name="range_sigma_m",
        kinds=("radar",),
        type="float",
        lo=0.1,
        hi=10000.0,
        doc="Range measurement noise, 1-sigma.",
        bounds_why="range accuracy is a fraction of the resolution c/(2B): ~0.1 m for the "
        "widest-band X-band radars; ~10 km is an over-the-horizon radar, not a tracker",
    ),
    Key(
        name="angle_sigma_mrad",
        kinds=("radar",),
        type="float",
        lo=0.01,
        hi=100.0,
        doc="Angle measurement noise in each angle, 1-sigma.",
        bounds_why="a fraction of the beamwidth: ~0.01 mrad for the narrowest X-band beams at "
        "high SNR; 100 mrad (~6 degrees) is a wide UHF beam's own width",
    ),
    _cost("unit_cost_musd", "radar", "Cost of one radar (a ship: the ship)", 1e4, _UNIT_COST_WHY),
    # -- satellites -------------------------------------------------------------------------
    Key(
        name="latency_s",
        kinds=("satellite",),
        type="float",
        lo=0.0,
        hi=600.0,
        doc="Delay from launch to the early-warning report.",
        bounds_why="0 (instant) up to 10 minutes: a report later than that comes after most "
        "short- and medium-range missiles have landed",
    ),
    Key(
        name="launch_point_sigma_km",
        kinds=("satellite",),
        type="float",
        lo=0.05,
        hi=500.0,
        doc="Launch-point estimate, 1-sigma.",
        bounds_why="infrared early warning locates a launch to ~1-10 km; 50 m is a fixed pad "
        "known in advance, 500 km is a report with no location at the scale of a theatre",
    ),
    Key(
        name="azimuth_sigma_deg",
        kinds=("satellite",),
        type="float",
        lo=0.1,
        hi=180.0,
        doc="Launch-azimuth (heading) estimate, 1-sigma.",
        bounds_why="a few degrees for a boost seen by two satellites; 180 = no heading at all",
    ),
)


def _by_kind() -> dict[Kind, dict[str, Key]]:
    out: dict[Kind, dict[str, Key]] = {kind: {} for kind in KINDS}
    for key in KEYS:
        for kind in key.kinds:
            if key.name in out[kind]:
                raise ValueError(f"key {key.name} defined twice for {kind}")
            out[kind][key.name] = key
    return out


#: Every key of every kind with its definition; insertion order is display order.
KEY_SPECS: Final[dict[Kind, dict[str, Key]]] = _by_kind()

#: The keys each entry of a kind must have, in display order.
PARAM_KEYS: Final[dict[Kind, tuple[str, ...]]] = {
    kind: tuple(specs) for kind, specs in KEY_SPECS.items()
}

#: The cost keys of each kind (I/O unit ``_musd``: USD millions at 2024 prices): ``unit_cost_musd``
#: (missile): one threat missile; ``round_cost_musd``: one interceptor round;
#: ``launcher_cost_musd``: one launcher without rounds; ``battery_cost_musd``: the rest of a fire
#: unit; ``unit_cost_musd`` (radar): one radar (a ship is priced through its radar, so
#: ship-launched interceptors carry launcher and battery costs of 0). An inline object may leave
#: them out: its cost is then unknown (NaN in the World).
COST_KEYS: Final[dict[Kind, tuple[str, ...]]] = {
    kind: tuple(k for k, spec in specs.items() if spec.name.endswith("_musd"))
    for kind, specs in KEY_SPECS.items()
}

#: Per kind, the (lower, upper) key pairs that must stay ordered once overrides are applied.
ORDERED_PAIRS: Final[dict[Kind, tuple[tuple[str, str], ...]]] = {
    kind: tuple((k.name, k.less_than) for k in specs.values() if k.less_than)
    for kind, specs in KEY_SPECS.items()
}


def _key(name: str) -> Key | None:
    for key in KEYS:
        if key.name == name:
            return key
    return None


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
    found = _key(key)
    if found is not None:
        return found.unit
    unit = _suffix(key)
    return unit[1] if unit is not None else ""


def si_name(key: str) -> str:
    """The World table field a key compiles into (``r0_km`` -> ``r0_m``)."""
    found = _key(key)
    if found is None:
        raise KeyError(f"unknown parameter key {key!r}")
    return found.si_name


def si_scale(key: str) -> float:
    """SI value = I/O value x this (``r0_km`` -> 1000)."""
    found = _key(key)
    if found is None:
        raise KeyError(f"unknown parameter key {key!r}")
    return found.scale


def _bounds_text(key: Key) -> str:
    if key.type == "bool":
        return "true, false"
    if key.type == "str":
        return ", ".join(key.choices)
    unit = f" {key.unit}" if key.unit else ""
    return f"[{key.lo:g}, {key.hi:g}]{unit}"


def markdown_table(*, why: bool = False) -> str:
    """The parameter table as Markdown (glossary and catalog docs are generated from this).

    Parameters
    ----------
    why
        Add the physical argument for each key's bounds.
    """
    head = "| key (I/O) | unit | World field (SI) | allowed | kinds | meaning |"
    rule = "|---|---|---|---|---|---|"
    if why:
        head += " why these bounds |"
        rule += "---|"
    rows = [head, rule]
    for key in KEYS:
        si = f"`{key.si_name}`" + (f"[{key.column}]" if key.column else "")
        meaning = " ".join(
            f"*{kind}*: {key.doc_for(kind)}" if key.doc_by_kind else key.doc_for(kind)
            for kind in (key.kinds if key.doc_by_kind else key.kinds[:1])
        )
        if key.default is not None:
            meaning += " " + key.default_text()
        cells = [
            f"`{key.name}`",
            key.unit,
            si,
            _bounds_text(key),
            ", ".join(key.kinds),
            meaning,
        ]
        if why:
            cells.append(key.bounds_why or "—")
        rows.append("| " + " | ".join(cells) + " |")
    return "\n".join(rows) + "\n"
