"""Compiled kernel of flight/ (numba, the project's explicit accelerator; STYLE.md).

:func:`propagate_rows` integrates one threat at a time, step after step, with the state in
registers: the RK4 scheme, step policy, events and record grid of
:func:`shieldwall.flight.propagate.propagate_numpy` (the formulation over whole batches, and
the baseline of ``benchmarks/bench_flight.py``), written out with the same floating-point
operations in the same order, so the two agree bit for bit where the platform's ``exp`` and
``pow`` are numpy's (tested; the three-term dot products are summed as numpy's ``einsum``
sums them, ``(x² + z²) + y²``). The batch formulation pays numpy's per-call overhead for every
operation of every step (~1.5 ms a step for 1,000 threats, ~100 operations); a threat-by-threat
loop pays none and never visits a landed threat.

Imported on first use (commands that fly nothing never load numba).
"""

from __future__ import annotations

import math

import numpy as np

from shieldwall._jit import njit
from shieldwall.flight.propagate import _cubic_terms

__all__ = ["propagate_rows"]

# indices into the model's parameter vector ``p`` (see shieldwall.flight.propagate._params)
_MU, _J2, _REQ, _SPHERE_R, _B, _E2, _BOTTOM, _STEP, _TOP, _OMEGA, _G0 = range(11)
_DT_MAX, _ATM_FRAC, _SCALE_H, _DRAG_NEG, _DT_MIN, _STOP, _T_MAX, _GRID_DT, _REENTRY = range(11, 20)
#: flags in ``f``: gravity on, J2, WGS-84 (not a sphere), atmosphere, record
_GRAV, _HAS_J2, _WGS84, _ATM, _RECORD = range(5)


@njit(cache=True, nogil=True)
def _nmax(a, b):
    """``np.maximum`` of two floats (NaN if either is)."""
    if a != a or b != b:
        return math.nan
    return a if a >= b else b


@njit(cache=True, nogil=True)
def _nmin(a, b):
    """``np.minimum`` of two floats (NaN if either is)."""
    if a != a or b != b:
        return math.nan
    return a if a <= b else b


@njit(cache=True, nogil=True)
def _height(x, y, z, p, f):
    rho2 = x * x + y * y
    r2 = rho2 + z * z
    r = math.sqrt(r2)
    if not f[_WGS84]:
        return r - p[_SPHERE_R]
    return r - p[_B] / math.sqrt(1.0 - p[_E2] * rho2 / r2)


@njit(cache=True, nogil=True)
def _height_rate(x, y, z, vx, vy, vz, p, f):
    rho2 = x * x + y * y
    r2 = rho2 + z * z
    rv = x * vx + y * vy + z * vz
    radial = rv / math.sqrt(r2)
    if not f[_WGS84]:
        return radial
    q = rho2 / r2
    dq = 2.0 * ((x * vx + y * vy) * r2 - rho2 * rv) / (r2 * r2)
    d_radius = 0.5 * p[_B] * p[_E2] * (1.0 - p[_E2] * q) ** -1.5
    return radial - d_radius * dq


@njit(cache=True, nogil=True)
def _density(h, p, log_rho):
    """DensityTable.density at one height."""
    if h != h:
        return math.nan
    x = (h - p[_BOTTOM]) / p[_STEP]
    x = min(max(x, 0.0), log_rho.size - 1.000001)  # x is not NaN here: fmax/fmin agree
    i = int(x)
    fr = x - i
    lr = log_rho[i] * (1.0 - fr) + log_rho[i + 1] * fr
    return 0.0 if h > p[_TOP] else math.exp(lr)


@njit(cache=True, nogil=True)
def _accel(x, y, z, vx, vy, vz, beta, p, f, log_rho, out):
    """acceleration() of one threat: ``out`` = (ax, ay, az, h, drag)."""
    h = _height(x, y, z, p, f)
    ax = ay = az = 0.0
    if f[_GRAV]:
        r2 = x * x + y * y + z * z
        if f[_HAS_J2]:
            inv_r2 = 1.0 / r2
            k = -p[_MU] * inv_r2 * math.sqrt(inv_r2)
            c = 1.5 * p[_J2] * p[_REQ] * p[_REQ] * inv_r2
            s = 5.0 * z * z * inv_r2
            fxy = k * (1.0 - c * (s - 1.0))
            fz = k * (1.0 - c * (s - 3.0))
            ax, ay, az = fxy * x, fxy * y, fz * z
        else:
            r2 = (x * x + z * z) + y * y  # einsum's order
            d = r2 * math.sqrt(r2)
            ax, ay, az = -p[_MU] * x / d, -p[_MU] * y / d, -p[_MU] * z / d
    drag = 0.0
    if f[_ATM]:
        om = p[_OMEGA]
        wx, wy, wz = vx, vy, vz
        if om != 0.0:
            wx += om * y
            wy -= om * x
        speed = math.sqrt((wx * wx + wz * wz) + wy * wy)
        kd = _density(h, p, log_rho) * speed * (0.5 * p[_G0]) / beta
        ax -= wx * kd
        ay -= wy * kd
        az -= wz * kd
        drag = kd * speed
    out[0], out[1], out[2], out[3], out[4] = ax, ay, az, h, drag


