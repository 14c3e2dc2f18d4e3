"""The base of every dialog: heading, form rows, an error line, save and cancel.

Each dialog acts through the host app (one lifecycle rule, applied under the store's lock),
shows a refusal in plain words inside itself, and dismisses itself when the change is stored.
`escape` cancels, `ctrl+s` saves, `enter` in a text field saves (or moves to the next field).
`tab` and `shift+tab` move between fields as soon as they arrive (priority bindings), so text
sent in the same burst as a `tab` (a slow SSH link) lands in the next field, not this one.

The row that has focus is marked `▶` and its label bold, so it reads without colour (NO_COLOR
drops the compact fields' focus tint, and with it every other sign of focus); a refusal stays
until the user changes a field, then makes room again.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar, TypeVar

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, Select, Static

from mlpl_tui.framework import Framework
from mlpl_tui.model import Change
from mlpl_tui.screens.base import Host, ProjectView, Rule, host_of
from mlpl_tui.widgets.text import clip, data_text
from mlpl_tui.wording import stage_name

ResultT = TypeVar("ResultT")
FOCUS_MARK = "▶"


class FieldLabel(Label):
    """A form row's label: `▶` and bold while a field of its row has focus."""

    def __init__(self, text: str) -> None:
        super().__init__(f"  {text}", classes="label", markup=False)
        self.text = text

    def mark(self, focused: bool) -> None:
        if focused != self.has_class("-focused"):
            self.update(f"{FOCUS_MARK if focused else ' '} {self.text}")
            self.set_class(focused, "-focused")


class FormModal(ModalScreen[ResultT], ProjectView):
    """A dialog with a title, a form, an error line and save/cancel buttons."""

    # Absolute: Textual resolves a relative CSS_PATH beside each subclass's own module.
    CSS_PATH = Path(__file__).with_name("form.tcss")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="modal-cancel", tooltip="Close without saving"),
        Binding("ctrl+s", "save", "Save", id="modal-save", tooltip="Save and close"),
        # Checked as the key arrives, before the keys after it are handed to the field that
        # has focus: Textual's own `tab` waits its turn behind them in that field.
        Binding(
            "tab",
            "next_field",
            "Next field",
            show=False,
            id="modal-next",
            tooltip="The next field",
            priority=True,
        ),
        Binding(
            "shift+tab",
            "previous_field",
            "Previous field",
            show=False,
            id="modal-previous",
            tooltip="The previous field",
            priority=True,
        ),
    ]
    HEADING = ""
    SAVE_LABEL = "Save"
    LAST_FIELD: str | None = None  # set: `enter` moves field by field and saves from this one

    _error_values: tuple[object, ...] | None = None  # the fields when the refusal was shown

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
        return Horizontal(FieldLabel(label), widget, classes="row", id=row_id)

    def show_error(self, message: str) -> None:
        # Refusals quote stored text (a title, an id): shown cleaned, never as markup.
        self.query_one("#error", Static).update(data_text(f"Not done: {message}", multiline=True))
        self.query_one("#error").add_class("shown")
        self._error_values = self._field_values()

    def clear_error(self) -> None:
        self._error_values = None
        self.query_one("#error").remove_class("shown")

    def _field_values(self) -> tuple[object, ...]:
        """What the user can change: every field's value and every list's highlight."""
        values: list[object] = []
        for widget in self.query("Input, Select, OptionList"):
            if isinstance(widget, Input | Select):
                values.append(widget.value)
            elif isinstance(widget, OptionList) and not isinstance(widget.parent, Select):
                values.append(widget.highlighted)  # a list of its own, not a drop-down's
        return tuple(values)

    @on(Input.Changed)
    @on(Select.Changed)
    @on(OptionList.OptionHighlighted)
    def _field_changed(self) -> None:
        # Compared with the fields as they were: a change message still queued from before
        # the refusal (fast typing over SSH) must not wipe it.
        if self._error_values is not None and self._field_values() != self._error_values:
            self.clear_error()

    @on(events.DescendantFocus)
    @on(events.DescendantBlur)
    def _focus_moved(self) -> None:
        focused = self.focused
        for row in self.query(".row"):
            inside = focused is not None and row in focused.ancestors_with_self
            for label in row.query(FieldLabel):
                label.mark(inside)

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

    def action_next_field(self) -> None:
        self.focus_next()  # at once: Screen.set_focus, not Widget.focus on the next tick

    def action_previous_field(self) -> None:
        self.focus_previous()

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_save(self) -> None:
        """Subclasses apply their rule here."""


def place_options(framework: Framework) -> list[tuple[Text, str]]:
    """Every stage, each followed by its modules indented: what a record can be about."""
    options: list[tuple[Text, str]] = []
    for stage in framework.stages:
        options.append((Text(f"{stage.number} {stage_name(stage.id)}: the whole stage"), stage.id))
        # Module titles come from mlpl.yaml, which a branch may change: Text, not markup.
        options += [(data_text(f"   {m.id}  {m.title}"), m.id) for m in stage.modules]
    return options


def place_value(framework: Framework, stage: str | None, module: str | None, default: str) -> str:
    """The option of `place_options` for a module, else a stage, else `default` (a stage)."""
    modules = {m.id for s in framework.stages for m in s.modules}
    stages = {s.id for s in framework.stages}
    if module in modules:
        return str(module)
    return stage if stage in stages and stage is not None else default


def place_of(framework: Framework, value: str | None) -> tuple[str | None, str | None]:
    """`(stage, module)` for an option of `place_options`: one of them is None."""
    modules = {m.id for s in framework.stages for m in s.modules}
    if value in modules:
        return None, value
    return value or None, None


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
