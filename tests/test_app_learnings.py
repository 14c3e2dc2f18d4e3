"""Pilot tests of learnings in the terminal UI: `L` anywhere, the offer after a loop back or an
abandoned experiment, the learnings screen (`W`) with filter, edit, remove, and undo."""

from __future__ import annotations

from typing import Any

import pytest
from textual.app import App
from textual.widgets import Select, TextArea

from mlpl_tui import app as app_module
from mlpl_tui.framework import Framework
from mlpl_tui.learnings import learn
from mlpl_tui.lifecycle import Context, add_experiment, decide
from mlpl_tui.screens.learnings import LearningsScreen
from mlpl_tui.screens.modals.confirm import ConfirmModal
from mlpl_tui.screens.modals.edit_conflict import EditConflictModal
from mlpl_tui.screens.modals.learning import LearningEditModal, LearningModal
from mlpl_tui.screens.modals.text_view import TextModal
from mlpl_tui.screens.stage import StageScreen
from mlpl_tui.store import Store
from mlpl_tui.widgets.record_list import RecordList
from tests.apphelp import SIZE, keys, make_app, reach, screen_text, wait_until
from tests.conftest import apply


def notes(app: App[Any]) -> str:
    return "\n".join(f"{n.title}: {n.message}" for n in app._notifications)


def value(app: App[Any], selector: str) -> object:
    return app.screen.query_one(selector, Select).value


