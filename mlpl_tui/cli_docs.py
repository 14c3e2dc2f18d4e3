"""`mlpl-tui doc new ARTIFACT [PATH]` and `mlpl-tui doc refresh [ARTIFACT|--all]`: living stage
documents written from templates (mlpl_tui.documents), attached to their artifacts.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from mlpl_tui.errors import UsageError
from mlpl_tui.wording import plural

if TYPE_CHECKING:
    from mlpl_tui.cli import Session


def add_parsers(
    command: Callable[[str, str], argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    """The `doc` command's actions (`command` makes a subcommand parser, as in cli.py)."""
    p = command("doc", "living stage documents: write one from a template, refresh it")
    sub = p.add_subparsers(dest="action", metavar="ACTION", parser_class=type(p))
    sub.required = True
    about = "write a document from its artifact's template and attach it"
    n = sub.add_parser("new", parents=[common], help=about, description=about)
    n.add_argument("artifact", help="artifact id, e.g. project-charter ('artifact list')")
    n.add_argument(
        "path",
        nargs="?",
        help="where to write it, from the current folder (default: the artifact's path)",
    )
    n.add_argument(
        "--experiment", metavar="ID", help="a model report on this experiment (id or prefix)"
    )
    about = "rewrite the generated parts of attached documents, keeping the rest"
    r = sub.add_parser("refresh", parents=[common], help=about, description=about)
    r.add_argument("artifact", nargs="?", help="artifact id")
    r.add_argument("--all", action="store_true", help="every attached Markdown document")


def cmd_doc(session: Session) -> int:
    """`doc new` writes and attaches a document; `doc refresh` rewrites generated regions.

    Exit 0 when done; 2 for bad usage or a refused single refresh (nothing written); 1 when
    `refresh --all` refreshed some documents but refused others (each named on stderr).
    """
    if session.args.action == "new":
        return _new(session)
    return _refresh(session)


def _new(session: Session) -> int:
    from mlpl_tui import artifacts, documents

    args = session.args
    project, framework = session.load(), session.framework
    root = session.path.absolute().parent
    info = artifacts.find_artifact(project, framework, args.artifact)
    location = documents.create_document(
        project, framework, root, info.id, args.path, args.experiment, base=Path.cwd()
    )
    session.change(documents.attach_rule(info.id, location))
    print(location)
    return 0


def _refresh(session: Session) -> int:
    from mlpl_tui import documents

    args = session.args
    if args.all == bool(args.artifact):
        raise UsageError(
            "doc refresh needs an artifact or --all (not both): "
            "'mlpl-tui doc refresh ARTIFACT' or 'mlpl-tui doc refresh --all'"
        )
    project, framework = session.load(), session.framework
    root = session.path.absolute().parent
    if args.artifact:
        written = documents.refresh_artifact(project, framework, root, args.artifact)
        for location in written:
            print(location)
        if not written:
            print("documents already up to date", file=sys.stderr)
        return 0
    done = documents.refresh_all(project, framework, root)
    for location in done.written:
        print(location)
    for refusal in done.refused:
        print(f"mlpl-tui: {refusal}", file=sys.stderr)
    total = len(done.written) + len(done.unchanged) + len(done.refused)
    if not total:
        print("no Markdown documents are attached: 'mlpl-tui doc new ARTIFACT'", file=sys.stderr)
        return 0
    summary = (
        f"{plural(len(done.written), 'document')} refreshed, {len(done.unchanged)} "
        f"already up to date"
    )
    if done.refused:
        print(f"{summary}, {len(done.refused)} refused", file=sys.stderr)
        return 1
    print(summary, file=sys.stderr)
    return 0
