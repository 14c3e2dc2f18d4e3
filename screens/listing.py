"""A keyboard list of records for the decisions, history, experiments and conflicts screens.

Rows are keyed by record id, so a redraw after a change (or a change on disk) keeps the
highlighted record highlighted; a `▶` pointer marks it without relying on colour.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar, Literal

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from mlpl_tui.widgets.text import clip

POINTER = "▶ "


def guard_option_list_paging() -> None:
    """Make `pageup`/`pagedown` harmless in an OptionList that has not been laid out yet.

    Textual 8.2.8's OptionList._move_page looks up the highlighted option's line before the
    list has computed its lines (a list made visible in the same frame, or with no room), and
    raises KeyError: a fast `ctrl+p`, letter, `pagedown` crashed the app in the random-keys
    test, and the same holds for a Select's drop-down. The key does nothing until the lines
    exist. Idempotent; the app calls it once at start-up.
    """
    original = OptionList._move_page
    if getattr(original, "_mlpl_guarded", False):
        return

    def move_page(self: OptionList, direction: Literal[-1, 1]) -> None:
        highlighted = self.highlighted
        if highlighted is not None and highlighted not in self._index_to_line:
            self._update_lines()
            if highlighted not in self._index_to_line:
                return
        original(self, direction)

    move_page._mlpl_guarded = True  # type: ignore[attr-defined]
    OptionList._move_page = move_page  # type: ignore[method-assign]


def _prompt(text: str, highlighted: bool) -> Text:
    line = Text(no_wrap=True, overflow="ellipsis")
    line.append(POINTER if highlighted else "  ", style="bold")
    line.append(text)
    return line


class RecordList(OptionList):
    """One line per record; `j`/`k` move like the arrows."""

    DEFAULT_CSS = """
    RecordList {
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "Down", show=False, id="record-down"),
        Binding("k", "cursor_up", "Up", show=False, id="record-up"),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, compact=True)
        self._rows: list[tuple[str, str]] = []

    @property
    def record_id(self) -> str | None:
        """The id of the highlighted record, if any."""
        index = self.highlighted
        return self._rows[index][0] if index is not None and index < len(self._rows) else None

    @property
    def ids(self) -> list[str]:
        return [id for id, _ in self._rows]

    def set_rows(self, rows: Sequence[tuple[str, str]], keep: str | None = None) -> None:
        """Show `(id, text)` rows; the record highlighted before (or `keep`) stays highlighted.

        Row texts are stored text: each is cleaned and cut to one bounded line here.
        """
        rows = [(id, clip(text)) for id, text in rows]
        if rows == self._rows:
            if keep is not None:
                self.select(keep)
            return
        wanted = keep or self.record_id
        index = self.highlighted or 0
        self._rows = rows
        self.set_options(Option(_prompt(text, False), id=id) for id, text in rows)
        if not rows:
            return
        ids = self.ids
        self.highlighted = ids.index(wanted) if wanted in ids else min(index, len(rows) - 1)
        self._mark(None, self.highlighted)

    def select(self, record_id: str) -> bool:
        """Highlight one record by id; False when it is not listed."""
        ids = self.ids
        if record_id not in ids:
            return False
        self.highlighted = ids.index(record_id)
        return True

    def _mark(self, old: int | None, new: int | None) -> None:
        for index in (old, new):
            if index is not None and index < min(len(self._rows), self.option_count):
                text = self._rows[index][1]
                self.replace_option_prompt_at_index(index, _prompt(text, index == new))

    def _watch_highlighted(self, old: int | None, new: int | None) -> None:
        self._mark(old, new)
