"""Run records: named tables that agree with the simulation, the geometry and the catalog."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pyproj import Transformer

from shieldwall.earth.geodesy import geodesic_inverse
from shieldwall.io.record import RunFolderError
from shieldwall.io.run_folder import read_run, write_record
from shieldwall.scenario import load_scenario
from shieldwall.scenario.catalog import load_catalog
from tests.io.records import FLAGSHIP, compare_record, results, run_record, scenario

#: Intercepts happen at trajectory samples; the record interpolates the trajectory at the
#: intercept time, so the point is that sample to floating-point precision. [m]
POSITION_TOL_M = 1e-3
#: 1e-8 deg is about 1 mm on the ground, the POSITION_TOL_M scale (the engine converts the
#: intercept sample with our geodesy, the test with pyproj). [deg]
GEODETIC_TOL_DEG = 1e-8


@pytest.fixture(scope="module")
def flagship(tmp_path_factory: pytest.TempPathFactory) -> object:
    rec = run_record(FLAGSHIP, "integrated", 400)
    return read_run(write_record(rec, tmp_path_factory.mktemp("rec") / "flagship"))


def test_names_not_indices(flagship: object) -> None:
    run = flagship
    threats = run.table("threats")  # type: ignore[attr-defined]
    assert threats["threat"].tolist() == list(range(len(threats)))
    assert threats["threat_id"].is_unique
    assert set(threats["missile"]) <= set(run.table("missiles")["missile"])  # type: ignore[attr-defined]
    # every salvo id is the scenario's id or raid[i]
    raid = scenario(FLAGSHIP).threats.raid
    expected = {s.id or f"raid[{i}]" for i, s in enumerate(raid)}
    assert set(threats["salvo"]) == expected
    events = run.table("events")  # type: ignore[attr-defined]
    assert set(events["battery"]) <= set(run.table("batteries")["battery"])  # type: ignore[attr-defined]
    joined = events.merge(threats, on="threat", how="left", validate="many_to_one")
    assert joined["threat_id"].notna().all()


def test_trajectories_geodetic_matches_pyproj(flagship: object) -> None:
    tr = flagship.table("trajectories")  # type: ignore[attr-defined]
    sample = tr.iloc[:: max(1, len(tr) // 500)]
    to_geo = Transformer.from_crs("EPSG:4978", "EPSG:4979", always_xy=True)
    lon, lat, alt = to_geo.transform(
        sample["x_ecef_m"].to_numpy(), sample["y_ecef_m"].to_numpy(), sample["z_ecef_m"].to_numpy()
    )
    np.testing.assert_allclose(sample["lat_deg"], lat, atol=GEODETIC_TOL_DEG)
    np.testing.assert_allclose(sample["lon_deg"], lon, atol=GEODETIC_TOL_DEG)
    np.testing.assert_allclose(sample["alt_m"], alt, atol=1e-3)
    assert set(tr["phase"]) <= {"boost", "midcourse", "terminal"}
    # the last sample of every threat is its impact
    last = tr.groupby("threat")["t_s"].max()
    imp = flagship.table("threats").set_index("threat")["impact_t_s"]  # type: ignore[attr-defined]
    np.testing.assert_allclose(last.to_numpy(), imp.loc[last.index].to_numpy(), atol=1e-6)


def test_event_log_agrees_with_outcomes_and_is_admissible(flagship: object) -> None:
    run = flagship
    events = run.table("events")  # type: ignore[attr-defined]
    outcomes = run.table("threat_outcomes")  # type: ignore[attr-defined]
    assert len(events) > 0
    assert run["event_trials"] == 20
    per = events.groupby(["trial", "threat"]).agg(
        rounds_log=("rounds", "sum"), kills=("kill", "sum"), dead=("killed", "max")
    )
    merged = outcomes.set_index(["trial", "threat"]).join(per).fillna(0)
    np.testing.assert_array_equal(merged["rounds"], merged["rounds_log"])
    assert (merged["kills"] <= 1).all()
    # a threat that flies is killed iff a logged round killed it; one that fails in flight may
    # be hit after it broke up, which does not count as a kill (docs/battle.md §3.4)
    flyers = merged[merged["flew"]]
    np.testing.assert_array_equal(flyers["killed"], flyers["dead"].astype(bool))
    np.testing.assert_array_equal(flyers["killed"], flyers["kills"] == 1)
    assert (merged["killed"] <= merged["dead"].astype(bool)).all()
    # launch before intercept; order within the trial
    assert (events["launch_t_s"] < events["intercept_t_s"]).all()
    assert (
        events.groupby("trial")["engagement"].apply(lambda s: list(s) == list(range(len(s))))
    ).all()
    # the intercept point lies in the interceptor's altitude band and ground range
    bat = run.table("batteries").set_index("battery")  # type: ignore[attr-defined]
    itc = run.table("interceptors").set_index("interceptor")  # type: ignore[attr-defined]
    b = bat.loc[events["battery"]]
    it = itc.loc[b["interceptor"]]
    alt = events["intercept_alt_m"].to_numpy()
    assert (alt >= it["min_alt_m"].to_numpy() - 1.0).all()
    assert (alt <= it["max_alt_m"].to_numpy() + 1.0).all()
    ground, _, _ = geodesic_inverse(
        np.radians(b["lat_deg"].to_numpy()),
        np.radians(b["lon_deg"].to_numpy()),
        np.radians(events["intercept_lat_deg"].to_numpy()),
        np.radians(events["intercept_lon_deg"].to_numpy()),
    )
    # ground range of the flyout tables is measured on a sphere; 1% covers the ellipsoid
    assert (ground <= 1.01 * it["max_ground_range_m"].to_numpy()).all()


def test_intercept_point_is_the_trajectory_sample(flagship: object) -> None:
    res = results(FLAGSHIP, "integrated", 400)
    events = flagship.table("events")  # type: ignore[attr-defined]
    tr = res.trajectories
    for row in events.head(30).itertuples():
        k = np.flatnonzero(np.isclose(tr.t_s[row.threat], row.intercept_t_s, atol=1e-9))
        assert k.size == 1
        r = tr.r_ecef_m[row.threat, k[0]]
        to_geo = Transformer.from_crs("EPSG:4978", "EPSG:4979", always_xy=True)
        lon, lat, alt = to_geo.transform(*r)
        assert abs(lat - row.intercept_lat_deg) < GEODETIC_TOL_DEG
        assert abs(lon - row.intercept_lon_deg) < GEODETIC_TOL_DEG
        assert abs(alt - row.intercept_alt_m) < POSITION_TOL_M


def test_per_trial_tables_match_the_results(flagship: object) -> None:
    res = results(FLAGSHIP, "integrated", 400)
    trials = flagship.table("trials")  # type: ignore[attr-defined]
    np.testing.assert_array_equal(trials["leakers"], res.outcomes.leakers)
    np.testing.assert_array_equal(trials["interceptors_used"], res.outcomes.rounds)
    pd.testing.assert_frame_equal(
        trials.drop(columns="policy"), res.to_frame().astype(trials.drop(columns="policy").dtypes)
    )
    metrics = flagship.table("metrics").set_index("metric")  # type: ignore[attr-defined]
    assert metrics.loc["p_zero_leak", "value"] == pytest.approx(res.metrics.p_zero_leak)
    assert metrics.loc["expected_leakers", "value"] == pytest.approx(trials["leakers"].mean())
    survival = flagship.table("asset_outcomes")  # type: ignore[attr-defined]
    np.testing.assert_allclose(survival["p_survives"], res.metrics.p_asset_survives)


def test_detections_and_radar_tracks(flagship: object) -> None:
    det = flagship.table("detections")  # type: ignore[attr-defined]
    tracks = flagship.table("radar_tracks")  # type: ignore[attr-defined]
    threats = flagship.table("threats").set_index("threat")  # type: ignore[attr-defined]
    seen = det.dropna(subset=["first_detect_t_s"])
    assert len(seen) > 0
    launch = threats.loc[seen["threat"], "launch_t_s"].to_numpy()
    assert (seen["first_detect_t_s"].to_numpy() >= launch).all()
    assert seen["first_detect_sensor"].notna().all()
    assert (tracks["start_t_s"] <= tracks["end_t_s"]).all()
    assert set(tracks["radar"]) <= set(flagship.table("radars")["radar"])  # type: ignore[attr-defined]


def test_catalog_values_and_overrides_are_the_ones_used() -> None:
    rec = run_record()
    values = rec.table("catalog_values")
    cat = load_catalog()
    assert set(values["entry"]) == {"Scud-C", "PAC-3 MSE", "Green Pine", "AN/MPQ-65"}
    for row in values.itertuples():
        param = cat.get(row.kind, row.entry).params[row.key]
        assert row.source == param.source
        assert row.confidence == param.confidence
        if param.confidence == "assumption" and param.range is not None:
            assert (row.range_lo, row.range_hi) == param.range
    over = rec.table("overrides")
    r0 = over[(over["unit"] == "ew_radar") & (over["key"] == "r0_km")]
    assert r0["value"].tolist() == ["600.0"]
    assert r0["entry"].tolist() == ["Green Pine"]


def test_scenario_json_reloads_to_the_same_hash(tmp_path: Path) -> None:
    folder = write_record(run_record(), tmp_path / "r")
    run = read_run(folder)
    from shieldwall.scenario import compile_world

    again = compile_world(run.scenario())
    assert again.scenario_hash == run["scenario_hash"]
    assert (folder / "scenario.yaml").read_text() == Path(scenario().file).read_text()
    assert load_scenario(json.loads((folder / "scenario.json").read_text())).name == run["scenario"]


def test_compare_record_holds_every_policy_on_the_same_trials() -> None:
    rec = compare_record()
    assert rec.kind == "compare"
    assert rec.policies == ["national", "cueing", "shared_tracks", "integrated"]
    trials = rec.table("trials")
    assert trials.groupby("policy")["trial"].apply(list).map(len).eq(300).all()
    metrics = rec.table("metrics")
    d = metrics[metrics["metric"] == "d_p_zero_leak"].set_index("policy")["value"]
    base = metrics[(metrics["metric"] == "p_zero_leak")].set_index("policy")["value"]
    np.testing.assert_allclose(d.to_numpy(), (base - base["national"]).loc[d.index].to_numpy())
    assert (
        rec["metrics"]["integrated"]["d_p_zero_leak_ci"][0]
        <= rec["metrics"]["integrated"]["d_p_zero_leak"]
    )
    assert rec["baseline"] == "national"


def test_unknown_table_lists_the_tables() -> None:
    with pytest.raises(RunFolderError, match="tables: nations, assets"):
        run_record().table("threat")


def test_repr_is_one_short_line() -> None:
    res = results()
    assert "\n" not in repr(res)
    assert len(repr(res)) < 200
    assert "\n" not in repr(run_record())
    assert len(repr(run_record())) < 200
