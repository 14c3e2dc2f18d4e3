"""The module checklist of one stage: status in words and symbols, never colour alone."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets.option_list import Option

from mlpl_tui.widgets.pointer_list import PointerList, pointed
from mlpl_tui.widgets.text import clip
from mlpl_tui.wording import status_mark


@dataclass(frozen=True)
class ModuleRow:
    """What one row shows: the module, its status, and whether the gate needs it."""

    id: str
    title: str
    status: str
    required: bool


def row_text(row: ModuleRow, highlighted: bool = False) -> Text:
    """`▶ [x] done    Title`: the pointer shows the highlight without relying on colour."""
    text = pointed(highlighted)
    text.append(
        f"{status_mark(row.status)} ", style="bold" if row.status in ("done", "revisit") else ""
    )
    text.append(f"{row.status:<8}", style="italic" if row.status == "revisit" else "")
    text.append(clip(row.title) + ("" if row.required else " (opt.)"))  # title from mlpl.yaml
    return text


class ModuleList(PointerList[ModuleRow]):
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

    def prompt(self, row: ModuleRow, highlighted: bool) -> Text:
        return row_text(row, highlighted)

    @property
    def module_id(self) -> str | None:
        row = self.highlighted_row
        return row.id if row is not None else None

    def set_rows(self, rows: Sequence[ModuleRow]) -> None:
        """Show `rows`; only rows that changed are redrawn, and the highlight stays put."""
        rows = list(rows)
        if [r.id for r in rows] != [r.id for r in self.rows]:
            keep = self.highlighted or 0
            self.rows = rows
            self.set_options(Option(row_text(r), id=r.id) for r in rows)
            if rows:
                self.highlighted = min(keep, len(rows) - 1)
            return
        old_rows, self.rows = self.rows, rows
        for index, (old, new) in enumerate(zip(old_rows, rows, strict=True)):
            if old != new:
                self.repaint_row(index)

    def action_toggle_done(self) -> None:
        module_id = self.module_id
        if module_id is not None:
            self.post_message(self.Toggled(module_id))
