"""A branch's files are data: planted links, terminal escapes and broken pipes, run for real.

Each test builds the hostile repository a teammate's branch could bring, runs the real command
and checks that nothing outside the project changed, no control character reached the terminal
and the error, if any, is one or two clear lines.
"""

from __future__ import annotations

import errno
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mlpl_tui import safe_io
from mlpl_tui.errors import UsageError
from mlpl_tui.framework import Framework
from mlpl_tui.lifecycle import Context, log_effort, new_project
from mlpl_tui.store import Store, dump
from tests.conftest import ROOT, Result, run_process

Cli = Callable[..., Result]

# What a hostile string carries: OSC 52 (clipboard) and OSC 0 (window title) ended both ways, a
# colour code, NUL, a bidi override, a C1 CSI, DEL, a carriage return, and Textual/Rich markup.
EVIL = (
    "\x1b]52;c;aGFja2Vk\x1b\\ \x1b]0;pwned\x07 \x1b[31mred\x1b[0m \x00nul \u202eevil "
    "\x9b2J \x7f \rback [/nope] [bold]x[/bold]"
)
# Written independently of the sanitiser under test: C0 but tab and newline, DEL, C1, bidi.
RAW_CONTROL = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)
TEXT_FIELDS = {
    "name",
    "note",
    "title",
    "hypothesis",
    "reason",
    "context",
    "decision",
    "rationale",
    "link",
    "summary",
    "created_by",
    "updated_by",
    "entered_by",
    "by",
}
DEMO = ROOT / "data" / "demo" / "mlpl.json"


def assert_clean(*outputs: str) -> None:
    for text in outputs:
        found = RAW_CONTROL.search(text)
        assert found is None, f"raw {found.group()!r} reached the terminal in: {text[:300]!r}"
        assert "Traceback" not in text


def poisoned(text: str = EVIL) -> dict[str, Any]:
    """The demo project with `text` appended to every free-text field of every record."""
    data: dict[str, Any] = orjson.loads(DEMO.read_bytes())
    for table in data.values():
        for record in table.values():
            for field, value in record.items():
                if field in TEXT_FIELDS and isinstance(value, str):
                    record[field] = value + text
    data["conflicts"] = {
        "c0ffee0001": {
            "table": "modules",
            "record": "data.cleaning",
            "field": "note",
            "ours": "ours " + text,
            "theirs": "theirs " + text,
            "kept": "ours",
            "ours_at": "2026-03-01T10:00:00Z",
            "ours_by": "A " + text,
            "theirs_at": "2026-03-01T11:00:00Z",
            "theirs_by": "B " + text,
            "resolved": False,
        }
    }
    return data


