"""One-line title and key bars: cheaper to start than Header and Footer, and they say the same.

The key bar is built from the screen's active bindings, so remapped keys show as they are.
"""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from mlpl_tui.widgets.text import clip


class TitleBar(Static):
    """`mlpl-tui — <project>` across the top."""

    _shown: str | None = None  # the text shown, so an unchanged title is not repainted

    DEFAULT_CSS = """
    TitleBar {
        dock: top;
        height: 1;
        width: 1fr;
        background: $panel;
        color: $foreground;
        text-style: bold;
        padding: 0 1;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    """

    def set_title(self, title: str) -> None:
        """Show the project's name (stored text: cleaned, bounded, never markup)."""
        text = f"mlpl-tui — {clip(title)}" if title else "mlpl-tui"
        if text != self._shown:
            self._shown = text
            self.update(Text(text))


class KeyBar(Static):
    """`^p palette`, then the keys shown on this screen (bindings with show=True)."""

    _shown: str | None = None  # the keys shown, so unchanged keys are not repainted

    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: 1;
        width: 1fr;
        background: $panel;
        color: $foreground-muted;
        padding: 0 1;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    """

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self.call_after_refresh(self.redraw)

    def _bindings_changed(self, _screen: object) -> None:
        self.redraw()

    def redraw(self) -> None:
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append("^p", style="bold")
        text.append(" palette")
        seen: set[str] = set()
        for active in self.screen.active_bindings.values():
            binding = active.binding
            if not binding.show or not active.enabled or binding.action in seen:
                continue
            seen.add(binding.action)
            text.append("  ")
            text.append(self.app.get_key_display(binding), style="bold")
            text.append(f" {binding.description}")
        if text.plain != self._shown:
            self._shown = text.plain
            self.update(text)
