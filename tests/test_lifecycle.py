"""Every lifecycle rule, as pure functions and applied through the store on a real file."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mlpl_tui.errors import RuleError, UsageError
from mlpl_tui.framework import Framework
from mlpl_tui.lifecycle import (
    Context,
    abandon_experiment,
    add_experiment,
    advance,
    answer_question,
    decide,
    find_record,
    keep_experiment,
    log_effort,
    new_project,
    parse_day,
    parse_duration,
    set_note,
    set_status,
    switch_back,
    toggle_done,
)
from mlpl_tui.model import MODULE_STATUSES, Change, Event, Project, Put
from mlpl_tui.progress import (
    current_stage_id,
    current_visit,
    is_closed,
    iteration,
    last_visit,
    module_status,
    status_summary,
)
from mlpl_tui.store import Store
from tests.conftest import apply, fixed_ids

# --- helpers ----------------------------------------------------------------------------------


def raw(store: Store) -> dict[str, Any]:
    data: dict[str, Any] = orjson.loads(store.path.read_bytes())
    return data


def finish(store: Store, framework: Framework, ctx: Context, stage: str) -> Project:
    """Mark every required module of `stage` done."""
    project = store.load()
    for module in framework.stage(stage).required_modules:
        project = apply(store, framework, ctx, set_status, module.id, "done")
    return project


def reach(store: Store, framework: Framework, ctx: Context, stage: str) -> Project:
    """Pass the gates up to `stage`, doing the required modules of each stage on the way."""
    project = store.load()
    while current_stage_id(project) != stage:
        finish(store, framework, ctx, current_stage_id(project))
        project = apply(store, framework, ctx, advance)
    return project


def refused(
    store: Store,
    framework: Framework,
    ctx: Context,
    error: type[Exception],
    rule: Callable[..., Change],
    *args: object,
    **kw: object,
) -> str:
    """Apply a rule that must be refused; the file must be left byte for byte as it was."""
    before = store.path.read_bytes()
    with pytest.raises(error) as info:
        apply(store, framework, ctx, rule, *args, **kw)
    assert store.path.read_bytes() == before, "a refused change wrote to the file"
    return str(info.value)


def new_event(before: Project, after: Project) -> Event:
    """The one event `after` has that `before` had not (events in one second share a time)."""
    known = {e.id for e in before.events}
    (event,) = [e for e in after.events if e.id not in known]
    return event


# --- a new project ----------------------------------------------------------------------------


def test_a_project_starts_in_business_iteration_one(store: Store, framework: Framework) -> None:
    project = store.load()
    assert current_stage_id(project) == "business"
    assert iteration(project) == 1
    (visit,) = project.visits
    assert (visit.stage, visit.iteration, visit.how, visit.left_at) == (
        "business",
        1,
        "start",
        None,
    )
    assert project.meta.name == "Test project" and project.meta.schema_version == 1
    assert [e.action for e in project.events] == ["project.create"]
    assert not is_closed(project)


def test_a_project_needs_a_name(ctx: Context) -> None:
    with pytest.raises(UsageError):
        new_project("  ", ctx)


# --- module statuses --------------------------------------------------------------------------


def test_set_status_records_status_note_who_and_when(
    store: Store, framework: Framework, ctx: Context
) -> None:
    before = store.load()
    project = apply(store, framework, ctx, set_status, "objectives", "doing", note=" draft ")
    state = project.modules["business.objectives"]
    assert (state.status, state.note) == ("doing", "draft")
    assert (state.updated_by, state.updated_at) == ("tester", ctx.now)
    event = new_event(before, project)
    assert event.action == "module.set" and event.refs == ("business.objectives",)


@pytest.mark.parametrize("status", MODULE_STATUSES)
def test_every_module_status_can_be_set(
    store: Store, framework: Framework, ctx: Context, status: str
) -> None:
    reason = "why" if status == "skipped" else None
    project = apply(store, framework, ctx, set_status, "data.cleaning", status, reason=reason)
    assert project.modules["data.cleaning"].status == status


def test_unknown_status_and_module_are_refused(
    store: Store, framework: Framework, ctx: Context
) -> None:
    refused(store, framework, ctx, UsageError, set_status, "data.cleaning", "finished")
    refused(store, framework, ctx, UsageError, set_status, "data.nothing", "done")


@pytest.mark.parametrize("note", [None, "", "   "])
def test_skipping_without_a_reason_is_refused(
    store: Store, framework: Framework, ctx: Context, note: str | None
) -> None:
    message = refused(
        store, framework, ctx, RuleError, set_status, "business.constraints", "skipped", reason=note
    )
    assert "business.constraints" in message and "--reason" in message
    project = apply(
        store, framework, ctx, set_status, "constraints", "skipped", reason="none apply"
    )
    assert project.modules["business.constraints"].status == "skipped"
    assert project.modules["business.constraints"].reason == "none apply"
    assert project.modules["business.constraints"].note == ""


def test_toggle_done_flips_between_done_and_todo(
    store: Store, framework: Framework, ctx: Context
) -> None:
    project = apply(store, framework, ctx, toggle_done, "objectives")
    assert module_status(project, "business.objectives") == "done"
    project = apply(store, framework, ctx, toggle_done, "objectives")
    assert module_status(project, "business.objectives") == "todo"
    apply(store, framework, ctx, set_status, "objectives", "revisit")
    project = apply(store, framework, ctx, toggle_done, "objectives")
    assert module_status(project, "business.objectives") == "done"


def test_set_note_keeps_status_and_creates_a_todo_record(
    store: Store, framework: Framework, ctx: Context
) -> None:
    project = apply(store, framework, ctx, set_note, "cleaning", "ask the DBA")
    assert project.modules["data.cleaning"].status == "todo"
    assert project.modules["data.cleaning"].note == "ask the DBA"
    apply(store, framework, ctx, set_status, "cleaning", "doing")
    project = apply(store, framework, ctx, set_note, "cleaning", "asked")
    assert (project.modules["data.cleaning"].status, project.modules["data.cleaning"].note) == (
        "doing",
        "asked",
    )


# --- the gate ---------------------------------------------------------------------------------


def test_unmet_gate_is_refused_listing_what_is_missing_then_passes(
    store: Store, framework: Framework, ctx: Context
) -> None:
    apply(store, framework, ctx, set_status, "business.objectives", "done")
    apply(store, framework, ctx, set_status, "business.stakeholders", "doing")
    message = refused(store, framework, ctx, RuleError, advance)
    missing = ["problem-definition", "stakeholders", "data-sources", "constraints"]
    for short in missing:
        assert f"business.{short}" in message
    assert "business.stakeholders (doing)" in message
    assert "business.objectives" not in message, "a done module is not missing"
    assert "business.milestones" not in message, "an optional module is not missing"
    assert current_stage_id(store.load()) == "business"

    apply(store, framework, ctx, set_status, "constraints", "skipped", reason="none apply")
    for short in missing[:-1]:
        apply(store, framework, ctx, set_status, f"business.{short}", "done")
    before = store.load()
    project = apply(store, framework, ctx, advance)
    assert current_stage_id(project) == "data"
    assert iteration(project) == 1
    old, new = project.visits
    assert (old.stage, old.left_at) == ("business", ctx.now)
    assert (new.stage, new.how, new.iteration, new.left_at) == ("data", "advance", 1, None)
    assert project.decisions == (), "a normal advance records no decision"
    assert new_event(before, project).action == "stage.advance"


def test_optional_modules_do_not_hold_the_gate(
    store: Store, framework: Framework, ctx: Context
) -> None:
    finish(store, framework, ctx, "business")
    project = apply(store, framework, ctx, advance)
    assert module_status(project, "business.milestones") == "todo"
    assert current_stage_id(project) == "data"


def test_forced_advance_needs_a_reason_and_is_a_decision(
    store: Store, framework: Framework, ctx: Context
) -> None:
    apply(store, framework, ctx, set_status, "business.objectives", "done")
    refused(store, framework, ctx, UsageError, advance, force=True)
    refused(store, framework, ctx, UsageError, advance, force=True, why="  ")

    before = store.load()
    project = apply(store, framework, ctx, advance, force=True, why="client deadline")
    assert current_stage_id(project) == "data"
    visit = current_visit(project)
    assert visit is not None and visit.how == "forced" and visit.iteration == 1
    (decision,) = project.decisions
    assert decision.rationale == "client deadline"
    assert decision.status == "accepted"
    assert decision.stage == "business" and decision.module is None
    assert (decision.created_by, decision.created_at) == ("tester", ctx.now)
    assert "Data" in decision.title or "data" in decision.title.lower()
    assert decision.decision.strip()
    assert "business.problem-definition" in decision.context
    assert "business.objectives" not in decision.context
    assert decision.supersedes is None and decision.superseded_by is None
    event = new_event(before, project)
    assert event.action == "stage.advance" and decision.id in event.summary
    assert decision.id in event.refs


def test_force_with_the_gate_met_is_a_plain_advance(
    store: Store, framework: Framework, ctx: Context
) -> None:
    finish(store, framework, ctx, "business")
    project = apply(store, framework, ctx, advance, force=True, why="habit")
    visit = current_visit(project)
    assert visit is not None and (visit.stage, visit.how) == ("data", "advance")
    assert project.decisions == ()


def test_advancing_from_delivery_closes_the_project(
    store: Store, framework: Framework, ctx: Context
) -> None:
    reach(store, framework, ctx, "delivery")
    finish(store, framework, ctx, "delivery")
    before = store.load()
    project = apply(store, framework, ctx, advance)
    assert is_closed(project)
    assert current_visit(project) is None
    last = last_visit(project)
    assert last is not None and (last.stage, last.outcome, last.left_at) == (
        "delivery",
        "accepted",
        ctx.now,
    )
    assert all(v.left_at is not None for v in project.visits)
    assert len(project.visits) == 4
    assert new_event(before, project).action == "project.accept"
    assert status_summary(project, framework)["closed"] is True
    assert current_stage_id(project) == "delivery"

    message = refused(store, framework, ctx, RuleError, advance)
    assert "closed" in message
    refused(store, framework, ctx, RuleError, advance, force=True, why="again")


def test_closing_within_one_second_is_still_closed(tmp_path: Path, framework: Framework) -> None:
    """Scripts run commands within the same second; record ids are random, not ordered."""
    descending = iter(f"z{n:04d}" for n in range(9999, 0, -1))
    ctx = Context("script", "2026-03-02T10:00:00Z", make_id=lambda: next(descending))
    store = Store.create(tmp_path / "mlpl.json", new_project("Fast", ctx))
    for stage in framework.stages:
        finish(store, framework, ctx, stage.id)
        apply(store, framework, ctx, advance)
    project = Store(store.path).load()  # as the next command would read it
    assert current_visit(project) is None
    assert current_stage_id(project) == "delivery"
    assert is_closed(project), "all four advances happened, the last one accepted the project"


# --- switches ---------------------------------------------------------------------------------


def test_switch_from_modelling_back_to_data(
    store: Store, framework: Framework, ctx: Context
) -> None:
    reach(store, framework, ctx, "modelling")
    apply(store, framework, ctx, set_status, "data.pipeline", "doing")
    apply(store, framework, ctx, set_status, "modelling.baseline", "done")
    apply(store, framework, ctx, set_status, "modelling.training", "doing")
    apply(store, framework, ctx, set_status, "feature-engineering", "skipped", reason="n/a")
    apply(store, framework, ctx, set_status, "delivery.documentation", "doing")
    apply(store, framework, ctx, set_status, "delivery.handover", "done")
    before = store.load()
    data_before = {k: v for k, v in before.raw("modules").items() if k.startswith("data.")}
    previous = current_visit(before)
    assert previous is not None

    later = Context("alice", "2026-03-03T09:30:00Z", make_id=fixed_ids("sw"))
    store.apply(
        lambda p: switch_back(p, framework, later, "data", "data", " only one season "),
        later.who,
        later.now,
    )
    project = store.load()

    expected = [
        "modelling.baseline",
        "modelling.training",
        "delivery.documentation",
        "delivery.handover",
    ]
    for module_id in expected:
        state = project.modules[module_id]
        assert state.status == "revisit", module_id
        assert (state.updated_by, state.updated_at) == ("alice", later.now)
    assert module_status(project, "modelling.feature-engineering") == "skipped"
    assert module_status(project, "modelling.evaluation") == "todo"
    assert module_status(project, "delivery.acceptance") == "todo"
    data_after = {k: v for k, v in project.raw("modules").items() if k.startswith("data.")}
    assert data_after == data_before, "the target stage's own modules stay as they were"

    assert current_stage_id(project) == "data"
    assert iteration(project) == 2
    (switch,) = project.switches
    assert (switch.from_stage, switch.to_stage, switch.to_module) == ("modelling", "data", None)
    assert (switch.category, switch.reason, switch.iteration) == ("data", "only one season", 2)
    assert list(switch.revisit) == expected
    assert (switch.by, switch.at) == ("alice", later.now)

    visit = current_visit(project)
    assert visit is not None
    assert (visit.stage, visit.how, visit.iteration, visit.switch) == (
        "data",
        "switch",
        2,
        switch.id,
    )
    old = next(v for v in project.visits if v.id == previous.id)
    assert old.left_at == later.now
    assert len([v for v in project.visits if v.left_at is None]) == 1
    event = new_event(before, project)
    assert (event.action, event.by, event.at) == ("stage.switch", "alice", later.now)
    assert switch.id in event.refs


def test_switch_to_a_module_of_the_current_stage(
    store: Store, framework: Framework, ctx: Context
) -> None:
    reach(store, framework, ctx, "modelling")
    for short in ("baseline", "training", "evaluation"):
        apply(store, framework, ctx, set_status, f"modelling.{short}", "done")
    apply(store, framework, ctx, set_status, "delivery.documentation", "done")
    apply(store, framework, ctx, set_status, "delivery.acceptance", "doing")

    project = apply(
        store, framework, ctx, switch_back, "modelling", "modelling", "leak found", "training"
    )
    assert module_status(project, "modelling.training") == "revisit"
    assert module_status(project, "modelling.baseline") == "done"
    assert module_status(project, "modelling.evaluation") == "done"
    assert module_status(project, "delivery.documentation") == "revisit"
    assert module_status(project, "delivery.acceptance") == "revisit"
    assert module_status(project, "data.cleaning") == "done"
    (switch,) = project.switches
    assert switch.to_module == "modelling.training" and switch.to_stage == "modelling"
    assert list(switch.revisit) == [
        "modelling.training",
        "delivery.documentation",
        "delivery.acceptance",
    ]
    assert current_stage_id(project) == "modelling" and iteration(project) == 2


def test_switch_to_a_todo_module_does_not_mark_it(
    store: Store, framework: Framework, ctx: Context
) -> None:
    reach(store, framework, ctx, "data")
    project = apply(store, framework, ctx, switch_back, "data", "data", "new source", "pipeline")
    assert module_status(project, "data.pipeline") == "todo"
    assert project.switches[0].revisit == ()
    assert iteration(project) == 2


def test_switch_forward_is_refused(store: Store, framework: Framework, ctx: Context) -> None:
    message = refused(store, framework, ctx, RuleError, switch_back, "data", "data", "why not")
    assert "forward" in message
    reach(store, framework, ctx, "data")
    refused(store, framework, ctx, RuleError, switch_back, "4", "other", "skip ahead")
    refused(store, framework, ctx, RuleError, switch_back, "modelling", "other", "x", "baseline")
    assert store.load().switches == ()


def test_switch_to_the_current_stage_needs_a_module(
    store: Store, framework: Framework, ctx: Context
) -> None:
    reach(store, framework, ctx, "data")
    message = refused(store, framework, ctx, RuleError, switch_back, "data", "data", "again")
    assert "--module" in message


@pytest.mark.parametrize(
    ("category", "reason", "module"),
    [
        ("weather", "a reason", None),
        ("data", "", None),
        ("data", "   ", None),
        ("data", "a reason", "modelling.baseline"),  # not a module of the target stage
        ("data", "a reason", "nope"),
    ],
)
def test_switch_usage_errors(
    store: Store,
    framework: Framework,
    ctx: Context,
    category: str,
    reason: str,
    module: str | None,
) -> None:
    reach(store, framework, ctx, "modelling")
    refused(store, framework, ctx, UsageError, switch_back, "data", category, reason, module)
    assert iteration(store.load()) == 1


def test_switch_back_reopens_a_closed_project(
    store: Store, framework: Framework, ctx: Context
) -> None:
    reach(store, framework, ctx, "delivery")
    finish(store, framework, ctx, "delivery")
    apply(store, framework, ctx, advance)
    project = apply(store, framework, ctx, switch_back, "modelling", "modelling", "client asks")
    assert not is_closed(project)
    assert current_stage_id(project) == "modelling" and iteration(project) == 2
    assert module_status(project, "delivery.acceptance") == "revisit"
    assert len([v for v in project.visits if v.left_at is None]) == 1


def test_each_switch_starts_a_new_iteration(
    store: Store, framework: Framework, ctx: Context
) -> None:
    reach(store, framework, ctx, "modelling")
    apply(store, framework, ctx, switch_back, "data", "data", "one")
    apply(store, framework, ctx, switch_back, "business", "business", "two")
    project = apply(store, framework, ctx, switch_back, "1", "other", "three", "objectives")
    assert iteration(project) == 4
    assert [s.iteration for s in project.switches] == [2, 3, 4]
    # Advancing keeps the iteration.
    finish(store, framework, ctx, "business")
    project = apply(store, framework, ctx, advance)
    assert iteration(project) == 4 and current_stage_id(project) == "data"


# --- decisions --------------------------------------------------------------------------------


def test_decide_records_a_decision(store: Store, framework: Framework, ctx: Context) -> None:
    before = store.load()
    store.apply(
        lambda p: decide(
            p,
            framework,
            ctx,
            " Use F1 ",
            "F1 on held-out data",
            context="imbalanced",
            rationale="recall matters",
        ),
        ctx.who,
        ctx.now,
    )
    project = store.load()
    (decision,) = project.decisions
    assert decision.title == "Use F1" and decision.decision == "F1 on held-out data"
    assert (decision.context, decision.rationale) == ("imbalanced", "recall matters")
    assert (decision.status, decision.stage, decision.module) == ("accepted", "business", None)
    assert (decision.created_by, decision.created_at) == ("tester", ctx.now)
    assert new_event(before, project).action == "decision.add"


def test_decide_with_module_and_stage(store: Store, framework: Framework, ctx: Context) -> None:
    project = apply(
        store, framework, ctx, decide, "Drop rows", "drop", module="cleaning", status="proposed"
    )
    assert (project.decisions[0].stage, project.decisions[0].module) == ("data", "data.cleaning")
    assert project.decisions[0].status == "proposed"
    project = apply(store, framework, ctx, decide, "Ship", "ship it", stage="4")
    assert project.decisions[-1].stage == "delivery"


@pytest.mark.parametrize(
    ("title", "decision", "status"),
    [("", "x", "accepted"), ("T", " ", "accepted"), ("T", "x", "maybe")],
)
def test_decide_usage_errors(
    store: Store, framework: Framework, ctx: Context, title: str, decision: str, status: str
) -> None:
    refused(store, framework, ctx, UsageError, decide, title, decision, status=status)


def test_supersedes_links_both_ways(store: Store, framework: Framework, ctx: Context) -> None:
    old_id = store.apply(
        lambda p: decide(p, framework, ctx, "Use accuracy", "accuracy"), ctx.who, ctx.now
    ).change.result
    assert old_id is not None
    before = store.load()
    new_id = store.apply(
        lambda p: decide(p, framework, ctx, "Use F1", "F1", supersedes=old_id[:5]),
        ctx.who,
        ctx.now,
    ).change.result
    project = store.load()
    old = project.decision(old_id)
    new = project.decision(str(new_id))
    assert old is not None and new is not None
    assert new.supersedes == old_id and new.superseded_by is None
    assert old.superseded_by == new_id and old.status == "superseded"
    assert old.title == "Use accuracy", "superseding keeps the old record"
    assert new.status == "accepted"
    assert sorted(new_event(before, project).refs) == sorted([old_id, str(new_id)])

    message = refused(store, framework, ctx, RuleError, decide, "Use AUC", "AUC", supersedes=old_id)
    assert str(new_id) in message
    assert len(store.load().decisions) == 2


def test_supersedes_an_unknown_decision_is_refused(
    store: Store, framework: Framework, ctx: Context
) -> None:
    refused(store, framework, ctx, UsageError, decide, "T", "x", supersedes="nothing")


def test_find_record_resolves_prefixes(store: Store, framework: Framework, ctx: Context) -> None:
    for title in ("one", "two"):
        apply(store, framework, ctx, decide, title, "x")
    decisions = store.load().decisions
    first, second = decisions
    assert first.id[:-1] == second.id[:-1], "fixed ids share a prefix"
    assert find_record(decisions, first.id, "decision") is first
    assert find_record(decisions, f" {second.id} ", "decision") is second
    with pytest.raises(UsageError, match="ambiguous"):
        find_record(decisions, first.id[:-1], "decision")
    with pytest.raises(UsageError, match="no decision"):
        find_record(decisions, "zz", "decision")
    with pytest.raises(UsageError):
        find_record(decisions, "", "decision")


def test_find_record_prefers_an_exact_id(framework: Framework, ctx: Context) -> None:
    ids = iter(["meta", "visit", "ab", "abc"])
    local = Context("tester", ctx.now, make_id=lambda: next(ids))
    tables: dict[str, Any] = new_project("P", local)
    project = Project(tables)
    for title in ("short", "long"):
        change = decide(project, framework, local, title, "x")
        for put in change.puts:
            assert isinstance(put, Put)
            tables.setdefault(put.table, {})[put.id] = dict(put.fields)
        project = Project(tables)
    assert find_record(project.decisions, "ab", "decision").title == "short"
    assert find_record(project.decisions, "abc", "decision").title == "long"


# --- durations and days -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "minutes"),
    [("45m", 45), ("1h30m", 90), ("2h", 120), ("1.5h", 90), ("90m", 90), ("24h", 1440)],
)
def test_durations(text: str, minutes: int) -> None:
    assert parse_duration(text) == minutes


@pytest.mark.parametrize("text", ["0m", "-1h", "abc", "25h", "", "0h", "1d", "h", "1h30"])
def test_bad_durations_are_refused(text: str) -> None:
    with pytest.raises(UsageError) as info:
        parse_duration(text)
    assert f"'{text}'" in str(info.value)


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("2026-03-01", "2026-03-01"),
        ("2026-03-02", "2026-03-02"),
        ("2025-12-31", "2025-12-31"),
        ("today", "2026-03-02"),
        ("Yesterday", "2026-03-01"),
    ],
)
def test_days(text: str, day: str) -> None:
    assert parse_day(text, "2026-03-02") == day


@pytest.mark.parametrize("text", ["2026-03-03", "2027-01-01", "tomorrow", "garbage", "2026-02-30"])
def test_bad_or_future_days_are_refused(text: str) -> None:
    with pytest.raises(UsageError) as info:
        parse_day(text, "2026-03-02")
    assert f"'{text}'" in str(info.value)


# --- effort -----------------------------------------------------------------------------------


def test_effort_defaults_to_the_current_stage_and_records_the_iteration(
    store: Store, framework: Framework, ctx: Context
) -> None:
    project = apply(store, framework, ctx, log_effort, "1h30m", note=" reading ")
    (entry,) = project.effort
    assert (entry.minutes, entry.stage, entry.module, entry.iteration) == (90, "business", None, 1)
    assert (entry.on, entry.note, entry.by, entry.at) == (
        "2026-03-02",
        "reading",
        "tester",
        ctx.now,
    )

    reach(store, framework, ctx, "modelling")
    apply(store, framework, ctx, switch_back, "data", "data", "more data")
    project = apply(store, framework, ctx, log_effort, "45m", on="yesterday")
    entry = next(e for e in project.effort if e.minutes == 45)
    assert (entry.minutes, entry.stage, entry.iteration, entry.on) == (45, "data", 2, "2026-03-01")


def test_effort_on_a_module_or_stage(store: Store, framework: Framework, ctx: Context) -> None:
    project = apply(store, framework, ctx, log_effort, "2h", module="evaluation")
    assert (project.effort[-1].stage, project.effort[-1].module) == (
        "modelling",
        "modelling.evaluation",
    )
    project = apply(store, framework, ctx, log_effort, "1.5h", stage="3", on="2026-02-01")
    entry = next(e for e in project.effort if e.on == "2026-02-01")
    assert (entry.stage, entry.module, entry.minutes) == ("modelling", None, 90)
    assert status_summary(project, framework)["effort_minutes"] == 210


@pytest.mark.parametrize(
    "kw",
    [
        {"duration": "0m"},
        {"duration": "25h"},
        {"duration": "1h", "stage": "data", "module": "cleaning"},
        {"duration": "1h", "on": "2026-03-03"},
        {"duration": "1h", "stage": "deployment"},
        {"duration": "1h", "experiment": "nothing"},
    ],
)
def test_effort_usage_errors(
    store: Store, framework: Framework, ctx: Context, kw: dict[str, str]
) -> None:
    options = dict(kw)
    duration = options.pop("duration")
    refused(store, framework, ctx, UsageError, log_effort, duration, **options)
    assert store.load().effort == ()


# --- experiments ------------------------------------------------------------------------------


def test_experiments_add_keep_abandon(store: Store, framework: Framework, ctx: Context) -> None:
    first = store.apply(
        lambda p: add_experiment(
            p, framework, ctx, "GBM", hypothesis="trees win", link="run 42", module="training"
        ),
        ctx.who,
        ctx.now,
    ).change.result
    second = store.apply(
        lambda p: add_experiment(p, framework, ctx, "Linear"), ctx.who, ctx.now
    ).change.result
    assert first and second
    project = store.load()
    gbm = project.experiment(first)
    assert gbm is not None
    assert (gbm.title, gbm.hypothesis, gbm.link, gbm.status) == (
        "GBM",
        "trees win",
        "run 42",
        "running",
    )
    assert (gbm.stage, gbm.module, gbm.created_by) == ("modelling", "modelling.training", "tester")

    refused(store, framework, ctx, UsageError, lambda p, f, c: abandon_experiment(p, c, second, ""))
    before = store.load()
    store.apply(lambda p: abandon_experiment(p, ctx, second, " too weak "), ctx.who, ctx.now)
    middle = store.load()
    assert new_event(before, middle).action == "experiment.abandoned"
    store.apply(lambda p: keep_experiment(p, ctx, first), ctx.who, ctx.now)
    project = store.load()
    assert new_event(middle, project).action == "experiment.kept"
    linear, gbm = project.experiment(second), project.experiment(first)
    assert linear is not None and gbm is not None
    assert (linear.status, linear.reason) == ("abandoned", "too weak")
    assert gbm.status == "kept"
    assert len(project.experiments) == 2, "abandoned experiments stay in the log"


def test_experiment_title_is_required(store: Store, framework: Framework, ctx: Context) -> None:
    refused(store, framework, ctx, UsageError, add_experiment, "  ")


def test_effort_linked_to_an_experiment(store: Store, framework: Framework, ctx: Context) -> None:
    experiment_id = store.apply(
        lambda p: add_experiment(p, framework, ctx, "GBM"), ctx.who, ctx.now
    ).change.result
    assert experiment_id
    project = apply(store, framework, ctx, log_effort, "30m", experiment=experiment_id)
    (entry,) = project.effort
    assert (entry.experiment, entry.stage, entry.minutes) == (experiment_id, "modelling", 30)


# --- exploration questions --------------------------------------------------------------------


@pytest.mark.parametrize("number", ["1", "2", "3", "4", "5"])
@pytest.mark.parametrize("answer", ["yes", "no", "partly", "unknown"])
def test_answers(
    store: Store, framework: Framework, ctx: Context, number: str, answer: str
) -> None:
    project = apply(store, framework, ctx, answer_question, number, answer.upper(), note="n")
    stored = project.answers[int(number)]
    assert (stored.answer, stored.note, stored.updated_by) == (answer, "n", "tester")
    assert raw(store)["questions"][number]["answer"] == answer


@pytest.mark.parametrize(
    ("number", "answer"), [("0", "yes"), ("6", "yes"), ("x", "no"), ("1", "maybe")]
)
def test_bad_answers_are_refused(
    store: Store, framework: Framework, ctx: Context, number: str, answer: str
) -> None:
    refused(store, framework, ctx, UsageError, answer_question, number, answer)
    assert store.load().answers == {}


# --- writing: nothing for no-ops, one event per change ----------------------------------------


@pytest.mark.parametrize(
    ("rule", "args"),
    [
        (set_status, ("business.objectives", "doing")),
        (set_note, ("business.objectives", "same")),
        (answer_question, ("2", "partly")),
    ],
)
def test_a_change_that_changes_nothing_writes_nothing(
    store: Store,
    framework: Framework,
    ctx: Context,
    rule: Callable[..., Change],
    args: tuple[str, ...],
) -> None:
    apply(store, framework, ctx, rule, *args)
    before_bytes = store.path.read_bytes()
    before_stat = store.path.stat()
    events = len(store.load().events)

    # Repeated later by someone else: still nothing to write.
    later = Context("bob", "2026-03-05T16:00:00Z", make_id=fixed_ids("later"))
    applied = store.apply(lambda p: rule(p, framework, later, *args), later.who, later.now)

    assert applied.written is False
    assert store.path.read_bytes() == before_bytes
    after_stat = store.path.stat()
    assert (after_stat.st_mtime_ns, after_stat.st_ino) == (
        before_stat.st_mtime_ns,
        before_stat.st_ino,
    )
    assert len(store.load().events) == events


def test_keeping_a_kept_experiment_writes_nothing(
    store: Store, framework: Framework, ctx: Context
) -> None:
    experiment_id = store.apply(
        lambda p: add_experiment(p, framework, ctx, "GBM"), ctx.who, ctx.now
    ).change.result
    assert experiment_id
    store.apply(lambda p: keep_experiment(p, ctx, experiment_id), ctx.who, ctx.now)
    before = store.path.read_bytes()
    mtime = store.path.stat().st_mtime_ns
    later = Context("bob", "2026-03-05T16:00:00Z")
    applied = store.apply(lambda p: keep_experiment(p, later, experiment_id), later.who, later.now)
    assert applied.written is False
    assert store.path.read_bytes() == before and store.path.stat().st_mtime_ns == mtime


CHANGES: list[tuple[str, Callable[[Project, Framework, Context], Change]]] = [
    ("module.set", lambda p, f, c: set_status(p, f, c, "objectives", "done")),
    ("module.note", lambda p, f, c: set_note(p, f, c, "objectives", "a note")),
    ("stage.advance", lambda p, f, c: advance(p, f, c, force=True, why="go")),
    ("decision.add", lambda p, f, c: decide(p, f, c, "T", "D")),
    ("effort.log", lambda p, f, c: log_effort(p, f, c, "1h")),
    ("experiment.add", lambda p, f, c: add_experiment(p, f, c, "E")),
    ("question.answer", lambda p, f, c: answer_question(p, f, c, "1", "yes")),
]


@pytest.mark.parametrize(("action", "rule"), CHANGES, ids=[a for a, _ in CHANGES])
def test_every_change_adds_exactly_one_event(
    store: Store,
    framework: Framework,
    action: str,
    rule: Callable[[Project, Framework, Context], Change],
) -> None:
    before = raw(store)["events"]
    who, now = "bob", "2026-03-04T08:15:00Z"
    actor = Context(who, now, make_id=fixed_ids("ch"))
    applied = store.apply(lambda p: rule(p, framework, actor), who, now)
    assert applied.written is True
    after = raw(store)["events"]
    added = {k: v for k, v in after.items() if k not in before}
    assert len(after) == len(before) + 1 and len(added) == 1
    (event,) = added.values()
    assert (event["by"], event["at"], event["action"]) == (who, now, action)
    assert event["summary"].strip()
    assert sorted(event["refs"]) == sorted({put.id for put in applied.change.puts})
    assert all(before[k] == after[k] for k in before), "history is append-only"


def test_switch_adds_exactly_one_event(store: Store, framework: Framework, ctx: Context) -> None:
    reach(store, framework, ctx, "data")
    before = store.load()
    project = apply(store, framework, ctx, switch_back, "business", "business", "scope changed")
    assert len(project.events) == len(before.events) + 1
    event = new_event(before, project)
    assert (event.action, event.by, event.at) == ("stage.switch", "tester", ctx.now)


# --- property: advance / switch / set_status sequences ----------------------------------------

STAGES = ("business", "data", "modelling", "delivery")
# Mostly forced advances (with a reason), so that sequences get far enough to switch and close.
OPERATION = st.one_of(
    st.tuples(st.just("advance"), st.sampled_from([True, True, False])),
    st.tuples(
        st.just("switch"),
        st.sampled_from(STAGES),
        st.sampled_from(["business", "data", "modelling", "other", "weather"]),
        st.one_of(st.none(), st.integers(min_value=0, max_value=4), st.just("nope")),
    ),
    st.tuples(
        st.just("set"),
        st.sampled_from(
            [
                "business.objectives",
                "business.problem-definition",
                "data.cleaning",
                "modelling.evaluation",
                "delivery.acceptance",
            ]
        ),
        st.sampled_from(MODULE_STATUSES),
        st.sampled_from([None, "because"]),
    ),
    st.tuples(st.just("finish"), st.sampled_from(STAGES)),
)


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(operations=st.lists(OPERATION, min_size=8, max_size=40))
def test_random_sequences_keep_the_lifecycle_consistent(
    tmp_path_factory: pytest.TempPathFactory,
    framework: Framework,
    operations: list[tuple[Any, ...]],
) -> None:
    clock = iter(range(10**6))

    def context() -> Context:
        second = next(clock)
        now = f"2026-03-02T{10 + second // 3600:02d}:{second // 60 % 60:02d}:{second % 60:02d}Z"
        return Context("prop", now, make_id=ids)

    ids = fixed_ids("p")
    folder = tmp_path_factory.mktemp("prop")
    store = Store.create(folder / "mlpl.json", new_project("Prop", context()))
    previous_iteration = 1

    for operation in operations:
        ctx = context()
        kind = operation[0]
        try:
            if kind == "advance":
                apply(store, framework, ctx, advance, force=operation[1], why="go")
            elif kind == "switch":
                _, stage, category, pick = operation
                modules = framework.stage(stage).modules
                module = modules[pick % len(modules)].id if isinstance(pick, int) else pick
                apply(store, framework, ctx, switch_back, stage, category, "why", module)
            elif kind == "set":
                _, module, status, note = operation
                apply(store, framework, ctx, set_status, module, status, note=note)
            else:
                for module in framework.stage(operation[1]).required_modules:
                    apply(store, framework, ctx, set_status, module.id, "done")
        except (RuleError, UsageError):
            pass  # refused: the invariants must hold all the same

        project = store.load()
        open_visits = [v for v in project.visits if v.left_at is None]
        assert len(open_visits) == 1 or (not open_visits and is_closed(project))
        assert iteration(project) >= previous_iteration
        previous_iteration = iteration(project)
        assert iteration(project) == 1 + len(project.switches)
        assert max(v.iteration for v in project.visits) == iteration(project)
        assert {m.status for m in project.modules.values()} <= set(MODULE_STATUSES)
        assert all(s.revisit == tuple(dict.fromkeys(s.revisit)) for s in project.switches)
