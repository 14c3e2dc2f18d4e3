"""Decisions as MADR files (`NNNN-slug.md`), for decision-record tooling; reruns update in place.

Each file ends with a comment naming the decision's id. A rerun finds the files it wrote by that
comment, keeps their numbers, rewrites only what changed (renaming a file whose title changed)
and numbers new decisions after the highest number in the folder, hand-written records included.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from mlpl_tui.errors import UsageError
from mlpl_tui.framework import Framework
from mlpl_tui.model import Project
from mlpl_tui.report_md import md, md_block
from mlpl_tui.report_view import DecisionRow, ReportView
from mlpl_tui.safe_io import refuse_link, write_file
from mlpl_tui.wording import shown_date

_RECORD = re.compile(r"^(\d{4})-.*\.md$")
_MARKER = re.compile(r"<!-- mlpl-tui decision id: (\S+) -->")
_MARKER_ESCAPES = re.compile(r"[\s<>!-]")


def marker(decision_id: str) -> str:
    """The comment that finds a decision's file again on a rerun.

    The id is written as the inside of a JSON string with whitespace, `-`, `<`, `>` and `!` as
    `\\u` escapes, so no id can end the comment early or split the marker in two.
    """
    inside = _MARKER_ESCAPES.sub(
        lambda m: f"\\u{ord(m.group()):04x}", json.dumps(decision_id)[1:-1]
    )
    return f"<!-- mlpl-tui decision id: {inside} -->"


def slug(title: str, limit: int = 50) -> str:
    """A file-name slug: lowercase ASCII letters, digits and dashes; 'decision' when empty."""
    ascii_text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii")
    words = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return words[:limit].rstrip("-") or "decision"


def _yaml(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=not text.isprintable())


@dataclass(frozen=True)
class Written:
    """What one run did to the folder."""

    created: int
    updated: int
    unchanged: int


def existing_records(folder: Path) -> tuple[dict[str, Path], int]:
    """Records this program wrote, by decision id, and the highest number in the folder."""
    ours: dict[str, Path] = {}
    highest = 0
    for path in sorted(folder.iterdir()):
        match = _RECORD.match(path.name)
        if match is None:
            continue
        highest = max(highest, int(match[1]))
        if path.is_symlink() or not path.is_file():
            continue  # a link is never read or written: only its number is taken
        try:
            found = _MARKER.search(path.read_text(encoding="utf-8"))
            if found is not None:
                ours[json.loads(f'"{found[1]}"')] = path
        except (OSError, UnicodeDecodeError, json.JSONDecodeError):
            continue
    return ours, highest


def record(row: DecisionRow, names: dict[str, str], numbers: dict[str, int]) -> str:
    """One decision in the MADR layout (`numbers`: the records' numbers, by decision id)."""
    d = row.decision

    def link(ref: str) -> str:
        if ref in names:
            return f"[ADR-{numbers[ref]:04d}]({names[ref]})"
        return f"decision {md(ref)}"

    status = d.status
    if d.status == "superseded" and d.superseded_by:
        status = f"superseded by {link(d.superseded_by)}"
    lines = [
        "---",
        f"status: {_yaml(status)}",
        f"date: {_yaml(shown_date(d.created_at) or 'unknown')}",
        f"decision-makers: [{_yaml(d.created_by)}]",
        "---",
        "",
        f"# {md(d.title)}",
        "",
        "## Context and Problem Statement",
        "",
        md_block(d.context) or "No context was recorded.",
        "",
        "## Decision Outcome",
        "",
        md_block(d.decision),
        "",
        "### Consequences",
        "",
        md_block(d.rationale) or "No rationale was recorded.",
        "",
        "## More Information",
        "",
    ]
    where = md(row.stage_title)
    if d.module:
        where += f", module {md(row.module_title)}"
    lines.append(f"* Stage: {where or 'none'}")
    if d.supersedes:
        lines.append(f"* Supersedes {link(d.supersedes)}")
    if d.superseded_by:
        lines.append(f"* Superseded by {link(d.superseded_by)}")
    lines += [f"* Status {md(move.words)}" for move in row.status_changes]
    lines += [f"* Recorded in mlpl.json as decision {md(d.id)}", "", marker(d.id), ""]
    return "\n".join(lines)


def write_records(project: Project, framework: Framework, folder: Path) -> Written:
    """Write or update one file per decision in `folder` (created when missing)."""
    refuse_link(folder)
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"{folder} is a file; madr writes one file per decision into a folder")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        ours, highest = existing_records(folder)
    except OSError as exc:
        raise UsageError(f"{folder}: cannot use it ({exc.strerror})") from None
    rows = ReportView(project, framework).decisions
    numbers: dict[str, int] = {}
    for d in project.decisions:
        path = ours.get(d.id)
        if path is not None:
            numbers[d.id] = int(path.name[:4])
        else:
            highest += 1
            numbers[d.id] = highest
    names = {d.id: f"{numbers[d.id]:04d}-{slug(d.title)}.md" for d in project.decisions}
    created = updated = unchanged = 0
    try:
        for row in rows:
            text = record(row, names, numbers)
            target = folder / names[row.decision.id]
            old = ours.get(row.decision.id)
            if old is not None and old != target:
                old.unlink()
            if old == target and target.read_text(encoding="utf-8") == text:
                unchanged += 1
                continue
            write_file(target, text.encode("utf-8"))
            if old is None:
                created += 1
            else:
                updated += 1
    except OSError as exc:
        raise UsageError(f"{folder}: cannot write the decision records ({exc.strerror})") from None
    return Written(created, updated, unchanged)
