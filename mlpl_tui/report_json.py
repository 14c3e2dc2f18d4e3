"""The JSON export: the whole project, records and derived figures, for other tools.

The shape is documented in the README ("The JSON export"); `format_version` changes when a
field is removed or changes meaning, not when one is added.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import orjson

from mlpl_tui.figures import REWORK_DEFINITION
from mlpl_tui.framework import Framework
from mlpl_tui.model import Project, RunLink
from mlpl_tui.plans import plan_json
from mlpl_tui.progress import status_summary
from mlpl_tui.report_view import (
    ArtifactRow,
    ComparisonTable,
    LearningRow,
    QuestionRow,
    ReportView,
    StatusChange,
)
from mlpl_tui.run_links import best_metrics
from mlpl_tui.sanitize import escape_json
from mlpl_tui.wording import shown_date

if TYPE_CHECKING:
    from mlpl_tui.artifact_files import ArtifactState

FORMAT = "mlpl-tui-report"
FORMAT_VERSION = 1


def export(
    project: Project,
    framework: Framework,
    artifact_states: Sequence[ArtifactState] | None = None,
    now: str | None = None,
) -> dict[str, Any]:
    """The export as plain data; `artifact_states` as checked on disk (else from the records);
    `now` marks today on the timeline (default: the time the state is as of)."""
    view = ReportView(project, framework, artifact_states, now)
    effort = view.effort
    summary = status_summary(project, framework)
    for stage in summary["stages"]:
        stage["effort_minutes"] = effort.by_stage.get(stage["id"], 0)
        stage["rework_minutes"] = effort.rework_by_stage.get(stage["id"], 0)
        for module in stage["modules"]:
            record = project.modules.get(module["id"])
            module["note"] = record.note if record else ""
            module["reason"] = record.reason if record else ""  # why it was (last) skipped
    items = view.open_items
    best = {
        x.row.experiment.id: best_metrics(project, framework, x.row.experiment.id)
        for x in view.experiment_runs
    }
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "framework": {"name": framework.name, "version": framework.version},
        "project": {
            "name": project.meta.name,
            "created_at": project.meta.created_at,
            "created_by": project.meta.created_by,
            "as_of": view.as_of,
            "current_stage": summary["current_stage"],
            "iteration": summary["iteration"],
            "closed": summary["closed"],
        },
        "stages": summary["stages"],
        "journey": [
            {
                "step": s.number,
                "stage": s.visit.stage,
                "iteration": s.visit.iteration,
                "how": s.visit.how,
                "switch": s.visit.switch,
                "entered_at": s.visit.entered_at,
                "entered_by": s.visit.entered_by,
                "left_at": s.visit.left_at,
                "outcome": s.visit.outcome,
            }
            for s in view.steps
        ],
        "switches": [{**_fields(s), "revisit": list(s.revisit)} for s in project.switches],
        "decisions": [
            {**_fields(row.decision), "status_changes": [_move(m) for m in row.status_changes]}
            for row in view.decisions
        ],
        "experiments": [
            {
                **_fields(row.experiment),
                "effort_minutes": row.minutes,
                "runs": [run_json(link) for link in project.runs_of(row.experiment.id)],
                "best_metrics": best.get(row.experiment.id, {}),
            }
            for row in view.experiments
        ],
        "comparison": _comparison(view),
        "effort": [{**_fields(row.entry), "rework": row.rework} for row in view.effort_rows],
        "effort_summary": {
            "total_minutes": effort.total,
            "rework_minutes": effort.rework,
            "rework_share": round(effort.rework_share, 4),
            "rework_definition": REWORK_DEFINITION,
            "by_stage": effort.by_stage,
            "rework_by_stage": effort.rework_by_stage,
            "by_iteration": [
                {
                    "iteration": it.row.number,
                    "stages": list(it.row.stages),
                    "started_at": it.row.started_at,
                    "minutes": it.row.minutes,
                    "rework_minutes": it.row.rework,
                }
                for it in view.iterations
            ],
        },
        "plan": plan_json(view.plan),
        "timeline": _timeline(view),
        "burn_up": [
            {"day": shown_date(p.at), "at": p.at, "done": p.done, "total": p.total}
            for p in view.burn_up
        ],
        "artifacts": [_artifact(row) for row in view.artifacts],
        "learnings": [_learning(row) for row in view.learnings],
        "questions": [_question(q) for q in view.questions],
        "open_items": {
            "revisit": [m.id for m in items.revisit],
            "required_not_done": [m.id for m in items.required_not_done],
            "required_ahead": items.required_ahead,
            "running_experiments": [e.id for e in items.running_experiments],
            "proposed_decisions": [d.id for d in items.proposed_decisions],
            "artifacts": [row.id for row in view.open_artifacts],
        },
        "events": [{**_fields(e), "refs": list(e.refs)} for e in project.events],
    }


def _timeline(view: ReportView) -> dict[str, Any]:
    line = view.timeline
    return {
        "start": line.start,
        "end": line.end,
        "now": line.now,
        "lanes": [{"stage": lane.stage, "title": lane.title} for lane in line.lanes],
        "bars": [
            {
                "step": b.step,
                "stage": b.stage,
                "iteration": b.iteration,
                "start": b.start,
                "end": b.end,
                "open": b.is_open,
                "loop_back": b.loop_back,
                "category": b.category or None,
            }
            for b in line.bars
        ],
    }


def artifact_json(state: ArtifactState) -> dict[str, Any]:
    """An artifact with its state, as `artifact list --json` and `status --json` give it."""
    info = state.info
    return {
        "id": info.id,
        "title": info.title,
        "stage": info.stage,
        "module": info.module,
        "required": info.required,
        "declared": info.declared is not None,
        "state": state.state,
        "since": state.since,
        "locations": [
            {
                "location": x.location,
                "state": x.state,
                "changed_at": x.changed_at,
                "problem": x.problem,
            }
            for x in state.locations
        ],
    }


def _artifact(row: ArtifactRow) -> dict[str, Any]:
    """The report's artifact: as listed, with where its document goes and who attached it."""
    info, link = row.artifact.info, row.artifact.info.link
    declared = info.declared
    return {
        **artifact_json(row.artifact),
        "path": (declared.path or None) if declared else None,
        "template": (declared.template or None) if declared else None,
        "attached_at": link.attached_at if link else None,
        "attached_by": link.attached_by if link else None,
        "updated_at": link.updated_at if link else None,
        "updated_by": link.updated_by if link else None,
    }


