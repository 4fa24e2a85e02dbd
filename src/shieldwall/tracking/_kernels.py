"""Compiled kernels of tracking/ (numba, the project's explicit accelerator; STYLE.md).

Imported on first use (commands that do not track never load numba). One filter — a nation's
picture of one threat — is run at a time, sample by sample, with its 6x6 algebra written out:
the same recursion as :func:`shieldwall.tracking.covariance.recursion` and
:func:`~shieldwall.tracking.covariance.lagged_rerun` (their numpy formulation over whole batches
is the reference; the two agree to rounding, tested), with two savings that only a per-filter
loop allows: padding is never visited, and where only the fire-control crossing is wanted the
delayed picture is computed only at the samples where it can cross.
"""

from __future__ import annotations

import math

import numpy as np

from shieldwall._jit import njit

__all__ = ["fire_control_trials", "look_information_rows", "run_filters"]


@njit(cache=True, nogil=True)
def _process_noise(q, dt, Q):
    """White-acceleration ``Q`` of one step (Bar-Shalom 2001, eq. 6.2.2-12)."""
    Q[:, :] = 0.0
    a3 = abs(dt) ** 3 / 3.0 * q
    a2 = dt * dt / 2.0 * q
    a1 = abs(dt) * q
    for i in range(3):
        Q[i, i] = a3
        Q[i, 3 + i] = a2
        Q[3 + i, i] = a2
        Q[3 + i, 3 + i] = a1


@njit(cache=True, nogil=True)
def _predict(P, F, Q, tmp):
    """``P ← F P Fᵀ + Q`` in place (``tmp`` 6x6 scratch)."""
    for i in range(6):
        for j in range(6):
            s = 0.0
            for k in range(6):
                s += F[i, k] * P[k, j]
            tmp[i, j] = s
    for i in range(6):
        for j in range(6):
            s = 0.0
            for k in range(6):
                s += tmp[i, k] * F[j, k]
            P[i, j] = s + Q[i, j]


@njit(cache=True, nogil=True)
def _update(P, J, A, G):
    """Information-form update ``P ← (P⁻¹ + J)⁻¹`` with position information ``J`` (3x3), as
    ``P − P₍:,r₎ (I + J P_rr)⁻¹ J P₍r,:₎`` symmetrized; unchanged when ``trace(J) = 0``."""
    if not J[0, 0] + J[1, 1] + J[2, 2] > 0.0:
        return
    for i in range(3):
        for j in range(3):
            s = 0.0
            for k in range(3):
                s += J[i, k] * P[k, j]
            A[i, j] = s + (1.0 if i == j else 0.0)
    a, b, c = A[0, 0], A[0, 1], A[0, 2]
    d, e, f = A[1, 0], A[1, 1], A[1, 2]
    g, h, k_ = A[2, 0], A[2, 1], A[2, 2]
    i00, i01, i02 = e * k_ - f * h, c * h - b * k_, b * f - c * e
    i10, i11, i12 = f * g - d * k_, a * k_ - c * g, c * d - a * f
    i20, i21, i22 = d * h - e * g, b * g - a * h, a * e - b * d
    det = a * i00 + b * i10 + c * i20
    # M = (I + J P_rr)^-1 J, stored in A
    for j in range(3):
        j0, j1, j2 = J[0, j], J[1, j], J[2, j]
        A[0, j] = (i00 * j0 + i01 * j1 + i02 * j2) / det
        A[1, j] = (i10 * j0 + i11 * j1 + i12 * j2) / det
        A[2, j] = (i20 * j0 + i21 * j1 + i22 * j2) / det
    # G = P[:, :3] M P[:3, :]
    for i in range(6):
        c0 = P[i, 0] * A[0, 0] + P[i, 1] * A[1, 0] + P[i, 2] * A[2, 0]
        c1 = P[i, 0] * A[0, 1] + P[i, 1] * A[1, 1] + P[i, 2] * A[2, 1]
        c2 = P[i, 0] * A[0, 2] + P[i, 1] * A[1, 2] + P[i, 2] * A[2, 2]
        for j in range(6):
            G[i, j] = c0 * P[0, j] + c1 * P[1, j] + c2 * P[2, j]
    for i in range(6):
        for j in range(i, 6):
            v = 0.5 * ((P[i, j] - G[i, j]) + (P[j, i] - G[j, i]))
            P[i, j] = v
            P[j, i] = v


