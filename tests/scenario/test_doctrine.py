"""Doctrine: one table of settings -> the Doctrine record, the scenario section and the CLI flags.

A value is refused with the same message wherever it is written (scenario file or flag), the
flags override the scenario, and the compiled doctrine reaches the simulation.
"""

from __future__ import annotations

import copy
import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

from shieldwall.cli._doctrine import DoctrineFlags
from shieldwall.cli.main import main
from shieldwall.errors import ScenarioError
from shieldwall.pipeline import simulate
from shieldwall.scenario import compile_world, load_scenario
from shieldwall.scenario.doctrine import SETTINGS, Doctrine, DoctrineError, Setting
from tests.scenario.conftest import make_doc

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _bad_values(s: Setting) -> list[Any]:
    if s.type is bool:
        return ["yes", 1]
    if s.choices:
        return ["nonsense", 3]
    out: list[Any] = [s.lo - 1, s.hi + 1, "2"]
    if s.type is int:
        out.append(1.5)
    else:
        out.append(float("nan"))
    return out


def _nested(name: str, value: Any) -> dict[str, Any]:
    parent, _, key = name.rpartition(".")
    return {parent: {key: value}} if parent else {key: value}


def test_the_record_and_the_table_agree() -> None:
    default = Doctrine()
    top = [f.name for f in dataclasses.fields(Doctrine)]
    assert top == list(dict.fromkeys(s.name.partition(".")[0] for s in SETTINGS))
    for s in SETTINGS:
        assert default.get(s.name) == s.default, s.name
    assert set(default.as_dict()) == {s.name for s in SETTINGS}
    assert len({s.flag for s in SETTINGS}) == len(SETTINGS)


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: s.name)
def test_every_bad_value_is_refused_with_one_message_everywhere(setting: Setting) -> None:
    for value in _bad_values(setting):
        with pytest.raises(DoctrineError) as record:
            Doctrine().with_overrides(**{setting.name: value})
        (problem,) = record.value.problems
        assert problem.path == setting.name
        assert setting.describe() in problem.message
        doc = make_doc(doctrine=_nested(setting.name, value))
        with pytest.raises(ScenarioError) as scenario:
            load_scenario(doc)
        (located,) = scenario.value.problems
        assert located.path == f"doctrine.{setting.name}"
        assert located.message == problem.message
        world = compile_world(load_scenario(make_doc()))
        with pytest.raises(DoctrineError) as flag:
            DoctrineFlags({setting.name: value}).apply(world)
        (on_flag,) = flag.value.problems
        assert on_flag.path == setting.flag
        assert on_flag.message == problem.message


def test_a_located_error_in_the_file() -> None:
    text = "name: d\nnations: [{id: A, name: A}]\ndoctrine:\n  planner: {solver: greedy}\n"
    with pytest.raises(ScenarioError) as info:
        load_scenario(text)
    (problem,) = info.value.problems
    assert (problem.line, problem.col) == (4, 21)
    assert problem.message == "must be one of heuristic, exact, doctrine, got 'greedy'"


def test_the_section_compiles_and_flags_override_it() -> None:
    doc = make_doc(
        doctrine={
            "mode": "salvo",
            "salvo_size": 3,
            "kill_assessment": {"kill_as_miss": 0.2},
            "planner": {"objective": "expected_leakers"},
            "ipp_margin_sigma": 1,
        }
    )
    world = compile_world(load_scenario(doc))
    d = world.doctrine
    assert (d.mode, d.salvo_size, d.max_rounds_per_pair) == ("salvo", 3, 2)
    assert d.kill_assessment.kill_as_miss == 0.2
    assert d.kill_assessment.miss_as_kill == 0.0
    assert d.planner.objective == "expected_leakers"
    assert d.planner.solver == "heuristic"
    assert isinstance(d.ipp_margin_sigma, float)
    over = DoctrineFlags({"salvo_size": 1, "planner.solver": "doctrine"}).apply(world).doctrine
    assert (over.salvo_size, over.planner.solver, over.mode) == (1, "doctrine", "salvo")
    assert compile_world(load_scenario(make_doc())).doctrine == Doctrine()


