"""A pane of text that scrolls with the keyboard: `j`/`k` and the arrows while it has focus.

Its scrollbar is drawn in colours that stand apart from the pane (Textual's default thumb is
close to the background in the dark themes), and with `NO_COLOR` the thumb is still drawn in
reverse video, so there is always a visible sign that more text lies below.

A line key scrolls at once, without an animation: Textual defers a scroll until the next
refresh and counts from where the last one was aimed, so keys typed in a burst (a held `j`, a
slow link) would be lost, and an animation is many frames of output over SSH.
"""

from __future__ import annotations

from typing import ClassVar

from textual.actions import SkipAction
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll


class ScrollPane(VerticalScroll):
    """A focusable, vertically scrolling pane; `j`/`k` scroll it one line."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "j", "scroll_down", "Scroll", show=False, id="pane-down", tooltip="Scroll down a line"
        ),
        Binding("k", "scroll_up", "Scroll", show=False, id="pane-up", tooltip="Scroll up a line"),
    ]

    DEFAULT_CSS = """
    ScrollPane {
        scrollbar-size-vertical: 1;
        scrollbar-background: $surface;
        scrollbar-background-hover: $surface;
        scrollbar-background-active: $surface;
        scrollbar-color: $primary;
        scrollbar-color-hover: $accent;
        scrollbar-color-active: $accent;
    }
    """

    def action_scroll_down(self) -> None:
        self._scroll_lines(1)

    def action_scroll_up(self) -> None:
        self._scroll_lines(-1)

    def _scroll_lines(self, lines: int) -> None:
        if not self.allow_vertical_scroll:
            raise SkipAction()  # nothing to scroll: the key goes on to the screen
        self.scroll_to(y=self.scroll_y + lines, animate=False, immediate=True)