@njit(cache=True, nogil=True)
def _ipp(P, psi, cov):
    """IPP covariance ``Ψ P Ψᵀ`` (2x2, into ``cov``) and its 1-sigma (largest axis)."""
    for a in range(2):
        for b in range(2):
            s = 0.0
            for i in range(6):
                t = 0.0
                for j in range(6):
                    t += P[i, j] * psi[b, j]
                s += psi[a, i] * t
            cov[a, b] = s
    x, y, z = cov[0, 0], cov[0, 1], cov[1, 1]
    lam = 0.5 * (x + z) + np.sqrt(0.25 * (x - z) * (x - z) + y * y)
    if np.isfinite(lam):
        return np.sqrt(max(lam, 0.0))
    return np.inf


@njit(cache=True, nogil=True)
def _information(row, radar, w, kinit, rlag, t, c, k, max_lag, J):
    """``J`` ← the information taken at sample ``k`` (grid cell ``c``) of threat ``t`` by the
    received radars (``0 ≤ lag ≤ max_lag``) after their own track initiation; returns whether
    a radar with a positive lag contributed."""
    J[:, :] = 0.0
    late = False
    for e in range(row[c], row[c + 1]):
        r = radar[e]
        lag = rlag[r]
        if lag < 0 or lag > max_lag or k < kinit[r, t]:
            continue
        J[0, 0] += w[e, 0]
        J[1, 1] += w[e, 1]
        J[2, 2] += w[e, 2]
        J[0, 1] += w[e, 3]
        J[0, 2] += w[e, 4]
        J[1, 2] += w[e, 5]
        if lag > 0 and w[e, 0] + w[e, 1] + w[e, 2] > 0.0:
            late = True
    J[1, 0] = J[0, 1]
    J[2, 0] = J[0, 2]
    J[2, 1] = J[1, 2]
    return late


