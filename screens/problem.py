"""The read-only problem screen: the state file cannot be read (broken JSON, a git conflict,
a newer schema, a missing file). It says what is wrong and how to recover; the app keeps
checking the file and reopens the project as soon as it is readable again."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from mlpl_tui.widgets.text import clip, data_text


def recovery_steps(label: str) -> str:
    """What to do, naming the state file (cleaned: a path can hold anything)."""
    name = clip(label.rsplit("/", 1)[-1])
    return (
        "How to recover (in another terminal):\n"
        f"  • a git conflict: 'mlpl-tui resolve', or take one side with\n"
        f"    'git checkout --ours {name}' (or --theirs), then 'mlpl-tui validate'\n"
        f"  • a broken or lost file: restore it with 'git checkout -- {name}'\n"
        "  • a newer schema: upgrade mlpl-tui\n\n"
        "Nothing can be changed until then. This screen checks the file every half second\n"
        "and opens the project again as soon as it can be read. q quits."
    )


class ProblemScreen(Screen[None]):
    """Shows why the state file cannot be read; nothing here changes anything."""

    CSS_PATH = "problem.tcss"

    def __init__(self, message: str, label: str) -> None:
        super().__init__(name="problem")
        self.message, self.label = message, label

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="box"):
            yield Static("The state file cannot be read", id="title")
            # The message quotes the broken file (an id, a value): cleaned, bounded, no markup.
            yield Static(data_text(self.message, multiline=True), id="problem", markup=False)
            yield Static(Text(recovery_steps(self.label)), id="recovery", markup=False)
        yield Footer()

    def show_problem(self, message: str) -> None:
        self.message = message
        self.query_one("#problem", Static).update(data_text(message, multiline=True))
