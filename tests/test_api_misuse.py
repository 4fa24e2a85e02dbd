"""Python API misuse: a clear ShieldwallError naming the argument, never a raw exception.

Regression for issue #15 item 8 (of 209 misuse calls, 49 raised raw exceptions and some bad
values passed silently: ``trials=1.5`` ran one trial, ``compare(policies='national')`` iterated
the letters). Kernels return NaN or masks instead of raising part-way through an array.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from shieldwall import api
from shieldwall.earth.atmosphere import DensityTable

ROOT = Path(__file__).resolve().parents[1]
MINIMAL = ROOT / "examples" / "minimal.yaml"


@pytest.fixture(scope="module")
def world() -> api.World:
    return api.compile_world(api.load_scenario(MINIMAL))


@pytest.fixture(scope="module")
def flown(world: api.World) -> tuple[Any, Any]:
    trajectories = api.fly_raid(world)
    return trajectories, api.observe(world, trajectories, world.policies["national"])


# (label, call(world, trajectories, visibility), the argument the message must name)
MISUSE: list[tuple[str, Callable[[Any, Any, Any], object], str]] = [
    ("seed=-1", lambda w, t, v: api.simulate(w, trials=5, seed=-1), "seed"),
    ("seed=1.5", lambda w, t, v: api.simulate(w, trials=5, seed=1.5), "seed"),
    ("seed=2**64", lambda w, t, v: api.simulate(w, trials=5, seed=2**64), "seed"),
    ("seed='1'", lambda w, t, v: api.simulate(w, trials=5, seed="1"), "seed"),
    ("trials=nan", lambda w, t, v: api.simulate(w, trials=float("nan")), "trials"),
    ("trials=inf", lambda w, t, v: api.simulate(w, trials=float("inf")), "trials"),
    ("trials=1.5", lambda w, t, v: api.simulate(w, trials=1.5), "trials"),
    ("trials=True", lambda w, t, v: api.simulate(w, trials=True), "trials"),
    ("trials='10'", lambda w, t, v: api.simulate(w, trials="10"), "trials"),
    ("trials=0", lambda w, t, v: api.simulate(w, trials=0), "trials"),
    ("trials=10**12", lambda w, t, v: api.simulate(w, trials=10**12), "trials"),
    ("policy=None", lambda w, t, v: api.simulate(w, None, trials=5), "policy"),
    ("policy=5", lambda w, t, v: api.simulate(w, 5, trials=5), "policy"),
    ("solver=5", lambda w, t, v: api.simulate(w, trials=5, solver=5), "solver"),
    (
        "miss_as_kill=nan",
        lambda w, t, v: w.doctrine.with_overrides(miss_as_kill=np.nan),
        "miss_as_kill",
    ),
    (
        "kill_as_miss=2",
        lambda w, t, v: w.doctrine.with_overrides(kill_as_miss=2),
        "kill_as_miss",
    ),
    ("compare 'national'", lambda w, t, v: api.compare(w, "national", trials=5), "policies"),
    ("compare [5]", lambda w, t, v: api.compare(w, [5], trials=5), "policies"),
    ("compare trials=nan", lambda w, t, v: api.compare(w, trials=float("nan")), "trials"),
    ("compare seed=-1", lambda w, t, v: api.compare(w, trials=5, seed=-1), "seed"),
    ("compare baseline=[]", lambda w, t, v: api.compare(w, trials=5, baseline=[]), "baseline"),
    ("compare trials=10**12", lambda w, t, v: api.compare(w, trials=10**12), "trials"),
    ("observe name", lambda w, t, v: api.observe(w, t, "national"), "policy"),
    ("track name", lambda w, t, v: api.track(w, t, v, "national"), "policy"),
    ("track mode", lambda w, t, v: api.track(w, t, v, w.policies["national"], "bogus"), "mode"),
    (
        "track fusion",
        lambda w, t, v: api.track(w, t, v, w.policies["national"], fusion="x"),
        "fusion",
    ),
    (
        "track trials",
        lambda w, t, v: api.track(w, t, v, w.policies["national"], trials=0.5),
        "trials",
    ),
    ("track visibility", lambda w, t, v: api.track(w, t, None, w.policies["national"]), "visib"),
    ("load_scenario None", lambda w, t, v: api.load_scenario(None), "source"),
    ("load_scenario 5", lambda w, t, v: api.load_scenario(5), "source"),
    ("compile_world path", lambda w, t, v: api.compile_world(str(MINIMAL)), "scenario"),
    ("solve_wta None", lambda w, t, v: api.solve_wta(None), "problem"),
    ("read_run None", lambda w, t, v: api.read_run(None), "path"),
]


@pytest.mark.parametrize(("label", "call", "argument"), MISUSE, ids=[m[0] for m in MISUSE])
def test_misuse_is_a_clear_error(
    label: str,
    call: Callable[[Any, Any, Any], object],
    argument: str,
    world: api.World,
    flown: tuple[Any, Any],
) -> None:
    with pytest.raises(api.ShieldwallError) as info:
        call(world, *flown)
    assert argument in str(info.value)


CHECKED = sorted(
    (name, param)
    for name in api.__all__
    for param in getattr(getattr(api, name), "checked_arguments", {})
)


def test_entry_points_are_checked() -> None:
    names = {name for name, _ in CHECKED}
    assert {"simulate", "compare", "observe", "track", "fly_raid", "read_run"} <= names


@pytest.mark.parametrize(("name", "param"), CHECKED, ids=[f"{n}-{p}" for n, p in CHECKED])
def test_wrong_component_is_an_argument_error(name: str, param: str) -> None:
    with pytest.raises(api.ArgumentError, match=f"^{param}: must be .*got object"):
        getattr(api, name)(**{param: object()})


def test_numpy_integers_are_whole_numbers(world: api.World) -> None:
    results = api.simulate(world, trials=np.int64(5), seed=np.uint32(3))
    assert (results.trials, results.seed) == (5, 3)


@pytest.mark.parametrize(
    "text", ["[1, 2]", "5", "null", '"complete"', '{"complete": "yes"}', "{", "\xff"]
)
def test_read_run_refuses_a_malformed_record(tmp_path: Path, text: str) -> None:
    (tmp_path / "run.json").write_bytes(text.encode("utf-8", errors="surrogateescape"))
    with pytest.raises(api.ShieldwallError, match=r"run\.json|incomplete"):
        api.read_run(tmp_path)


# -- kernels: NaN or masks, never a raise part-way through an array -------------------------


def test_density_table_nan_height_is_nan() -> None:
    table = DensityTable.us1976()
    h = np.array([0.0, np.nan, -1e9, 1e9, np.inf, -np.inf, 5e4])
    rho = table.density(h)
    assert np.isnan(rho[1])
    assert np.isfinite(rho[[0, 2, 3, 4, 5, 6]]).all()
    assert rho[3] == 0.0
    assert rho[0] == pytest.approx(1.225, rel=1e-3)  # US-1976 sea level


def test_ci_fuse_singular_member_is_nan_not_a_batch_failure() -> None:
    eye = np.eye(3)
    cov_a = np.stack([eye, np.zeros((3, 3)), 2 * eye])
    cov_b = np.stack([eye, eye, np.full((3, 3), np.nan)])
    for omega in (None, 0.5):
        x, cov, w = api.ci_fuse(np.zeros((3, 3)), cov_a, np.ones((3, 3)), cov_b, omega=omega)
        assert np.allclose(cov[0], eye)  # equal covariances fuse to the same covariance
        assert np.allclose(x[0], 1.0 - w[0])  # x = w a + (1 - w) b with a = 0, b = 1
        assert np.isnan(x[1]).all()
        assert np.isnan(x[2]).all()
        assert w.shape == (3,)


@pytest.mark.parametrize(("n_w", "n_t"), [(0, 0), (2, 0), (0, 3)])
@pytest.mark.parametrize("solver", ["heuristic", "exact"])
def test_empty_wta_is_solved(n_w: int, n_t: int, solver: str) -> None:
    problem = api.WTAProblem(
        values=np.full(n_t, 2.0), pk=np.zeros((n_w, n_t)), inventory=np.ones(n_w, dtype=int)
    )
    solution = api.solve_wta(problem, solver=solver)
    assert solution.x.shape == (n_w, n_t)
    assert solution.objective == pytest.approx(2.0 * n_t)  # nothing engaged: every value lost
    assert solution.gap == 0.0
