"""The history as data: what each change wrote, and undo and redo as changes that revert one.

Every event written since history kept values holds `changes`: for each record it wrote, the
fields before and after (see changes.record_change). Undo writes a new event that puts the
`before` values back and names the event it reverts; redo reverts that undo the same way. An
event is in effect unless an event in effect reverts it, so undo, redo and undo again compose.
Events from older files have no `changes`: they keep what they have and cannot be undone.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from mlpl_tui.changes import ABSENT, Change, Put, Remove
from mlpl_tui.errors import RuleError
from mlpl_tui.project import Project
from mlpl_tui.records import Event
from mlpl_tui.wording import one_line, shown_time

UNDO, REDO = "undo", "redo"
CREATE = "project.create"


@dataclass(frozen=True)
class RecordChange:
    """What one event wrote to one record: the changed fields before and after.

    `before` is None for a record the event created, `after` None for one it removed.
    """

    table: str
    id: str
    before: Mapping[str, Any] | None
    after: Mapping[str, Any] | None

    @property
    def fields(self) -> list[str]:
        """The fields written (every field of a created or removed record)."""
        return list({**(self.before or {}), **(self.after or {})})

    def value(self, side: str, field: str) -> Any:
        """The field's value before or after the event; ABSENT when the record lacked it."""
        values = self.before if side == "before" else self.after
        return ABSENT if values is None else values.get(field, ABSENT)


@dataclass(frozen=True)
class FieldChange:
    """One field one event wrote, for showing and searching the history."""

    event: Event
    table: str
    id: str
    field: str
    before: Any  # ABSENT when the field (or the record) did not exist
    after: Any


def record_changes(event: Event) -> list[RecordChange] | None:
    """What `event` wrote, or None when it does not say (older files, or a damaged entry)."""
    raw = event.changes
    if not isinstance(raw, list):
        return None
    found = []
    for entry in raw:
        if not isinstance(entry, dict):
            return None
        table, id = entry.get("table"), entry.get("id")
        before, after = entry.get("before"), entry.get("after")
        if not isinstance(table, str) or not isinstance(id, str):
            return None
        if not all(side is None or isinstance(side, dict) for side in (before, after)):
            return None
        found.append(RecordChange(table, id, before, after))
    return found


def field_changes(event: Event) -> Iterator[FieldChange]:
    """Every field `event` wrote, with its values before and after (nothing for old events)."""
    for change in record_changes(event) or []:
        for field in change.fields:
            yield FieldChange(
                event,
                change.table,
                change.id,
                field,
                change.value("before", field),
                change.value("after", field),
            )


def reverted_ids(events: Sequence[Event]) -> set[str]:
    """Ids of the events no longer in effect: reverted by an event that is itself in effect."""
    reverted: set[str] = set()
    for event in reversed(events):  # a revert is always newer than what it reverts
        if event.id not in reverted and event.reverts:
            reverted.add(event.reverts)
    return reverted


def describe(event: Event) -> str:
    """An event as messages name it: its summary (or action) and when."""
    what = one_line(event.summary or event.action, 70)
    return f"'{what}' ({shown_time(event.at)})"


def undo_target(project: Project, who: str) -> Event:
    """The latest change by `who` still in effect, which undo reverts; RuleError if none."""
    events = project.events
    reverted = reverted_ids(events)
    for event in reversed(events):
        if event.by != who or event.id in reverted or event.action in (UNDO, REDO):
            continue
        if event.action == CREATE:
            break
        if record_changes(event) is None:
            raise RuleError(
                f"your latest change {describe(event)} was recorded before history kept what "
                "each change wrote, so it cannot be undone; correct it with an edit instead"
            )
        return event
    raise RuleError(f"nothing to undo: {who} has no change in this project that is not undone")


def redo_target(project: Project, who: str) -> Event:
    """The latest undo by `who` still in effect, with no change of theirs after it."""
    events = project.events
    reverted = reverted_ids(events)
    for event in reversed(events):
        if event.by != who or event.id in reverted or event.action == REDO:
            continue
        if event.action == UNDO:
            return event
        raise RuleError(
            f"nothing to redo: your latest change {describe(event)} came after your last undo"
        )
    raise RuleError(f"nothing to redo: {who} has undone nothing that is not redone")


