"""load_scenario: every error reported at once, with file:line:col, path and a clear message."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from shieldwall.errors import Problem, ScenarioError
from shieldwall.scenario import Scenario, compile_world, load_scenario, scenario_hash
from tests.scenario.conftest import BASE_DOC, make_doc

# Five mistakes in five different fields (line:col of each noted on the right; 1-based).
FIVE_ERRORS = """\
name: five errors
nations:
  - {id: BLU, name: Blueland}
assets:
  - id: city
    nation: BLU
    location: {lat_deg: 95.0, lon_deg: 128.0}
    value: 10
sensors:
  radars:
    - id: r1
      type: Green Pin
      nation: BLU
      site: {lat_deg: 36.0, lon_deg: 127.5}
      boresite_az_deg: 10
batteries:
  - id: b1
    nation: RED
    interceptor: PAC-3 MSE
    launchers: 0
    per_launcher: 12
    site: {lat_deg: 35.0, lon_deg: 128.0}
"""
# (line, col, path, words the message must contain)
EXPECTED = [
    (7, 25, "assets[0].location.lat_deg", ["less than or equal to 90", "95.0"]),
    (12, 13, "sensors.radars[0].type", ["Green Pin", "Green Pine"]),
    (15, 7, "sensors.radars[0].boresite_az_deg", ["unknown field", "boresight_az_deg"]),
    (18, 13, "batteries[0].nation", ["unknown nation 'RED'", "BLU"]),
    (20, 16, "batteries[0].launchers", ["greater than or equal to 1", "0"]),
]


def _errors(source: Any) -> list[Problem]:
    with pytest.raises(ScenarioError) as info:
        load_scenario(source)
    return [p for p in info.value.problems if p.severity == "error"]


def _only(source: Any) -> Problem:
    errors = _errors(source)
    assert len(errors) == 1, "\n".join(map(str, errors))
    return errors[0]


def test_five_errors_in_five_fields_all_reported_with_exact_positions(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(FIVE_ERRORS)
    errors = _errors(path)
    assert len(errors) == len(EXPECTED), "\n".join(map(str, errors))
    for problem, (line, col, field, words) in zip(errors, EXPECTED, strict=True):
        assert (problem.file, problem.line, problem.col, problem.path) == (
            str(path),
            line,
            col,
            field,
        )
        for word in words:
            assert word in problem.message, problem
        assert str(problem).startswith(f"{path}:{line}:{col}: error: {field}:")


def test_text_source_is_labelled_and_positioned() -> None:
    problem = _errors(FIVE_ERRORS)[0]
    assert problem.where == "<text>:7:25"


def test_valid_documents_load(catalog: Any) -> None:
    scenario = load_scenario(BASE_DOC, catalog=catalog)
    assert isinstance(scenario, Scenario)
    assert scenario.warnings == []
    assert scenario.phase_names == ("base",)
    with pytest.raises(Exception, match="frozen"):
        scenario.name = "x"  # type: ignore[misc]


def test_unknown_field_suggests_the_close_one() -> None:
    doc = make_doc()
    doc["batteries"][0]["per_launchers"] = 4
    problem = _only(doc)
    assert problem.path == "batteries[0].per_launchers"
    assert "did you mean 'per_launcher'" in problem.message
    assert "allowed here:" in problem.message
    assert "fire_channels" in problem.message


def test_unknown_top_level_field_and_alias_fields() -> None:
    problem = _only(make_doc(setings={"trials": 3}))
    assert "did you mean 'settings'" in problem.message
    doc = make_doc(
        policies=[{"name": "p", "links": [{"form": "BLU", "to": "GRN", "level": "track"}]}]
    )
    messages = [p.message for p in _errors(doc)]
    assert any("did you mean 'from'?" in m for m in messages), messages


def test_unknown_catalog_name_lists_close_matches() -> None:
    doc = make_doc()
    doc["batteries"][0]["interceptor"] = "PAC-3 MS"
    problem = _only(doc)
    assert problem.path == "batteries[0].interceptor"
    assert "PAC-3 MSE" in problem.message
    assert "did you mean" in problem.message
    doc = make_doc()
    doc["threats"]["raid"][0]["missile"] = "Skud-C"
    problem = _only(doc)
    assert "Scud-C" in problem.message


def test_catalog_names_are_forgiving_about_case_and_punctuation() -> None:
    doc = make_doc()
    doc["batteries"][0]["interceptor"] = "pac3 mse"
    doc["sensors"]["radars"][0]["type"] = "green-pine"
    world = compile_world(load_scenario(doc))
    assert "PAC-3 MSE" in world.interceptors.name
    assert "Green Pine" in world.radars.type


def test_literal_choice_suggests() -> None:
    doc = make_doc()
    doc["threats"]["raid"][1]["shape"] = "depresed"
    problem = _only(doc)
    assert problem.path == "threats.raid[1].shape"
    assert "'depressed'" in problem.message
    assert "depresed" in problem.message


def test_duplicate_ids_point_at_the_second_and_name_the_first(tmp_path: Path) -> None:
    text = """\