_cubic = njit(cache=True, nogil=True)(_cubic_terms)  # the numpy integrator's own cubic


@njit(cache=True, nogil=True)
def _crossing(h0, hd0, h1, hd1, dt, level, iterations):
    a, b = h0 - level, h1 - level
    d0, d1 = hd0 * dt, hd1 * dt
    s = a / (a - b if a - b > 0 else 1.0)
    s = min(max(s, 0.0), 1.0) if s == s else s
    lo, hi = 0.0, 1.0
    for _ in range(iterations):
        fv, df = _cubic(s, a, d0, b, d1)
        if fv > 0:
            lo = s
        else:
            hi = s
        step = s - fv / df if df < 0 else 0.5 * (lo + hi)
        s = step if (step >= lo and step <= hi) else 0.5 * (lo + hi)
    return s


@njit(cache=True, nogil=True)
def _apex(h0, hd0, h1, hd1, dt):
    d0, d1 = hd0 * dt, hd1 * dt
    qa = 6 * h0 + 3 * d0 - 6 * h1 + 3 * d1
    qb = -6 * h0 - 4 * d0 + 6 * h1 - 2 * d1
    qc = d0
    disc = math.sqrt(_nmax(qb * qb - 4 * qa * qc, 0.0))
    two_a = 2 * qa
    r1 = (-qb - disc) / two_a if two_a != 0.0 else _div0(-qb - disc)
    r2 = (-qb + disc) / two_a if two_a != 0.0 else _div0(-qb + disc)
    lin = -qc / qb if qb != 0.0 else _div0(-qc)
    ok1 = r1 >= 0.0 and r1 <= 1.0 and math.isfinite(r1)
    ok2 = r2 >= 0.0 and r2 <= 1.0 and math.isfinite(r2)
    s = r1 if ok1 else (r2 if ok2 else math.nan)
    if abs(qa) < 1e-12 * (abs(qb) + 1e-300):
        s = lin
    if s != s:
        s = 0.5
    s = min(max(s, 0.0), 1.0)  # nan_to_num's +-inf (the largest floats) clip to 1 and 0
    return s, _cubic(s, h0, d0, h1, d1)[0]


@njit(cache=True, nogil=True)
def _div0(num):
    """``num / 0.0`` as numpy gives it (errors ignored): +-inf, or NaN for 0 / 0."""
    if num != num or num == 0.0:
        return math.nan
    return math.inf if num > 0 else -math.inf


@njit(cache=True, nogil=True)
def _step_size(h, speed, hd, drag, p, f):
    if not f[_ATM]:
        return p[_DT_MAX]
    if not drag > p[_DRAG_NEG]:
        return p[_DT_MAX]
    rate = abs(hd) / p[_SCALE_H] + 2.0 * drag / _nmax(speed, 1.0)
    q = p[_ATM_FRAC] / rate if rate != 0.0 else _div0(p[_ATM_FRAC])
    return _nmin(_nmax(q, p[_DT_MIN]), p[_DT_MAX])


@njit(cache=True, nogil=True)
def _hermite(s, dt, p0, d0, p1, d1):
    s2 = s * s
    s3 = s2 * s
    h00 = 2 * s3 - 3 * s2 + 1
    h10 = s3 - 2 * s2 + s
    h01 = -2 * s3 + 3 * s2
    h11 = s3 - s2
    return h00 * p0 + h10 * dt * d0 + h01 * p1 + h11 * dt * d1


@njit(cache=True, nogil=True)
def _write(g_r, g_v, i, k, s, dt, st, s1):
    """Grid sample ``k`` of threat ``i`` at fraction ``s`` of the step from ``st`` to ``s1``
    (each ``(x, y, z, vx, vy, vz, ax, ay, az)``)."""
    for c in range(3):
        g_r[i, k, c] = _hermite(s, dt, st[c], st[3 + c], s1[c], s1[3 + c])
        g_v[i, k, c] = _hermite(s, dt, st[3 + c], st[6 + c], s1[3 + c], s1[6 + c])


