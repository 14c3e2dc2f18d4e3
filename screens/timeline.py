"""The timeline (`G`): every visit as a bar on its stage's lane across calendar time.

Keys: `←`/`→` scroll time, `+`/`-` zoom (a column is a day, a week or a month), `home`/`end`
go to the first and the last visit, `↑`/`↓` (and `j`/`k`) move through the visits listed below
the chart, whose bar is drawn highlighted and whose details show beside the list; `escape` goes
back. The figures come from mlpl_tui.timeline; this screen only formats them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import OptionList, Static

from mlpl_tui.journey import Step, journey
from mlpl_tui.model import Project
from mlpl_tui.screens.base import ProjectScreen
from mlpl_tui.timeline import Bar, Timeline, epoch, timeline
from mlpl_tui.widgets.bars import KeyBar, TitleBar
from mlpl_tui.widgets.record_list import RecordList
from mlpl_tui.widgets.text import clip
from mlpl_tui.widgets.timeline_chart import LEGEND, LOOP, TimelineChart, local_date
from mlpl_tui.wording import plural, shown_time, stage_name

HOW = {"start": "start of the project", "advance": "advance", "forced": "forced advance"}


def _day(stamp: str) -> str:
    day = local_date(stamp)
    return f"{day.day:>2} {day:%b}" if day else stamp[:10]


def visit_row(bar: Bar, lane_title: str) -> str:
    """`12  2 Apr→ 7 Apr Modelling it13 ↺`: stored text, cleaned by the list."""
    end = "now" if bar.is_open else _day(bar.end)
    mark = f" {LOOP}" if bar.loop_back else ""
    return f"{bar.step:>2} {_day(bar.start)}→{end:<6} {lane_title[:9]:<9} it{bar.iteration}{mark}"


def _duration(bar: Bar) -> str:
    start, end = epoch(bar.start), epoch(bar.end)
    if start is None or end is None:
        return ""
    hours = max(0, round((end - start) / 3600))
    days, hours = divmod(hours, 24)
    return f"{days}d {hours}h" if days else f"{hours}h"


def visit_text(bar: Bar, step: Step | None, lane_title: str, count: int) -> Text:
    """The highlighted visit in full; the switch's reason is stored text, cleaned here."""
    text = Text(clip(f"Visit {bar.step} of {count}: {lane_title}"), style="bold")
    if step is not None and step.switch is not None:
        switch = step.switch
        how = f"{LOOP} loop back from {stage_name(switch.from_stage)} ({switch.category})"
    elif bar.loop_back:
        how = f"{LOOP} loop back"
    else:
        how = HOW.get(step.visit.how, step.visit.how) if step else ""
    lines = [
        f"Iteration: {bar.iteration}",
        f"From:      {shown_time(bar.start)}",
        f"To:        {'now (open)' if bar.is_open else shown_time(bar.end)}",
        f"Lasted:    {_duration(bar)}",
        f"Entered:   {how}",
    ]
    if step is not None and step.visit.entered_by:
        lines.append(f"By:        {step.visit.entered_by}")
    for line in lines:
        text.append("\n" + clip(line))
    if bar.reason:
        text.append("\nReason: ", style="bold")
        text.append(clip(bar.reason, multiline=True))
    return text


