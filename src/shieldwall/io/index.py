"""The run database: an embedded DuckDB index of the run (and study) folders under one root.

The folders are the truth; the index is a cache for questions across runs ("every integrated run
of this scenario since Monday, by P(zero leakage)"). It lives in ``<root>/index.duckdb`` beside
the folders and is

- updated in one transaction per run (:func:`index_run`: delete that run's rows, insert the new
  ones, commit — a reader sees the run entirely or not at all);
- safe with concurrent writers: DuckDB lets one process write a database file at a time, so
  every access holds an ``flock`` on ``index.duckdb.lock`` (shared to read, exclusive to write),
  released by the kernel even when a writer is killed; an uncommitted transaction of a killed
  writer is rolled back by DuckDB's write-ahead log on the next open;
- rebuilt from the folders when lost or unreadable (:func:`rebuild_index`; the unreadable file
  is kept aside as ``index.duckdb.corrupt-<time>``).

Tables: ``runs`` (one row per folder), ``metrics`` (run, policy, metric, value, interval) and
``asset_survival`` (run, policy, asset, P(survives), interval); columns in docs/results.md.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from shieldwall.io.errors import RUN_FILE, STUDY_FILE, RunFolderError, fail

if TYPE_CHECKING:
    import duckdb
    import pandas as pd

__all__ = [
    "INDEX_FILE",
    "LOCK_TIMEOUT_S",
    "index_path",
    "index_run",
    "list_runs",
    "query_index",
    "rebuild_index",
    "show_run",
]

#: File name of the index inside the runs root.
INDEX_FILE = "index.duckdb"
#: Version of the index tables; an index of another version is rebuilt.
INDEX_VERSION = 2  # 2: value_lost and the cost metrics
#: Longest wait for another process's lock on the index. [s]
LOCK_TIMEOUT_S = 60.0

_SCHEMA = """
CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR);
CREATE TABLE runs (
    run_id VARCHAR PRIMARY KEY, path VARCHAR NOT NULL, kind VARCHAR NOT NULL,
    created_utc TIMESTAMPTZ, scenario VARCHAR, scenario_hash VARCHAR, phase VARCHAR,
    policies VARCHAR[], baseline VARCHAR, solver VARCHAR, tracking_mode VARCHAR,
    seed UBIGINT, trials BIGINT, shieldwall_version VARCHAR, command VARCHAR,
    indexed_utc TIMESTAMPTZ NOT NULL
);
CREATE TABLE metrics (
    run_id VARCHAR NOT NULL, policy VARCHAR NOT NULL, metric VARCHAR NOT NULL,
    value DOUBLE, lo DOUBLE, hi DOUBLE
);
CREATE TABLE asset_survival (
    run_id VARCHAR NOT NULL, policy VARCHAR NOT NULL, asset VARCHAR NOT NULL,
    p_survives DOUBLE, lo DOUBLE, hi DOUBLE
);
"""


def index_path(root: str | os.PathLike[str]) -> Path:
    """The index file of a runs root."""
    return Path(root) / INDEX_FILE


@contextlib.contextmanager
def _locked(root: Path, exclusive: bool) -> Iterator[None]:
    root.mkdir(parents=True, exist_ok=True)
    lock = root / f"{INDEX_FILE}.lock"
    try:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise fail(lock, f"cannot open the index lock ({exc.strerror})") from exc
    try:
        mode = fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH
        deadline = time.monotonic() + LOCK_TIMEOUT_S
        while True:
            try:
                fcntl.flock(fd, mode | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise fail(
                        lock, f"the run index is busy (locked for over {LOCK_TIMEOUT_S:.0f} s)"
                    ) from None
                time.sleep(0.02)
        yield
    finally:
        os.close(fd)  # releases the lock


def _connect(path: Path, read_only: bool) -> duckdb.DuckDBPyConnection:
    import duckdb

    return duckdb.connect(str(path), read_only=read_only)


def _stamp(value: Any) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return dt.datetime.fromisoformat(value)
    except ValueError:
        return None


#: Metrics of ``run.json`` the index holds (``metrics`` table); intervals from ``<name>_ci``.
_METRICS = (
    "p_zero_leak",
    "expected_leakers",
    "interceptors_used",
    "inventory_left",
    "value_lost",
    "interceptor_cost_usd",
    "attack_cost_usd",
    "cost_exchange_ratio",
    "d_p_zero_leak",
    "d_expected_leakers",
)


def _rows(folder: Path, info: Mapping[str, Any]) -> tuple[tuple[Any, ...], list[Any], list[Any]]:
    """Index rows of one folder's ``run.json``."""
    policies = [str(p) for p in info.get("policies", [])]
    seed = info.get("seed")
    trials = info.get("trials")
    run = (
        folder.name,
        str(folder.resolve()),
        str(info.get("kind", "run")),
        _stamp(info.get("created_utc")),
        info.get("scenario"),
        info.get("scenario_hash"),
        info.get("phase"),
        policies,
        info.get("baseline"),
        info.get("solver"),
        info.get("tracking_mode"),
        seed if isinstance(seed, int) and seed >= 0 else None,
        trials if isinstance(trials, int) else None,
        info.get("shieldwall_version"),
        info.get("command"),
        dt.datetime.now(dt.UTC),
    )
    metrics: list[Any] = []
    assets: list[Any] = []
    per_policy = info.get("metrics", {})
    if not isinstance(per_policy, dict):
        return run, metrics, assets
    for policy, m in per_policy.items():
        if not isinstance(m, dict):
            continue
        for name in _METRICS:
            value = m.get(name)
            if isinstance(value, int | float) and not isinstance(value, bool):
                metrics.append(
                    (folder.name, policy, name, float(value), *_pair(m.get(f"{name}_ci")))
                )
        for asset, v in (m.get("p_asset_survives") or {}).items():
            if isinstance(v, dict):
                assets.append((folder.name, policy, asset, v.get("p"), *_pair(v.get("ci"))))
    return run, metrics, assets


