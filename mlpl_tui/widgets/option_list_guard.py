"""A workaround for Textual 8.2.8: `pageup`/`pagedown` in an OptionList not laid out yet.

Textual's OptionList._move_page looks up the highlighted option's line before the list has
computed its lines (a list made visible in the same frame, or with no room), and raises
KeyError: a fast `ctrl+p`, letter, `pagedown` crashed the app in the random-keys test, and the
same holds for a Select's drop-down. Textual's own lists (the command palette, Select) are
affected too, so the method is replaced on OptionList itself rather than in our subclasses.
Remove this module once Textual computes the lines first.
"""

from __future__ import annotations

from typing import Literal

from textual.widgets import OptionList

_move_page = OptionList._move_page  # Textual's own, called once the lines exist


def _guarded_move_page(self: OptionList, direction: Literal[-1, 1]) -> None:
    """Textual's page move, or nothing while the highlighted option has no line yet."""
    highlighted = self.highlighted
    if highlighted is not None and highlighted not in self._index_to_line:
        self._update_lines()
        if highlighted not in self._index_to_line:
            return
    _move_page(self, direction)


def guard_option_list_paging() -> None:
    """Make the page keys harmless until the lines exist; idempotent (the app calls it once)."""
    # A method replaced on a library class: mypy rightly objects to that in general.
    OptionList._move_page = _guarded_move_page  # type: ignore[method-assign]
