"""Three-way merge of two versions of the state by table, record and field (no git, no files).

The rules, in order:

- A record added on either side is kept; a record deleted on one side is dropped only when the
  other side left it unchanged. Appended history (events, effort) is therefore the union.
- A field changed on one side only takes that change.
- A field changed on both sides to different values keeps the value of the side that updated
  the record later, ties going to ours. "Later" is the newest history event of that side (since
  the base) whose `refs` name the record, else the record's own `updated_at`. The other value
  goes into the `conflicts` table, unless the field is bookkeeping: `updated_at`/`updated_by`
  (and an artifact's `attached_at`/`attached_by`, when both sides attached the first location)
  follow the kept side, and the timeline fields below are derived again.
- Timeline: visits from both sides are put in time order (entered_at, iteration, stage order),
  as the app always reads them. The last one is the open visit (or stays closed when its side
  accepted the project); every other visit ends when the next one begins, at the latest.
  Iterations are counted again along that order (each loop back starts one), and each switch
  and effort entry takes the new number of the visit it belongs to. So when one branch advanced
  and the other looped back, the later of the two moves is where the project stands.
- A linked run's snapshot (what its tracker said when last read) is one reading: when both sides
  read the run again, the whole snapshot of the newer reading (`captured_at`, then `updated_at`)
  is kept, without a conflict. The experiment a run is linked to merges like any field (the
  same run linked to two experiments is a conflict); `linked_at`/`linked_by` follow the kept
  side; a run unlinked on one side and only read again on the other stays unlinked.
- Supersedes links stay two-way: when both sides superseded one decision by different ones,
  the kept successor keeps the link, the other successor's `supersedes` is cleared, and the
  conflict records both so that choosing the other side moves the link.
"""

from __future__ import annotations

import hashlib
from bisect import bisect_right
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson

from mlpl_tui.records import RUN_SNAPSHOT_FIELDS
from mlpl_tui.wording import STAGE_ORDER, stage_rank

Record = dict[str, Any]
Table = dict[str, Record]
Data = dict[str, Table]

SIDES = ("ours", "theirs")
STAMP_FIELDS = frozenset({"updated_at", "updated_by"})
DERIVED_FIELDS: Mapping[str, frozenset[str]] = {
    "visits": frozenset({"left_at", "iteration"}),
    "switches": frozenset({"iteration"}),
    "effort": frozenset({"iteration"}),
}
# Bookkeeping that follows the kept side without a conflict, like updated_at/updated_by.
BOOKKEEPING_FIELDS: Mapping[str, frozenset[str]] = {
    "artifacts": frozenset({"attached_at", "attached_by"}),
    "plans": frozenset({"set_at", "set_by"}),
    "runs": frozenset({"linked_at", "linked_by"}),
}
# Fields read together from one source (records.RUN_SNAPSHOT_FIELDS): changed on both
# sides, they are all taken from the side whose reading is newer, never field by field.
SNAPSHOT_FIELDS: Mapping[str, frozenset[str]] = {
    "runs": frozenset(RUN_SNAPSHOT_FIELDS),
}
# List fields that hold a set: each side's additions and removals are merged, never a conflict.
SET_FIELDS: Mapping[str, frozenset[str]] = {
    "artifacts": frozenset({"locations"}),
    "learnings": frozenset({"sources"}),
}


class _Missing:
    """A field absent from one version (distinct from a field set to null)."""

    def __repr__(self) -> str:
        return "<missing>"


MISSING: Any = _Missing()


@dataclass(frozen=True)
class FieldConflict:
    """One field both sides changed to different values, and which side's value was kept."""

    table: str
    record: str
    field: str
    ours: Any
    theirs: Any
    kept: str  # "ours" or "theirs"
    ours_at: str
    ours_by: str
    theirs_at: str
    theirs_by: str

    @property
    def id(self) -> str:
        """Derived from what conflicts, so two people merging the same branches agree on it."""
        key = [self.table, self.record, self.field, self.ours, self.theirs]
        return hashlib.sha256(orjson.dumps(key, option=orjson.OPT_SORT_KEYS)).hexdigest()[:10]

    @property
    def other(self) -> Any:
        return self.theirs if self.kept == "ours" else self.ours

    def record_fields(self) -> Record:
        """The conflict as stored in the `conflicts` table."""
        return {
            "table": self.table,
            "record": self.record,
            "field": self.field,
            "ours": self.ours,
            "theirs": self.theirs,
            "kept": self.kept,
            "ours_at": self.ours_at,
            "ours_by": self.ours_by,
            "theirs_at": self.theirs_at,
            "theirs_by": self.theirs_by,
            "resolved": False,
        }


