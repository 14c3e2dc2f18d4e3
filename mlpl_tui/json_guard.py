"""Checks that keep a hostile state file to bounded work and a clear error.

mlpl.json comes from anyone's branch. Parsed data is refused when it could not be written back
unchanged or would cost unbounded work later:
- nesting deeper than MAX_DEPTH levels (orjson writes at most 254, and history and conflict
  records nest a value a few levels deeper than its record);
- a key or text longer than MAX_TEXT characters, a record larger than MAX_RECORD bytes;
- integers that do not fit in 64 bits (orjson reads them as floats);
- keys that appear twice in one object (a reviewer reads one value, the program another).

Costs stay off the common path: the store writes canonical bytes, so a file equal to the
dump of its own parse holds no duplicate keys or big integers, and its indentation bounds its
depth. Only a file that differs (edited by hand, merged by text) gets the slow check. The dump
keeps the parsed order of keys: a file the store wrote is sorted, so it is still byte for byte
the same, and a duplicate key or a big integer changes the dump whatever the order (sorting
every object again would cost a third more and decide nothing).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import orjson

from mlpl_tui.fields import StateError
from mlpl_tui.records import MAX_TEXT

MAX_DEPTH = 64  # levels of objects and arrays, counting the file's own object, tables and records
# Bytes of one record written compactly: above anything the program writes (each text it stores
# is at most MAX_TEXT characters, and a record holds a handful of texts).
MAX_RECORD = 16 << 20
_INT_RANGE = range(-(1 << 63), 1 << 64)  # what orjson reads and writes as integers
# The store's layout (store.dump) but for sorting: the keys stay in the order parsed.
_LAYOUT = orjson.OPT_INDENT_2
# A line start indented at most 4 spaces: the file's braces, a table's key or closing line, a
# record's key or closing line (deeper lines are indented 6 or more).
_SHALLOW_LINE = re.compile(rb"\n {0,4}[^ ]")
# A JSON string, a punctuation character, or a bare word (number, true, false, null).
_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[{}\[\]:,]|[^\s{}\[\]:,"]+')


def check(content: bytes, data: Any, label: str) -> None:
    """Raise StateError when the parsed file is one this program must not take in."""
    try:
        # The file as the store would write it, but for the final newline: adding that would
        # copy the whole dump (tens of megabytes at 100,000 records) only to compare it.
        canonical = orjson.dumps(data, option=_LAYOUT)
    except orjson.JSONEncodeError:
        canonical = b""  # nested too deeply for orjson to write: the walk below names where
    # In the canonical layout an element inside k containers is indented 2k spaces.
    if not canonical or b"\n" + b" " * (2 * MAX_DEPTH) in canonical:
        _check_depth(data, label)
    if len(canonical) >= MAX_TEXT:  # with its newline, the file would be longer than MAX_TEXT
        _check_sizes(data, canonical, label)
    if not (
        canonical
        and len(content) == len(canonical) + 1
        and content.endswith(b"\n")
        and content.startswith(canonical)
    ):
        slow_check(content, label)


def slow_check(content: bytes, label: str) -> None:
    """Duplicate keys and out-of-range integers, read with the standard library parser."""
    try:
        json.loads(
            content.decode("utf-8"),
            object_pairs_hook=_refuse_duplicates,
            parse_int=_refuse_big_int,
        )
    except _Found:
        line, problem = _locate(content.decode("utf-8"))
        raise StateError(f"{label}:{line}: {problem}; {_restore(label)}") from None
    except (ValueError, RecursionError) as exc:  # orjson read it; only a limit of json's is left
        raise StateError(f"{label}: cannot be read safely ({exc}); {_restore(label)}") from None


class _Found(Exception):
    """The slow parse saw a duplicate key or a big integer; _locate names it and its line."""


def _refuse_duplicates(pairs: list[tuple[str, Any]]) -> None:
    """Builds nothing: orjson's parse is the one used."""
    if len({key for key, _ in pairs}) != len(pairs):
        raise _Found


def _refuse_big_int(text: str) -> int:
    if len(text) > 21 or int(text) not in _INT_RANGE:
        raise _Found
    return 0


