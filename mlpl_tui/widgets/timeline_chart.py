"""The timeline chart: a lane per stage, calendar time across, one bar per visit.

Drawn with characters so it reads without colour (NO_COLOR): a visit is `█`, the open visit
`▒`, the highlighted one `▓`, a loop back starts with `↺`, today is `▼` on the axis and `│`
down the empty cells of its column. A column is a local day, week (from Monday) or calendar
month; the widget keeps which columns are in view and scrolls and zooms on request.

Short visits share a cell when zoomed out, so a cell shows what is in it, never one visit
over another (see `cell_glyph`): the highlighted visit, as a cursor, covers its cells; a cell
of several visits is `▚`, `⇆` when a loop back starts among them; a loop back starting alone
is `↺`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from rich.text import Text
from textual.widget import Widget

from mlpl_tui.clock import instant
from mlpl_tui.timeline import Bar, Timeline
from mlpl_tui.widgets.text import clip
from mlpl_tui.wording import stage_name

ZOOMS = ("day", "week", "month")
LABEL_WIDTH = 12  # `3 Modelling ` before the first column
BAR, OPEN, HIGHLIGHT, LOOP, TODAY, TODAY_AXIS = "█", "▒", "▓", "↺", "│", "▼"
SEVERAL, SEVERAL_LOOP = "▚", "⇆"  # several visits in a cell; back and forth: a loop back among them
LEGEND = (
    f"{BAR} visit  {OPEN} now  {HIGHLIGHT} highlighted  {LOOP} loop back  "
    f"{SEVERAL} several  {SEVERAL_LOOP} several+{LOOP}  {TODAY_AXIS} today"
)


def local_date(stamp: str) -> date | None:
    """The local calendar day of a stored time, or None when it cannot be read."""
    moment = instant(stamp)
    return moment.date() if moment else None


def column_of(day: date, zoom: str) -> int:
    """The absolute column of `day`: days since year 1, weeks (from Monday), or months."""
    if zoom == "week":
        return (day.toordinal() - 1) // 7  # 0001-01-01 was a Monday
    if zoom == "month":
        return day.year * 12 + day.month - 1
    return day.toordinal()


def column_day(column: int, zoom: str) -> date:
    """The first day of an absolute column."""
    if zoom == "week":
        return date.fromordinal(column * 7 + 1)
    if zoom == "month":
        return date(column // 12, column % 12 + 1, 1)
    return date.fromordinal(column)


def _tick(column: int, zoom: str) -> str | None:
    """The label of a column that starts a tick (Monday, month, January), else None."""
    day = column_day(column, zoom)
    if zoom == "day":
        return f"{day.day} {day:%b}" if day.weekday() == 0 else None
    if zoom == "week":
        if column_day(column - 1, zoom).month == day.month:
            return None
        return f"{day:%b}" if day.month != 1 else f"{day.year}"
    if day.month % 3 != 1:
        return None  # a tick per quarter: one per month would fill the axis
    return f"{day:%b}" if day.month != 1 else f"{day.year}"


def bar_columns(bar: Bar, zoom: str) -> tuple[int, int] | None:
    """The first and last absolute columns a bar covers."""
    first, last = local_date(bar.start), local_date(bar.end)
    if first is None or last is None:
        return None
    start, end = column_of(first, zoom), column_of(last, zoom)
    return start, max(start, end)


@dataclass
class Cell:
    """What one cell of a lane holds: how many visits touch it, whether a loop back starts in
    it, whether the open visit is there, and the highlighted visit's part in it."""

    visits: int = 0
    loop_start: bool = False
    open: bool = False
    highlighted: bool = False
    highlighted_loop_start: bool = False  # the highlighted loop back starts here, with room


def cell_glyph(cell: Cell) -> tuple[str, str]:
    """The character and style of a cell. The highlighted visit covers its cells, as a cursor
    (a loop back keeps its `↺` when it has more cells to show `▓` in); several visits make
    `▚` (`⇆` when a loop back starts among them), so none is drawn over; then one visit:
    `↺` where a loop back starts, `▒` the open one, `█` any other."""
    if cell.highlighted:
        return (LOOP if cell.highlighted_loop_start else HIGHLIGHT), "bold"
    if cell.visits > 1:
        return (SEVERAL_LOOP, "bold") if cell.loop_start else (SEVERAL, "")
    if cell.visits == 1:
        if cell.loop_start:
            return LOOP, "bold"
        return (OPEN if cell.open else BAR), ""
    return " ", ""


def lane_cells(
    bars: list[Bar], zoom: str, left: int, cols: int, highlighted: int | None
) -> list[Cell]:
    """The `cols` cells of a lane from absolute column `left`, filled by its `bars`."""
    cells = [Cell() for _ in range(cols)]
    for bar in bars:
        span = bar_columns(bar, zoom)
        if span is None:
            continue
        first, last = span[0] - left, span[1] - left
        shown = range(max(0, first), min(cols, last + 1))
        for at in shown:
            cell = cells[at]
            cell.visits += 1
            cell.open = cell.open or bar.is_open
            cell.highlighted = cell.highlighted or bar.step == highlighted
        if bar.loop_back and 0 <= first < cols:
            cells[first].loop_start = True
            if bar.step == highlighted and len(shown) > 1:
                cells[first].highlighted_loop_start = True
    return cells


