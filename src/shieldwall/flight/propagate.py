"""Free flight and reentry: a vectorized RK4 integrator over many threats at once.

Each threat is integrated in its own Earth-centred inertial frame, the one that coincides with
ECEF at its launch (t = 0 is the launch), under gravity (mu + J2, or central on the sphere) and
drag ``a = -rho |v_r| v_r g0 / (2 beta)`` with ``v_r = v - omega x r`` the velocity relative to
the co-rotating atmosphere and ``beta = m g0 / (Cd A)`` [Pa]. The right-hand side does not depend
on time in that frame (the J2 field and the atmosphere are axisymmetric), so rotating the Earth
under the flight is exact.

The classical fourth-order Runge-Kutta scheme (Butcher 2016, eq. 235a) runs with a step
chosen per threat: ``dt_max_s`` where drag is negligible, and inside the atmosphere
``atm_step_fraction`` of the e-folding time of the drag force, ``1 / (|dh/dt| / H + 2 a_D / v)``
(density and speed changes; H = 7 km). The last stage's acceleration is reused as the next
step's first (FSAL), so a step costs four force evaluations. Between step ends the state is a
cubic Hermite interpolant (position from position and velocity, velocity from velocity and
acceleration), which places grid samples; the impact and the 100 km reentry crossing come from
Newton on the step's height cubic (heights and exact height rates at both ends) and the apogee
from its analytic apex, so events never shorten steps.

:func:`propagate` runs the scheme one threat at a time in a compiled kernel
(:mod:`shieldwall.flight._kernels`); :func:`propagate_numpy` formulates it over the whole batch,
one numpy operation per stage for every threat in flight (landed threats leave the working
arrays in batches). The two perform the same floating-point operations in the same order and
agree bit for bit (tests/flight/test_propagate.py checks them to 1e-12); the kernel is ~10x
faster at 400 threats (numpy's per-operation overhead, ~100 operations a step, is most of the
batch version's cost).

:func:`propagate_reference` is a plain one-threat-at-a-time version for tests and benchmarks,
on ``scipy.integrate.solve_ivp`` with a terminal height event.

References
----------
- J. C. Butcher (2016), *Numerical Methods for Ordinary Differential Equations*, 3rd ed.
- H. J. Allen, A. J. Eggers (1958), NACA TR-1381 (ballistic coefficient and drag form).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from shieldwall._types import F64
from shieldwall.earth.constants import G0_MPS2, WGS84_A_M, WGS84_B_M, WGS84_E2
from shieldwall.earth.gravity import gravity_central, gravity_j2
from shieldwall.earth.rotation import omega_cross
from shieldwall.flight.model import FlightModel

__all__ = ["FreeFlight", "acceleration", "propagate", "propagate_numpy", "propagate_reference"]


#: Density scale height used by the step policy (not by the physics). [m]
_STEP_SCALE_HEIGHT_M = 7000.0
#: Below this drag acceleration the step is ``dt_max_s``. [m/s^2]
_DRAG_NEGLIGIBLE_MPS2 = 1e-3
#: Smallest step. [s]
_DT_MIN_S = 1e-3
#: Newton (bisection-safeguarded) iterations for event times within a step.
_EVENT_ITERATIONS = 4
#: Height of the reentry interface reported as ``reentry_speed_mps``. [m]
REENTRY_ALT_M = 100e3


@dataclass(frozen=True, kw_only=True)
class FreeFlight:
    """Result of :func:`propagate` (times are since each threat's launch).

    Attributes
    ----------
    impact_t_s
        Time of the descending crossing of the stop height; NaN if not reached. [s]
    impact_r_eci_m, impact_v_eci_mps
        Inertial state at impact, ``(n, 3)``. [m], [m/s]
    apogee_m, apogee_t_s
        Highest height reached after the start state and when. [m], [s]
    reentry_speed_mps
        Earth-relative speed descending through 100 km (NaN if it never did). [m/s]
    peak_decel_mps2, speed_at_peak_decel_mps
        Largest drag deceleration at a step end and the Earth-relative speed then. [m/s^2], [m/s]
    grid_t_s, grid_r_eci_m, grid_v_eci_mps
        Samples at ``k * record_dt_s`` after the start (then the impact state), ``(n, m)``,
        ``(n, m, 3)``; NaN padding. None unless ``record``.
    steps
        Number of integration steps taken (loop iterations).
    """

    impact_t_s: F64
    impact_r_eci_m: F64
    impact_v_eci_mps: F64
    apogee_m: F64
    apogee_t_s: F64
    reentry_speed_mps: F64
    peak_decel_mps2: F64
    speed_at_peak_decel_mps: F64
    grid_t_s: F64 | None
    grid_r_eci_m: F64 | None
    grid_v_eci_mps: F64 | None
    steps: int


def acceleration(
    r_eci_m: F64, v_eci_mps: F64, beta_pa: F64, model: FlightModel
) -> tuple[F64, F64, F64]:
    """Acceleration of ballistic flight in the inertial frame.

    Parameters
    ----------
    r_eci_m, v_eci_mps
        State, ``(k, 3)``. [m], [m/s]
    beta_pa
        Ballistic coefficient ``m g0 / (Cd A)``, ``(k,)``. [Pa]
    model
        Effects to include.

    Returns
    -------
    a_eci_mps2
        Acceleration, ``(k, 3)``. [m/s^2]
    h_m
        Height (:meth:`FlightModel.height`), ``(k,)``. [m]
    drag_mps2
        Magnitude of the drag acceleration, ``(k,)``. [m/s^2]
    """
    if r_eci_m.shape[0] == 1:
        return _acceleration_one_row(r_eci_m, v_eci_mps, beta_pa, model)
    h = model.height(r_eci_m)
    if not model.gravity_on:
        a = np.zeros_like(r_eci_m)
    elif model.j2:
        a = gravity_j2(r_eci_m, model.mu_m3_s2, model.j2)
    else:
        a = gravity_central(r_eci_m, model.mu_m3_s2)
    table = model.density_table
    if table is None:
        return a, h, np.zeros_like(h)
    omega = model.omega_rad_s
    vr = v_eci_mps.copy()
    if omega:  # v - omega x r, written out (no temporary stack)
        vr[:, 0] += omega * r_eci_m[:, 1]
        vr[:, 1] -= omega * r_eci_m[:, 0]
    speed = np.sqrt(np.einsum("ij,ij->i", vr, vr))
    k = table.density(h) * speed * (0.5 * G0_MPS2) / beta_pa
    vr *= k[:, None]
    a -= vr
    return a, h, k * speed


def _acceleration_one_row(
    r_eci_m: F64, v_eci_mps: F64, beta_pa: F64, model: FlightModel
) -> tuple[F64, F64, F64]:
    # acceleration() for one row, on Python floats: with a (1, 3) array numpy's per-call
    # overhead is most of the cost (one-off questions, `shieldwall fly`). The same operations
    # in the same order as FlightModel.height, gravity_j2 / gravity_central and
    # DensityTable.density; only exp and the 3-term dot product may round differently
    # (last bit). Tested against the array path (tests/flight/test_propagate.py).
    (x, y, z), (vx, vy, vz) = r_eci_m.tolist()[0], v_eci_mps.tolist()[0]
    rho2 = x * x + y * y
    r2 = rho2 + z * z
    if model.earth == "sphere":
        h = math.sqrt(r2) - model.sphere_radius_m
    else:
        h = math.sqrt(r2) - WGS84_B_M / math.sqrt(1.0 - WGS84_E2 * rho2 / r2)
    if not model.gravity_on:
        ax = ay = az = 0.0
    else:
        mu = model.mu_m3_s2
        if model.j2:
            inv_r2 = 1.0 / r2
            k = -mu * inv_r2 * math.sqrt(inv_r2)
            c = 1.5 * model.j2 * WGS84_A_M * WGS84_A_M * inv_r2
            s = 5.0 * z * z * inv_r2
            fxy = k * (1.0 - c * (s - 1.0))
            fz = k * (1.0 - c * (s - 3.0))
            ax, ay, az = fxy * x, fxy * y, fz * z
        else:
            d = r2 * math.sqrt(r2)
            ax, ay, az = -mu * x / d, -mu * y / d, -mu * z / d
    table = model.density_table
    drag = 0.0
    if table is not None:
        omega = model.omega_rad_s
        if omega:
            vx += omega * y
            vy -= omega * x
        speed = math.sqrt(vx * vx + vy * vy + vz * vz)
        kd = table.density_one(h) * speed * (0.5 * G0_MPS2) / float(beta_pa[0])
        ax -= vx * kd
        ay -= vy * kd
        az -= vz * kd
        drag = kd * speed
    return np.array([[ax, ay, az]]), np.array([h]), np.array([drag])


def _hermite(s: F64, dt: F64, p0: F64, d0: F64, p1: F64, d1: F64) -> F64:
    # Cubic Hermite on [0, 1]: values p0, p1 and derivatives d0, d1 (per unit time).
    s = s[:, None]
    s2 = s * s
    s3 = s2 * s
    h00 = 2 * s3 - 3 * s2 + 1
    h10 = s3 - 2 * s2 + s
    h01 = -2 * s3 + 3 * s2
    h11 = s3 - s2
    t = dt[:, None]
    return np.asarray(h00 * p0 + h10 * t * d0 + h01 * p1 + h11 * t * d1)


_Step = tuple[F64, F64, F64, F64, F64, F64, F64]


def _interp(step: _Step, sel: NDArray[np.bool_] | NDArray[np.intp], s: F64) -> tuple[F64, F64]:
    # State at fraction s of the step, for the selected threats (mask or row indices).
    dt, r, v, a, r1, v1, a1 = step
    d = dt[sel]
    pos = _hermite(s, d, r[sel], v[sel], r1[sel], v1[sel])
    vel = _hermite(s, d, v[sel], a[sel], v1[sel], a1[sel])
    return pos, vel


def _cubic_terms(s: Any, h0: Any, d0: Any, h1: Any, d1: Any) -> tuple[Any, Any]:
    """Cubic Hermite on [0, 1] (``d0``, ``d1`` per unit ``s``) and its derivative, of floats or
    arrays alike: the arithmetic both integrators make (the compiled kernel compiles this very
    function, :mod:`shieldwall.flight._kernels`)."""
    s2 = s * s
    s3 = s2 * s
    val = (
        (2 * s3 - 3 * s2 + 1) * h0 + (s3 - 2 * s2 + s) * d0 + (-2 * s3 + 3 * s2) * h1
        + (s3 - s2) * d1
    )  # fmt: skip
    der = (6 * s2 - 6 * s) * h0 + (3 * s2 - 4 * s + 1) * d0 + (6 * s - 6 * s2) * h1
    der = der + (3 * s2 - 2 * s) * d1
    return val, der


def _cubic(s: F64, h0: F64, d0: F64, h1: F64, d1: F64) -> tuple[F64, F64]:
    val, der = _cubic_terms(s, h0, d0, h1, d1)
    return np.asarray(val), np.asarray(der)


def _crossing(h0: F64, hd0: F64, h1: F64, hd1: F64, dt: F64, level: float) -> F64:
    # Fraction of the step where the height (a cubic in time from the heights and height
    # rates at the step ends) descends through ``level``: safeguarded Newton from the
    # secant guess, kept inside the bracket [0, 1].
    a, b = h0 - level, h1 - level
    d0, d1 = hd0 * dt, hd1 * dt
    s = np.clip(a / np.where(a - b > 0, a - b, 1.0), 0.0, 1.0)
    lo, hi = np.zeros_like(s), np.ones_like(s)
    for _ in range(_EVENT_ITERATIONS):
        f, df = _cubic(s, a, d0, b, d1)
        lo = np.where(f > 0, s, lo)
        hi = np.where(f > 0, hi, s)
        with np.errstate(divide="ignore", invalid="ignore"):
            step = np.where(df < 0, s - f / df, 0.5 * (lo + hi))
        s = np.where((step >= lo) & (step <= hi), step, 0.5 * (lo + hi))
    return np.asarray(s)


def _apex(h0: F64, hd0: F64, h1: F64, hd1: F64, dt: F64) -> tuple[F64, F64]:
    # Maximum of the height cubic on a step whose height rate changes sign (+ to -):
    # the root of its derivative, a quadratic. Returns (fraction, height).
    d0, d1 = hd0 * dt, hd1 * dt
    # h'(s) = A s^2 + B s + C with the Hermite basis derivatives.
    qa = 6 * h0 + 3 * d0 - 6 * h1 + 3 * d1
    qb = -6 * h0 - 4 * d0 + 6 * h1 - 2 * d1
    qc = d0
    with np.errstate(divide="ignore", invalid="ignore"):
        disc = np.sqrt(np.maximum(qb * qb - 4 * qa * qc, 0.0))
        r1 = (-qb - disc) / (2 * qa)
        r2 = (-qb + disc) / (2 * qa)
        lin = -qc / qb
    cands = np.stack([r1, r2], axis=-1)
    ok = (cands >= 0.0) & (cands <= 1.0) & np.isfinite(cands)
    s = np.where(ok[:, 0], cands[:, 0], np.where(ok[:, 1], cands[:, 1], np.nan))
    s = np.where(np.abs(qa) < 1e-12 * (np.abs(qb) + 1e-300), lin, s)
    s = np.clip(np.nan_to_num(s, nan=0.5), 0.0, 1.0)
    return np.asarray(s), _cubic(s, h0, d0, h1, d1)[0]


def _step_size(h: F64, v_rel: F64, vz: F64, drag: F64, model: FlightModel) -> F64:
    dt = np.full(h.shape, model.dt_max_s)
    if model.density_table is None:
        return dt
    f = model.atm_step_fraction
    # Relative rate of change of the drag: d ln(a_d)/dt = |v_z|/H + 2 a_d/v (density, speed).
    rate = np.abs(vz) / _STEP_SCALE_HEIGHT_M + 2.0 * drag / np.maximum(v_rel, 1.0)
    with np.errstate(divide="ignore"):
        dt_atm = np.minimum(np.maximum(f / rate, _DT_MIN_S), model.dt_max_s)
    return np.asarray(np.where(drag > _DRAG_NEGLIGIBLE_MPS2, dt_atm, dt))


#: First length of the record grid (it doubles as flights outlast it). [samples]
_GRID_START = 512


def _grow(g_t: F64, g_r: F64, g_v: F64, m: int) -> tuple[F64, F64, F64]:
    """The record grid lengthened to ``m`` samples (NaN beyond what was written)."""
    n, old = g_t.shape
    t, r, v = np.empty((n, m)), np.empty((n, m, 3)), np.empty((n, m, 3))
    t[:, :old], r[:, :old], v[:, :old] = g_t, g_r, g_v
    t[:, old:], r[:, old:], v[:, old:] = np.nan, np.nan, np.nan  # each cell written once
    return t, r, v


def propagate(
    r0_eci_m: F64,
    v0_eci_mps: F64,
    t0_s: F64,
    beta_pa: F64,
    model: FlightModel,
    *,
    stop_alt_m: float = 0.0,
    t_max_s: float = 4000.0,
    record: bool = False,
) -> FreeFlight:
    """Integrate ballistic flight of ``n`` threats until each descends through ``stop_alt_m``.

    Parameters
    ----------
    r0_eci_m, v0_eci_mps
        Start (burnout) state in each threat's launch-aligned inertial frame, ``(n, 3)``.
        [m], [m/s]
    t0_s
        Start time since launch, ``(n,)``. [s]
    beta_pa
        Ballistic coefficient, ``(n,)``; ``inf`` for no drag. [Pa]
    model
        Effects and step policy.
    stop_alt_m
        Height whose descending crossing ends the flight (0: impact). [m]
    t_max_s
        Give up (NaN impact) after this time since launch. [s]
    record
        Also return samples on the ``model.record_dt_s`` grid.

    Returns
    -------
    FreeFlight
        Impact, apogee, reentry and (optionally) the sampled trajectory.

    Each threat is integrated on its own, step after step, by the compiled
    :func:`shieldwall.flight._kernels.propagate_rows`: the scheme and floating-point operations
    of :func:`propagate_numpy` (the same results), without numpy's per-operation overhead. A
    single threat (``shieldwall fly``) takes :func:`propagate_numpy`'s Python-float path
    instead: loading numba would cost more than it saves there.
    """
    r0 = np.ascontiguousarray(r0_eci_m, dtype=np.float64).reshape(-1, 3)
    n = r0.shape[0]
    if n <= 1:
        return propagate_numpy(r0_eci_m, v0_eci_mps, t0_s, beta_pa, model,
                               stop_alt_m=stop_alt_m, t_max_s=t_max_s, record=record)  # fmt: skip
    from shieldwall.flight._kernels import propagate_rows

    v0 = np.ascontiguousarray(v0_eci_mps, dtype=np.float64).reshape(n, 3)
    t0 = np.ascontiguousarray(np.broadcast_to(np.asarray(t0_s, dtype=np.float64), (n,)))
    beta = np.ascontiguousarray(np.broadcast_to(np.asarray(beta_pa, dtype=np.float64), (n,)))
    table = model.density_table
    log_rho = table.log_rho if table is not None else np.zeros(2)
    p = np.array([
        model.mu_m3_s2, model.j2, WGS84_A_M, model.sphere_radius_m, WGS84_B_M, WGS84_E2,
        table.bottom_m if table else 0.0, table.step_m if table else 1.0,
        table.top_m if table else 0.0, model.omega_rad_s, G0_MPS2,
        model.dt_max_s, model.atm_step_fraction, _STEP_SCALE_HEIGHT_M, _DRAG_NEGLIGIBLE_MPS2,
        _DT_MIN_S, stop_alt_m, t_max_s, model.record_dt_s, REENTRY_ALT_M,
    ], dtype=np.float64)  # fmt: skip
    switches = [model.gravity_on, bool(model.j2), model.earth != "sphere", table is not None]
    m_max = int(np.ceil(t_max_s / model.record_dt_s)) + 2
    n_grid_j = int(np.ceil(model.dt_max_s / model.record_dt_s)) + 1

    def rows(recording: bool, cap: int) -> tuple[Any, ...]:
        f = np.array([*switches, recording], dtype=np.bool_)  # the kernel's flags, in order
        return tuple(propagate_rows(r0, v0, t0, beta, p, f, np.ascontiguousarray(log_rho),
                                    m_max, n_grid_j, _EVENT_ITERATIONS, cap))  # fmt: skip

    # recording, a first pass finds the grid's width: one allocation, never grown or cut
    got = rows(True, max(int(rows(False, 0)[-1]), 1)) if record else rows(False, 0)
    imp_t, imp_r, imp_v, apo, apo_t, reentry, peak, peak_v, g_t, g_r, g_v, steps, _ = got
    return FreeFlight(
        impact_t_s=imp_t,
        impact_r_eci_m=imp_r,
        impact_v_eci_mps=imp_v,
        apogee_m=apo,
        apogee_t_s=apo_t,
        reentry_speed_mps=reentry,
        peak_decel_mps2=peak,
        speed_at_peak_decel_mps=peak_v,
        grid_t_s=g_t if record else None,
        grid_r_eci_m=g_r if record else None,
        grid_v_eci_mps=g_v if record else None,
        steps=int(steps),
    )


def propagate_numpy(
    r0_eci_m: F64,
    v0_eci_mps: F64,
    t0_s: F64,
    beta_pa: F64,
    model: FlightModel,
    *,
    stop_alt_m: float = 0.0,
    t_max_s: float = 4000.0,
    record: bool = False,
) -> FreeFlight:
    """:func:`propagate` formulated over the whole batch, one numpy operation per step and
    stage for all threats in flight (the reference of the compiled kernel, and the baseline of
    ``benchmarks/bench_flight.py``). Same parameters and results."""
    n = r0_eci_m.shape[0]
    grid_dt = model.record_dt_s
    omega = model.omega_rad_s
    m_max = int(np.ceil(t_max_s / grid_dt)) + 2
    nan3 = np.full((n, 3), np.nan)
    out_imp_t = np.full(n, np.nan)
    out_imp_r, out_imp_v = nan3.copy(), nan3.copy()
    out_apo = np.full(n, -np.inf)
    out_apo_t = np.full(n, np.nan)
    out_reentry = np.full(n, np.nan)
    out_peak = np.zeros(n)
    out_peak_v = np.full(n, np.nan)
    # The record grid grows as the flights do (doubling, up to m_max): a grid as long as the
    # time limit would hold ~340 kB a row, most of it never written.
    cap = min(m_max, _GRID_START)
    g_t = np.full((n, cap), np.nan) if record else None
    g_r = np.full((n, cap, 3), np.nan) if record else None
    g_v = np.full((n, cap, 3), np.nan) if record else None

    ids = np.arange(n)
    r = np.array(r0_eci_m, dtype=np.float64)
    v = np.array(v0_eci_mps, dtype=np.float64)
    t = np.array(t0_s, dtype=np.float64)
    beta = np.broadcast_to(np.asarray(beta_pa, dtype=np.float64), (n,)).copy()
    a, h, drag = acceleration(r, v, beta, model)
    hd = model.height_rate(r, v)
    out_apo[:] = h
    out_apo_t[:] = t
    steps = 0
    grid_j = np.arange(int(np.ceil(model.dt_max_s / grid_dt)) + 1)
    # Landed threats stay in the working arrays (masked out of every event) until a fifth of
    # them have landed, then the arrays are compacted.
    alive = np.ones(n, dtype=bool)
    while ids.size:
        speed = np.sqrt(np.einsum("ij,ij->i", v, v))
        dt = np.minimum(_step_size(h, speed, hd, drag, model), np.maximum(t_max_s - t, _DT_MIN_S))
        hdt = 0.5 * dt[:, None]
        r2 = r + hdt * v
        v2 = v + hdt * a
        a2, _, _ = acceleration(r2, v2, beta, model)
        r3 = r + hdt * v2
        v3 = v + hdt * a2
        a3, _, _ = acceleration(r3, v3, beta, model)
        r4 = r + 2.0 * hdt * v3
        v4 = v + 2.0 * hdt * a3
        a4, _, _ = acceleration(r4, v4, beta, model)
        sixth = dt[:, None] / 6.0
        r1 = r + sixth * (v + 2.0 * v2 + 2.0 * v3 + v4)
        v1 = v + sixth * (a + 2.0 * a2 + 2.0 * a3 + a4)
        a1, h1, drag1 = acceleration(r1, v1, beta, model)
        t1 = t + dt
        steps += 1

        step = (dt, r, v, a, r1, v1, a1)

        # Events from the height cubic of the step (heights and their rates at both ends).
        hd0 = hd
        hd1 = model.height_rate(r1, v1)
        # Impact: the first descending crossing of the stop height.
        hit = alive & (h1 <= stop_alt_m) & (h > stop_alt_m)
        # Give up at t_max (NaN impact).
        lost = alive & ~hit & (t1 >= t_max_s)
        s_end = np.ones_like(dt)
        if hit.any():
            s_hit = _crossing(h[hit], hd0[hit], h1[hit], hd1[hit], dt[hit], stop_alt_m)
            s_end[hit] = s_hit
            p_hit, v_hit = _interp(step, hit, s_hit)
            out_imp_t[ids[hit]] = t[hit] + s_hit * dt[hit]
            out_imp_r[ids[hit]] = p_hit
            out_imp_v[ids[hit]] = v_hit

        # Apogee: largest height; where the height rate changes sign in the step, the apex of
        # the step's height cubic.
        better = alive & (h1 > out_apo[ids])
        out_apo_t[ids[better]] = t1[better]
        out_apo[ids[better]] = h1[better]
        top = alive & (hd0 > 0.0) & (hd1 <= 0.0)
        if top.any():
            s_top, h_top = _apex(h[top], hd0[top], h1[top], hd1[top], dt[top])
            sel_ids = ids[top]
            up = h_top > out_apo[sel_ids]
            out_apo[sel_ids[up]] = h_top[up]
            out_apo_t[sel_ids[up]] = (t[top] + s_top * dt[top])[up]

        # Reentry interface: descending through 100 km.
        entry = alive & (h > REENTRY_ALT_M) & (h1 <= REENTRY_ALT_M)
        if entry.any():
            s_e = _crossing(h[entry], hd0[entry], h1[entry], hd1[entry], dt[entry], REENTRY_ALT_M)
            p_e, v_e = _interp(step, entry, s_e)
            v_rel = v_e - omega_cross(p_e, omega) if omega else v_e
            out_reentry[ids[entry]] = np.sqrt(np.einsum("ij,ij->i", v_rel, v_rel))

        # Peak drag deceleration (at step ends, before impact).
        peak = alive & (drag1 > out_peak[ids]) & ~hit
        out_peak[ids[peak]] = drag1[peak]
        if peak.any():
            vp, rp = v1[peak], r1[peak]
            vr1 = vp - omega_cross(rp, omega) if omega else vp
            out_peak_v[ids[peak]] = np.sqrt(np.einsum("ij,ij->i", vr1, vr1))

        if record:
            assert g_t is not None
            assert g_r is not None
            assert g_v is not None
            # Every grid time inside the step, for all threats at once.
            t_end = t + s_end * dt
            k_next = np.floor(t / grid_dt + 1e-9).astype(np.int64) + 1
            k = k_next[:, None] + grid_j
            tk = k * grid_dt
            rows, cols = np.nonzero(alive[:, None] & (tk <= t_end[:, None] + 1e-12) & (k < m_max))
            need = int(k[rows, cols].max(initial=0)) + 1 if rows.size else 0
            if hit.any():
                t_last = out_imp_t[ids[hit]]
                k_last = np.floor(t_last / grid_dt - 1e-9).astype(np.int64) + 1
                need = max(need, int(np.minimum(k_last, m_max - 1).max()) + 1)
            if need > g_t.shape[1]:
                g_t, g_r, g_v = _grow(g_t, g_r, g_v, min(m_max, max(need, 2 * g_t.shape[1])))
            if rows.size:
                k, tk = k[rows, cols], tk[rows, cols]
                s = (tk - t[rows]) / dt[rows]
                pos, vel = _interp(step, rows, s)
                g_t[ids[rows], k] = tk
                g_r[ids[rows], k] = pos
                g_v[ids[rows], k] = vel
            if hit.any():
                t_hit = out_imp_t[ids[hit]]
                k_hit = np.minimum(np.floor(t_hit / grid_dt - 1e-9).astype(np.int64) + 1, m_max - 1)
                g_t[ids[hit], k_hit] = t_hit
                g_r[ids[hit], k_hit] = out_imp_r[ids[hit]]
                g_v[ids[hit], k_hit] = out_imp_v[ids[hit]]

        r, v, a, h, hd, drag, t = r1, v1, a1, h1, hd1, drag1, t1
        alive &= ~(hit | lost)
        n_dead = alive.size - int(np.count_nonzero(alive))
        if n_dead and (n_dead == alive.size or n_dead >= 0.2 * alive.size):
            keep = alive
            ids = ids[keep]
            r, v, a, h, hd, drag, t, beta = (
                np.asarray(x[keep], dtype=np.float64) for x in (r, v, a, h, hd, drag, t, beta)
            )
            alive = np.ones(ids.size, dtype=bool)

    if record:
        assert g_t is not None
        assert g_r is not None
        assert g_v is not None
        used = np.isfinite(g_t).any(axis=0)
        m_used = int(np.nonzero(used)[0].max()) + 1 if used.any() else 1
        g_t, g_r, g_v = (np.ascontiguousarray(g[:, :m_used]) for g in (g_t, g_r, g_v))
    return FreeFlight(
        impact_t_s=out_imp_t,
        impact_r_eci_m=out_imp_r,
        impact_v_eci_mps=out_imp_v,
        apogee_m=out_apo,
        apogee_t_s=out_apo_t,
        reentry_speed_mps=out_reentry,
        peak_decel_mps2=out_peak,
        speed_at_peak_decel_mps=out_peak_v,
        grid_t_s=g_t,
        grid_r_eci_m=g_r,
        grid_v_eci_mps=g_v,
        steps=steps,
    )


def propagate_reference(
    r0_eci_m: F64,
    v0_eci_mps: F64,
    t0_s: float,
    beta_pa: float,
    model: FlightModel,
    *,
    stop_alt_m: float = 0.0,
    t_max_s: float = 4000.0,
    rtol: float = 1e-10,
    atol: float = 1e-6,
    method: str = "RK45",
) -> tuple[float, F64, F64]:
    """One threat with ``scipy.integrate.solve_ivp`` (same physics as :func:`propagate`).

    Returns
    -------
    impact_t_s, impact_r_eci_m, impact_v_eci_mps
        Time since launch and inertial state at the descending crossing of ``stop_alt_m``
        (NaN if not reached by ``t_max_s``). [s], [m], [m/s]
    """
    from scipy.integrate import solve_ivp

    beta = np.array([beta_pa])

    def rhs(_t: float, y: F64) -> F64:
        a, _, _ = acceleration(y[None, :3], y[None, 3:], beta, model)
        return np.concatenate([y[3:], a[0]])

    def ground(_t: float, y: F64) -> float:
        return float(model.height(y[None, :3])[0]) - stop_alt_m

    ground.terminal = True  # type: ignore[attr-defined]
    ground.direction = -1.0  # type: ignore[attr-defined]
    y0 = np.concatenate([np.asarray(r0_eci_m, float), np.asarray(v0_eci_mps, float)])
    sol = solve_ivp(rhs, (t0_s, t_max_s), y0, method=method, rtol=rtol, atol=atol, events=ground)
    if not sol.t_events[0].size:
        return float("nan"), np.full(3, np.nan), np.full(3, np.nan)
    y = sol.y_events[0][0]
    return float(sol.t_events[0][0]), y[:3], y[3:]
