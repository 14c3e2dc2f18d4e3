"""The report view-model: what every report shows, built once; the formats only write it out.

Every text here is plain, as stored: each format escapes it its own way. Parts are computed on
first use, so a format that needs only some of them (CSV) does not pay for the others. What the
history adds (a decision's status moves, each event's texts in full) is read from the events'
recorded changes (mlpl_tui.history), never from their summaries, which cut long texts.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from urllib.parse import urlsplit

from mlpl_tui.artifact_files import ArtifactState, LocationState, state_words
from mlpl_tui.artifacts import (
    ATTACHED,
    CURRENT,
    STALE,
    URL_SCHEMES,
    artifact_infos,
    recorded_states,
    stale_since,
)
from mlpl_tui.figures import (
    Effort,
    IterationRow,
    OpenItems,
    as_of,
    effort_figures,
    first_iterations,
    is_rework,
    iteration_rows,
    module_title,
    open_artifacts,
    open_items,
    stage_title,
)
from mlpl_tui.framework import ExplorationQuestion, Framework, Module
from mlpl_tui.history import record_changes
from mlpl_tui.journey import Step, journey
from mlpl_tui.model import (
    Answer,
    Decision,
    EffortEntry,
    Event,
    Experiment,
    Learning,
    Project,
    RunLink,
    Switch,
)
from mlpl_tui.plans import PlanFigures, plan_figures
from mlpl_tui.progress import (
    StageProgress,
    current_stage_id,
    is_closed,
    iteration,
    module_status,
    stage_progress,
)
from mlpl_tui.run_links import Comparison, best_metrics, comparison
from mlpl_tui.timeline import BurnPoint, Timeline, burn_up, burn_up_by_day, timeline
from mlpl_tui.wording import shown_date

MISSING_VALUE = "—"  # a metric the tracker had as NaN or infinity (stored as null), or none
BEST_MARK = "★"  # after the best value of a comparison row: not colour alone

# The texts people type, in the order an event's detail lists them (EventRow.detail).
TYPED_FIELDS = (
    "title",
    "context",
    "decision",
    "rationale",
    "hypothesis",
    "link",
    "result",
    "reason",
    "note",
)


@dataclass(frozen=True)
class ModuleRow:
    """A module with its status, note (None: the module has no record yet) and, when it is
    skipped, why (None otherwise: a reason kept from an earlier skip is not shown)."""

    module: Module
    status: str
    note: str | None
    skip_reason: str | None = None


@dataclass(frozen=True)
class StageRow:
    """A stage's progress, the effort logged on it and its modules."""

    progress: StageProgress
    minutes: int
    modules: tuple[ModuleRow, ...]


@dataclass(frozen=True)
class SwitchRow:
    """A lifecycle switch with the titles of where it came from and went back to."""

    switch: Switch
    from_title: str
    to_title: str


@dataclass(frozen=True)
class DecisionLink:
    """A supersedes link: `number` is None when the other decision is not in the file."""

    label: str  # "Supersedes" or "Superseded by"
    ref: str
    number: int | None


@dataclass(frozen=True)
class StatusChange:
    """A decision's status moved by one history event: `proposed → accepted`, when, by whom."""

    before: str
    after: str
    at: str
    by: str
    event: str  # the event's id

    @property
    def words(self) -> str:
        """`proposed → accepted on 2026-03-04 by ann` (plain: each format escapes it)."""
        return f"{self.before} → {self.after} on {shown_date(self.at)} by {self.by}"


@dataclass(frozen=True)
class DecisionRow:
    """A decision, numbered D1, D2, ... in the order they were recorded, with every status
    move the history records for it, oldest first."""

    number: int
    decision: Decision
    stage_title: str
    module_title: str  # "" when the decision names no module
    links: tuple[DecisionLink, ...]
    status_changes: tuple[StatusChange, ...] = ()

    @property
    def sections(self) -> list[tuple[str, str]]:
        """The decision's texts that are not blank, each with its heading."""
        d = self.decision
        texts = (("Context", d.context), ("Decision", d.decision), ("Consequences", d.rationale))
        return [(label, text) for label, text in texts if text.strip()]


