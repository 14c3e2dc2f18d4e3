"""The command line for artifacts and learnings: attach and detach files and links, list every
artifact with its state, and note, list, show, correct and remove what the project taught.

Parsers and handlers live here to keep cli.py small; the rules are in mlpl_tui.artifacts and
mlpl_tui.learnings, the disk and git are read by mlpl_tui.artifact_files, each imported only
when a command runs. A path the user types is relative to the current directory; what is stored
is relative to the project's folder (the folder of mlpl.json).
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlpl_tui.cli_records import _actions_of, _indented, _record_history, _when_who
from mlpl_tui.errors import UsageError
from mlpl_tui.sanitize import clean, json_text
from mlpl_tui.wording import plural, shown_date, shown_time

if TYPE_CHECKING:
    from mlpl_tui.artifact_files import ArtifactState, LocationState
    from mlpl_tui.cli import Session
    from mlpl_tui.framework import Framework
    from mlpl_tui.lifecycle import Context
    from mlpl_tui.model import Learning, Project

Command = Callable[[str, str], argparse.ArgumentParser]

# The options of `learning edit`, in the order the usage names them (argparse dest names).
LEARNING_EDITS = ("text", "stage", "module", "sources")
_EDIT_OPTIONS = {"sources": "from"}  # dest name -> option name, where they differ


def add_parsers(command: Command, common: argparse.ArgumentParser) -> None:
    """The `artifact`, `learn` and `learning` commands."""
    actions = _actions_of(
        command("artifact", "the stage artifacts: attach files and links, list their states"),
        common,
    )
    e = actions("attach", "attach a file in the project or an http(s) URL to an artifact")
    e.add_argument(
        "artifact", help="artifact id (a unique prefix is enough), or a new id with --title"
    )
    e.add_argument(
        "location",
        metavar="PATH|URL",
        help="a file in the project (relative to the current directory) or an http(s) URL",
    )
    e.add_argument("--title", help="attach to a new free artifact with this title")
    e.add_argument("--stage", help="the free artifact's stage (default: the current stage)")
    e.add_argument("--module", help="the free artifact's module")
    e = actions("detach", "detach a file or link from an artifact (the history keeps it)")
    e.add_argument("artifact", help="artifact id (a unique prefix is enough)")
    e.add_argument(
        "location",
        nargs="?",
        metavar="PATH|URL",
        help="the location to detach (needed when the artifact has several)",
    )
    e = actions("list", "every artifact with its state: missing, file missing, stale, current")
    e.add_argument("--json", action="store_true", help="machine-readable output")

    p = command("learn", "note something the project taught; prints its id")
    p.add_argument("text", help="what was learned")
    _learning_options(p)

    actions = _actions_of(command("learning", "list, show, correct and remove learnings"), common)
    e = actions("list", "list learnings: id, where, date, text")
    e.add_argument("--json", action="store_true", help="machine-readable output")
    e = actions("show", "every field of a learning, its sources and its history")
    e.add_argument("id", help="learning id (a unique prefix is enough)")
    e = actions("edit", "correct a learning: its text, where it is filed, what taught it")
    e.add_argument("id", help="learning id (a unique prefix is enough)")
    e.add_argument("--text", help="the learning's new text")
    _learning_options(e, replace=True)
    e = actions("remove", "remove a learning noted by mistake (the history keeps it; undo)")
    e.add_argument("id", help="learning id (a unique prefix is enough)")


def _learning_options(parser: argparse.ArgumentParser, replace: bool = False) -> None:
    if replace:
        parser.add_argument("--stage", help="file it under this stage")
        parser.add_argument("--module", help="file it under this module")
    else:
        parser.add_argument("--stage", help="stage it belongs to (default: the current stage)")
        parser.add_argument("--module", help="module it belongs to")
    what = "replaces its sources, --from '' clears them; " if replace else ""
    parser.add_argument(
        "--from",
        dest="sources",
        action="append",
        metavar="ID",
        help=f"a switch, experiment or decision that taught it ({what}repeat for several)",
    )


# --- artifacts --------------------------------------------------------------------------------


def cmd_artifact(session: Session) -> int:
    a = session.args
    if a.action == "list":
        return _list_artifacts(session, a.json)
    if a.action == "attach":
        return _attach(session)
    return _detach(session)


def project_root(session: Session) -> Path:
    """The project's folder: where stored paths start (the folder of the state file)."""
    return session.path.absolute().parent