@dataclass
class MergeResult:
    """The merged tables and the conflicts this merge recorded in them."""

    data: Data
    conflicts: list[FieldConflict] = field(default_factory=list)


class _Updates:
    """When each side last changed each record, from the history events it added since base."""

    def __init__(self, base: Data, ours: Data, theirs: Data) -> None:
        self._base_events = base.get("events", {})
        self._sides = {"ours": ours, "theirs": theirs}
        self._index: dict[str, dict[str, tuple[str, str]]] = {}

    def _side(self, side: str) -> dict[str, tuple[str, str]]:
        index = self._index.get(side)
        if index is None:
            index = {}
            for id, event in self._sides[side].get("events", {}).items():
                if id in self._base_events:
                    continue
                at, by = str(event.get("at") or ""), str(event.get("by") or "")
                refs = event.get("refs")
                for ref in refs if isinstance(refs, list) else ():
                    if isinstance(ref, str) and (ref not in index or index[ref][0] < at):
                        index[ref] = (at, by)
            self._index[side] = index
        return index

    def last(self, side: str, table: str, id: str) -> tuple[str, str]:
        found = self._side(side).get(id)
        if found is not None:
            return found
        record = self._sides[side].get(table, {}).get(id) or {}
        at = record.get("updated_at") or record.get("at") or record.get("created_at") or ""
        by = record.get("updated_by") or record.get("by") or record.get("created_by") or ""
        return str(at), str(by)


def merge(base: Data, ours: Data, theirs: Data) -> MergeResult:
    """Merge `ours` and `theirs`, which both descend from `base` (empty when there is none)."""
    updates = _Updates(base, ours, theirs)
    result = MergeResult({})
    for name in sorted(set(ours) | set(theirs)):
        if name not in ours or name not in theirs:
            # A table one side does not have: keep the other side's, unless it was dropped
            # on purpose and the other side left it as it was.
            kept = ours.get(name, theirs.get(name, {}))
            if kept != base.get(name):
                result.data[name] = dict(kept)
            continue
        result.data[name] = _merge_table(
            name, base.get(name, {}), ours[name], theirs[name], updates, result.conflicts
        )
    _relink_superseded(result)
    _settle_timeline(result.data, ours, theirs)
    if result.conflicts:
        table = dict(result.data.get("conflicts", {}))
        for conflict in result.conflicts:
            table.setdefault(conflict.id, conflict.record_fields())
        result.data["conflicts"] = table
    return result


def _merge_table(
    name: str,
    base: Table,
    ours: Table,
    theirs: Table,
    updates: _Updates,
    conflicts: list[FieldConflict],
) -> Table:
    if ours == theirs or theirs == base:
        return dict(ours)
    if ours == base:
        return dict(theirs)
    merged: Table = {}
    for id in ours.keys() | theirs.keys():
        mine, other = ours.get(id), theirs.get(id)
        if mine is None or other is None:
            present = other if mine is None else mine
            assert present is not None
            if id not in base or present != base[id]:
                # Added on one side, or changed there and deleted here.
                kept = _after_removal(name, base.get(id), present)
                if kept is not None:
                    merged[id] = kept
            continue
        if mine == other:
            merged[id] = mine
            continue
        original = base.get(id)
        if original == mine:
            merged[id] = other
        elif original == other:
            merged[id] = mine
        else:
            merged[id] = _merge_record(name, id, original or {}, mine, other, updates, conflicts)
    return merged


