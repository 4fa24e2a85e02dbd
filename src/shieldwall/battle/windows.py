"""Engagement-window kernel: when can one battery shoot at each threat, and how often.

Pure array code, no World: the component in :mod:`shieldwall.battle.opportunities` gathers the
inputs. A threat sample ``j`` (time ``t_j``) is an admissible intercept point for a battery when
the interceptor's flyout can reach it (time to reach ``τ_j`` finite: inside the altitude band and
ground range) and guidance is available there. Launching at ``t_j − τ_j`` meets the threat at
``t_j``; the battery may launch no earlier than its earliest launch time (fire-control-quality track
plus reaction time). Shoot-look-shoot (SLS) chains opportunities: after an intercept at ``I_k`` the
battery waits the kill-assessment time and then takes the earliest admissible intercept whose
launch time is not before ``I_k + t_ka`` (Wilkening, 1998, *Science & Global Security* 8(1):
"shoot-look-shoot requires the battle space to hold two flyouts and an assessment").
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from shieldwall._types import F64

__all__ = ["WindowArrays", "engagement_windows"]


@dataclass(frozen=True, kw_only=True)
class WindowArrays:
    """Windows of one battery against ``n`` threats, with up to ``k`` SLS slots.

    Attributes
    ----------
    n_slots : (n,) int
        Number of shoot-look-shoot opportunities that fit (0 = no window). []
    launch_t_s : (n, k)
        Launch time of each slot; NaN beyond ``n_slots``. [s]
    intercept_t_s : (n, k)
        Intercept time of each slot; NaN beyond ``n_slots``. [s]
    earliest_launch_t_s, latest_launch_t_s : (n,)
        First and last admissible launch times (NaN when no window). [s]
    first_intercept_t_s, last_intercept_t_s : (n,)
        First and last admissible intercept times (NaN when no window). [s]
    """

    n_slots: NDArray[np.int64]
    launch_t_s: F64
    intercept_t_s: F64
    earliest_launch_t_s: F64
    latest_launch_t_s: F64
    first_intercept_t_s: F64
    last_intercept_t_s: F64


def engagement_windows(
    *,
    t_s: F64,
    tau_s: F64,
    guided: NDArray[np.bool_],
    earliest_launch_t_s: F64,
    kill_assessment_s: float,
    max_slots: int,
) -> WindowArrays:
    """Engagement windows and SLS slots of one battery against ``n`` threats.

    Parameters
    ----------
    t_s : (n, m)
        Threat sample times; NaN for padding. [s]
    tau_s : (n, m)
        Interceptor time to reach each sample from the battery; NaN when out of the envelope. [s]
    guided : (n, m)
        Whether guidance to intercept is available at each sample (organic radar sees it, or a
        remote radar may guide under engage-on-remote). []
    earliest_launch_t_s : (n,)
        Fire-control track time plus reaction time; ``inf`` when the nation never gets a
        fire-control-quality track. [s]
    kill_assessment_s
        Time from an intercept to knowing whether it killed. [s]
    max_slots
        Most SLS slots to report per threat. []

    Returns
    -------
    WindowArrays
        Never raises on degenerate input: threats without a window get ``n_slots = 0`` and NaN.
    """
    n = t_s.shape[0]
    with np.errstate(invalid="ignore"):
        launch_at = t_s - tau_s
        ok = np.isfinite(launch_at) & guided & (launch_at >= earliest_launch_t_s[:, None])
    big = np.inf
    t_ok = np.where(ok, t_s, big)
    l_ok = np.where(ok, launch_at, -big)
    has: NDArray[np.bool_] = np.asarray(ok.any(axis=1), dtype=bool)
    nan = np.full(n, np.nan)
    first_i = np.where(has, t_ok.min(axis=1, initial=big), nan)
    last_i = np.where(has, np.where(ok, t_s, -big).max(axis=1, initial=-big), nan)
    latest_l = np.where(has, l_ok.max(axis=1, initial=-big), nan)
    earliest_l = np.where(has, np.where(ok, launch_at, big).min(axis=1, initial=big), nan)

    launch = np.full((n, max_slots), np.nan)
    intercept = np.full((n, max_slots), np.nan)
    n_slots = np.zeros(n, dtype=np.int64)
    not_before = np.asarray(earliest_launch_t_s, dtype=np.float64).copy()
    rows = np.arange(n)
    alive: NDArray[np.bool_] = np.asarray(has, dtype=bool).copy()
    for k in range(max_slots):
        cand = ok & (launch_at >= not_before[:, None]) & alive[:, None]
        t_c = np.where(cand, t_s, big)
        j = np.argmin(t_c, axis=1)
        found = np.asarray(cand[rows, j], dtype=bool)
        launch[found, k] = launch_at[rows[found], j[found]]
        intercept[found, k] = t_s[rows[found], j[found]]
        n_slots += found
        alive = found
        not_before = np.where(found, intercept[:, k] + kill_assessment_s, big)
        if not alive.any():
            break
    return WindowArrays(
        n_slots=n_slots,
        launch_t_s=launch,
        intercept_t_s=intercept,
        earliest_launch_t_s=earliest_l,
        latest_launch_t_s=latest_l,
        first_intercept_t_s=first_i,
        last_intercept_t_s=last_i,
    )
