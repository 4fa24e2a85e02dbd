"""The shipped catalog: completeness, provenance, agreement with the shared reference CSVs, physics.

Physical checks are necessary conditions computed from closed forms (spherical, non-rotating,
vacuum, impulsive), so that the flight stage can reach each missile's ``max_range_km`` and each
interceptor's envelope with the catalog values.
"""

from __future__ import annotations

import csv
import math
import re
from pathlib import Path

import numpy as np
import pytest

from shieldwall.earth.constants import MU_EARTH_M3_S2, R_SPHERE_M
from shieldwall.scenario.catalog import (
    CONFIDENCES,
    KINDS,
    PARAM_KEYS,
    CatalogEntry,
    load_catalog,
    normalize_name,
)

REFERENCE_DIR = Path(__file__).parents[1] / "reference" / "shared"
#: Public figures found for this project (Iran, the Gulf, costs), same columns as the shared CSVs.
PROJECT_REFERENCE_DIR = Path(__file__).parents[1] / "reference" / "catalog"

#: The canonical names the issues require (#2: the flagship's systems; #14: Iran and the Gulf).
REQUIRED = {
    "missile": [
        "Scud-B",
        "Scud-C",
        "Scud-ER",
        "KN-23",
        "Nodong",
        "Pukguksong-2",
        "Musudan",
        "Hwasong-12",
        # Iran (issue #14)
        "Fateh-110",
        "Fateh-313",
        "Zolfaghar",
        "Dezful",
        "Qiam-1",
        "Shahab-3",
        "Ghadr-110",
        "Emad",
        "Sejjil",
        "Kheibar Shekan",
        "Haj Qasem",
        "Khorramshahr",
    ],
    "interceptor": [
        "PAC-2 GEM-T",
        "PAC-3 CRI",
        "PAC-3 MSE",
        "KM-SAM Block II",
        "L-SAM",
        "THAAD",
        "SM-3 Block IA",
        "SM-3 Block IB",
        "SM-3 Block IIA",
        "SM-6",
    ],
    "radar": [
        "AN/TPY-2 FBM",
        "AN/TPY-2 TM",
        "AN/MPQ-65",
        "SPY-1D",
        "Green Pine",
        "J/FPS-5",
        "J/FPS-3",
        "AN/FPS-132",  # Qatar (issue #14)
    ],
    "satellite": ["SBIRS"],
}

#: US range bands of threat classes (DoD/MDA convention): SRBM < 1,000 km <= MRBM < 3,000 km <=
#: IRBM < 5,500 km. [km]
CLASS_BANDS_KM = {"srbm": (0.0, 1000.0), "mrbm": (1000.0, 3000.0), "irbm": (3000.0, 5500.0)}

#: Plausible mean boost acceleration v_bo / t_bo of a ballistic missile (about 1.5 g to 10 g; the
#: Scud-B's ~2 g thrust-to-weight at lift-off sits at the low end, solid motors higher). [m/s^2]
BOOST_ACCEL_MPS2 = (15.0, 100.0)
#: Burnout altitude as a fraction of 0.5 v_bo t_bo (the altitude of a vertical climb with a linear
#: speed ramp): a gravity turn tilts over, so below 1; above 0.25 unless the burn is nearly flat.
BURNOUT_ALT_FRACTION = (0.25, 1.0)
#: Lowest intercept altitude of an upper-tier interceptor: above the lower tiers' ceilings. [km]
UPPER_TIER_MIN_ALT_KM = 30.0


def _entries(kind: str) -> list[CatalogEntry]:
    return load_catalog().entries_of(kind)


ALL_ENTRIES = [e for kind in KINDS for e in load_catalog().entries_of(kind)]
ALL_PARAMS = [(e, key) for e in ALL_ENTRIES for key in e.params]


def _id(item: object) -> str:
    if isinstance(item, CatalogEntry):
        return item.name
    return str(item)


def v_min_energy_mps(ground_range_m: float) -> float:
    """Minimum-energy burnout speed from the surface for a ground range.

    Bate, Mueller & White (1971) §6.2: Q = 2 sin(ψ/2) / (1 + sin(ψ/2)), v = sqrt(Q μ / r).
    """
    s = math.sin(ground_range_m / R_SPHERE_M / 2.0)
    return math.sqrt(2.0 * s / (1.0 + s) * MU_EARTH_M3_S2 / R_SPHERE_M)


def max_range_m(v_mps: float) -> float:
    """Maximum (minimum-energy) vacuum ground range from the surface at speed ``v_mps``."""
    q = v_mps**2 * R_SPHERE_M / MU_EARTH_M3_S2
    return 2.0 * math.asin(min(q / (2.0 - q), 1.0)) * R_SPHERE_M


