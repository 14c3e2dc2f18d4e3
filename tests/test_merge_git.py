"""Team use with real git: two clones change the project at once, then one pulls the other."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tests.conftest import Result, git, run_process

# git is a stated requirement (README): without it these tests fail rather than skip.
assert shutil.which("git") is not None, "these tests need git on PATH"


def mlpl(env: dict[str, str], cwd: Path, *args: str, user: str = "lead", code: int = 0) -> Result:
    result = run_process(*args, cwd=cwd, env={**env, "MLPL_USER": user})
    assert result.code == code, f"mlpl-tui {' '.join(args)}:\n{result.out}{result.err}"
    return result


def status(env: dict[str, str], cwd: Path) -> dict[str, object]:
    loaded: dict[str, object] = json.loads(mlpl(env, cwd, "status", "--json").out)
    return loaded


def shared_project(env: dict[str, str], tmp_path: Path) -> Path:
    """A bare origin holding a project in the Data stage, set up by its first user."""
    origin = tmp_path / "origin.git"
    git(env, tmp_path, "init", "-q", "--bare", "-b", "main", str(origin))
    lead = tmp_path / "lead"
    git(env, tmp_path, "clone", "-q", str(origin), str(lead))
    out = mlpl(env, lead, "init", "--name", "Team project").out
    assert "merge=mlpl" in out  # init ran git-setup inside the repository
    for module in ("objectives", "problem-definition", "stakeholders", "data-sources"):
        mlpl(env, lead, "set", f"business.{module}", "done")
    mlpl(env, lead, "set", "business.constraints", "done")
    mlpl(env, lead, "advance")
    git(env, lead, "add", "mlpl.json", ".gitattributes")
    git(env, lead, "commit", "-q", "-m", "Start the project")
    git(env, lead, "push", "-q", "origin", "main")
    return origin


def clone(env: dict[str, str], origin: Path, folder: Path, setup: bool = True) -> Path:
    git(env, folder.parent, "clone", "-q", str(origin), str(folder))
    if setup:
        assert "merge.mlpl.driver" in mlpl(env, folder, "git-setup").out
    return folder


def alice_works(env: dict[str, str], alice: Path) -> None:
    for module in ("data.acquisition", "data.cleaning", "business.milestones"):
        mlpl(env, alice, "set", module, "done", user="alice")
    mlpl(env, alice, "decide", "Weekly data", "--decision", "Aggregate per week", user="alice")
    mlpl(env, alice, "log", "2h", "--module", "data.cleaning", "--note", "dedup", user="alice")
    git(env, alice, "commit", "-q", "-am", "Alice: data acquired and cleaned")
    git(env, alice, "push", "-q", "origin", "main")


def bob_works(env: dict[str, str], bob: Path) -> None:
    for module in ("data.pre-processing", "business.milestones"):
        mlpl(env, bob, "set", module, "done", user="bob")
    mlpl(env, bob, "decide", "Drop 2019", "--decision", "Exclude 2019 records", user="bob")
    mlpl(env, bob, "log", "1h30m", "--note", "profiling", user="bob")
    mlpl(
        env,
        bob,
        "switch",
        "business",
        "--category",
        "data",
        "--reason",
        "Only one season of history",
        user="bob",
    )
    git(env, bob, "commit", "-q", "-am", "Bob: back to business")


def assert_everything_is_there(env: dict[str, str], folder: Path) -> None:
    assert "valid" in mlpl(env, folder, "validate").out
    data = json.loads((folder / "mlpl.json").read_text(encoding="utf-8"))
    modules = {k: v["status"] for k, v in data["modules"].items()}
    assert modules["data.acquisition"] == modules["data.cleaning"] == "done"  # alice
    assert modules["data.pre-processing"] == "revisit"  # bob, marked by his loop back
    assert modules["business.milestones"] == "done"  # both
    assert {d["title"] for d in data["decisions"].values()} == {"Weekly data", "Drop 2019"}
    assert sorted(e["minutes"] for e in data["effort"].values()) == [90, 120]
    assert [s["reason"] for s in data["switches"].values()] == ["Only one season of history"]
    assert "conflicts" not in data or not data["conflicts"]
    actions = sorted(e["action"] for e in data["events"].values())
    assert actions.count("module.set") == 5 + 3 + 2  # the lead, alice, bob
    assert actions.count("decision.add") == 2 and actions.count("effort.log") == 2
    summary = status(env, folder)
    assert (summary["current_stage"], summary["iteration"]) == ("business", 2)
    assert summary["decisions"] == 2 and summary["effort_minutes"] == 210


def test_two_clones_merge_through_the_driver_and_through_resolve(
    env: dict[str, str], tmp_path: Path
) -> None:
    origin = shared_project(env, tmp_path)
    alice = clone(env, origin, tmp_path / "alice")
    bob = clone(env, origin, tmp_path / "bob")
    alice_works(env, alice)
    bob_works(env, bob)

    # The same clone, state and commit, but without the driver registered.
    plain = tmp_path / "plain"
    shutil.copytree(bob, plain, symlinks=True)
    git(env, plain, "config", "--remove-section", "merge.mlpl")
    assert "git-setup" in mlpl(env, plain, "validate").out  # the hint, not a failure

    pulled = git(env, bob, "pull", "--no-rebase", "--no-edit", "-q", "origin", "main")
    assert "CONFLICT" not in pulled.out + pulled.err
    assert git(env, bob, "status", "--porcelain").out == ""
    assert_everything_is_there(env, bob)

    conflicted = git(env, plain, "pull", "--no-rebase", "--no-edit", "origin", "main", ok=False)
    assert conflicted.code != 0 and "CONFLICT" in conflicted.out
    markers = mlpl(env, plain, "validate", code=1)
    assert "conflict marker" in markers.err and "mlpl-tui resolve" in markers.err
    resolved = mlpl(env, plain, "resolve", user="bob")
    assert "no conflicts" in resolved.err
    assert (plain / "mlpl.json").read_bytes() == (bob / "mlpl.json").read_bytes()
    git(env, plain, "commit", "-q", "--no-edit")
    assert_everything_is_there(env, plain)
    mlpl(env, plain, "resolve", code=2)  # nothing left to resolve


def test_git_setup_twice_changes_nothing(env: dict[str, str], tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    git(env, tmp_path, "init", "-q", "-b", "main", str(repo))
    (repo / ".gitattributes").write_text("*.png binary", encoding="utf-8")  # no final newline
    first = mlpl(env, repo, "git-setup").out
    assert ".gitattributes" in first and "merge.mlpl.driver" in first
    attributes = (repo / ".gitattributes").read_text(encoding="utf-8")
    assert attributes == "*.png binary\nmlpl.json merge=mlpl\n"
    config = (repo / ".git" / "config").read_bytes()
    assert "already set up" in mlpl(env, repo, "git-setup").out
    assert (repo / ".gitattributes").read_text(encoding="utf-8") == attributes
    assert (repo / ".git" / "config").read_bytes() == config
    driver = git(env, repo, "config", "merge.mlpl.driver").out.strip()
    assert driver.endswith("-m mlpl_tui merge-driver %O %A %B %P")
    assert Path(driver.split()[0]).is_absolute()


def test_git_setup_outside_a_repository_says_so(env: dict[str, str], tmp_path: Path) -> None:
    result = mlpl(env, tmp_path, "git-setup", code=2)
    assert "not inside a git repository" in result.err
    assert "merge=mlpl" not in mlpl(env, tmp_path, "init").out  # init outside git: no set-up


def test_validate_says_when_the_registered_interpreter_is_gone(
    env: dict[str, str], tmp_path: Path
) -> None:
    repo = tmp_path / "repo"
    git(env, tmp_path, "init", "-q", "-b", "main", str(repo))
    mlpl(env, repo, "init")
    assert "git-setup" not in mlpl(env, repo, "validate").out  # set up by init: no hint
    git(env, repo, "config", "merge.mlpl.driver", "/gone/python -m mlpl_tui merge-driver %O %A %B")
    hint = mlpl(env, repo, "validate").out
    assert "/gone/python is gone" in hint and "git-setup" in hint
    mlpl(env, repo, "git-setup")
    assert "git-setup" not in mlpl(env, repo, "validate").out
