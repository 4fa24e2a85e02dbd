"""Look schedules, first-detection and M-of-N track-initiation time distributions.

Looks are independent Bernoulli trials with the per-look Swerling-1 probability (Swerling 1
fluctuates scan to scan, so looks a revisit apart are independent; Skolnik 2001 §2.8).

- First detection: ``P(T ≤ t_k) = 1 - Π_{looks ≤ k} (1 - pd)``.
- Track initiation: the first look at which ``M`` of the last ``N`` looks detected. The
  probability is computed exactly by a Markov chain over the outcomes of the last ``N - 1`` looks
  (2^(N-1) states plus an absorbing "initiated" state), vectorized over (sensor, threat); this is
  the standard sliding-window M-of-N detector (Blackman & Popoli 1999, *Design and Analysis of
  Modern Tracking Systems*, §3.4).

The revisit period is quantised to the trajectory grid: a look every ``max(1, round(revisit /
dt))`` samples (several looks per sample are merged into one with ``1 - (1 - pd)^n``).
"""

from __future__ import annotations

import numpy as np

from shieldwall._types import F64, I64, B

__all__ = ["detection_cdf", "look_mask", "m_of_n_cdf", "m_of_n_cdf_reference", "median_time"]


def look_mask(n_sensor_revisit_s: F64, dt_s: float, m: int) -> tuple[B, F64]:
    """Which grid samples are looks, per sensor, and how many looks each carries.

    Returns
    -------
    is_look
        ``(n_sensor, m)`` bool.
    looks_per_sample
        ``(n_sensor,)``: ``max(1, dt / revisit)`` (merged looks when the radar revisits faster
        than the grid).
    """
    revisit = np.asarray(n_sensor_revisit_s, dtype=np.float64)
    stride = np.maximum(1, np.round(revisit / dt_s)).astype(np.int64)
    k = np.arange(m)
    is_look: B = (k[None, :] % stride[:, None]) == 0
    per: F64 = np.asarray(np.maximum(1.0, dt_s / revisit), dtype=np.float64)
    return is_look, per


def detection_cdf(pd_look: F64) -> F64:
    """``P(first detection at or before sample k)`` from per-sample detection probabilities.

    ``pd_look`` has shape ``(..., m)`` with 0 where there is no look.
    """
    miss = np.cumprod(1.0 - np.clip(pd_look, 0.0, 1.0), axis=-1)
    out: F64 = np.asarray(1.0 - miss, dtype=np.float64)
    return out


def m_of_n_cdf(pd_look: F64, is_look: B, m_req: int, n_win: int) -> F64:
    """``P(M-of-N track initiated at or before sample k)``, exact, ``(..., m)``.

    Parameters
    ----------
    pd_look
        Per-look detection probability ``(..., m)``.
    is_look
        ``(..., m)`` bool (broadcastable): samples that are looks; a non-look leaves the window
        unchanged.
    m_req, n_win
        ``M`` detections required among the last ``N`` looks (1 ≤ M ≤ N ≤ 8).

    Notes
    -----
    The chain runs in a compiled kernel (:mod:`shieldwall.sensing._kernels`), one row at a
    time; :func:`m_of_n_cdf_reference` is the same chain in numpy over the whole batch at once,
    bit-identical (tested).
    """
    from shieldwall.sensing._kernels import m_of_n_rows  # numba: loaded on first use

    nxt, initiates = _moves(m_req, n_win)
    pd = np.asarray(pd_look, dtype=np.float64)
    look = np.broadcast_to(np.asarray(is_look, dtype=bool), pd.shape)
    m = pd.shape[-1]
    out = np.empty(pd.shape)
    looks = np.ascontiguousarray(look.reshape(-1, m)).view()
    looks.flags.writeable = False  # read-only whether copied or not: one compiled signature
    m_of_n_rows(
        np.ascontiguousarray(pd.reshape(-1, m)),
        looks,
        nxt,
        initiates,
        out.reshape(-1, m),
    )
    return out


def _moves(m_req: int, n_win: int) -> tuple[I64, B]:
    """Window transitions: outcome ``b`` of a look moves window ``s`` to ``((s << 1) | b) &
    mask``, or initiates the track when the window then holds ``M`` detections."""
    n_state = 1 << (n_win - 1)
    mask = n_state - 1
    s = np.arange(n_state)
    nxt = np.stack([((s << 1) | b) & mask for b in (0, 1)]).astype(np.int64)
    ones = np.array([bin(int(v)).count("1") for v in s])
    initiates = np.stack([ones + b >= m_req for b in (0, 1)])
    return nxt, initiates


def m_of_n_cdf_reference(pd_look: F64, is_look: B, m_req: int, n_win: int) -> F64:
    """:func:`m_of_n_cdf` in numpy, vectorized over the batch (the plain formulation)."""
    n_state = 1 << (n_win - 1)
    mask = n_state - 1
    shape = pd_look.shape[:-1]
    prob = np.zeros((n_state, *shape))  # state axis first: each state one contiguous array
    prob[0] = 1.0
    done = np.zeros(shape)
    out = np.empty(pd_look.shape)
    look = np.broadcast_to(is_look, pd_look.shape)
    # outcome b of a look moves window s to ((s << 1) | b) & mask, or initiates the track when
    # the window then holds M detections. Sums are written out in a fixed order (states in
    # ascending order) so that the result does not depend on the batch shape.
    moves = [
        [(s, ((s << 1) | b) & mask, bin(s).count("1") + b >= m_req) for s in range(n_state)]
        for b in (0, 1)
    ]
    for k in range(pd_look.shape[-1]):
        p = np.clip(pd_look[..., k], 0.0, 1.0)
        lk = look[..., k]
        new = np.zeros_like(prob)
        gain = np.zeros(shape)
        for b, pb in ((0, 1.0 - p), (1, p)):
            for s, nxt, initiates in moves[b]:
                w = prob[s] * pb
                if initiates:
                    gain += w
                else:
                    new[nxt] += w
        prob = np.where(lk, new, prob)
        done = np.where(lk, done + gain, done)
        out[..., k] = done
    return out


def median_time(cdf: F64, t_s: F64) -> F64:
    """First time at which ``cdf ≥ 0.5`` (``inf`` if never), ``cdf`` ``(..., m)`` on ``t_s``.

    ``t_s`` broadcasts against ``cdf`` (e.g. ``(n_threat, m)`` against ``(n_sensor, n_threat,
    m)``).
    """
    hit = cdf >= 0.5
    k = np.argmax(hit, axis=-1)
    t = np.take_along_axis(np.broadcast_to(t_s, cdf.shape), k[..., None], axis=-1)[..., 0]
    out: F64 = np.where(np.any(hit, axis=-1), t, np.inf)
    return out
