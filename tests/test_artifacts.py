"""Artifacts as records and on disk: the location check, attach and detach, the states from the
records alone, the gate, open items, and when attached files changed (git asked in one batch).
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from mlpl_tui.artifact_files import artifact_states, change_times, project_location, state_words
from mlpl_tui.artifacts import (
    ATTACHED,
    BLOCKING,
    CURRENT,
    FILE_MISSING,
    MISSING,
    STALE,
    attach,
    check_location,
    detach,
    find_artifact,
    gate_artifacts,
    is_url,
    recorded_states,
    stale_since,
)
from mlpl_tui.errors import RuleError, UsageError
from mlpl_tui.figures import open_items
from mlpl_tui.framework import Framework, builtin_framework_path, load_framework
from mlpl_tui.lifecycle import Context, advance, set_status, switch_back
from mlpl_tui.model import Project
from mlpl_tui.store import Store
from tests.conftest import apply

BUSINESS_REQUIRED = ("objectives", "problem-definition", "stakeholders", "data-sources")


def required_charter(tmp_path: Path) -> Framework:
    """The built-in framework with the project charter required by Business's gate."""
    text = builtin_framework_path().read_text(encoding="utf-8")
    marker = "        template: charter\n"
    assert marker in text
    path = tmp_path / "mlpl.yaml"
    path.write_text(text.replace(marker, marker + "        required: true\n"), encoding="utf-8")
    return load_framework(path)


def at(ctx: Context, now: str) -> Context:
    return Context(ctx.who, now, make_id=ctx.make_id)


def finish_business(store: Store, framework: Framework, ctx: Context) -> Project:
    for module in framework.stage("business").required_modules:
        apply(store, framework, ctx, set_status, module.id, "done")
    return store.load()


# --- the location check -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("docs/charter.md", "docs/charter.md"),
        ("  ./docs//charter.md ", "docs/charter.md"),
        ("docs\\charter.md", "docs/charter.md"),
        ("https://wiki.example.com/charter?v=2#top", "https://wiki.example.com/charter?v=2#top"),
        ("HTTP://example.com", "HTTP://example.com"),
    ],
)
def test_check_location_keeps_paths_in_the_project_and_http_links(typed: str, stored: str) -> None:
    assert check_location(typed) == stored


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        ("", "give a path"),
        ("/etc/passwd", "leaves the project"),
        ("\\\\server\\share\\x", "leaves the project"),
        ("../outside.md", "leaves the project"),
        ("docs/../../x", "leaves the project"),
        ("docs/..", "leaves the project"),
        ("C:/Windows/x", "leaves the project"),
        ("javascript:alert(1)", "not an http(s) URL"),
        ("file:///etc/passwd", "not an http(s) URL"),
        ("data:text/html;base64,PHNjcmlwdD4=", "not an http(s) URL"),
        ("https:///no-host", "not an http(s) URL"),
        ("\x1b[31mred", "printable"),
        ("docs/a\nb.md", "printable"),
        ("https://example.com/\u202eevil", "printable"),
        ("a" * 1_000_000, "printable"),
        (".", "not the project's folder"),
    ],
)
def test_check_location_refuses_what_is_not_a_project_path_or_web_link(
    typed: str, words: str
) -> None:
    with pytest.raises(UsageError) as info:
        check_location(typed)
    message = str(info.value)
    assert words in message
    assert "\n" not in message and "\x1b" not in message and len(message) < 300


def test_is_url_only_for_http_and_https() -> None:
    assert is_url("https://x.org") and is_url("http://x.org/a")
    assert not is_url("docs/a.md") and not is_url("javascript:alert(1)")
    assert not is_url("ftp://x.org")


# --- attach and detach -------------------------------------------------------------------------


