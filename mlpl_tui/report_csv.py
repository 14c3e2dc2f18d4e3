"""The CSV export for spreadsheets: effort entries, history events, artifacts and learnings,
one row each.

An event's `detail` holds, whole, the texts it wrote (a skip reason, an experiment's result, a
decision's context) and the decision status moves it made, which its summary cuts or leaves out.
An artifact attached or required has a row with its state in `action`, its title in `text`
and in `detail` whether it is required, then its locations, a line each; a learning's row has
its text in `text` and what taught it in `detail`. A run linked to an experiment has a row
(`run`, keyed by its ref `tool:id`) with the experiment's id, its status in `action` (`, gone`
once its store no longer has it), its name in `text` and in `detail` its snapshot's metrics as
`name=value` lines (empty for NaN or infinity), then its params as `param name=value` lines.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import TYPE_CHECKING

from mlpl_tui.framework import Framework
from mlpl_tui.model import Project
from mlpl_tui.report_view import ArtifactRow, ReportView, RunRow, location_note
from mlpl_tui.wording import shown_date

if TYPE_CHECKING:
    from mlpl_tui.artifact_files import ArtifactState

COLUMNS = (
    "kind",
    "id",
    "date",
    "at",
    "by",
    "stage",
    "module",
    "iteration",
    "minutes",
    "rework",
    "experiment",
    "action",
    "text",
    "detail",
)
# A spreadsheet runs a cell that starts with one of these as a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(text: str) -> str:
    """Text as a spreadsheet shows it: a leading apostrophe keeps it from running as a formula."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def artifact_detail(row: ArtifactRow) -> str:
    """`required` or `optional`, then each location on a line of its own, its state after it:
    `docs/data-report.md (stale, last changed 2026-02-01)`."""
    lines = ["required" if row.required else "optional"]
    for place in row.locations:
        note = location_note(place)
        lines.append(place.location + (f" ({note})" if note else ""))
    return "\n".join(lines)


def run_detail(run: RunRow) -> str:
    """The snapshot's metrics as `name=value` lines (an empty value for NaN or infinity), then
    its params as `param name=value` lines."""
    lines = [
        f"{name}={'' if value is None else repr(value)}"
        for name, value in run.link.metric_values.items()
    ]
    lines += [f"param {name}={value}" for name, value in run.params]
    return "\n".join(lines)


def render(
    project: Project,
    framework: Framework,
    artifact_states: Sequence[ArtifactState] | None = None,
) -> str:
    """One CSV table: `kind` is `effort`, `event`, `artifact`, `learning` or `run`; columns that
    do not apply are empty."""
    view = ReportView(project, framework, artifact_states)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in view.effort_rows:
        e = row.entry
        writer.writerow(
            (
                "effort",
                cell(e.id),
                cell(e.on),
                cell(e.at),
                cell(e.by),
                cell(e.stage),
                cell(e.module or ""),
                e.iteration,
                e.minutes,
                "yes" if row.rework else "no",
                cell(e.experiment or ""),
                "effort.log",
                cell(e.note),
                "",
            )
        )
    for event_row in view.event_rows:
        ev = event_row.event
        writer.writerow(
            (
                "event",
                cell(ev.id),
                cell(shown_date(ev.at)),
                cell(ev.at),
                cell(ev.by),
                "",
                "",
                "",
                "",
                "",
                "",
                cell(ev.action),
                cell(ev.summary),
                cell(event_row.detail),
            )
        )
    for art in view.listed_artifacts:
        link = art.artifact.info.link
        writer.writerow(
            (
                "artifact",
                cell(art.id),
                cell(shown_date(link.updated_at)) if link else "",
                cell(link.updated_at) if link else "",
                cell(link.updated_by) if link else "",
                cell(art.artifact.info.stage),
                cell(art.artifact.info.module or ""),
                "",
                "",
                "",
                "",
                cell(art.state),
                cell(art.title),
                cell(artifact_detail(art)),
            )
        )
    for learned in view.learnings:
        x = learned.learning
        writer.writerow(
            (
                "learning",
                cell(x.id),
                cell(shown_date(x.created_at)),
                cell(x.created_at),
                cell(x.created_by),
                cell(x.stage or ""),
                cell(x.module or ""),
                "",
                "",
                "",
                "",
                "learning.add",
                cell(x.text),
                cell(learned.sources_words),
            )
        )
    for tested in view.experiment_runs:
        for run in tested.runs:
            snap = run.link
            writer.writerow(
                (
                    "run",
                    cell(snap.id),
                    cell(shown_date(snap.started_at)),
                    cell(snap.started_at or ""),
                    cell(snap.linked_by),
                    "",
                    "",
                    "",
                    "",
                    "",
                    cell(snap.experiment),
                    cell(f"{snap.status}, gone" if snap.gone else snap.status),
                    cell(snap.name),
                    cell(run_detail(run)),
                )
            )
    return buffer.getvalue()
