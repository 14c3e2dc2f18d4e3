"""The one sanitiser for text on its way to a terminal: controls are shown, never emitted.

Stored text comes from anyone's branch. A C0/C1 control, ESC, DEL, a bidi override or isolate,
or a lone surrogate reaching the terminal could set the window title, write the clipboard
(OSC 52), recolour or reorder what is shown, or crash the encoder. Each is written visibly
instead: `\\x1b`, `\\x9b`, `U+202E`. Newline and tab pass where a multi-line field is shown.
JSON output stays exact: the same characters become `\\uXXXX` escapes, which parse back to the
very same string.
"""

from __future__ import annotations

import io
import json
import re
from typing import Any, TextIO

# C0 except tab and newline, DEL, C1, the bidi embeddings/overrides/isolates and marks, lone
# surrogates. Tab and newline are matched separately for single-line fields.
_UNSAFE = "\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff"
_UNSAFE_MULTILINE = re.compile(f"[{_UNSAFE}]")
_UNSAFE_LINE = re.compile(f"[{_UNSAFE}\t\n]")
_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def _visible(match: re.Match[str]) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code <= 0x9F else f"U+{code:04X}"


def clean(text: str, *, multiline: bool = False) -> str:
    """`text` with every control character written visibly; newline and tab kept if multiline."""
    pattern = _UNSAFE_MULTILINE if multiline else _UNSAFE_LINE
    if pattern.search(text) is None:
        return text  # the common case costs one scan
    return pattern.sub(_visible, text)


def has_unsafe(text: str) -> bool:
    """True when `text` holds a character that `clean` would rewrite (newline and tab aside)."""
    return _UNSAFE_MULTILINE.search(text) is not None


def _escape_json(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def escape_json(text: str) -> str:
    """JSON text with every unsafe character as a `\\u` escape: the same value, safe to show.

    JSON encoders escape C0; DEL, C1, bidi controls and surrogates would otherwise pass raw.
    Outside strings JSON holds none of them, so escaping them everywhere keeps the value exact.
    """
    return _UNSAFE_MULTILINE.sub(_escape_json, text)


def json_text(value: Any, **options: Any) -> str:
    """`json.dumps(value, ensure_ascii=False)`, safe to show on a terminal and exact."""
    return escape_json(json.dumps(value, ensure_ascii=False, **options))


class SafeStream(io.TextIOBase):
    """A text stream that passes everything written through `clean` (multi-line) first.

    The CLI installs it over stdout and stderr, so no command can forget the sanitiser.
    """

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        self._stream.write(clean(text, multiline=True))
        return len(text)

    def flush(self) -> None:
        self._stream.flush()

    def fileno(self) -> int:
        return self._stream.fileno()

    def isatty(self) -> bool:
        return self._stream.isatty()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return self._stream.encoding

    @property
    def wrapped(self) -> TextIO:
        return self._stream
