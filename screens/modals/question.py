"""The exploration-question dialogs (`x` on the dashboard): first which question, each shown
with its current answer and note, then the answer itself: yes, no, partly or unknown, a note."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Input, OptionList, Select, Static
from textual.widgets.option_list import Option

from mlpl_tui import lifecycle
from mlpl_tui.framework import Framework
from mlpl_tui.lifecycle import Context
from mlpl_tui.model import ANSWERS, Answer, Change, Project
from mlpl_tui.screens.dashboard import note_line
from mlpl_tui.screens.modals.edit_conflict import (
    KEEP_THEIRS,
    Resolution,
    ask_about_conflict,
    attempt_edit,
)
from mlpl_tui.screens.modals.form import FormModal, selected, typed_or_stored
from mlpl_tui.widgets.pointer_list import PointerList, pointed
from mlpl_tui.widgets.text import clip, data_text


def answer_of(answers: dict[int, Answer], number: int) -> str:
    """A question's current answer in words; `unknown` when it has none."""
    return answers[number].answer if number in answers else "unknown"


class QuestionList(PointerList[int]):
    """The exploration questions by number, each with its answer; `j`/`k` move like arrows."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "Down", show=False, id="question-down"),
        Binding("k", "cursor_up", "Up", show=False, id="question-up"),
    ]

    def __init__(self, rows: dict[int, str], *, id: str | None = None) -> None:
        super().__init__(id=id, compact=True)
        self.texts = rows  # number -> "1 yes      Is there a business case?"
        self.rows = list(rows)
        self.add_options([Option(self.prompt(n, False), id=str(n)) for n in self.rows])

    def prompt(self, row: int, highlighted: bool) -> Text:
        text = pointed(highlighted)
        text.append_text(data_text(self.texts[row]))  # the question's text is from mlpl.yaml
        return text


class QuestionPicker(FormModal[int]):
    """Which question to answer: the five with their answers, the highlighted one's note below;
    `enter` (or its number) opens the answer dialog. Dismisses with the number, or None."""

    HEADING = "Answer which exploration question?"
    SAVE_LABEL = "Answer"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(str(n), f"pick({n})", show=False, id=f"question-{n}") for n in range(1, 10)
    ]

    def form(self) -> ComposeResult:
        answers = self.host.project.answers
        rows = {
            q.number: f"{q.number} {answer_of(answers, q.number):<7}  {q.text}"
            for q in self.host.framework.exploration_questions
        }
        yield QuestionList(rows, id="questions")
        yield Static("", id="detail", markup=False)

    def hint(self) -> str:
        return "↑↓ or 1-5 pick · enter answer · esc cancel"

    def on_mount(self) -> None:
        questions = self.query_one("#questions", QuestionList)
        answers = self.host.project.answers
        # Start on the first question still open, as `x` used to assume.
        open_ones = [i for i, n in enumerate(questions.rows) if answer_of(answers, n) == "unknown"]
        questions.highlighted = open_ones[0] if open_ones else 0
        questions.focus()

    @on(OptionList.OptionHighlighted, "#questions")
    def _show_detail(self) -> None:
        number = self.query_one("#questions", QuestionList).highlighted_row
        answer = self.host.project.answers.get(number) if number is not None else None
        detail = Text()
        if answer is not None and answer.note.strip():
            detail.append("Note: ", style="bold")
            detail.append_text(data_text(note_line(answer.note, 400)))
        else:
            detail.append("No note yet.")
        self.query_one("#detail", Static).update(detail)

    @on(OptionList.OptionSelected, "#questions")
    def _selected(self) -> None:
        self.action_save()

    def action_pick(self, number: int) -> None:
        if number in self.query_one("#questions", QuestionList).rows:
            self.dismiss(number)

    def action_save(self) -> None:
        number = self.query_one("#questions", QuestionList).highlighted_row
        if number is not None:
            self.dismiss(number)


class QuestionModal(FormModal[None]):
    """Answer one of the five exploration questions (`number` shown first); dismisses None."""

    HEADING = "Answer an exploration question"

    def __init__(self, number: int = 1) -> None:
        super().__init__()
        self.number = number
        self.note = ""  # the shown question's stored note

    def form(self) -> ComposeResult:
        questions = self.host.framework.exploration_questions
        yield self.field(
            "Question",
            Select(
                [(data_text(f"{q.number} {q.text}"), str(q.number)) for q in questions],
                id="question",
                value=str(self.number),
                allow_blank=False,
                compact=True,
            ),
        )
        yield self.field(
            "Answer",
            Select([(Text(a), a) for a in ANSWERS], id="answer", allow_blank=False, compact=True),
        )
        yield self.field(
            "Note", Input(id="note", placeholder="evidence or explanation", compact=True)
        )

    def on_mount(self) -> None:
        self._load(str(self.number))
        self.query_one("#answer", Select).focus()

    def _load(self, number: str) -> None:
        current = self.host.project.answers.get(int(number))
        self.query_one("#answer", Select).value = current.answer if current else "unknown"
        self.note = current.note if current else ""
        self.query_one("#note", Input).value = clip(self.note)

    @on(Select.Changed, "#question")
    def _question_changed(self, event: Select.Changed) -> None:
        if isinstance(event.value, str):
            self._load(event.value)

    def action_save(self) -> None:
        typed = self.value("#note")
        # A note left as shown is not written: another writer's change to it stays.
        note = None if typed_or_stored(typed, self.note) == self.note else typed
        self._save(note, self.note)

    def _save(self, note: str | None, note_from: str) -> None:
        """Save the answer, and `note` (None: leave it) over `note_from`, the note shown; a
        note changed meanwhile by someone else opens both versions to choose from."""
        number = selected(self.query_one("#question", Select)) or "1"
        answer = selected(self.query_one("#answer", Select)) or "unknown"

        def rule(p: Project, f: Framework, c: Context) -> Change:
            return lifecycle.answer_question(p, f, c, number, answer, note, note_from=note_from)

        attempt = attempt_edit(self.host, rule)
        conflict = attempt.conflict
        if conflict is not None:

            def resolved(resolution: Resolution | None) -> None:
                if resolution is None:  # back to the dialog, now over the stored note
                    self.note = str(conflict.stored)
                elif resolution.keep == KEEP_THEIRS:
                    self._save(None, str(resolution.stored))
                else:
                    self._save(str(resolution.value), str(resolution.stored))

            ask_about_conflict(self.app, conflict, resolved, label="note", project=attempt.project)
        elif attempt.error is not None:
            self.show_error(attempt.error)
        else:
            self.dismiss(None)
