"""Array type aliases shared by every stage (struct of arrays, docs/architecture.md §3)."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

#: float64 array (SI units; the unit is in the variable's name).
F64 = NDArray[np.float64]
#: int64 array (indices into World tables, counts).
I64 = NDArray[np.int64]
#: int32 array (compact per-trial counts).
I32 = NDArray[np.int32]
#: bool array (masks).
B = NDArray[np.bool_]

__all__ = ["F64", "I32", "I64", "B"]
