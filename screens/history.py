"""The journey and history (`h`): every visit with its iteration, how it was entered and the
switch behind a loop back; below, every event of the history, newest first, filterable.

Keys: `/` types a filter (every word must appear: text, who, action, ids), `f` and `F` step
forward and back through the actions (all, decision.add, module.set, ...), `escape` leaves the
filter field, from the list clears both filters, and with none set goes back to where the
screen was opened from.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import ClassVar

from rich.text import Text
from textual import events, on
from textual.actions import SkipAction
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.timer import Timer
from textual.widgets import Input, OptionList, Static

from mlpl_tui.history import change_lines, event_words
from mlpl_tui.journey import Step, journey
from mlpl_tui.model import Event, Project
from mlpl_tui.screens.base import ProjectScreen
from mlpl_tui.widgets.bars import KeyBar, TitleBar
from mlpl_tui.widgets.record_list import RecordList
from mlpl_tui.widgets.text import clip, data_text
from mlpl_tui.wording import plural, shown_time

ALL_ACTIONS = "(all actions)"
MAX_SHOWN = 1000  # newest matches listed; a long history is searched, not scrolled
TYPING_PAUSE = 0.15  # seconds without a key before a big history is filtered again
BIG_HISTORY = 2000


def visit_row(step: Step) -> str:
    """`3 it2 data       loop back 2026-03-02 10:00 → now  data: one season only`.

    Plain stored text: the list cleans and cuts each row (RecordList.set_rows).
    """
    visit = step.visit
    how = {"start": "start", "advance": "advance", "forced": "forced", "switch": "loop back"}
    line = (
        f"{step.number:>2} it{visit.iteration:<2} {visit.stage:<10} "
        f"{how.get(visit.how, visit.how):<9} {shown_time(visit.entered_at, 'now')} → "
        f"{shown_time(visit.left_at, 'now')}"  # an open visit has not been left yet
    )
    if step.switch is not None:
        switch = step.switch
        target = switch.to_module or switch.to_stage
        line += f"  from {switch.from_stage} to {target}, {switch.category}: {switch.reason}"
    elif visit.how == "forced":
        line += "  gate unmet (see decisions)"
    if visit.outcome:
        line += f"  {visit.outcome}"
    return line


def event_row(event: Event) -> str:
    return f"{shown_time(event.at)} {event.by[:8]:<8} {event.action:<20} {event.summary}"


def _haystack(event: Event) -> str:
    return " ".join(event_words(event)).lower()


def matching(
    events: Sequence[Event], haystacks: Sequence[str], text: str, action: str | None
) -> list[Event]:
    """Events (newest first) whose action is `action` (any when None) and whose text holds
    every word of `text`."""
    words = text.lower().split()
    found = []
    for event, hay in zip(reversed(events), reversed(haystacks), strict=True):
        if action is not None and event.action != action:
            continue
        if all(word in hay for word in words):
            found.append(event)
    return found


class HistoryScreen(ProjectScreen):
    """The path across the stages and the append-only history of every change."""

    CSS_PATH = "history.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "slash",
            "focus_filter",
            "Filter",
            key_display="/",
            id="history-filter",
            tooltip="Type words every shown event must contain",
            # Checked as the key arrives, so keys typed right after it reach the filter.
            priority=True,
        ),
        Binding(
            "f",
            "next_action",
            "Action",
            id="history-action",
            tooltip="Show one kind of event; again for the next",
        ),
        Binding(
            "F",
            "next_action(-1)",
            "Action back",
            show=False,
            id="history-action-back",
            tooltip="Step back through the kinds of event",
        ),
        Binding(
            "enter",
            "done_typing",
            "Filter done",
            show=False,
            id="history-filter-done",
            tooltip="In the filter: back to the events (elsewhere enter is the list's)",
            priority=True,  # keys that follow it in one burst go to the list, not the filter
        ),
        Binding(
            "escape",
            "leave_filter",
            "Clear/back",
            id="history-clear",
            tooltip="Leave the filter; in the list, clear filters, then go back",
            priority=True,  # as `enter`: out of the field before the keys that follow
        ),
    ]

    def __init__(self) -> None:
        super().__init__(name="history")
        self._shown: Project | None = None
        self._project: Project | None = None
        self._haystacks: list[str] = []
        self._actions: list[str] = []
        self._typing: Timer | None = None
        self.action_filter: str | None = None  # the one kind of event shown, or None for all

    def compose(self) -> ComposeResult:
        yield TitleBar()
        yield Static("", id="journey-title", markup=False)
        yield RecordList(id="visits")
        with Horizontal(id="filters"):
            yield Input(id="filter", placeholder="/ filter: words in the event", compact=True)
            yield Static(f"f: {ALL_ACTIONS}", id="action", markup=False)
        yield Static("", id="events-title", markup=False)
        yield RecordList(id="events")
        with VerticalScroll(id="event-pane"):
            yield Static("", id="event", markup=False)
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#events", RecordList).focus()

    # --- what is shown --------------------------------------------------------------------------

    def show(self, project: Project) -> None:
        if project is self._shown:
            return  # snapshots are immutable: the same one draws the same screen
        self._shown = project
        self.query_one(TitleBar).set_title(project.meta.name)
        steps = journey(project, self.host.framework)
        loops = sum(1 for s in steps if s.is_loop_back)
        last = steps[-1].visit.iteration if steps else 1
        self.query_one("#journey-title", Static).update(
            Text(
                f"Journey: {plural(len(steps), 'visit')}, iteration {last}, "
                f"{plural(loops, 'loop back')}"
            )
        )
        visits = self.query_one("#visits", RecordList)
        visits.set_rows([(s.visit.id, visit_row(s)) for s in reversed(steps)])
        if project is not self._project:
            self._project = project
            self._haystacks = [_haystack(e) for e in project.events]
            self._actions = sorted({e.action for e in project.events})
        self._filter()

    def _filter(self) -> None:
        project = self._project
        if project is None:
            return
        text = self.query_one("#filter", Input).value
        action = self.action_filter
        self.query_one("#action", Static).update(data_text(f"f: {action or ALL_ACTIONS}"))
        found = matching(project.events, self._haystacks, text, action)
        shown = found[:MAX_SHOWN]
        events = self.query_one("#events", RecordList)
        events.set_rows([(e.id, event_row(e)) for e in shown])
        total = len(project.events)
        title = f"Events: {len(found)} of {total}, newest first"
        if text.strip() or action:
            title += " · filtered by " + " and ".join(
                x for x in (f"'{text.strip()}'" if text.strip() else "", action or "") if x
            )
        if len(found) > len(shown):
            title += f" · the newest {len(shown)} listed; narrow the filter"
        self.query_one("#events-title", Static).update(data_text(title))
        self._show_event()

    def _show_event(self) -> None:
        project = self._project
        record_id = self.query_one("#events", RecordList).record_id
        event = project.event(record_id or "") if project else None
        text = Text("No event matches: escape clears the filters.")
        if event is not None:
            refs = ", ".join(event.refs) or "-"
            text = data_text(event.summary)
            text.append(
                "\n"
                + clip(
                    f"{event.action} · by {event.by} · {shown_time(event.at, zone=True)} "
                    f"· refs {refs}"
                )
            )
            written = change_lines(event)
            if written:
                text.append("\n" + clip("\n".join(written), multiline=True))
        self._detail(text)

    def _detail(self, text: Text) -> None:
        self.query_one("#event", Static).update(text)
        self.query_one("#event-pane", VerticalScroll).scroll_home(animate=False)

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        """The pane shows the highlighted row of the list the user is in."""
        if not event.widget.has_focus:
            return  # a late message from a list the user has already left
        if event.widget.id == "visits":
            self._visit_moved()
        elif event.widget.id == "events":
            self._show_event()

    @on(OptionList.OptionHighlighted, "#visits")
    def _visit_moved(self) -> None:
        """The highlighted visit in full: the whole reason of the switch that led into it."""
        project = self._project
        visit_id = self.query_one("#visits", RecordList).record_id
        if project is None or visit_id is None:
            return
        step = next(
            (s for s in journey(project, self.host.framework) if s.visit.id == visit_id), None
        )
        if step is None:
            return
        text = data_text(visit_row(step))
        if step.switch is not None:
            switch = step.switch
            text.append(
                "\n"
                + clip(f"{switch.category}, by {switch.by} at {shown_time(switch.at, zone=True)}:")
            )
            text.append("\n" + clip(switch.reason, multiline=True))
            if switch.revisit:
                text.append("\n" + clip("to revisit: " + ", ".join(switch.revisit)))
        self._detail(text)

    @on(OptionList.OptionHighlighted, "#events")
    def _moved(self) -> None:
        self._show_event()

    @on(Input.Changed, "#filter")
    def _typed(self) -> None:
        if len(self._haystacks) < BIG_HISTORY:
            self._filter()
            return
        if self._typing is not None:
            self._typing.stop()
        self._typing = self.set_timer(TYPING_PAUSE, self._filter)

    @on(Input.Submitted, "#filter")
    def _done_typing(self) -> None:
        self._filter()
        self.set_focus(self.query_one("#events", RecordList))  # at once: keys follow

    def action_done_typing(self) -> None:
        """`enter` in the filter: back to the events at once (elsewhere `enter` is the list's)."""
        if self.focused is not self.query_one("#filter", Input):
            raise SkipAction()
        self._done_typing()

    # --- actions ----------------------------------------------------------------------------

    def action_focus_filter(self) -> None:
        field = self.query_one("#filter", Input)
        if self.focused is field:  # `/` in the filter is text, queued behind the keys before it
            field.post_message(events.Key("slash", "/"))
            return
        # At once, not on the next tick: keys already typed after `/` belong to the filter.
        self.set_focus(field)

    def action_next_action(self, step: int = 1) -> None:
        choices: list[str | None] = [None, *self._actions]
        index = choices.index(self.action_filter) if self.action_filter in choices else 0
        self.action_filter = choices[(index + step) % len(choices)]
        self._filter()

    def action_leave_filter(self) -> None:
        field = self.query_one("#filter", Input)
        if field.has_focus:
            self.set_focus(self.query_one("#events", RecordList))  # at once: keys follow
            return
        if not field.value and self.action_filter is None:  # nothing to clear: leave
            self.host.go_back()
            return
        field.value = ""
        self.action_filter = None
        self._filter()

    def palette_commands(self) -> Iterable[SystemCommand]:
        """This screen's actions for the command palette."""
        yield SystemCommand("history: Filter by text (/)", "", self.action_focus_filter)
        yield SystemCommand("history: Next action filter (f)", "", self.action_next_action)
        yield SystemCommand(
            "history: Previous action filter (F)", "", lambda: self.action_next_action(-1)
        )
        yield SystemCommand("history: Clear the filters (escape)", "", self.action_leave_filter)