class TimelineScreen(ProjectScreen):
    """The chart above, the visits below with the highlighted one's details beside them."""

    CSS_PATH = "timeline.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        # Priority: the focused list would take them (it scrolls sideways, never needed here).
        Binding(
            "left",
            "scroll_time(-1)",
            "Earlier",
            key_display="←",
            id="timeline-earlier",
            tooltip="Scroll back in time",
            priority=True,
        ),
        Binding(
            "right",
            "scroll_time(1)",
            "Later",
            key_display="→",
            id="timeline-later",
            tooltip="Scroll on in time",
            priority=True,
        ),
        Binding(
            "plus,equals_sign",
            "zoom(1)",
            "Zoom in",
            key_display="+",
            id="timeline-zoom-in",
            tooltip="Zoom in: a column per week, then per day",
        ),
        Binding(
            "minus",
            "zoom(-1)",
            "Zoom out",
            key_display="-",
            id="timeline-zoom-out",
            tooltip="Zoom out: a column per week, then per month",
        ),
        Binding(
            "home",
            "jump(0)",
            "First",
            show=False,
            id="timeline-first",
            tooltip="The first visit, at the start of the timeline",
            priority=True,  # before the list's own home
        ),
        Binding(
            "end",
            "jump(1)",
            "Last",
            show=False,
            id="timeline-last",
            tooltip="The last visit, up to now",
            priority=True,
        ),
        Binding("escape", "go_back", "Back", id="timeline-back", tooltip="Back to where you were"),
    ]

    def __init__(self) -> None:
        super().__init__(name="timeline")
        self._shown: Project | None = None
        self._timeline: Timeline | None = None
        self._steps: dict[int, Step] = {}

    def compose(self) -> ComposeResult:
        yield TitleBar()
        yield Static("", id="heading", markup=False)
        yield TimelineChart(id="chart")
        yield Static(LEGEND, id="legend", markup=False)
        with Horizontal(id="lower"):
            yield RecordList(id="visits")
            with VerticalScroll(id="detail-pane"):
                yield Static("", id="detail", markup=False)
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#visits", RecordList).focus()

    @property
    def chart(self) -> TimelineChart:
        return self.query_one(TimelineChart)

    def show(self, project: Project) -> None:
        if project is self._shown:
            return  # snapshots are immutable: the same one draws the same screen
        framework = self.host.framework
        self.query_one(TitleBar).set_title(project.meta.name)
        figures = timeline(project, framework, self.host.context().now)
        self._timeline = figures
        self._steps = {s.number: s for s in journey(project, framework)}
        self.chart.set_timeline(figures)
        visits = self.query_one("#visits", RecordList)
        first = self._shown is None
        rows = [(str(b.step), visit_row(b, self._lane_title(b, short=True))) for b in figures.bars]
        visits.set_rows(rows, keep=rows[-1][0] if first and rows else None)
        self._shown = project
        self._highlighted()

    def _lane_title(self, bar: Bar, *, short: bool = False) -> str:
        """`3 Modelling` (`Modelling` when `short`); a stage the framework lacks by its id."""
        lane = self._timeline.lanes[bar.lane] if self._timeline else None
        if lane is None or not lane.number:
            return bar.stage
        return stage_name(lane.stage) if short else f"{lane.number} {stage_name(lane.stage)}"

    def _bar(self) -> Bar | None:
        record = self.query_one("#visits", RecordList).record_id
        bars = self._timeline.bars if self._timeline else ()
        return next((b for b in bars if str(b.step) == record), None)

    def _heading(self) -> None:
        figures = self._timeline
        if figures is None:
            return
        chart = self.chart
        first, last = chart.view_days()
        loops = sum(b.loop_back for b in figures.bars)
        text = (
            f"{plural(len(figures.bars), 'visit')}, {plural(loops, 'loop back')} · "
            f"a column: a {chart.zoom} · {first.day} {first:%b %Y} → {last.day} {last:%b %Y}"
        )
        self.query_one("#heading", Static).update(Text(text))

    def _highlighted(self) -> None:
        bar = self._bar()
        self.chart.highlight(bar.step if bar else None)
        self._heading()
        figures = self._timeline
        detail = self.query_one("#detail", Static)
        if bar is None or figures is None:
            detail.update(Text("No visit yet."))
            return
        step = self._steps.get(bar.step)
        detail.update(visit_text(bar, step, self._lane_title(bar), len(figures.bars)))

    @on(OptionList.OptionHighlighted, "#visits")
    def _moved(self) -> None:
        self._highlighted()

    # --- actions ----------------------------------------------------------------------------

    def action_scroll_time(self, direction: int) -> None:
        self.chart.scroll_by(direction)
        self._heading()

    def action_zoom(self, direction: int) -> None:
        if self.chart.zoom_by(direction):
            self._heading()
        else:
            self.notify(f"A column is already a {self.chart.zoom}", title="Zoom")

    def action_jump(self, to_end: int) -> None:
        visits = self.query_one("#visits", RecordList)
        if visits.option_count:
            visits.highlighted = visits.option_count - 1 if to_end else 0
        self.chart.jump(bool(to_end))
        self._heading()

    def palette_commands(self) -> Iterable[SystemCommand]:
        """This screen's actions for the command palette."""
        yield SystemCommand("timeline: Zoom in (+)", "", lambda: self.action_zoom(1))
        yield SystemCommand("timeline: Zoom out (-)", "", lambda: self.action_zoom(-1))
        yield SystemCommand("timeline: First visit (home)", "", lambda: self.action_jump(0))
        yield SystemCommand("timeline: Last visit (end)", "", lambda: self.action_jump(1))
