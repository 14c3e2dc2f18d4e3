"""The shape of the record screens (decisions, experiments, conflicts, effort): a title line, a
filter field, a list of records, and the highlighted record in full below it.

Keys, the same on every record screen: `/` types a filter (every word must appear, in any case,
anywhere in the record: its row and every field its detail pane shows), `enter` goes back to
the list; `escape` leaves the filter field, from the list clears an active filter, and with none
goes back to where the screen was opened from. `tab` moves to the detail pane, which `j`/`k`
then scroll.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.timer import Timer
from textual.widgets import Input, OptionList, Static

from mlpl_tui.model import Project
from mlpl_tui.screens.base import ProjectScreen
from mlpl_tui.widgets.bars import KeyBar, TitleBar
from mlpl_tui.widgets.filter_field import FilterField, filter_words, holds_every
from mlpl_tui.widgets.record_list import RecordList
from mlpl_tui.widgets.scroll_pane import ScrollPane
from mlpl_tui.widgets.text import data_text

Rows = list[tuple[str, str]]

NO_MATCH = "No match: escape clears the filter."
TYPING_PAUSE = 0.15  # seconds without a key before a long list is filtered again
LONG_LIST = 2000  # records from which typing waits for that pause


def matching(rows: Rows, haystacks: Mapping[str, str], words: list[str]) -> Rows:
    """The rows whose record text (`haystacks`, lower-cased, by id) holds every word."""
    return [row for row in rows if holds_every(haystacks.get(row[0], ""), words)]


class RecordScreen(ProjectScreen):
    """A list above, a detail pane below; subclasses say what the title, rows and detail read.

    The filter is the base's: a subclass only says what a record's text is (`search_text`,
    by default everything its detail pane shows).
    """

    LIST_ID: ClassVar[str]  # the list's id, and the detail's is the same without the final `s`
    LABEL: ClassVar[str]  # what the list holds, for the filtered title: "Decisions: 2 of 9 ..."
    NOUN: ClassVar[str]  # one record, for the filter's placeholder: "decision"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "slash",
            "focus_filter",
            "Filter",
            key_display="/",
            id="record-filter",
            tooltip="Type words every listed record must contain, anywhere in it",
            # Checked as the key arrives, so keys typed right after it reach the filter.
            priority=True,
        ),
        Binding(
            "enter",
            "done_typing",
            "Filter done",
            show=False,
            id="record-filter-done",
            tooltip="In the filter: back to the list (in the list, enter opens the row)",
            priority=True,  # keys that follow it in one burst go to the list, not the filter
        ),
        Binding(
            "escape",
            "leave_filter",
            "Back",
            id="back",
            key_display="esc",
            tooltip="Leave the filter; in the list, clear it, then go back",
            priority=True,  # as `enter`: out of the field before the keys that follow
        ),
    ]

    def __init__(self) -> None:
        super().__init__(name=self.LIST_ID)
        self._shown: Project | None = None
        self._listing: tuple[str, Rows] = ("", [])  # the title and every row, unfiltered
        self._haystacks: tuple[Project, dict[str, str]] | None = None
        self._typing: Timer | None = None
        self._detail_of: str | None = None  # the record the pane shows, to scroll a new one home

    def compose(self) -> ComposeResult:
        yield TitleBar()
        yield Static("", id="title", markup=False)
        yield FilterField(f"words anywhere in the {self.NOUN}", id="filter")
        yield RecordList(id=self.LIST_ID)
        with ScrollPane(id="detail"):
            yield Static("", id=self.LIST_ID.removesuffix("s"), markup=False)
        yield KeyBar()

    def on_mount(self) -> None:
        pane = self.query_one("#detail", ScrollPane)
        pane.border_title = f"{self.NOUN.capitalize()} · tab, j/k scroll"
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

    def search_text(self, project: Project, record_id: str) -> str:
        """The text the filter looks in besides the row: by default all the detail pane shows.

        A subclass overrides it to leave out key hints (`A accept`) that every record shows.
        """
        return self.detail(project, record_id).plain

    # --- what is shown --------------------------------------------------------------------------

    @property
    def filter_text(self) -> str:
        """The filter as typed ('' when none)."""
        return self.query_one(FilterField).value

    def show(self, project: Project, keep: str | None = None) -> None:
        """Draw `project`; `keep` highlights that record (one just made or changed)."""
        if project is self._shown and keep is None:
            return  # snapshots are immutable: the same one draws the same screen
        self._shown = project
        self.query_one(TitleBar).set_title(project.meta.name)
        self._listing = self.listing(project)
        if keep is not None and self.filtered and not self._matches(project, keep):
            self._clear_filter()  # the record just made or changed must be in view
        self._filter(keep)

    def _haystack(self, project: Project) -> dict[str, str]:
        """Every listed record's text, lower-cased, by id: built once per snapshot, and only
        when a filter is typed."""
        if self._haystacks is None or self._haystacks[0] is not project:
            haystacks = {
                id: f"{row}\n{self.search_text(project, id)}".lower()
                for id, row in self._listing[1]
            }
            self._haystacks = (project, haystacks)
        return self._haystacks[1]

    @property
    def filtered(self) -> bool:
        """Whether a filter is typed (words, not only blanks)."""
        return bool(self.query_one(FilterField).words)

    def _matches(self, project: Project, record_id: str) -> bool:
        hay = self._haystack(project).get(record_id, "")
        return holds_every(hay, self.query_one(FilterField).words)

    def _filter(self, keep: str | None = None) -> None:
        project = self._shown
        if project is None:
            return
        title, rows = self._listing
        text = self.filter_text.strip()
        words = filter_words(text)
        if words:
            shown = matching(rows, self._haystack(project), words)
            title = f"{self.LABEL}: {len(shown)} of {len(rows)} · filtered by '{text}'"
            if not shown:
                title += " · escape clears it"
            rows = shown
        self.query_one("#title", Static).update(data_text(title))  # the typed words too
        self.query_one(RecordList).set_rows(rows, keep=keep)
        self.show_detail(project)

    def show_detail(self, project: Project) -> None:
        record_id = self.record_id
        if record_id is None and self.filtered and self._listing[1]:
            text = Text(NO_MATCH)  # records there are, but the filter hides them all
        else:
            text = self.detail(project, record_id)
        self.query_one(f"#{self.LIST_ID.removesuffix('s')}", Static).update(text)
        if record_id != self._detail_of:  # another record: shown from its first line
            self._detail_of = record_id
            self.query_one("#detail", ScrollPane).scroll_home(animate=False)

    def show_record(self, record_id: str | None) -> None:
        """Redraw with `record_id` highlighted (a dialog's result); None: nothing changed."""
        if record_id is not None:
            self.show(self.host.project, keep=record_id)

    def reveal(self, record_id: str) -> bool:
        """Highlight `record_id`, clearing the filter when it hides that record; False when
        the screen does not list it at all."""
        records = self.query_one(RecordList)
        if records.select(record_id):
            return True
        if record_id not in {id for id, _ in self._listing[1]}:
            return False
        self._clear_filter()
        self._filter(keep=record_id)
        return records.select(record_id)

    @on(OptionList.OptionHighlighted)
    def _moved(self) -> None:
        self.show_detail(self.host.project)

    @on(Input.Changed, "#filter")
    def _typed(self) -> None:
        if len(self._listing[1]) < LONG_LIST:
            self._filter()
            return
        if self._typing is not None:
            self._typing.stop()
        self._typing = self.set_timer(TYPING_PAUSE, self._filter)

    @on(Input.Submitted, "#filter")
    def _done_typing(self) -> None:
        self._filter()
        self.set_focus(self.query_one(RecordList))  # at once: the next keys are the list's

    def action_done_typing(self) -> None:
        """`enter` in the filter: back to the list at once (elsewhere `enter` is the list's)."""
        if self.focused is not self.query_one(FilterField):
            raise SkipAction()
        self._done_typing()

    def _clear_filter(self) -> None:
        if self._typing is not None:
            self._typing.stop()
        # The Changed message this posts filters again: harmless, the same rows are drawn.
        self.query_one(FilterField).value = ""

    # --- actions ----------------------------------------------------------------------------

    def action_focus_filter(self) -> None:
        field = self.query_one(FilterField)
        if self.focused is field:
            # Text in the field. (Textual lets an Input take printable keys before a binding,
            # but it names no character for `slash`, so this binding still sees `/` first.)
            raise SkipAction()
        # At once, not on the next tick: keys already typed after `/` belong to the filter.
        self.set_focus(field)

    def action_leave_filter(self) -> None:
        """`escape`: out of the filter field; in the list, clear the filter; else go back."""
        field = self.query_one(FilterField)
        if self.focused is field:  # set at once by `/`, unlike `has_focus`
            self.set_focus(self.query_one(RecordList))
            return
        if not field.value:  # nothing to clear: leave
            self.host.go_back()
            return
        self._clear_filter()
        self._filter()
