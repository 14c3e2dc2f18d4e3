"""Changes: what one user action writes, and the pure function that applies one to stored data.

Every store applies changes with `apply_change` (the file store under its lock, the memory
store for fast tests), and so do the merge tests when they build branches: one definition of
what a write does.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from mlpl_tui.errors import RuleError, UsageError
from mlpl_tui.records import MAX_TEXT, new_id

Data = dict[str, dict[str, dict[str, Any]]]


class _Absent:
    """The value of a field a record does not hold."""

    def __repr__(self) -> str:
        return "ABSENT"


ABSENT: Any = _Absent()  # as a Put's value: remove the field from the record


@dataclass
class Put:
    """Create a record, or merge fields into it (unknown fields are kept).

    `expect` holds the values some of those fields had when the user started editing them:
    if the stored record holds something else by the time the change is written, somebody
    changed it meanwhile and the change is refused with an EditConflict instead of overwriting.
    """

    table: str
    id: str
    fields: Mapping[str, Any]
    expect: Mapping[str, Any] | None = None

    def __post_init__(self) -> None:
        # Reading refuses longer texts (json_guard): never write a file that cannot be read back.
        for name, value in self.fields.items():
            if isinstance(value, str) and len(value) > MAX_TEXT:
                raise UsageError(
                    f"the {name} is {len(value):,} characters long, more than the {MAX_TEXT:,} "
                    "a record keeps; shorten it (or keep the text in a file and link it)"
                )


@dataclass
class Remove:
    """Delete a record; the history event keeps every field it held."""

    table: str
    id: str


class EditConflict(RuleError):
    """A field changed in the file since the user started editing it."""

    def __init__(self, table: str, id: str, field: str, started: Any, stored: Any, mine: Any):
        self.table, self.id, self.field = table, id, field
        self.started, self.stored, self.mine = started, stored, mine
        super().__init__(
            f"the {field} of {table} record {id} was changed by someone else since you started "
            "editing it; nothing was written"
        )


@dataclass
class Change:
    """What one user action writes, as puts, plus the history line that describes it.

    `event` holds further fields for the history event (e.g. which event an undo reverts).
    """

    action: str
    summary: str
    puts: Sequence[Put | Remove] = field(default_factory=list)
    result: str | None = None  # what the command prints, e.g. a new record's id
    event: Mapping[str, Any] = field(default_factory=dict)


def apply_change(
    data: Data, change: Change, who: str, now: str, make_id: Callable[[], str] = new_id
) -> Data:
    """The data once `change` is written, with its history event; `data` itself if unchanged.

    Nothing is modified in place: changed tables and records are new objects, the rest is
    shared, so earlier snapshots of `data` stay as they were. A put whose fields all hold
    their values already writes nothing, and a change that writes nothing adds no event.
    The event records every field the change wrote, before and after (see `record_changes`).
    """
    written: Data = {}  # copies of the tables this change writes to
    touched: dict[tuple[str, str], None] = {}  # (table, id) in the order first written
    for op in change.puts:
        table = written.get(op.table)
        current = (data.get(op.table, {}) if table is None else table).get(op.id)
        if isinstance(op, Remove):
            updated = None
        else:
            _check_expected(op, current)
            updated = {**(current or {}), **op.fields}
            for name, value in op.fields.items():
                if value is ABSENT:
                    del updated[name]
        if updated == current:
            continue
        if table is None:
            table = written[op.table] = dict(data.get(op.table, {}))
        if updated is None:
            del table[op.id]
        else:
            table[op.id] = updated
        touched.setdefault((op.table, op.id), None)
    changes = [
        diff
        for name, id in touched
        if (diff := record_change(name, id, data.get(name, {}).get(id), written[name].get(id)))
    ]
    if not changes:
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
        "refs": sorted({op.id for op in change.puts}),
        "seq": len(events) + 1,
        **change.event,
        "changes": changes,
    }
    return {**data, **written}


def record_change(
    table: str, id: str, before: Mapping[str, Any] | None, after: Mapping[str, Any] | None
) -> dict[str, Any] | None:
    """What a write did to one record, as stored in its history event; None if nothing.

    `before` and `after` hold the fields that differ (a field missing from one of them was not
    stored on that side); a created record has `before` null, a removed one `after` null, and
    then the other side holds every field.
    """
    if before is None or after is None:
        if before is None and after is None:
            return None
        return {"table": table, "id": id, "before": before, "after": after}
    names = [n for n in {**before, **after} if before.get(n, ABSENT) != after.get(n, ABSENT)]
    if not names:
        return None
    return {
        "table": table,
        "id": id,
        "before": {n: before[n] for n in names if n in before},
        "after": {n: after[n] for n in names if n in after},
    }


def _check_expected(put: Put, current: Mapping[str, Any] | None) -> None:
    for name, started in (put.expect or {}).items():
        stored = (current or {}).get(name, ABSENT)
        if stored is ABSENT and started in ("", None):
            continue  # a field never written reads as empty
        if stored != started:
            raise EditConflict(
                put.table, put.id, name, started, stored, put.fields.get(name, ABSENT)
            )
