"""Day-one fixes, part two: the key bar at 80 columns, focus without colour, refusals that
clear, mouse clicks, lists that stop at their ends, the scrolling detail pane, one-line rows."""

from __future__ import annotations

from typing import Any

import pytest
from rich.segment import Segment
from textual.color import Color
from textual.widget import Widget
from textual.widgets import Button, Input, Select, Static

from mlpl_tui.app import MlplApp
from mlpl_tui.framework import Framework
from mlpl_tui.lifecycle import (
    Context,
    abandon_experiment,
    add_experiment,
    decide,
    set_note,
    set_status,
)
from mlpl_tui.screens.decisions import DecisionsScreen
from mlpl_tui.screens.modals import (
    DecisionModal,
    EffortModal,
    FormModal,
    StatusModal,
)
from mlpl_tui.screens.modals.status import StatusList
from mlpl_tui.screens.stage import StageScreen
from mlpl_tui.store import Store
from mlpl_tui.widgets.bars import KeyBar
from mlpl_tui.widgets.module_list import ModuleList
from mlpl_tui.widgets.record_list import RecordList
from mlpl_tui.widgets.scroll_pane import ScrollPane
from tests.apphelp import SIZE, keys, make_app, reach, screen_text, wait_until
from tests.conftest import apply

# --- the key bar ------------------------------------------------------------------------------

MAIN_SCREENS = ["0", "1", "2", "3", "4", "D", "h", "e", "c"]


def key_bar(app: MlplApp) -> str:
    return str(app.screen.query_one(KeyBar).render())


@pytest.mark.parametrize("width", [80, 120])
async def test_the_key_bar_always_ends_in_help_and_quit_and_fits(
    store: Store, framework: Framework, width: int
) -> None:
    app = make_app(store, framework)
    async with app.run_test(size=(width, 24)) as pilot:
        for key in [*MAIN_SCREENS, "2", "tab"]:  # the last: a stage's detail pane focused
            await pilot.press(key)
            await pilot.pause()
            bar = key_bar(app)
            where = f"{key} ({app.current_mode}): {bar!r}"
            assert bar.startswith("^p palette"), where
            assert bar.endswith("? Help  q Quit"), where
            assert len(bar) <= width - 2 and "…" not in bar, where


async def test_the_key_bar_keeps_the_screens_own_keys_before_the_general_ones(
    store: Store, framework: Framework
) -> None:
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2")
        await pilot.pause()
        bar = key_bar(app)
        assert "space Done/not  s Status  n Note" in bar
        assert "0 Dashboard" not in bar  # dropped first: every screen switch is in help
        await pilot.resize_terminal(200, 30)
        await wait_until(pilot, lambda: "t Log time" in key_bar(app), "the wider key bar")
        bar = key_bar(app)  # with room, every shown key is back, in the bindings' order
        assert "0 Dashboard  a Advance  b Loop back  d Decision  t Log time" in bar, bar
        assert bar.endswith("? Help  q Quit"), bar


async def test_a_list_screen_shows_its_own_keys_before_filter_and_back_at_80_columns(
    store: Store, framework: Framework
) -> None:
    app = make_app(store, framework)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("e")  # the experiment log: its own keys are its reason to be open
        await pilot.pause()
        bar = key_bar(app)
        assert "n New  l Link runs  C Compare  K Keep  x Abandon" in bar, bar
        assert "/ Filter" not in bar and "esc Back" not in bar, bar  # both in help (?)
        await pilot.resize_terminal(200, 30)
        await wait_until(pilot, lambda: "/ Filter" in key_bar(app), "the wider key bar")
        assert "esc Back" in key_bar(app)


# --- focus without colour ---------------------------------------------------------------------


def plain_cells(
    app: MlplApp, widget: Widget, dy: int = 0
) -> list[tuple[str, bool, bool, bool, bool]]:
    """The screen's cells on `widget`'s row (or `dy` rows below), without colour: character,
    bold, italic, underline and reverse video. Only what reads on a terminal with NO_COLOR."""
    region = widget.region
    strip = app.screen._compositor.render_strips()[region.y + dy]
    cells: list[tuple[str, bool, bool, bool, bool]] = []
    for text, style, _ in Segment.filter_control(strip):
        for char in text:
            if style is None:
                cells.append((char, False, False, False, False))
            else:
                cells.append(
                    (
                        char,
                        bool(style.bold),
                        bool(style.italic),
                        bool(style.underline),
                        bool(style.reverse),
                    )
                )
    return cells


