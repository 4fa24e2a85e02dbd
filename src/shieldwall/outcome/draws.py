"""Common random numbers for the Monte Carlo.

All randomness of one Monte Carlo lives in one :class:`Draws` made from ``SeedSequence(seed)``
and reused for every policy, so that policy differences are not drowned in sampling noise (common
random numbers; Law, 2015, *Simulation Modeling and Analysis*, 5th ed., §11.2). Draws are indexed by
what they decide — (threat, shot number at that threat, trial) — never by the order of events, so
the k-th round fired at threat i in trial n meets the same luck under every policy.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from shieldwall._types import F64

__all__ = ["Draws", "draw"]


@dataclass(frozen=True, kw_only=True)
class Draws:
    """Uniform [0, 1) draws of one Monte Carlo, trial axis last (contiguous per threat).

    Attributes
    ----------
    threat_u : (n_threat, n_trial)
        Threat flies to impact iff ``threat_u < missile reliability``.
    delay_u : (n_threat, n_trial)
        Quantile of the extra delay before the defense gets its fire-control track.
    kill_u : (n_threat, n_shot, n_trial)
        The k-th round at a threat kills iff ``kill_u < r · pk`` (interceptor reliability r
        times single-shot kill probability pk: one draw, since a round kills exactly when it
        works *and* hits, two independent events).
    ka_u : (n_threat, n_shot, n_trial)
        Kill assessment of the k-th round errs iff ``ka_u`` is below the error probability
        (of a kill taken for a miss, or of a miss taken for a kill).
    seed : int
        The seed they came from.
    """

    threat_u: F64
    delay_u: F64
    kill_u: F64
    ka_u: F64
    seed: int

    @property
    def n_trials(self) -> int:
        """Number of trials."""
        return int(self.threat_u.shape[1])

    @property
    def n_shots(self) -> int:
        """Most rounds per threat these draws can resolve."""
        return int(self.kill_u.shape[1])


def draw(seed: int, n_trials: int, n_threats: int, n_shots: int = 8) -> Draws:
    """Draw the random numbers of a Monte Carlo.

    Parameters
    ----------
    seed
        Root seed (``numpy.random.SeedSequence``). []
    n_trials, n_threats, n_shots
        Sizes; each array comes from its own spawned stream, so changing ``n_shots`` leaves
        ``threat_u`` and ``delay_u`` unchanged. []
    """
    streams = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(4)]
    return Draws(
        threat_u=streams[0].random((n_threats, n_trials)),
        delay_u=streams[1].random((n_threats, n_trials)),
        kill_u=streams[2].random((n_threats, n_shots, n_trials)),
        ka_u=streams[3].random((n_threats, n_shots, n_trials)),
        seed=int(seed),
    )
