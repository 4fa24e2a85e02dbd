"""Compiled kernels of sensing/ (numba, the project's explicit accelerator; STYLE.md).

Imported on first use by :mod:`shieldwall.sensing.detection` and
:mod:`shieldwall.sensing.visibility`, so that commands that do not sense never load numba.
Each kernel performs the same floating-point operations in the same order as the numpy
formulation it replaces, so results are bit-identical to it (tested).
"""

from __future__ import annotations

import math

import numpy as np

from shieldwall._jit import njit

__all__ = ["look_pd_rows", "m_of_n_rows", "sensor_rows"]


@njit(cache=True, nogil=True)
def m_of_n_rows(pd, look, nxt, initiates, out):
    """The M-of-N Markov chain of :func:`shieldwall.sensing.detection.m_of_n_cdf`, row by row.

    ``pd``, ``look`` and ``out`` are ``(n_row, m)``; ``nxt[b, s]`` is the window after outcome
    ``b`` in window ``s`` and ``initiates[b, s]`` whether that outcome initiates the track.
    Sums run over ``b = 0, 1`` then states in ascending order, as in the numpy version.
    """
    n_row, m = pd.shape
    n_state = nxt.shape[1]
    prob = np.empty(n_state)
    new = np.empty(n_state)
    for i in range(n_row):
        # Before the first look with Pd > 0 (or NaN) the chain stays in the empty window with
        # nothing initiated, and after the last one nothing more initiates (every window held
        # has fewer than M detections, and a zero outcome adds 0.0 to the sum): those samples
        # get exactly the numbers the steps would give, without stepping the chain (most
        # (radar, threat) rows see their threat over a short part of the grid, or not at all).
        k0 = 0
        while k0 < m and (not look[i, k0] or pd[i, k0] <= 0.0):
            out[i, k0] = 0.0
            k0 += 1
        k1 = m
        while k1 > k0 and (not look[i, k1 - 1] or pd[i, k1 - 1] <= 0.0):
            k1 -= 1
        prob[:] = 0.0
        prob[0] = 1.0
        done = 0.0
        for k in range(k0, k1):
            if look[i, k]:
                p = pd[i, k]
                if p < 0.0:
                    p = 0.0
                elif p > 1.0:
                    p = 1.0
                new[:] = 0.0
                gain = 0.0
                for b in range(2):
                    pb = 1.0 - p if b == 0 else p
                    for s in range(n_state):
                        w = prob[s] * pb
                        if initiates[b, s]:
                            gain += w
                        else:
                            new[nxt[b, s]] += w
                prob[:] = new
                done = done + gain
            out[i, k] = done
        for k in range(k1, m):
            out[i, k] = done


@njit(cache=True, nogil=True, error_model="numpy")
def _fmax(a, b):
    """``np.fmax``: the larger, ignoring a NaN (NaN only when both are)."""
    if a != a:
        return b
    if b != b:
        return a
    return a if a >= b else b


@njit(cache=True, nogil=True, error_model="numpy")
def _mod_2pi(x, two_pi):
    """``np.mod(x, two_pi)`` (``fmod``, then the divisor's sign: numpy's ``npy_divmod``);
    ``fmod`` is exact and returns ``x`` itself when ``|x| < two_pi``, so only the sign rule
    remains there."""
    if -two_pi < x < two_pi:
        if x < 0.0:
            return x + two_pi
        return x if x != 0.0 else 0.0
    return x % two_pi


@njit(cache=True, nogil=True, error_model="numpy")
def _swerling1(snr, log_pfa):
    """:func:`shieldwall.sensing.radar.swerling1_pd` of one SNR (0 where not finite)."""
    pd = math.exp(log_pfa / (1.0 + snr))
    return pd if math.isfinite(pd) else 0.0


