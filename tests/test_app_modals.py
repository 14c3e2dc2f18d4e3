"""Pilot tests of the dialogs: decision, loop back, log effort, advance."""

from __future__ import annotations

from textual.widgets import Static

from mlpl_tui.framework import Framework
from mlpl_tui.lifecycle import Context, decide, set_status
from mlpl_tui.progress import current_stage_id, iteration
from mlpl_tui.screens.modals import AdvanceModal, DecisionModal, EffortModal, LoopBackModal
from mlpl_tui.screens.stage import StageScreen
from mlpl_tui.store import Store
from tests.apphelp import NOW, SIZE, finish_stage, keys, make_app, reach, screen_text
from tests.conftest import apply


def preview(screen: object) -> str:
    assert isinstance(screen, LoopBackModal)
    return str(screen.query_one("#preview", Static).render())


async def test_a_with_an_unmet_gate_changes_nothing_and_names_the_missing(
    store: Store, framework: Framework, ctx: Context
) -> None:
    apply(store, framework, ctx, set_status, "business.objectives", "done")
    before = store.path.read_bytes()
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, AdvanceModal)
        text = screen_text(app.screen)
        for module in framework.stage("business").required_modules:
            if module.id != "business.objectives":
                assert module.id in text
        assert "business.objectives " not in text
        await pilot.press("enter")  # force without a reason: refused in words
        await pilot.pause()
        assert "needs a reason" in screen_text(app.screen)
        await pilot.press("escape")
        await pilot.pause()
        assert store.path.read_bytes() == before


async def test_forced_advance_with_a_reason_is_stored_as_a_decision(
    store: Store, framework: Framework
) -> None:
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("a", *keys("client deadline"), "enter")
        await pilot.pause()
        project = store.load()
        assert current_stage_id(project) == "data"
        assert project.decisions[-1].rationale == "client deadline"
        assert "Data" in screen_text(app.screen)


async def test_advance_with_the_gate_met(store: Store, framework: Framework, ctx: Context) -> None:
    for module in framework.stage("business").required_modules:
        apply(store, framework, ctx, set_status, module.id, "done")
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("a")
        await pilot.pause()
        assert "Gate met" in screen_text(app.screen)
        await pilot.press("enter")
        await pilot.pause()
        assert current_stage_id(store.load()) == "data"
        assert not store.load().decisions


async def test_decision_dialog_stores_every_field(store: Store, framework: Framework) -> None:
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2", "d")
        await pilot.pause()
        assert isinstance(app.screen, DecisionModal)
        await pilot.press(*keys("Weekly grain"), "enter")
        await pilot.press(*keys("planners order weekly"), "enter")
        await pilot.press(*keys("forecast per week"), "enter")
        await pilot.press(*keys("matches replenishment"), "tab")
        await pilot.press("enter", "up", "enter")  # status: accepted -> proposed
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, StageScreen)
        (decision,) = store.load().decisions
        assert decision.title == "Weekly grain"
        assert decision.context == "planners order weekly"
        assert decision.decision == "forecast per week"
        assert decision.rationale == "matches replenishment"
        assert decision.status == "proposed"
        assert decision.stage == "data"  # opened from the data screen
        assert decision.created_at == NOW
        assert "Weekly grain" in screen_text(app.screen)


async def test_decision_without_its_decision_text_is_refused_in_words(
    store: Store, framework: Framework
) -> None:
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("d", *keys("Only a title"), "ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, DecisionModal)
        assert "must not be empty" in screen_text(app.screen)
        assert not store.load().decisions


async def test_decision_modal_supersedes_keeps_both_links(
    store: Store, framework: Framework, ctx: Context
) -> None:
    apply(store, framework, ctx, decide, "Daily grain", "forecast per day")
    old = store.load().decisions[0]
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(DecisionModal(supersedes=old.id))
        await pilot.pause()
        await pilot.press(*keys("Weekly grain"), "tab", "tab", *keys("per week"), "ctrl+s")
        await pilot.pause()
        project = store.load()
        new = next(d for d in project.decisions if d.id != old.id)
        assert new.supersedes == old.id
        assert project.decision(old.id).superseded_by == new.id  # type: ignore[union-attr]
        assert project.decision(old.id).status == "superseded"  # type: ignore[union-attr]


async def test_log_time_stores_minutes_on_the_screen_stage(
    store: Store, framework: Framework
) -> None:
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2", "t")
        await pilot.pause()
        assert isinstance(app.screen, EffortModal)
        await pilot.press(*keys("1h30m"), "enter")
        await pilot.pause()
        (entry,) = store.load().effort
        assert (entry.minutes, entry.stage, entry.on) == (90, "data", NOW[:10])


async def test_log_time_refuses_a_bad_duration_in_words(store: Store, framework: Framework) -> None:
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("t", *keys("lots"), "enter")
        await pilot.pause()
        assert isinstance(app.screen, EffortModal)
        assert "not understood" in screen_text(app.screen)
        assert not store.load().effort


async def test_loop_back_within_business_to_a_module(
    store: Store, framework: Framework, ctx: Context
) -> None:
    apply(store, framework, ctx, set_status, "business.objectives", "done")
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("b")
        await pilot.pause()
        assert isinstance(app.screen, LoopBackModal)
        assert "business.objectives" in screen_text(app.screen)  # preview
        await pilot.press(*keys("objectives changed"), "enter")
        await pilot.pause()
        project = store.load()
        assert project.switches[-1].to_module == "business.objectives"
        assert project.modules["business.objectives"].status == "revisit"
        assert iteration(project) == 2


async def test_loop_back_without_a_reason_changes_nothing(
    store: Store, framework: Framework, ctx: Context
) -> None:
    finish_stage(store, framework, ctx, "business")
    before = store.path.read_bytes()
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("b", "enter")
        await pilot.pause()
        assert isinstance(app.screen, LoopBackModal)
        assert "must not be empty" in screen_text(app.screen)
        await pilot.press("escape")
        await pilot.pause()
    assert store.path.read_bytes() == before


async def test_loop_back_target_choice_updates_the_preview(
    store: Store, framework: Framework, ctx: Context
) -> None:
    reach(store, framework, ctx, "modelling")
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("b")
        await pilot.pause()
        # Default target: Data, whose own done modules are not downstream of it.
        assert "No module will need revisit" in preview(app.screen)
        await pilot.press("shift+tab", "shift+tab", "enter", "home", "enter")
        await pilot.pause()
        assert "1 Business: the whole stage" in screen_text(app.screen)
        assert "[!] data.acquisition" in preview(app.screen)  # downstream of Business
        await pilot.press("tab", "tab", *keys("scope changed"), "enter")
        await pilot.pause()
        switch = store.load().switches[-1]
        assert (switch.to_stage, switch.category) == ("business", "business")


async def test_advancing_from_a_stage_screen_goes_on_to_the_next_stage(
    store: Store, framework: Framework, ctx: Context
) -> None:
    for module in framework.stage("business").required_modules:
        apply(store, framework, ctx, set_status, module.id, "done")
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("1", "a", "enter")
        await pilot.pause()
        assert isinstance(app.screen, StageScreen) and app.screen.stage_id == "data"
