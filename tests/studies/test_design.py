"""``design``: picks match brute force on the surrogate, budgets are respected, every pick is
simulated, alone vs together is a paired difference; the CLI and its bad input."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
import pytest

from shieldwall import api
from shieldwall.cli.main import main
from shieldwall.studies.additions import AdditionError
from shieldwall.studies.design import DesignStudy, design, parse_budgets, read_menu
from shieldwall.studies.site import set_name, surrogate_of

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
MINIMAL = EXAMPLES / "minimal.yaml"
POLICY = "national"
METRIC = "expected_value_lost"
BUDGET = 1.3e9  # USD: two small batteries, or one and rounds, not everything

MENU = """
sites:
  - {id: east, lat_deg: 35.02, lon_deg: 128.05}
  - {id: north, lat_deg: 35.12, lon_deg: 128.0}
items:
  - {id: pac3, add: battery, type: PAC-3 MSE, nation: BLU, at: [east, north],
     launchers: 1, per_launcher: 2, fire_channels: 1, radar_type: AN/MPQ-65}
  - {id: rounds, add: rounds, battery: patriot_1, rounds_per_launcher: 2}
  - {id: away, add: battery, type: PAC-3 MSE, nation: BLU, lat_deg: 35.0, lon_deg: 128.0,
     boresight_az_deg: 170, launchers: 1, per_launcher: 2, fire_channels: 1,
     radar_type: AN/MPQ-65}
"""


@pytest.fixture(scope="module")
def menu_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    p = tmp_path_factory.mktemp("menu") / "menu.yaml"
    p.write_text(MENU)
    return p


@pytest.fixture(scope="module")
def scenario() -> api.Scenario:
    return api.load_scenario(MINIMAL)


@pytest.fixture(scope="module")
def study(scenario: api.Scenario, menu_file: Path) -> DesignStudy:
    return design(
        scenario,
        menu_file,
        {"BLU": BUDGET},
        pooled=True,
        levels=(0.5, 1.0),
        policy=POLICY,
        trials=300,
        seed=4,
    )


def test_menu_items_and_costs(study: DesignStudy) -> None:
    assert [a.id for a in study.items] == ["pac3@east", "pac3@north", "rounds", "away"]
    assert study.items[0].boresight_az_deg == pytest.approx(
        study.items[1].boresight_az_deg, abs=30
    )  # default boresight: toward the raid (north)
    for a in study.items:
        assert np.isfinite(study.costs[a.id][0])
        assert study.costs[a.id][0] > 0


def test_budgets_respected(study: DesignStudy) -> None:
    for d in study.designs:
        assert d.spent_usd <= d.level * BUDGET + 1e-6
        assert d.spent_usd == pytest.approx(sum(study.costs[i][0] for i in d.items))


def test_picks_match_brute_force_on_the_surrogate(study: DesignStudy) -> None:
    ids = [a.id for a in study.items]
    sur = surrogate_of(study.run, "baseline", [set_name([i]) for i in ids], POLICY)
    cost = np.array([study.costs[i][0] for i in ids])
    for d in study.designs:
        if d.mode == "alone":
            continue  # one nation: the same problem as coordinated (checked below)
        feasible = [
            sub
            for size in range(len(ids) + 1)
            for sub in itertools.combinations(range(len(ids)), size)
            if cost[list(sub)].sum() <= d.level * BUDGET
        ]
        best = min(sur.loss(list(sub)) for sub in feasible)
        assert d.surrogate == pytest.approx(best, abs=1e-7)
    one = {d.level: d.surrogate for d in study.designs if d.mode == "coordinated"}
    for d in study.designs:
        if d.mode == "alone":
            assert d.surrogate == pytest.approx(one[d.level], abs=1e-7)


def test_every_pick_simulated_and_front(study: DesignStudy) -> None:
    for d in study.designs:
        name = set_name(d.items)
        assert study.estimate(d) == study.run.estimate(name, POLICY, METRIC)
    front = study.pareto()
    assert front
    pts = [(d.spent_usd, study.estimate(d)[0]) for d in study.designs]
    for d in front:  # nothing strictly better on both axes
        c, v = d.spent_usd, study.estimate(d)[0]
        assert not any(c2 <= c and v2 < v for c2, v2 in pts)
    # alone − coordinated is a paired difference of the two full-budget designs
    full = {d.mode: set_name(d.items) for d in study.designs if d.level == 1.0}
    a = study.run.per_trial(full["alone"], POLICY, METRIC)
    b = study.run.per_trial(full["coordinated"], POLICY, METRIC)
    assert study.comparisons["alone_minus_coordinated"][0] == pytest.approx(float((a - b).mean()))


def test_table_and_summary(study: DesignStudy) -> None:
    t = study.table
    rows = t[t["metric"] == f"design_{METRIC}"]
    assert len(rows) == len(study.designs)
    s = study.summary()
    json.dumps(s)
    assert {d["design"] for d in s["designs"]} == {d.name for d in study.designs}
    assert all(t["source"] for it in s["items"] for t in it["cost_terms"])


TWO_NATIONS = """
name: two nations
settings: {trials: 200, seed: 2}
nations: [{id: BLU, name: Blueland}, {id: GRN, name: Greenland}]
assets:
  - {id: capital, nation: BLU, location: {lat_deg: 35.0, lon_deg: 128.0}, value: 100, radius_km: 10}
  - {id: port, nation: GRN, location: {lat_deg: 35.0, lon_deg: 128.8}, value: 60, radius_km: 10}