name: dup
nations:
  - {id: BLU, name: Blueland}
  - {id: BLU, name: Again}
assets:
  - {id: x, nation: BLU, value: 1, location: {lat_deg: 35, lon_deg: 128}}
sensors:
  radars:
    - {id: x, type: Green Pine, nation: BLU, site: {lat_deg: 36, lon_deg: 127}}
"""
    path = tmp_path / "dup.yaml"
    path.write_text(text)
    errors = _errors(path)
    assert [(p.line, p.col, p.path) for p in errors] == [
        (4, 10, "nations[1].id"),
        (9, 12, "sensors.radars[0].id"),
    ]
    assert "duplicate nation id 'BLU' (first defined at line 3)" in errors[0].message
    assert "duplicate unit id 'x' (first defined at line 6)" in errors[1].message


def test_organic_radar_default_id_collides_like_any_other() -> None:
    doc = make_doc()
    doc["sensors"]["radars"][0]["id"] = "pat.radar"
    doc["batteries"][1]["radar"] = "pat.radar"
    assert "duplicate unit id 'pat.radar'" in _only(doc).message


@pytest.mark.parametrize(
    ("field", "value", "bound"),
    [("lat_deg", -90.5, "greater than or equal to -90"), ("lon_deg", 180.01, "less than")],
)
def test_lat_lon_out_of_range(field: str, value: float, bound: str) -> None:
    doc = make_doc()
    doc["sensors"]["radars"][0]["site"][field] = value
    problem = _only(doc)
    assert problem.path == f"sensors.radars[0].site.{field}"
    assert bound in problem.message
    assert str(value) in problem.message


def test_unknown_nation_and_asset_ids() -> None:
    doc = make_doc()
    doc["sensors"]["satellites"][0]["nation"] = "BLUE"
    doc["threats"]["raid"][0]["aim_asset"] = "citty"
    errors = _errors(doc)
    assert [p.path for p in errors] == [
        "sensors.satellites[0].nation",
        "threats.raid[0].aim_asset",
    ]
    assert "did you mean 'BLU'?" in errors[0].message
    assert "did you mean 'city'?" in errors[1].message


def test_missing_nation_is_an_error() -> None:
    doc = make_doc()
    del doc["batteries"][0]["nation"]
    problem = _only(doc)
    assert problem.path == "batteries[0]"
    assert "missing required field 'nation'" in problem.message


def test_inline_definition_without_type_must_be_complete() -> None:
    doc = make_doc()
    del doc["sensors"]["radars"][0]["type"]
    problem = _only(doc)
    assert problem.path == "sensors.radars[0]"
    assert "missing: band, " in problem.message
    assert "r0_km" not in problem.message.split("missing:")[1].split(".")[0]


def test_battery_radar_reference_must_exist() -> None:
    doc = make_doc()
    doc["batteries"][1]["radar"] = "gpp"
    problem = _only(doc)
    assert problem.path == "batteries[1].radar"
    assert "did you mean 'gp'?" in problem.message


def test_salvo_needs_exactly_one_aim_and_shape_parameters() -> None:
    doc = make_doc()
    salvo = doc["threats"]["raid"][0]
    salvo["aim_point"] = {"lat_deg": 35, "lon_deg": 128}
    salvo["apogee_km"] = 100
    messages = sorted(p.message for p in _errors(doc))
    assert any("exactly one of `aim_asset`" in m for m in messages), messages
    assert any("`apogee_km` has no meaning for shape 'min_energy'" in m for m in messages)


def test_launch_area_kinds_and_box_order() -> None:
    doc = make_doc()
    areas = doc["threats"]["launch_areas"]
    areas[0]["box"] = copy.deepcopy(areas[1]["box"])
    areas[1]["box"]["lat_max_deg"] = 38.0
    errors = _errors(doc)
    assert "exactly one of `point`, `box`, `polygon` (got point, box)" in errors[0].message
    assert errors[1].path == "threats.launch_areas[1].box.lat_max_deg"


def test_reach_is_left_to_the_targeting_solve(catalog: Any) -> None:
    # The loader used to warn with a great-circle estimate; the real solve (flight/checks.py)
    # now refuses out-of-reach aims with the salvo's location (tests/flight/test_checks.py).
    doc = make_doc()
    doc["threats"]["raid"][0]["missile"] = "Scud-B"  # 300 km; box -> city is ~450 km
    assert load_scenario(doc, catalog=catalog).warnings == []


def test_min_range_warning() -> None:
    doc = make_doc()
    doc["threats"]["launch_areas"][1]["box"]["lat_min_deg"] = 33.0  # reaches back past the city
    doc["threats"]["raid"][0]["missile"] = "Scud-B"
    messages = [w.message for w in load_scenario(doc).warnings]
    assert any("below Scud-B's min_range_km" in m for m in messages), messages


def test_policy_checks() -> None:
    doc = make_doc(
        policies=[
            {"name": "integrated"},
            {
                "name": "mine",
                "links": [{"from": "BLU", "to": "BLU", "level": "track"}],
                "defends": {"GRN": ["BLUE"]},
            },
        ]
    )
    messages = [p.message for p in _errors(doc)]
    assert any("'integrated' is a built-in preset" in m for m in messages)
    assert any("two different nations" in m for m in messages)
    assert any("unknown nation 'BLUE'" in m for m in messages)


def test_phase_checks() -> None:
    doc = make_doc(
        base_phase="now",
        phases=[
            {"name": "now"},
            {"name": "later", "remove": ["gp", "gp"], "move": [{"id": "citty"}]},
            {"name": "add", "add": {"radars": [copy.deepcopy(BASE_DOC["sensors"]["radars"][0])]}},
        ],
    )
    messages = [p.message for p in _errors(doc)]
    assert any("duplicate phase name 'now'" in m for m in messages), messages
    assert any("unknown unit id 'gp'" in m for m in messages), messages  # second removal
    assert any("unknown unit id 'citty'" in m for m in messages), messages
    assert not any("already exists" in m for m in messages), messages  # gp was removed


def test_yaml_syntax_error_has_a_position(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("name: x\nnations:\n  - {id: BLU, name: Blue\n")
    problem = _only(path)
    assert problem.file == str(path)
    assert problem.line == 4
    assert problem.message.startswith("not valid YAML")


def test_duplicate_yaml_keys_are_errors() -> None:
    problem = _only("name: a\nname: b\nnations: []\n")
    assert "not valid YAML" in problem.message
    assert problem.line == 2


def test_yaml_tags_are_refused() -> None:
    problem = _only("name: !!python/object:os.system x\nnations: []\n")
    assert problem.line in (0, 1)


def test_custom_tags_are_refused_with_position() -> None:
    problem = _only("name: x\nnations:\n  - !nation {id: A, name: B}\n")
    assert "tag !nation is not supported" in problem.message
    assert problem.line == 3


def test_billion_laughs_is_stopped() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
    problem = _only("\n".join(lines) + "\n")
    assert "more than" in problem.message


def test_not_a_mapping_and_missing_file(tmp_path: Path) -> None:
    assert "a scenario is a mapping" in _only("- just\n- a list\n").message
    assert "file not found" in _only(tmp_path / "nope.yaml").message
    assert "file not found" in _only(str(tmp_path / "nope.yaml")).message
    assert "is a directory" in _only(tmp_path).message
    (tmp_path / "empty.yaml").write_text("")
    assert "empty document" in _only(tmp_path / "empty.yaml").message


def test_errors_are_sorted_by_position_and_counted() -> None:
    with pytest.raises(ScenarioError) as info:
        load_scenario(FIVE_ERRORS)
    positions = [(p.line, p.col) for p in info.value.problems]
    assert positions == sorted(positions)
    assert str(info.value.args[0]) == "<text>: 5 errors"


def test_nan_and_infinity_are_refused() -> None:
    text = (
        "name: x\nnations:\n - {id: A, name: B}\nassets:\n"
        " - {id: a, nation: A, value: .inf, location: {lat_deg: .nan, lon_deg: 1}}\n"
    )
    errors = _errors(text)
    assert [(p.line, p.col, p.path) for p in errors] == [
        (5, 30, "assets[0].value"),
        (5, 56, "assets[0].location.lat_deg"),
    ]
    assert all("finite number" in p.message for p in errors)


@pytest.mark.parametrize(
    ("epoch", "expected"),
    [
        ("2026-01-01", "2026-01-01T00:00:00Z"),  # an unquoted YAML date
        ('"2026-03-01T09:00:00+09:00"', "2026-03-01T00:00:00Z"),  # converted to UTC
    ],
)
def test_epoch_is_normalised_to_utc(epoch: str, expected: str) -> None:
    text = f"name: x\nsettings: {{epoch: {epoch}}}\nnations: [{{id: A, name: B}}]\n"
    assert load_scenario(text).settings.epoch == expected


def test_bad_epoch() -> None:
    problem = _only('name: x\nsettings: {epoch: "next tuesday"}\nnations: [{id: A, name: B}]\n')
    assert problem.path == "settings.epoch"
    assert "ISO 8601" in problem.message


def test_overrides_must_keep_bounds_ordered(catalog: Any) -> None:
    doc = make_doc(interceptors=[{"name": "odd", "type": "THAAD", "max_alt_km": 30}])
    doc["batteries"][0]["interceptor"] = "odd"
    doc["sensors"]["radars"][0]["min_el_deg"] = 85
    errors = _errors(doc)
    thaad_min = catalog.get("interceptor", "THAAD").value("min_alt_km")
    assert [p.path for p in errors] == [  # a dict has no positions: sorted by path
        "interceptors[0].max_alt_km",
        "sensors.radars[0].min_el_deg",
    ]
    assert f"min_alt_km ({thaad_min:g}) must be less than max_alt_km (30)" in errors[0].message


def test_json_files_load_with_positions(tmp_path: Path) -> None:
    import json

    doc = make_doc()
    doc["batteries"][0]["launchers"] = -1
    path = tmp_path / "s.json"
    path.write_text(json.dumps(doc, indent=1))
    problem = _only(path)
    assert problem.path == "batteries[0].launchers"
    line = path.read_text().splitlines()[problem.line - 1]
    assert line[problem.col - 1 :].startswith("-1")
    from_text = load_scenario(json.dumps(make_doc(), indent=1))
    assert from_text.model_dump() == load_scenario(make_doc()).model_dump()
    assert from_text.file == "<text>"


# -- YAML features (issue #15 item 1) -------------------------------------------------------

MERGED = """\
name: merged
nations: [{id: A, name: A}]
x-patriot: &patriot
  nation: A
  interceptor: PAC-3 MSE
  launchers: 4
  per_launcher: 12
