"""Local search on the asset-based objective (polish after the target-based surrogate)."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from shieldwall.battle.wta.problem import WTAProblem

__all__ = ["polish_assets"]


def polish_assets(
    problem: WTAProblem, x: NDArray[np.int64], max_iter: int = 10_000
) -> NDArray[np.int64]:
    """Placeholder: returns ``x`` unchanged."""
    return x
