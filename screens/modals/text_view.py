"""A read-only dialog: a heading and a text that scrolls (an attached link, which is shown and
never opened; a learning in full). `escape` or `enter` closes it; it writes nothing."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Button, Static

from mlpl_tui.screens.modals.form import FormModal
from mlpl_tui.widgets.scroll_pane import ScrollPane


class TextModal(FormModal[None]):
    """Show `body` (build it with `data_text` when it quotes stored text)."""

    DEFAULT_CSS = """
    TextModal #body-pane {
        height: auto;
        max-height: 16;
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "cancel", "Close", id="text-close", tooltip="Close"),
    ]

    def __init__(self, heading: str, body: Text) -> None:
        super().__init__()
        self.heading, self.body = heading, body

    def form(self) -> ComposeResult:
        with ScrollPane(id="body-pane"):
            yield Static(self.body, id="body", markup=False)

    def hint(self) -> str:
        return "esc or enter closes · j/k scroll"

    def on_mount(self) -> None:
        self.query_one("#heading", Static).update(Text(self.heading))
        self.query_one("#save", Button).display = False
        self.query_one("#cancel", Button).label = "Close"
        self.query_one("#body-pane", ScrollPane).focus()
