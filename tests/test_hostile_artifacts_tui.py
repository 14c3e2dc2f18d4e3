"""A hostile branch's artifacts and learnings are data: in the TUI, a stored location, a free
artifact's title and id, and a learning's text and sources are never markup or terminal control,
and huge ones are cut with a marker (the checks of tests/test_hostile_tui.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from textual.widgets import TextArea

from mlpl_tui.artifacts import attach
from mlpl_tui.framework import Framework
from mlpl_tui.learnings import learn
from mlpl_tui.lifecycle import Context, decide, new_project
from mlpl_tui.screens.dashboard import DashboardScreen
from mlpl_tui.screens.learnings import LearningsScreen
from mlpl_tui.screens.modals.artifact import AttachModal
from mlpl_tui.screens.modals.learning import LearningEditModal, LearningModal
from mlpl_tui.screens.modals.pick import PickModal
from mlpl_tui.screens.modals.text_view import TextModal
from mlpl_tui.screens.stage import StageScreen
from mlpl_tui.store import Store
from mlpl_tui.widgets.artifact_list import ArtifactList
from tests.apphelp import SIZE, make_app
from tests.conftest import apply
from tests.test_hostile_tui import (
    CONTROLS,
    ID_CONTROLS,
    assert_no_raw_control,
    check_shown,
    close_dialogs,
    wait_for_screen,
    write_project,
)

MARKUP = "[bold red]loud[/bold red] [link=https://evil.example]click[/link]"
HOSTILE = f"{CONTROLS} {MARKUP}"
LONG = "W" * 200_000
FREE_ID = f"free{ID_CONTROLS}"


def hostile_store(folder: Path, framework: Framework, ctx: Context) -> Store:
    """A project whose artifacts and learnings hold hostile text, as a branch could commit it
    (the attach rule would refuse these locations: they are planted in the file)."""
    store = Store.create(folder / "mlpl.json", new_project("Hostile", ctx))
    apply(store, framework, ctx, attach, "project-charter", "docs/charter.md")
    apply(store, framework, ctx, decide, HOSTILE, "yes")
    decision = store.load().decisions[-1].id
    apply(store, framework, ctx, learn, "placeholder", sources=[decision])
    data: dict[str, Any] = json.loads(store.path.read_bytes())
    link = data["artifacts"]["project-charter"]
    link["locations"] = [f"docs/{HOSTILE}.md", f"https://example.com/{HOSTILE}", "d/" + LONG]
    data["artifacts"][FREE_ID] = {
        **link,
        "title": HOSTILE + LONG,
        "stage": "business",
        "module": None,
        "locations": [HOSTILE],
        "attached_by": HOSTILE,
    }
    (learning,) = data["learnings"].values()
    learning.update(
        text=f"{HOSTILE}\n{LONG}", created_by=HOSTILE, sources=[decision, f"gone{ID_CONTROLS}"]
    )
    return write_project(store.path, data)


async def test_hostile_artifacts_and_learnings_show_as_text_everywhere(
    tmp_path: Path, framework: Framework, ctx: Context
) -> None:
    store = hostile_store(tmp_path, framework, ctx)
    app = make_app(store, framework)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_for_screen(pilot, DashboardScreen)
        assert_no_raw_control(app)
        await pilot.press("1")
        await wait_for_screen(pilot, StageScreen)
        rows = [str(o.prompt) for o in app.screen.query_one(ArtifactList).options]
        assert any(f"docs/{CONTROLS[:1]}" in row or "[bold red]loud" in row for row in rows)
        assert any("more characters" in row for row in rows)  # the long title, cut
        check_shown(app, "stage screen")
        await pilot.press("tab", "tab")
        check_shown(app, "artifact detail")
        assert "[bold red]loud" in str(app.screen.query_one("#artifact").render())
        await pilot.press("a")
        await wait_for_screen(pilot, AttachModal)
        check_shown(app, "attach dialog")
        await close_dialogs(pilot)
        await pilot.press("d")
        await wait_for_screen(pilot, PickModal)
        check_shown(app, "location picker")
        await pilot.press("j", "enter")  # the link
        await pilot.pause()
        check_shown(app, "detach question")
        await close_dialogs(pilot)
        await pilot.press("enter", "j", "enter")  # open the link: shown, never opened
        await wait_for_screen(pilot, TextModal)
        check_shown(app, "link dialog", "[bold red]loud", "never opens links")
        await close_dialogs(pilot)
        await pilot.press("j")  # the free artifact: hostile id, title and location
        await pilot.pause()
        check_shown(app, "free artifact")
        await pilot.press("W")
        await wait_for_screen(pilot, LearningsScreen)
        check_shown(app, "learnings screen", "[bold red]loud")
        await pilot.press("enter")
        await wait_for_screen(pilot, TextModal)
        check_shown(app, "a learning in full", "[bold red]loud", "(not in this file)")
        await close_dialogs(pilot)
        await pilot.press("E")
        await wait_for_screen(pilot, LearningEditModal)
        area = app.screen.query_one("#text", TextArea)
        assert "\x1b" not in area.text  # controls written out in the editor
        check_shown(app, "learning edit")
        await close_dialogs(pilot)
        await pilot.press("L")
        await wait_for_screen(pilot, LearningModal)
        check_shown(app, "learning dialog")
        await close_dialogs(pilot)
    assert app._exception is None


async def test_a_location_with_a_nul_byte_does_not_stop_the_app(
    tmp_path: Path, framework: Framework, ctx: Context
) -> None:
    """A path no file system can look up: the stage screen still opens and says so."""
    store = Store.create(tmp_path / "mlpl.json", new_project("P", ctx))
    apply(store, framework, ctx, attach, "project-charter", "docs/charter.md")
    data: dict[str, Any] = json.loads(store.path.read_bytes())
    data["artifacts"]["project-charter"]["locations"] = ["docs/a\x00b.md"]
    store = write_project(store.path, data)
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("1", "tab", "tab")
        await wait_for_screen(pilot, StageScreen)
        assert "not a path a file can have" in str(app.screen.query_one("#artifact").render())
        assert_no_raw_control(app)
    assert app._exception is None