def vertical_reach_m(v_mps: float) -> float:
    """Apogee altitude of a vertical vacuum shot from the surface (energy conservation)."""
    return 1.0 / (1.0 / R_SPHERE_M - v_mps**2 / (2.0 * MU_EARTH_M3_S2)) - R_SPHERE_M


# --- completeness and provenance ------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_every_required_entry_is_there(kind: str) -> None:
    assert load_catalog().names(kind) == REQUIRED[kind]


@pytest.mark.parametrize("entry", ALL_ENTRIES, ids=_id)
def test_entry_has_every_key_of_its_kind(entry: CatalogEntry) -> None:
    assert tuple(entry.params) == PARAM_KEYS[entry.kind]
    assert entry.description


@pytest.mark.parametrize(("entry", "key"), ALL_PARAMS, ids=_id)
def test_every_param_is_sourced(entry: CatalogEntry, key: str) -> None:
    param = entry.params[key]
    assert param.confidence in CONFIDENCES
    assert len(param.source.strip()) >= 10, "a source says who published it or how it was chosen"
    if param.confidence in ("high", "medium"):
        assert param.url.startswith("http"), "a high/medium figure cites a public address"
    if param.is_assumption:
        assert param.source.startswith("assumption"), "an assumption is labelled as one"
    if isinstance(param.value, float) and param.is_assumption:
        assert param.range is not None
    if param.range is not None:
        lo, hi = param.range
        assert lo <= param.value <= hi  # type: ignore[operator]


def _corpus_rows() -> list[dict[str, str]]:
    """The public-figure rows: the shared corpus and the project's own (tests/reference/catalog)."""
    paths = [REFERENCE_DIR / f"{k}_public.csv" for k in ("missiles", "interceptors", "radars")]
    paths += sorted(PROJECT_REFERENCE_DIR.glob("*.csv"))
    rows: list[dict[str, str]] = []
    for path in paths:
        with path.open(newline="", encoding="utf-8") as fh:
            rows.extend(csv.DictReader(fh))
    return rows


def test_project_reference_rows_carry_their_provenance() -> None:
    rows = [r for p in sorted(PROJECT_REFERENCE_DIR.glob("*.csv")) for r in _read(p)]
    assert len(rows) >= 20
    for row in rows:
        assert row["url"].startswith("http"), row
        for column in ("source", "confidence", "value"):
            assert row[column].strip(), row


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_high_and_medium_citations_trace_to_the_reference_corpus() -> None:
    urls = {row["url"] for row in _corpus_rows()}
    cited = {
        (e.name, key, e.params[key].url)
        for e in ALL_ENTRIES
        for key in e.params
        if e.params[key].confidence in ("high", "medium")
    }
    assert cited
    assert [c for c in cited if c[2] not in urls] == []


def test_names_and_aliases_are_unique_across_the_catalog() -> None:
    labels = [normalize_name(n) for e in ALL_ENTRIES for n in (e.name, *e.aliases)]
    assert len(labels) == len(set(labels)), "no clashes, and no alias that only repeats a name"


# --- agreement with the public figures in ../shared/reference -------------------------------

#: (kind, name, key) -> (csv file, system, variant substring, parameter) whose quoted figure the
#: catalog value must lie within (first number, or first "a-b" span, of the CSV value).
QUOTED = {
    ("missile", "Scud-B", "max_range_km"): ("missiles", "Scud-B", "Hwasong-5", "range"),
    ("missile", "Scud-C", "max_range_km"): ("missiles", "Scud-C", "", "range"),
    ("missile", "Scud-ER", "max_range_km"): ("missiles", "Scud-ER", "", "range"),
    ("missile", "Nodong", "max_range_km"): ("missiles", "Nodong", "Rodong", "range"),
    ("missile", "Musudan", "max_range_km"): ("missiles", "Musudan", "", "range"),
    ("missile", "Hwasong-12", "max_range_km"): ("missiles", "Hwasong-12", "", "range_estimate"),
    ("interceptor", "THAAD", "max_alt_km"): (
        "interceptors",
        "THAAD",
        "",
        "max_intercept_altitude",
    ),
    ("interceptor", "THAAD", "max_ground_range_km"): ("interceptors", "THAAD", "", "max_range"),
    ("interceptor", "PAC-2 GEM-T", "max_alt_km"): (
        "interceptors",
        "Patriot",
        "generic",
        "max_altitude",
    ),
    ("interceptor", "PAC-3 MSE", "max_alt_km"): (
        "interceptors",
        "Patriot",
        "ROK usage",
        "intercept_altitude_max",
    ),
    ("interceptor", "KM-SAM Block II", "max_alt_km"): (
        "interceptors",
        "KM-SAM",
        "Block II",
        "max_intercept_altitude",
    ),
    ("interceptor", "L-SAM", "max_alt_km"): (
        "interceptors",
        "L-SAM",
        "",
        "intercept_altitude_band",
    ),
    ("interceptor", "L-SAM", "max_ground_range_km"): (
        "interceptors",
        "L-SAM",
        "",
        "range / altitude",
    ),
    ("interceptor", "SM-3 Block IIA", "max_alt_km"): (
        "interceptors",
        "SM-3",
        "Block IIA",
        "max_intercept_altitude",
    ),
    ("interceptor", "SM-3 Block IIA", "max_ground_range_km"): (
        "interceptors",
        "SM-3",
        "Block IIA",
        "max_range",
    ),
}

