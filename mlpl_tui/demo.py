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
MLRUNS = "mlruns"  # the demo's MLflow file store, beside its mlpl.json (written there too)


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


def demo_tracker_files() -> list[tuple[str, bytes]]:
    """The files of the demo's MLflow store (mlruns/) as (location, content), sorted; links
    and anything but regular files are left out."""
    root = demo_file().parent
    folder = root / MLRUNS
    if not folder.is_dir() or folder.is_symlink():
        return []
    found = []
    for directory, folders, files in os.walk(folder):  # os.walk does not follow links
        folders.sort()
        for name in sorted(files):
            path = Path(directory) / name
            if path.is_file() and not path.is_symlink():
                found.append((path.relative_to(root).as_posix(), path.read_bytes()))
    return sorted(found)


def copy_demo(folder: Path) -> Path:
    """Copy the demo's mlpl.json, its documents (docs/) and its MLflow store (mlruns/) into
    `folder`; refuses to replace a project, a document or a store's file already there, before
    writing anything."""
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
        files = demo_documents() + demo_tracker_files()
    except OSError as exc:
        raise UsageError(f"{folder}: cannot copy the demo project there ({exc.strerror})") from None
    for location, _ in files:
        _check_place(folder, location)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for location, _ in files:
            (folder / location).parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"{folder}: cannot copy the demo project there ({exc.strerror})") from None
    for location, data in files:
        write_file(folder / location, data)
    write_file(target, content)
    return target


def _check_place(folder: Path, location: str) -> None:
    """Refuse, before anything is written, a file of the demo that is already there, or a
    folder on its way that is a link or a file."""
    parts = location.split("/")
    for depth in range(1, len(parts)):
        step = folder.joinpath(*parts[:depth])
        if os.path.islink(step) or (step.exists() and not step.is_dir()):
            raise UsageError(f"{step} is not a folder; name another folder for the demo")
    if os.path.lexists(folder / location):
        raise UsageError(
            f"{folder / location} already exists; nothing was copied. Name another folder "
            "for the demo"
        )


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