@njit(cache=True, nogil=True)
def run_filters(
    F,
    q,
    dt,
    psi,
    ipp_ok,
    length,
    row,
    radar,
    w,
    kinit,
    rlag,
    max_lag,
    p0,
    reqs,
    k_start,
    kx,
    cx,
    series,
    cov_out,
    pos_out,
):
    """Every nation's picture of every threat of a chunk (see the module doc).

    Parameters
    ----------
    F, q, dt, psi
        ``(n_t, m, 6, 6)`` step transitions, ``(n_t, m)`` process-noise density and step,
        ``(n_t, m, 2, 6)`` IPP sensitivities.
    ipp_ok, length
        ``(n_t, m)`` samples with an IPP (after boost), ``(n_t,)`` valid samples per threat.
    row, radar, w
        Radar information at looks, by sample: entries ``row[t m + k] : row[t m + k + 1]``,
        their radar and the six distinct entries of ``w · Hᵀ R⁻¹ H`` (xx, yy, zz, xy, xz, yz).
    kinit
        ``(n_radar, n_t)`` sample of each radar's own track initiation.
    rlag, max_lag
        ``(n_nat, n_radar)`` lag in samples of each radar's data at each nation (-1 not
        received) and ``(n_nat,)`` the re-run depth ``D``.
    p0, reqs
        Track prior (6x6) and IPP 1-sigma requirements ``(n_req,)``.
    k_start, kx, cx
        Outputs ``(n_nat, n_t)`` start sample (``m`` never), ``(n_nat, n_t, n_req)`` first
        sample at which the picture's IPP 1-sigma is within each requirement (-1 never) and
        the IPP covariance there ``(n_nat, n_t, n_req, 2, 2)``.
    series, cov_out, pos_out
        When ``series``: also the IPP covariance ``(n_nat, n_t, m, 2, 2)`` and position
        covariance ``(n_nat, n_t, m, 3, 3)`` (pass ``(0, 0, 0, 3, 3)`` for none) at every
        sample; else only the crossings, and a filter stops once it has crossed every
        requirement.
    """
    n_nat = rlag.shape[0]
    n_t, m = F.shape[0], F.shape[1]
    n_req = reqs.shape[0]
    want_pos = pos_out.shape[0] > 0
    P = np.empty((6, 6))
    Pw = np.empty((6, 6))
    Q = np.empty((6, 6))
    J = np.empty((3, 3))
    A = np.empty((3, 3))
    G = np.empty((6, 6))
    tmp = np.empty((6, 6))
    cov = np.empty((2, 2))
    for n in range(n_nat):
        D = max_lag[n]
        lags = rlag[n]
        ring = np.empty((D + 1, 6, 6))  # the undelayed picture at k - D .. k
        late_at = np.zeros(max(D, 1), np.int64)  # late data taken at k - D + 1 .. k
        for t in range(n_t):
            L = length[t]
            ks = -1
            n_late = 0
            late_at[:] = 0
            left = n_req
            for k in range(L):
                late = _information(row, radar, w, kinit, lags, t, t * m + k, k, D, J)
                if ks < 0:
                    if not J[0, 0] + J[1, 1] + J[2, 2] > 0.0:
                        continue
                    ks = k
                    k_start[n, t] = k
                    P[:, :] = p0
                else:
                    _process_noise(q[t, k - 1], dt[t, k - 1], Q)
                    _predict(P, F[t, k - 1], Q, tmp)
                _update(P, J, A, G)
                ring[k % (D + 1)] = P
                if D > 0:
                    n_late += int(late) - late_at[k % D]
                    late_at[k % D] = int(late)
                if not series and not ipp_ok[t, k]:
                    continue
                if not series and left == 0:
                    break
                delayed = D > 0 and n_late > 0
                if delayed and not series:
                    # the delayed picture holds less than the undelayed one, so it cannot
                    # cross a requirement the undelayed one does not meet here
                    loosest = -1.0
                    for r in range(n_req):
                        if kx[n, t, r] < 0 and reqs[r] > loosest:
                            loosest = reqs[r]
                    if _ipp(P, psi[t, k], cov) > loosest:
                        continue
                if delayed:
                    base = k - D
                    started = base >= ks
                    if started:
                        Pw[:, :] = ring[base % (D + 1)]
                    for j in range(1, D + 1):
                        i = base + j
                        if i < 0:
                            continue
                        if started and i >= 1:
                            _process_noise(q[t, i - 1], dt[t, i - 1], Q)
                            _predict(Pw, F[t, i - 1], Q, tmp)
                        elif not started and i == ks:
                            Pw[:, :] = p0
                            started = True
                        if started:
                            _information(row, radar, w, kinit, lags, t, t * m + i, i, D - j, J)
                            _update(Pw, J, A, G)
                    pic = Pw
                else:
                    pic = P
                if want_pos:
                    pos_out[n, t, k] = pic[:3, :3]
                if not ipp_ok[t, k]:
                    continue
                sig = _ipp(pic, psi[t, k], cov)
                if series:
                    cov_out[n, t, k] = cov
                for r in range(n_req):
                    if kx[n, t, r] < 0 and sig <= reqs[r]:
                        kx[n, t, r] = k
                        cx[n, t, r] = cov
                        left -= 1


@njit(cache=True, nogil=True)
def ipp_rows(F, last, en_proj, psi):
    """``Ψ = E Π Φ(t_imp, t_k)[0:3]`` of every sample of every threat, into ``psi``.

    ``F (n_t, m, 6, 6)`` step transitions, ``last (n_t,)`` the impact sample, ``en_proj (n_t,
    2, 3)`` the east/north ground-intersection projection at impact, ``psi (n_t, m, 2, 6)``
    (left as it is after the impact sample). The transition to impact is accumulated backwards
    from the impact, one step per sample.
    """
    acc = np.empty((6, 6))
    nxt = np.empty((6, 6))
    for t in range(F.shape[0]):
        acc[:, :] = 0.0
        for i in range(6):
            acc[i, i] = 1.0
        for k in range(last[t], -1, -1):
            if k < last[t]:
                for i in range(6):
                    for j in range(6):
                        s = 0.0
                        for l in range(6):
                            s += acc[i, l] * F[t, k, l, j]
                        nxt[i, j] = s
                acc[:, :] = nxt
            for a in range(2):
                for j in range(6):
                    s = 0.0
                    for l in range(3):
                        s += en_proj[t, a, l] * acc[l, j]
                    psi[t, k, a, j] = s


