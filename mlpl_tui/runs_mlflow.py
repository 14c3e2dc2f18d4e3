"""MLflow's runs, read from its stores with the standard library and PyYAML, never written.

Two stores: the SQLite database (`mlflow.db`, MLflow's default) and the older file store
(`mlruns/`). The database is opened read-only (`mode=ro`: SQLite never creates the file or
takes a write lock) and read in one transaction with one query per table, whatever the number
of runs. (A database in WAL mode is the one exception SQLite makes: its read-only reader
creates the `-wal` and `-shm` files beside it when no writer has; the database itself stays
unchanged. MLflow's stores use the default rollback journal.) The file store is a tree a
branch may have planted: no symbolic link in it is followed, and every file is read within a
bound (a metric's file only by its last bytes). Deleted runs, and the runs of deleted
experiments, are left out, as MLflow's own lists do.
"""

from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import yaml

from mlpl_tui.errors import UsageError
from mlpl_tui.runs import (
    EXPERIMENT_TAG,
    MAX_TEXT,
    Run,
    TrackerError,
    is_folder,
    number,
    tag_of,
    utc_ms,
)
from mlpl_tui.safe_io import read_regular_file
from mlpl_tui.yaml_loader import SafeLoader

SQLITE_TIMEOUT_SECONDS = 2.0  # how long a read waits for a writer's lock before giving up
STATUSES = ("RUNNING", "SCHEDULED", "FINISHED", "FAILED", "KILLED")
_FILE_STORE_STATUS = {1: "RUNNING", 2: "SCHEDULED", 3: "FINISHED", 4: "FAILED", 5: "KILLED"}
RUN_NAME_TAG = "mlflow.runName"  # where MLflow before 2.0 kept a run's name
MAX_META_BYTES = 1 << 16  # a meta.yaml is a few hundred bytes
MAX_VALUE_BYTES = 1 << 16  # a param's or tag's file (MLflow caps values at 8,000 characters)
METRIC_TAIL_BYTES = 1 << 14  # what is read of a metric's file: the end, where the latest is
MAX_KEYS = 2_000  # params or metrics of one run read at most
MAX_KEY_DEPTH = 8  # folders a key such as `loss/train/fold1` may nest


# --- SQLite ----------------------------------------------------------------------------------


def read_sqlite(path: Path, where: str) -> list[Run]:
    """The runs in MLflow's SQLite store at `path`; `where` is how the runs name it.

    A locked, corrupt or foreign database is a TrackerError naming the file.
    """
    _refuse_special(path)
    try:
        connection = sqlite3.connect(
            f"file:{quote(os.fspath(path))}?mode=ro",
            uri=True,
            timeout=SQLITE_TIMEOUT_SECONDS,
            isolation_level=None,
        )
    except sqlite3.Error as exc:
        raise _sqlite_error(path, exc) from None
    try:
        connection.execute("BEGIN")  # every table as of one moment
        try:
            return _sqlite_runs(connection, where)
        except sqlite3.OperationalError as exc:
            if "decode" not in str(exc):
                raise
        # A text that is not UTF-8 (written by hand, or by a broken tool): read again, slower,
        # with such bytes replaced rather than failing the whole store.
        connection.text_factory = _tolerant_text
        return _sqlite_runs(connection, where)
    except sqlite3.Error as exc:
        raise _sqlite_error(path, exc) from None
    finally:
        connection.close()


def _tolerant_text(raw: bytes) -> str:
    return raw.decode("utf-8", errors="replace")


