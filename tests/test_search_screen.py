"""Pilot tests of the search screen (palette: "Search…"): words in, hits out, `enter` opens the
record on its own screen with it highlighted, `escape` goes back; browsing never writes."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot
from textual.widgets import Input

from mlpl_tui.app import MlplApp
from mlpl_tui.framework import Framework
from mlpl_tui.lifecycle import (
    Context,
    advance,
    decide,
    log_effort,
    set_note,
    set_status,
    switch_back,
)
from mlpl_tui.model import Project
from mlpl_tui.screens.decisions import DecisionsScreen
from mlpl_tui.screens.history import HistoryScreen
from mlpl_tui.screens.record_screen import RecordScreen
from mlpl_tui.screens.search import SearchScreen
from mlpl_tui.screens.stage import StageScreen
from mlpl_tui.store import Store
from mlpl_tui.widgets.record_list import RecordList
from tests.apphelp import SIZE, keys, make_app, palette_highlight, screen_text, wait_until
from tests.conftest import apply

REASON = (
    "The train/test split was random over days, so the model saw the future of every "
    "held-out week: a leak that makes every result optimistic"
)


def seed(store: Store, framework: Framework, ctx: Context) -> Project:
    """A note, effort, a loop back with a long reason and a decision, each with its own words."""
    for module in framework.stage("business").required_modules:
        apply(store, framework, ctx, set_status, module.id, "done")
    apply(store, framework, ctx, set_note, "business.constraints", "No zebra crossings in PII")
    apply(store, framework, ctx, log_effort, "2h", note="Giraffe workshop")
    apply(store, framework, ctx, advance)
    apply(store, framework, ctx, switch_back, "business", "data", REASON)
    apply(store, framework, ctx, decide, "Weekly grain", "Per week", rationale="Planners, okapi")
    return store.load()


async def open_search(pilot: Pilot[Any], words: str, palette: bool = False) -> SearchScreen:
    """Open the search (from the command palette, or by its action) and type `words`."""
    app = pilot.app
    if palette:
        await pilot.press("ctrl+p", *keys("Search"))
        await wait_until(
            pilot,
            lambda: "Search…" in palette_highlight(app.screen),
            "the palette to offer Search…",
        )
        await pilot.press("enter")
    else:
        await app.run_action("search")
    await wait_until(pilot, lambda: isinstance(app.screen, SearchScreen), "the search screen")
    await pilot.press(*keys(words))
    screen = app.screen
    assert isinstance(screen, SearchScreen)
    return screen


def hit_ids(screen: SearchScreen) -> list[str]:
    return screen.query_one("#hits", RecordList).ids


async def test_the_palette_opens_the_search_and_typing_lists_the_hits(
    store: Store, framework: Framework, ctx: Context
) -> None:
    project = seed(store, framework, ctx)
    before = store.path.read_bytes()
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_search(pilot, "leak optimistic", palette=True)
        assert app.screen.focused is screen.query_one("#words", Input)
        (switch,) = project.switches
        (event,) = [e for e in project.events if switch.id in e.refs]
        assert hit_ids(screen) == [f"switch:{switch.id}", f"event:{event.id}"]
        text = screen_text(screen)
        assert "2 matches for “leak optimistic”: 1 record, 1 in the history" in text
        assert "switch     …" in text and "a leak that makes every result" in text
        # The highlighted hit in full: what, which field, and where enter leads.
        pane = str(screen.query_one("#hit").render())
        assert "Back from data to business (data)" in pane
        assert "reason: " in pane and "enter opens the journey and history" in pane
        await pilot.press(*keys(" giraffe"))
        await pilot.pause()
        assert hit_ids(screen) == []
        assert "No match for “leak optimistic giraffe”" in screen_text(screen)
    assert store.path.read_bytes() == before  # searching never writes


async def test_enter_opens_a_decision_on_the_decisions_screen_highlighted(
    store: Store, framework: Framework, ctx: Context
) -> None:
    project = seed(store, framework, ctx)
    (decision,) = project.decisions
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await open_search(pilot, "okapi")
        await pilot.press("enter", "enter")  # to the hits, then open the first
        await wait_until(
            pilot, lambda: isinstance(app.screen, DecisionsScreen), "the decisions screen"
        )
        await wait_until(
            pilot,
            lambda: isinstance(app.screen, RecordScreen) and app.screen.record_id == decision.id,
            "the decision highlighted",
        )


async def test_a_loop_back_opens_the_history_at_its_visit_and_an_event_at_itself(
    store: Store, framework: Framework, ctx: Context
) -> None:
    project = seed(store, framework, ctx)
    (switch,) = project.switches
    (visit,) = [v for v in project.visits if v.switch == switch.id]
    (event,) = [e for e in project.events if switch.id in e.refs]
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await open_search(pilot, "leak")
        await pilot.press("enter", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, HistoryScreen), "the history")
        visits = app.screen.query_one("#visits", RecordList)
        await wait_until(pilot, lambda: visits.record_id == visit.id, "the visit highlighted")
        assert app.screen.focused is visits
        # The pane below shows that visit, with the whole reason of the loop back.
        pane = app.screen.query_one("#event")
        await wait_until(pilot, lambda: "a leak that makes" in str(pane.render()), "the reason")

        await open_search(pilot, "leak")
        await pilot.press("enter", "down", "enter")  # the second hit: the event
        history = app.screen
        assert isinstance(history, HistoryScreen)
        events = history.query_one("#events", RecordList)
        await wait_until(pilot, lambda: events.record_id == event.id, "the event highlighted")
        assert history.focused is events
        assert event.summary in str(history.query_one("#event").render())


async def test_an_event_hidden_by_the_history_filter_is_shown_with_the_filter_cleared(
    store: Store, framework: Framework, ctx: Context
) -> None:
    project = seed(store, framework, ctx)
    (event,) = [e for e in project.events if e.action == "stage.switch"]
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("h", "slash", *keys("okapi"), "enter")
        await pilot.pause()
        history = app.screen
        assert isinstance(history, HistoryScreen)
        assert event.id not in history.query_one("#events", RecordList).ids
        await open_search(pilot, "switched")  # only the event's summary says it
        await pilot.press("enter", "enter")
        events = history.query_one("#events", RecordList)
        await wait_until(pilot, lambda: events.record_id == event.id, "the event highlighted")
        assert history.query_one("#filter", Input).value == ""


async def test_a_module_opens_on_its_stage_and_effort_on_the_effort_list(
    store: Store, framework: Framework, ctx: Context
) -> None:
    project = seed(store, framework, ctx)
    (effort,) = project.effort
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await open_search(pilot, "zebra")
        await pilot.press("enter", "enter")
        await wait_until(
            pilot,
            lambda: (
                isinstance(app.screen, StageScreen)
                and app.screen.stage_id == "business"
                and app.screen.highlighted_module == "business.constraints"
            ),
            "business.constraints highlighted on its stage",
        )
        await open_search(pilot, "giraffe")
        await pilot.press("enter", "enter")
        await wait_until(
            pilot,
            lambda: isinstance(app.screen, RecordScreen) and app.screen.record_id == effort.id,
            "the effort entry highlighted",
        )


async def test_escape_goes_back_to_the_screen_the_search_was_opened_from(
    store: Store, framework: Framework, ctx: Context
) -> None:
    seed(store, framework, ctx)
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2")
        await pilot.pause()
        stage = app.screen
        assert isinstance(stage, StageScreen)
        screen = await open_search(pilot, "zebra")
        await pilot.press("enter")  # into the hits: escape leaves from there too
        assert app.screen.focused is screen.query_one("#hits", RecordList)
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is stage
        await open_search(pilot, "zebra")
        await pilot.press("escape")  # from the words
        await pilot.pause()
        assert app.screen is stage


async def test_slash_goes_back_to_the_words_and_letters_stay_in_the_field(
    store: Store, framework: Framework, ctx: Context
) -> None:
    seed(store, framework, ctx)
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_search(pilot, "zebra")
        await pilot.press("enter", "slash", *keys("qadbt"))  # app keys would open dialogs
        await pilot.pause()
        assert app.screen is screen
        # Back in the field the words are selected: typing replaces them.
        assert screen.query_one("#words", Input).value == "qadbt"


async def test_hits_show_stored_text_cleaned_and_never_as_markup(
    store: Store, framework: Framework, ctx: Context
) -> None:
    evil = "zebra [bold red]loud[/] \x1b]52;c;aGk=\x07 \u202eevil"
    apply(store, framework, ctx, set_note, "business.objectives", evil)
    app: MlplApp = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_search(pilot, "zebra")
        text = screen_text(screen)
        assert "zebra [bold red]loud[/] \\x1b]52;c;aGk=\\x07 U+202Eevil" in text
        assert "\x1b" not in text and "\u202e" not in text


async def test_the_hits_follow_a_change_on_disk(
    store: Store, framework: Framework, ctx: Context
) -> None:
    seed(store, framework, ctx)
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_search(pilot, "zebra")
        assert len(hit_ids(screen)) == 2  # the note, and the event that wrote it
        other = Store(store.path)  # another terminal
        apply(other, framework, ctx, set_note, "data.cleaning", "Zebra ids deduplicated")
        app.check_disk()  # the poll, driven from the test
        await wait_until(pilot, lambda: len(hit_ids(screen)) == 4, "the new note found")


async def test_a_learning_and_an_artifact_open_where_they_are_listed(
    store: Store, framework: Framework, ctx: Context
) -> None:
    from mlpl_tui.artifacts import attach
    from mlpl_tui.learnings import learn
    from mlpl_tui.widgets.artifact_list import ArtifactList

    apply(store, framework, ctx, learn, "Quokka labels arrive a week late")
    apply(store, framework, ctx, attach, "data-report", "https://wiki.example.com/quokka")
    (learning,) = store.load().learnings
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await open_search(pilot, "quokka labels")
        await pilot.press("enter", "enter")
        await wait_until(
            pilot,
            lambda: isinstance(app.screen, RecordScreen) and app.screen.record_id == learning.id,
            "the learning highlighted",
        )
        await open_search(pilot, "quokka wiki")
        await pilot.press("enter", "enter")
        await wait_until(
            pilot,
            lambda: (
                bool(app.screen.query(ArtifactList))
                and app.screen.query_one(ArtifactList).artifact_id == "data-report"
                and app.screen.focused is app.screen.query_one(ArtifactList)
            ),
            "the artifact highlighted on its stage",
        )
