"""The module checklist of one stage: status in words and symbols, never colour alone.

It can be filtered (`set_filter`): a module stays listed when every word appears in its id,
title, note or skip reason (`ModuleRow.text`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.message import Message

from mlpl_tui.widgets.filter_field import holds_every
from mlpl_tui.widgets.pointer_list import KeyedList, pointed
from mlpl_tui.widgets.text import clip
from mlpl_tui.wording import status_mark


@dataclass(frozen=True)
class ModuleRow:
    """What one row shows: the module, its status, and whether the gate needs it."""

    id: str
    title: str
    status: str
    required: bool
    # What else a filter looks in (the note, the skip reason): not shown, so a change to it
    # alone does not repaint the row.
    text: str = field(default="", compare=False)

    def holds(self, words: Sequence[str]) -> bool:
        """Whether every (lower-cased) word appears in the id, title, note or reason."""
        return holds_every(f"{self.id}\n{self.title}\n{self.text}".lower(), words)


def row_text(row: ModuleRow, highlighted: bool = False) -> Text:
    """`▶ [x] done    Title`: the pointer shows the highlight without relying on colour."""
    text = pointed(highlighted)
    text.append(
        f"{status_mark(row.status)} ", style="bold" if row.status in ("done", "revisit") else ""
    )
    text.append(f"{row.status:<8}", style="italic" if row.status == "revisit" else "")
    text.append(clip(row.title) + ("" if row.required else " (opt.)"))  # title from mlpl.yaml
    return text


class ModuleList(KeyedList[ModuleRow]):
    """Rows of modules; `space` asks to toggle done, `enter` asks for the status picker."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "Down", show=False, id="module-down"),
        Binding("k", "cursor_up", "Up", show=False, id="module-up"),
        Binding(
            "space",
            "toggle_done",
            "Done/not",
            id="toggle-done",
            key_display="space",
            tooltip="Toggle the highlighted module done / todo",
        ),
    ]

    @dataclass
    class Toggled(Message):
        """The user asked to toggle this module done / not done."""

        module_id: str

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.all_rows: list[ModuleRow] = []  # every module of the stage, filtered or not
        self.words: list[str] = []  # the filter's words (lower-cased); none: all are listed

    def prompt(self, row: ModuleRow, highlighted: bool) -> Text:
        return row_text(row, highlighted)

    @property
    def module_id(self) -> str | None:
        return self.highlighted_id

    def set_rows(self, rows: Sequence[ModuleRow]) -> None:
        """Show those of `rows` the filter keeps; only rows that changed are redrawn, and the
        highlighted module stays highlighted while it is listed."""
        self.all_rows = list(rows)
        self._show()

    def set_filter(self, words: Sequence[str]) -> None:
        """List only the modules holding every one of `words` (lower-cased); none: all."""
        if list(words) != self.words:
            self.words = list(words)
            self._show()

    def _show(self) -> None:
        self.show_rows(
            [r for r in self.all_rows if r.holds(self.words)] if self.words else self.all_rows
        )

    def action_toggle_done(self) -> None:
        module_id = self.module_id
        if module_id is not None:
            self.post_message(self.Toggled(module_id))