@dataclass(frozen=True)
class ExperimentRow:
    """An experiment, numbered E1, E2, ..., with the effort logged on it."""

    number: int
    experiment: Experiment
    minutes: int


def metric_text(value: float | None) -> str:
    """A metric's value as a report shows it: six significant digits, `—` for none (NaN and
    infinity are stored as null)."""
    return MISSING_VALUE if value is None else f"{value:.6g}"


@dataclass(frozen=True)
class RunRow:
    """A run linked to an experiment, as its snapshot holds it: metrics and params as text
    pairs (name, value), in the snapshot's order."""

    link: RunLink
    metrics: tuple[tuple[str, str], ...]
    params: tuple[tuple[str, str], ...]

    @property
    def status_words(self) -> str:
        """`FINISHED`, `FINISHED, gone from its store` once it is no longer found."""
        status = self.link.status or "unknown"
        return f"{status}, gone from its store" if self.link.gone else status


def run_row(link: RunLink) -> RunRow:
    metrics = tuple((name, metric_text(value)) for name, value in link.metric_values.items())
    return RunRow(link, metrics, tuple(link.param_values.items()))


@dataclass(frozen=True)
class ExperimentRuns:
    """An experiment with the runs linked to it and its best value of each tracked metric."""

    row: ExperimentRow
    runs: tuple[RunRow, ...]
    best: tuple[tuple[str, str], ...]  # (metric, value as text)


@dataclass(frozen=True)
class ComparisonCell:
    """One experiment's best value of one metric: its text, and whether it is the row's best."""

    text: str
    best: bool

    @property
    def words(self) -> str:
        """`0.31 ★` for the row's best, else the value."""
        return f"{self.text} {BEST_MARK}" if self.best else self.text


@dataclass(frozen=True)
class ComparisonTable:
    """The comparison as rows of text: columns are experiments (E numbers), rows metrics."""

    comparison: Comparison
    columns: tuple[ExperimentRow, ...]
    rows: tuple[tuple[str, str, tuple[ComparisonCell, ...]], ...]  # metric, goal, cells

    @property
    def baseline(self) -> int:
        return self.comparison.baseline

    def heading(self, i: int) -> str:
        """`E1. Seasonal naive (baseline)` for column `i` (plain: each format escapes it)."""
        row = self.columns[i]
        mark = " (baseline)" if i == self.baseline else ""
        return f"E{row.number}. {row.experiment.title}{mark}"


def goal_words(goal: str) -> str:
    return "lower is better" if goal == "min" else "higher is better"


@dataclass(frozen=True)
class ExperimentCounts:
    """How the experiments ended, and the effort the abandoned ones took."""

    total: int
    kept: int
    abandoned: int
    lost_minutes: int

    @property
    def running(self) -> int:
        return self.total - self.kept - self.abandoned


@dataclass(frozen=True)
class StageEffort:
    """Effort and rework on one stage (stages the framework lacks keep their id as title)."""

    stage: str
    title: str
    minutes: int
    rework: int

    @property
    def share(self) -> str:
        """The rework share as a percentage, empty when nothing was logged."""
        return f"{self.rework / self.minutes:.0%}" if self.minutes else ""


@dataclass(frozen=True)
class IterationEffort:
    """One iteration's row, with the stages it visited as their numbers (ids when unknown)."""

    row: IterationRow
    path: tuple[str, ...]


@dataclass(frozen=True)
class RequiredItem:
    """A required module not passed yet, with its status."""

    module: Module
    status: str


