"""`Visibility`: what each sensor can see of each threat, and when (docs/interfaces.md).

:func:`observe` composes the radar kernels (geometry, field of regard, RCS-scaled Swerling-1
Pd), the early-warning satellites and the cueing implied by a sharing policy:

- A radar is *cued* for a threat by the reports it receives: an EW satellite of a nation that
  shares at least ``early_warning`` with the radar's nation (own nation always), or another
  radar's (uncued) track initiation shared the same way, each delayed by the link latency.
  Before any cue it searches its whole fence (range ``search_range_factor · r0``); a cue
  shrinks the volume it searches to the cue's error window, and its time budget buys more
  dwell per beam there (:mod:`shieldwall.sensing.search`): a satellite cue by its
  launch-point and azimuth errors, another radar's track to one beam.
- Per look Pd uses the booster RCS in boost and the reentry-vehicle RCS after burnout.
- Deterministic summaries are medians of the exact distributions (``first_detect_t_s``,
  ``track_init_t_s``); the distributions themselves are kept (``p_detect_cdf``,
  ``p_track_cdf``) and so is the per-look ``pd`` so that the Monte Carlo stage can draw.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from shieldwall._types import F64, B
from shieldwall.arguments import check_type
from shieldwall.earth.constants import WGS84_A_M
from shieldwall.earth.geodesy import enu_rotation, geodetic_to_ecef
from shieldwall.flight.trajectories import PHASE_BOOST, Trajectories
from shieldwall.scenario.world import Policy, World
from shieldwall.sensing.detection import detection_cdf, look_mask, m_of_n_cdf, median_time
from shieldwall.sensing.radar import (
    PFA,
    REFRACTION_K,
    SNR_AT_R0,
    horizon_dip_rad,
    in_field_of_regard,
    radar_aer,
    snr,
    swerling1_pd,
)
from shieldwall.sensing.satellite import ew_detect_times
from shieldwall.sensing.search import (
    CUE_SIGMAS,
    EW_ALONG_TRACK_FRACTION,
    beam_solid_angle_sr,
    cue_solid_angle_sr,
    dwell_snr_factor,
    ew_cue_sigma_m,
    search_solid_angle_sr,
)

__all__ = [
    "TRACK_INIT_M",
    "TRACK_INIT_N",
    "SensorGeometry",
    "Visibility",
    "cue_sources",
    "cue_times",
    "observe",
    "sensor_geometry",
    "sensor_geometry_numpy",
]


#: Track initiation: M detections among the last N looks (a common 2-of-3 confirmation rule,
#: Blackman & Popoli 1999 §3.4).
TRACK_INIT_M = 2
TRACK_INIT_N = 3


@dataclass(frozen=True, kw_only=True)
class Visibility:
    """Per (radar, threat, grid sample) visibility and detection; per (satellite, threat) cues.

    Attributes
    ----------
    policy
        Name of the policy whose cueing was applied (``"national"``-like own-nation cueing when
        observed without a policy: ``""``).
    t_s
        The trajectory grid, ``(n_threat, m)``. [s]
    visible
        ``(n_radar, n_threat, m)``: above the horizon, inside the field of regard. bool
    range_m
        Slant range, ``(n_radar, n_threat, m)`` (NaN padding). [m]
    el_rad
        Elevation above the radar's horizontal plane, ``(n_radar, n_threat, m)``. [rad]
    snr_cued
        Linear SNR of a cued look (0 where not visible), ``(n_radar, n_threat, m)``.
    pd_cued, pd_uncued
        Swerling-1 single-look Pd cued and searching (0 where not visible).
    is_look
        ``(n_radar, m)``: grid samples at which each radar looks (revisit on the grid).
    looks_per_sample
        ``(n_radar,)``: looks merged into one grid sample (≥ 1).
    cue_t_s
        ``(n_radar, n_threat)``: when the radar is cued (``inf`` never). [s]
    pd
        Effective per-sample detection probability (cued after ``cue_t_s``, 0 off looks),
        ``(n_radar, n_threat, m)``.
    p_detect_cdf, p_track_cdf
        ``P(first detection ≤ t)`` and ``P(M-of-N track initiated ≤ t)``, same shape.
    first_detect_t_s, track_init_t_s
        Medians of those distributions, ``(n_radar, n_threat)`` (``inf`` never). [s]
    ew_detect_t_s
        ``(n_satellite, n_threat)``: EW report time (``inf`` never). [s]
    """

    policy: str
    t_s: F64
    visible: B
    range_m: F64
    el_rad: F64
    snr_cued: F64
    pd_cued: F64
    pd_uncued: F64
    is_look: B
    looks_per_sample: F64
    cue_t_s: F64
    pd: F64
    p_detect_cdf: F64
    p_track_cdf: F64
    first_detect_t_s: F64
    track_init_t_s: F64
    ew_detect_t_s: F64

    @property
    def tracking(self) -> B:
        """``(n_radar, n_threat, m)``: the radar holds its own track (after its median track
        initiation) and sees the threat: it can guide an interceptor at that sample."""
        out: B = self.visible & (self.t_s[None] >= self.track_init_t_s[..., None])
        return out


def _rcs(world: World, traj: Trajectories) -> F64:
    mi = np.clip(traj.missile_idx, 0, None)
    boost = traj.phase == PHASE_BOOST
    if len(world.missiles) == 0:
        return np.ones(traj.t_s.shape)
    out: F64 = np.where(
        boost, world.missiles.rcs_booster_m2[mi][:, None], world.missiles.rcs_rv_m2[mi][:, None]
    )
    return out


def _receives(
    policy: Policy | None, src_nat: NDArray[np.int64], dst_nat: NDArray[np.int64], level: int
) -> tuple[B, F64]:
    """Whether ``dst`` receives ``src``'s data at ``level`` or above, and the latency."""
    same = src_nat[:, None] == dst_nat[None, :]
    if policy is None:
        return same, np.zeros(same.shape)
    ok: B = same | (policy.share[src_nat[:, None], dst_nat[None, :]] >= level)
    lat: F64 = np.where(same, 0.0, policy.latency_s[src_nat[:, None], dst_nat[None, :]])
    return ok, lat


