"""The study engine: bit-identical on every executor, stage reuse equals a fresh prepare, resume."""

from __future__ import annotations

import dataclasses
from functools import cache
from pathlib import Path

import numpy as np
import pytest

from shieldwall.pipeline import SimulationError, prepare, simulate_policies
from shieldwall.scenario import World, compile_world, load_scenario
from shieldwall.studies.engine import Case, StudyRun, TrialMetrics, prepared_for, run_study
from shieldwall.studies.paired import contrast, paired_ci

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
POLICIES = ("national", "integrated")


@cache
def _world() -> World:
    return compile_world(load_scenario(EXAMPLES / "minimal.yaml"))


def _moved_battery(world: World) -> World:
    b = world.batteries
    return dataclasses.replace(
        world, batteries=dataclasses.replace(b, lat_rad=b.lat_rad + np.radians(0.2))
    )


def _cases() -> list[Case]:
    w = _world()
    return [
        Case(name="base", world=w, policies=POLICIES),
        Case(name="moved", world=_moved_battery(w), policies=POLICIES, labels={"moved": 1}),
    ]


def _same(a: StudyRun, b: StudyRun) -> None:
    assert a.metrics.keys() == b.metrics.keys()
    for key, m in a.metrics.items():
        for name in TrialMetrics.__dataclass_fields__:
            np.testing.assert_array_equal(getattr(m, name), getattr(b.metrics[key], name))


@cache
def _serial() -> StudyRun:
    return run_study(_cases(), 2500, 4, executor="serial")


def test_a_study_case_equals_simulating_its_world() -> None:
    run = _serial()
    for case in _cases():
        direct = simulate_policies(
            case.world, list(POLICIES), 2500, 4, prepared=prepare(case.world)
        )
        for pol in POLICIES:
            out = direct[pol].outcomes
            got = run.metrics[(case.name, pol)]
            np.testing.assert_array_equal(got.leakers, out.leakers)
            np.testing.assert_array_equal(got.asset_hit, out.asset_hit)
            np.testing.assert_array_equal(got.expended, out.expended)


def test_reused_stages_are_the_fresh_ones() -> None:
    base = _world()
    prepared_for(base)  # caches the flight of the base world
    moved = _moved_battery(base)
    reused, fresh = prepared_for(moved), prepare(moved)
    assert reused.trajectories is prepared_for(base).trajectories  # not re-flown
    np.testing.assert_array_equal(reused.reach.pair_start, fresh.reach.pair_start)
    np.testing.assert_array_equal(reused.reach.t_s, fresh.reach.t_s)
    np.testing.assert_array_equal(reused.targets.asset_idx, fresh.targets.asset_idx)


@pytest.mark.parametrize("executor", ["pool", "dask"])
def test_every_executor_is_bit_identical_to_serial(executor: str) -> None:
    _same(run_study(_cases(), 2500, 4, executor=executor, workers=2), _serial())


def test_one_case_split_over_workers_is_bit_identical() -> None:
    one = [_cases()[0]]
    split = run_study(one, 2500, 4, executor="pool", workers=3)  # 3 tasks of one case
    serial = run_study(one, 2500, 4, executor="serial")
    _same(split, serial)


def test_an_interrupted_study_resumes_from_its_checkpoint(tmp_path: Path) -> None:
    calls: list[int] = []

    def stop_after_first(done: int, total: int, what: str) -> None:
        calls.append(done)
        if done == 1:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_study(_cases(), 2500, 4, checkpoint=tmp_path, progress=stop_after_first)
    assert len(list(tmp_path.glob("*.npz"))) == 1
    resumed = run_study(_cases(), 2500, 4, checkpoint=tmp_path)
    assert resumed.resumed == 1
    _same(resumed, _serial())


def test_paired_differences_and_contrasts_share_one_core() -> None:
    run = _serial()
    a = run.per_trial("moved", "integrated", "leakers")
    b = run.per_trial("base", "integrated", "leakers")
    d = run.difference(("moved", "integrated"), ("base", "integrated"), "expected_leakers")
    assert d == paired_ci(a, b) == contrast([(1.0, a), (-1.0, b)])
    assert d[0] == pytest.approx(a.mean() - b.mean())
    table = run.table(baseline=("base", "national"))
    row = table[(table.case == "base") & (table.policy == "national")]
    assert set(row.metric) >= {"p_zero_leak", "expected_leakers", "d_expected_leakers"}
    zero = row[row.metric == "d_expected_leakers"].iloc[0]
    assert zero.value == zero.lo == zero.hi == 0.0  # a case against itself
    assert table[table.case == "moved"]["moved"].eq(1).all()


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"cases": []}, "cases"),
        ({"trials": 0}, "trials"),
        ({"seed": -1}, "seed"),
        ({"executor": "gpu"}, "executor"),
        ({"workers": 0, "executor": "pool"}, "workers"),
        ({"tracking_mode": "x"}, "tracking_mode"),
    ],
)
def test_bad_requests_name_the_field(kwargs: dict[str, object], field: str) -> None:
    args: dict[str, object] = {"cases": _cases(), "trials": 10, "seed": 0, **kwargs}
    with pytest.raises(SimulationError) as info:
        run_study(**args)  # type: ignore[arg-type]
    assert info.value.problems[0].path == field


def test_duplicate_case_names_and_unknown_policies_are_refused() -> None:
    w = _world()
    with pytest.raises(SimulationError, match="unique"):
        run_study([Case(name="a", world=w, policies=POLICIES)] * 2, 10, 0)
    with pytest.raises(SimulationError, match="unknown policy 'nope'"):
        run_study([Case(name="a", world=w, policies=("nope",))], 10, 0)


def test_raid_geometry_samples_split_over_workers_are_bit_identical() -> None:
    scenario = load_scenario(EXAMPLES / "minimal.yaml")
    settings = scenario.settings.model_copy(update={"raid_samples": 3, "launch_jitter_s": 20.0})
    world = compile_world(scenario.model_copy(update={"settings": settings}))
    cases = [Case(name="sampled", world=world, policies=POLICIES)]
    serial = run_study(cases, 3000, 1, executor="serial")
    _same(run_study(cases, 3000, 1, executor="pool", workers=3), serial)
    clusters = serial.clusters("sampled")
    assert clusters is not None
    assert clusters.tolist()[::1000] == [0, 1, 2]


def test_a_scheduler_address_runs_on_that_cluster() -> None:
    # the --scheduler tcp://host:port path, against a LocalCluster started here
    from distributed import LocalCluster

    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        address = cluster.scheduler_address
        assert address.startswith("tcp://")
        run = run_study(_cases(), 2500, 4, executor=address)
    assert run.executor == f"dask({address})"
    _same(run, _serial())
