"""Team use through git: the merge driver, `resolve`, `git-setup`, and recorded conflicts."""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlpl_tui.errors import UsageError
from mlpl_tui.merge import MergeResult, merge
from mlpl_tui.model import StateError
from mlpl_tui.store import STATE_FILE, Data, dump, file_lock, parse_state, write_atomically

if TYPE_CHECKING:
    from mlpl_tui.cli import Session

DRIVER = "mlpl"
ATTRIBUTE = f"{STATE_FILE} merge={DRIVER}"
DRIVER_NAME = "mlpl-tui: merge mlpl.json by table, record and field"
_SIDE_NAMES = {"base": "the common (base)", "ours": "our", "theirs": "their"}


# --- the merge itself -------------------------------------------------------------------------


def _version(content: bytes, label: str, side: str) -> Data:
    if side == "base" and not content.strip():
        return {}  # added on both sides: there is no common version
    try:
        data, _ = parse_state(content, label)
    except StateError as exc:
        raise UsageError(
            f"cannot merge {label}: {_SIDE_NAMES[side]} version is unreadable; ours was left as "
            f"it was\n{exc}"
        ) from None
    return data


def merge_versions(
    label: str, base: bytes, ours: bytes, theirs: bytes
) -> tuple[bytes, MergeResult]:
    """The merged file's bytes, in the store's format, and what the merge recorded."""
    result = merge(
        _version(base, label, "base"),
        _version(ours, label, "ours"),
        _version(theirs, label, "theirs"),
    )
    return dump(result.data), result


def _report(result: MergeResult, label: str, staged: str) -> int:
    if not result.conflicts:
        print(f"{label}: merged by record, no conflicts{staged}", file=sys.stderr)
        return 0
    for c in result.conflicts:
        print(
            f"{label}: {c.table} '{c.record}' {c.field}: both sides changed it; kept "
            f"{_shown(c.ours if c.kept == 'ours' else c.theirs)} ({c.kept}), recorded "
            f"{_shown(c.other)} as conflict {c.id}",
            file=sys.stderr,
        )
    print(
        f"{label}: {len(result.conflicts)} conflict(s) recorded; choose with 'mlpl-tui conflicts', "
        f"then 'git add {label}'",
        file=sys.stderr,
    )
    return 1


def cmd_merge_driver(session: Session) -> int:
    """Called by git as `merge-driver %O %A %B %P`: writes the merge into OURS (%A)."""
    args = session.args
    label = str(args.path)
    contents = []
    for path in (args.base, args.ours, args.theirs):
        try:
            contents.append(path.read_bytes())
        except OSError as exc:
            raise UsageError(f"cannot merge {label}: {path}: {exc.strerror}") from None
    base, ours, theirs = contents
    merged, result = merge_versions(label, base, ours, theirs)
    write_atomically(args.ours, merged)
    return _report(result, label, "")


# --- git ----------------------------------------------------------------------------------------


