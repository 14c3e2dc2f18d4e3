"""Waiting in Pilot tests on the app itself, not on the wall clock.

Textual's Pilot waits after each key, and in `pause()`, until the process *looks* idle: at least
20 ms, then until a 20 ms slice used less than 1 ms of CPU. Each key costs two such waits, and
what the app has done by then depends on the machine's load. `settle` waits instead until every
message the app, its screen and their widgets have queued is handled, every worker (the command
palette searches in one) has finished, and the screen is laid out: a condition, with a generous
upper bound. `conftest.py` installs it for `Pilot.press` and `Pilot.pause()` in every test;
`pause(delay)` still sleeps, for the few tests that wait on a real timer (the file poll).
"""

from __future__ import annotations

import asyncio
import time
import unicodedata
from collections.abc import Iterable
from typing import Any

from textual import events
from textual.app import App, ScreenStackError
from textual.keys import REPLACED_KEYS, _character_to_key, _get_unicode_name_from_key
from textual.message_pump import MessagePump
from textual.pilot import Pilot
from textual.worker import WorkerState

SETTLE_SECONDS = 10.0  # a key the app has not handled by then is a hang, not a slow machine
# A one-shot timer this short is part of handling an event (Textual debounces a resize with a
# 1/120 s one): waited for. Longer ones (the palette's 0.5 s "busy" countdown, a notification's
# timeout, the history filter's typing pause) are the app waiting for time to pass: not.
SHORT_TIMER_SECONDS = 0.1


def nodes(app: App[Any]) -> list[MessagePump]:
    """The app, the screens of its current stack and their widgets."""
    try:
        stack = app.screen_stack
    except ScreenStackError:  # closing
        return []
    return [app, *(node for screen in stack for node in screen.walk_children(with_self=True))]


def short_timers(app: App[Any]) -> list[asyncio.Task[Any]]:
    """The running tasks of short one-shot timers (see SHORT_TIMER_SECONDS)."""
    tasks: list[asyncio.Task[Any]] = []
    for node in nodes(app):
        for timer in list(node._timers):
            task = timer._task
            if task is None or task.done() or not timer._active.is_set():
                continue
            if timer._repeat == 0 and timer._interval <= SHORT_TIMER_SECONDS:
                tasks.append(task)
    return tasks


def busy(app: App[Any]) -> bool:
    """Anything queued: messages, callbacks, after-refresh callbacks, a worker, a short timer."""
    found = nodes(app)
    return bool(found) and (
        any(not node._message_queue.empty() or node._next_callbacks for node in found)
        or bool(app.screen._callbacks)
        or any(w.state in (WorkerState.PENDING, WorkerState.RUNNING) for w in app.workers)
        or bool(short_timers(app))
    )


async def settle(app: App[Any], timeout: float = SETTLE_SECONDS) -> None:
    """Wait until the app has handled everything queued so far, then lay out and paint.

    A round asks every node to run a callback after what it has queued and waits for all of
    them; a node still inside a handler runs it only once that handler is done. Two rounds in a
    row that leave nothing queued mean every message, including those the first round's handlers
    posted, has been handled.
    """
    pilot: Pilot[Any] = Pilot(app)
    deadline = time.monotonic() + timeout
    quiet_rounds = 0
    while quiet_rounds < 2:
        if time.monotonic() > deadline:
            raise AssertionError(f"the app was still busy after {timeout:.0f} s")
        if not await pilot._wait_for_screen(timeout=timeout) or not app.is_running:
            return  # the app failed (run_test raises its exception) or is closing
        tasks = [w._task for w in app.workers if w._task is not None and not w._task.done()]
        tasks += short_timers(app)
        if tasks:
            await asyncio.wait(tasks, timeout=timeout)
        await app._animator.wait_until_complete()
        app.screen._on_timer_update()  # lay out now, as Pilot.pause() does after its wait
        quiet_rounds = 0 if busy(app) else quiet_rounds + 1
        await asyncio.sleep(0)


def key_event(app: App[Any], key: str) -> events.Key:
    """The event a terminal sends for `key` (a key name, or one character)."""
    if len(key) == 1 and not key.isalnum():
        key = _character_to_key(key)
    try:
        char: str | None = unicodedata.lookup(
            _get_unicode_name_from_key(REPLACED_KEYS.get(key, key))
        )
    except KeyError:
        char = key if len(key) == 1 else None
    event = events.Key(key, char)
    event.set_sender(app)
    return event


async def press_keys(app: App[Any], keys: Iterable[str]) -> None:
    """`App._press_keys` (what `Pilot.press` runs), settling after each key instead of idling.

    The key goes straight onto the app's queue: the driver's `send_message` would schedule it
    from another task, after the first round of `settle` had started.
    """
    for key in keys:
        if key.startswith("wait:"):
            _, wait_ms = key.split(":")
            await asyncio.sleep(float(wait_ms) / 1000)
            await app._animator.wait_until_complete()
            continue
        app.post_message(key_event(app, key))
        await settle(app)


async def pause(pilot: Pilot[Any], delay: float | None = None) -> None:
    """`Pilot.pause`: with no delay, settle; with one, sleep it as Textual does."""
    if delay is None:
        await settle(pilot.app)
        return
    await pilot._wait_for_screen()
    await asyncio.sleep(delay)
    pilot.app.screen._on_timer_update()
