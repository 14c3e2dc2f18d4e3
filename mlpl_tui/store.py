"""The state file: TinyDB on one git-friendly JSON file, written atomically under a lock.

This is the only module that imports TinyDB. The file is sorted, 2-space indented JSON with a
trailing newline; records are keyed by stable string ids; every write is one atomic rename made
while holding a lock, after re-reading the file if anything else changed it.
"""

from __future__ import annotations

import errno
import fcntl
import os
import re
import stat
import time
from collections.abc import Callable, Iterator, Mapping, MutableMapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
from tinydb import TinyDB
from tinydb.storages import Storage
from tinydb.table import Table

from mlpl_tui import safe_io
from mlpl_tui.errors import UsageError
from mlpl_tui.model import (
    META_ID,
    SCHEMA_VERSION,
    TABLES,
    Change,
    Project,
    StateError,
    new_id,
)

STATE_FILE = "mlpl.json"
LOCK_TIMEOUT_SECONDS = 30.0
# Far beyond a real project (100,000 records are about 30 MB); a planted file is not read whole.
MAX_FILE_BYTES = 256 << 20
_DUMP_OPTIONS = orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS
_CONFLICT = re.compile(rb"^(<{7}|={7}|>{7})( |$)", re.MULTILINE)

Data = dict[str, dict[str, dict[str, Any]]]
# Upgrades from schema version N (the key) to N+1; empty while version 1 is the only one.
MIGRATIONS: dict[int, Callable[[Data], Data]] = {}


def dump(data: Mapping[str, Any]) -> bytes:
    """The file's exact bytes: UTF-8, sorted keys, 2-space indent, trailing newline."""
    return orjson.dumps(data, option=_DUMP_OPTIONS) + b"\n"


def find_state_file(start: Path) -> Path | None:
    """Like git finds .git: the directory, then its parents."""
    start = start.resolve()
    for folder in (start, *start.parents):
        candidate = folder / STATE_FILE
        if candidate.is_file():
            return candidate
    return None


# --- reading ---------------------------------------------------------------------------------