@njit(cache=True, nogil=True)
def _quantile_times(cdf, off, length, t_row, u, bins, table, out):
    """First-track times of one threat row for the quantiles ``u``: the operations of
    :func:`shieldwall.tracking.initiation.quantile_index` (the per-bin cumulative histogram,
    then a binary search inside a bracket holding more than one sample) and the time lookup of
    ``TrackPicture._first_track_times``, for one row."""
    for b in range(bins + 2):
        table[b] = 0
    for k in range(length):
        table[min(np.int64(math.floor(cdf[off + k] * bins)) + 1, bins + 1)] += 1
    acc = 0
    for b in range(bins + 2):
        acc += table[b]
        table[b] = acc
    last = max(length - 1, 0)
    for q in range(u.shape[0]):
        x = u[q]
        b = min(np.int64(math.floor(x * bins)), bins - 1)
        lo = table[b]
        hi = table[b + 1]
        while lo < hi:
            mid = (lo + hi) >> 1
            if cdf[off + mid] < x:
                lo = mid + 1
            else:
                hi = mid
        out[q] = t_row[min(lo, last)] if lo < length else np.inf


@njit(cache=True, nogil=True)
def fire_control_trials(cdf, offsets, lengths, t_s, u, bins, nominal, ipp_from, out):
    """Per-trial fire-control times of one nation (``TrackPicture.fire_control_times``; its
    numpy formulation is the check: identical, tested), threat by threat.

    ``u (n_threat, n_trial)`` quantiles; ``nominal (n_req, n_threat)`` nominal fire-control
    times; writes ``out (n_req, n_threat, n_trial)``: ``max(Q(u) + Δ, ipp_from)`` with ``Δ =
    nominal − Q(½)``, ``inf`` where the nominal time, the median or ``Q(u)`` is not finite;
    ``np.maximum``'s NaN rule.
    """
    n_t, n_q = u.shape
    n_req = nominal.shape[0]
    table = np.empty(bins + 2, dtype=np.int64)
    t_first = np.empty(n_q)
    half = np.full(1, 0.5)
    t_half = np.empty(1)
    for i in range(n_t):
        _quantile_times(cdf, offsets[i], lengths[i], t_s[i], half, bins, table, t_half)
        _quantile_times(cdf, offsets[i], lengths[i], t_s[i], u[i], bins, table, t_first)
        med = t_half[0]
        floor_s = ipp_from[i]
        for k in range(n_req):
            nom = nominal[k, i]
            ok = np.isfinite(nom) and np.isfinite(med)
            delta = nom - med if ok else np.inf
            for q in range(n_q):
                tf = t_first[q]
                if ok and np.isfinite(tf):
                    t = tf + delta
                    if np.isnan(t) or np.isnan(floor_s):
                        t = np.nan
                    elif not t >= floor_s:
                        t = floor_s
                    out[k, i, q] = t
                else:
                    out[k, i, q] = np.inf