def cue_sources(
    world: World, ew_detect_t_s: F64, radar_track_t_s: F64, policy: Policy | None
) -> tuple[F64, NDArray[np.int64], F64]:
    """When each radar is first cued for each threat by a satellite and by another radar.

    Returns
    -------
    ew_cue_t_s, ew_cue_satellite, radar_cue_t_s
        ``(n_radar, n_threat)``: the earliest shared EW report (satellite nation → radar nation
        at ``early_warning`` or above, plus latency) and which satellite made it (-1 none), and
        the earliest other radar's (uncued) track initiation shared the same way. [s]
    """
    rn = world.radars.nation_idx
    sn = world.satellites.nation_idx
    n_r, n_t = radar_track_t_s.shape
    ew_t = np.full((n_r, n_t), np.inf)
    ew_s = np.full((n_r, n_t), -1, dtype=np.int64)
    if len(sn):
        ok, lat = _receives(policy, sn, rn, 1)  # (n_sat, n_radar)
        t = np.where(ok[:, :, None], ew_detect_t_s[:, None, :] + lat[:, :, None], np.inf)
        ew_t = t.min(axis=0)
        ew_s = np.where(np.isfinite(ew_t), np.argmin(t, axis=0), -1).astype(np.int64)
    rc_t = np.full((n_r, n_t), np.inf)
    if n_r > 1:
        ok, lat = _receives(policy, rn, rn, 1)  # (src radar, dst radar)
        np.fill_diagonal(ok, False)
        t = np.where(ok[:, :, None], radar_track_t_s[:, None, :] + lat[:, :, None], np.inf)
        rc_t = t.min(axis=0)
    return ew_t, ew_s, rc_t


def cue_times(world: World, ew_detect_t_s: F64, radar_track_t_s: F64, policy: Policy | None) -> F64:
    """When each radar is first cued for each threat, ``(n_radar, n_threat)``: the earlier of
    :func:`cue_sources`' satellite and radar cues. [s]"""
    ew_t, _, rc_t = cue_sources(world, ew_detect_t_s, radar_track_t_s, policy)
    out: F64 = np.minimum(ew_t, rc_t)
    return out


