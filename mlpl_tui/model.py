"""The domain model in one import: record kinds (records), the snapshot (project), changes.

The definitions live in smaller modules; this one re-exports them so that callers need not
know the split.
"""

from __future__ import annotations

from mlpl_tui.changes import ABSENT, Change, EditConflict, Put, Remove, apply_change
from mlpl_tui.fields import Raw, Record, RecordError, StateError
from mlpl_tui.project import Project, Tables, check_records
from mlpl_tui.records import (
    ANSWERS,
    DECISION_STATUSES,
    EXPERIMENT_STATUSES,
    MAX_TEXT,
    MERGE_SIDES,
    META_ID,
    MODULE_STATUSES,
    RECORD_KINDS,
    SCHEMA_VERSION,
    TABLES,
    VISIT_HOWS,
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
    new_id,
)

__all__ = [
    "ABSENT",
    "ANSWERS",
    "DECISION_STATUSES",
    "EXPERIMENT_STATUSES",
    "MAX_TEXT",
    "MERGE_SIDES",
    "META_ID",
    "MODULE_STATUSES",
    "RECORD_KINDS",
    "SCHEMA_VERSION",
    "TABLES",
    "VISIT_HOWS",
    "Answer",
    "ArtifactLink",
    "Change",
    "Conflict",
    "Decision",
    "EditConflict",
    "EffortEntry",
    "Event",
    "Experiment",
    "Learning",
    "Meta",
    "ModuleState",
    "Plan",
    "Project",
    "Put",
    "Raw",
    "Record",
    "RecordError",
    "Remove",
    "RunLink",
    "StateError",
    "Switch",
    "Tables",
    "Visit",
    "apply_change",
    "check_records",
    "new_id",
]
