"""The parameter table: one definition per key, and everything derived from it agrees.

Before the table, bounds lived in three places (``scenario/params.py``, ``catalog/keys.py`` and
the conversions of ``compile.py``) and 19 of 32 numeric keys disagreed between the first two
(``revisit_s`` 600 s in one and 3600 s in the other, ``beta_kpa`` > 0 in one and >= 0.1 in the
other ...). These tests check that the catalog check, the scenario check, the SI conversion, the
World tables and the docs are all derived from one :class:`Key` per parameter.
"""

from __future__ import annotations

import copy
import dataclasses
import math
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from shieldwall.errors import CatalogError, ScenarioError
from shieldwall.scenario import compile_world, load_scenario
from shieldwall.scenario import world as world_module
from shieldwall.scenario.catalog import check_value, load_catalog
from shieldwall.scenario.catalog.keys import (
    KEY_SPECS,
    KEYS,
    KINDS,
    ORDERED_PAIRS,
    PARAM_KEYS,
    THREAT_CLASSES,
    Key,
    markdown_table,
)
from shieldwall.scenario.params import params_model
from tests.scenario.conftest import make_doc

ROOT = Path(__file__).parents[2]

#: World table of each kind, and its columns that do not come from catalog keys.
TABLES: dict[str, tuple[type, set[str]]] = {
    "missile": (world_module.MissileTable, {"name"}),
    "interceptor": (world_module.InterceptorTable, {"name"}),
    "radar": (
        world_module.RadarTable,
        {
            "id",
            "nation_idx",
            "type",
            "platform",
            "lat_rad",
            "lon_rad",
            "alt_m",
            "r_ecef_m",
            "boresight_az_rad",
            "battery_idx",
        },
    ),
    "satellite": (world_module.SatelliteTable, {"id", "nation_idx", "type"}),
}

NUMERIC = [(kind, key) for key in KEYS for kind in key.kinds if key.type == "float"]


def _ids(item: object) -> str:
    return item.name if isinstance(item, Key) else str(item)


def test_every_key_is_defined_once_per_kind() -> None:
    for kind in KINDS:
        names = [k.name for k in KEYS if kind in k.kinds]
        assert len(names) == len(set(names))
        assert tuple(names) == PARAM_KEYS[kind]


@pytest.mark.parametrize("kind", KINDS)
def test_world_tables_have_exactly_the_si_columns_of_the_keys(kind: str) -> None:
    table, structural = TABLES[kind]
    fields = {f.name for f in dataclasses.fields(table)}
    si = {k.si_name for k in KEY_SPECS[kind].values()}  # type: ignore[index]
    assert si <= fields, f"add {si - fields} to {table.__name__}"
    assert fields - structural == si, f"{fields - structural - si} come from no key"


def test_si_names_and_scales_follow_the_unit_suffix() -> None:
    spec = KEY_SPECS
    assert spec["radar"]["r0_km"].si_name == "r0_m"
    assert spec["radar"]["r0_km"].scale == 1000.0
    assert spec["radar"]["half_az_deg"].si_name == "half_az_rad"
    assert spec["radar"]["half_az_deg"].scale == pytest.approx(math.pi / 180)
    assert spec["radar"]["angle_sigma_mrad"].si_name == "angle_sigma_rad"
    assert spec["interceptor"]["burnout_speed_kms"].si_name == "burnout_speed_mps"
    assert spec["interceptor"]["beta_kpa"].si_name == "beta_pa"
    assert spec["missile"]["rcs_rv_m2"].si_name == "rcs_rv_m2"
    assert spec["interceptor"]["pk_mrbm"].si_name == "pk"
    assert spec["interceptor"]["pk_mrbm"].column == "mrbm"
    assert spec["radar"]["band"].si_name == "band"


def test_compiled_world_is_each_value_times_its_scale() -> None:
    # Every numeric key of every entry in the BASE_DOC world equals catalog value x scale.
    world = compile_world(load_scenario(make_doc()))
    cat = load_catalog()
    rows = {
        "missile": (world.missiles, world.missiles.name),
        "interceptor": (world.interceptors, world.interceptors.name),
        "radar": (world.radars, world.radars.type),
        "satellite": (world.satellites, world.satellites.type),
    }
    overridden = {("radar", "Green Pine", "r0_km"), ("satellite", "SBIRS", "latency_s")}
    checked = 0
    for kind, (table, names) in rows.items():
        for i, name in enumerate(names):
            values = cat.get(kind, name).values()
            for key in KEY_SPECS[kind].values():  # type: ignore[index]
                if (kind, name, key.name) in overridden or key.type != "float":
                    continue
                column = np.asarray(getattr(table, key.si_name))
                got = column[i, THREAT_CLASSES.index(key.column)] if key.column else column[i]
                assert got == pytest.approx(float(values[key.name]) * key.scale, rel=1e-12)
                checked += 1
    assert checked > 40


