"""The project snapshot: the stored tables, turned into records on first use."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from functools import cached_property
from typing import TypeVar

from mlpl_tui.fields import Raw, Record, RecordError, StateError, parser
from mlpl_tui.records import (
    META_ID,
    RECORD_KINDS,
    Answer,
    ArtifactLink,
    Conflict,
    Decision,
    EffortEntry,
    Event,
    Experiment,
    Learning,
    Meta,
    ModuleState,
    Plan,
    RunLink,
    Switch,
    Visit,
)
from mlpl_tui.wording import stage_rank

Tables = Mapping[str, Mapping[str, Raw]]
R = TypeVar("R", bound=Record)

_MINUTES = EffortEntry.spec("minutes")


def check_records(tables: Tables) -> Iterator[RecordError]:
    """Every record that cannot be read, as errors (for `validate`)."""
    for kind in RECORD_KINDS:
        parse = parser(kind)
        for id, raw in tables.get(kind.TABLE, {}).items():
            try:
                parse(id, raw)
            except RecordError as exc:
                yield exc


class Project:
    """An immutable snapshot of one project's state; tables are turned into records on first use."""

    def __init__(self, tables: Tables, label: str = "mlpl.json") -> None:
        # Stores replace tables and records rather than mutating them (changes.apply_change),
        # so a shallow copy of the top level is enough to keep this snapshot stable.
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
            return sum(_MINUTES.read(raw, "effort", id) for id, raw in self.raw("effort").items())
        except RecordError as exc:
            raise self._fail(exc) from None

    def _fail(self, exc: RecordError) -> StateError:
        return StateError(f"{self.label}: {exc}; fix it or restore the file from git")

    def records(self, kind: type[R], items: Iterable[tuple[str, Raw]] | None = None) -> list[R]:
        """Records of `kind`: its whole table, or only the (id, raw) `items` taken from it."""
        parse = parser(kind)
        if items is None:
            items = self.raw(kind.TABLE).items()
        try:
            return [parse(id, raw) for id, raw in items]
        except RecordError as exc:
            raise self._fail(exc) from None

    @cached_property
    def meta(self) -> Meta:
        raw = self.raw("meta").get(META_ID)
        if raw is None:
            raise StateError(f"{self.label}: the 'meta' record is missing; is this an mlpl file?")
        (meta,) = self.records(Meta, [(META_ID, raw)])
        return meta

    @cached_property
    def visits(self) -> tuple[Visit, ...]:
        return tuple(
            sorted(
                self.records(Visit),
                # Scripts enter several stages within one second; inside an iteration the
                # project only moves forward, so the stage order breaks the tie. Two branches
                # merged can enter the same stage in the same second: the id settles that.
                key=lambda v: (v.entered_at, v.iteration, stage_rank(v.stage), v.id),
            )
        )

    @cached_property
    def modules(self) -> dict[str, ModuleState]:
        return {m.id: m for m in self.records(ModuleState)}

    @cached_property
    def decisions(self) -> tuple[Decision, ...]:
        return tuple(sorted(self.records(Decision), key=lambda d: (d.created_at, d.id)))

    @cached_property
    def switches(self) -> tuple[Switch, ...]:
        return tuple(sorted(self.records(Switch), key=lambda s: (s.at, s.id)))

    @cached_property
    def effort(self) -> tuple[EffortEntry, ...]:
        return tuple(sorted(self.records(EffortEntry), key=lambda e: (e.on, e.at, e.id)))

    @cached_property
    def experiments(self) -> tuple[Experiment, ...]:
        return tuple(sorted(self.records(Experiment), key=lambda e: (e.created_at, e.id)))

    @cached_property
    def answers(self) -> dict[int, Answer]:
        return {a.number: a for a in self.records(Answer)}

    @cached_property
    def artifact_links(self) -> dict[str, ArtifactLink]:
        """Attached artifacts by artifact id."""
        return {a.id: a for a in self.records(ArtifactLink)}

    @cached_property
    def learnings(self) -> tuple[Learning, ...]:
        return tuple(sorted(self.records(Learning), key=lambda x: (x.created_at, x.id)))

    def learning(self, id: str) -> Learning | None:
        return next((x for x in self.learnings if x.id == id), None)

    @cached_property
    def run_links(self) -> tuple[RunLink, ...]:
        """Tracker runs linked to experiments, in the order they were linked."""
        return tuple(sorted(self.records(RunLink), key=lambda r: (r.linked_at, r.id)))

    @cached_property
    def _run_links_by_experiment(self) -> dict[str, tuple[RunLink, ...]]:
        found: dict[str, list[RunLink]] = {}
        for link in self.run_links:
            found.setdefault(link.experiment, []).append(link)
        return {id: tuple(links) for id, links in found.items()}

    def runs_of(self, experiment_id: str) -> tuple[RunLink, ...]:
        """The runs linked to one experiment, in the order they were linked."""
        return self._run_links_by_experiment.get(experiment_id, ())

    def run_link(self, ref: str) -> RunLink | None:
        """The link of the run `ref` (`tool:id`) names, if it is linked."""
        raw = self.raw("runs").get(ref)
        if raw is None:
            return None
        (link,) = self.records(RunLink, [(ref, raw)])
        return link

    @cached_property
    def plans(self) -> dict[str, Plan]:
        """The estimates, by the id of the stage or module they are for."""
        return {p.id: p for p in self.records(Plan)}

    @cached_property
    def events(self) -> tuple[Event, ...]:
        return tuple(sorted(self.records(Event), key=lambda e: (e.at, e.seq, e.id)))

    @cached_property
    def conflicts(self) -> tuple[Conflict, ...]:
        """Fields a merge found changed on both sides, in table, record and field order."""
        records = self.records(Conflict)
        return tuple(sorted(records, key=lambda c: (c.table, c.record, c.field, c.id)))

    @cached_property
    def _decisions_by_id(self) -> dict[str, Decision]:
        return {d.id: d for d in self.decisions}

    @cached_property
    def _experiments_by_id(self) -> dict[str, Experiment]:
        return {e.id: e for e in self.experiments}

    @cached_property
    def _events_by_id(self) -> dict[str, Event]:
        return {e.id: e for e in self.events}

    def event(self, id: str) -> Event | None:
        return self._events_by_id.get(id)

    @cached_property
    def _effort_by_id(self) -> dict[str, EffortEntry]:
        return {e.id: e for e in self.effort}

    def effort_entry(self, id: str) -> EffortEntry | None:
        return self._effort_by_id.get(id)

    def decision(self, id: str) -> Decision | None:
        return self._decisions_by_id.get(id)

    def experiment(self, id: str) -> Experiment | None:
        return self._experiments_by_id.get(id)

    def record_count(self) -> int:
        return sum(len(t) for t in self._tables.values())
