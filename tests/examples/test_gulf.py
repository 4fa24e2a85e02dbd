"""The second theater (issue #14): every command runs on examples/gulf.yaml unchanged, a mistake
in any section is reported at its line with exit 2, and its contents are what the issue asks."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from shieldwall.cli.main import main
from shieldwall.scenario import compile_world, load_scenario

ROOT = Path(__file__).resolve().parents[2]
GULF = ROOT / "examples" / "gulf.yaml"
TEXT = GULF.read_text(encoding="utf-8")
#: A few trials keep the commands quick; the assertions below hold far outside their intervals.
TRIALS = "60"


def _json(capsys: pytest.CaptureFixture[str], *args: str) -> dict:  # type: ignore[type-arg]
    code = main([*args, "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    return json.loads(out)  # type: ignore[no-any-return]


def test_contents() -> None:
    s = load_scenario(GULF)
    assert s.warnings == []
    assert [n.id for n in s.nations] == ["SAU", "ARE", "QAT", "BHR", "KWT", "USA"]
    assert len(s.phase_names) >= 3
    worlds = [compile_world(s, k) for k in range(len(s.phase_names))]
    first, middle, last = worlds[0], worlds[1], worlds[-1]
    kinds = {a.kind for a in s.assets}
    assert {"city", "energy", "base"} <= kinds
    raid = set(first.missiles.name)
    assert {"Fateh-110", "Fateh-313", "Zolfaghar", "Qiam-1", "Shahab-3", "Emad"} <= raid
    assert {"srbm", "mrbm"} == set(first.missiles.threat_class)
    # before / after THAAD in the UAE and Saudi Arabia; the Qatar early-warning radar last
    thaad = [
        w.interceptors.name.index("THAAD") if "THAAD" in w.interceptors.name else -1 for w in worlds
    ]
    assert thaad[0] == -1
    nations_with_thaad = [
        {
            w.nations.id[int(n)]
            for n, i in zip(w.batteries.nation_idx, w.batteries.interceptor_idx, strict=True)
            if i == t
        }
        for w, t in zip(worlds, thaad, strict=True)
    ]
    assert nations_with_thaad[1] == {"ARE"}
    assert nations_with_thaad[2] == {"ARE", "SAU"}
    assert "AN/FPS-132" not in middle.radars.type
    assert "AN/FPS-132" in last.radars.type
    assert {"hizam_2001", "centcom_iamd", "gulf_shield_2025"} <= set(last.policies)
    # every battery's and radar's cost is priced from the catalog
    for w in worlds:
        assert (w.radars.unit_cost_usd > 0).all()
        assert (w.interceptors.round_cost_usd > 0).all()
        assert (w.missiles.unit_cost_usd > 0).all()


def test_policies_mean_what_they_say() -> None:
    w = compile_world(load_scenario(GULF))
    usa = w.nation_index("USA")
    national, iamd, shield = (
        w.policies[p] for p in ("national", "centcom_iamd", "gulf_shield_2025")
    )
    assert not national.defends[usa].sum() > 1
    assert iamd.defends[usa].all()  # US batteries and ships defend every partner
    assert iamd.defends.sum() == len(w.nations) + len(w.nations) - 1
    assert (iamd.share[usa] >= 2).all()  # US tracks to every partner
    assert shield.defends.all()
    assert (shield.share >= 2).all()
    hizam = w.policies["hizam_2001"]
    gcc = [w.nation_index(n) for n in ("SAU", "ARE", "QAT", "BHR", "KWT")]
    off = [(a, b) for a in gcc for b in gcc if a != b]
    assert all(hizam.share[a, b] == 1 and hizam.latency_s[a, b] == 120 for a, b in off)


def test_validate_detect_run_compare(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["validate", str(GULF)]) == 0
    capsys.readouterr()
    seen = _json(capsys, "detect", str(GULF), "--phase", "0")
    assert seen
    run = _json(capsys, "run", str(GULF), "-n", TRIALS, "--out", str(tmp_path / "run"))
    assert (tmp_path / "run").is_dir()
    assert run
    cmp = _json(
        capsys, "compare", str(GULF), "-n", TRIALS, "-p", "national,centcom_iamd,gulf_shield_2025"
    )
    rows = {row["name"]: row for row in cmp["policies"]}
    # Cooperation pays here: the shared-track shield has fewer leakers than each nation alone,
    # with the paired 95% interval entirely below zero.
    assert rows["gulf_shield_2025"]["d_expected_leakers_ci"][1] < 0.0
    assert rows["centcom_iamd"]["d_expected_leakers_ci"][1] < 0.0


#: (section, a line that exists in the file, its broken replacement, fragment of the message)
MISTAKES = [
    ("asset", "value: 90, radius_km: 4,", "value: -90, radius_km: 4,", "value"),
    ("radar", "type: AN/TPY-2 FBM", "type: AN/TPY-9", "unknown radar catalog name"),
    ("battery", "    interceptor: PAC-2 GEM-T\n", "    interceptor: PAC-9\n", "PAC-9"),
    (
        "launch area",
        "lat_min_deg: 26.90, lat_max_deg: 27.30",
        "lat_min_deg: 27.90, lat_max_deg: 27.30",
        "lat_min_deg",
    ),
    ("raid", "missile: Emad, count: 2", "missile: Emadd, count: 2", "did you mean"),
    (
        "policy",
        "{from: SAU, to: ARE, level: early_warning, latency_s: 120",
        "{from: SAU, to: UAE, level: early_warning, latency_s: 120",
        "UAE",
    ),
    (
        "phase",
        "remove: [us_patriot_bahrain, uae_patriot_dubai]",
        "remove: [us_patriot_bahrein, uae_patriot_dubai]",
        "us_patriot_bahrein",
    ),
]


@pytest.mark.parametrize(
    ("section", "good", "bad", "message"), MISTAKES, ids=[m[0] for m in MISTAKES]
)
def test_a_mistake_in_each_section_is_reported_at_its_line(
    section: str,
    good: str,
    bad: str,
    message: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert TEXT.count(good) >= 1, section
    broken = TEXT.replace(good, bad, 1)
    line = TEXT[: TEXT.index(good) + len(good) // 2].count("\n") + 1
    path = tmp_path / "gulf.yaml"
    path.write_text(broken, encoding="utf-8")
    code = main(["validate", str(path)])
    err = capsys.readouterr().err
    assert code == 2, err
    assert "Traceback" not in err
    assert re.search(rf"gulf\.yaml:{line}:\d+", err), (section, line, err)
    assert message in err, err
