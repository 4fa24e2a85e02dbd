"""numba's ``njit`` for the compiled kernels, loaded without numba's import-time BLAS probe.

The first kernel a process loads imports numba's numpy support (``numba.np.arraymath``), which
checks once, at its import, whether SciPy's BLAS can be imported, by importing ``scipy.linalg``:
0.15-0.3 s of every process's start-up here, ~5% of the flagship ``compare``, for a check whose
only use is to choose how ``np.correlate`` and ``np.convolve`` take inner products (a loop
instead of BLAS). No kernel here calls those, and ``np.dot`` and ``np.linalg`` are unaffected:
they import SciPy's BLAS themselves when a kernel using them is compiled. So this module imports
``numba.np.arraymath`` with the probe answering "no BLAS" (unless ``scipy.linalg`` is loaded
already, when the probe is free) and then puts numba's ``ensure_blas`` back. Every kernel module
imports ``njit`` from here.
"""

from __future__ import annotations

import sys

from numba import njit

__all__ = ["njit"]


def _no_blas() -> None:
    raise ImportError("not probed (shieldwall._jit): no kernel needs BLAS at import")


def _import_without_blas_probe() -> None:
    if "numba.np.arraymath" in sys.modules or "scipy.linalg" in sys.modules:
        return
    import numba.np.linalg as linalg

    probe = linalg.ensure_blas
    linalg.ensure_blas = _no_blas
    try:
        import numba.np.arraymath as arraymath
    finally:
        linalg.ensure_blas = probe
    arraymath.ensure_blas = probe  # type: ignore[attr-defined]  # bound at its import; probe only


_import_without_blas_probe()