def test_attach_to_a_declared_artifact_then_detach_each_of_several_locations(
    store: Store, framework: Framework, ctx: Context
) -> None:
    apply(store, framework, ctx, attach, "project-charter", "docs/charter.md")
    apply(store, framework, ctx, attach, "project-ch", "https://wiki.example.com/charter")
    project = apply(store, framework, ctx, attach, "project-charter", "./docs/scope.md")
    link = project.artifact_links["project-charter"]
    assert link.locations == (
        "docs/charter.md",
        "https://wiki.example.com/charter",
        "docs/scope.md",
    )
    assert link.attached_by == "tester" and link.attached_at == ctx.now
    with pytest.raises(UsageError, match="already attached"):
        attach(project, framework, ctx, "project-charter", "docs/charter.md")

    # With several, the one to detach must be named; the message lists them.
    with pytest.raises(UsageError, match="3 locations") as info:
        detach(project, framework, ctx, "project-charter")
    assert "docs/scope.md" in str(info.value)
    with pytest.raises(UsageError, match="not attached"):
        detach(project, framework, ctx, "project-charter", "docs/other.md")
    project = apply(store, framework, ctx, detach, "project-charter", "./docs//charter.md")
    assert project.artifact_links["project-charter"].locations == (
        "https://wiki.example.com/charter",
        "docs/scope.md",
    )
    project = apply(store, framework, ctx, detach, "project-charter", "docs/scope.md")
    # The only one left needs no name; the last one removes the record.
    project = apply(store, framework, ctx, detach, "project-charter")
    assert "project-charter" not in project.artifact_links
    with pytest.raises(UsageError, match="nothing is attached"):
        detach(project, framework, ctx, "project-charter")
    actions = [e.action for e in project.events][-5:]
    assert actions == ["artifact.attach"] * 2 + ["artifact.detach"] * 3


def test_a_free_artifact_needs_a_title_and_is_filed_under_the_current_stage(
    store: Store, framework: Framework, ctx: Context
) -> None:
    project = store.load()
    with pytest.raises(UsageError, match="no artifact 'slides'"):
        attach(project, framework, ctx, "slides", "docs/slides.pdf")
    with pytest.raises(UsageError, match="cannot be an artifact id"):
        attach(project, framework, ctx, "Bad Id!", "docs/slides.pdf", title="Slides")
    project = apply(store, framework, ctx, attach, "slides", "docs/slides.pdf", title=" Slides ")
    link = project.artifact_links["slides"]
    assert (link.title, link.stage, link.module) == ("Slides", "business", None)
    with pytest.raises(UsageError, match="exists"):
        attach(project, framework, ctx, "slides", "docs/b.pdf", title="Again")
    project = apply(
        store,
        framework,
        ctx,
        attach,
        "eda",
        "eda.ipynb",
        title="EDA",
        module="data.exploratory-analysis",
    )
    assert (project.artifact_links["eda"].stage, project.artifact_links["eda"].module) == (
        "data",
        "data.exploratory-analysis",
    )
    assert find_artifact(project, framework, "sli").id == "slides"
    with pytest.raises(UsageError, match="ambiguous"):
        find_artifact(project, framework, "data-")


# --- states from the records, the gate, open items ----------------------------------------------


def test_recorded_states_say_missing_or_attached(
    store: Store, framework: Framework, ctx: Context
) -> None:
    project = apply(store, framework, ctx, attach, "data-report", "docs/data-report.md")
    states = recorded_states(project, framework)
    assert list(states) == list(framework.artifacts)  # every declared one, in framework order
    assert states["data-report"] == ATTACHED
    assert {s for id, s in states.items() if id != "data-report"} == {MISSING}
    project = apply(store, framework, ctx, attach, "notes", "notes.md", title="Notes")
    assert recorded_states(project, framework)["notes"] == ATTACHED


