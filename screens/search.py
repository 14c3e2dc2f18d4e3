"""Search (command palette: "Search…"): words in every note, reason, decision, experiment and
the whole history, as you type; `enter` on a hit opens its screen with the record highlighted.

Keys: type words (every one must appear, any case); `enter` or `↓` moves to the hits, `enter` on
a hit opens it (a decision on the decisions screen, a module on its stage, an event or a loop
back in the history, ...), `/` goes back to the words (selected: typing replaces them),
`escape` back to where you were.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.timer import Timer
from textual.widgets import Input, OptionList, Static

from mlpl_tui.errors import MlplError
from mlpl_tui.model import Project
from mlpl_tui.screens.base import Host, ProjectView, host_of
from mlpl_tui.search import Hit, Hits, Target, search, search_words
from mlpl_tui.widgets.bars import KeyBar, TitleBar
from mlpl_tui.widgets.record_list import RecordList
from mlpl_tui.widgets.text import clip, data_text
from mlpl_tui.wording import plural, shown_date, shown_time

if TYPE_CHECKING:
    from mlpl_tui.screens.history import HistoryScreen

TYPING_PAUSE = 0.15  # seconds without a key before a big project is searched again
BIG_HISTORY = 2000  # events from which searching waits for a pause in the typing
ROW_CHROME = 17  # a row's pointer, tag and the list's border: the rest is the snippet's
MIN_SNIPPET = 30
HINT = (
    "Type words to find them in every note, skip reason, decision, experiment, answer, "
    "loop-back reason and effort note, and in the whole history (values since replaced too)."
)
# What a hit's screen is called, for "enter opens …".
SCREEN_NAMES = {
    "dashboard": "the dashboard",
    "decisions": "the decisions",
    "experiments": "the experiment log",
    "effort": "the effort entries",
    "history": "the journey and history",
}


def hit_key(hit: Hit) -> str:
    """A hit's row key: each record and each event gives at most one hit."""
    return f"{hit.kind}:{hit.id}"


def hit_row(hit: Hit) -> str:
    """`decision   …the words in context…`; a history event's day instead of the kind.

    The field, who and when are in the pane below. Plain stored text: the list cleans and cuts
    each row (RecordList.set_rows).
    """
    tag = shown_date(hit.at) if hit.in_history else hit.kind
    return f"{tag:<10} {hit.snippet}"


def screen_name(target: Target) -> str:
    if target.mode.startswith("stage-"):
        return f"the {target.mode.removeprefix('stage-')} stage"
    return SCREEN_NAMES.get(target.mode, target.mode)


def hit_text(hit: Hit) -> Text:
    """The highlighted hit: what and where, who and when (history), the words in context."""
    text = data_text(hit.title, style="bold")
    what = "history event" if hit.in_history else hit.kind
    line = f"{what} {hit.id}"
    if hit.in_history:
        line += f" · {shown_time(hit.at)} by {hit.by or '?'}"
    text.append("\n" + clip(line))
    field = f"{hit.field} (a value this change replaced)" if hit.old else hit.field
    text.append("\n" + clip(f"{field}: {hit.snippet}"))
    text.append(f"\nenter opens {screen_name(hit.target)}", style="italic")
    return text


def summary_line(hits: Hits) -> str:
    words = "“" + " ".join(hits.words) + "”"
    if not hits.total:
        return f"No match for {words}: every word must appear (any case, parts of words too)."
    in_history = sum(1 for h in hits if h.in_history)
    line = f"{plural(hits.total, 'match', 'matches')} for {words}"
    if hits.complete:
        line += f": {plural(len(hits) - in_history, 'record')}, {in_history} in the history"
    else:
        line += f"; the first {len(hits)} listed: add words to narrow"
    return line


