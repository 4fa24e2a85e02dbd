"""Benchmark: aim 10,000 threat trajectories (mixed SRBM/MRBM, full model) vs scipy solve_ivp.

Ours: :func:`shieldwall.flight.targeting.solve` on all threats at once (boost programme, J2,
Earth rotation, US-1976 drag; each threat aimed to <= 10 m), vectorized RK4.

Baseline, measured in the same run on a subsample: the same full-model shots flown one threat
at a time with ``scipy.integrate.solve_ivp`` (RK45; the same physics written as a plain-Python
scalar right-hand side, the fastest straightforward form; a terminal height event), at the
loosest tolerance whose impact points are as accurate as ours against a tight
DOP853 reference (rtol 1e-12). An aimed trajectory costs as many shots as our solver used on
average, so the baseline time per aimed trajectory is (time per solve_ivp shot) x (mean shots
per trajectory); the cheap inner model and the bookkeeping, common to both, are not charged to
the baseline (which favours it). Both sides are timed twice, in opposite order, and the means
compared, because the load on a shared machine drifts.

Second baseline, the strongest straightforward one on the pipeline's own code path: the same
aim (:func:`~shieldwall.flight.targeting.solve`, every shot) with the batch integrator
formulated in numpy, one array operation per step and stage over all threats in flight
(:func:`shieldwall.flight.propagate.propagate_numpy`, the integrator before the compiled
kernel); the aimed trajectories must agree (printed), and ``ratio_vs_numpy_batch`` is its wall
time over ours (each timed twice, in alternating order, the means compared).

Run: ``uv run python benchmarks/bench_flight.py [--n 10000] [--sample 12]``. The last line is
``ratio_vs_solve_ivp=<x>`` (baseline time per aimed trajectory over ours).
"""

from __future__ import annotations

import argparse
import math
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from shieldwall.earth.constants import (
    G0_MPS2,
    J2_EARTH,
    MU_EARTH_M3_S2,
    WGS84_A_M,
    WGS84_B_M,
    WGS84_E2,
)
from shieldwall.earth.rotation import ecef_to_eci
from shieldwall.flight import targeting as tg
from shieldwall.flight.boost import boost, boost_plane
from shieldwall.flight.model import FlightModel
from shieldwall.flight.propagate import propagate, propagate_numpy, propagate_reference
from shieldwall.scenario.catalog import load_catalog

#: Mixed raid: missile, launch box (lat, lon ranges), aim box. Public, approximate geography.
MIX = [
    ("Scud-B", (38.0, 39.0, 125.0, 126.5), (36.8, 37.6, 126.6, 127.4)),
    ("Scud-C", (38.8, 39.5, 125.3, 127.5), (35.0, 36.2, 127.5, 129.2)),
    ("Scud-ER", (38.8, 39.9, 125.5, 127.6), (33.0, 34.5, 129.0, 132.0)),
    ("KN-23", (38.5, 39.5, 125.3, 126.5), (35.0, 37.5, 126.8, 129.0)),
    ("Nodong", (38.8, 40.2, 125.5, 128.0), (34.5, 36.0, 133.0, 139.8)),
    ("Pukguksong-2", (39.5, 40.5, 124.8, 126.0), (26.0, 33.0, 127.5, 131.0)),
]


def _raid(n: int, seed: int = 1) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    cat = load_catalog()
    k = rng.integers(0, len(MIX), n)
    vals = [cat.get("missile", m[0]).values() for m in MIX]
    lo = np.array([m[1] for m in MIX])[k]
    hi = np.array([m[2] for m in MIX])[k]
    u = rng.random((n, 4))
    launch = np.radians(
        [lo[:, 0] + u[:, 0] * (lo[:, 1] - lo[:, 0]), lo[:, 2] + u[:, 1] * (lo[:, 3] - lo[:, 2])]
    )
    aim = np.radians(
        [hi[:, 0] + u[:, 2] * (hi[:, 1] - hi[:, 0]), hi[:, 2] + u[:, 3] * (hi[:, 3] - hi[:, 2])]
    )
    col = {
        key: np.array([float(v[key]) for v in vals])
        for key in ("max_range_km", "burn_time_s", "burnout_alt_km", "beta_kpa")
    }
    return {
        "k": k,
        "lat0": launch[0], "lon0": launch[1], "lat1": aim[0], "lon1": aim[1],
        "max_range_m": col["max_range_km"] * 1e3, "burn_time_s": col["burn_time_s"],
        "burnout_alt_m": col["burnout_alt_km"] * 1e3, "beta_pa": col["beta_kpa"] * 1e3,
    }  # fmt: skip


