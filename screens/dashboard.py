"""The dashboard (`0`): stage progress, where the project stands, the journey, the five
exploration questions, recent decisions and effort."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Static

from mlpl_tui.figures import dashboard_effort, recent_decisions
from mlpl_tui.journey import journey
from mlpl_tui.model import Project
from mlpl_tui.progress import (
    current_stage_id,
    format_minutes,
    gate_missing,
    is_closed,
    iteration,
    stage_progress,
)
from mlpl_tui.screens.base import ProjectScreen
from mlpl_tui.widgets.bars import KeyBar, TitleBar
from mlpl_tui.widgets.journey_path import JourneyPath
from mlpl_tui.widgets.stage_bar import stage_line
from mlpl_tui.widgets.text import clip
from mlpl_tui.wording import shown_date, stage_name

RECENT_DECISIONS = 3  # at 80x24; a taller terminal lists one more per extra row
BASE_HEIGHT = 24


class DashboardScreen(ProjectScreen):
    """Where the project stands, on one screen; `x` answers an exploration question."""

    CSS_PATH = "dashboard.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "x",
            "answer",
            "Answer",
            id="answer-question",
            tooltip="Answer one of the five exploration questions",
        ),
    ]

    def __init__(self) -> None:
        super().__init__(name="dashboard")
        self._shown: Project | None = None

    def compose(self) -> ComposeResult:
        yield TitleBar()
        # Few widgets on purpose: each section is one Static, its title the first line, so the
        # dashboard paints quickly on start-up.
        with VerticalScroll(id="body"):
            yield Static("", id="stages", markup=False)
            yield Static("Journey  (● visit  ◉ now  up = loop back)", classes="section-title")
            yield JourneyPath(id="journey")
            with Horizontal(id="lower"):
                yield Static("", id="questions", markup=False)
                yield Static("", id="decisions", markup=False)
        yield KeyBar()

    def show(self, project: Project) -> None:
        if project is self._shown:
            return  # snapshots are immutable: the same one draws the same screen
        framework = self.host.framework
        here = framework.stage(current_stage_id(project))
        self.query_one(TitleBar).set_title(project.meta.name)
        if is_closed(project):
            where = f"accepted after {iteration(project)} iteration(s)"
        else:
            missing = gate_missing(project, here)
            gate = f"gate needs {len(missing)} module(s)" if missing else "gate met: a to advance"
            where = f"in {here.number} {stage_name(here.id)}, iteration {iteration(project)}"
            where += f" · {gate}"
        summary = f"{clip(project.meta.name)}: {where}"

        today = self.host.context().today
        number = iteration(project)
        effort = dashboard_effort(project, number, today)
        total = project.total_minutes
        lines = [
            stage_line(p, effort.by_stage.get(p.stage.id, 0), p.counts.get("revisit", 0))
            for p in stage_progress(project, framework)
        ]
        stages = Text(summary, style="bold")
        stages.append("\n")
        stages.append_text(section("Stages", lines))
        self.query_one("#stages", Static).update(stages)

        lanes = [f"{s.number} {stage_name(s.id)}" for s in framework.stages]
        self.query_one(JourneyPath).set_journey(journey(project, framework), lanes)

        answers = project.answers
        questions = []
        for q in framework.exploration_questions:
            answer = answers[q.number].answer if q.number in answers else "unknown"
            questions.append(f"{q.number} {answer:<7} {q.text}")
        self.query_one("#questions", Static).update(
            section("Exploration questions (x answers)", questions)
        )

        # The terminal's height, not the screen's: during a resize the screen is laid out at the
        # new size only after `on_resize` has run; the app has the new size first.
        shown = RECENT_DECISIONS + max(0, self.app.size.height - BASE_HEIGHT)
        decisions = [
            f"{shown_date(d.created_at)} {d.status:<8} {d.title}"
            for d in recent_decisions(project, shown)
        ]
        minutes = [
            f"Total {_minutes(total)} · iteration {number}: {_minutes(effort.in_iteration)}",
            f"Today ({today}): {_minutes(effort.on_day)}",
        ]
        right = section("Recent decisions", decisions or ["None yet: d records one."])
        right.append("\n")
        right.append_text(section("Effort", minutes))
        self.query_one("#decisions", Static).update(right)
        self._shown = project  # only once drawn: a record that cannot be read leaves it unset

    def on_resize(self) -> None:
        if self.is_current and self._shown is not None:  # recent decisions follow the height
            self._shown = None
            self.redraw()

    def action_answer(self) -> None:
        from mlpl_tui.screens.modals import QuestionModal

        answers = self.host.project.answers
        numbers = [q.number for q in self.host.framework.exploration_questions]
        open_ones = [n for n in numbers if n not in answers or answers[n].answer == "unknown"]
        self.app.push_screen(QuestionModal(open_ones[0] if open_ones else numbers[0]))

    def palette_commands(self) -> Iterable[SystemCommand]:
        """This screen's actions for the command palette."""
        yield SystemCommand("question: Answer (x)", "An exploration question", self.action_answer)


def section(title: str, lines: Iterable[str]) -> Text:
    """A titled block: the title bold and underlined on the first line, then the lines.

    The lines quote stored text (titles, question texts): each is cleaned and cut to one line.
    """
    text = Text(title, style="bold underline")
    for line in lines:
        text.append("\n" + clip(line))
    return text


def _minutes(minutes: int) -> str:
    """`1h30m`, or `0m` when nothing was logged."""
    return format_minutes(minutes) if minutes else "0m"
