"""Day-one fixes, part one: dialogs about the highlighted module, `escape` back from every
secondary screen, and a loop back that opens the stage looped back to."""

from __future__ import annotations

import pytest
from textual.widgets import Select, Static

from mlpl_tui.framework import Framework
from mlpl_tui.lifecycle import Context, set_status
from mlpl_tui.screens.dashboard import DashboardScreen
from mlpl_tui.screens.help import HelpScreen
from mlpl_tui.screens.modals import DecisionModal, EffortModal, LoopBackModal
from mlpl_tui.screens.stage import StageScreen
from mlpl_tui.store import Store
from mlpl_tui.widgets.module_list import ModuleList
from tests.apphelp import SIZE, keys, make_app, reach, screen_text, wait_until
from tests.conftest import apply


def stage_of(screen: object) -> str | None:
    return screen.stage_id if isinstance(screen, StageScreen) else None


# --- `t` and `d` are about the highlighted module -------------------------------------------


async def test_t_on_a_stage_screen_logs_time_on_the_highlighted_module(
    store: Store, framework: Framework
) -> None:
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2", "j", "j", "t")  # acquisition -> pre-processing -> cleaning
        await pilot.pause()
        assert isinstance(app.screen, EffortModal)
        assert app.screen.query_one("#on", Select).value == "data.cleaning"
        await pilot.press(*keys("45m"), "enter")
        await pilot.pause()
        assert isinstance(app.screen, StageScreen)
    (entry,) = store.load().effort
    assert (entry.minutes, entry.stage, entry.module) == (45, "data", "data.cleaning")


async def test_d_on_a_stage_screen_records_a_decision_about_the_highlighted_module(
    store: Store, framework: Framework
) -> None:
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("1", "j", "d")
        await pilot.pause()
        assert isinstance(app.screen, DecisionModal)
        assert "for business.problem-definition" in screen_text(app.screen)
        await pilot.press(*keys("Forecast, not classify"), "enter", "enter")
        await pilot.press(*keys("weekly demand per depot"), "ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, StageScreen)
    (decision,) = store.load().decisions
    assert (decision.stage, decision.module) == ("business", "business.problem-definition")


async def test_the_decision_dialog_files_it_under_the_stage_or_module_picked_in_its_field(
    store: Store, framework: Framework
) -> None:
    last = framework.stages[-1].modules[-1]
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("d")  # on the dashboard: the current stage, no module
        await pilot.pause()
        place = app.screen.query_one("#place", Select)
        assert place.value == "business"
        await pilot.press(*keys("Hand over as a service"), "enter", "enter")
        await pilot.press(*keys("the client runs it"))
        place.focus()
        await pilot.press("enter", "end", "enter")  # the drop-down's last: Delivery's last module
        await wait_until(pilot, lambda: place.value == last.id, "the module to be picked")
        assert f"for {last.id}" in str(app.screen.query_one("#where", Static).render())
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)
    (decision,) = store.load().decisions
    assert (decision.stage, decision.module) == (last.stage, last.id)


async def test_the_decision_dialog_can_file_a_decision_under_a_whole_stage(
    store: Store, framework: Framework
) -> None:
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2", "j", "d")
        await pilot.pause()
        place = app.screen.query_one("#place", Select)
        assert place.value == "data.pre-processing"
        await pilot.press(*keys("One season only"), "enter", "enter", *keys("ask for more"))
        place.focus()
        await pilot.press("enter", "home", "down", "down", "down", "up", "up", "up", "enter")
        await wait_until(pilot, lambda: place.value == "business", "the first stage picked")
        await pilot.press("ctrl+s")
        await pilot.pause()
    (decision,) = store.load().decisions
    assert (decision.stage, decision.module) == ("business", None)


# --- `escape` goes back -----------------------------------------------------------------------


@pytest.mark.parametrize("key", ["D", "h", "e", "c"])
async def test_escape_on_a_secondary_screen_goes_back_to_the_stage_it_was_opened_from(
    store: Store, framework: Framework, key: str
) -> None:
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3")
        await pilot.pause()
        stage_screen = app.screen
        await pilot.press(key)
        await pilot.pause()
        assert app.current_mode not in ("stage-modelling", "dashboard")
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is stage_screen
        await pilot.press("escape")  # a stage screen is no secondary screen: it stays
        await pilot.pause()
        assert app.screen is stage_screen


