"""Merge conflicts (`c`): fields a merge through the git merge driver found changed on both
sides. Each shows both values, who set them and when, and which one the record holds; the user
keeps one. Unresolved ones come first; resolved ones stay listed with the choice made.

Keys: `o` keeps our value, `r` keeps theirs (the branch merged in); either can be changed later.
`/` filters the list (screens/record_screen.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

from rich.text import Text
from textual.app import SystemCommand
from textual.binding import Binding, BindingType

from mlpl_tui import lifecycle
from mlpl_tui.model import MERGE_SIDES, Conflict, Project
from mlpl_tui.sanitize import json_text
from mlpl_tui.screens.record_screen import RecordScreen, Rows
from mlpl_tui.widgets.text import clip
from mlpl_tui.wording import shown_time


def shown(value: Any) -> str:
    """A value as JSON, as it sits in the file (null for a missing one), controls escaped."""
    return json_text(value)


def held(conflict: Conflict) -> str:
    """The side whose value the record holds now."""
    return conflict.resolution if conflict.resolved and conflict.resolution else conflict.kept


def conflict_row(conflict: Conflict) -> str:
    """`open     decisions 3fa9… status: "accepted" | "rejected"`.

    Plain stored text: the list cleans and cuts each row (RecordList.set_rows).
    """
    state = f"kept {conflict.resolution}" if conflict.resolved else "OPEN"
    values = f"{shown(conflict.ours)} | {shown(conflict.theirs)}"
    return f"{state:<12} {conflict.table} {conflict.record} {conflict.field}: {values}"


def _label(project: Project, conflict: Conflict) -> str:
    raw = project.raw(conflict.table).get(conflict.record)
    if raw is None:
        return " (this record no longer exists: restore it from git before choosing)"
    title = raw.get("title")
    return f" ({title})" if isinstance(title, str) and title else ""


def conflict_text(project: Project, conflict: Conflict) -> Text:
    """The conflict in full; every stored field goes through `clip` (cleaned, bounded)."""
    text = Text()
    text.append(clip(f"{conflict.table} '{conflict.record}'"), style="bold")
    text.append(clip(_label(project, conflict)))
    text.append("\n" + clip(f"field {conflict.field} · conflict {conflict.id}"))
    if conflict.resolved:
        text.append(
            "\n"
            + clip(
                f"Resolved: {conflict.resolution} kept, by {conflict.resolved_by}, "
                f"{shown_time(conflict.resolved_at, '?', zone=True)}"
            )
        )
    else:
        text.append(f"\nUnresolved: the record holds {conflict.kept} until you choose")
    for side in MERGE_SIDES:
        by, at = (
            (conflict.ours_by, conflict.ours_at)
            if side == "ours"
            else (conflict.theirs_by, conflict.theirs_at)
        )
        who, when = by or "?", shown_time(at, "?", zone=True)
        mark = "held now →" if side == held(conflict) else ""
        text.append(f"\n\n{mark:<10} {side:<6}", style="bold")
        text.append(clip(f" set by {who}, {when}") + "\n")
        text.append(clip(shown(conflict.value(side))))
    return text


class ConflictsScreen(RecordScreen):
    """The conflicts a merge recorded, and the choice of which value to keep."""

    CSS_PATH = "conflicts.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "o",
            "keep('ours')",
            "Keep ours",
            id="conflict-ours",
            tooltip="Keep this branch's value of the field",
        ),
        Binding(
            "r",
            "keep('theirs')",
            "Keep theirs",
            id="conflict-theirs",
            tooltip="Keep the merged-in branch's value",
        ),
    ]
    LIST_ID = "conflicts"
    LABEL = "Merge conflicts"
    NOUN = "conflict"

    def listing(self, project: Project) -> tuple[str, Rows]:
        conflicts = sorted(project.conflicts, key=lambda c: c.resolved)  # stable: open first
        open_count = sum(1 for c in conflicts if not c.resolved)
        title = f"Merge conflicts: {open_count} unresolved, {len(conflicts) - open_count} resolved"
        if open_count:
            title += " · o keeps ours · r keeps theirs"
        return title, [(c.id, conflict_row(c)) for c in conflicts]

    def __init__(self) -> None:
        super().__init__()
        self._by_id: tuple[Project, dict[str, Conflict]] | None = None

    def _conflict(self, project: Project, record_id: str | None) -> Conflict | None:
        if self._by_id is None or self._by_id[0] is not project:  # once per snapshot
            self._by_id = (project, {c.id: c for c in project.conflicts})
        return self._by_id[1].get(record_id) if record_id else None

    def detail(self, project: Project, record_id: str | None) -> Text:
        conflict = self._conflict(project, record_id)
        if conflict is None:
            return Text(
                "No merge conflicts are recorded.\n\n"
                "When a merge through the git merge driver (mlpl-tui git-setup) finds a field "
                "changed on both branches, it keeps one value, records both here, and "
                "'mlpl-tui validate' fails until one is chosen."
            )
        text = conflict_text(project, conflict)
        text.append("\n\no keeps ours · r keeps theirs")
        return text

    def search_text(self, project: Project, record_id: str) -> str:
        """The conflict in full, without the keys every conflict's pane ends with."""
        conflict = self._conflict(project, record_id)
        return conflict_text(project, conflict).plain if conflict else ""

    def action_keep(self, side: str) -> None:
        conflict = self._conflict(self.host.project, self.record_id)
        if conflict is None:
            self.notify("No conflict is highlighted", title="Nothing to resolve")
            return
        ref = conflict.id
        change = self.host.act(lambda p, f, c: lifecycle.resolve_conflict(p, f, c, ref, side))
        if change is not None and change.summary:
            self.notify(change.summary, title="Resolved")

    def palette_commands(self) -> Iterable[SystemCommand]:
        """This screen's actions for the command palette."""
        yield SystemCommand("conflict: Keep ours (o)", "", lambda: self.action_keep("ours"))
        yield SystemCommand("conflict: Keep theirs (r)", "", lambda: self.action_keep("theirs"))
