"""The state file: a TinyDB database in one git-friendly JSON file, written atomically under a lock.

This is the only module that imports TinyDB, and it uses only TinyDB's public extension point:
the storage interface (`read` the whole data, `write` it whole). The file is sorted, 2-space
indented JSON with a trailing newline, one object per table keyed by stable string ids (TinyDB's
layout). Every change is computed by `changes.apply_change` and written as one atomic rename
while holding a lock, after re-reading the file if anything else changed it.
"""

from __future__ import annotations

import errno
import fcntl
import os
import re
import stat
import time
from abc import abstractmethod
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from itertools import repeat
from pathlib import Path
from typing import Any

import orjson
from tinydb.storages import Storage

from mlpl_tui import safe_io
from mlpl_tui.changes import Change, apply_change
from mlpl_tui.changes import Data as Data  # re-exported: the merge driver reads files as Data
from mlpl_tui.errors import UsageError
from mlpl_tui.fields import StateError
from mlpl_tui.project import Project
from mlpl_tui.records import META_ID, SCHEMA_VERSION, TABLES, new_id

STATE_FILE = "mlpl.json"
LOCK_TIMEOUT_SECONDS = 30.0
# Far beyond a real project (100,000 records are about 30 MB); a planted file is not read whole.
MAX_FILE_BYTES = 256 << 20
_DUMP_OPTIONS = orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS
_CONFLICT = re.compile(rb"^(<{7}|={7}|>{7})( |$)", re.MULTILINE)

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
    if not content or content.isspace():  # as `not content.strip()`, without a copy of the file
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
        if all(map(isinstance, table.values(), repeat(dict))):
            continue  # the common case, checked without a Python loop over every record
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


# --- storages -------------------------------------------------------------------------------


class StateStorage(Storage):
    """TinyDB's storage interface (read, write, close), plus what a store needs around a write.

    `read` returns the data and `write` replaces it whole; the store computes the new data with
    `apply_change`, which never modifies what `read` returned.
    """

    @abstractmethod
    def read(self) -> Data:
        """The whole data, every table present."""

    @abstractmethod
    def write(self, data: Data) -> None:
        """Replace the whole data."""

    def locked(self) -> AbstractContextManager[None]:
        """Held while a change is read, decided and written: no other writer in between."""
        return nullcontext()

    def changed(self) -> bool:
        """True when the data differs from what this storage last read or wrote."""
        return False

    def close(self) -> None:
        pass  # nothing is kept open between uses


class FileStorage(StateStorage):
    """The state file, opened by path on each use and cached by file identity.

    It never keeps a handle open (a `git checkout` replaces the file underneath), re-reads when
    the device, inode, size or mtime changed, and writes with a temporary file, fsync and rename;
    `locked` holds the file's lock for the store's read-decide-write.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._data: Data | None = None
        self._stamp: _Stamp | None = None
        self._original: bytes | None = None  # kept only when a migration needs a backup

    @property
    def label(self) -> str:
        return str(self.path)

    def read(self) -> Data:
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

    def write(self, data: Data) -> None:
        if self._original is not None:
            backup = self.path.with_name(f"{self.path.name}.before-migration.bak")
            safe_io.write_atomically(backup, self._original)
            self._original = None
        safe_io.remove_leftover_temporaries(self.path)  # of a writer killed mid-write
        self._stamp = write_atomically(self.path, dump(data))
        self._data = data

    def locked(self) -> AbstractContextManager[None]:
        return file_lock(self.path)

    def changed(self) -> bool:
        try:
            return _Stamp.of(os.stat(self.path)) != self._stamp
        except FileNotFoundError:
            return True


class MemoryStorage(StateStorage):
    """Data held in memory: for fast tests, with no file and no lock."""

    def __init__(self, data: Data) -> None:
        self._data = data

    def read(self) -> Data:
        return self._data

    def write(self, data: Data) -> None:
        self._data = data


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
    """Reads snapshots of the state file and applies changes to it, one locked write each.

    `storage` defaults to the file at `path`; history events get ids from `make_id`, by default
    random ones.
    """

    def __init__(
        self,
        path: Path,
        storage: StateStorage | None = None,
        make_id: Callable[[], str] | None = None,
    ) -> None:
        self.path = path
        self._storage = FileStorage(path) if storage is None else storage
        self._make_id = make_id

    def load(self) -> Project:
        """A snapshot of the data as it is now; never writes."""
        return Project(self._storage.read(), label=str(self.path))

    def changed_on_disk(self) -> bool:
        """True when the file differs from the last version this store read or wrote."""
        return self._storage.changed()

    def apply(self, decide: Callable[[Project], Change], who: str, now: str) -> Applied:
        """Under the lock: re-read if changed, let `decide` build the change, write it once."""
        with self._storage.locked():
            data = self._storage.read()
            change = decide(Project(data, label=str(self.path)))
            # new_id is looked up on each call: the demo builder patches it for fixed ids.
            new = apply_change(data, change, who, now, self._make_id or new_id)
            if new is not data:
                self._storage.write(new)
        return Applied(change, written=new is not data)

    @staticmethod
    def create(path: Path, tables: Mapping[str, Mapping[str, dict[str, Any]]]) -> Store:
        """Write a new state file; refuses to replace one that exists."""
        with file_lock(path):
            if path.exists():
                raise UsageError(f"{path} already exists; it was left as it is")
            write_atomically(path, dump(new_data(tables)))
        return Store(path)


class MemoryStore(Store):
    """A Store over data in memory: the same snapshots and changes, with no file (for tests).

    `tables` are a new project's (as for Store.create); history events take their ids from
    `make_id`, so that a test can fix them.
    """

    def __init__(
        self,
        tables: Mapping[str, Mapping[str, dict[str, Any]]],
        label: str = STATE_FILE,
        make_id: Callable[[], str] | None = None,
    ) -> None:
        super().__init__(Path(label), MemoryStorage(new_data(tables)), make_id)

    @property
    def data(self) -> Data:
        """The stored data as it is now (never modified in place: keep it as a version)."""
        return self._storage.read()


def new_data(tables: Mapping[str, Mapping[str, dict[str, Any]]]) -> Data:
    """A new state: every table present, the given records, this program's schema version."""
    data: Data = {name: {} for name in TABLES}
    for name, records in tables.items():
        data.setdefault(name, {}).update(records)
    data["meta"][META_ID] = {**data["meta"][META_ID], "schema_version": SCHEMA_VERSION}
    return data
