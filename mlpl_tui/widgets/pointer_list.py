"""A list whose highlighted row starts with `▶`, so the highlight reads without colour.

Rows are one line each (no wrapping), so a moved highlight repaints just the two rows it left
and reached: a keypress costs two lines of output over SSH, not the whole list.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Generic, TypeVar

from rich.text import Text
from textual.widgets import OptionList

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
