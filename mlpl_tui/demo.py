"""`mlpl-tui demo [DIR]`: copy the bundled, illustrative demo project and open it."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from mlpl_tui.errors import UsageError
from mlpl_tui.framework import data_dir
from mlpl_tui.safe_io import write_file
from mlpl_tui.store import STATE_FILE

if TYPE_CHECKING:
    from mlpl_tui.cli import Session

DEFAULT_DIR = Path("mlpl-demo")
DOCS = "docs"  # the demo's documents, beside its mlpl.json (data/demo/make_demo.py writes them)


def demo_file() -> Path:
    """The bundled demo project (from the checkout or the installed package)."""
    path = data_dir() / "demo" / STATE_FILE
    if not path.is_file():
        raise UsageError(f"the bundled demo project is missing (looked for {path})")
    return path


def demo_documents() -> list[tuple[str, bytes]]:
    """The demo's documents (its charter and data report) as (location, content), sorted."""
    folder = demo_file().parent / DOCS
    if not folder.is_dir():
        return []
    return [
        (f"{DOCS}/{path.name}", path.read_bytes())
        for path in sorted(folder.iterdir())
        if path.suffix == ".md" and path.is_file() and not path.is_symlink()
    ]


def copy_demo(folder: Path) -> Path:
    """Copy the demo's mlpl.json and its documents (docs/) into `folder`; refuses to replace a
    project or a document already there, before writing anything."""
    target = folder / STATE_FILE
    if os.path.lexists(target):
        raise UsageError(
            f"{target} already exists; it was left as it is. Open it with "
            f"'mlpl-tui --file {target}', or name another folder for the demo"
        )
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"{folder} is a file; name a folder for the demo project")
    try:
        content = demo_file().read_bytes()
        documents = demo_documents()
    except OSError as exc:
        raise UsageError(f"{folder}: cannot copy the demo project there ({exc.strerror})") from None
    docs = folder / DOCS
    if os.path.islink(docs) or (docs.exists() and not docs.is_dir()):
        raise UsageError(f"{docs} is not a folder; name another folder for the demo")
    for location, _ in documents:
        if os.path.lexists(folder / location):
            raise UsageError(
                f"{folder / location} already exists; nothing was copied. Name another folder "
                "for the demo"
            )
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if documents:
            docs.mkdir(exist_ok=True)
    except OSError as exc:
        raise UsageError(f"{folder}: cannot copy the demo project there ({exc.strerror})") from None
    for location, document in documents:
        write_file(folder / location, document)
    write_file(target, content)
    return target


def cmd_demo(session: Session) -> int:
    folder: Path = session.args.dir or DEFAULT_DIR
    target = copy_demo(folder)
    print(
        f"{target}: the demo project, an illustrative seasonal-demand forecast (14 iterations); "
        "its client, people and figures are invented",
        file=sys.stderr,
    )
    session.args.file = target
    from mlpl_tui import app

    return app.cmd_open(session)