@dataclass(frozen=True)
class QuestionRow:
    """An exploration question and its answer (None: not answered)."""

    question: ExplorationQuestion
    answer: Answer | None

    @property
    def word(self) -> str:
        return self.answer.answer if self.answer else "unknown"

    def cells(self, text: Callable[[str], str], note: Callable[[str], str]) -> list[str]:
        """The table row: number, question, answer, evidence, date; `text` and `note` escape."""
        a = self.answer
        row = [str(self.question.number), text(self.question.text), text(self.word)]
        return [*row, note(a.note) if a else "", text(shown_date(a.updated_at)) if a else ""]


@dataclass(frozen=True)
class EffortRow:
    """An effort entry and whether it is rework (figures.REWORK_DEFINITION)."""

    entry: EffortEntry
    rework: bool


@dataclass(frozen=True)
class EventRow:
    """A history event and, in full, what its summary may cut or leave out (`detail`)."""

    event: Event
    detail: str


def event_detail(event: Event) -> str:
    """The typed texts `event` wrote, whole (`reason: …`), and the decision status moves it
    made (`status: proposed → accepted`); "" when it wrote none or its changes are unknown."""
    parts: list[str] = []
    for change in record_changes(event) or []:
        after, before = change.after or {}, change.before or {}
        if change.table == "decisions" and change.before is not None and "status" in after:
            parts.append(f"status: {before.get('status', '?')} → {after['status']}")
        for name in TYPED_FIELDS:
            value = after.get(name)
            if isinstance(value, str) and value.strip():
                parts.append(f"{name}: {value}")
    return "; ".join(parts)


def link_target(location: str) -> str | None:
    """`location` when a report may make it a link: an http(s) URL with a host, one line of
    printable text without spaces (what `artifacts.check_location` lets in); None otherwise, so
    a location planted in the file (`javascript:…`, a path) is only ever shown as text."""
    if not location.isprintable() or any(c.isspace() for c in location):
        return None
    scheme, _, rest = location.partition(":")
    if scheme.lower() not in URL_SCHEMES or not rest.startswith("//"):
        return None
    try:
        parts = urlsplit(location)
    except ValueError:
        return None
    return location if parts.scheme.lower() in URL_SCHEMES and parts.netloc else None


def location_note(place: LocationState) -> str:
    """What a report says after a location: `stale, last changed 2026-02-01`, `file missing`;
    "" for a link or a file not checked on disk."""
    if place.state == ATTACHED:
        return ""
    if place.state in (STALE, CURRENT) and place.changed_at:
        return f"{place.state}, last changed {shown_date(place.changed_at)}"
    return place.state


@dataclass(frozen=True)
class ArtifactRow:
    """An artifact with its state and locations, and the titles of where it is filed."""

    artifact: ArtifactState
    stage_title: str
    module_title: str  # "" when it is filed under the stage alone

    @property
    def id(self) -> str:
        return self.artifact.info.id

    @property
    def title(self) -> str:
        return self.artifact.info.title

    @property
    def required(self) -> bool:
        return self.artifact.info.required

    @property
    def state(self) -> str:
        return self.artifact.state

    @property
    def locations(self) -> tuple[LocationState, ...]:
        return self.artifact.locations

    @property
    def where(self) -> str:
        return (
            f"{self.stage_title} / {self.module_title}" if self.module_title else self.stage_title
        )

    @property
    def state_words(self) -> str:
        """`stale since 2026-03-13` (the loop back that made it stale), else the state."""
        since = self.artifact.since
        return (
            f"{self.state} since {shown_date(since)}"
            if self.state == STALE and since
            else self.state
        )


@dataclass(frozen=True)
class SourceRow:
    """A record a learning came from, in words: `switch back to Data on 2026-03-01`,
    `experiment E2: …`, `decision D3: …`; `table` is None when the record is gone."""

    id: str
    table: str | None
    words: str


@dataclass(frozen=True)
class LearningRow:
    """A learning, numbered L1, L2, ... in the order they were noted, with what taught it."""

    number: int
    learning: Learning
    stage_title: str
    module_title: str  # "" when it is filed under the stage alone
    sources: tuple[SourceRow, ...]

    @property
    def where(self) -> str:
        return (
            f"{self.stage_title} / {self.module_title}" if self.module_title else self.stage_title
        )

    @property
    def sources_words(self) -> str:
        return "; ".join(source.words for source in self.sources)


