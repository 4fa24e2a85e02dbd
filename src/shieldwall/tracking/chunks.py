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

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import partial

import numpy as np
from numpy.typing import ArrayLike

from shieldwall._types import F64, I64, B
from shieldwall.flight.trajectories import PHASE_BOOST, Trajectories
from shieldwall.scenario.world import Policy, World
from shieldwall.sensing.visibility import SensorGeometry, observe, sensor_geometry
from shieldwall.tracking.covariance import FilterModel, TrackingGeometry, _p0, tracking_geometry
from shieldwall.tracking.initiation import nation_track_cdf
from shieldwall.tracking.picture import TrackPicture, tracking_spans
from shieldwall.tracking.track import (
    FUSIONS,
    MODES,
    _first_detection,
    _ipp_from,
    _requirements,
    guidance_radars,
    track,
)

__all__ = [
    "CHUNK_SAMPLES",
    "CHUNK_STRETCH",
    "Chunk",
    "ChunkedDetail",
    "Pictures",
    "ReleasedDetail",
    "SensingBase",
    "chunk_threats",
    "picture",
    "pictures",
    "prepare",
]


#: Grid cells (threats × samples) per chunk: a (radar × chunk) array of the flagship's 23
#: radars is then 6 MB, a (nation × chunk × 6 × 6) one 28 MB for three nations.
CHUNK_SAMPLES = 1 << 15
#: Longest over shortest flight in a chunk: at most 20 % of a chunk's cells are padding (the
#: dense sensing arrays of a chunk cost in proportion to its cells, padding included).
CHUNK_STRETCH = 1.25


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


def chunk_threats(
    lengths: I64, chunk_samples: int = CHUNK_SAMPLES, stretch: float = CHUNK_STRETCH
) -> list[I64]:
    """Threats grouped by flight length into chunks of at most ``chunk_samples`` grid cells.

    Threats are sorted by their number of samples (stable) and cut greedily; a chunk holds
    ``len(chunk) × max(lengths in chunk)`` cells, and at least one threat, and its longest
    flight is at most ``stretch`` times its shortest (so at most ``1 - 1/stretch`` of its cells
    are padding).
    """
    order = np.argsort(np.asarray(lengths, dtype=np.int64), kind="stable")
    out: list[I64] = []
    start = 0
    for i in range(1, order.size + 1):  # over threats: a cut test, no array work
        if (
            i == order.size
            or (i + 1 - start) * int(lengths[order[i]]) > chunk_samples
            or int(lengths[order[i]]) > stretch * max(int(lengths[order[start]]), 1)
        ):
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
        trk = tracking_geometry(world, tr, geo, model)
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
    requirements_m: ArrayLike | None = None,
) -> TrackPicture:
    """Each nation's picture under ``policy``, chunk by chunk (what the simulation runs).

    Parameters
    ----------
    world, trajectories, policy
        As for :func:`shieldwall.tracking.track`.
    base
        :func:`prepare` of the same world and trajectories (computed here when ``None``).
    mode, fusion, trials, seed
        As for :func:`shieldwall.tracking.track`. The measurement mode draws its random
        measurements for the whole raid at once and ``fusion="ci"`` fuses whole own-sensor
        series, so both run :func:`~shieldwall.tracking.track` on the whole raid (``base``
        unused).
    requirements_m
        IPP 1-sigma requirements whose fire-control crossings are made (default
        :func:`~shieldwall.tracking.track.fire_control_requirements_m`). [m]

    Notes
    -----
    Covariance mode with centralized fusion runs the compiled filters
    (:mod:`shieldwall.tracking._kernels`): the same recursion and latency re-run as
    :func:`~shieldwall.tracking.track` (which is its reference: the same crossings, covariances
    equal to rounding), but per filter, on its valid samples only, and with the delayed
    picture made only where it can cross a requirement (the undelayed picture holds more
    information, so the delayed one cannot cross before it). The per-sample series are made
    when first read (:class:`ChunkedDetail`).

    The base remembers the last picture it made: a policy that differs from the previous one
    only in what does not enter the picture (``engage`` links, ``defends``, ``ifc``) gets it
    back with its own ``guidance_radars`` (``integrated`` after ``shared_tracks``).

    Raises
    ------
    ValueError
        A ``base`` made for other trajectories, or what :func:`track` refuses.
    """
    traj = trajectories
    if mode == "measurement" or fusion == "ci" or traj.n == 0:
        vis = observe(world, traj, policy)
        return track(
            world,
            traj,
            vis,
            policy,
            mode,
            fusion=fusion,
            trials=trials,
            seed=seed,
            requirements_m=requirements_m,
        )
    if mode not in MODES:
        raise ValueError(f"unknown tracking mode {mode!r}; valid modes: {', '.join(MODES)}")
    if fusion not in FUSIONS:
        raise ValueError(f"unknown fusion {fusion!r}; valid fusions: {', '.join(FUSIONS)}")
    base = base or prepare(world, traj)
    if (base.n_threat, base.m) != traj.t_s.shape:
        raise ValueError(
            f"base was prepared for {base.n_threat} threats on {base.m} samples, not "
            f"{traj.n} on {traj.m}; call prepare(world, trajectories) for these trajectories"
        )
    n_nat = len(world.nations)
    reqs = _requirements(world, requirements_m)
    key = _depends_on(policy, n_nat, fusion) + b"|" + reqs.tobytes()
    if "picture" in base.last and base.last["picture"][0] == key:
        # e.g. integrated after shared_tracks: the same cueing and fusion, other guidance
        return _renamed(base.last["picture"][1], policy, n_nat)
    parts = _Parts(world, traj, policy, reqs)
    for ch in base.chunks:
        parts.add(world, ch, base.refraction, base.model)
    detail = ChunkedDetail(
        base=base, links=parts.links, kinit=parts.kinit, requirements_m=reqs, n_nat=n_nat
    )
    out = parts.picture(world, traj, mode, fusion, _gather_axes(base, traj.n), detail)
    base.last["picture"] = (key, out)
    return out


