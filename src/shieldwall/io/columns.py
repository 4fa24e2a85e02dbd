"""The tables of a run record, column by column: one definition for the writer and the docs.

Every table a run record holds is declared here once — its columns, their Arrow type, unit and
meaning. :func:`make_table` builds a table only from exactly these columns (a programming error
otherwise), and ``docs/results.md`` is generated from the same declarations
(:func:`markdown`; ``tests/io/test_columns_doc.py`` keeps the two in step).

Conventions: names carry their unit (``_s``, ``_m``, ``_deg``, ``_mps``, ``_m2``, ``_pa``), no
suffix = dimensionless; times are seconds since the scenario epoch; a missing value (never,
none, not applicable) is ``null``, never ``inf`` or a sentinel index. Rows name things by their
scenario ids (``battery``, ``radar``, ``asset``, ``nation``), threats by their index ``threat``
into the ``threats`` table (which gives each a readable ``threat_id``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
from numpy.typing import NDArray

__all__ = ["TABLES", "Column", "TableSpec", "make_table", "markdown"]

_TYPES: dict[str, pa.DataType] = {
    "int8": pa.int8(),
    "int16": pa.int16(),
    "int32": pa.int32(),
    "int64": pa.int64(),
    "float64": pa.float64(),
    "bool": pa.bool_(),
    "string": pa.string(),
}


@dataclass(frozen=True)
class Column:
    """One column: name, Arrow type name, unit (``""`` = dimensionless or none) and meaning."""

    name: str
    type: str
    unit: str
    doc: str


@dataclass(frozen=True)
class TableSpec:
    """One table: what a row is, and its columns in order."""

    name: str
    row: str
    columns: tuple[Column, ...]
    group: str

    @property
    def names(self) -> tuple[str, ...]:
        """Column names in order."""
        return tuple(c.name for c in self.columns)

    @property
    def schema(self) -> pa.Schema:
        """The Arrow schema."""
        return pa.schema([pa.field(c.name, _TYPES[c.type]) for c in self.columns])


def _c(name: str, type_: str, unit: str, doc: str) -> Column:
    return Column(name, type_, unit, doc)


_POLICY = _c("policy", "string", "", "Sharing policy of this row (`run.json` `policies`).")
_TRIAL = _c("trial", "int32", "", "Trial number, 0-based (the same trial under every policy).")
_THREAT = _c("threat", "int32", "", "Threat index: row of the `threats` table.")
_BATTERY = _c("battery", "string", "", "Battery id (`batteries`).")
_NATION = _c("nation", "string", "", "Nation id (`nations`).")
_LAT = _c("lat_deg", "float64", "deg", "Geodetic latitude (WGS-84).")
_LON = _c("lon_deg", "float64", "deg", "Longitude, east positive.")
_ALT = _c("alt_m", "float64", "m", "Height above the WGS-84 ellipsoid.")

_SPECS: tuple[TableSpec, ...] = (
    # -- what the scenario put in the world (one phase) -----------------------------------------
    TableSpec(
        "nations",
        "one per nation",
        (
            _c("nation", "string", "", "Nation id, as in the scenario."),
            _c("name", "string", "", "Display name."),
        ),
        "dimension",
    ),
    TableSpec(
        "assets",
        "one per defended asset",
        (
            _c("asset", "string", "", "Asset id."),
            _c("name", "string", "", "Display name."),
            _NATION,
            _LAT,
            _LON,
            _ALT,
            _c("value", "float64", "", "Value the defense weighs it by (scenario units)."),
            _c("radius_m", "float64", "m", "Defended radius: a leaker falling inside hits it."),
        ),
        "dimension",
    ),
    TableSpec(
        "missiles",
        "one per missile type the raid uses",
        (
            _c("missile", "string", "", "Missile type (catalog name or scenario variant)."),
            _c("threat_class", "string", "", "`srbm`, `mrbm` or `irbm` (selects the pk)."),
            _c("max_range_m", "float64", "m", "Maximum ground range."),
            _c("min_range_m", "float64", "m", "Minimum ground range."),
            _c("burn_time_s", "float64", "s", "Boost duration."),
            _c("rcs_booster_m2", "float64", "m2", "Radar cross section in boost."),
            _c("rcs_rv_m2", "float64", "m2", "Radar cross section of the reentry vehicle."),
            _c("beta_pa", "float64", "Pa", "Ballistic coefficient m g0 / (Cd A)."),
            _c("reliability", "float64", "", "Probability it flies to impact."),
        ),
        "dimension",
    ),
    TableSpec(
        "interceptors",
        "one per interceptor type the batteries use",
        (
            _c("interceptor", "string", "", "Interceptor type (catalog name or variant)."),
            _c("tier", "string", "", "`upper` or `lower`."),
            _c("burnout_speed_mps", "float64", "m/s", "Burnout speed."),
            _c("min_alt_m", "float64", "m", "Lowest intercept altitude."),
            _c("max_alt_m", "float64", "m", "Highest intercept altitude."),
            _c("max_ground_range_m", "float64", "m", "Farthest intercept ground range."),
            _c("reaction_time_s", "float64", "s", "Fire-control track to launch."),
            _c("kill_assessment_s", "float64", "s", "Intercept to kill assessment."),
            _c("organic_guidance", "bool", "", "Needs a fire-control radar to intercept."),
            _c("fcq_ipp_sigma_m", "float64", "m", "IPP 1-sigma needed to commit."),
            _c("pk_srbm", "float64", "", "Single-shot kill probability against an SRBM."),
            _c("pk_mrbm", "float64", "", "Single-shot kill probability against an MRBM."),
            _c("pk_irbm", "float64", "", "Single-shot kill probability against an IRBM."),
        ),
        "dimension",
    ),
    TableSpec(
        "radars",
        "one per radar (stand-alone ones first, then batteries' organic radars)",
        (
            _c("radar", "string", "", "Radar id (organic radars: `<battery>.radar`)."),
            _NATION,
            _c("type", "string", "", "Catalog type (or the id of a fully inline radar)."),
            _c("platform", "string", "", "`ground` or `ship`."),
            _c("band", "string", "", "Frequency band."),
            _LAT,
            _LON,
            _ALT,
            _c("boresight_az_deg", "float64", "deg", "Boresight azimuth, clockwise from north."),
            _c("half_az_deg", "float64", "deg", "Half-width of the field of regard (180 = all)."),
            _c("min_el_deg", "float64", "deg", "Lowest elevation it looks at."),
            _c("max_el_deg", "float64", "deg", "Highest elevation it looks at."),
            _c("r0_m", "float64", "m", "Cued detection range against 1 m2."),
            _c("search_range_factor", "float64", "", "Range multiplier when uncued."),
            _c("revisit_s", "float64", "s", "Time between looks at a track."),
            _c("battery", "string", "", "Battery it is organic to; null for stand-alone."),
        ),
        "dimension",
    ),
    TableSpec(
        "satellites",
        "one per early-warning satellite system",
        (
            _c("satellite", "string", "", "Satellite system id."),
            _NATION,
            _c("type", "string", "", "Catalog type."),
            _c("latency_s", "float64", "s", "Launch to report."),
        ),
        "dimension",
    ),
    TableSpec(
        "batteries",
        "one per interceptor battery or ship",
        (
            _BATTERY,
            _NATION,
            _c("interceptor", "string", "", "Interceptor type (`interceptors`)."),
            _c("platform", "string", "", "`ground` or `ship`."),
            _LAT,
            _LON,
            _ALT,
            _c("launchers", "int32", "", "Launchers."),
            _c("per_launcher", "int32", "", "Rounds per launcher."),
            _c("inventory", "int32", "", "Rounds at the start."),
            _c("fire_channels", "int32", "", "Engagements it can guide at once."),
            _c("radar", "string", "", "Its fire-control radar (`radars`); null if none."),
        ),
        "dimension",
    ),
    TableSpec(
        "threats",
        "one per missile launched (the raid, salvo by salvo)",
        (
            _THREAT,
            _c("threat_id", "string", "", "Readable name: `<salvo>/<k>`, k = 1.. in the salvo."),
            _c("salvo", "string", "", "Salvo id (its `id:`, else `raid[i]`)."),
            _c("salvo_idx", "int32", "", "Salvo number in the raid, 0-based."),
            _c("missile", "string", "", "Missile type (`missiles`)."),
            _c("threat_class", "string", "", "`srbm`, `mrbm` or `irbm`."),
            _c("shape", "string", "", "`min_energy`, `lofted`, `depressed` or `explicit`."),
            _c("launch_t_s", "float64", "s", "Launch time."),
            _c("burnout_t_s", "float64", "s", "End of powered flight."),
            _c("launch_lat_deg", "float64", "deg", "Launch point latitude."),
            _c("launch_lon_deg", "float64", "deg", "Launch point longitude."),
            _c("aim_lat_deg", "float64", "deg", "Aim point latitude."),
            _c("aim_lon_deg", "float64", "deg", "Aim point longitude."),
            _c("aim_asset", "string", "", "Asset it is aimed at; null when aimed at a point."),
            _c("target_asset", "string", "", "Asset it truly falls on; null if none."),
            _c("target_nation", "string", "", "Nation owning `target_asset`; null if none."),
            _c("target_value", "float64", "", "Value of `target_asset` (0 if none)."),
            _c("impact_t_s", "float64", "s", "Nominal impact time."),
            _c("impact_lat_deg", "float64", "deg", "Impact point latitude."),
            _c("impact_lon_deg", "float64", "deg", "Impact point longitude."),
            _c("apogee_m", "float64", "m", "Highest altitude."),
            _c("range_m", "float64", "m", "Geodesic ground range launch to impact."),
            _c("reliability", "float64", "", "Probability it flies to impact."),
        ),
        "dimension",
    ),
    TableSpec(
        "trajectories",
        "one per trajectory sample (1 s grid, the last sample of a threat is its impact)",
        (
            _THREAT,
            _c("t_s", "float64", "s", "Time."),
            _c("x_ecef_m", "float64", "m", "Position, Earth-centred Earth-fixed x."),
            _c("y_ecef_m", "float64", "m", "Position, ECEF y."),
            _c("z_ecef_m", "float64", "m", "Position, ECEF z."),
            _LAT,
            _LON,
            _ALT,
            _c("phase", "string", "", "`boost`, `midcourse` or `terminal` (below 100 km)."),
        ),
        "dimension",
    ),
    # -- what each policy made of it ---------------------------------------------------------
    TableSpec(
        "windows",
        "one per (policy, battery, threat) pair with an engagement window",
        (
            _POLICY,
            _BATTERY,
            _THREAT,
            _c("interceptor", "string", "", "The battery's interceptor type."),
            _c(
                "nominal_earliest_launch_t_s",
                "float64",
                "s",
                "Nominal fire-control time of the battery's nation plus reaction time.",
            ),
            _c("latest_launch_t_s", "float64", "s", "Last launch that reaches an intercept."),
            _c("first_intercept_t_s", "float64", "s", "First admissible intercept."),
            _c("last_intercept_t_s", "float64", "s", "Last admissible intercept."),
            _c("n_samples", "int32", "", "Admissible intercept samples (docs/battle.md §1)."),
            _c("p_kill", "float64", "", "Single-round kill probability (reliability x pk)."),
            _c("planned_rounds", "int32", "", "Rounds the nominal plan gives the pair."),
        ),
        "policy",
    ),
    TableSpec(
        "detections",
        "one per (policy, nation, threat): when the nation learns of the threat",
        (
            _POLICY,
            _NATION,
            _THREAT,
            _c("first_detect_t_s", "float64", "s", "First report (own or shared); null never."),
            _c("first_detect_sensor", "string", "", "Radar or satellite id of that report."),
            _c("track_t_s", "float64", "s", "First radar track in its picture; null never."),
        ),
        "policy",
    ),
    TableSpec(
        "radar_tracks",
        "one per (policy, radar, threat) the radar ever tracks itself",
        (
            _POLICY,
            _c("radar", "string", "", "Radar id (`radars`)."),
            _THREAT,
            _c("start_t_s", "float64", "s", "First sample it holds a track and sees it."),
            _c("end_t_s", "float64", "s", "Last such sample."),
        ),
        "policy",
    ),
    TableSpec(
        "trials",
        "one per (policy, trial): the per-trial summary",
        (
            _POLICY,
            _TRIAL,
            _c("leakers", "int32", "", "Threats that flew, were not killed and hit an asset."),
            _c("interceptors_used", "int32", "", "Rounds fired."),
            _c("zero_leak", "bool", "", "No leaker."),
            _c("value_lost", "float64", "", "Sum of the values of the assets hit."),
        ),
        "policy",
    ),
    TableSpec(
        "threat_summary",
        "one per (policy, threat): over all trials",
        (
            _POLICY,
            _THREAT,
            _c("p_flew", "float64", "", "Fraction of trials it flew to impact."),
            _c("p_killed", "float64", "", "Fraction of trials it was killed."),
            _c("p_leaked", "float64", "", "Fraction of trials it leaked onto an asset."),
            _c("rounds_mean", "float64", "", "Mean rounds fired at it per trial."),
        ),
        "policy",
    ),
    TableSpec(
        "threat_outcomes",
        "one per (policy, logged trial, threat): the trials of the event log only",
        (
            _POLICY,
            _TRIAL,
            _THREAT,
            _c("flew", "bool", "", "It did not fail in flight."),
            _c("killed", "bool", "", "An interceptor killed it."),
            _c("leaked", "bool", "", "It flew, was not killed and falls on an asset."),
            _c("rounds", "int16", "", "Rounds fired at it."),
        ),
        "policy",
    ),
    TableSpec(
        "events",
        "one per engagement (a salvo of one battery at one threat) in the logged trials",
        (
            _POLICY,
            _TRIAL,
            _c("engagement", "int32", "", "Order of the engagement within its trial."),
            _BATTERY,
            _THREAT,
            _c("launch_t_s", "float64", "s", "Launch time."),
            _c("intercept_t_s", "float64", "s", "Intercept time."),
            _c("rounds", "int16", "", "Rounds fired together."),
            _c("kill", "bool", "", "This engagement killed the threat (the first kill)."),
            _c("killed", "bool", "", "Truth after it: the threat is dead."),
            _c("reported_dead", "bool", "", "Kill assessment reported a kill."),
            _c("intercept_lat_deg", "float64", "deg", "Intercept point (threat position)."),
            _c("intercept_lon_deg", "float64", "deg", "Intercept point longitude."),
            _c("intercept_alt_m", "float64", "m", "Intercept altitude."),
        ),
        "policy",
    ),
    TableSpec(
        "asset_outcomes",
        "one per (policy, asset)",
        (
            _POLICY,
            _c("asset", "string", "", "Asset id (`assets`)."),
            _c("p_survives", "float64", "", "Probability no leaker falls on it."),
            _c("p_survives_lo", "float64", "", "95% Wilson interval, lower end."),
            _c("p_survives_hi", "float64", "", "95% Wilson interval, upper end."),
        ),
        "policy",
    ),
    TableSpec(
        "battery_use",
        "one per (policy, battery)",
        (
            _POLICY,
            _BATTERY,
            _c("inventory", "int32", "", "Rounds at the start."),
            _c("expended_mean", "float64", "", "Mean rounds fired per trial."),
            _c("left_mean", "float64", "", "Mean rounds left."),
        ),
        "policy",
    ),
    TableSpec(
        "metrics",
        "one per (policy, metric): headline numbers with their 95% intervals",
        (
            _POLICY,
            _c("metric", "string", "", "Name (see the list below the table)."),
            _c("value", "float64", "", "Estimate (unit of the metric)."),
            _c("lo", "float64", "", "95% interval, lower end; null if none."),
            _c("hi", "float64", "", "95% interval, upper end; null if none."),
        ),
        "policy",
    ),
    # -- where the numbers come from ---------------------------------------------------------
    TableSpec(
        "catalog_values",
        "one per parameter of every catalog entry the world uses",
        (
            _c("kind", "string", "", "`missile`, `interceptor`, `radar` or `satellite`."),
            _c("entry", "string", "", "Catalog entry name."),
            _c("key", "string", "", "Parameter key (its unit is in the name, I/O units)."),
            _c("value", "string", "", "Catalog value as written."),
            _c("source", "string", "", "Who says so."),
            _c("confidence", "string", "", "`high`, `medium`, `low` or `assumption`."),
            _c("range_lo", "float64", "", "Plausible range, low end; null if none given."),
            _c("range_hi", "float64", "", "Plausible range, high end."),
            _c("url", "string", "", "Address of the source; null if none."),
        ),
        "provenance",
    ),
    TableSpec(
        "overrides",
        "one per catalog key the scenario sets inline (it replaces the catalog value)",
        (
            _c("kind", "string", "", "`missile`, `interceptor`, `radar` or `satellite`."),
            _c("unit", "string", "", "Scenario unit or variant that sets it."),
            _c("entry", "string", "", "Catalog entry it is based on; null if fully inline."),
            _c("key", "string", "", "Parameter key."),
            _c("value", "string", "", "Value the scenario gives."),
        ),
        "provenance",
    ),
)

#: Every table a run record may hold, by name.
TABLES: Mapping[str, TableSpec] = {s.name: s for s in _SPECS}

#: Metric names of the ``metrics`` table and what each is.
METRICS: Mapping[str, str] = {
    "p_zero_leak": "probability that no threat leaks (Wilson interval)",
    "expected_leakers": "mean leakers per raid (normal interval)",
    "interceptors_used": "mean rounds fired per raid (normal interval)",
    "value_lost": "mean value of the assets hit per raid (normal interval)",
    "inventory_left": "mean rounds left over all batteries",
    "interceptor_cost_usd": "mean cost of the rounds fired per raid, USD 2024 (normal interval; "
    "empty where an unpriced round was fired)",
    "attack_cost_usd": "cost of the missiles the raid launches, USD 2024 "
    "(empty if one is unpriced)",
    "cost_exchange_ratio": "interceptor cost / attack cost (the interceptor cost's interval)",
    "d_p_zero_leak": "P(zero leakage) minus the baseline's, paired on the same trials",
    "d_expected_leakers": "expected leakers minus the baseline's, paired on the same trials",
    "cost_per_leaker_avoided_usd": "extra interceptor cost per leaker avoided against the "
    "baseline, paired (delta-method interval; empty where the leakers avoided are not resolved)",
}


#: numpy dtype of each fixed-width type.
_NUMPY = {"int8": np.int8, "int16": np.int16, "int32": np.int32, "int64": np.int64}


def _bitmap(valid: NDArray[np.bool_]) -> pa.Buffer:
    return pa.py_buffer(np.packbits(valid, bitorder="little"))


def _array(values: Any, type_name: str) -> pa.Array:
    """An Arrow array from its buffers.

    ``pa.array`` imports pandas on its first call (about 1.3 s CPU); building the buffers here
    keeps pandas out of commands that only write a run record. Same values and nulls as
    ``pa.array`` (tests/io/test_columns_buffers.py).
    """
    arrow_type = _TYPES[type_name]
    if type_name == "float64":
        arr = np.ascontiguousarray(values, dtype=np.float64).ravel()
        valid = np.isfinite(arr)
        n_null = int(arr.size - np.count_nonzero(valid))
        bitmap = _bitmap(valid) if n_null else None
        return pa.Array.from_buffers(
            arrow_type, arr.size, [bitmap, pa.py_buffer(arr)], null_count=n_null
        )
    if type_name == "string":
        seq = [None if v is None or v == "" else str(v).encode() for v in values]
        valid = np.array([b is not None for b in seq], dtype=bool)
        lengths = np.array([0 if b is None else len(b) for b in seq], dtype=np.int64)
        offsets = np.concatenate([[0], np.cumsum(lengths)])
        if offsets[-1] > np.iinfo(np.int32).max:
            raise ValueError("string column over 2 GiB (a programming error)")
        n_null = int(valid.size - np.count_nonzero(valid))
        return pa.Array.from_buffers(
            arrow_type,
            len(seq),
            [
                _bitmap(valid) if n_null else None,
                pa.py_buffer(offsets.astype(np.int32)),
                pa.py_buffer(b"".join(b for b in seq if b is not None)),
            ],
            null_count=n_null,
        )
    raw = np.asarray(values).ravel()
    if type_name == "bool":
        flags = raw.astype(bool)
        if raw.size and not np.array_equal(flags, raw):
            raise ValueError(f"values of dtype {raw.dtype} are not flags (a programming error)")
        return pa.Array.from_buffers(arrow_type, flags.size, [None, _bitmap(flags)], null_count=0)
    cast = np.ascontiguousarray(raw, dtype=_NUMPY[type_name])
    if raw.size and not np.array_equal(cast, raw):
        raise ValueError(f"values do not fit {type_name} (a programming error)")
    return pa.Array.from_buffers(arrow_type, cast.size, [None, pa.py_buffer(cast)], null_count=0)


def make_table(name: str, columns: Mapping[str, Any]) -> pa.Table:
    """A table of the run record built from exactly its declared columns.

    Non-finite floats become ``null`` (never / none / not applicable), empty strings too.

    Raises
    ------
    KeyError, ValueError
        Unknown table, or columns that are not exactly the declared ones (a programming error).
    """
    spec = TABLES[name]
    if tuple(columns) != spec.names:
        raise ValueError(f"table {name!r}: columns {tuple(columns)} != declared {spec.names}")
    arrays = [_array(columns[c.name], c.type) for c in spec.columns]
    return pa.Table.from_arrays(arrays, schema=spec.schema)


def empty_table(name: str) -> pa.Table:
    """A table with the declared columns and no rows."""
    return TABLES[name].schema.empty_table()


def markdown(name: str) -> str:
    """The column table of ``name`` for ``docs/results.md``."""
    spec = TABLES[name]
    lines = [
        f"`{name}.parquet`: {spec.row}.",
        "",
        "| column | type | unit | meaning |",
        "|---|---|---|---|",
    ]
    lines += [f"| `{c.name}` | {c.type} | {c.unit or '—'} | {c.doc} |" for c in spec.columns]
    return "\n".join(lines)


def names_of(group: str) -> Sequence[str]:
    """Names of the tables of one group (``dimension``, ``policy``, ``provenance``)."""
    return [s.name for s in _SPECS if s.group == group]