def test_gate_artifacts_name_required_ones_in_a_blocking_state(
    tmp_path: Path, ctx: Context
) -> None:
    framework = required_charter(tmp_path)
    from mlpl_tui.lifecycle import new_project

    store = Store.create(tmp_path / "mlpl.json", new_project("Gate", ctx))
    business = framework.stage("business")
    project = store.load()
    (shut,) = gate_artifacts(project, framework, business, None)
    assert (shut[0].id, shut[1]) == ("project-charter", MISSING)
    project = apply(store, framework, ctx, attach, "project-charter", "docs/charter.md")
    assert gate_artifacts(project, framework, business, None) == []  # attached: open
    for state in sorted(BLOCKING):
        (shut,) = gate_artifacts(project, framework, business, {"project-charter": state})
        assert shut[1] == state
    for state in (CURRENT, ATTACHED):
        assert gate_artifacts(project, framework, business, {"project-charter": state}) == []
    # Optional artifacts never shut a gate.
    assert gate_artifacts(project, framework, framework.stage("data"), {}) == []


def test_a_required_artifact_shuts_the_gate_until_forced_with_a_reason(
    tmp_path: Path, ctx: Context
) -> None:
    framework = required_charter(tmp_path)
    from mlpl_tui.lifecycle import new_project

    store = Store.create(tmp_path / "mlpl.json", new_project("Gate", ctx))
    project = finish_business(store, framework, ctx)
    with pytest.raises(RuleError, match=r"project-charter \(missing\)"):
        advance(project, framework, ctx)
    with pytest.raises(RuleError, match=r"project-charter \(stale\)"):
        advance(project, framework, ctx, artifact_states={"project-charter": STALE})
    with pytest.raises(UsageError, match="reason"):
        advance(project, framework, ctx, force=True)
    project = apply(store, framework, ctx, advance, force=True, why="charter signed on paper")
    (decision,) = project.decisions
    assert "project-charter (missing)" in decision.context
    assert decision.rationale == "charter signed on paper"


def test_stale_since_is_the_latest_loop_back_to_the_stage_or_before(
    store: Store, framework: Framework, ctx: Context
) -> None:
    finish_business(store, framework, ctx)
    apply(store, framework, at(ctx, "2026-03-02T11:00:00Z"), advance)
    project = store.load()
    assert stale_since(project, "business") is None
    later = at(ctx, "2026-03-03T09:00:00Z")
    project = apply(store, framework, later, switch_back, "business", "data", "labels")
    assert stale_since(project, "business") == "2026-03-03T09:00:00Z"
    assert stale_since(project, "data") == "2026-03-03T09:00:00Z"  # later stages too
    assert stale_since(project, "delivery") == "2026-03-03T09:00:00Z"


def test_open_items_name_required_artifacts_and_stale_ones_in_stages_reached(
    tmp_path: Path, ctx: Context
) -> None:
    framework = required_charter(tmp_path)
    from mlpl_tui.lifecycle import new_project

    store = Store.create(tmp_path / "mlpl.json", new_project("Open", ctx))
    project = store.load()
    items = open_items(project, framework)
    assert items.artifacts == (("Problem statement / project charter", MISSING),)
    assert not items.empty
    project = apply(store, framework, ctx, attach, "project-charter", "docs/charter.md")
    assert open_items(project, framework).artifacts == ()
    states = {"project-charter": STALE, "data-report": MISSING}
    assert open_items(project, framework, states).artifacts == (
        ("Problem statement / project charter", STALE),
    )  # data-report: optional and in a stage not reached
    project = apply(store, framework, ctx, attach, "data-report", "docs/data-report.md")
    states = {"project-charter": CURRENT, "data-report": FILE_MISSING}
    assert open_items(project, framework, states).artifacts == ()  # Data not reached yet


def test_open_items_of_the_built_in_framework_ask_for_no_artifact(
    store: Store, framework: Framework
) -> None:
    assert open_items(store.load(), framework).artifacts == ()


# --- paths typed by a user, and the files on disk ---------------------------------------------


