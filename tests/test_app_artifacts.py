"""Pilot tests of artifacts in the terminal UI: states on the stage screen (from a real git
repository), attach with path completion, detach, open, refresh, and the gate."""

from __future__ import annotations

import dataclasses
import os
import sys
from pathlib import Path
from typing import Any

import pytest
from textual.app import App
from textual.pilot import Pilot
from textual.widgets import Button, Input

from mlpl_tui import artifact_files
from mlpl_tui.app import MlplApp
from mlpl_tui.artifact_files import complete_path
from mlpl_tui.artifacts import attach
from mlpl_tui.framework import Framework
from mlpl_tui.lifecycle import Context, decide, new_project, set_status, switch_back
from mlpl_tui.progress import current_stage_id
from mlpl_tui.screens.dashboard import DashboardScreen
from mlpl_tui.screens.help import HelpScreen
from mlpl_tui.screens.modals import AdvanceModal
from mlpl_tui.screens.modals.artifact import AttachModal
from mlpl_tui.screens.modals.confirm import ConfirmModal
from mlpl_tui.screens.modals.pick import PickModal
from mlpl_tui.screens.modals.text_view import TextModal
from mlpl_tui.screens.stage import StageScreen
from mlpl_tui.store import Store
from mlpl_tui.widgets.artifact_list import ArtifactList
from tests.apphelp import SIZE, keys, make_app, screen_text, wait_until
from tests.conftest import apply, git

BEFORE_NOW = "2026-03-01T09:00:00+0000"  # a commit older than the app's clock (NOW)


def rows(app: MlplApp) -> list[str]:
    """The artifact rows of the stage screen, as shown."""
    artifacts = app.screen.query_one(ArtifactList)
    return [str(option.prompt) for option in artifacts.options]


def row_of(app: MlplApp, artifact_id: str) -> str:
    artifacts = app.screen.query_one(ArtifactList)
    return next(str(o.prompt) for o in artifacts.options if o.id == artifact_id)


def detail(app: MlplApp) -> str:
    return str(app.screen.query_one("#artifact").render())


async def to_artifacts(pilot: Pilot[None], stage_key: str) -> None:
    """Open a stage screen and move into its artifacts list (modules, detail pane, artifacts)."""
    await pilot.press(stage_key)
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, StageScreen), "the stage screen")
    await pilot.press("tab", "tab")
    assert isinstance(pilot.app.focused, ArtifactList)


def notes(app: MlplApp) -> str:
    return "\n".join(f"{n.title}: {n.message}" for n in app._notifications)


def write(path: Path, text: str = "# A document\n") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def attached(store: Store, framework: Framework, ctx: Context, ref: str, *locations: str) -> None:
    for location in locations:
        apply(store, framework, ctx, attach, ref, location)


def with_required(framework: Framework, *ids: str) -> Framework:
    """The framework with the artifacts `ids` required by their stage's gate."""
    stages = tuple(
        dataclasses.replace(
            s,
            artifacts=tuple(
                dataclasses.replace(a, required=True) if a.id in ids else a for a in s.artifacts
            ),
        )
        for s in framework.stages
    )
    return dataclasses.replace(framework, stages=stages)


# --- states --------------------------------------------------------------------------------------


