"""Domain records as frozen dataclasses, and the project snapshot built from the stored tables."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, TypeVar

from mlpl_tui.errors import UsageError

SCHEMA_VERSION = 1
TABLES = (
    "meta",
    "visits",
    "modules",
    "decisions",
    "switches",
    "effort",
    "experiments",
    "questions",
    "artifacts",
    "events",
)
MODULE_STATUSES = ("todo", "doing", "done", "skipped", "revisit")
DECISION_STATUSES = ("proposed", "accepted", "rejected", "superseded")
EXPERIMENT_STATUSES = ("running", "kept", "abandoned")
ANSWERS = ("yes", "no", "partly", "unknown")
VISIT_HOWS = ("start", "advance", "forced", "switch")
MERGE_SIDES = ("ours", "theirs")
META_ID = "project"
MAX_TEXT = 1 << 20  # characters in one text of the state file (see json_guard)

Raw = Mapping[str, Any]
Tables = Mapping[str, Mapping[str, Raw]]


def new_id() -> str:
    """A random record id, so records added on two branches do not collide in a merge."""
    return os.urandom(5).hex()


class StateError(UsageError):
    """The state file holds something this program cannot use (exit 2)."""


class RecordError(StateError):
    """One record has a missing or wrongly typed field."""


_QUESTION_KEY = re.compile(r"[1-9][0-9]{0,8}")
_STAGE_ORDER = {"business": 1, "data": 2, "modelling": 3, "delivery": 4}


def _stage_order(stage: str) -> int:
    return _STAGE_ORDER.get(stage, len(_STAGE_ORDER) + 1)


def _named(kind: str, id: str) -> str:
    """How messages name a record; an id from a hostile file can be a megabyte long."""
    return f"{kind} '{id}'" if len(id) <= 40 else f"{kind} '{id[:39]}…'"


def _get(raw: Raw, where: str, name: str, kind: type | tuple[type, ...], default: Any = ...) -> Any:
    if name not in raw or raw[name] is None:
        if default is ...:
            raise RecordError(f"{where}: field '{name}' is missing")
        return default
    value = raw[name]
    # bool is an int in Python; a count stored as true/false is still wrong.
    if not isinstance(value, kind) or (isinstance(value, bool) and kind in (int, (int, float))):
        names = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
        raise RecordError(f"{where}: field '{name}' should be {names}, not {value!r:.40}")
    return value


def _minutes(raw: Raw, where: str) -> int:
    minutes: int = _get(raw, where, "minutes", int)
    if minutes <= 0:
        raise RecordError(f"{where}: field 'minutes' must be positive, not {minutes}")
    return minutes


def _choice(raw: Raw, where: str, name: str, choices: tuple[str, ...], default: Any = ...) -> Any:
    value = _get(raw, where, name, str, default)
    if value is not None and value not in choices:
        raise RecordError(
            f"{where}: field '{name}' is '{value:.40}'; use one of {', '.join(choices)}"
        )
    return value


def _text(raw: Raw, where: str, name: str) -> str:
    return str(_get(raw, where, name, str, ""))


def _optional(raw: Raw, where: str, name: str) -> str | None:
    value: str | None = _get(raw, where, name, str, None)
    return value


def _ids(raw: Raw, where: str, name: str) -> tuple[str, ...]:
    values = _get(raw, where, name, list, [])
    if not all(isinstance(v, str) for v in values):
        raise RecordError(f"{where}: field '{name}' should list text ids")
    return tuple(values)


@dataclass(frozen=True)
class Meta:
    """Project-wide facts: the schema version, the project's name and creation."""

    schema_version: int
    name: str
    created_at: str
    created_by: str

    @staticmethod
    def parse(id: str, raw: Raw) -> Meta:
        w = _named("meta", id)
        return Meta(
            schema_version=_get(raw, w, "schema_version", int),
            name=_text(raw, w, "name"),
            created_at=_text(raw, w, "created_at"),
            created_by=_text(raw, w, "created_by"),
        )


