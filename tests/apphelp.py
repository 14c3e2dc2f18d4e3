"""Helpers for the terminal UI's Pilot tests: an app on a tmp_path project with a fixed clock."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from textual.command import CommandList, CommandPalette
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Input, OptionList, Static

from mlpl_tui.app import MlplApp
from mlpl_tui.framework import Framework
from mlpl_tui.lifecycle import Context, advance, set_status
from mlpl_tui.store import Store
from tests.conftest import apply, fixed_ids

NOW = "2026-03-02T10:00:00Z"
SIZE = (80, 24)
POLL_STEP_SECONDS = 0.02  # how often wait_until checks its condition again
WAIT_SECONDS = 20.0  # generous: a condition that takes longer is a hang, not a slow machine


def make_app(store: Store | None, framework: Framework, new_file: Path | None = None) -> MlplApp:
    """The app as `mlpl-tui` builds it, with user 'tester' and the clock fixed at NOW."""
    ids = fixed_ids("ui")
    return MlplApp(store, framework, lambda: Context("tester", NOW, make_id=ids), new_file=new_file)


def finish_stage(store: Store, framework: Framework, ctx: Context, stage_id: str) -> None:
    """Mark every required module of a stage done, then advance."""
    for module in framework.stage(stage_id).required_modules:
        apply(store, framework, ctx, set_status, module.id, "done")
    apply(store, framework, ctx, advance)


def reach(store: Store, framework: Framework, ctx: Context, stage_id: str) -> None:
    """Walk the project forward until `stage_id` is current."""
    for stage in framework.stages:
        if stage.id == stage_id:
            return
        finish_stage(store, framework, ctx, stage.id)


def screen_text(screen: Screen[Any]) -> str:
    """Everything the screen shows as text: statics, labels, list rows and field values."""
    parts: list[str] = []
    for widget in screen.query("*"):
        if isinstance(widget, Static):
            parts.append(str(widget.render()))
        elif isinstance(widget, OptionList):
            parts.extend(str(option.prompt) for option in widget.options)
        elif isinstance(widget, Input):
            parts.append(widget.value)
    return "\n".join(parts)


def keys(text: str) -> Iterable[str]:
    """Key names that type `text` (Pilot wants 'space' for ' ')."""
    return ["space" if ch == " " else ch for ch in text]


async def wait_until(
    pilot: Pilot[Any], condition: Callable[[], bool], what: str, timeout: float = WAIT_SECONDS
) -> None:
    """Let the app run until `condition` holds (no fixed sleep); fail naming `what` after
    `timeout` seconds."""
    deadline = time.monotonic() + timeout
    await pilot.pause()
    while not condition():
        assert pilot.app.is_running, f"the app stopped waiting for {what}: {pilot.app._exception!r}"
        assert time.monotonic() < deadline, f"timed out after {timeout:.0f} s waiting for {what}"
        # Not a fixed wait: the step at which the condition is checked again. Some conditions
        # wait on the app's real file-poll timer, which only wall time moves.
        await pilot.pause(POLL_STEP_SECONDS)
    await pilot.pause()


async def wait_for_text(pilot: Pilot[Any], text: str) -> None:
    """Let the app run until its screen shows `text`."""
    await wait_until(pilot, lambda: text in screen_text(pilot.app.screen), f"{text!r} on screen")


def palette_highlight(screen: Screen[Any]) -> str:
    """The command the command palette highlights, as text ('' when none or no palette)."""
    if not isinstance(screen, CommandPalette):
        return ""
    option = screen.query_one(CommandList).highlighted_option
    return "" if option is None else str(option.prompt)
