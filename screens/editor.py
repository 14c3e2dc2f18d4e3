"""Running `$VISUAL` or `$EDITOR` on a file: the command read without a shell, the app suspended
while it runs (so the editor has the terminal), and its failures in words.

The stage screen edits a module's note with it (on a temporary file); the app opens an attached
artifact's file with it.
"""

from __future__ import annotations

import os
import shlex
import subprocess
from pathlib import Path
from typing import Any

from textual.app import App, SuspendNotSupported


def editor_command() -> tuple[list[str], str | None]:
    """The editor's argv from $VISUAL, else $EDITOR, else vi; or why it cannot be used."""
    name = "VISUAL" if os.environ.get("VISUAL") else "EDITOR"
    value = os.environ.get(name) or "vi"
    try:
        words = shlex.split(value)  # run directly, never through a shell
    except ValueError as exc:  # an unbalanced quote: `EDITOR='vi "'`
        return [], (
            f"${name} cannot be read ({exc}: {value!r}); "
            f"set it to a command such as 'vim' or 'code --wait', or use n to edit here"
        )
    if not words:
        return [], f"${name} is blank; set it to a command such as 'vim', or use n to edit here"
    return words, None


def run_editor(app: App[Any], command: list[str], path: Path) -> tuple[int | None, str | None]:
    """Run `command path` with the terminal handed over; its exit status, or why it could not
    be started (None and the reason)."""
    argv = [*command, str(path)]
    try:
        try:
            with app.suspend():
                done = subprocess.run(argv, check=False)
        except SuspendNotSupported:  # headless (tests): nothing to hand over
            done = subprocess.run(argv, check=False, stdin=subprocess.DEVNULL)
    except OSError as exc:
        return None, f"cannot run the editor '{shlex.join(command)}' ({exc.strerror}); set $EDITOR"
    return done.returncode, None
