"""Day-one fixes for team use in the app, with real git repositories: the welcome screen sets up
the merge driver as `init` does, the problem screen runs `resolve` on a conflicted file, and the
dashboard says when merge conflicts are left to resolve."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from textual.widgets import Button

from mlpl_tui.framework import Framework
from mlpl_tui.lifecycle import Context, new_project, set_status
from mlpl_tui.screens.conflicts import ConflictsScreen
from mlpl_tui.screens.dashboard import DashboardScreen
from mlpl_tui.screens.problem import ProblemScreen
from mlpl_tui.screens.welcome import WelcomeScreen
from mlpl_tui.store import Store
from tests.apphelp import SIZE, make_app, screen_text, wait_for_text, wait_until
from tests.conftest import apply, fixed_ids, git

assert shutil.which("git") is not None, "these tests need git on PATH"


@pytest.fixture
def git_env(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The app runs git itself: give it the same isolated configuration as the test's git."""
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return env


def new_repo(env: dict[str, str], folder: Path) -> Path:
    folder.mkdir()
    git(env, folder, "init", "-q", "-b", "main")
    return folder


# --- the welcome screen -------------------------------------------------------------------------


async def test_creating_from_the_welcome_screen_sets_up_git_like_init(
    git_env: dict[str, str], tmp_path: Path, framework: Framework
) -> None:
    repo = new_repo(git_env, tmp_path / "repo")
    app = make_app(None, framework, new_file=repo / "mlpl.json")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, WelcomeScreen)
        assert "as 'mlpl-tui init' does" in screen_text(app.screen)
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, DashboardScreen), "the dashboard")
    assert (repo / ".gitattributes").read_text(encoding="utf-8") == "mlpl.json merge=mlpl\n"
    driver = git(git_env, repo, "config", "--local", "--get", "merge.mlpl.driver").out
    assert "-I -m mlpl_tui merge-driver %O %A %B %P" in driver
    assert git(git_env, repo, "check-attr", "merge", "mlpl.json").out.strip().endswith("mlpl")
    assert Store(repo / "mlpl.json").load().meta.name == "repo"


async def test_creating_outside_git_writes_no_git_files(
    git_env: dict[str, str], tmp_path: Path, framework: Framework
) -> None:
    app = make_app(None, framework, new_file=tmp_path / "mlpl.json")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, DashboardScreen), "the dashboard")
    assert (tmp_path / "mlpl.json").exists()
    assert not (tmp_path / ".gitattributes").exists()


# --- a merge git could not do: the problem screen runs `resolve` ---------------------------------


def conflicted(env: dict[str, str], folder: Path, framework: Framework, same_field: bool) -> Path:
    """A repository without the merge driver where `git merge` left conflict markers in
    mlpl.json: both branches set a module (the same one when `same_field`)."""
    repo = new_repo(env, folder)
    path = repo / "mlpl.json"
    start = Context("lead", "2026-03-02T10:00:00Z", make_id=fixed_ids("a"))
    store = Store.create(path, new_project("Team", start))
    git(env, repo, "add", "mlpl.json")
    git(env, repo, "commit", "-q", "-m", "start")
    git(env, repo, "checkout", "-q", "-b", "other")
    bob = Context("bob", "2026-03-02T11:00:00Z", make_id=fixed_ids("b"))
    apply(store, framework, bob, set_status, "business.objectives", "done")
    git(env, repo, "commit", "-q", "-am", "bob")
    git(env, repo, "checkout", "-q", "main")
    ana = Context("ana", "2026-03-02T12:00:00Z", make_id=fixed_ids("c"))
    module = "business.objectives" if same_field else "business.stakeholders"
    apply(Store(path), framework, ana, set_status, module, "doing")
    git(env, repo, "commit", "-q", "-am", "ana")
    merged = git(env, repo, "merge", "other", ok=False)
    assert merged.code != 0 and "CONFLICT" in merged.out
    assert "<<<<<<<" in path.read_text(encoding="utf-8")
    return repo


