"""Per-trial inputs: the compiled believed-target search and the grouped fire-control times equal
their definitions (docs/battle.md §3.2-3.3)."""

from __future__ import annotations

import math
from functools import cache
from pathlib import Path
from types import SimpleNamespace

import numpy as np

from shieldwall.battle import FireControl, believed_assets
from shieldwall.outcome import block_draws
from shieldwall.pipeline import Results, prepare, simulate
from shieldwall.scenario import compile_world, load_scenario
from shieldwall.tracking import TrackPicture, picture

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _fake_fight(rng: np.random.Generator, n_nat: int, n_t: int, n_a: int) -> SimpleNamespace:
    """Fight inputs with what the search reads, with the awkward cases in them: NaN factors (no
    IPP), infinite sigma (every asset a candidate at any distance), two assets at the same
    offset (a tie: the lower index wins) and assets exactly at the reach."""
    chol = np.zeros((n_nat, n_t, 2, 2))
    chol[..., 0, 0] = rng.uniform(100.0, 5000.0, (n_nat, n_t))
    chol[..., 1, 0] = rng.uniform(-2000.0, 2000.0, (n_nat, n_t))
    chol[..., 1, 1] = rng.uniform(100.0, 5000.0, (n_nat, n_t))
    sigma = np.sqrt(chol[..., 0, 0] ** 2 + chol[..., 1, 1] ** 2)
    chol[0, 0] = np.nan  # no IPP
    sigma[0, 0] = np.nan
    sigma[-1, -1] = np.inf
    offset = rng.uniform(-30_000.0, 30_000.0, (n_t, n_a, 2))
    offset[:, 1] = offset[:, 0]  # assets 0 and 1 coincide: ties
    offset[1, 2] = 0.0
    offset[1, 2, 0] = 10_000.0
    radius = rng.uniform(2_000.0, 20_000.0, n_a)
    radius[1] = radius[0]
    radius[2] = 10_000.0
    return SimpleNamespace(
        n_nations=n_nat, n_threats=n_t, n_assets=n_a, ipp_chol_m=chol, ipp_sigma_m=sigma,
        asset_offset_en_m=offset, asset_radius_m=radius,
    )  # fmt: skip


def _believed_by_definition(fi: SimpleNamespace, z: np.ndarray, margin: float) -> np.ndarray:
    """One cell at a time, from docs/battle.md §3.3: the nearest asset within radius + margin·σ
    of the believed impact point, the lower index on ties; -1 when none."""
    n_nat, n_t, _, n_tr = z.shape
    out = np.full((n_tr, n_nat, n_t), -1)
    for n in range(n_tr):
        for d in range(n_nat):
            for i in range(n_t):
                c = fi.ipp_chol_m[d, i]
                e_e = c[0, 0] * z[d, i, 0, n]
                e_n = c[1, 0] * z[d, i, 0, n] + c[1, 1] * z[d, i, 1, n]
                near, best = math.inf, -1
                for a in range(fi.n_assets):
                    o = fi.asset_offset_en_m[i, a]
                    dist = math.hypot(o[0] - e_e, o[1] - e_n)
                    reach = fi.asset_radius_m[a] + margin * fi.ipp_sigma_m[d, i]
                    if dist <= reach and (best < 0 or dist < near):
                        near, best = dist, a
                out[n, d, i] = best
    return out


def test_believed_assets_compiled_equals_numpy_and_the_definition() -> None:
    rng = np.random.default_rng(7)
    fi = _fake_fight(rng, 3, 9, 5)
    z = rng.standard_normal((3, 9, 2, 60)) * 3.0
    z[0, 1, :, 0] = 0.0  # the believed point on the true impact: asset 2 exactly at its reach
    got = believed_assets(fi, z, 2.0)  # type: ignore[arg-type]
    ref = believed_assets(fi, z, 2.0, compiled=False)  # type: ignore[arg-type]
    np.testing.assert_array_equal(got, ref)
    hypot = _believed_by_definition(fi, z, 2.0)
    # math.hypot may round differently from sqrt(x² + y²) at an exact tie with the reach: the
    # definition and the kernel agree everywhere else
    assert np.mean(got == hypot) > 0.999
    assert (got >= 0).any()
    assert (got == -1).any()
    assert (got == 0).any()
    assert not (got == 1).any()  # asset 1 coincides with asset 0: the lower index wins
    assert (got[:, -1, -1] >= 0).all()  # infinite sigma: some asset is always believed


def test_believed_assets_empty_tables() -> None:
    rng = np.random.default_rng(1)
    fi = _fake_fight(rng, 2, 3, 4)
    fi.n_assets = 0
    out = believed_assets(fi, rng.standard_normal((2, 3, 2, 5)), 1.0)  # type: ignore[arg-type]
    assert out.shape == (5, 2, 3)
    assert (out == -1).all()


@cache
def _flagship() -> tuple[Results, TrackPicture]:
    world = compile_world(load_scenario(EXAMPLES / "korea_japan.yaml"))
    prep = prepare(world)
    res = simulate(world, "integrated", trials=50, seed=4, prepared=prep)
    pic = picture(world, prep.trajectories, world.policies["integrated"], base=prep.sensing)
    return res, pic


def test_fire_control_times_per_nation_equal_one_call_per_key() -> None:
    res, pic = _flagship()
    fi = res.fight
    d = block_draws(4, 0, n_trials=50, n_threats=fi.n_threats, n_nations=fi.n_nations,
                    type_names=res.world.interceptors.name, n_shots=3)  # fmt: skip
    got = FireControl(fi, pic).times(d.fcq_u)
    assert len(set(fi.fc_nation_idx.tolist())) < fi.n_keys  # nations with several keys
    for k in range(fi.n_keys):
        nat, sig = int(fi.fc_nation_idx[k]), float(fi.fc_sigma_m[k])
        one = pic.fire_control_times(nat, sig, d.fcq_u[nat])  # (n_t, n_trial)
        np.testing.assert_array_equal(got[:, k], one.T)
    assert np.isfinite(got).any()


def test_believed_assets_compiled_equals_numpy_on_the_flagship() -> None:
    res, _ = _flagship()
    fi = res.fight
    d = block_draws(4, 0, n_trials=200, n_threats=fi.n_threats, n_nations=fi.n_nations,
                    type_names=res.world.interceptors.name, n_shots=3)  # fmt: skip
    m = fi.doctrine.ipp_margin_sigma
    got = believed_assets(fi, d.ipp_z, m)
    np.testing.assert_array_equal(got, believed_assets(fi, d.ipp_z, m, compiled=False))
    assert (got >= 0).mean() > 0.5
