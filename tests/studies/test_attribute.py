"""``attribute``: Shapley weights against brute force, efficiency per trial, coalition worlds."""

from __future__ import annotations

import itertools
import json
import math
from pathlib import Path

import numpy as np
import pytest

from shieldwall.cli.main import main
from shieldwall.pipeline import SimulationError, simulate_policies
from shieldwall.scenario import World, compile_world, load_scenario
from shieldwall.studies.attribute import attribute, game, shapley_weights
from shieldwall.studies.variants import keep_nations, lever_policy, link_policy, links

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
MINIMAL = EXAMPLES / "minimal.yaml"
FLAGSHIP = EXAMPLES / "korea_japan.yaml"


@pytest.fixture(scope="module")
def flagship() -> World:
    return compile_world(load_scenario(FLAGSHIP))


def _brute_force(n: int, v: dict[frozenset[int], np.ndarray]) -> np.ndarray:
    """Shapley values by definition: each player's marginal contribution averaged over all n!
    orders of the players."""
    phi = np.zeros((n, *next(iter(v.values())).shape))
    for order in itertools.permutations(range(n)):
        before: frozenset[int] = frozenset()
        for p in order:
            phi[p] += v[before | {p}] - v[before]
            before = before | {p}
    return phi / math.factorial(n)


@pytest.mark.parametrize("n", [1, 2, 3, 4])
def test_exact_weights_match_brute_force(n: int) -> None:
    rng = np.random.default_rng(n)
    coalitions, w = shapley_weights(n)
    assert len(coalitions) == 2**n
    series = {c: rng.normal(size=50) for c in coalitions}
    want = _brute_force(n, series)
    got = w @ np.stack([series[c] for c in coalitions])
    np.testing.assert_allclose(got, want, atol=1e-12)


def test_hand_computed_two_player_game() -> None:
    # v(∅)=0, v(A)=1, v(B)=3, v(AB)=6: φA = (1 + (6−3))/2 = 2, φB = (3 + (6−1))/2 = 4
    coalitions, w = shapley_weights(2)
    value = {frozenset(): 0.0, frozenset({0}): 1.0, frozenset({1}): 3.0, frozenset({0, 1}): 6.0}
    phi = w @ np.array([value[c] for c in coalitions])
    np.testing.assert_allclose(phi, [2.0, 4.0])


def test_sampled_weights_efficient_and_converge() -> None:
    coalitions, w = shapley_weights(3, permutations=4000, seed=7)
    np.testing.assert_allclose(w.sum(axis=1), 0.0, atol=1e-12)  # differences only
    total = w.sum(axis=0)
    for c, t in zip(coalitions, total, strict=True):
        assert t == pytest.approx(1.0 if len(c) == 3 else -1.0 if not c else 0.0, abs=1e-12)
    exact_c, exact_w = shapley_weights(3)
    col = {c: j for j, c in enumerate(coalitions)}
    sampled = np.zeros_like(exact_w)
    for j, c in enumerate(exact_c):
        if c in col:
            sampled[:, j] = w[:, col[c]]
    # each weight is a frequency of 4000 orders: within 5 standard errors of the exact one
    assert np.abs(sampled - exact_w).max() < 5 * math.sqrt(0.25 / 4000)


def test_keep_nations_reindexes(flagship: World) -> None:
    w = flagship
    for keep in (["JPN"], ["KOR", "USA"], list(w.nations.id), []):
        sub = keep_nations(w, keep)
        kept = {w.nation_index(n) for n in keep}
        assert set(sub.batteries.nation_idx.tolist()) <= kept
        assert set(sub.radars.nation_idx.tolist()) <= kept
        assert set(sub.satellites.nation_idx.tolist()) <= kept
        assert sub.assets is w.assets
        assert sub.raid is w.raid
        for b, bid in enumerate(sub.batteries.id):
            old = w.batteries.id.index(bid)
            r_old = int(w.batteries.radar_idx[old])
            r_new = int(sub.batteries.radar_idx[b])
            if r_old >= 0 and int(w.radars.nation_idx[r_old]) in kept:
                assert sub.radars.id[r_new] == w.radars.id[r_old]
            else:
                assert r_new == -1
        for r, rid in enumerate(sub.radars.id):
            old = w.radars.id.index(rid)
            b_old = int(w.radars.battery_idx[old])
            b_new = int(sub.radars.battery_idx[r])
            if b_old >= 0 and int(w.batteries.nation_idx[b_old]) in kept:
                assert sub.batteries.id[b_new] == w.batteries.id[b_old]
            else:
                assert b_new == -1
        n_keep = sum(int(np.isin(w.batteries.nation_idx, list(kept)).sum()) for _ in [0])
        assert len(sub.batteries) == n_keep


def test_lever_policy_ends(flagship: World) -> None:
    nat, integ = flagship.policies["national"], flagship.policies["integrated"]
    g = game(flagship, "levers")
    assert g.players == ("share", "defends", "ifc")  # the presets share one latency
    every = lever_policy("x", nat, integ, g.players)
    none = lever_policy("y", nat, integ, [])
    for f in ("share", "latency_s", "defends", "ifc"):
        assert np.array_equal(getattr(every, f), getattr(integ, f))
        assert np.array_equal(getattr(none, f), getattr(nat, f))