def test_project_location_is_relative_to_where_the_user_stands(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "charter.md").write_text("# Charter\n")
    assert project_location("docs/charter.md", tmp_path) == "docs/charter.md"
    assert project_location("charter.md", tmp_path, base=tmp_path / "docs") == "docs/charter.md"
    assert project_location("https://x.org/a", tmp_path) == "https://x.org/a"


def test_project_location_refuses_what_leaves_the_project_or_is_no_file(tmp_path: Path) -> None:
    root = tmp_path / "project"
    (root / "docs").mkdir(parents=True)
    (tmp_path / "secret.md").write_text("outside\n")
    (root / "docs" / "out.md").symlink_to(tmp_path / "secret.md")
    (root / "docs" / "inside.md").write_text("in\n")
    (root / "docs" / "in-link.md").symlink_to(root / "docs" / "inside.md")
    assert project_location("docs/in-link.md", root) == "docs/in-link.md"  # a link that stays
    for typed, words in (
        ("../secret.md", "outside the project"),
        ("/etc/passwd", "outside the project"),
        ("docs/../../secret.md", "outside the project"),
        ("docs/out.md", "leads out of the project"),
        ("docs/nothing.md", "does not exist"),
        ("docs", "not a file"),
        ("file:///etc/passwd", "not an http\\(s\\) URL"),
        ("javascript:alert(1)", "not an http\\(s\\) URL"),
    ):
        with pytest.raises(UsageError, match=words):
            project_location(typed, root)


def git(cwd: Path, *args: str, date: str | None = None) -> None:
    env = {
        **os.environ,
        "GIT_CONFIG_NOSYSTEM": "1",
        "HOME": str(cwd),
        "GIT_AUTHOR_NAME": "T",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "T",
        "GIT_COMMITTER_EMAIL": "t@example.com",
    }
    if date:
        env.update(GIT_AUTHOR_DATE=date, GIT_COMMITTER_DATE=date)
    subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True)


def test_change_times_ask_git_three_times_for_two_hundred_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    git(tmp_path, "init", "-q")
    paths = [f"docs/d{i % 10}/f{i:03d}.md" for i in range(200)]
    for path in paths:
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(path)
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-qm", "docs", date="2026-01-05T10:00:00Z")
    edited = tmp_path / paths[7]
    edited.write_text("edited")
    os.utime(edited, (1_800_000_000, 1_800_000_000))
    (tmp_path / "docs" / "new.md").write_text("untracked")
    os.utime(tmp_path / "docs" / "new.md", (1_800_000_100, 1_800_000_100))

    calls: list[list[str]] = []
    real = subprocess.run

    def counting(*args: Any, **kw: Any) -> Any:
        calls.append(list(args[0]))
        return real(*args, **kw)

    monkeypatch.setattr(subprocess, "run", counting)  # artifact_files calls subprocess.run
    times = change_times(tmp_path, [*paths, "docs/new.md", "docs/gone.md"])
    assert len(calls) <= 3, calls
    assert all(c[0] == "git" for c in calls)
    assert times[paths[0]] == "2026-01-05T10:00:00Z"  # the commit's time
    assert times[paths[199]] == "2026-01-05T10:00:00Z"
    assert times[paths[7]] == "2027-01-15T08:00:00Z"  # changed in the work tree: its mtime
    assert times["docs/new.md"] == "2027-01-15T08:01:40Z"  # untracked: its mtime
    assert "docs/gone.md" not in times
    assert len(times) == 201


def test_change_times_without_git_use_modification_times(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "a.md").write_text("a")
    os.utime(tmp_path / "a.md", (1_800_000_000, 1_800_000_000))
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))  # no repository above
    times = change_times(tmp_path, ["a.md", "b.md"])
    assert times == {"a.md": "2027-01-15T08:00:00Z"}
    assert change_times(tmp_path, []) == {}