def fields(screen: Any) -> list[Widget]:
    """The dialog's fields: every Input and Select that is shown."""
    return [w for w in screen.query("Input, Select") if w.display and w.parent.display]


DIALOGS = {
    "decision": ("d",),
    "log time": ("t",),
    "loop back": ("b",),
    "advance": ("a",),
    "new experiment": ("e", "n"),
    "abandon": ("e", "x"),
    "time on an experiment": ("e", "T"),
    "skip reason": ("2", "s", "down", "down", "down", "enter"),
}


@pytest.mark.parametrize("name", list(DIALOGS))
async def test_with_no_color_the_focused_field_of_every_dialog_is_marked(
    store: Store, framework: Framework, ctx: Context, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    """NO_COLOR takes away the compact fields' focus tint: a mark must remain."""
    monkeypatch.setenv("NO_COLOR", "1")
    reach(store, framework, ctx, "data")
    apply(store, framework, ctx, add_experiment, "Global model", hypothesis="one for all")
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        assert app.no_color
        await pilot.press(*DIALOGS[name])
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, FormModal), name
        for text_field in screen.query(Input):
            text_field.cursor_blink = False
        shown = fields(screen)
        assert shown, name
        for field in shown:
            field.focus()
            await pilot.pause()
            focused = plain_cells(app, field)
            screen.query_one("#cancel", Button).focus()
            await pilot.pause()
            blurred = plain_cells(app, field)
            assert focused != blurred, f"{name}: focus on #{field.id} does not show without colour"
            assert "▶" in "".join(c[0] for c in focused), f"{name}: #{field.id} is not pointed at"


