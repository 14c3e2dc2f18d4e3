"""Figures the reports share, derived from a project: effort totals, rework, open items.

Pure functions over a snapshot and its framework: no files, no clock, no formatting.

Rework is defined once, here, and the reports quote this definition: an effort entry is rework
when it was logged on a stage in a later iteration than the stage's first visit, that is, on a
stage the project had already been through and came back to after a lifecycle switch (directly,
or by advancing into it again). Iterations only grow with switches, so rework is always logged in
an iteration after the first. The rework share is rework minutes over all minutes (0 when nothing
was logged).
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from mlpl_tui.artifacts import BLOCKING, MISSING, ArtifactInfo, artifact_infos, recorded_states
from mlpl_tui.framework import Framework, Module
from mlpl_tui.model import Decision, EffortEntry, Experiment, Project, Visit
from mlpl_tui.progress import PASSED, current_stage_id, is_closed, module_status

REWORK_DEFINITION = (
    "Rework is effort logged on a stage in a later iteration than the stage's first visit: "
    "work on a stage the project had already been through and came back to after a lifecycle "
    "switch. The rework share is rework minutes over all minutes logged."
)


def first_iterations(visits: Iterable[Visit]) -> dict[str, int]:
    """The iteration in which each visited stage was first entered."""
    first: dict[str, int] = {}
    for visit in visits:
        if visit.iteration < first.get(visit.stage, visit.iteration + 1):
            first[visit.stage] = visit.iteration
    return first


def is_rework(entry: EffortEntry, first: dict[str, int]) -> bool:
    """True when the entry was logged in a revisit of its stage (see REWORK_DEFINITION)."""
    started = first.get(entry.stage)
    return started is not None and entry.iteration > started


@dataclass(frozen=True)
class Effort:
    """Effort totals: overall, per stage, per iteration, per experiment, and the rework in them."""

    total: int
    rework: int
    by_stage: dict[str, int]
    rework_by_stage: dict[str, int]
    by_iteration: dict[int, int]
    rework_by_iteration: dict[int, int]
    by_experiment: dict[str, int]

    @property
    def rework_share(self) -> float:
        """Rework minutes over all minutes, from 0.0 to 1.0."""
        return self.rework / self.total if self.total else 0.0


def effort_by_experiment(project: Project) -> dict[str, int]:
    """Minutes logged per experiment id (experiments with no effort are absent)."""
    minutes: dict[str, int] = {}
    for entry in project.effort:
        if entry.experiment:
            minutes[entry.experiment] = minutes.get(entry.experiment, 0) + entry.minutes
    return minutes


def effort_figures(project: Project, framework: Framework) -> Effort:
    """Totals of the effort log; stages in framework order, then any the framework lacks."""
    first = first_iterations(project.visits)
    by_stage: dict[str, int] = {s.id: 0 for s in framework.stages}
    rework_by_stage: dict[str, int] = {s.id: 0 for s in framework.stages}
    by_iteration: dict[int, int] = {}
    rework_by_iteration: dict[int, int] = {}
    total = rework = 0
    for entry in project.effort:
        minutes = entry.minutes
        total += minutes
        by_stage[entry.stage] = by_stage.get(entry.stage, 0) + minutes
        by_iteration[entry.iteration] = by_iteration.get(entry.iteration, 0) + minutes
        if is_rework(entry, first):
            rework += minutes
            rework_by_stage[entry.stage] = rework_by_stage.get(entry.stage, 0) + minutes
            rework_by_iteration[entry.iteration] = (
                rework_by_iteration.get(entry.iteration, 0) + minutes
            )
    return Effort(
        total=total,
        rework=rework,
        by_stage=by_stage,
        rework_by_stage=rework_by_stage,
        by_iteration=dict(sorted(by_iteration.items())),
        rework_by_iteration=dict(sorted(rework_by_iteration.items())),
        by_experiment=effort_by_experiment(project),
    )


@dataclass(frozen=True)
class EffortSums:
    """The dashboard's effort: minutes per stage, in one iteration and on one day."""

    by_stage: dict[str, int]
    in_iteration: int
    on_day: int


def dashboard_effort(project: Project, iteration: int, day: str) -> EffortSums:
    """Minutes per stage, in iteration `iteration` and on `day` (an ISO date).

    Reads only the fields it sums, so a long-running project's dashboard opens quickly; the
    minutes are checked (total_minutes), the rest is reported by `mlpl-tui validate`.
    """
    by_stage: dict[str, int] = {}
    in_iteration = on_day = 0
    if not project.total_minutes:  # also checks every entry's minutes, naming a broken one
        return EffortSums(by_stage, in_iteration, on_day)
    for raw in project.raw("effort").values():
        minutes = raw["minutes"]
        stage = raw.get("stage")
        if isinstance(stage, str):
            by_stage[stage] = by_stage.get(stage, 0) + minutes
        if raw.get("iteration", 1) == iteration:
            in_iteration += minutes
        if raw.get("on") == day:
            on_day += minutes
    return EffortSums(by_stage, in_iteration, on_day)


