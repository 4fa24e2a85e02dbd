"""Common random numbers, per trial block and purpose (docs/montecarlo.md §4).

Trial ``n`` belongs to block ``k = n // TRIAL_BLOCK``. Block ``k``'s numbers for one *purpose*
(what they decide) come from ``SeedSequence(seed, spawn_key=(BLOCK_STREAM, k, purpose[, chunk]))``,
so adding a purpose never changes another, and the draws of trials 0..999 are the same whether a
run has 1,000 or 100,000 trials (a truncated last block takes the first columns of the full
block's draws). Threat-indexed draws are made per fixed chunk of ``THREAT_CHUNK`` threats (the
chunk index is in the spawn key), so memory is bounded and nothing depends on how an engine
chunks threats. Draws are indexed by what they decide — threat, nation, shot number at a threat,
assessment number at a threat, interceptor type (by name) — never by event order or a policy's
rows: every policy meets the same luck (Law, 2015, *Simulation Modeling and Analysis*, 5th ed.,
§11.2).
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from shieldwall._types import F64
from shieldwall.errors import Problem, ShieldwallError

__all__ = [
    "BLOCK_STREAM",
    "PURPOSES",
    "THREAT_CHUNK",
    "TRIAL_BLOCK",
    "BlockDraws",
    "DrawsError",
    "block_draws",
    "n_blocks",
]

#: Trials per block (a constant: never derived from the number of trials or of workers).
TRIAL_BLOCK = 1000
#: Threats per chunk of threat-indexed draws.
THREAT_CHUNK = 256
#: First spawn-key entry of every trial-block stream ("BLOK").
BLOCK_STREAM = 0x424C4F4B
#: Spawn-key code of each purpose.
PURPOSES: dict[str, int] = {
    "fly": 1,
    "fail_time": 2,
    "fcq": 3,
    "ipp": 4,
    "kill": 5,
    "ka": 6,
    "common_mode": 7,
}


class DrawsError(ShieldwallError, ValueError):
    """Draws that do not fit what they are used for (block size, shots, tables)."""


def n_blocks(n_trials: int) -> int:
    """Number of trial blocks of a run of ``n_trials`` trials."""
    return -(-int(n_trials) // TRIAL_BLOCK)


@dataclass(frozen=True, kw_only=True, eq=False)
class BlockDraws:
    """The random numbers of one trial block, trial axis last (uniforms in [0, 1) unless said).

    Attributes
    ----------
    seed, block : int
        Root seed and block index ``k``.
    fly_u : (n_threat, n_trial)
        Threat flies to impact iff ``fly_u < reliability``.
    fail_time_u : (n_threat, n_trial)
        When a threat that does not fly fails (docs/battle.md §3.1).
    fcq_u : (n_nation, n_threat, n_trial)
        Quantile of each nation's fire-control time against each threat.
    ipp_z : (n_nation, n_threat, 2, n_trial)
        Standard normals of each nation's impact-point-prediction error (east, north).
    kill_u : (n_threat, n_shot, n_trial)
        The k-th round at a threat kills iff ``kill_u < rel · pk`` (and no common-mode failure).
    ka_u : (n_threat, n_shot, n_trial)
        The report of the a-th engagement at a threat errs iff ``ka_u`` < the error probability.
    common_mode_u : (n_threat, n_type, n_trial)
        Every round of type ``κ`` at the threat misses iff ``common_mode_u < q[κ, class]``.
    type_names : tuple of str
        Interceptor types of the ``common_mode_u`` columns (each has its own stream, by name).
    """

    seed: int
    block: int
    fly_u: F64
    fail_time_u: F64
    fcq_u: F64
    ipp_z: F64
    kill_u: F64
    ka_u: F64
    common_mode_u: F64
    type_names: tuple[str, ...]

    @property
    def n_trials(self) -> int:
        """Trials in the block (fewer than ``TRIAL_BLOCK`` for a truncated last block)."""
        return int(self.fly_u.shape[1])

    @property
    def n_threats(self) -> int:
        """Threats covered."""
        return int(self.fly_u.shape[0])

    @property
    def n_shots(self) -> int:
        """Most rounds (and engagements) per threat these draws can resolve."""
        return int(self.kill_u.shape[1])

    def trials(self, start: int, stop: int) -> BlockDraws:
        """Trials ``start:stop`` of these draws (views; each trial keeps its numbers)."""
        names = ("fly_u", "fail_time_u", "fcq_u", "ipp_z", "kill_u", "ka_u", "common_mode_u")
        cols = {n: getattr(self, n)[..., start:stop] for n in names}
        return BlockDraws(seed=self.seed, block=self.block, type_names=self.type_names, **cols)

    @classmethod
    def concatenate(cls, parts: Sequence[BlockDraws]) -> BlockDraws:
        """Consecutive blocks' draws as one record (trials side by side; ``block`` is the first's).

        The fight of several blocks that share their fight inputs is one call on these; each
        trial keeps its own block's numbers.
        """
        if len(parts) == 1:
            return parts[0]
        first = parts[0]
        for k, p in enumerate(parts):
            if p.type_names != first.type_names or p.seed != first.seed:
                msg = f"block {p.block} draws were made for other types or another seed"
                raise DrawsError(msg, [Problem(message=msg, path=f"parts[{k}]")])
        names = ("fly_u", "fail_time_u", "fcq_u", "ipp_z", "kill_u", "ka_u", "common_mode_u")
        cols = {n: np.concatenate([getattr(p, n) for p in parts], axis=-1) for n in names}
        return cls(seed=first.seed, block=first.block, type_names=first.type_names, **cols)

    def check_fits(
        self, *, n_trials: int, n_threats: int, n_nations: int, n_shots: int, n_types: int
    ) -> None:
        """Raise :class:`DrawsError` unless these draws can serve a fight of these sizes."""
        wants = [
            ("n_trials", self.n_trials, n_trials, "trials in the block"),
            ("n_threats", self.n_threats, n_threats, "threats"),
            ("n_nations", int(self.fcq_u.shape[0]), n_nations, "nations"),
            ("n_types", int(self.common_mode_u.shape[1]), n_types, "interceptor types"),
        ]
        for name, have, want, what in wants:
            if have != want:
                msg = f"draws cover {have} {what}, the fight has {want}; draw them for this fight"
                raise DrawsError(msg, [Problem(message=msg, path=name)])
        if self.n_shots < n_shots:
            msg = (
                f"draws resolve {self.n_shots} rounds per threat, the doctrine allows {n_shots} "
                "(max_rounds_per_threat); draw them with n_shots >= that"
            )
            raise DrawsError(msg, [Problem(message=msg, path="n_shots")])


def _stream(seed: int, block: int, purpose: str, *extra: int) -> np.random.Generator:
    key = (BLOCK_STREAM, int(block), PURPOSES[purpose], *extra)
    return np.random.default_rng(np.random.SeedSequence(int(seed), spawn_key=key))


def _chunked(
    seed: int, block: int, purpose: str, n_threats: int, inner: tuple[int, ...], n_trials: int
) -> F64:
    """Uniforms ``(n_threat, *inner, n_trials)``, made per chunk of ``THREAT_CHUNK`` threats over
    the full block and truncated to the first ``n_trials`` columns."""
    out = np.empty((n_threats, *inner, n_trials))
    for c, lo in enumerate(range(0, n_threats, THREAT_CHUNK)):
        hi = min(lo + THREAT_CHUNK, n_threats)
        full = _stream(seed, block, purpose, c).random((hi - lo, *inner, TRIAL_BLOCK))
        out[lo:hi] = full[..., :n_trials]
    return out


def _type_code(name: str) -> int:
    return zlib.crc32(name.encode("utf-8"))


def block_draws(
    seed: int,
    block: int,
    *,
    n_trials: int,
    n_threats: int,
    n_nations: int,
    type_names: Sequence[str],
    n_shots: int,
) -> BlockDraws:
    """The draws of trial block ``block`` (its first ``n_trials`` trials).

    Parameters
    ----------
    seed
        Root seed of the run. []
    block
        Block index ``k`` (trials ``k·TRIAL_BLOCK …``). []
    n_trials
        Trials of this block the run uses, 1 .. ``TRIAL_BLOCK``. []
    n_threats, n_nations
        Table sizes. []
    type_names
        Interceptor type names (``World.interceptors.name``): one common-mode stream per name, so
        adding a type to a case leaves the others' draws unchanged.
    n_shots
        Rounds (and engagements) per threat to cover: at least ``max_rounds_per_threat``. []

    Raises
    ------
    DrawsError
        ``n_trials`` outside 1 .. ``TRIAL_BLOCK`` or a negative size.
    """
    if not 1 <= int(n_trials) <= TRIAL_BLOCK:
        msg = f"a block has 1 .. {TRIAL_BLOCK} trials, got {n_trials}"
        raise DrawsError(msg, [Problem(message=msg, path="n_trials")])
    if min(n_threats, n_nations, n_shots) < 0 or block < 0:
        msg = "sizes and the block index must be >= 0"
        raise DrawsError(msg, [Problem(message=msg, path="block")])
    n_types = len(type_names)
    cm = np.empty((n_threats, n_types, n_trials))
    for j, name in enumerate(type_names):
        code = _type_code(name)
        for c, lo in enumerate(range(0, n_threats, THREAT_CHUNK)):
            hi = min(lo + THREAT_CHUNK, n_threats)
            full = _stream(seed, block, "common_mode", c, code).random((hi - lo, TRIAL_BLOCK))
            cm[lo:hi, j] = full[:, :n_trials]
    ipp = np.empty((n_nations, n_threats, 2, n_trials))
    fcq = np.empty((n_nations, n_threats, n_trials))
    # Nation-indexed draws: one stream per (purpose, chunk), nations inside the chunk.
    for c, lo in enumerate(range(0, n_threats, THREAT_CHUNK)):
        hi = min(lo + THREAT_CHUNK, n_threats)
        f = _stream(seed, block, "fcq", c).random((hi - lo, n_nations, TRIAL_BLOCK))
        fcq[:, lo:hi] = np.moveaxis(f[..., :n_trials], 1, 0)
        z = _stream(seed, block, "ipp", c).standard_normal((hi - lo, n_nations, 2, TRIAL_BLOCK))
        ipp[:, lo:hi] = np.moveaxis(z[..., :n_trials], 1, 0)
    return BlockDraws(
        seed=int(seed),
        block=int(block),
        fly_u=_chunked(seed, block, "fly", n_threats, (), n_trials),
        fail_time_u=_chunked(seed, block, "fail_time", n_threats, (), n_trials),
        fcq_u=fcq,
        ipp_z=ipp,
        kill_u=_chunked(seed, block, "kill", n_threats, (n_shots,), n_trials),
        ka_u=_chunked(seed, block, "ka", n_threats, (n_shots,), n_trials),
        common_mode_u=cm,
        type_names=tuple(type_names),
    )