def parse_state(content: bytes, label: str) -> tuple[Data, int]:
    """Parse, shape-check and migrate the file's bytes; returns the data and the file's version.

    Every problem is a StateError naming the file and what to do.
    """
    if not content.strip():
        raise StateError(f"{label} is empty; restore it with 'git checkout -- {label}'")
    try:
        data = orjson.loads(content)
    except orjson.JSONDecodeError as exc:
        # A conflict marker starts a line, which valid JSON never does: look only on failure.
        marker = _CONFLICT.search(content)
        if marker is not None:
            line = content.count(b"\n", 0, marker.start()) + 1
            raise StateError(
                f"{label}:{line}: unresolved git conflict markers; merge it record by record "
                "with 'mlpl-tui resolve' (or 'git checkout --ours/--theirs'), then validate"
            ) from None
        raise StateError(
            f"{label}: not valid JSON ({exc}); restore it with 'git checkout -- {label}'"
        ) from None
    from mlpl_tui import json_guard

    json_guard.check(content, data, label)
    if not isinstance(data, dict):
        raise StateError(f"{label}: expected a JSON object of tables, found {type(data).__name__}")
    for name, table in data.items():
        if not isinstance(table, dict):
            raise StateError(f"{label}: table '{name}' should be an object of records")
        for id, record in table.items():
            if not isinstance(record, dict):
                raise StateError(f"{label}: record '{id}' in table '{name}' should be an object")
    meta = data.get("meta", {}).get(META_ID)
    if meta is None:
        raise StateError(f"{label}: no 'meta' record; this does not look like an mlpl-tui file")
    version = meta.get("schema_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise StateError(f"{label}: 'schema_version' should be a positive whole number")
    if version > SCHEMA_VERSION:
        raise StateError(
            f"{label} uses schema version {version}, newer than this mlpl-tui understands "
            f"({SCHEMA_VERSION}); upgrade mlpl-tui to open it"
        )
    return migrate(data, version), version


def migrate(data: Data, version: int) -> Data:
    while version < SCHEMA_VERSION:
        data = MIGRATIONS[version](data)
        version += 1
        data["meta"][META_ID]["schema_version"] = version
    return data


@dataclass(frozen=True)
class _Stamp:
    """What identifies one version of the file on disk."""

    dev: int
    ino: int
    size: int
    mtime_ns: int

    @staticmethod
    def of(st: os.stat_result) -> _Stamp:
        return _Stamp(st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


# --- TinyDB extension points ------------------------------------------------------------------


class FileStorage(Storage):
    """A TinyDB storage that opens the file by path on each use and caches by file identity.

    It never keeps a handle open (a `git checkout` replaces the file underneath), re-reads when
    the inode, size or mtime changed, and writes with a temporary file, fsync and rename. Inside
    a transaction, writes are collected and flushed once at the end.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._data: Data | None = None
        self._stamp: _Stamp | None = None
        self._original: bytes | None = None  # kept only when a migration needs a backup
        self.in_transaction = False
        self.dirty = False

    @property
    def label(self) -> str:
        return str(self.path)

    def refresh(self) -> Data:
        """The current data, re-read only when the file changed on disk."""
        try:
            stamp = _Stamp.of(os.stat(self.path))
        except FileNotFoundError:
            raise StateError(
                f"{self.label} no longer exists; restore it from git or run 'mlpl-tui init'"
            ) from None
        if self._data is None or stamp != self._stamp:
            content, stamp = _read_bytes(self.path, self.label)
            data, version = parse_state(content, self.label)
            self._data, self._stamp = data, stamp
            self._original = content if version < SCHEMA_VERSION else None
        return self._data

    def read(self) -> Data:
        if self.in_transaction and self._data is not None:
            return self._data
        return self.refresh()

    def write(self, data: Data) -> None:
        self._data = data
        self.dirty = True
        if not self.in_transaction:
            self.flush()

    def flush(self) -> None:
        assert self._data is not None
        if self._original is not None:
            backup = self.path.with_name(f"{self.path.name}.before-migration.bak")
            safe_io.write_atomically(backup, self._original)
            self._original = None
        safe_io.remove_leftover_temporaries(self.path)  # of a writer killed mid-write
        self._stamp = write_atomically(self.path, dump(self._data))
        self.dirty = False

    def forget(self) -> None:
        """Drop the cache so the next read comes from disk (after a failed transaction)."""
        self._data = self._stamp = None

    def close(self) -> None:
        pass


class RecordTable(Table):
    """A TinyDB table keyed by string ids that replaces records instead of mutating them."""

    document_id_class = str  # type: ignore[assignment]

    def _get_next_id(self) -> str:
        existing = self._read_table()
        while (candidate := new_id()) in existing:
            pass  # pragma: no cover - 40 random bits
        return candidate

    def _update_table(self, updater: Callable[[dict[str, Any]], None]) -> None:  # type: ignore[override]
        # TinyDB rebuilds the whole table with converted ids here; ours are already strings,
        # and copying keeps earlier Project snapshots unchanged.
        tables = self._storage.read()
        assert tables is not None  # FileStorage always returns the data
        table = dict(tables.get(self.name, {}))
        updater(table)
        tables[self.name] = table
        self._storage.write(tables)
        self.clear_cache()

    def put(self, doc_id: str, fields: Mapping[str, Any]) -> bool:
        """Create the record or merge `fields` into it; False when nothing would change."""
        current = self._read_table().get(doc_id)
        if current is not None and all(k in current and current[k] == v for k, v in fields.items()):
            return False

        def merge(table: dict[str, Any]) -> None:
            table[doc_id] = {**(table.get(doc_id) or {}), **fields}

        self._update_table(merge)
        return True


class _Database(TinyDB):
    table_class = RecordTable


# --- file operations ---------------------------------------------------------------------------


def _read_bytes(path: Path, label: str) -> tuple[bytes, _Stamp]:
    """The file's bytes and the stamp of exactly that version of it."""
    try:
        # O_NOFOLLOW: a state file that is a link would be read from one place and written to
        # another; O_NONBLOCK: a FIFO planted at the name cannot hang the program.
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        with os.fdopen(fd, "rb") as handle:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise StateError(f"{label} is not a regular file; restore it from git")
            while True:
                before = _Stamp.of(os.fstat(handle.fileno()))
                if before.size > MAX_FILE_BYTES:
                    raise StateError(
                        f"{label} is {before.size:,} bytes, more than the {MAX_FILE_BYTES:,} "
                        "mlpl-tui reads; restore it from git"
                    )
                content = handle.read(MAX_FILE_BYTES + 1)
                if _Stamp.of(os.fstat(handle.fileno())) == before:
                    return content, before
                handle.seek(0)  # written in place while we read: read again
    except FileNotFoundError:
        raise StateError(f"{label} does not exist") from None
    except OSError as exc:
        if os.path.islink(path):
            raise StateError(
                f"{label} is a symbolic link (to {os.readlink(path)!r}); mlpl-tui reads and writes "
                "only a regular state file: replace the link with the file it points at"
            ) from None
        raise StateError(f"{label}: cannot read it ({exc.strerror})") from None


def write_atomically(path: Path, content: bytes) -> _Stamp:
    """Write through a fresh temporary file, fsync it and rename it over `path`.

    A symbolic link at `path` is refused rather than replaced: the file it points at would
    silently stop getting updates.
    """
    safe_io.refuse_link(path, "mlpl-tui writes only a regular state file")
    return _Stamp.of(safe_io.write_atomically(path, content))


@contextmanager
def file_lock(path: Path, timeout: float = LOCK_TIMEOUT_SECONDS) -> Iterator[None]:
    """Hold `<file>.lock` exclusively; the lock file is removed on release.

    Removing it keeps `git status` clean. A waiter that locked a file that was removed meanwhile
    sees that the path now names another inode and tries again.
    """
    lock_path = path.with_name(f"{path.name}.lock")
    deadline = time.monotonic() + timeout
    while True:
        try:
            # O_NOFOLLOW: a link planted at the lock's name must not create a file elsewhere.
            fd = os.open(lock_path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o644)
        except OSError as exc:
            if os.path.islink(lock_path):
                safe_io.refuse_link(lock_path, "it cannot be the lock file")
            raise UsageError(f"{lock_path}: cannot create the lock file ({exc.strerror})") from None
        try:
            _acquire(fd, lock_path, deadline)
            if os.fstat(fd).st_ino == os.lstat(lock_path).st_ino:
                break
        except FileNotFoundError:
            pass
        except BaseException:
            os.close(fd)
            raise
        os.close(fd)
    try:
        yield
    finally:
        try:
            os.unlink(lock_path)
        finally:
            os.close(fd)


def _acquire(fd: int, lock_path: Path, deadline: float) -> None:
    delay = 0.001
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except OSError as exc:
            if exc.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                raise
        if time.monotonic() > deadline:
            raise UsageError(
                f"{lock_path}: another mlpl-tui process keeps the file locked; try again later"
            )
        time.sleep(delay)
        delay = min(delay * 2, 0.02)


# --- the store -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Applied:
    """The outcome of applying a change: whether anything was written."""

    change: Change
    written: bool


class Store:
    """Reads snapshots of the state file and applies changes to it, one transaction each."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._storage = FileStorage(path)
        self._db = _Database(storage=lambda: self._storage)

    def load(self) -> Project:
        """A snapshot of the file as it is on disk now; never writes."""
        return Project(self._storage.refresh(), label=str(self.path))

    def changed_on_disk(self) -> bool:
        """True when the file differs from the last version this store read or wrote."""
        try:
            return _Stamp.of(os.stat(self.path)) != self._storage._stamp
        except FileNotFoundError:
            return True

    def apply(self, decide: Callable[[Project], Change], who: str, now: str) -> Applied:
        """Under the lock: re-read if changed, let `decide` build the change, write it once."""
        with file_lock(self.path), self._transaction():
            project = Project(self._storage.refresh(), label=str(self.path))
            change = decide(project)
            written = False
            for put in change.puts:
                written |= self._table(put.table).put(put.id, put.fields)
            if written:
                refs = sorted({put.id for put in change.puts})
                events = self._table("events")
                event = {"at": now, "by": who, "action": change.action, "summary": change.summary}
                events.insert({**event, "refs": refs, "seq": len(events) + 1})
            return Applied(change, written)

    def _table(self, name: str) -> RecordTable:
        table = self._db.table(name, cache_size=0)
        assert isinstance(table, RecordTable)
        return table

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        storage = self._storage
        storage.in_transaction, storage.dirty = True, False
        try:
            yield
            if storage.dirty:
                storage.flush()
        except BaseException:
            storage.forget()
            raise
        finally:
            storage.in_transaction = False

    @staticmethod
    def create(path: Path, tables: Mapping[str, MutableMapping[str, dict[str, Any]]]) -> Store:
        """Write a new state file; refuses to replace one that exists."""
        data: Data = {name: {} for name in TABLES}
        for name, records in tables.items():
            data.setdefault(name, {}).update(records)
        data["meta"][META_ID]["schema_version"] = SCHEMA_VERSION
        with file_lock(path):
            if path.exists():
                raise UsageError(f"{path} already exists; it was left as it is")
            write_atomically(path, dump(data))
        return Store(path)
