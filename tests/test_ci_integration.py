"""CI integration: the repository's pre-commit hook run by the real `pre-commit try-repo`,
`validate --format github` annotations, and `report --since GITREF` for a pull request."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from mlpl_tui.cli import github_data, github_property
from tests.conftest import ROOT, Result, git, run_process

assert shutil.which("git") is not None, "these tests need git on PATH"

Cli = Callable[..., Result]
HOSTILE = "50% <b>x</b> | `tick` *star* [l](http://e) ::error::\nline2 \r"


def _write(path: Path, data: dict[str, object]) -> None:
    path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")


def _first_id(data: dict[str, dict[str, object]], table: str) -> str:
    return next(iter(data[table]))


# --- the pre-commit hook ----------------------------------------------------------------------


def _hook_source(env: dict[str, str], folder: Path) -> Path:
    """A repository holding this checkout's files as committed (try-repo reads commits: the
    work tree's files, untracked ones too, are copied and committed here)."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    folder.mkdir()
    for name in ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml"):
        shutil.copy2(ROOT / name, folder / name)
    for name in ("mlpl_tui", "screens", "data"):
        shutil.copytree(ROOT / name, folder / name, symlinks=True, ignore=ignore)
    git(env, folder, "init", "-q", "-b", "main")
    git(env, folder, "add", "-A")
    git(env, folder, "commit", "-q", "-m", "hook source")
    return folder


def _try_repo(env: dict[str, str], project: Path, source: Path, home: Path) -> Result:
    # pip (which installs the hook's environment) keeps the user's HOME and its cache.
    environment = {k: v for k, v in {**os.environ, **env}.items() if k != "HOME"}
    environment["PRE_COMMIT_HOME"] = str(home)
    environment.pop("MLPL_FILE", None)
    command = [sys.executable, "-m", "pre_commit", "try-repo", str(source), "mlpl-validate"]
    done = subprocess.run(
        [*command, "--files", "mlpl.json", "--color", "never"],
        cwd=project,
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
    )
    return Result(done.returncode, done.stdout, done.stderr)


def test_the_pre_commit_hook_passes_a_good_file_and_fails_a_broken_one(
    env: dict[str, str], tmp_path: Path
) -> None:
    source = _hook_source(env, tmp_path / "source")
    project = tmp_path / "project"
    project.mkdir()
    git(env, project, "init", "-q", "-b", "main")
    assert run_process("init", "--name", "Hooked", cwd=project, env=env).code == 0
    git(env, project, "add", "mlpl.json")
    home = tmp_path / "pre-commit-home"

    good = _try_repo(env, project, source, home)
    assert good.code == 0, good.out + good.err
    assert "mlpl-tui validate" in good.out and "Passed" in good.out

    data = json.loads((project / "mlpl.json").read_text())
    visit = _first_id(data, "visits")
    data["visits"][visit]["stage"] = "nowhere"
    _write(project / "mlpl.json", data)
    bad = _try_repo(env, project, source, home)
    assert bad.code == 1, bad.out + bad.err
    assert "Failed" in bad.out
    assert f"visit '{visit}': unknown stage 'nowhere'" in bad.out

    (project / "mlpl.json").write_text('{\n  "meta": {,\n}\n')
    broken = _try_repo(env, project, source, home)
    assert broken.code == 1, broken.out + broken.err
    assert "not valid JSON" in broken.out and "line 2 column" in broken.out


def test_validate_checks_each_file_it_is_given(cli: Cli, tmp_path: Path) -> None:
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        assert cli("--file", f"{name}/mlpl.json", "init").code == 0
    (tmp_path / "b" / "mlpl.json").write_text("{")
    result = cli("validate", "a/mlpl.json", "b/mlpl.json")
    assert result.code == 2
    assert "a/mlpl.json: valid" in result.out
    assert "b/mlpl.json: not valid JSON" in result.err
    assert cli("validate", "a/mlpl.json", "a/mlpl.json").code == 0


# --- validate --format github -----------------------------------------------------------------


def test_github_escaping_follows_the_toolkit() -> None:
    assert github_data("a%b\r\nc :: d, e") == "a%25b%0D%0Ac :: d, e"
    assert github_property("dir,x/ml:pl.json%") == "dir%2Cx/ml%3Apl.json%25"


def test_validate_github_annotates_a_record_problem_at_its_line(cli: Cli, tmp_path: Path) -> None:
    assert cli("init").code == 0
    path = tmp_path / "mlpl.json"
    data = json.loads(path.read_text())
    visit = _first_id(data, "visits")
    data["visits"][visit]["stage"] = "no%where::\nx"
    _write(path, data)
    line = path.read_text().splitlines().index(f'    "{visit}": {{') + 1

    result = cli("validate", "--format", "github")
    assert result.code == 1
    annotations = [x for x in result.out.splitlines() if x.startswith("::")]
    assert annotations == [
        f"::error file=mlpl.json,line={line}::visit '{visit}': unknown stage 'no%25where::%0Ax'"
    ]
    plain = cli("validate")
    assert plain.code == 1 and "::error" not in plain.out + plain.err


def test_validate_github_annotates_a_syntax_error_and_a_conflict_marker(
    cli: Cli, tmp_path: Path
) -> None:
    assert cli("init").code == 0
    path = tmp_path / "mlpl.json"
    good = path.read_text()
    path.write_text('{\n  "meta": {\n    "x": 1,,\n')
    result = cli("validate", "--format", "github")
    assert result.code == 2
    assert result.out.startswith("::error file=mlpl.json,line=3::")
    assert "mlpl.json: not valid JSON" in result.out
    assert result.out.count("\n") == 1

    lines = good.splitlines()
    path.write_text("\n".join([*lines[:3], "<<<<<<< ours", *lines[3:]]) + "\n")
    marked = cli("validate", "--format", "github")
    assert marked.code == 1
    assert marked.out.startswith("::error file=mlpl.json,line=4::line 4: git conflict marker")


