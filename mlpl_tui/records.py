"""The stored record kinds as frozen dataclasses; each one's annotations declare its fields."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Annotated, Any

from mlpl_tui.fields import POSITIVE, Default, Ids, Key, OneOf, Record, Text

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
    "learnings",
    "runs",
    "plans",
    "events",
)
MODULE_STATUSES = ("todo", "doing", "done", "skipped", "revisit")
DECISION_STATUSES = ("proposed", "accepted", "rejected", "deprecated", "superseded")
EXPERIMENT_STATUSES = ("running", "kept", "abandoned")
ANSWERS = ("yes", "no", "partly", "unknown")
VISIT_HOWS = ("start", "advance", "forced", "switch")
MERGE_SIDES = ("ours", "theirs")
META_ID = "project"
MAX_TEXT = 1 << 20  # characters in one text of the state file (see json_guard)

_QUESTION_KEY = re.compile(r"[1-9][0-9]{0,8}")


def new_id() -> str:
    """A random record id, so records added on two branches do not collide in a merge."""
    return os.urandom(5).hex()


def question_number(key: str) -> int:
    """The number a question's record is keyed by."""
    # Plain ASCII digits only: '²' is a digit to str.isdigit but not to int().
    if not _QUESTION_KEY.fullmatch(key):
        raise ValueError("questions are keyed by their number 1-5")
    return int(key)


@dataclass(frozen=True)
class Meta(Record, kind="meta", table="meta"):
    """Project-wide facts: the schema version, the project's name and creation."""

    schema_version: int
    name: Text
    created_at: Text
    created_by: Text


@dataclass(frozen=True)
class Visit(Record, kind="visit", table="visits"):
    """One stay in a stage: which iteration, when entered and left, and how it was entered."""

    id: str
    stage: str
    iteration: int
    entered_at: str
    entered_by: Text
    how: Annotated[str, OneOf(VISIT_HOWS)]
    switch: str | None
    left_at: str | None
    outcome: str | None


@dataclass(frozen=True)
class ModuleState(Record, kind="module", table="modules"):
    """What is recorded of one module: its status, note and why it was skipped."""

    id: str
    status: Annotated[str, OneOf(MODULE_STATUSES)]
    note: Text
    reason: Text  # why the module was skipped (kept when it is taken up again)
    updated_at: Text
    updated_by: Text


@dataclass(frozen=True)
class Decision(Record, kind="decision", table="decisions"):
    """A decision record: context, decision, rationale, status and supersedes links."""

    id: str
    title: str
    context: Text
    decision: Text
    rationale: Text
    status: Annotated[str, OneOf(DECISION_STATUSES)]
    stage: str | None
    module: str | None
    supersedes: str | None
    superseded_by: str | None
    created_at: Text
    created_by: Text


@dataclass(frozen=True)
class Switch(Record, kind="switch", table="switches"):
    """A lifecycle switch: a move back, why, and which modules it marked for revisit."""

    id: str
    from_stage: str
    to_stage: str
    to_module: str | None
    category: str
    reason: Text
    iteration: int
    revisit: Ids
    at: Text
    by: Text


@dataclass(frozen=True)
class EffortEntry(Record, kind="effort entry", table="effort"):
    """Time spent on a stage or module on a given day, in the iteration it was logged in."""

    id: str
    minutes: Annotated[int, POSITIVE]
    stage: str
    module: str | None
    on: str
    note: Text
    iteration: Annotated[int, Default(1)]
    experiment: str | None
    at: Text
    by: Text
    updated_at: Text  # the last correction (edit_effort), if any
    updated_by: Text


@dataclass(frozen=True)
class Experiment(Record, kind="experiment", table="experiments"):
    """One attempt in the experiment log, kept even when abandoned."""

    id: str
    title: str
    hypothesis: Text
    link: Text
    status: Annotated[str, OneOf(EXPERIMENT_STATUSES)]
    reason: Text  # why it was abandoned (kept if it is kept after all)
    result: Text  # what was found: the outcome, the metric
    stage: Annotated[str, Default("modelling")]
    module: str | None
    created_at: Text
    created_by: Text
    updated_at: Text
    updated_by: Text


@dataclass(frozen=True)
class Answer(Record, kind="question", table="questions"):
    """The current answer to one of the five exploration questions."""

    number: Annotated[int, Key(question_number)]
    answer: Annotated[str, OneOf(ANSWERS)]
    note: Text
    updated_at: Text
    updated_by: Text


