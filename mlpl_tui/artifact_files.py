"""Attached files on disk: where a typed path points in the project, and when each file last
changed, which makes an artifact stale or current.

"Changed" comes from git when the project is in a work tree (the last commit that touched the
file, or its modification time when the work tree changes it), else from the modification
time. Git is asked twice for all files at once, never once per file. Nothing here follows a
link out of the project: a path whose real location leaves it is refused, and reads as missing.
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from mlpl_tui.artifacts import (
    ATTACHED,
    CURRENT,
    FILE_MISSING,
    MISSING,
    STALE,
    ArtifactInfo,
    artifact_infos,
    check_location,
    is_url,
    stale_since,
    worst,
)
from mlpl_tui.errors import UsageError
from mlpl_tui.framework import Framework
from mlpl_tui.git_run import GitUnavailable, run_git, work_tree
from mlpl_tui.lifecycle import brief
from mlpl_tui.model import Project

MAX_LISTED_ENTRIES = 5000  # directory entries path completion reads at most, per folder


def project_location(text: str, root: Path, base: Path | None = None) -> str:
    """The stored form of what a user typed: a URL as it is, or a path (relative to `base`,
    by default the project's folder `root`) made relative to `root`.

    Refused with a UsageError: a path outside the project, one whose real location (through a
    link) leaves it, one that does not exist or is not a regular file.
    """
    typed = text.strip()
    if len(urlsplit(typed).scheme) > 1:  # a URL, or a scheme check_location refuses
        return check_location(typed)
    root = root.absolute()
    candidate = Path(os.path.normpath((base or root).absolute() / typed))
    try:
        relative = candidate.relative_to(root)
    except ValueError:
        raise UsageError(
            f"'{brief(typed)}' is outside the project ({root}); only files in it can be attached"
        ) from None
    location = check_location(relative.as_posix())
    _inside(root, location, must_exist=True)
    return location


def _inside(root: Path, location: str, must_exist: bool) -> bool:
    """True when `location` names a regular file whose real path stays in `root`."""
    path = root / location
    real, real_root = os.path.realpath(path), os.path.realpath(root)
    if os.path.commonpath([real, real_root]) != real_root:
        raise UsageError(
            f"'{brief(location)}' is a link that leads out of the project; attach the file "
            "itself from inside the project"
        )
    if not os.path.exists(real):
        if must_exist:
            raise UsageError(
                f"'{brief(location)}' does not exist in the project; create it first (or "
                "'mlpl-tui doc new' writes a document from a template)"
            )
        return False
    if not os.path.isfile(real):
        raise UsageError(f"'{brief(location)}' is not a file: attach a file or a URL")
    return True


@dataclass(frozen=True)
class Completion:
    """What `tab` in a location field makes of the typed text: the text completed as far as
    every match agrees, and the matching files and folders (folders end in `/`)."""

    text: str
    choices: tuple[str, ...] = ()


def complete_path(root: Path, typed: str) -> Completion:
    """Complete `typed` (a path relative to the project folder `root`) from what is inside it.

    The text grows to the longest prefix every match shares; a single folder gets its `/`.
    Nothing outside `root` is listed: not after `..` or an absolute path, not inside a folder
    that is a link, and a link to a file is offered only when it stays in the project. Each
    folder is read once and at most MAX_LISTED_ENTRIES entries of it, so a huge one stays quick.
    """
    text = typed.lstrip()
    if len(urlsplit(text).scheme) > 1 or text.startswith(("/", "\\", "~")):
        return Completion(typed)  # a link, or a path that is not relative
    head, slash, prefix = text.replace("\\", "/").rpartition("/")
    head += slash
    real_root = Path(os.path.realpath(root))
    folder = real_root
    for part in head.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            return Completion(typed)
        folder = folder / part
        if folder.is_symlink() or not folder.is_dir():
            return Completion(typed)  # a linked folder is never listed: it may lead out
    names: list[str] = []
    try:
        with os.scandir(folder) as entries:
            for number, entry in enumerate(entries):
                if number >= MAX_LISTED_ENTRIES:
                    break
                name = entry.name
                if not name.startswith(prefix) or name == ".git":
                    continue
                if name.startswith(".") and not prefix.startswith("."):
                    continue  # hidden, as a shell hides them
                if entry.is_symlink():
                    target = os.path.realpath(entry.path)
                    inside = os.path.commonpath([target, real_root]) == str(real_root)
                    if inside and os.path.isfile(target):
                        names.append(name)
                elif entry.is_dir(follow_symlinks=False):
                    names.append(name + "/")
                elif entry.is_file(follow_symlinks=False):
                    names.append(name)
    except (OSError, ValueError):
        return Completion(typed)
    if not names:
        return Completion(typed)
    names.sort()
    common = names[0]
    for name in names[1:]:  # the longest prefix of characters (not of path parts) they share
        while not name.startswith(common):
            common = common[:-1]
    choices = tuple(head + name for name in names)
    return Completion(head + common if len(common) > len(prefix) else text, choices)


@dataclass(frozen=True)
class LocationState:
    """One attached location: its state and, for a file, when it last changed (UTC)."""

    location: str
    state: str
    changed_at: str | None = None
    problem: str = ""  # why a file reads as missing, when it is there but cannot be used


@dataclass(frozen=True)
class ArtifactState:
    """An artifact with its state, derived on read: missing, file missing, stale, current or
    attached (only URLs, which cannot be checked)."""

    info: ArtifactInfo
    state: str
    locations: tuple[LocationState, ...]
    since: str | None  # the loop back that makes its files stale if unchanged

    @property
    def id(self) -> str:
        return self.info.id


def artifact_states(project: Project, framework: Framework, root: Path) -> list[ArtifactState]:
    """Every artifact with its state; files are checked on disk and in git under `root`."""
    infos = artifact_infos(project, framework)
    paths = sorted({x for i in infos for x in i.locations if not is_url(x)})
    changed = change_times(root, paths)
    states = []
    for info in infos:
        since = stale_since(project, info.stage)
        located = tuple(_location_state(root, x, changed, since) for x in info.locations)
        state = worst([x.state for x in located]) if located else MISSING
        states.append(ArtifactState(info, state, located, since))
    return states


def watched_files(project: Project, framework: Framework, root: Path) -> list[Path]:
    """The files whose change can change the artifacts' states: each attached file in the
    project, and, in git, the index, HEAD and HEAD's log (a commit or checkout changes when a
    file last changed)."""
    infos = artifact_infos(project, framework)
    files = [root / x for i in infos for x in i.locations if _in_project(x)]
    git_dir = _git_dir(work_tree(root)) if files else None
    if git_dir is not None:
        files += [git_dir / "index", git_dir / "HEAD", git_dir / "logs" / "HEAD"]
    return files


def _git_dir(top: Path | None) -> Path | None:
    """The repository's git folder: `.git`, or where a `.git` file points (a worktree or a
    submodule: `gitdir: PATH`). Only ever stat'ed, never read or written."""
    if top is None:
        return None
    dot_git = top / ".git"
    if not dot_git.is_file() or dot_git.is_symlink():
        return dot_git
    try:
        with open(dot_git, "rb") as handle:
            first = handle.read(4096).split(b"\n", 1)[0].strip()
    except OSError:
        return None
    if not first.startswith(b"gitdir:"):
        return None
    return top / os.fsdecode(first[len(b"gitdir:") :].strip())


