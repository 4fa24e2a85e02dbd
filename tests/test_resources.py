"""The resource guard: estimates before any work, refusals that say what fits, ``--force``.

Regression for issue #15 item 4: ``--trials 1000000000000`` was a MemoryError, ``--trials
100000000`` a MemoryError after 69 s. The estimate must stay an upper bound of the measured
peak (tracemalloc) on the pipeline as it is, and not a wild one: when a stage's layout changes,
this test says so and ``tools/calibrate_resources.py`` gives the new coefficients.
"""

from __future__ import annotations

import copy
import json
import resource
import time
import tracemalloc
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from ruamel.yaml import YAML

from shieldwall import api
from shieldwall.cli.main import main
from shieldwall.resources import (
    MAX_TIME_S,
    ResourceError,
    available_memory_bytes,
    check_resources,
    estimate_resources,
)

ROOT = Path(__file__).resolve().parents[1]
MINIMAL = ROOT / "examples" / "minimal.yaml"
FLAGSHIP = ROOT / "examples" / "korea_japan.yaml"
_YAML = YAML(typ="safe", pure=True)

#: The estimate may exceed the measured peak by at most this factor (it is ~1.5-2 today).
LOOSEST = 3.0


def _minimal(count: int, **raid: Any) -> dict[str, Any]:
    doc: dict[str, Any] = _YAML.load(MINIMAL.read_text())
    doc["threats"]["raid"][0].update(count=count, interval_s=0.5, **raid)
    return doc


def _world(doc: dict[str, Any]) -> api.World:
    return api.compile_world(api.load_scenario(copy.deepcopy(doc)))


@pytest.mark.parametrize(
    ("count", "trials"), [(120, 20), (3, 100_000)], ids=["threat-bound", "trial-bound"]
)
def test_estimate_bounds_the_measured_peak(count: int, trials: int) -> None:
    world = _world(_minimal(count))
    est = estimate_resources(world, trials)
    api.simulate(world, trials=20)  # warm: caches of flyout tables and aiming calibration
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        api.simulate(world, trials=trials)
        peak = tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()
    assert peak <= est.memory_bytes <= LOOSEST * peak + 40e6, (peak, est.memory_bytes)


@pytest.mark.parametrize(
    ("missile", "raid"),
    [
        ("Scud-C", {}),
        ("Scud-C", {"shape": "depressed", "apogee_km": 60}),
        ("Hwasong-12", {}),
        ("Hwasong-12", {"shape": "lofted", "apogee_km": 1500}),
    ],
    ids=["min_energy", "depressed", "irbm", "lofted"],
)
def test_predicted_samples_bound_the_flown_ones(missile: str, raid: dict[str, Any]) -> None:
    doc = _minimal(2, missile=missile, **raid)
    if missile != "Scud-C":  # a longer shot
        doc["assets"][0]["location"] = {"lat_deg": 30.0, "lon_deg": 145.0}
    world = _world(doc)
    flown = api.fly_raid(world).t_s.shape[1]
    est = estimate_resources(world, 1).samples
    assert flown <= est <= 1.3 * flown, (flown, est)


def test_refusal_says_how_many_trials_fit() -> None:
    world = _world(_minimal(3))
    est = estimate_resources(world, 1000)
    allowed = est.fixed_bytes + 500 * est.per_trial_bytes
    with pytest.raises(ResourceError, match="at most 500 trials fit") as info:
        check_resources(world, 1000, memory_bytes=allowed)
    assert info.value.problems[0].path == "trials"
    assert "--force" in str(info.value)
    assert check_resources(world, 1000, memory_bytes=allowed, force=True).trials == 1000
    with pytest.raises(ResourceError, match="smaller raid"):
        check_resources(world, 1, memory_bytes=est.fixed_bytes / 2)


def test_refusal_on_time() -> None:
    world = _world(_minimal(3))
    trials = int(2 * MAX_TIME_S / (3 * 5e-7))  # the Monte Carlo alone takes two days
    with pytest.raises(ResourceError, match="would take about"):
        check_resources(world, trials, memory_bytes=np.inf)


def test_simulate_refuses_before_any_work() -> None:
    world = _world(_minimal(3))
    t0 = time.perf_counter()
    with pytest.raises(ResourceError, match="trials fit"):
        api.simulate(world, trials=10**12)
    with pytest.raises(ResourceError, match="trials fit"):
        api.compare(world, trials=10**12)
    assert time.perf_counter() - t0 < 5.0


