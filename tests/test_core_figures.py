"""Core figures the screens, the CLI and the reports share, and the shared wording helpers."""

from __future__ import annotations

import pytest

from mlpl_tui import wording
from mlpl_tui.errors import RuleError
from mlpl_tui.figures import (
    dashboard_effort,
    effort_by_experiment,
    effort_figures,
    recent_decisions,
)
from mlpl_tui.framework import Framework
from mlpl_tui.lifecycle import Context, advance, set_status, switch_back
from mlpl_tui.model import MODULE_STATUSES, Project, StateError
from mlpl_tui.progress import (
    LoopBackTarget,
    current_stage_id,
    default_loop_back_target,
    is_closed,
    loop_back_targets,
)
from mlpl_tui.store import Store
from tests.conftest import apply

META = {"meta": {"meta": {"name": "P", "created_at": "2026-03-01T09:00:00Z", "schema_version": 1}}}


def project_with(**tables: dict[str, dict[str, object]]) -> Project:
    """A snapshot from raw tables, as the store would hand it over."""
    return Project({**META, **tables}, "mlpl.json")


def effort(
    minutes: int, stage: str, iteration: int, on: str, experiment: str | None = None
) -> dict[str, object]:
    record: dict[str, object] = {
        "minutes": minutes,
        "stage": stage,
        "on": on,
        "iteration": iteration,
        "at": f"{on}T12:00:00Z",
        "by": "t",
    }
    if experiment:
        record["experiment"] = experiment
    return record


# --- wording --------------------------------------------------------------------------------------


def test_status_marks_cover_every_module_status_and_mark_unknown_ones() -> None:
    assert set(wording.STATUS_MARKS) == set(MODULE_STATUSES)
    assert [wording.status_mark(s) for s in MODULE_STATUSES] == ["[ ]", "[~]", "[x]", "[-]", "[!]"]
    assert wording.status_mark("bogus") == "[?]"
    assert wording.experiment_mark("kept") == "[+]"
    assert wording.experiment_mark("bogus") == "[?]"


def test_status_words_fall_back_to_the_status_or_a_given_word() -> None:
    assert set(wording.STATUS_WORDS) == set(MODULE_STATUSES)
    assert wording.status_word("done") == "✓ done"
    assert wording.status_word("bogus") == "bogus"
    assert wording.status_word("bogus", "?") == "?"


def test_plural_agrees_with_the_number() -> None:
    assert wording.plural(1, "visit") == "1 visit"
    assert wording.plural(2, "visit") == "2 visits"
    assert wording.plural(0, "visit") == "0 visits"
    assert wording.plural(3, "switch", "switches") == "3 switches"
    assert wording.plural(1, "switch", "switches") == "1 switch"


def test_times_show_to_the_minute_and_dates_to_the_day() -> None:
    assert wording.shown_time("2026-03-02T10:07:59Z") == "2026-03-02 10:07"
    assert wording.shown_time("") == ""
    assert wording.shown_time(None, "now") == "now"
    assert wording.shown_date("2026-03-02T10:07:59Z") == "2026-03-02"
    assert wording.shown_date(None) == ""


def test_truncate_keeps_short_text_and_marks_a_cut() -> None:
    assert wording.truncate("abc", 3) == "abc"
    assert wording.truncate("abcd", 3) == "ab…"
    assert len(wording.truncate("x" * 100, 40)) == 40
    assert wording.one_line(" a \n b\tc ", 60) == "a b c"
    assert wording.one_line("word " * 20, 10) == "word word…"


def test_stage_order_and_rank(framework: Framework) -> None:
    assert tuple(s.id for s in framework.stages) == wording.STAGE_ORDER
    assert [wording.stage_rank(s) for s in wording.STAGE_ORDER] == [1, 2, 3, 4]
    assert wording.stage_rank("elsewhere") == 5


# --- effort -----------------------------------------------------------------------------------


def test_effort_by_experiment_sums_only_linked_entries(framework: Framework) -> None:
    project = project_with(
        effort={
            "e1": effort(30, "modelling", 1, "2026-03-02", "x1"),
            "e2": effort(45, "modelling", 1, "2026-03-02", "x1"),
            "e3": effort(60, "modelling", 1, "2026-03-02", "x2"),
            "e4": effort(90, "data", 1, "2026-03-02"),
        }
    )
    assert effort_by_experiment(project) == {"x1": 75, "x2": 60}
    assert effort_figures(project, framework).by_experiment == {"x1": 75, "x2": 60}
    assert effort_by_experiment(project_with()) == {}


def test_dashboard_effort_sums_per_stage_iteration_and_day() -> None:
    project = project_with(
        effort={
            "e1": effort(30, "business", 1, "2026-03-01"),
            "e2": effort(45, "data", 2, "2026-03-02"),
            "e3": effort(60, "data", 2, "2026-03-03"),
            "e4": effort(15, "business", 3, "2026-03-03"),
        }
    )
    sums = dashboard_effort(project, 2, "2026-03-03")
    assert sums.by_stage == {"business": 45, "data": 105}
    assert sums.in_iteration == 105
    assert sums.on_day == 75
    empty = dashboard_effort(project_with(), 1, "2026-03-03")
    assert (empty.by_stage, empty.in_iteration, empty.on_day) == ({}, 0, 0)


