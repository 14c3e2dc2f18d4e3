"""The command line for the records a project keeps and their corrections: experiments,
decisions and effort listed, shown and edited, and undo/redo of one's latest change.

Parsers and handlers live here to keep cli.py small; the rules themselves are in lifecycle,
corrections and history, imported only when a command runs.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from mlpl_tui.errors import UsageError
from mlpl_tui.sanitize import clean, json_text
from mlpl_tui.wording import one_line, plural, shown_date, shown_time

if TYPE_CHECKING:
    from mlpl_tui.cli import Session
    from mlpl_tui.framework import Framework
    from mlpl_tui.history import RecordChange
    from mlpl_tui.model import Decision, EffortEntry, Event, Project

Command = Callable[[str, str], argparse.ArgumentParser]

# The options of each edit, in the order the usage names them (argparse dest names).
EXPERIMENT_EDITS = ("title", "hypothesis", "link", "result", "reason", "stage", "module")
DECISION_EDITS = ("title", "context", "decision", "rationale", "stage", "module", "status")
EFFORT_EDITS = ("duration", "on", "stage", "module", "note")
# Bookkeeping fields a history line does not list as edited.
_STAMPS = ("updated_at", "updated_by")


def add_parsers(command: Command, common: argparse.ArgumentParser) -> None:
    """The `experiment`, `decision`, `effort`, `undo` and `redo` commands."""
    actions = _actions_of(command("experiment", "the experiment log"), common)
    e = actions("add", "start an experiment; prints its id")
    e.add_argument("title")
    e.add_argument("--hypothesis", default="", help="what you expect and why")
    e.add_argument("--link", default="", help="run id, commit or path")
    e.add_argument("--stage", help="stage it belongs to (default: modelling)")
    e.add_argument("--module", help="module it belongs to")
    e = actions("abandon", "abandon an experiment, with why (it stays in the log)")
    e.add_argument("id", help="experiment id (a unique prefix is enough)")
    e.add_argument("--reason", required=True, help="why it is abandoned")
    e.add_argument("--result", help="what was found")
    e = actions("keep", "keep an experiment")
    e.add_argument("id", help="experiment id (a unique prefix is enough)")
    e.add_argument("--force", action="store_true", help="keep one that was abandoned")
    e.add_argument("--result", help="what was found: the outcome, the metric")
    e = actions("edit", "correct an experiment: its texts, its result, where it is filed")
    e.add_argument("id", help="experiment id (a unique prefix is enough)")
    for name in ("title", "hypothesis", "link", "result"):
        e.add_argument(f"--{name}")
    e.add_argument("--reason", help="why it was abandoned (abandoned experiments only)")
    e.add_argument("--stage", help="file it under this stage")
    e.add_argument("--module", help="file it under this module")
    e = actions("list", "list experiments with their results")
    e.add_argument("--json", action="store_true", help="machine-readable output")
    e = actions("link", "link tracker runs to an experiment ('mlpl-tui runs' lists them)")
    e.add_argument("id", help="experiment id (a unique prefix is enough)")
    e.add_argument(
        "refs",
        nargs="+",
        metavar="REF",
        help="mlflow:RUN_ID, dvc:NAME or wandb:ID (a unique prefix of the id is enough)",
    )
    e.add_argument("--move", action="store_true", help="move runs linked to another experiment")
    e = actions("unlink", "unlink runs from an experiment (the history keeps the link)")
    e.add_argument("id", help="experiment id (a unique prefix is enough)")
    e.add_argument("refs", nargs="+", metavar="REF", help="the linked run's ref, e.g. mlflow:3f2a")

    actions = _actions_of(command("decision", "list, show and correct decisions"), common)
    e = actions("list", "list decisions: id, status, where, date, title")
    e.add_argument("--json", action="store_true", help="machine-readable output")
    e = actions("show", "every field of a decision and its history")
    e.add_argument("id", help="decision id (a unique prefix is enough)")
    e = actions("edit", "correct a decision or move its status")
    e.add_argument("id", help="decision id (a unique prefix is enough)")
    for name in ("title", "context", "decision"):
        e.add_argument(f"--{name}")
    e.add_argument("--rationale", "--why", dest="rationale", help="rationale and consequences")
    e.add_argument("--stage", help="file it under this stage")
    e.add_argument("--module", help="file it under this module")
    e.add_argument(
        "--status",
        help="proposed -> accepted or rejected, accepted -> deprecated, rejected -> proposed, "
        "deprecated -> accepted (superseded: decide --supersedes)",
    )

    actions = _actions_of(command("effort", "list and correct logged time"), common)
    e = actions("list", "list effort entries: id, day, time, where, who, note")
    e.add_argument("--json", action="store_true", help="machine-readable output")
    e = actions("edit", "correct an effort entry")
    e.add_argument("id", help="effort entry id (a unique prefix is enough)")
    e.add_argument("--duration", help="e.g. 45m, 1h30m, 2h, 1.5h")
    e.add_argument(
        "--on",
        help="day worked, on your local calendar: YYYY-MM-DD, today, yesterday, "
        "'last monday' or '3 days ago'",
    )
    e.add_argument("--stage", help="stage the time went into")
    e.add_argument("--module", help="module the time went into")
    e.add_argument("--note", help="what the time was spent on")
    e = actions("remove", "remove an effort entry logged by mistake (the history keeps it)")
    e.add_argument("id", help="effort entry id (a unique prefix is enough)")

    command("undo", "revert your latest change that is still in effect")
    command("redo", "put back what your latest undo reverted")


def _actions_of(
    parser: argparse.ArgumentParser, common: argparse.ArgumentParser
) -> Callable[[str, str], argparse.ArgumentParser]:
    sub = parser.add_subparsers(dest="action", metavar="ACTION", parser_class=type(parser))
    sub.required = True

    def action(name: str, help: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, parents=[common], help=help, description=help)

    return action


def _edits(args: argparse.Namespace, names: Sequence[str], what: str) -> dict[str, Any]:
    """The edit options given; a UsageError naming them all when none is."""
    given = {name: getattr(args, name) for name in names}
    if all(value is None for value in given.values()):
        options = ", ".join(f"--{name}" for name in names)
        raise UsageError(f"nothing to edit: give {what} at least one of {options}")
    return given


# --- experiments ------------------------------------------------------------------------------


def cmd_experiment(session: Session) -> int:
    from mlpl_tui import corrections, lifecycle

    a = session.args
    if a.action == "list":
        return _list_experiments(session.load(), a.json, session.framework)
    if a.action == "add":
        session.change(
            lambda p, f, c: lifecycle.add_experiment(
                p,
                f,
                c,
                a.title,
                hypothesis=a.hypothesis,
                link=a.link,
                stage=a.stage,
                module=a.module,
            )
        )
    elif a.action == "abandon":
        session.change(
            lambda p, f, c: lifecycle.abandon_experiment(p, c, a.id, a.reason, result=a.result)
        )
    elif a.action == "link":
        _link(session)
    elif a.action == "unlink":
        from mlpl_tui.run_links import unlink_runs

        session.change(lambda p, f, c: unlink_runs(p, c, a.id, a.refs))
    elif a.action == "keep":
        session.change(
            lambda p, f, c: lifecycle.keep_experiment(p, c, a.id, force=a.force, result=a.result)
        )
    else:
        edits = _edits(a, EXPERIMENT_EDITS, "experiment edit")
        session.change(lambda p, f, c: corrections.edit_experiment(p, f, c, a.id, **edits))
    return 0


def _link(session: Session) -> None:
    """Link the runs named, read from the stores of the tools they name (only those)."""
    from mlpl_tui.cli_runs import project_root
    from mlpl_tui.run_links import link_runs, ref_tool, select_runs
    from mlpl_tui.runs import find_runs

    a = session.args
    tools = list(dict.fromkeys(ref_tool(ref) for ref in a.refs))
    root = project_root(session)
    found = [run for tool in tools for run in find_runs(root, tool)]
    runs = select_runs(found, a.refs)
    session.change(lambda p, f, c: link_runs(p, f, c, a.id, runs, move=a.move))


def _run_rows(project: Project, framework: Framework, experiment_id: str) -> dict[str, Any]:
    """An experiment's linked runs (their snapshots) and its best value of each metric."""
    from mlpl_tui.report_json import run_json
    from mlpl_tui.run_links import best_metrics

    runs = [run_json(link) for link in project.runs_of(experiment_id)]
    return {"runs": runs, "best_metrics": best_metrics(project, framework, experiment_id)}