async def test_escape_retraces_a_chain_of_secondary_screens_then_returns_to_the_stage(
    store: Store, framework: Framework
) -> None:
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2", "D", "h", "e")
        await pilot.pause()
        trail = []
        for _ in range(3):
            await pilot.press("escape")
            await pilot.pause()
            trail.append(app.current_mode)
        assert trail == ["history", "decisions", "stage-data"]
        # Opening a screen already on the way back returns to it: no circles.
        await pilot.press("D", "h", "D", "escape")
        await pilot.pause()
        assert app.current_mode == "stage-data"


async def test_escape_from_a_secondary_screen_opened_first_goes_to_the_dashboard(
    store: Store, framework: Framework
) -> None:
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("e", "escape")
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)


async def test_escape_closes_help_onto_the_screen_it_was_opened_from(
    store: Store, framework: Framework
) -> None:
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("4")
        await pilot.pause()
        stage_screen = app.screen
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        assert "esc      Back" not in screen_text(app.screen)  # a stage screen: no way back
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is stage_screen
        await pilot.press("D", "question_mark")
        await pilot.pause()
        assert "esc      Back" in screen_text(app.screen)  # help names the way back
        await pilot.press("escape", "escape")
        await pilot.pause()
        assert app.screen is stage_screen


# --- a loop back opens the stage looped back to ----------------------------------------------


async def test_a_loop_back_from_the_dashboard_opens_the_stage_looped_back_to(
    store: Store, framework: Framework, ctx: Context
) -> None:
    reach(store, framework, ctx, "modelling")
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("b")  # default target: Data, the stage before
        await pilot.pause()
        assert isinstance(app.screen, LoopBackModal)
        await pilot.press(*keys("one season of history only"), "enter")
        await pilot.pause()
        assert stage_of(app.screen) == "data"
        assert "2 Data Acquisition and Understanding" in screen_text(app.screen)
        assert store.load().switches[-1].to_stage == "data"


async def test_a_loop_back_to_a_module_opens_its_stage_with_that_module_highlighted(
    store: Store, framework: Framework, ctx: Context
) -> None:
    reach(store, framework, ctx, "modelling")
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3", "b")
        await pilot.pause()
        target = app.screen.query_one("#target", Select)
        target.focus()
        # The drop-down: 1 Business, its modules, 2 Data, its modules, ... (`home` first).
        business = framework.stage("business")
        await pilot.press("enter", "home", *["down"] * (len(business.modules) + 3), "enter")
        await wait_until(pilot, lambda: target.value == "data.pre-processing", "the target")
        app.screen.query_one("#reason").focus()
        await pilot.press(*keys("the join drops a depot"), "enter")
        await pilot.pause()
        assert stage_of(app.screen) == "data"
        assert app.screen.query_one(ModuleList).module_id == "data.pre-processing"
        assert "Pre-processing" in str(app.screen.query_one("#module").render())
    assert store.load().switches[-1].to_module == "data.pre-processing"


async def test_a_loop_back_to_a_module_of_an_open_stage_screen_highlights_it(
    store: Store, framework: Framework, ctx: Context
) -> None:
    """The stage screen already exists (it was visited): it moves its pointer, too."""
    for module in ("business.objectives", "business.problem-definition"):
        apply(store, framework, ctx, set_status, module, "done")
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("1", "j", "j", "0", "b")  # Business's screen left on stakeholders
        await pilot.pause()
        target = app.screen.query_one("#target", Select)
        target.focus()
        await pilot.press("enter", "home", "enter")  # only Business's modules are offered
        await wait_until(pilot, lambda: target.value == "business.objectives", "the target")
        app.screen.query_one("#reason").focus()
        await pilot.press(*keys("objectives changed"), "enter")
        await pilot.pause()
        assert stage_of(app.screen) == "business"
        assert app.screen.query_one(ModuleList).module_id == "business.objectives"


async def test_a_cancelled_loop_back_stays_where_it_was(
    store: Store, framework: Framework, ctx: Context
) -> None:
    reach(store, framework, ctx, "data")
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("b", "escape")
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)