def _look_pd(world: World, base: SensorGeometry, policy: Policy | None) -> tuple[F64, F64]:
    """Per (radar, threat, sample) single-look Pd under the policy's cueing, and the cue times.

    :func:`_look_pd_numpy` (the reference, bit-identical; tested) in a compiled kernel, element
    by element: no gathers of the cued samples, and the per-radar factors computed once.
    """
    from shieldwall.sensing._kernels import look_pd_rows  # numba: loaded on first use

    rd, sat = world.radars, world.satellites
    ew_t, ew_s, rc_t = cue_sources(world, base.ew_detect_t_s, base.uncued_track_t_s, policy)
    cue = np.minimum(ew_t, rc_t)
    srf = np.asarray(rd.search_range_factor, dtype=np.float64)
    fence = search_solid_angle_sr(rd.half_az_rad, rd.search_el_rad)
    beam = beam_solid_angle_sr(rd.beamwidth_rad)
    with np.errstate(invalid="ignore"):
        by_radar = dwell_snr_factor(srf, fence, beam, beam)
    has_sat = len(sat.latency_s) > 0
    empty = np.empty(0)
    consts = np.array([np.log(PFA), EW_ALONG_TRACK_FRACTION, CUE_SIGMAS, math.pi])
    pd1 = np.empty(base.pd_uncued.shape)
    look_pd_rows(
        np.ascontiguousarray(base.t_s),  # contiguous whatever the base: one compiled signature
        base.downrange_m,
        base.visible,
        base.range_m,
        base.snr_cued,
        base.pd_cued,
        base.pd_uncued,
        cue,
        ew_t,
        ew_s,
        rc_t,
        srf**4,
        fence,
        beam,
        by_radar,
        np.asarray(sat.launch_point_sigma_m, dtype=np.float64) if has_sat else empty,
        np.asarray(sat.azimuth_sigma_rad, dtype=np.float64) if has_sat else empty,
        consts,
        pd1,
    )
    return pd1, cue


def _look_pd_numpy(world: World, base: SensorGeometry, policy: Policy | None) -> tuple[F64, F64]:
    """:func:`_look_pd` in numpy on the gathered visible samples after a cue (the reference).

    Searching the whole fence before any cue, the satellite cue's window after its report, one
    beam after another radar's track (:mod:`shieldwall.sensing.search`): the SNR of a look
    relative to a cued look is the largest of those that apply. Computed only at the visible
    samples after a cue (elsewhere the radar searches: ``pd_uncued``).
    """
    rd, sat = world.radars, world.satellites
    ew_t, ew_s, rc_t = cue_sources(world, base.ew_detect_t_s, base.uncued_track_t_s, policy)
    cue = np.minimum(ew_t, rc_t)
    pd1 = base.pd_uncued.copy()
    # the visible samples after a cue, as flat indices (C order, as np.nonzero gives them)
    # into (radar, threat, sample), (threat, sample) and (radar, threat): 1-D gathers
    n_t, m = base.t_s.shape
    with np.errstate(invalid="ignore"):
        cell = np.flatnonzero(base.visible & (base.t_s[None] >= cue[..., None]))
    if cell.size == 0:
        return pd1, cue
    r = cell // (n_t * m)
    tk = cell - r * (n_t * m)
    rt = cell // m
    srf = rd.search_range_factor[r]
    f4 = srf**4
    fence = search_solid_angle_sr(rd.half_az_rad, rd.search_el_rad)[r]
    beam = beam_solid_angle_sr(rd.beamwidth_rad)[r]
    t_s = base.t_s.reshape(-1)[tk]
    factor = f4.copy()
    with np.errstate(invalid="ignore"):
        if len(sat.latency_s):
            s = np.maximum(ew_s.reshape(-1)[rt], 0)
            cross, along = ew_cue_sigma_m(
                sat.launch_point_sigma_m[s],
                sat.azimuth_sigma_rad[s],
                base.downrange_m.reshape(-1)[tk],
            )
            ew = dwell_snr_factor(
                srf, fence, cue_solid_angle_sr(cross, along, base.range_m.reshape(-1)[cell]), beam
            )
            factor = np.where(t_s >= ew_t.reshape(-1)[rt], np.fmax(factor, ew), factor)
        by_radar = dwell_snr_factor(srf, fence, beam, beam)
        factor = np.where(t_s >= rc_t.reshape(-1)[rt], np.fmax(factor, by_radar), factor)
    pd_cued, pd_uncued = base.pd_cued.reshape(-1)[cell], base.pd_uncued.reshape(-1)[cell]
    part = (factor > f4) & (factor < 1.0)
    pd = np.where(factor >= 1.0, pd_cued, pd_uncued)
    pd[part] = swerling1_pd(base.snr_cued.reshape(-1)[cell[part]] * factor[part])
    pd1.reshape(-1)[cell] = pd
    return pd1, cue


