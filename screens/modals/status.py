"""The status dialog (`s`, `enter` on a module): any status for one module; a skip asks why.

The list stops at its ends (`up` on `todo` stays there: a wrap-around once turned a done module
back to todo), points at the highlighted status with `▶`, and opens on the current status; one
click highlights a status, a double click or `enter` sets it.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from mlpl_tui import lifecycle
from mlpl_tui.framework import Framework
from mlpl_tui.lifecycle import Context
from mlpl_tui.model import MODULE_STATUSES, Change, Project
from mlpl_tui.progress import module_status
from mlpl_tui.screens.modals.form import FormModal
from mlpl_tui.widgets.pointer_list import PointerList, pointed
from mlpl_tui.widgets.text import data_text
from mlpl_tui.wording import status_mark

STATUS_HELP = {
    "todo": "not started",
    "doing": "in progress",
    "done": "finished",
    "skipped": "not needed here (needs a reason)",
    "revisit": "needs another look after a loop back",
}


class StatusList(PointerList[str]):
    """The five statuses, one per row, in words and a mark; `j`/`k` move like the arrows."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "Down", show=False, id="status-down"),
        Binding("k", "cursor_up", "Up", show=False, id="status-up"),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, compact=True)
        self.rows = list(MODULE_STATUSES)
        # Text, not a string: a string prompt is markup, and "[x]" would vanish.
        self.add_options([Option(self.prompt(s, False), id=s) for s in MODULE_STATUSES])

    def prompt(self, row: str, highlighted: bool) -> Text:
        text = pointed(highlighted)
        text.append(f"{status_mark(row)} {row:<8} {STATUS_HELP[row]}")
        return text


class StatusModal(FormModal[None]):
    """Pick any status for one module; dismisses with None."""

    HEADING = "Set status"
    SAVE_LABEL = "Set"

    def __init__(self, module_id: str) -> None:
        super().__init__()
        self.module_id = module_id
        self.note = ""  # the module's stored note, read when the form is built

    def form(self) -> ComposeResult:
        project = self.host.project
        module = self.host.framework.module(self.module_id)
        current = module_status(project, module.id)
        where = data_text(f"{module.id}  {module.title} (now {current})")
        yield Static(where, id="where", markup=False)
        yield StatusList(id="statuses")
        yield self.field(
            "Reason",
            Input(
                "",  # a reason of its own: the module's note is never touched by a skip
                id="reason",
                placeholder="why skip it (required)",
                compact=True,
            ),
            row_id="reason-row",
        )

    def hint(self) -> str:
        return "↑↓ pick · enter set · esc cancel"

    def on_mount(self) -> None:
        options = self.query_one("#statuses", StatusList)
        options.highlighted = MODULE_STATUSES.index(
            module_status(self.host.project, self.module_id)
        )
        options.focus()
        self.query_one("#reason-row").display = False

    def _picked(self) -> str:
        options = self.query_one("#statuses", StatusList)
        index = options.highlighted
        return MODULE_STATUSES[index] if index is not None else "todo"

    def _ask_reason(self) -> None:
        self.query_one("#reason-row").display = True
        self.query_one("#reason", Input).focus()

    @on(OptionList.OptionSelected, "#statuses")
    def _selected_status(self) -> None:
        if self._picked() == "skipped":
            self._ask_reason()
            return
        self.action_save()

    def action_save(self) -> None:
        status = self._picked()
        reason = self.value("#reason") if status == "skipped" else None
        if status == "skipped" and not (reason or "").strip():
            self._ask_reason()
            self.show_error("skipping a module needs a reason")
            return
        module_id = self.module_id

        def rule(p: Project, f: Framework, c: Context) -> Change:
            return lifecycle.set_status(p, f, c, module_id, status, reason=reason)

        if self.run_rule(rule) is not None:
            self.dismiss(None)