def test_dashboard_effort_names_an_entry_whose_minutes_cannot_be_read() -> None:
    project = project_with(effort={"bad1": {**effort(30, "data", 1, "2026-03-01"), "minutes": "x"}})
    with pytest.raises(StateError, match="bad1"):
        dashboard_effort(project, 1, "2026-03-01")


# --- recent decisions ---------------------------------------------------------------------------


def decision(title: str, created_at: str) -> dict[str, object]:
    return {
        "title": title,
        "decision": "d",
        "status": "accepted",
        "stage": "business",
        "created_at": created_at,
        "created_by": "t",
    }


def test_recent_decisions_are_the_latest_newest_first(framework: Framework) -> None:
    project = project_with(
        decisions={
            "d1": decision("first", "2026-03-01T10:00:00Z"),
            "d3": decision("third", "2026-03-03T10:00:00Z"),
            "d2": decision("second", "2026-03-02T10:00:00Z"),
            "d4": decision("same time, higher id", "2026-03-03T10:00:00Z"),
        }
    )
    assert [d.id for d in recent_decisions(project, 3)] == ["d4", "d3", "d2"]
    assert [d.id for d in recent_decisions(project, 10)] == ["d4", "d3", "d2", "d1"]
    # The same order as the project's own, reversed: the screens and reports agree.
    assert recent_decisions(project, 4) == list(reversed(project.decisions))
    assert recent_decisions(project_with(), 3) == []


def test_recent_decisions_read_only_the_latest_and_name_a_broken_one() -> None:
    broken = {"title": 5, "created_at": "2026-03-01T10:00:00Z"}  # old: never read
    project = project_with(
        decisions={"old1": broken, "new1": decision("fine", "2026-03-02T10:00:00Z")}
    )
    assert [d.id for d in recent_decisions(project, 1)] == ["new1"]
    with pytest.raises(StateError, match=r"mlpl\.json: .*old1.*restore the file from git"):
        recent_decisions(project, 2)


# --- loop-back targets ------------------------------------------------------------------------


def _finish(store: Store, framework: Framework, ctx: Context) -> None:
    project = store.load()
    for module in framework.stage(current_stage_id(project)).required_modules:
        apply(store, framework, ctx, set_status, module.id, "done")


def _states(store: Store, framework: Framework, ctx: Context) -> list[Project]:
    """A project in every stage, after a loop back, and closed."""
    states = [store.load()]
    for _ in range(3):
        _finish(store, framework, ctx)
        states.append(apply(store, framework, ctx, advance))
    states.append(apply(store, framework, ctx, switch_back, "data", "data", "one season only"))
    for _ in range(2):
        _finish(store, framework, ctx)
        apply(store, framework, ctx, advance)
    _finish(store, framework, ctx)
    states.append(apply(store, framework, ctx, advance))
    assert is_closed(states[-1])
    return states


def _every_target(framework: Framework) -> list[LoopBackTarget]:
    targets = []
    for stage in framework.stages:
        targets.append(LoopBackTarget(stage))
        targets += [LoopBackTarget(stage, m) for m in stage.modules]
    return targets


def _accepted(project: Project, framework: Framework, ctx: Context, t: LoopBackTarget) -> bool:
    module = t.module.id if t.module else None
    try:
        switch_back(project, framework, ctx, t.stage.id, "other", "why", module)
    except RuleError:
        return False
    return True


def test_loop_back_targets_are_exactly_what_switch_back_accepts(
    store: Store, framework: Framework, ctx: Context
) -> None:
    for project in _states(store, framework, ctx):
        offered = loop_back_targets(project, framework)
        assert offered, "every state offers somewhere to go back to"
        for target in _every_target(framework):
            assert _accepted(project, framework, ctx, target) == (target in offered), (
                f"{current_stage_id(project)}: {target.id}"
            )
        default = default_loop_back_target(project, framework)
        assert default in offered


def test_loop_back_targets_in_order_with_their_ids(
    store: Store, framework: Framework, ctx: Context
) -> None:
    project = store.load()
    business = framework.stage("business")
    # In the first stage only its modules can be targets; the default is the first of them.
    assert [t.id for t in loop_back_targets(project, framework)] == [m.id for m in business.modules]
    assert default_loop_back_target(project, framework) == LoopBackTarget(
        business, business.modules[0]
    )
    _finish(store, framework, ctx)
    project = apply(store, framework, ctx, advance)
    ids = [t.id for t in loop_back_targets(project, framework)]
    data = framework.stage("data")
    assert ids == ["business", *[m.id for m in business.modules], *[m.id for m in data.modules]]
    assert default_loop_back_target(project, framework) == LoopBackTarget(business)
