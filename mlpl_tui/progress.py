"""Where a project stands, derived from its records: current stage, iteration, gates, progress."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from mlpl_tui.framework import Framework, Module, Stage
from mlpl_tui.model import Project, StateError, Visit
from mlpl_tui.wording import STAGE_ORDER, truncate

PASSED = ("done", "skipped")


def current_visit(project: Project) -> Visit | None:
    """The open visit, or None when the project has been accepted (closed)."""
    open_visits = [v for v in project.visits if v.left_at is None]
    return open_visits[-1] if open_visits else None


def last_visit(project: Project) -> Visit | None:
    return project.visits[-1] if project.visits else None


def is_closed(project: Project) -> bool:
    last = last_visit(project)
    return current_visit(project) is None and last is not None and last.outcome == "accepted"


def current_stage_id(project: Project) -> str:
    """The stage the project is in; a closed project stays in its last stage (delivery)."""
    visit = current_visit(project) or last_visit(project)
    if visit is None:
        return "business"
    # Every framework has exactly these stages; anything else would fail each lookup after.
    if visit.stage not in STAGE_ORDER:
        stage = truncate(visit.stage, 40)
        raise StateError(
            f"{project.label}: the current visit '{visit.id:.40}' is in stage '{stage}', which "
            "the framework does not have; fix it ('mlpl-tui validate' lists every problem)"
        )
    return visit.stage


def current_stage(project: Project, framework: Framework) -> Stage:
    """The framework's stage the project is in."""
    return framework.stage(current_stage_id(project))


def iteration(project: Project) -> int:
    visit = current_visit(project) or last_visit(project)
    return visit.iteration if visit else 1


def module_status(project: Project, module_id: str) -> str:
    state = project.modules.get(module_id)
    return state.status if state else "todo"


def gate_missing(project: Project, stage: Stage) -> list[Module]:
    """Required modules of `stage` that are neither done nor skipped."""
    return [m for m in stage.required_modules if module_status(project, m.id) not in PASSED]


@dataclass(frozen=True)
class LoopBackTarget:
    """Where a loop back may go: a whole earlier stage, or one module of a stage reached."""

    stage: Stage
    module: Module | None = None

    @property
    def id(self) -> str:
        """The module's id (`data.cleaning`), or the stage's (`data`) for the whole stage."""
        return self.module.id if self.module else self.stage.id


def loop_back_targets(project: Project, framework: Framework) -> list[LoopBackTarget]:
    """Every target `lifecycle.switch_back` accepts, in framework order.

    Any stage up to the current one, by module; a whole stage only when it is earlier (or the
    project is closed: then the last stage may be reopened too).
    """
    here = framework.stage_index(current_stage_id(project))
    closed = is_closed(project)
    targets: list[LoopBackTarget] = []
    for index, stage in enumerate(framework.stages[: here + 1]):
        if index < here or closed:
            targets.append(LoopBackTarget(stage))
        targets += [LoopBackTarget(stage, m) for m in stage.modules]
    return targets


def default_loop_back_target(project: Project, framework: Framework) -> LoopBackTarget | None:
    """The likeliest target: the previous stage, else the first one offered (None: none is)."""
    here = framework.stage_index(current_stage_id(project))
    if here > 0:
        return LoopBackTarget(framework.stages[here - 1])
    targets = loop_back_targets(project, framework)
    return targets[0] if targets else None


def visited_stage_ids(project: Project) -> set[str]:
    return {v.stage for v in project.visits}


@dataclass(frozen=True)
class StageProgress:
    """Counts of module statuses in one stage and whether the stage is current or passed."""

    stage: Stage
    counts: Mapping[str, int]
    state: str  # "current", "passed", "visited", "ahead", "accepted"

    @property
    def finished(self) -> int:
        return sum(self.counts.get(s, 0) for s in PASSED)

    @property
    def total(self) -> int:
        return len(self.stage.modules)


def stage_progress(project: Project, framework: Framework) -> list[StageProgress]:
    current = current_stage_id(project)
    current_index = framework.stage_index(current)
    closed = is_closed(project)
    result = []
    for index, stage in enumerate(framework.stages):
        counts: dict[str, int] = {}
        for module in stage.modules:
            status = module_status(project, module.id)
            counts[status] = counts.get(status, 0) + 1
        if closed:
            state = "accepted"
        elif index == current_index:
            state = "current"
        elif index < current_index:
            state = "passed"
        else:
            state = "visited" if stage.id in visited_stage_ids(project) else "ahead"
        result.append(StageProgress(stage, counts, state))
    return result


def format_minutes(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest}m"
    return f"{hours}h{rest:02d}m" if rest else f"{hours}h"


def effort_minutes(project: Project) -> int:
    return project.total_minutes


def unknown_module_ids(project: Project, framework: Framework) -> list[str]:
    """Module records the framework does not know; they are kept, never dropped."""
    return sorted(set(project.raw("modules")) - set(framework.modules))


def status_summary(project: Project, framework: Framework) -> dict[str, Any]:
    """The machine-readable status: what `status --json` prints."""
    stages = []
    for progress in stage_progress(project, framework):
        stage = progress.stage
        stages.append(
            {
                "id": stage.id,
                "number": stage.number,
                "title": stage.title,
                "state": progress.state,
                "done": progress.finished,
                "total": progress.total,
                "gate_missing": [m.id for m in gate_missing(project, stage)],
                "modules": [
                    {
                        "id": m.id,
                        "title": m.title,
                        "status": module_status(project, m.id),
                        "required": m.required,
                    }
                    for m in stage.modules
                ],
            }
        )
    answers = project.answers
    return {
        "project": project.meta.name,
        "current_stage": current_stage_id(project),
        "iteration": iteration(project),
        "closed": is_closed(project),
        "stages": stages,
        # Counts only: status stays fast on big files; `validate` reads every record.
        "switches": project.count("switches"),
        "decisions": project.count("decisions"),
        "experiments": project.count("experiments"),
        "effort_minutes": effort_minutes(project),
        "questions": [
            {
                "number": q.number,
                "text": q.text,
                "answer": answers[q.number].answer if q.number in answers else "unknown",
            }
            for q in framework.exploration_questions
        ],
        "unknown_modules": unknown_module_ids(project, framework),
    }