async def test_attach_commit_and_loop_back_make_a_document_stale_on_the_stage_screen(
    store: Store, framework: Framework, tmp_path: Path, env: dict[str, str]
) -> None:
    git(env, tmp_path, "init", "-q")
    write(tmp_path / "docs" / "charter.md", "# Charter\n")
    app = make_app(store, framework)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await to_artifacts(pilot, "1")
        assert "[ ] missing      Problem statement / project charter" in rows(app)[0]
        await pilot.press("a")
        await wait_until(pilot, lambda: isinstance(app.screen, AttachModal), "the attach dialog")
        await pilot.press(*keys("docs/charter.md"), "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, StageScreen), "the stage screen")
        assert store.load().artifact_links["project-charter"].locations == ("docs/charter.md",)
        # Untracked, changed "now" by its modification time, and never looped back: current.
        assert "[x] current" in row_of(app, "project-charter")
        assert "docs/charter.md" in row_of(app, "project-charter")
        dated = {**env, "GIT_AUTHOR_DATE": BEFORE_NOW, "GIT_COMMITTER_DATE": BEFORE_NOW}
        git(dated, tmp_path, "add", "docs/charter.md", "mlpl.json")
        git(dated, tmp_path, "commit", "-q", "-m", "charter")
        app.refresh_artifact_states()  # committed outside the app: the files are read again
        await pilot.pause()
        assert "[x] current" in row_of(app, "project-charter")  # never looped back yet
        await pilot.press("shift+tab", "shift+tab", "b")  # from the modules: b loops back
        await pilot.press(*keys("the scope moved"), "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, StageScreen), "the stage screen")
        # Last committed before the loop back to Business: stale, marked and said in words.
        assert "[!] stale" in row_of(app, "project-charter")
        await pilot.press("tab", "tab")
        text = detail(app)
        assert "[stale]" in text and "docs/charter.md" in text and "2026-03-01 09:00" in text


async def test_a_stage_screen_lists_every_artifact_of_its_stage_with_its_state(
    store: Store, framework: Framework, ctx: Context, tmp_path: Path
) -> None:
    write(tmp_path / "docs" / "data-report.md")
    attached(store, framework, ctx, "data-report", "docs/data-report.md")
    attached(store, framework, ctx, "prepared-dataset", "https://example.com/data/v3")
    attached(store, framework, ctx, "data-inventory", "docs/gone.md")
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await to_artifacts(pilot, "2")
        shown = rows(app)
        assert len(shown) == 3
        assert "[!] file missing Data inventory  docs/gone.md" in shown[0]
        assert "[x] current      Data report  docs/data-report.md" in shown[1]
        assert "[~] attached     Prepared dataset  https://example.com/data/v3" in shown[2]
        assert "[file missing]" in detail(app)


async def test_the_states_are_read_once_per_snapshot_not_on_every_key(
    store: Store, framework: Framework, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []
    read = artifact_files.artifact_states

    def counted(*args: Any) -> list[artifact_files.ArtifactState]:
        calls.append(1)
        return read(*args)

    monkeypatch.setattr(artifact_files, "artifact_states", counted)
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("1")
        await pilot.pause()
        before = len(calls)
        assert before == 1
        await pilot.press("j", "j", "k", "tab", "tab", "j", "k", "2", "1", "0")
        await pilot.pause()
        assert len(calls) == before  # moving, switching screens: the same snapshot
        await pilot.press("1", "shift+tab", "shift+tab", "space")  # a change: read once more
        await pilot.pause()
        assert len(calls) == before + 1


# --- attach ---------------------------------------------------------------------------------


async def open_attach(pilot: Pilot[None], stage_key: str = "1") -> AttachModal:
    await to_artifacts(pilot, stage_key)
    await pilot.press("a")
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, AttachModal), "the dialog")
    screen = pilot.app.screen
    assert isinstance(screen, AttachModal)
    return screen


def location_field(app: App[Any]) -> Input:
    return app.screen.query_one("#location", Input)


async def retype(pilot: Pilot[None], text: str) -> None:
    location_field(pilot.app).value = ""
    await pilot.press(*keys(text))


async def test_attach_refuses_a_path_out_of_the_project_inline_and_writes_nothing(
    tmp_path: Path, framework: Framework, ctx: Context
) -> None:
    project = tmp_path / "project"
    project.mkdir()
    write(tmp_path / "outside" / "secret.md")
    write(tmp_path / "x")
    (project / "link.md").symlink_to(tmp_path / "outside" / "secret.md")
    (project / "linked").symlink_to(tmp_path / "outside", target_is_directory=True)
    store = Store.create(project / "mlpl.json", new_project("P", ctx))
    before = store.path.read_bytes()
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_attach(pilot)
        for typed, says in (
            ("../x", "outside the project"),
            ("link.md", "leads out of the project"),
            ("linked/secret.md", "leads out of the project"),
            (str(tmp_path / "x"), "outside the project"),
            ("javascript:alert(1)", "not an http(s) URL"),
            ("nothing-here.md", "does not exist"),
        ):
            await retype(pilot, typed)
            await pilot.press("enter")
            assert app.screen is dialog, typed
            error = str(dialog.query_one("#error").render())
            assert says in error, (typed, error)
            assert dialog.query_one("#error").has_class("shown")
        await pilot.press("escape")
        await pilot.pause()
    assert store.path.read_bytes() == before


async def test_tab_completes_paths_inside_the_project_only(
    tmp_path: Path, framework: Framework, ctx: Context
) -> None:
    project = tmp_path / "project"
    write(project / "docs" / "charter.md")
    write(project / "docs" / "data-report.md")
    write(project / "data.csv")
    write(tmp_path / "outside" / "elsewhere.md")
    (project / "ext").symlink_to(tmp_path / "outside", target_is_directory=True)
    store = Store.create(project / "mlpl.json", new_project("P", ctx))
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_attach(pilot)
        field = location_field(app)
        await pilot.press("d", "o", "tab")
        assert field.value == "docs/"  # the only match, a folder: its slash added
        await pilot.press("tab")  # two files: the common part (none), and both listed
        assert field.value == "docs/"
        choices = str(dialog.query_one("#choices").render())
        assert "docs/charter.md" in choices and "docs/data-report.md" in choices
        assert app.focused is field  # still completing, not on to the buttons
        await pilot.press("c", "tab")
        assert field.value == "docs/charter.md"
        for typed in ("../", "../outside/e", "ext/", "ext/e", "/", "e"):
            await retype(pilot, typed)
            await pilot.press("tab")
            assert field.value == typed, typed  # nothing outside the project is completed
            assert "elsewhere" not in str(dialog.query_one("#choices").render())
        await retype(pilot, "docs/charter.md")
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, StageScreen), "the stage")
    assert store.load().artifact_links["project-charter"].locations == ("docs/charter.md",)