def _runs_line(project: Project, framework: Framework, experiment_id: str) -> str | None:
    """`runs: mlflow:3f2a…, dvc:exp-1 (1 gone); best acc=0.91 loss=0.23`, or None."""
    from mlpl_tui.run_links import best_metrics

    links = project.runs_of(experiment_id)
    if not links:
        return None
    refs = ", ".join(clean(one_line(x.id, 40)) for x in links[:3])
    more = f" and {len(links) - 3} more" if len(links) > 3 else ""
    gone = sum(x.gone for x in links)
    gone_words = f" ({gone} gone)" if gone else ""
    best = best_metrics(project, framework, experiment_id)
    values = " ".join(f"{clean(one_line(k, 24))}={v:.4g}" for k, v in list(best.items())[:5])
    return f"    runs: {refs}{more}{gone_words}" + (f"; best {values}" if values else "")


def _list_experiments(project: Project, as_json: bool, framework: Framework) -> int:
    experiments = project.experiments
    if as_json:
        from mlpl_tui.figures import effort_by_experiment

        spent = effort_by_experiment(project)
        rows = [
            {
                "id": e.id,
                "title": e.title,
                "status": e.status,
                "hypothesis": e.hypothesis,
                "link": e.link,
                "result": e.result,
                "reason": e.reason,
                "stage": e.stage,
                "module": e.module,
                "effort_minutes": spent.get(e.id, 0),
                "created_at": e.created_at,
                "created_by": e.created_by,
                **_run_rows(project, framework, e.id),
            }
            for e in experiments
        ]
        print(json_text(rows, indent=2))
        return 0
    if not experiments:
        print("no experiments yet; start one with 'mlpl-tui experiment add TITLE'")
    for e in experiments:
        # One record per line: a newline in stored text is shown as \n, never as a new row.
        why = ""
        if e.reason:  # kept after all, the reason it was once abandoned stays
            was = "" if e.status == "abandoned" else "was abandoned: "
            why = f"  ({was}{clean(e.reason)})"
        print(f"{clean(e.id)}  {e.status:<9} {clean(e.title)}{why}")
        if e.result:
            print(f"    result: {clean(e.result)}")
        runs = _runs_line(project, framework, e.id)
        if runs:
            print(runs)
    return 0


