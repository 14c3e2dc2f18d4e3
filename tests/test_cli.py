"""The command line as users and scripts run it: every command, bad input, read-only commands."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import pytest

from mlpl_tui import store as store_module
from mlpl_tui.cli import main
from mlpl_tui.framework import Framework, builtin_framework_path
from mlpl_tui.model import META_ID
from mlpl_tui.store import dump
from tests.conftest import Result, assert_refused, run_process

Cli = Callable[..., Result]

# --- helpers --------------------------------------------------------------------------------------


def raw(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = orjson.loads(path.read_bytes())
    return data


def write(path: Path, data: dict[str, Any]) -> None:
    path.write_bytes(dump(data))


def init(cli: Cli, name: str = "Demand forecast") -> Path:
    result = cli("init", "--name", name)
    assert result.code == 0, result.err
    path = Path.cwd() / "mlpl.json"
    assert path.is_file()
    return path


def status(cli: Cli) -> dict[str, Any]:
    result = cli("status", "--json")
    assert result.code == 0, result.err
    summary: dict[str, Any] = orjson.loads(result.out)
    return summary


def module_status(summary: dict[str, Any], module_id: str) -> str:
    for stage in summary["stages"]:
        for module in stage["modules"]:
            if module["id"] == module_id:
                return str(module["status"])
    raise AssertionError(f"{module_id} not in status --json")


def finish_required(cli: Cli, framework: Framework, stage: str) -> None:
    for module in framework.stage(stage).required_modules:
        assert cli("set", module.id, "done").code == 0


def ok(result: Result) -> Result:
    assert result.code == 0, result.err
    assert "Traceback" not in result.out + result.err
    return result


def printed_id(result: Result) -> str:
    ok(result)
    lines = result.out.strip().splitlines()
    assert len(lines) == 1, result.out
    assert re.fullmatch(r"[0-9a-f]{6,}", lines[0]), lines[0]
    return lines[0]


# --- every command --------------------------------------------------------------------------------


def test_init_creates_the_file_and_refuses_to_overwrite_it(cli: Cli, tmp_path: Path) -> None:
    result = ok(cli("init", "--name", "Churn study"))
    path = tmp_path / "mlpl.json"
    assert "Churn study" in result.out
    data = raw(path)
    assert data["meta"][META_ID]["name"] == "Churn study"
    assert data["meta"][META_ID]["schema_version"] == 1
    assert data["meta"][META_ID]["created_by"] == "tester"
    before = path.read_bytes()
    assert before.endswith(b"}\n")

    again = cli("init", "--name", "Other")
    assert again.code == 2
    assert "mlpl.json" in again.err
    assert "exists" in again.err
    assert path.read_bytes() == before


def test_init_names_the_project_after_its_directory_by_default(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "fraud-detection"
    folder.mkdir()
    monkeypatch.chdir(folder)
    ok(cli("init"))
    assert status(cli)["project"] == "fraud-detection"


def test_status_shows_where_the_project_stands(cli: Cli) -> None:
    init(cli)
    result = ok(cli("status"))
    assert "Demand forecast" in result.out
    assert "iteration 1" in result.out
    assert "business.objectives" in result.out
    assert "Business Understanding" in result.out
    # Each module with its status as a mark and in words: never colour alone.
    assert "  [ ] business.objectives" in result.out
    assert ok(cli("set", "business.objectives", "done")).code == 0
    assert "  [x] business.objectives" in ok(cli("status")).out


def test_status_json_has_the_documented_keys(cli: Cli, framework: Framework) -> None:
    init(cli)
    summary = status(cli)
    assert summary["project"] == "Demand forecast"
    assert summary["current_stage"] == "business"
    assert summary["iteration"] == 1
    assert summary["switches"] == 0
    assert summary["decisions"] == 0
    assert summary["effort_minutes"] == 0
    assert [s["id"] for s in summary["stages"]] == ["business", "data", "modelling", "delivery"]
    for stage, expected in zip(summary["stages"], framework.stages, strict=True):
        assert stage["title"] == expected.title
        assert [m["id"] for m in stage["modules"]] == [m.id for m in expected.modules]
        for module, known in zip(stage["modules"], expected.modules, strict=True):
            assert module == {
                **module,
                "id": known.id,
                "title": known.title,
                "status": "todo",
                "required": known.required,
            }
            assert isinstance(module["required"], bool)


def test_set_records_status_note_and_who(cli: Cli, tmp_path: Path) -> None:
    path = init(cli)
    ok(cli("set", "business.objectives", "doing", "--note", "workshop on Monday"))
    record = raw(path)["modules"]["business.objectives"]
    assert record["status"] == "doing"
    assert record["note"] == "workshop on Monday"
    assert record["updated_by"] == "tester"
    assert module_status(status(cli), "business.objectives") == "doing"
    events = raw(path)["events"].values()
    assert any(e["action"] == "module.set" and e["by"] == "tester" for e in events)


def test_skipping_needs_a_reason(cli: Cli) -> None:
    path = init(cli)
    before = path.read_bytes()
    refused = cli("set", "business.constraints", "skipped")
    assert_refused(refused, "business.constraints", "--reason", code=1)
    assert path.read_bytes() == before
    # A note is no longer the reason for a skip.
    noted = cli("set", "business.constraints", "skipped", "--note", "no constraints known")
    assert_refused(noted, "--reason", code=1)
    assert path.read_bytes() == before
    # A reason is for skipping only.
    assert_refused(cli("set", "business.constraints", "done", "--reason", "x"), "--reason")
    assert path.read_bytes() == before

    ok(cli("set", "business.constraints", "skipped", "--reason", "no constraints known"))
    assert module_status(status(cli), "business.constraints") == "skipped"
    record = raw(path)["modules"]["business.constraints"]
    assert record["reason"] == "no constraints known"
    assert record.get("note", "") == ""


def test_advance_names_the_missing_modules_when_the_gate_is_unmet(
    cli: Cli, framework: Framework
) -> None:
    path = init(cli)
    ok(cli("set", "business.objectives", "done"))
    before = path.read_bytes()
    refused = cli("advance")
    assert refused.code == 1
    required = [m.id for m in framework.stage("business").required_modules]
    for module_id in required[1:]:
        assert module_id in refused.err
    assert "business.objectives " not in refused.err  # done: not listed as missing
    assert path.read_bytes() == before

    finish_required(cli, framework, "business")
    ok(cli("advance"))
    summary = status(cli)
    assert summary["current_stage"] == "data"
    assert summary["iteration"] == 1


def test_a_forced_advance_needs_a_reason_and_is_recorded_as_a_decision(cli: Cli) -> None:
    path = init(cli)
    before = path.read_bytes()
    refused = cli("advance", "--force")
    assert refused.code == 2
    assert "--why" in refused.err
    assert path.read_bytes() == before

    ok(cli("advance", "--force", "--why", "the client needs a data audit first"))
    summary = status(cli)
    assert summary["current_stage"] == "data"
    assert summary["decisions"] == 1
    (decision,) = raw(path)["decisions"].values()
    assert decision["rationale"] == "the client needs a data audit first"


def test_switch_goes_back_and_refuses_to_go_forward(cli: Cli, framework: Framework) -> None:
    path = init(cli)
    before = path.read_bytes()
    forward = cli("switch", "data", "--category", "data", "--reason", "jump ahead")
    assert forward.code == 1
    assert "forward" in forward.err
    assert path.read_bytes() == before

    finish_required(cli, framework, "business")
    ok(cli("advance"))
    switch_id = printed_id(
        cli("switch", "business", "--category", "business", "--reason", "the KPI changed")
    )
    summary = status(cli)
    assert summary["current_stage"] == "business"
    assert summary["iteration"] == 2
    assert summary["switches"] == 1
    assert module_status(summary, "business.objectives") == "done"  # upstream of the target
    switch = raw(path)["switches"][switch_id]
    assert switch["reason"] == "the KPI changed"
    assert switch["category"] == "business"
    assert switch["by"] == "tester"

    ok(
        cli(
            "switch",
            "1",
            "--module",
            "objectives",
            "--category",
            "other",
            "--reason",
            "redo it",
        )
    )
    summary = status(cli)
    assert summary["iteration"] == 3
    assert module_status(summary, "business.objectives") == "revisit"


def test_decide_prints_the_new_id_and_keeps_supersedes_links(cli: Cli) -> None:
    path = init(cli)
    first = printed_id(
        cli("decide", "Forecast weekly", "--decision", "weekly per store", "--why", "cycle")
    )
    record = raw(path)["decisions"][first]
    assert record["title"] == "Forecast weekly"
    assert record["decision"] == "weekly per store"
    assert record["rationale"] == "cycle"
    assert record["status"] == "accepted"
    assert record["stage"] == "business"
    assert record["created_by"] == "tester"

    second = printed_id(
        cli("decide", "Forecast daily", "--decision", "daily", "--supersedes", first)
    )
    assert second != first
    decisions = raw(path)["decisions"]
    assert decisions[second]["supersedes"] == first
    assert decisions[first]["superseded_by"] == second
    assert decisions[first]["status"] == "superseded"
    assert status(cli)["decisions"] == 2


def test_log_records_effort_in_every_documented_form(cli: Cli) -> None:
    path = init(cli)
    ok(cli("log", "1h30m", "--note", "stakeholder workshop"))
    ok(cli("log", "45m", "--module", "data.cleaning"))
    ok(cli("log", "2h", "--stage", "modelling"))
    ok(cli("log", "1.5h", "--on", "2020-01-02"))
    entries = sorted(raw(path)["effort"].values(), key=lambda e: e["minutes"])
    assert [e["minutes"] for e in entries] == [45, 90, 90, 120]
    by_minutes = {(e["minutes"], e["on"]): e for e in entries}
    assert by_minutes[(45, entries[0]["on"])]["module"] == "data.cleaning"
    assert by_minutes[(45, entries[0]["on"])]["stage"] == "data"
    assert entries[3]["stage"] == "modelling"
    assert any(e["on"] == "2020-01-02" for e in entries)
    assert any(e["note"] == "stakeholder workshop" and e["stage"] == "business" for e in entries)
    assert all(e["by"] == "tester" for e in entries)
    assert status(cli)["effort_minutes"] == 45 + 90 + 90 + 120


def test_the_experiment_log_commands(cli: Cli) -> None:
    path = init(cli)
    empty = ok(cli("experiment", "list", "--json"))
    assert orjson.loads(empty.out) == []

    first = printed_id(
        cli(
            "experiment",
            "add",
            "Gradient boosting",
            "--hypothesis",
            "beats the baseline",
            "--link",
            "run-17",
        )
    )
    second = printed_id(cli("experiment", "add", "Linear model"))
    ok(cli("log", "2h", "--experiment", first))
    ok(cli("experiment", "abandon", first, "--reason", "overfits badly"))
    ok(cli("experiment", "keep", second))

    listed = ok(cli("experiment", "list"))
    assert first in listed.out and second in listed.out
    assert "Gradient boosting" in listed.out and "overfits badly" in listed.out
    rows = {row["id"]: row for row in orjson.loads(ok(cli("experiment", "list", "--json")).out)}
    assert set(rows) == {first, second}
    assert rows[first]["status"] == "abandoned"
    assert rows[first]["reason"] == "overfits badly"
    assert rows[first]["hypothesis"] == "beats the baseline"
    assert rows[first]["link"] == "run-17"
    assert rows[first]["effort_minutes"] == 120
    assert rows[second]["status"] == "kept"
    assert raw(path)["experiments"][second]["created_by"] == "tester"

    missing_reason = cli("experiment", "abandon", second)
    assert missing_reason.code == 2
    assert "--reason" in missing_reason.err


def test_answer_records_an_exploration_question(cli: Cli) -> None:
    path = init(cli)
    ok(cli("answer", "1", "yes", "--note", "planners act on it"))
    ok(cli("answer", "3", "partly"))
    questions = raw(path)["questions"]
    assert questions["1"]["answer"] == "yes"
    assert questions["1"]["note"] == "planners act on it"
    assert questions["3"]["answer"] == "partly"
    assert questions["1"]["updated_by"] == "tester"


def test_validate_passes_a_fresh_project(cli: Cli, tmp_path: Path) -> None:
    init(cli)
    result = ok(cli("validate"))
    assert "valid" in result.out
    assert str(tmp_path / "mlpl.json") in result.out


def test_the_file_is_found_from_a_subdirectory(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = init(cli)
    deep = tmp_path / "src" / "models" / "nested"
    deep.mkdir(parents=True)
    monkeypatch.chdir(deep)
    assert status(cli)["project"] == "Demand forecast"
    ok(cli("set", "business.stakeholders", "done"))
    assert raw(path)["modules"]["business.stakeholders"]["status"] == "done"
    assert not any(p.name == "mlpl.json" for p in (tmp_path / "src").rglob("*"))


def test_file_option_and_mlpl_file_override_the_search(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    here = init(cli, "Here")
    other_dir = tmp_path / "elsewhere"
    other_dir.mkdir()
    other = other_dir / "mlpl.json"
    ok(cli("init", "--name", "Elsewhere", "--file", str(other)))
    assert raw(other)["meta"][META_ID]["name"] == "Elsewhere"
    untouched = here.read_bytes()

    assert status(cli)["project"] == "Here"
    assert orjson.loads(ok(cli("status", "--json", "--file", str(other))).out)["project"] == (
        "Elsewhere"
    )
    ok(cli("--file", str(other), "set", "business.objectives", "done"))
    ok(cli("set", "business.constraints", "doing", "--file", str(other)))

    monkeypatch.setenv("MLPL_FILE", str(other))
    assert status(cli)["project"] == "Elsewhere"
    ok(cli("log", "1h"))
    assert here.read_bytes() == untouched
    data = raw(other)
    assert set(data["modules"]) == {"business.objectives", "business.constraints"}
    assert len(data["effort"]) == 1

    # The option is more specific than the environment.
    assert orjson.loads(ok(cli("status", "--json", "--file", str(here))).out)["project"] == "Here"


def test_user_option_and_mlpl_user_are_recorded_as_who(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = init(cli)
    ok(cli("--user", "alice", "set", "business.objectives", "done"))
    ok(cli("decide", "Weekly", "--decision", "weekly", "--user", "carol"))
    monkeypatch.setenv("MLPL_USER", "bob")
    ok(cli("log", "30m"))
    data = raw(path)
    assert data["modules"]["business.objectives"]["updated_by"] == "alice"
    (decision,) = data["decisions"].values()
    assert decision["created_by"] == "carol"
    (entry,) = data["effort"].values()
    assert entry["by"] == "bob"
    who = {e["action"]: e["by"] for e in data["events"].values()}
    assert who["module.set"] == "alice"
    assert who["decision.add"] == "carol"
    assert who["effort.log"] == "bob"
    assert who["project.create"] == "tester"


# --- bad input ------------------------------------------------------------------------------------


def truncated(path: Path) -> None:
    content = path.read_bytes()
    path.write_bytes(content[: len(content) // 2])


def conflict_markers(path: Path) -> None:
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if '"name"' in line)
    ours, theirs = lines[at], lines[at].replace("Demand forecast", "Demand forecasting")
    lines[at : at + 1] = ["<<<<<<< HEAD\n", ours, "=======\n", theirs, ">>>>>>> feature\n"]
    path.write_text("".join(lines), encoding="utf-8")


def module_status_is_a_number(path: Path) -> None:
    data = raw(path)
    data["modules"]["business.objectives"] = {"status": 5, "note": ""}
    write(path, data)


def visit_iteration_is_text(path: Path) -> None:
    data = raw(path)
    for visit in data["visits"].values():
        visit["iteration"] = "one"
    write(path, data)


def visits_as_a_list(path: Path) -> None:
    data = raw(path)
    data["visits"] = list(data["visits"].values())
    write(path, data)


def newer_schema(path: Path) -> None:
    data = raw(path)
    data["meta"][META_ID]["schema_version"] = 99
    write(path, data)


def malformed_yaml(path: Path) -> None:
    text = builtin_framework_path().read_text(encoding="utf-8")
    text = text.replace("name: MLPL\n", 'name: MLPL\ntitle: "unterminated\n  - [\n', 1)
    (path.parent / "mlpl.yaml").write_text(text, encoding="utf-8")


def yaml_object_tag(path: Path) -> None:
    marker = path.parent / "PWNED"
    text = builtin_framework_path().read_text(encoding="utf-8")
    text = text.replace(
        "name: MLPL\n", f"name: !!python/object/apply:os.system ['touch {marker}']\n", 1
    )
    (path.parent / "mlpl.yaml").write_text(text, encoding="utf-8")


BROKEN_FILES: dict[str, tuple[Callable[[Path], None], str]] = {
    # name: (how the project is broken, what the message must contain)
    "truncated-json": (truncated, "mlpl.json"),
    "conflict-markers": (conflict_markers, "mlpl.json"),
    "module-status-5": (module_status_is_a_number, "mlpl.json"),
    "visit-iteration-text": (visit_iteration_is_text, "mlpl.json"),
    "visits-list": (visits_as_a_list, "mlpl.json"),
    "schema-99": (newer_schema, "upgrade"),
    "malformed-yaml": (malformed_yaml, "mlpl.yaml"),
    "yaml-object-tag": (yaml_object_tag, "mlpl.yaml"),
}

COMMANDS = {
    "status": ("status",),
    "status-json": ("status", "--json"),
    "set": ("set", "business.objectives", "done"),
    "log": ("log", "30m", "--note", "cleaning"),
}


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}


# Records are checked when a command reads them: `log` never reads module records and `set`
# never reads visits, so such a bad record is not their business (validate reports it).
NOT_READ = {("module-status-5", "log"), ("visit-iteration-text", "set")}
BROKEN_CASES = [
    pytest.param(broken, command, id=f"{name}-{label}")
    for name, broken in BROKEN_FILES.items()
    for label, command in COMMANDS.items()
    if (name, label) not in NOT_READ
]


@pytest.mark.parametrize(("broken", "command"), BROKEN_CASES)
def test_an_unusable_file_is_refused_with_exit_2_and_left_as_it_is(
    cli: Cli,
    tmp_path: Path,
    broken: tuple[Callable[[Path], None], str],
    command: tuple[str, ...],
) -> None:
    breaks, named = broken
    path = init(cli)
    breaks(path)
    before = snapshot(tmp_path)
    result = cli(*command)
    assert_refused(result, named)
    if named == "upgrade":
        assert "mlpl.json" in result.err
    if named == "mlpl.yaml":
        assert re.search(r"mlpl\.yaml:\d+", result.err), result.err  # the line
    assert snapshot(tmp_path) == before  # byte-identical, and nothing else written
    assert not (tmp_path / "PWNED").exists()


def test_a_broken_file_is_refused_without_a_traceback_in_a_real_process(tmp_path: Path) -> None:
    assert run_process("init", cwd=tmp_path).code == 0
    path = tmp_path / "mlpl.json"
    truncated(path)
    before = path.read_bytes()
    for command in COMMANDS.values():
        result = run_process(*command, cwd=tmp_path)
        assert_refused(result, "mlpl.json")
        assert path.read_bytes() == before


def test_a_yaml_object_tag_is_refused_in_a_real_process(tmp_path: Path) -> None:
    assert run_process("init", cwd=tmp_path).code == 0
    path = tmp_path / "mlpl.json"
    yaml_object_tag(path)
    before = path.read_bytes()
    for command in (("status",), ("set", "business.objectives", "done")):
        result = run_process(*command, cwd=tmp_path)
        assert_refused(result, "mlpl.yaml")
        assert "python/object" in result.err
        assert path.read_bytes() == before
    assert not (tmp_path / "PWNED").exists()


BAD_ARGUMENTS: dict[str, tuple[tuple[str, ...], str]] = {
    # name: (command line, what the message must name)
    "unknown-module": (("set", "business.nonexistent", "done"), "business.nonexistent"),
    "unknown-status": (("set", "business.objectives", "finished"), "finished"),
    "duration-word": (("log", "3x"), "3x"),
    "duration-zero": (("log", "0m"), "0m"),
    "duration-too-long": (("log", "25h"), "25h"),
    "bad-date": (("log", "1h", "--on", "someday"), "someday"),
    "unknown-stage": (("log", "1h", "--stage", "testing"), "testing"),
    "unknown-category": (
        ("switch", "business", "--module", "objectives", "--category", "weather", "--reason", "x"),
        "weather",
    ),
    "missing-category": (("switch", "business", "--reason", "x"), "--category"),
    "unknown-decision": (("decide", "T", "--decision", "x", "--supersedes", "nope42"), "nope42"),
    "unknown-decision-status": (("decide", "T", "--decision", "x", "--status", "maybe"), "maybe"),
    "unknown-experiment": (("experiment", "abandon", "nope42", "--reason", "x"), "nope42"),
    "unknown-question": (("answer", "6", "yes"), "6"),
    "unknown-answer": (("answer", "1", "perhaps"), "perhaps"),
    "unknown-command": (("frobnicate",), "frobnicate"),
    "unknown-option-status": (("status", "--bogus"), "--bogus"),
    "unknown-option-set": (("set", "business.objectives", "done", "--bogus"), "--bogus"),
    "missing-argument": (("set", "business.objectives"), "status"),
    "missing-file": (("status", "--file", "no/such/mlpl.json"), "no/such/mlpl.json"),
}


@pytest.mark.parametrize("case", BAD_ARGUMENTS.values(), ids=BAD_ARGUMENTS.keys())
def test_bad_arguments_are_refused_with_exit_2_and_change_nothing(
    cli: Cli, tmp_path: Path, case: tuple[tuple[str, ...], str]
) -> None:
    command, named = case
    init(cli)
    before = snapshot(tmp_path)
    assert_refused(cli(*command), named)
    assert snapshot(tmp_path) == before


def test_no_state_file_anywhere_is_a_plain_error(cli: Cli, tmp_path: Path) -> None:
    for command in (("status",), ("set", "business.objectives", "done"), ("validate",)):
        result = cli(*command)
        assert_refused(result, "mlpl.json")
        assert "init" in result.err
    assert list(tmp_path.iterdir()) == []


def test_bad_arguments_in_a_real_process(tmp_path: Path) -> None:
    assert run_process("init", cwd=tmp_path).code == 0
    before = (tmp_path / "mlpl.json").read_bytes()
    for command, named in (
        BAD_ARGUMENTS["unknown-module"],
        BAD_ARGUMENTS["duration-word"],
        BAD_ARGUMENTS["unknown-command"],
    ):
        assert_refused(run_process(*command, cwd=tmp_path), named)
    assert (tmp_path / "mlpl.json").read_bytes() == before


# --- read-only commands ---------------------------------------------------------------------------

READ_ONLY = (
    ("status",),
    ("status", "--json"),
    ("validate",),
    ("experiment", "list"),
    ("experiment", "list", "--json"),
)


def with_unknown_things(path: Path) -> None:
    """What another version or another tool may have written: unknown tables, fields, modules."""
    data = raw(path)
    data["labels"] = {"l1": {"text": "from a newer version"}}
    data["meta"][META_ID]["team"] = "forecasting"
    data["modules"]["business.objectives"] = {
        "status": "done",
        "note": "",
        "colour": "green",
        "updated_at": "2026-01-01T00:00:00Z",
        "updated_by": "someone",
    }
    data["modules"]["business.retired-module"] = {"status": "done", "note": "old framework"}
    for visit in data["visits"].values():
        visit["mood"] = "optimistic"
    data["effort"]["e1"] = {
        "minutes": 30,
        "stage": "business",
        "on": "2026-01-01",
        "billable": True,
    }
    # Another layout: compact, unsorted, no trailing newline.
    path.write_text(
        orjson.dumps(dict(reversed(list(data.items())))).decode("utf-8"), encoding="utf-8"
    )


def assert_untouched_by_read_only_commands(cli: Cli, folder: Path) -> None:
    path = folder / "mlpl.json"
    before, stat = snapshot(folder), path.stat()
    for command in READ_ONLY:
        result = cli(*command)
        assert result.code == 0, (command, result.err)
        assert "Traceback" not in result.out + result.err
    after = path.stat()
    assert snapshot(folder) == before
    assert after.st_mtime_ns == stat.st_mtime_ns
    assert after.st_ino == stat.st_ino


def test_read_only_commands_never_change_the_file(cli: Cli, tmp_path: Path) -> None:
    init(cli)
    ok(cli("set", "business.objectives", "done"))
    assert_untouched_by_read_only_commands(cli, tmp_path)


def test_read_only_commands_leave_a_file_of_another_layout_as_it_is(
    cli: Cli, tmp_path: Path
) -> None:
    with_unknown_things(init(cli))
    assert_untouched_by_read_only_commands(cli, tmp_path)
    assert module_status(status(cli), "business.objectives") == "done"


def test_read_only_commands_do_not_migrate_an_older_file(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file of an older schema is migrated (with a backup) only when something is written."""
    init(cli)
    monkeypatch.setattr(store_module, "SCHEMA_VERSION", 2)
    monkeypatch.setattr(store_module, "MIGRATIONS", {1: lambda data: data})
    assert_untouched_by_read_only_commands(cli, tmp_path)
    ok(cli("set", "business.objectives", "done"))
    assert raw(tmp_path / "mlpl.json")["meta"][META_ID]["schema_version"] == 2
    assert (tmp_path / "mlpl.json.before-migration.bak").is_file()


