"""Day-one fixes for the exploration questions: an answer's note shows on the dashboard, and `x`
asks which question (each shown with its current answer) before the answer dialog."""

from __future__ import annotations

from textual.widgets import Static

from mlpl_tui.framework import Framework
from mlpl_tui.lifecycle import Context, answer_question
from mlpl_tui.screens.dashboard import DashboardScreen
from mlpl_tui.screens.modals import QuestionModal
from mlpl_tui.screens.modals.question import QuestionList, QuestionPicker
from mlpl_tui.store import Store
from tests.apphelp import SIZE, keys, make_app, screen_text, wait_for_text
from tests.conftest import apply


def questions_panel(app_screen: object) -> str:
    assert isinstance(app_screen, DashboardScreen)
    return str(app_screen.query_one("#questions", Static).render())


async def test_an_answers_note_shows_under_its_question_on_the_dashboard(
    store: Store, framework: Framework, ctx: Context
) -> None:
    apply(store, framework, ctx, answer_question, "2", "partly", "only one\n  season of sales")
    apply(store, framework, ctx, answer_question, "1", "yes")
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        lines = questions_panel(app.screen).splitlines()
        two = lines.index("2 partly  Is there supporting data?")
        assert lines[two + 1] == "  ↳ only one season of sales"  # folded to one line
        assert lines[1].startswith("1 yes") and not lines[2].startswith("  ↳")  # no note


async def test_a_note_with_controls_or_a_huge_note_stays_one_clean_line(
    store: Store, framework: Framework, ctx: Context
) -> None:
    apply(store, framework, ctx, answer_question, "3", "no", "\x1b[31mred\x1b[0m " + "x" * 500_000)
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        panel = questions_panel(app.screen)
        note = next(line for line in panel.splitlines() if line.startswith("  ↳"))
        assert "\x1b" not in panel and note.startswith("  ↳ \\x1b[31mred")
        assert len(note) < 300


async def test_x_asks_which_question_showing_each_answer_and_note(
    store: Store, framework: Framework, ctx: Context
) -> None:
    apply(store, framework, ctx, answer_question, "1", "yes", "budget signed")
    apply(store, framework, ctx, answer_question, "4", "partly")
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("x")
        await pilot.pause()
        picker = app.screen
        assert isinstance(picker, QuestionPicker)
        rows = picker.query_one(QuestionList)
        assert [rows.texts[n][:10].rstrip() for n in rows.rows] == [
            "1 yes",
            "2 unknown",
            "3 unknown",
            "4 partly",
            "5 unknown",
        ]
        assert rows.texts[1] == "1 yes      Can ML address my business problem?"
        assert rows.highlighted_row == 2  # the first question still open
        assert "No note yet." in screen_text(picker)
        await pilot.press("up")
        await wait_for_text(pilot, "Note: budget signed")
        await pilot.press("down", "down", "down", "enter")  # question 4
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, QuestionModal) and dialog.number == 4
        await pilot.press("enter", "up", "enter")  # open the list: partly -> no
        await pilot.press("tab", *keys("too costly"), "enter")
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)
        assert "4 no      What value" in questions_panel(app.screen)
        assert "  ↳ too costly" in questions_panel(app.screen)
    answer = store.load().answers[4]
    assert (answer.answer, answer.note) == ("no", "too costly")


async def test_a_questions_number_picks_it_and_escape_changes_nothing(
    store: Store, framework: Framework
) -> None:
    before = store.path.read_bytes()
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("x", "5")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, QuestionModal) and dialog.number == 5
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)
        await pilot.press("x", "escape")
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)
    assert store.path.read_bytes() == before
