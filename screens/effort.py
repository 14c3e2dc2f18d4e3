"""The effort list (`T`): every effort entry, newest first, with the highlighted one in full.

Keys: `n` logs time (as `t` does anywhere), `E` corrects the highlighted entry (duration, day,
stage or module, note), `x` or `delete` removes it after a yes/no question (the history keeps
it, and `u` undoes), `/` filters the list (screens/record_screen.py), `escape` clears the
filter, then goes back to the screen it was opened from.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from rich.text import Text
from textual.app import SystemCommand
from textual.binding import Binding, BindingType

from mlpl_tui.corrections import remove_effort
from mlpl_tui.framework import Framework
from mlpl_tui.lifecycle import Context
from mlpl_tui.model import Change, EffortEntry, Project
from mlpl_tui.progress import format_minutes
from mlpl_tui.screens.record_screen import RecordScreen, Rows
from mlpl_tui.widgets.text import clip, data_text
from mlpl_tui.wording import plural, shown_time


def effort_where(entry: EffortEntry) -> str:
    """`data/cleaning` for a module, `data` for a whole stage."""
    if entry.module:
        return f"{entry.stage}/{entry.module.split('.', 1)[-1]}"
    return entry.stage


def effort_row(entry: EffortEntry) -> str:
    """`2026-03-02  1h30m  data/cleaning          ana        Fixed duplicated ids`.

    Plain stored text: the list cleans and cuts each row (RecordList.set_rows).
    """
    where = effort_where(entry)
    line = f"{entry.on}  {format_minutes(entry.minutes):>6}  {where[:22]:<22} {entry.by[:10]:<10}"
    if entry.experiment:
        line += " [experiment]"
    return f"{line} {entry.note}".rstrip()


def effort_text(project: Project, entry: EffortEntry) -> Text:
    """The entry in full; every stored field goes through `clip` (cleaned, bounded)."""
    text = Text()
    text.append(f"{format_minutes(entry.minutes)} on {entry.module or entry.stage}", style="bold")
    text.append(clip(f"  ({entry.id})"))
    lines = [
        f"Day:        {entry.on} (iteration {entry.iteration})",
        f"Logged by:  {entry.by or '?'}, {shown_time(entry.at)}",
    ]
    if entry.updated_at:
        lines.append(f"Corrected:  by {entry.updated_by or '?'}, {shown_time(entry.updated_at)}")
    if entry.experiment:
        experiment = project.experiment(entry.experiment)
        title = experiment.title if experiment else "(not in this file)"
        lines.append(f"Experiment: {entry.experiment} {title}")
    for line in lines:
        text.append("\n" + clip(line))
    text.append("\n\nNote\n", style="bold underline")
    text.append(clip(entry.note, multiline=True) if entry.note else "(none)")
    return text


class EffortScreen(RecordScreen):
    """The effort log: list above, the highlighted entry below."""

    CSS_PATH = "effort.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "app.log_time", "Log time", id="effort-new", tooltip="Log time spent"),
        Binding(
            "E",
            "edit",
            "Edit",
            id="effort-edit",
            tooltip="Correct the highlighted entry: duration, day, stage or module, note",
        ),
        Binding(
            "x,delete",
            "remove",
            "Remove",
            id="effort-remove",
            tooltip="Remove the highlighted entry (asks first; u undoes)",
        ),
    ]
    LIST_ID = "efforts"
    LABEL = "Effort entries"
    NOUN = "entry"

    @property
    def highlighted(self) -> EffortEntry | None:
        record_id = self.record_id
        if record_id is None:
            return None
        return self.host.project.effort_entry(record_id)

    def listing(self, project: Project) -> tuple[str, Rows]:
        entries = list(reversed(project.effort))  # newest day first, then newest logged
        total = project.total_minutes
        title = f"Effort: {plural(len(entries), 'entry', 'entries')}"
        title += f", {format_minutes(total)} in all" if total else ""
        title += " · n log time · E edit · x remove"
        return title, [(e.id, effort_row(e)) for e in entries]

    def detail(self, project: Project, record_id: str | None) -> Text:
        entry = project.effort_entry(record_id) if record_id else None
        if entry is None:
            return Text("No time logged yet: n (or t anywhere) logs some.")
        return effort_text(project, entry)

    # --- actions ----------------------------------------------------------------------------

    def _need_highlighted(self) -> EffortEntry | None:
        entry = self.highlighted
        if entry is None:
            self.notify("No effort entry is highlighted; n logs time", title="Not done")
        return entry

    def action_edit(self) -> None:
        from mlpl_tui.screens.modals.effort_edit import EffortEditModal

        entry = self._need_highlighted()
        if entry is not None:
            self.app.push_screen(EffortEditModal(entry.id), self.show_record)

    def action_remove(self) -> None:
        from mlpl_tui.screens.modals.confirm import ConfirmModal

        entry = self._need_highlighted()
        if entry is None:
            return
        ref = entry.id
        question = data_text(
            f"{format_minutes(entry.minutes)} on {entry.module or entry.stage} for {entry.on}, "
            f"logged by {entry.by}: {entry.note or '(no note)'}\n\n"
            "Remove it? The history keeps it, and u undoes the removal.",
            multiline=True,
        )

        def answered(yes: bool | None) -> None:
            if not yes:
                return

            def rule(p: Project, f: Framework, c: Context) -> Change:
                return remove_effort(p, c, ref)

            change = self.host.act(rule)
            if change is not None:
                self.notify(change.summary + " (u undoes)", title="Removed")

        self.app.push_screen(
            ConfirmModal("Remove logged time?", question, yes="Remove", no="Keep"), answered
        )

    def palette_commands(self) -> Iterable[SystemCommand]:
        """This screen's actions for the command palette."""
        yield SystemCommand("effort: Edit the highlighted entry (E)", "", self.action_edit)
        yield SystemCommand("effort: Remove the highlighted entry (x)", "", self.action_remove)
