"""`mlpl-tui report`: the project as Markdown, HTML, CSV, JSON or MADR decision records."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from mlpl_tui.errors import UsageError
from mlpl_tui.framework import Framework
from mlpl_tui.model import Project
from mlpl_tui.safe_io import write_file
from mlpl_tui.wording import plural

if TYPE_CHECKING:
    from mlpl_tui.artifact_files import ArtifactState
    from mlpl_tui.cli import Session

FORMATS = ("md", "html", "csv", "json", "madr")
ALIASES = {"markdown": "md", "htm": "html"}


def render(
    project: Project,
    framework: Framework,
    format: str,
    artifact_states: Sequence[ArtifactState] | None = None,
) -> str:
    """A report as text, for every format but madr (which writes a folder).

    `artifact_states` are the artifacts as checked on disk (artifact_files.artifact_states);
    without them a report knows only which artifacts the records say are attached.
    """
    if format == "md":
        from mlpl_tui import report_md

        return report_md.render(project, framework, artifact_states)
    if format == "html":
        from mlpl_tui import report_html

        return report_html.render(project, framework, artifact_states)
    if format == "csv":
        from mlpl_tui import report_csv

        return report_csv.render(project, framework, artifact_states)
    if format == "json":
        from mlpl_tui import report_json

        return report_json.render(project, framework, artifact_states)
    raise UsageError(f"unknown report format '{format}': use one of {', '.join(FORMATS)}")


def cmd_report(session: Session) -> int:
    args = session.args
    format = str(args.format).strip().lower()
    format = ALIASES.get(format, format)
    if format not in FORMATS:
        raise UsageError(f"unknown report format '{args.format}': use one of {', '.join(FORMATS)}")
    output: Path | None = args.output
    since: str | None = getattr(args, "since", None)
    site_dir: Path | None = args.site
    if site_dir is not None:
        return _write_site(session, format, output, since, site_dir)
    if since is not None:
        if format != "md":
            raise UsageError(f"--since writes Markdown only: use --format md, not '{args.format}'")
        if output is not None and output.is_dir():
            raise UsageError(f"{output} is a folder: name the file to write with -o FILE")
        from mlpl_tui import report_since

        old = report_since.old_state(session.path, since)
        text = report_since.render(old, session.load(), session.framework)
    elif format == "madr":
        if output is None:
            raise UsageError(
                "--format madr writes one file per decision: name a folder with -o DIR"
            )
        from mlpl_tui.report_madr import write_records

        done = write_records(session.load(), session.framework, output)
        print(
            f"{output}: {plural(done.created, 'decision record')} written, {done.updated} updated, "
            f"{done.unchanged} unchanged",
            file=sys.stderr,
        )
        return 0
    else:
        if output is not None and output.is_dir():
            raise UsageError(f"{output} is a folder: name the file to write with -o FILE")
        from mlpl_tui.artifact_files import artifact_states

        project, framework = session.load(), session.framework
        # Attached files are checked where they live: beside the state file, in its git work
        # tree.
        states = artifact_states(project, framework, session.path.absolute().parent)
        text = render(project, framework, format, states)
    if output is None:
        sys.stdout.write(text)
        return 0
    write_file(output, text.encode("utf-8"))
    print(f"{output}: {format} report written", file=sys.stderr)
    return 0


def _write_site(
    session: Session, format: str, output: Path | None, since: str | None, folder: Path
) -> int:
    """`--site DIR`: the web view's pages as static files (mlpl_tui.site), no live script."""
    if format != "html":
        raise UsageError(f"--site writes HTML pages: use --format html, not '{format}'")
    if output is not None or since is not None:
        raise UsageError("--site writes a folder of pages: leave out -o and --since")
    from mlpl_tui.artifact_files import artifact_states
    from mlpl_tui.site import build_pages, write_site

    project, framework = session.load(), session.framework
    states = artifact_states(project, framework, session.path.absolute().parent)
    written = write_site(build_pages(project, framework, states), Path(folder))
    print(f"{folder}: {plural(len(written), 'file')} of the site written", file=sys.stderr)
    return 0