@dataclass(frozen=True, kw_only=True)
class SensorGeometry:
    """The policy-independent part of :func:`observe` for one set of trajectories.

    Radar geometry, horizon and field of regard, SNR and single-look Pd cued and searching,
    the look schedule, the uncued initiation pass (whose track times cue other radars) and the
    EW report times: everything but the cueing a policy gives. Compute it once per raid
    geometry with :func:`sensor_geometry` and pass it to :func:`observe` for every policy.
    Attributes are those of :class:`Visibility` of the same names, plus ``uncued_track_t_s``
    (``(n_radar, n_threat)``, median track initiation searching; ``inf`` never),
    ``downrange_m`` (``(n_threat, m)``, great-circle distance from the launch point, for the
    satellite cue's error) and ``refraction``.
    """

    refraction: bool
    t_s: F64
    visible: B
    range_m: F64
    el_rad: F64
    snr_cued: F64
    pd_cued: F64
    pd_uncued: F64
    is_look: B
    looks_per_sample: F64
    uncued_track_t_s: F64
    ew_detect_t_s: F64
    downrange_m: F64


def _downrange_m(traj: Trajectories) -> F64:
    """Great-circle distance of each sample's sub-point from the launch point, ``(n, m)``. [m]"""
    u0 = traj.launch_r_ecef_m / np.linalg.norm(traj.launch_r_ecef_m, axis=-1, keepdims=True)
    with np.errstate(invalid="ignore"):
        u = traj.r_ecef_m / np.linalg.norm(traj.r_ecef_m, axis=-1, keepdims=True)
        cos_c = np.clip(np.einsum("tki,ti->tk", u, u0), -1.0, 1.0)
    out: F64 = WGS84_A_M * np.arccos(cos_c)
    return out


def sensor_geometry(
    world: World, trajectories: Trajectories, *, refraction: bool = True
) -> SensorGeometry:
    """What every radar and EW satellite can see of every threat, before any cueing.

    Parameters
    ----------
    world
        Radars, satellites, missiles (RCS) and nations.
    trajectories
        Threat trajectories on their grid.
    refraction
        Apply the 4/3-Earth refraction to the horizon (default True).

    Notes
    -----
    The per-element geometry, field of regard, SNR and Pd run in a compiled kernel
    (:mod:`shieldwall.sensing._kernels`) that writes them straight into their arrays;
    :func:`sensor_geometry_numpy` is the numpy formulation, bit-identical (tested).
    """
    return _assemble(world, trajectories, refraction, _radar_pd(world, trajectories, refraction))


def sensor_geometry_numpy(
    world: World, trajectories: Trajectories, *, refraction: bool = True
) -> SensorGeometry:
    """:func:`sensor_geometry` in numpy, one radar at a time (the reference and baseline)."""
    parts = _radar_pd_numpy(world, trajectories, refraction)
    return _assemble(world, trajectories, refraction, parts)


_RadarPd = tuple[B, F64, F64, F64, F64, F64]  # visible, el, range, snr_cued, pd_cued, pd_uncued


