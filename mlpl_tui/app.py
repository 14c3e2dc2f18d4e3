"""The terminal UI's composition root: the Textual app over one store and one framework."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar

from textual.app import App
from textual.binding import Binding, BindingType

from mlpl_tui.errors import MlplError
from mlpl_tui.framework import Framework
from mlpl_tui.lifecycle import Context
from mlpl_tui.model import Change, Project
from mlpl_tui.store import Store

if TYPE_CHECKING:
    from mlpl_tui.cli import Session
    from screens.base import Rule

DISK_POLL_SECONDS = 0.5


class MlplApp(App[None]):
    """Shows one project; every change goes through the store, and changes on disk come in."""

    TITLE = "mlpl-tui"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit", id="quit", tooltip="Leave mlpl-tui (everything is saved)"),
    ]

    def __init__(self, store: Store, framework: Framework, context: Callable[[], Context]) -> None:
        super().__init__()
        self.store, self._framework, self._make_context = store, framework, context
        self._project = store.load()

    @property
    def project(self) -> Project:
        return self._project

    @property
    def framework(self) -> Framework:
        return self._framework

    def on_mount(self) -> None:
        self.set_interval(DISK_POLL_SECONDS, self.check_disk)

    def act(self, rule: Rule) -> Change | None:
        """Apply one rule (the store re-reads first, so another writer's change is kept)."""
        ctx = self._make_context()
        try:
            applied = self.store.apply(lambda p: rule(p, self._framework, ctx), ctx.who, ctx.now)
        except MlplError as exc:
            self.notify(str(exc), title="Not done", severity="error")
            return None
        self.reload()
        return applied.change

    def check_disk(self) -> None:
        if self.store.changed_on_disk():
            self.reload()

    def reload(self) -> None:
        """Take a fresh snapshot and let the visible screen redraw it."""
        try:
            self._project = self.store.load()
        except MlplError as exc:
            self.notify(str(exc), title="Cannot read the state file", severity="error")
            return
        show = getattr(self.screen, "show", None)
        if callable(show):
            show(self._project)


def cmd_open(session: Session) -> int:
    """No command: open the terminal UI on the project found from here."""
    framework = session.framework
    app = MlplApp(Store(session.path), framework, session.context)
    app.run(mouse=not session.args.no_mouse)
    return 0
