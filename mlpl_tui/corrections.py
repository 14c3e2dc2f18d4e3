"""Correcting records after the fact: edit a decision, an experiment or an effort entry, move a
decision along its statuses, remove an effort entry.

Each rule returns a change like the lifecycle's; the history event keeps every value it
replaces, so a correction loses nothing and can be undone. `started` holds the values the
user started editing from (the app's dialogs pass them): a field changed by someone else
meanwhile refuses the edit with an EditConflict instead of overwriting it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mlpl_tui.errors import RuleError
from mlpl_tui.framework import Framework
from mlpl_tui.lifecycle import (
    Context,
    brief,
    filed_under,
    find_record,
    parse_day,
    parse_duration,
    required,
)
from mlpl_tui.model import Change, Decision, EffortEntry, Experiment, Project, Put, Remove
from mlpl_tui.progress import current_stage_id, format_minutes

# Where a decision may go from each status; 'superseded' is set by the decision replacing it.
DECISION_MOVES: Mapping[str, tuple[str, ...]] = {
    "proposed": ("accepted", "rejected"),
    "accepted": ("deprecated",),
    "rejected": ("proposed",),
    "deprecated": ("accepted",),
    "superseded": (),
}


def decision_moves(status: str) -> tuple[str, ...]:
    """The statuses a decision in `status` can be moved to."""
    return DECISION_MOVES.get(status, ())


def edit_decision(
    project: Project,
    framework: Framework,
    ctx: Context,
    ref: str,
    *,
    title: str | None = None,
    context: str | None = None,
    decision: str | None = None,
    rationale: str | None = None,
    stage: str | None = None,
    module: str | None = None,
    status: str | None = None,
    started: Mapping[str, Any] | None = None,
) -> Change:
    """Correct a decision's texts, where it is filed, or move its status (see DECISION_MOVES)."""
    found: Decision = find_record(project.decisions, ref, "decision")
    fields: dict[str, Any] = _texts(
        title=title, context=context, decision=decision, rationale=rationale
    )
    if title is not None:
        fields["title"] = required(title, "the decision title")
    if decision is not None:
        fields["decision"] = required(decision, "the decision (--decision)")
    if stage or module:
        where = found.stage or current_stage_id(project)
        fields["stage"], fields["module"] = filed_under(framework, stage, module, where)
    if status is not None:
        fields["status"] = _decision_status(found, status)
    fields = _changed(found, fields)
    if not fields:
        return Change("decision.edit", "", [])
    moved = fields.get("status")
    if moved and len(fields) == 1:
        summary = f"Decision {found.id} {found.status} → {moved}: {brief(found.title)}"
    else:
        summary = f"Decision {found.id} edited ({', '.join(fields)}): {brief(found.title)}"
    put = Put("decisions", found.id, {**fields, **ctx.stamp()}, expect=_expect(fields, started))
    action = "decision.status" if moved and len(fields) == 1 else "decision.edit"
    return Change(action, summary, [put], result=found.id)


def _decision_status(found: Decision, status: str) -> str:
    wanted = status.strip().lower()
    if wanted == found.status:
        return wanted
    moves = decision_moves(found.status)
    if wanted not in moves:
        can = f"it can become {' or '.join(moves)}" if moves else "its status cannot be changed"
        extra = (
            "; a decision is superseded by recording the one that replaces it (decide --supersedes)"
            if wanted == "superseded" or found.status == "superseded"
            else ""
        )
        raise RuleError(f"decision {found.id} is {found.status}: {can}{extra}")
    return wanted


def edit_experiment(
    project: Project,
    framework: Framework,
    ctx: Context,
    ref: str,
    *,
    title: str | None = None,
    hypothesis: str | None = None,
    link: str | None = None,
    result: str | None = None,
    reason: str | None = None,
    stage: str | None = None,
    module: str | None = None,
    started: Mapping[str, Any] | None = None,
) -> Change:
    """Correct an experiment: its texts, its result, or where it is filed."""
    found: Experiment = find_record(project.experiments, ref, "experiment")
    fields = _texts(hypothesis=hypothesis, link=link, result=result)
    if title is not None:
        fields["title"] = required(title, "the experiment title")
    if reason is not None:
        if found.status != "abandoned":
            raise RuleError(
                f"experiment {found.id} is {found.status}: only an abandoned one has a reason"
            )
        fields["reason"] = required(reason, "the reason it was abandoned")
    if stage or module:
        fields["stage"], fields["module"] = filed_under(framework, stage, module, found.stage)
    fields = _changed(found, fields)
    if not fields:
        return Change("experiment.edit", "", [])
    summary = f"Experiment {found.id} edited ({', '.join(fields)}): {brief(found.title)}"
    put = Put("experiments", found.id, {**fields, **ctx.stamp()}, expect=_expect(fields, started))
    return Change("experiment.edit", summary, [put], result=found.id)


def edit_effort(
    project: Project,
    framework: Framework,
    ctx: Context,
    ref: str,
    *,
    duration: str | None = None,
    on: str | None = None,
    stage: str | None = None,
    module: str | None = None,
    note: str | None = None,
    started: Mapping[str, Any] | None = None,
) -> Change:
    """Correct an effort entry: its time, its day, what it was spent on, its note."""
    found: EffortEntry = find_record(project.effort, ref, "effort entry")
    fields = _texts(note=note)
    if duration is not None:
        fields["minutes"] = parse_duration(duration)
    if on is not None:
        fields["on"] = parse_day(on, ctx.today)
    if stage or module:
        fields["stage"], fields["module"] = filed_under(framework, stage, module, found.stage)
    fields = _changed(found, fields)
    if not fields:
        return Change("effort.edit", "", [])
    summary = f"Effort entry {found.id} edited ({', '.join(fields)}): {_effort_words(found)}"
    put = Put("effort", found.id, {**fields, **ctx.stamp()}, expect=_expect(fields, started))
    return Change("effort.edit", summary, [put], result=found.id)


def remove_effort(project: Project, ctx: Context, ref: str) -> Change:
    """Remove an effort entry logged by mistake; the history keeps all it held."""
    found: EffortEntry = find_record(project.effort, ref, "effort entry")
    summary = f"Effort entry {found.id} removed: {_effort_words(found)}"
    return Change("effort.remove", summary, [Remove("effort", found.id)], result=found.id)


def _effort_words(entry: EffortEntry) -> str:
    return f"{format_minutes(entry.minutes)} on {entry.module or entry.stage} for {entry.on}"


def _texts(**values: str | None) -> dict[str, Any]:
    return {name: value.strip() for name, value in values.items() if value is not None}


def _changed(record: Any, fields: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in fields.items() if getattr(record, name) != value}


def _expect(fields: Mapping[str, Any], started: Mapping[str, Any] | None) -> dict[str, Any]:
    return {name: started[name] for name in fields if started and name in started}
