"""Scale paths of the pipeline give what the plain paths give, bit for bit (docs/montecarlo.md).

- the raid geometry samples flown in one solve (``fly_geometries``) equal each sample flown
  alone (``fly_checked(world.geometry(g))``);
- the samples spread over this and forked worker processes (``simulate_policies(workers=2)``,
  ``workers=3``) equal the serial run, outcomes, event logs and plan objectives included, also
  when a process takes samples of another's share (flying them alone).
"""

from __future__ import annotations

import os
import threading
from functools import cache
from pathlib import Path

import numpy as np
import pytest

from shieldwall import pipeline
from shieldwall.flight import checks
from shieldwall.flight.checks import fly_checked, fly_geometries
from shieldwall.outcome import Outcomes
from shieldwall.pipeline import (
    Results,
    SimulationError,
    geometry_shares,
    geometry_workers,
    simulate_policies,
    spare_order,
)
from shieldwall.resources import estimate_resources
from shieldwall.scenario import World, compile_world, load_scenario

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@cache
def _sampled(name: str, samples: int, jitter_s: float = 30.0) -> World:
    scenario = load_scenario(EXAMPLES / f"{name}.yaml")
    settings = scenario.settings.model_copy(
        update={"raid_samples": samples, "launch_jitter_s": jitter_s}
    )
    return compile_world(scenario.model_copy(update={"settings": settings}))


def _same_arrays(a: object, b: object) -> None:
    for key, va in vars(a).items():
        vb = vars(b)[key]
        if isinstance(va, np.ndarray):
            assert va.shape == vb.shape, key
            assert va.dtype == vb.dtype, key
            np.testing.assert_array_equal(va, vb, err_msg=key)
        else:
            assert va == vb, key