def test_completion_offers_a_linked_file_only_when_it_stays_in_the_project(
    tmp_path: Path,
) -> None:
    write(tmp_path / "outside.md")
    root = tmp_path / "root"
    write(root / "real.md")
    (root / "in-link.md").symlink_to(root / "real.md")
    (root / "out-link.md").symlink_to(tmp_path / "outside.md")
    write(root / ".hidden.md")
    assert complete_path(root, "").choices == ("in-link.md", "real.md")
    assert complete_path(root, "o").choices == ()
    assert complete_path(root, ".h").text == ".hidden.md"
    assert complete_path(root, "https://example.com/a").choices == ()


# --- detach, open, refresh ------------------------------------------------------------------


async def test_d_detaches_after_a_question_and_picks_the_location_when_several(
    store: Store, framework: Framework, ctx: Context, tmp_path: Path
) -> None:
    write(tmp_path / "docs" / "charter.md")
    attached(store, framework, ctx, "project-charter", "docs/charter.md", "https://example.com/c")
    app = make_app(store, framework)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await to_artifacts(pilot, "1")
        await pilot.press("d")
        await wait_until(pilot, lambda: isinstance(app.screen, PickModal), "the location picker")
        await pilot.press("j", "enter")  # the link
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmModal), "the question")
        assert "https://example.com/c" in screen_text(app.screen)
        await pilot.press("n")  # keep it after all: nothing changes
        await pilot.pause()
        assert len(store.load().artifact_links["project-charter"].locations) == 2
        await pilot.press("d", "j", "enter", "y")
        await pilot.pause()
        assert store.load().artifact_links["project-charter"].locations == ("docs/charter.md",)
        assert "Detached https://example.com/c" in notes(app)
        await pilot.press("d", "y")  # one location left: no picker; the record goes
        await pilot.pause()
        assert "project-charter" not in store.load().artifact_links
        assert "[ ] missing" in row_of(app, "project-charter")
        await pilot.press("u")  # undo brings it back
        await pilot.pause()
        assert store.load().artifact_links["project-charter"].locations == ("docs/charter.md",)


async def test_enter_opens_the_file_in_the_editor_and_shows_a_link_without_opening_it(
    store: Store,
    framework: Framework,
    ctx: Context,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    write(tmp_path / "docs" / "charter.md")
    attached(store, framework, ctx, "project-charter", "docs/charter.md")
    attached(store, framework, ctx, "data-report", "https://example.com/[b]r[/b]")
    log = tmp_path / "editor-log.txt"
    script = tmp_path / "editor.py"
    script.write_text(f"import sys, pathlib\npathlib.Path({str(log)!r}).write_text(sys.argv[-1])\n")
    monkeypatch.setenv("VISUAL", f"{sys.executable} '{script}'")
    app = make_app(store, framework)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await to_artifacts(pilot, "1")
        await pilot.press("enter")
        await pilot.pause()
        assert log.read_text() == str(tmp_path / "docs" / "charter.md")
        assert isinstance(app.screen, StageScreen)
        log.unlink()
        await pilot.press("2")
        await pilot.pause()
        await pilot.press("tab", "tab", "j", "enter")  # data-report, a link
        await wait_until(pilot, lambda: isinstance(app.screen, TextModal), "the link dialog")
        assert "https://example.com/[b]r[/b]" in screen_text(app.screen)  # as text
        assert not log.exists()  # nothing was run
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, StageScreen)


