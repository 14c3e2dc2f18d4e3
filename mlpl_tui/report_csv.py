"""The CSV export for spreadsheets: effort entries and history events, one row each.

An event's `detail` holds, whole, the texts it wrote (a skip reason, an experiment's result, a
decision's context) and the decision status moves it made, which its summary cuts or leaves out.
"""

from __future__ import annotations

import csv
import io

from mlpl_tui.framework import Framework
from mlpl_tui.model import Project
from mlpl_tui.report_view import ReportView
from mlpl_tui.wording import shown_date

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


def render(project: Project, framework: Framework) -> str:
    """One CSV table: `kind` is `effort` or `event`; columns that do not apply are empty."""
    view = ReportView(project, framework)
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
    return buffer.getvalue()
