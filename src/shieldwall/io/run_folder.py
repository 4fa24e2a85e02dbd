"""Run folders: one folder per simulation, written atomically (DESIGN.md §4–5).

A run folder holds ``run.json`` (provenance: shieldwall version, scenario name and hash, phase,
seed, trials, policy, solver, tracking mode, stage timings, headline metrics) and Parquet tables:

- ``trajectories.parquet``: every valid trajectory sample (threat, t, ECEF position, altitude,
  phase);
- ``opportunities.parquet``: the engagement windows (one row per battery–threat pair);
- ``engagements.parquet``: the engagement log of the first logged trials (docs/battle.md §7);
- ``trials.parquet``: per trial, leakers, interceptors used, zero leakage;
- ``threat_outcomes.parquet``: per trial and threat, flew / killed / leaked / rounds;
- ``assets.parquet`` and ``batteries.parquet``: per-asset survival and per-battery use.

Everything is written into a hidden temporary sibling folder and renamed into place in one step,
so an interrupted run never leaves a half-written folder under the final name, and an existing
folder is never overwritten.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import uuid
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from shieldwall import __version__
from shieldwall.errors import Problem, ShieldwallError
from shieldwall.pipeline import Results

__all__ = ["RUN_FILE", "RunFolderError", "read_run", "run_summary", "write_run_folder"]

#: Name of the provenance file inside a run folder.
RUN_FILE = "run.json"
#: Format version of the run folder layout.
RUN_FORMAT = 1


class RunFolderError(ShieldwallError, OSError):
    """A run folder cannot be written or read (exists already, not a run folder, ...)."""


def _fail(path: Path, message: str) -> RunFolderError:
    return RunFolderError(f"{path}: {message}", [Problem(message=message, file=str(path))])


def run_summary(results: Results) -> dict[str, Any]:
    """Headline metrics of one simulation as plain JSON values."""
    m = results.metrics
    world = results.world
    return {
        "p_zero_leak": m.p_zero_leak,
        "p_zero_leak_ci": list(m.p_zero_leak_ci),
        "expected_leakers": m.expected_leakers,
        "expected_leakers_ci": list(m.expected_leakers_ci),
        "interceptors_used": m.interceptors_used,
        "interceptors_used_ci": list(m.interceptors_used_ci),
        "p_asset_survives": {
            aid: {"p": float(p), "ci": [float(lo), float(hi)]}
            for aid, p, lo, hi in zip(
                world.assets.id,
                m.p_asset_survives,
                m.p_asset_survives_lo,
                m.p_asset_survives_hi,
                strict=True,
            )
        },
        "expended_by_interceptor": _by_name(
            m.expended_by_battery, world.batteries.interceptor_idx, world.interceptors.name
        ),
        "expended_by_nation": _by_name(
            m.expended_by_battery, world.batteries.nation_idx, world.nations.id
        ),
        "inventory_left": float(np.sum(m.inventory_left_by_battery)),
        "decision_margin_s": {
            "min": _nan_to_none(np.nanmin(m.decision_margin_s, initial=np.inf)),
            "median": _nan_to_none(
                float(np.nanmedian(m.decision_margin_s))
                if np.isfinite(m.decision_margin_s).any()
                else float("nan")
            ),
            "threats_without_window": int(np.isnan(m.decision_margin_s).sum()),
        },
    }


def _nan_to_none(x: float) -> float | None:
    return float(x) if np.isfinite(x) else None


def _by_name(values: np.ndarray, idx: np.ndarray, names: tuple[str, ...]) -> dict[str, float]:
    out: dict[str, float] = {}
    for v, i in zip(values, idx, strict=True):
        out[names[int(i)]] = out.get(names[int(i)], 0.0) + float(v)
    return out


def _provenance(results: Results, files: list[str], extra: dict[str, Any]) -> dict[str, Any]:
    world = results.world
    return {
        "format": RUN_FORMAT,
        "complete": True,
        "shieldwall_version": __version__,
        "created_utc": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "scenario": world.name,
        "scenario_hash": world.scenario_hash,
        "phase": world.phase,
        "epoch": world.epoch,
        "policy": results.policy,
        "solver": results.solver,
        "objective": results.objective,
        "plan_objective": results.plan_objective,
        "tracking_mode": results.tracking_mode,
        "seed": results.seed,
        "trials": results.trials,
        "timings_s": results.timings_s,
        "metrics": run_summary(results),
        "files": files,
        **extra,
    }


def _tables(results: Results) -> dict[str, pa.Table]:
    world = results.world
    tables: dict[str, pa.Table] = {}
    tr = results.trajectories
    valid = np.isfinite(np.asarray(tr.t_s))
    threat, _ = np.nonzero(valid)
    r = np.asarray(tr.r_ecef_m)[valid]
    tables["trajectories"] = pa.table(
        {
            "threat_idx": threat.astype(np.int32),
            "t_s": np.asarray(tr.t_s)[valid],
            "x_ecef_m": r[:, 0],
            "y_ecef_m": r[:, 1],
            "z_ecef_m": r[:, 2],
            "alt_m": np.asarray(tr.alt_m)[valid],
            "phase": np.asarray(tr.phase)[valid].astype(np.int8),
        }
    )
    opp_cols = dict(results.fight.columns())
    opp_cols["battery_id"] = np.array(
        [world.batteries.id[int(b)] for b in results.fight.row_battery_idx], dtype=object
    )
    tables["opportunities"] = pa.table(opp_cols)
    out = results.outcomes
    ev_cols = dict(out.events.columns())
    ev_cols["battery_id"] = np.array(
        [world.batteries.id[int(b)] for b in out.events.battery_idx], dtype=object
    )
    tables["engagements"] = pa.table(ev_cols)
    n_tr, n_t = out.flew.shape
    tables["trials"] = pa.table(
        {
            "trial": np.arange(n_tr, dtype=np.int32),
            "leakers": out.leakers.astype(np.int32),
            "interceptors_used": out.rounds.astype(np.int32),
            "zero_leak": out.leakers == 0,
        }
    )
    tables["threat_outcomes"] = pa.table(
        {
            "trial": np.repeat(np.arange(n_tr, dtype=np.int32), n_t),
            "threat_idx": np.tile(np.arange(n_t, dtype=np.int32), n_tr),
            "flew": out.flew.ravel(),
            "killed": out.killed.ravel(),
            "leaked": out.leaked.ravel(),
            "rounds": out.rounds_at.ravel().astype(np.int16),
        }
    )
    m = results.metrics
    tables["assets"] = pa.table(
        {
            "asset_id": list(world.assets.id),
            "p_survives": m.p_asset_survives,
            "p_survives_lo": m.p_asset_survives_lo,
            "p_survives_hi": m.p_asset_survives_hi,
        }
    )
    tables["batteries"] = pa.table(
        {
            "battery_id": list(world.batteries.id),
            "nation": [world.nations.id[int(i)] for i in world.batteries.nation_idx],
            "interceptor": [
                world.interceptors.name[int(i)] for i in world.batteries.interceptor_idx
            ],
            "inventory": np.asarray(world.batteries.inventory),
            "expended_mean": m.expended_by_battery,
            "left_mean": m.inventory_left_by_battery,
        }
    )
    return tables


def write_run_folder(
    results: Results, out_dir: str | os.PathLike[str], *, extra: dict[str, Any] | None = None
) -> Path:
    """Write a run folder atomically.

    Parameters
    ----------
    results
        One policy's simulation results (:func:`shieldwall.pipeline.simulate`).
    out_dir
        Folder to create; it must not exist yet.
    extra
        More provenance for ``run.json`` (e.g. the command line).

    Returns
    -------
    The folder written.

    Raises
    ------
    RunFolderError
        The folder exists already, or it could not be written (nothing is left behind).
    """
    final = Path(out_dir)
    if final.exists():
        raise _fail(final, "exists already; choose another --out folder or remove it")
    parent = final.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _fail(parent, f"cannot create the folder ({exc.strerror})") from exc
    tmp = parent / f".{final.name}.tmp-{uuid.uuid4().hex[:8]}"
    try:
        tmp.mkdir()
        files = []
        for name, table in _tables(results).items():
            pq.write_table(table, tmp / f"{name}.parquet")
            files.append(f"{name}.parquet")
        provenance = _provenance(results, [RUN_FILE, *files], extra or {})
        (tmp / RUN_FILE).write_text(json.dumps(provenance, indent=2, default=_json_default) + "\n")
        os.rename(tmp, final)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)  # only our own temporary folder
        raise _fail(final, f"cannot write the run folder ({exc})") from exc
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return final


def _json_default(obj: Any) -> Any:
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    raise TypeError(f"not JSON serialisable: {type(obj).__name__}")


def read_run(path: str | os.PathLike[str]) -> dict[str, Any]:
    """``run.json`` of a run folder.

    Raises
    ------
    RunFolderError
        Not a (complete) run folder.
    """
    folder = Path(path)
    run = folder / RUN_FILE
    if not run.is_file():
        raise _fail(folder, f"not a run folder (no {RUN_FILE})")
    try:
        data: dict[str, Any] = json.loads(run.read_text())
    except (OSError, ValueError) as exc:
        raise _fail(run, f"unreadable ({exc})") from exc
    if not data.get("complete"):
        raise _fail(folder, "run folder is incomplete")
    return data
