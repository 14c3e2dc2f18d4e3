"""The command line for artifacts and learnings, as a user runs it in a real git repository:
attach, list with states, stale after a loop back and current again once edited, the gate of a
required artifact, hostile locations refused, hostile text shown escaped; learnings noted,
listed, shown, corrected, removed and brought back.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import orjson
import pytest

from mlpl_tui.framework import builtin_framework_path, load_framework
from mlpl_tui.store import dump
from tests.conftest import Result, assert_refused

Cli = Callable[..., Result]

PAST = "2001-02-03T04:05:06Z"
# Terminal escapes, a bidi override, C1, a newline that could fake a row, and markup.
EVIL = (
    "\x1b]52;c;aGFja2Vk\x1b\\ \x1b[31mred\x1b[0m \u202eevil \x9b2J "
    "\rback\nfake-row  current  required [bold]x[/bold]"
)
RAW_CONTROL = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)


# --- helpers --------------------------------------------------------------------------------------


def ok(result: Result) -> Result:
    assert result.code == 0, result.out + result.err
    assert "Traceback" not in result.out + result.err
    return result


def later(days: int = 1) -> str:
    """A time after anything this test records (switches are stamped with the real clock)."""
    return (datetime.now(timezone.utc) + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")


def git(root: Path, *args: str, date: str | None = None) -> str:
    env = {**os.environ}
    if date:
        env.update(GIT_AUTHOR_DATE=date, GIT_COMMITTER_DATE=date)
    done = subprocess.run(["git", *args], cwd=root, env=env, capture_output=True, text=True)
    assert done.returncode == 0, f"git {' '.join(args)}: {done.stderr}"
    return done.stdout


def commit(root: Path, message: str, date: str) -> None:
    git(root, "add", "-A")
    git(root, "commit", "-qm", message, date=date)


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli: Cli) -> Iterator[Path]:
    """tmp_path/project: a git repository with a fixed identity, the current directory."""
    home, root = tmp_path / "home", tmp_path / "project"
    home.mkdir()
    root.mkdir()
    for name, value in {
        "HOME": str(home),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CEILING_DIRECTORIES": str(tmp_path),
        "GIT_AUTHOR_NAME": "Team",
        "GIT_AUTHOR_EMAIL": "team@example.com",
        "GIT_COMMITTER_NAME": "Team",
        "GIT_COMMITTER_EMAIL": "team@example.com",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(root)
    git(root, "init", "-q")
    yield root


def required_charter_yaml(folder: Path) -> None:
    """mlpl.yaml beside the state file: the built-in framework with the charter required."""
    text = builtin_framework_path().read_text(encoding="utf-8")
    marker = "        template: charter\n"
    assert marker in text
    (folder / "mlpl.yaml").write_text(
        text.replace(marker, marker + "        required: true\n"), encoding="utf-8"
    )


def init(cli: Cli) -> Path:
    ok(cli("init", "--name", "Artifacts"))
    return Path.cwd() / "mlpl.json"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def finish_business(cli: Cli) -> None:
    for module in load_framework(builtin_framework_path()).stage("business").required_modules:
        ok(cli("set", module.id, "done"))
    summary = orjson.loads(ok(cli("status", "--json")).out)
    assert summary["stages"][0]["gate_missing"] == []


def artifact(cli: Cli, id: str) -> dict[str, Any]:
    """The artifact as `status --json` gives it."""
    summary = orjson.loads(ok(cli("status", "--json")).out)
    (found,) = [a for a in summary["artifacts"] if a["id"] == id]
    listed = orjson.loads(ok(cli("artifact", "list", "--json")).out)
    assert found == next(a for a in listed if a["id"] == id)  # the same in both
    row: dict[str, Any] = found
    return row


def listed_line(cli: Cli, id: str) -> str:
    out = ok(cli("artifact", "list")).out
    (line,) = [x for x in out.splitlines() if x.startswith(f"{id} ")]
    return line


def validate_warnings(cli: Cli) -> list[str]:
    result = ok(cli("validate"))  # warnings never make validate fail
    assert result.out.strip().endswith("valid"), result.out
    return [x for x in result.out.splitlines() if ": warning: " in x]


# --- stale and current in a real repository -------------------------------------------------------


def test_a_loop_back_makes_the_charter_stale_until_it_is_edited(cli: Cli, repo: Path) -> None:
    init(cli)
    charter = write(repo / "docs" / "charter.md", "# Charter\n")
    assert ok(cli("artifact", "attach", "project-charter", "docs/charter.md")).out.strip() == (
        "project-charter"
    )
    commit(repo, "charter", PAST)
    row = artifact(cli, "project-charter")
    assert row["state"] == "current" and row["since"] is None  # no loop back yet
    assert row["locations"] == [
        {"location": "docs/charter.md", "state": "current", "changed_at": PAST, "problem": ""}
    ]
    assert validate_warnings(cli) == []

    finish_business(cli)
    ok(cli("advance"))
    ok(cli("switch", "business", "--category", "data", "--reason", "the labels were wrong"))
    row = artifact(cli, "project-charter")
    assert row["state"] == "stale" and row["locations"][0]["state"] == "stale"
    assert row["since"] > PAST
    line = listed_line(cli, "project-charter")
    assert re.match(r"project-charter +stale +optional +business +Problem statement", line), line
    out = ok(cli("artifact", "list")).out
    assert "    docs/charter.md  stale (changed 2001-02-03 04:05, before the loop back of" in out
    (warning,) = validate_warnings(cli)
    assert "project-charter" in warning and "stale" in warning
    status = ok(cli("status")).out
    block = status[status.index("Artifacts of Business") :].splitlines()
    assert re.match(r"  project-charter +stale$", block[1]), block

    # An edit not committed yet counts: the file changed after the loop back.
    write(charter, "# Charter\n\nScope narrowed to the north region.\n")
    assert artifact(cli, "project-charter")["state"] == "current"
    git(repo, "checkout", "--", "docs/charter.md")
    assert artifact(cli, "project-charter")["state"] == "stale"

    # Committed after the loop back: current, changed when committed.
    write(charter, "# Charter\n\nScope narrowed to the north region.\n")
    when = later()
    commit(repo, "charter revised", when)
    row = artifact(cli, "project-charter")
    assert row["state"] == "current"
    assert row["locations"][0]["changed_at"] == when
    assert validate_warnings(cli) == []

    # A deleted file: file missing, in every view, and validate warns.
    charter.unlink()
    assert artifact(cli, "project-charter")["state"] == "file missing"
    assert "file missing" in listed_line(cli, "project-charter")
    assert "docs/charter.md  file missing (no such file in the project)" in (
        ok(cli("artifact", "list")).out
    )
    warnings = validate_warnings(cli)
    assert any("project-charter" in w and "file missing" in w for w in warnings), warnings
    assert any("'docs/charter.md' is not in the project" in w for w in warnings), warnings


def test_a_path_is_typed_relative_to_where_the_user_stands(
    cli: Cli, repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = init(cli)
    write(repo / "docs" / "charter.md", "# Charter\n")
    write(repo / "docs" / "scope.md", "# Scope\n")
    monkeypatch.chdir(repo / "docs")
    ok(cli("artifact", "attach", "project-ch", "charter.md"))
    ok(cli("artifact", "attach", "project-charter", "scope.md"))
    ok(cli("artifact", "attach", "project-charter", "https://wiki.example.com/charter"))
    stored = orjson.loads(path.read_bytes())["artifacts"]["project-charter"]["locations"]
    assert stored == ["docs/charter.md", "docs/scope.md", "https://wiki.example.com/charter"]

    before = path.read_bytes()
    assert_refused(cli("artifact", "detach", "project-charter"), "3 locations", "docs/scope.md")
    assert_refused(cli("artifact", "detach", "project-charter", "other.md"), "not attached")
    assert path.read_bytes() == before
    ok(cli("artifact", "detach", "project-charter", "scope.md"))  # from here
    ok(cli("artifact", "detach", "project-charter", "docs/charter.md"))  # as stored
    ok(cli("artifact", "detach", "project-charter"))  # the only one left
    assert "project-charter" not in orjson.loads(path.read_bytes())["artifacts"]
    assert_refused(cli("artifact", "detach", "project-charter"), "nothing is attached")


def test_a_free_artifact_is_attached_with_a_title_and_listed_after_the_declared_ones(
    cli: Cli, repo: Path
) -> None:
    path = init(cli)
    write(repo / "notebooks" / "eda.ipynb", "{}")
    before = path.read_bytes()
    assert_refused(
        cli("artifact", "attach", "eda", "notebooks/eda.ipynb", "--stage", "data"), "--title"
    )
    assert_refused(cli("artifact", "attach", "eda", "notebooks/eda.ipynb"), "no artifact 'eda'")
    assert path.read_bytes() == before
    ok(
        cli(
            "artifact",
            "attach",
            "eda",
            "notebooks/eda.ipynb",
            "--title",
            "EDA notebook",
            "--module",
            "data.exploratory-analysis",
        )
    )
    lines = ok(cli("artifact", "list")).out.splitlines()
    assert lines[-2].startswith("eda ") and "data.exploratory-analysis" in lines[-2]
    assert lines[-2].endswith("EDA notebook")
    assert lines[-1].startswith("    notebooks/eda.ipynb  current")
    row = artifact(cli, "eda")
    assert (row["stage"], row["module"], row["declared"], row["required"]) == (
        "data",
        "data.exploratory-analysis",
        False,
        False,
    )
    # Not in the current stage's block of status; no warning (nothing is wrong with it).
    status = ok(cli("status")).out
    assert "eda" not in status[status.index("Artifacts of") :]
    assert validate_warnings(cli) == []


# --- a required artifact and the gate -------------------------------------------------------------


def test_a_required_missing_artifact_keeps_the_gate_shut_unless_forced(
    cli: Cli, tmp_path: Path
) -> None:
    required_charter_yaml(tmp_path)
    path = init(cli)
    finish_business(cli)
    status = ok(cli("status")).out
    assert re.search(r"  project-charter +missing +\(required\)", status), status
    assert any("required by the gate" in w for w in validate_warnings(cli))
    before = path.read_bytes()
    result = cli("advance")
    assert_refused(result, "project-charter (missing)", "artifact attach", code=1)
    assert path.read_bytes() == before

    ok(cli("advance", "--force", "--why", "the charter was signed on paper"))
    (decision,) = orjson.loads(ok(cli("decision", "list", "--json")).out)
    assert "project-charter (missing)" in decision["context"]
    assert decision["rationale"] == "the charter was signed on paper"
    assert orjson.loads(ok(cli("status", "--json")).out)["current_stage"] == "data"


def test_a_required_stale_artifact_shuts_the_gate_until_it_is_updated(cli: Cli, repo: Path) -> None:
    required_charter_yaml(repo)
    path = init(cli)
    charter = write(repo / "docs" / "charter.md", "# Charter\n")
    ok(cli("artifact", "attach", "project-charter", "docs/charter.md"))
    commit(repo, "charter", PAST)
    finish_business(cli)
    ok(cli("advance"))  # attached and current: the gate is open
    ok(cli("switch", "business", "--category", "business", "--reason", "new sponsor"))
    finish_business(cli)
    before = path.read_bytes()
    assert_refused(cli("advance"), "project-charter (stale)", code=1)
    assert path.read_bytes() == before
    write(charter, "# Charter\n\nThe new sponsor's goals.\n")
    commit(repo, "charter for the new sponsor", later())
    ok(cli("advance"))
    assert orjson.loads(ok(cli("decision", "list", "--json")).out) == []  # nothing forced


# --- hostile input --------------------------------------------------------------------------------


@pytest.fixture
def hostile_project(tmp_path: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch) -> Path:
    """tmp_path/project with docs/, a file beside it and a link from docs/ to that file."""
    root = tmp_path / "project"
    write(root / "docs" / "charter.md", "# Charter\n")
    write(tmp_path / "outside.md", "# Not in the project\n")
    (root / "docs" / "link.md").symlink_to(tmp_path / "outside.md")
    (root / "docs" / "dir-link").symlink_to(tmp_path)
    monkeypatch.chdir(root)
    return init(cli)


@pytest.mark.parametrize(
    ("location", "words"),
    [
        ("/etc/passwd", "outside the project"),
        ("../outside.md", "outside the project"),
        ("docs/../../x", "outside the project"),
        ("docs/../../outside.md", "outside the project"),
        ("docs/link.md", "leads out of the project"),
        ("docs/dir-link/outside.md", "leads out of the project"),
        ("javascript:alert(1)", "not an http(s) URL"),
        ("JavaScript:alert(document.cookie)", "not an http(s) URL"),
        ("file:///etc/passwd", "not an http(s) URL"),
        ("data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==", "not an http(s) URL"),
        ("https:///etc/passwd", "not an http(s) URL"),
        ("\x1b[31mred", "printable"),
        ("docs/\x1b]0;pwned\x07.md", "printable"),
        ("docs/a\nb.md", "printable"),
        ("https://example.com/\x1b[2J", "printable"),
        ("docs/" + "a" * 1_000_000, "printable"),
        ("docs/missing.md", "does not exist"),
        ("docs", "not a file"),
        ("", "path in the project"),
    ],
)
def test_a_hostile_location_is_refused_in_one_line_and_nothing_is_written(
    cli: Cli, hostile_project: Path, location: str, words: str
) -> None:
    before = hostile_project.read_bytes()
    for args in (
        ("artifact", "attach", "project-charter", location),
        ("artifact", "attach", "notes", location, "--title", "Notes"),
    ):
        result = cli(*args)
        assert_refused(result, words)
        assert "\x1b" not in result.err and len(result.err) < 400, result.err
        assert hostile_project.read_bytes() == before


def test_a_hostile_artifact_id_is_refused(cli: Cli, hostile_project: Path) -> None:
    before = hostile_project.read_bytes()
    for id in ("\x1b[31mred", "../x", "a" * 100, "Bad Id"):
        result = cli("artifact", "attach", id, "docs/charter.md", "--title", "T")
        assert_refused(result, "cannot be an artifact id")
        assert "\x1b" not in result.err
    assert hostile_project.read_bytes() == before


def test_hostile_text_is_shown_escaped_and_kept_exact_in_json(
    cli: Cli, hostile_project: Path
) -> None:
    ok(cli("artifact", "attach", "notes", "docs/charter.md", "--title", EVIL))
    ok(cli("learn", EVIL))
    for args in (("artifact", "list"), ("learning", "list")):
        result = ok(cli(*args))
        assert RAW_CONTROL.search(result.out + result.err) is None, args
        assert "\\x1b]52;c;aGFja2Vk\\x1b\\" in result.out, args
        assert "[bold]x[/bold]" in result.out, args
    listed = ok(cli("artifact", "list")).out.splitlines()
    (notes,) = [x for x in listed if x.startswith("notes ")]
    assert notes.endswith("\\rback\\nfake-row  current  required [bold]x[/bold]")  # one row
    assert not any(x.startswith("fake-row") for x in listed)
    (learning,) = ok(cli("learning", "list")).out.splitlines()
    assert "U+202Eevil" in learning and "\\x9b2J" in learning

    (row,) = [
        a for a in orjson.loads(ok(cli("artifact", "list", "--json")).out) if a["id"] == "notes"
    ]
    assert row["title"] == EVIL
    (learned,) = orjson.loads(ok(cli("learning", "list", "--json")).out)
    assert learned["text"] == EVIL.strip()


def test_hostile_locations_stored_by_hand_read_as_missing_and_validate_warns(
    cli: Cli, hostile_project: Path
) -> None:
    """A branch can store anything: what `attach` refuses is shown, never followed."""
    data = orjson.loads(hostile_project.read_bytes())
    hostile = [
        "/etc/passwd",
        "../outside.md",
        "docs/link.md",
        "javascript:alert(1)",
        "docs/\x1b[31mred.md",
        "http://",
    ]
    data["artifacts"]["project-charter"] = {
        "locations": hostile,
        "attached_at": "2026-03-02T10:00:00Z",
        "attached_by": "mallory",
    }
    hostile_project.write_bytes(dump(data))
    row = artifact(cli, "project-charter")
    states = {x["location"]: x["state"] for x in row["locations"]}
    assert states == {**dict.fromkeys(hostile[:-1], "file missing"), "http://": "attached"}
    assert row["state"] == "file missing"
    out = ok(cli("artifact", "list")).out
    assert RAW_CONTROL.search(out) is None and "docs/\\x1b[31mred.md  file missing" in out
    assert "/etc/passwd  file missing ('/etc/passwd' is a link that leads out" in out
    warnings = validate_warnings(cli)
    assert RAW_CONTROL.search("\n".join(warnings)) is None
    for location in ("/etc/passwd", "../outside.md", "docs/link.md", "javascript:alert(1)"):
        assert any(f"'{location}'" in w for w in warnings), (location, warnings)
    assert any("'http://' is not an http(s) URL" in w for w in warnings), warnings


# --- learnings ------------------------------------------------------------------------------------


def test_learnings_are_noted_listed_shown_edited_removed_and_brought_back(
    cli: Cli, tmp_path: Path
) -> None:
    path = init(cli)
    finish_business(cli)
    ok(cli("advance"))
    ok(cli("switch", "business", "--category", "data", "--reason", "labels lag a week"))
    (switch,) = orjson.loads(path.read_bytes())["switches"]
    id = ok(cli("learn", "Labels lag a week behind sales.", "--from", switch[:6])).out.strip()
    assert re.fullmatch(r"[0-9a-f]{6,}", id), id
    ok(cli("learn", "Stores order twice a week.", "--module", "data.cleaning"))
    lines = ok(cli("learning", "list")).out.splitlines()
    assert len(lines) == 2
    (line,) = [x for x in lines if x.startswith(id)]
    (other,) = [x for x in lines if not x.startswith(id)]
    assert re.match(rf"{id}  business +\d{{4}}-\d\d-\d\d  Labels lag a week behind sales\.", line)
    assert line.endswith("(from 1 source)") and "data.cleaning" in other
    shown = ok(cli("learning", "show", id[:6])).out
    assert f"  {switch}  switch data -> business: labels lag a week" in shown
    assert "  Labels lag a week behind sales." in shown and "recorded" in shown

    before = path.read_bytes()
    assert_refused(cli("learning", "edit", id), "--text", "--stage", "--module", "--from")
    assert_refused(cli("learn", "x", "--from", "unknown"), "'unknown' is not found", "--from")
    assert_refused(cli("learn", "   "), "must not be empty")
    assert_refused(cli("learning", "edit", id, "--text", ""), "must not be empty")
    assert_refused(cli("learning", "show", "nope"), "no learning")
    assert path.read_bytes() == before

    ok(cli("learning", "edit", id, "--text", "Labels lag 9 days.", "--stage", "data"))
    ok(cli("learning", "edit", id, "--from", switch, "--from", switch[:6]))  # one source
    (row,) = [x for x in orjson.loads(ok(cli("learning", "list", "--json")).out) if x["id"] == id]
    assert (row["id"], row["text"], row["stage"]) == (id, "Labels lag 9 days.", "data")
    assert row["sources"] == [{"id": switch, "table": "switches"}]
    shown = ok(cli("learning", "show", id)).out
    assert "edited stage, text" in shown

    ok(cli("learning", "remove", id))
    assert id not in ok(cli("learning", "list")).out
    ok(cli("undo"))
    (row,) = [x for x in orjson.loads(ok(cli("learning", "list", "--json")).out) if x["id"] == id]
    assert (row["id"], row["text"]) == (id, "Labels lag 9 days.")


def test_the_doc_command_is_registered(cli: Cli) -> None:
    result = ok(cli("doc", "--help"))
    assert "new" in result.out and "refresh" in result.out
    assert "doc" in ok(cli("--help")).out