def undo(project: Project, who: str) -> Change:
    """Revert the latest change `who` made that is still in effect, as a new change."""
    target = undo_target(project, who)
    return revert(project, target, UNDO, f"Undo of {describe(target)}")


def redo(project: Project, who: str) -> Change:
    """Revert `who`'s latest undo (when nothing of theirs came after it), as a new change."""
    target = redo_target(project, who)
    reverted = project.event(target.reverts or "")
    what = describe(reverted) if reverted is not None else describe(target)
    return revert(project, target, REDO, f"Redo of {what}")


def revert(project: Project, event: Event, action: str, summary: str) -> Change:
    """The change that puts back what `event` wrote, or a RuleError naming what is in the way:
    a later change to one of the same fields."""
    changes = record_changes(event)
    if changes is None:
        raise RuleError(f"{describe(event)} does not record what it wrote; it cannot be reverted")
    puts: list[Put | Remove] = []
    for change in changes:
        current = project.raw(change.table).get(change.id)
        field = _changed_since(change, current)
        if field is not None:
            raise RuleError(_blocked(project, event, change, field))
        if change.before is None:
            puts.append(Remove(change.table, change.id))
        else:
            puts.append(
                Put(change.table, change.id, {f: change.value("before", f) for f in change.fields})
            )
    return Change(action, summary, puts, result=event.id, event={"reverts": event.id})


def _changed_since(change: RecordChange, current: Mapping[str, Any] | None) -> str | None:
    """A field of the record that no longer holds what the event wrote; None when all do."""
    if change.after is None:
        return None if current is None else change.fields[0]
    if current is None:
        return change.fields[0]
    names = change.fields if change.before is not None else list({**current, **change.after})
    for name in names:
        if not _same(current.get(name, ABSENT), change.value("after", name)):
            return name
    return None


def _same(a: Any, b: Any) -> bool:
    # 1 == True and 1 == 1.0 in Python, not in the file.
    return type(a) is type(b) and a == b


def _blocked(project: Project, event: Event, change: RecordChange, field: str) -> str:
    what = f"the {field} of {change.table} record {change.id}"
    later = _last_change_to(project, change.table, change.id, field, after=event)
    if later is None:
        since = "outside the history (by a merge or by hand)"
    else:
        since = f"by {one_line(later.by, 40)} in {describe(later)}"
    return (
        f"cannot revert {describe(event)}: {what} was changed since {since}; "
        "undo or correct that change first"
    )


def _last_change_to(
    project: Project, table: str, id: str, field: str, after: Event | None = None
) -> Event | None:
    events = project.events
    for event in reversed(events):
        if after is not None and event.id == after.id:
            return None
        for change in record_changes(event) or []:
            if change.table == table and change.id == id and field in change.fields:
                return event
    return None


def last_change_to(project: Project, table: str, id: str, field: str) -> Event | None:
    """The latest event that wrote this field of this record (for 'changed by … at …')."""
    return _last_change_to(project, table, id, field)


def shown_value(value: Any) -> str:
    """A stored value as the history shows it: text quoted, absence as a dash."""
    if value is ABSENT or value is None:
        return "—"
    if isinstance(value, str):
        return f"“{value}”"
    return str(value)


def change_lines(event: Event) -> list[str]:
    """What `event` wrote, one line per field (values whole, possibly multi-line)."""
    lines = []
    for change in record_changes(event) or []:
        where = f"{change.table} {change.id}"
        if change.before is None or change.after is None:
            verb = "created" if change.before is None else "removed"
            values = change.after if change.before is None else change.before
            lines.append(f"{where} {verb}:")
            lines += [f"  {name}: {shown_value(value)}" for name, value in (values or {}).items()]
            continue
        for name in change.fields:
            before, after = change.value("before", name), change.value("after", name)
            lines.append(f"{where} {name}: {shown_value(before)} → {shown_value(after)}")
    return lines


def event_words(event: Event) -> Iterator[str]:
    """Every text of `event` a search looks in: who, what, its summary and all values written."""
    yield from (event.id, event.at, event.by, event.action, event.summary, *event.refs)
    for change in field_changes(event):
        for value in (change.before, change.after):
            if isinstance(value, str):
                yield value
