"""One-line title and key bars: cheaper to start than Header and Footer, and they say the same.

The key bar is built from the screen's active bindings, so remapped keys show as they are. It
always ends in `? Help` and `q Quit`: when the keys do not fit (80 columns), others are dropped
first, from the right: the app's screen switches (`0 Dashboard`), then its other general keys
and the keys every list screen has (`/ Filter`, `esc Back`), then the screen's own. The help
screen (`?`) and the command palette list them all.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual.binding import Binding
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


# Bindings (by id) the key bar never drops: the way to every other key, and the way out.
PINNED = ("help", "quit")
COMMON = ("record-filter", "back")  # mlpl_tui.screens.record_screen: on every list screen
GAP = "  "
# How long a key stays when room runs out: the highest rank stays longest.
SWITCH, GENERAL, OWN, KEEP = range(4)
Key = tuple[str, str, int]  # (key, description, rank)


class KeyBar(Static):
    """`^p palette`, then the keys shown on this screen (bindings with show=True), so that
    `? Help` and `q Quit` always fit."""

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

    def on_resize(self) -> None:
        self.redraw()

    def _bindings_changed(self, _screen: object) -> None:
        self.redraw()

    def keys(self) -> list[Key]:
        """Every key to show with its rank, in the order shown: the pinned ones last."""
        keys: list[Key] = [("^p", "palette", KEEP)]
        pinned: list[Key] = []
        seen: set[str] = set()
        for active in self.screen.active_bindings.values():
            binding: Binding = active.binding
            if not binding.show or not active.enabled or binding.action in seen:
                continue
            seen.add(binding.action)
            shown = self.app.get_key_display(binding)
            if binding.id in PINNED:
                pinned.append((shown, binding.description, KEEP))
            elif active.node is not self.app:
                # Keys every list screen has (`/ Filter`, `esc Back`) give way to its own.
                common = binding.id in COMMON or (
                    binding.key == "escape" and binding.description == "Back"
                )
                keys.append((shown, binding.description, GENERAL if common else OWN))
            else:
                is_switch = binding.action.startswith(("show(", "app.show("))
                keys.append((shown, binding.description, SWITCH if is_switch else GENERAL))
        return keys + pinned

    def redraw(self) -> None:
        keys = self.keys()
        room = self.content_size.width or max(self.app.size.width - 2, 0)
        # Drop the lowest-ranked key, the rightmost of its rank first, until the rest fit.
        while _width(keys) > room:
            rank = min(rank for _, _, rank in keys)
            if rank == KEEP:
                break
            del keys[max(i for i, key in enumerate(keys) if key[2] == rank)]
        text = Text(no_wrap=True, overflow="ellipsis")
        for number, (key, description, _) in enumerate(keys):
            if number:
                text.append(GAP)
            text.append(key, style="bold")
            text.append(f" {description}")
        if text.plain != self._shown:
            self._shown = text.plain
            self.update(text)


def _width(keys: list[Key]) -> int:
    return sum(cell_len(f"{k} {d}") for k, d, _ in keys) + len(GAP) * (len(keys) - 1)
