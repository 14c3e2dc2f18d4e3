"""Project snapshots: typed records from the tables, clear errors, and nothing unknown dropped."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import orjson
import pytest

from mlpl_tui.framework import Framework
from mlpl_tui.lifecycle import Context, advance, decide, set_status
from mlpl_tui.model import Change, Project, StateError, check_records
from mlpl_tui.progress import status_summary, unknown_module_ids
from mlpl_tui.store import Store, dump
from tests.conftest import apply


def read(store: Store) -> dict[str, Any]:
    data: dict[str, Any] = orjson.loads(store.path.read_bytes())
    return data


def rewrite(store: Store, data: dict[str, Any]) -> None:
    store.path.write_bytes(dump(data))


def visit_id(data: dict[str, Any]) -> str:
    (only,) = data["visits"]
    return str(only)


# --- wrong types ------------------------------------------------------------------------------

# (table, record id or None for the project's first visit, field, bad value, what the
# message calls the table, the attribute of Project that reads the table)
WRONG_TYPES = [
    ("visits", None, "iteration", "2", "visit", "visits"),
    ("visits", None, "iteration", True, "visit", "visits"),
    ("visits", None, "how", "teleport", "visit", "visits"),
    ("visits", None, "stage", 3, "visit", "visits"),
    ("modules", "data.cleaning", "status", "finished", "module", "modules"),
    ("modules", "data.cleaning", "note", ["a", "list"], "module", "modules"),
    ("decisions", "d1", "title", 7, "decision", "decisions"),
    ("decisions", "d1", "status", "pending", "decision", "decisions"),
    ("switches", "s1", "revisit", "data.cleaning", "switch", "switches"),
    ("switches", "s1", "iteration", 2.5, "switch", "switches"),
    ("effort", "e1", "minutes", "90", "effort", "effort"),
    ("effort", "e1", "minutes", 0, "effort", "effort"),
    ("experiments", "x1", "status", "won", "experiment", "experiments"),
    ("questions", "1", "answer", "maybe", "question", "answers"),
    ("events", "ev1", "refs", [1, 2], "event", "events"),
    ("meta", "project", "name", 42, "meta", "meta"),
]

VALID: dict[str, dict[str, Any]] = {
    "modules": {"status": "done", "note": "", "updated_at": "", "updated_by": ""},
    "decisions": {"title": "T", "decision": "D", "status": "accepted"},
    "switches": {
        "from_stage": "data",
        "to_stage": "business",
        "category": "data",
        "reason": "r",
        "iteration": 2,
        "revisit": [],
    },
    "effort": {"minutes": 30, "stage": "data", "on": "2026-03-01"},
    "experiments": {"title": "E", "status": "running"},
    "questions": {"answer": "yes"},
    "events": {"at": "2026-03-02T10:00:00Z", "action": "x", "refs": []},
}


@pytest.mark.parametrize(
    ("table", "record", "field", "value", "kind", "attribute"),
    WRONG_TYPES,
    ids=[f"{t}.{f}={v!r}" for t, _, f, v, _, _ in WRONG_TYPES],
)
def test_wrong_field_types_name_table_record_and_field(
    store: Store,
    table: str,
    record: str | None,
    field: str,
    value: object,
    kind: str,
    attribute: str,
) -> None:
    data = read(store)
    record = record or visit_id(data)
    if record not in data[table]:
        data[table][record] = dict(VALID[table])
    data[table][record][field] = value
    rewrite(store, data)

    project = Store(store.path).load()
    with pytest.raises(StateError) as info:
        getattr(project, attribute)
    message = str(info.value)
    assert str(store.path) in message, "the file is named"
    assert re.search(rf"\b{kind}", message), f"the table is named: {message}"
    assert f"'{record}'" in message, f"the record is named: {message}"
    assert f"'{field}'" in message, f"the field is named: {message}"
    # validate reports the same record without raising.
    problems = [str(e) for e in check_records(project.tables)]
    assert any(f"'{record}'" in p and f"'{field}'" in p for p in problems)


def test_missing_required_field_is_named(store: Store) -> None:
    data = read(store)
    del data["visits"][visit_id(data)]["stage"]
    rewrite(store, data)
    with pytest.raises(StateError, match=r"visit '.+': field 'stage' is missing"):
        Store(store.path).load().visits  # noqa: B018 - reading it parses it


def test_missing_meta_record_is_a_state_error() -> None:
    project = Project({"meta": {}, "visits": {}}, label="here.json")
    with pytest.raises(StateError, match=r"here\.json.*'meta'"):
        project.meta  # noqa: B018


def test_optional_fields_have_defaults(store: Store, framework: Framework) -> None:
    data = read(store)
    data["modules"]["data.cleaning"] = {"status": "doing"}
    data["effort"]["e1"] = {"minutes": 15, "stage": "data", "on": "2026-03-01"}
    data["experiments"]["x1"] = {"title": "E", "status": "kept"}
    rewrite(store, data)
    project = Store(store.path).load()
    assert project.modules["data.cleaning"].note == ""
    (entry,) = project.effort
    assert (entry.iteration, entry.module, entry.note) == (1, None, "")
    (experiment,) = project.experiments
    assert (experiment.stage, experiment.reason) == ("modelling", "")
    assert status_summary(project, framework)["effort_minutes"] == 15


# --- nothing unknown is dropped ---------------------------------------------------------------


def test_unknown_fields_and_tables_survive_a_change(
    store: Store, framework: Framework, ctx: Context
) -> None:
    data = read(store)
    vid = visit_id(data)
    data["meta"]["project"]["client"] = {"name": "ACME", "contract": 17}
    data["visits"][vid]["weather"] = "sunny"
    data["modules"]["business.objectives"] = {
        "status": "doing",
        "note": "n",
        "updated_at": ctx.now,
        "updated_by": "someone",
        "owner": "ana",
        "tags": ["kpi", "q3"],
    }
    data["dashboards"] = {"main": {"layout": "grid", "widgets": [1, 2]}}
    rewrite(store, data)

    fresh = Store(store.path)
    apply(fresh, framework, ctx, set_status, "business.objectives", "done")
    for module in framework.stage("business").required_modules:
        apply(fresh, framework, ctx, set_status, module.id, "done")
    apply(fresh, framework, ctx, advance)
    apply(fresh, framework, ctx, decide, "T", "D")

    after = read(store)
    assert after["meta"]["project"]["client"] == {"name": "ACME", "contract": 17}
    assert after["visits"][vid]["weather"] == "sunny"
    assert after["visits"][vid]["left_at"] == ctx.now, "the change itself was written"
    objectives = after["modules"]["business.objectives"]
    assert objectives["status"] == "done"
    assert (objectives["owner"], objectives["tags"]) == ("ana", ["kpi", "q3"])
    assert after["dashboards"] == {"main": {"layout": "grid", "widgets": [1, 2]}}
    assert len(after["decisions"]) == 1


def test_unknown_module_record_is_kept(store: Store, framework: Framework, ctx: Context) -> None:
    data = read(store)
    legacy = {
        "status": "done",
        "note": "from our old framework",
        "updated_at": "2025-01-01T00:00:00Z",
        "updated_by": "old",
        "extra": 1,
    }
    data["modules"]["business.legacy-check"] = legacy
    data["modules"]["ethics.review"] = dict(legacy)
    rewrite(store, data)

    fresh = Store(store.path)
    project = fresh.load()
    assert project.modules["business.legacy-check"].status == "done"
    assert unknown_module_ids(project, framework) == ["business.legacy-check", "ethics.review"]
    assert status_summary(project, framework)["unknown_modules"] == [
        "business.legacy-check",
        "ethics.review",
    ]

    apply(fresh, framework, ctx, set_status, "business.objectives", "done")
    after = read(store)
    assert after["modules"]["business.legacy-check"] == legacy
    assert after["modules"]["ethics.review"] == legacy
    assert after["modules"]["business.objectives"]["status"] == "done"


def test_snapshot_does_not_change_when_the_store_writes(
    store: Store, framework: Framework, ctx: Context
) -> None:
    before = store.load()
    tables_before = {name: dict(records) for name, records in before.tables.items()}
    apply(store, framework, ctx, set_status, "business.objectives", "done")
    assert {name: dict(records) for name, records in before.tables.items()} == tables_before
    assert "business.objectives" not in before.modules
    assert store.load().modules["business.objectives"].status == "done"


def test_events_within_one_second_keep_the_order_they_were_written(
    tmp_path: Path, framework: Framework
) -> None:
    from mlpl_tui.lifecycle import new_project

    descending = iter(f"z{n:04d}" for n in range(9999, 0, -1))
    ctx = Context("script", "2026-03-02T10:00:00Z", make_id=lambda: next(descending))
    store = Store.create(tmp_path / "mlpl.json", new_project("Fast", ctx))
    modules = [m.id for m in framework.stages[0].modules]
    for module in modules:

        def tick(project: Project, module: str = module) -> Change:
            return set_status(project, framework, ctx, module, "done")

        store.apply(tick, "s", ctx.now)
    refs = [e.refs for e in Store(store.path).load().events if e.action != "init"]
    assert refs[-len(modules) :] == [(m,) for m in modules]