def state_words(states: Iterable[ArtifactState]) -> dict[str, str]:
    """Artifact id to state, as the gate rule takes them."""
    return {s.id: s.state for s in states}


def _location_state(
    root: Path, location: str, changed: Mapping[str, str], since: str | None
) -> LocationState:
    if is_url(location):
        return LocationState(location, ATTACHED)
    try:
        present = _inside(root, location, must_exist=False)
    except UsageError as exc:
        return LocationState(location, FILE_MISSING, problem=str(exc))
    except ValueError:  # a NUL, planted by hand: no file can have that name
        return LocationState(location, FILE_MISSING, problem="not a path a file can have")
    if not present:
        return LocationState(location, FILE_MISSING)
    at = changed.get(location)
    if since is not None and (at is None or at < since):
        return LocationState(location, STALE, at)
    return LocationState(location, CURRENT, at)


# --- when files changed ----------------------------------------------------------------------


def change_times(root: Path, paths: list[str]) -> dict[str, str]:
    """When each path last changed, as UTC ISO-8601 to the second; paths that do not exist
    are left out, and so are paths that are not in the project (stored by hand or by a
    branch): git refuses the whole batch for one of them."""
    paths = [p for p in paths if _in_project(p)]
    if not paths:
        return {}
    top = work_tree(root)
    times = _git_times(root, top, paths) if top is not None else {}
    for location in paths:
        if location not in times:
            mtime = _mtime(root / location)
            if mtime is not None:
                times[location] = mtime
    return times


def _in_project(location: str) -> bool:
    try:
        return check_location(location) == location and not is_url(location)
    except UsageError:
        return False


def _git(root: Path, *args: str) -> subprocess.CompletedProcess[bytes] | None:
    try:
        return run_git(root, *args, literal_paths=True)
    except GitUnavailable:
        return None


def _git_times(root: Path, top: Path, paths: list[str]) -> dict[str, str]:
    """Last commit times of the unchanged files; changed and untracked ones by mtime."""
    prefix = os.path.relpath(os.path.realpath(root), os.path.realpath(top))
    to_repo = {(p if prefix == "." else f"{prefix}/{p}").replace(os.sep, "/"): p for p in paths}
    times: dict[str, str] = {}
    status = _git(root, "status", "--porcelain=v1", "-z", "--untracked-files=all", "--", *paths)
    if status is None or status.returncode != 0:
        return times
    for entry in status.stdout.split(b"\0"):
        repo_path = os.fsdecode(entry[3:]) if len(entry) > 3 else ""
        if repo_path in to_repo:  # changed in the work tree: when it was changed there
            mtime = _mtime(top / repo_path)
            if mtime is not None:
                times[to_repo[repo_path]] = mtime
    wanted = [p for p in paths if p not in times]
    if not wanted:
        return times
    log = _git(root, "log", "--format=%x01%ct", "--name-only", "-z", "--no-renames", "--", *wanted)
    if log is None or log.returncode != 0:
        return times
    stamp = ""
    for chunk in log.stdout.split(b"\0"):
        for piece in chunk.split(b"\n"):
            if piece.startswith(b"\x01"):
                stamp = _utc(float(piece[1:] or b"0"))
            elif piece:
                name = to_repo.get(os.fsdecode(piece))
                if name is not None and name not in times:
                    times[name] = stamp  # the log is newest first
    return times


def _mtime(path: Path) -> str | None:
    try:
        return _utc(path.stat().st_mtime)
    except (OSError, ValueError):
        return None


def _utc(seconds: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))
