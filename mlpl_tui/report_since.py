"""`mlpl-tui report --since GITREF`: what changed in the state file since a git ref, in
Markdown for a pull-request comment.

The old state is read with git from the ref (the file's path relative to the repository's
top), never from the work tree; both states are compared record by record, table by table.
Every text from the records goes through report_md's `md()`.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mlpl_tui.errors import UsageError
from mlpl_tui.framework import Framework
from mlpl_tui.git_run import GitUnavailable, run_git
from mlpl_tui.model import Project, Raw
from mlpl_tui.progress import format_minutes
from mlpl_tui.report_md import md
from mlpl_tui.sanitize import clean
from mlpl_tui.wording import plural, short_title

# Tables a reader of a pull request does not need line by line (the history repeats the rest).
_QUIET_TABLES = ("meta", "events", "conflicts")


# --- reading the old state --------------------------------------------------------------------


def _git(folder: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    try:
        return run_git(folder, *args)
    except GitUnavailable as exc:
        raise UsageError(str(exc)) from None


@dataclass(frozen=True)
class OldState:
    """The state file as committed at a ref."""

    project: Project
    ref: str
    commit: str


def commit_at(folder: Path, ref: str) -> str:
    """The commit `ref` names in the repository holding `folder`; a UsageError (one line) when
    it names none."""
    shown = clean(ref)
    if not ref.strip() or ref.startswith("-") or any(c < " " for c in ref):
        raise UsageError(f"'{shown}' is not a git ref; name a branch, tag or commit")
    wanted = f"{ref}^{{commit}}"
    found = _git(folder, "rev-parse", "--verify", "--quiet", "--end-of-options", wanted)
    if found.returncode != 0:
        raise UsageError(f"'{shown}' is not a commit in this repository (git ref not found)")
    return found.stdout.decode("ascii", "replace").strip()


def old_state(path: Path, ref: str) -> OldState:
    """The state file at `ref`; a UsageError (one line) when there is no such ref or file."""
    shown = clean(ref)
    folder = path.absolute().parent
    top = _git(folder, "rev-parse", "--show-toplevel")
    if top.returncode != 0:
        raise UsageError(f"{folder} is not in a git repository: a git ref needs one")
    root = Path(os.fsdecode(top.stdout.strip()))
    relative = os.path.relpath(os.path.realpath(path), os.path.realpath(root))
    if relative.startswith(".."):
        raise UsageError(f"{path} is outside the git repository {root}")
    relative = Path(relative).as_posix()
    commit = commit_at(root, ref)
    # cat-file, not show: the committed bytes, with no textconv or other filter applied.
    blob = _git(root, "cat-file", "blob", f"{commit}:{relative}")
    if blob.returncode != 0:
        raise UsageError(f"{clean(relative)} does not exist at '{shown}' ({commit[:10]})")
    from mlpl_tui.store import parse_state

    label = f"{relative}@{ref}"
    data, _ = parse_state(blob.stdout, clean(label))
    return OldState(Project(data, label=label), ref, commit)


# --- comparing --------------------------------------------------------------------------------


@dataclass
class TableDiff:
    """One table's records added, changed (before, after) and removed, by id."""

    added: dict[str, Raw] = field(default_factory=dict)
    changed: dict[str, tuple[Raw, Raw]] = field(default_factory=dict)
    removed: dict[str, Raw] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.added or self.changed or self.removed)


def diff_tables(old: Project, new: Project) -> dict[str, TableDiff]:
    """Every table whose records differ, with what differs."""
    diffs = {}
    for table in sorted(set(old.tables) | set(new.tables)):
        before: Mapping[str, Raw] = old.tables.get(table, {})
        after: Mapping[str, Raw] = new.tables.get(table, {})
        d = TableDiff(
            added={k: v for k, v in after.items() if k not in before},
            changed={k: (before[k], v) for k, v in after.items() if k in before and before[k] != v},
            removed={k: v for k, v in before.items() if k not in after},
        )
        if d:
            diffs[table] = d
    return diffs


# --- describing -------------------------------------------------------------------------------