_NUMBER_SPAN = re.compile(r"(\d[\d,]*(?:\.\d+)?)(?:\s*-\s*(\d[\d,]*(?:\.\d+)?))?")


def _quoted_span(csv_name: str, system: str, variant: str, parameter: str) -> tuple[float, float]:
    with (REFERENCE_DIR / f"{csv_name}_public.csv").open(newline="", encoding="utf-8") as fh:
        rows = [
            r
            for r in csv.DictReader(fh)
            if r["system"] == system and variant in r["variant"] and r["parameter"] == parameter
        ]
    assert len(rows) == 1, (system, variant, parameter)
    match = _NUMBER_SPAN.search(rows[0]["value"])
    assert match is not None
    lo = float(match.group(1).replace(",", ""))
    hi = float(match.group(2).replace(",", "")) if match.group(2) else lo
    return lo, hi


@pytest.mark.parametrize("where", list(QUOTED), ids=lambda w: f"{w[1]}.{w[2]}")
def test_sourced_value_matches_the_quoted_figure(where: tuple[str, str, str]) -> None:
    kind, name, key = where
    lo, hi = _quoted_span(*QUOTED[where])
    param = load_catalog().get(kind, name).params[key]
    assert isinstance(param.value, float)
    if param.is_assumption:
        # the public figure was not usable as it stands: it must lie in the plausible range
        assert param.range is not None
        assert param.range[0] <= hi
        assert lo <= param.range[1]
        assert param.see or param.url, "the assumption still cites the public figure"
    else:
        assert lo <= param.value <= hi


@pytest.mark.parametrize(
    ("name", "system"), [("AN/TPY-2 FBM", "AN/TPY-2"), ("Green Pine", "EL/M-2080 Green Pine")]
)
def test_radar_r0_is_calibrated_below_its_quoted_range(name: str, system: str) -> None:
    # A quoted range (target RCS unstated) is at most the 1 m^2 range for targets >= 1 m^2
    # (R ~ sigma^(1/4)); it is the top of the plausible r0 range.
    with (REFERENCE_DIR / "radars_public.csv").open(newline="", encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["system"] == system and r["unit"] == "km"]
    quoted_km = float(rows[0]["value"].lstrip("~"))
    param = load_catalog().get("radar", name).params["r0_km"]
    assert param.range is not None
    assert param.range[1] == quoted_km
    assert param.value <= quoted_km  # type: ignore[operator]


# --- physical consistency -------------------------------------------------------------------


@pytest.mark.parametrize("entry", _entries("missile"), ids=_id)
def test_missile_class_matches_range_band(entry: CatalogEntry) -> None:
    lo, hi = CLASS_BANDS_KM[str(entry.value("threat_class"))]
    assert lo <= float(entry.value("max_range_km")) < hi or (
        entry.value("max_range_km") == hi == 1000.0
    )


@pytest.mark.parametrize("entry", _entries("missile"), ids=_id)
def test_missile_boost_can_reach_max_range(entry: CatalogEntry) -> None:
    v = v_min_energy_mps(float(entry.value("max_range_km")) * 1e3)
    t_bo = float(entry.value("burn_time_s"))
    assert BOOST_ACCEL_MPS2[0] <= v / t_bo <= BOOST_ACCEL_MPS2[1]
    ramp_climb_m = 0.5 * v * t_bo
    fraction = float(entry.value("burnout_alt_km")) * 1e3 / ramp_climb_m
    assert BURNOUT_ALT_FRACTION[0] <= fraction < BURNOUT_ALT_FRACTION[1]
    assert float(entry.value("min_range_km")) < float(entry.value("max_range_km"))
    assert float(entry.value("rcs_booster_m2")) >= float(entry.value("rcs_rv_m2"))