@dataclass(frozen=True)
class ArtifactLink(Record, kind="artifact", table="artifacts"):
    """Where one artifact is: paths in the repository and http(s) URLs, keyed by the artifact's
    id (the framework's declared id, or a free artifact's own)."""

    id: str
    locations: Ids  # project-relative POSIX paths and http(s) URLs, in the order attached
    title: Text  # a free artifact's title (a declared one takes the framework's)
    stage: str | None  # a free artifact's stage (a declared one takes the framework's)
    module: str | None
    attached_at: Text
    attached_by: Text
    updated_at: Text
    updated_by: Text


@dataclass(frozen=True)
class Learning(Record, kind="learning", table="learnings"):
    """Something the project taught, kept even when it is not used in the final model."""

    id: str
    text: str
    stage: str | None
    module: str | None
    sources: Ids  # the switches, experiments and decisions that taught it
    created_at: Text
    created_by: Text
    updated_at: Text
    updated_by: Text


# The fields of a run link that hold its snapshot: what the tracker said, and when it was read.
# They are read together from one source, so a merge takes them all from the newer reading.
RUN_SNAPSHOT_FIELDS = (
    "tool",
    "run_id",
    "name",
    "status",
    "started_at",
    "ended_at",
    "params",
    "metrics",
    "where",
    "captured_at",
    "gone",
)


@dataclass(frozen=True)
class RunLink(Record, kind="run", table="runs"):
    """A tracker's run linked to the experiment it tested, keyed by its ref (`mlflow:3f2a…`),
    with a snapshot of what the tracker said of it when it was last read (mlpl_tui.run_links):
    tracker stores are rarely committed, so the snapshot outlives them (`gone` once the run is
    no longer found)."""

    id: str
    experiment: str  # the experiment's id
    tool: str
    run_id: str
    name: Text
    status: Text
    started_at: str | None
    ended_at: str | None
    params: Any  # {name: text}, as captured
    metrics: Any  # {name: number or null (NaN, infinity)}, as captured
    where: Text  # the store it was read from, relative to the project when inside it
    captured_at: Text
    gone: Annotated[bool, Default(False)]
    linked_at: Text
    linked_by: Text
    updated_at: Text
    updated_by: Text

    @property
    def param_values(self) -> dict[str, str]:
        """The params as text; a hand-edited or merged snapshot's other values are left out."""
        raw = self.params
        if not isinstance(raw, dict):
            return {}
        return {k: v for k, v in raw.items() if isinstance(k, str) and isinstance(v, str)}

    @property
    def metric_values(self) -> dict[str, float | None]:
        """The metrics as numbers, None where the tracker had NaN or infinity; anything else a
        hand-edited snapshot holds is left out."""
        raw = self.metrics
        if not isinstance(raw, dict):
            return {}
        return {
            k: None if v is None else float(v)
            for k, v in raw.items()
            if isinstance(k, str) and (v is None or _number(v))
        }


@dataclass(frozen=True)
class Plan(Record, kind="plan", table="plans"):
    """An estimate of the effort one stage or module will take, keyed by the stage's or the
    module's id (mlpl_tui.plans)."""

    id: str
    minutes: Annotated[int, POSITIVE]
    set_at: Text
    set_by: Text


def _number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


@dataclass(frozen=True)
class Event(Record, kind="event", table="events"):
    """One entry of the append-only history: who did what, when."""

    id: str
    at: str
    by: Text
    action: str
    summary: Text
    refs: Ids
    seq: int = 0  # position in the history when written; orders events within one second
    reverts: str | None = None  # the event an undo (or a redo) reverts
    changes: Any = None  # each record written, before and after (mlpl_tui.history reads it)


@dataclass(frozen=True)
class Conflict(Record, kind="conflict", table="conflicts"):
    """A field two merged versions changed differently: both values and which one was kept."""

    id: str
    table: str
    record: str
    field: str
    ours: Any
    theirs: Any
    kept: Annotated[str, OneOf(MERGE_SIDES)]  # whose value the record holds since the merge
    ours_at: Text
    ours_by: Text
    theirs_at: Text
    theirs_by: Text
    resolved: Annotated[bool, Default(False)]
    resolution: Annotated[str | None, OneOf(MERGE_SIDES)]  # the side chosen when resolved
    resolved_at: str | None
    resolved_by: str | None

    def value(self, side: str) -> Any:
        return self.ours if side == "ours" else self.theirs


# Every kind the state file holds, for checks that read all records (validate).
RECORD_KINDS: tuple[type[Record], ...] = (
    Meta,
    Visit,
    ModuleState,
    Decision,
    Switch,
    EffortEntry,
    Experiment,
    Answer,
    ArtifactLink,
    Learning,
    RunLink,
    Plan,
    Event,
    Conflict,
)