@dataclass(frozen=True)
class Visit:
    """One stay in a stage: which iteration, when entered and left, and how it was entered."""

    id: str
    stage: str
    iteration: int
    entered_at: str
    entered_by: str
    how: str
    switch: str | None
    left_at: str | None
    outcome: str | None

    @staticmethod
    def parse(id: str, raw: Raw) -> Visit:
        w = _named("visit", id)
        return Visit(
            id=id,
            stage=_get(raw, w, "stage", str),
            iteration=_get(raw, w, "iteration", int),
            entered_at=_get(raw, w, "entered_at", str),
            entered_by=_text(raw, w, "entered_by"),
            how=_choice(raw, w, "how", VISIT_HOWS),
            switch=_optional(raw, w, "switch"),
            left_at=_optional(raw, w, "left_at"),
            outcome=_optional(raw, w, "outcome"),
        )


@dataclass(frozen=True)
class ModuleState:
    """What is recorded of one module: its status and note."""

    id: str
    status: str
    note: str
    updated_at: str
    updated_by: str

    @staticmethod
    def parse(id: str, raw: Raw) -> ModuleState:
        w = _named("module", id)
        return ModuleState(
            id=id,
            status=_choice(raw, w, "status", MODULE_STATUSES),
            note=_text(raw, w, "note"),
            updated_at=_text(raw, w, "updated_at"),
            updated_by=_text(raw, w, "updated_by"),
        )


@dataclass(frozen=True)
class Decision:
    """A decision record: context, decision, rationale, status and supersedes links."""

    id: str
    title: str
    context: str
    decision: str
    rationale: str
    status: str
    stage: str | None
    module: str | None
    supersedes: str | None
    superseded_by: str | None
    created_at: str
    created_by: str

    @staticmethod
    def parse(id: str, raw: Raw) -> Decision:
        w = _named("decision", id)
        return Decision(
            id=id,
            title=_get(raw, w, "title", str),
            context=_text(raw, w, "context"),
            decision=_text(raw, w, "decision"),
            rationale=_text(raw, w, "rationale"),
            status=_choice(raw, w, "status", DECISION_STATUSES),
            stage=_optional(raw, w, "stage"),
            module=_optional(raw, w, "module"),
            supersedes=_optional(raw, w, "supersedes"),
            superseded_by=_optional(raw, w, "superseded_by"),
            created_at=_text(raw, w, "created_at"),
            created_by=_text(raw, w, "created_by"),
        )


@dataclass(frozen=True)
class Switch:
    """A lifecycle switch: a move back, why, and which modules it marked for revisit."""

    id: str
    from_stage: str
    to_stage: str
    to_module: str | None
    category: str
    reason: str
    iteration: int
    revisit: tuple[str, ...]
    at: str
    by: str

    @staticmethod
    def parse(id: str, raw: Raw) -> Switch:
        w = _named("switch", id)
        return Switch(
            id=id,
            from_stage=_get(raw, w, "from_stage", str),
            to_stage=_get(raw, w, "to_stage", str),
            to_module=_optional(raw, w, "to_module"),
            category=_get(raw, w, "category", str),
            reason=_text(raw, w, "reason"),
            iteration=_get(raw, w, "iteration", int),
            revisit=_ids(raw, w, "revisit"),
            at=_text(raw, w, "at"),
            by=_text(raw, w, "by"),
        )


@dataclass(frozen=True)
class EffortEntry:
    """Time spent on a stage or module on a given day, in the iteration it was logged in."""

    id: str
    minutes: int
    stage: str
    module: str | None
    on: str
    note: str
    iteration: int
    experiment: str | None
    at: str
    by: str

    @staticmethod
    def parse(id: str, raw: Raw) -> EffortEntry:
        w = _named("effort entry", id)
        minutes = _minutes(raw, w)
        return EffortEntry(
            id=id,
            minutes=minutes,
            stage=_get(raw, w, "stage", str),
            module=_optional(raw, w, "module"),
            on=_get(raw, w, "on", str),
            note=_text(raw, w, "note"),
            iteration=_get(raw, w, "iteration", int, 1),
            experiment=_optional(raw, w, "experiment"),
            at=_text(raw, w, "at"),
            by=_text(raw, w, "by"),
        )