# --- decisions --------------------------------------------------------------------------------


def cmd_decision(session: Session) -> int:
    a = session.args
    if a.action == "list":
        return _list_decisions(session.load(), a.json)
    if a.action == "show":
        from mlpl_tui.lifecycle import find_record

        project = session.load()
        found: Decision = find_record(project.decisions, a.id, "decision")
        print(_decision_text(project, found))
        return 0
    from mlpl_tui import corrections

    edits = _edits(a, DECISION_EDITS, "decision edit")
    session.change(lambda p, f, c: corrections.edit_decision(p, f, c, a.id, **edits))
    return 0


def _list_decisions(project: Project, as_json: bool) -> int:
    decisions = project.decisions
    if as_json:
        rows = [asdict(d) for d in decisions]  # every stored field, as `show` lists them
        print(json_text(rows, indent=2))
        return 0
    if not decisions:
        print("no decisions yet; record one with 'mlpl-tui decide TITLE --decision TEXT'")
    for d in decisions:
        where = clean(d.module or d.stage or "-")
        print(
            f"{clean(d.id)}  {d.status:<10} {where:<28} {shown_date(d.created_at) or '-':<10}  "
            f"{clean(d.title)}"
        )
    return 0


def _decision_text(project: Project, d: Decision) -> str:
    raw = project.raw("decisions").get(d.id, {})
    lines = [
        f"decision {clean(d.id)}",
        f"title:         {clean(d.title)}",
        f"status:        {clean(d.status)}",
        f"stage:         {clean(d.stage or '-')}",
        f"module:        {clean(d.module or '-')}",
        f"supersedes:    {clean(d.supersedes or '-')}",
        f"superseded by: {clean(d.superseded_by or '-')}",
        f"created:       {_when_who(d.created_at, d.created_by)}",
    ]
    updated_at, updated_by = raw.get("updated_at"), raw.get("updated_by")
    if isinstance(updated_at, str) and isinstance(updated_by, str):
        lines.append(f"updated:       {_when_who(updated_at, updated_by)}")
    for label, text in (
        ("context", d.context),
        ("decision", d.decision),
        ("rationale", d.rationale),
    ):
        lines.append(f"{label}:" + ("" if text else " -"))
        if text:
            lines.extend(_indented(text))
    lines.append("history:")
    history = list(_record_history(project, "decisions", d.id))
    lines.extend(f"  {line}" for line in history or ["no recorded change"])
    return "\n".join(lines)