def _scalar_shot(
    r0: np.ndarray, v0: np.ndarray, t0: float, beta: float, model: FlightModel, rtol: float
) -> np.ndarray:
    """One full-model shot with solve_ivp RK45 and a plain-Python scalar right-hand side
    (the same physics as :func:`shieldwall.flight.propagate.acceleration`: mu + J2, drag in
    the co-rotating US-1976 atmosphere), the fastest straightforward baseline."""
    from scipy.integrate import solve_ivp

    table = model.density_table
    assert table is not None
    log_rho = table.log_rho.tolist()
    bottom, step, top = table.bottom_m, table.step_m, table.top_m
    last = len(log_rho) - 1.000001
    mu, j2, a_eq, w = MU_EARTH_M3_S2, J2_EARTH, WGS84_A_M, model.omega_rad_s
    b_pol, e2, g_half = WGS84_B_M, WGS84_E2, 0.5 * G0_MPS2 / beta

    def height(x: float, y: float, z: float) -> float:
        rho2 = x * x + y * y
        r2 = rho2 + z * z
        return math.sqrt(r2) - b_pol / math.sqrt(1.0 - e2 * rho2 / r2)

    def rhs(_t: float, s: np.ndarray) -> list[float]:
        x, y, z, vx, vy, vz = s
        r2 = x * x + y * y + z * z
        inv_r2 = 1.0 / r2
        k = -mu * inv_r2 * math.sqrt(inv_r2)
        c = 1.5 * j2 * a_eq * a_eq * inv_r2
        s5 = 5.0 * z * z * inv_r2
        fxy = k * (1.0 - c * (s5 - 1.0))
        fz = k * (1.0 - c * (s5 - 3.0))
        ax, ay, az = fxy * x, fxy * y, fz * z
        h = height(x, y, z)
        if h < top:
            vrx, vry = vx + w * y, vy - w * x
            sp = math.sqrt(vrx * vrx + vry * vry + vz * vz)
            xi = min(max((h - bottom) / step, 0.0), last)
            i = int(xi)
            f = xi - i
            rho = math.exp(log_rho[i] * (1.0 - f) + log_rho[i + 1] * f)
            kd = rho * sp * g_half
            ax, ay, az = ax - kd * vrx, ay - kd * vry, az - kd * vz
        return [vx, vy, vz, ax, ay, az]

    def ground(_t: float, s: np.ndarray) -> float:
        return height(s[0], s[1], s[2])

    ground.terminal = True  # type: ignore[attr-defined]
    ground.direction = -1.0  # type: ignore[attr-defined]
    y0 = np.concatenate([r0, v0])
    sol = solve_ivp(rhs, (t0, 6000.0), y0, method="RK45", rtol=rtol, atol=1e-6, events=ground)
    return np.asarray(sol.y_events[0][0][:3])