@dataclass(frozen=True)
class Experiment:
    """One attempt in the experiment log, kept even when abandoned."""

    id: str
    title: str
    hypothesis: str
    link: str
    status: str
    reason: str
    stage: str
    module: str | None
    created_at: str
    created_by: str
    updated_at: str
    updated_by: str

    @staticmethod
    def parse(id: str, raw: Raw) -> Experiment:
        w = _named("experiment", id)
        return Experiment(
            id=id,
            title=_get(raw, w, "title", str),
            hypothesis=_text(raw, w, "hypothesis"),
            link=_text(raw, w, "link"),
            status=_choice(raw, w, "status", EXPERIMENT_STATUSES),
            reason=_text(raw, w, "reason"),
            stage=str(_get(raw, w, "stage", str, "modelling")),
            module=_optional(raw, w, "module"),
            created_at=_text(raw, w, "created_at"),
            created_by=_text(raw, w, "created_by"),
            updated_at=_text(raw, w, "updated_at"),
            updated_by=_text(raw, w, "updated_by"),
        )


@dataclass(frozen=True)
class Answer:
    """The current answer to one of the five exploration questions."""

    number: int
    answer: str
    note: str
    updated_at: str
    updated_by: str

    @staticmethod
    def parse(id: str, raw: Raw) -> Answer:
        w = _named("question", id)
        # Plain ASCII digits only: '²' is a digit to str.isdigit but not to int().
        if not _QUESTION_KEY.fullmatch(id):
            raise RecordError(f"{w}: questions are keyed by their number 1-5")
        return Answer(
            number=int(id),
            answer=_choice(raw, w, "answer", ANSWERS),
            note=_text(raw, w, "note"),
            updated_at=_text(raw, w, "updated_at"),
            updated_by=_text(raw, w, "updated_by"),
        )


@dataclass(frozen=True)
class Event:
    """One entry of the append-only history: who did what, when."""

    id: str
    at: str
    by: str
    action: str
    summary: str
    refs: tuple[str, ...]
    seq: int = 0  # position in the history when written; orders events within one second

    @staticmethod
    def parse(id: str, raw: Raw) -> Event:
        w = _named("event", id)
        return Event(
            id=id,
            at=_get(raw, w, "at", str),
            by=_text(raw, w, "by"),
            action=_get(raw, w, "action", str),
            summary=_text(raw, w, "summary"),
            refs=_ids(raw, w, "refs"),
            seq=_get(raw, w, "seq", int, 0),
        )


@dataclass(frozen=True)
class Conflict:
    """A field two merged versions changed differently: both values and which one was kept."""

    id: str
    table: str
    record: str
    field: str
    ours: Any
    theirs: Any
    kept: str  # "ours" or "theirs": whose value the record holds since the merge
    ours_at: str
    ours_by: str
    theirs_at: str
    theirs_by: str
    resolved: bool
    resolution: str | None  # the side chosen when resolved
    resolved_at: str | None
    resolved_by: str | None

    def value(self, side: str) -> Any:
        return self.ours if side == "ours" else self.theirs

    @staticmethod
    def parse(id: str, raw: Raw) -> Conflict:
        w = _named("conflict", id)
        return Conflict(
            id=id,
            table=_get(raw, w, "table", str),
            record=_get(raw, w, "record", str),
            field=_get(raw, w, "field", str),
            ours=raw.get("ours"),
            theirs=raw.get("theirs"),
            kept=_choice(raw, w, "kept", MERGE_SIDES),
            ours_at=_text(raw, w, "ours_at"),
            ours_by=_text(raw, w, "ours_by"),
            theirs_at=_text(raw, w, "theirs_at"),
            theirs_by=_text(raw, w, "theirs_by"),
            resolved=_get(raw, w, "resolved", bool, False),
            resolution=_choice(raw, w, "resolution", MERGE_SIDES, None),
            resolved_at=_optional(raw, w, "resolved_at"),
            resolved_by=_optional(raw, w, "resolved_by"),
        )


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


R = TypeVar("R")

PARSERS: dict[str, Callable[[str, Raw], Any]] = {
    "meta": Meta.parse,
    "visits": Visit.parse,
    "modules": ModuleState.parse,
    "decisions": Decision.parse,
    "switches": Switch.parse,
    "effort": EffortEntry.parse,
    "experiments": Experiment.parse,
    "questions": Answer.parse,
    "events": Event.parse,
    "conflicts": Conflict.parse,
}


