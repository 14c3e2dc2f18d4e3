"""Team use through git: the merge driver, `resolve`, `git-setup`, and recorded conflicts."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from dataclasses import asdict, dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from mlpl_tui.errors import UsageError
from mlpl_tui.integrity import Problem
from mlpl_tui.merge import MergeResult, merge
from mlpl_tui.model import StateError
from mlpl_tui.safe_io import read_regular_file, write_file
from mlpl_tui.sanitize import clean, json_text
from mlpl_tui.store import STATE_FILE, Data, dump, file_lock, parse_state, write_atomically
from mlpl_tui.wording import plural, shown_time, truncate

if TYPE_CHECKING:
    from mlpl_tui.cli import Session

DRIVER = "mlpl"
ATTRIBUTE = f"{STATE_FILE} merge={DRIVER}"
DRIVER_NAME = "mlpl-tui: merge mlpl.json by table, record and field"
_SIDE_NAMES = {"base": "the common (base)", "ours": "our", "theirs": "their"}
# After the interpreter: -I (isolated) keeps the repository git runs the driver in off sys.path,
# so a branch that commits `mlpl_tui/__main__.py` (or `argparse.py`) cannot run as the driver.
# It also ignores PYTHON* variables and the user site; the .pth of an editable install still works.
_DRIVER_ARGS = ["-I", "-m", "mlpl_tui", "merge-driver", "%O", "%A", "%B", "%P"]
_UNSPECIFIED = "unspecified"  # what `git check-attr` says when no line names the attribute
_ATTRIBUTES_LIMIT = 1 << 24  # a .gitattributes larger than this is not one to append to


# --- the merge itself -------------------------------------------------------------------------


def _version(content: bytes, label: str, side: str) -> Data:
    if side == "base" and not content.strip():
        return {}  # added on both sides: there is no common version
    try:
        data, _ = parse_state(content, label)
    except StateError as exc:
        raise UsageError(
            f"cannot merge {clean(label)}: {_SIDE_NAMES[side]} version is unreadable; ours was "
            f"left as it was\n{clean(str(exc), multiline=True)}"
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


def report_lines(result: MergeResult, label: str, staged: str) -> list[str]:
    """What a merge did, for people: one line per conflict it recorded, then what to do."""
    # Names and values come from anyone's branch: single-line `clean` also keeps a newline in a
    # record id from forging a line of this report.
    label = clean(label)
    if not result.conflicts:
        return [f"{label}: merged by record, no conflicts{staged}"]
    lines = [
        f"{label}: {clean(c.table)} '{clean(c.record)}' {clean(c.field)}: both sides "
        f"changed it; kept "
        f"{_shown(c.ours if c.kept == 'ours' else c.theirs)} ({c.kept}), recorded "
        f"{_shown(c.other)} as conflict {c.id}"
        for c in result.conflicts
    ]
    recorded = plural(len(result.conflicts), "conflict")
    lines.append(
        f"{label}: {recorded} recorded; choose with 'mlpl-tui conflicts', then 'git add {label}'"
    )
    return lines


def _report(result: MergeResult, label: str, staged: str) -> int:
    for line in report_lines(result, label, staged):
        print(line, file=sys.stderr)
    return 1 if result.conflicts else 0


def cmd_merge_driver(session: Session) -> int:
    """Called by git as `merge-driver %O %A %B %P`: writes the merge into OURS (%A)."""
    args = session.args
    label = str(args.path)
    contents = []
    for path in (args.base, args.ours, args.theirs):
        try:
            contents.append(path.read_bytes())
        except OSError as exc:
            raise UsageError(f"cannot merge {clean(label)}: {path}: {exc.strerror}") from None
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
        found = clean(message[-1]) if message else "failed"  # git quotes paths from the branch
        raise UsageError(f"git {' '.join(args)}: {found}")
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
    return " ".join([shlex.quote(sys.executable), *_DRIVER_ARGS])


def driver_is_safe(command: str) -> bool:
    """True for the form `git-setup` registers: an absolute interpreter started isolated."""
    try:
        words = shlex.split(command)
    except ValueError:
        return False
    return len(words) > 1 and os.path.isabs(words[0]) and words[1:] == _DRIVER_ARGS


def _interpreter(command: str) -> str:
    try:
        words = shlex.split(command)
    except ValueError:
        return ""
    return words[0] if words else ""


def _config(root: Path, key: str) -> str | None:
    done = _git(root, "config", "--local", "--get", key, check=False)
    return done.stdout.decode().strip() if done.returncode == 0 else None


def _attribute(root: Path, relative: str) -> str:
    # -z: "path NUL merge NUL value NUL", unquoted, whatever the path or value holds.
    done = _git(root, "check-attr", "-z", "merge", "--", relative)
    fields = done.stdout.decode(errors="replace").split("\0")
    return fields[2] if len(fields) > 2 else _UNSPECIFIED


def _attribute_shown(value: str) -> str:
    """How the .gitattributes line that gave the merge attribute `value` was written."""
    if value == "set":
        return "'merge' (git's line merge)"
    if value == "unset":
        return "'-merge' or 'binary' (no merge at all)"
    return f"'merge={clean(value)}'"


def _add_attribute(root: Path, relative: str) -> str:
    """Append our line to the top .gitattributes; git obeys the last line matching a path."""
    attributes = root / ".gitattributes"
    if os.path.islink(attributes):
        # A branch may commit the link: appending through it writes outside the repository.
        raise UsageError(
            f"{attributes} is a symbolic link (to '{clean(os.readlink(attributes))}'); git-setup "
            "does not write through it: replace it with a regular file, then run "
            "'mlpl-tui git-setup' again"
        )
    text = b""
    if os.path.lexists(attributes):
        text = read_regular_file(attributes, _ATTRIBUTES_LIMIT, follow=False)
    separator = b"\n" if text and not text.endswith(b"\n") else b""
    write_file(attributes, text + separator + ATTRIBUTE.encode() + b"\n")
    found = _attribute(root, relative)
    if found != DRIVER:
        raise UsageError(
            f"added '{ATTRIBUTE}' to {attributes}, but git still gives {clean(relative)} "
            f"{_attribute_shown(found)}: a .gitattributes nearer to it or .git/info/attributes "
            "overrides it; remove that line there"
        )
    return f"added '{ATTRIBUTE}' to {attributes} (commit it)"


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
    attribute = _attribute(root, relative)
    if attribute != DRIVER and PurePosixPath(relative).name != STATE_FILE:
        # Our line names only files called mlpl.json: appending it would change nothing.
        changed.append(
            f"not added to .gitattributes: '{ATTRIBUTE}' does not name {clean(relative)}; add "
            f"a line '/{clean(relative)} merge={DRIVER}' yourself"
        )
    elif attribute != DRIVER:
        changed.append(_add_attribute(root, relative))
    # The command first: a driver section with a name but no command makes git stop merging.
    for key, value in (("merge.mlpl.driver", driver_command()), ("merge.mlpl.name", DRIVER_NAME)):
        old = _config(root, key)
        if old != value:
            _git(root, "config", "--local", key, value)
            unsafe = key == "merge.mlpl.driver" and old is not None and not driver_is_safe(old)
            why = " (replacing a command that could run a branch's files as code)" if unsafe else ""
            changed.append(f"set {key} in this clone's git config{why}")
    return changed


def setup_if_in_git(folder: Path, state: Path) -> list[str]:
    """`git-setup` for `init`: only inside a git repository, and never a reason to fail."""
    if repo_root(folder) is None:
        return []
    try:
        return git_setup(folder, state)
    except UsageError as exc:
        return [f"git-setup skipped: {exc}"]


def setup_problems(state: Path) -> list[Problem]:
    """What keeps git from merging `state` with the driver, safely, in this clone.

    Errors: a merge attribute other than ours (a text merge of JSON; `union` silently keeps one
    side's value of a key), and a registered command other than the isolated one (a branch's
    files could run as the driver). Warnings: the driver not set up, or its interpreter gone.
    """
    root = repo_root(state.parent)
    if root is None:
        return []
    relative = _relative(root, state)
    try:
        driver = _config(root, "merge.mlpl.driver")
        attribute = _attribute(root, relative)
    except UsageError:
        return []
    problems = []
    if attribute not in (DRIVER, _UNSPECIFIED):
        problems.append(
            Problem(
                "error",
                f".gitattributes gives {clean(relative)} {_attribute_shown(attribute)}, so git "
                "merges it as text, not record by record (merge=union even keeps both sides' "
                "lines: duplicate JSON keys, one side's value silently lost); end .gitattributes "
                f"with the line '{ATTRIBUTE}' or run 'mlpl-tui git-setup'",
            )
        )
    if driver is None or attribute == _UNSPECIFIED:
        missing = "registered in this clone" if driver is None else "named in .gitattributes"
        problems.append(
            Problem(
                "warning",
                f"the merge driver is not {missing}; run 'mlpl-tui git-setup' so that git merges "
                f"{state.name} record by record",
            )
        )
    if driver is None:
        return problems
    interpreter = _interpreter(driver)
    if os.path.isabs(interpreter) and not os.path.exists(interpreter):
        # Nothing runs at all (git then leaves ours and reports a conflict): no code can run.
        problems.append(
            Problem(
                "warning",
                f"the merge driver's interpreter {clean(interpreter)} is gone; run "
                "'mlpl-tui git-setup' again",
            )
        )
    elif not driver_is_safe(driver):
        problems.append(
            Problem(
                "error",
                f"the merge driver registered in this clone ('{clean(driver)}') is not the "
                f"isolated command '{driver_command()}': a branch's files could run as code "
                "during a merge; run 'mlpl-tui git-setup'",
            )
        )
    return problems


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


@dataclass(frozen=True)
class Resolved:
    """What `resolve` did: the report for people, and how many conflicts it recorded."""

    lines: list[str]
    conflicts: int  # 0: merged cleanly and staged with `git add`


def _unmerged_stages(root: Path, relative: str) -> set[str]:
    listing = _git(root, "ls-files", "-u", "-z", "--", relative).stdout.decode()
    return {entry.split("\t", 1)[0].split()[2] for entry in listing.split("\0") if entry}


def is_unmerged(path: Path) -> bool:
    """True when git holds `path` as unmerged (a merge left it conflicted): `resolve` applies."""
    root = repo_root(path.parent)
    if root is None:
        return False
    try:
        return bool(_unmerged_stages(root, _relative(root, path)))
    except UsageError:
        return False


def resolve_file(path: Path) -> Resolved:
    """Merge git's three index versions of a conflicted mlpl.json, as the driver would have;
    stage the result when no field conflicts (`mlpl-tui resolve`, and `r` in the app)."""
    root = repo_root(path.parent)
    if root is None:
        raise UsageError(f"{path} is not in a git repository; there is no merge to resolve")
    relative = _relative(root, path)
    stages = _unmerged_stages(root, relative)
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
        return Resolved(report_lines(result, relative, ""), len(result.conflicts))
    _git(root, "add", "--", relative)
    staged = "; staged: finish with 'git commit' (or 'git rebase --continue')"
    return Resolved(report_lines(result, relative, staged), 0)


def cmd_resolve(session: Session) -> int:
    """Merge git's three index versions of a conflicted mlpl.json, as the driver would have."""
    resolved = resolve_file(session.path)
    for line in resolved.lines:
        print(line, file=sys.stderr)
    return 1 if resolved.conflicts else 0


