"""``sweep`` and the overrides it applies: each override checked against the scenario written
by hand, a point equals simulating its hand-edited scenario, grid and Latin hypercube, CLI."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import numpy as np
import pytest
from ruamel.yaml import YAML

from shieldwall.cli.main import main
from shieldwall.pipeline import prepare, simulate_policies
from shieldwall.scenario import Scenario, World, compile_world, load_scenario
from shieldwall.scenario.catalog import load_catalog
from shieldwall.studies.overrides import OverrideError, overridden_world, parse_overrides
from shieldwall.studies.paired import paired_ci
from shieldwall.studies.sweep import sweep, sweep_points

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
MINIMAL = EXAMPLES / "minimal.yaml"


@cache
def _scenario() -> Scenario:
    return load_scenario(MINIMAL)


@cache
def _flagship() -> Scenario:
    return load_scenario(EXAMPLES / "korea_japan.yaml")


def _doc() -> dict:
    return YAML(typ="safe").load(MINIMAL.read_text())


def _world(s: Scenario, *keys: str) -> World:
    return overridden_world(s, parse_overrides(list(keys), compile_world(s)))[0]


def test_pk_scale_multiplies_the_catalog_pk_and_clips_at_one() -> None:
    s = _flagship()
    base = compile_world(s)
    cat = load_catalog()
    for f in (0.8, 3.0):
        w = _world(s, f"pk_scale={f}")
        for i, name in enumerate(w.interceptors.name):
            entry = cat.get("interceptor", name)
            want = [min(1.0, float(entry.value(k)) * f) for k in ("pk_srbm", "pk_mrbm", "pk_irbm")]
            np.testing.assert_allclose(w.interceptors.pk[i], want, rtol=1e-12)
        assert w.interceptors.name == base.interceptors.name


def test_raid_latency_inventory_reach_the_world() -> None:
    s = _flagship()
    base = compile_world(s)
    counts = [salvo.count for salvo in s.threats.raid]
    w = _world(s, "raid_scale=1.5")
    assert len(w.raid.missile_idx) == sum(max(1, round(c * 1.5)) for c in counts)
    w = _world(s, "latency_s=60")
    for p in w.policies.values():
        off = ~np.eye(len(w.nations.id), dtype=bool)
        assert np.all(p.latency_s[off] == 60.0)
    w = _world(s, "inventory_scale=0.5")
    written = {b.id: b.per_launcher for b in s.batteries}
    written |= {b.id: b.per_launcher for ph in s.phases for b in ph.add.batteries}
    per = np.array([written[i] for i in w.batteries.id])
    want = np.maximum(1, np.round(per * 0.5))
    ratio = w.batteries.inventory / base.batteries.inventory
    np.testing.assert_allclose(ratio, want / per)


def test_a_catalog_key_equals_writing_it_inline() -> None:
    doc = _doc()
    doc["batteries"][0]["interceptor"] = "pac"
    doc["interceptors"] = [{"name": "pac", "type": "PAC-3 MSE", "pk_srbm": 0.55}]
    by_hand = compile_world(load_scenario(doc))
    doc2 = _doc()
    doc2["batteries"][0]["interceptor"] = "pac"
    doc2["interceptors"] = [{"name": "pac", "type": "PAC-3 MSE"}]
    s2 = load_scenario(doc2)
    w = _world(s2, "interceptor.pac.pk_srbm=0.55")
    np.testing.assert_array_equal(w.interceptors.pk, by_hand.interceptors.pk)
    w = _world(_scenario(), "radar.Green Pine.r0_km=450")
    assert w.radars.r0_m[list(w.radars.id).index("ew_radar")] == 450e3


@pytest.mark.parametrize(
    ("text", "expect"),
    [
        ("nope=1", "unknown override key"),
        ("pk_scale=-1", "[0, 10]"),
        ("raid_scale=abc", "a number"),
        ("interceptor.THAAD.pk_srbm=0.5", "no interceptor 'THAAD'"),
        ("interceptor.PAC-3 MSE.pk_srbm=1.5", "[0, 1]"),
        ("interceptor.PAC-3 MSE.colour=1", "keys:"),
        ("salvo_size=99", "[1, 16]"),
        ("rounds_per_launcher=2.5", "integer"),
        ("pk_scale", "KEY=value"),
    ],
)
def test_bad_overrides_name_the_key(text: str, expect: str) -> None:
    with pytest.raises(OverrideError) as exc:
        parse_overrides([text], compile_world(_scenario()))
    assert expect in str(exc.value)
    assert text.partition("=")[0] in str(exc.value)


def test_a_sweep_point_equals_simulating_its_scenario_written_by_hand() -> None:
    res = sweep(_scenario(), {"pk_scale": [0.6, 1.0]}, policies=["national"], trials=600, seed=3)
    doc = _doc()
    cat = load_catalog().get("interceptor", "PAC-3 MSE")
    doc["interceptors"] = [
        {"name": "PAC-3 MSE", "type": "PAC-3 MSE"}
        | {k: float(cat.value(k)) * 0.6 for k in ("pk_srbm", "pk_mrbm", "pk_irbm")}
    ]
    w = compile_world(load_scenario(doc))
    direct = simulate_policies(w, ["national"], 600, 3, prepared=prepare(w))["national"]
    got = res.run.per_trial("pk_scale=0.6", "national", "leakers")
    np.testing.assert_array_equal(got, direct.outcomes.leakers)
    # a lower Pk leaks more: the paired interval of the difference is above zero
    lo_pk = res.run.per_trial("pk_scale=0.6", "national", "leakers")
    hi_pk = res.run.per_trial("pk_scale=1", "national", "leakers")
    d, lo, _hi = paired_ci(lo_pk, hi_pk)
    assert d > 0
    assert lo > 0
    t = res.table
    assert {"case", "pk_scale", "policy", "asset", "metric", "value", "lo", "hi"} <= set(t)
    row = t[(t.case == "pk_scale=0.6") & (t.metric == "expected_leakers")].iloc[0]
    assert row.value == pytest.approx(direct.outcomes.leakers.mean())


def test_grid_and_latin_hypercube() -> None:
    pts = sweep_points({"raid_scale": [1, 2]}, {"pk_scale": (0.5, 1.0, 3)})
    assert len(pts) == 6
    assert {(p["raid_scale"], p["pk_scale"]) for p in pts} == {
        (r, k) for r in (1, 2) for k in (0.5, 0.75, 1.0)
    }
    a = sweep_points({}, {"pk_scale": (0.5, 1.0, 0), "latency_s": (0, 60, 0)}, lhs=20, seed=7)
    b = sweep_points({}, {"pk_scale": (0.5, 1.0, 0), "latency_s": (0, 60, 0)}, lhs=20, seed=7)
    assert a == b
    # Latin hypercube: each of the 20 strata of each key holds exactly one point
    for key, (lo, hi) in {"pk_scale": (0.5, 1.0), "latency_s": (0.0, 60.0)}.items():
        strata = sorted(int((p[key] - lo) / (hi - lo) * 20) for p in a)
        assert strata == list(range(20))
    with pytest.raises(OverrideError, match="leaves the allowed"):
        sweep_points({}, {"pk_scale": (0.5, 20.0, 3)})


def test_cli_sweep_json_and_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "sw"
    argv = ["sweep", str(MINIMAL), "--range", "pk_scale=0.6:1:2", "-p", "national", "-n", "100",
            "--executor", "serial", "--out", str(out), "--json"]  # fmt: skip
    assert main(argv) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["keys"] == ["pk_scale"]
    assert [p["pk_scale"] for p in doc["points"]] == [0.6, 1.0]
    for p in doc["points"]:
        v, lo, hi = p["p_zero_leak"]
        assert lo <= v <= hi
    assert (out / "sweep.png").stat().st_size > 1000
    assert (out / "results.parquet").is_file()


@pytest.mark.parametrize(
    "args",
    [["--set", "nope=1"], ["--range", "pk_scale=1:0:3"], ["--set", "pk_scale=20"],
     ["--set", "pk_scale=1", "-p", "solo"], []],
)  # fmt: skip
def test_cli_bad_input_exits_2(
    args: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["sweep", str(MINIMAL), *args, "-n", "10", "--executor", "serial", "--out",
            str(tmp_path / "x")]  # fmt: skip
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert not (tmp_path / "x").exists()
