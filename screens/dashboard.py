"""The dashboard (`0`): stage progress, where the project stands (and any merge conflicts left
to resolve, and the artifacts that need a look: stale, a file missing, a required one missing),
the plan against the effort logged with a burn-up of the required modules (when a plan is set),
the journey, the five exploration questions with their answers and notes, recent decisions and
effort."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Static

from mlpl_tui.artifact_files import ArtifactState
from mlpl_tui.clock import zone_label
from mlpl_tui.figures import dashboard_effort, effort_figures, recent_decisions
from mlpl_tui.framework import Framework
from mlpl_tui.journey import journey
from mlpl_tui.model import Project
from mlpl_tui.plans import plan_figures, plan_words
from mlpl_tui.progress import (
    current_stage_id,
    format_minutes,
    gate_missing,
    is_closed,
    iteration,
    stage_progress,
)
from mlpl_tui.screens.artifact_view import attention_line, gate_blockers
from mlpl_tui.screens.base import ProjectScreen
from mlpl_tui.timeline import BurnPoint, burn_up, epoch
from mlpl_tui.widgets.bars import KeyBar, TitleBar
from mlpl_tui.widgets.journey_path import JourneyPath
from mlpl_tui.widgets.stage_bar import stage_line
from mlpl_tui.widgets.text import clip
from mlpl_tui.wording import one_line, plural, shown_date, stage_name

RECENT_DECISIONS = 3  # at 80x24; a taller terminal lists one more per extra row
BASE_HEIGHT = 24
SPARK = "▁▂▃▄▅▆▇█"
SPARK_WIDTH = 10  # cells of the burn-up on the plan line


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
        self._shown_states: Sequence[ArtifactState] | None = None
        self._rows_shown = 0  # how many recent decisions the drawn dashboard has room for

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
        states = self.host.artifact_states
        if project is self._shown and states is self._shown_states:
            return  # snapshots are immutable: the same one draws the same screen
        framework = self.host.framework
        here = framework.stage(current_stage_id(project))
        self.query_one(TitleBar).set_title(project.meta.name)
        if is_closed(project):
            where = f"accepted after {plural(iteration(project), 'iteration')}"
        else:
            missing = gate_missing(project, here)
            blockers = gate_blockers(project, framework, here, states)
            needs = [plural(len(missing), "module")] if missing else []
            needs += [plural(len(blockers), "artifact")] if blockers else []
            gate = f"gate needs {' and '.join(needs)}" if needs else "gate met: a to advance"
            where = f"in {here.number} {stage_name(here.id)}, iteration {iteration(project)}"
            where += f" · {gate}"
        summary = f"{clip(project.meta.name)}: {where}"

        context = self.host.context()
        today = context.today
        number = iteration(project)
        effort = dashboard_effort(project, number, today)
        total = project.total_minutes
        lines = [
            stage_line(p, effort.by_stage.get(p.stage.id, 0), p.counts.get("revisit", 0))
            for p in stage_progress(project, framework)
        ]
        stages = Text(summary, style="bold")
        stages.append("\n")
        unresolved = sum(not c.resolved for c in project.conflicts)
        if unresolved:
            # Marked in words and with `[!]`, never by colour alone.
            key = self._key_for("show('conflicts')", "c")
            stages.append(
                f"[!] {plural(unresolved, 'unresolved merge conflict')}: press {key} to "
                "choose which value to keep",
                style="bold reverse",
            )
            stages.append("\n")
        attention = attention_line(states, here.id)
        if attention:
            stages.append(f"[!] Artifacts to look at: {clip(attention)}", style="bold")
            stages.append("\n")
        plan = plan_line(project, framework, context.now)
        if plan:
            lines.append(plan)
        stages.append_text(section("Stages", lines))
        self.query_one("#stages", Static).update(stages)

        lanes = [f"{s.number} {stage_name(s.id)}" for s in framework.stages]
        self.query_one(JourneyPath).set_journey(journey(project, framework), lanes)

        answers = project.answers
        questions = []
        for q in framework.exploration_questions:
            answer = answers.get(q.number)
            questions.append(f"{q.number} {answer.answer if answer else 'unknown':<7} {q.text}")
            if answer is not None and answer.note.strip():
                questions.append(f"  ↳ {note_line(answer.note)}")  # the evidence, on one line
        self.query_one("#questions", Static).update(
            section("Exploration questions (x answers)", questions)
        )

        # The terminal's height, not the screen's: during a resize the screen is laid out at the
        # new size only after `on_resize` has run; the app has the new size first.
        shown = self._decision_rows()
        self._rows_shown = shown
        decisions = [
            f"{shown_date(d.created_at)} {d.status:<8} {d.title}"
            for d in recent_decisions(project, shown)
        ]
        minutes = [
            f"Total {_minutes(total)} · iteration {number}: {_minutes(effort.in_iteration)}",
            f"Today ({today}, {zone_label(context.now)}): {_minutes(effort.on_day)}",
        ]
        right = section("Recent decisions", decisions or ["None yet: d records one."])
        right.append("\n")
        right.append_text(section("Effort", minutes))
        self.query_one("#decisions", Static).update(right)
        # Only once drawn: a record that cannot be read leaves it unset.
        self._shown, self._shown_states = project, states

    def _decision_rows(self) -> int:
        return RECENT_DECISIONS + max(0, self.app.size.height - BASE_HEIGHT)

    def on_resize(self) -> None:
        # Recent decisions follow the height; a resize that keeps their count (Textual sends a
        # few at start-up) redraws nothing, which keeps the first paint quick on a big file.
        if (
            self.is_current
            and self._shown is not None
            and self._decision_rows() != self._rows_shown
        ):
            self._shown = None
            self.redraw()

    def _key_for(self, action: str, default: str) -> str:
        """The key bound to `action` now (a keymap may have moved it), as the key bar shows it."""
        for active in self.active_bindings.values():
            if active.binding.action == action:
                return self.app.get_key_display(active.binding)
        return default

    def action_answer(self) -> None:
        """Ask which question (each with its answer), then open the answer dialog on it."""
        from mlpl_tui.screens.modals import QuestionModal
        from mlpl_tui.screens.modals.question import QuestionPicker

        def answer(number: int | None) -> None:
            if number is not None:
                self.app.push_screen(QuestionModal(number))

        self.app.push_screen(QuestionPicker(), answer)

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


def plan_line(project: Project, framework: Framework, now: str) -> str:
    """`Plan 28d · spent 37d 3h (133%) · rework 18% · required done ▁▂▃▅▇ 12/16`, or "" when
    no estimate is set (mlpl-tui plan STAGE DURATION sets one)."""
    if not project.plans:
        return ""
    total = plan_figures(project, framework, effort_figures(project, framework)).total
    if total.planned is None:
        return ""
    line = f"Plan {plan_words(total.planned)} · spent {plan_words(total.actual)}"
    line += f" ({total.used})" if total.used else ""
    line += f" · rework {total.rework_share}" if total.rework_share else ""
    points = burn_up(project, framework)
    required = sum(1 for m in framework.modules.values() if m.required)
    if required:
        starts = [v.entered_at for v in project.visits if epoch(v.entered_at) is not None]
        start = min(starts, key=lambda s: epoch(s) or 0.0) if starts else now
        done = points[-1].done if points else 0
        line += f" · required done {sparkline(points, start, now)} {done}/{required}"
    return line


def sparkline(points: list[BurnPoint], start: str, end: str, width: int = SPARK_WIDTH) -> str:
    """The burn-up as `width` block characters across calendar time from `start` to `end`:
    each the share of required modules done at the end of its slice of time."""
    first, last = epoch(start), epoch(end)
    if first is None or last is None or last <= first:
        first = last = None  # no span to spread over: every cell shows the latest count
    cells = []
    for cell in range(width):
        at = None if first is None or last is None else first + (last - first) * (cell + 1) / width
        share = 0.0
        for point in points:
            when = epoch(point.at)
            if at is None or (when is not None and when <= at):
                share = point.done / point.total if point.total else 0.0
        cells.append(SPARK[min(len(SPARK) - 1, round(share * (len(SPARK) - 1)))])
    return "".join(cells)


def note_line(note: str, width: int = 200) -> str:
    """A note as one line: white space folded, cut to `width` (shown through `clip`). Only its
    start is folded: a note can be megabytes long."""
    return one_line(note[: width * 10], width)


def _minutes(minutes: int) -> str:
    """`1h30m`, or `0m` when nothing was logged."""
    return format_minutes(minutes) if minutes else "0m"
