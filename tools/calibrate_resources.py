"""Measure the peak memory and time of `simulate` on scenarios of several sizes, fit the resource
guard's coefficients, and print the measurements beside the guard's estimate.

Run after a change to a stage's array layout:

    uv run python tools/calibrate_resources.py

Each row: the sizes (threats T, predicted trajectory samples ΣS, radars R, nations N, batteries
B, trials K), the measured tracemalloc peak of simulate (flight included) and its wall time, the
estimate of shieldwall.resources and their ratio (it must stay >= 1). Then the non-negative
least-squares fit of the peaks on the model's terms (ΣS, ΣS·R, chunk·N, ΣS·B, K·T) and of the
times: the coefficients in shieldwall/resources.py are these, rounded. Timings on a shared
machine are noisy; the memory figures are not.
"""

from __future__ import annotations

import copy
import time
import tracemalloc
from pathlib import Path
from typing import Any

import numpy as np
from ruamel.yaml import YAML
from scipy.optimize import nnls

from shieldwall import api
from shieldwall.resources import estimate_resources
from shieldwall.tracking.chunks import CHUNK_SAMPLES

ROOT = Path(__file__).resolve().parents[1]
_YAML = YAML(typ="safe", pure=True)


def _example(name: str) -> Any:
    return _YAML.load((ROOT / "examples" / name).read_text())


def minimal_variant(count: int, radars: int = 1, nations: int = 1, batteries: int = 1) -> Any:
    """The minimal example with ``count`` Scud-C, extra radars, nations and batteries."""
    doc = _example("minimal.yaml")
    doc["threats"]["raid"][0].update(count=count, interval_s=0.5)
    r0 = doc["sensors"]["radars"][0]
    b0 = doc["batteries"][0]
    ids = ["BLU", *(f"N{i}" for i in range(1, nations))]
    doc["nations"] = [{"id": n, "name": n} for n in ids]
    doc["sensors"]["radars"] = [
        dict(
            r0,
            id=f"r{i}",
            nation=ids[i % nations],
            site={"lat_deg": 35.2 + 0.1 * i, "lon_deg": 127.8, "alt_m": 200},
        )
        for i in range(radars)
    ]
    doc["batteries"] = [
        dict(b0, id=f"b{i}", site={"lat_deg": 35.02 + 0.05 * i, "lon_deg": 128.02})
        for i in range(batteries)
    ]
    return doc


def mixed_variant(count: int, radars: int = 1, nations: int = 1) -> Any:
    """``count`` Scud-C and one long Hwasong-12 flight (short and long flights together)."""
    doc = minimal_variant(count, radars=radars, nations=nations)
    far = {"lat_deg": 30.0, "lon_deg": 145.0}
    doc["assets"].append({"id": "far", "nation": "BLU", "location": far, "value": 10})
    area = doc["threats"]["raid"][0]["launch_area"]
    doc["threats"]["raid"].append(
        {"missile": "Hwasong-12", "count": 1, "launch_area": area, "aim_asset": "far"}
    )
    return doc


CASES: list[tuple[str, Any, int]] = [
    ("minimal", minimal_variant(3), 200),
    ("300 Scud-C", minimal_variant(300), 20),
    ("600 Scud-C", minimal_variant(600), 20),
    ("100, 10 radars", minimal_variant(100, radars=9), 20),
    ("100, 3 nations", minimal_variant(100, radars=3, nations=3), 20),
    ("100, 10 batteries", minimal_variant(100, batteries=10), 20),
    ("3, 200k trials", minimal_variant(3), 200_000),
    ("30, 100k trials", minimal_variant(30), 100_000),
    ("100 + 1 long", mixed_variant(100), 20),
    ("300 + 1 long, 6 radars", mixed_variant(300, radars=5), 20),
    ("100 + 1 long, 3 nations", mixed_variant(100, radars=6, nations=3), 20),
    ("korea_japan", _example("korea_japan.yaml"), 2000),
    ("gulf", _example("gulf.yaml"), 2000),
]


def measure(doc: Any, trials: int) -> dict[str, float]:
    """Sizes, the tracemalloc peak [B] and wall time [s] of simulate, and the estimate."""
    world = api.compile_world(api.load_scenario(doc))
    est = estimate_resources(world, trials)
    api.simulate(world, trials=20)  # warm: flyout tables, aiming calibration
    t0 = time.perf_counter()
    api.simulate(world, trials=trials)
    wall = time.perf_counter() - t0  # without tracemalloc, which slows Python code down
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    api.simulate(world, trials=trials)
    peak = tracemalloc.get_traced_memory()[1] - base
    tracemalloc.stop()
    return {
        "T": est.threats,
        "S": est.total_samples,
        "R": est.radars,
        "N": est.nations,
        "B": est.batteries,
        "K": trials,
        "peak": peak,
        "est": est.memory_bytes,
        "wall": wall,
        "est_s": est.time_s,
    }


def _memory_terms(m: dict[str, float]) -> list[float]:
    s, chunk = m["S"], min(m["S"], CHUNK_SAMPLES)
    return [s, s * m["R"], chunk * m["N"], s * m["B"], m["K"] * m["T"]]


def _time_terms(m: dict[str, float]) -> list[float]:
    s = m["S"]
    return [1.0, m["T"], s * m["R"], s * m["N"], s * m["B"], m["K"] * m["T"]]


def main() -> None:
    api.simulate(api.compile_world(api.load_scenario(minimal_variant(3))), trials=20)  # warm
    print(
        f"{'case':24s} {'T':>4s} {'ΣS':>7s} {'R':>3s} {'N':>2s} {'B':>3s} {'K':>7s}"
        f" {'peak MB':>8s} {'est MB':>8s} {'ratio':>5s} {'wall s':>6s} {'est s':>6s}"
    )
    rows = []
    for label, doc, trials in CASES:
        m = measure(copy.deepcopy(doc), trials)
        rows.append(m)
        print(
            f"{label:24s} {m['T']:4.0f} {m['S']:7.0f} {m['R']:3.0f} {m['N']:2.0f} {m['B']:3.0f}"
            f" {m['K']:7.0f} {m['peak'] / 1e6:8.1f} {m['est'] / 1e6:8.1f}"
            f" {m['est'] / m['peak']:5.2f} {m['wall']:6.2f} {m['est_s']:6.2f}"
        )
    peak = np.array([m["peak"] for m in rows])
    a = np.array([_memory_terms(m) for m in rows])
    coef, _ = nnls(a / peak[:, None], np.ones(len(rows)))  # relative errors
    fit = a @ coef / peak
    names = ["ΣS", "ΣS·R", "chunk·N", "ΣS·B", "K·T"]
    print("memory fit [B]:", ", ".join(f"{n} {c:.0f}" for n, c in zip(names, coef, strict=True)))
    print(f"  fitted / measured: {fit.min():.2f} .. {fit.max():.2f}")
    wall = np.array([m["wall"] for m in rows])
    ta = np.array([_time_terms(m) for m in rows])
    tcoef, _ = nnls(ta / wall[:, None], np.ones(len(rows)))
    tnames = ["1", "T", "ΣS·R", "ΣS·N", "ΣS·B", "K·T"]
    print("time fit [s]:", ", ".join(f"{n} {c:.2e}" for n, c in zip(tnames, tcoef, strict=True)))
    ratios = np.array([m["est"] / m["peak"] for m in rows])
    print(f"estimate / measured peak: {ratios.min():.2f} .. {ratios.max():.2f} (must be >= 1)")


if __name__ == "__main__":
    main()