def check_records(tables: Tables) -> Iterator[RecordError]:
    """Every record that cannot be read, as errors (for `validate`)."""
    for name, parse in PARSERS.items():
        for id, raw in tables.get(name, {}).items():
            try:
                parse(id, raw)
            except RecordError as exc:
                yield exc


class Project:
    """An immutable snapshot of one project's state; tables are turned into records on first use."""

    def __init__(self, tables: Tables, label: str = "mlpl.json") -> None:
        # The store replaces tables and records rather than mutating them, so a shallow copy
        # of the top level is enough to keep this snapshot stable.
        self._tables = dict(tables)
        self.label = label

    @property
    def tables(self) -> Tables:
        return self._tables

    def raw(self, table: str) -> Mapping[str, Raw]:
        return self._tables.get(table, {})

    def has_id(self, table: str, id: str) -> bool:
        return id in self.raw(table)

    def count(self, table: str) -> int:
        """How many records a table holds, without reading them."""
        return len(self.raw(table))

    @cached_property
    def total_minutes(self) -> int:
        """All effort logged, reading only the minutes of each entry."""
        try:
            return sum(
                _minutes(raw, _named("effort", id)) for id, raw in self.raw("effort").items()
            )
        except RecordError as exc:
            raise self._fail(exc) from None

    def _fail(self, exc: RecordError) -> StateError:
        return StateError(f"{self.label}: {exc}; fix it or restore the file from git")

    def _records(self, table: str, parse: Callable[[str, Raw], R]) -> list[R]:
        try:
            return [parse(id, raw) for id, raw in self.raw(table).items()]
        except RecordError as exc:
            raise self._fail(exc) from None

    @cached_property
    def meta(self) -> Meta:
        raw = self.raw("meta").get(META_ID)
        if raw is None:
            raise StateError(f"{self.label}: the 'meta' record is missing; is this an mlpl file?")
        try:
            return Meta.parse(META_ID, raw)
        except RecordError as exc:
            raise self._fail(exc) from None

    @cached_property
    def visits(self) -> tuple[Visit, ...]:
        return tuple(
            sorted(
                self._records("visits", Visit.parse),
                # Scripts enter several stages within one second; inside an iteration the
                # project only moves forward, so the stage order breaks the tie. Two branches
                # merged can enter the same stage in the same second: the id settles that.
                key=lambda v: (v.entered_at, v.iteration, _stage_order(v.stage), v.id),
            )
        )

    @cached_property
    def modules(self) -> dict[str, ModuleState]:
        return {m.id: m for m in self._records("modules", ModuleState.parse)}

    @cached_property
    def decisions(self) -> tuple[Decision, ...]:
        records = self._records("decisions", Decision.parse)
        return tuple(sorted(records, key=lambda d: (d.created_at, d.id)))

    @cached_property
    def switches(self) -> tuple[Switch, ...]:
        return tuple(sorted(self._records("switches", Switch.parse), key=lambda s: (s.at, s.id)))

    @cached_property
    def effort(self) -> tuple[EffortEntry, ...]:
        records = self._records("effort", EffortEntry.parse)
        return tuple(sorted(records, key=lambda e: (e.on, e.at, e.id)))

    @cached_property
    def experiments(self) -> tuple[Experiment, ...]:
        records = self._records("experiments", Experiment.parse)
        return tuple(sorted(records, key=lambda e: (e.created_at, e.id)))

    @cached_property
    def answers(self) -> dict[int, Answer]:
        return {a.number: a for a in self._records("questions", Answer.parse)}

    @cached_property
    def events(self) -> tuple[Event, ...]:
        records = self._records("events", Event.parse)
        return tuple(sorted(records, key=lambda e: (e.at, e.seq, e.id)))

    @cached_property
    def conflicts(self) -> tuple[Conflict, ...]:
        """Fields a merge found changed on both sides, in table, record and field order."""
        records = self._records("conflicts", Conflict.parse)
        return tuple(sorted(records, key=lambda c: (c.table, c.record, c.field, c.id)))

    def decision(self, id: str) -> Decision | None:
        return next((d for d in self.decisions if d.id == id), None)

    def experiment(self, id: str) -> Experiment | None:
        return next((e for e in self.experiments if e.id == id), None)

    def record_count(self) -> int:
        return sum(len(t) for t in self._tables.values())