def _attach(session: Session) -> int:
    from mlpl_tui import artifacts
    from mlpl_tui.artifact_files import project_location

    a = session.args
    if a.title is None and (a.stage or a.module):
        raise UsageError("--stage and --module file a new free artifact: they go with --title TEXT")
    root = project_root(session)
    location = project_location(a.location, root, base=Path.cwd())
    session.change(
        lambda p, f, c: artifacts.attach(
            p, f, c, a.artifact, location, title=a.title, stage=a.stage, module=a.module
        )
    )
    return 0


def _detach(session: Session) -> int:
    from mlpl_tui import artifacts
    from mlpl_tui.model import Change

    a = session.args
    root = project_root(session)

    def decide(project: Project, framework: Framework, ctx: Context) -> Change:
        location = a.location
        if location is not None:
            info = artifacts.find_artifact(project, framework, a.artifact)
            if location.strip() not in info.locations:  # as typed from here, as stored
                location = _from_here(location, root) or location
        return artifacts.detach(project, framework, ctx, a.artifact, location)

    session.change(decide)
    return 0


def _from_here(text: str, root: Path) -> str | None:
    """A path typed relative to the current directory, as stored (the file may be gone)."""
    from mlpl_tui.artifacts import is_url

    typed = text.strip()
    if not typed or is_url(typed):
        return None
    try:
        candidate = Path(os.path.normpath(Path.cwd().absolute() / typed))
        return candidate.relative_to(root).as_posix()
    except (ValueError, OSError):
        return None


def artifact_states(session: Session, project: Project) -> list[ArtifactState]:
    """Every artifact with its state, the files read under the project's folder."""
    from mlpl_tui.artifact_files import artifact_states as states

    return states(project, session.framework, project_root(session))


def _list_artifacts(session: Session, as_json: bool) -> int:
    states = artifact_states(session, session.load())
    if as_json:
        from mlpl_tui.report_json import artifact_json

        print(json_text([artifact_json(s) for s in states], indent=2))
        return 0
    if not states:
        print(
            "no artifacts: the framework declares none; attach one with "
            "'mlpl-tui artifact attach ID PATH --title TEXT'"
        )
        return 0
    width = max(len(s.id) for s in states)
    for s in states:
        info = s.info
        where = clean(info.module or info.stage)
        need = "required" if info.required else "optional"
        print(f"{clean(s.id):<{width}}  {s.state:<12} {need:<8}  {where:<28} {clean(info.title)}")
        for line in location_lines(s):
            print(f"    {line}")
    return 0


def location_lines(state: ArtifactState) -> Iterable[str]:
    """One line per attached location: where, its state, when it last changed and why."""
    for x in state.locations:
        yield f"{clean(x.location)}  {x.state}{_location_note(state, x)}"


def _location_note(state: ArtifactState, x: LocationState) -> str:
    if x.problem:
        return f" ({clean(x.problem)})"
    if x.state == "file missing":
        return " (no such file in the project)"
    if x.changed_at is None:
        return ""
    changed = f" (changed {shown_time(x.changed_at, '-')}"
    if x.state == "stale" and state.since:
        return f"{changed}, before the loop back of {shown_time(state.since, '-')})"
    return changed + ")"


# --- learnings --------------------------------------------------------------------------------


def cmd_learn(session: Session) -> int:
    from mlpl_tui import learnings

    a = session.args
    session.change(
        lambda p, f, c: learnings.learn(
            p, f, c, a.text, stage=a.stage, module=a.module, sources=a.sources or ()
        )
    )
    return 0


