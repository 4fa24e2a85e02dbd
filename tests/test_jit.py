"""The kernels' numba is loaded without its import-time BLAS probe (``shieldwall._jit``)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

_PROBE = """
import sys, time
import numpy as np
import shieldwall._jit  # what every kernel module imports first
import numba.np.arraymath as arraymath
import numba.np.linalg as linalg
restored = arraymath.ensure_blas is linalg.ensure_blas
print("scipy.linalg" in sys.modules, arraymath._HAVE_BLAS, restored)
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
    code = "import scipy.linalg, shieldwall._jit, numba.np.arraymath as a; print(a._HAVE_BLAS)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "True"


_SIGNATURES = """
import sys
from pathlib import Path
from pathlib import Path
from numba.core.registry import CPUDispatcher
from shieldwall.pipeline import simulate_policies
from shieldwall.scenario import compile_world, load_scenario
world = compile_world(load_scenario(Path(sys.argv[1])))
simulate_policies(world, ["national", "cueing", "shared_tracks", "integrated"], 2000,
                  blocks=range(0, 2), full_outcomes=False)
for name, mod in list(sys.modules.items()):
    if name.startswith("shieldwall") and name.endswith("_kernels"):
        for key, f in vars(mod).items():
            if isinstance(f, CPUDispatcher) and f.signatures:
                print(name, key, len(f.signatures))
"""


def test_a_flagship_run_loads_each_kernel_for_one_signature_only() -> None:
    """Each signature a process meets is one more cached kernel to load (~20 ms each at
    start-up): the callers pass the same layouts and flags every time."""
    flagship = Path(__file__).resolve().parents[1] / "examples" / "korea_japan.yaml"
    out = subprocess.run(
        [sys.executable, "-c", _SIGNATURES, str(flagship)], capture_output=True, text=True,
        check=True,
    )  # fmt: skip
    counts = {" ".join(line.split()[:2]): int(line.split()[2]) for line in out.stdout.splitlines()}
    assert len(counts) >= 15  # the run really loaded the kernels
    assert {k: n for k, n in counts.items() if n != 1} == {}