async def test_enter_on_a_missing_file_or_nothing_attached_says_why(
    store: Store, framework: Framework, ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VISUAL", "/nonexistent/editor")
    attached(store, framework, ctx, "data-report", "docs/gone.md")
    app = make_app(store, framework)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await to_artifacts(pilot, "1")
        await pilot.press("enter")
        await pilot.pause()
        assert "nothing is attached to Problem statement" in notes(app)
        await pilot.press("2")
        await pilot.pause()
        await pilot.press("tab", "tab", "j", "enter")
        await pilot.pause()
        assert "does not exist in the project" in notes(app)


async def test_f_refreshes_a_markdown_document_and_refuses_without_one(
    store: Store, framework: Framework, ctx: Context, tmp_path: Path
) -> None:
    from mlpl_tui.documents import create_document

    location = create_document(store.load(), framework, tmp_path, "project-charter")
    document = tmp_path / location
    attached(store, framework, ctx, "project-charter", location)
    apply(store, framework, ctx, decide, "Forecast weekly per store", "weekly", stage="business")
    app = make_app(store, framework)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await to_artifacts(pilot, "2")  # Data's: nothing Markdown attached
        await pilot.press("f")
        await pilot.pause()
        assert "has none attached" in notes(app)
        assert "Forecast weekly per store" not in document.read_text(encoding="utf-8")
        await to_artifacts(pilot, "1")
        await pilot.press("f")
        await pilot.pause()
        assert f"Refreshed: {location}" in notes(app)
        assert "Forecast weekly per store" in document.read_text(encoding="utf-8")
        # A marker edited by hand: refused in words, and the file is left as it was.
        broken = document.read_text(encoding="utf-8").replace("mlpl:end", "mlpl:ending", 1)
        document.write_text(broken, encoding="utf-8")
        app.clear_notifications()
        await pilot.press("f")
        await pilot.pause()
        assert "Not refreshed" in notes(app)
        assert document.read_text(encoding="utf-8") == broken


async def test_w_writes_the_document_from_its_template_and_attaches_it(
    store: Store, framework: Framework, ctx: Context, tmp_path: Path
) -> None:
    apply(store, framework, ctx, decide, "Forecast weekly per store", "weekly", stage="business")
    app = make_app(store, framework)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await to_artifacts(pilot, "1")  # the charter: template charter, path docs/charter.md
        await pilot.press("w")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmModal), "the question")
        assert "docs/charter.md" in screen_text(app.screen)
        await pilot.press("escape")  # changed my mind: nothing written
        await pilot.pause()
        assert not (tmp_path / "docs").exists()
        assert "project-charter" not in store.load().artifact_links
        await pilot.press("w", "y")
        await wait_until(pilot, lambda: "Written" in notes(app), "the document written")
        text = (tmp_path / "docs" / "charter.md").read_text(encoding="utf-8")
        assert "Forecast weekly per store" in text and "<!-- mlpl:begin decisions" in text
        assert store.load().artifact_links["project-charter"].locations == ("docs/charter.md",)
        assert "current" in row_of(app, "project-charter")
        app.clear_notifications()
        await pilot.press("w")  # again: it has its document, f refreshes it
        await pilot.pause()
        assert "already has docs/charter.md" in notes(app)
        assert not isinstance(app.screen, ConfirmModal)