@njit(cache=True, nogil=True, error_model="numpy")
def sensor_rows(
    r_ecef_m, origin, rot, rcs, floor, boresight, half_az, max_el, r0, r0_search, consts,
    visible, el_out, rg_out, snr_cued, pd_cued, pd_uncued,
):  # fmt: skip
    """Radar geometry, field of regard, SNR and Pd of
    :func:`shieldwall.sensing.visibility.sensor_geometry_numpy`, element by element.

    ``r_ecef_m`` is ``(n_threat, m, 3)``, ``rcs`` ``(n_threat, m)``, the radar parameters
    ``(n_radar,)`` (``floor`` the elevation floor, ``r0_search`` = ``r0 · search_range_factor``),
    the outputs ``(n_radar, n_threat, m)``. ``consts`` = (refraction coefficient (0 without
    refraction), ``2 a``, ``SNR_AT_R0``, ``log(PFA)``, the SNR's exponent 4.0, π, 2π): passed in,
    not folded, so that ``pow`` stays the library call numpy makes. The same operations in the
    same order as :func:`~shieldwall.sensing.radar.radar_aer` (the ENU sums as ``(x + z) + y``),
    :func:`~shieldwall.sensing.radar.in_field_of_regard`, ``snr`` and ``swerling1_pd``.
    """
    c_refr, two_a, snr0, log_pfa, four, pi, two_pi = (
        consts[0], consts[1], consts[2], consts[3], consts[4], consts[5], consts[6],
    )  # fmt: skip
    refraction = c_refr != 0.0
    n_t, m = rcs.shape
    for i in range(origin.shape[0]):
        ox, oy, oz = origin[i, 0], origin[i, 1], origin[i, 2]
        e0, e1, e2 = rot[i, 0, 0], rot[i, 0, 1], rot[i, 0, 2]
        n0, n1, n2 = rot[i, 1, 0], rot[i, 1, 1], rot[i, 1, 2]
        u0, u1, u2 = rot[i, 2, 0], rot[i, 2, 1], rot[i, 2, 2]
        fl, bore, half, top = floor[i], boresight[i], half_az[i], max_el[i]
        full = half >= pi
        r0c, r0s = r0[i], r0_search[i]
        for t in range(n_t):
            for k in range(m):
                dx = r_ecef_m[t, k, 0] - ox
                dy = r_ecef_m[t, k, 1] - oy
                dz = r_ecef_m[t, k, 2] - oz
                e = (e0 * dx + e2 * dz) + e1 * dy
                n = (n0 * dx + n2 * dz) + n1 * dy
                u = (u0 * dx + u2 * dz) + u1 * dy
                horiz = math.hypot(e, n)
                el = math.atan2(u, horiz)
                rg = math.hypot(horiz, u)
                el_out[i, t, k] = el
                rg_out[i, t, k] = rg
                el_app = el + c_refr * rg / two_a if refraction else el
                vis = el_app >= fl and el_app <= top and math.isfinite(rg)
                if vis and not full:  # the azimuth only where it decides
                    az = _mod_2pi(math.atan2(e, n), two_pi)
                    vis = abs(_mod_2pi(az - bore + pi, two_pi) - pi) <= half
                visible[i, t, k] = vis
                if vis:
                    sr = snr0 * rcs[t, k]
                    sc = sr * math.pow(r0c / rg, four)
                    snr_cued[i, t, k] = sc
                    pd_cued[i, t, k] = _swerling1(sc, log_pfa)
                    pd_uncued[i, t, k] = _swerling1(sr * math.pow(r0s / rg, four), log_pfa)
                else:
                    snr_cued[i, t, k] = 0.0
                    pd_cued[i, t, k] = 0.0
                    pd_uncued[i, t, k] = 0.0


@njit(cache=True, nogil=True, error_model="numpy")
def look_pd_rows(
    t_s, downrange_m, visible, range_m, snr_cued, pd_cued, pd_uncued, cue, ew_t, ew_s, rc_t,
    f4, fence, beam, by_radar, lp_sigma, az_sigma, consts, out,
):  # fmt: skip
    """Single-look Pd under cueing of :func:`shieldwall.sensing.visibility._look_pd_numpy`,
    element by element.

    ``t_s`` and ``downrange_m`` are ``(n_threat, m)``; ``visible`` ... ``pd_uncued`` and ``out``
    ``(n_radar, n_threat, m)``; ``cue``, ``ew_t``, ``ew_s`` (satellite, -1 none), ``rc_t``
    ``(n_radar, n_threat)``; ``f4`` (``search_range_factor⁴``), ``fence``, ``beam`` and
    ``by_radar`` (a radar cue's dwell factor) ``(n_radar,)``; ``lp_sigma``, ``az_sigma``
    ``(n_satellite,)`` (empty: no satellite cue); ``consts`` = (``log(PFA)``,
    ``EW_ALONG_TRACK_FRACTION``, ``CUE_SIGMAS``, π). Outside the visible samples after a cue
    ``out`` is ``pd_uncued``; inside, the same operations as ``ew_cue_sigma_m``,
    ``cue_solid_angle_sr``, ``dwell_snr_factor`` and ``swerling1_pd`` in the same order.
    """
    log_pfa, along_frac, k_sig, pi = consts[0], consts[1], consts[2], consts[3]
    n_r, n_t, m = visible.shape
    has_sat = lp_sigma.shape[0] > 0
    for r in range(n_r):
        f4r, fence_r, beam_r, radar_r = f4[r], fence[r], beam[r], by_radar[r]
        for t in range(n_t):
            c, te, tr = cue[r, t], ew_t[r, t], rc_t[r, t]
            s = max(ew_s[r, t], 0)
            for k in range(m):
                tk = t_s[t, k]
                if not (visible[r, t, k] and tk >= c):
                    out[r, t, k] = pd_uncued[r, t, k]
                    continue
                factor = f4r
                if has_sat and tk >= te:
                    lp, d = lp_sigma[s], downrange_m[t, k]
                    da = d * az_sigma[s]
                    dl = along_frac * d
                    cross = math.sqrt(lp * lp + da * da)
                    along = math.sqrt(lp * lp + dl * dl)
                    rg = range_m[r, t, k]
                    window = pi * (k_sig * cross / rg) * (k_sig * along / rg)
                    gain = f4r * fence_r / _fmax(window, beam_r)
                    g = _fmax(f4r, gain)
                    ew = g if (g != g or g < 1.0) else 1.0  # np.minimum(1.0, g)
                    factor = _fmax(factor, ew)
                if tk >= tr:
                    factor = _fmax(factor, radar_r)
                if factor >= 1.0:
                    out[r, t, k] = pd_cued[r, t, k]
                elif factor > f4r:
                    out[r, t, k] = _swerling1(snr_cued[r, t, k] * factor, log_pfa)
                else:
                    out[r, t, k] = pd_uncued[r, t, k]
