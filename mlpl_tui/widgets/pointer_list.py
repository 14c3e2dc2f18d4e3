"""A list whose highlighted row starts with `▶`, so the highlight reads without colour.

Rows are one line each (no wrapping), so a moved highlight repaints just the two rows it left
and reached: a keypress costs two lines of output over SSH, not the whole list.

The highlight stops at either end instead of wrapping around (an `up` too many must not land on
the last row), and a single click only highlights a row: a double click or `enter` opens it, as
in a file manager, so a stray click never sets a status or follows a link.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Generic, Protocol, TypeVar

from rich.text import Text
from textual import events
from textual.widgets import OptionList
from textual.widgets.option_list import Option

POINTER = "▶ "
RowT = TypeVar("RowT")


def pointed(highlighted: bool) -> Text:
    """The start of a row: the pointer on the highlighted row, blanks of the same width else."""
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(POINTER if highlighted else " " * len(POINTER), style="bold")
    return text


class PointerList(OptionList, Generic[RowT]):
    """One row per item of `rows`; subclasses say how a row reads in `prompt`."""

    DEFAULT_CSS = """
    PointerList {
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    """

    def __init__(self, *, id: str | None = None, compact: bool = False) -> None:
        super().__init__(id=id, compact=compact)
        self.rows: Sequence[RowT] = []

    def prompt(self, row: RowT, highlighted: bool) -> Text:
        """The row's text, starting with `pointed(highlighted)`."""
        raise NotImplementedError

    @property
    def highlighted_row(self) -> RowT | None:
        index = self.highlighted
        return self.rows[index] if index is not None and index < len(self.rows) else None

    def repaint_row(self, index: int | None) -> None:
        """Redraw one row's text and repaint that line only.

        OptionList.replace_option_prompt_at_index repaints the whole list; rows here are always
        one line, so the line layout stays valid and one line is enough.
        """
        if index is None or index >= min(len(self.rows), self.option_count):
            return
        prompt = self.prompt(self.rows[index], index == self.highlighted)
        self.get_option_at_index(index)._set_prompt(prompt)
        self._option_render_cache.clear()
        self.refresh_line(index)

    def _watch_highlighted(self, old: int | None, new: int | None) -> None:
        self.repaint_row(old)
        self.repaint_row(new)

    def _step(self, direction: int) -> None:
        """Move the highlight one row, stopping at the first and the last row."""
        count = self.option_count
        if not count:
            return
        index = self.highlighted
        if index is None:
            self.highlighted = 0 if direction > 0 else count - 1
        else:
            self.highlighted = max(0, min(count - 1, index + direction))

    def action_cursor_down(self) -> None:
        self._step(1)

    def action_cursor_up(self) -> None:
        self._step(-1)

    async def _on_click(self, event: events.Click) -> None:
        """One click highlights the row under the pointer; a double click also opens it."""
        event.prevent_default()  # OptionList's own handler would open it on the first click
        clicked = event.style.meta.get("option")
        if not isinstance(clicked, int) or not 0 <= clicked < self.option_count:
            return
        if self.get_option_at_index(clicked).disabled:
            return
        self.highlighted = clicked
        if event.chain >= 2:
            self.action_select()


class KeyedRow(Protocol):
    """A row that names what it shows: rows with the same id are the same item."""

    @property
    def id(self) -> str: ...


KeyedT = TypeVar("KeyedT", bound=KeyedRow)


class KeyedList(PointerList[KeyedT]):
    """A PointerList of rows with ids: shown again with only the changed rows redrawn, the
    highlighted item kept highlighted while it is listed, and selectable by id."""

    @property
    def highlighted_id(self) -> str | None:
        row = self.highlighted_row
        return row.id if row is not None else None

    def show_rows(self, rows: Sequence[KeyedT]) -> None:
        """Show `rows`: a different list of ids is set anew (the highlight follows its item, or
        stays at its place); the same ids repaint only the rows that changed."""
        rows = list(rows)
        if [r.id for r in rows] != [r.id for r in self.rows]:
            wanted, keep = self.highlighted_id, self.highlighted or 0
            self.rows = rows
            self.set_options(Option(self.prompt(r, False), id=r.id) for r in rows)
            if rows:
                ids = [r.id for r in rows]
                self.highlighted = ids.index(wanted) if wanted in ids else min(keep, len(rows) - 1)
            return
        old_rows, self.rows = self.rows, rows
        for index, (old, new) in enumerate(zip(old_rows, rows, strict=True)):
            if old != new:
                self.repaint_row(index)

    def select(self, row_id: str) -> bool:
        """Highlight the row with `row_id`; False when it is not listed."""
        ids = [r.id for r in self.rows]
        if row_id not in ids:
            return False
        self.highlighted = ids.index(row_id)
        return True