sensors:
  radars:
    - {id: ew, type: Green Pine, nation: BLU, site: {lat_deg: 35.2, lon_deg: 128.4, alt_m: 200},
       boresight_az_deg: 0, r0_km: 600}
batteries:
  - {id: blu_1, nation: BLU, interceptor: PAC-3 MSE, launchers: 1, per_launcher: 2,
     fire_channels: 1, site: {lat_deg: 35.02, lon_deg: 128.02},
     organic_radar: {type: AN/MPQ-65, boresight_az_deg: 0}}
threats:
  launch_areas:
    - {id: north,
       box: {lat_min_deg: 38.5, lat_max_deg: 39.0, lon_min_deg: 127.5, lon_max_deg: 128.0}}
  raid:
    - {missile: Scud-C, count: 3, launch_t_s: 0, interval_s: 5, launch_area: north,
       aim_asset: capital}
    - {missile: Scud-C, count: 3, launch_t_s: 20, interval_s: 5, launch_area: north,
       aim_asset: port}
"""

TWO_MENU = """
items:
  - {id: blu_home, add: battery, type: PAC-3 MSE, nation: BLU, lat_deg: 35.03, lon_deg: 128.0}
  - {id: blu_port, add: battery, type: PAC-3 MSE, nation: BLU, lat_deg: 35.03, lon_deg: 128.8}
  - {id: grn_port, add: battery, type: PAC-3 MSE, nation: GRN, lat_deg: 35.02, lon_deg: 128.82}
  - {id: blu_rounds, add: rounds, battery: blu_1, rounds_per_launcher: 2}