def _sqlite_runs(connection: sqlite3.Connection, where: str) -> list[Run]:
    rows = connection.execute(
        "SELECT r.run_uuid, r.name, r.status, r.start_time, r.end_time FROM runs AS r "
        "LEFT JOIN experiments AS e ON e.experiment_id = r.experiment_id "
        "WHERE coalesce(r.lifecycle_stage, '') != 'deleted' "
        "AND coalesce(e.lifecycle_stage, '') != 'deleted'"
    ).fetchall()
    params: dict[Any, dict[str, str]] = {row[0]: {} for row in rows}
    metrics: dict[Any, dict[str, float]] = {row[0]: {} for row in rows}
    tags: dict[Any, dict[str, Any]] = {}
    # Keys and values are texts and floats in any store MLflow wrote: checked with `type(...)
    # is`, the cheap test, since this loop runs once per metric of every run.
    for run_uuid, key, value in connection.execute("SELECT run_uuid, key, value FROM params"):
        held = params.get(run_uuid)
        if held is not None:
            held[key if type(key) is str else _text(key)] = _text(value)
    nan = float("nan")
    for run_uuid, key, value, is_nan in connection.execute(
        "SELECT run_uuid, key, value, is_nan FROM latest_metrics"
    ):
        held_metrics = metrics.get(run_uuid)
        if held_metrics is None:
            continue
        if type(key) is not str:
            key = _text(key)
        if is_nan:
            held_metrics[key] = nan
        elif type(value) is float:
            held_metrics[key] = value
        else:  # a whole number stored as such, or whatever a hand-made store holds
            converted = number(value)
            if converted is not None:
                held_metrics[key] = converted
    for run_uuid, key, value in connection.execute(
        "SELECT run_uuid, key, value FROM tags WHERE key IN (?, ?)",
        (EXPERIMENT_TAG, RUN_NAME_TAG),
    ):
        tags.setdefault(run_uuid, {})[key] = value
    runs = []
    for run_uuid, name, status, start_time, end_time in rows:
        run_id = str(run_uuid)
        run_tags = tags.get(run_uuid, {})
        runs.append(
            Run(
                tool="mlflow",
                id=run_id,
                name=_name(name, run_tags.get(RUN_NAME_TAG), run_id),
                status=_status(status),
                started_at=utc_ms(start_time),
                ended_at=utc_ms(end_time),
                params=params[run_uuid],
                metrics=metrics[run_uuid],
                tagged=tag_of(run_tags.get(EXPERIMENT_TAG)),
                where=where,
            )
        )
    return runs


def _refuse_special(path: Path) -> None:
    """A FIFO or device named like a store would hang or mislead SQLite: refused first."""
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        raise TrackerError(f"{path}: cannot read the MLflow store ({exc.strerror})") from None
    if not stat.S_ISREG(mode):
        raise TrackerError(f"{path} is not a regular file, so not an MLflow SQLite store")


def _sqlite_error(path: Path, exc: sqlite3.Error) -> TrackerError:
    text = str(exc)
    lowered = text.lower()
    if "locked" in lowered or "busy" in lowered:
        return TrackerError(
            f"{path} is locked by another process (an MLflow run or server writing to it); "
            "try again when it has finished"
        )
    if "no such table" in lowered or "no such column" in lowered:
        return TrackerError(
            f"{path} is a SQLite database but not an MLflow tracking store this version reads "
            f"({text}); point $MLFLOW_TRACKING_URI at the store, or upgrade it with "
            "'mlflow db upgrade'"
        )
    if "unable to open" in lowered or "readonly" in lowered or "read-only" in lowered:
        return TrackerError(
            f"{path}: cannot open the MLflow store read-only ({text}); check its permissions "
            "and that no crashed writer left a journal beside it (open it once with MLflow)"
        )
    return TrackerError(
        f"{path} cannot be read as an MLflow SQLite store ({text}): it may be corrupt; "
        "restore it from a backup or move it out of the way"
    )


# --- the file store --------------------------------------------------------------------------


def read_file_store(folder: Path, where: str) -> list[Run]:
    """The runs in MLflow's file store `folder` (`mlruns/`); `where` is how the runs name it
    (each run's `where` is its own folder inside it)."""
    runs = []
    for experiment in _folders(folder):
        if experiment.name.startswith("."):  # .trash: deleted experiments
            continue
        meta = _meta(Path(experiment.path) / "meta.yaml")
        if meta is None or meta.get("lifecycle_stage") == "deleted":
            continue  # no meta.yaml: not an experiment (mlruns/models holds registered models)
        for run_folder in _folders(Path(experiment.path)):
            run = _file_store_run(
                Path(run_folder.path), f"{where}/{experiment.name}/{run_folder.name}"
            )
            if run is not None:
                runs.append(run)
    return runs


def _file_store_run(folder: Path, where: str) -> Run | None:
    meta = _meta(folder / "meta.yaml")
    if meta is None:
        return None  # not a run: a logged model's or a trace's folder
    if meta.get("lifecycle_stage") == "deleted":
        return None
    run_id = folder.name
    tags = folder / "tags"
    tagged = _value(tags / EXPERIMENT_TAG) if is_folder(tags) else None
    name = meta.get("run_name")
    if (not isinstance(name, str) or not name) and is_folder(tags):
        name = _value(tags / RUN_NAME_TAG)
    params = {k: v for k, path in _keys(folder / "params") if (v := _value(path)) is not None}
    metrics = {k: x for k, path in _keys(folder / "metrics") if (x := _latest(path)) is not None}
    return Run(
        tool="mlflow",
        id=run_id,
        name=_name(name, None, run_id),
        status=_status(meta.get("status")),
        started_at=utc_ms(meta.get("start_time")),
        ended_at=utc_ms(meta.get("end_time")),
        params=dict(sorted(params.items())),
        metrics=dict(sorted(metrics.items())),
        tagged=tag_of(tagged),
        where=where,
    )


