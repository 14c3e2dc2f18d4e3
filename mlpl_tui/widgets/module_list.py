"""The module checklist of one stage: status in words and symbols, never colour alone."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from mlpl_tui.widgets.text import clip

STATUS_MARKS = {"todo": "[ ]", "doing": "[~]", "done": "[x]", "skipped": "[-]", "revisit": "[!]"}


@dataclass(frozen=True)
class ModuleRow:
    """What one row shows: the module, its status, and whether the gate needs it."""

    id: str
    title: str
    status: str
    required: bool


def row_text(row: ModuleRow, highlighted: bool = False) -> Text:
    """`▶ [x] done    Title`: the pointer shows the highlight without relying on colour."""
    mark = STATUS_MARKS.get(row.status, "[?]")
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append("▶ " if highlighted else "  ", style="bold")
    text.append(f"{mark} ", style="bold" if row.status in ("done", "revisit") else "")
    text.append(f"{row.status:<8}", style="italic" if row.status == "revisit" else "")
    text.append(clip(row.title) + ("" if row.required else " (opt.)"))  # title from mlpl.yaml
    return text


class ModuleList(OptionList):
    """Rows of modules; `space` asks to toggle done, `enter` asks for the status picker."""

    DEFAULT_CSS = """
    ModuleList {
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    """

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
        self._rows: list[ModuleRow] = []

    @property
    def module_id(self) -> str | None:
        index = self.highlighted
        return self._rows[index].id if index is not None and index < len(self._rows) else None

    def set_rows(self, rows: Sequence[ModuleRow]) -> None:
        """Show `rows`; only rows that changed are redrawn, and the highlight stays put."""
        rows = list(rows)
        if [r.id for r in rows] != [r.id for r in self._rows]:
            keep = self.highlighted or 0
            self._rows = rows
            self.set_options(Option(row_text(r), id=r.id) for r in rows)
            if rows:
                self.highlighted = min(keep, len(rows) - 1)
            return
        for index, (old, new) in enumerate(zip(self._rows, rows, strict=True)):
            if old != new:
                self._replace_row(index, row_text(new, index == self.highlighted))
        self._rows = rows

    def _replace_row(self, index: int, prompt: Text) -> None:
        """Replace one row's text and repaint that line only.

        OptionList.replace_option_prompt_at_index repaints the whole list; rows here are always
        one line (no wrapping), so the line layout stays valid and one line is enough. That
        keeps a toggle's output small over SSH.
        """
        self.get_option_at_index(index)._set_prompt(prompt)
        self._option_render_cache.clear()
        self.refresh_line(index)

    def action_toggle_done(self) -> None:
        module_id = self.module_id
        if module_id is not None:
            self.post_message(self.Toggled(module_id))

    def _watch_highlighted(self, old: int | None, new: int | None) -> None:
        for index in (old, new):
            if index is not None and index < len(self._rows):
                self._replace_row(index, row_text(self._rows[index], index == new))
