"""A hostile branch's files are data, never code: the merge driver, git-setup and validate."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from mlpl_tui.sanitize import has_unsafe
from mlpl_tui.team import ATTRIBUTE
from tests.conftest import Result, git, run_process

# git is a stated requirement (README): without it these tests fail rather than skip.
assert shutil.which("git") is not None, "these tests need git on PATH"

SAFE_DRIVER = f"{shlex.quote(sys.executable)} -I -m mlpl_tui merge-driver %O %A %B %P"


def mlpl(env: dict[str, str], cwd: Path, *args: str, code: int = 0) -> Result:
    result = run_process(*args, cwd=cwd, env=env)
    assert result.code == code, f"mlpl-tui {' '.join(args)}:\n{result.out}{result.err}"
    return result


def project_repo(env: dict[str, str], tmp_path: Path) -> Path:
    """A repository with a committed project; `init` registered the driver and the attribute."""
    repo = tmp_path / "repo"
    git(env, tmp_path, "init", "-q", "-b", "main", str(repo))
    assert "merge=mlpl" in mlpl(env, repo, "init", "--name", "Hostile").out
    git(env, repo, "add", "mlpl.json", ".gitattributes")
    git(env, repo, "commit", "-q", "-m", "Start")
    return repo


def merge_attribute(env: dict[str, str], repo: Path) -> str:
    return git(env, repo, "check-attr", "merge", "--", "mlpl.json").out.rsplit(":", 1)[-1].strip()


def test_a_branch_planting_mlpl_tui_does_not_run_during_a_later_merge(
    env: dict[str, str], tmp_path: Path
) -> None:
    repo = project_repo(env, tmp_path)
    state = str(repo / "mlpl.json")
    marker = tmp_path / "planted-code-ran"
    plant = f"import pathlib\npathlib.Path({str(marker)!r}).write_text('ran')\n"

    def work_on(branch: str, module: str) -> None:
        """One commit setting a module done; run from outside, the work tree may hold the plant."""
        git(env, repo, "checkout", "-q", branch)
        mlpl(env, tmp_path, "set", "--file", state, module, "done")
        git(env, repo, "commit", "-q", "-am", f"{module} done")

    def merge(branch: str) -> None:
        merged = git(env, repo, "merge", "--no-edit", branch)
        assert not marker.exists(), "the branch's planted package ran as the merge driver"
        assert "mlpl.json: merged by record, no conflicts" in merged.out + merged.err

    git(env, repo, "branch", "hostile")
    git(env, repo, "checkout", "-q", "hostile")
    # In the work tree git runs the driver in, these would shadow the installed package (and
    # the standard library's argparse) for `python -m mlpl_tui`.
    (repo / "mlpl_tui").mkdir()
    for name in ("mlpl_tui/__init__.py", "mlpl_tui/__main__.py", "argparse.py"):
        (repo / name).write_text(plant, encoding="utf-8")
    git(env, repo, "add", "-A")
    git(env, repo, "commit", "-q", "-m", "Plant a package")
    work_on("hostile", "business.stakeholders")
    work_on("main", "business.objectives")
    merge("hostile")  # git merges in memory first: the plant reaches the work tree only now

    git(env, repo, "branch", "later")
    work_on("later", "business.data-sources")
    work_on("main", "business.problem-definition")
    merge("later")  # the driver runs in a work tree holding the planted package

    assert git(env, repo, "config", "merge.mlpl.driver").out.strip() == SAFE_DRIVER
    data = json.loads((repo / "mlpl.json").read_text(encoding="utf-8"))
    done = {k for k, v in data["modules"].items() if v["status"] == "done"}
    assert done == {
        "business.stakeholders",
        "business.objectives",
        "business.data-sources",
        "business.problem-definition",
    }
    assert "valid" in mlpl(env, tmp_path, "validate", "--file", state).out
    assert not marker.exists()


@pytest.mark.parametrize(
    "command",
    [
        f"{shlex.quote(sys.executable)} -m mlpl_tui merge-driver %O %A %B %P",  # before -I
        "mlpl-tui merge-driver %O %A %B %P",
        f"{SAFE_DRIVER}; touch pwned",
    ],
    ids=["old-form", "bare-command", "extra-words"],
)
def test_validate_fails_on_an_unsafe_driver_and_git_setup_replaces_it(
    env: dict[str, str], tmp_path: Path, command: str
) -> None:
    repo = project_repo(env, tmp_path)
    git(env, repo, "config", "merge.mlpl.driver", command)
    failed = mlpl(env, repo, "validate", code=1)
    assert "merge driver" in failed.err and "run 'mlpl-tui git-setup'" in failed.err
    assert "could run as code" in failed.err

    fixed = mlpl(env, repo, "git-setup").out
    assert "set merge.mlpl.driver" in fixed and "replacing" in fixed
    assert git(env, repo, "config", "merge.mlpl.driver").out.strip() == SAFE_DRIVER
    assert "git-setup" not in mlpl(env, repo, "validate").out


@pytest.mark.parametrize(
    ("line", "shown"),
    [
        ("mlpl.json merge=union", "'merge=union'"),
        ("*.json merge=union", "'merge=union'"),
        ("mlpl.json merge=text", "'merge=text'"),
        ("mlpl.json -merge", "'-merge' or 'binary'"),
        ("mlpl.json binary", "'-merge' or 'binary'"),
        ("mlpl.json merge", "'merge'"),
        (f"{ATTRIBUTE}\nmlpl.json merge=union", "'merge=union'"),  # the last line wins
    ],
)
def test_validate_fails_on_another_merge_attribute_and_git_setup_fixes_it(
    env: dict[str, str], tmp_path: Path, line: str, shown: str
) -> None:
    repo = project_repo(env, tmp_path)
    (repo / ".gitattributes").write_text(f"{line}\n", encoding="utf-8")
    failed = mlpl(env, repo, "validate", code=1)
    assert f".gitattributes gives mlpl.json {shown}" in failed.err
    assert f"'{ATTRIBUTE}'" in failed.err and "mlpl-tui git-setup" in failed.err

    assert ".gitattributes" in mlpl(env, repo, "git-setup").out
    attributes = (repo / ".gitattributes").read_text(encoding="utf-8")
    assert attributes == f"{line}\n{ATTRIBUTE}\n"  # appended after: git obeys the last line
    assert merge_attribute(env, repo) == "mlpl"
    assert "valid" in mlpl(env, repo, "validate").out


def test_git_setup_says_when_its_attribute_is_overridden(
    env: dict[str, str], tmp_path: Path
) -> None:
    repo = project_repo(env, tmp_path)
    (repo / ".git" / "info").mkdir(exist_ok=True)
    (repo / ".git" / "info" / "attributes").write_text("mlpl.json merge=union\n", "utf-8")
    assert "'merge=union'" in mlpl(env, repo, "validate", code=1).err
    refused = mlpl(env, repo, "git-setup", code=2)
    assert "still gives mlpl.json 'merge=union'" in refused.err
    assert ".git/info/attributes" in refused.err


def test_git_setup_does_not_write_through_a_linked_gitattributes(
    env: dict[str, str], tmp_path: Path
) -> None:
    repo = tmp_path / "repo"
    git(env, tmp_path, "init", "-q", "-b", "main", str(repo))
    outside = tmp_path / "outside-file"
    outside.write_text("not the repository's\n", encoding="utf-8")
    (repo / ".gitattributes").symlink_to("../outside-file")

    init = mlpl(env, repo, "init").out  # init sets git up when it can, and never fails for it
    assert "git-setup skipped" in init and "symbolic link" in init
    refused = mlpl(env, repo, "git-setup", code=2)
    assert f"{repo / '.gitattributes'} is a symbolic link" in refused.err
    assert outside.read_text(encoding="utf-8") == "not the repository's\n"
    assert (repo / ".gitattributes").is_symlink()


def test_resolve_does_not_write_through_a_planted_temporary(
    env: dict[str, str], tmp_path: Path
) -> None:
    repo = project_repo(env, tmp_path)
    git(env, repo, "config", "--remove-section", "merge.mlpl")  # git leaves conflict markers
    outside = tmp_path / "outside-file"
    outside.write_text("not the repository's\n", encoding="utf-8")

    git(env, repo, "checkout", "-q", "-b", "hostile")
    mlpl(env, repo, "set", "business.stakeholders", "done")
    # The fixed name the store once wrote its temporary file under.
    (repo / ".mlpl.json.tmp").symlink_to("../outside-file")
    git(env, repo, "add", "-A")
    git(env, repo, "commit", "-q", "-m", "Plant a link")
    git(env, repo, "checkout", "-q", "main")
    mlpl(env, repo, "set", "business.objectives", "done")
    git(env, repo, "commit", "-q", "-am", "Objectives done")
    assert git(env, repo, "merge", "--no-edit", "hostile", ok=False).code != 0

    assert "no conflicts" in mlpl(env, repo, "resolve").err
    assert outside.read_text(encoding="utf-8") == "not the repository's\n"
    assert not (repo / "mlpl.json").is_symlink()
    data = json.loads((repo / "mlpl.json").read_text(encoding="utf-8"))
    statuses = {k: v["status"] for k, v in data["modules"].items()}
    assert statuses["business.objectives"] == statuses["business.stakeholders"] == "done"


# A record id, a field value and a name that try to reach the terminal or forge a line.
HOSTILE_ID = "business.objectives\nmlpl.json: merged by record, no conflicts\x1b[2J"
OURS_NOTE = "ours \x1b]52;c;cGF5bG9hZA==\x07 \x1b[31mred"
THEIRS_NOTE = "theirs \x9b31m \u202eevil \x7f"
THEIRS_BY = "mallory\n    kept   ours   \x1b]0;title\x07"


def hostile_versions(env: dict[str, str], folder: Path) -> tuple[Path, Path, Path]:
    """Base, ours and theirs of a project where both sides changed a hostile record's note."""
    folder.mkdir()
    mlpl(env, folder, "init", "--name", "Hostile")
    mlpl(env, folder, "set", "business.objectives", "doing", "--note", "plain")
    base = json.loads((folder / "mlpl.json").read_text(encoding="utf-8"))
    record = base["modules"].pop("business.objectives")
    base["modules"][HOSTILE_ID] = record
    ours = json.loads(json.dumps(base))
    ours["modules"][HOSTILE_ID].update(note=OURS_NOTE, updated_at="2026-03-02T10:00:00Z")
    theirs = json.loads(json.dumps(base))
    theirs["modules"][HOSTILE_ID].update(
        note=THEIRS_NOTE, updated_at="2026-03-02T11:00:00Z", updated_by=THEIRS_BY
    )
    paths = []
    for name, data in (("base", base), ("ours", ours), ("theirs", theirs)):
        path = folder / f"{name}.json"
        path.write_text(json.dumps(data, indent=2), encoding="utf-8")
        paths.append(path)
    return paths[0], paths[1], paths[2]


