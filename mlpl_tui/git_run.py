"""Running git on a repository that may come from someone else's branch: never a prompt, never
an optional lock, no pager, paths unquoted, a time limit, and no shell."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

GIT_TIMEOUT_SECONDS = 20
_GIT_ENV = {"GIT_TERMINAL_PROMPT": "0", "GIT_OPTIONAL_LOCKS": "0", "LC_ALL": "C"}


class GitUnavailable(Exception):
    """git could not be run, or did not answer in time; the message says which."""


def run_git(
    folder: Path, *args: str, stdin: bytes | None = None, literal_paths: bool = False
) -> subprocess.CompletedProcess[bytes]:
    """`git ARGS` in `folder`, its output captured as bytes; the caller reads the return code.

    `literal_paths`: pathspecs are file names, never patterns (for names read from the data)."""
    literal = ["--literal-pathspecs"] if literal_paths else []
    try:
        return subprocess.run(
            ["git", "--no-pager", *literal, "-c", "core.quotePath=false", *args],
            cwd=folder,
            input=stdin,
            stdin=None if stdin is not None else subprocess.DEVNULL,
            capture_output=True,
            timeout=GIT_TIMEOUT_SECONDS,
            env={**os.environ, **_GIT_ENV},
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise GitUnavailable(f"git took longer than {GIT_TIMEOUT_SECONDS} s") from None
    except (OSError, subprocess.SubprocessError) as exc:
        raise GitUnavailable(f"cannot run git ({exc}); is git installed?") from None


def work_tree(folder: Path) -> Path | None:
    """The git work tree `folder` is in: the nearest folder holding `.git` (looked up here rather
    than asked of git, which would cost a process on every read)."""
    real = Path(os.path.realpath(folder))
    for candidate in (real, *real.parents):
        if os.path.lexists(candidate / ".git"):
            return candidate
    return None