def _radar_pd(world: World, traj: Trajectories, refraction: bool) -> _RadarPd:
    """:func:`_radar_pd_numpy` in the compiled kernel (the same operations in the same order)."""
    from shieldwall.sensing._kernels import sensor_rows  # numba: loaded on first use

    rd = world.radars
    origin = geodetic_to_ecef(rd.lat_rad, rd.lon_rad, rd.alt_m)
    rot = enu_rotation(rd.lat_rad, rd.lon_rad)
    floor = np.maximum(
        np.asarray(rd.min_el_rad, dtype=np.float64), -horizon_dip_rad(rd.alt_m)
    ).reshape(-1)
    r0 = np.asarray(rd.r0_m, dtype=np.float64)
    shape = (origin.shape[0], *traj.t_s.shape)
    visible = np.empty(shape, dtype=bool)
    el, rg, snr_cued, pd_cued, pd_uncued = (np.empty(shape) for _ in range(5))
    c_refr = (1.0 - 1.0 / REFRACTION_K) if refraction else 0.0
    consts = np.array([c_refr, 2.0 * WGS84_A_M, SNR_AT_R0, np.log(PFA), 4.0, np.pi, 2.0 * np.pi])
    sensor_rows(
        np.ascontiguousarray(traj.r_ecef_m, dtype=np.float64),
        origin,
        rot,
        np.ascontiguousarray(_rcs(world, traj)),
        floor,
        np.asarray(rd.boresight_az_rad, dtype=np.float64),
        np.asarray(rd.half_az_rad, dtype=np.float64),
        np.asarray(rd.max_el_rad, dtype=np.float64),
        r0,
        r0 * rd.search_range_factor,
        consts,
        visible,
        el,
        rg,
        snr_cued,
        pd_cued,
        pd_uncued,
    )
    return visible, el, rg, snr_cued, pd_cued, pd_uncued


def _radar_pd_numpy(world: World, traj: Trajectories, refraction: bool) -> _RadarPd:
    """Radar geometry, field of regard, SNR and single-look Pd cued and searching, in numpy."""
    rd = world.radars
    az, el, rg = radar_aer(traj.r_ecef_m, rd.lat_rad, rd.lon_rad, rd.alt_m)
    # one radar at a time (tens), each vectorized over the chunk: the same elementwise
    # operations as on the whole (radar, threat, sample) array, on cache-sized slices
    visible = np.empty(rg.shape, dtype=bool)
    snr_cued, pd_cued, pd_uncued = np.empty(rg.shape), np.empty(rg.shape), np.empty(rg.shape)
    rcs = _rcs(world, traj)
    for i in range(rg.shape[0]):
        sl = slice(i, i + 1)
        vis = in_field_of_regard(
            az[sl],
            el[sl],
            rg[sl],
            boresight_az_rad=rd.boresight_az_rad[sl],
            half_az_rad=rd.half_az_rad[sl],
            min_el_rad=rd.min_el_rad[sl],
            max_el_rad=rd.max_el_rad[sl],
            site_alt_m=rd.alt_m[sl],
            refraction=refraction,
        )[0]
        visible[i] = vis
        r0 = rd.r0_m[i]
        snr_cued[i] = np.where(vis, snr(rcs, rg[i], r0), 0.0)
        pd_cued[i] = np.where(vis, swerling1_pd(snr_cued[i]), 0.0)
        snr_search = np.where(vis, snr(rcs, rg[i], r0 * rd.search_range_factor[i]), 0.0)
        pd_uncued[i] = np.where(vis, swerling1_pd(snr_search), 0.0)
    return visible, el, rg, snr_cued, pd_cued, pd_uncued