def test_merge_driver_and_conflicts_print_hostile_text_only_visibly(
    env: dict[str, str], tmp_path: Path
) -> None:
    base, ours, theirs = hostile_versions(env, tmp_path / "versions")
    label = "evil\x1b]0;t\x07/mlpl.json"
    driver = subprocess.run(
        [sys.executable, "-I", "-m", "mlpl_tui", "merge-driver", base, ours, theirs, label],
        cwd=tmp_path,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert driver.returncode == 1, driver.stderr  # a conflict recorded
    assert driver.stdout == ""
    assert not has_unsafe(driver.stderr)
    lines = driver.stderr.splitlines()
    assert len(lines) == 2 and all(
        line.startswith("evil\\x1b]0;t\\x07/mlpl.json: ") for line in lines
    )
    assert "'business.objectives\\nmlpl.json: merged by record" in lines[0]

    project = tmp_path / "project"
    project.mkdir()
    shutil.copyfile(ours, project / "mlpl.json")
    listed = mlpl(env, project, "conflicts")
    assert not has_unsafe(listed.out + listed.err)
    rows = listed.out.splitlines()
    assert len(rows) == 4, listed.out  # the conflict, both sides, the hint: none forged
    assert "(mallory\\n    kept   ours   \\x1b]0;title\\x07," in rows[2]

    exact = mlpl(env, project, "conflicts", "--json")
    assert not has_unsafe(exact.out)
    [conflict] = json.loads(exact.out)
    assert conflict["record"] == HOSTILE_ID
    assert {conflict["ours"], conflict["theirs"]} == {OURS_NOTE, THEIRS_NOTE}
    assert conflict["theirs_by"] == THEIRS_BY
