"""Changes: what one user action writes, and the pure function that applies one to stored data.

Every store applies changes with `apply_change` (the file store under its lock, the memory
store for fast tests), and so do the merge tests when they build branches: one definition of
what a write does.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from mlpl_tui.errors import UsageError
from mlpl_tui.records import MAX_TEXT, new_id

Data = dict[str, dict[str, dict[str, Any]]]


@dataclass
class Put:
    """Create a record, or merge fields into it (unknown fields are kept)."""

    table: str
    id: str
    fields: Mapping[str, Any]

    def __post_init__(self) -> None:
        # Reading refuses longer texts (json_guard): never write a file that cannot be read back.
        for name, value in self.fields.items():
            if isinstance(value, str) and len(value) > MAX_TEXT:
                raise UsageError(
                    f"the {name} is {len(value):,} characters long, more than the {MAX_TEXT:,} "
                    "a record keeps; shorten it (or keep the text in a file and link it)"
                )


@dataclass
class Change:
    """What one user action writes, as puts, plus the history line that describes it."""

    action: str
    summary: str
    puts: list[Put] = field(default_factory=list)
    result: str | None = None  # what the command prints, e.g. a new record's id


def apply_change(
    data: Data, change: Change, who: str, now: str, make_id: Callable[[], str] = new_id
) -> Data:
    """The data once `change` is written, with its history event; `data` itself if unchanged.

    Nothing is modified in place: changed tables and records are new objects, the rest is
    shared, so earlier snapshots of `data` stay as they were. A put whose fields all hold
    their values already writes nothing, and a change that writes nothing adds no event.
    """
    written: Data = {}  # copies of the tables this change writes to
    for put in change.puts:
        table = written.get(put.table)
        current = (data.get(put.table, {}) if table is None else table).get(put.id)
        if current is not None and all(
            name in current and current[name] == value for name, value in put.fields.items()
        ):
            continue
        if table is None:
            table = written[put.table] = dict(data.get(put.table, {}))
        table[put.id] = {**(current or {}), **put.fields}
    if not written:
        return data
    events = written.get("events")
    if events is None:
        events = written["events"] = dict(data.get("events", {}))
    event_id = make_id()
    while event_id in events:
        event_id = make_id()  # pragma: no cover - new ids are random (40 bits)
    events[event_id] = {
        "at": now,
        "by": who,
        "action": change.action,
        "summary": change.summary,
        "refs": sorted({put.id for put in change.puts}),
        "seq": len(events) + 1,
    }
    return {**data, **written}
