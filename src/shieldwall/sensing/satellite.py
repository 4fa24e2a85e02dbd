"""Early-warning satellites: boost-phase detection reported after a latency; cue, not track.

Model (docs/sensing.md): a DSP/SBIRS-class constellation over the region sees every boost plume
that burns long enough to be seen and reports launch time, launch point (1-sigma
``launch_point_sigma_m``) and rough azimuth (``azimuth_sigma_rad``) ``latency_s`` after launch
(Garwin: "see within a minute the launch"; tests/reference/shared/radars_public.csv, DSP rows).
The report cues radars (removes their search penalty) and never gives fire-control quality.
"""

from __future__ import annotations

import numpy as np

from shieldwall._types import F64

__all__ = ["MIN_BOOST_S", "ew_detect_times"]


#: Boosts shorter than this are assumed too brief to be declared by the constellation. [s]
#: (an assumption: scanning sensors revisit in seconds and need several frames.)
MIN_BOOST_S = 10.0


def ew_detect_times(launch_t_s: F64, burnout_t_s: F64, latency_s: F64) -> F64:
    """Time each satellite system reports each launch, ``(n_satellite, n_threat)``.

    Parameters
    ----------
    launch_t_s, burnout_t_s
        Per threat, ``(n_threat,)``. [s]
    latency_s
        Per satellite system, ``(n_satellite,)``. [s]

    Returns
    -------
    ew_detect_t_s
        ``launch + latency``; ``inf`` when the boost lasts less than :data:`MIN_BOOST_S`. [s]
    """
    burn = np.asarray(burnout_t_s) - np.asarray(launch_t_s)
    t = np.asarray(launch_t_s)[None, :] + np.asarray(latency_s, dtype=np.float64)[:, None]
    out: F64 = np.where((burn >= MIN_BOOST_S)[None, :], t, np.inf)
    return out