# --- recorded conflicts -------------------------------------------------------------------------


def _shown(value: Any, limit: int = 50) -> str:
    text = json_text(value)  # controls as \u escapes: safe on a terminal and unambiguous
    return truncate(text, limit)


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
        print(json_text([asdict(c) for c in shown], indent=2))
        return 0
    resolved = sum(c.resolved for c in project.conflicts)
    if not shown:
        print("no unresolved conflicts" + (f" ({resolved} resolved)" if resolved else ""))
        return 0
    for c in shown:
        # Every name here comes from a branch; single-line clean so none can forge a line.
        state = (
            f"resolved: {c.resolution} ({clean(c.resolved_by or '?')}, "
            f"{clean(shown_time(c.resolved_at, '?', zone=True))})"
            if c.resolved
            else ""
        )
        where = f"{clean(c.table)} '{clean(c.record)}' {clean(c.field)}"
        print(f"{clean(c.id)}  {where}  {state}".rstrip())
        for side in ("ours", "theirs"):
            mark = "kept" if side == (c.resolution if c.resolved else c.kept) else "    "
            who = clean(getattr(c, f"{side}_by") or "?")
            when = clean(shown_time(getattr(c, f"{side}_at"), "?", zone=True))
            print(f"    {mark} {side:<6} {_shown(c.value(side))}  ({who}, {when})")
    if any(not c.resolved for c in shown):
        print("keep one value with: mlpl-tui conflicts keep ID ours|theirs")
    return 0
