"""The JSON export: the whole project, records and derived figures, for other tools.

The shape is documented in the README ("The JSON export"); `format_version` changes when a
field is removed or changes meaning, not when one is added.
"""

from __future__ import annotations

from typing import Any

import orjson

from mlpl_tui.figures import (
    REWORK_DEFINITION,
    as_of,
    effort_figures,
    first_iterations,
    is_rework,
    iteration_rows,
    open_items,
)
from mlpl_tui.framework import Framework
from mlpl_tui.journey import journey
from mlpl_tui.model import Project
from mlpl_tui.progress import status_summary
from mlpl_tui.sanitize import escape_json

FORMAT = "mlpl-tui-report"
FORMAT_VERSION = 1


def export(project: Project, framework: Framework) -> dict[str, Any]:
    """The export as plain data."""
    effort = effort_figures(project, framework)
    summary = status_summary(project, framework)
    for stage in summary["stages"]:
        stage["effort_minutes"] = effort.by_stage.get(stage["id"], 0)
        stage["rework_minutes"] = effort.rework_by_stage.get(stage["id"], 0)
    first = first_iterations(project.visits)
    items = open_items(project, framework)
    answers = project.answers
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "framework": {"name": framework.name, "version": framework.version},
        "project": {
            "name": project.meta.name,
            "created_at": project.meta.created_at,
            "created_by": project.meta.created_by,
            "as_of": as_of(project),
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
            for s in journey(project, framework)
        ],
        "switches": [{**_fields(s), "revisit": list(s.revisit)} for s in project.switches],
        "decisions": [_fields(d) for d in project.decisions],
        "experiments": [
            {**_fields(e), "effort_minutes": effort.by_experiment.get(e.id, 0)}
            for e in project.experiments
        ],
        "effort": [{**_fields(e), "rework": is_rework(e, first)} for e in project.effort],
        "effort_summary": {
            "total_minutes": effort.total,
            "rework_minutes": effort.rework,
            "rework_share": round(effort.rework_share, 4),
            "rework_definition": REWORK_DEFINITION,
            "by_stage": effort.by_stage,
            "rework_by_stage": effort.rework_by_stage,
            "by_iteration": [
                {
                    "iteration": r.number,
                    "stages": list(r.stages),
                    "started_at": r.started_at,
                    "minutes": r.minutes,
                    "rework_minutes": r.rework,
                }
                for r in iteration_rows(project, effort)
            ],
        },
        "questions": [
            {
                "number": q.number,
                "text": q.text,
                "answer": answers[q.number].answer if q.number in answers else "unknown",
                "note": answers[q.number].note if q.number in answers else "",
                "updated_at": answers[q.number].updated_at if q.number in answers else None,
                "updated_by": answers[q.number].updated_by if q.number in answers else None,
            }
            for q in framework.exploration_questions
        ],
        "open_items": {
            "revisit": [m.id for m in items.revisit],
            "required_not_done": [m.id for m in items.required_not_done],
            "required_ahead": items.required_ahead,
            "running_experiments": [e.id for e in items.running_experiments],
            "proposed_decisions": [d.id for d in items.proposed_decisions],
        },
        "events": [{**_fields(e), "refs": list(e.refs)} for e in project.events],
    }


def _fields(record: object) -> dict[str, Any]:
    """A record's fields (a shallow copy: the records hold only text, numbers and tuples)."""
    return dict(vars(record))


def render(project: Project, framework: Framework) -> str:
    data = orjson.dumps(export(project, framework), option=orjson.OPT_INDENT_2)
    return escape_json(data.decode("utf-8")) + "\n"
