"""The base of every dialog: heading, form rows, an error line, save and cancel.

Each dialog acts through the host app (one lifecycle rule, applied under the store's lock),
shows a refusal in plain words inside itself, and dismisses itself when the change is stored.
`escape` cancels, `ctrl+s` saves, `enter` in a text field saves (or moves to the next field).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar, TypeVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

from mlpl_tui.model import Change
from mlpl_tui.screens.base import Host, ProjectView, Rule, host_of
from mlpl_tui.widgets.text import clip, data_text

ResultT = TypeVar("ResultT")


class FormModal(ModalScreen[ResultT], ProjectView):
    """A dialog with a title, a form, an error line and save/cancel buttons."""

    # Absolute: Textual resolves a relative CSS_PATH beside each subclass's own module.
    CSS_PATH = Path(__file__).with_name("form.tcss")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="modal-cancel", tooltip="Close without saving"),
        Binding("ctrl+s", "save", "Save", id="modal-save", tooltip="Save and close"),
    ]
    HEADING = ""
    SAVE_LABEL = "Save"
    LAST_FIELD: str | None = None  # set: `enter` moves field by field and saves from this one

    @property
    def host(self) -> Host:
        return host_of(self.app)

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(self.HEADING, id="heading", markup=False)
            yield from self.form()
            yield Static("", id="error", markup=False)
            with Horizontal(id="buttons"):
                yield Button(self.SAVE_LABEL, id="save", variant="primary", compact=True)
                yield Button("Cancel", id="cancel", compact=True)
            yield Static(self.hint(), id="hint", markup=False)

    def form(self) -> ComposeResult:
        yield from ()

    def hint(self) -> str:
        if self.LAST_FIELD:
            return f"enter next field · ctrl+s {self.SAVE_LABEL.lower()} · esc cancel"
        return "enter save · tab next · ctrl+s save · esc cancel"

    def field(
        self, label: str, widget: Input | Select[Any], *, row_id: str | None = None
    ) -> Horizontal:
        return Horizontal(Label(label, classes="label"), widget, classes="row", id=row_id)

    def show_error(self, message: str) -> None:
        # Refusals quote stored text (a title, an id): shown cleaned, never as markup.
        self.query_one("#error", Static).update(data_text(f"Not done: {message}", multiline=True))
        self.query_one("#error").add_class("shown")

    def run_rule(self, rule: Rule) -> Change | None:
        """Apply `rule`; on refusal the dialog stays open and says why."""
        change, error = self.host.attempt(rule)
        if error is not None:
            self.show_error(error)
        return change

    def value(self, selector: str) -> str:
        return self.query_one(selector, Input).value

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        if self.LAST_FIELD and event.input.id != self.LAST_FIELD:
            self.focus_next()
        else:
            self.action_save()

    @on(Button.Pressed, "#save")
    def _save_pressed(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_save(self) -> None:
        """Subclasses apply their rule here."""


def selected(select: Select[str]) -> str | None:
    """The value a Select holds, or None while it holds none."""
    value = select.value
    return value if isinstance(value, str) else None


def typed_or_stored(typed: str, stored: str) -> str:
    """A one-line field prefilled with `clip(stored)`: left as shown, the stored text is kept.

    The field shows stored text cleaned and cut (a control as `\\x1b`, a newline as `\\n`);
    saving what was merely shown would rewrite the note, so an untouched field means "as is".
    """
    return stored if typed == clip(stored) else typed