async def test_with_no_color_a_drop_downs_highlighted_choice_is_underlined(
    store: Store, framework: Framework, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("d")
        await pilot.pause()
        app.screen.query_one("#status", Select).focus()
        await pilot.press("enter", "down")  # accepted -> rejected
        await pilot.pause()
        overlay = app.screen.query_one("SelectOverlay")
        left, right = overlay.region.x, overlay.region.right
        rows = [plain_cells(app, overlay, dy)[left:right] for dy in range(3)]
        underlined = [
            "".join(c[0] for c in row) for row in rows if any(c[3] for c in row if c[0].strip())
        ]
        assert len(underlined) == 1 and "rejected" in underlined[0], underlined


async def test_with_no_color_the_status_picker_points_at_the_highlighted_status(
    store: Store, framework: Framework, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("1", "s", "down")
        await pilot.pause()
        assert isinstance(app.screen, StatusModal)
        rows = [str(o.prompt) for o in app.screen.query_one("#statuses", StatusList).options]
        assert [r for r in rows if r.startswith("▶")] == ["▶ [~] doing    in progress"]


# --- a refusal clears when the user changes a field ------------------------------------------


def error_shown(app: MlplApp) -> bool:
    return app.screen.query_one("#error", Static).has_class("shown")


async def test_a_refusal_in_a_dialog_clears_when_a_field_is_changed(
    store: Store, framework: Framework
) -> None:
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("d", *keys("Only a title"), "ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, DecisionModal)
        assert error_shown(app) and "must not be empty" in screen_text(app.screen)
        await pilot.press("tab")  # moving on is no change: the refusal stays
        await pilot.pause()
        assert error_shown(app)
        await pilot.press("x")
        await pilot.pause()
        assert not error_shown(app)
        await pilot.press("backspace", "ctrl+s")  # refused again, then a choice in a drop-down
        await pilot.pause()
        assert error_shown(app)
        app.screen.query_one("#status", Select).value = "proposed"
        await pilot.pause()
        assert not error_shown(app)
    assert not store.load().decisions


async def test_a_refused_duration_clears_once_it_is_edited(
    store: Store, framework: Framework
) -> None:
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("t", *keys("lots"), "enter")
        await pilot.pause()
        assert isinstance(app.screen, EffortModal) and error_shown(app)
        await pilot.press("backspace")
        await pilot.pause()
        assert not error_shown(app)
        await pilot.press("enter")  # "lot" is still not a duration: refused again
        await pilot.pause()
        assert error_shown(app)


async def test_the_skip_reason_refusal_clears_when_a_reason_is_typed(
    store: Store, framework: Framework
) -> None:
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("1", "s", "down", "down", "down", "enter", "enter")
        await pilot.pause()
        assert isinstance(app.screen, StatusModal) and error_shown(app)
        await pilot.press("n")
        await pilot.pause()
        assert not error_shown(app)


# --- mouse: one click highlights, a double click opens ---------------------------------------


async def test_one_click_on_a_module_highlights_it_and_a_double_click_opens_the_picker(
    store: Store, framework: Framework
) -> None:
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("1")
        await pilot.pause()
        modules = app.screen.query_one(ModuleList)
        await pilot.click(modules, offset=(6, 3))  # the border, then the third row
        await pilot.pause()
        assert isinstance(app.screen, StageScreen)
        assert modules.module_id == "business.stakeholders"
        assert "Stakeholders" in str(app.screen.query_one("#module").render())
        await pilot.click(modules, offset=(6, 4), times=2)
        await pilot.pause()
        assert isinstance(app.screen, StatusModal)
        assert app.screen.module_id == "business.data-sources"
    assert not store.load().modules  # nothing was set by clicking


async def test_one_click_in_the_status_picker_only_highlights(
    store: Store, framework: Framework, ctx: Context
) -> None:
    apply(store, framework, ctx, set_status, "business.objectives", "done")
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("1", "s")
        await pilot.pause()
        statuses = app.screen.query_one("#statuses", StatusList)
        await pilot.click(statuses, offset=(4, 0))  # todo
        await pilot.pause()
        assert isinstance(app.screen, StatusModal)
        assert statuses.highlighted == 0
        assert store.load().modules["business.objectives"].status == "done"
        await pilot.click(statuses, offset=(4, 1), times=2)  # doing, for real
        await pilot.pause()
        assert isinstance(app.screen, StageScreen)
    assert store.load().modules["business.objectives"].status == "doing"


async def test_one_click_on_a_decision_highlights_it_and_a_double_click_follows_its_link(
    store: Store, framework: Framework, ctx: Context
) -> None:
    apply(store, framework, ctx, decide, "Daily grain", "per day")
    daily = store.load().decisions[0].id
    apply(store, framework, ctx, decide, "Weekly grain", "per week", supersedes=daily)
    apply(store, framework, ctx, decide, "Hold out Q4", "d")
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("D")
        await pilot.pause()
        listed = app.screen.query_one(RecordList)  # newest first: Hold out, Weekly, Daily
        await pilot.click(listed, offset=(8, 2))  # the border, then the second row: Weekly
        await pilot.pause()
        assert isinstance(app.screen, DecisionsScreen)
        assert listed.highlighted == 1  # highlighted, its link not followed
        assert "Weekly grain" in str(app.screen.query_one("#decision").render())
        await pilot.click(listed, offset=(8, 2), times=2)
        await pilot.pause()
        assert listed.record_id == daily  # opened: the supersedes link followed


# --- lists stop at their ends -----------------------------------------------------------------


async def test_up_at_the_top_of_the_status_picker_stays_on_todo(
    store: Store, framework: Framework
) -> None:
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("1", "s", "up", "k")
        await pilot.pause()
        statuses = app.screen.query_one("#statuses", StatusList)
        assert statuses.highlighted == 0  # todo, not revisit
        await pilot.press(*["down"] * 7, "j")
        await pilot.pause()
        assert statuses.highlighted == 4  # revisit, the last; no wrap back to todo
        await pilot.press("up", "up", "enter")
        await pilot.pause()
    assert store.load().modules["business.objectives"].status == "done"


async def test_a_done_module_cannot_be_set_to_todo_by_an_up_too_many(
    store: Store, framework: Framework, ctx: Context
) -> None:
    apply(store, framework, ctx, set_status, "business.objectives", "doing")
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("1", "s", "up", "up", "up", "enter")  # doing -> todo, then stays
        await pilot.pause()
    assert store.load().modules["business.objectives"].status == "todo"


async def test_the_module_list_stops_at_its_last_row(store: Store, framework: Framework) -> None:
    app = make_app(store, framework)
    count = len(framework.stage("data").modules)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2", *["j"] * (count + 2))
        await pilot.pause()
        modules = app.screen.query_one(ModuleList)
        assert modules.highlighted == count - 1
        await pilot.press("k")
        await pilot.pause()
        assert modules.highlighted == count - 2


# --- the stage screen's detail pane -----------------------------------------------------------


async def test_the_detail_pane_scrolls_with_j_and_k_once_focused(
    store: Store, framework: Framework, ctx: Context
) -> None:
    apply(
        store, framework, ctx, set_note, "data.acquisition", "\n".join(f"n{i}" for i in range(40))
    )
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2", "tab")
        await pilot.pause()
        detail = app.screen.query_one("#detail", ScrollPane)
        assert app.focused is detail
        assert detail.max_scroll_y > 3
        await pilot.press("j", "j", "j")
        await wait_until(pilot, lambda: detail.scroll_y >= 3, "the pane to scroll down")
        await pilot.press("k")
        await wait_until(pilot, lambda: detail.scroll_y == 2, "the pane to scroll up")
        assert app.screen.query_one(ModuleList).module_id == "data.acquisition"  # not moved
        for _ in range(3):  # a burst: three keys handled before the screen refreshes
            detail.action_scroll_down()
        assert detail.scroll_y == 5  # none lost (Textual's own scroll counts from a stale aim)
        await pilot.press("shift+tab", "j")  # back in the list, j moves the highlight again
        await pilot.pause()
        assert app.screen.query_one(ModuleList).module_id == "data.pre-processing"
        await wait_until(pilot, lambda: detail.scroll_y == 0, "a new module shown from the top")


async def test_the_focused_pane_shows_without_colour_and_the_scrollbar_stands_out(
    store: Store, framework: Framework
) -> None:
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2")
        await pilot.pause()
        modules = app.screen.query_one(ModuleList)
        detail = app.screen.query_one("#detail", ScrollPane)
        assert (modules.styles.border_top[0], detail.styles.border_top[0]) == ("heavy", "round")
        await pilot.press("tab")
        await pilot.pause()
        assert (modules.styles.border_top[0], detail.styles.border_top[0]) == ("round", "heavy")
        assert detail.show_vertical_scrollbar  # the module's text is longer than 24 rows allow
        thumb: Color = detail.styles.scrollbar_color
        track: Color = detail.styles.scrollbar_background
        assert abs(thumb.brightness - track.brightness) > 0.2, (thumb, track)


# --- one-line rows stay one line -----------------------------------------------------------


async def test_multi_line_texts_stay_on_one_line_in_rows_and_one_line_fields(
    store: Store, framework: Framework, ctx: Context
) -> None:
    reach(store, framework, ctx, "modelling")
    apply(store, framework, ctx, set_note, "modelling.baseline", "first\nsecond\nthird")
    apply(store, framework, ctx, decide, "Two\nlines", "d", stage="modelling")
    apply(store, framework, ctx, add_experiment, "exp\nment", hypothesis="h1\nh2")
    experiment = store.load().experiments[-1].id
    store.apply(lambda p: abandon_experiment(p, ctx, experiment, "r1\nr2"), ctx.who, ctx.now)
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3")
        await pilot.pause()
        for selector, rows in (("#decisions", 1), ("#experiments", 1)):
            section = app.screen.query_one(selector, Static)
            assert section.region.height == rows, selector
            assert "\\n" in str(section.render()), selector  # the newline, shown written out
        await pilot.press("d")
        await pilot.pause()
        for row in app.screen.query(".row"):
            assert row.region.height == 1
        supersedes = app.screen.query_one("#supersedes", Select)
        supersedes.value = store.load().decisions[-1].id
        await pilot.pause()
        assert supersedes.region.height == 1
        assert "Two\\nlines" in screen_text(app.screen)