def test_levers_on_flagship(flagship: World) -> None:
    a = attribute(flagship, "levers", trials=100, seed=3)
    g, run = a.game, a.run
    series = {c: run.per_trial(*r, "expected_leakers") for c, r in zip(g.coalitions, g.runs,
                                                                       strict=True)}  # fmt: skip
    grand, empty = series[frozenset(range(3))], series[frozenset()]
    # efficiency per trial, and the brute-force permutation average on the per-trial series
    np.testing.assert_allclose(a.per_trial.sum(axis=0), grand - empty, atol=1e-12)
    np.testing.assert_allclose(a.per_trial, _brute_force(3, series), atol=1e-12)
    for i, p in enumerate(g.players):
        v, lo, hi = a.values[p]
        assert v == pytest.approx(a.per_trial[i].mean())
        assert lo <= v <= hi
    assert sum(v[0] for v in a.values.values()) == pytest.approx(a.total[0], abs=1e-12)
    # the empty coalition is national, planned from scratch as on its own
    alone = simulate_policies(flagship, ["national"], 100, 3, force=True, event_trials=0)
    np.testing.assert_array_equal(empty, alone["national"].outcomes.leakers)
    assert a.total[2] < 0  # integrated's levers remove leakers on the flagship


def test_nations_minimal() -> None:
    world = compile_world(load_scenario(MINIMAL))
    a = attribute(world, "nations", trials=200, seed=2)
    assert list(a.values) == ["BLU"]
    assert a.values["BLU"] == pytest.approx(a.total)
    # no units: every threat aimed at an asset that does not fail in flight leaks
    assert a.empty[0] > a.grand[0]


def test_bad_players_and_policy() -> None:
    world = compile_world(load_scenario(MINIMAL))
    with pytest.raises(SimulationError, match="valid: nations, levers, links"):
        game(world, "generals")
    with pytest.raises(SimulationError, match="valid policies"):
        game(world, "levers", policy="solo")
    with pytest.raises(SimulationError, match="no players"):
        game(world, "links")
    with pytest.raises(SimulationError, match="permutations"):
        game(world, "levers", permutations=0)


def test_cli_json_and_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "a"
    argv = ["attribute", str(MINIMAL), "--players", "nations", "-n", "100", "--executor",
            "serial", "--out", str(out), "--json"]  # fmt: skip
    assert main(argv) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["names"] == ["BLU"]
    assert doc["method"] == "exact"
    assert doc["shapley"]["BLU"] == pytest.approx(doc["total"])
    assert (out / "shapley.png").stat().st_size > 0
    assert (out / "results.parquet").is_file()


@pytest.mark.parametrize(
    ("extra", "expect"),
    [
        (["--players", "generals"], "valid: nations, levers, links"),
        (["--metric", "leaks"], "valid: p_zero_leak"),
        (["--policy", "solo"], "valid policies"),
        (["--permutations", "0"], "permutations"),
    ],
)
def test_cli_bad_input_exits_2(
    tmp_path: Path, extra: list[str], expect: str, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["attribute", str(MINIMAL), "-n", "10", "--out", str(tmp_path / "x"), *extra]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert expect in err
    assert "Traceback" not in err


def test_link_policy_ends(flagship: World) -> None:
    nat, integ = flagship.policies["national"], flagship.policies["integrated"]
    nations = flagship.nations.id
    pairs = links(nat, integ, nations)
    assert len(pairs) == 3  # every pair of three nations
    every = link_policy("x", nat, integ, pairs, nations)
    none = link_policy("y", nat, integ, [], nations)
    one = link_policy("z", nat, integ, [pairs[0]], nations)
    for f in ("share", "latency_s", "defends", "ifc"):
        assert np.array_equal(getattr(every, f), getattr(integ, f))
    assert np.array_equal(none.share, nat.share)
    assert np.array_equal(none.defends, integ.defends)
    i, j = nations.index(pairs[0][0]), nations.index(pairs[0][1])
    changed = np.argwhere(one.share != nat.share).tolist()
    assert sorted(changed) == sorted([[i, j], [j, i]])


def test_nations_game_two_nations(flagship: World) -> None:
    # the flagship without US units: a two-nation game of four coalitions
    world = keep_nations(flagship, ["KOR", "JPN"])
    a = attribute(world, "nations", trials=60, seed=4)
    g, run = a.game, a.run
    assert g.players == ("KOR", "JPN")
    assert len(g.cases) == 4
    series = {c: run.per_trial(*r, "leakers") for c, r in zip(g.coalitions, g.runs, strict=True)}
    np.testing.assert_allclose(a.per_trial, _brute_force(2, series), atol=1e-12)
    np.testing.assert_allclose(
        a.per_trial.sum(axis=0), series[frozenset({0, 1})] - series[frozenset()], atol=1e-12
    )
    # the grand coalition is the world itself
    whole = run.case(g.name(frozenset({0, 1}))).world
    assert whole.batteries.id == world.batteries.id
    assert whole.radars.id == world.radars.id
    for p in g.players:
        assert a.values[p][0] < 0  # each nation's units remove leakers
