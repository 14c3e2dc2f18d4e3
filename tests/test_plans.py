"""The plan: estimates per stage and module as recorded changes, undo, and plan vs actual."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from mlpl_tui import history, lifecycle
from mlpl_tui.cli import Session, sanitised_output
from mlpl_tui.cli_plan import add_parser, cmd_plan
from mlpl_tui.errors import UsageError
from mlpl_tui.figures import effort_figures
from mlpl_tui.framework import Framework
from mlpl_tui.lifecycle import Context, new_project
from mlpl_tui.model import Project
from mlpl_tui.plans import (
    WORKING_DAY,
    parse_plan_duration,
    plan_figures,
    plan_json,
    plan_words,
    set_plan,
)
from mlpl_tui.store import MemoryStore, Store
from tests.conftest import fixed_ids

NOW = "2026-03-02T10:00:00Z"


def _store() -> MemoryStore:
    return MemoryStore(new_project("Plans", Context("setup", NOW, make_id=fixed_ids("s"))))


def _do(store: MemoryStore, framework: Framework, who: str, at: str, rule, *args, **kw):  # type: ignore[no-untyped-def]
    ctx = Context(who, at, make_id=fixed_ids(at[-3:-1]))
    if rule is history.undo:
        return store.apply(lambda p: history.undo(p, who), who, at)
    return store.apply(lambda p: rule(p, framework, ctx, *args, **kw), who, at)


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("5d", 5 * WORKING_DAY),
        ("2d4h", 2 * WORKING_DAY + 240),
        ("1.5d", 720),
        ("40h", 2400),
        ("1h30m", 90),
        ("90m", 90),
        (" 3 d ", 3 * WORKING_DAY),
    ],
)
def test_durations_take_working_days(text: str, minutes: int) -> None:
    assert parse_plan_duration(text) == minutes


@pytest.mark.parametrize("text", ["", "0d", "5", "d", "2w", "-1d", "1001d", "5d5d", "1e3h"])
def test_bad_durations_are_refused(text: str) -> None:
    with pytest.raises(UsageError):
        parse_plan_duration(text)


def test_plan_words() -> None:
    assert plan_words(5 * WORKING_DAY) == "5d"
    assert plan_words(2 * WORKING_DAY + 90) == "2d 1h30m"
    assert plan_words(45) == "45m"


def test_a_plan_is_a_recorded_change_and_undo_puts_the_old_value_back(
    framework: Framework,
) -> None:
    store = _store()
    _do(store, framework, "ann", "2026-03-02T10:00:01Z", set_plan, "data", "5d")
    _do(store, framework, "ann", "2026-03-02T10:00:02Z", set_plan, "2", "8d")
    project = store.load()
    assert project.plans["data"].minutes == 8 * WORKING_DAY
    assert project.plans["data"].set_by == "ann"
    last = project.events[-1]
    assert last.action == "plan.set"
    assert "5d → 8d" in last.summary
    (change,) = history.record_changes(last) or []
    assert change.table == "plans" and change.id == "data"
    assert change.value("before", "minutes") == 5 * WORKING_DAY
    assert change.value("after", "minutes") == 8 * WORKING_DAY
    _do(store, framework, "ann", "2026-03-02T10:00:03Z", history.undo)
    assert store.load().plans["data"].minutes == 5 * WORKING_DAY
    _do(store, framework, "ann", "2026-03-02T10:00:04Z", history.undo)
    assert "data" not in store.load().plans


def test_the_same_estimate_again_changes_nothing(framework: Framework) -> None:
    store = _store()
    _do(store, framework, "ann", "2026-03-02T10:00:01Z", set_plan, "data", "5d")
    applied = _do(store, framework, "ann", "2026-03-02T10:00:02Z", set_plan, "data", "40h")
    assert not applied.written


def test_module_plans_are_keyed_by_the_module_and_must_be_in_the_stage(
    framework: Framework,
) -> None:
    store = _store()
    _do(store, framework, "ann", "2026-03-02T10:00:01Z", set_plan, "data", "2d", "cleaning")
    assert store.load().plans["data.cleaning"].minutes == 2 * WORKING_DAY
    with pytest.raises(UsageError, match="not in stage"):
        _do(
            store,
            framework,
            "ann",
            "2026-03-02T10:00:02Z",
            set_plan,
            "business",
            "1d",
            "data.cleaning",
        )
    with pytest.raises(UsageError, match="unknown stage"):
        _do(store, framework, "ann", "2026-03-02T10:00:03Z", set_plan, "nowhere", "1d")


def test_plan_against_actual_with_rework(framework: Framework) -> None:
    store = _store()
    t = iter(f"2026-03-02T10:{m:02d}:00Z" for m in range(1, 60))
    _do(store, framework, "ann", next(t), set_plan, "business", "1d")
    _do(store, framework, "ann", next(t), set_plan, "data", "2h", "data.cleaning")
    _do(store, framework, "ann", next(t), set_plan, "data", "1h", "data.acquisition")
    _do(store, framework, "ann", next(t), lifecycle.log_effort, "3h", stage="business")
    for module in framework.stage("business").required_modules:
        _do(store, framework, "ann", next(t), lifecycle.set_status, module.id, "done")
    _do(store, framework, "ann", next(t), lifecycle.advance)
    _do(store, framework, "ann", next(t), lifecycle.log_effort, "2h", module="data.cleaning")
    _do(store, framework, "ann", next(t), lifecycle.switch_back, "business", "data", "one season")
    _do(store, framework, "ann", next(t), lifecycle.log_effort, "2h", stage="business")
    project = store.load()
    figures = plan_figures(project, framework, effort_figures(project, framework))
    rows = {r.id: r for r in figures.stages}
    business = rows["business"]
    assert (business.planned, business.actual, business.rework) == (480, 300, 120)
    assert business.left == 180 and business.state == "within plan"
    assert business.used == "62%" and business.rework_share == "40%"
    data = rows["data"]  # no plan of its own: the sum of its modules' plans
    assert (data.planned, data.actual, data.left, data.state) == (180, 120, 60, "within plan")
    modules = {m.id: m for m in figures.modules}
    cleaning = modules["data.cleaning"]
    assert (cleaning.planned, cleaning.actual, cleaning.stage) == (120, 120, "data")
    assert modules["data.acquisition"].actual == 0
    assert rows["modelling"].planned is None and rows["modelling"].state == "no plan"
    assert (figures.total.planned, figures.total.actual, figures.total.rework) == (660, 420, 120)
    exported = plan_json(figures)
    assert exported["total"]["planned_minutes"] == 660
    assert exported["modules"][0]["stage"] == "data"


def test_over_plan(framework: Framework) -> None:
    store = _store()
    _do(store, framework, "ann", "2026-03-02T10:00:01Z", set_plan, "business", "1h")
    _do(store, framework, "ann", "2026-03-02T10:00:02Z", lifecycle.log_effort, "3h")
    project = store.load()
    business = plan_figures(project, framework, effort_figures(project, framework)).stages[0]
    assert business.left == -120 and business.state == "over plan" and business.used == "300%"


def test_a_hand_edited_plan_is_refused_clearly(framework: Framework) -> None:
    project = Project({"plans": {"data": {"minutes": -5, "set_at": NOW, "set_by": "x"}}})
    with pytest.raises(UsageError, match="data"):
        project.plans  # noqa: B018


# --- the command, as the user runs it (cli.py registers add_parser/cmd_plan) ------------------


def _run(path: Path, *argv: str) -> int:
    parser = argparse.ArgumentParser(prog="mlpl-tui")
    sub = parser.add_subparsers(dest="command")
    common = argparse.ArgumentParser(add_help=False)
    add_parser(lambda name, help: sub.add_parser(name, help=help), common)
    args = parser.parse_args(["plan", *argv])
    args.file, args.user = path, "ann"
    with sanitised_output():
        return cmd_plan(Session(args))


def test_plan_command_sets_and_lists(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "mlpl.json"
    Store.create(path, new_project("Cmd", Context("ann", NOW)))
    assert _run(path, "data", "5d") == 0
    assert "Plan for stage Data" in capsys.readouterr().err
    assert _run(path, "data", "2d", "--module", "cleaning") == 0
    capsys.readouterr()
    assert _run(path) == 0
    out = capsys.readouterr().out
    assert "Data" in out and "5d" in out and "  Data cleaning" in out and "Total" in out
    assert _run(path, "--json") == 0
    data = json.loads(capsys.readouterr().out)
    assert data["total"]["planned_minutes"] == 5 * WORKING_DAY
    assert [m["id"] for m in data["modules"]] == ["data.cleaning"]
    with pytest.raises(UsageError, match="duration"):
        _run(path, "data")
    with pytest.raises(UsageError, match="not understood"):
        _run(path, "data", "soon")
