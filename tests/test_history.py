"""History keeps every value a change replaced; undo and redo revert changes as new changes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mlpl_tui import corrections, history, lifecycle
from mlpl_tui.errors import RuleError
from mlpl_tui.framework import Framework
from mlpl_tui.lifecycle import Context, new_project
from mlpl_tui.model import EditConflict, Project
from mlpl_tui.records import Event
from mlpl_tui.store import MemoryStore
from tests.conftest import fixed_ids

NOW = "2026-03-02T10:00:00Z"
LONG = "the join on customer id leaks the churn label into the features " * 3


def new_store() -> MemoryStore:
    return MemoryStore(new_project("History", Context("setup", NOW, make_id=fixed_ids("s"))))


class Team:
    """A project in memory and the people changing it, one second apart."""

    def __init__(self, framework: Framework) -> None:
        self.store = new_store()
        self.framework = framework
        self.ids = fixed_ids("r")
        self.second = 0

    def ctx(self, who: str) -> Context:
        self.second += 1
        at = f"2026-03-02T10:{self.second // 60:02d}:{self.second % 60:02d}Z"
        return Context(who, at, make_id=self.ids)

    def do(self, who: str, rule: Callable[..., Any], *args: Any, **kw: Any) -> Any:
        ctx = self.ctx(who)
        if rule in (history.undo, history.redo):
            decide: Callable[[Project], Any] = lambda p: rule(p, who)  # noqa: E731
        elif rule in (
            lifecycle.abandon_experiment,
            lifecycle.keep_experiment,
            corrections.remove_effort,
        ):
            decide = lambda p: rule(p, ctx, *args, **kw)  # noqa: E731
        else:
            decide = lambda p: rule(p, self.framework, ctx, *args, **kw)  # noqa: E731
        return self.store.apply(decide, who, ctx.now).change.result

    @property
    def project(self) -> Project:
        return self.store.load()

    def records(self) -> dict[str, Any]:
        """Every table but the history."""
        return {name: t for name, t in self.store.data.items() if name != "events"}

    def last_event(self) -> Event:
        return self.project.events[-1]


def texts_in_history(project: Project) -> list[str]:
    found = []
    for event in project.events:
        for change in history.field_changes(event):
            for value in (change.before, change.after):
                if isinstance(value, str):
                    found.append(value)
    return found


# --- nothing written is lost -------------------------------------------------------------------


def test_a_replaced_note_stays_whole_in_the_history(framework: Framework) -> None:
    team = Team(framework)
    team.do("ann", lifecycle.set_note, "business.objectives", LONG)
    team.do("bob", lifecycle.set_status, "business.objectives", "done", note="short")
    event = team.last_event()
    (note,) = [c for c in history.field_changes(event) if c.field == "note"]
    assert (note.before, note.after) == (LONG.strip(), "short")
    assert LONG.strip() in texts_in_history(team.project)


def test_skipping_keeps_the_note_and_stores_the_reason_beside_it(framework: Framework) -> None:
    team = Team(framework)
    team.do("ann", lifecycle.set_note, "business.constraints", "regulator list pending")
    team.do("ann", lifecycle.set_status, "business.constraints", "skipped", reason="none apply")
    state = team.project.modules["business.constraints"]
    assert (state.status, state.note, state.reason) == (
        "skipped",
        "regulator list pending",
        "none apply",
    )


def test_keeping_an_abandoned_experiment_needs_force_and_keeps_its_reason(
    framework: Framework,
) -> None:
    team = Team(framework)
    exp = team.do("ann", lifecycle.add_experiment, "GBM")
    team.do("ann", lifecycle.abandon_experiment, exp, LONG)
    with pytest.raises(RuleError, match="--force"):
        team.do("ann", lifecycle.keep_experiment, exp)
    assert team.project.experiment(exp).status == "abandoned"  # type: ignore[union-attr]
    team.do("ann", lifecycle.keep_experiment, exp, force=True, result="AUC 0.81")
    kept = team.project.experiment(exp)
    assert kept is not None
    assert (kept.status, kept.reason, kept.result) == ("kept", LONG.strip(), "AUC 0.81")
    assert "(was abandoned)" in team.last_event().summary


def test_a_note_changed_since_the_user_started_is_not_overwritten(framework: Framework) -> None:
    team = Team(framework)
    team.do("ann", lifecycle.set_note, "business.objectives", "first")
    team.do("bob", lifecycle.set_note, "business.objectives", "bob's note")
    with pytest.raises(EditConflict) as refused:
        team.do("ann", lifecycle.set_note, "business.objectives", "ann's", note_from="first")
    assert (refused.value.started, refused.value.stored, refused.value.mine) == (
        "first",
        "bob's note",
        "ann's",
    )
    assert team.project.modules["business.objectives"].note == "bob's note"
    team.do("ann", lifecycle.set_note, "business.objectives", "ann's", note_from="bob's note")
    assert team.project.modules["business.objectives"].note == "ann's"


def test_an_edit_of_a_decision_changed_meanwhile_is_refused(framework: Framework) -> None:
    team = Team(framework)
    d = team.do("ann", lifecycle.decide, "Weekly churn", "per week", context="old")
    team.do("bob", corrections.edit_decision, d, context="bob's context")
    with pytest.raises(EditConflict, match="changed by someone else"):
        team.do("ann", corrections.edit_decision, d, context="mine", started={"context": "old"})


def test_event_summaries_stay_short_but_the_full_reason_is_in_the_history(
    framework: Framework,
) -> None:
    team = Team(framework)
    team.do("ann", lifecycle.advance, force=True, why="sponsor waived the gate")
    team.do("ann", lifecycle.switch_back, "business", "data", LONG)
    event = team.last_event()
    assert LONG.strip() not in event.summary
    assert LONG.strip() in [c.after for c in history.field_changes(event) if c.field == "reason"]


# --- corrections -------------------------------------------------------------------------------


def test_a_proposed_decision_can_be_accepted_or_rejected_and_an_accepted_one_deprecated(
    framework: Framework,
) -> None:
    team = Team(framework)
    d = team.do("ann", lifecycle.decide, "Use GBM", "GBM first", status="proposed")
    team.do("ann", corrections.edit_decision, d, status="accepted")
    assert team.last_event().action == "decision.status"
    with pytest.raises(RuleError, match="it can become deprecated"):
        team.do("ann", corrections.edit_decision, d, status="rejected")
    team.do("ann", corrections.edit_decision, d, status="deprecated")
    with pytest.raises(RuleError, match="supersedes"):
        team.do("ann", corrections.edit_decision, d, status="superseded")
    assert team.project.decision(d).status == "deprecated"  # type: ignore[union-attr]


def test_effort_entries_can_be_edited_and_removed(framework: Framework) -> None:
    team = Team(framework)
    entry = team.do("ann", lifecycle.log_effort, "1h", module="data.cleaning", note="x")
    team.do("ann", corrections.edit_effort, entry, duration="45m", note="cleaning nulls")
    (stored,) = team.project.effort
    assert (stored.minutes, stored.note) == (45, "cleaning nulls")
    team.do("ann", corrections.remove_effort, entry)
    assert team.project.effort == ()
    removed = team.last_event()
    (change,) = history.record_changes(removed) or []
    assert change.after is None and change.before is not None
    assert change.before["minutes"] == 45


# --- undo and redo -----------------------------------------------------------------------------


def _setup(team: Team) -> dict[str, str]:
    exp = team.do("ann", lifecycle.add_experiment, "GBM", stage="data")
    d = team.do("ann", lifecycle.decide, "Weekly", "per week", status="proposed")
    e = team.do("ann", lifecycle.log_effort, "1h")
    return {"exp": exp, "d": d, "e": e}


KINDS: list[
    tuple[str, Callable[..., Any], Callable[[dict[str, str]], tuple[Any, ...]], dict[str, Any]]
] = [
    ("set", lifecycle.set_status, lambda r: ("business.objectives", "done"), {"note": "n"}),
    (
        "skip",
        lifecycle.set_status,
        lambda r: ("business.stakeholders", "skipped"),
        {"reason": "n/a"},
    ),
    ("note", lifecycle.set_note, lambda r: ("business.objectives", LONG), {}),
    ("advance", lifecycle.advance, lambda r: (), {"force": True, "why": "waived"}),
    ("decide", lifecycle.decide, lambda r: ("Daily", "per day"), {"supersedes": None}),
    ("supersede", lifecycle.decide, lambda r: ("Daily", "per day"), {"supersedes": "d"}),
    ("log", lifecycle.log_effort, lambda r: ("2h",), {"module": "data.cleaning"}),
    ("experiment", lifecycle.add_experiment, lambda r: ("XGB",), {}),
    ("abandon", lifecycle.abandon_experiment, lambda r: (r["exp"], "leak"), {}),
    ("keep", lifecycle.keep_experiment, lambda r: (r["exp"],), {"result": "AUC .8"}),
    ("answer", lifecycle.answer_question, lambda r: ("1", "yes"), {"note": "clear"}),
    ("edit decision", corrections.edit_decision, lambda r: (r["d"],), {"status": "accepted"}),
    ("edit experiment", corrections.edit_experiment, lambda r: (r["exp"],), {"result": "ok"}),
    ("edit effort", corrections.edit_effort, lambda r: (r["e"],), {"duration": "30m"}),
    ("remove effort", corrections.remove_effort, lambda r: (r["e"],), {}),
]


@pytest.mark.parametrize(("name", "rule", "args", "kw"), KINDS, ids=[k[0] for k in KINDS])
def test_undo_returns_the_records_to_what_they_were_and_redo_does_it_again(
    framework: Framework,
    name: str,
    rule: Callable[..., Any],
    args: Callable[[dict[str, str]], tuple[Any, ...]],
    kw: dict[str, Any],
) -> None:
    team = Team(framework)
    refs = _setup(team)
    if kw.get("supersedes") == "d":
        kw = {**kw, "supersedes": refs["d"]}
    before = team.records()
    team.do("ann", rule, *args(refs), **kw)
    after = team.records()
    assert after != before, "the change wrote something"
    events = len(team.project.events)

    team.do("ann", history.undo)
    assert team.records() == before
    undo = team.last_event()
    assert undo.action == "undo" and undo.by == "ann"
    assert len(team.project.events) == events + 1, "an undo is a change in the history"

    team.do("ann", history.redo)
    assert team.records() == after
    team.do("ann", history.undo)
    assert team.records() == before


def test_undo_switch_back_restores_the_stage_and_the_revisit_marks(framework: Framework) -> None:
    team = Team(framework)
    team.do("ann", lifecycle.set_status, "business.objectives", "done")
    team.do("ann", lifecycle.advance, force=True, why="waived")
    before = team.records()
    team.do("ann", lifecycle.switch_back, "business", "data", "labels wrong")
    team.do("ann", history.undo)
    assert team.records() == before


def test_undo_takes_only_the_users_own_changes_and_refuses_when_someone_changed_the_field(
    framework: Framework,
) -> None:
    team = Team(framework)
    team.do("ann", lifecycle.set_note, "business.objectives", "ann's note")
    team.do("bob", lifecycle.set_note, "business.objectives", "bob's note")
    with pytest.raises(RuleError) as refused:
        team.do("ann", history.undo)
    message = str(refused.value)
    assert "bob" in message and "note" in message and "business.objectives" in message
    assert team.project.modules["business.objectives"].note == "bob's note"
    team.do("bob", history.undo)  # bob's own change is his to undo
    assert team.project.modules["business.objectives"].note == "ann's note"


def test_undo_walks_back_through_the_users_changes_and_redo_forward(framework: Framework) -> None:
    team = Team(framework)
    states = [team.records()]
    for status in ("doing", "done"):
        team.do("ann", lifecycle.set_status, "business.objectives", status)
        states.append(team.records())
    team.do("ann", history.undo)
    assert team.records() == states[1]
    team.do("ann", history.undo)
    assert team.records() == states[0]
    with pytest.raises(RuleError, match="nothing to undo"):
        team.do("ann", history.undo)
    team.do("ann", history.redo)
    team.do("ann", history.redo)
    assert team.records() == states[2]
    with pytest.raises(RuleError, match="nothing to redo"):
        team.do("ann", history.redo)


def test_a_new_change_after_an_undo_ends_redo(framework: Framework) -> None:
    team = Team(framework)
    team.do("ann", lifecycle.set_status, "business.objectives", "doing")
    team.do("ann", history.undo)
    team.do("ann", lifecycle.set_status, "business.stakeholders", "doing")
    with pytest.raises(RuleError, match="came after your last undo"):
        team.do("ann", history.redo)


def test_events_of_older_files_cannot_be_undone_and_say_why(framework: Framework) -> None:
    team = Team(framework)
    team.do("ann", lifecycle.set_status, "business.objectives", "doing")
    data = team.store.data
    (event_id,) = [i for i, e in data["events"].items() if e["by"] == "ann"]
    old = {k: v for k, v in data["events"][event_id].items() if k != "changes"}
    store = MemoryStore({**data, "events": {**data["events"], event_id: old}})
    with pytest.raises(RuleError, match="before history kept"):
        store.apply(lambda p: history.undo(p, "ann"), "ann", NOW)


@pytest.mark.parametrize(
    "changes",
    ["text", [1], [{"table": 1, "id": "x"}], [{"table": "t", "id": "x", "before": "s"}], {}],
)
def test_a_damaged_changes_entry_reads_as_unknown_not_as_an_error(changes: Any) -> None:
    event = Event.parse(
        "e1", {"at": NOW, "by": "x", "action": "a", "summary": "", "changes": changes}
    )
    assert history.record_changes(event) is None
    assert list(history.field_changes(event)) == []


# --- any sequence of changes, undone, leaves the records as they were ---------------------------

STEPS = st.lists(
    st.sampled_from(
        [
            ("set", lifecycle.set_status, ("business.objectives", "doing"), {"note": "a"}),
            ("set", lifecycle.set_status, ("business.objectives", "done"), {}),
            ("set", lifecycle.set_status, ("business.stakeholders", "skipped"), {"reason": "r"}),
            ("note", lifecycle.set_note, ("business.stakeholders", "b"), {}),
            ("advance", lifecycle.advance, (), {"force": True, "why": "w"}),
            ("switch", lifecycle.switch_back, ("business", "data", "why"), {}),
            ("decide", lifecycle.decide, ("T", "d"), {"status": "proposed"}),
            ("log", lifecycle.log_effort, ("15m",), {}),
            ("experiment", lifecycle.add_experiment, ("E",), {}),
            ("answer", lifecycle.answer_question, ("2", "partly"), {"note": "n"}),
        ]
    ),
    min_size=1,
    max_size=12,
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=STEPS)
def test_undoing_every_change_returns_the_records_to_the_start(
    framework: Framework,
    steps: list[tuple[str, Callable[..., Any], tuple[Any, ...], dict[str, Any]]],
) -> None:
    team = Team(framework)
    start, start_events = team.records(), len(team.project.events)
    written = 0
    for _, rule, args, kw in steps:
        try:
            before = len(team.project.events)
            team.do("ann", rule, *args, **kw)
            written += len(team.project.events) - before
        except RuleError:
            pass  # e.g. a switch from the first stage: refused, nothing written
    for _ in range(written):
        team.do("ann", history.undo)
    assert team.records() == start
    assert len(team.project.events) == start_events + 2 * written
    with pytest.raises(RuleError, match="nothing to undo"):
        team.do("ann", history.undo)


def test_validate_warns_about_a_damaged_history_record_and_a_dangling_revert(
    framework: Framework,
) -> None:
    from mlpl_tui.integrity import check

    team = Team(framework)
    team.do("ann", lifecycle.set_status, "business.objectives", "doing")
    team.do("ann", history.undo)
    data = team.store.data
    events = dict(data["events"])
    done = next(i for i, e in events.items() if e["action"] == "module.set")
    undo = next(i for i, e in events.items() if e["action"] == "undo")
    events[done] = {**events[done], "changes": [{"table": 7}]}
    events[undo] = {**events[undo], "reverts": "gone"}
    project = Project({**data, "events": events})
    warnings = [p.text for p in check(project, framework) if p.level == "warning"]
    assert any(done in w and "damaged" in w for w in warnings)
    assert any(undo in w and "'gone'" in w for w in warnings)
    assert not [p for p in check(project, framework) if p.level == "error"]
