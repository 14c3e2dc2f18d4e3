"""Pilot tests of the decisions screen (`D`): keys in, stored decisions out."""

from __future__ import annotations

from textual.widgets import Input, Select

from mlpl_tui.app import MlplApp
from mlpl_tui.framework import Framework
from mlpl_tui.lifecycle import Context, decide
from mlpl_tui.screens.decisions import DecisionsScreen
from mlpl_tui.screens.modals import DecisionModal
from mlpl_tui.screens.modals.decision_edit import TEXTS, DecisionEditModal
from mlpl_tui.store import Store
from mlpl_tui.widgets.bars import KeyBar
from mlpl_tui.widgets.record_list import RecordList
from tests.apphelp import (
    NOW,
    SIZE,
    keys,
    make_app,
    palette_highlight,
    screen_text,
    wait_until,
)
from tests.conftest import apply


def detail(screen: object) -> str:
    assert isinstance(screen, DecisionsScreen)
    return str(screen.query_one("#decision").render())


def seed(store: Store, framework: Framework, ctx: Context) -> tuple[str, str, str]:
    """Three decisions: 'Daily grain' superseded by 'Weekly grain', and an open 'Use MAPE'."""
    apply(store, framework, ctx, decide, "Daily grain", "forecast per day", stage="data")
    daily = store.load().decisions[-1].id
    apply(
        store,
        framework,
        ctx,
        decide,
        "Weekly grain",
        "forecast per week",
        context="planners order weekly",
        rationale="matches replenishment",
        module="data.cleaning",
        supersedes=daily,
    )
    weekly = next(d.id for d in store.load().decisions if d.title == "Weekly grain")
    apply(store, framework, ctx, decide, "Use MAPE", "report MAPE", status="proposed")
    mape = next(d.id for d in store.load().decisions if d.title == "Use MAPE")
    return daily, weekly, mape


async def test_lists_every_decision_and_shows_the_highlighted_one_with_both_links(
    store: Store, framework: Framework, ctx: Context
) -> None:
    daily, weekly, mape = seed(store, framework, ctx)
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("D")
        await pilot.pause()
        assert isinstance(app.screen, DecisionsScreen)
        text = screen_text(app.screen)
        assert "All decisions: 3" in text
        assert "superseded data                   Daily grain" in text and "Daily grain" in text
        assert "accepted   data/cleaning          Weekly grain" in text
        assert "proposed" in text and "Use MAPE" in text
        # Ids are fixed (id0001...), so the order within one second is by id: newest first.
        assert app.screen.query_one(RecordList).ids == [mape, weekly, daily]
        await pilot.press("j")  # Weekly grain
        await pilot.pause()
        shown = detail(app.screen)
        assert f"Supersedes:    {daily} Daily grain (superseded)" in shown
        assert "Superseded by: -" in shown
        assert "planners order weekly" in shown and "matches replenishment" in shown
        await pilot.press("j")  # Daily grain: the other direction
        await pilot.pause()
        assert f"Superseded by: {weekly} Weekly grain (accepted)" in detail(app.screen)


async def test_n_records_a_new_decision_and_highlights_it(
    store: Store, framework: Framework
) -> None:
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("D")
        await pilot.pause()
        assert "No decisions yet" in screen_text(app.screen)
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, DecisionModal)
        await pilot.press(*keys("Hold out Q4"), "tab", "tab", *keys("test on Q4 only"), "ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, DecisionsScreen)
        (decision,) = store.load().decisions
        assert (decision.title, decision.decision) == ("Hold out Q4", "test on Q4 only")
        assert (decision.status, decision.stage, decision.created_at) == (
            "accepted",
            "business",
            NOW,
        )
        assert app.screen.query_one(RecordList).record_id == decision.id
        assert "Hold out Q4" in detail(app.screen)


async def test_s_supersedes_the_highlighted_decision_and_links_both_ways(
    store: Store, framework: Framework, ctx: Context
) -> None:
    _daily, weekly, mape = seed(store, framework, ctx)
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("D", "j")  # Weekly grain
        await pilot.pause()
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, DecisionModal)
        assert "for data.cleaning" in screen_text(app.screen)
        await pilot.press(*keys("Biweekly grain"), "tab", "tab", *keys("per fortnight"), "ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, DecisionsScreen)
    project = store.load()
    new = next(d for d in project.decisions if d.title == "Biweekly grain")
    old = project.decision(weekly)
    assert old is not None
    assert (new.supersedes, old.superseded_by, old.status) == (weekly, new.id, "superseded")
    assert (new.stage, new.module) == ("data", "data.cleaning")
    assert project.decision(mape).status == "proposed"


async def test_s_on_a_superseded_decision_is_refused_and_changes_nothing(
    store: Store, framework: Framework, ctx: Context
) -> None:
    seed(store, framework, ctx)
    before = store.path.read_bytes()
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("D", "j", "j", "s")  # Daily grain is already superseded
        await pilot.pause()
        assert isinstance(app.screen, DecisionsScreen)
        assert any("already superseded" in str(n.message) for n in app._notifications)
    assert store.path.read_bytes() == before


async def test_g_and_enter_follow_the_supersedes_link(
    store: Store, framework: Framework, ctx: Context
) -> None:
    daily, weekly, _mape = seed(store, framework, ctx)
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("D", "j", "g")  # Weekly grain -> the one it supersedes
        await pilot.pause()
        listing = app.screen.query_one(RecordList)
        assert listing.record_id == daily
        await pilot.press("enter")  # Daily grain -> its successor
        await pilot.pause()
        assert listing.record_id == weekly


async def test_a_decision_added_from_another_terminal_appears(
    store: Store, framework: Framework, ctx: Context
) -> None:
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("D")
        await pilot.pause()
        apply(Store(store.path), framework, ctx, decide, "Outside call", "made elsewhere")
        app.check_disk()
        await pilot.pause()
        assert "Outside call" in screen_text(app.screen)


async def test_the_palette_supersedes_the_highlighted_decision(
    store: Store, framework: Framework, ctx: Context
) -> None:
    _daily, weekly, _mape = seed(store, framework, ctx)
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("D", "j", "ctrl+p")
        await pilot.pause()
        await pilot.press(*keys("supersede the highlighted"))
        await wait_until(
            pilot,
            lambda: "supersede the highlighted" in palette_highlight(app.screen).lower(),
            "the palette to find 'supersede the highlighted'",
        )
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, DecisionModal)
        assert app.screen.supersedes == weekly
        await pilot.press(*keys("Monthly grain"), "tab", "tab", *keys("per month"), "ctrl+s")
        await pilot.pause()
    project = store.load()
    assert project.decision(weekly).superseded_by == project.decisions[-1].id  # type: ignore[union-attr]