def _folders(folder: Path) -> Iterator[os.DirEntry[str]]:
    """The folders in `folder`, links left out; nothing when it cannot be listed."""
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                try:
                    if entry.is_dir(follow_symlinks=False):
                        yield entry
                except OSError:
                    continue
    except OSError:
        return


def _meta(path: Path) -> dict[str, Any] | None:
    """A meta.yaml as a mapping; {} when it is there but unreadable (a run with only its id
    known is still a run); None when there is none."""
    try:
        content = read_regular_file(path, MAX_META_BYTES, follow=False)
    except UsageError:
        return {} if os.path.lexists(path) and not os.path.islink(path) else None
    try:
        loaded = yaml.load(content, Loader=SafeLoader)
    except yaml.YAMLError:
        return {}
    return loaded if isinstance(loaded, dict) else {}


def _keys(folder: Path) -> list[tuple[str, Path]]:
    """Each file under `folder` as (key, path): a key with `/` is a file in sub-folders. Links
    are never followed; at most MAX_KEYS files, MAX_KEY_DEPTH folders deep."""
    found: list[tuple[str, Path]] = []
    if not is_folder(folder):
        return found  # none, or a link (O_NOFOLLOW guards only a path's last part)
    pending: list[tuple[Path, str, int]] = [(folder, "", 0)]
    seen = 0
    while pending and len(found) < MAX_KEYS:
        current, prefix, depth = pending.pop()
        try:
            with os.scandir(current) as entries:
                for entry in entries:
                    seen += 1
                    if seen > 4 * MAX_KEYS or len(found) >= MAX_KEYS:
                        break
                    try:
                        if entry.is_dir(follow_symlinks=False):
                            if depth < MAX_KEY_DEPTH:
                                key = f"{prefix}{entry.name}/"
                                pending.append((Path(entry.path), key, depth + 1))
                        elif entry.is_file(follow_symlinks=False):
                            found.append((prefix + entry.name, Path(entry.path)))
                    except OSError:
                        continue
        except OSError:
            continue
    return found


def _value(path: Path) -> str | None:
    """A param's or tag's value: the file's text; None when it is not a small regular file."""
    try:
        content = read_regular_file(path, MAX_VALUE_BYTES, follow=False)
    except UsageError:
        return None
    return content.decode("utf-8", errors="replace")[:MAX_TEXT]


def _latest(path: Path) -> float | None:
    """A metric's latest value, as MLflow picks it (highest step, then time, then value), among
    the lines at the end of its file: only those bytes are read, whatever the file's size."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW)
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return None
        start = max(0, info.st_size - METRIC_TAIL_BYTES)
        tail = os.pread(fd, METRIC_TAIL_BYTES, start)
    except OSError:
        return None
    finally:
        os.close(fd)
    lines = tail.split(b"\n")
    if start > 0:
        lines = lines[1:]  # the first may be the end of a line cut by the seek
    best: tuple[float, float, float] | None = None
    value: float | None = None
    for line in lines:
        parts = line.split()
        if len(parts) not in (2, 3):
            continue
        try:
            at, read = float(parts[0]), float(parts[1])
            step = float(parts[2]) if len(parts) == 3 else 0.0
        except ValueError:
            continue
        rank = (step, at, read if read == read else float("-inf"))
        if best is None or rank >= best:
            best, value = rank, read
    return value


# --- shared ----------------------------------------------------------------------------------


def _status(value: object) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        return _FILE_STORE_STATUS.get(value, "UNKNOWN")
    if isinstance(value, str) and value.upper() in STATUSES:
        return value.upper()
    return "UNKNOWN"


def _name(name: object, tag: object, run_id: str) -> str:
    for candidate in (name, tag):
        if isinstance(candidate, str) and candidate:
            return candidate[:MAX_TEXT]
    return run_id


def _text(value: object) -> str:
    if isinstance(value, str):
        return value[:MAX_TEXT]
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")[:MAX_TEXT]
    return "" if value is None else str(value)[:MAX_TEXT]
