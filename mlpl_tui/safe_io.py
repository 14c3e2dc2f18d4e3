"""Writing files that a hostile branch may have planted links at: never through a symlink.

Every file the program writes goes through `write_atomically`: a temporary file with a random
name created with O_EXCL in the target's folder (so a planted link at a fixed name cannot be
followed), fsync, then a rename over the target. A rename replaces a link instead of writing
through it; `write_file` refuses a link at the target outright, since a user who finds their
link replaced by a regular file has lost what the link pointed at.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path

from mlpl_tui.errors import UsageError

TEMPORARY_SUFFIX = ".tmp"


def temporary_prefix(path: Path) -> str:
    """The name every temporary of `path` starts with: `.NAME.` (then random, then `.tmp`)."""
    return f".{path.name}."


def refuse_link(path: Path, what: str = "") -> None:
    """A clear error when `path` is a symbolic link (a dangling one included)."""
    if os.path.islink(path):
        target = os.readlink(path)
        raise UsageError(
            f"{path} is a symbolic link (to {target!r}); {what or 'refusing to write through it'}: "
            "remove the link or choose another path"
        )


def write_atomically(path: Path, content: bytes, mode: int | None = None) -> os.stat_result:
    """Write `content` to `path` through a fresh temporary file, fsync and rename.

    Returns the stat of the written file. On any failure the temporary is removed and a
    UsageError says nothing was changed.
    """
    if mode is None:
        try:
            mode = os.lstat(path).st_mode & 0o777
        except FileNotFoundError:
            mode = 0o666 & ~_umask()
    temporary: str | None = None
    try:
        fd, temporary = tempfile.mkstemp(
            prefix=temporary_prefix(path), suffix=TEMPORARY_SUFFIX, dir=path.parent
        )
        try:
            os.fchmod(fd, mode)
            view = memoryview(content)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
            written = os.fstat(fd)
        finally:
            os.close(fd)
        os.replace(temporary, path)
        temporary = None
        _fsync_directory(path.parent)
    except OSError as exc:
        raise UsageError(f"{path}: cannot write it ({exc.strerror}); nothing was changed") from None
    finally:
        if temporary is not None:
            _remove_quietly(temporary)
    return written


def write_file(path: Path, content: bytes) -> None:
    """`write_atomically`, refusing when `path` is a symbolic link or not a regular file."""
    refuse_link(path)
    try:
        existing = os.lstat(path)
    except FileNotFoundError:
        existing = None
    if existing is not None and not stat.S_ISREG(existing.st_mode):
        raise UsageError(f"{path} exists and is not a regular file; choose another path")
    write_atomically(path, content)


def remove_leftover_temporaries(path: Path) -> None:
    """Remove temporaries of `path` left by a write that was killed (call under the lock)."""
    prefix = temporary_prefix(path)
    try:
        names = os.listdir(path.parent)
    except OSError:
        return
    for name in names:
        # mkstemp's random part is 8 characters; the old fixed name `.NAME.tmp` is not ours
        # to remove (a branch may have committed it).
        if (
            name.startswith(prefix)
            and name.endswith(TEMPORARY_SUFFIX)
            and len(name) == len(prefix) + 8 + len(TEMPORARY_SUFFIX)
        ):
            _remove_quietly(os.path.join(path.parent, name))


def read_regular_file(path: Path, limit: int, *, follow: bool) -> bytes:
    """The bytes of a regular file of at most `limit` bytes; anything else is a clear error.

    A FIFO, a device and (unless `follow`) a symbolic link are refused.

    Opening with O_NONBLOCK means a FIFO cannot hang the program before it is refused.
    """
    flags = os.O_RDONLY | os.O_NONBLOCK | (0 if follow else os.O_NOFOLLOW)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise UsageError(f"{path} does not exist") from None
    except OSError as exc:
        if not follow and os.path.islink(path):
            refuse_link(path, "refusing to follow it")
        raise UsageError(f"{path}: cannot read it ({exc.strerror})") from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise UsageError(f"{path} is not a regular file; give the path of a file")
        with os.fdopen(fd, "rb", closefd=False) as handle:
            content = handle.read(limit + 1)
    except OSError as exc:
        raise UsageError(f"{path}: cannot read it ({exc.strerror})") from None
    finally:
        os.close(fd)
    if len(content) > limit:
        raise UsageError(
            f"{path} is larger than {limit:,} bytes; this is not a file mlpl-tui reads"
        )
    return content


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def _fsync_directory(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _remove_quietly(name: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(name)