x-site: &north
  site: {lat_deg: 38.0, lon_deg: 127.0}
batteries:
  - <<: *patriot
    id: b1
    site: {lat_deg: 37.0, lon_deg: 127.0}
  - <<: [*north, *patriot]
    id: b2
    launchers: 2
"""


def test_merge_keys_load_like_the_expanded_document() -> None:
    merged = load_scenario(MERGED)
    b1, b2 = merged.batteries
    assert (b1.launchers, b1.per_launcher, b1.site.lat_deg) == (4, 12, 37.0)
    assert (b2.launchers, b2.per_launcher, b2.site.lat_deg) == (2, 12, 38.0)
    expanded = load_scenario(
        {
            "name": "merged",
            "nations": [{"id": "A", "name": "A"}],
            "batteries": [b.model_dump() for b in merged.batteries],
        }
    )
    assert expanded.batteries == merged.batteries


def test_a_mistake_in_a_merged_value_points_at_the_anchor() -> None:
    """Regression: merged keys made `node.lc.key()` return None (TypeError, a traceback)."""
    text = MERGED.replace("  launchers: 4\n", "  launchers: 0\n")
    problem = _only(text)
    assert problem.path == "batteries[0].launchers"  # inherited by b1; b2 sets its own
    assert (problem.line, problem.col) == (6, 14)  # where the anchored mapping writes it
    text = MERGED.replace("site: {lat_deg: 38.0,", "site: {lat_deg: 98.0,")
    problem = _only(text)
    assert problem.path == "batteries[1].site.lat_deg"
    assert (problem.line, problem.col) == (9, 19)


@pytest.mark.parametrize(
    ("text", "where", "words"),
    [
        ("nations: !!omap\n  - A: 1\n", (2, 10), "!!omap is not supported here"),
        ("nations: !!set {A, B}\n", (2, 10), "!!set is not supported here"),
        ("nations: !!pairs [A: 1]\n", (2, 10), "!!pairs is not supported here"),
        ("nations: !!binary aGVsbG8=\n", (2, 10), "not supported here"),
        ("nations: !custom [1]\n", (2, 10), "tag !custom is not supported"),
    ],
)
def test_special_yaml_types_are_refused_where_they_are(
    text: str, where: tuple[int, int], words: str
) -> None:
    """Regression: !!omap raised TypeError/KeyError in source.py instead of a message."""
    problem = _only("name: t\n" + text)
    assert (problem.line, problem.col) == where
    assert words in problem.message
    assert problem.path == "nations"


def test_extension_keys_are_ignored() -> None:
    scenario = load_scenario(MERGED)
    assert scenario_hash(scenario) == scenario_hash(load_scenario(MERGED.replace("x-", "x-y-")))
    problem = _only(MERGED.replace("x-site:", "site:"))
    assert "unknown field 'site'" in problem.message