def render(old: OldState, new: Project, framework: Framework) -> str:
    """What changed since the ref, as Markdown."""
    diffs = diff_tables(old.project, new)
    title = f"### Project changes since {md(old.ref)} ({old.commit[:10]})"
    shown = {t: d for t, d in diffs.items() if t not in _QUIET_TABLES}
    if not shown:
        return f"{title}\n\nNo change to the project's records.\n"
    out = [title, ""]
    out += _summary(old.project, new, framework, shown)
    sections = (
        ("modules", "Modules moved", _modules),
        ("switches", "Switches (loop backs)", _switches),
        ("decisions", "Decisions", _decisions),
        ("experiments", "Experiments", _experiments),
        ("effort", "Effort", _effort),
        ("learnings", "Learnings", _learnings),
        ("artifacts", "Artifacts", _artifacts),
    )
    for table, heading, describe in sections:
        d = shown.pop(table, None)
        if d:
            out += ["", f"#### {heading}", "", *describe(d, framework)]
    shown.pop("visits", None)  # said in the summary: the stage moved
    if shown:
        out += ["", "#### Other records", ""]
        out += [f"- {md(table)}: {_counts(d)}" for table, d in shown.items()]
    return "\n".join(out) + "\n"


def _summary(
    old: Project, new: Project, framework: Framework, diffs: dict[str, TableDiff]
) -> list[str]:
    lines = []
    (before_stage, before_iteration), (after_stage, after_iteration) = _where(old), _where(new)
    if (before_stage, before_iteration) != (after_stage, after_iteration):
        lines.append(
            f"- **Stage:** {_stage(framework, before_stage)} (iteration {before_iteration}) → "
            f"{_stage(framework, after_stage)} (iteration {after_iteration})"
        )
    modules = diffs.get("modules")
    if modules:
        lines.append(f"- **Modules:** {plural(len(modules.added) + len(modules.changed), 'moved')}")
    for table, word in (
        ("switches", "Switches"),
        ("decisions", "Decisions"),
        ("experiments", "Experiments"),
        ("learnings", "Learnings"),
        ("artifacts", "Artifacts"),
    ):
        d = diffs.get(table)
        if d:
            lines.append(f"- **{word}:** {_counts(d)}")
    if "effort" in diffs:
        lines.append(f"- **Effort:** {_minutes_delta(diffs['effort'])}")
    return lines


def _counts(d: TableDiff) -> str:
    parts = [
        f"{len(d.added)} added" if d.added else "",
        f"{len(d.changed)} changed" if d.changed else "",
        f"{len(d.removed)} removed" if d.removed else "",
    ]
    return ", ".join(p for p in parts if p)


def _where(project: Project) -> tuple[str, int]:
    """The current stage and iteration, read from the raw visits (a broken one is skipped)."""
    visits = [v for v in project.raw("visits").values() if isinstance(v.get("entered_at"), str)]
    if not visits:
        return "", 0
    last = max(visits, key=lambda v: (v.get("left_at") is None, str(v.get("entered_at"))))
    iteration = last.get("iteration")
    return str(last.get("stage", "")), iteration if isinstance(iteration, int) else 0


def _stage(framework: Framework, stage: object) -> str:
    for s in framework.stages:
        if s.id == stage:
            return md(short_title(s.title))
    return md(str(stage)) if stage else "none"


def _text(record: Raw, key: str) -> str:
    value = record.get(key)
    return "" if value is None else str(value)


def _label(record: Raw, id: str, key: str = "title") -> str:
    return f"**{md(_text(record, key) or id)}**"


def _modules(d: TableDiff, framework: Framework) -> list[str]:
    rows = ["| Module | Before | Now |", "| --- | --- | --- |"]
    moves = [(id, "new", _text(r, "status")) for id, r in d.added.items()]
    moves += [(id, _text(b, "status"), _text(a, "status")) for id, (b, a) in d.changed.items()]
    moves += [(id, _text(r, "status"), "removed") for id, r in d.removed.items()]
    for id, before, after in sorted(moves):
        rows.append(f"| {md(id)} | {md(before) or '-'} | {md(after) or '-'} |")
    return rows


def _switches(d: TableDiff, framework: Framework) -> list[str]:
    lines = []
    for s in sorted(d.added.values(), key=lambda r: _text(r, "at")):
        target = _stage(framework, s.get("to_stage"))
        module = _text(s, "to_module")
        if module:
            target += f" ({md(module)})"
        lines.append(
            f"- {_stage(framework, s.get('from_stage'))} → {target}, "
            f"{md(_text(s, 'category'))}: {md(_text(s, 'reason'))}"
        )
    lines += [f"- changed: switch {md(id)}" for id in sorted(d.changed)]
    lines += [f"- removed: switch {md(id)}" for id in sorted(d.removed)]
    return lines


