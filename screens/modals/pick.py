"""A dialog that picks one of a few rows (which location of an artifact to open or detach):
`enter` picks the highlighted row, `escape` picks nothing. It writes nothing itself."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.widgets import OptionList, Static

from mlpl_tui.screens.modals.form import FormModal
from mlpl_tui.widgets.record_list import RecordList
from mlpl_tui.widgets.text import data_text


class PickModal(FormModal[str | None]):
    """Pick one of `rows` (`(value, text)`; the text is stored text, shown cleaned); dismisses
    with the value, or None."""

    DEFAULT_CSS = """
    PickModal #choices {
        height: auto;
        max-height: 10;
        margin-bottom: 1;
    }
    """
    SAVE_LABEL = "Pick"

    def __init__(self, heading: str, about: str, rows: list[tuple[str, str]]) -> None:
        super().__init__()
        self.heading, self.about, self.rows = heading, about, rows

    def form(self) -> ComposeResult:
        yield Static(data_text(self.about), id="where", markup=False)
        yield RecordList(id="choices")

    def hint(self) -> str:
        return "↑↓ pick · enter choose · esc cancel"

    def on_mount(self) -> None:
        self.query_one("#heading", Static).update(Text(self.heading))
        choices = self.query_one("#choices", RecordList)
        choices.set_rows(self.rows)
        choices.focus()

    @on(OptionList.OptionSelected, "#choices")
    def _chosen(self) -> None:
        self.action_save()

    def action_save(self) -> None:
        self.dismiss(self.query_one("#choices", RecordList).record_id)