def _aim_with(integrator: Callable[..., Any], aim_all: Callable[[], tuple[Any, ...]]) -> Any:
    """``aim_all()`` with the targeting's shots flown by ``integrator`` (then restored)."""
    tg.propagate = integrator  # type: ignore[assignment]
    try:
        return aim_all()
    finally:
        tg.propagate = propagate  # type: ignore[assignment]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--sample", type=int, default=12)
    args = parser.parse_args()
    model = FlightModel()
    raid = _raid(args.n)
    k = raid["k"]

    n = args.n
    nan = np.full(n, np.nan)

    def aim_all() -> tuple[float, tg.Solution, np.ndarray, np.ndarray, np.ndarray]:
        t0 = time.perf_counter()
        xp, vmax = tg.calibrate(
            raid["max_range_m"], raid["burn_time_s"], raid["burnout_alt_m"], raid["beta_pa"], model
        )
        r0 = model.to_ecef(raid["lat0"], raid["lon0"], 0.0)
        aim = model.to_ecef(raid["lat1"], raid["lon1"], 0.0)
        sol = tg.solve(
            r0_ecef_m=r0, aim_ecef_m=aim, shape=np.zeros(n, dtype=np.int64), apogee_m=nan,
            v_exp_mps=nan, gamma_exp_rad=nan, burn_time_s=raid["burn_time_s"][k],
            pitch_frac=xp[k], beta_pa=raid["beta_pa"][k], v_max_mps=vmax[k], model=model,
        )  # fmt: skip
        return time.perf_counter() - t0, sol, xp, r0, aim

    t_ours, sol, xp, r0, _ = aim_all()
    ok = sol.status == tg.OK
    shots = float(sol.shots[ok].mean())
    print(f"aimed {n} trajectories in {t_ours:.2f} s ({n / t_ours:,.0f} trajectories/s); "
          f"{ok.mean() * 100:.1f} % within {tg.MISS_TOL_M:.0f} m (max miss "
          f"{np.nanmax(sol.miss_m[ok]):.1f} m), {shots:.2f} full-model shots per trajectory; "
          + ", ".join(f"{name} {(sol.status == code).sum()}" for code, name in enumerate(tg.STATUS))
          )  # fmt: skip

    # Baseline on a subsample: the final shot of each sampled threat, one at a time.
    idx = np.nonzero(ok)[0][: args.sample]
    T = raid["burn_time_s"][k][idx]
    b = boost(
        boost_plane(r0[idx], sol.az_rad[idx]),
        sol.v_bo_mps[idx],
        sol.gamma_bo_rad[idx],
        T,
        xp[k][idx],
    )
    r_bo, v_bo = ecef_to_eci(b.r_ecef_m, b.v_ecef_mps, T, model.omega_rad_s)
    beta = raid["beta_pa"][k][idx]
    tight = {"method": "DOP853", "rtol": 1e-12, "atol": 1e-6}
    ref = np.array([
        propagate_reference(r_bo[i], v_bo[i], T[i], beta[i], model, **tight)[1]
        for i in range(idx.size)
    ])  # fmt: skip
    mine = propagate(r_bo, v_bo, T, beta, model)
    err_ours = float(np.max(np.linalg.norm(mine.impact_r_eci_m - ref, axis=1)))
    print(f"ours vs DOP853 rtol 1e-12 on the subsample: max impact difference {err_ours:.3f} m")
    chosen = None
    for rtol in (1e-6, 1e-7, 1e-8, 1e-9, 1e-10):
        t1 = time.perf_counter()
        imp = np.array([
            _scalar_shot(r_bo[i], v_bo[i], T[i], beta[i], model, rtol) for i in range(idx.size)
        ])  # fmt: skip
        per_shot = (time.perf_counter() - t1) / idx.size
        err = float(np.max(np.linalg.norm(imp - ref, axis=1)))
        print(f"  solve_ivp RK45 rtol {rtol:.0e}: {per_shot * 1e3:.1f} ms per shot, max impact "
              f"difference {err:.3f} m")  # fmt: skip
        if err <= max(err_ours, 1.0):
            chosen = (rtol, per_shot)
            break
    assert chosen is not None, "solve_ivp did not reach our accuracy"
    # Machine load drifts (a shared 2-core box): time both sides a second time, in the other
    # order, and compare the means.
    t_ours2 = aim_all()[0]
    t1 = time.perf_counter()
    for i in range(idx.size):
        _scalar_shot(r_bo[i], v_bo[i], T[i], beta[i], model, chosen[0])
    per_shot2 = (time.perf_counter() - t1) / idx.size
    print(f"second pass: ours {t_ours2:.2f} s for {n}; solve_ivp {per_shot2 * 1e3:.1f} ms per shot")
    t_ours = 0.5 * (t_ours + t_ours2)
    # the numpy batch integrator on the same aim (the pipeline's path before the kernel)
    t_np1, sol_np, *_ = _aim_with(propagate_numpy, aim_all)
    t_ours3 = aim_all()[0]
    t_np2 = _aim_with(propagate_numpy, aim_all)[0]
    t_ours4 = aim_all()[0]
    same = np.array_equal(sol_np.status, sol.status) and np.allclose(
        sol_np.v_bo_mps, sol.v_bo_mps, rtol=1e-12, equal_nan=True
    )
    t_np, t_ours_b = 0.5 * (t_np1 + t_np2), 0.5 * (t_ours3 + t_ours4)
    print(f"numpy batch integrator: {t_np:.2f} s for {n} aimed (ours {t_ours_b:.2f} s in the "
          f"same passes); same aim to 1e-12: {same}")  # fmt: skip
    print(f"ratio_vs_numpy_batch={t_np / t_ours_b:.1f}")
    baseline = 0.5 * (chosen[1] + per_shot2) * shots
    ours = t_ours / n
    print(f"baseline: {baseline * 1e3:.1f} ms per aimed trajectory (rtol {chosen[0]:.0e} x "
          f"{shots:.2f} shots); ours: {ours * 1e3:.3f} ms per aimed trajectory")  # fmt: skip
    print(f"trajectories_per_second={n / t_ours:.0f}")
    print(f"ratio_vs_solve_ivp={baseline / ours:.1f}")


if __name__ == "__main__":
    main()
