"""Pilot tests of the stage screens: keys in, stored state out."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from textual.widgets import Input

from mlpl_tui.framework import Framework
from mlpl_tui.lifecycle import Context, set_note, set_status
from mlpl_tui.screens.modals import StatusModal
from mlpl_tui.screens.stage import StageScreen
from mlpl_tui.store import Store
from mlpl_tui.widgets.module_list import ModuleList
from tests.apphelp import SIZE, keys, make_app, reach, screen_text
from tests.conftest import apply


async def test_2_then_space_stores_done_and_space_again_todo(
    store: Store, framework: Framework
) -> None:
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2")
        await pilot.pause()
        assert isinstance(app.screen, StageScreen) and app.screen.stage_id == "data"
        await pilot.press("space")
        await pilot.pause()
        assert store.load().modules["data.acquisition"].status == "done"
        assert "[x] done" in screen_text(app.screen)
        await pilot.press("space")
        await pilot.pause()
        assert store.load().modules["data.acquisition"].status == "todo"


async def test_j_k_and_arrows_move_the_highlight(store: Store, framework: Framework) -> None:
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("1", "j", "j", "k", "down", "space")
        await pilot.pause()
        # objectives -> problem-definition -> stakeholders -> problem-definition -> stakeholders
        assert store.load().modules["business.stakeholders"].status == "done"
        assert app.screen.query_one(ModuleList).module_id == "business.stakeholders"
        text = screen_text(app.screen)
        assert "Who owns the problem" in text  # its guiding questions are shown


async def test_each_stage_key_shows_its_stage(store: Store, framework: Framework) -> None:
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        for number, stage in enumerate(framework.stages, start=1):
            await pilot.press(str(number))
            await pilot.pause()
            assert isinstance(app.screen, StageScreen)
            assert app.screen.stage_id == stage.id
            assert stage.title in screen_text(app.screen)
        await pilot.press("0")
        await pilot.pause()
        assert type(app.screen).__name__ == "DashboardScreen"


async def test_status_picker_skip_asks_for_a_reason(store: Store, framework: Framework) -> None:
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("1", "s")
        await pilot.pause()
        assert isinstance(app.screen, StatusModal)
        await pilot.press("down", "down", "down", "enter")  # todo doing done -> skipped
        await pilot.pause()
        await pilot.press("enter")  # no reason yet
        await pilot.pause()
        assert isinstance(app.screen, StatusModal)
        assert "needs a reason" in screen_text(app.screen)
        assert "business.objectives" not in store.load().modules
        await pilot.press(*keys("done elsewhere"), "enter")
        await pilot.pause()
        assert isinstance(app.screen, StageScreen)
        stored = store.load().modules["business.objectives"]
        assert (stored.status, stored.reason, stored.note) == ("skipped", "done elsewhere", "")
        assert "[-] skipped" in screen_text(app.screen)


async def test_skipping_starts_with_an_empty_reason_and_never_touches_the_note(
    store: Store, framework: Framework, ctx: Context
) -> None:
    """The skip reason used to be prefilled with the whole note, selected: typing replaced it."""
    apply(store, framework, ctx, set_note, "business.objectives", "KPIs agreed with finance")
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("1", "s")
        await pilot.pause()
        await pilot.press("down", "down", "down", "enter")
        await pilot.pause()
        assert app.screen.query_one("#reason", Input).value == ""
        await pilot.press(*keys("owned by finance"), "enter")
        await pilot.pause()
    stored = store.load().modules["business.objectives"]
    assert (stored.status, stored.reason) == ("skipped", "owned by finance")
    assert stored.note == "KPIs agreed with finance"


async def test_status_picker_sets_doing_with_enter(store: Store, framework: Framework) -> None:
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3", "enter")  # enter on a module opens the picker too
        await pilot.pause()
        assert isinstance(app.screen, StatusModal)
        await pilot.press("down", "enter")
        await pilot.pause()
        assert store.load().modules["modelling.baseline"].status == "doing"


async def test_note_inline_saves_with_ctrl_s_and_escape_drops_it(
    store: Store, framework: Framework
) -> None:
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("1", "n", *keys("ask the planners"), "ctrl+s")
        await pilot.pause()
        assert store.load().modules["business.objectives"].note == "ask the planners"
        assert "ask the planners" in screen_text(app.screen)
        # Letters typed in the note never reach the app's keys (a = advance, q = quit).
        await pilot.press("n", "a", "q", "escape")
        await pilot.pause()
        assert store.load().modules["business.objectives"].note == "ask the planners"
        assert isinstance(app.screen, StageScreen)
        assert app.is_running


async def test_note_in_editor_runs_the_editor_without_a_shell(
    store: Store, framework: Framework, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    script = tmp_path / "fake editor.py"  # a space in the path: no shell would survive it
    script.write_text(
        "import sys, pathlib\n"
        "p = pathlib.Path(sys.argv[-1])\n"
        "p.write_text(p.read_text() + 'line two\\nline three\\n')\n"
    )
    monkeypatch.setenv("VISUAL", f"{sys.executable} '{script}'")
    ctx = Context("tester", "2026-03-02T09:00:00Z")
    apply(store, framework, ctx, set_note, "business.objectives", "line one")
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("1", "E")
        await pilot.pause()
        note = store.load().modules["business.objectives"].note
        assert note == "line one\nline two\nline three"


async def test_a_failing_editor_changes_nothing(
    store: Store, framework: Framework, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VISUAL", "/nonexistent/editor")
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("1", "E")
        await pilot.pause()
        assert "business.objectives" not in store.load().modules
        assert any("cannot run the editor" in n.message for n in app._notifications)


async def test_modelling_screen_lists_experiments(
    store: Store, framework: Framework, ctx: Context
) -> None:
    from mlpl_tui.lifecycle import add_experiment

    apply(store, framework, ctx, add_experiment, "LightGBM per store")
    apply(store, framework, ctx, set_status, "modelling.baseline", "done")
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3")
        await pilot.pause()
        text = screen_text(app.screen)
        assert "running   LightGBM per store" in text
        assert "Experiments" in text


async def test_loop_back_marks_done_modules_revisit_on_the_stage_screen(
    store: Store, framework: Framework, ctx: Context
) -> None:
    reach(store, framework, ctx, "modelling")
    apply(store, framework, ctx, set_status, "modelling.baseline", "done")
    apply(store, framework, ctx, set_status, "modelling.training", "doing")
    before = store.load()
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3", "b")
        await pilot.pause()
        # Before confirming, the dialog names what will need revisit.
        preview = screen_text(app.screen)
        assert "modelling.baseline" in preview and "modelling.training" in preview
        await pilot.press(*keys("only one season of data"), "enter")
        await pilot.pause()
        after = store.load()
        assert len(after.switches) == len(before.switches) + 1
        switch = after.switches[-1]
        assert (switch.from_stage, switch.to_stage, switch.category) == (
            "modelling",
            "data",
            "data",
        )
        assert switch.reason == "only one season of data"
        from mlpl_tui.progress import current_stage_id, iteration

        assert iteration(after) == iteration(before) + 1
        assert current_stage_id(after) == "data"
        assert after.modules["modelling.baseline"].status == "revisit"
        # The app opens the stage looped back to; the modules to revisit wait on Modelling.
        assert isinstance(app.screen, StageScreen) and app.screen.stage_id == "data"
        await pilot.press("3")
        await pilot.pause()
        assert isinstance(app.screen, StageScreen) and app.screen.stage_id == "modelling"
        assert "[!] revisit Baseline" in screen_text(app.screen)


async def test_the_detail_pane_shows_why_a_module_was_skipped_beside_its_note(
    store: Store, framework: Framework, ctx: Context
) -> None:
    apply(store, framework, ctx, set_note, "business.objectives", "KPIs agreed")
    apply(
        store,
        framework,
        ctx,
        set_status,
        "business.objectives",
        "skipped",
        reason="owned\nby finance",
    )
    app = make_app(store, framework)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("1")
        await pilot.pause()
        text = screen_text(app.screen)
        assert "Why skipped: owned" in text and "by finance" in text
        assert "KPIs agreed" in text