def _merge_record(
    table: str,
    id: str,
    base: Record,
    ours: Record,
    theirs: Record,
    updates: _Updates,
    conflicts: list[FieldConflict],
) -> Record:
    derived = DERIVED_FIELDS.get(table, frozenset()) | BOOKKEEPING_FIELDS.get(table, frozenset())
    sets = SET_FIELDS.get(table, frozenset())
    snapshot = SNAPSHOT_FIELDS.get(table, frozenset())
    newer = _newer_snapshot(snapshot, base, ours, theirs) if snapshot else None
    times: dict[str, tuple[str, str]] = {}

    def winner() -> str:
        if not times:
            times.update({side: updates.last(side, table, id) for side in SIDES})
        return "theirs" if times["theirs"][0] > times["ours"][0] else "ours"

    merged: Record = {}
    for name in sorted(ours.keys() | theirs.keys() | base.keys()):
        was, mine, other = (
            base.get(name, MISSING),
            ours.get(name, MISSING),
            theirs.get(name, MISSING),
        )
        if newer is not None and name in snapshot:
            value = newer.get(name, MISSING)
        elif _same(mine, other) or _same(was, other):
            value = mine
        elif _same(was, mine):
            value = other
        elif name in sets and _all_lists(was, mine, other):
            value = _merge_set(was, mine, other)
        else:
            side = winner()
            value = mine if side == "ours" else other
            if name not in STAMP_FIELDS and name not in derived:
                conflicts.append(
                    FieldConflict(
                        table,
                        id,
                        name,
                        None if mine is MISSING else mine,
                        None if other is MISSING else other,
                        side,
                        *times["ours"],
                        *times["theirs"],
                    )
                )
        if value is not MISSING:
            merged[name] = value
    return merged


def _newer_snapshot(
    fields: frozenset[str], base: Record, ours: Record, theirs: Record
) -> Record | None:
    """The side whose snapshot to keep whole when both sides changed it differently: the newer
    reading (`captured_at`, then `updated_at`; ties go to ours); None when at most one did."""

    def reading(record: Record) -> list[Any]:
        return [record.get(name, MISSING) for name in sorted(fields)]

    was, mine, other = reading(base), reading(ours), reading(theirs)
    if all(_same(a, b) for a, b in zip(mine, other, strict=True)):
        return None
    if all(_same(a, b) for a, b in zip(was, mine, strict=True)) or all(
        _same(a, b) for a, b in zip(was, other, strict=True)
    ):
        return None

    def when(record: Record) -> tuple[str, str]:
        return str(record.get("captured_at") or ""), str(record.get("updated_at") or "")

    return theirs if when(theirs) > when(ours) else ours


def _after_removal(table: str, base: Record | None, present: Record) -> Record | None:
    """A record changed on one side and removed on the other: kept as changed, except that
    set fields lose what the removal took away (an artifact whose last location was detached
    keeps only the locations the other side attached, and goes when there are none), and a
    run link whose only change is a new snapshot goes."""
    if base is None:
        return present
    if table in SNAPSHOT_FIELDS:
        # A run unlinked on one side stays unlinked when the other only read it again.
        reread = SNAPSHOT_FIELDS[table] | STAMP_FIELDS
        names = base.keys() | present.keys()
        if all(_same(base.get(n, MISSING), present.get(n, MISSING)) for n in names - reread):
            return None
        return present
    if table != "artifacts":
        return present
    sets = {
        name: _merge_set(base.get(name, MISSING), [], present.get(name, MISSING))
        for name in SET_FIELDS.get(table, frozenset())
        if _all_lists(base.get(name, MISSING), present.get(name, MISSING))
    }
    if not sets.get("locations"):
        return None
    return {**present, **sets}


def _all_lists(*values: Any) -> bool:
    return all(v is MISSING or v is None or isinstance(v, list) for v in values)


def _merge_set(base: Any, ours: Any, theirs: Any) -> list[Any]:
    """Both sides' additions and removals: what either removed from `base` is gone, what either
    added is there, in our order and then theirs."""
    was, mine, other = ([] if v is MISSING or v is None else v for v in (base, ours, theirs))
    removed = [v for v in was if v not in mine or v not in other]
    merged: list[Any] = []
    for value in [*mine, *other]:
        if value not in removed and value not in merged:
            merged.append(value)
    return merged


def _same(a: Any, b: Any) -> bool:
    # 1 == True and 1 == 1.0 in Python, not in the file.
    return a is b or (type(a) is type(b) and a == b)


def _relink_superseded(result: MergeResult) -> None:
    """Both sides superseded one decision: only the kept successor keeps its `supersedes`."""
    decisions = result.data.get("decisions")
    if not decisions:
        return
    for conflict in result.conflicts:
        if conflict.table != "decisions" or conflict.field != "superseded_by":
            continue
        loser = decisions.get(conflict.other) if isinstance(conflict.other, str) else None
        if loser is not None and loser.get("supersedes") == conflict.record:
            decisions[conflict.other] = {**loser, "supersedes": None}


