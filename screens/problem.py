"""The problem screen: the state file cannot be read (broken JSON, a git conflict, a newer
schema, a missing file). It says what is wrong and how to recover, and nothing here edits the
project; the app keeps checking the file and reopens the project as soon as it is readable.

When git holds the file as unmerged (a merge without the driver left conflict markers), `r`
asks the app to run what `mlpl-tui resolve` does: merge git's three versions record by record.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, Static

from mlpl_tui.widgets.bars import KeyBar, TitleBar
from mlpl_tui.widgets.text import clip, data_text


def recovery_steps(label: str, resolvable: bool = False) -> str:
    """What to do, naming the state file (cleaned: a path can hold anything). Lines fit 80
    columns."""
    name = clip(label.rsplit("/", 1)[-1])
    conflict = (
        "  • a git merge conflict: press r to merge both versions record by record\n"
        "    (what 'mlpl-tui resolve' does), or take one side in another terminal\n"
        f"    with 'git checkout --ours {name}' (or --theirs)\n"
        if resolvable
        else "  • a git conflict: 'mlpl-tui resolve' in another terminal, or take one\n"
        f"    side with 'git checkout --ours {name}' (or --theirs)\n"
    )
    return (
        "How to recover:\n"
        f"{conflict}"
        f"  • a broken or lost file: restore it with 'git checkout -- {name}'\n"
        "  • a newer schema: upgrade mlpl-tui\n\n"
        "Nothing can be changed until then. This screen checks the file every\n"
        "half second and opens the project again as soon as it can be read."
    )


class ProblemScreen(Screen[None]):
    """Shows why the state file cannot be read; `r` offers `resolve` for a git conflict."""

    CSS_PATH = "problem.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "r",
            "resolve",
            "Resolve merge",
            id="problem-resolve",
            tooltip="Merge git's two versions record by record, as 'mlpl-tui resolve' does",
        ),
    ]

    class ResolveRequested(Message):
        """The user asked to resolve the conflicted state file; the app runs `resolve`."""

    def __init__(self, message: str, label: str, resolvable: bool = False) -> None:
        super().__init__(name="problem")
        self.message, self.label, self.resolvable = message, label, resolvable

    def compose(self) -> ComposeResult:
        yield TitleBar()
        with VerticalScroll(id="box"):
            yield Static("The state file cannot be read", id="title")
            # The message quotes the broken file (an id, a value): cleaned, bounded, no markup.
            yield Static(data_text(self.message, multiline=True), id="problem", markup=False)
            with Horizontal(id="actions"):
                yield Button("Resolve the merge (r)", id="resolve", variant="primary", compact=True)
            yield Static(self._steps(), id="recovery", markup=False)
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one(TitleBar).set_title("")
        self._show_resolvable()

    def _steps(self) -> Text:
        return Text(recovery_steps(self.label, self.resolvable))

    def _show_resolvable(self) -> None:
        self.query_one("#actions").display = self.resolvable
        self.query_one("#recovery", Static).update(self._steps())
        self.refresh_bindings()

    def show_problem(self, message: str, resolvable: bool | None = None) -> None:
        """Show a new `message`; `resolvable` (when given) says whether `r` applies now."""
        self.message = message
        self.query_one("#problem", Static).update(data_text(message, multiline=True))
        if resolvable is not None and resolvable != self.resolvable:
            self.resolvable = resolvable
            self._show_resolvable()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Hidden, not just disabled, when git holds no conflict: the key would do nothing.
        return self.resolvable if action == "resolve" else True

    def action_resolve(self) -> None:
        if self.resolvable:
            self.post_message(self.ResolveRequested())

    @on(Button.Pressed, "#resolve")
    def _resolve_pressed(self) -> None:
        self.action_resolve()
