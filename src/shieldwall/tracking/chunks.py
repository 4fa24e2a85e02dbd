"""Sensing and tracking at scale: once per raid geometry, then per policy, in threat chunks.

:func:`prepare` computes everything that does not depend on the sharing policy — radar
geometry, field of regard, SNR and Pd, the uncued initiation pass
(:func:`shieldwall.sensing.sensor_geometry`), transitions, process noise, IPP sensitivities and
radar information (:func:`shieldwall.tracking.covariance.tracking_geometry`) — and
:func:`picture` adds a policy's cueing and fusion. Both work on *chunks* of threats of similar
flight length (threats sorted by their number of samples, cut so that a chunk holds at most
``chunk_samples`` grid cells): a chunk's grid ends with its longest flight, so a raid is not
padded to its longest flight, and every dense (radar × threat × time) or (nation × threat ×
time × 6 × 6) array is bounded by the chunk size. Every product is per threat, so the result
does not depend on the chunking (bit for bit; tested) and equals :func:`observe` +
:func:`track` on the whole raid.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from shieldwall._types import I64
from shieldwall.flight.trajectories import Trajectories
from shieldwall.scenario.world import Policy, World
from shieldwall.sensing.visibility import SensorGeometry, observe, sensor_geometry
from shieldwall.tracking.covariance import FilterModel, TrackingGeometry, tracking_geometry
from shieldwall.tracking.picture import TrackPicture
from shieldwall.tracking.track import guidance_radars, track

__all__ = ["CHUNK_SAMPLES", "Chunk", "SensingBase", "chunk_threats", "picture", "prepare"]


#: Grid cells (threats × samples) per chunk: a (radar × chunk) array of the flagship's 23
#: radars is then 6 MB, a (nation × chunk × 6 × 6) one 28 MB for three nations.
CHUNK_SAMPLES = 1 << 15


@dataclass(frozen=True, kw_only=True)
class Chunk:
    """One chunk of threats and its policy-independent products.

    Attributes
    ----------
    threat_idx
        Rows of the raid's `Trajectories` in this chunk, ``(k,)``.
    trajectories
        Those threats, on a grid trimmed to the longest of them.
    sensing, tracking
        :func:`~shieldwall.sensing.sensor_geometry` and
        :func:`~shieldwall.tracking.covariance.tracking_geometry` of the chunk.
    """

    threat_idx: I64
    trajectories: Trajectories
    sensing: SensorGeometry
    tracking: TrackingGeometry


@dataclass(frozen=True, kw_only=True)
class SensingBase:
    """The policy-independent sensing and tracking of one raid geometry (:func:`prepare`).

    Attributes
    ----------
    n_threat, m
        Shape of the raid's grid.
    refraction, model
        Settings the chunks were made with.
    chunks
        The chunks, covering every threat once.
    last
        The last picture made from this base and what it depends on (see :func:`picture`).
    """

    n_threat: int
    m: int
    refraction: bool
    model: FilterModel
    chunks: tuple[Chunk, ...]
    last: dict[str, tuple[bytes, TrackPicture]] = field(
        default_factory=dict, compare=False, repr=False
    )


def _depends_on(policy: Policy, n_nat: int, fusion: str) -> bytes:
    """What a picture depends on in a policy: who cues whom (``early_warning`` and above),
    who fuses whose tracks (``track`` and above), those links' latencies, and the fusion
    rule. Not ``engage`` (only ``guidance_radars``), ``defends`` or ``ifc``."""
    share = np.asarray(policy.share)[:n_nat, :n_nat]
    lat = np.where(share >= 1, np.asarray(policy.latency_s, dtype=np.float64)[:n_nat, :n_nat], 0)
    parts = ((share >= 1).tobytes(), (share >= 2).tobytes(), lat.tobytes(), fusion.encode())
    return b"|".join(parts)


def chunk_threats(lengths: I64, chunk_samples: int = CHUNK_SAMPLES) -> list[I64]:
    """Threats grouped by flight length into chunks of at most ``chunk_samples`` grid cells.

    Threats are sorted by their number of samples (stable) and cut greedily; a chunk holds
    ``len(chunk) × max(lengths in chunk)`` cells, and at least one threat.
    """
    order = np.argsort(np.asarray(lengths, dtype=np.int64), kind="stable")
    out: list[I64] = []
    start = 0
    for i in range(1, order.size + 1):  # over threats: a cut test, no array work
        if i == order.size or (i + 1 - start) * int(lengths[order[i]]) > chunk_samples:
            out.append(order[start:i].astype(np.int64))
            start = i
    return out


def prepare(
    world: World,
    trajectories: Trajectories,
    *,
    model: FilterModel | None = None,
    refraction: bool = True,
    chunk_samples: int = CHUNK_SAMPLES,
) -> SensingBase:
    """The policy-independent sensing and tracking of a raid, in chunks (see the module doc).

    Parameters
    ----------
    world, trajectories
        The world and its raid's trajectories (one raid geometry).
    model
        Filter tuning (default :class:`FilterModel`).
    refraction
        4/3-Earth refraction at the horizon (default True).
    chunk_samples
        Most grid cells per chunk (memory bound; results do not depend on it).
    """
    model = model or FilterModel()
    if chunk_samples < 1:
        raise ValueError(f"chunk_samples must be a positive integer, got {chunk_samples!r}")
    chunks = []
    for idx in chunk_threats(trajectories.lengths, chunk_samples):
        tr = trajectories.take(idx)
        geo = sensor_geometry(world, tr, refraction=refraction)
        trk = tracking_geometry(world, tr, geo.visible, model)
        chunks.append(Chunk(threat_idx=idx, trajectories=tr, sensing=geo, tracking=trk))
    return SensingBase(
        n_threat=trajectories.n,
        m=trajectories.m,
        refraction=refraction,
        model=model,
        chunks=tuple(chunks),
    )


def picture(
    world: World,
    trajectories: Trajectories,
    policy: Policy,
    *,
    base: SensingBase | None = None,
    mode: str = "covariance",
    fusion: str = "centralized",
    trials: int = 100,
    seed: int | None = None,
) -> TrackPicture:
    """Each nation's picture under ``policy``: :func:`observe` + :func:`track`, chunk by chunk.

    Parameters
    ----------
    world, trajectories, policy
        As for :func:`shieldwall.tracking.track`.
    base
        :func:`prepare` of the same world and trajectories (computed here when ``None``).
    mode, fusion, trials, seed
        As for :func:`shieldwall.tracking.track`. The measurement mode draws its random
        measurements for the whole raid at once, so it runs unchunked (``base`` unused).

    Notes
    -----
    The base remembers the last picture it made: a policy that differs from the previous one
    only in what does not enter the picture (``engage`` links, ``defends``, ``ifc``) gets it
    back with its own ``guidance_radars`` (``integrated`` after ``shared_tracks``).

    Raises
    ------
    ValueError
        A ``base`` made for other trajectories, or what :func:`track` refuses.
    """
    traj = trajectories
    if mode == "measurement" or traj.n == 0:
        vis = observe(world, traj, policy)
        return track(world, traj, vis, policy, mode, fusion=fusion, trials=trials, seed=seed)
    base = base or prepare(world, traj)
    if (base.n_threat, base.m) != traj.t_s.shape:
        raise ValueError(
            f"base was prepared for {base.n_threat} threats on {base.m} samples, not "
            f"{traj.n} on {traj.m}; call prepare(world, trajectories) for these trajectories"
        )
    n_nat, n_r = len(world.nations), len(world.radars)
    key = _depends_on(policy, n_nat, fusion)
    if "picture" in base.last and base.last["picture"][0] == key:
        # e.g. integrated after shared_tracks: the same cueing and fusion, other guidance
        prev = base.last["picture"][1]
        guidance = guidance_radars(policy, prev.radar_nation_idx, n_nat)
        return replace(prev, policy=policy.name, guidance_radars=guidance)
    n, m = traj.t_s.shape
    ipp_sigma = np.full((n_nat, n, m), np.inf)
    ipp_cov = np.full((n_nat, n, m, 2, 2), np.nan)
    track_cdf = np.zeros((n_nat, n, m))
    radar_tracking = np.zeros((n_r, n, m), dtype=bool)
    axes = np.full((n, 2, 3), np.nan)
    track_t = np.full((n_nat, n), np.inf)
    fd_t = np.full((n_nat, n), np.inf)
    fd_s = np.full((n_nat, n), -1, dtype=np.int64)
    ipp_from = np.full(n, np.inf)
    pc: TrackPicture | None = None
    for ch in base.chunks:
        vis = observe(world, ch.trajectories, policy, refraction=base.refraction, base=ch.sensing)
        pc = track(world, ch.trajectories, vis, policy, fusion=fusion, base=ch.tracking)
        i, mc = ch.threat_idx, ch.trajectories.m
        ipp_sigma[:, i, :mc] = pc.ipp_sigma_m
        ipp_cov[:, i, :mc] = pc.ipp_cov_m2
        track_cdf[:, i, :mc] = pc.track_cdf
        track_cdf[:, i, mc:] = pc.track_cdf[:, :, -1:]
        radar_tracking[:, i, :mc] = pc.radar_tracking
        axes[i] = pc.ipp_axes_ecef
        track_t[:, i] = pc.track_t_s
        fd_t[:, i] = pc.first_detect_t_s
        fd_s[:, i] = pc.first_detect_sensor
        ipp_from[i] = pc.ipp_from_t_s
    assert pc is not None  # n > 0: at least one chunk
    out = TrackPicture(
        policy=pc.policy,
        mode=pc.mode,
        fusion=pc.fusion,
        t_s=traj.t_s,
        ipp_sigma_m=ipp_sigma,
        ipp_cov_m2=ipp_cov,
        impact_r_ecef_m=np.asarray(traj.impact_r_ecef_m, dtype=np.float64),
        ipp_axes_ecef=axes,
        track_t_s=track_t,
        first_detect_t_s=fd_t,
        first_detect_sensor=fd_s,
        sensor_ids=pc.sensor_ids,
        radar_tracking=radar_tracking,
        guidance_radars=pc.guidance_radars,
        radar_nation_idx=pc.radar_nation_idx,
        track_cdf=track_cdf,
        ipp_from_t_s=ipp_from,
    )
    base.last["picture"] = (key, out)
    return out
