"""``site``: greedy gains are paired contrasts, the exact MILP matches brute force on the
surrogate, orientation matters for a sector radar, the CLI and its bad input."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
import pytest

from shieldwall import api
from shieldwall.cli.main import main
from shieldwall.studies.additions import AdditionError
from shieldwall.studies.engine import Case, run_study
from shieldwall.studies.site import (
    Site,
    SiteStudy,
    grid_sites,
    parse_candidates,
    set_name,
    site,
    surrogate_of,
)

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
MINIMAL = EXAMPLES / "minimal.yaml"
TRIALS = 300
#: national: each battery fights with its own radar, so its orientation decides what it sees
#: (under integrated fire control another nation's radar may guide it: orientation matters less).
POLICY = "national"
METRIC = "expected_value_lost"

#: Sites around the minimal scenario's capital (35.0 N, 128.0 E; the raid comes from the north):
#: one at the capital facing the raid (350°) or away from it (170°), one 15 km north, one far.
SITES = [
    Site(id="capital", lat_deg=35.02, lon_deg=128.02, boresights_deg=(350.0, 170.0)),
    Site(id="north", lat_deg=35.15, lon_deg=128.0, boresights_deg=(350.0,)),
    Site(id="far", lat_deg=36.2, lon_deg=126.6, boresights_deg=(350.0,)),
]


@pytest.fixture(scope="module")
def scenario() -> api.Scenario:
    return api.load_scenario(MINIMAL)


@pytest.fixture(scope="module")
def study(scenario: api.Scenario) -> SiteStudy:
    # fewer rounds in the existing battery so one more unit matters at every step
    return site(
        scenario,
        "PAC-3 MSE",
        "BLU",
        SITES,
        k=2,
        exact=True,
        policy=POLICY,
        trials=TRIALS,
        seed=11,
        launchers=1,
        per_launcher=2,
        fire_channels=1,
        radar_type="AN/MPQ-65",
    )


def _id(site_id: str, bore: float) -> str:
    return f"new_{site_id}__{bore:g}deg"


def test_step_gains_are_paired_contrasts(study: SiteStudy) -> None:
    run = study.run
    chosen: list[str] = []
    for s, gains in enumerate(study.steps):
        before = run.per_trial(set_name(chosen), POLICY, METRIC)
        for cid, (g, lo, hi) in gains.items():
            after = run.per_trial(set_name([*chosen, cid]), POLICY, METRIC)
            d = before - after
            assert g == pytest.approx(float(d.mean()), abs=1e-12)
            assert lo <= g <= hi
            # the paired interval is no wider than the unpaired one (common random numbers)
            unpaired = 1.96 * np.sqrt((before.var(ddof=1) + after.var(ddof=1)) / d.size)
            assert (hi - lo) / 2 <= unpaired + 1e-9
        best = max(gains.values(), key=lambda e: e[0])[0]
        assert gains[study.chosen[s]][0] == best  # greedy keeps the largest gain
        chosen.append(study.chosen[s])


def test_gain_reproduced_by_a_fresh_two_case_study(
    scenario: api.Scenario, study: SiteStudy
) -> None:
    """Common random numbers: the same two worlds fought alone give the same per-trial series."""
    cid = study.chosen[0]
    base = study.run.case("baseline")
    one = study.run.case(set_name([cid]))
    fresh = run_study(
        [
            Case(name="a", world=base.world, policies=(POLICY,)),
            Case(name="b", world=one.world, policies=(POLICY,)),
        ],
        TRIALS,
        11,
    )
    d = fresh.difference(("a", POLICY), ("b", POLICY), METRIC)
    assert d == pytest.approx(study.steps[0][cid], abs=1e-12)


def test_orientation_matters_for_a_sector_radar(study: SiteStudy) -> None:
    g = study.steps[0]
    toward, away = g[_id("capital", 350)], g[_id("capital", 170)]
    assert away == (0.0, 0.0, 0.0)  # facing away, its radar never sees the raid
    assert toward[1] > 0.0  # facing the raid, it removes value lost (interval above 0)


def test_exact_matches_brute_force_on_the_surrogate(study: SiteStudy) -> None:
    ids = [c.id for c in study.candidates]
    sur = surrogate_of(study.run, "baseline", [set_name([c]) for c in ids], POLICY)
    best = min(sur.loss(list(sub)) for sub in itertools.combinations(range(len(ids)), 2))
    assert study.exact["surrogate_loss"] == pytest.approx(best, abs=1e-7)
    # the exact pick is simulated too, and the gap is the paired difference greedy − exact
    pick = set_name(study.exact["chosen"])
    g = study.run.per_trial(set_name(study.chosen), POLICY, METRIC)
    e = study.run.per_trial(pick, POLICY, METRIC)
    assert study.exact["gap"][0] == pytest.approx(float((g - e).mean()), abs=1e-12)
    assert study.exact["surrogate_greedy_ratio"] >= study.exact["greedy_bound"] - 1e-12


def test_surrogate_exact_at_single_sites(study: SiteStudy) -> None:
    """E[value lost] = Σ_a v_a P(hit_a): the surrogate reproduces every single-site case."""
    ids = [c.id for c in study.candidates]
    sur = surrogate_of(study.run, "baseline", [set_name([c]) for c in ids], POLICY)
    assert sur.loss([]) == pytest.approx(study.run.estimate("baseline", POLICY, METRIC)[0])
    for j, cid in enumerate(ids):
        sim = study.run.estimate(set_name([cid]), POLICY, METRIC)[0]
        assert sur.loss([j]) <= sim + 1e-9  # equal unless a hit probability rose (clipped)


def test_table_and_summary(study: SiteStudy) -> None:
    t = study.table
    for col in ("case", "policy", "baseline", "asset", "metric", "value", "lo", "hi", "step"):
        assert col in t.columns
    gains = t[t["metric"] == f"gain_{METRIC}"]
    assert len(gains) == sum(len(s) for s in study.steps)
    s = study.summary()
    json.dumps(s)
    assert s["chosen"] == list(study.chosen)
    assert s["cost_usd"] == pytest.approx(sum(study.costs[c][0] for c in study.chosen))
    assert all(t["source"] for st in s["steps"] for t in st["cost_terms"])


def test_candidates_parsing(tmp_path: Path) -> None:
    g = grid_sites(35.0, 128.0, 35.5, 128.5, 20.0)
    lat = np.array([s.lat_deg for s in g])
    assert lat.min() == 35.0
    assert lat.max() <= 35.5
    assert np.unique(np.round(lat, 6)).size == 3  # 0, 20, 40 km north (0.18° each)
    boxes = parse_candidates("box:37,130,38,131;36,132,37,134")
    assert [(b.lat_deg, b.lon_deg) for b in boxes] == [(37.5, 130.5), (36.5, 133.0)]
    sites = parse_candidates(EXAMPLES / "studies" / "sites_korea_japan.yaml")
    assert len(sites) == 8
    assert all(len(s.boresights_deg) == 1 for s in sites)
    bad = tmp_path / "bad.yaml"
    bad.write_text("sites:\n  - {id: x, lat_deg: 95, lon_deg: 0}\n")
    for spec in (
        "grid:35,128,34,129,10",
        "grid:35,128,36",
        "box:a,b,c,d",
        str(bad),
        str(tmp_path / "missing.yaml"),
        "grid:35,128,36,129,0.1",
    ):
        with pytest.raises(AdditionError):
            parse_candidates(spec)


def test_cli_site_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "site"
    argv = [
        "site",
        str(MINIMAL),
        "--add",
        "PAC-3 MSE",
        "--nation",
        "BLU",
        "--candidates",
        "box:35.0,127.9,35.1,128.1;35.3,127.9,35.4,128.1",
        "-k",
        "1",
        "-n",
        "100",
        "--executor",
        "serial",
        "--boresights",
        "350",
        "--json",
        "--out",
        str(out),
    ]
    assert main(argv) == 0
    doc = json.loads(capsys.readouterr().out)
    assert len(doc["chosen"]) == 1
    assert doc["steps"][0]["gain"][1] <= doc["steps"][0]["gain"][0] <= doc["steps"][0]["gain"][2]
    assert {"site.png", "results.parquet", "study.json"} <= {p.name for p in out.iterdir()}


@pytest.mark.parametrize(
    ("extra", "match"),
    [
        (
            ["--add", "PAC-9", "--nation", "BLU", "--candidates", "box:35,128,35.1,128.1"],
            "unknown unit type",
        ),
        (
            ["--add", "PAC-3 MSE", "--nation", "RED", "--candidates", "box:35,128,35.1,128.1"],
            "unknown nation",
        ),
        (["--add", "PAC-3 MSE", "--nation", "BLU", "--candidates", "grid:1,2,3"], "grid:"),
        (
            [
                "--add",
                "PAC-3 MSE",
                "--nation",
                "BLU",
                "--candidates",
                "box:35,128,35.1,128.1",
                "-k",
                "5",
            ],
            "k must be",
        ),
        (
            [
                "--add",
                "PAC-3 MSE",
                "--nation",
                "BLU",
                "--candidates",
                "box:35,128,35.1,128.1",
                "--metric",
                "expected_leakers",
                "--exact",
            ],
            "exact",
        ),
        (
            [
                "--add",
                "PAC-3 MSE",
                "--nation",
                "BLU",
                "--candidates",
                "box:35,128,35.1,128.1",
                "--metric",
                "nope",
            ],
            "unknown metric",
        ),
        (
            [
                "--add",
                "PAC-3 MSE",
                "--nation",
                "BLU",
                "--candidates",
                "box:35,128,35.1,128.1",
                "--policy",
                "nope",
            ],
            "unknown policy",
        ),
    ],
)
def test_cli_site_bad_input_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], extra: list[str], match: str
) -> None:
    argv = [
        "site",
        str(MINIMAL),
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
    assert match in err
    assert "Traceback" not in err
