"""The state file under stress: concurrent writers, crashes, files replaced or deleted."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import orjson
import pytest

from mlpl_tui.errors import RuleError
from mlpl_tui.framework import Framework
from mlpl_tui.lifecycle import Context, decide, log_effort, new_project, set_status
from mlpl_tui.model import Change, Project, StateError
from mlpl_tui.store import Store
from tests.conftest import ROOT, run_process

NOW = "2026-03-02T10:00:00Z"
# A temporary as a killed writer leaves it: `.NAME.` + 8 random characters + `.tmp`.
TEMP_NAME = ".mlpl.json.k1ll3d42.tmp"
LOCK_NAME = "mlpl.json.lock"

# A writer process: Store.apply + lifecycle functions, not one CLI launch per change.
CONCURRENT_WRITER = """
import sys
from pathlib import Path

from mlpl_tui.framework import builtin_framework_path, load_framework
from mlpl_tui.lifecycle import Context, log_effort
from mlpl_tui.store import Store

path, tag, count = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
framework = load_framework(builtin_framework_path())
ctx = Context(tag, "2026-03-02T10:00:00Z")
store = Store(path)
print("ready", flush=True)
sys.stdin.readline()  # the parent starts both writers at once
for i in range(count):
    note = f"{tag}-{i}"
    change = lambda p: log_effort(p, framework, ctx, "15m", note=note)
    store.apply(change, ctx.who, ctx.now)
print("done", flush=True)
"""

# A writer that reports each entry's id once apply() has returned, until it is killed.
KILLABLE_WRITER = """
import sys
from pathlib import Path

from mlpl_tui.framework import builtin_framework_path, load_framework
from mlpl_tui.lifecycle import Context, log_effort
from mlpl_tui.store import Store

path, run, count = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
framework = load_framework(builtin_framework_path())
ctx = Context("killable", "2026-03-02T10:00:00Z")
store = Store(path)
for i in range(count):
    note = f"run {run} write {i}"
    change = lambda p: log_effort(p, framework, ctx, "5m", note=note)
    applied = store.apply(change, ctx.who, ctx.now)
    print(applied.change.result, flush=True)