async def test_L_notes_a_learning_about_the_highlighted_module(
    store: Store, framework: Framework
) -> None:
    app = make_app(store, framework)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("2", "j", "L")
        await wait_until(pilot, lambda: isinstance(app.screen, LearningModal), "the dialog")
        assert "What did this teach us?" in screen_text(app.screen)
        assert value(app, "#place") == "data.pre-processing"
        assert value(app, "#source") == Select.NULL
        await pilot.press(*keys("Holidays shift demand"), "enter", *keys("by a week"), "ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, StageScreen), "the stage screen")
        assert "noted" in notes(app)
    (learning,) = store.load().learnings
    assert learning.text == "Holidays shift demand\nby a week"
    assert (learning.stage, learning.module, learning.sources) == (
        "data",
        "data.pre-processing",
        (),
    )


async def test_escape_in_the_learning_dialog_writes_nothing(
    store: Store, framework: Framework
) -> None:
    before = store.path.read_bytes()
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("L")
        await wait_until(pilot, lambda: isinstance(app.screen, LearningModal), "the dialog")
        await pilot.press(*keys("half a thought"), "escape")
        await pilot.pause()
        assert not isinstance(app.screen, LearningModal)
        await pilot.press("L", "ctrl+s")  # an empty learning is refused inside the dialog
        await pilot.pause()
        assert isinstance(app.screen, LearningModal)
        assert "must not be empty" in screen_text(app.screen)
        await pilot.press("escape")
        await pilot.pause()
    assert store.path.read_bytes() == before


async def test_after_a_loop_back_L_offers_the_switch_as_the_source(
    store: Store, framework: Framework, ctx: Context
) -> None:
    reach(store, framework, ctx, "modelling")
    app = make_app(store, framework)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("3", "b", *keys("only one season of data"), "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, StageScreen), "the stage screen")
        switch = store.load().switches[-1]
        assert "What did this teach us?" in notes(app)
        await pilot.press("L")
        await wait_until(pilot, lambda: isinstance(app.screen, LearningModal), "the dialog")
        assert value(app, "#source") == switch.id
        assert value(app, "#place") == "modelling"  # learnt where the loop back started
        assert "only one season of data" in screen_text(app.screen)
        await pilot.press(*keys("ask for three years of sales up front"), "ctrl+s")
        await pilot.pause()
        await pilot.press("L")  # the offer is taken: the next learning is about this screen
        await wait_until(pilot, lambda: isinstance(app.screen, LearningModal), "the dialog")
        assert value(app, "#source") == Select.NULL
        await pilot.press("escape")
        await pilot.pause()
    (learning,) = store.load().learnings
    assert learning.sources == (switch.id,)
    assert learning.stage == "modelling"


async def test_the_offer_runs_out(
    store: Store, framework: Framework, ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(app_module, "OFFER_SECONDS", -1)  # over as soon as it is made
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("b", *keys("scope moved"), "enter")
        await pilot.pause()
        assert store.load().switches
        await pilot.press("L")
        await wait_until(pilot, lambda: isinstance(app.screen, LearningModal), "the dialog")
        assert value(app, "#source") == Select.NULL


async def test_after_abandoning_an_experiment_L_offers_it_as_the_source(
    store: Store, framework: Framework, ctx: Context
) -> None:
    apply(store, framework, ctx, add_experiment, "Prophet", module="modelling.training")
    experiment = store.load().experiments[-1].id
    app = make_app(store, framework)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("e", "x", *keys("no better than last year"), "enter")
        await pilot.pause()
        assert "What did this teach us?" in notes(app)
        await pilot.press("L")
        await wait_until(pilot, lambda: isinstance(app.screen, LearningModal), "the dialog")
        assert value(app, "#source") == experiment
        assert value(app, "#place") == "modelling.training"
        await pilot.press(*keys("seasonality alone is not enough"), "ctrl+s")
        await pilot.pause()
    (learning,) = store.load().learnings
    assert (learning.sources, learning.module) == ((experiment,), "modelling.training")


async def test_learnings_screen_lists_filters_shows_in_full_edits_and_removes(
    store: Store, framework: Framework, ctx: Context
) -> None:
    apply(store, framework, ctx, decide, "Weekly forecasts", "weekly")
    decision = store.load().decisions[-1].id
    apply(store, framework, ctx, learn, "Stores close on holidays", sources=[decision])
    apply(store, framework, ctx, learn, "Weather barely matters", stage="data")
    app = make_app(store, framework)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("W")
        await wait_until(pilot, lambda: isinstance(app.screen, LearningsScreen), "learnings")
        text = screen_text(app.screen)
        assert "Learnings: 2" in text
        assert "Weather barely matters" in text and "Stores close on holidays" in text
        await pilot.press("/", *keys("holidays"), "enter")
        await pilot.pause()
        assert "Learnings: 1 of 2" in screen_text(app.screen)
        shown = str(app.screen.query_one("#learning").render())
        assert "decision Weekly forecasts (accepted)" in shown  # its source, in words
        await pilot.press("enter")  # the learning in full
        await wait_until(pilot, lambda: isinstance(app.screen, TextModal), "the full text")
        assert "Stores close on holidays" in screen_text(app.screen)
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("E")
        await wait_until(pilot, lambda: isinstance(app.screen, LearningEditModal), "edit")
        area = app.screen.query_one("#text", TextArea)
        assert area.text == "Stores close on holidays"
        area.text = "Stores close on public holidays"
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, LearningsScreen), "learnings")
        edited = next(x for x in store.load().learnings if x.sources)
        assert edited.text == "Stores close on public holidays"
        await pilot.press("X")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmModal), "the question")
        await pilot.press("n")  # keep it
        await pilot.pause()
        assert len(store.load().learnings) == 2
        await pilot.press("X", "y")
        await pilot.pause()
        assert [x.text for x in store.load().learnings] == ["Weather barely matters"]
        assert "removed" in notes(app)


async def test_an_edit_over_a_change_made_meanwhile_asks_which_to_keep(
    store: Store, framework: Framework, ctx: Context
) -> None:
    from mlpl_tui.learnings import edit_learning

    apply(store, framework, ctx, learn, "first words")
    learning = store.load().learnings[-1].id
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("W", "E")
        await wait_until(pilot, lambda: isinstance(app.screen, LearningEditModal), "edit")
        other = Context("bob", ctx.now)
        store.apply(
            lambda p: edit_learning(p, framework, other, learning, text="bob's words"),
            "bob",
            ctx.now,
        )
        app.screen.query_one("#text", TextArea).text = "my words"
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, EditConflictModal), "conflict")
        assert store.load().learnings[-1].text == "bob's words"  # not overwritten
        await pilot.press("m")  # keep mine, knowingly
        await wait_until(pilot, lambda: isinstance(app.screen, LearningsScreen), "learnings")
    assert store.load().learnings[-1].text == "my words"