def test_artifact_states_from_git_stale_then_current(
    tmp_path: Path, framework: Framework, ctx: Context
) -> None:
    from mlpl_tui.lifecycle import new_project

    git(tmp_path, "init", "-q")
    (tmp_path / "docs").mkdir()
    charter = tmp_path / "docs" / "charter.md"
    charter.write_text("# Charter\n")
    store = Store.create(tmp_path / "mlpl.json", new_project("States", ctx))
    apply(store, framework, ctx, attach, "project-charter", "docs/charter.md")
    apply(store, framework, ctx, attach, "project-charter", "https://wiki.example.com/c")
    apply(store, framework, ctx, attach, "data-report", "docs/data-report.md")  # never written
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-qm", "charter", date="2026-03-01T08:00:00Z")
    finish_business(store, framework, ctx)
    apply(store, framework, at(ctx, "2026-03-02T11:00:00Z"), advance)
    project = apply(
        store, framework, at(ctx, "2026-03-04T09:00:00Z"), switch_back, "business", "data", "x"
    )

    states = {s.id: s for s in artifact_states(project, framework, tmp_path)}
    charter_state = states["project-charter"]
    assert charter_state.state == STALE and charter_state.since == "2026-03-04T09:00:00Z"
    assert [(x.location, x.state, x.changed_at) for x in charter_state.locations] == [
        ("docs/charter.md", STALE, "2026-03-01T08:00:00Z"),
        ("https://wiki.example.com/c", ATTACHED, None),
    ]
    assert states["data-report"].state == FILE_MISSING
    assert states["model-report"].state == MISSING
    assert state_words(states.values())["project-charter"] == STALE

    charter.write_text("# Charter, revised\n")
    git(tmp_path, "commit", "-qam", "revised", date="2026-03-05T08:00:00Z")
    states = {s.id: s for s in artifact_states(project, framework, tmp_path)}
    assert states["project-charter"].state == CURRENT
    assert states["project-charter"].locations[0].changed_at == "2026-03-05T08:00:00Z"


def test_artifact_states_never_follow_a_link_out_of_the_project(
    tmp_path: Path, framework: Framework, ctx: Context
) -> None:
    from mlpl_tui.lifecycle import new_project

    root = tmp_path / "project"
    root.mkdir()
    (tmp_path / "secret.md").write_text("outside\n")
    store = Store.create(root / "mlpl.json", new_project("Links", ctx))
    (root / "charter.md").write_text("in\n")
    project = apply(store, framework, ctx, attach, "project-charter", "charter.md")
    (root / "charter.md").unlink()
    (root / "charter.md").symlink_to(tmp_path / "secret.md")  # swapped for a link afterwards
    (state,) = [s for s in artifact_states(project, framework, root) if s.id == "project-charter"]
    assert state.state == FILE_MISSING
    assert "leads out of the project" in state.locations[0].problem


def test_a_stored_path_outside_the_project_does_not_cost_the_others_their_git_times(
    tmp_path: Path,
) -> None:
    git(tmp_path, "init", "-q")
    (tmp_path / "a.md").write_text("a")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-qm", "a", date="2026-01-05T10:00:00Z")
    # Locations a branch or a hand edit could have stored: git refuses a batch holding any.
    hostile = ["/etc/passwd", "../outside.md", "docs/../../x", "javascript:alert(1)"]
    times = change_times(tmp_path, ["a.md", *hostile])
    assert times == {"a.md": "2026-01-05T10:00:00Z"}


def test_a_location_planted_with_a_nul_reads_as_file_missing(
    tmp_path: Path, framework: Framework
) -> None:
    """A NUL cannot be typed (check_location refuses it) but a hand-edited file can hold one:
    the states still come out, the location named as no file."""
    project = Project(
        {
            "meta": {"project": {"schema_version": 1, "name": "N"}},
            "artifacts": {"project-charter": {"locations": ["docs/a\x00b.md"]}},
        }
    )
    (state,) = [s for s in artifact_states(project, framework, tmp_path) if s.locations]
    assert state.state == FILE_MISSING
    assert state.locations[0].problem == "not a path a file can have"