def _renamed(prev: TrackPicture, policy: Policy, n_nat: int) -> TrackPicture:
    """``prev`` for a policy that differs from its own only in what does not enter a picture
    (``engage`` links: its ``guidance_radars``; ``defends``, ``ifc``)."""
    guidance = guidance_radars(policy, prev.radar_nation_idx, n_nat)
    return replace(prev, policy=policy.name, guidance_radars=guidance)


class _Parts:
    """One policy's picture, put together chunk by chunk (:func:`picture`, :func:`pictures`)."""

    def __init__(self, world: World, traj: Trajectories, policy: Policy, reqs: F64) -> None:
        n_nat, n = len(world.nations), traj.n
        self.policy = policy
        self.reqs = reqs
        self.links = _links(world, policy, traj.dt_s)
        self.fc_index = np.full((n_nat, reqs.size, n), -1, dtype=np.int64)
        self.fc_cov = np.full((n_nat, reqs.size, n, 2, 2), np.nan)
        self.track_t = np.full((n_nat, n), np.inf)
        self.fd_t = np.full((n_nat, n), np.inf)
        self.fd_s = np.full((n_nat, n), -1, dtype=np.int64)
        self.lengths = traj.lengths
        self.offsets = np.cumsum(self.lengths) - self.lengths
        self.track_cdf = np.zeros((n_nat, int(self.lengths.sum())))
        self.kinit = np.zeros((len(world.radars), n), dtype=np.int64)

    def add(self, world: World, ch: Chunk, refraction: bool, model: FilterModel) -> None:
        """The chunk's part (made with these ``refraction`` and filter ``model`` settings)."""
        policy, links, lengths = self.policy, self.links, self.lengths
        vis = observe(world, ch.trajectories, policy, refraction=refraction, base=ch.sensing)
        i = ch.threat_idx
        k_init = _median_index(vis.p_track_cdf)
        self.kinit[:, i] = k_init
        run = _run(ch, model, links, k_init, self.reqs, series=False)
        self.fc_index[:, :, i] = np.moveaxis(run.k_cross, -1, 1)
        self.fc_cov[:, :, i] = np.moveaxis(run.cov_cross, 2, 1)
        tc = ch.trajectories.t_s
        ks = run.k_start
        t_start = np.take_along_axis(tc[None], np.minimum(ks, tc.shape[1] - 1)[..., None], -1)
        self.track_t[:, i] = np.where(ks < ch.trajectories.lengths[None], t_start[..., 0], np.inf)
        self.fd_t[:, i], self.fd_s[:, i] = _first_detection(world, vis, policy)
        cdf = nation_track_cdf(vis.p_track_cdf, links.radar_nation_idx, links.receives, links.lag)
        valid = np.isfinite(tc)
        ln = lengths[i]
        dest = (
            np.repeat(self.offsets[i], ln)
            + np.arange(int(ln.sum()))
            - np.repeat(np.cumsum(ln) - ln, ln)
        )
        self.track_cdf[:, dest] = cdf[:, valid]

    def picture(
        self, world: World, traj: Trajectories, mode: str, fusion: str, axes: F64,
        detail: ChunkedDetail | ReleasedDetail,
    ) -> TrackPicture:  # fmt: skip
        n_nat = len(world.nations)
        return TrackPicture(
            policy=self.policy.name,
            mode=mode,
            fusion=fusion,
            t_s=traj.t_s,
            impact_r_ecef_m=np.asarray(traj.impact_r_ecef_m, dtype=np.float64),
            ipp_axes_ecef=axes,
            track_t_s=self.track_t,
            first_detect_t_s=self.fd_t,
            first_detect_sensor=self.fd_s,
            sensor_ids=tuple(world.radars.id) + tuple(world.satellites.id),
            guidance_radars=guidance_radars(self.policy, self.links.radar_nation_idx, n_nat),
            radar_nation_idx=self.links.radar_nation_idx,
            track_cdf=self.track_cdf,
            ipp_from_t_s=_ipp_from(traj),
            fc_sigma_req_m=self.reqs,
            fc_index=self.fc_index,
            fc_ipp_cov_m2=self.fc_cov,
            detail=detail,
        )