def _assemble(
    world: World, traj: Trajectories, refraction: bool, parts: _RadarPd
) -> SensorGeometry:
    """The look schedule, the uncued initiation pass and the EW reports around ``parts``."""
    visible, el, rg, snr_cued, pd_cued, pd_uncued = parts
    rd = world.radars
    t_s = traj.t_s
    m = t_s.shape[1]
    is_look, per = look_mask(rd.revisit_s, traj.dt_s, m)
    ew = ew_detect_times(traj.launch_t_s, traj.burnout_t_s, world.satellites.latency_s)
    look = is_look[:, None, :]
    trk0 = median_time(
        m_of_n_cdf(_per_sample(pd_uncued, is_look, per), look, TRACK_INIT_M, TRACK_INIT_N), t_s
    )
    return SensorGeometry(
        refraction=refraction,
        t_s=t_s,
        visible=visible,
        range_m=rg,
        el_rad=el,
        snr_cued=snr_cued,
        pd_cued=pd_cued,
        pd_uncued=pd_uncued,
        is_look=is_look,
        looks_per_sample=per,
        uncued_track_t_s=trk0,
        ew_detect_t_s=ew,
        downrange_m=_downrange_m(traj),
    )


def _per_sample(pd1: F64, is_look: B, per: F64) -> F64:
    """Per grid sample detection probability: looks merged, 0 off looks.

    One radar at a time with a scalar exponent: a broadcast array exponent lets numpy pick
    its vectorized or its scalar ``pow`` depending on the array's shape, which moves the last
    bit, and results must not depend on how threats are chunked.
    """
    out = np.zeros(pd1.shape)
    for i in range(pd1.shape[0]):  # radars (tens)
        n_looks = float(per[i])
        miss = 1.0 - pd1[i]
        merged = miss if n_looks == 1.0 else miss**n_looks
        out[i] = np.where(is_look[i][None, :], 1.0 - merged, 0.0)
    return out


def observe(
    world: World,
    trajectories: Trajectories,
    policy: Policy | None = None,
    *,
    refraction: bool = True,
    base: SensorGeometry | None = None,
) -> Visibility:
    """What every radar and EW satellite sees of every threat, with the policy's cueing.

    Parameters
    ----------
    world
        Radars, satellites, missiles (RCS) and nations.
    trajectories
        Threat trajectories on their grid.
    policy
        Sharing policy for cueing; ``None`` = each radar cued only by its own nation.
    refraction
        Apply the 4/3-Earth refraction to the horizon (default True).
    base
        :func:`sensor_geometry` of the same world and trajectories (computed here when
        ``None``); reusing it across policies gives bit-identical results.

    Raises
    ------
    ValueError
        A ``base`` of other trajectories (grid shape) or another refraction setting; a
        ``policy`` that is not a :class:`Policy` (``ArgumentError``).
    """
    if policy is not None:
        check_type(policy, "policy", Policy, "a Policy (world.policies[name]) or None")
    traj = trajectories
    if base is None:
        base = sensor_geometry(world, traj, refraction=refraction)
    elif base.t_s.shape != traj.t_s.shape or base.refraction != refraction:
        raise ValueError(
            f"base sensor geometry is for a grid of shape {base.t_s.shape} with refraction="
            f"{base.refraction}, not {traj.t_s.shape} with refraction={refraction}; "
            "compute it with sensor_geometry(world, trajectories) for these trajectories"
        )
    t_s = traj.t_s
    look = base.is_look[:, None, :]
    pd1, cue = _look_pd(world, base, policy)
    pd = _per_sample(np.where(base.visible, pd1, 0.0), base.is_look, base.looks_per_sample)
    p_trk = m_of_n_cdf(pd, look, TRACK_INIT_M, TRACK_INIT_N)
    p_det = detection_cdf(pd)
    return Visibility(
        policy="" if policy is None else policy.name,
        t_s=t_s,
        visible=base.visible,
        range_m=base.range_m,
        el_rad=base.el_rad,
        snr_cued=base.snr_cued,
        pd_cued=base.pd_cued,
        pd_uncued=base.pd_uncued,
        is_look=base.is_look,
        looks_per_sample=base.looks_per_sample,
        cue_t_s=cue,
        pd=pd,
        p_detect_cdf=p_det,
        p_track_cdf=p_trk,
        first_detect_t_s=median_time(p_det, t_s),
        track_init_t_s=median_time(p_trk, t_s),
        ew_detect_t_s=base.ew_detect_t_s,
    )
