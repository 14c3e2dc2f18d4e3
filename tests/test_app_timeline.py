"""The timeline screen (`G`) and the dashboard's plan line, driven as a user drives them."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Static

from mlpl_tui.app import MlplApp
from mlpl_tui.demo import copy_demo
from mlpl_tui.framework import Framework
from mlpl_tui.lifecycle import Context, log_effort, new_project, set_status, switch_back
from mlpl_tui.plans import set_plan
from mlpl_tui.screens.dashboard import DashboardScreen
from mlpl_tui.screens.help import HelpScreen
from mlpl_tui.screens.history import HistoryScreen
from mlpl_tui.screens.timeline import TimelineScreen
from mlpl_tui.store import Store
from mlpl_tui.widgets.record_list import RecordList
from mlpl_tui.widgets.timeline_chart import (
    BAR,
    HIGHLIGHT,
    LABEL_WIDTH,
    LOOP,
    OPEN,
    SEVERAL,
    SEVERAL_LOOP,
    TimelineChart,
)
from tests.apphelp import SIZE, finish_stage, make_app, screen_text, wait_until
from tests.conftest import apply, fixed_ids

DEMO_NOW = "2026-04-20T10:00:00Z"  # three days after the demo project was accepted
HOSTILE = "\x1b[31mred\x1b[0m [bold]loud[/bold] \x1b]0;title\x07"


def demo_app(tmp_path: Path, framework: Framework) -> MlplApp:
    store = Store(copy_demo(tmp_path / "demo"))
    ids = fixed_ids("ui")
    return MlplApp(store, framework, lambda: Context("tester", DEMO_NOW, make_id=ids))


def chart_text(app: MlplApp) -> str:
    return str(app.screen.query_one(TimelineChart).render())


def detail_text(app: MlplApp) -> str:
    return str(app.screen.query_one("#detail", Static).render())


def heading(app: MlplApp) -> str:
    return str(app.screen.query_one("#heading", Static).render())


async def open_timeline(app: MlplApp, pilot: Pilot[None]) -> None:
    await pilot.press("G")
    await wait_until(pilot, lambda: isinstance(app.screen, TimelineScreen), "the timeline")


async def test_timeline_shows_lanes_bars_loop_backs_and_today(
    tmp_path: Path, framework: Framework
) -> None:
    app = demo_app(tmp_path, framework)
    async with app.run_test(size=SIZE) as pilot:
        await open_timeline(app, pilot)
        chart = chart_text(app)
        rows = chart.splitlines()
        assert len(rows) == 6  # labels, axis, four lanes
        for name in ("1 Business", "2 Data", "3 Modelling", "4 Delivery"):
            assert any(row.startswith(name) for row in rows), name
        assert all(len(row) <= SIZE[0] for row in rows)  # fits 80 columns
        assert "█" in chart and "↺" in chart  # bars and the loop-back mark, as characters
        assert "▼" in rows[1] and "│" in "".join(rows[2:])  # today on the axis and down
        assert "▓" in rows[5]  # the last visit (Delivery) starts highlighted
        assert "Visit 25 of 25: 4 Delivery" in detail_text(app)
        assert "loop back from Delivery (business)" in detail_text(app)
        assert "steering committee" in detail_text(app)  # the loop back's reason
        assert "25 visits, 13 loop backs" in heading(app)
        visits = app.screen.query_one("#visits", RecordList)
        assert len(visits.rows) == 25 and visits.has_focus


async def test_moving_through_the_visits_highlights_their_bar(
    tmp_path: Path, framework: Framework
) -> None:
    app = demo_app(tmp_path, framework)
    async with app.run_test(size=SIZE) as pilot:
        await open_timeline(app, pilot)
        before = chart_text(app)
        await pilot.press("up")
        assert "Visit 24 of 25: 4 Delivery" in detail_text(app)
        assert "Entered:   advance" in detail_text(app)
        assert chart_text(app) != before
        await pilot.press("home")
        assert "Visit 1 of 25: 1 Business" in detail_text(app)
        assert "start of the project" in detail_text(app)
        rows = chart_text(app).splitlines()
        assert rows[2].startswith("1 Business  ▓")  # the first bar at the left edge
        assert "12 Jan 2026" in heading(app)
        await pilot.press("end")
        assert "Visit 25 of 25" in detail_text(app)
        assert "▼" in chart_text(app).splitlines()[1]  # back to now


async def test_scrolling_and_zooming_change_what_is_shown(
    tmp_path: Path, framework: Framework
) -> None:
    app = demo_app(tmp_path, framework)
    async with app.run_test(size=SIZE) as pilot:
        await open_timeline(app, pilot)
        start = chart_text(app)
        assert "a column: a day" in heading(app)
        assert "20 Apr 2026" in heading(app)  # the view ends today
        await pilot.press("left", "left")
        scrolled = chart_text(app)
        assert scrolled != start
        assert "20 Apr 2026" not in heading(app)
        assert "▶" in scrolled.splitlines()[1]  # today lies to the right now
        await pilot.press("right", "right")
        assert chart_text(app) == start
        await pilot.press("minus")
        assert "a column: a week" in heading(app)
        week = chart_text(app)
        assert week != start and "Mar" in week.splitlines()[0]
        await pilot.press("minus")
        assert "a column: a month" in heading(app)
        assert "2026" in chart_text(app).splitlines()[0]
        await pilot.press("minus")  # no wider zoom: said, nothing changes
        assert "a column: a month" in heading(app)
        await pilot.press("plus", "plus")
        assert "a column: a day" in heading(app)


async def test_escape_goes_back_to_where_it_was_opened(
    tmp_path: Path, framework: Framework
) -> None:
    app = demo_app(tmp_path, framework)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("h")
        await wait_until(pilot, lambda: isinstance(app.screen, HistoryScreen), "history")
        await open_timeline(app, pilot)
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, HistoryScreen), "back")
        await pilot.press("0")
        await wait_until(pilot, lambda: isinstance(app.screen, DashboardScreen), "dashboard")
        await open_timeline(app, pilot)
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, DashboardScreen), "back again")


async def test_help_and_palette_list_the_timeline(tmp_path: Path, framework: Framework) -> None:
    app = demo_app(tmp_path, framework)
    async with app.run_test(size=SIZE) as pilot:
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "screen: Timeline (G)" in titles
        await pilot.press("question_mark")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen), "help")
        keys = str(app.screen.query_one("#keys", Static).render())
        assert any(line.split()[:2] == ["G", "Timeline"] for line in keys.splitlines())
        await pilot.press("escape")
        await open_timeline(app, pilot)
        await pilot.press("question_mark")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen), "help")
        keys = str(app.screen.query_one("#keys", Static).render())
        assert "Zoom in" in keys and "Earlier" in keys


async def test_the_chart_reads_without_colour(
    tmp_path: Path, framework: Framework, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = demo_app(tmp_path, framework)
    async with app.run_test(size=SIZE) as pilot:
        await open_timeline(app, pilot)
        chart = chart_text(app)
        # Every state is a character of its own: visit, highlighted, loop back, today.
        for mark in ("█", "▓", "↺", "▼", "│"):
            assert mark in chart, mark
        assert "↺ loop back" in screen_text(app.screen)  # the legend says so


def hostile_project(tmp_path: Path, framework: Framework) -> Store:
    """Business passed on 1 March, then a loop back within Data on 2 March with a reason full
    of terminal escapes and markup."""
    early = Context("ana", "2026-03-01T09:00:00Z", make_id=fixed_ids("h"))
    store = Store.create(tmp_path / "mlpl.json", new_project("Hostile", early))
    finish_stage(store, framework, early, "business")
    apply(store, framework, early, set_status, "data.acquisition", "done")
    later = Context("ana", "2026-03-02T09:00:00Z", make_id=fixed_ids("k"))
    apply(store, framework, later, switch_back, "data", "data", HOSTILE, module_ref="acquisition")
    return store


async def test_stored_text_shows_as_text(tmp_path: Path, framework: Framework) -> None:
    app = make_app(hostile_project(tmp_path, framework), framework)
    async with app.run_test(size=SIZE) as pilot:
        await open_timeline(app, pilot)
        detail = app.screen.query_one("#detail", Static)
        shown = str(detail.render())
        assert "[bold]loud[/bold]" in shown  # markup stays text
        assert "\x1b" not in shown and "\x07" not in shown
        assert "red" in shown
        # Drawn on the terminal as typed, brackets included.
        drawn = "".join(strip.text for strip in app.screen._compositor.render_strips())
        assert "[bold]loud[/bold]" in drawn
        # The loop back, within a day and highlighted, shows where it is (its cell is the first
        # visit's last day too); the pane says what it is.
        assert lane(app, "2 Data") == BAR + HIGHLIGHT
        assert "↺ loop back from Data (data)" in shown
        await pilot.press("up", "up")  # off Data: that day holds two visits, one a loop back
        assert "Visit 1 of 3" in detail_text(app)
        assert lane(app, "2 Data") == BAR + SEVERAL_LOOP


async def test_dashboard_plan_line_only_with_a_plan(tmp_path: Path, framework: Framework) -> None:
    ctx = Context("ana", "2026-03-02T09:00:00Z", make_id=fixed_ids("p"))
    store = Store.create(tmp_path / "mlpl.json", new_project("Planned", ctx))
    apply(store, framework, ctx, log_effort, "3h", stage="business")
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, DashboardScreen), "dashboard")
        assert "Plan " not in screen_text(app.screen)
        apply(store, framework, ctx, set_plan, "business", "1d")
        app.reload()
        await wait_until(
            pilot,
            lambda: "Plan 1d · spent 3h (38%)" in screen_text(app.screen),
            "the plan line",
        )
        line = next(x for x in screen_text(app.screen).splitlines() if x.startswith("Plan "))
        required = sum(1 for m in framework.modules.values() if m.required)
        assert f"required done ▁▁▁▁▁▁▁▁▁▁ 0/{required}" in line  # the burn-up: none done yet
        finish_stage(store, framework, ctx, "business")
        app.reload()
        done = len(framework.stage("business").required_modules)
        await wait_until(
            pilot,
            lambda: f"{done}/{required}" in screen_text(app.screen),
            "the burn-up moving",
        )
        assert "▁▁▁▁▁▁▁▁▁▁" not in screen_text(app.screen)


async def test_dashboard_plan_line_on_the_demo(tmp_path: Path, framework: Framework) -> None:
    app = demo_app(tmp_path, framework)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, DashboardScreen), "dashboard")
        text = screen_text(app.screen)
        assert "Plan 28d · spent 37d 3h (133%) · rework 78%" in text
        assert "16/16" in text


SAME_WEEK_NOW = "2026-03-04T10:00:00Z"  # a Wednesday: the visits below are that week's Monday


def crowded_project(tmp_path: Path, framework: Framework) -> Store:
    """Five visits an hour apart on Monday 2 March: Business, Data, a loop back to Business,
    Data again, then Modelling (open). Business and Data each have two visits in one cell of a
    week or a month, the second Business one a loop back."""
    hour = iter(range(9, 24))

    def at() -> Context:
        return Context("ana", f"2026-03-02T{next(hour):02d}:00:00Z", make_id=fixed_ids("c"))

    first = at()
    store = Store.create(tmp_path / "mlpl.json", new_project("Crowded", first))
    finish_stage(store, framework, at(), "business")  # Data at 10:00
    apply(store, framework, at(), switch_back, "business", "business", "the goal moved")
    finish_stage(store, framework, at(), "business")  # Data again at 12:00
    finish_stage(store, framework, at(), "data")  # Modelling at 13:00, open
    return store


def lane(app: MlplApp, title: str) -> str:
    """The marks in a lane's cells (today's `│` and blanks left out)."""
    row = next(r for r in chart_text(app).splitlines() if r.startswith(title))
    return row[LABEL_WIDTH:].replace("│", "").strip()


async def test_visits_sharing_a_cell_stay_visible_at_week_and_month(
    tmp_path: Path, framework: Framework
) -> None:
    store = crowded_project(tmp_path, framework)
    ids = fixed_ids("ui")
    app = MlplApp(store, framework, lambda: Context("tester", SAME_WEEK_NOW, make_id=ids))
    async with app.run_test(size=SIZE) as pilot:
        await open_timeline(app, pilot)
        assert "5 visits, 1 loop back" in heading(app)
        for zoom in ("week", "month"):
            await pilot.press("minus")
            assert f"a column: a {zoom}" in heading(app)
            await pilot.press("end")
            assert "Visit 5 of 5: 3 Modelling" in detail_text(app)
            # One cell per lane: two visits and a loop back's start in Business, two visits
            # in Data; neither drawn over the other.
            assert lane(app, "1 Business") == SEVERAL_LOOP, zoom
            assert lane(app, "2 Data") == SEVERAL, zoom
            assert lane(app, "3 Modelling") == HIGHLIGHT, zoom
            await pilot.press("up")  # Data again: the highlighted visit wins its cell
            assert "Visit 4 of 5: 2 Data" in detail_text(app)
            assert (lane(app, "1 Business"), lane(app, "2 Data")) == (SEVERAL_LOOP, HIGHLIGHT)
            assert lane(app, "3 Modelling") == OPEN
            await pilot.press("up")  # the loop back, an hour long: still shown where it is
            assert "Visit 3 of 5: 1 Business" in detail_text(app)
            assert "loop back from Data (business)" in detail_text(app)
            assert (lane(app, "1 Business"), lane(app, "2 Data")) == (HIGHLIGHT, SEVERAL), zoom
            await pilot.press("up", "up")  # the first visit, under the loop back's start
            assert "Visit 1 of 5: 1 Business" in detail_text(app)
            assert lane(app, "1 Business") == HIGHLIGHT, zoom
            assert "↺" not in lane(app, "2 Data")
        legend = str(app.screen.query_one("#legend", Static).render())
        assert f"{SEVERAL} several" in legend and f"{SEVERAL_LOOP} several+{LOOP}" in legend


async def test_the_highlighted_visit_is_scrolled_into_view_at_week_zoom(
    tmp_path: Path, framework: Framework
) -> None:
    app = demo_app(tmp_path, framework)
    async with app.run_test(size=SIZE) as pilot:
        await open_timeline(app, pilot)
        await pilot.press("minus", "home")
        assert "Visit 1 of 25" in detail_text(app)
        assert lane(app, "1 Business").startswith(HIGHLIGHT)
        await pilot.press(*["right"] * 8)  # the first weeks scrolled out of view
        assert "12 Jan 2026" not in heading(app)
        assert HIGHLIGHT not in chart_text(app)
        await pilot.press("down")  # Data from 16 January: brought back into view
        assert "Visit 2 of 25: 2 Data" in detail_text(app)
        assert HIGHLIGHT in lane(app, "2 Data")


async def test_zooming_keeps_the_highlighted_visit_in_view(
    tmp_path: Path, framework: Framework
) -> None:
    app = demo_app(tmp_path, framework)
    async with app.run_test(size=SIZE) as pilot:
        await open_timeline(app, pilot)
        await pilot.press("home")  # the first visit, 12 January, at the left edge
        await pilot.press("minus", "minus", "plus", "plus")
        assert "a column: a day" in heading(app)
        assert "10 Jan 2026 → " in heading(app)  # its start, a little in from the edge
        assert lane(app, "1 Business").startswith(HIGHLIGHT)
        await pilot.press("end", "minus", "plus")  # the last visit: in view as well
        assert "Visit 25 of 25" in detail_text(app)
        assert HIGHLIGHT in lane(app, "4 Delivery") and "20 Apr 2026" in heading(app)
