"""The app and the file on disk: another terminal's change comes in, and both changes are kept;
an unreadable or conflicted file opens the read-only problem screen, which recovers."""

from __future__ import annotations

import asyncio
from pathlib import Path

from mlpl_tui.framework import Framework
from mlpl_tui.lifecycle import Context, set_status
from mlpl_tui.screens.problem import ProblemScreen
from mlpl_tui.screens.stage import StageScreen
from mlpl_tui.store import Store
from tests.apphelp import SIZE, make_app, screen_text, wait_for_text
from tests.conftest import apply, run_process


async def test_a_set_from_a_second_terminal_appears_and_a_later_app_change_keeps_both(
    store: Store, framework: Framework, tmp_path: Path
) -> None:
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("1")
        await pilot.pause()
        assert "[ ] todo    Business objectives" in screen_text(app.screen)
        done = await asyncio.to_thread(
            run_process, "set", "business.objectives", "done", cwd=tmp_path
        )
        assert done.code == 0, done.err
        await wait_for_text(pilot, "[x] done    Business objectives")
        await pilot.press("j", "space")  # the app's own change, after the outside one
        await pilot.pause()
    project = store.load()
    assert project.modules["business.objectives"].status == "done"
    assert project.modules["business.problem-definition"].status == "done"
    assert project.modules["business.objectives"].updated_by == "tester"


async def test_an_app_write_right_after_an_outside_write_keeps_both(
    store: Store, framework: Framework, ctx: Context
) -> None:
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("1", "j")
        await pilot.pause()
        # Another process writes; the app has not polled yet when the key comes in.
        apply(Store(store.path), framework, ctx, set_status, "business.constraints", "done")
        await pilot.press("space")
        await pilot.pause()
    project = store.load()
    assert project.modules["business.constraints"].status == "done"
    assert project.modules["business.problem-definition"].status == "done"


async def test_a_broken_file_at_start_opens_the_problem_screen_then_recovers(
    store: Store, framework: Framework
) -> None:
    good = store.path.read_bytes()
    store.path.write_text('{"meta": ')
    app = make_app(Store(store.path), framework)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ProblemScreen)
        text = screen_text(app.screen)
        assert "not valid JSON" in text and "git checkout -- mlpl.json" in text
        await pilot.press("1", "space", "a", "b", "d", "t")  # read-only: nothing happens
        await pilot.pause()
        assert isinstance(app.screen, ProblemScreen)
        assert store.path.read_text() == '{"meta": '
        store.path.write_bytes(good)
        await wait_for_text(pilot, "Stages")
        assert type(app.screen).__name__ == "DashboardScreen"
        await pilot.press("1", "space")
        await pilot.pause()
    assert Store(store.path).load().modules["business.objectives"].status == "done"


async def test_a_conflict_while_open_shows_the_problem_and_recovers_to_the_same_screen(
    store: Store, framework: Framework
) -> None:
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2")
        await pilot.pause()
        good = store.path.read_text()
        store.path.write_text("<<<<<<< HEAD\n" + good + "=======\n" + good + ">>>>>>> theirs\n")
        await wait_for_text(pilot, "unresolved git conflict markers")
        assert isinstance(app.screen, ProblemScreen)
        assert "mlpl-tui resolve" in screen_text(app.screen)
        await pilot.press("space")
        await pilot.pause()
        store.path.write_text(good)
        await wait_for_text(pilot, "Data Acquisition and Understanding")
        assert isinstance(app.screen, StageScreen) and app.screen.stage_id == "data"
    assert "data.acquisition" not in store.load().modules


async def test_q_quits_from_the_problem_screen(store: Store, framework: Framework) -> None:
    store.path.write_text("")
    app = make_app(Store(store.path), framework)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "is empty" in screen_text(app.screen)
        await pilot.press("q")
        await pilot.pause()
    assert not app.is_running


async def test_opening_browsing_and_quitting_never_writes(
    store: Store, framework: Framework
) -> None:
    before = store.path.stat().st_mtime_ns, store.path.read_bytes()
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("1", "j", "k", "2", "3", "4", "0", "question_mark", "escape", "q")
        await pilot.pause()
    assert (store.path.stat().st_mtime_ns, store.path.read_bytes()) == before


async def test_a_record_that_cannot_be_read_opens_the_problem_screen(
    store: Store, framework: Framework
) -> None:
    import json

    good = store.path.read_text()
    data = json.loads(good)
    data["effort"]["broken"] = {"minutes": "lots", "stage": "data", "on": "2026-03-01"}
    store.path.write_text(json.dumps(data))
    app = make_app(Store(store.path), framework)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ProblemScreen)
        assert "effort 'broken'" in screen_text(app.screen)
        store.path.write_text(good)
        await wait_for_text(pilot, "Stages")