def chart_text(
    timeline: Timeline, width: int, left: int, zoom: str, highlighted: int | None
) -> Text:
    """The chart as text, `width` cells wide: date labels, the axis, then one row per lane.

    `left` is the absolute column at the first cell; `highlighted` the step of the visit drawn
    as highlighted. Lane titles come from the framework and are cleaned all the same.
    """
    cols = max(1, width - LABEL_WIDTH)
    lanes: list[list[str]] = []
    styles: list[list[str]] = []
    for index in range(len(timeline.lanes)):
        cells = lane_cells(timeline.lane_bars(index), zoom, left, cols, highlighted)
        glyphs = [cell_glyph(cell) for cell in cells]
        lanes.append([char for char, _ in glyphs])
        styles.append([style for _, style in glyphs])
    axis = ["─"] * cols
    labels = [" "] * cols
    free = 0  # the first cell a label may start at
    for cell in range(cols):
        label = _tick(left + cell, zoom)
        if label is None:
            continue
        axis[cell] = "┬"
        if cell >= free and cell + len(label) <= cols:
            labels[cell : cell + len(label)] = list(label)
            free = cell + len(label) + 1
    today = local_date(timeline.now)
    if today is not None:
        at = column_of(today, zoom) - left
        if 0 <= at < cols:
            axis[at] = TODAY_AXIS
            for row in lanes:
                if row[at] == " ":
                    row[at] = TODAY
        else:
            # Today lies outside the view: an arrow at that edge says which way.
            axis[0 if at < 0 else -1] = "◀" if at < 0 else "▶"
    text = Text(no_wrap=True, overflow="crop")
    text.append(" " * LABEL_WIDTH + "".join(labels))
    text.append("\n" + " " * LABEL_WIDTH + "".join(axis))
    for index, lane in enumerate(timeline.lanes):
        name = f"{lane.number} {stage_name(lane.stage)}" if lane.number else lane.title
        text.append("\n" + clip(name)[: LABEL_WIDTH - 1].ljust(LABEL_WIDTH), style="bold")
        for char, style in zip(lanes[index], styles[index], strict=True):
            text.append(char, style=style)
    return text


class TimelineChart(Widget):
    """The chart of one timeline; `highlighted` is the step drawn highlighted."""

    DEFAULT_CSS = """
    TimelineChart {
        height: 6;
        width: 1fr;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.timeline: Timeline | None = None
        self.zoom = "day"
        self.left: int | None = None  # the absolute column at the first cell; None: not placed
        self.highlighted: int | None = None

    @property
    def columns(self) -> int:
        """How many columns of time fit (at least one)."""
        width = self.size.width or (self.app.size.width - 2)
        return max(1, width - LABEL_WIDTH)

    def set_timeline(self, timeline: Timeline) -> None:
        self.timeline = timeline
        self.styles.height = len(timeline.lanes) + 2
        self.refresh()

    def _span(self) -> tuple[int, int]:
        """The absolute columns of the timeline's start and of its end (now included)."""
        timeline = self.timeline
        first = local_date(timeline.start) if timeline else None
        last = local_date(timeline.end) if timeline else None
        base = first or last or date(1970, 1, 1)  # only a timeline with no readable time
        return column_of(first or base, self.zoom), column_of(last or base, self.zoom)

    def _left(self) -> int:
        if self.left is None:
            self.left = self._span()[1] - self.columns + 1  # the latest time at the right edge
        return self.left

    def scroll_by(self, direction: int) -> None:
        """A quarter of the width earlier (-1) or later (+1), kept near the timeline."""
        step = max(1, self.columns // 4)
        first, last = self._span()
        low, high = first - self.columns + 1, last
        self.left = min(high, max(low, self._left() + direction * step))
        self.refresh()

    def jump(self, to_end: bool) -> None:
        """The timeline's start at the left edge, or its end at the right edge."""
        first, last = self._span()
        self.left = last - self.columns + 1 if to_end else first
        self.refresh()

    def zoom_by(self, direction: int) -> bool:
        """One column per day, week or month: +1 zooms in, -1 out; False at either end. The
        highlighted visit stays in view when it was in view, else the middle of the view does."""
        index = ZOOMS.index(self.zoom) - direction
        if not 0 <= index < len(ZOOMS):
            return False
        middle = column_day(self._left() + self.columns // 2, self.zoom)
        keep = self._in_view()
        self.zoom = ZOOMS[index]
        first, last = self._span()
        cols = self.columns
        if last - first < cols - 1:
            self.left = first - 1  # all of it fits: from its start
        else:
            left = column_of(middle, self.zoom) - cols // 2
            self.left = min(last - cols + 1, max(first, left))
        if keep:
            self._reveal()
        self.refresh()
        return True

    def _highlighted_span(self) -> tuple[int, int] | None:
        """The absolute columns of the highlighted visit at this zoom; None without one."""
        bars = self.timeline.bars if self.timeline else ()
        bar = next((b for b in bars if b.step == self.highlighted), None)
        return bar_columns(bar, self.zoom) if bar else None

    def _in_view(self) -> bool:
        """Whether a cell of the highlighted visit is in view."""
        span = self._highlighted_span()
        left = self._left()
        return span is not None and span[0] < left + self.columns and span[1] >= left

    def _reveal(self) -> None:
        """Scroll so that the highlighted visit's start is in view, a little in from the edge."""
        span = self._highlighted_span()
        if span is not None:
            left, cols = self._left(), self.columns
            if not left <= span[0] < left + cols:
                self.left = span[0] - min(2, cols // 4)

    def highlight(self, step: int | None) -> None:
        """Draw visit `step` highlighted and scroll so that its start is in view."""
        self.highlighted = step
        self._reveal()
        self.refresh()

    def view_days(self) -> tuple[date, date]:
        """The first and last days in view."""
        left = self._left()
        last = column_day(left + self.columns, self.zoom).toordinal() - 1
        return column_day(left, self.zoom), date.fromordinal(last)

    def render(self) -> Text:
        if self.timeline is None:
            return Text("")
        return chart_text(self.timeline, self.size.width, self._left(), self.zoom, self.highlighted)
