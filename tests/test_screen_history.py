"""Pilot tests of the journey and history screen (`h`): what is stored is what is listed, the
filters narrow it, and browsing never rewrites the file."""

from __future__ import annotations

from textual.widgets import Input

from mlpl_tui.framework import Framework
from mlpl_tui.lifecycle import Context, decide, log_effort, set_status, switch_back
from mlpl_tui.screens.history import HistoryScreen
from mlpl_tui.store import Store
from mlpl_tui.widgets.record_list import RecordList
from tests.apphelp import SIZE, finish_stage, keys, make_app, screen_text
from tests.conftest import apply
from tests.test_app_filters import burst


def listed(screen: object, list_id: str) -> list[str]:
    assert isinstance(screen, HistoryScreen)
    return screen.query_one(f"#{list_id}", RecordList).ids


def seed(store: Store, framework: Framework, ctx: Context) -> None:
    """Business passed, a loop back from Data, a decision and some effort."""
    finish_stage(store, framework, ctx, "business")
    apply(store, framework, ctx, set_status, "data.acquisition", "done")
    apply(store, framework, ctx, switch_back, "business", "data", "one season of history only")
    apply(store, framework, ctx, decide, "Weekly grain", "forecast per week")
    apply(store, framework, ctx, log_effort, "2h", note="grain workshop")


async def test_the_journey_lists_every_visit_with_how_it_was_entered_and_why(
    store: Store, framework: Framework, ctx: Context
) -> None:
    seed(store, framework, ctx)
    before = store.path.read_bytes()
    project = store.load()
    app = make_app(store, framework)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("h")
        await pilot.pause()
        assert isinstance(app.screen, HistoryScreen)
        text = screen_text(app.screen)
        assert "Journey: 3 visits, iteration 2, 1 loop back" in text
        assert listed(app.screen, "visits") == [v.id for v in reversed(project.visits)]
        assert " 1 it1  business   start" in text
        assert " 2 it1  data       advance" in text
        assert (
            " 3 it2  business   loop back 2026-03-02 10:00 → now  "
            "from data to business, data: one season of history only"
        ) in text
    assert store.path.read_bytes() == before  # browsing never writes


async def test_every_event_is_listed_newest_first_and_typing_filters_them(
    store: Store, framework: Framework, ctx: Context
) -> None:
    seed(store, framework, ctx)
    events = store.load().events
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("h")
        await pilot.pause()
        assert listed(app.screen, "events") == [e.id for e in reversed(events)]
        assert f"Events: {len(events)} of {len(events)}, newest first" in screen_text(app.screen)
        await pilot.press("slash", *keys("grain week"), "enter")
        await pilot.pause()
        (decision_event,) = [e for e in events if e.action == "decision.add"]
        assert listed(app.screen, "events") == [decision_event.id]
        assert "filtered by 'grain week'" in screen_text(app.screen)
        assert "Weekly grain" in str(app.screen.query_one("#event").render())
        await pilot.press("escape")  # from the list: clears the filters
        await pilot.pause()
        assert len(listed(app.screen, "events")) == len(events)


async def test_f_steps_through_the_actions_and_combines_with_the_text(
    store: Store, framework: Framework, ctx: Context
) -> None:
    seed(store, framework, ctx)
    events = store.load().events
    actions = sorted({e.action for e in events})
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("h", "f")
        await pilot.pause()
        first = actions[0]
        assert listed(app.screen, "events") == [e.id for e in reversed(events) if e.action == first]
        while app.screen.action_filter != "module.set":  # type: ignore[attr-defined]
            await pilot.press("f")
            await pilot.pause()
        module_sets = [e for e in reversed(events) if e.action == "module.set"]
        assert listed(app.screen, "events") == [e.id for e in module_sets]
        assert "f: module.set" in screen_text(app.screen)
        await pilot.press("F")  # one back, then forward again
        await pilot.pause()
        assert app.screen.action_filter == actions[actions.index("module.set") - 1]  # type: ignore[attr-defined]
        await pilot.press("f")
        await pilot.pause()
        await pilot.press("slash", *keys("acquisition"), "enter")
        await pilot.pause()
        assert listed(app.screen, "events") == [
            e.id for e in module_sets if "data.acquisition" in e.summary
        ]
        assert "No event matches" not in screen_text(app.screen)
        await pilot.press("slash", *keys(" nothing-like-this"), "escape")
        await pilot.pause()
        assert listed(app.screen, "events") == []
        assert "No event matches" in screen_text(app.screen)


async def test_a_change_made_elsewhere_shows_up_in_the_history(
    store: Store, framework: Framework, ctx: Context
) -> None:
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("h")
        await pilot.pause()
        apply(Store(store.path), framework, ctx, log_effort, "45m", note="outside")
        app.check_disk()
        await pilot.pause()
        assert "Logged 45m on business" in screen_text(app.screen)
        assert "effort.log" in app.screen._actions  # type: ignore[attr-defined]


LONG_REASON = (
    "the churn label was computed after the cancellation date, so every feature built from the "
    "last month of activity leaks the outcome into training"
)


async def test_the_full_switch_reason_and_every_value_a_change_replaced_can_be_read_and_found(
    store: Store, framework: Framework, ctx: Context
) -> None:
    finish_stage(store, framework, ctx, "business")
    apply(store, framework, ctx, set_status, "data.acquisition", "done", note="first draft")
    apply(store, framework, ctx, set_status, "data.acquisition", "done", note="second draft")
    apply(store, framework, ctx, switch_back, "business", "data", LONG_REASON)
    assert LONG_REASON.index("leaks") > 60
    project = store.load()
    app = make_app(store, framework)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("h")
        await pilot.pause()
        await pilot.press("slash", *keys("leaks"), "enter")
        await pilot.pause()
        (switch_event,) = [e for e in project.events if e.action == "stage.switch"]
        assert listed(app.screen, "events") == [switch_event.id]
        pane = str(app.screen.query_one("#event").render())
        assert LONG_REASON in pane.replace("\n", " ") or "leaks the outcome" in pane
        await pilot.press("escape")  # from the list: clears the filter (a second one goes back)
        await pilot.press("slash", *keys("first draft"), "enter")
        await pilot.pause()
        (note_event,) = [
            e for e in project.events if "second draft" in " ".join(map(str, e.changes or []))
        ]
        assert listed(app.screen, "events")[0] == note_event.id
        pane = str(app.screen.query_one("#event").render())
        assert "“first draft” → “second draft”" in pane
        app.screen.query_one("#visits", RecordList).focus()
        await pilot.press("home")
        await pilot.pause()
        pane = str(app.screen.query_one("#event").render())
        assert "into training" in pane and "by tester" in pane


async def test_a_burst_after_enter_or_escape_in_the_filter_goes_to_the_list(
    store: Store, framework: Framework, ctx: Context
) -> None:
    """A slow link sends the filter, `enter` and the next keys in one read: `f` then steps the
    action filter instead of landing in the text."""
    seed(store, framework, ctx)
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("h")
        await pilot.pause()
        assert isinstance(app.screen, HistoryScreen)
        await burst(pilot, "slash", *keys("grain"), "enter", "f")
        assert app.screen.query_one("#filter", Input).value == "grain"
        assert app.screen.action_filter is not None
        await pilot.press("F")  # back to all actions
        await pilot.press("slash", "end")  # the filter again, its text selected: go to its end
        await burst(pilot, "space", "escape", "f")
        assert app.screen.query_one("#filter", Input).value == "grain "
        assert app.screen.action_filter is not None