def recent_decisions(project: Project, n: int) -> list[Decision]:
    """The latest `n` decisions, newest first, parsing only those."""

    def key(item: tuple[str, Mapping[str, Any]]) -> tuple[str, str]:
        created = item[1].get("created_at")
        return (created if isinstance(created, str) else "", item[0])

    latest = heapq.nlargest(n, project.raw("decisions").items(), key=key)
    # A snapshot of just these records: the project's own parsing and error message apply.
    chosen = Project({"decisions": dict(latest)}, project.label).decisions
    return list(reversed(chosen))


@dataclass(frozen=True)
class IterationRow:
    """One iteration: the stages it visited, when it started, and the effort logged in it."""

    number: int
    stages: tuple[str, ...]
    started_at: str
    minutes: int
    rework: int


def iteration_rows(project: Project, effort: Effort) -> list[IterationRow]:
    """Every iteration that has a visit or effort, in order."""
    stages: dict[int, list[str]] = {}
    started: dict[int, str] = {}
    for visit in project.visits:
        stages.setdefault(visit.iteration, []).append(visit.stage)
        started.setdefault(visit.iteration, visit.entered_at)
    numbers = sorted(set(stages) | set(effort.by_iteration))
    return [
        IterationRow(
            number=n,
            stages=tuple(stages.get(n, [])),
            started_at=started.get(n, ""),
            minutes=effort.by_iteration.get(n, 0),
            rework=effort.rework_by_iteration.get(n, 0),
        )
        for n in numbers
    ]


@dataclass(frozen=True)
class OpenItems:
    """What is still open: modules to revisit, required modules not passed, running work,
    artifacts to attach or bring up to date."""

    revisit: tuple[Module, ...]
    required_not_done: tuple[Module, ...]  # in stages up to the current one
    required_ahead: int  # required modules of stages not reached yet
    running_experiments: tuple[Experiment, ...]
    proposed_decisions: tuple[Decision, ...]
    # (title, state) of the artifacts open_artifacts names, in stage order
    artifacts: tuple[tuple[str, str], ...] = ()

    @property
    def empty(self) -> bool:
        return not (
            self.revisit
            or self.required_not_done
            or self.running_experiments
            or self.proposed_decisions
            or self.artifacts
        )


def reached(project: Project, framework: Framework) -> set[str]:
    """The ids of the stages reached: up to the current one, all of them once accepted."""
    if is_closed(project):
        return {s.id for s in framework.stages}
    current = framework.stage_index(current_stage_id(project))
    return {s.id for s in framework.stages[: current + 1]}


def open_artifacts(
    project: Project, framework: Framework, states: Mapping[str, str] | None = None
) -> list[tuple[ArtifactInfo, str]]:
    """Artifacts of the stages reached that need work: required ones missing, stale or whose
    file is missing, and any attached one gone stale or missing its file.

    `states` (artifact id to state) comes from the files (`artifact_files.state_words`);
    without it only what the records say is known: missing or attached.
    """
    known = recorded_states(project, framework) if states is None else states
    stages = reached(project, framework)
    found = []
    for info in artifact_infos(project, framework):
        state = known.get(info.id, MISSING)
        if info.stage in stages and state in BLOCKING and (info.required or state != MISSING):
            found.append((info, state))
    return found


def open_items(
    project: Project, framework: Framework, artifact_states: Mapping[str, str] | None = None
) -> OpenItems:
    """Open work, for the report's checklist; an accepted project has passed every stage.

    `artifact_states` as for open_artifacts (default: what the records say).
    """
    closed = is_closed(project)
    open_ones = open_artifacts(project, framework, artifact_states)
    current = framework.stage_index(current_stage_id(project))
    revisit: list[Module] = []
    missing: list[Module] = []
    ahead = 0
    for index, stage in enumerate(framework.stages):
        for module in stage.modules:
            status = module_status(project, module.id)
            if status == "revisit":
                revisit.append(module)
            if not module.required or status in PASSED:
                continue
            if closed or index <= current:
                missing.append(module)
            else:
                ahead += 1
    return OpenItems(
        revisit=tuple(revisit),
        required_not_done=tuple(m for m in missing if m not in revisit),
        required_ahead=ahead,
        running_experiments=tuple(e for e in project.experiments if e.status == "running"),
        proposed_decisions=tuple(d for d in project.decisions if d.status == "proposed"),
        artifacts=tuple((info.title, state) for info, state in open_ones),
    )


def as_of(project: Project) -> str:
    """When the project last changed: the latest history event, else its creation."""
    # Only the times are needed: reading every event record would cost more than the report.
    times = [raw.get("at") for raw in project.raw("events").values()]
    return max((t for t in times if isinstance(t, str)), default=project.meta.created_at)


def stage_title(framework: Framework, stage_id: str | None) -> str:
    """A stage's title, or its id when the framework does not know it."""
    if stage_id is None:
        return ""
    return next((s.title for s in framework.stages if s.id == stage_id), stage_id)


def module_title(framework: Framework, module_id: str | None) -> str:
    if module_id is None:
        return ""
    module = framework.modules.get(module_id)
    return module.title if module else module_id
