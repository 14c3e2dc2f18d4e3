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


def demo_file() -> Path:
    """The bundled demo project (from the checkout or the installed package)."""
    path = data_dir() / "demo" / STATE_FILE
    if not path.is_file():
        raise UsageError(f"the bundled demo project is missing (looked for {path})")
    return path


def copy_demo(folder: Path) -> Path:
    """Copy the demo's mlpl.json into `folder`; refuses to replace a project already there."""
    target = folder / STATE_FILE
    if os.path.lexists(target):
        raise UsageError(
            f"{target} already exists; it was left as it is. Open it with "
            f"'mlpl-tui --file {target}', or name another folder for the demo"
        )
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"{folder} is a file; name a folder for the demo project")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        content = demo_file().read_bytes()
    except OSError as exc:
        raise UsageError(f"{folder}: cannot copy the demo project there ({exc.strerror})") from None
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