@njit(cache=True, nogil=True)
def _grown(g, m):
    """``g`` (``(n, old)`` or ``(n, old, 3)``) lengthened to ``m`` columns, NaN beyond."""
    shape = (g.shape[0], m, *g.shape[2:])
    out = np.full(shape, np.nan)
    out[:, : g.shape[1]] = g
    return out


@njit(cache=True, nogil=True)
def propagate_rows(r0, v0, t0, beta, p, f, log_rho, m_max, n_grid_j, iterations, cap):
    """Integrate each threat until it descends through the stop height (see the module).

    ``p`` and ``f``: the model's constants and switches (indices above); ``cap``: the record
    grid's first length (it doubles when outgrown). Returns the event arrays, the record grid
    (``(n, used)``; empty when not recording), the number of steps of the longest flight and
    ``used``, the record grid's width (also computed when not recording)."""
    n = r0.shape[0]
    imp_t = np.full(n, np.nan)
    imp_r = np.full((n, 3), np.nan)
    imp_v = np.full((n, 3), np.nan)
    apo = np.full(n, -np.inf)
    apo_t = np.full(n, np.nan)
    reentry = np.full(n, np.nan)
    peak = np.zeros(n)
    peak_v = np.full(n, np.nan)
    record = f[_RECORD]
    width = cap if record else 0
    g_t = np.full((n, width), np.nan)
    g_r = np.full((n, width, 3), np.nan)
    g_v = np.full((n, width, 3), np.nan)
    used = 0  # columns written (the grid's final width)
    grid_dt, stop, t_max, om = p[_GRID_DT], p[_STOP], p[_T_MAX], p[_OMEGA]
    st = np.empty(9)  # state at the step's start (r, v, a)
    s1 = np.empty(9)  # at its end
    mid = np.empty(5)
    longest = 0
    for i in range(n):
        x, y, z = r0[i, 0], r0[i, 1], r0[i, 2]
        vx, vy, vz = v0[i, 0], v0[i, 1], v0[i, 2]
        t = t0[i]
        b = beta[i]
        _accel(x, y, z, vx, vy, vz, b, p, f, log_rho, mid)
        ax, ay, az, h, drag = mid[0], mid[1], mid[2], mid[3], mid[4]
        hd = _height_rate(x, y, z, vx, vy, vz, p, f)
        apo[i] = h
        apo_t[i] = t
        steps = 0
        while True:
            speed = math.sqrt((vx * vx + vz * vz) + vy * vy)
            dt = _nmin(_step_size(h, speed, hd, drag, p, f), _nmax(t_max - t, p[_DT_MIN]))
            hdt = 0.5 * dt
            x2, y2, z2 = x + hdt * vx, y + hdt * vy, z + hdt * vz
            vx2, vy2, vz2 = vx + hdt * ax, vy + hdt * ay, vz + hdt * az
            _accel(x2, y2, z2, vx2, vy2, vz2, b, p, f, log_rho, mid)
            ax2, ay2, az2 = mid[0], mid[1], mid[2]
            x3, y3, z3 = x + hdt * vx2, y + hdt * vy2, z + hdt * vz2
            vx3, vy3, vz3 = vx + hdt * ax2, vy + hdt * ay2, vz + hdt * az2
            _accel(x3, y3, z3, vx3, vy3, vz3, b, p, f, log_rho, mid)
            ax3, ay3, az3 = mid[0], mid[1], mid[2]
            x4, y4, z4 = x + 2.0 * hdt * vx3, y + 2.0 * hdt * vy3, z + 2.0 * hdt * vz3
            vx4, vy4, vz4 = vx + 2.0 * hdt * ax3, vy + 2.0 * hdt * ay3, vz + 2.0 * hdt * az3
            _accel(x4, y4, z4, vx4, vy4, vz4, b, p, f, log_rho, mid)
            ax4, ay4, az4 = mid[0], mid[1], mid[2]
            sixth = dt / 6.0
            x1 = x + sixth * (vx + 2.0 * vx2 + 2.0 * vx3 + vx4)
            y1 = y + sixth * (vy + 2.0 * vy2 + 2.0 * vy3 + vy4)
            z1 = z + sixth * (vz + 2.0 * vz2 + 2.0 * vz3 + vz4)
            vx1 = vx + sixth * (ax + 2.0 * ax2 + 2.0 * ax3 + ax4)
            vy1 = vy + sixth * (ay + 2.0 * ay2 + 2.0 * ay3 + ay4)
            vz1 = vz + sixth * (az + 2.0 * az2 + 2.0 * az3 + az4)
            _accel(x1, y1, z1, vx1, vy1, vz1, b, p, f, log_rho, mid)
            ax1, ay1, az1, h1, drag1 = mid[0], mid[1], mid[2], mid[3], mid[4]
            t1 = t + dt
            steps += 1
            st[0], st[1], st[2], st[3], st[4], st[5], st[6], st[7], st[8] = (
                x, y, z, vx, vy, vz, ax, ay, az
            )  # fmt: skip
            s1[0], s1[1], s1[2], s1[3], s1[4], s1[5], s1[6], s1[7], s1[8] = (
                x1, y1, z1, vx1, vy1, vz1, ax1, ay1, az1
            )  # fmt: skip
            hd1 = _height_rate(x1, y1, z1, vx1, vy1, vz1, p, f)
            hit = h1 <= stop and h > stop
            lost = not hit and t1 >= t_max
            s_end = 1.0
            if hit:
                s_hit = _crossing(h, hd, h1, hd1, dt, stop, iterations)
                s_end = s_hit
                imp_t[i] = t + s_hit * dt
                for c in range(3):
                    imp_r[i, c] = _hermite(s_hit, dt, st[c], st[3 + c], s1[c], s1[3 + c])
                    imp_v[i, c] = _hermite(s_hit, dt, st[3 + c], st[6 + c], s1[3 + c],
                                           s1[6 + c])  # fmt: skip
            if h1 > apo[i]:
                apo_t[i] = t1
                apo[i] = h1
            if hd > 0.0 and hd1 <= 0.0:
                s_top, h_top = _apex(h, hd, h1, hd1, dt)
                if h_top > apo[i]:
                    apo[i] = h_top
                    apo_t[i] = t + s_top * dt
            if h > p[_REENTRY] and h1 <= p[_REENTRY]:
                s_e = _crossing(h, hd, h1, hd1, dt, p[_REENTRY], iterations)
                ex = _hermite(s_e, dt, x, vx, x1, vx1)
                ey = _hermite(s_e, dt, y, vy, y1, vy1)
                evx = _hermite(s_e, dt, vx, ax, vx1, ax1)
                evy = _hermite(s_e, dt, vy, ay, vy1, ay1)
                evz = _hermite(s_e, dt, vz, az, vz1, az1)
                if om != 0.0:
                    evx, evy = evx - (-om * ey), evy - om * ex
                reentry[i] = math.sqrt((evx * evx + evz * evz) + evy * evy)
            if drag1 > peak[i] and not hit:
                peak[i] = drag1
                wx, wy = vx1, vy1
                if om != 0.0:
                    wx, wy = vx1 - (-om * y1), vy1 - om * x1
                peak_v[i] = math.sqrt((wx * wx + vz1 * vz1) + wy * wy)
            # the record grid's samples in this step: k_next .. need - 1, then the impact's
            t_end = t + s_end * dt
            k_next = math.floor(t / grid_dt + 1e-9) + 1
            need = 0
            for j in range(n_grid_j):
                k = k_next + j
                if k * grid_dt <= t_end + 1e-12 and k < m_max:
                    need = k + 1
            k_hit = -1
            if hit:
                k_hit = min(math.floor(imp_t[i] / grid_dt - 1e-9) + 1, m_max - 1)
                need = max(need, k_hit + 1)
            used = max(used, need)
            if record:
                if need > g_t.shape[1]:
                    m = min(m_max, max(need, 2 * g_t.shape[1]))
                    g_t, g_r, g_v = _grown(g_t, m), _grown(g_r, m), _grown(g_v, m)
                for j in range(n_grid_j):
                    k = k_next + j
                    tk = k * grid_dt
                    if tk <= t_end + 1e-12 and k < m_max:
                        g_t[i, k] = tk
                        _write(g_r, g_v, i, k, (tk - t) / dt, dt, st, s1)
                if k_hit >= 0:
                    g_t[i, k_hit] = imp_t[i]
                    for c in range(3):
                        g_r[i, k_hit, c] = imp_r[i, c]
                        g_v[i, k_hit, c] = imp_v[i, c]
            x, y, z, vx, vy, vz, ax, ay, az = x1, y1, z1, vx1, vy1, vz1, ax1, ay1, az1
            h, hd, drag, t = h1, hd1, drag1, t1
            if hit or lost:
                break
        longest = max(longest, steps)
    if record and g_t.shape[1] != max(used, 1):
        width = max(used, 1)
        g_t = np.ascontiguousarray(g_t[:, :width])
        g_r = np.ascontiguousarray(g_r[:, :width])
        g_v = np.ascontiguousarray(g_v[:, :width])
    return imp_t, imp_r, imp_v, apo, apo_t, reentry, peak, peak_v, g_t, g_r, g_v, longest, used