def test_with_overrides_names() -> None:
    d = Doctrine().with_overrides(planner_solver="exact", miss_as_kill=0.1, salvo_size=None)
    assert d.planner.solver == "exact"
    assert d.kill_assessment.miss_as_kill == 0.1
    assert d.salvo_size == 2
    with pytest.raises(DoctrineError, match="unknown doctrine setting"):
        Doctrine().with_overrides(salvos=3)


def test_the_doctrine_reaches_the_simulation() -> None:
    # The doctrine baseline fires a salvo of salvo_size at each threat it can engage: three
    # rounds per engagement use more interceptors than one (same random numbers).
    world = compile_world(load_scenario(EXAMPLES / "minimal.yaml"))
    used = {}
    for salvo in (1, 3):
        w = DoctrineFlags({"planner.solver": "doctrine", "salvo_size": salvo}).apply(world)
        result = simulate(w, "national", trials=200, seed=5)
        assert result.solver == "doctrine"
        used[salvo] = result.metrics.interceptors_used
    assert used[3] > 1.4 * used[1]


def test_run_and_compare_take_the_flags(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    minimal = str(EXAMPLES / "minimal.yaml")
    args = ["-n", "20", "--solver", "doctrine", "--salvo", "3", "--no-upper-tier-first"]
    assert main(["run", minimal, *args, "--out", str(tmp_path / "r"), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["doctrine"]["planner.solver"] == "doctrine"
    assert doc["doctrine"]["salvo_size"] == 3
    assert doc["doctrine"]["upper_tier_first"] is False
    assert main(["compare", minimal, *args, "-p", "national", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["solver"] == "doctrine"
    code = main(["run", minimal, "-n", "5", "--kill-as-miss", "1.5", "--out", str(tmp_path / "x")])
    captured = capsys.readouterr()
    assert code == 2
    assert "error: --kill-as-miss: must be a number in [0, 1], got 1.5" in captured.err
    assert "Traceback" not in captured.err
    assert not (tmp_path / "x").exists()


def test_the_scenario_doctrine_is_what_run_uses(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (EXAMPLES / "minimal.yaml").read_text()
    path = tmp_path / "d.yaml"
    path.write_text(text + "doctrine:\n  salvo_size: 4\n  planner: {solver: doctrine}\n")
    assert main(["run", str(path), "-n", "10", "--out", str(tmp_path / "r"), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert (doc["doctrine"]["salvo_size"], doc["doctrine"]["planner.solver"]) == (4, "doctrine")
    assert (
        main(["run", str(path), "-n", "10", "--salvo", "2", "--out", str(tmp_path / "s"), "--json"])
        == 0
    )
    assert json.loads(capsys.readouterr().out)["doctrine"]["salvo_size"] == 2


def test_the_docs_example_section_is_valid() -> None:
    text = (Path(__file__).resolve().parents[2] / "docs" / "scenario.md").read_text()
    start = text.index("```yaml\ndoctrine:\n") + len("```yaml\n")
    section = text[start : text.index("```", start)]
    scenario = load_scenario("name: d\nnations: [{id: A, name: A}]\n" + section)
    assert compile_world(scenario).doctrine == Doctrine()  # the example spells the defaults
    policies = text[text.index("policies:\n  - name: tisa_2014") :]
    policies = policies[: policies.index("```")]
    nations = "nations: [{id: KOR, name: K}, {id: JPN, name: J}, {id: USA, name: U}]\n"
    world = compile_world(load_scenario("name: p\n" + nations + policies))
    assert world.policies["us_shield_only"].defends[2].tolist() == [True, True, False]
    assert copy.deepcopy(world.policies["national_plus_ifc"].ifc).all()