def _locate(text: str) -> tuple[int, str]:
    """The line and description of the first duplicate key or big integer, in file order."""
    objects: list[set[str] | None] = []  # the keys seen in each open object; None for arrays
    previous = ""
    for match in _TOKEN.finditer(text):
        token = match.group()
        problem = ""
        if token in ("{", "["):
            objects.append(set() if token == "{" else None)
        elif token in ("}", "]"):
            objects.pop()
        elif token[0] == '"':
            keys = objects[-1] if objects else None
            if keys is not None and previous in ("{", ","):  # a key, not a value
                key = json.loads(token)
                if key in keys:
                    problem = f"key {_shown(key)} appears twice in one object"
                keys.add(key)
        elif token.lstrip("-").isdigit() and (len(token) > 21 or int(token) not in _INT_RANGE):
            problem = (
                f"the number {token[:24]}{'…' if len(token) > 24 else ''} does not fit in 64 bits "
                "and would change when written back (write it as text)"
            )
        if problem:
            return text.count("\n", 0, match.start()) + 1, problem
        previous = token
    return 1, "a duplicate key or a number too large for 64 bits"  # pragma: no cover


def _check_depth(data: Any, label: str) -> None:
    for table, id, level, value in _records(data):
        todo = [(value, level)] if isinstance(value, (dict, list)) else []
        while todo:  # a loop: orjson reads 1024 levels, more than Python's recursion allows
            item, depth = todo.pop()
            if depth > MAX_DEPTH:
                raise StateError(
                    f"{label}: {_name(table, id)} nests values more than {MAX_DEPTH} levels "
                    f"deep; {_restore(label)}"
                )
            children = item.values() if isinstance(item, dict) else item
            todo.extend((c, depth + 1) for c in children if isinstance(c, (dict, list)))


def _check_sizes(data: Any, canonical: bytes, label: str) -> None:
    """Texts and records within their limits; `canonical` is the file's layout but for its
    final newline."""
    # A longer text fills a line of more than MAX_TEXT bytes, which holds a whole aligned block
    # of half that size with no newline: a few finds, where splitting into lines costs more. A
    # block that runs past the end holds the final newline.
    block = MAX_TEXT // 2
    long_line = any(
        canonical.find(b"\n", at, at + block) < 0 and at + block <= len(canonical)
        for at in range(0, len(canonical), block)
    )
    large = len(canonical) >= MAX_RECORD and _may_hold_a_large_record(data, canonical)
    if not (long_line or large):
        return
    for table, id, _level, value in _records(data):
        if long_line:
            for text in _strings(value):
                if len(text) > MAX_TEXT:
                    raise StateError(
                        f"{label}: {_name(table, id)} holds a text of {len(text):,} characters, "
                        f"more than the {MAX_TEXT:,} allowed; {_restore(label)}"
                    )
        if large and len(orjson.dumps(value)) > MAX_RECORD:
            raise StateError(
                f"{label}: {_name(table, id)} is larger than {MAX_RECORD >> 20} MiB; "
                f"{_restore(label)}"
            )


def _may_hold_a_large_record(data: Any, canonical: bytes) -> bool:
    """False only when no record can be larger than MAX_RECORD bytes written compactly.

    Dumping each record to measure it costs more than reading the whole file; the canonical
    layout bounds them instead. A record of a table sits in the file's object's object, so its
    key line and closing line are indented 4 spaces and every line between them 6 or more. Its
    canonical text is its compact text plus whitespace, and holds no line start indented 4 or
    less past its first byte, up to the newline before its closing line (a scalar record has
    no newline at all). A record of more than MAX_RECORD bytes therefore contains a whole
    aligned block of half that size without such a line start: a few searches rule it out.
    """
    if not isinstance(data, dict) or not all(isinstance(t, dict) for t in data.values()):
        return True  # a table or the file is not an object: its "records" are measured whole
    block = MAX_RECORD // 2
    return any(
        _SHALLOW_LINE.search(canonical, at, at + block) is None
        for at in range(0, len(canonical) - block + 1, block)
    )


def _records(data: Any) -> Iterator[tuple[str | None, str | None, int, Any]]:
    """(table, record id, nesting level, value) for each record; the file's object is level 1."""
    if not isinstance(data, dict):
        yield None, None, 1, data
        return
    for table, records in data.items():
        if not isinstance(records, dict):
            yield table, None, 2, records
            continue
        for id, record in records.items():
            yield table, id, 3, record


def _name(table: str | None, id: str | None) -> str:
    if table is None:
        return "the file"
    if id is None:
        return f"table {_shown(table)}"
    return f"record {_shown(id)} in table {_shown(table)}"


def _strings(value: Any) -> Iterator[str]:
    todo = [value]
    while todo:
        item = todo.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            yield from item.keys()
            todo.extend(item.values())
        elif isinstance(item, list):
            todo.extend(item)


def _shown(text: str) -> str:
    return repr(text if len(text) <= 40 else text[:39] + "…")


def _restore(label: str) -> str:
    return f"fix it, or restore it with 'git checkout -- {label}'"
