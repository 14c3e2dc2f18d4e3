"""The dashboard (`0`): stage progress, where the project stands, the journey, the five
exploration questions, recent decisions and effort."""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Static

from mlpl_tui.journey import journey
from mlpl_tui.model import Decision, Project, RecordError, StateError
from mlpl_tui.progress import (
    current_stage_id,
    format_minutes,
    gate_missing,
    is_closed,
    iteration,
    stage_progress,
)
from mlpl_tui.widgets.bars import KeyBar, TitleBar
from mlpl_tui.widgets.journey_path import JourneyPath
from mlpl_tui.widgets.stage_bar import stage_line
from mlpl_tui.widgets.text import clip
from screens.base import ProjectScreen

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
            where = f"in {here.number} {here.id.capitalize()}, iteration {iteration(project)}"
            where += f" · {gate}"
        summary = f"{clip(project.meta.name)}: {where}"

        today = self._today()
        number = iteration(project)
        minutes, this_iteration, today_minutes = effort_sums(project, number, today)
        total = project.total_minutes
        lines = [
            stage_line(p, minutes.get(p.stage.id, 0), p.counts.get("revisit", 0))
            for p in stage_progress(project, framework)
        ]
        stages = Text(summary, style="bold")
        stages.append("\n")
        stages.append_text(section("Stages", lines))
        self.query_one("#stages", Static).update(stages)

        lanes = [f"{s.number} {s.id.capitalize()}" for s in framework.stages]
        self.query_one(JourneyPath).set_journey(journey(project, framework), lanes)

        answers = project.answers
        questions = []
        for q in framework.exploration_questions:
            answer = answers[q.number].answer if q.number in answers else "unknown"
            questions.append(f"{q.number} {answer:<7} {q.text}")
        self.query_one("#questions", Static).update(
            section("Exploration questions (x answers)", questions)
        )

        shown = RECENT_DECISIONS + max(0, self.size.height - BASE_HEIGHT)
        decisions = [
            f"{d.created_at[:10]} {d.status:<8} {d.title}" for d in recent_decisions(project, shown)
        ]
        effort = [
            f"Total {format_minutes(total) if total else '0m'}"
            f" · iteration {number}: {format_minutes(this_iteration) if this_iteration else '0m'}",
            f"Today ({today}): {format_minutes(today_minutes) if today_minutes else '0m'}",
        ]
        right = section("Recent decisions", decisions or ["None yet: d records one."])
        right.append("\n")
        right.append_text(section("Effort", effort))
        self.query_one("#decisions", Static).update(right)
        self._shown = project  # only once drawn: a record that cannot be read leaves it unset

    def on_resize(self) -> None:
        if self.is_current and self._shown is not None:  # recent decisions follow the height
            self._shown = None
            self.redraw()

    def action_answer(self) -> None:
        from screens.modals import QuestionModal

        answers = self.host.project.answers
        numbers = [q.number for q in self.host.framework.exploration_questions]
        open_ones = [n for n in numbers if n not in answers or answers[n].answer == "unknown"]
        self.app.push_screen(QuestionModal(open_ones[0] if open_ones else numbers[0]))

    def palette_commands(self) -> Iterable[SystemCommand]:
        """This screen's actions for the command palette."""
        yield SystemCommand("question: Answer (x)", "An exploration question", self.action_answer)

    def _today(self) -> str:
        context = getattr(self.app, "context", None)
        return str(context().today) if callable(context) else ""


def section(title: str, lines: Iterable[str]) -> Text:
    """A titled block: the title bold and underlined on the first line, then the lines.

    The lines quote stored text (titles, question texts): each is cleaned and cut to one line.
    """
    text = Text(title, style="bold underline")
    for line in lines:
        text.append("\n" + clip(line))
    return text


def effort_sums(project: Project, number: int, today: str) -> tuple[dict[str, int], int, int]:
    """Minutes per stage, in iteration `number`, and on `today`.

    Reads only the fields it sums, so a long-running project's dashboard opens quickly; the
    minutes are checked (total_minutes), the rest is reported by `mlpl-tui validate`.
    """
    per_stage: dict[str, int] = {}
    this_iteration = on_today = 0
    if not project.total_minutes:  # also checks every entry's minutes, naming a broken one
        return per_stage, this_iteration, on_today
    for raw in project.raw("effort").values():
        minutes = raw["minutes"]
        stage = raw.get("stage")
        if isinstance(stage, str):
            per_stage[stage] = per_stage.get(stage, 0) + minutes
        if raw.get("iteration", 1) == number:
            this_iteration += minutes
        if raw.get("on") == today:
            on_today += minutes
    return per_stage, this_iteration, on_today


def recent_decisions(project: Project, count: int = RECENT_DECISIONS) -> list[Decision]:
    """The latest decisions, newest first, parsing only those."""

    def key(item: tuple[str, Mapping[str, Any]]) -> tuple[str, str]:
        created = item[1].get("created_at")
        return (created if isinstance(created, str) else "", item[0])

    latest = heapq.nlargest(count, project.raw("decisions").items(), key=key)
    try:
        return [Decision.parse(id, raw) for id, raw in latest]
    except RecordError as exc:
        raise StateError(f"{project.label}: {exc}; fix it or restore the file from git") from None
