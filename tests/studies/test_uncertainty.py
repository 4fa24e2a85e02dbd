"""``uncertainty``: inputs from catalog ranges, the variance decomposition on inputs that cannot
matter (exactly zero), the tornado's sign and its equality with a direct sweep, CLI."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import numpy as np
import pytest

from shieldwall.cli.main import main
from shieldwall.scenario import Scenario, compile_world, load_scenario
from shieldwall.scenario.catalog import load_catalog
from shieldwall.studies.overrides import OverrideError
from shieldwall.studies.sweep import sweep
from shieldwall.studies.uncertainty import catalog_inputs, uncertainty

MINIMAL = Path(__file__).resolve().parents[2] / "examples" / "minimal.yaml"
PK = "interceptor.PAC-3 MSE.pk_srbm"


@cache
def _scenario() -> Scenario:
    return load_scenario(MINIMAL)


def test_catalog_inputs_are_the_catalog_ranges() -> None:
    ins = catalog_inputs(compile_world(_scenario()), ["pk_srbm", "reliability"])
    cat = load_catalog()
    assert ins[PK] == tuple(cat.get("interceptor", "PAC-3 MSE").params["pk_srbm"].range)
    assert "missile.Scud-C.reliability" in ins
    with pytest.raises(OverrideError, match="unknown catalog key"):
        catalog_inputs(compile_world(_scenario()), ["colour"])


def test_an_input_that_cannot_matter_has_no_input_variance() -> None:
    # minimal.yaml's raid is all SRBM: the IRBM Pk never enters a kill
    res = uncertainty(_scenario(), {"interceptor.PAC-3 MSE.pk_irbm": (0.2, 0.9)}, samples=6,
                      policies=["national"], trials=200, seed=2)  # fmt: skip
    for r in res.spread():
        assert r["var_total"] == 0.0
        assert r["sd_inputs"] == 0.0
        assert r["p05"] == r["p95"] == r["nominal"][0]
    for r in res.tornado():
        assert r["swing"] == [0.0, 0.0, 0.0]


def test_pk_range_spreads_and_its_tornado_equals_a_sweep() -> None:
    lo, hi = 0.5, 0.95
    res = uncertainty(_scenario(), {PK: (lo, hi)}, samples=8, policies=["national"],
                      trials=400, seed=5)  # fmt: skip
    # the samples are a Latin hypercube of the range: one per eighth
    vals = sorted(c.world.interceptors.pk[0, 0] for c in res.run.cases if c.name.startswith("s"))
    assert [int((v - lo) / (hi - lo) * 8) for v in vals] == list(range(8))
    spread = {r["metric"]: r for r in res.spread()}
    z = spread["p_zero_leak"]
    assert z["sd_inputs"] > 2 * z["sd_sampling"]
    assert z["p05"] < z["nominal"][0] < z["p95"]
    torn = {r["metric"]: r for r in res.tornado()}
    _, s_lo, _ = torn["p_zero_leak"]["swing"]
    assert s_lo > 0  # a higher Pk: more raids without a leaker (paired interval above 0)
    direct = sweep(_scenario(), {PK: [lo, hi]}, policies=["national"], trials=400, seed=5)
    for end, v in (("low", lo), ("high", hi)):
        np.testing.assert_array_equal(
            res.run.per_trial(f"{PK}={end}", "national", "leakers"),
            direct.run.per_trial(f"{PK}={v:g}", "national", "leakers"),
        )
    t = res.table
    assert {"inputs", "tornado", "nominal"} <= set(t["case"])
    assert "p_zero_leak:swing" in set(t["metric"])


def test_cli_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = str(tmp_path / "u")
    argv = ["uncertainty", str(MINIMAL), "--inputs", "pk_scale=0.7:1.1", "-m", "4", "-n", "100",
            "-p", "national", "--executor", "serial", "--out", out, "--json"]  # fmt: skip
    assert main(argv) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["inputs"] == {"pk_scale": [0.7, 1.1]}
    assert {r["metric"] for r in doc["spread"]} == {"p_zero_leak", "expected_leakers"}
    assert (tmp_path / "u" / "tornado.png").is_file()


@pytest.mark.parametrize(
    "args",
    [["--inputs", "nope=0:1"], ["--inputs", "pk_scale=0:20"], ["--inputs", "pk_scale=1"],
     ["--samples", "1"], ["--catalog-keys", "colour"], ["-p", "solo"]],
)  # fmt: skip
def test_cli_bad_input_exits_2(
    args: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["uncertainty", str(MINIMAL), *args, "-n", "10", "--executor", "serial", "--out",
            str(tmp_path / "x")]  # fmt: skip
    assert main(argv) == 2
    assert "Traceback" not in capsys.readouterr().err
    assert not (tmp_path / "x").exists()
