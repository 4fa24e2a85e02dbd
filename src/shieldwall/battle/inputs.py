"""What battle/ reads from the stages above it, as structural types.

battle/ codes against the documented interfaces of docs/interfaces.md (``World``,
``Trajectories``, ``FlyoutTable``, ``TrackPicture``, ``Visibility``), not against their classes:
any object with these attributes works, which lets the kernels be tested on small synthetic
inputs. Only the attributes battle/ actually reads are listed.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from shieldwall._types import F64, I64

__all__ = [
    "AssetsLike",
    "BatteriesLike",
    "FlyoutLike",
    "InterceptorsLike",
    "MissilesLike",
    "PictureLike",
    "PolicyLike",
    "RadarsLike",
    "RaidLike",
    "TrajectoriesLike",
    "WorldLike",
]


class AssetsLike(Protocol):
    @property
    def nation_idx(self) -> I64: ...
    @property
    def r_ecef_m(self) -> F64: ...
    @property
    def value(self) -> F64: ...
    @property
    def radius_m(self) -> F64: ...


class MissilesLike(Protocol):
    @property
    def threat_class(self) -> tuple[str, ...]: ...
    @property
    def reliability(self) -> F64: ...


class InterceptorsLike(Protocol):
    @property
    def name(self) -> tuple[str, ...]: ...
    @property
    def tier(self) -> tuple[str, ...]: ...
    @property
    def reaction_time_s(self) -> F64: ...
    @property
    def kill_assessment_s(self) -> F64: ...
    @property
    def organic_guidance(self) -> NDArray[np.bool_]: ...
    @property
    def fcq_ipp_sigma_m(self) -> F64: ...
    @property
    def pk(self) -> F64: ...


class RadarsLike(Protocol):
    @property
    def nation_idx(self) -> I64: ...
    @property
    def revisit_s(self) -> F64: ...


class BatteriesLike(Protocol):
    @property
    def id(self) -> tuple[str, ...]: ...
    @property
    def nation_idx(self) -> I64: ...
    @property
    def interceptor_idx(self) -> I64: ...
    @property
    def inventory(self) -> I64: ...
    @property
    def fire_channels(self) -> I64: ...
    @property
    def r_ecef_m(self) -> F64: ...
    @property
    def radar_idx(self) -> I64: ...


class RaidLike(Protocol):
    @property
    def aim_asset_idx(self) -> I64: ...


class NationsLike(Protocol):
    @property
    def id(self) -> tuple[str, ...]: ...


class WorldLike(Protocol):
    @property
    def nations(self) -> NationsLike: ...
    @property
    def assets(self) -> AssetsLike: ...
    @property
    def missiles(self) -> MissilesLike: ...
    @property
    def interceptors(self) -> InterceptorsLike: ...
    @property
    def radars(self) -> RadarsLike: ...
    @property
    def batteries(self) -> BatteriesLike: ...
    @property
    def raid(self) -> RaidLike: ...


class PolicyLike(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def share(self) -> NDArray[np.int8]: ...
    @property
    def defends(self) -> NDArray[np.bool_]: ...


class TrajectoriesLike(Protocol):
    @property
    def t_s(self) -> F64: ...
    @property
    def r_ecef_m(self) -> F64: ...
    @property
    def alt_m(self) -> F64: ...
    @property
    def phase(self) -> NDArray[np.int8]: ...
    @property
    def missile_idx(self) -> I64: ...
    @property
    def impact_t_s(self) -> F64: ...
    @property
    def impact_r_ecef_m(self) -> F64: ...


class FlyoutLike(Protocol):
    def time_to_reach(self, ground_range_m: F64, alt_m: F64) -> F64: ...


class PictureLike(Protocol):
    def fire_control_time(self, nation_idx: int, sigma_req_m: float) -> F64: ...
    @property
    def radar_tracking(self) -> NDArray[np.bool_]: ...
    @property
    def guidance_radars(self) -> NDArray[np.bool_]: ...
