"""The merge rules case by case, the merge-driver command, recorded conflicts and validate."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import pytest

from mlpl_tui.errors import UsageError
from mlpl_tui.framework import Framework
from mlpl_tui.integrity import check
from mlpl_tui.lifecycle import (
    Context,
    add_experiment,
    advance,
    decide,
    log_effort,
    resolve_conflict,
    set_status,
    switch_back,
)
from mlpl_tui.model import Project
from mlpl_tui.progress import current_stage_id, iteration
from mlpl_tui.store import dump
from mlpl_tui.team import merge_versions
from tests.conftest import Result
from tests.merge_helpers import Branch, Tables, apply_change, new_tables

Cli = Callable[..., Result]
BUSINESS = ("objectives", "problem-definition", "stakeholders", "data-sources", "constraints")


@pytest.fixture
def base(framework: Framework) -> Branch:
    """A project that has just entered the Data stage, at 10:00:10."""
    start = Context("lead", "2026-03-02T10:00:00Z")
    branch = Branch(new_tables(start), framework, "lead", "b")
    for module in BUSINESS:
        branch.do("10:00:05", set_status, f"business.{module}", "done")
    branch.do("10:00:10", advance)
    return branch


def merged(base: Branch, ours: Branch, theirs: Branch) -> tuple[Tables, list[Any]]:
    content, result = merge_versions("mlpl.json", base.bytes(), ours.bytes(), theirs.bytes())
    return orjson.loads(content), result.conflicts


def errors(tables: Tables, framework: Framework) -> list[str]:
    return [p.text for p in check(Project(tables), framework) if p.level == "error"]


# --- fields and records ---------------------------------------------------------------------------


def test_both_ticking_the_same_module_is_no_conflict(base: Branch, framework: Framework) -> None:
    ours, theirs = base.fork("alice", "o"), base.fork("bob", "t")
    ours.do("11:00:00", set_status, "data.cleaning", "done")
    theirs.do("11:00:05", set_status, "data.cleaning", "done")
    theirs.do("11:00:06", set_status, "data.acquisition", "doing")
    tables, conflicts = merged(base, ours, theirs)
    assert conflicts == []
    # Bookkeeping follows the later update.
    assert tables["modules"]["data.cleaning"]["updated_by"] == "bob"
    assert tables["modules"]["data.acquisition"]["status"] == "doing"
    assert errors(tables, framework) == []


@pytest.mark.parametrize(
    ("ours_at", "theirs_at", "kept", "value"),
    [
        ("11:00:00", "11:00:05", "theirs", "skipped"),
        ("11:00:09", "11:00:05", "ours", "done"),
        ("11:00:05", "11:00:05", "ours", "done"),  # a tie goes to ours
    ],
)
def test_a_field_changed_differently_keeps_the_later_update_and_records_the_other(
    base: Branch, framework: Framework, ours_at: str, theirs_at: str, kept: str, value: str
) -> None:
    ours, theirs = base.fork("alice", "o"), base.fork("bob", "t")
    ours.do(ours_at, set_status, "data.cleaning", "done")
    theirs.do(theirs_at, set_status, "data.cleaning", "skipped", reason="clean already")
    tables, conflicts = merged(base, ours, theirs)
    assert tables["modules"]["data.cleaning"]["status"] == value
    assert tables["modules"]["data.cleaning"]["reason"] == "clean already"  # one side only
    (conflict,) = conflicts
    stored = tables["conflicts"][conflict.id]
    assert stored == {
        "table": "modules",
        "record": "data.cleaning",
        "field": "status",
        "ours": "done",
        "theirs": "skipped",
        "kept": kept,
        "ours_at": f"2026-03-02T{ours_at}Z",
        "ours_by": "alice",
        "theirs_at": f"2026-03-02T{theirs_at}Z",
        "theirs_by": "bob",
        "resolved": False,
    }
    (problem,) = errors(tables, framework)
    assert conflict.id in problem and "conflicts keep" in problem


def test_records_added_on_both_sides_and_history_are_the_union(base: Branch) -> None:
    ours, theirs = base.fork("alice", "o"), base.fork("bob", "t")
    ours.do("11:00:00", decide, "Weekly", "per week")
    ours.do("11:00:01", log_effort, "1h")
    theirs.do("11:00:00", decide, "Daily", "per day")
    theirs.do("11:00:02", add_experiment, "GBM")
    tables, conflicts = merged(base, ours, theirs)
    assert conflicts == []
    for side in (base, ours, theirs):
        for name, table in side.tables.items():
            assert set(table) <= set(tables[name])
    assert len(tables["events"]) == len(base.tables["events"]) + 4


def test_a_record_deleted_on_one_side_goes_unless_the_other_changed_it(base: Branch) -> None:
    base.do("10:30:00", decide, "Weekly", "per week")
    base.do("10:30:00", set_status, "data.cleaning", "doing")
    ours, theirs = base.fork("alice", "o"), base.fork("bob", "t")
    (decision,) = ours.tables["decisions"]
    ours.tables = {
        **ours.tables,
        "decisions": {},
        "modules": {k: v for k, v in ours.tables["modules"].items() if k != "data.cleaning"},
    }
    theirs.do("11:00:03", set_status, "data.cleaning", "done")
    tables, conflicts = merged(base, ours, theirs)
    assert decision not in tables["decisions"]
    assert tables["modules"]["data.cleaning"]["status"] == "done"
    assert conflicts == []


def test_the_merge_is_in_the_store_format_and_deterministic(base: Branch) -> None:
    ours, theirs = base.fork("alice", "o"), base.fork("bob", "t")
    ours.do("11:00:00", decide, "Façade", "Unicode kept as is: é")
    theirs.do("11:00:00", set_status, "data.cleaning", "done")
    content, _ = merge_versions("mlpl.json", base.bytes(), ours.bytes(), theirs.bytes())
    assert content == dump(orjson.loads(content))
    assert content.endswith(b"}\n") and "é".encode() in content
    again, _ = merge_versions("mlpl.json", base.bytes(), ours.bytes(), theirs.bytes())
    assert again == content


def test_recording_the_same_conflict_twice_does_not_conflict_again(base: Branch) -> None:
    ours, theirs = base.fork("alice", "o"), base.fork("bob", "t")
    ours.do("11:00:00", set_status, "data.cleaning", "done")
    theirs.do("11:00:05", set_status, "data.cleaning", "skipped", reason="n/a")
    first, conflicts = merged(base, ours, theirs)
    # Two people merge the same branches on their own, then merge each other's results.
    content, result = merge_versions("mlpl.json", ours.bytes(), dump(first), dump(first))
    assert result.conflicts == [] and orjson.loads(content) == first
    assert list(first["conflicts"]) == [conflicts[0].id]


def test_added_on_both_sides_with_no_common_version(framework: Framework) -> None:
    ours = Branch(new_tables(Context("alice", "2026-03-02T10:00:00Z")), framework, "alice", "o")
    theirs = Branch(new_tables(Context("bob", "2026-03-02T10:00:01Z")), framework, "bob", "t")
    content, result = merge_versions("mlpl.json", b"", ours.bytes(), theirs.bytes())
    tables = orjson.loads(content)
    assert {c.field for c in result.conflicts} == {"created_at", "created_by"}
    assert len(tables["visits"]) == 2
    assert len([v for v in tables["visits"].values() if v["left_at"] is None]) == 1


# --- the timeline -----------------------------------------------------------------------------


def _loop_back(branch: Branch, at: str) -> None:
    branch.do(at, switch_back, "business", "data", "Only one season of data")


@pytest.mark.parametrize("switch_later", [True, False])
def test_one_advanced_one_looped_back_the_later_move_is_where_the_project_stands(
    base: Branch, framework: Framework, switch_later: bool
) -> None:
    ours, theirs = base.fork("alice", "o"), base.fork("bob", "t")
    for module in ("acquisition", "pre-processing", "cleaning", "exploratory-analysis"):
        ours.do("11:00:00", set_status, f"data.{module}", "done")
    ours.do("12:00:00", advance)
    _loop_back(theirs, "13:00:00" if switch_later else "11:30:00")
    theirs.do("13:00:01" if switch_later else "11:30:01", log_effort, "1h")
    tables, conflicts = merged(base, ours, theirs)
    assert conflicts == []
    project = Project(tables)
    visits = project.visits
    assert [v.stage for v in visits] == (
        ["business", "data", "modelling", "business"]
        if switch_later
        else ["business", "data", "business", "modelling"]
    )
    assert [v.iteration for v in visits] == ([1, 1, 1, 2] if switch_later else [1, 1, 2, 2])
    assert [v.left_at is None for v in visits] == [False, False, False, True]
    assert all(a.left_at == b.entered_at for a, b in itertools.pairwise(visits))
    assert current_stage_id(project) == ("business" if switch_later else "modelling")
    assert iteration(project) == 2
    (entry,) = project.effort
    assert entry.iteration == 2
    assert errors(tables, framework) == []


def test_both_looped_back_two_iterations_counted_in_time_order(
    base: Branch, framework: Framework
) -> None:
    ours, theirs = base.fork("alice", "o"), base.fork("bob", "t")
    ours.do("11:00:00", set_status, "data.cleaning", "doing")
    ours.do("11:00:01", switch_back, "data", "data", "Leaky join", "data.cleaning")
    ours.do("11:00:02", log_effort, "30m")
    _loop_back(theirs, "11:00:05")
    theirs.do("11:00:06", log_effort, "2h")
    assert iteration(ours.project) == iteration(theirs.project) == 2
    tables, conflicts = merged(base, ours, theirs)
    # data.cleaning: ours marked it revisit at its own loop back; theirs left it alone.
    assert conflicts == []
    project = Project(tables)
    assert [(v.stage, v.iteration) for v in project.visits] == [
        ("business", 1),
        ("data", 1),
        ("data", 2),
        ("business", 3),
    ]
    assert [s.iteration for s in project.switches] == [2, 3]
    assert sorted((e.minutes, e.iteration) for e in project.effort) == [(30, 2), (120, 3)]
    assert (current_stage_id(project), iteration(project)) == ("business", 3)
    assert errors(tables, framework) == []


def test_both_advanced_in_the_same_second_one_visit_stays_open(
    base: Branch, framework: Framework
) -> None:
    ours, theirs = base.fork("alice", "o"), base.fork("bob", "t")
    for branch in (ours, theirs):
        branch.do("11:00:00", advance, force=True, why="deadline")
    tables, conflicts = merged(base, ours, theirs)
    assert conflicts == []
    project = Project(tables)
    assert [v.stage for v in project.visits] == ["business", "data", "modelling", "modelling"]
    assert [v.left_at is None for v in project.visits] == [False, False, False, True]
    assert len(project.decisions) == 2  # each forced advance is recorded
    assert errors(tables, framework) == []


# --- supersedes links -------------------------------------------------------------------------


def test_both_superseding_one_decision_keeps_links_two_way_and_resolving_moves_them(
    base: Branch, framework: Framework
) -> None:
    base.do("10:30:00", decide, "Weekly", "per week")
    (old,) = base.tables["decisions"]
    ours, theirs = base.fork("alice", "o"), base.fork("bob", "t")
    mine = ours.do("11:00:00", decide, "Daily", "per day", supersedes=old).result
    other = theirs.do("11:00:05", decide, "Monthly", "per month", supersedes=old).result
    assert mine is not None and other is not None
    tables, conflicts = merged(base, ours, theirs)
    (conflict,) = conflicts
    assert (conflict.record, conflict.field, conflict.kept) == (old, "superseded_by", "theirs")
    decisions = tables["decisions"]
    assert decisions[old]["superseded_by"] == other and decisions[other]["supersedes"] == old
    assert decisions[mine]["supersedes"] is None
    assert [e for e in errors(tables, framework) if "link" in e] == []

    ctx = Context("carol", "2026-03-02T12:00:00Z")
    change = resolve_conflict(Project(tables), framework, ctx, conflict.id[:4], "ours")
    tables = apply_change(tables, change, ctx)
    decisions = tables["decisions"]
    assert decisions[old]["superseded_by"] == mine and decisions[mine]["supersedes"] == old
    assert decisions[other]["supersedes"] is None
    assert errors(tables, framework) == []
    assert tables["conflicts"][conflict.id] | {} == {
        **tables["conflicts"][conflict.id],
        "resolved": True,
        "resolution": "ours",
        "resolved_by": "carol",
        "resolved_at": "2026-03-02T12:00:00Z",
    }


# --- resolving conflicts ------------------------------------------------------------------------


def _conflicted(base: Branch) -> tuple[Tables, str]:
    ours, theirs = base.fork("alice", "o"), base.fork("bob", "t")
    ours.do("11:00:00", set_status, "data.cleaning", "done")
    theirs.do("11:00:05", set_status, "data.cleaning", "skipped", reason="n/a")
    tables, conflicts = merged(base, ours, theirs)
    return tables, conflicts[0].id


def test_resolve_conflict_sets_the_chosen_value_and_marks_it_resolved(
    base: Branch, framework: Framework
) -> None:
    tables, id = _conflicted(base)
    ctx = Context("carol", "2026-03-02T12:00:00Z")
    change = resolve_conflict(Project(tables), framework, ctx, id, " Ours ")
    tables = apply_change(tables, change, ctx)
    module = tables["modules"]["data.cleaning"]
    assert (module["status"], module["updated_by"]) == ("done", "carol")
    (conflict,) = Project(tables).conflicts
    assert (conflict.resolved, conflict.resolution, conflict.resolved_by) == (True, "ours", "carol")
    assert errors(tables, framework) == []
    again = resolve_conflict(Project(tables), framework, ctx, id, "ours")
    assert again.puts == []
    with pytest.raises(UsageError, match="ours or theirs"):
        resolve_conflict(Project(tables), framework, ctx, id, "mine")
    with pytest.raises(UsageError, match="no conflict"):
        resolve_conflict(Project(tables), framework, ctx, "zzz", "ours")


def _write(path: Path, tables: Tables) -> Path:
    path.write_bytes(dump(tables))
    return path


def test_conflicts_command_lists_and_keeps(base: Branch, cli: Cli, tmp_path: Path) -> None:
    tables, id = _conflicted(base)
    _write(tmp_path / "mlpl.json", tables)
    listed = cli("conflicts")
    assert listed.code == 0 and id in listed.out and '"skipped"' in listed.out
    assert "conflicts keep ID ours|theirs" in listed.out
    rows = json.loads(cli("conflicts", "--json").out)
    assert [(r["id"], r["ours"], r["theirs"], r["kept"]) for r in rows] == [
        (id, "done", "skipped", "theirs")
    ]
    failed = cli("validate")
    assert failed.code == 1 and f"conflicts keep {id}" in failed.err
    assert cli("conflicts", "keep", id[:5], "ours").code == 0
    assert (
        json.loads((tmp_path / "mlpl.json").read_text())["modules"]["data.cleaning"]["status"]
        == "done"
    )
    assert cli("conflicts").out.startswith("no unresolved conflicts (1 resolved)")
    assert "resolved: ours (tester" in cli("conflicts", "--all").out
    assert cli("validate").code == 0
    assert cli("conflicts", "keep", id, "both").code == 2


# --- the merge-driver command ---------------------------------------------------------------------


def test_merge_driver_writes_ours_and_exits_1_on_conflicts(
    base: Branch, cli: Cli, tmp_path: Path
) -> None:
    ours, theirs = base.fork("alice", "o"), base.fork("bob", "t")
    ours.do("11:00:00", set_status, "data.cleaning", "done")
    theirs.do("11:00:05", set_status, "data.acquisition", "done")
    paths = [tmp_path / n for n in ("O", "A", "B")]
    for path, branch in zip(paths, (base, ours, theirs), strict=True):
        path.write_bytes(branch.bytes())
    done = cli("merge-driver", *map(str, paths), "mlpl.json")
    assert done.code == 0 and "no conflicts" in done.err
    result = orjson.loads(paths[1].read_bytes())
    assert {"data.cleaning", "data.acquisition"} <= set(result["modules"])

    theirs.do("11:00:09", set_status, "data.cleaning", "doing")
    paths[1].write_bytes(ours.bytes())
    paths[2].write_bytes(theirs.bytes())
    clash = cli("merge-driver", *map(str, paths), "mlpl.json")
    assert clash.code == 1 and "data.cleaning" in clash.err and "mlpl-tui conflicts" in clash.err
    assert orjson.loads(paths[1].read_bytes())["modules"]["data.cleaning"]["status"] == "doing"


@pytest.mark.parametrize("broken", [b"{", b"<<<<<<< HEAD\n{}\n", b"[]", b'{"meta": {}}'])
def test_merge_driver_refuses_a_broken_version_and_leaves_ours(
    base: Branch, cli: Cli, tmp_path: Path, broken: bytes
) -> None:
    paths = [tmp_path / n for n in ("O", "A", "B")]
    for path in paths:
        path.write_bytes(base.bytes())
    paths[2].write_bytes(broken)
    before = paths[1].read_bytes()
    done = cli("merge-driver", *map(str, paths), "data/mlpl.json")
    assert done.code == 2
    assert "data/mlpl.json" in done.err and "their version" in done.err
    assert "Traceback" not in done.err and len(done.err.strip().splitlines()) <= 2
    assert paths[1].read_bytes() == before


# --- validate -----------------------------------------------------------------------------------


def test_validate_names_dangling_links_and_warns_on_unknown_modules(
    base: Branch, cli: Cli, tmp_path: Path
) -> None:
    tables = base.tables
    tables["decisions"]["d1"] = {
        "title": "T",
        "decision": "x",
        "status": "accepted",
        "supersedes": "gone1",
    }
    tables["effort"]["e1"] = {
        "minutes": 30,
        "stage": "data",
        "module": "data.retired",
        "on": "2026-03-02",
        "experiment": "gone2",
    }
    (visit,) = [k for k, v in tables["visits"].items() if v["stage"] == "data"]
    tables["visits"][visit] = {**tables["visits"][visit], "switch": "gone3"}
    tables["modules"]["data.retired"] = {"status": "done"}
    tables["conflicts"] = {
        "c1": {"table": "modules", "record": "nowhere", "field": "status", "kept": "ours"}
    }
    _write(tmp_path / "mlpl.json", tables)
    done = cli("validate")
    assert done.code == 1
    for missing in ("gone1", "gone2", "gone3", "nowhere"):
        assert missing in done.err
    assert "data.retired" in done.out and "warning" in done.out
    assert "data.retired" in (tmp_path / "mlpl.json").read_text()  # kept


def test_validate_fails_on_conflict_markers_naming_the_lines(
    base: Branch, cli: Cli, tmp_path: Path
) -> None:
    text = dump(base.tables).decode()
    lines = text.splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if '"name"' in line)
    lines[at : at + 1] = ["<<<<<<< HEAD\n", lines[at], "=======\n", lines[at], ">>>>>>> b\n"]
    (tmp_path / "mlpl.json").write_text("".join(lines), encoding="utf-8")
    done = cli("validate")
    assert done.code == 1
    assert f"line {at + 1}:" in done.err and f"line {at + 5}:" in done.err
    assert "mlpl-tui resolve" in done.err

    tables = base.tables
    tables["meta"]["project"]["name"] = "<<<<<<< HEAD half-resolved"
    _write(tmp_path / "mlpl.json", tables)
    assert "conflict marker" in cli("validate").err
    tables["meta"]["project"]["name"] = "a name with ======= in it"
    _write(tmp_path / "mlpl.json", tables)
    assert cli("validate").code == 0
