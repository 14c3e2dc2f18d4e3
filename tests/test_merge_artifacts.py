"""Merging artifacts, learnings and plans from two branches: locations and sources merge as sets
(each side's additions and removals), learnings noted on both sides are all kept, no conflicts;
an estimate changed on both sides is one conflict."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from mlpl_tui.artifacts import attach, detach
from mlpl_tui.framework import Framework
from mlpl_tui.learnings import edit_learning, learn
from mlpl_tui.lifecycle import Context, advance, decide, set_status
from mlpl_tui.model import Project
from mlpl_tui.plans import set_plan
from mlpl_tui.team import merge_versions
from tests.merge_helpers import Branch, Tables, new_tables

CHARTER = "docs/charter.md"
SCOPE = "docs/scope.md"
WIKI = "https://wiki.example.com/charter"


@pytest.fixture
def base(framework: Framework) -> Branch:
    """A project that has just entered the Data stage, at 10:00:10."""
    start = Context("lead", "2026-03-02T10:00:00Z")
    branch = Branch(new_tables(start), framework, "lead", "b")
    for module in framework.stage("business").required_modules:
        branch.do("10:00:05", set_status, module.id, "done")
    branch.do("10:00:10", advance)
    return branch


def merged(base: Branch, ours: Branch, theirs: Branch) -> tuple[Tables, list[Any]]:
    content, result = merge_versions("mlpl.json", base.bytes(), ours.bytes(), theirs.bytes())
    return orjson.loads(content), result.conflicts


def locations(tables: Tables, id: str) -> list[str]:
    found: list[str] = tables["artifacts"][id]["locations"]
    return found


def test_learnings_noted_on_both_branches_are_both_kept(base: Branch) -> None:
    base.do("10:20:00", learn, "Noted before the branches")
    ours, theirs = base.fork("alice", "o"), base.fork("bob", "t")
    ours.do("11:00:00", learn, "Labels lag a week", module="data.cleaning")
    theirs.do("11:00:00", learn, "Stores order twice a week")
    tables, conflicts = merged(base, ours, theirs)
    assert conflicts == []
    texts = sorted(x.text for x in Project(tables).learnings)
    assert texts == ["Labels lag a week", "Noted before the branches", "Stores order twice a week"]


def test_sources_added_on_both_branches_are_unioned(base: Branch) -> None:
    first = base.do("10:20:00", decide, "Weekly", "per week").result
    second = base.do("10:20:01", decide, "Daily", "per day").result
    assert first and second
    id = base.do("10:30:00", learn, "Weekly is enough", sources=[first]).result
    assert id
    ours, theirs = base.fork("alice", "o"), base.fork("bob", "t")
    ours.do("11:00:00", edit_learning, id, sources=[first, second])
    theirs.do("11:00:05", edit_learning, id, sources=[])  # bob removes the first
    tables, conflicts = merged(base, ours, theirs)
    assert conflicts == []
    assert tables["learnings"][id]["sources"] == [second]


def test_locations_attached_on_both_sides_are_unioned(base: Branch) -> None:
    base.do("10:30:00", attach, "project-charter", CHARTER)
    ours, theirs = base.fork("alice", "o"), base.fork("bob", "t")
    ours.do("11:00:00", attach, "project-charter", SCOPE)
    theirs.do("11:00:05", attach, "project-charter", WIKI)
    tables, conflicts = merged(base, ours, theirs)
    assert conflicts == []
    assert locations(tables, "project-charter") == [CHARTER, SCOPE, WIKI]
    assert tables["artifacts"]["project-charter"]["updated_by"] == "bob"  # the later update


def test_first_attachments_on_both_sides_are_unioned(base: Branch) -> None:
    ours, theirs = base.fork("alice", "o"), base.fork("bob", "t")
    ours.do("11:00:00", attach, "data-report", "docs/data-report.md")
    theirs.do("11:00:05", attach, "data-report", WIKI)
    tables, conflicts = merged(base, ours, theirs)
    assert conflicts == []
    assert sorted(locations(tables, "data-report")) == sorted(["docs/data-report.md", WIKI])
    record = tables["artifacts"]["data-report"]
    assert (record["attached_at"], record["attached_by"]) == ("2026-03-02T11:00:05Z", "bob")


@pytest.mark.parametrize("detacher", ["ours", "theirs"])
def test_a_location_detached_on_one_side_stays_gone_when_the_other_attaches_another(
    base: Branch, detacher: str
) -> None:
    base.do("10:30:00", attach, "project-charter", CHARTER)
    base.do("10:30:01", attach, "project-charter", SCOPE)
    ours, theirs = base.fork("alice", "o"), base.fork("bob", "t")
    one, other = (ours, theirs) if detacher == "ours" else (theirs, ours)
    one.do("11:00:00", detach, "project-charter", CHARTER)
    other.do("11:00:05", attach, "project-charter", WIKI)
    tables, conflicts = merged(base, ours, theirs)
    assert conflicts == []
    assert sorted(locations(tables, "project-charter")) == sorted([SCOPE, WIKI])


@pytest.mark.parametrize("detacher", ["ours", "theirs"])
def test_detaching_the_last_location_while_the_other_side_attaches_keeps_only_the_new_one(
    base: Branch, detacher: str
) -> None:
    base.do("10:30:00", attach, "project-charter", CHARTER)
    ours, theirs = base.fork("alice", "o"), base.fork("bob", "t")
    one, other = (ours, theirs) if detacher == "ours" else (theirs, ours)
    one.do("11:00:00", detach, "project-charter")  # the record goes
    other.do("11:00:05", attach, "project-charter", WIKI)
    tables, conflicts = merged(base, ours, theirs)
    assert conflicts == []
    assert locations(tables, "project-charter") == [WIKI]


def test_detaching_the_last_location_on_both_sides_removes_the_record(base: Branch) -> None:
    base.do("10:30:00", attach, "project-charter", CHARTER)
    base.do("10:30:01", attach, "project-charter", SCOPE)
    ours, theirs = base.fork("alice", "o"), base.fork("bob", "t")
    ours.do("11:00:00", detach, "project-charter", CHARTER)
    ours.do("11:00:01", detach, "project-charter")  # SCOPE, the last: the record goes
    theirs.do("11:00:05", detach, "project-charter", SCOPE)
    tables, conflicts = merged(base, ours, theirs)
    assert conflicts == []
    assert "project-charter" not in tables["artifacts"]


def test_an_estimate_changed_on_both_sides_is_one_conflict(base: Branch) -> None:
    base.do("10:20:00", set_plan, "data", "5d")
    ours, theirs = base.fork("alice", "o"), base.fork("bob", "t")
    ours.do("11:00:00", set_plan, "data", "6d")
    theirs.do("11:00:05", set_plan, "data", "8d")
    tables, conflicts = merged(base, ours, theirs)
    assert [(c.table, c.field) for c in conflicts] == [("plans", "minutes")]
    kept = tables["plans"]["data"]
    assert (kept["minutes"], kept["set_by"]) == (8 * 8 * 60, "bob")  # set_at/by follow the kept


def test_estimates_of_different_stages_merge_without_conflict(base: Branch) -> None:
    ours, theirs = base.fork("alice", "o"), base.fork("bob", "t")
    ours.do("11:00:00", set_plan, "data", "6d")
    theirs.do("11:00:05", set_plan, "modelling", "10d")
    tables, conflicts = merged(base, ours, theirs)
    assert conflicts == [] and sorted(tables["plans"]) == ["data", "modelling"]
