"""The shape of the record screens (decisions, experiments, conflicts): a title line, a list of
records, and the highlighted record in full below it."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import OptionList, Static

from mlpl_tui.model import Project
from mlpl_tui.screens.base import ProjectScreen
from mlpl_tui.widgets.bars import KeyBar, TitleBar
from mlpl_tui.widgets.record_list import RecordList

Rows = list[tuple[str, str]]


class RecordScreen(ProjectScreen):
    """A list above, a detail pane below; subclasses say what the title, rows and detail read."""

    LIST_ID: ClassVar[str]  # the list's id, and the detail's is the same without the final `s`

    def __init__(self) -> None:
        super().__init__(name=self.LIST_ID)
        self._shown: Project | None = None

    def compose(self) -> ComposeResult:
        yield TitleBar()
        yield Static("", id="title", markup=False)
        yield RecordList(id=self.LIST_ID)
        with VerticalScroll(id="detail"):
            yield Static("", id=self.LIST_ID.removesuffix("s"), markup=False)
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one(RecordList).focus()

    @property
    def record_id(self) -> str | None:
        """The id of the highlighted record, if any."""
        return self.query_one(RecordList).record_id

    def listing(self, project: Project) -> tuple[str, Rows]:
        """The title line and the `(id, text)` rows (text is cleaned and cut by the list)."""
        raise NotImplementedError

    def detail(self, project: Project, record_id: str | None) -> Text:
        """The highlighted record in full, or what to do when there is none."""
        raise NotImplementedError

    def show(self, project: Project, keep: str | None = None) -> None:
        """Draw `project`; `keep` highlights that record (one just made or changed)."""
        if project is self._shown and keep is None:
            return  # snapshots are immutable: the same one draws the same screen
        self._shown = project
        self.query_one(TitleBar).set_title(project.meta.name)
        title, rows = self.listing(project)
        self.query_one("#title", Static).update(Text(title))
        self.query_one(RecordList).set_rows(rows, keep=keep)
        self.show_detail(project)

    def show_detail(self, project: Project) -> None:
        pane = self.query_one(f"#{self.LIST_ID.removesuffix('s')}", Static)
        pane.update(self.detail(project, self.record_id))

    def show_record(self, record_id: str | None) -> None:
        """Redraw with `record_id` highlighted (a dialog's result); None: nothing changed."""
        if record_id is not None:
            self.show(self.host.project, keep=record_id)

    @on(OptionList.OptionHighlighted)
    def _moved(self) -> None:
        self.show_detail(self.host.project)