@dataclass(frozen=True, kw_only=True)
class Pictures:
    """Several policies' pictures made in one pass over the chunks (:func:`pictures`).

    Attributes
    ----------
    pictures
        Per policy name, in the order given (their details: :class:`ReleasedDetail`).
    picture_s
        Seconds spent on each policy's cueing and fusion. [s]
    sensing_s
        Seconds spent on the policy-independent sensing and tracking geometry. [s]
    """

    pictures: dict[str, TrackPicture]
    picture_s: dict[str, float]
    sensing_s: float


def pictures(
    world: World,
    trajectories: Trajectories,
    policies: Sequence[Policy],
    *,
    model: FilterModel | None = None,
    refraction: bool = True,
    chunk_samples: int = CHUNK_SAMPLES,
) -> Pictures:
    """``picture(world, trajectories, p, base=prepare(world, trajectories))`` for each policy
    ``p`` (covariance mode, centralized fusion: what the simulation runs), without holding the
    base: each chunk's sensing and tracking geometry is made, serves every policy, and is let
    go (its radars' visibility kept), so memory holds one chunk's geometry instead of the
    raid's (~0.9 GB at 1,000 threats, ~9 GB at 10,000). The same computations on the same
    chunks: bit-identical to :func:`picture` (tested). The pictures' details remake the base
    (:func:`prepare` with these settings) only if their IPP series are asked for. Policies
    whose pictures would be the same (:func:`picture`'s reuse) share one.
    """
    model = model or FilterModel()
    if chunk_samples < 1:
        raise ValueError(f"chunk_samples must be a positive integer, got {chunk_samples!r}")
    traj, n_nat = trajectories, len(world.nations)
    if traj.n == 0:
        return Pictures(
            pictures={p.name: picture(world, traj, p) for p in policies},
            picture_s=dict.fromkeys((p.name for p in policies), 0.0),
            sensing_s=0.0,
        )
    reqs = _requirements(world, None)
    keys = [_depends_on(p, n_nat, "centralized") + b"|" + reqs.tobytes() for p in policies]
    parts: dict[bytes, _Parts] = {}  # one per distinct picture, made for its first policy
    for key, pol in zip(keys, policies, strict=True):
        if key not in parts:
            parts[key] = _Parts(world, traj, pol, reqs)
    spent = dict.fromkeys(parts, 0.0)
    visible: list[tuple[I64, B]] = []
    axes = np.full((traj.n, 2, 3), np.nan)
    sensing_s = 0.0
    for idx in chunk_threats(traj.lengths, chunk_samples):
        t0 = time.perf_counter()
        tr = traj.take(idx)
        geo = sensor_geometry(world, tr, refraction=refraction)
        ch = Chunk(threat_idx=idx, trajectories=tr, sensing=geo,
                   tracking=tracking_geometry(world, tr, geo, model))  # fmt: skip
        sensing_s += time.perf_counter() - t0
        for key, part in parts.items():
            t0 = time.perf_counter()
            part.add(world, ch, refraction, model)
            spent[key] += time.perf_counter() - t0
        visible.append((idx, geo.visible))
        axes[idx] = ch.tracking.axes
        del ch, geo  # the chunk's geometry goes; its visibility stays
    remake = partial(prepare, world, traj, model=model, refraction=refraction,
                     chunk_samples=chunk_samples)  # fmt: skip
    made: dict[bytes, TrackPicture] = {}
    out: dict[str, TrackPicture] = {}
    for key, pol in zip(keys, policies, strict=True):
        if key in made:
            out[pol.name] = _renamed(made[key], pol, n_nat)
            continue
        part = parts[key]
        detail = ReleasedDetail(
            visible=tuple(visible), n_threat=traj.n, m=traj.m, links=part.links,
            kinit=part.kinit, requirements_m=reqs, n_nat=n_nat, remake=remake,
        )  # fmt: skip
        made[key] = out[pol.name] = part.picture(
            world, traj, "covariance", "centralized", axes, detail
        )
    picture_s = dict.fromkeys((p.name for p in policies), 0.0)
    for key, part in parts.items():
        picture_s[part.policy.name] = spent[key]
    return Pictures(pictures=out, picture_s=picture_s, sensing_s=sensing_s)


