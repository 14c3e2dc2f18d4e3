"""Merging run links made on two branches: different runs are all kept; the same run linked to
two experiments is a field conflict; a snapshot read again on both sides is taken whole from
the newer reading, without a conflict; an unlink stays when the other side only read the run
again. Through the merge itself and through the merge-driver command git runs, and with git."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import pytest

from mlpl_tui import run_links
from mlpl_tui.framework import Framework, builtin_framework_path, load_framework
from mlpl_tui.integrity import check
from mlpl_tui.lifecycle import Context, add_experiment, resolve_conflict
from mlpl_tui.merge import merge
from mlpl_tui.model import Change, Project
from mlpl_tui.runs import Run
from mlpl_tui.store import Store
from mlpl_tui.team import merge_versions
from tests.conftest import Result, git, run_process
from tests.merge_helpers import Branch, Tables, apply_change, new_tables

Cli = Callable[..., Result]


def run(
    id: str, *, status: str = "FINISHED", metrics: dict[str, float] | None = None, name: str = ""
) -> Run:
    return Run(
        "mlflow",
        id,
        name or f"run {id}",
        status,
        "2026-03-01T09:00:00Z",
        "2026-03-01T09:30:00Z",
        {"lr": "0.1"},
        metrics if metrics is not None else {"accuracy": 0.9},
        None,
        "mlflow.db",
    )


def link(*runs: Run, to: str, move: bool = False) -> Callable[..., Change]:
    def rule(project: Project, framework: Framework, ctx: Context) -> Change:
        return run_links.link_runs(project, framework, ctx, to, list(runs), move=move)

    return rule


def refresh(*found: Run, tools: tuple[str, ...] = ("mlflow",)) -> Callable[..., Change]:
    def rule(project: Project, framework: Framework, ctx: Context) -> Change:
        return run_links.refresh_snapshots(project, framework, ctx, list(found), tools=tools)

    return rule


def unlink(experiment: str, *refs: str) -> Callable[..., Change]:
    def rule(project: Project, framework: Framework, ctx: Context) -> Change:
        return run_links.unlink_runs(project, ctx, experiment, list(refs))

    return rule


@pytest.fixture
def base(framework: Framework) -> Branch:
    """A project with two experiments, E (10:00:01) and F (10:00:02)."""
    start = Context("lead", "2026-03-02T10:00:00Z")
    branch = Branch(new_tables(start), framework, "lead", "b")
    branch.do("10:00:01", add_experiment, "Gradient boosting")
    branch.do("10:00:02", add_experiment, "Linear baseline")
    return branch


def experiments(branch: Branch) -> tuple[str, str]:
    e, f = (x.id for x in branch.project.experiments)
    return e, f


def merged(base: Branch, ours: Branch, theirs: Branch) -> tuple[Tables, list[Any]]:
    content, result = merge_versions("mlpl.json", base.bytes(), ours.bytes(), theirs.bytes())
    return orjson.loads(content), result.conflicts


def sound(tables: Tables, framework: Framework) -> None:
    assert [p.text for p in check(Project(tables), framework)] == []


def test_runs_linked_on_two_branches_to_one_experiment_are_all_kept(
    base: Branch, framework: Framework
) -> None:
    e, _ = experiments(base)
    base.do("10:30:00", link(run("before"), to=e))
    ours, theirs = base.fork("alice", "o"), base.fork("bob", "t")
    ours.do("11:00:00", link(run("a1"), to=e))
    theirs.do("11:00:00", link(run("b1"), run("b2"), to=e))
    tables, conflicts = merged(base, ours, theirs)
    assert conflicts == []
    project = Project(tables)
    assert [(x.id, x.linked_by) for x in project.runs_of(e)] == [
        ("mlflow:before", "lead"),
        ("mlflow:a1", "alice"),
        ("mlflow:b1", "bob"),
        ("mlflow:b2", "bob"),
    ]
    sound(tables, framework)


def test_one_run_linked_to_two_experiments_is_a_conflict_kept_by_the_later_side(
    base: Branch, framework: Framework
) -> None:
    e, f = experiments(base)
    ours, theirs = base.fork("alice", "o"), base.fork("bob", "t")
    ours.do("11:00:00", link(run("a1", metrics={"accuracy": 0.8}), to=e))
    theirs.do("11:00:05", link(run("a1", metrics={"accuracy": 0.9}), to=f))
    tables, conflicts = merged(base, ours, theirs)
    assert [(c.table, c.record, c.field, c.ours, c.theirs, c.kept) for c in conflicts] == [
        ("runs", "mlflow:a1", "experiment", e, f, "theirs")
    ]
    record = tables["runs"]["mlflow:a1"]
    assert (record["experiment"], record["linked_by"], record["linked_at"]) == (
        f,
        "bob",
        "2026-03-02T11:00:05Z",
    )
    assert record["metrics"] == {"accuracy": 0.9}  # the newer reading
    # The conflict is chosen like any other: the run moves to the other experiment.
    ctx = Context("carol", "2026-03-02T12:00:00Z")
    (conflict,) = Project(tables).conflicts
    tables = apply_change(
        tables, resolve_conflict(Project(tables), framework, ctx, conflict.id, "ours"), ctx
    )
    assert [x.id for x in Project(tables).runs_of(e)] == ["mlflow:a1"]
    assert Project(tables).runs_of(f) == ()
    sound(tables, framework)


def test_one_run_linked_to_the_same_experiment_on_both_sides_is_no_conflict(
    base: Branch, framework: Framework
) -> None:
    e, _ = experiments(base)
    ours, theirs = base.fork("alice", "o"), base.fork("bob", "t")
    ours.do("11:00:09", link(run("a1", status="RUNNING"), to=e))
    theirs.do("11:00:05", link(run("a1"), to=e))
    tables, conflicts = merged(base, ours, theirs)
    assert conflicts == []
    record = tables["runs"]["mlflow:a1"]
    assert (record["experiment"], record["status"], record["linked_by"]) == (e, "RUNNING", "alice")
    sound(tables, framework)


@pytest.mark.parametrize("newer", ["ours", "theirs"])
def test_a_snapshot_read_again_on_both_sides_is_taken_whole_from_the_newer_reading(
    base: Branch, framework: Framework, newer: str
) -> None:
    e, _ = experiments(base)
    base.do("10:30:00", link(run("a1", status="RUNNING", metrics={"accuracy": 0.5}), to=e))
    ours, theirs = base.fork("alice", "o"), base.fork("bob", "t")
    ours_at, theirs_at = ("11:30:00", "11:00:00") if newer == "ours" else ("11:00:00", "11:30:00")
    ours.do(ours_at, refresh(run("a1", status="KILLED", metrics={"accuracy": 0.6, "f1": 0.1})))
    theirs.do(
        theirs_at, refresh(run("a1", status="FINISHED", metrics={"accuracy": 0.7}, name="renamed"))
    )
    tables, conflicts = merged(base, ours, theirs)
    assert conflicts == []
    record = tables["runs"]["mlflow:a1"]
    if newer == "ours":
        expected = ("KILLED", {"accuracy": 0.6, "f1": 0.1}, "run a1", "2026-03-02T11:30:00Z")
    else:
        expected = ("FINISHED", {"accuracy": 0.7}, "renamed", "2026-03-02T11:30:00Z")
    assert (record["status"], record["metrics"], record["name"], record["captured_at"]) == expected
    assert record["linked_at"] == "2026-03-02T10:30:00Z"
    sound(tables, framework)


def test_a_newer_reading_wins_over_a_run_marked_gone_on_another_clone(
    base: Branch, framework: Framework
) -> None:
    e, _ = experiments(base)
    base.do("10:30:00", link(run("a1", status="RUNNING"), to=e))
    ours, theirs = base.fork("alice", "o"), base.fork("bob", "t")
    ours.do("12:00:00", refresh())  # alice's store no longer has the run: gone there
    theirs.do("11:00:00", refresh(run("a1")))  # bob read it, finished
    tables, conflicts = merged(base, ours, theirs)
    assert conflicts == []
    record = tables["runs"]["mlflow:a1"]
    assert (record["gone"], record["status"], record["captured_at"]) == (
        False,
        "FINISHED",
        "2026-03-02T11:00:00Z",
    )
    # Read on one side only: that side's change is taken as it is.
    ours, theirs = base.fork("alice", "p"), base.fork("bob", "u")
    ours.do("12:00:00", refresh())
    tables, conflicts = merged(base, ours, theirs)
    assert conflicts == [] and tables["runs"]["mlflow:a1"]["gone"] is True


@pytest.mark.parametrize("unlinker", ["ours", "theirs"])
def test_an_unlink_stays_when_the_other_side_only_read_the_run_again(
    base: Branch, framework: Framework, unlinker: str
) -> None:
    e, f = experiments(base)
    base.do("10:30:00", link(run("a1", status="RUNNING"), run("b1", status="RUNNING"), to=e))
    ours, theirs = base.fork("alice", "o"), base.fork("bob", "t")
    one, other = (ours, theirs) if unlinker == "ours" else (theirs, ours)
    one.do("11:00:00", unlink(e, "mlflow:a1", "mlflow:b1"))
    other.do("11:00:05", refresh(run("a1"), run("b1")))  # both read again
    other.do("11:00:06", link(run("b1"), to=f, move=True))  # and b1 moved: a decision
    tables, conflicts = merged(base, ours, theirs)
    assert conflicts == []
    assert "mlflow:a1" not in tables["runs"]
    assert tables["runs"]["mlflow:b1"]["experiment"] == f
    sound(tables, framework)


def test_a_version_from_before_run_links_merges_with_one_that_has_them(
    base: Branch, framework: Framework
) -> None:
    e, _ = experiments(base)
    old = {name: table for name, table in base.tables.items() if name != "runs"}
    ours = base.fork("alice", "o")
    ours.do("11:00:00", link(run("a1"), to=e))
    result = merge(old, ours.tables, old)
    assert result.conflicts == []
    assert list(result.data["runs"]) == ["mlflow:a1"]


# --- through the merge driver, as git runs it -----------------------------------------------------


def test_the_merge_driver_merges_run_links_and_records_the_conflict(
    base: Branch, cli: Cli, tmp_path: Path
) -> None:
    e, f = experiments(base)
    ours, theirs = base.fork("alice", "o"), base.fork("bob", "t")
    ours.do("11:00:00", link(run("a1"), to=e))
    theirs.do("11:00:05", link(run("b1"), to=e))
    paths = [tmp_path / n for n in ("O", "A", "B")]
    for path, branch in zip(paths, (base, ours, theirs), strict=True):
        path.write_bytes(branch.bytes())
    done = cli("merge-driver", *map(str, paths), "mlpl.json")
    assert done.code == 0 and "no conflicts" in done.err
    assert sorted(orjson.loads(paths[1].read_bytes())["runs"]) == ["mlflow:a1", "mlflow:b1"]

    theirs.do("11:00:09", link(run("a1"), to=f))
    paths[1].write_bytes(ours.bytes())
    paths[2].write_bytes(theirs.bytes())
    clash = cli("merge-driver", *map(str, paths), "mlpl.json")
    assert clash.code == 1
    assert "runs 'mlflow:a1' experiment: both sides changed it" in clash.err
    merged_runs = orjson.loads(paths[1].read_bytes())["runs"]
    assert merged_runs["mlflow:a1"]["experiment"] == f


# --- with git: two clones link runs, one pulls the other ------------------------------------------


assert shutil.which("git") is not None, "these tests need git on PATH"


def mlpl(env: dict[str, str], cwd: Path, *args: str, user: str, code: int = 0) -> Result:
    result = run_process(*args, cwd=cwd, env={**env, "MLPL_USER": user})
    assert result.code == code, f"mlpl-tui {' '.join(args)}:\n{result.out}{result.err}"
    return result


def link_in_clone(folder: Path, experiment: str, *runs: Run, who: str, at: str) -> None:
    """What `experiment link` writes in a clone (the runs built here, not read from a store)."""
    framework = load_framework(builtin_framework_path())
    ctx = Context(who, at)
    Store(folder / "mlpl.json").apply(
        lambda p: run_links.link_runs(p, framework, ctx, experiment, list(runs)), who, at
    )


def test_two_clones_link_runs_and_git_merges_them_through_the_driver(
    env: dict[str, str], tmp_path: Path
) -> None:
    origin = tmp_path / "origin.git"
    git(env, tmp_path, "init", "-q", "--bare", "-b", "main", str(origin))
    lead = tmp_path / "lead"
    git(env, tmp_path, "clone", "-q", str(origin), str(lead))
    mlpl(env, lead, "init", "--name", "Runs", user="lead")
    experiment = mlpl(env, lead, "experiment", "add", "Boosting", user="lead").out.strip()
    git(env, lead, "add", "mlpl.json", ".gitattributes")
    git(env, lead, "commit", "-q", "-m", "Start")
    git(env, lead, "push", "-q", "origin", "main")
    alice, bob = tmp_path / "alice", tmp_path / "bob"
    for folder in (alice, bob):
        git(env, tmp_path, "clone", "-q", str(origin), str(folder))
        mlpl(env, folder, "git-setup", user="lead")
    link_in_clone(alice, experiment, run("a1"), who="alice", at="2026-03-02T11:00:00Z")
    git(env, alice, "commit", "-q", "-am", "Alice links a1")
    git(env, alice, "push", "-q", "origin", "main")
    link_in_clone(bob, experiment, run("b1"), who="bob", at="2026-03-02T11:00:05Z")
    git(env, bob, "commit", "-q", "-am", "Bob links b1")
    pulled = git(env, bob, "pull", "--no-rebase", "--no-edit", "-q", "origin", "main")
    assert "CONFLICT" not in pulled.out + pulled.err
    assert git(env, bob, "status", "--porcelain").out == ""
    assert "valid" in mlpl(env, bob, "validate", user="bob").out
    listed = json.loads(mlpl(env, bob, "experiment", "list", "--json", user="bob").out)
    assert [r["ref"] for r in listed[0]["runs"]] == ["mlflow:a1", "mlflow:b1"]
    assert listed[0]["best_metrics"] == {"accuracy": 0.9}
