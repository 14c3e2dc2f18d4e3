"""A keyboard list of records for the decisions, history, experiments and conflicts screens.

Rows are keyed by record id, so a redraw after a change (or a change on disk) keeps the
highlighted record highlighted. Rows can be marked (the experiments to compare, the runs to
link): a marked row starts with `✓`, written out so it reads without colour; while nothing is
marked the rows carry no mark column at all.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.widgets.option_list import Option

from mlpl_tui.widgets.pointer_list import PointerList, pointed
from mlpl_tui.widgets.text import clip

MARK = "✓ "


class RecordList(PointerList[tuple[str, str]]):
    """One line per `(id, text)` record; `j`/`k` move like the arrows."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "Down", show=False, id="record-down"),
        Binding("k", "cursor_up", "Up", show=False, id="record-up"),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, compact=True)
        self.marked: set[str] = set()  # ids of marked rows (kept while a filter hides them)

    def prompt(self, row: tuple[str, str], highlighted: bool) -> Text:
        line = pointed(highlighted)
        if self.marked:
            line.append(MARK if row[0] in self.marked else " " * len(MARK), style="bold")
        line.append(row[1])
        return line

    def set_marks(self, ids: Iterable[str]) -> None:
        """Mark exactly `ids`; rows whose mark changed are repainted (all of them when the mark
        column comes or goes)."""
        wanted = set(ids)
        if wanted == self.marked:
            return
        column_changed = bool(wanted) != bool(self.marked)
        changed = wanted ^ self.marked
        self.marked = wanted
        for index, row in enumerate(self.rows):
            if column_changed or row[0] in changed:
                self.repaint_row(index)

    def toggle_mark(self, record_id: str) -> bool:
        """Mark or unmark one record; True when it is marked now."""
        marks = set(self.marked)
        marks.symmetric_difference_update({record_id})
        self.set_marks(marks)
        return record_id in marks

    @property
    def record_id(self) -> str | None:
        """The id of the highlighted record, if any."""
        row = self.highlighted_row
        return row[0] if row is not None else None

    @property
    def ids(self) -> list[str]:
        return [id for id, _ in self.rows]

    def set_rows(self, rows: Sequence[tuple[str, str]], keep: str | None = None) -> None:
        """Show `(id, text)` rows; the record highlighted before (or `keep`) stays highlighted.

        Row texts are stored text: each is cleaned and cut to one bounded line here.
        """
        rows = [(id, clip(text)) for id, text in rows]
        if rows == self.rows:
            if keep is not None:
                self.select(keep)
            return
        wanted = keep or self.record_id
        index = self.highlighted or 0
        self.rows = rows
        self.set_options(Option(self.prompt(row, False), id=row[0]) for row in rows)
        if not rows:
            return
        ids = self.ids
        self.highlighted = ids.index(wanted) if wanted in ids else min(index, len(rows) - 1)
        self.repaint_row(self.highlighted)  # also when the index did not change

    def select(self, record_id: str) -> bool:
        """Highlight one record by id; False when it is not listed."""
        ids = self.ids
        if record_id not in ids:
            return False
        self.highlighted = ids.index(record_id)
        return True
