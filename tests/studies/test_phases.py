"""``phases``: one case per phase, what each phase bought as paired differences."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from shieldwall.cli.main import main
from shieldwall.errors import ScenarioError
from shieldwall.pipeline import SimulationError
from shieldwall.scenario import load_scenario
from shieldwall.studies.phases import PhaseStudy, phases

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
MINIMAL = EXAMPLES / "minimal.yaml"
FLAGSHIP = EXAMPLES / "korea_japan.yaml"


@pytest.fixture(scope="module")
def study() -> PhaseStudy:
    return phases(load_scenario(FLAGSHIP), trials=100, seed=5, executor="serial",
                  baseline_phase=0)  # fmt: skip


def test_cases_are_the_phases(study: PhaseStudy) -> None:
    sc = load_scenario(FLAGSHIP)
    assert study.phases == tuple(sc.phase_names)
    assert [c.labels["phase_index"] for c in study.run.cases] == list(range(len(sc.phase_names)))
    for c in study.run.cases:
        assert c.policies == ("national", "integrated")
        assert c.world.phase == c.labels["phase"]


def test_bought_is_the_paired_mean(study: PhaseStudy) -> None:
    run, names = study.run, study.phases
    for k in range(1, len(names)):
        for pol in ("national", "integrated"):
            now = run.per_trial(f"phase {names[k]}", pol, "leakers")
            prev = run.per_trial(f"phase {names[k - 1]}", pol, "leakers")
            first = run.per_trial(f"phase {names[0]}", pol, "leakers")
            v, lo, hi = study.bought(k, pol, "expected_leakers", "previous")
            d = now - prev
            assert v == pytest.approx(d.mean())
            half = 1.959963984540054 * d.std(ddof=1) / np.sqrt(d.size)
            assert (lo, hi) == pytest.approx((d.mean() - half, d.mean() + half))
            vb = study.bought(k, pol, "expected_leakers", "baseline")[0]
            assert vb == pytest.approx((now - first).mean())
    # the first phase is the baseline: it has no differences
    with pytest.raises(SimulationError):
        study.bought(0, "national", "expected_leakers", "previous")


def test_per_asset_differences(study: PhaseStudy) -> None:
    t = study.table
    d = t[(t["metric"] == "d_p_survives") & (t["vs"] == "previous")]
    assert not d.empty
    run, names = study.run, study.phases
    row = d.iloc[0]
    k = int(row["phase_index"])
    now_w = run.case(f"phase {names[k]}").world
    prev_w = run.case(f"phase {names[k - 1]}").world
    a, b = now_w.assets.id.index(row["asset"]), prev_w.assets.id.index(row["asset"])
    now = run.asset_survives(f"phase {names[k]}", row["policy"])[:, a]
    prev = run.asset_survives(f"phase {names[k - 1]}", row["policy"])[:, b]
    assert row["value"] == pytest.approx(now.mean() - prev.mean())
    assert row["lo"] <= row["value"] <= row["hi"]
    summary = study.summary()
    assert summary["baseline_phase"] == names[0]
    assert len(summary["rows"]) == 2 * len(names)
    json.dumps(summary)


def test_bad_baseline_phase_and_policy() -> None:
    sc = load_scenario(MINIMAL)
    with pytest.raises(ScenarioError, match="phases are"):
        phases(sc, trials=10, baseline_phase="1999")
    with pytest.raises(SimulationError, match="valid policies"):
        phases(sc, ["solo"], trials=10)


def test_cli_json_and_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "p"
    argv = ["phases", str(MINIMAL), "-n", "100", "--executor", "serial", "--out", str(out),
            "--json"]  # fmt: skip
    assert main(argv) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["phases"] == ["base"]
    assert {r["policy"] for r in doc["rows"]} == {"national", "integrated"}
    assert (out / "phases.png").stat().st_size > 0
    assert (out / "results.parquet").is_file()


def test_cli_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["phases", str(MINIMAL), "-n", "50", "--executor", "serial", "-p", "integrated",
            "--out", str(tmp_path / "t")]  # fmt: skip
    assert main(argv) == 0
    assert "expected leakers" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("extra", "expect"),
    [(["-p", "national,solo"], "valid policies"), (["--baseline-phase", "zz"], "phases are")],
)
def test_cli_bad_input_exits_2(
    tmp_path: Path, extra: list[str], expect: str, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["phases", str(MINIMAL), "-n", "10", "--out", str(tmp_path / "x"), *extra]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert expect in err
    assert "Traceback" not in err


def test_a_study_folder_is_indexed_and_reported(tmp_path: Path) -> None:
    # a real study folder (not a hand-made one): the run index lists it, the report draws it
    from shieldwall.io.index import list_runs
    from shieldwall.io.run_folder import read_folder
    from shieldwall.report.html import report_html

    runs = tmp_path / "runs"
    argv = ["phases", str(FLAGSHIP), "-n", "50", "--executor", "serial",
            "--out", str(runs / "phases"), "--json"]  # fmt: skip
    assert main(argv) == 0
    listed = list_runs(runs)
    assert listed["kind"].tolist() == ["study"]
    html = report_html(read_folder(runs / "phases"))
    assert "Study: phases" in html
    assert html.count("<img") >= 1
    assert "http://" not in html
    assert "https://" not in html