def test_a_write_keeps_unknown_tables_fields_and_modules(cli: Cli, tmp_path: Path) -> None:
    path = init(cli)
    with_unknown_things(path)
    ok(cli("set", "business.constraints", "done"))
    ok(cli("log", "1h"))
    data = raw(path)
    assert data["labels"] == {"l1": {"text": "from a newer version"}}
    assert data["meta"][META_ID]["team"] == "forecasting"
    assert data["modules"]["business.objectives"]["colour"] == "green"
    assert data["modules"]["business.retired-module"] == {
        "status": "done",
        "note": "old framework",
    }
    assert all(v["mood"] == "optimistic" for v in data["visits"].values() if "mood" in v)
    assert any("mood" in v for v in data["visits"].values())
    assert data["effort"]["e1"]["billable"] is True
    # Written back in the documented layout.
    assert path.read_bytes() == dump(data)


# --- validate -------------------------------------------------------------------------------------


def sound_project(cli: Cli, framework: Framework) -> Path:
    path = init(cli)
    finish_required(cli, framework, "business")
    ok(cli("advance"))
    ok(cli("switch", "business", "--category", "data", "--reason", "no history"))
    first = printed_id(cli("decide", "Weekly", "--decision", "weekly"))
    printed_id(cli("decide", "Daily", "--decision", "daily", "--supersedes", first))
    experiment = printed_id(cli("experiment", "add", "Baseline"))
    ok(cli("log", "1h", "--experiment", experiment))
    ok(cli("answer", "2", "no"))
    return path