@njit(cache=True, nogil=True)
def _look_entry(r, site, rot, wt, cos_max, sig_ang, inv_el2, inv_rg2, out):
    """One look's ``w Hᵀ R⁻¹ H`` (six entries into ``out``): the operations of
    :func:`shieldwall.tracking.ekf.radar_measure` and :func:`~shieldwall.tracking.covariance.
    look_information` in their order (the Jacobian's einsum sums run ``(0 + 1) + 2``)."""
    d0, d1, d2 = r[0] - site[0], r[1] - site[1], r[2] - site[2]
    # the rotation's sums as einsum takes them over a contiguous vector axis: (0 + 2) + 1
    e = (rot[0, 0] * d0 + rot[0, 2] * d2) + rot[0, 1] * d1
    n = (rot[1, 0] * d0 + rot[1, 2] * d2) + rot[1, 1] * d1
    u = (rot[2, 0] * d0 + rot[2, 2] * d2) + rot[2, 1] * d1
    rh2 = e * e + n * n
    rh = math.sqrt(rh2)
    rg2 = rh2 + u * u
    rg = math.sqrt(rg2)
    el = math.atan2(u, rh)
    inv_rh2 = 1.0 / rh2
    c = -u / (rg2 * rh)
    j00, j01, j02 = n * inv_rh2, -e * inv_rh2, 0.0
    j10, j11, j12 = e * c, n * c, rh / rg2
    j20, j21, j22 = e / rg, n / rg, u / rg
    h0 = j00 * rot[0, 0] + j01 * rot[1, 0] + j02 * rot[2, 0]  # az row
    h1 = j00 * rot[0, 1] + j01 * rot[1, 1] + j02 * rot[2, 1]
    h2 = j00 * rot[0, 2] + j01 * rot[1, 2] + j02 * rot[2, 2]
    g0 = j10 * rot[0, 0] + j11 * rot[1, 0] + j12 * rot[2, 0]  # el row
    g1 = j10 * rot[0, 1] + j11 * rot[1, 1] + j12 * rot[2, 1]
    g2 = j10 * rot[0, 2] + j11 * rot[1, 2] + j12 * rot[2, 2]
    f0 = j20 * rot[0, 0] + j21 * rot[1, 0] + j22 * rot[2, 0]  # range row
    f1 = j20 * rot[0, 1] + j21 * rot[1, 1] + j22 * rot[2, 1]
    f2 = j20 * rot[0, 2] + j21 * rot[1, 2] + j22 * rot[2, 2]
    cos_el = math.cos(el)
    if cos_el != cos_el or cos_max != cos_max:
        cos_el = math.nan
    elif cos_el < cos_max:
        cos_el = cos_max
    a0 = cos_el / sig_ang
    inv_r0 = a0 * a0
    # the six distinct entries xx, yy, zz, xy, xz, yz (covariance._SYM), each summed over
    # the rows az, el, range from 0.0 as the reference accumulates them
    out[0] = wt * (((0.0 + h0 * h0 * inv_r0) + g0 * g0 * inv_el2) + f0 * f0 * inv_rg2)
    out[1] = wt * (((0.0 + h1 * h1 * inv_r0) + g1 * g1 * inv_el2) + f1 * f1 * inv_rg2)
    out[2] = wt * (((0.0 + h2 * h2 * inv_r0) + g2 * g2 * inv_el2) + f2 * f2 * inv_rg2)
    out[3] = wt * (((0.0 + h0 * h1 * inv_r0) + g0 * g1 * inv_el2) + f0 * f1 * inv_rg2)
    out[4] = wt * (((0.0 + h0 * h2 * inv_r0) + g0 * g2 * inv_el2) + f0 * f2 * inv_rg2)
    out[5] = wt * (((0.0 + h1 * h2 * inv_r0) + g1 * g2 * inv_el2) + f1 * f2 * inv_rg2)


@njit(cache=True, nogil=True)
def look_information_rows(r, visible, is_look, per, pd_cued, site, rots, cos_max, sig_ang,
                          inv_el2, inv_rg2, m):  # fmt: skip
    """:func:`shieldwall.tracking.covariance.look_information`'s entries, by cell and radar:
    ``r (n_cell, 3)``; ``visible``, ``pd_cued (n_radar, n_cell)``; ``is_look (n_radar, m)``;
    per radar ``per``, ``site (·, 3)``, ``rots (·, 3, 3)``, ``sig_ang = σ_angle``,
    ``inv_el2 = σ_angle⁻²``, ``inv_rg2 = σ_range⁻²``. Returns ``row``, ``radar``, ``w``."""
    n_radar, n_cell = visible.shape
    row = np.zeros(n_cell + 1, dtype=np.int64)
    for c in range(n_cell):
        k = c % m
        cnt = 0
        for i in range(n_radar):
            if visible[i, c] and (is_look[i, k] * per[i]) * pd_cued[i, c] > 0:
                cnt += 1
        row[c + 1] = row[c] + cnt
    radar = np.empty(row[n_cell], dtype=np.int64)
    w = np.empty((row[n_cell], 6))
    e = 0
    for c in range(n_cell):  # cell by cell, radars in order: the entries' sorted order
        k = c % m
        for i in range(n_radar):
            if not visible[i, c]:
                continue
            wt = (is_look[i, k] * per[i]) * pd_cued[i, c]
            if wt > 0:
                radar[e] = i
                _look_entry(r[c], site[i], rots[i], wt, cos_max, sig_ang[i], inv_el2[i],
                            inv_rg2[i], w[e])  # fmt: skip
                e += 1
    return row, radar, w