@pytest.mark.parametrize("kind", KINDS)
def test_pydantic_block_is_the_table(kind: str) -> None:
    model = params_model(kind)  # type: ignore[arg-type]
    assert tuple(model.model_fields) == PARAM_KEYS[kind]  # type: ignore[index]
    for name, info in model.model_fields.items():
        key = KEY_SPECS[kind][name]  # type: ignore[index]
        assert info.description is not None
        assert info.description.startswith(key.doc_for(kind))  # type: ignore[arg-type]
        if key.type == "float":
            bounds = {type(m).__name__: m for m in info.metadata}
            assert bounds["Ge"].ge == key.lo
            assert bounds["Le"].le == key.hi


def _probe_values(key: Key) -> list[float]:
    span = key.hi - key.lo
    return [
        key.lo,
        key.hi,
        key.lo + 0.5 * span,
        key.lo - 1e-9 * max(span, 1.0),
        key.hi + 1e-9 * max(span, 1.0),
        -key.hi - 1.0,
        1e-308,
        1e-100,
        3600.0,
        1e6,
    ]


def _catalog_accepts(kind: str, name: str, value: float) -> bool:
    try:
        check_value(kind, name, value)
    except CatalogError:
        return False
    return True


def _scenario_accepts(kind: str, name: str, value: float) -> bool:
    doc = make_doc()
    target: dict[str, Any]
    if kind == "missile":
        doc["threats"]["missiles"] = [{"name": "m", "type": "Scud-C"}]
        target = doc["threats"]["missiles"][0]
    elif kind == "interceptor":
        doc["interceptors"] = [{"name": "i", "type": "PAC-3 MSE"}]
        target = doc["interceptors"][0]
    elif kind == "radar":
        target = doc["sensors"]["radars"][0]
    else:
        target = doc["sensors"]["satellites"][0]
    target[name] = value
    try:
        load_scenario(doc)
    except ScenarioError as exc:
        mine = [p for p in exc.problems if p.path.endswith(name) and p.severity == "error"]
        # another error (an ordered pair, say) is about the combination, not this value's bounds
        return not mine or all("must be less than" in p.message for p in mine)
    return True


@pytest.mark.parametrize(("kind", "key"), NUMERIC, ids=[f"{k}.{key.name}" for k, key in NUMERIC])
def test_catalog_and_scenario_accept_the_same_values(kind: str, key: Key) -> None:
    """Regression (issue #14): the two checks used to disagree on 19 of 32 numeric keys."""
    for value in _probe_values(key):
        expected = key.lo <= value <= key.hi
        assert _catalog_accepts(kind, key.name, value) is expected, value
        assert _scenario_accepts(kind, key.name, value) is expected, value


@pytest.mark.parametrize(
    ("kind", "key", "value"),
    [
        ("missile", "beta_kpa", 1e-308),  # used to validate, then crash `run` (IndexError)
        ("radar", "range_sigma_m", 1e-100),  # used to validate and give NaN covariances
        ("radar", "angle_sigma_mrad", 1e-101),
        ("radar", "revisit_s", 3600.0),  # the catalog allowed it, the scenario did not
    ],
)
def test_unphysical_values_are_refused_where_they_are_written(
    kind: str, key: str, value: float
) -> None:
    # issue #15 item 6: bounds must be physical, refused with file:line:col
    radar = f", {key}: {value!r}" if kind == "radar" else ""
    missile = f", {key}: {value!r}" if kind == "missile" else ""
    text = (
        "name: t\n"
        "nations: [{id: BLU, name: B}]\n"
        "sensors:\n"
        "  radars:\n"
        "    - {id: r, type: Green Pine, nation: BLU, site: {lat_deg: 35, lon_deg: 128}"
        f"{radar}}}\n"
        "threats:\n"
        "  missiles:\n"
        f"    - {{name: m, type: Scud-C{missile}}}\n"
    )
    line = 5 if kind == "radar" else 8
    with pytest.raises(ScenarioError) as info:
        load_scenario(text)
    (problem,) = [p for p in info.value.problems if p.severity == "error"]
    assert problem.line == line
    assert problem.path.endswith(key)
    spec = KEY_SPECS[kind][key]  # type: ignore[index]
    assert f"{spec.lo:g}" in problem.message or f"{spec.hi:g}" in problem.message
    with pytest.raises(CatalogError, match=re.escape(spec.describe())):
        check_value(kind, key, value)