def test_validate_accepts_a_sound_project(cli: Cli, framework: Framework) -> None:
    sound_project(cli, framework)
    result = ok(cli("validate"))
    assert "valid" in result.out
    assert "error" not in result.out + result.err


def dangling_supersedes(data: dict[str, Any]) -> str:
    data["decisions"]["dec-new"] = {
        "title": "Newer",
        "decision": "x",
        "status": "accepted",
        "supersedes": "ghost-older",
    }
    return "ghost-older"


def dangling_superseded_by(data: dict[str, Any]) -> str:
    data["decisions"]["dec-old"] = {
        "title": "Older",
        "decision": "x",
        "status": "superseded",
        "superseded_by": "ghost-newer",
    }
    return "ghost-newer"


def visit_to_missing_switch(data: dict[str, Any]) -> str:
    visit = next(v for v in data["visits"].values() if v["left_at"] is None)
    visit["switch"] = "ghost-switch"
    return "ghost-switch"


def two_open_visits(data: dict[str, Any]) -> str:
    data["visits"]["second-open"] = {
        "stage": "data",
        "iteration": 2,
        "entered_at": "2026-01-01T00:00:00Z",
        "how": "advance",
        "left_at": None,
    }
    return "second-open"


def effort_on_missing_experiment(data: dict[str, Any]) -> str:
    data["effort"]["effort-ghost"] = {
        "minutes": 30,
        "stage": "modelling",
        "on": "2026-01-01",
        "experiment": "ghost-experiment",
    }
    return "ghost-experiment"