def _learning(row: LearningRow) -> dict[str, Any]:
    return {
        **_fields(row.learning),
        "sources": [{"id": x.id, "kind": x.table, "text": x.words} for x in row.sources],
    }


def _question(row: QuestionRow) -> dict[str, Any]:
    a = row.answer
    return {
        "number": row.question.number,
        "text": row.question.text,
        "answer": row.word,
        "note": a.note if a else "",
        "updated_at": a.updated_at if a else None,
        "updated_by": a.updated_by if a else None,
    }


def run_json(link: RunLink) -> dict[str, Any]:
    """A linked run's snapshot as JSON (the report and `experiment list --json`): metrics as
    numbers (null for NaN or infinity), params as text."""
    return {
        "ref": link.id,
        "tool": link.tool,
        "run_id": link.run_id,
        "name": link.name,
        "status": link.status,
        "started_at": link.started_at,
        "ended_at": link.ended_at,
        "metrics": link.metric_values,
        "params": link.param_values,
        "where": link.where,
        "captured_at": link.captured_at,
        "gone": link.gone,
        "linked_at": link.linked_at,
        "linked_by": link.linked_by,
    }


def _comparison(view: ReportView) -> dict[str, Any] | None:
    """The experiments with linked runs side by side: each metric's best value per experiment
    (null: none of its runs has it) and the experiments holding the row's best; None when no
    run is linked."""
    table: ComparisonTable | None = view.comparison
    if table is None:
        return None
    compared = table.comparison
    ids = [e.id for e in compared.experiments]
    return {
        "experiments": ids,
        "baseline": compared.baseline_experiment.id,
        "rows": [
            {
                "metric": row.metric,
                "goal": row.goal,
                "values": dict(zip(ids, row.values, strict=True)),
                "best": [ids[i] for i in row.best],
            }
            for row in compared.rows
        ],
    }


def _move(move: StatusChange) -> dict[str, str]:
    return {
        "from": move.before,
        "to": move.after,
        "at": move.at,
        "by": move.by,
        "event": move.event,
    }


def _fields(record: object) -> dict[str, Any]:
    """A record's fields (a shallow copy: the records hold only text, numbers and tuples)."""
    return dict(vars(record))


def render(
    project: Project,
    framework: Framework,
    artifact_states: Sequence[ArtifactState] | None = None,
    now: str | None = None,
) -> str:
    exported = export(project, framework, artifact_states, now)
    data = orjson.dumps(exported, option=orjson.OPT_INDENT_2)
    return escape_json(data.decode("utf-8")) + "\n"