async def test_u_undoes_a_learning_just_noted(store: Store, framework: Framework) -> None:
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("W")
        await wait_until(pilot, lambda: isinstance(app.screen, LearningsScreen), "learnings")
        await pilot.press("n")
        await wait_until(pilot, lambda: isinstance(app.screen, LearningModal), "the dialog")
        await pilot.press(*keys("check the units first"), "ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, LearningsScreen), "learnings")
        learning = store.load().learnings[-1].id
        assert app.screen.query_one(RecordList).record_id == learning  # highlighted
        await pilot.press("u")
        await pilot.pause()
        assert store.load().learnings == ()
        assert "No learnings yet" in screen_text(app.screen)


async def test_the_edit_dialog_ticks_and_unticks_what_taught_it_and_u_undoes(
    store: Store, framework: Framework, ctx: Context
) -> None:
    apply(store, framework, ctx, decide, "Weekly forecasts", "weekly")
    weekly = store.load().decisions[-1].id
    apply(store, framework, ctx, decide, "Daily forecasts", "daily")
    daily = store.load().decisions[-1].id
    apply(store, framework, ctx, learn, "Planners think in weeks", sources=[weekly])
    app = make_app(store, framework)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("W", "E")
        await wait_until(pilot, lambda: isinstance(app.screen, LearningEditModal), "edit")
        assert app.screen.query_one("#save").display  # a Save button, not only ctrl+s
        sources = app.screen.query_one("#sources", RecordList)
        assert sources.ids[0] == weekly and sources.marked == {weekly}  # its own first, ticked
        assert daily in sources.ids  # then the recent ones to choose from
        await pilot.press("space")  # in the text: a space typed, nothing ticked
        assert sources.marked == {weekly}
        app.screen.query_one("#text", TextArea).text = "Planners think in weeks"
        await pilot.press("tab", "tab")  # About, then From
        assert app.focused is sources
        await pilot.press("space")  # untick the weekly decision
        while sources.record_id != daily:
            await pilot.press("down")
        await pilot.press("space", "ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, LearningsScreen), "learnings")
        assert list(store.load().learnings[-1].sources) == [daily]
        assert "(u undoes)" in notes(app)
        await pilot.press("u")
        await pilot.pause()
        assert list(store.load().learnings[-1].sources) == [weekly]
        await pilot.press("E")  # escape in the dialog writes nothing
        await wait_until(pilot, lambda: isinstance(app.screen, LearningEditModal), "edit")
        await pilot.press("tab", "tab", "space", "escape")
        await wait_until(pilot, lambda: isinstance(app.screen, LearningsScreen), "learnings")
        assert list(store.load().learnings[-1].sources) == [weekly]


async def test_sources_changed_meanwhile_are_a_conflict_shown_in_words(
    store: Store, framework: Framework, ctx: Context
) -> None:
    from mlpl_tui.learnings import edit_learning

    apply(store, framework, ctx, decide, "Weekly forecasts", "weekly")
    weekly = store.load().decisions[-1].id
    apply(store, framework, ctx, decide, "Daily forecasts", "daily")
    apply(store, framework, ctx, learn, "Planners think in weeks")
    learning = store.load().learnings[-1].id
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("W", "E")
        await wait_until(pilot, lambda: isinstance(app.screen, LearningEditModal), "edit")
        other = Context("bob", ctx.now)
        store.apply(
            lambda p: edit_learning(p, framework, other, learning, sources=[weekly]),
            "bob",
            ctx.now,
        )
        await pilot.press("tab", "tab", "space", "ctrl+s")  # I tick the newest: the daily one
        await wait_until(pilot, lambda: isinstance(app.screen, EditConflictModal), "conflict")
        assert "decision Weekly forecasts (accepted)" in screen_text(app.screen)
        await pilot.press("t")  # keep theirs: nothing of mine left to save
        await wait_until(pilot, lambda: isinstance(app.screen, LearningsScreen), "learnings")
    assert list(store.load().learnings[-1].sources) == [weekly]