def _when_who(at: str, by: str) -> str:
    return f"{shown_time(at, '-')} by {clean(by) or '-'}"


def _indented(text: str) -> Iterable[str]:
    """A multi-line text, each line indented under its label so it cannot pass for a field.

    Only a newline starts a line: any other line break is shown as an escape, like a control.
    """
    for line in text.split("\n"):
        yield "  " + clean(line, multiline=True)


def _record_history(project: Project, table: str, id: str) -> Iterable[str]:
    """One line per event that wrote the record, oldest first: when, who, what."""
    from mlpl_tui.history import REDO, UNDO, record_changes, reverted_ids

    events = project.events
    reverted = reverted_ids(events)
    for event in events:
        changes = record_changes(event)
        if changes is None:  # an event from before history kept values: its summary
            if id in event.refs:
                yield _history_line(event, clean(event.summary or event.action), reverted)
            continue
        for change in changes:
            if change.table == table and change.id == id:
                what = _change_words(change)
                if event.action in (UNDO, REDO):
                    what += f" ({event.action})"
                yield _history_line(event, what, reverted)


def _history_line(event: Event, what: str, reverted: set[str]) -> str:
    undone = " (undone)" if event.id in reverted else ""
    return f"{shown_time(event.at, '-')} {clean(event.by) or '-'} {what}{undone}"


def _change_words(change: RecordChange) -> str:
    """What one event did to one record: 'proposed → accepted', 'edited title, rationale'."""
    if change.before is None:
        status = change.value("after", "status")
        return f"recorded as {_value(status)}" if isinstance(status, str) else "recorded"
    if change.after is None:
        return "removed"
    names = [name for name in change.fields if name not in _STAMPS]
    parts = []
    if "status" in names:
        before, after = change.value("before", "status"), change.value("after", "status")
        moved = f"{_value(before)} → {_value(after)}"
        successor = change.value("after", "superseded_by")
        if "superseded_by" in names and isinstance(successor, str):
            moved += f" (by {clean(successor)})"
            names.remove("superseded_by")
        parts.append(moved)
    edited = [clean(name) for name in names if name != "status"]
    if edited:
        parts.append("edited " + ", ".join(edited))
    return "; ".join(parts) or "touched"


def _value(value: Any) -> str:
    from mlpl_tui.model import ABSENT

    return "-" if value is None or value is ABSENT else clean(str(value))


# --- effort -----------------------------------------------------------------------------------


def cmd_effort(session: Session) -> int:
    from mlpl_tui import corrections

    a = session.args
    if a.action == "list":
        return _list_effort(session.load(), a.json)
    if a.action == "remove":
        session.change(lambda p, f, c: corrections.remove_effort(p, c, a.id))
        return 0
    edits = _edits(a, EFFORT_EDITS, "effort edit")
    session.change(lambda p, f, c: corrections.edit_effort(p, f, c, a.id, **edits))
    return 0


def _list_effort(project: Project, as_json: bool) -> int:
    from mlpl_tui.progress import format_minutes

    entries: Sequence[EffortEntry] = project.effort
    if as_json:
        rows = [asdict(e) for e in entries]  # every stored field
        print(json_text(rows, indent=2))
        return 0
    if not entries:
        print("no effort logged yet; log some with 'mlpl-tui log DURATION'")
        return 0
    for e in entries:
        where = clean(e.module or e.stage)
        print(
            f"{clean(e.id)}  {clean(e.on):<10}  {format_minutes(e.minutes):>6}  {where:<28} "
            f"{clean(e.by) or '-':<12} {clean(e.note)}".rstrip()
        )
    total = sum(e.minutes for e in entries)
    print(f"total: {format_minutes(total)} in {plural(len(entries), 'entry', 'entries')}")
    return 0


# --- undo and redo ----------------------------------------------------------------------------


def cmd_undo(session: Session) -> int:
    from mlpl_tui import history

    session.change(lambda p, f, c: history.undo(p, c.who))
    return 0


def cmd_redo(session: Session) -> int:
    from mlpl_tui import history

    session.change(lambda p, f, c: history.redo(p, c.who))
    return 0
