"""A note changed from another terminal while it is being edited is never overwritten: saving
shows both versions (inline editor, $EDITOR, an answer's note), and every choice loses nothing."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input, TextArea

from mlpl_tui.app import MlplApp
from mlpl_tui.framework import Framework
from mlpl_tui.lifecycle import Context, answer_question, set_note
from mlpl_tui.screens.modals import QuestionModal
from mlpl_tui.screens.modals.edit_conflict import EditConflictModal
from mlpl_tui.screens.stage import StageScreen
from mlpl_tui.store import Store
from tests.apphelp import SIZE, keys, screen_text, wait_until
from tests.conftest import apply, run_process
from tests.test_app_corrections import live_app, texts_of

MODULE = "business.objectives"
STARTED = "KPIs: churn rate"
THEIRS = "bob's note: churn within 90 days"
MINE = "ann's note: monthly churn"


async def bob_writes(tmp_path: Path, *args: str) -> None:
    """Bob changes the file from a second process, as from another terminal."""
    done = await asyncio.to_thread(
        run_process, *args, "--force", cwd=tmp_path, env={"MLPL_USER": "bob"}
    )
    assert done.code == 0, done.err


async def open_inline_conflict(pilot: Any, app: MlplApp, tmp_path: Path) -> None:
    await pilot.press("1", "n")
    editor = app.screen.query_one("#note-editor", TextArea)
    await wait_until(pilot, lambda: app.focused is editor, "the note editor")
    editor.text = ""
    await pilot.press(*keys(MINE))
    await bob_writes(tmp_path, "set", MODULE, "doing", "--note", THEIRS)
    await pilot.press("ctrl+s")
    await wait_until(pilot, lambda: isinstance(app.screen, EditConflictModal), "the dialog")
    text = screen_text(app.screen)
    assert THEIRS in text and MINE in text and "changed by bob" in text


@pytest.mark.parametrize("choice", ["theirs", "mine", "merge"])
async def test_the_inline_note_editor_shows_both_versions_when_bob_changed_the_note(
    store: Store, framework: Framework, ctx: Context, tmp_path: Path, choice: str
) -> None:
    apply(store, framework, ctx, set_note, MODULE, STARTED)
    app = live_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await open_inline_conflict(pilot, app, tmp_path)
        await pilot.press({"theirs": "t", "mine": "m", "merge": "e"}[choice])
        if choice == "merge":
            await pilot.pause()
            merge = app.screen.query_one("#merge", TextArea)
            assert merge.text == f"{THEIRS}\n{MINE}"
            await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, StageScreen), "back on the stage")
    project = store.load()
    expected = {"theirs": THEIRS, "mine": MINE, "merge": f"{THEIRS}\n{MINE}"}[choice]
    assert project.modules[MODULE].note == expected
    assert project.modules[MODULE].status == "doing"  # bob's status change stays either way
    seen = texts_of(project, "modules", MODULE, "note")
    assert {STARTED, THEIRS, expected} <= set(seen)


async def test_escape_in_the_note_conflict_goes_back_to_editing_with_the_typed_text(
    store: Store, framework: Framework, ctx: Context, tmp_path: Path
) -> None:
    apply(store, framework, ctx, set_note, MODULE, STARTED)
    app = live_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await open_inline_conflict(pilot, app, tmp_path)
        await pilot.press("escape")
        editor = app.screen.query_one("#note-editor", TextArea)
        await wait_until(pilot, lambda: app.focused is editor, "the editor again")
        assert editor.text == MINE
        assert store.load().modules[MODULE].note == THEIRS  # nothing written yet
        await pilot.press("ctrl+s")  # saved knowingly over bob's note, which history keeps
        await wait_until(pilot, lambda: app.focused is not editor, "saved")
    project = store.load()
    assert project.modules[MODULE].note == MINE
    assert THEIRS in texts_of(project, "modules", MODULE, "note")


async def test_an_untouched_save_after_bob_changed_the_note_keeps_bobs_note(
    store: Store, framework: Framework, ctx: Context, tmp_path: Path
) -> None:
    apply(store, framework, ctx, set_note, MODULE, STARTED)
    app = live_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("1", "n")
        editor = app.screen.query_one("#note-editor", TextArea)
        await wait_until(pilot, lambda: app.focused is editor, "the note editor")
        await bob_writes(tmp_path, "set", MODULE, "doing", "--note", THEIRS)
        await pilot.press("ctrl+s")  # nothing typed: the note it showed is not written back
        await wait_until(pilot, lambda: app.focused is not editor, "closed")
        await pilot.pause()
        assert not isinstance(app.screen, EditConflictModal)
    assert store.load().modules[MODULE].note == THEIRS


async def test_the_external_editor_save_is_checked_against_the_note_it_opened(
    store: Store,
    framework: Framework,
    ctx: Context,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The editor itself lets bob write meanwhile (a second process), then saves ann's text."""
    apply(store, framework, ctx, set_note, MODULE, STARTED)
    script = tmp_path / "editor.py"
    script.write_text(
        "import os, subprocess, sys\n"
        "subprocess.run([sys.executable, '-m', 'mlpl_tui', 'set', "
        f"{MODULE!r}, 'doing', '--note', {THEIRS!r}, '--force'],"
        f" cwd={str(tmp_path)!r}, env={{**os.environ, 'MLPL_USER': 'bob'}}, check=True)\n"
        f"open(sys.argv[1], 'w', encoding='utf-8').write({MINE!r})\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("VISUAL", f"{sys.executable} {script}")
    app = live_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("1", "E")
        await wait_until(pilot, lambda: isinstance(app.screen, EditConflictModal), "the dialog")
        assert THEIRS in screen_text(app.screen) and MINE in screen_text(app.screen)
        await pilot.press("m")
        await wait_until(pilot, lambda: isinstance(app.screen, StageScreen), "back on the stage")
    project = store.load()
    assert project.modules[MODULE].note == MINE
    assert {STARTED, THEIRS, MINE} <= set(texts_of(project, "modules", MODULE, "note"))


async def test_an_answers_note_changed_meanwhile_is_offered_not_overwritten(
    store: Store, framework: Framework, ctx: Context, tmp_path: Path
) -> None:
    apply(store, framework, ctx, answer_question, "1", "partly", STARTED)
    app = live_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("0", "x", "1")
        await wait_until(pilot, lambda: isinstance(app.screen, QuestionModal), "the answer dialog")
        field = app.screen.query_one("#note", Input)
        field.value = MINE
        await bob_writes(tmp_path, "answer", "1", "yes", "--note", THEIRS)
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, EditConflictModal), "the dialog")
        await pilot.press("m")
        await wait_until(
            pilot, lambda: not isinstance(app.screen, (EditConflictModal, QuestionModal)), "saved"
        )
    answer = store.load().answers[1]
    assert answer.note == MINE
    assert {STARTED, THEIRS, MINE} <= set(texts_of(store.load(), "questions", "1", "note"))
