"""The exploration-question dialog (`x` on the dashboard): yes, no, partly or unknown, a note."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.widgets import Input, Select

from mlpl_tui import lifecycle
from mlpl_tui.framework import Framework
from mlpl_tui.lifecycle import Context
from mlpl_tui.model import ANSWERS, Change, Project
from mlpl_tui.screens.modals.form import FormModal, selected, typed_or_stored
from mlpl_tui.widgets.text import clip, data_text


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
        number = selected(self.query_one("#question", Select)) or "1"
        answer = selected(self.query_one("#answer", Select)) or "unknown"
        note = typed_or_stored(self.value("#note"), self.note)

        def rule(p: Project, f: Framework, c: Context) -> Change:
            return lifecycle.answer_question(p, f, c, number, answer, note)

        if self.run_rule(rule) is not None:
            self.dismiss(None)