INTEGRITY_PROBLEMS: dict[str, Callable[[dict[str, Any]], str]] = {
    "dangling-supersedes": dangling_supersedes,
    "dangling-superseded-by": dangling_superseded_by,
    "visit-to-missing-switch": visit_to_missing_switch,
    "two-open-visits": two_open_visits,
    "effort-on-missing-experiment": effort_on_missing_experiment,
}


@pytest.mark.parametrize("spoil", INTEGRITY_PROBLEMS.values(), ids=INTEGRITY_PROBLEMS.keys())
def test_validate_names_each_problem_and_exits_1(
    cli: Cli, framework: Framework, spoil: Callable[[dict[str, Any]], str]
) -> None:
    path = sound_project(cli, framework)
    data = raw(path)
    named = spoil(data)
    write(path, data)
    before = path.read_bytes()
    result = cli("validate")
    assert result.code == 1, result.out + result.err
    assert named in result.out + result.err
    assert "Traceback" not in result.out + result.err
    assert "valid" not in result.out.replace("invalid", "")
    assert path.read_bytes() == before


def test_validate_lists_every_problem_at_once(cli: Cli, framework: Framework) -> None:
    path = sound_project(cli, framework)
    data = raw(path)
    named = [spoil(data) for spoil in INTEGRITY_PROBLEMS.values()]
    write(path, data)
    result = cli("validate")
    assert result.code == 1
    for name in named:
        assert name in result.out + result.err
    assert "5 problems found" in result.err


