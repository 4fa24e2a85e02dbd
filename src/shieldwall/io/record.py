"""A run record: provenance, the scenario and named tables, in memory or read from a run folder.

:func:`record_results` (one policy) and :func:`record_comparison` (several policies on the same
random numbers) build a :class:`RunRecord` from simulation results; :mod:`.run_folder` writes it
atomically and reads it back. A record behaves as the mapping of its ``run.json`` (``rec["seed"]``)
and gives its tables as pandas DataFrames (``rec.table("threats")``) — with names, not indices.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from shieldwall import __version__
from shieldwall.io.errors import RUN_FILE, RunFolderError, fail

if TYPE_CHECKING:
    import pandas as pd

    from shieldwall.pipeline import Results
    from shieldwall.scenario import Scenario
    from shieldwall.studies.compare import Comparison

__all__ = [
    "RUN_FILE",
    "RUN_FORMAT",
    "RunFolderError",
    "RunRecord",
    "record_comparison",
    "record_results",
    "run_summary",
]

#: The scenario as given (a YAML file's text) and in canonical JSON (it re-loads).
SCENARIO_SOURCE, SCENARIO_JSON = "scenario.yaml", "scenario.json"
#: Format version of the run folder layout (2: named tables, docs/results.md).
RUN_FORMAT = 2


class RunRecord(Mapping[str, Any]):
    """A run record: the mapping of its ``run.json`` plus named tables.

    Build one with :func:`record_results` / :func:`record_comparison`, or read a run folder with
    :func:`shieldwall.io.run_folder.read_run`.

    Attributes
    ----------
    info
        The ``run.json`` document.
    path
        The run folder (``None`` for a record not written yet).
    """

    def __init__(
        self,
        info: Mapping[str, Any],
        tables: Mapping[str, pa.Table] | None = None,
        *,
        path: Path | None = None,
        texts: Mapping[str, str] | None = None,
    ) -> None:
        self.info: dict[str, Any] = dict(info)
        self.path = path
        self._tables: dict[str, pa.Table] = dict(tables or {})
        self._texts: dict[str, str] = dict(texts or {})

    # -- the run.json mapping --------------------------------------------------------------
    def __getitem__(self, key: str) -> Any:
        return self.info[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.info)

    def __len__(self) -> int:
        return len(self.info)

    def __repr__(self) -> str:
        where = f" at {str(self.path)!r}" if self.path else ""
        return (
            f"RunRecord({self.info.get('kind', 'run')}: {self.info.get('scenario', '')!r}, "
            f"policies={self.policies}, trials={self.info.get('trials')}{where})"
        )

    # -- tables -------------------------------------------------------------------------------
    @property
    def kind(self) -> str:
        """``run`` (one policy) or ``compare`` (several on the same random numbers)."""
        return str(self.info.get("kind", "run"))

    @property
    def policies(self) -> list[str]:
        """Policies simulated, in order."""
        return list(self.info.get("policies", []))

    @property
    def names(self) -> tuple[str, ...]:
        """Names of the tables this record holds."""
        if self.path is not None:
            return tuple(self.info.get("tables", {}))
        return tuple(self._tables)

    def arrow(self, name: str) -> pa.Table:
        """One table as a :class:`pyarrow.Table`.

        Raises
        ------
        RunFolderError
            No such table (the message lists the tables), or its file is unreadable.
        """
        if name in self._tables:
            return self._tables[name]
        if name not in self.names or self.path is None:
            raise fail(
                self.path or "record",
                f"no table {name!r}; tables: {', '.join(self.names)} (docs/results.md)",
            )
        file = self.path / f"{name}.parquet"
        try:
            table = pq.read_table(file)
        except (OSError, pa.ArrowException) as exc:
            raise fail(file, f"unreadable table ({exc})") from exc
        self._tables[name] = table
        return table

    def table(self, name: str) -> pd.DataFrame:
        """One table as a pandas DataFrame (columns: docs/results.md)."""
        frame: pd.DataFrame = self.arrow(name).to_pandas()
        return frame

    def frames(self) -> dict[str, pd.DataFrame]:
        """Every table as a DataFrame, by name."""
        return {name: self.table(name) for name in self.names}

    @property
    def metrics(self) -> dict[str, Any]:
        """Headline metrics per policy (as in ``run.json``)."""
        return dict(self.info.get("metrics", {}))

    def text(self, name: str) -> str | None:
        """A text file of the record (``scenario.yaml``, ``scenario.json``), ``None`` if absent."""
        if name in self._texts:
            return self._texts[name]
        if self.path is not None and name in self.info.get("files", []):
            try:
                return (self.path / name).read_text(encoding="utf-8")
            except OSError as exc:
                raise fail(self.path / name, f"unreadable ({exc.strerror})") from exc
        return None

    @property
    def texts(self) -> dict[str, str]:
        """The text files of a record not yet written, by name."""
        return dict(self._texts)

    def scenario(self) -> Scenario:
        """The scenario that was run, re-loaded from ``scenario.json`` (validated again).

        Raises
        ------
        RunFolderError
            The record holds no scenario.
        """
        text = self.text(SCENARIO_JSON)
        if text is None:
            raise fail(self.path or "record", "holds no scenario (written without one)")
        from shieldwall.scenario import load_scenario

        return load_scenario(json.loads(text))


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
        **_cost_summary(results),
        "decision_margin_s": {
            "min": _finite(np.nanmin(m.decision_margin_s, initial=np.inf)),
            "median": _finite(
                float(np.nanmedian(m.decision_margin_s))
                if np.isfinite(m.decision_margin_s).any()
                else float("nan")
            ),
            "threats_without_window": int(np.isnan(m.decision_margin_s).sum()),
        },
    }


def _cost_summary(results: Results) -> dict[str, Any]:
    """Costs per raid (USD 2024; null = unknown because something is unpriced)."""
    from shieldwall.io.tables import _costs

    c = _costs(results)
    nations = results.world.nations.id
    cols = [*nations, "none"]
    return {
        "interceptor_cost_usd": _finite(c.interceptor_cost_usd),
        "interceptor_cost_usd_ci": [_finite(v) for v in c.interceptor_cost_usd_ci],
        "attack_cost_usd": _finite(c.attack_cost_usd),
        "cost_exchange_ratio": _finite(c.cost_exchange_ratio),
        "cost_exchange_ratio_ci": [_finite(v) for v in c.cost_exchange_ratio_ci],
        "burden_rounds": {
            s: {col: float(v) for col, v in zip(cols, line, strict=True)}
            for s, line in zip(nations, c.burden_rounds.tolist(), strict=True)
        },
        "burden_cost_usd": {
            s: {col: _finite(v) for col, v in zip(cols, line, strict=True)}
            for s, line in zip(nations, c.burden_cost_usd.tolist(), strict=True)
        },
        "unpriced": list(c.unpriced),
    }


def _finite(x: float) -> float | None:
    return float(x) if np.isfinite(x) else None


def _by_name(values: np.ndarray, idx: np.ndarray, names: tuple[str, ...]) -> dict[str, float]:
    out: dict[str, float] = {}
    for v, i in zip(values, idx, strict=True):
        out[names[int(i)]] = out.get(names[int(i)], 0.0) + float(v)
    return out


def _scenario_texts(scenario: Scenario | None) -> dict[str, str]:
    if scenario is None:
        return {}
    texts = {
        SCENARIO_JSON: json.dumps(scenario.model_dump(mode="json", by_alias=True), indent=1) + "\n"
    }
    if scenario.file:  # if unreadable now, the canonical JSON is the record of what ran
        with contextlib.suppress(OSError, UnicodeDecodeError):
            texts[SCENARIO_SOURCE] = Path(scenario.file).read_text(encoding="utf-8")
    return texts


def _build(
    kind: str,
    runs: Sequence[Results],
    scenario: Scenario | None,
    extra: Mapping[str, Any] | None,
    paired: Mapping[str, Mapping[str, tuple[float, float, float]]] | None = None,
    baseline: str | None = None,
) -> RunRecord:
    # the table builders import the stages; reading a record does not need them
    from shieldwall.io.columns import TABLES, make_table
    from shieldwall.io.provenance import provenance_columns
    from shieldwall.io.tables import (
        concat,
        event_trials,
        metric_rows,
        policy_tables,
        trajectory_stride,
        world_tables,
    )

    first = runs[0]
    world = first.world
    tables = world_tables(first, scenario)
    per_policy = []
    for res in runs:
        t = policy_tables(res)
        t["metrics"] = metric_rows(res, (paired or {}).get(res.policy))
        per_policy.append(t)
    tables.update(concat(per_policy))
    values, overrides = provenance_columns(world, scenario)
    tables["catalog_values"] = make_table("catalog_values", values)
    tables["overrides"] = make_table("overrides", overrides)
    missing = set(TABLES) - set(tables)
    if missing:  # every declared table is in every record (docs/results.md)
        raise RuntimeError(f"run record lacks tables {sorted(missing)}")
    info: dict[str, Any] = {
        "format": RUN_FORMAT,
        "kind": kind,
        "complete": True,
        "shieldwall_version": __version__,
        "created_utc": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "scenario": world.name,
        "scenario_hash": world.scenario_hash,
        "scenario_file": scenario.file if scenario is not None else "",
        "phase": world.phase,
        "epoch": world.epoch,
        "policies": [r.policy for r in runs],
        "baseline": baseline,
        "solver": first.solver,
        "tracking_mode": first.tracking_mode,
        "seed": first.seed,
        "trials": first.trials,
        "event_trials": event_trials(first),
        "trajectory_stride": trajectory_stride(int(np.isfinite(first.trajectories.t_s).sum())),
        "timings_s": {r.policy: r.timings_s for r in runs},
        "metrics": {r.policy: run_summary(r) for r in runs},
        **dict(extra or {}),
    }
    return RunRecord(info, tables, texts=_scenario_texts(scenario))


def record_results(
    results: Results,
    *,
    scenario: Scenario | None = None,
    extra: Mapping[str, Any] | None = None,
) -> RunRecord:
    """The run record of one policy's simulation.

    Parameters
    ----------
    results
        From :func:`shieldwall.pipeline.simulate`.
    scenario
        The scenario it was compiled from (the record then holds it, its source file and the
        catalog overrides it makes).
    extra
        More provenance for ``run.json`` (e.g. the command line).
    """
    return _build("run", [results], scenario, extra)


def record_comparison(
    comparison: Comparison,
    *,
    scenario: Scenario | None = None,
    extra: Mapping[str, Any] | None = None,
) -> RunRecord:
    """The run record of a policy comparison: every policy's tables (``policy`` column) and the
    paired differences from the baseline in ``metrics`` (``d_p_zero_leak``,
    ``d_expected_leakers``)."""
    paired = {
        r.name: {
            "d_p_zero_leak": (r.d_p_zero_leak, *r.d_p_zero_leak_ci),
            "d_expected_leakers": (r.d_expected_leakers, *r.d_expected_leakers_ci),
            "cost_per_leaker_avoided_usd": (
                r.cost_per_leaker_avoided,
                *r.cost_per_leaker_avoided_ci,
            ),
        }
        for r in comparison.rows
    }
    rec = _build(
        "compare",
        [r.results for r in comparison.rows],
        scenario,
        extra,
        paired=paired,
        baseline=comparison.baseline,
    )
    for r in comparison.rows:  # paired differences beside each policy's own metrics
        rec.info["metrics"][r.name].update(
            d_p_zero_leak=r.d_p_zero_leak,
            d_p_zero_leak_ci=list(r.d_p_zero_leak_ci),
            d_expected_leakers=r.d_expected_leakers,
            d_expected_leakers_ci=list(r.d_expected_leakers_ci),
            cost_per_leaker_avoided_usd=_finite(r.cost_per_leaker_avoided),
            cost_per_leaker_avoided_usd_ci=[_finite(v) for v in r.cost_per_leaker_avoided_ci],
        )
    rec.info["elapsed_s"] = comparison.elapsed_s
    return rec