def recorded_artifact_states(project: Project, framework: Framework) -> list[ArtifactState]:
    """Artifact states from the records alone (missing or attached), for a report made without
    looking at the disk."""
    known = recorded_states(project, framework)
    return [
        ArtifactState(
            info,
            known[info.id],
            tuple(LocationState(x, ATTACHED) for x in info.locations),
            stale_since(project, info.stage),
        )
        for info in artifact_infos(project, framework)
    ]


class ReportView:
    """What the reports show about one project, derived once from the project and framework.

    `artifact_states` are the artifacts' states as checked on disk (artifact_files); without
    them the records alone say which artifacts are attached. `now` (a stored UTC time) is where
    the timeline marks today and ends the open visit; by default the time the state is as of,
    so that a report made twice from the same file is the same (the web view gives the clock's).
    """

    def __init__(
        self,
        project: Project,
        framework: Framework,
        artifact_states: Sequence[ArtifactState] | None = None,
        now: str | None = None,
    ) -> None:
        self.project = project
        self.framework = framework
        self._artifact_states = artifact_states
        self._now = now

    @property
    def name(self) -> str:
        return self.project.meta.name

    @property
    def file_name(self) -> str:
        """The state file's name, without its folder."""
        return self.project.label.replace("\\", "/").rsplit("/", 1)[-1]

    @cached_property
    def as_of(self) -> str:
        return as_of(self.project)

    @cached_property
    def closed(self) -> bool:
        return is_closed(self.project)

    @cached_property
    def current_title(self) -> str:
        return stage_title(self.framework, current_stage_id(self.project))

    @cached_property
    def iteration(self) -> int:
        return iteration(self.project)

    @cached_property
    def effort(self) -> Effort:
        return effort_figures(self.project, self.framework)

    @cached_property
    def now(self) -> str:
        """Today as the timeline marks it: the `now` given, else the time of the state; never
        before the state's last change (a clock behind the file's writer), and for a closed
        project its last change (months after acceptance would squeeze the work to one side)."""
        if self.closed:
            return self.as_of
        return max(self._now or "", self.as_of)

    @cached_property
    def plan(self) -> PlanFigures:
        """Plan against actual per stage, planned module and in total (mlpl_tui.plans)."""
        return plan_figures(self.project, self.framework, self.effort)

    @cached_property
    def timeline(self) -> Timeline:
        """The visits as bars across calendar time (mlpl_tui.timeline)."""
        return timeline(self.project, self.framework, self.now)

    @cached_property
    def burn_up(self) -> list[BurnPoint]:
        """Required modules passed over time, one point per local day."""
        return burn_up_by_day(burn_up(self.project, self.framework))

    @cached_property
    def stages(self) -> list[StageRow]:
        project = self.project
        rows = []
        for p in stage_progress(project, self.framework):
            modules = []
            for m in p.stage.modules:
                record = project.modules.get(m.id)
                note = record.note if record else None
                status = module_status(project, m.id)
                skipped = (
                    record.reason if record and status == "skipped" and record.reason else None
                )
                modules.append(ModuleRow(m, status, note, skipped))
            rows.append(StageRow(p, self.effort.by_stage.get(p.stage.id, 0), tuple(modules)))
        return rows

    @cached_property
    def steps(self) -> list[Step]:
        return journey(self.project, self.framework)

    @cached_property
    def switches(self) -> list[SwitchRow]:
        f = self.framework
        return [
            SwitchRow(
                s,
                stage_title(f, s.from_stage),
                module_title(f, s.to_module) or stage_title(f, s.to_stage),
            )
            for s in self.project.switches
        ]

    @cached_property
    def decision_numbers(self) -> dict[str, int]:
        return {d.id: i for i, d in enumerate(self.project.decisions, start=1)}

    @cached_property
    def status_changes(self) -> dict[str, list[StatusChange]]:
        """Each decision's status moves, oldest first, from the history's recorded changes."""
        moves: dict[str, list[StatusChange]] = {}
        for event in self.project.events:
            for change in record_changes(event) or []:
                if change.table != "decisions" or change.before is None or change.after is None:
                    continue
                before, after = change.before.get("status"), change.after.get("status")
                if isinstance(before, str) and isinstance(after, str):
                    move = StatusChange(before, after, event.at, event.by, event.id)
                    moves.setdefault(change.id, []).append(move)
        return moves

    @cached_property
    def decisions(self) -> list[DecisionRow]:
        numbers, f = self.decision_numbers, self.framework
        moves = self.status_changes
        rows = []
        for d in self.project.decisions:
            refs = (("Supersedes", d.supersedes), ("Superseded by", d.superseded_by))
            links = tuple(DecisionLink(label, ref, numbers.get(ref)) for label, ref in refs if ref)
            module = module_title(f, d.module) if d.module else ""
            rows.append(
                DecisionRow(
                    numbers[d.id],
                    d,
                    stage_title(f, d.stage),
                    module,
                    links,
                    tuple(moves.get(d.id, ())),
                )
            )
        return rows

    @cached_property
    def experiments(self) -> list[ExperimentRow]:
        minutes = self.effort.by_experiment
        return [
            ExperimentRow(i, e, minutes.get(e.id, 0))
            for i, e in enumerate(self.project.experiments, start=1)
        ]

    @cached_property
    def experiment_runs(self) -> list[ExperimentRuns]:
        """The experiments that have linked runs, in experiment order, each with its runs and
        its best tracked metrics; empty when no run is linked."""
        if not self.project.run_links:
            return []
        found = []
        for row in self.experiments:
            links = self.project.runs_of(row.experiment.id)
            if not links:
                continue
            best = best_metrics(self.project, self.framework, row.experiment.id)
            found.append(
                ExperimentRuns(
                    row,
                    tuple(run_row(link) for link in links),
                    tuple((name, metric_text(value)) for name, value in best.items()),
                )
            )
        return found

    @cached_property
    def comparison(self) -> ComparisonTable | None:
        """The experiments with linked runs side by side (run_links.comparison); None when no
        experiment has a linked run."""
        rows = [x.row for x in self.experiment_runs]
        if not rows:
            return None
        compared = comparison(self.project, self.framework, [r.experiment.id for r in rows])
        by_id = {r.experiment.id: r for r in rows}
        columns = tuple(by_id[e.id] for e in compared.experiments)
        table = tuple(
            (
                row.metric,
                row.goal,
                tuple(
                    ComparisonCell(metric_text(value), i in row.best)
                    for i, value in enumerate(row.values)
                ),
            )
            for row in compared.rows
        )
        return ComparisonTable(compared, columns, table)

    @cached_property
    def experiment_counts(self) -> ExperimentCounts:
        rows = self.experiments
        dropped = [r for r in rows if r.experiment.status == "abandoned"]
        return ExperimentCounts(
            total=len(rows),
            kept=sum(r.experiment.status == "kept" for r in rows),
            abandoned=len(dropped),
            lost_minutes=sum(r.minutes for r in dropped),
        )

    @cached_property
    def stage_effort(self) -> list[StageEffort]:
        effort = self.effort
        return [
            StageEffort(
                stage,
                stage_title(self.framework, stage),
                minutes,
                effort.rework_by_stage.get(stage, 0),
            )
            for stage, minutes in effort.by_stage.items()
        ]

    @cached_property
    def iterations(self) -> list[IterationEffort]:
        numbers = {s.id: str(s.number) for s in self.framework.stages}
        return [
            IterationEffort(row, tuple(numbers.get(s, s) for s in row.stages))
            for row in iteration_rows(self.project, self.effort)
        ]

    @cached_property
    def artifact_states(self) -> list[ArtifactState]:
        if self._artifact_states is None:
            return recorded_artifact_states(self.project, self.framework)
        return list(self._artifact_states)

    @cached_property
    def artifact_words(self) -> dict[str, str]:
        """Artifact id to state, as figures.open_items takes them."""
        return state_words(self.artifact_states)

    @cached_property
    def artifacts(self) -> list[ArtifactRow]:
        """Every artifact: the declared ones in framework order, then free ones."""
        f = self.framework
        return [
            ArtifactRow(a, stage_title(f, a.info.stage), module_title(f, a.info.module))
            for a in self.artifact_states
        ]

    @cached_property
    def listed_artifacts(self) -> list[ArtifactRow]:
        """The artifacts a report lists one by one: those attached, and required ones."""
        return [row for row in self.artifacts if row.locations or row.required]

    @cached_property
    def unlisted_artifacts(self) -> list[ArtifactRow]:
        """Optional artifacts with nothing attached, which a report only names."""
        return [row for row in self.artifacts if not (row.locations or row.required)]

    @cached_property
    def learnings(self) -> list[LearningRow]:
        f = self.framework
        return [
            LearningRow(
                i,
                x,
                stage_title(f, x.stage),
                module_title(f, x.module),
                tuple(self._source(id) for id in x.sources),
            )
            for i, x in enumerate(self.project.learnings, start=1)
        ]

    @cached_property
    def _sources(self) -> dict[str, SourceRow]:
        """What a learning may name as its source, by id, in words."""
        found: dict[str, SourceRow] = {}
        for d in self.decisions:
            words = f"decision D{d.number}: {d.decision.title}"
            found[d.decision.id] = SourceRow(d.decision.id, "decisions", words)
        for e in self.experiments:
            words = f"experiment E{e.number}: {e.experiment.title}"
            found[e.experiment.id] = SourceRow(e.experiment.id, "experiments", words)
        for s in self.switches:
            words = f"switch back to {s.to_title} on {shown_date(s.switch.at)}"
            found[s.switch.id] = SourceRow(s.switch.id, "switches", words)
        return found

    def _source(self, id: str) -> SourceRow:
        return self._sources.get(id) or SourceRow(id, None, f"{id} (no longer in the file)")

    @cached_property
    def open_items(self) -> OpenItems:
        return open_items(self.project, self.framework, self.artifact_words)

    @cached_property
    def open_artifacts(self) -> list[ArtifactRow]:
        """The artifacts open_items names (figures.open_artifacts): required ones missing, stale
        or without their file, and any attached one gone stale or without its file, in the
        stages reached so far."""
        found = open_artifacts(self.project, self.framework, self.artifact_words)
        ids = {info.id for info, _ in found}
        return [row for row in self.artifacts if row.id in ids]

    @cached_property
    def required_items(self) -> list[RequiredItem]:
        """Open required modules with their status (open_items.required_not_done)."""
        return [
            RequiredItem(m, module_status(self.project, m.id))
            for m in self.open_items.required_not_done
        ]

    @cached_property
    def proposed_decisions(self) -> list[DecisionRow]:
        """Decisions still proposed, numbered as in the decision list."""
        proposed = {d.id for d in self.open_items.proposed_decisions}
        return [row for row in self.decisions if row.decision.id in proposed]

    @cached_property
    def questions(self) -> list[QuestionRow]:
        answers = self.project.answers
        return [QuestionRow(q, answers.get(q.number)) for q in self.framework.exploration_questions]

    @cached_property
    def event_rows(self) -> list[EventRow]:
        """Every history event, oldest first, with what it wrote in full."""
        return [EventRow(e, event_detail(e)) for e in self.project.events]

    @cached_property
    def effort_rows(self) -> list[EffortRow]:
        first = first_iterations(self.project.visits)
        return [EffortRow(e, is_rework(e, first)) for e in self.project.effort]
