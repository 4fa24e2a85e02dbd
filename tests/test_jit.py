"""The kernels' numba is loaded without its import-time BLAS probe (``shieldwall._jit``)."""

from __future__ import annotations

import subprocess
import sys

_PROBE = """
import sys, time
import numpy as np
import shieldwall._jit  # what every kernel module imports first
import numba.np.arraymath as arraymath
import numba.np.linalg as linalg
print("scipy.linalg" in sys.modules, arraymath._HAVE_BLAS, arraymath.ensure_blas is linalg.ensure_blas)
from shieldwall.flight._kernels import propagate_rows  # a real kernel still loads
@shieldwall._jit.njit
def dot(a, b):
    return np.dot(a, b)
print(dot(np.arange(3.0), np.ones(3)), "scipy.linalg" in sys.modules)
"""


def test_kernels_load_without_importing_scipy_linalg_and_blas_still_works() -> None:
    """No ``scipy.linalg`` import at start-up (the probe said "no BLAS" and numba's own
    ``ensure_blas`` was put back), and a kernel that needs BLAS (``np.dot``) still compiles and
    imports SciPy's BLAS itself."""
    out = subprocess.run([sys.executable, "-c", _PROBE], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False", "True", "3.0", "True"]


def test_the_probe_runs_as_usual_where_scipy_linalg_is_loaded_already() -> None:
    code = (
        "import scipy.linalg, shieldwall._jit, numba.np.arraymath as a; print(a._HAVE_BLAS)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "True"
