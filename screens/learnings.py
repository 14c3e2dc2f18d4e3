"""The learnings (`W`, "what we learned"): everything the project taught, newest first, with
what taught it (a loop back, an experiment, a decision); kept even when it is not used in the
final model.

Keys: `n` notes a learning (as `L` does anywhere), `E` corrects the highlighted one (its text,
where it is filed), `X` removes it after a yes/no question (the history keeps it, and `u`
undoes), `enter` shows it in full with its sources. `/` filters the list (screens/
record_screen.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import SystemCommand
from textual.binding import Binding, BindingType
from textual.widgets import OptionList

from mlpl_tui.learnings import remove_learning
from mlpl_tui.model import Learning, Project
from mlpl_tui.screens.modals.learning import source_words
from mlpl_tui.screens.record_screen import RecordScreen, Rows
from mlpl_tui.widgets.text import clip, data_text
from mlpl_tui.wording import one_line, plural, shown_date, shown_time


def learning_row(learning: Learning) -> str:
    """`2026-03-02 data/cleaning      Holidays shift demand by a week (1 source)`.

    Plain stored text: the list cleans and cuts each row (RecordList.set_rows).
    """
    where = learning.stage or "-"
    if learning.module:
        where += "/" + learning.module.split(".", 1)[-1]
    sources = f"  ({plural(len(learning.sources), 'source')})" if learning.sources else ""
    text = one_line(learning.text[:2000], 200)  # only the start: a learning can be long
    return f"{shown_date(learning.created_at)} {where[:22]:<22} {text}{sources}"


def learning_text(project: Project, learning: Learning) -> Text:
    """The learning in full: where it is filed, who noted it, its sources, and the text.

    Every stored field goes through `clip` (cleaned, bounded).
    """
    text = Text()
    where = " / ".join(x for x in (learning.stage, learning.module) if x) or "no stage"
    head = f"{learning.id} · {where} · noted by {learning.created_by or '?'}"
    head += f", {shown_time(learning.created_at)}"
    if learning.updated_at and learning.updated_at != learning.created_at:
        head += f" · changed by {learning.updated_by or '?'}, {shown_time(learning.updated_at)}"
    text.append(clip(head), style="bold")
    # What taught it comes before the text, which can be long.
    text.append("\nTaught by: ", style="bold")
    if not learning.sources:
        text.append("nothing in particular")
    for source in learning.sources:
        text.append("\n • " + clip(f"{source}: {source_words(project, source)}"))
    text.append("\n\n")
    text.append(clip(learning.text, multiline=True))
    return text


class LearningsScreen(RecordScreen):
    """The learnings log: list above, the highlighted learning below."""

    CSS_PATH = "learnings.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "app.learn", "New", id="learning-new", tooltip="Note a learning"),
        Binding(
            "E",
            "edit",
            "Edit",
            id="learning-edit",
            tooltip="Correct the highlighted learning: its text, where it is filed",
        ),
        Binding(
            "X",
            "remove",
            "Remove",
            id="learning-remove",
            tooltip="Remove the highlighted learning (asks first; u undoes)",
        ),
    ]
    LIST_ID = "learnings"
    LABEL = "Learnings"
    NOUN = "learning"

    @property
    def highlighted(self) -> Learning | None:
        record_id = self.record_id
        return self.host.project.learning(record_id) if record_id else None

    def listing(self, project: Project) -> tuple[str, Rows]:
        found = list(reversed(project.learnings))  # newest first
        title = f"Learnings: {len(found)} · n new (L anywhere) · E edit · X remove · enter full"
        return title, [(x.id, learning_row(x)) for x in found]

    def detail(self, project: Project, record_id: str | None) -> Text:
        learning = project.learning(record_id) if record_id else None
        if learning is None:
            return Text("No learnings yet: n (or L anywhere) notes what the project taught.")
        return learning_text(project, learning)

    # --- actions ----------------------------------------------------------------------------

    def _need_highlighted(self) -> Learning | None:
        learning = self.highlighted
        if learning is None:
            self.notify("No learning is highlighted; n notes one", title="Not done")
        return learning

    @on(OptionList.OptionSelected, "#learnings")
    def _selected(self) -> None:
        from mlpl_tui.screens.modals.text_view import TextModal

        learning = self._need_highlighted()
        if learning is not None:
            body = learning_text(self.host.project, learning)
            self.app.push_screen(TextModal("A learning", body))

    def action_edit(self) -> None:
        from mlpl_tui.screens.modals.learning import LearningEditModal

        learning = self._need_highlighted()
        if learning is not None:
            self.app.push_screen(LearningEditModal(learning.id), self.show_record)

    def action_remove(self) -> None:
        from mlpl_tui.screens.modals.confirm import ConfirmModal

        learning = self._need_highlighted()
        if learning is None:
            return
        ref = learning.id
        question = data_text(
            f"{one_line(learning.text, 300)}\n\n"
            "Remove this learning? The history keeps it, and u undoes the removal.",
            multiline=True,
        )

        def answered(yes: bool | None) -> None:
            if not yes:
                return
            change = self.host.act(lambda p, f, c: remove_learning(p, c, ref))
            if change is not None:
                self.notify(change.summary + " (u undoes)", title="Removed")

        self.app.push_screen(
            ConfirmModal("Remove a learning?", question, yes="Remove", no="Keep"), answered
        )

    def palette_commands(self) -> Iterable[SystemCommand]:
        """This screen's actions for the command palette."""
        yield SystemCommand("learning: Edit the highlighted one (E)", "", self.action_edit)
        yield SystemCommand("learning: Remove the highlighted one (X)", "", self.action_remove)