def _iteration(record: Record) -> int:
    value = record.get("iteration")
    return value if isinstance(value, int) and not isinstance(value, bool) else 1


def _visit_key(id: str, record: Record) -> tuple[str, int, int, str]:
    """The order `Project.visits` reads visits in."""
    stage = record.get("stage")
    return (
        str(record.get("entered_at") or ""),
        _iteration(record),
        stage_rank(stage) if isinstance(stage, str) else len(STAGE_ORDER) + 1,
        id,
    )


def _settle_timeline(data: Data, ours: Data, theirs: Data) -> None:
    """One timeline from both sides' visits: time order, one open visit, iterations recounted."""
    merged = data.get("visits")
    if not merged or merged == ours.get("visits") or merged == theirs.get("visits"):
        return  # one side's timeline as it was: already consistent
    visits = {id: dict(record) for id, record in merged.items()}
    recorded = {id: _iteration(record) for id, record in visits.items()}
    order: list[str] = []
    for _ in range(4):
        # Recounting can reorder visits entered in the same second (the order's tie-breaker
        # is the iteration); a few passes settle it.
        order = sorted(visits, key=lambda id: _visit_key(id, visits[id]))
        number = _iteration(visits[order[0]])
        changed = False
        for position, id in enumerate(order):
            if position and visits[id].get("how") == "switch":
                number += 1
            if visits[id].get("iteration") != number:
                visits[id]["iteration"] = number
                changed = True
        if not changed:
            break
    for position, id in enumerate(order):
        visit = visits[id]
        if position == len(order) - 1:
            if visit.get("outcome") != "accepted":
                visit["left_at"] = None
            continue
        following = str(visits[order[position + 1]].get("entered_at") or "")
        left = [
            side["visits"][id]["left_at"]
            for side in (ours, theirs)
            if id in side.get("visits", {}) and isinstance(side["visits"][id].get("left_at"), str)
        ]
        visit["left_at"] = min([*left, following])
    data["visits"] = visits
    _renumber_references(data, ours, theirs, visits, recorded, order)


def _renumber_references(
    data: Data,
    ours: Data,
    theirs: Data,
    visits: Table,
    recorded: dict[str, int],
    order: list[str],
) -> None:
    """Switches and effort entries follow the new iteration numbers of their visits."""
    switches = data.get("switches")
    if switches:
        data["switches"] = switches = dict(switches)
        for visit in visits.values():
            switch = visit.get("switch")
            if (
                isinstance(switch, str)
                and switch in switches
                and switches[switch].get("iteration") != visit["iteration"]
            ):
                switches[switch] = {**switches[switch], "iteration": visit["iteration"]}
    if all(recorded[id] == _iteration(visits[id]) for id in visits):
        return
    effort = data.get("effort")
    if not effort:
        return
    data["effort"] = effort = dict(effort)
    # The visit an entry was logged in: one of its side's visits with the recorded iteration,
    # the last one entered by the time it was logged (else the first). Each side's visits by
    # recorded iteration, in timeline order, so that each entry takes one bisection.
    sides = [_visits_by_iteration(side, order, visits, recorded) for side in (ours, theirs)]
    ours_effort = ours.get("effort", {})
    for id, entry in effort.items():
        found = sides[0 if id in ours_effort else 1].get(_iteration(entry))
        if found is None:
            continue
        entered, candidates = found
        logged_in = bisect_right(entered, str(entry.get("at") or ""))
        number = _iteration(visits[candidates[max(logged_in - 1, 0)]])
        if number != _iteration(entry):
            effort[id] = {**entry, "iteration": number}


def _visits_by_iteration(
    side: Data, order: list[str], visits: Table, recorded: dict[str, int]
) -> dict[int, tuple[list[str], list[str]]]:
    """A side's visits by the iteration it recorded: when each was entered, and its id.

    `order` is sorted by entry time first, so each list of entry times is sorted too.
    """
    own = side.get("visits", {})
    found: dict[int, tuple[list[str], list[str]]] = {}
    for id in order:
        if id in own:
            entered, ids = found.setdefault(recorded[id], ([], []))
            entered.append(str(visits[id].get("entered_at") or ""))
            ids.append(id)
    return found