@pytest.mark.parametrize("rows", [512, 80])  # all in one solve; groups of two samples and one
def test_geometries_flown_together_equal_each_flown_alone(
    rows: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = _sampled("korea_japan", 3)
    monkeypatch.setattr(checks, "FLY_ROWS", rows)
    together = fly_geometries(world, [2, 0, 1])
    for g, traj in zip([2, 0, 1], together, strict=True):
        alone = fly_checked(world.geometry(g))
        _same_arrays(traj, alone)
    # the samples really differ (a test that cannot fail otherwise)
    assert not np.array_equal(together[0].launch_lat_rad, together[1].launch_lat_rad)


def _outcome_fields(a: Outcomes, b: Outcomes) -> None:
    for key, va in vars(a).items():
        vb = vars(b)[key]
        if isinstance(va, np.ndarray):
            np.testing.assert_array_equal(va, vb, err_msg=key)
        elif key == "events":
            _same_arrays(va, vb)
        else:
            assert va == vb, key


def test_geometry_shares_deal_the_samples_round_robin_first_sample_here() -> None:
    assert geometry_shares(range(10), 0, 2) == [[0, 2, 4, 6, 8], [1, 3, 5, 7, 9]]
    assert geometry_shares([1, 2, 3, 4], 3, 3) == [[3, 4], [1], [2]]
    assert geometry_shares([0, 1], 0, 4) == [[0], [1]]  # never an empty share
    assert geometry_shares([5], 5, 1) == [[5]]


def test_spare_samples_are_taken_from_the_end_of_each_other_share_never_the_first() -> None:
    shares = geometry_shares(range(10), 0, 2)
    assert spare_order(shares, 0, 0) == [9, 7, 5, 3, 1]
    assert spare_order(shares, 1, 0) == [8, 6, 4, 2]  # sample 0 stays in this process
    three = geometry_shares(range(7), 0, 3)  # [[0, 3, 6], [1, 4], [2, 5]]
    assert spare_order(three, 0, 0) == [4, 5, 1, 2]
    assert spare_order(three, 2, 0) == [6, 4, 3, 1]
    assert spare_order([[4]], 0, 4) == []


@cache
def _serial() -> dict[str, Results]:
    world = _sampled("minimal", 3)
    return simulate_policies(world, ["national", "integrated"], trials=3500, seed=5, workers=1)


# two processes: shares of two samples (flown together here) and one; three: one each
@pytest.mark.parametrize("workers", [2, 3])
def test_geometries_on_worker_processes_equal_the_serial_run(workers: int) -> None:
    world = _sampled("minimal", 3)
    pols = ["national", "integrated"]
    serial = _serial()
    pooled = simulate_policies(world, pols, trials=3500, seed=5, workers=workers)
    for name in pols:
        a, b = serial[name], pooled[name]
        _outcome_fields(a.outcomes, b.outcomes)
        assert a.plan_objective == b.plan_objective
        assert a.metrics.expected_leakers_ci == b.metrics.expected_leakers_ci
        assert a.outcomes.events is not None
        assert a.timings_s["workers"] == 1.0
        assert b.timings_s["workers"] == float(workers)
    # blocks of different samples differ (the samples are really fought)
    leak = serial["national"].outcomes.leaked.reshape(-1)
    assert leak.size == 3500 * len(world.raid.missile_idx)


def test_a_process_that_runs_out_takes_the_samples_another_has_not_reached(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The worker's first sample is slowed down, so this process fights its own share, then
    takes the worker's last sample (flying it alone) before the worker reaches it: every sample
    is fought once, and the outcomes equal the serial run's."""
    import shieldwall.pipeline as pipeline

    world = _sampled("minimal", 4)  # shares [0, 2] here and [1, 3] in the worker
    pols = ["national", "integrated"]
    log = tmp_path / "fought.txt"
    here = os.getpid()
    run = pipeline._Job.run

    def logged(self: pipeline._Job, g: int, progress: object) -> object:
        if g == 1 and os.getpid() != here:
            import time

            time.sleep(3.0)  # the worker is slow on its first sample
        with log.open("a") as f:
            f.write(f"{os.getpid()} {g}\n")
        return run(self, g, progress)  # type: ignore[arg-type]

    monkeypatch.setattr(pipeline._Job, "run", logged)
    pooled = simulate_policies(world, pols, trials=4000, seed=5, workers=2)
    fought = [line.split() for line in log.read_text().split("\n") if line]
    by = {int(g): int(pid) for pid, g in fought}
    assert sorted(int(g) for _, g in fought) == [0, 1, 2, 3]  # each sample once
    assert by[0] == by[2] == here
    assert by[3] == here  # the worker's: taken here
    assert by[1] != here
    serial = simulate_policies(world, pols, trials=4000, seed=5, workers=1)
    for name in pols:
        _outcome_fields(serial[name].outcomes, pooled[name].outcomes)
        assert serial[name].plan_objective == pooled[name].plan_objective


def _die(share: list[int], spare: list[int]) -> None:
    os._exit(9)


def test_a_worker_that_dies_is_a_clear_error_not_a_traceback(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A forked worker killed mid-run (here: it exits at once, as the OOM killer would end it)
    is a SimulationError naming the workers and what to do, not a BrokenProcessPool."""
    import shieldwall.pipeline as pipeline

    monkeypatch.setattr(pipeline, "_run_in_worker", _die)
    with pytest.raises(SimulationError, match=r"worker process .* died.*SHIELDWALL_WORKERS=1"):
        simulate_policies(_sampled("minimal", 3), ["national"], trials=3500, seed=5, workers=2)


def test_worker_count_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHIELDWALL_WORKERS", "1")
    assert geometry_workers(10) == 1
    monkeypatch.setenv("SHIELDWALL_WORKERS", "3")
    assert geometry_workers(10) == 3
    assert geometry_workers(1) == 1
    got: list[int] = []
    job = threading.Thread(target=lambda: got.append(geometry_workers(10)))
    job.start()
    job.join()
    assert got == [1]  # never forks from a server's job thread
    monkeypatch.setenv("SHIELDWALL_WORKERS", "two")
    with pytest.raises(SimulationError, match="SHIELDWALL_WORKERS") as err:
        geometry_workers(10)
    assert err.value.problems[0].path == "SHIELDWALL_WORKERS"


def test_fewer_workers_where_the_estimate_for_more_would_not_fit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    world = _sampled("minimal", 3)
    one = estimate_resources(world, 3000, policies=1, workers=1).memory_bytes
    two = estimate_resources(world, 3000, policies=1, workers=2).memory_bytes
    assert one < two
    monkeypatch.setattr(pipeline, "geometry_workers", lambda n: min(2, n))  # any thread
    monkeypatch.setattr(pipeline, "available_memory_bytes", lambda: 0.5 * (one + two))
    got = simulate_policies(world, ["national"], trials=3000, seed=5)["national"]
    assert got.timings_s["workers"] == 1.0
    monkeypatch.setattr(pipeline, "available_memory_bytes", lambda: 2.0 * two)
    got = simulate_policies(world, ["national"], trials=3000, seed=5)["national"]
    assert got.timings_s["workers"] == 2.0


def test_the_results_fight_inputs_keep_no_engine_caches() -> None:
    # the first sample's fight inputs outlive its fight (the results show them); the engine's
    # search tables and row groups for them are dropped (outcome.engine.forget), rebuilt on use
    from shieldwall.outcome import engine

    got = _serial()
    for res in got.values():
        assert res.fight not in engine._LOOKUPS
        assert res.fight not in engine._GROUPS
