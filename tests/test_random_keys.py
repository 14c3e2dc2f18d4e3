"""Random keys over the whole app: 3,000 seeded keypresses never crash it, and the file they
leave passes `mlpl-tui validate`.

The keys are the app's real bindings (every screen's and dialog's) plus letters, digits, escape,
enter, tab and arrows, so dialogs get random text and random choices. The seed is fixed so CI
is repeatable. Environment knobs: `MLPL_KEYS_SEED=<n>` replays a run (`random` explores),
`MLPL_KEYS_COUNT=<n>` changes the number of keys, `MLPL_KEYS_PROJECT=demo` runs on the bundled
demo project instead of the fixture. On failure the seed and the last keys are printed.
"""

from __future__ import annotations

import os
import random
import shutil
import string
import unicodedata
from pathlib import Path

import pytest
from textual import events
from textual.app import App
from textual.keys import REPLACED_KEYS, _get_unicode_name_from_key
from textual.pilot import Pilot

from mlpl_tui.demo import demo_file
from mlpl_tui.framework import Framework
from mlpl_tui.lifecycle import (
    Context,
    add_experiment,
    decide,
    log_effort,
    new_project,
    set_status,
    switch_back,
)
from mlpl_tui.store import Store
from tests.apphelp import finish_stage, make_app
from tests.conftest import apply, fixed_ids, run_process

PRESSES = 3000
DEFAULT_SEED = 20260302
TAIL = 60

# Every key some screen or dialog binds (quit keys are kept: quitting is made a no-op below).
APP_KEYS = [
    "0",
    "1",
    "2",
    "3",
    "4",
    "a",
    "b",
    "d",
    "t",
    "D",
    "h",
    "e",
    "c",
    "question_mark",
    "q",
    "ctrl+q",
]
SCREEN_KEYS = [
    "space", "s", "n", "E", "ctrl+s", "escape", "j", "k", "g", "K", "x", "T", "o", "r", "f",
    "slash", "enter", "ctrl+p",
]  # fmt: skip
MOVES = ["up", "down", "left", "right", "tab", "shift+tab", "home", "end", "pageup", "pagedown"]
TYPED = [*string.ascii_lowercase, *string.digits, "space", "backspace", "minus"]


def seed_from_env() -> int:
    value = os.environ.get("MLPL_KEYS_SEED", "")
    if value == "random":
        return random.SystemRandom().randrange(2**32)
    return int(value) if value else DEFAULT_SEED


def random_keys(seed: int, count: int) -> list[str]:
    """Weighted so that screens are visited often and dialogs get text to chew on."""
    rng = random.Random(seed)
    groups = [(APP_KEYS, 30), (SCREEN_KEYS, 30), (MOVES, 15), (TYPED, 25)]
    keys = []
    for _ in range(count):
        group = rng.choices([g for g, _ in groups], weights=[w for _, w in groups])[0]
        keys.append(rng.choice(group))
    return keys


async def press(pilot: Pilot[None], app: App[None], key: str) -> None:
    """One keypress as the terminal driver delivers it, then wait until the app is idle.

    Pilot.press waits for idle twice per key; once keeps 3,000 keys near two minutes. Faster
    still (no idle wait) finds only races inside Textual that no typist can trigger, such as a
    dialog's pending dismiss popping a command palette opened in the same millisecond.
    """
    try:
        char: str | None = unicodedata.lookup(
            _get_unicode_name_from_key(REPLACED_KEYS.get(key, key))
        )
    except KeyError:
        char = key if len(key) == 1 else None
    event = events.Key(key, char)
    event.set_sender(app)
    assert app._driver is not None
    app._driver.send_message(event)
    await pilot.pause()


def fixture_project(path: Path, framework: Framework) -> Store:
    """A project in Modelling after a loop back, with decisions, experiments and effort."""
    ctx = Context("ana", "2026-03-02T10:00:00Z", make_id=fixed_ids("r"))
    store = Store.create(path, new_project("Random keys", ctx))
    finish_stage(store, framework, ctx, "business")
    apply(store, framework, ctx, set_status, "data.acquisition", "done")
    apply(store, framework, ctx, switch_back, "business", "data", "one season only")
    finish_stage(store, framework, ctx, "business")
    finish_stage(store, framework, ctx, "data")
    apply(store, framework, ctx, decide, "Weekly grain", "forecast per week")
    apply(store, framework, ctx, add_experiment, "Baseline", hypothesis="last year")
    apply(store, framework, ctx, log_effort, "2h", note="setup")
    return store


async def test_random_keys_never_crash_and_leave_a_valid_file(
    tmp_path: Path, framework: Framework, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VISUAL", "true")  # `E` runs the editor: make it a no-op that succeeds
    path = tmp_path / "mlpl.json"
    project = os.environ.get("MLPL_KEYS_PROJECT", "fixture")
    if project == "demo":
        shutil.copyfile(demo_file(), path)
        store = Store(path)
    else:
        store = fixture_project(path, framework)
    events_before = store.load().count("events")
    seed = seed_from_env()
    keys = random_keys(seed, int(os.environ.get("MLPL_KEYS_COUNT", PRESSES)))
    print(f"random keys: {len(keys)} on the {project} project, seed {seed}")
    done = 0
    seen: set[str] = set()
    app = make_app(store, framework)

    async def stay() -> None:
        """Quitting (q, ctrl+q, the palette's Quit) would end the run early: stay open."""

    app.action_quit = stay  # type: ignore[method-assign]
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            for key in keys:
                await press(pilot, app, key)
                done += 1
                assert app.is_running, "the app stopped"
                seen.add(type(app.screen).__name__)
    except BaseException as exc:
        tail = " ".join(keys[max(0, done - TAIL) : done + 1])
        raise AssertionError(
            f"{project}: failed at key {done + 1} of {len(keys)} with seed {seed} "
            f"(replay: MLPL_KEYS_SEED={seed}): {exc!r}\nlast keys: {tail}"
        ) from exc
    result = run_process("validate", "--file", str(path), cwd=tmp_path)
    assert result.code == 0, f"seed {seed}: validate failed:\n{result.out}{result.err}"
    # The run reached the main screens and changed the project, or it proved little.
    assert {"DashboardScreen", "StageScreen", "DecisionsScreen", "HistoryScreen"} <= seen, seen
    assert store.load().count("events") > events_before


async def test_page_keys_in_an_option_list_not_laid_out_do_not_crash() -> None:
    """Found by this test: Textual 8.2.8 raised KeyError for pagedown in a list made visible in
    the same frame (the command palette's). The app installs a guard at start-up."""
    from textual.app import ComposeResult
    from textual.widgets import OptionList

    from screens.listing import guard_option_list_paging

    class Lists(App[None]):
        def compose(self) -> ComposeResult:
            yield OptionList("a", "b", "c")

    guard_option_list_paging()
    app = Lists()
    async with app.run_test(size=(40, 10)) as pilot:
        options = app.query_one(OptionList)
        options.display = False  # no room: its lines are never computed
        await pilot.pause()
        options.highlighted = 0
        options._line_cache.clear()  # as before the first layout
        options.action_page_down()
        options.action_page_up()
        assert options.highlighted == 0