def _decisions(d: TableDiff, framework: Framework) -> list[str]:
    lines = [
        f"- added: {_label(r, id)} ({md(_text(r, 'status'))}): {md(_text(r, 'decision'))}"
        for id, r in d.added.items()
    ]
    lines += [f"- changed: {_label(a, id)}: {_fields(b, a)}" for id, (b, a) in d.changed.items()]
    lines += [f"- removed: {_label(r, id)}" for id, r in d.removed.items()]
    return lines


def _experiments(d: TableDiff, framework: Framework) -> list[str]:
    lines = []
    for id, r in d.added.items():
        hypothesis = md(_text(r, "hypothesis"))
        lines.append(
            f"- added: {_label(r, id)} ({md(_text(r, 'status'))})"
            + (f": {hypothesis}" if hypothesis else "")
        )
    lines += [f"- changed: {_label(a, id)}: {_fields(b, a)}" for id, (b, a) in d.changed.items()]
    lines += [f"- removed: {_label(r, id)}" for id, r in d.removed.items()]
    return lines


def _minutes(record: Raw) -> int:
    minutes = record.get("minutes")
    return minutes if isinstance(minutes, int) and not isinstance(minutes, bool) else 0


def _minutes_delta(d: TableDiff) -> str:
    delta = sum(map(_minutes, d.added.values())) - sum(map(_minutes, d.removed.values()))
    delta += sum(_minutes(a) - _minutes(b) for b, a in d.changed.values())
    sign = "+" if delta >= 0 else "-"
    return f"{sign}{format_minutes(abs(delta))} ({_counts(d)} {_entries(d)})"


def _entries(d: TableDiff) -> str:
    total = len(d.added) + len(d.changed) + len(d.removed)
    return "entry" if total == 1 else "entries"


def _effort(d: TableDiff, framework: Framework) -> list[str]:
    by_stage: dict[str, int] = {}
    for r in d.added.values():
        stage = _text(r, "stage")
        by_stage[stage] = by_stage.get(stage, 0) + _minutes(r)
    lines = [
        f"- logged in {_stage(framework, stage)}: {format_minutes(minutes)}"
        for stage, minutes in by_stage.items()
    ]
    if d.changed:
        lines.append(f"- corrected: {plural(len(d.changed), 'entry', 'entries')}")
    if d.removed:
        lines.append(f"- removed: {plural(len(d.removed), 'entry', 'entries')}")
    return lines


def _learnings(d: TableDiff, framework: Framework) -> list[str]:
    lines = [f"- added: {md(_text(r, 'text'))}" for r in d.added.values()]
    lines += [f"- changed: {md(_text(a, 'text'))}" for b, a in d.changed.values()]
    lines += [f"- removed: {md(_text(r, 'text'))}" for r in d.removed.values()]
    return lines


def _artifacts(d: TableDiff, framework: Framework) -> list[str]:
    def where(r: Raw) -> str:
        locations = r.get("locations")
        if not isinstance(locations, list):
            return ""
        return ", ".join(md(str(x)) for x in locations)

    lines = [f"- attached: {md(id)}: {where(r)}" for id, r in d.added.items()]
    lines += [f"- changed: {md(id)}: {where(a)}" for id, (b, a) in d.changed.items()]
    lines += [f"- removed: {md(id)}" for id in d.removed]
    return lines


_BOOKKEEPING = ("updated_at", "updated_by", "created_at", "created_by", "at", "by")


def _fields(before: Raw, after: Raw) -> str:
    """The fields that changed, with short values: `status: proposed → accepted`."""
    parts = []
    for key in sorted(set(before) | set(after)):
        if key in _BOOKKEEPING or before.get(key) == after.get(key):
            continue
        parts.append(f"{md(key)} {_short(before.get(key))} → {_short(after.get(key))}")
    return "; ".join(parts) or "bookkeeping only"


def _short(value: Any) -> str:
    text = "none" if value is None else str(value)
    text = " ".join(text.split())
    return md(text if len(text) <= 80 else text[:79] + "…")