def make_project(folder: Path, data: dict[str, Any]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "mlpl.json"
    path.write_bytes(dump(data))
    return path


def git(folder: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=folder, check=True, capture_output=True, timeout=30)


def snapshot(folder: Path) -> dict[str, bytes | str]:
    """Every entry under `folder`: a file's bytes, a link's target."""
    found: dict[str, bytes | str] = {}
    for path in sorted(folder.rglob("*")):
        if ".git" in path.parts:
            continue
        key = str(path.relative_to(folder))
        if path.is_symlink():
            found[key] = "-> " + os.readlink(path)
        elif path.is_file():
            found[key] = path.read_bytes()
    return found


@pytest.fixture
def layout(tmp_path: Path) -> tuple[Path, Path]:
    """A repository with a project, beside a folder that stands for the user's home."""
    home = tmp_path / "home"
    home.mkdir()
    (home / ".bashrc").write_text("# the user's own\n")
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    Store.create(
        repo / "mlpl.json", new_project("Hostile", Context("setup", "2026-03-02T10:00:00Z"))
    )
    return repo, home


# --- writes never follow a planted link ----------------------------------------------------------


def test_a_planted_link_at_the_old_temporary_name_is_never_written_through(
    layout: tuple[Path, Path],
) -> None:
    repo, home = layout
    (repo / ".mlpl.json.tmp").symlink_to(home / ".bashrc")
    before = snapshot(home)
    result = run_process("set", "business.objectives", "done", cwd=repo)
    assert result.code == 0, result.err
    assert snapshot(home) == before
    assert "done" in (repo / "mlpl.json").read_text()
    assert (repo / ".mlpl.json.tmp").is_symlink()  # not ours: left where the branch put it


def test_a_planted_lock_link_creates_nothing_and_says_why(layout: tuple[Path, Path]) -> None:
    repo, home = layout
    (repo / "mlpl.json.lock").symlink_to(home / "created-by-lock")
    state = (repo / "mlpl.json").read_bytes()
    result = run_process("set", "business.objectives", "done", cwd=repo)
    assert result.code == 2
    assert not (home / "created-by-lock").exists()
    assert "mlpl.json.lock is a symbolic link" in result.err
    assert len(result.err.strip().splitlines()) <= 2
    assert (repo / "mlpl.json").read_bytes() == state


def test_a_symlinked_state_file_is_refused_for_reading_and_writing(
    layout: tuple[Path, Path],
) -> None:
    repo, home = layout
    shared = home / "shared.json"
    os.replace(repo / "mlpl.json", shared)
    (repo / "mlpl.json").symlink_to(shared)
    content = shared.read_bytes()
    for args in (("status",), ("set", "business.objectives", "done"), ("validate",)):
        result = run_process(*args, cwd=repo)
        assert result.code == 2, args
        assert "symbolic link" in result.err and "regular state file" in result.err
        assert len(result.err.strip().splitlines()) <= 2
        assert_clean(result.out, result.err)
    assert shared.read_bytes() == content
    assert (repo / "mlpl.json").is_symlink()


def test_report_refuses_to_write_through_a_link(layout: tuple[Path, Path]) -> None:
    repo, home = layout
    (repo / "REPORT.md").symlink_to(home / ".bashrc")
    before = snapshot(home)
    result = run_process("report", "-o", "REPORT.md", cwd=repo)
    assert result.code == 2
    assert "REPORT.md is a symbolic link" in result.err
    assert snapshot(home) == before
    # A dangling link is refused too (it would create the file it points at).
    (repo / "OTHER.md").symlink_to(home / "new-file")
    assert run_process("report", "-o", "OTHER.md", cwd=repo).code == 2
    assert not (home / "new-file").exists()


def test_madr_export_never_writes_through_a_planted_record_or_folder(
    layout: tuple[Path, Path],
) -> None:
    repo, home = layout
    assert run_process("decide", "Use weekly data", "--decision", "weekly", cwd=repo).code == 0
    records = repo / "docs" / "decisions"
    records.mkdir(parents=True)
    (records / "0001-use-weekly-data.md").symlink_to(home / ".bash_aliases")
    result = run_process("report", "--format", "madr", "-o", "docs/decisions", cwd=repo)
    assert result.code == 0, result.err
    assert not (home / ".bash_aliases").exists()
    written = sorted(p.name for p in records.iterdir() if not p.is_symlink())
    assert written == ["0002-use-weekly-data.md"]  # numbered past the link, which is left alone
    # The folder itself as a link to somewhere else.
    (repo / "adr").symlink_to(home)
    result = run_process("report", "--format", "madr", "-o", "adr", cwd=repo)
    assert result.code == 2
    assert "adr is a symbolic link" in result.err
    assert sorted(p.name for p in home.iterdir()) == [".bashrc"]


def test_init_framework_never_copies_through_a_planted_link(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    project = tmp_path / "project"
    project.mkdir()
    (project / "mlpl.yaml").symlink_to(home / "planted.yaml")
    own = tmp_path / "team.yaml"
    own.write_bytes((ROOT / "data" / "mlpl.yaml").read_bytes())
    result = run_process("init", "--framework", str(own), cwd=project)
    assert result.code == 2
    assert "mlpl.yaml already exists" in result.err
    assert not (home / "planted.yaml").exists()
    assert not (project / "mlpl.json").exists()


def test_init_framework_copies_a_regular_file_and_refuses_a_fifo(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    result = run_process("init", "--framework", str(fifo), cwd=project, timeout=20)
    assert result.code == 2
    assert "not a regular file" in result.err
    assert not (project / "mlpl.json").exists()
    own = tmp_path / "team.yaml"
    own.write_bytes((ROOT / "data" / "mlpl.yaml").read_bytes())
    result = run_process("init", "--framework", str(own), cwd=project)
    assert result.code == 0, result.err
    assert (project / "mlpl.yaml").read_bytes() == own.read_bytes()


def test_demo_refuses_a_planted_state_link(tmp_path: Path, cli: Cli) -> None:
    folder = tmp_path / "demo"
    folder.mkdir()
    (folder / "mlpl.json").symlink_to(tmp_path / "elsewhere.json")
    result = cli("demo", str(folder))
    assert result.code == 2
    assert "already exists" in result.err
    assert not (tmp_path / "elsewhere.json").exists()


def test_a_full_disk_leaves_no_temporary_and_the_file_unchanged(
    tmp_path: Path, framework: Framework, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "mlpl.json"
    ctx = Context("tester", "2026-03-02T10:00:00Z")
    store = Store.create(path, new_project("Full", ctx))
    before = path.read_bytes()

    def full(fd: int, data: Any) -> int:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr("mlpl_tui.safe_io.os.write", full)
    with pytest.raises(UsageError, match="No space left on device"):
        store.apply(lambda p: log_effort(p, framework, ctx, "1h"), ctx.who, ctx.now)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mlpl.json"]


def test_leftover_temporaries_of_a_killed_writer_are_removed_by_the_next_write(
    tmp_path: Path, framework: Framework
) -> None:
    path = tmp_path / "mlpl.json"
    ctx = Context("tester", "2026-03-02T10:00:00Z")
    store = Store.create(path, new_project("Killed", ctx))
    (tmp_path / ".mlpl.json.abcd1234.tmp").write_bytes(b"{half")
    (tmp_path / ".mlpl.json.efgh5678.tmp").symlink_to(tmp_path / "nowhere")
    (tmp_path / "notes.tmp").write_text("someone else's")
    store.apply(lambda p: log_effort(p, framework, ctx, "1h"), ctx.who, ctx.now)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mlpl.json", "notes.tmp"]


def test_written_files_keep_their_mode(tmp_path: Path) -> None:
    target = tmp_path / "report.md"
    target.write_text("old")
    target.chmod(0o640)
    safe_io.write_file(target, b"new")
    assert target.read_bytes() == b"new"
    assert target.stat().st_mode & 0o777 == 0o640


# --- nothing raw reaches the terminal -----------------------------------------------------------


def test_no_command_prints_a_control_character_from_the_data(tmp_path: Path, cli: Cli) -> None:
    make_project(tmp_path, poisoned())
    commands = [
        ("status",),
        ("experiment", "list"),
        ("conflicts",),
        ("conflicts", "--all"),
        ("validate",),
        ("report",),
        ("report", "--format", "csv"),
        ("report", "--format", "html"),
        ("set", "data.cleaning", "doing", "--note", "fine"),
        ("set", "no-such-module" + EVIL, "done"),
        ("switch", "data", "--category", "data", "--reason", EVIL),
        ("decide", EVIL, "--decision", EVIL),
    ]
    for args in commands:
        result = cli(*args)
        assert result.code in (0, 1, 2), args
        assert_clean(result.out, result.err)
    # The escapes are shown, visibly.
    listing = cli("experiment", "list").out
    assert "\\x1b]52;c;aGFja2Vk\\x1b\\" in listing
    assert "U+202E" in listing


def test_json_output_stays_exact_and_holds_no_raw_control(tmp_path: Path, cli: Cli) -> None:
    data = poisoned()
    make_project(tmp_path, data)
    for args in (("status", "--json"), ("experiment", "list", "--json"), ("conflicts", "--json")):
        result = cli(*args)
        assert result.code == 0, (args, result.err)
        assert_clean(result.out)
        orjson.loads(result.out)
    experiments = orjson.loads(cli("experiment", "list", "--json").out)
    titles = {e["id"]: e["title"] for e in experiments}
    assert titles == {k: v["title"] for k, v in data["experiments"].items()}
    summary = orjson.loads(cli("status", "--json").out)
    assert summary["project"] == data["meta"]["project"]["name"]
    report = cli("report", "--format", "json")
    assert report.code == 0
    assert_clean(report.out)
    assert orjson.loads(report.out)["project"]["name"] == data["meta"]["project"]["name"]


def test_a_planted_file_name_in_an_error_is_shown_escaped(tmp_path: Path, cli: Cli) -> None:
    result = cli("--file", str(tmp_path / f"x{EVIL}.json"), "status")
    assert result.code == 2
    assert_clean(result.out, result.err)


settings_fuzz = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
HOSTILE_TEXT = st.text(
    st.one_of(
        st.characters(codec="utf-8", categories=["Cc", "Cf", "Zl", "Zp"]),
        st.sampled_from(["[", "]", "/", "\x1b", "\\", "\u202e", "\x9b", "=", "-", ">"]),
        st.characters(codec="utf-8"),
    ),
    max_size=40,
)


@settings_fuzz
@given(text=HOSTILE_TEXT)
def test_fuzz_every_text_field_leaves_cli_output_clean(
    tmp_path_factory: pytest.TempPathFactory, text: str
) -> None:
    folder = tmp_path_factory.mktemp("fuzz")
    data = poisoned(text)
    path = make_project(folder, data)
    for args in (
        ("status",),
        ("experiment", "list"),
        ("conflicts", "--all"),
        ("validate",),
        ("report",),
        ("report", "--format", "csv"),
    ):
        out, err, code = run_in_process(["--file", str(path), *args])
        assert code in (0, 1), (args, err)
        assert_clean(out, err)
    out, err, code = run_in_process(["--file", str(path), "experiment", "list", "--json"])
    assert code == 0, err
    assert_clean(out)
    assert {e["title"] for e in orjson.loads(out)} == {
        e["title"] for e in data["experiments"].values()
    }


def run_in_process(argv: list[str]) -> tuple[str, str, int]:
    """The CLI in this process with stdout and stderr captured as a terminal would get them."""
    import io

    from mlpl_tui.cli import main

    out, err = io.StringIO(), io.StringIO()
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = out, err
    try:
        code = main(argv)
    finally:
        sys.stdout, sys.stderr = saved
    return out.getvalue(), err.getvalue(), code


# --- a reader that stops early ------------------------------------------------------------------


@pytest.mark.parametrize("args", [("status",), ("report",), ("experiment", "list")])
def test_a_closed_pipe_ends_quietly(tmp_path: Path, args: tuple[str, ...]) -> None:
    make_project(tmp_path, orjson.loads(DEMO.read_bytes()))
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader has gone before the first line: every write fails
    try:
        done = subprocess.run(
            [sys.executable, "-m", "mlpl_tui", *args],
            cwd=tmp_path,
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
        )
    finally:
        os.close(write_end)
    assert done.returncode == 0
    assert done.stderr == ""


def test_status_piped_into_head_prints_its_first_line(tmp_path: Path) -> None:
    make_project(tmp_path, orjson.loads(DEMO.read_bytes()))
    done = subprocess.run(
        f'{sys.executable} -m mlpl_tui report | head -1; echo "exit=${{PIPESTATUS[0]}}"',
        shell=True,
        executable="/bin/bash",
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.stdout.splitlines()[0].startswith("# ")
    assert done.stdout.splitlines()[-1] == "exit=0"
    assert done.stderr == ""


# --- MADR records from hostile ids and dates ----------------------------------------------------


def test_madr_ids_and_dates_cannot_break_out_of_their_places(tmp_path: Path, cli: Cli) -> None:
    data = orjson.loads(DEMO.read_bytes())
    data["decisions"] = {
        "a b": {
            "title": "Spaced id",
            "decision": "x",
            "status": "accepted",
            "stage": "business",
            "created_at": "2026-01-01\nstatus: hacked",
            "created_by": "A",
        },
        "x--!><script>": {
            "title": "Comment breaker",
            "decision": "y",
            "status": "accepted",
            "stage": "business",
            "created_at": "2026-01-02T00:00:00Z",
            "created_by": "B",
        },
    }
    make_project(tmp_path, data)
    out = tmp_path / "adr"
    for _ in range(2):  # a rerun updates in place: no duplicate files
        result = cli("report", "--format", "madr", "-o", str(out))
        assert result.code == 0, result.err
    files = sorted(out.iterdir())
    assert len(files) == 2
    texts = [p.read_text() for p in files]
    for text in texts:
        front = text.split("---\n")[1]
        assert len(front.strip().splitlines()) == 3  # status, date, decision-makers only
        assert "\nstatus: hacked" not in text
        comment = text[text.index("<!--") :]
        assert comment.count("-->") == 1 and "--!>" not in comment and "<script" not in comment


def test_a_state_file_past_the_size_cap_is_refused_unread(
    tmp_path: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mlpl_tui import store as store_module

    path = make_project(tmp_path, orjson.loads(DEMO.read_bytes()))
    monkeypatch.setattr(store_module, "MAX_FILE_BYTES", path.stat().st_size - 1)
    result = cli("status")
    assert result.code == 2
    assert "more than the" in result.err and "restore it from git" in result.err
    assert len(result.err.strip().splitlines()) == 1
