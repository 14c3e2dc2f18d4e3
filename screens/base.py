"""What every screen stands on: the host app's contract and a screen that redraws the project."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, cast

from textual.screen import ModalScreen, Screen

from mlpl_tui.errors import MlplError
from mlpl_tui.framework import Framework
from mlpl_tui.lifecycle import Context
from mlpl_tui.model import Change, Project

Rule = Callable[[Project, Framework, Context], Change]


class Host(Protocol):
    """What screens may ask of the app: the current snapshot, the framework, and a way to act."""

    @property
    def project(self) -> Project: ...

    @property
    def framework(self) -> Framework: ...

    def act(self, rule: Rule) -> Change | None:
        """Apply one rule through the store; None (and an error shown) when it was refused."""
        ...


class ProjectScreen(Screen[None]):
    """A full screen showing the project; `show` is called on resume and after every change."""

    @property
    def host(self) -> Host:
        return cast(Host, self.app)

    def on_screen_resume(self) -> None:
        self.redraw()

    def redraw(self) -> None:
        """Show the current project, or open the problem screen when a record cannot be read."""
        try:
            self.show(self.host.project)
        except MlplError as exc:
            # A record the snapshot could not read (records are read lazily): the app opens
            # its read-only problem screen instead of crashing.
            report = getattr(self.app, "show_problem", None)
            if not callable(report):
                raise
            report(str(exc))

    def show(self, project: Project) -> None:
        """Draw `project`; must be cheap and idempotent (it runs after every change)."""


class ProjectModal(ModalScreen[None]):
    """A dialog over a screen; it acts through the host and dismisses itself when done."""

    @property
    def host(self) -> Host:
        return cast(Host, self.app)