@dataclass(frozen=True, kw_only=True)
class Links:
    """Who fuses whose radars, and how late, under a policy (centralized fusion).

    Attributes
    ----------
    radar_nation_idx
        ``(n_radar,)``.
    receives, lag
        ``(n_nat, n_nat)``: ``receives[src, dst]`` (own, or ``track`` and above) and the
        latency in grid samples (rounded up; 0 own).
    radar_lag
        ``(n_nat, n_radar)``: lag of each radar's data at each nation, -1 not received.
    max_lag
        ``(n_nat,)``: the re-run depth, the largest lag among the nations received.
    """

    radar_nation_idx: I64
    receives: B
    lag: I64
    radar_lag: I64
    max_lag: I64


def _links(world: World, policy: Policy, dt_s: float) -> Links:
    n_nat = len(world.nations)
    share = policy.share[:n_nat, :n_nat]
    lat = policy.latency_s[:n_nat, :n_nat]
    eye = np.eye(n_nat, dtype=bool)
    receives = (share >= 2) | eye
    lag = np.where(eye, 0, np.ceil(lat / dt_s - 1e-9)).astype(np.int64)
    rn = np.asarray(world.radars.nation_idx, dtype=np.int64)
    radar_lag = np.where(receives[rn].T, lag[rn].T, -1).astype(np.int64)  # (dst, radar)
    max_lag = np.where(receives, lag, 0).max(axis=0).astype(np.int64)
    return Links(
        radar_nation_idx=rn, receives=receives, lag=lag, radar_lag=radar_lag, max_lag=max_lag
    )


