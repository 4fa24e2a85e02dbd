"""tracking/: what each nation knows — batched EKF kernels, the covariance recursion along the
truth, fusion per sharing policy, impact-point prediction. See docs/tracking.md."""

from __future__ import annotations

from shieldwall.tracking.chunks import SensingBase, picture, prepare
from shieldwall.tracking.covariance import FilterModel, TrackingGeometry, tracking_geometry
from shieldwall.tracking.fusion import ci_fuse, ci_optimal_omega
from shieldwall.tracking.measurement import EKFRun, simulate_ekf
from shieldwall.tracking.picture import TrackPicture
from shieldwall.tracking.track import FUSIONS, MODES, nation_fcq_requirement_m, track

__all__ = [
    "FUSIONS",
    "MODES",
    "EKFRun",
    "FilterModel",
    "SensingBase",
    "TrackPicture",
    "TrackingGeometry",
    "ci_fuse",
    "ci_optimal_omega",
    "nation_fcq_requirement_m",
    "picture",
    "prepare",
    "simulate_ekf",
    "track",
    "tracking_geometry",
]