def _git(folder: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[bytes]:
    try:
        done = subprocess.run(["git", *args], cwd=folder, capture_output=True, timeout=30)
    except (OSError, subprocess.SubprocessError) as exc:
        raise UsageError(f"cannot run git ({exc}); is git installed?") from None
    if check and done.returncode != 0:
        message = done.stderr.decode(errors="replace").strip().splitlines()
        raise UsageError(f"git {' '.join(args)}: {message[-1] if message else 'failed'}")
    return done


def repo_root(folder: Path) -> Path | None:
    """The top of the git work tree holding `folder`, or None outside one."""
    folder = folder.resolve()
    if not any((f / ".git").exists() for f in (folder, *folder.parents)):
        return None  # spares a process for the common case of no repository
    done = _git(folder, "rev-parse", "--show-toplevel", check=False)
    if done.returncode != 0:
        return None
    return Path(done.stdout.decode().strip())


def driver_command() -> str:
    """The command git runs; the absolute interpreter that runs this mlpl-tui.

    git starts drivers through the shell with its own PATH: from an IDE, a GUI client or a shell
    where the virtualenv is not activated, a bare `mlpl-tui` would not be found (and git would
    quietly fall back to a text merge) or would be another installation. The interpreter that
    ran `git-setup` has this mlpl-tui installed; `validate` says when it has gone missing.
    """
    return f"{shlex.quote(sys.executable)} -m mlpl_tui merge-driver %O %A %B %P"


def _config(root: Path, key: str) -> str | None:
    done = _git(root, "config", "--local", "--get", key, check=False)
    return done.stdout.decode().strip() if done.returncode == 0 else None


def _attribute(root: Path, relative: str) -> str:
    done = _git(root, "check-attr", "merge", "--", relative)
    return done.stdout.decode().rsplit(":", 1)[-1].strip()


def _relative(root: Path, state: Path) -> str:
    try:
        return state.resolve().relative_to(root).as_posix()
    except ValueError:
        return STATE_FILE


def git_setup(folder: Path, state: Path | None = None) -> list[str]:
    """Register the driver in this clone's config and in .gitattributes; what was changed."""
    root = repo_root(folder)
    if root is None:
        raise UsageError(f"{folder.resolve()} is not inside a git repository; run 'git init' first")
    relative = _relative(root, state or folder / STATE_FILE)
    changed = []
    if _attribute(root, relative) != DRIVER:
        attributes = root / ".gitattributes"
        text = attributes.read_text(encoding="utf-8") if attributes.exists() else ""
        separator = "\n" if text and not text.endswith("\n") else ""
        attributes.write_text(f"{text}{separator}{ATTRIBUTE}\n", encoding="utf-8")
        changed.append(f"added '{ATTRIBUTE}' to {attributes} (commit it)")
    # The command first: a driver section with a name but no command makes git stop merging.
    for key, value in (("merge.mlpl.driver", driver_command()), ("merge.mlpl.name", DRIVER_NAME)):
        if _config(root, key) != value:
            _git(root, "config", "--local", key, value)
            changed.append(f"set {key} in this clone's git config")
    return changed


def setup_if_in_git(folder: Path, state: Path) -> list[str]:
    """`git-setup` for `init`: only inside a git repository, and never a reason to fail."""
    if repo_root(folder) is None:
        return []
    try:
        return git_setup(folder, state)
    except UsageError as exc:
        return [f"git-setup skipped: {exc}"]


def setup_hint(state: Path) -> str | None:
    """Why git would not merge `state` with the driver in this clone, if it would not."""
    root = repo_root(state.parent)
    if root is None:
        return None
    try:
        driver = _config(root, "merge.mlpl.driver")
        attribute = _attribute(root, _relative(root, state))
    except UsageError:
        return None
    if driver is None or attribute != DRIVER:
        missing = "registered in this clone" if driver is None else "named in .gitattributes"
        return (
            f"the merge driver is not {missing}; run 'mlpl-tui git-setup' so that git merges "
            f"{state.name} record by record"
        )
    words = shlex.split(driver)
    if words and words[0].startswith("/") and not Path(words[0]).exists():
        return f"the merge driver's interpreter {words[0]} is gone; run 'mlpl-tui git-setup' again"
    return None


def cmd_git_setup(session: Session) -> int:
    found: Path | None
    try:
        found = session.path
    except UsageError:
        found = None  # no project yet: set up for the mlpl.json `init` will create here
    folder = found.parent if found else Path.cwd()
    changed = git_setup(folder, found)
    for line in changed:
        print(line)
    if not changed:
        print("already set up: git merges mlpl.json with 'mlpl-tui merge-driver' in this clone")
    return 0


def cmd_resolve(session: Session) -> int:
    """Merge git's three index versions of a conflicted mlpl.json, as the driver would have."""
    path = session.path
    root = repo_root(path.parent)
    if root is None:
        raise UsageError(f"{path} is not in a git repository; there is no merge to resolve")
    relative = _relative(root, path)
    listing = _git(root, "ls-files", "-u", "-z", "--", relative).stdout.decode()
    stages = {entry.split("\t", 1)[0].split()[2] for entry in listing.split("\0") if entry}
    if not stages:
        raise UsageError(f"git shows no conflict in {relative}; there is nothing to resolve")
    if not {"2", "3"} <= stages:
        raise UsageError(
            f"{relative} was deleted on one side of the merge; keep a version with "
            f"'git checkout --ours {relative}' (or --theirs) or remove it with 'git rm'"
        )
    base, ours, theirs = (
        _git(root, "show", f":{n}:{relative}").stdout if n in stages else b"" for n in "123"
    )
    merged, result = merge_versions(relative, base, ours, theirs)
    with file_lock(path):
        write_atomically(path, merged)
    if result.conflicts:
        return _report(result, relative, "")
    _git(root, "add", "--", relative)
    return _report(
        result, relative, "; staged: finish with 'git commit' (or 'git rebase --continue')"
    )


# --- recorded conflicts -------------------------------------------------------------------------


def _shown(value: Any, limit: int = 50) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def cmd_conflicts(session: Session) -> int:
    """List the conflicts a merge recorded, or keep one side's value of one of them."""
    args = session.args
    if getattr(args, "action", None) == "keep":
        from mlpl_tui import lifecycle

        session.change(lambda p, f, c: lifecycle.resolve_conflict(p, f, c, args.id, args.side))
        return 0
    project = session.load()
    everything = getattr(args, "all", False)
    shown = [c for c in project.conflicts if everything or not c.resolved]
    if getattr(args, "json", False):
        print(json.dumps([asdict(c) for c in shown], indent=2, ensure_ascii=False))
        return 0
    resolved = sum(c.resolved for c in project.conflicts)
    if not shown:
        print("no unresolved conflicts" + (f" ({resolved} resolved)" if resolved else ""))
        return 0
    for c in shown:
        state = f"resolved: {c.resolution} ({c.resolved_by}, {c.resolved_at})" if c.resolved else ""
        print(f"{c.id}  {c.table} '{c.record}' {c.field}  {state}".rstrip())
        for side in ("ours", "theirs"):
            mark = "kept" if side == (c.resolution if c.resolved else c.kept) else "    "
            who = getattr(c, f"{side}_by") or "?"
            when = getattr(c, f"{side}_at") or "?"
            print(f"    {mark} {side:<6} {_shown(c.value(side))}  ({who}, {when})")
    if any(not c.resolved for c in shown):
        print("keep one value with: mlpl-tui conflicts keep ID ours|theirs")
    return 0
