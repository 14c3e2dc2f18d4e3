"""The timeline's bars (a bar per visit, loop backs marked, now), the burn-up, and how a lane's
cells are drawn, pure."""

from __future__ import annotations

from datetime import date
from typing import Any

from mlpl_tui import history, lifecycle
from mlpl_tui.framework import Framework
from mlpl_tui.lifecycle import Context, new_project
from mlpl_tui.model import Project
from mlpl_tui.store import MemoryStore
from mlpl_tui.timeline import Bar, burn_up, burn_up_by_day, epoch, timeline
from mlpl_tui.widgets.timeline_chart import (
    BAR,
    HIGHLIGHT,
    LOOP,
    OPEN,
    SEVERAL,
    SEVERAL_LOOP,
    Cell,
    cell_glyph,
    column_of,
    lane_cells,
)
from tests.conftest import fixed_ids

START = "2026-03-02T09:00:00Z"


class Clocked:
    """A project in memory changed one hour at a time by one person."""

    def __init__(self, framework: Framework) -> None:
        self.framework = framework
        self.store = MemoryStore(new_project("T", Context("ann", START, make_id=fixed_ids("s"))))
        self.hour = 9
        self.ids = fixed_ids("r")

    def at(self) -> str:
        self.hour += 1
        day, hour = divmod(self.hour, 24)
        return f"2026-03-{2 + day:02d}T{hour:02d}:00:00Z"

    def do(self, rule: Any, *args: Any, **kw: Any) -> None:
        now = self.at()
        if rule is history.undo:
            self.store.apply(lambda p: history.undo(p, "ann"), "ann", now)
            return
        ctx = Context("ann", now, make_id=self.ids)
        self.store.apply(lambda p: rule(p, self.framework, ctx, *args, **kw), "ann", now)

    def pass_stage(self, stage: str) -> None:
        for module in self.framework.stage(stage).required_modules:
            self.do(lifecycle.set_status, module.id, "done")

    @property
    def project(self) -> Project:
        return self.store.load()


def test_a_bar_per_visit_on_its_lane_with_loop_backs_and_now(framework: Framework) -> None:
    c = Clocked(framework)
    c.pass_stage("business")
    c.do(lifecycle.advance)
    c.do(lifecycle.switch_back, "business", "data", "one season only")
    line = timeline(c.project, framework, "2026-03-05T00:00:00Z")
    assert [lane.stage for lane in line.lanes] == [s.id for s in framework.stages]
    assert [(b.stage, b.lane, b.iteration) for b in line.bars] == [
        ("business", 0, 1),
        ("data", 1, 1),
        ("business", 0, 2),
    ]
    first, second, back = line.bars
    assert not first.loop_back and not second.loop_back
    assert back.loop_back and back.category == "data" and back.reason == "one season only"
    assert back.is_open and back.end == "2026-03-05T00:00:00Z"  # the open visit runs to now
    assert first.end == second.start and not first.is_open
    assert line.start == START and line.end == line.now == "2026-03-05T00:00:00Z"
    assert line.position(line.start) == 0.0 and line.position(line.now) == 1.0
    assert 0.0 < line.position(second.start) < 1.0
    assert line.lane_bars(0) == [first, back]


def test_a_stage_the_framework_lacks_gets_its_own_lane_and_bad_times_are_left_out(
    framework: Framework,
) -> None:
    c = Clocked(framework)
    tables = {name: dict(table) for name, table in c.store.data.items()}
    visit = {
        "stage": "legacy",
        "iteration": 1,
        "entered_at": "2026-03-02T12:00:00Z",
        "entered_by": "x",
        "how": "advance",
        "switch": None,
        "left_at": "2026-03-02T13:00:00Z",
        "outcome": None,
    }
    tables["visits"] = {
        **tables["visits"],
        "v-legacy": visit,
        "v-broken": {**visit, "stage": "data", "entered_at": "not a time"},
    }
    line = timeline(Project(tables), framework, "2026-03-03T00:00:00Z")
    assert line.lanes[-1].stage == "legacy" and line.lanes[-1].number == 0
    assert [b.stage for b in line.bars] == ["business", "legacy"]


def test_an_empty_timeline() -> None:
    assert epoch("garbage") is None and epoch(None) is None
    assert epoch("2026-03-02T00:00:00Z") == epoch("2026-03-02T00:00:00+00:00")


def test_burn_up_counts_required_modules_passed_from_the_history(framework: Framework) -> None:
    c = Clocked(framework)
    required = framework.stage("business").required_modules
    total = sum(1 for m in framework.modules.values() if m.required)
    c.do(lifecycle.set_status, required[0].id, "doing")  # not passed: no point
    c.do(lifecycle.set_status, required[0].id, "done")
    c.do(lifecycle.set_status, required[1].id, "skipped", reason="not needed")
    c.do(history.undo)  # the skip is undone: the count goes down again
    points = burn_up(c.project, framework)
    assert [(p.at, p.done, p.total) for p in points] == [
        ("2026-03-02T11:00:00Z", 1, total),
        ("2026-03-02T12:00:00Z", 2, total),
        ("2026-03-02T13:00:00Z", 1, total),
    ]
    assert [(p.at, p.done) for p in burn_up_by_day(points)] == [("2026-03-02T13:00:00Z", 1)]