def _pair(ci: Any) -> tuple[float | None, float | None]:
    if isinstance(ci, list | tuple) and len(ci) == 2:
        return tuple(float(x) if isinstance(x, int | float) else None for x in ci)  # type: ignore[return-value]
    return None, None


def _read_info(folder: Path) -> dict[str, Any] | None:
    """``run.json`` of a complete run folder, or the index view of a complete study folder's
    ``study.json`` (kind ``study``; its whole-raid results as metrics, one "policy" per case);
    else ``None``."""
    is_study = not (folder / RUN_FILE).is_file()
    try:
        data = json.loads((folder / (STUDY_FILE if is_study else RUN_FILE)).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("complete") is not True:
        return None
    return _study_info(folder, data) if is_study else data


def _study_info(folder: Path, data: dict[str, Any]) -> dict[str, Any]:
    meta: dict[str, Any] = data["meta"] if isinstance(data.get("meta"), dict) else {}
    info: dict[str, Any] = {
        **data,
        "kind": "study",
        "command": data.get("command") or data.get("study"),
        "phase": ", ".join(map(str, data.get("phases", []) or [])),
        "trials": meta.get("trials"),
        "seed": meta.get("seed"),
        "scenario_hash": data.get("scenario_hash")
        if isinstance(data.get("scenario_hash"), str)
        else None,
    }
    metrics: dict[str, dict[str, Any]] = {}
    try:
        import pyarrow.parquet as pq

        rows = pq.read_table(folder / "results.parquet").to_pylist()
    except Exception:  # no or unreadable results: the study is indexed without metrics
        rows = []
    for r in rows:
        if r.get("asset") not in (None, "all") or r.get("metric") not in _METRICS:
            continue
        case = metrics.setdefault(str(r.get("case")), {})
        case[r["metric"]] = r.get("value")
        case[f"{r['metric']}_ci"] = [r.get("lo"), r.get("hi")]
    info["metrics"] = metrics
    info["policies"] = list(metrics)
    return info


def _insert(con: duckdb.DuckDBPyConnection, folder: Path, info: Mapping[str, Any]) -> None:
    run, metrics, assets = _rows(folder, info)
    for table in ("runs", "metrics", "asset_survival"):
        con.execute(f"DELETE FROM {table} WHERE run_id = ?", [folder.name])
    con.execute("INSERT INTO runs VALUES (" + ", ".join("?" * len(run)) + ")", list(run))
    if metrics:
        con.executemany("INSERT INTO metrics VALUES (?, ?, ?, ?, ?, ?)", metrics)
    if assets:
        con.executemany("INSERT INTO asset_survival VALUES (?, ?, ?, ?, ?, ?)", assets)


def _version(con: duckdb.DuckDBPyConnection) -> int | None:
    try:
        row = con.execute("SELECT value FROM meta WHERE key = 'version'").fetchone()
    except Exception:  # duckdb.Error: not our schema
        return None
    return int(row[0]) if row else None


def rebuild_index(root: str | os.PathLike[str]) -> int:
    """Recreate the index from the run folders under ``root``; returns how many it holds.

    Built in a temporary file and renamed over the old index, so readers never see a half-built
    one.
    """
    base = Path(root)
    with _locked(base, exclusive=True):
        return _rebuild(base)


def _rebuild(base: Path) -> int:
    import duckdb

    path = index_path(base)
    tmp = base / f".{INDEX_FILE}.rebuild-{os.getpid()}"
    for leftover in (tmp, Path(f"{tmp}.wal")):
        leftover.unlink(missing_ok=True)
    folders = sorted(
        p
        for p in base.iterdir()
        if p.is_dir() and ((p / RUN_FILE).is_file() or (p / STUDY_FILE).is_file())
    )
    con = duckdb.connect(str(tmp))
    try:
        con.execute("BEGIN")
        con.execute(_SCHEMA)
        con.execute("INSERT INTO meta VALUES ('version', ?)", [str(INDEX_VERSION)])
        n = 0
        for folder in folders:
            info = _read_info(folder)
            if info is not None:
                _insert(con, folder, info)
                n += 1
        con.execute("COMMIT")
        con.execute("CHECKPOINT")
    finally:
        con.close()
    Path(f"{path}.wal").unlink(missing_ok=True)
    os.replace(tmp, path)
    return n


def _open_usable(path: Path) -> duckdb.DuckDBPyConnection | None:
    """A read-write connection to ``path`` if it is an index of this version, else None (it
    must be rebuilt; a file DuckDB cannot open is set aside as ``*.corrupt-<time>``)."""
    import duckdb

    if not path.is_file():
        return None
    try:
        con = duckdb.connect(str(path))
    except duckdb.Error:
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
        os.replace(path, path.with_name(f"{path.name}.corrupt-{stamp}"))
        return None
    if _version(con) != INDEX_VERSION:
        con.close()
        return None
    return con


def _usable(path: Path) -> bool:
    """Whether ``path`` is an index of this version (else it must be rebuilt)."""
    con = _open_usable(path)
    if con is None:
        return False
    con.close()
    return True


def index_run(folder: str | os.PathLike[str]) -> Path:
    """Add (or refresh) one run folder in the index of its parent folder, in one transaction.

    Returns
    -------
    The index file.

    Raises
    ------
    RunFolderError
        Not a complete run folder, or the index is locked for too long.
    """
    run = Path(folder)
    info = _read_info(run)
    if info is None:
        raise fail(run, f"not a complete run or study folder (no valid {RUN_FILE} or {STUDY_FILE})")
    base = run.parent
    with _locked(base, exclusive=True):
        path = index_path(base)
        con = _open_usable(path)  # one connection checks the version and inserts
        if con is None:
            _rebuild(base)  # includes this folder
            return path
        try:
            con.execute("BEGIN")
            _insert(con, run, info)
            con.execute("COMMIT")
        finally:
            con.close()
    return path


@contextlib.contextmanager
def _reader(root: str | os.PathLike[str]) -> Iterator[duckdb.DuckDBPyConnection]:
    base = Path(root)
    if not base.is_dir():
        raise fail(base, "no such runs folder")
    path = index_path(base)
    with _locked(base, exclusive=True):
        if not _usable(path):
            _rebuild(base)
    with _locked(base, exclusive=False):
        con = _connect(path, read_only=True)
        try:
            yield con
        finally:
            con.close()


def _frame(
    con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None
) -> pd.DataFrame:
    import pandas as pd

    rel: Any = con.sql(sql, params=params)
    if rel is None:  # a statement without a result
        return pd.DataFrame()
    frame: pd.DataFrame = rel.to_arrow_table().to_pandas()
    return frame


def list_runs(root: str | os.PathLike[str], *, limit: int | None = None) -> pd.DataFrame:
    """The runs under ``root``, newest first, with each policy's P(zero leakage)."""
    sql = """
        SELECT r.run_id, r.kind, r.created_utc, r.scenario, r.phase, r.policies, r.trials,
               r.seed, list(m.policy || '=' || round(m.value, 3) ORDER BY m.policy)
                   FILTER (WHERE m.metric = 'p_zero_leak') AS p_zero_leak
        FROM runs r LEFT JOIN metrics m USING (run_id)
        GROUP BY ALL ORDER BY r.created_utc DESC NULLS LAST, r.run_id
    """
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    with _reader(root) as con:
        return _frame(con, sql)


def show_run(root: str | os.PathLike[str], run_id: str) -> dict[str, Any]:
    """One run's index rows: ``{"run": {...}, "metrics": [...], "asset_survival": [...]}``.

    Raises
    ------
    RunFolderError
        No such run in the index (the message names a few that exist).
    """
    with _reader(root) as con:
        run = _frame(con, "SELECT * FROM runs WHERE run_id = ?", [run_id])
        if run.empty:
            known = [r[0] for r in con.execute("SELECT run_id FROM runs LIMIT 5").fetchall()]
            hint = f"; runs include: {', '.join(known)}" if known else "; the index is empty"
            raise fail(Path(root), f"no run {run_id!r} in the index{hint}")
        metrics = _frame(con, "SELECT * FROM metrics WHERE run_id = ?", [run_id])
        assets = _frame(con, "SELECT * FROM asset_survival WHERE run_id = ?", [run_id])
    return {
        "run": json.loads(run.to_json(orient="records", date_format="iso"))[0],
        "metrics": json.loads(metrics.to_json(orient="records")),
        "asset_survival": json.loads(assets.to_json(orient="records")),
    }


def query_index(root: str | os.PathLike[str], sql: str) -> pd.DataFrame:
    """Run one SQL query on the index (read-only: the index cannot be changed through it).

    Raises
    ------
    RunFolderError
        The SQL is not valid or fails; the message is DuckDB's.
    """
    import duckdb

    with _reader(root) as con:
        try:
            return _frame(con, sql)
        except duckdb.Error as exc:
            raise RunFolderError(f"query failed: {exc}") from exc
