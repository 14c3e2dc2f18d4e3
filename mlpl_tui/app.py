"""The terminal UI's composition root: builds the Textual app from a store and a framework."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mlpl_tui.cli import Session


def cmd_open(session: Session) -> int:
    """No command: until the terminal UI lands, show where things stand."""
    from mlpl_tui.cli import cmd_status

    return cmd_status(session)
