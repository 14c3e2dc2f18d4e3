"""The welcome screen: no mlpl.json here or in a parent, so offer to create one (inside a git
repository the app also registers the merge driver, as `mlpl-tui init` does).

The name field has the keys at first (a name may hold any letter): `enter` creates, `escape`
quits; `tab` moves on to the buttons, where `?` opens the help and `q` quits, as the key bar
says.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Button, Input, Label, Static

from mlpl_tui.screens.base import host_of
from mlpl_tui.widgets.bars import KeyBar, TitleBar
from mlpl_tui.widgets.text import clip, data_text


class WelcomeScreen(Screen[None]):
    """Explains what mlpl-tui keeps and creates the state file on request."""

    CSS_PATH = "welcome.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.quit", "Quit", id="welcome-quit", tooltip="Leave without creating"),
    ]

    def __init__(self, path: Path) -> None:
        super().__init__(name="welcome")
        self.path = path

    def compose(self) -> ComposeResult:
        yield TitleBar()
        with Vertical(id="box"):
            yield Static("Welcome to mlpl-tui", id="title")
            yield Static(
                data_text(
                    "There is no mlpl.json here or in a parent folder.\n\n"
                    "mlpl-tui keeps an ML exploration project's state (stages, modules, "
                    "decisions, loop backs, effort) in one file you commit with your code.\n"
                    "In a git repository it also sets git up to merge that file record by "
                    "record, as 'mlpl-tui init' does.\n\n"
                    f"Create {self.path}?",
                    multiline=True,
                ),
                id="explain",
                markup=False,
            )
            with Horizontal(classes="row"):
                yield Label("Project name", classes="label")
                # A folder's name can hold anything (a cloned repository's): shown cleaned.
                yield Input(clip(self.path.resolve().parent.name), id="name", compact=True)
            yield Static("", id="error", markup=False)
            with Horizontal(id="buttons"):
                yield Button("Create mlpl.json", id="create", variant="primary", compact=True)
                yield Button("Quit", id="quit", compact=True)
            yield Static(
                "enter create · esc quit · tab to the buttons, then ? help, q quit", id="hint"
            )
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one(TitleBar).set_title("")
        self.query_one("#name", Input).focus()

    @on(Input.Submitted, "#name")
    @on(Button.Pressed, "#create")
    def create(self) -> None:
        name = self.query_one("#name", Input).value
        error = host_of(self.app).create_project(name)
        if error is not None:
            self.query_one("#error", Static).update(data_text(f"Not done: {error}", multiline=True))

    @on(Button.Pressed, "#quit")
    def _quit(self) -> None:
        self.app.exit()