class SearchScreen(ModalScreen[None], ProjectView):
    """Words in, hits out; over the screen it was opened from, which `escape` returns to.

    A modal screen: the app's one-letter keys stay off while words are typed, and the screen
    underneath is where `escape` goes back to. It redraws with every new snapshot.
    """

    CSS_PATH = "search.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "escape",
            "back",
            "Back",
            id="search-back",
            key_display="esc",
            tooltip="Back to the screen the search was opened from",
        ),
        Binding(
            "down",
            "to_hits",
            "Hits",
            show=False,
            id="search-hits",
            tooltip="From the words to the hits",
        ),
        Binding(
            "slash",
            "to_words",
            "Words",
            key_display="/",
            id="search-words",
            tooltip="Back to the words, to change them",
        ),
    ]

    def __init__(self, words: str = "") -> None:
        super().__init__(name="search")
        self._words = words
        self._hits: Hits | None = None
        self._shown: tuple[Project, tuple[str, ...]] | None = None
        self._typing: Timer | None = None

    @property
    def host(self) -> Host:
        return host_of(self.app)

    def compose(self) -> ComposeResult:
        yield TitleBar()
        yield Input(
            self._words,
            id="words",
            placeholder="search: words to find, every one must appear",
        )
        yield Static("", id="summary", markup=False)
        yield RecordList(id="hits")
        with VerticalScroll(id="hit-pane"):
            yield Static("", id="hit", markup=False)
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#words", Input).focus()
        self.redraw()

    def on_screen_resume(self) -> None:
        self.redraw()  # back from a dialog or the problem screen: the file may have changed

    # --- what is shown --------------------------------------------------------------------------

    def redraw(self) -> None:
        try:
            self.show(self.host.project)
        except MlplError as exc:  # a record the snapshot cannot read
            self.host.show_problem(str(exc))

    def show(self, project: Project) -> None:
        words = tuple(search_words(self.query_one("#words", Input).value))
        if self._shown == (project, words):
            return  # snapshots are immutable: the same words find the same hits
        self._shown = (project, words)
        self.query_one(TitleBar).set_title(project.meta.name)
        width = max(MIN_SNIPPET, self.size.width - ROW_CHROME)
        hits = search(project, self.host.framework, words, width=width) if words else None
        self._hits = hits
        listing = self.query_one("#hits", RecordList)
        listing.set_rows([(hit_key(h), hit_row(h)) for h in hits or []])
        summary = summary_line(hits) if hits is not None else HINT
        self.query_one("#summary", Static).update(data_text(summary))
        self._show_hit()

    @property
    def highlighted(self) -> Hit | None:
        key = self.query_one("#hits", RecordList).record_id
        return next((h for h in self._hits or [] if hit_key(h) == key), None)

    def _show_hit(self) -> None:
        hit = self.highlighted
        text = hit_text(hit) if hit is not None else Text("")
        self.query_one("#hit", Static).update(text)

    @on(OptionList.OptionHighlighted, "#hits")
    def _moved(self) -> None:
        self._show_hit()

    @on(Input.Changed, "#words")
    def _typed(self) -> None:
        if self._typing is not None:
            self._typing.stop()
        if self.host.project.count("events") < BIG_HISTORY:
            self.redraw()
        else:
            self._typing = self.set_timer(TYPING_PAUSE, self.redraw)

    @on(Input.Submitted, "#words")
    def _submitted(self) -> None:
        self.redraw()
        self.action_to_hits()

    @on(OptionList.OptionSelected, "#hits")
    def _selected(self) -> None:
        hit = self.highlighted
        if hit is not None:
            self.open(hit.target)

    # --- actions ----------------------------------------------------------------------------

    def action_back(self) -> None:
        self.dismiss()

    def action_to_hits(self) -> None:
        listing = self.query_one("#hits", RecordList)
        if listing.option_count:
            listing.focus()

    def action_to_words(self) -> None:
        self.query_one("#words", Input).focus()

    def open(self, target: Target) -> None:
        """Leave the search and show `target` on its screen."""
        app = self.app
        self.dismiss()
        app.call_later(open_target, app, target)

    def palette_commands(self) -> Iterable[SystemCommand]:
        """This screen's actions for the command palette."""
        yield SystemCommand("search: Back (escape)", "Leave the search", self.action_back)
        yield SystemCommand("search: Change the words (/)", "", self.action_to_words)


async def open_target(app: App[Any], target: Target) -> None:
    """Show `target`'s screen through the app's own `show` action (so `escape` there leads back
    as from any screen), then highlight the record once that screen has drawn."""
    try:
        await app.run_action(f"show({target.mode!r})")
    except Exception as exc:  # an unknown mode: a target this app has no screen for
        app.notify(f"cannot open {target.mode}: {exc}", title="Not opened", severity="warning")
        return
    screen = app.screen
    if target.id is not None:
        # After the screen's own start-up, redraw and first focus, so the rows are there and
        # the list highlighted keeps the focus.
        screen.call_after_refresh(point_at, screen, target)


def point_at(screen: Screen[Any], target: Target) -> None:
    """Highlight `target`'s record on `screen`, when that screen lists it."""
    from mlpl_tui.screens.history import HistoryScreen
    from mlpl_tui.screens.record_screen import RecordScreen
    from mlpl_tui.widgets.artifact_list import ArtifactList

    kind, record_id = target.kind, target.id
    if record_id is None:
        return
    if kind == "module" and isinstance(screen, ProjectView):
        screen.point_at(record_id)
    elif kind == "artifact" and screen.query(ArtifactList):
        listing = screen.query_one(ArtifactList)
        if listing.select(record_id):
            listing.focus()
    elif isinstance(screen, RecordScreen):
        screen.show_record(record_id)
        screen.query_one(RecordList).focus()
    elif isinstance(screen, HistoryScreen) and kind in ("event", "visit"):
        # The history screen gives its events list the focus when it mounts, and its pane shows
        # the list that took the focus last. So point only once the app has given that focus
        # (the app's queue) and the list has taken it (the list's queue): then the pane shows
        # the record pointed at.
        events = screen.query_one("#events", RecordList)
        screen.app.call_later(events.call_later, _point_in_history, screen, kind, record_id)


def _point_in_history(screen: HistoryScreen, kind: str, record_id: str) -> None:
    listing = screen.query_one("#events" if kind == "event" else "#visits", RecordList)
    listing.focus()
    filtered = screen.query_one("#filter", Input).value or screen.action_filter
    if not listing.select(record_id) and kind == "event" and filtered:
        # A filter hides it: clear the filter (as escape from the list does), then point.
        screen.action_leave_filter()
        listing.select(record_id)