"""


def test_alone_is_each_nation_for_its_own_assets(tmp_path: Path) -> None:
    """``alone``: each nation's best buy for its own assets among its own items (brute force on
    the surrogate per nation); ``coordinated``: the best for all assets within the budgets."""
    src = tmp_path / "two.yaml"
    src.write_text(TWO_NATIONS)
    menu = tmp_path / "menu.yaml"
    menu.write_text(TWO_MENU)
    sc = api.load_scenario(src)
    budgets = {"BLU": 700e6, "GRN": 700e6}  # one battery each (a battery: 424 M$)
    st = design(sc, menu, budgets, levels=(1.0,), policy=POLICY, trials=200, seed=2)
    ids = [a.id for a in st.items]
    sur = surrogate_of(st.run, "baseline", [set_name([i]) for i in ids], POLICY)
    cost = np.array([st.costs[i][0] for i in ids])
    owner = [a.nation for a in st.items]
    world = st.run.case("baseline").world
    asset_nation = np.array([world.nations.id[int(k)] for k in world.assets.nation_idx])
    alone: list[str] = []
    for nation, budget in budgets.items():
        mine = [j for j in range(len(ids)) if owner[j] == nation]
        subs = [
            sub
            for size in range(len(mine) + 1)
            for sub in itertools.combinations(mine, size)
            if cost[list(sub)].sum() <= budget
        ]
        best = min(subs, key=lambda sub: sur.loss(list(sub), asset_nation == nation))
        alone += [ids[j] for j in best]
    got = next(d for d in st.designs if d.mode == "alone")
    assert set(got.items) == set(alone)
    coord = next(d for d in st.designs if d.mode == "coordinated")
    feasible = [
        sub
        for size in range(len(ids) + 1)
        for sub in itertools.combinations(range(len(ids)), size)
        if all(cost[[j for j in sub if owner[j] == n]].sum() <= b for n, b in budgets.items())
    ]
    assert coord.surrogate == pytest.approx(min(sur.loss(list(s)) for s in feasible), abs=1e-7)
    assert coord.surrogate <= got.surrogate + 1e-9  # coordinating never does worse (surrogate)
    for n, b in budgets.items():
        assert got.spent_by_nation[n] <= b
        assert coord.spent_by_nation[n] <= b


def test_parse_budgets() -> None:
    assert parse_budgets(["KOR=1B", "JPN=2500M", "USA=3e8"], ["KOR", "JPN", "USA"]) == {
        "KOR": 1e9,
        "JPN": 2.5e9,
        "USA": 3e8,
    }


@pytest.mark.parametrize(
    ("values", "match"),
    [
        (["KOR"], "NATION=AMOUNT"),
        (["XX=1B"], "unknown nation"),
        (["KOR=-1"], ">= 0"),
        (["KOR=1B", "KOR=2B"], "twice"),
        (["KOR=lots"], ">= 0"),
        ([], "at least one"),
    ],
)
def test_bad_budgets(values: list[str], match: str) -> None:
    with pytest.raises(AdditionError, match=match):
        parse_budgets(values, ["KOR", "JPN"])


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("items: []", "non-empty"),
        ("items:\n  - {id: a, add: tank, type: PAC-3 MSE}", "battery, radar or rounds"),
        (
            "items:\n  - {id: a, add: rounds, battery: nope, rounds_per_launcher: 1}",
            "unknown battery",
        ),
        (
            "items:\n  - {id: a, add: battery, type: AN/MPQ-65, nation: BLU, lat_deg: 35, "
            "lon_deg: 128}",
            "not a battery",
        ),
        (
            "items:\n  - {id: a, add: battery, type: PAC-3 MSE, nation: BLU, at: [x]}",
            "unknown site",
        ),
        (
            "items:\n  - {id: a, add: battery, type: PAC-3 MSE, nation: BLU, colour: red}",
            "unknown key",
        ),
        ("items:\n  - {id: a, add: battery, type: PAC-3 MSE, nation: BLU}", "missing"),
        ("items: [", "YAML"),
    ],
)
def test_bad_menus(tmp_path: Path, scenario: api.Scenario, text: str, match: str) -> None:
    p = tmp_path / "m.yaml"
    p.write_text(text)
    with pytest.raises(AdditionError, match=match):
        read_menu(p, scenario)


def test_cli_design_json(
    tmp_path: Path, menu_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "design"
    argv = [
        "design",
        str(MINIMAL),
        "--budget",
        "BLU=700M",
        "--menu",
        str(menu_file),
        "--levels",
        "1",
        "--policy",
        POLICY,
        "-n",
        "100",
        "--executor",
        "serial",
        "--json",
        "--out",
        str(out),
    ]
    assert main(argv) == 0
    doc = json.loads(capsys.readouterr().out)
    assert all(d["spent_usd"] <= 700e6 for d in doc["designs"])
    assert {"pareto.png", "results.parquet", "study.json"} <= {p.name for p in out.iterdir()}


@pytest.mark.parametrize(
    "extra",
    [
        ["--budget", "RED=1B"],
        ["--budget", "BLU=1B", "--levels", "2"],
        ["--budget", "BLU=1B", "--levels", "x"],
    ],
)
def test_cli_design_bad_input_exits_2(
    tmp_path: Path, menu_file: Path, capsys: pytest.CaptureFixture[str], extra: list[str]
) -> None:
    argv = [
        "design",
        str(MINIMAL),
        "--menu",
        str(menu_file),
        *extra,
        "-n",
        "10",
        "--executor",
        "serial",
        "--out",
        str(tmp_path / "x"),
    ]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert "error" in err
