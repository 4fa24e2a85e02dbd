"""Run folders: one self-contained folder per simulation, written atomically (docs/results.md §1).

A run folder holds ``run.json`` (provenance and headline metrics), the scenario (``scenario.yaml``
as given, ``scenario.json`` canonical) and one Parquet file per named table; every file and column
is documented in ``docs/results.md``.

Writing: :func:`prepare_out_folder` refuses an existing folder or an unwritable place *before*
any simulation runs, and removes temporary folders that killed writers left behind. The record is
written into a hidden temporary sibling (``.<name>.tmp-<pid>-<hex>``), every file fsync'ed, then
renamed into place in one step and the parent fsync'ed: an interrupted write never leaves a folder
under the final name, and an existing folder is never overwritten.
"""

from __future__ import annotations

import errno
import json
import os
import re
import secrets
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow.parquet as pq

from shieldwall.io.errors import RUN_FILE, STUDY_FILE, RunFolderError, fail
from shieldwall.io.record import RUN_FORMAT, RunRecord, record_results

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

    from shieldwall.pipeline import Results
    from shieldwall.scenario import Scenario

__all__ = [
    "RUN_FILE",
    "STUDY_FILE",
    "RunFolderError",
    "clean_stale_temporaries",
    "prepare_out_folder",
    "read_folder",
    "read_run",
    "write_record",
    "write_run_folder",
    "write_study_folder",
]

_TMP = re.compile(r"^\..*\.tmp-(\d+)-[0-9a-f]{8}$")
#: Longest folder name kept in a temporary name (file systems allow 255 bytes a name).
_NAME_KEEP = 180


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


def clean_stale_temporaries(parent: Path) -> list[Path]:
    """Remove temporary run folders in ``parent`` whose writing process is gone.

    A writer killed by ``kill -9`` (or a power cut) cannot clean up after itself; the next write
    into the same parent does. Folders of live writers are left alone.

    Returns
    -------
    The folders removed.
    """
    removed: list[Path] = []
    try:
        entries = list(parent.iterdir())
    except OSError:
        return removed
    for entry in entries:
        match = _TMP.match(entry.name)
        stale = match is not None and not _pid_alive(int(match.group(1)))
        if stale and entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
            removed.append(entry)
    return removed


def _os_reason(exc: OSError) -> str:
    if exc.errno == errno.ENAMETOOLONG:
        return "the name is too long for the file system"
    if exc.errno == errno.ENOTDIR:
        return "part of the path is a file, not a folder"
    if exc.errno == errno.ENOSPC:
        return "no space left on the device"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return "no permission to write there"
    return exc.strerror or str(exc)


def prepare_out_folder(out_dir: str | os.PathLike[str]) -> Path:
    """Check that a run folder can be created at ``out_dir``, before the work starts.

    Creates the parent if needed, removes stale temporary folders there and checks that it is
    writable. Nothing is created under the final name.

    Raises
    ------
    RunFolderError
        The folder exists already, the name is too long, or the parent cannot be written.
    """
    final = Path(out_dir)
    name = final.name
    if not name or name in (".", "..") or str(out_dir).endswith(("/.", "/..")):
        raise fail(final, "give a folder name to create")
    if len(os.fsencode(name)) > 255:
        raise fail(final, "the folder name is longer than 255 bytes")
    try:
        os.lstat(final)
    except FileNotFoundError:
        pass
    except OSError as exc:
        raise fail(final, f"cannot use this path: {_os_reason(exc)}") from exc
    else:
        raise fail(final, "exists already; choose another --out folder or remove it")
    parent = final.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise fail(parent, f"cannot create the folder: {_os_reason(exc)}") from exc
    if not parent.is_dir():
        raise fail(parent, "is not a folder")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise fail(parent, "cannot write there: no permission")
    clean_stale_temporaries(parent)
    return final


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_bytes(path: Path, data: bytes) -> None:
    with open(path, "xb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def _write_folder(
    final: Path,
    tables: Mapping[str, pa.Table],
    blobs: Mapping[str, bytes],
    info: Mapping[str, Any],
    marker: str,
) -> dict[str, Any]:
    """Parquet tables, files and the marker JSON (last) into a temporary sibling, fsync'ed,
    renamed to ``final`` in one step. Returns the marker's document."""
    tmp = final.parent / f".{final.name[:_NAME_KEEP]}.tmp-{os.getpid()}-{secrets.token_hex(4)}"
    try:
        tmp.mkdir()
        files: list[str] = []
        rows: dict[str, int] = {}
        for name, table in tables.items():
            with open(tmp / f"{name}.parquet", "xb") as fh:
                pq.write_table(table, fh, compression="zstd")
                fh.flush()
                os.fsync(fh.fileno())
            files.append(f"{name}.parquet")
            rows[name] = table.num_rows
        for name, data in blobs.items():
            _write_bytes(tmp / name, data)
            files.append(name)
        doc = {**info, "tables": rows, "files": [marker, *files], "complete": True}
        text = json.dumps(doc, indent=2, default=_json_default, allow_nan=False) + "\n"
        _write_bytes(tmp / marker, text.encode("utf-8"))  # last: marks the folder complete
        _fsync_dir(tmp)
        if final.exists():
            raise FileExistsError(errno.EEXIST, "exists already", str(final))
        os.rename(tmp, final)
        _fsync_dir(final.parent)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)  # only our own temporary folder
        if isinstance(exc, FileExistsError):
            raise fail(final, "exists already (created while this run was written)") from exc
        raise fail(final, f"cannot write the run folder: {_os_reason(exc)}") from exc
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return doc