@pytest.mark.parametrize("entry", _entries("interceptor"), ids=_id)
def test_interceptor_flyout_can_reach_its_envelope(entry: CatalogEntry) -> None:
    v = float(entry.value("burnout_speed_kms")) * 1e3
    t_bo = float(entry.value("burn_time_s"))
    assert vertical_reach_m(v) >= float(entry.value("max_alt_km")) * 1e3
    # ground covered during the burn is at most 0.5 v t (linear speed ramp, level flight)
    assert max_range_m(v) + 0.5 * v * t_bo >= float(entry.value("max_ground_range_km")) * 1e3
    assert float(entry.value("min_alt_km")) < float(entry.value("max_alt_km"))
    assert float(entry.value("min_ground_range_km")) < float(entry.value("max_ground_range_km"))


@pytest.mark.parametrize("entry", _entries("interceptor"), ids=_id)
def test_interceptor_tier_and_kill_probabilities_are_consistent(entry: CatalogEntry) -> None:
    upper = entry.value("tier") == "upper"
    assert upper == (float(entry.value("min_alt_km")) >= UPPER_TIER_MIN_ALT_KM)
    pk = [float(entry.value(k)) for k in ("pk_srbm", "pk_mrbm", "pk_irbm")]
    assert pk == sorted(pk, reverse=True), "faster threat classes are not easier to kill"


def test_organic_guidance_follows_the_guidance_concepts() -> None:
    cat = load_catalog()
    for name in ("PAC-2 GEM-T", "PAC-3 CRI", "PAC-3 MSE", "KM-SAM Block II", "L-SAM", "THAAD"):
        assert cat.get("interceptor", name).value("organic_guidance") is True
    for name in ("SM-3 Block IA", "SM-3 Block IB", "SM-3 Block IIA"):
        assert cat.get("interceptor", name).value("organic_guidance") is False


def test_upper_tiers_commit_on_looser_impact_point_predictions() -> None:
    entries = _entries("interceptor")
    upper = [float(e.value("fcq_ipp_sigma_m")) for e in entries if e.value("tier") == "upper"]
    lower = [float(e.value("fcq_ipp_sigma_m")) for e in entries if e.value("tier") == "lower"]
    assert min(upper) >= max(lower)


@pytest.mark.parametrize("entry", _entries("radar"), ids=_id)
def test_radar_geometry_is_consistent(entry: CatalogEntry) -> None:
    assert float(entry.value("min_el_deg")) < float(entry.value("max_el_deg"))
    assert 0.0 < float(entry.value("search_range_factor")) <= 1.0


def test_scenario_override_models_accept_every_shipped_entry() -> None:
    # The scenario stage validates inline overrides with its own pydantic blocks; the keys must be
    # the same and every shipped value must pass them.
    from shieldwall.scenario import params

    models = {
        "missile": params.MissileParams,
        "interceptor": params.InterceptorParams,
        "radar": params.RadarParams,
        "satellite": params.SatelliteParams,
    }
    for kind in KINDS:
        assert set(params.PARAM_KEYS[kind]) == set(PARAM_KEYS[kind])
        for entry in _entries(kind):
            models[kind](**entry.values())


def test_every_listed_source_is_cited() -> None:
    # An unused `sources:` key in a shipped file is a citation that lost its parameter.
    from ruamel.yaml import YAML

    from shieldwall.scenario.catalog import shipped_catalog_paths

    for path in shipped_catalog_paths():
        doc = YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))
        params = [p for e in doc["entries"] for p in e["params"].values()]
        refs = {p.get("ref") for p in params} | {k for p in params for k in p.get("see", [])}
        assert set(doc.get("sources", {})) <= refs, path.name


def test_flight_boost_programme_reaches_every_burnout_altitude() -> None:
    # The flight stage calibrates its pitch-over fraction x_p in [0.1, 1] so that the
    # minimum-energy shot to max_range_km burns out at burnout_alt_km; a value it can only meet
    # by clipping x_p to a bound means catalog and flight model disagree.
    from shieldwall.flight.model import FlightModel
    from shieldwall.flight.targeting import calibrate

    entries = _entries("missile")
    pitch_frac, v_max_mps = calibrate(
        np.array([float(e.value("max_range_km")) * 1e3 for e in entries]),
        np.array([float(e.value("burn_time_s")) for e in entries]),
        np.array([float(e.value("burnout_alt_km")) * 1e3 for e in entries]),
        np.array([float(e.value("beta_kpa")) * 1e3 for e in entries]),
        FlightModel(),
    )
    for entry, xp, v in zip(entries, pitch_frac, v_max_mps, strict=True):
        assert 0.11 < xp < 0.99, entry.name
        # The capability (full model, hardest azimuth: flight/targeting.py) is near the impulsive
        # vacuum minimum-energy speed from the ground: below it by what the boost's altitude
        # saves, above it by at most the drag and rotation losses (measured <= 6 %, Fateh-110).
        v_me = v_min_energy_mps(float(entry.value("max_range_km")) * 1e3)
        assert 0.8 * v_me < v < 1.1 * v_me, entry.name