def cmd_learning(session: Session) -> int:
    from mlpl_tui import learnings

    a = session.args
    if a.action == "list":
        return _list_learnings(session.load(), a.json)
    if a.action == "show":
        from mlpl_tui.lifecycle import find_record

        project = session.load()
        found: Learning = find_record(project.learnings, a.id, "learning")
        print(_learning_text(project, found))
        return 0
    if a.action == "remove":
        session.change(lambda p, f, c: learnings.remove_learning(p, c, a.id))
        return 0
    edits = _learning_edits(a)
    session.change(lambda p, f, c: learnings.edit_learning(p, f, c, a.id, **edits))
    return 0


def _learning_edits(args: argparse.Namespace) -> dict[str, Any]:
    """The edit options given; a UsageError naming them all when none is."""
    given = {name: getattr(args, name) for name in LEARNING_EDITS}
    if all(value is None for value in given.values()):
        options = ", ".join(f"--{_EDIT_OPTIONS.get(name, name)}" for name in LEARNING_EDITS)
        raise UsageError(f"nothing to edit: give learning edit at least one of {options}")
    return given


def learning_row(project: Project, x: Learning) -> dict[str, Any]:
    from mlpl_tui.learnings import source_table

    return {
        "id": x.id,
        "text": x.text,
        "stage": x.stage,
        "module": x.module,
        "sources": [{"id": s, "table": source_table(project, s)} for s in x.sources],
        "created_at": x.created_at,
        "created_by": x.created_by,
        "updated_at": x.updated_at,
        "updated_by": x.updated_by,
    }


def _list_learnings(project: Project, as_json: bool) -> int:
    found = project.learnings
    if as_json:
        print(json_text([learning_row(project, x) for x in found], indent=2))
        return 0
    if not found:
        print("no learnings yet; note one with 'mlpl-tui learn TEXT'")
        return 0
    for x in found:
        # One record per line: a newline in stored text is shown as \n, never as a new row.
        where = clean(x.module or x.stage or "-")
        taught = f"  (from {plural(len(x.sources), 'source')})" if x.sources else ""
        print(
            f"{clean(x.id)}  {where:<28} {shown_date(x.created_at) or '-':<10}  "
            f"{clean(x.text)}{taught}"
        )
    return 0


def _learning_text(project: Project, x: Learning) -> str:
    lines = [
        f"learning {clean(x.id)}",
        f"stage:   {clean(x.stage or '-')}",
        f"module:  {clean(x.module or '-')}",
        f"created: {_when_who(x.created_at, x.created_by)}",
    ]
    if x.updated_at and (x.updated_at, x.updated_by) != (x.created_at, x.created_by):
        lines.append(f"updated: {_when_who(x.updated_at, x.updated_by)}")
    lines.append("text:")
    lines.extend(_indented(x.text))
    lines.append("from:" + ("" if x.sources else " -"))
    lines.extend(f"  {_source_line(project, id)}" for id in x.sources)
    lines.append("history:")
    history = list(_record_history(project, "learnings", x.id))
    lines.extend(f"  {line}" for line in history or ["no recorded change"])
    return "\n".join(lines)


def _source_line(project: Project, id: str) -> str:
    """What taught a learning: `switch 3fa2c1 data -> business: the labels were wrong`."""
    from mlpl_tui.learnings import source_table
    from mlpl_tui.wording import one_line

    table = source_table(project, id)
    if table == "switches":
        s = next(s for s in project.switches if s.id == id)
        what = f"switch {s.from_stage} -> {s.to_stage}: {one_line(s.reason, 60)}"
    elif table == "experiments":
        e = next(e for e in project.experiments if e.id == id)
        what = f"experiment ({e.status}): {one_line(e.title, 60)}"
    elif table == "decisions":
        d = next(d for d in project.decisions if d.id == id)
        what = f"decision ({d.status}): {one_line(d.title, 60)}"
    else:
        what = "(no longer in the project)"
    return f"{clean(id)}  {clean(what)}"