def test_validate_github_writes_warnings_and_passes(cli: Cli, tmp_path: Path) -> None:
    assert cli("init").code == 0
    path = tmp_path / "mlpl.json"
    data = json.loads(path.read_text())
    data["modules"]["gone,away:now"] = {
        "status": "todo",
        "note": "",
        "reason": "",
        "updated_at": "2026-03-02T10:00:00Z",
        "updated_by": "tester",
    }
    _write(path, data)
    result = cli("validate", "--format", "github")
    assert result.code == 0, result.err
    warning = next(x for x in result.out.splitlines() if x.startswith("::warning"))
    assert warning.startswith("::warning file=mlpl.json,line=")
    assert "module 'gone,away:now' is not in the framework" in warning
    assert result.out.rstrip().endswith("mlpl.json: valid")


def test_validate_refuses_an_unknown_format(cli: Cli) -> None:
    assert cli("init").code == 0
    result = cli("validate", "--format", "xml")
    assert result.code == 2 and "unknown validate format 'xml'" in result.err


# --- report --since ---------------------------------------------------------------------------


@pytest.fixture
def repo(env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """tmp_path as a git repository whose first commit holds a new project in sub/."""
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    git(env, tmp_path, "init", "-q", "-b", "main")
    (tmp_path / "sub").mkdir()
    return tmp_path


def test_report_since_describes_what_changed_since_a_commit(
    cli: Cli, env: dict[str, str], repo: Path
) -> None:
    state = "sub/mlpl.json"
    assert cli("--file", state, "init", "--name", "Since").code == 0
    assert cli("--file", state, "decide", "Old", "--decision", "keep me").code == 0
    assert cli("--file", state, "log", "1h", "--stage", "business").code == 0
    git(env, repo, "add", "-A")
    git(env, repo, "commit", "-q", "-m", "start")

    assert cli("--file", state, "set", "business.objectives", "done").code == 0
    assert cli("--file", state, "advance", "--force", "--why", "time is short").code == 0
    switched = cli("--file", state, "switch", "business", "--category", "data", "--reason", HOSTILE)
    assert switched.code == 0, switched.err
    assert cli("--file", state, "decide", HOSTILE, "--decision", "use <script>x</script>").code == 0
    assert cli("--file", state, "log", "2h30m", "--note", "work").code == 0
    assert cli("--file", state, "experiment", "add", "Baseline *1*").code == 0
    assert cli("--file", state, "learn", "Labels | lie").code == 0

    result = cli("--file", state, "report", "--since", "HEAD", "--format", "md")
    assert result.code == 0, result.err
    out = result.out
    assert out.startswith("### Project changes since HEAD (")
    assert (
        "- **Stage:** Business Understanding (iteration 1) → Business Understanding (iteration 2)"
        in out
    )
    assert "| business.objectives | new | done |" in out
    assert "- **Modules:** 1 moved" in out and "- **Decisions:** 2 added" in out
    assert "- Data Acquisition → Business Understanding, data: 50%" in out
    assert (
        "50% &lt;b&gt;x&lt;/b&gt; \\| \\`tick\\` \\*star\\* \\[l\\](http://e) ::error:: line2"
        in out
    )
    assert "<script>" not in out and "<b>" not in out and "\r" not in out
    assert "- **Effort:** +2h30m (1 added entry)" in out
    assert "- added: **Baseline \\*1\\*** (running)\n" in out
    assert "- added: Labels \\| lie" in out
    assert "Old" not in out  # unchanged since the ref
    for line in out.splitlines():  # every hostile text stays on its line
        assert not line.startswith(("line2", "<")), line

    clean = cli("--file", state, "report", "--since", "HEAD", "-o", str(repo / "pr.md"))
    assert clean.code == 0 and (repo / "pr.md").read_text() == out
    git(env, repo, "add", "-A")
    git(env, repo, "commit", "-q", "-m", "more")
    same = cli("--file", state, "report", "--since", "HEAD")
    assert same.code == 0 and "No change to the project's records." in same.out


def test_report_since_refuses_a_bad_ref_a_missing_file_and_other_formats(
    cli: Cli, env: dict[str, str], repo: Path
) -> None:
    state = "sub/mlpl.json"
    (repo / "README").write_text("x\n")
    git(env, repo, "add", "README")
    git(env, repo, "commit", "-q", "-m", "before the project")
    assert cli("--file", state, "init").code == 0

    def refused(result: Result, *words: str) -> None:
        assert result.code == 2, result.out + result.err
        assert len(result.err.strip().splitlines()) == 1, result.err
        assert "Traceback" not in result.err
        for word in words:
            assert word in result.err, result.err

    refused(cli("--file", state, "report", "--since", "no-such-branch"), "'no-such-branch'")
    refused(cli("--file", state, "report", "--since=-x"), "not a git ref")
    refused(cli("--file", state, "report", "--since", "HEAD"), "sub/mlpl.json does not exist at")
    refused(cli("--file", state, "report", "--since", "HEAD", "--format", "html"), "Markdown")


def test_report_since_outside_git_is_a_one_line_error(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    assert cli("init").code == 0
    result = cli("report", "--since", "HEAD")
    assert result.code == 2 and "not in a git repository" in result.err
