"""The help screen (`?`): every key of the screen it was opened from, generated from the real
bindings, so remapped keys (App.set_keymap) show as they are."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import ActiveBinding, Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

FIXED_KEYS = (
    ("↑↓ j k", "Move in a list; scroll a focused pane"),
    ("enter", "Open the highlighted row"),
    ("click", "Highlight a row; a double click opens it"),
    ("ctrl+p", "Command palette: every action by name"),
    ("ctrl+q", "Quit"),
    ("tab", "Next field or panel"),
)


class HelpScreen(ModalScreen[None]):
    """Keys of the screen below, grouped: that screen's own keys, then everywhere."""

    CSS_PATH = "help.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,question_mark,q", "dismiss", "Close", id="help-close", tooltip="Close"),
    ]

    def __init__(
        self,
        bindings: Mapping[str, ActiveBinding],
        screen_name: str,
        extra: tuple[str, Sequence[tuple[str, str]]] | None = None,
    ) -> None:
        """`extra`: a heading and `(key, text)` lines the screen adds, for a part of it that
        does not have focus (the stage screen's artifacts list)."""
        super().__init__(name="help")
        self.bindings, self.screen_name, self.extra = bindings, screen_name, extra

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="box"):
            yield Static(f"Keys ({self.screen_name or 'this screen'})", id="title", markup=False)
            yield Static(self.text(), id="keys", markup=False)
            yield Static("esc, ? or q closes", id="hint")

    def text(self) -> str:
        here: list[str] = []
        everywhere: list[str] = []
        seen: set[tuple[str, str]] = set()
        for active in self.bindings.values():
            binding = active.binding
            if binding.id is None or not binding.description or binding.system:
                continue  # Textual's own keys (scrolling, copy) would bury ours
            shown = self.app.get_key_display(binding)
            if (binding.action, shown) in seen:
                continue
            seen.add((binding.action, shown))
            line = f"  {shown:<8} {binding.description:<12} {active.tooltip or binding.tooltip}"
            (everywhere if active.node is self.app else here).append(line.rstrip())
        lines = ["On this screen:", *here] if here else []
        if self.extra is not None:
            heading, extra = self.extra
            lines += [heading, *(f"  {key:<8} {text}".rstrip() for key, text in extra)]
        lines += ["Everywhere:", *everywhere]
        lines += [f"  {key:<8} {text}" for key, text in FIXED_KEYS]
        return "\n".join(lines)