async def test_the_problem_screen_resolves_a_conflicted_file_and_stages_it(
    git_env: dict[str, str], tmp_path: Path, framework: Framework
) -> None:
    repo = conflicted(git_env, tmp_path / "repo", framework, same_field=False)
    app = make_app(Store(repo / "mlpl.json"), framework)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ProblemScreen) and screen.resolvable
        assert screen.query_one("#resolve", Button).display
        assert "press r to merge both versions" in screen_text(screen)
        await pilot.press("r")
        await wait_until(pilot, lambda: isinstance(app.screen, DashboardScreen), "the dashboard")
        assert "unresolved merge conflict" not in screen_text(app.screen)
    project = Store(repo / "mlpl.json").load()
    statuses = {
        m: project.modules[m].status for m in ("business.objectives", "business.stakeholders")
    }
    assert statuses == {"business.objectives": "done", "business.stakeholders": "doing"}
    assert git(git_env, repo, "status", "--porcelain").out == "M  mlpl.json\n"  # staged


async def test_a_field_changed_on_both_sides_is_resolved_then_shown_on_the_dashboard(
    git_env: dict[str, str], tmp_path: Path, framework: Framework
) -> None:
    repo = conflicted(git_env, tmp_path / "repo", framework, same_field=True)
    app = make_app(Store(repo / "mlpl.json"), framework)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ProblemScreen)
        await pilot.click("#resolve")  # the button does what r does
        await wait_until(pilot, lambda: isinstance(app.screen, DashboardScreen), "the dashboard")
        await wait_for_text(
            pilot, "[!] 1 unresolved merge conflict: press c to choose which value to keep"
        )
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, ConflictsScreen)
        await pilot.press("o")  # keep ours (ana's "doing")
        await pilot.press("0")
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)
        assert "unresolved merge conflict" not in screen_text(app.screen)
    # A recorded conflict is left for the user to choose: not staged, git still says unmerged.
    assert git(git_env, repo, "status", "--porcelain").out == "UU mlpl.json\n"
    assert Store(repo / "mlpl.json").load().modules["business.objectives"].status == "doing"


async def test_the_dashboard_counts_conflicts_a_merge_recorded(
    tmp_path: Path, framework: Framework, store: Store, ctx: Context
) -> None:
    """Conflicts the merge driver recorded (the file stays readable): counted, with the key."""
    from mlpl_tui.team import merge_versions

    base = store.path.read_bytes()
    ours_ctx = Context("ana", "2026-03-02T12:00:00Z", make_id=fixed_ids("o"))
    apply(store, framework, ours_ctx, set_status, "business.objectives", "doing")
    apply(store, framework, ours_ctx, set_status, "business.stakeholders", "doing")
    ours = store.path.read_bytes()
    store.path.write_bytes(base)
    theirs_ctx = Context("bob", "2026-03-02T11:00:00Z", make_id=fixed_ids("t"))
    theirs_store = Store(store.path)
    apply(theirs_store, framework, theirs_ctx, set_status, "business.objectives", "done")
    apply(theirs_store, framework, theirs_ctx, set_status, "business.stakeholders", "done")
    theirs = store.path.read_bytes()
    merged, result = merge_versions("mlpl.json", base, ours, theirs)
    assert len(result.conflicts) == 2
    store.path.write_bytes(merged)
    app = make_app(Store(store.path), framework)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_text(pilot, "[!] 2 unresolved merge conflicts: press c")


async def test_a_file_git_holds_no_conflict_for_offers_no_resolve(
    git_env: dict[str, str], tmp_path: Path, framework: Framework, store: Store
) -> None:
    broken = b'{"meta": '
    store.path.write_bytes(broken)
    app = make_app(Store(store.path), framework)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ProblemScreen) and not screen.resolvable
        assert not screen.query_one("#actions").display
        assert "press r" not in screen_text(screen)
        assert not screen.check_action("resolve", ())  # the key is hidden from the key bar
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, ProblemScreen)
    assert store.path.read_bytes() == broken