def test_validate_warns_about_unknown_modules_and_passes(cli: Cli, framework: Framework) -> None:
    path = sound_project(cli, framework)
    data = raw(path)
    data["modules"]["data.legacy-audit"] = {"status": "done", "note": "from our old framework"}
    write(path, data)
    result = ok(cli("validate"))
    assert "data.legacy-audit" in result.out + result.err
    assert "warning" in result.out + result.err
    assert "valid" in result.out


def test_validate_reports_a_wrongly_typed_record(cli: Cli) -> None:
    path = init(cli)
    module_status_is_a_number(path)
    before = path.read_bytes()
    result = cli("validate")
    assert result.code == 1
    assert "business.objectives" in result.err
    assert "status" in result.err
    assert "Traceback" not in result.out + result.err
    assert path.read_bytes() == before


def test_the_ui_without_a_terminal_is_a_one_line_error(tmp_path: Path) -> None:
    """Run from a pipe, a cron job or CI, the app would draw into the pipe and spin at full CPU
    waiting for keys; it says what to do instead, before touching anything."""
    assert run_process("init", "--name", "Piped", cwd=tmp_path).code == 0
    before = (tmp_path / "mlpl.json").read_bytes()
    result = run_process(cwd=tmp_path, timeout=30)  # stdin and stdout are pipes here
    assert_refused(result, "needs a terminal", "mlpl-tui status")
    assert result.out == ""
    assert (tmp_path / "mlpl.json").read_bytes() == before


@pytest.mark.parametrize(
    ("stdin", "stderr", "refused"),
    [(True, False, True), (False, True, True), (True, True, False)],
)
def test_the_ui_needs_a_terminal_on_standard_input_and_error(
    stdin: bool,
    stderr: bool,
    refused: bool,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Textual draws on standard error: `mlpl-tui 2>log` is refused, `mlpl-tui >log` opens."""
    from mlpl_tui import app as app_module

    class Stream:
        def __init__(self, tty: bool) -> None:
            self.tty = tty

        def isatty(self) -> bool:
            return self.tty

    opened: list[bool] = []
    monkeypatch.setattr(app_module.MlplApp, "run", lambda self, mouse=True: opened.append(True))
    monkeypatch.setattr(sys, "__stdin__", Stream(stdin))
    monkeypatch.setattr(sys, "__stderr__", Stream(stderr))
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MLPL_FILE", raising=False)
    code = main([])
    assert (code, opened) == ((2, []) if refused else (0, [True]))
    if refused:
        assert "needs a terminal" in capsys.readouterr().err