def test_cli_refuses_with_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "r"
    for argv in (
        ["run", str(MINIMAL), "--trials", "1000000000000", "--out", str(out)],
        ["compare", str(MINIMAL), "--trials", "1000000000000"],
    ):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert "trials fit" in err
        assert "--force" in err
        assert "Traceback" not in err
    assert not out.exists()


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="Linux /proc")
def test_available_memory_honours_ulimit() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    status = Path("/proc/self/status").read_text()
    vm_kb = int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmSize")))
    try:
        resource.setrlimit(resource.RLIMIT_AS, (vm_kb * 1024 + 2**30, hard))
        room = available_memory_bytes()
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
    assert 0.5 * 2**30 < room <= 2**30 + 1e6


def test_cli_estimate_prints_and_stops(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "r"
    argv = ["run", str(MINIMAL), "-n", "5000", "--estimate", "--json", "--out", str(out)]
    assert main(argv) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["trials"] == 5000
    assert doc["threats"] == 3
    assert 0 < doc["memory_bytes"] < doc["available_bytes"]
    assert not out.exists()  # nothing was simulated
    assert main(["compare", str(MINIMAL), "-p", "national,cueing", "--estimate"]) == 0
    assert "x 2 policies" in capsys.readouterr().out


def test_measurement_mode_trials_are_estimated(capsys: pytest.CaptureFixture[str]) -> None:
    world = _world(_minimal(3))
    cheap = estimate_resources(world, 1)
    heavy = estimate_resources(world, 1, measurement_trials=10**7)
    assert heavy.memory_bytes > cheap.memory_bytes + 1e11
    argv = ["detect", str(MINIMAL), "--mode", "measurement", "--trials", "10000000"]
    assert main(argv) == 2
    assert "fewer measurement-mode tracking trials" in capsys.readouterr().err


def test_slim_estimate_bounds_the_measured_peak() -> None:
    # slim outcomes (compare, run): the engine's working set stops at one group of blocks
    world = _world(_minimal(3))
    trials = 100_000
    est = estimate_resources(world, trials, full_outcomes=False)
    api.simulate(world, trials=20, full_outcomes=False)  # warm
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        api.simulate(world, trials=trials, full_outcomes=False)
        peak = tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()
    assert peak <= est.memory_bytes <= LOOSEST * peak + 40e6, (peak, est.memory_bytes)


def test_the_estimate_groups_blocks_as_the_pipeline_does() -> None:
    from shieldwall.resources import fight_group_trials

    world = api.compile_world(api.load_scenario(FLAGSHIP))
    assert fight_group_trials(world) == 30_000  # 30 blocks of 8.9 MB of draws each
    # a million trials: the engine is bounded, what is kept per trial is the tally and record
    slim = estimate_resources(world, 10**6, policies=4, workers=3, full_outcomes=False)
    assert slim.memory_bytes < 0.25 * estimate_resources(world, 10**6, policies=4).memory_bytes


def test_comparison_estimate_bounds_the_measured_peak_streamed_or_held() -> None:
    # compare's path: 4 policies, slim outcomes; the pipeline streams the sensing base by chunk
    # (the default estimate), a study's stage cache holds it whole (sensing_held=True)
    from shieldwall.pipeline import prepare, simulate_policies

    world = _world(_minimal(400))
    pols = list(world.policies)
    peaks = {}
    for held in (False, True):
        kw: dict[str, Any] = {"prepare_with": lambda w: prepare(w)} if held else {}
        simulate_policies(world, pols, 20, full_outcomes=False, **kw)  # warm
        tracemalloc.start()
        try:
            base = tracemalloc.get_traced_memory()[0]
            simulate_policies(world, pols, 2000, full_outcomes=False, **kw)
            peaks[held] = tracemalloc.get_traced_memory()[1] - base
        finally:
            tracemalloc.stop()
        est = estimate_resources(world, 2000, policies=4, full_outcomes=False, sensing_held=held)
        assert peaks[held] <= est.memory_bytes <= LOOSEST * peaks[held] + 40e6, (held, peaks)
    assert peaks[False] < peaks[True]  # streaming really holds less
