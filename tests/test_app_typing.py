"""Keys typed in one burst (a paste, a fast typist over SSH) after a key that opens a text field
land in that field: none of them reaches the screen's single-letter bindings."""

from __future__ import annotations

from textual import events
from textual.keys import _character_to_key
from textual.widgets import Input, TextArea

from mlpl_tui.app import MlplApp
from mlpl_tui.framework import Framework
from mlpl_tui.screens.history import HistoryScreen
from mlpl_tui.screens.stage import StageScreen
from mlpl_tui.store import Store
from tests.apphelp import SIZE, make_app, wait_until


def burst(app: MlplApp, text: str) -> None:
    """Queue every key at once, as a terminal delivers a burst, without waiting in between."""
    driver = app._driver
    assert driver is not None
    for character in text:
        key = character if character.isalnum() else _character_to_key(character)
        event = events.Key(key, character)
        event.set_sender(app)
        driver.send_message(event)


async def test_a_filter_typed_in_one_burst_goes_into_the_filter(
    store: Store, framework: Framework
) -> None:
    before = store.path.read_bytes()
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("h")
        await pilot.pause()
        assert isinstance(app.screen, HistoryScreen)
        history = app.screen
        field = history.query_one("#filter", Input)
        burst(app, "/advance runs/42")
        await wait_until(
            pilot,
            lambda: field.value == "advance runs/42" or app.screen is not history,
            "the burst to land in the filter",
        )
        assert app.screen is history, "a letter opened another screen"
    assert store.path.read_bytes() == before


async def test_a_note_typed_in_one_burst_goes_into_the_note(
    store: Store, framework: Framework
) -> None:
    before = store.path.read_bytes()
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("1")
        await pilot.pause()
        assert isinstance(app.screen, StageScreen)
        stage = app.screen
        editor = stage.query_one("#note-editor", TextArea)
        burst(app, "nasked the data team, no answer")
        await wait_until(
            pilot,
            lambda: editor.text == "asked the data team, no answer" or app.screen is not stage,
            "the burst to land in the note",
        )
        assert app.screen is stage, "a letter opened another screen"
    assert store.path.read_bytes() == before
