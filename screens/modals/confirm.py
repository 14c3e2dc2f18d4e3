"""A small yes/no dialog: `y` (or enter) confirms, `n` (or escape) declines.

Used before a step that is easy to regret: keeping an abandoned experiment after all, removing an
effort entry. It dismisses with True or False, and writes nothing itself.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Static

from mlpl_tui.screens.modals.form import FormModal


class ConfirmModal(FormModal[bool]):
    """Ask one question; dismisses with True (yes) or False (no, escape)."""

    DEFAULT_CSS = """
    ConfirmModal #question {
        height: auto;
        max-height: 12;
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "save", "Yes", id="confirm-yes", tooltip="Yes, go ahead"),
        Binding("n", "cancel", "No", id="confirm-no", tooltip="No, change nothing"),
    ]

    def __init__(self, heading: str, question: Text, *, yes: str = "Yes", no: str = "No") -> None:
        """`question` is shown as given: build it with `data_text` when it quotes stored text."""
        super().__init__()
        self.heading, self.question, self.yes, self.no = heading, question, yes, no

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(self.heading, id="heading", markup=False)
            yield Static(self.question, id="question", markup=False)
            with Horizontal(id="buttons"):
                yield Button(self.yes, id="save", variant="primary", compact=True)
                yield Button(self.no, id="cancel", compact=True)
            yield Static(self.hint(), id="hint", markup=False)

    def hint(self) -> str:
        return "y or enter: yes · n or esc: no"

    def on_mount(self) -> None:
        self.query_one("#save", Button).focus()

    def action_save(self) -> None:
        self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)
