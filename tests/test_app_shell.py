"""Pilot tests of the app shell: welcome, dashboard, help, command palette, keymap, screens."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlpl_tui import app as app_module
from mlpl_tui.cli import main
from mlpl_tui.framework import Framework
from mlpl_tui.lifecycle import (
    Context,
    answer_question,
    decide,
    log_effort,
    set_status,
    switch_back,
)
from mlpl_tui.screens.base import ProjectScreen
from mlpl_tui.screens.conflicts import ConflictsScreen
from mlpl_tui.screens.dashboard import DashboardScreen
from mlpl_tui.screens.decisions import DecisionsScreen
from mlpl_tui.screens.experiments import ExperimentsScreen
from mlpl_tui.screens.help import HelpScreen
from mlpl_tui.screens.history import HistoryScreen
from mlpl_tui.screens.modals import EffortModal, LoopBackModal
from mlpl_tui.screens.welcome import WelcomeScreen
from mlpl_tui.store import Store
from tests.apphelp import (
    SIZE,
    finish_stage,
    keys,
    make_app,
    palette_highlight,
    screen_text,
    wait_until,
)
from tests.conftest import apply


async def test_welcome_creates_the_state_file_and_opens_the_dashboard(
    tmp_path: Path, framework: Framework
) -> None:
    path = tmp_path / "mlpl.json"
    app = make_app(None, framework, new_file=path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, WelcomeScreen)
        assert "no mlpl.json" in screen_text(app.screen)
        await pilot.press("1", "a")  # typed into the name field, not run as keys
        await pilot.press("ctrl+u", *keys("Churn pilot"), "enter")
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)
        assert "Churn pilot: in 1 Business, iteration 1" in screen_text(app.screen)
    assert Store(path).load().meta.name == "Churn pilot"


async def test_welcome_escape_quits_without_creating(tmp_path: Path, framework: Framework) -> None:
    app = make_app(None, framework, new_file=tmp_path / "mlpl.json")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("escape")
        await pilot.pause()
    assert not (tmp_path / "mlpl.json").exists()


def test_no_command_without_a_file_builds_the_welcome_app(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: dict[str, object] = {}

    def fake_run(self: app_module.MlplApp, mouse: bool = True) -> None:
        seen.update(store=self.store, new_file=self.new_file, mouse=mouse)

    monkeypatch.setattr(app_module.MlplApp, "run", fake_run)
    monkeypatch.setattr(app_module, "_is_terminal", lambda stream: True)  # as in a terminal
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MLPL_FILE", raising=False)
    assert main(["--no-mouse"]) == 0
    assert seen == {"store": None, "new_file": tmp_path / "mlpl.json", "mouse": False}


async def test_dashboard_shows_progress_journey_questions_decisions_and_effort(
    store: Store, framework: Framework, ctx: Context
) -> None:
    finish_stage(store, framework, ctx, "business")
    apply(store, framework, ctx, set_status, "data.acquisition", "done")
    apply(store, framework, ctx, switch_back, "business", "data", "one season only")
    apply(store, framework, ctx, answer_question, "2", "partly")
    apply(store, framework, ctx, decide, "Weekly grain", "forecast per week")
    apply(store, framework, ctx, log_effort, "1h30m", stage="data")
    apply(store, framework, ctx, log_effort, "45m")
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        text = screen_text(app.screen)
    assert "Test project: in 1 Business, iteration 2" in text
    assert "▶ 1 Business" in text and "current" in text
    assert "2 Data      ░░░░░░░░░░  0/5  visited  1 revisit   1h30m" in text
    lines = text.splitlines()
    journey = [line for line in lines if line.startswith(("1 Business ", "2 Data "))]
    assert journey[0].startswith("1 Business ") and "●" in journey[0] and "◉" in journey[0]
    assert "┘" in journey[1]  # the loop back from data goes up
    assert "2 partly  Is there supporting data?" in text
    assert "1 unknown Can ML address my business problem?" in text
    assert "accepted Weekly grain" in text
    assert "Total 2h15m · iteration 2: 2h15m" in text
    assert "Today (2026-03-02, UTC): 2h15m" in text  # the injected clock, not the wall clock


async def test_help_lists_the_real_bindings_including_a_remapped_key(
    store: Store, framework: Framework
) -> None:
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        app.set_keymap({"loop-back": "B"})
        await pilot.press("1", "question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = screen_text(app.screen)
        assert "space    Done/not" in text  # the stage screen's own keys
        assert "B        Loop back" in text
        assert "b        Loop back" not in text
        await pilot.press("escape", "B")
        await pilot.pause()
        assert isinstance(app.screen, LoopBackModal)


async def test_command_palette_reaches_actions_by_name(store: Store, framework: Framework) -> None:
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*keys("log time"))
        await wait_until(
            pilot,
            lambda: "log time" in palette_highlight(app.screen).lower(),
            "the palette to find 'log time'",
        )
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, EffortModal)
        commands = [c.title for c in app.get_system_commands(app.screen)]
    for title in (
        "screen: Dashboard (0)",
        "stage: Modelling (3)",
        "lifecycle: Advance (a)",
        "lifecycle: Loop back (b)",
        "record: Decision (d)",
        "screen: All decisions (D)",
        "screen: Journey and history (h)",
        "screen: Experiments (e)",
        "screen: Conflicts (c)",
        "app: Help (?)",
    ):
        assert title in commands


async def test_stage_screen_adds_its_actions_to_the_palette(
    store: Store, framework: Framework
) -> None:
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2")
        await pilot.pause()
        commands = {c.title: c for c in app.get_system_commands(app.screen)}
        commands["module: Toggle done (space) in Data"].callback()
        await pilot.pause()
    assert store.load().modules["data.acquisition"].status == "done"


OTHER_SCREENS: list[tuple[str, type[ProjectScreen]]] = [
    ("D", DecisionsScreen),
    ("h", HistoryScreen),
    ("e", ExperimentsScreen),
    ("c", ConflictsScreen),
]


@pytest.mark.parametrize(("key", "screen"), OTHER_SCREENS)
async def test_keys_of_the_other_screens(
    store: Store, framework: Framework, key: str, screen: type[ProjectScreen]
) -> None:
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(key)
        await pilot.pause()
        assert type(app.screen) is screen
        await pilot.press("0")
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)


async def test_x_on_the_dashboard_answers_an_exploration_question(
    store: Store, framework: Framework, ctx: Context
) -> None:
    from mlpl_tui.screens.modals import QuestionModal

    apply(store, framework, ctx, answer_question, "1", "yes")
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("x", "enter")
        await pilot.pause()
        assert isinstance(app.screen, QuestionModal)
        assert "2 Is there supporting data?" in screen_text(app.screen)  # first unanswered
        await pilot.press("enter", "up", "up", "enter")  # unknown -> partly -> no
        await pilot.press("tab", *keys("one season only"), "enter")
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)
        assert "2 no      Is there supporting data?" in screen_text(app.screen)
    answer = store.load().answers[2]
    assert (answer.answer, answer.note) == ("no", "one season only")


async def test_a_taller_terminal_lists_more_recent_decisions(
    store: Store, framework: Framework, ctx: Context
) -> None:
    for number in range(1, 9):
        apply(store, framework, ctx, decide, f"Decision number {number}", "d")
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert screen_text(app.screen).count("accepted Decision number") == 3
        await pilot.resize_terminal(120, 30)
        await pilot.pause()
        assert screen_text(app.screen).count("accepted Decision number") == 8
