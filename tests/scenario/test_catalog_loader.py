"""Catalog loader and lookup: user files, every error path (file:line:col + field), names."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shieldwall.errors import CatalogError
from shieldwall.scenario.catalog import (
    KINDS,
    PARAM_KEYS,
    Catalog,
    CatalogEntry,
    check_value,
    load_catalog,
    normalize_name,
    read_catalog_file,
    unit_of,
)

#: A valid one-entry satellite file; tests break one thing at a time.
GOOD = """\
kind: satellite
sources:
  mine: {text: "My analysis (2024)", url: "https://example.org/x"}
entries:
  - name: Test Sat
    aliases: [TS-1]
    description: A test constellation.
    params:
      latency_s: {value: 20, confidence: low, ref: mine}
      launch_point_sigma_km:
        {value: 3, confidence: assumption, range: [1, 5], source: "assumption: guess"}
      azimuth_sigma_deg: {value: 4.5, confidence: medium, source: "Someone (2020)", url: "https://x.org"}
"""


def _write(tmp_path: Path, text: str, name: str = "user.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def _problems(tmp_path: Path, text: str) -> list[str]:
    path = _write(tmp_path, text)
    with pytest.raises(CatalogError) as info:
        read_catalog_file(path)
    assert info.value.problems, "a malformed file reports its problems"
    for problem in info.value.problems:
        assert problem.file == str(path)
    return [str(p) for p in info.value.problems]


def test_good_user_file_loads_and_extends_the_catalog(tmp_path: Path) -> None:
    path = _write(tmp_path, GOOD)
    (entry,) = read_catalog_file(path)
    assert entry.kind == "satellite"
    assert entry.values() == {
        "latency_s": 20.0,
        "launch_point_sigma_km": 3.0,
        "azimuth_sigma_deg": 4.5,
    }
    assert entry.params["latency_s"].source == "My analysis (2024)"
    assert entry.params["latency_s"].url == "https://example.org/x"
    assert entry.params["latency_s"].see == ()
    text = GOOD.replace('source: "Someone (2020)"', 'see: [mine], source: "Someone (2020)"')
    (seeing,) = read_catalog_file(_write(tmp_path, text, "see.yaml"))
    assert seeing.params["azimuth_sigma_deg"].see == (
        ("My analysis (2024)", "https://example.org/x"),
    )
    cat = load_catalog(path)
    assert cat.names("satellite") == ["SBIRS", "Test Sat"]
    assert cat.get("satellite", "ts 1") is cat.get("satellite", "Test Sat")
    assert "Test Sat" not in load_catalog().names("satellite"), "the shipped cache is untouched"


def test_missing_key_is_reported_with_line(tmp_path: Path) -> None:
    text = GOOD.replace("      latency_s: {value: 20, confidence: low, ref: mine}\n", "")
    (problem,) = _problems(tmp_path, text)
    assert "lacks satellite parameters: latency_s" in problem
    assert ":8:5:" in problem  # the `params:` key of entry 0
    assert "entries[0].params" in problem


def test_assumption_needs_a_range(tmp_path: Path) -> None:
    text = GOOD.replace("range: [1, 5], ", "")
    (problem,) = _problems(tmp_path, text)
    assert "assumption needs a plausible `range" in problem
    assert ":10:7:" in problem
    assert "entries[0].params.launch_point_sigma_km" in problem


def test_range_must_contain_the_value(tmp_path: Path) -> None:
    (problem,) = _problems(tmp_path, GOOD.replace("range: [1, 5]", "range: [4, 5]"))
    assert "does not contain value 3" in problem
    assert "launch_point_sigma_km.range" in problem


def test_unknown_key_and_bad_confidence_are_both_reported(tmp_path: Path) -> None:
    text = GOOD.replace("confidence: low, ref: mine", "confidence: certain, ref: mine").replace(
        "    params:\n", "    params:\n      speed_kms: {value: 1, confidence: low, ref: mine}\n"
    )
    problems = _problems(tmp_path, text)
    assert any("'high', 'medium', 'low' or 'assumption'" in p for p in problems), problems
    text = GOOD.replace(
        "    params:\n", "    params:\n      speed_kms: {value: 1, confidence: low, ref: mine}\n"
    )
    (problem,) = _problems(tmp_path, text)
    assert "unknown satellite parameter 'speed_kms'" in problem
    assert "latency_s" in problem, "the message lists what is allowed"


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("value: 20,", "value: fast,", "use a number in [0, 600] s"),
        ("value: 20,", "value: true,", "use a number in [0, 600] s"),
        ("value: 20,", "value: -5,", "use a number in [0, 600] s"),
        ("ref: mine}", "ref: theirs}", "unknown source key 'theirs'"),
        ("ref: mine}", "ref: mine, see: [mine, nope]}", "see[1]: unknown source key 'nope'"),
        ("ref: mine}", 'ref: mine, source: "x (2020)"}', "give one of `source`"),
        ('source: "Someone (2020)", ', "", "give one of `source`"),
        ('source: "Someone (2020)"', 'source: "  "', "source must not be empty"),
        ("range: [1, 5]", "range: [5, 1]", "lo <= hi"),
        ("kind: satellite", "kind: laser", "'missile', 'interceptor', 'radar' or 'satellite'"),
        ("    description:", "    colour: red\n    description:", "unknown field"),
        ("- name: Test Sat", "- name: ''", "name must not be empty"),
    ],
)
def test_each_mistake_is_named(tmp_path: Path, old: str, new: str, expected: str) -> None:
    assert old in GOOD
    problems = _problems(tmp_path, GOOD.replace(old, new))
    assert any(expected in p for p in problems), problems


def test_problem_positions_point_at_the_field(tmp_path: Path) -> None:
    (problem,) = _problems(tmp_path, GOOD.replace("value: 4.5,", "value: abc,"))
    assert ":12:27:" in problem  # the `value` key inside the flow mapping
    assert "azimuth_sigma_deg.value: satellite parameter azimuth_sigma_deg = 'abc'" in problem


def test_text_keys_take_choices_and_no_range(tmp_path: Path) -> None:
    text = """\
    kind: interceptor
    entries:
      - name: Bad
        params:
          tier: {value: middle, confidence: low, source: "x (2020)", range: [0, 1]}
    """
    problems = _problems(tmp_path, text)
    assert any("use one of upper, lower" in p for p in problems), problems
    assert any("takes no range" in p for p in problems), problems
    assert any("lacks interceptor parameters" in p for p in problems), problems


def test_bad_yaml_reports_line(tmp_path: Path) -> None:
    (problem,) = _problems(tmp_path, "kind: radar\nentries: [\n  - {name: x\n")
    assert "not valid YAML" in problem
    assert f"{tmp_path / 'user.yaml'}:" in problem


def test_duplicate_yaml_key_is_rejected(tmp_path: Path) -> None:
    (problem,) = _problems(
        tmp_path, GOOD.replace("kind: satellite\n", "kind: satellite\nkind: radar\n")
    )
    assert "not valid YAML" in problem


def test_empty_and_non_mapping_files_are_rejected(tmp_path: Path) -> None:
    assert _problems(tmp_path, "")
    assert _problems(tmp_path, "- just\n- a list\n")


def test_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match="cannot read catalog file"):
        read_catalog_file(tmp_path / "missing.yaml")


def test_user_entry_may_not_clash_with_a_shipped_name(tmp_path: Path) -> None:
    path = _write(tmp_path, GOOD.replace("aliases: [TS-1]", "aliases: [sbirs]"))
    read_catalog_file(path)  # fine on its own
    with pytest.raises(CatalogError, match="must be unique") as info:
        load_catalog(path)
    assert "SBIRS" in str(info.value.args[0])


def test_load_catalog_collects_problems_of_every_file(tmp_path: Path) -> None:
    a = _write(tmp_path, GOOD.replace("value: 20,", "value: x,"), "a.yaml")
    b = _write(tmp_path, GOOD.replace("value: 4.5,", "value: y,"), "b.yaml")
    with pytest.raises(CatalogError) as info:
        load_catalog(a, b)
    assert {p.file for p in info.value.problems} == {str(a), str(b)}


# --- lookup ---------------------------------------------------------------------------------


def test_load_catalog_is_cached_and_immutable() -> None:
    cat = load_catalog()
    assert load_catalog() is cat
    assert cat.kinds == KINDS == ("missile", "interceptor", "radar", "satellite")
    entry = cat.get("missile", "Scud-B")
    with pytest.raises(TypeError):
        entry.params["max_range_km"] = entry.params["burn_time_s"]  # type: ignore[index]


@pytest.mark.parametrize(
    ("kind", "asked", "found"),
    [
        ("missile", "scud b", "Scud-B"),
        ("missile", "RODONG", "Nodong"),
        ("missile", "kn 15", "Pukguksong-2"),
        ("interceptor", "pac3mse", "PAC-3 MSE"),
        ("interceptor", "Cheongung-II", "KM-SAM Block II"),
        ("interceptor", "sm-3 iia", "SM-3 Block IIA"),
        ("radar", "tpy-2 tm", "AN/TPY-2 TM"),
        ("radar", "Gamera", "J/FPS-5"),
        ("satellite", "sbirs geo", "SBIRS"),
    ],
)
def test_get_ignores_case_space_punctuation_and_knows_aliases(
    kind: str, asked: str, found: str
) -> None:
    assert load_catalog().get(kind, asked).name == found


def test_unknown_name_lists_close_matches() -> None:
    with pytest.raises(CatalogError) as info:
        load_catalog().get("interceptor", "PAC-3 MSF")
    message = str(info.value.args[0])
    assert "did you mean: PAC-3 MSE" in message
    assert "SM-6" in message, "the known names are listed"


def test_name_of_another_kind_is_not_found_by_get_but_by_find() -> None:
    cat = load_catalog()
    with pytest.raises(CatalogError):
        cat.get("missile", "THAAD")
    assert cat.find("THAAD").kind == "interceptor"
    with pytest.raises(CatalogError, match="unknown catalog kind 'laser'"):
        cat.names("laser")
    with pytest.raises(CatalogError, match="did you mean"):
        cat.find("Nodong-X")


def test_value_of_unknown_key_names_the_allowed_keys() -> None:
    entry = load_catalog().get("radar", "SPY-1D")
    assert entry.value("band") == "S"
    with pytest.raises(CatalogError, match="r0_km"):
        entry.value("range_km")


def test_entries_from_two_sources_with_the_same_alias_clash() -> None:
    a = CatalogEntry(name="Alpha", kind="radar", aliases=("A-1",))
    b = CatalogEntry(name="Beta", kind="missile", aliases=("a 1",))
    with pytest.raises(CatalogError, match="'Alpha' and missile 'Beta'"):
        Catalog.from_entries([a, b])


@given(st.sampled_from([e.name for e in load_catalog().entries]), st.data())
def test_any_spelling_variant_finds_the_entry(name: str, data: st.DataObject) -> None:
    # flip case and punctuation of each character; normalization must undo it
    variant = "".join(
        data.draw(st.sampled_from([c.upper(), c.lower(), f" {c}", f"{c}-", f"{c}/"])) for c in name
    )
    assert normalize_name(variant) == normalize_name(name)
    assert load_catalog().find(variant).name == name


# --- keys, units, override checks -----------------------------------------------------------


def test_units_come_from_key_suffixes() -> None:
    units = {key: unit_of(key) for keys in PARAM_KEYS.values() for key in keys}
    assert units["max_range_km"] == "km"
    assert units["burnout_speed_kms"] == "km/s"
    assert units["rcs_rv_m2"] == "m²"
    assert units["beta_kpa"] == "kPa"
    assert units["fcq_ipp_sigma_m"] == "m"
    assert units["angle_sigma_mrad"] == "mrad"
    assert units["half_az_deg"] == "deg"
    assert units["burn_time_s"] == "s"
    assert units["reliability"] == units["threat_class"] == ""


def test_check_value_for_overrides() -> None:
    assert check_value("missile", "max_range_km", 350) == 350.0
    assert check_value("interceptor", "organic_guidance", False) is False
    assert check_value("interceptor", "tier", "upper") == "upper"
    for kind, key, value, expected in [
        ("interceptor", "pk_srbm", 1.5, r"in \[0, 1\]"),
        ("interceptor", "organic_guidance", 1, "true or false"),
        ("missile", "threat_class", "icbm", "srbm, mrbm, irbm"),
        ("missile", "max_range_km", float("nan"), "a number"),
        ("missile", "max_range_m", 1.0, "max_range_km"),
        ("rocket", "max_range_km", 1.0, "kinds are"),
    ]:
        with pytest.raises(CatalogError, match=expected):
            check_value(kind, key, value)


def test_load_one_kind_matches_the_full_catalog() -> None:
    """``load_catalog(kind=...)`` (used by ``shieldwall fly``) gives the same entries."""
    from shieldwall.errors import CatalogError
    from shieldwall.scenario.catalog import load_catalog

    for kind in load_catalog().kinds:
        assert load_catalog(kind=kind).entries_of(kind) == load_catalog().entries_of(kind)
    with pytest.raises(CatalogError, match="allowed: missile"):
        load_catalog(kind="rocket")  # type: ignore[arg-type]


MERGED_CATALOG = """\
kind: satellite
x-mine: &mine {confidence: low, source: "My analysis (2024)"}
entries:
  - name: Merged Sat
    params:
      latency_s: {<<: *mine, value: 20}
      launch_point_sigma_km: {<<: *mine, value: 3}
      azimuth_sigma_deg: {<<: *mine, value: 2}
"""


def test_merge_keys_in_a_catalog_file(tmp_path: Path) -> None:
    """Regression: a merge key raised KeyError in the position walk (a traceback)."""
    (entry,) = read_catalog_file(_write(tmp_path, MERGED_CATALOG))
    assert entry.params["latency_s"].source == "My analysis (2024)"
    assert entry.value("azimuth_sigma_deg") == 2.0
    bad = MERGED_CATALOG.replace(
        "x-mine: &mine {confidence: low,", "x-mine: &mine {confidence: sure,"
    )
    path = _write(tmp_path, bad)
    with pytest.raises(CatalogError) as info:
        read_catalog_file(path)
    lines = {p.line for p in info.value.problems}
    assert lines == {2}, "a mistake in a merged value points at the anchor"