# --- corrections: edit, and the status moves the rules allow --------------------------------


def key_bar(screen: object) -> str:
    assert isinstance(screen, DecisionsScreen)
    return str(screen.query_one(KeyBar).render())


def notes(app: MlplApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def test_E_edits_the_highlighted_decision_and_the_history_keeps_the_old_texts(
    store: Store, framework: Framework, ctx: Context
) -> None:
    _daily, weekly, _mape = seed(store, framework, ctx)
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("D", "j", "E")  # Weekly grain
        await pilot.pause()
        assert isinstance(app.screen, DecisionEditModal)
        fields = {name: app.screen.query_one(f"#{name}", Input).value for name in TEXTS}
        assert fields == {
            "title": "Weekly grain",
            "context": "planners order weekly",
            "decision": "forecast per week",
            "rationale": "matches replenishment",
        }
        assert app.screen.query_one("#place", Select).value == "data.cleaning"
        await pilot.press("tab", "end", *keys(" and stores"))  # context
        app.screen.query_one("#place", Select).value = "modelling"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, DecisionsScreen)
        assert app.screen.query_one(RecordList).record_id == weekly
        assert "planners order weekly and stores" in detail(app.screen)
    project = store.load()
    decision = project.decision(weekly)
    assert decision is not None
    assert (decision.context, decision.stage, decision.module) == (
        "planners order weekly and stores",
        "modelling",
        None,
    )
    assert (decision.title, decision.rationale) == ("Weekly grain", "matches replenishment")
    event = project.events[-1]
    assert (event.action, event.by) == ("decision.edit", "tester")
    (change,) = event.changes
    assert change["before"] == {
        "context": "planners order weekly",
        "stage": "data",
        "module": "data.cleaning",
    }
    assert change["after"]["context"] == "planners order weekly and stores"


async def test_E_with_nothing_changed_writes_nothing(
    store: Store, framework: Framework, ctx: Context
) -> None:
    seed(store, framework, ctx)
    before = store.path.read_bytes()
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("D", "E", "ctrl+s", "E", *keys("Changed"), "escape")
        await pilot.pause()
        assert isinstance(app.screen, DecisionsScreen)
    assert store.path.read_bytes() == before


async def test_moves_follow_the_rules_and_the_key_bar_shows_only_those_allowed(
    store: Store, framework: Framework, ctx: Context
) -> None:
    _daily, _weekly, mape = seed(store, framework, ctx)
    app = make_app(store, framework)
    async with app.run_test(size=(160, 30)) as pilot:
        await pilot.press("D")  # Use MAPE, proposed
        await pilot.pause()
        bar = key_bar(app.screen)
        assert "A Accept" in bar and "R Reject" in bar and "E Edit" in bar
        assert "X Deprecate" not in bar and "P Reopen" not in bar
        assert "Status: proposed → A accept, R reject" in detail(app.screen)
        before = store.path.read_bytes()
        await pilot.press("X")  # not allowed: refused in words, nothing written
        await pilot.pause()
        assert any("is proposed: it can become accepted or rejected" in n for n in notes(app))
        assert store.path.read_bytes() == before
        statuses = []
        for key in ("R", "P", "A", "X", "A"):
            await pilot.press(key)
            await pilot.pause()
            statuses.append(store.load().decision(mape).status)  # type: ignore[union-attr]
        assert statuses == ["rejected", "proposed", "accepted", "deprecated", "accepted"]
        bar = key_bar(app.screen)
        assert "X Deprecate" in bar and "A Accept" not in bar and "R Reject" not in bar
        await pilot.press("j", "j")  # Daily grain, superseded: no moves at all
        await pilot.pause()
        bar = key_bar(app.screen)
        assert not any(word in bar for word in ("Accept", "Reject", "Deprecate", "Reopen"))
        assert "Status: superseded (final)" in detail(app.screen)
    project = store.load()
    moves = [e for e in project.events if e.action == "decision.status"]
    assert [(m.changes[0]["before"]["status"], m.changes[0]["after"]["status"]) for m in moves] == [
        ("proposed", "rejected"),
        ("rejected", "proposed"),
        ("proposed", "accepted"),
        ("accepted", "deprecated"),
        ("deprecated", "accepted"),
    ]


async def test_a_move_and_its_undo_from_the_decisions_screen(
    store: Store, framework: Framework, ctx: Context
) -> None:
    _daily, _weekly, mape = seed(store, framework, ctx)
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("D", "A")
        await pilot.pause()
        assert store.load().decision(mape).status == "accepted"  # type: ignore[union-attr]
        await pilot.press("u")
        await pilot.pause()
        assert "Status: proposed" in detail(app.screen)
    assert store.load().decision(mape).status == "proposed"  # type: ignore[union-attr]