def _median_index(cdf: F64) -> I64:
    """First sample with ``cdf ≥ ½`` (``m`` if never), ``cdf`` ``(..., m)``: the sample of
    :func:`~shieldwall.sensing.detection.median_time`."""
    hit = cdf >= 0.5
    out: I64 = np.where(hit.any(axis=-1), np.argmax(hit, axis=-1), cdf.shape[-1]).astype(np.int64)
    return out


@dataclass(frozen=True, kw_only=True)
class FilterRun:
    """What the compiled filters give for one chunk (:func:`_run`)."""

    k_start: I64
    k_cross: I64
    cov_cross: F64
    ipp_cov: F64 | None


def _run(
    ch: Chunk, model: FilterModel, links: Links, kinit: I64, reqs: F64, *, series: bool
) -> FilterRun:
    from shieldwall.tracking._kernels import run_filters  # numba: loaded on first use

    tr, g = ch.trajectories, ch.tracking
    n_nat = links.radar_lag.shape[0]
    k, m = tr.t_s.shape
    k_start = np.full((n_nat, k), m, dtype=np.int64)
    kx = np.full((n_nat, k, reqs.size), -1, dtype=np.int64)
    cx = np.full((n_nat, k, reqs.size, 2, 2), np.nan)
    cov = np.full((n_nat, k, m, 2, 2) if series else (0, 0, 0, 2, 2), np.nan)
    run_filters(
        g.F,
        g.q,
        g.dt_s,
        np.nan_to_num(g.psi),
        (tr.phase != PHASE_BOOST) & np.isfinite(tr.t_s),
        tr.lengths,
        g.looks.row,
        g.looks.radar,
        g.looks.w,
        kinit,
        links.radar_lag,
        links.max_lag,
        _p0(model),
        reqs,
        k_start,
        kx,
        cx,
        series,
        cov,
        np.zeros((0, 0, 0, 3, 3)),
    )
    return FilterRun(k_start=k_start, k_cross=kx, cov_cross=cx, ipp_cov=cov if series else None)


def _gather_axes(base: SensingBase, n: int) -> F64:
    axes = np.full((n, 2, 3), np.nan)
    for ch in base.chunks:
        axes[ch.threat_idx] = ch.tracking.axes
    return axes


#: Per chunk: its threats (rows of the raid) and their radar visibility, ``(n_radar, k, m_c)``.
_Visible = tuple[tuple[I64, B], ...]


def _radar_tracking(visible: _Visible, kinit: I64, n_threat: int, m: int) -> B:
    out = np.zeros((kinit.shape[0], n_threat, m), dtype=bool)
    for i, vis in visible:
        after = np.arange(vis.shape[2])[None, None, :] >= kinit[:, i, None]
        out[:, i, : vis.shape[2]] = vis & after
    return out


def _radar_tracking_spans(visible: _Visible, kinit: I64, n_threat: int) -> tuple[I64, I64]:
    """:func:`~shieldwall.tracking.picture.tracking_spans` of :func:`_radar_tracking`, chunk
    by chunk."""
    first = np.full((kinit.shape[0], n_threat), -1, dtype=np.int64)
    last = first.copy()
    for i, vis in visible:
        after = np.arange(vis.shape[2])[None, None, :] >= kinit[:, i, None]
        first[:, i], last[:, i] = tracking_spans(vis & after)
    return first, last