def write_record(record: RunRecord, out_dir: str | os.PathLike[str]) -> Path:
    """Write a run record as a run folder, atomically.

    Returns
    -------
    The folder written; ``record.path`` is set to it.

    Raises
    ------
    RunFolderError
        The folder exists already, or it could not be written (nothing is left behind).
    """
    final = prepare_out_folder(out_dir)
    tables = {name: record.arrow(name) for name in record.names}
    blobs = {name: text.encode("utf-8") for name, text in record.texts.items()}
    record.info = _write_folder(final, tables, blobs, record.info, RUN_FILE)
    record.path = final
    return final


def write_study_folder(
    out_dir: str | os.PathLike[str],
    *,
    study: str,
    results: pd.DataFrame,
    info: Mapping[str, Any],
    tables: Mapping[str, pd.DataFrame] | None = None,
    files: Mapping[str, bytes] | None = None,
    final: Path | None = None,
) -> Path:
    """Write a study folder atomically: ``study.json``, ``results.parquet`` (the tidy long
    table, docs/studies.md §4), the study's other tables and files (a PNG plot).

    ``info`` goes into ``study.json`` beside ``study``, ``format`` and ``complete``; give
    ``meta`` (trials, seed, executor, elapsed_s), ``scenario``, ``scenario_hash``, ``phases``.
    ``final`` is a folder :func:`prepare_out_folder` already accepted (so a study refuses a
    bad ``--out`` before it runs); else ``out_dir`` is checked now.

    Raises
    ------
    RunFolderError
        The folder exists already, or it could not be written (nothing is left behind).
    """
    import pyarrow as pa

    where = final if final is not None else prepare_out_folder(out_dir)
    arrow = {"results": pa.Table.from_pandas(results, preserve_index=False)}
    for name, frame in (tables or {}).items():
        arrow[name] = pa.Table.from_pandas(frame, preserve_index=False)
    doc = {"format": 1, "study": study, "command": study, **info}
    _write_folder(where, arrow, dict(files or {}), doc, STUDY_FILE)
    return where


def write_run_folder(
    results: Results,
    out_dir: str | os.PathLike[str],
    *,
    scenario: Scenario | None = None,
    extra: Mapping[str, Any] | None = None,
) -> Path:
    """Write one policy's results as a run folder (:func:`write_record` of
    :func:`~shieldwall.io.record.record_results`)."""
    return write_record(record_results(results, scenario=scenario, extra=extra), out_dir)


def _json_default(obj: Any) -> Any:
    import numpy as np

    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    raise TypeError(f"not JSON serialisable: {type(obj).__name__}")


def read_run(path: str | os.PathLike[str]) -> RunRecord:
    """Open a run folder: its ``run.json`` as a mapping, its tables on demand.

    Raises
    ------
    RunFolderError
        Not a run folder, an incomplete or malformed one, or one from an unknown format.
    """
    folder = Path(path)
    run = folder / RUN_FILE
    if not folder.is_dir():
        raise fail(folder, "no such run folder")
    if not run.is_file():
        raise fail(folder, f"not a run folder (no {RUN_FILE})")
    try:
        data = json.loads(run.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise fail(run, f"unreadable ({exc})") from exc
    if not isinstance(data, dict):
        raise fail(run, "malformed: not a JSON object")
    if not data.get("complete"):
        raise fail(folder, "run folder is incomplete")
    fmt = data.get("format")
    if fmt != RUN_FORMAT:
        raise fail(run, f"run folder format {fmt!r}; this shieldwall reads format {RUN_FORMAT}")
    tables = data.get("tables")
    if not isinstance(tables, dict) or not isinstance(data.get("files"), list):
        raise fail(run, "malformed: `tables` and `files` missing")
    for name in data["files"]:
        if not isinstance(name, str) or "/" in name or not (folder / name).is_file():
            raise fail(folder, f"file {name!r} listed in {RUN_FILE} is missing")
    return RunRecord(data, path=folder)


def read_folder(path: str | os.PathLike[str]) -> RunRecord:
    """Open a run folder or a study folder (``study.json`` + Parquet tables) as a record.

    A study record has ``kind == "study"``; its tables are its Parquet files (``results``: the
    tidy long table of the study, ``cases``, ``trials`` and the study's own).

    Raises
    ------
    RunFolderError
        Neither a complete run folder nor a complete study folder.
    """
    folder = Path(path)
    if not (folder / STUDY_FILE).is_file():
        return read_run(folder)
    try:
        data = json.loads((folder / STUDY_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise fail(folder / STUDY_FILE, f"unreadable ({exc})") from exc
    if not isinstance(data, dict) or data.get("complete") is not True:
        raise fail(folder, "study folder is incomplete")
    files = [f for f in data.get("files", []) if isinstance(f, str) and "/" not in f]
    tables = {f.removesuffix(".parquet"): 0 for f in files if f.endswith(".parquet")}
    missing = [f for f in files if not (folder / f).is_file()]
    if missing:
        raise fail(folder, f"files listed in {STUDY_FILE} are missing: {', '.join(missing)}")
    info = {**data, "kind": "study", "tables": tables, "files": files}
    return RunRecord(info, path=folder)