def test_burn_up_goes_down_on_a_loop_back(framework: Framework) -> None:
    c = Clocked(framework)
    c.pass_stage("business")
    c.do(lifecycle.advance)
    first = framework.stage("business").required_modules[0].id
    c.do(lifecycle.switch_back, "business", "data", "again", first)  # marks it for revisit
    points = burn_up(c.project, framework)
    passed = len(framework.stage("business").required_modules)
    assert max(p.done for p in points) == passed
    assert points[-1].done == passed - 1


def test_burn_up_counts_a_module_no_recorded_change_explains_from_its_record(
    framework: Framework,
) -> None:
    module = framework.stage("business").required_modules[0].id
    record = {
        "status": "done",
        "note": "",
        "reason": "",
        "updated_at": "2026-02-01T08:00:00Z",
        "updated_by": "x",
    }
    c = Clocked(framework)
    tables = {name: dict(table) for name, table in c.store.data.items()}
    tables["modules"] = {module: record}
    points = burn_up(Project(tables), framework)
    assert [(p.at, p.done) for p in points] == [("2026-02-01T08:00:00Z", 1)]


def visit(
    step: int, start: str, end: str, *, loop_back: bool = False, is_open: bool = False
) -> Bar:
    return Bar(step, 0, "data", step, start, end, is_open, loop_back, "", "")


def drawn(bars: list[Bar], zoom: str, highlighted: int | None = None, cols: int = 4) -> str:
    """A lane's cells from the week (or month) of Monday 2 March, as characters."""
    left = column_of(date(2026, 3, 2), zoom)
    return "".join(cell_glyph(c)[0] for c in lane_cells(bars, zoom, left, cols, highlighted))


# One lane: two visits an hour long on 2 March, the second a loop back; one over the next two
# weeks; a loop back alone in the fourth week, open.
CROWDED = [
    visit(1, "2026-03-02T09:00:00Z", "2026-03-02T10:00:00Z"),
    visit(3, "2026-03-02T11:00:00Z", "2026-03-02T12:00:00Z", loop_back=True),
    visit(5, "2026-03-10T09:00:00Z", "2026-03-20T09:00:00Z"),
    visit(7, "2026-03-23T09:00:00Z", "2026-03-27T09:00:00Z", loop_back=True, is_open=True),
]


def test_visits_sharing_a_cell_are_drawn_as_several_never_one_over_another() -> None:
    assert drawn(CROWDED, "week") == f"{SEVERAL_LOOP}{BAR}{BAR}{LOOP}"
    assert drawn(CROWDED, "month", cols=2) == f"{SEVERAL_LOOP} "
    assert drawn(CROWDED[:1] + CROWDED[2:3], "month", cols=1) == SEVERAL  # no loop back among
    assert drawn(CROWDED[3:], "week") == f"   {LOOP}"  # alone, a loop back keeps its mark
    now_open = visit(9, "2026-03-02T09:00:00Z", "2026-03-09T09:00:00Z", is_open=True)
    assert drawn([now_open], "week") == OPEN * 2 + "  "


def test_the_highlighted_visit_covers_its_cells_and_a_loop_back_keeps_its_mark() -> None:
    assert drawn(CROWDED, "week", highlighted=3) == f"{HIGHLIGHT}{BAR}{BAR}{LOOP}"
    assert drawn(CROWDED, "week", highlighted=1) == f"{HIGHLIGHT}{BAR}{BAR}{LOOP}"
    assert drawn(CROWDED, "week", highlighted=5) == f"{SEVERAL_LOOP}{HIGHLIGHT * 2}{LOOP}"
    assert drawn(CROWDED, "week", highlighted=7) == f"{SEVERAL_LOOP}{BAR}{BAR}{HIGHLIGHT}"
    assert drawn(CROWDED, "month", highlighted=7, cols=1) == HIGHLIGHT
    # A loop back over more than one cell starts with its mark, then the highlight.
    assert drawn(CROWDED, "day", highlighted=7, cols=26)[-5:] == LOOP + HIGHLIGHT * 4
    # ... unless only one of its cells is in view: then that one shows the highlight.
    assert drawn(CROWDED, "day", highlighted=7, cols=22)[-1] == HIGHLIGHT


def test_cell_glyph_takes_the_highlight_then_several_then_one_visit() -> None:
    assert cell_glyph(Cell()) == (" ", "")
    assert cell_glyph(Cell(visits=1))[0] == BAR
    assert cell_glyph(Cell(visits=1, open=True))[0] == OPEN
    assert cell_glyph(Cell(visits=1, loop_start=True))[0] == LOOP
    assert cell_glyph(Cell(visits=2, open=True))[0] == SEVERAL
    assert cell_glyph(Cell(visits=3, loop_start=True))[0] == SEVERAL_LOOP
    assert cell_glyph(Cell(visits=3, loop_start=True, highlighted=True))[0] == HIGHLIGHT
    mine = Cell(visits=2, loop_start=True, highlighted=True, highlighted_loop_start=True)
    assert cell_glyph(mine)[0] == LOOP
