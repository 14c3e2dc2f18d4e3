"""Stored text on its way to the screen: sanitised, bounded, and never read as markup.

Everything shown from mlpl.json or mlpl.yaml comes from anyone's branch. `clip` passes it
through the one sanitiser (`mlpl_tui.sanitize.clean`: controls are written visibly) and cuts it
to a size the screen lays out quickly, saying how much was left out. `data_text` wraps the
result in a Rich `Text`, which Textual never parses as markup; `data_markup` escapes it for the
few Textual APIs that take only markup strings (the command palette's help line).
"""

from __future__ import annotations

from collections.abc import Iterable

from rich.text import Text
from textual.markup import escape

from mlpl_tui.sanitize import clean

MAX_LINE_CHARS = 1000  # characters of a one-line value: a list row, a title
MAX_LINES = 100  # lines of a multi-line value (a note, a context) shown in a pane
MAX_CHARS = 10_000  # characters of a multi-line value: a long paragraph, yet a quick layout


def _more(count: int, what: str) -> str:
    return f"… ({count:,} more {what}{'' if count == 1 else 's'})"


def clip(value: str, *, multiline: bool = False) -> str:
    """`value` with controls written visibly (`clean`), cut to a size that lays out quickly.

    One line (a row, a title): at most MAX_LINE_CHARS characters, a newline shown as `\\n`.
    Multi-line (a note, a context pane): newlines kept, at most MAX_LINES lines and MAX_CHARS
    characters. A cut ends in a marker such as `… (199,900 more lines)`. Only the part shown
    is scanned or copied, so a huge value costs no more than a short one.
    """
    if not multiline:
        if len(value) <= MAX_LINE_CHARS:
            return clean(value)
        cut = clean(value[:MAX_LINE_CHARS])
        return f"{cut} {_more(len(value) - MAX_LINE_CHARS, 'character')}"
    shown = "\n".join(value[:MAX_CHARS].split("\n", MAX_LINES)[:MAX_LINES])
    text = clean(shown, multiline=True)
    rest = value[len(shown) :]
    if not rest.strip():
        return text  # only blank space left out
    partial, newline, after = rest.partition("\n")  # the end of a line cut short, then lines
    if partial:
        text += f" {_more(len(partial), 'character')}"
    if newline:
        lines = after.count("\n") + (not after.endswith("\n"))  # a last newline ends a line
        text += "\n" + _more(lines, "line")
    return text


def data_text(value: str, *, multiline: bool = False, style: str = "") -> Text:
    """Stored text as a Rich `Text`: cleaned, bounded, never markup."""
    return Text(clip(value, multiline=multiline), style=style)


def data_lines(lines: Iterable[str]) -> Text:
    """One single-line value per line (rows of a pane), each cleaned and bounded."""
    return Text("\n".join(clip(line) for line in lines))


def data_markup(value: str) -> str:
    """Stored text for an API that reads markup: cleaned, bounded, its brackets escaped."""
    return escape(clip(value))