def test_ordered_pairs_come_from_the_table() -> None:
    assert ORDERED_PAIRS["interceptor"] == (
        ("min_alt_km", "max_alt_km"),
        ("min_ground_range_km", "max_ground_range_km"),
    )
    assert ORDERED_PAIRS["missile"] == (("min_range_km", "max_range_km"),)
    assert ORDERED_PAIRS["radar"] == (("min_el_deg", "max_el_deg"),)


def test_every_numeric_key_says_why_its_bounds_are_physical() -> None:
    for key in KEYS:
        if key.type == "float":
            assert math.isfinite(key.lo)
            assert math.isfinite(key.hi)
            assert key.lo < key.hi
            assert len(key.bounds_why) > 10, key.name


def test_keys_with_a_default_may_be_left_out_of_inline_definitions() -> None:
    mse = load_catalog().get("interceptor", "PAC-3 MSE").values()
    inline = {k: v for k, v in mse.items() if KEY_SPECS["interceptor"][k].default is None}
    assert "common_mode_srbm" not in inline
    assert "remote_guidance" not in inline
    doc = make_doc(interceptors=[{"name": "own", **inline}])
    doc["batteries"][0]["interceptor"] = "own"
    world = compile_world(load_scenario(doc))
    i = world.interceptors.name.index("own")
    assert world.interceptors.common_mode[i].tolist() == [0.0, 0.0, 0.0]
    assert not world.interceptors.remote_guidance[i]
    without_reliability = copy.deepcopy(doc)
    del without_reliability["interceptors"][0]["reliability"]
    with pytest.raises(ScenarioError, match="missing: reliability"):
        load_scenario(without_reliability)


def test_adding_a_key_is_one_entry(monkeypatch: pytest.MonkeyPatch) -> None:
    """A new key in the table reaches the catalog check, the scenario block and the docs."""
    from shieldwall.scenario.catalog import keys as keys_module

    new = Key(
        name="spares_cost_musd",
        kinds=("radar",),
        type="float",
        lo=0.0,
        hi=5000.0,
        doc="Unit cost, then-year USD millions.",
        bounds_why="free to the most expensive radars (~2,000 MUSD)",
    )
    table = (*keys_module.KEYS, new)
    monkeypatch.setattr(keys_module, "KEYS", table)
    specs = keys_module._by_kind()
    assert specs["radar"]["spares_cost_musd"] is new
    monkeypatch.setitem(keys_module.KEY_SPECS, "radar", specs["radar"])
    assert "spares_cost_musd" in params_model("radar").model_fields
    assert "`spares_cost_musd`" in keys_module.markdown_table()
    with pytest.raises(CatalogError, match=r"\[0, 5000\]"):
        check_value("radar", "spares_cost_musd", -1.0)


def _tool() -> Any:
    import importlib.util

    spec = importlib.util.spec_from_file_location("build_param_docs", TOOL)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


TOOL = ROOT / "tools" / "build_param_docs.py"


def test_generated_docs_are_up_to_date() -> None:
    """The tables in docs/glossary.md and docs/scenario.md are the code's tables."""
    tool = _tool()
    assert {(doc, name) for doc, name, _ in tool.BLOCKS} >= {
        ("docs/glossary.md", "parameter table"),
        ("docs/scenario.md", "parameter table"),
        ("docs/scenario.md", "doctrine table"),
    }
    for doc, name, table in tool.BLOCKS:
        match = tool.block(name).search((ROOT / doc).read_text(encoding="utf-8"))
        assert match is not None, f"{doc} has no generated {name}"
        assert match.group(2) == table, (
            f"{name} in {doc} is out of date: run `uv run python tools/build_param_docs.py`"
        )
    assert markdown_table(why=True) != markdown_table(why=False)