"""


def child_env() -> dict[str, str]:
    existing = os.environ.get("PYTHONPATH")
    path = str(ROOT) if not existing else f"{ROOT}{os.pathsep}{existing}"
    return {**os.environ, "PYTHONPATH": path}


def raw(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = orjson.loads(path.read_bytes())
    return data


def leftovers(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()} - {"mlpl.json"}


@pytest.fixture
def project_file(tmp_path: Path) -> Path:
    folder = tmp_path / "project"  # only the state file lives here; logs go beside it
    folder.mkdir()
    path = folder / "mlpl.json"
    Store.create(path, new_project("Stress", Context("setup", NOW)))
    return path


# --- concurrent writers ---------------------------------------------------------------------------


def test_two_processes_making_300_changes_each_at_once_lose_none(project_file: Path) -> None:
    count = 300
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", CONCURRENT_WRITER, str(project_file), tag, str(count)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=child_env(),
        )
        for tag in ("alpha", "beta")
    ]
    try:
        for writer in writers:
            assert writer.stdout is not None
            assert writer.stdout.readline().strip() == "ready", writer.stderr
        for writer in writers:
            assert writer.stdin is not None
            writer.stdin.write("go\n")
            writer.stdin.flush()
        results = [writer.communicate(timeout=120) for writer in writers]
    finally:
        for writer in writers:
            if writer.poll() is None:
                writer.kill()
                writer.wait()
    for writer, (out, err) in zip(writers, results, strict=True):
        assert writer.returncode == 0, err
        assert out.strip() == "done"

    data = raw(project_file)
    notes = [entry["note"] for entry in data["effort"].values()]
    expected = {f"{tag}-{i}" for tag in ("alpha", "beta") for i in range(count)}
    assert len(notes) == 2 * count
    assert set(notes) == expected
    assert len(data["events"]) >= 2 * count + 1  # plus the project's creation
    logged = [e for e in data["events"].values() if e["action"] == "effort.log"]
    assert len(logged) == 2 * count
    assert {e["by"] for e in logged} == {"alpha", "beta"}
    project = Store(project_file).load()
    assert len(project.effort) == 2 * count
    assert sum(e.minutes for e in project.effort) == 2 * count * 15
    assert leftovers(project_file.parent) == set()


# --- crashes --------------------------------------------------------------------------------------


def check_consistent(path: Path, reported: list[str]) -> dict[str, Any]:
    """The file parses, holds every reported entry, and each entry came with its event."""
    data = raw(path)  # orjson: a half-written file would not parse
    project = Store(path).load()
    assert len(project.effort) == len(data["effort"])
    missing = set(reported) - set(data["effort"])
    assert not missing, f"entries reported as written but not in the file: {sorted(missing)}"
    referenced = {ref for e in data["events"].values() for ref in e["refs"]}
    assert set(data["effort"]) <= referenced  # record and event land in the same write
    effort_events = [e for e in data["events"].values() if e["action"] == "effort.log"]
    assert len(effort_events) == len(data["effort"])
    return data


def test_a_writer_killed_at_random_moments_never_leaves_a_broken_or_lossy_file(
    project_file: Path,
) -> None:
    total, max_kills = 500, 8
    rng = random.Random(20260302)
    temp = project_file.with_name(TEMP_NAME)
    reported: list[str] = []
    kills = runs = 0
    while (remaining := total - len(raw(project_file)["effort"])) > 0:
        runs += 1
        assert runs <= max_kills + 5, "the writer keeps stopping before finishing its writes"
        errors = project_file.parent.parent / f"writer-{runs}.err"
        with errors.open("w") as err:
            writer = subprocess.Popen(
                [
                    sys.executable,
                    "-c",
                    KILLABLE_WRITER,
                    str(project_file),
                    str(runs),
                    str(remaining),
                ],
                stdout=subprocess.PIPE,
                stderr=err,
                text=True,
                env=child_env(),
            )
        assert writer.stdout is not None
        kill_after = rng.randint(25, 60)
        try:
            if kills < max_kills and kill_after < remaining:
                for _ in range(kill_after):
                    line = writer.stdout.readline()
                    assert line, errors.read_text()
                    reported.append(line.strip())
                time.sleep(rng.uniform(0, 0.01))  # land somewhere inside the next write
                writer.send_signal(signal.SIGKILL)
                writer.wait(timeout=60)
                assert writer.returncode == -signal.SIGKILL, errors.read_text()
                kills += 1
            else:
                writer.wait(timeout=120)
                assert writer.returncode == 0, errors.read_text()
            reported.extend(writer.stdout.read().split())  # printed before it died
        finally:
            if writer.poll() is None:
                writer.kill()
                writer.wait()
            writer.stdout.close()

        before = check_consistent(project_file, reported)
        if leftovers(project_file.parent) or kills == 3:
            # A temporary file left by a crash (planted here once, half-written) changes
            # nothing that is read.
            if not temp.exists():
                temp.write_bytes(project_file.read_bytes()[:200])
            assert raw(project_file) == before
            assert len(Store(project_file).load().effort) == len(before["effort"])

    assert kills >= 5
    assert len(reported) == len(set(reported))
    final = check_consistent(project_file, reported)
    assert len(final["effort"]) == total
    # The last writer finished normally: its rename consumed its temporary file, and its
    # writes removed those that killed writers left.
    assert leftovers(project_file.parent) == set()


# --- files changed underneath ---------------------------------------------------------------------


def effort_notes(project: Project) -> set[str]:
    return {e.note for e in project.effort}


@pytest.mark.parametrize("how", ["replaced", "rewritten-in-place"])
def test_a_file_replaced_on_disk_is_re_read_before_the_next_write(
    tmp_path: Path, framework: Framework, how: str
) -> None:
    path = tmp_path / "mlpl.json"
    ctx = Context("one", NOW)
    long_lived = Store.create(path, new_project("Checkout", ctx))
    long_lived.apply(
        lambda p: set_status(p, framework, ctx, "business.objectives", "done"), ctx.who, ctx.now
    )  # change A

    # Another branch's version of the file, holding change B, arrives as git checkout brings it.
    other = tmp_path / "other-branch" / "mlpl.json"
    other.parent.mkdir()
    shutil.copyfile(path, other)
    ctx_b = Context("two", NOW)
    Store(other).apply(
        lambda p: log_effort(p, framework, ctx_b, "1h", note="change B"), ctx_b.who, ctx_b.now
    )
    replacement = other.read_bytes()
    assert len(replacement) != path.stat().st_size
    if how == "replaced":
        staged = tmp_path / "checkout.tmp"
        staged.write_bytes(replacement)
        os.replace(staged, path)
    else:
        with path.open("r+b") as handle:  # same inode, new content and size
            handle.write(replacement)
            handle.truncate()
    assert long_lived.changed_on_disk()

    long_lived.apply(
        lambda p: log_effort(p, framework, ctx, "30m", note="change C"), ctx.who, ctx.now
    )

    project = Store(path).load()
    assert effort_notes(project) == {"change B", "change C"}
    # A was part of the replacement too (it was copied before B was made).
    assert project.modules["business.objectives"].status == "done"
    actions = [e.action for e in project.events]
    assert actions.count("effort.log") == 2
    assert effort_notes(long_lived.load()) == {"change B", "change C"}


def test_a_file_replaced_by_an_older_version_is_not_overwritten_with_the_cached_one(
    tmp_path: Path, framework: Framework
) -> None:
    """Like 'git checkout HEAD~ -- mlpl.json': the file shrinks back; the store must follow it."""
    path = tmp_path / "mlpl.json"
    ctx = Context("one", NOW)
    store = Store.create(path, new_project("Rollback", ctx))
    committed = path.read_bytes()
    store.apply(lambda p: log_effort(p, framework, ctx, "1h", note="dropped"), ctx.who, ctx.now)
    staged = tmp_path / "old.tmp"
    staged.write_bytes(committed)
    os.replace(staged, path)
    store.apply(lambda p: log_effort(p, framework, ctx, "2h", note="kept"), ctx.who, ctx.now)
    assert effort_notes(Store(path).load()) == {"kept"}


def test_a_store_whose_file_was_deleted_reports_a_clear_state_error(
    project_file: Path, framework: Framework
) -> None:
    store = Store(project_file)
    store.load()
    project_file.unlink()
    ctx = Context("one", NOW)

    with pytest.raises(StateError) as loading:
        store.load()
    with pytest.raises(StateError) as writing:
        store.apply(
            lambda p: set_status(p, framework, ctx, "business.objectives", "done"),
            ctx.who,
            ctx.now,
        )
    for error in (loading.value, writing.value):
        message = str(error)
        assert str(project_file) in message
        assert "exist" in message
        assert len(message.splitlines()) <= 2
    # Nothing is recreated from the cache, and no lock or temporary file is left.
    assert not project_file.exists()
    assert list(project_file.parent.iterdir()) == []


def test_the_cli_on_a_deleted_file_named_by_file_says_so(tmp_path: Path) -> None:
    missing = tmp_path / "gone" / "mlpl.json"
    result = run_process("status", "--file", str(missing), cwd=tmp_path)
    assert result.code == 2
    assert str(missing) in result.err
    assert "Traceback" not in result.out + result.err


# --- nothing left behind --------------------------------------------------------------------------


def test_no_lock_or_temporary_file_remains_after_changes(
    project_file: Path, framework: Framework
) -> None:
    folder = project_file.parent
    ctx = Context("one", NOW)
    store = Store(project_file)
    assert leftovers(folder) == set()
    store.apply(
        lambda p: set_status(p, framework, ctx, "business.objectives", "done"), ctx.who, ctx.now
    )
    store.apply(lambda p: log_effort(p, framework, ctx, "1h"), ctx.who, ctx.now)
    assert leftovers(folder) == set()

    # A change refused by the rules releases and removes the lock too.
    def refuse(project: Project) -> Change:
        raise RuleError("no")

    with pytest.raises(RuleError):
        store.apply(refuse, ctx.who, ctx.now)
    # So does one that changes nothing.
    applied = store.apply(
        lambda p: set_status(p, framework, ctx, "business.objectives", "done"), ctx.who, ctx.now
    )
    assert not applied.written
    assert leftovers(folder) == set()
    # The CLI, as a separate process.
    result = run_process("decide", "Use weekly data", "--decision", "weekly", cwd=folder)
    assert result.code == 0, result.err
    assert leftovers(folder) == set()


def git(folder: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=folder,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return done.stdout


def test_git_status_stays_clean_except_for_the_changed_state_file(tmp_path: Path) -> None:
    folder = tmp_path / "repo"
    folder.mkdir()
    git(folder, "init", "-q")
    assert run_process("init", "--name", "Repo", cwd=folder).code == 0
    git(folder, "add", "mlpl.json", ".gitattributes")  # init registered the merge driver
    git(folder, "commit", "-q", "-m", "start")
    for command in (["status"], ["status", "--json"], ["validate"], ["experiment", "list"]):
        assert run_process(*command, cwd=folder).code == 0
    assert git(folder, "status", "--porcelain", "--untracked-files=all") == ""
    assert run_process("set", "business.objectives", "done", cwd=folder).code == 0
    assert run_process("log", "45m", cwd=folder).code == 0
    status = git(folder, "status", "--porcelain", "--untracked-files=all", "--ignored")
    assert status.splitlines() == [" M mlpl.json"]


def test_an_applied_change_reports_the_id_of_the_record_it_wrote(
    project_file: Path, framework: Framework
) -> None:
    """The killable writer reports these ids; they must name the records in the file."""
    ctx = Context("one", NOW)
    store = Store(project_file)
    logged = store.apply(lambda p: log_effort(p, framework, ctx, "1h"), ctx.who, ctx.now)
    decided = store.apply(
        lambda p: decide(p, framework, ctx, "Weekly", "weekly forecasts"), ctx.who, ctx.now
    )
    data = raw(project_file)
    assert logged.written and decided.written
    assert list(data["effort"]) == [logged.change.result]
    assert list(data["decisions"]) == [decided.change.result]