async def test_w_never_writes_over_a_file_or_through_a_link(
    store: Store, framework: Framework, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    mine = write(tmp_path / "docs" / "charter.md", "# My own charter\n")
    outside = tmp_path_factory.mktemp("outside")
    app = make_app(store, framework)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await to_artifacts(pilot, "1")
        await pilot.press("w", "y")
        await wait_until(pilot, lambda: "Not done" in notes(app), "the refusal")
        assert "docs/charter.md exists" in notes(app)
        assert mine.read_text(encoding="utf-8") == "# My own charter\n"
        # The folder swapped for a link leading out of the project (a branch can do this).
        mine.unlink()
        (tmp_path / "docs").rmdir()
        (tmp_path / "docs").symlink_to(outside, target_is_directory=True)
        app.clear_notifications()
        await pilot.press("w", "y")
        await wait_until(pilot, lambda: "Not done" in notes(app), "the refusal")
        assert list(outside.iterdir()) == []
        assert "project-charter" not in store.load().artifact_links


async def test_w_says_so_when_the_document_is_written_but_the_attach_is_refused(
    store: Store, framework: Framework, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mlpl_tui import documents
    from mlpl_tui.errors import UsageError

    def refused(artifact_id: str, location: str) -> Any:
        def rule(*_: Any) -> Any:
            raise UsageError("another writer got there first")

        return rule

    monkeypatch.setattr(documents, "attach_rule", refused)
    app = make_app(store, framework)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await to_artifacts(pilot, "1")
        await pilot.press("w", "y")
        await wait_until(pilot, lambda: "Not done" in notes(app), "the refusal")
        assert "docs/charter.md was written but not attached" in notes(app)
        assert "another writer got there first" in notes(app)
        assert "Written" not in notes(app)
    assert (tmp_path / "docs" / "charter.md").is_file()
    assert "project-charter" not in store.load().artifact_links


async def test_w_on_an_artifact_without_a_template_says_what_to_do(
    store: Store, framework: Framework, tmp_path: Path
) -> None:
    app = make_app(store, framework)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await to_artifacts(pilot, "2")  # Data: the inventory comes first, and has no template
        await pilot.press("w")
        await pilot.pause()
        assert "has no template" in notes(app)
        assert not isinstance(app.screen, ConfirmModal)
    assert not (tmp_path / "docs").exists()


# --- the gate ----------------------------------------------------------------------------------


async def test_a_required_artifact_shows_in_the_gate_everywhere_and_a_forced_advance_names_it(
    tmp_path: Path, framework: Framework, ctx: Context
) -> None:
    strict = with_required(framework, "project-charter")
    store = Store.create(tmp_path / "mlpl.json", new_project("P", ctx))
    for module in strict.stage("business").required_modules:
        apply(store, strict, ctx, set_status, module.id, "done")
    app = make_app(store, strict)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)
        text = screen_text(app.screen)
        assert "gate needs 1 artifact" in text
        assert "[!] Artifacts to look at: project-charter missing (required)" in text
        await pilot.press("1")
        await pilot.pause()
        assert "gate needs: project-charter (missing)" in screen_text(app.screen)
        assert "[!] missing      Problem statement / project charter (required)" in rows(app)[0]
        await pilot.press("a")
        await wait_until(pilot, lambda: isinstance(app.screen, AdvanceModal), "advance")
        text = screen_text(app.screen)
        assert "[!] project-charter  Problem statement / project charter (missing)" in text
        assert str(app.screen.query_one("#save", Button).label) == "Force advance"
        await pilot.press("enter")  # no reason: refused
        await pilot.pause()
        assert current_stage_id(store.load()) == "business"
        await pilot.press(*keys("charter comes next week"), "enter")
        await pilot.pause()
    project = store.load()
    assert current_stage_id(project) == "data"
    forced = project.decisions[-1]
    assert "project-charter (missing)" in forced.context
    assert forced.rationale == "charter comes next week"


async def test_a_current_required_artifact_opens_the_gate_and_a_stale_one_shuts_it(
    tmp_path: Path, framework: Framework, ctx: Context
) -> None:
    strict = with_required(framework, "project-charter")
    store = Store.create(tmp_path / "mlpl.json", new_project("P", ctx))
    for module in strict.stage("business").required_modules:
        apply(store, strict, ctx, set_status, module.id, "done")
    charter = write(tmp_path / "docs" / "charter.md")
    apply(store, strict, ctx, attach, "project-charter", "docs/charter.md")
    old = 1772269200  # 2026-02-28 09:00 UTC, before the loop back below (NOW)
    os.utime(charter, (old, old))
    apply(store, strict, ctx, switch_back, "business", "business", "rethink", "objectives")
    apply(store, strict, ctx, set_status, "business.objectives", "done")
    app = make_app(store, strict)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("1")
        await pilot.pause()
        assert "gate needs: project-charter (stale)" in screen_text(app.screen)
        assert "[!] stale" in row_of(app, "project-charter")
        await pilot.press("a")
        await pilot.pause()
        assert "project-charter  Problem statement / project charter (stale)" in screen_text(
            app.screen
        )
        await pilot.press("escape")
        await pilot.pause()
        charter.write_text("# Charter, updated\n", encoding="utf-8")  # changed now: current
        os.utime(charter, (old + 10 * 86400, old + 10 * 86400))
        app.refresh_artifact_states()
        await pilot.pause()
        assert "gate met" in screen_text(app.screen)
        await pilot.press("a")
        await pilot.pause()
        assert str(app.screen.query_one("#save", Button).label) == "Advance"
        await pilot.press("enter")
        await pilot.pause()
    project = store.load()
    assert current_stage_id(project) == "data"
    assert not [d for d in project.decisions if "unmet" in d.title]


async def test_help_on_the_stage_screen_lists_the_artifact_keys(
    store: Store, framework: Framework
) -> None:
    app = make_app(store, framework)
    async with app.run_test(size=(100, 50)) as pilot:
        await pilot.press("1", "question_mark")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen), "help")
        text = screen_text(app.screen)
        assert "In the artifacts list (tab to it):" in text
        for words in ("Attach", "Detach", "Refresh doc", "Open"):
            assert words in text
        assert "Learning" in text and "Learnings" in text  # L and W, everywhere