def _radar_tracks(
    visible: _Visible, kinit: I64, n_threat: int, radar_idx: I64, threat_idx: I64, sample_idx: I64
) -> B:
    shape = radar_idx.shape  # the three broadcast alike (TrackPicture.radar_tracks)
    out = np.zeros(radar_idx.size, dtype=bool)
    where = np.zeros(n_threat, dtype=np.int64)
    row = np.zeros(n_threat, dtype=np.int64)
    for c, (i, _) in enumerate(visible):
        where[i] = c
        row[i] = np.arange(i.size)
    radar_idx, threat_idx, sample_idx = (a.reshape(-1) for a in (radar_idx, threat_idx, sample_idx))
    chunk = where[threat_idx]
    order = np.argsort(chunk, kind="stable")  # the queries grouped by chunk
    bounds = np.searchsorted(chunk[order], np.arange(len(visible) + 1))
    for c, (_, vis) in enumerate(visible):  # chunks: tens
        q = order[bounds[c] : bounds[c + 1]]
        q = q[sample_idx[q] < vis.shape[2]]
        r, t, k = radar_idx[q], threat_idx[q], sample_idx[q]
        out[q] = vis[r, row[t], k] & (k >= kinit[r, t])
    return out.reshape(shape)


@dataclass(frozen=True, kw_only=True)
class ChunkedDetail:
    """:class:`~shieldwall.tracking.picture.PictureDetail` of a chunked picture: the per-sample
    series re-run the compiled filters over every sample (series mode), ``radar_tracking``
    comes from each chunk's visibility and each radar's own track initiation."""

    base: SensingBase
    links: Links
    kinit: I64
    requirements_m: F64
    n_nat: int

    @property
    def _visible(self) -> _Visible:
        return tuple((ch.threat_idx, ch.sensing.visible) for ch in self.base.chunks)

    def ipp_cov_m2(self) -> F64:
        out = np.full((self.n_nat, self.base.n_threat, self.base.m, 2, 2), np.nan)
        for ch in self.base.chunks:
            i = ch.threat_idx
            run = _run(
                ch, self.base.model, self.links, self.kinit[:, i], self.requirements_m, series=True
            )
            assert run.ipp_cov is not None
            out[:, i, : ch.trajectories.m] = run.ipp_cov
        return out

    def radar_tracking(self) -> B:
        return _radar_tracking(self._visible, self.kinit, self.base.n_threat, self.base.m)

    def radar_tracking_spans(self) -> tuple[I64, I64]:
        return _radar_tracking_spans(self._visible, self.kinit, self.base.n_threat)

    def radar_tracks(self, radar_idx: I64, threat_idx: I64, sample_idx: I64) -> B:
        return _radar_tracks(
            self._visible, self.kinit, self.base.n_threat, radar_idx, threat_idx, sample_idx
        )


@dataclass(frozen=True, kw_only=True)
class ReleasedDetail:
    """:class:`ChunkedDetail` without its base (:func:`pictures` does not hold one): the radar
    tracking from each chunk's kept visibility, the IPP series from a base remade by
    ``remake`` (the same computation: the same numbers) only when they are asked for."""

    visible: _Visible
    n_threat: int
    m: int
    links: Links
    kinit: I64
    requirements_m: F64
    n_nat: int
    remake: Callable[[], SensingBase]

    def ipp_cov_m2(self) -> F64:
        full = ChunkedDetail(
            base=self.remake(), links=self.links, kinit=self.kinit,
            requirements_m=self.requirements_m, n_nat=self.n_nat,
        )  # fmt: skip
        return full.ipp_cov_m2()

    def radar_tracking(self) -> B:
        return _radar_tracking(self.visible, self.kinit, self.n_threat, self.m)

    def radar_tracking_spans(self) -> tuple[I64, I64]:
        return _radar_tracking_spans(self.visible, self.kinit, self.n_threat)

    def radar_tracks(self, radar_idx: I64, threat_idx: I64, sample_idx: I64) -> B:
        return _radar_tracks(
            self.visible, self.kinit, self.n_threat, radar_idx, threat_idx, sample_idx
        )
