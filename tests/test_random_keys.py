"""Random keys over the whole app: seeded keypresses never crash it, the file they leave passes
`mlpl-tui validate`, and a seed replays exactly.

The keys are the app's real bindings (every screen's and dialog's) plus letters, digits, escape,
enter, tab and arrows, so dialogs get random text and random choices. Between keys, at steps the
seed chooses, another writer (a second store on the file, as another terminal) changes it and the
test runs the app's file poll itself (its timer is stopped). Each key is handled completely before
the next (tests/pilot_wait.py) and the command palette's own timers are taken out: nothing depends
on the wall clock, so a seed gives the same session every time.

Environment knobs: `MLPL_KEYS_COUNT=<n>` runs a longer session (the default, 1,500 keys, keeps
CI within a minute; `MLPL_KEYS_COUNT=20000` is a thorough local run), `MLPL_KEYS_SEED=<n>` replays
a session (`random` explores), `MLPL_KEYS_PROJECT=demo` runs on the bundled demo project instead
of the fixture. On failure the seed, the step and the last keys are printed.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import os
import random
import shutil
import string
from collections.abc import Awaitable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import pytest
import textual.command
from textual.app import App
from textual.command import CommandPalette

from mlpl_tui.app import MlplApp
from mlpl_tui.demo import demo_file
from mlpl_tui.errors import MlplError
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
from tests.apphelp import NOW, SIZE, finish_stage, make_app
from tests.conftest import apply, fixed_ids, run_process
from tests.pilot_wait import press_keys, settle

PRESSES = 1500
REPLAY_PRESSES = 250
DEFAULT_SEED = 20260302
TAIL = 60
POLL_CHANCE = 0.04  # after about one key in 25 the file poll runs...
OUTSIDE_CHANCE = 0.5  # ...and half of those polls find a change another writer made

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
    "T",
    "u",
    "U",
    "question_mark",
    "q",
    "ctrl+q",
]
SCREEN_KEYS = [
    "space", "s", "n", "E", "ctrl+s", "j", "k", "g", "K", "x", "T", "o", "r", "f",
    "slash", "enter", "ctrl+p", "A", "R", "X", "P", "y", "m", "delete",
]  # fmt: skip
# Escape on its own: it is the way out of every dialog and the palette, and its share should
# not shrink each time a screen gains a key.
ESCAPE = ["escape"]
MOVES = ["up", "down", "left", "right", "tab", "shift+tab", "home", "end", "pageup", "pagedown"]
TYPED = [*string.ascii_lowercase, *string.digits, "space", "backspace", "minus"]
OUTSIDE_STATUSES = ["todo", "doing", "done", "skipped", "revisit"]

T = TypeVar("T")


@dataclass(frozen=True)
class Step:
    """One key, then optionally another process's change and the app's file poll."""

    key: str
    poll: bool = False
    outside: tuple[str, str] | None = None  # (module id, status) set by the other process


def seed_from_env() -> int:
    value = os.environ.get("MLPL_KEYS_SEED", "")
    if value == "random":
        return random.SystemRandom().randrange(2**32)
    return int(value) if value else DEFAULT_SEED


def random_keys(seed: int, count: int) -> list[str]:
    """Weighted so that screens are visited often and dialogs get text to chew on."""
    rng = random.Random(seed)
    groups = [(APP_KEYS, 30), (SCREEN_KEYS, 30), (ESCAPE, 8), (MOVES, 15), (TYPED, 25)]
    keys = []
    for _ in range(count):
        group = rng.choices([g for g, _ in groups], weights=[w for _, w in groups])[0]
        keys.append(rng.choice(group))
    return keys


def random_steps(seed: int, count: int, framework: Framework) -> list[Step]:
    """The keys of `random_keys(seed)`, with the polls and outside changes a second generator
    (from the same seed) places between them."""
    rng = random.Random(f"{seed}/poll")
    modules = [module.id for stage in framework.stages for module in stage.modules]
    steps = []
    for key in random_keys(seed, count):
        poll = rng.random() < POLL_CHANCE
        outside = None
        if poll and rng.random() < OUTSIDE_CHANCE:
            outside = (rng.choice(modules), rng.choice(OUTSIDE_STATUSES))
        steps.append(Step(key, poll, outside))
    return steps


@pytest.fixture
def palette_off_the_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """The command palette's clock, taken out of the run.

    Its search loop looks for finished searches every 0.1 s: the same hits come sooner with a
    shorter look (keys typed into the palette were two thirds of this test's time). Its "busy"
    indicator and its "No matches found" row appear 0.5 s after a search: on a wall clock, so
    they would come and go with the machine's load; here they never do.
    """

    async def wait_for(awaitable: Awaitable[T], timeout: float | None) -> T:
        return await asyncio.wait_for(awaitable, None if timeout is None else min(timeout, 0.002))

    assert vars(textual.command)["wait_for"] is asyncio.wait_for, "the palette changed: revisit"
    monkeypatch.setattr(textual.command, "wait_for", wait_for)
    monkeypatch.setattr(CommandPalette, "_BUSY_COUNTDOWN", 1e9)
    monkeypatch.setattr(CommandPalette, "_NO_MATCHES_COUNTDOWN", 1e9)


def stop_polling(app: MlplApp) -> None:
    """Stop the app's file-poll interval: the test runs `check_disk` at the steps it chose."""
    timers = [t for t in app._timers if t._callback == app.check_disk]
    assert len(timers) == 1, f"expected the app's one poll timer, found {len(timers)}"
    timers[0].stop()


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


def open_project(path: Path, framework: Framework, project: str) -> Store:
    if project == "demo":
        shutil.copyfile(demo_file(), path)
        return Store(path)
    return fixture_project(path, framework)


@dataclass
class Session:
    """What a run of steps did: the screen and focus after each step, and the screens seen."""

    trace: list[str]
    seen: set[str]

    def fingerprint(self, path: Path) -> str:
        """Equal for two runs of one seed: the trace and the file's records."""
        digest = hashlib.sha256("\n".join(self.trace).encode())
        digest.update(comparable(path).encode())
        return digest.hexdigest()[:16]


def comparable(path: Path) -> str:
    """The state file with its history events as a sorted list: events get random ids, so an
    undo's or redo's `reverts` names the event it reverts by its place in the history."""
    data = json.loads(path.read_text(encoding="utf-8"))
    seqs = {id: event.get("seq") for id, event in data.get("events", {}).items()}
    events = [
        json.dumps({**event, "reverts": seqs.get(event["reverts"])}, sort_keys=True)
        if event.get("reverts")
        else json.dumps(event, sort_keys=True)
        for event in data.get("events", {}).values()
    ]
    return json.dumps({**data, "events": sorted(events)}, indent=1, sort_keys=True)


async def run_session(
    store: Store, framework: Framework, steps: Sequence[Step], seed: int, label: str
) -> Session:
    """Press every step's key in the app over `store`; fail naming the step and how to replay."""
    session = Session([], set())
    outside = Store(store.path)  # another terminal on the same file
    outside_ctx = Context("other", NOW, make_id=fixed_ids("out"))
    app = make_app(store, framework)

    async def stay() -> None:
        """Quitting (q, ctrl+q, the palette's Quit) would end the run early: stay open."""

    app.action_quit = stay  # type: ignore[method-assign]  # replaced for this run only
    done = 0
    try:
        async with app.run_test(size=SIZE):
            stop_polling(app)
            await settle(app)
            for step in steps:
                await press_keys(app, [step.key])
                if step.outside is not None:
                    module_id, status = step.outside
                    # Refused by the rules (or the file is unreadable): nothing is written.
                    with contextlib.suppress(MlplError):
                        apply(outside, framework, outside_ctx, set_status, module_id, status, "x")
                if step.poll:
                    app.check_disk()
                    await settle(app)
                done += 1
                assert app.is_running, "the app stopped"
                focused = app.focused
                where = f"{type(focused).__name__}#{focused.id}" if focused else "-"
                session.trace.append(f"{type(app.screen).__name__} {where}")
                session.seen.add(type(app.screen).__name__)
    except BaseException as exc:
        tail = " ".join(step.key for step in steps[max(0, done - TAIL) : done + 1])
        raise AssertionError(
            f"{label}: failed at step {done + 1} of {len(steps)} with seed {seed} "
            f"(replay: MLPL_KEYS_SEED={seed} MLPL_KEYS_COUNT={len(steps)}): {exc!r}\n"
            f"last keys: {tail}"
        ) from exc
    return session


@pytest.mark.usefixtures("palette_off_the_clock")
async def test_random_keys_never_crash_and_leave_a_valid_file(
    tmp_path: Path, framework: Framework, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VISUAL", "true")  # `E` runs the editor: make it a no-op that succeeds
    path = tmp_path / "mlpl.json"
    project = os.environ.get("MLPL_KEYS_PROJECT", "fixture")
    store = open_project(path, framework, project)
    events_before = store.load().count("events")
    seed = seed_from_env()
    steps = random_steps(seed, int(os.environ.get("MLPL_KEYS_COUNT", PRESSES)), framework)
    polls = sum(step.poll for step in steps)
    label = f"{len(steps)} keys on the {project} project"
    session = await run_session(store, framework, steps, seed, label)
    print(f"random keys: {label}, seed {seed}, {polls} polls: {session.fingerprint(path)}")
    result = run_process("validate", "--file", str(path), cwd=tmp_path)
    assert result.code == 0, f"seed {seed}: validate failed:\n{result.out}{result.err}"
    # The run reached the main screens and changed the project, or it proved little.
    main_screens = {"DashboardScreen", "StageScreen", "DecisionsScreen", "HistoryScreen"}
    assert main_screens <= session.seen, session.seen
    assert store.load().count("events") > events_before


@pytest.mark.usefixtures("palette_off_the_clock")
async def test_a_seed_replays_exactly(
    tmp_path: Path, framework: Framework, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two runs of one seed press the same keys into the same states and write the same file."""
    monkeypatch.setenv("VISUAL", "true")
    seed = seed_from_env()
    steps = random_steps(seed, REPLAY_PRESSES, framework)
    assert any(step.outside for step in steps), "the replay should include outside changes"
    runs = []
    for run in ("first", "second"):
        folder = tmp_path / run
        folder.mkdir()
        store = fixture_project(folder / "mlpl.json", framework)
        session = await run_session(store, framework, steps, seed, f"replay, {run} run")
        runs.append((session.trace, comparable(store.path)))
    (first_trace, first_file), (second_trace, second_file) = runs
    for number, (one, two) in enumerate(zip(first_trace, second_trace, strict=True), 1):
        assert one == two, f"seed {seed}: the runs differ after step {number}: {one} / {two}"
    assert first_file == second_file, f"seed {seed}: the two runs wrote different records"


async def test_page_keys_in_an_option_list_not_laid_out_do_not_crash() -> None:
    """Found by this test: Textual 8.2.8 raised KeyError for pagedown in a list made visible in
    the same frame (the command palette's). The app installs a guard at start-up."""
    from textual.app import ComposeResult
    from textual.widgets import OptionList

    from mlpl_tui.widgets.option_list_guard import guard_option_list_paging

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
        options.action_page_down()  # type: ignore[no-untyped-call]  # unannotated in Textual
        options.action_page_up()  # type: ignore[no-untyped-call]  # unannotated in Textual
        assert options.highlighted == 0
