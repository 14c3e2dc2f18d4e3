"""The command line for correcting records: notes that are not lost, experiments, decisions and
effort listed, shown and edited, undo and redo; each refusal; hostile text in what is shown.

Each change is checked in the stored file and in the history event it wrote, whose `changes`
must hold the full value it replaced.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import pytest

from mlpl_tui.store import dump
from tests.conftest import Result, assert_refused

Cli = Callable[..., Result]

# Longer than any summary quotes (60 characters), with a line break: kept whole or not at all.
LONG = (
    "The planners act on weekly numbers, so a daily forecast would be summed anyway;\n"
    "the stores order on Mondays and Thursdays."
)
# Terminal escapes (OSC 52 clipboard, OSC 0 title, colour), NUL, a bidi override, C1 CSI, DEL,
# a carriage return, a newline that could fake a row, and markup.
EVIL = (
    "\x1b]52;c;aGFja2Vk\x1b\\ \x1b]0;pwned\x07 \x1b[31mred\x1b[0m \x00nul \u202eevil "
    "\x9b2J \x7f \rback\n0123456789  accepted   business  fake row [bold]x[/bold]"
)
# Written independently of the sanitiser: C0 but tab and newline, DEL, C1, bidi controls.
RAW_CONTROL = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)
WHEN = r"\d{4}-\d\d-\d\d \d\d:\d\d"


# --- helpers --------------------------------------------------------------------------------------


def init(cli: Cli) -> Path:
    result = cli("init", "--name", "Corrections")
    assert result.code == 0, result.err
    return Path.cwd() / "mlpl.json"


def raw(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = orjson.loads(path.read_bytes())
    return data


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


def last_event(path: Path) -> dict[str, Any]:
    """The newest event, with its id."""
    id, event = max(raw(path)["events"].items(), key=lambda item: item[1].get("seq", 0))
    return {**event, "id": id}


def changed(event: dict[str, Any], table: str, id: str) -> dict[str, Any]:
    """The one entry of the event's `changes` for this record."""
    (entry,) = [c for c in event["changes"] if c["table"] == table and c["id"] == id]
    found: dict[str, Any] = entry
    return found


def refused_unchanged(cli: Cli, path: Path, args: tuple[str, ...], *names: str, code: int) -> None:
    """The command is refused plainly, naming each of `names`, and writes nothing."""
    before = path.read_bytes()
    assert_refused(cli(*args), *names, code=code)
    assert path.read_bytes() == before, args


def assert_clean(*outputs: str) -> None:
    for text in outputs:
        found = RAW_CONTROL.search(text)
        assert found is None, f"raw {found.group()!r} reached the terminal in: {text[:300]!r}"
        assert "Traceback" not in text


# --- notes are never replaced by accident ---------------------------------------------------------


def test_set_note_replacing_a_different_note_needs_force(cli: Cli) -> None:
    path = init(cli)
    ok(cli("set", "business.objectives", "doing", "--note", LONG))
    refused_unchanged(
        cli,
        path,
        ("set", "business.objectives", "done", "--note", "workshop held"),
        "business.objectives",
        "--force",
        "The planners act",
        code=1,
    )
    # The same note again, or no --note at all, replaces nothing.
    ok(cli("set", "business.objectives", "doing", "--note", LONG))
    ok(cli("set", "business.objectives", "done"))
    assert raw(path)["modules"]["business.objectives"]["note"] == LONG

    result = ok(cli("set", "business.objectives", "done", "--note", "workshop held", "--force"))
    assert "business.objectives" in result.err
    assert raw(path)["modules"]["business.objectives"]["note"] == "workshop held"
    entry = changed(last_event(path), "modules", "business.objectives")
    assert entry["before"]["note"] == LONG  # whole, line break included
    assert entry["after"]["note"] == "workshop held"
    # An empty note is replaced without asking.
    ok(cli("set", "business.stakeholders", "doing", "--note", ""))
    ok(cli("set", "business.stakeholders", "doing", "--note", "first note"))
    assert raw(path)["modules"]["business.stakeholders"]["note"] == "first note"


def test_skip_reason_is_kept_apart_from_the_note(cli: Cli) -> None:
    path = init(cli)
    ok(cli("set", "business.constraints", "doing", "--note", "asked legal"))
    result = ok(cli("set", "business.constraints", "skipped", "--reason", "no constraints known"))
    assert "skipped" in result.err
    record = raw(path)["modules"]["business.constraints"]
    assert (record["status"], record["reason"], record["note"]) == (
        "skipped",
        "no constraints known",
        "asked legal",
    )
    entry = changed(last_event(path), "modules", "business.constraints")
    assert entry["before"]["status"] == "doing"
    assert entry["after"]["reason"] == "no constraints known"
    help_text = cli("set", "--help").out
    assert "skipped (needs --reason)" in help_text


def test_answer_note_replacing_a_different_note_needs_force(cli: Cli) -> None:
    path = init(cli)
    ok(cli("answer", "2", "partly", "--note", LONG))
    refused_unchanged(
        cli,
        path,
        ("answer", "2", "yes", "--note", "two seasons now"),
        "question 2",
        "--force",
        code=1,
    )
    ok(cli("answer", "2", "yes"))  # the answer alone keeps the note
    assert raw(path)["questions"]["2"] == {
        **raw(path)["questions"]["2"],
        "answer": "yes",
        "note": LONG,
    }
    ok(cli("answer", "2", "yes", "--note", "two seasons now", "--force"))
    assert raw(path)["questions"]["2"]["note"] == "two seasons now"
    entry = changed(last_event(path), "questions", "2")
    assert entry["before"]["note"] == LONG
    assert entry["after"]["note"] == "two seasons now"


# --- experiments ----------------------------------------------------------------------------------


def test_experiment_add_files_it_under_a_stage_or_module(cli: Cli) -> None:
    path = init(cli)
    probe = printed_id(cli("experiment", "add", "Outlier probe", "--stage", "data"))
    model = printed_id(
        cli("experiment", "add", "GBM", "--module", "modelling.training", "--link", "run-7")
    )
    plain = printed_id(cli("experiment", "add", "Baseline"))
    stored = raw(path)["experiments"]
    assert (stored[probe]["stage"], stored[probe]["module"]) == ("data", None)
    assert (stored[model]["stage"], stored[model]["module"]) == (
        "modelling",
        "modelling.training",
    )
    assert stored[model]["link"] == "run-7"
    assert (stored[plain]["stage"], stored[plain]["status"]) == ("modelling", "running")
    assert changed(last_event(path), "experiments", plain)["before"] is None


def test_experiment_abandon_keep_and_results(cli: Cli) -> None:
    path = init(cli)
    first = printed_id(cli("experiment", "add", "Gradient boosting"))
    second = printed_id(cli("experiment", "add", "Linear model"))
    result = ok(cli("experiment", "abandon", first[:6], "--reason", "overfits", "--result", LONG))
    assert result.out.strip() == first
    assert "abandoned" in result.err
    refused_unchanged(
        cli, path, ("experiment", "keep", first), first, "abandoned", "--force", code=1
    )
    ok(cli("experiment", "keep", second, "--result", "MAPE 12%"))
    ok(cli("experiment", "keep", first, "--force", "--result", "MAPE 11% once fixed"))
    stored = raw(path)["experiments"]
    assert (stored[first]["status"], stored[first]["reason"]) == ("kept", "overfits")
    assert stored[first]["result"] == "MAPE 11% once fixed"
    entry = changed(last_event(path), "experiments", first)
    assert entry["before"]["status"] == "abandoned"
    assert entry["before"]["result"] == LONG  # the replaced result, whole
    assert stored[second]["result"] == "MAPE 12%"

    listed = ok(cli("experiment", "list")).out
    assert f"{first}  kept      Gradient boosting  (was abandoned: overfits)" in listed
    assert "    result: MAPE 11% once fixed" in listed
    assert "    result: MAPE 12%" in listed
    rows = {row["id"]: row for row in orjson.loads(ok(cli("experiment", "list", "--json")).out)}
    assert rows[first] == {
        **rows[first],
        "status": "kept",
        "result": "MAPE 11% once fixed",
        "reason": "overfits",
        "stage": "modelling",
        "module": None,
    }
    assert rows[second]["result"] == "MAPE 12%"


def test_experiment_edit_corrects_every_field(cli: Cli) -> None:
    path = init(cli)
    found = printed_id(cli("experiment", "add", "GBM", "--hypothesis", LONG))
    result = ok(
        cli(
            "experiment",
            "edit",
            found,
            "--title",
            "GBM v2",
            "--hypothesis",
            "beats the baseline",
            "--link",
            "runs/42",
            "--result",
            "MAPE 9%",
            "--module",
            "modelling.training",
        )
    )
    assert result.out.strip() == found
    assert "edited" in result.err
    stored = raw(path)["experiments"][found]
    assert stored == {
        **stored,
        "title": "GBM v2",
        "hypothesis": "beats the baseline",
        "link": "runs/42",
        "result": "MAPE 9%",
        "stage": "modelling",
        "module": "modelling.training",
    }
    entry = changed(last_event(path), "experiments", found)
    assert entry["before"]["hypothesis"] == LONG
    assert entry["before"]["title"] == "GBM"
    # The reason belongs to an abandoned experiment only.
    refused_unchanged(
        cli, path, ("experiment", "edit", found, "--reason", "x"), found, "abandoned", code=1
    )
    ok(cli("experiment", "abandon", found, "--reason", "too slow"))
    ok(
        cli(
            "experiment", "edit", found, "--reason", "too slow to retrain weekly", "--stage", "data"
        )
    )
    stored = raw(path)["experiments"][found]
    assert (stored["reason"], stored["stage"], stored["module"]) == (
        "too slow to retrain weekly",
        "data",
        None,
    )
    refused_unchanged(cli, path, ("experiment", "edit", found), "--title", "--result", code=2)
    refused_unchanged(cli, path, ("experiment", "edit", found, "--title", " "), "title", code=2)
    same = ok(cli("experiment", "edit", found, "--title", "GBM v2"))
    assert "nothing to change" in same.err


# --- decisions ------------------------------------------------------------------------------------


def test_decision_list_shows_id_status_where_date_and_title(cli: Cli) -> None:
    path = init(cli)
    empty = ok(cli("decision", "list"))
    assert "no decisions yet" in empty.out
    assert orjson.loads(ok(cli("decision", "list", "--json")).out) == []
    weekly = printed_id(
        cli("decide", "Forecast weekly", "--decision", "weekly", "--module", "business.objectives")
    )
    cheap = printed_id(
        cli(
            "decide",
            "Cheap model",
            "--decision",
            "linear",
            "--stage",
            "modelling",
            "--status",
            "proposed",
        )
    )
    lines = ok(cli("decision", "list")).out.splitlines()
    assert len(lines) == 2
    row = {line[: len(weekly)]: line for line in lines}  # ordered by time, then by id
    created = raw(path)["decisions"][weekly]["created_at"][:10]
    assert re.fullmatch(
        rf"{weekly}  accepted +business\.objectives +{created}  Forecast weekly", row[weekly]
    ), row[weekly]
    assert re.fullmatch(rf"{cheap}  proposed +modelling +{created}  Cheap model", row[cheap])
    rows = {r["id"]: r for r in orjson.loads(ok(cli("decision", "list", "--json")).out)}
    assert set(rows) == {weekly, cheap}
    assert rows[weekly] == {
        **rows[weekly],
        "title": "Forecast weekly",
        "status": "accepted",
        "stage": "business",
        "module": "business.objectives",
        "decision": "weekly",
        "created_by": "tester",
    }


def test_decision_show_prints_every_field_in_full_and_its_status_history(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    init(cli)
    first = printed_id(
        cli(
            "decide",
            "Forecast weekly",
            "--decision",
            "Forecast weekly per store.",
            "--context",
            LONG,
            "--why",
            "planning cycle",
            "--status",
            "proposed",
        )
    )
    monkeypatch.setenv("MLPL_USER", "ann")
    ok(cli("decision", "edit", first, "--status", "accepted"))
    monkeypatch.setenv("MLPL_USER", "tester")
    second = printed_id(
        cli("decide", "Forecast daily", "--decision", "daily", "--supersedes", first)
    )

    shown = ok(cli("decision", "show", first[:5])).out
    assert f"decision {first}" in shown
    assert "title:         Forecast weekly" in shown
    assert "status:        superseded" in shown
    assert "stage:         business" in shown
    assert f"superseded by: {second}" in shown
    assert re.search(rf"created:       {WHEN} by tester", shown)
    assert "decision:\n  Forecast weekly per store.\n" in shown
    assert "rationale:\n  planning cycle\n" in shown
    # The context whole, each of its lines indented under the label.
    context = "\n".join("  " + line for line in LONG.split("\n"))
    assert f"context:\n{context}\n" in shown
    history = shown[shown.index("history:") :].splitlines()[1:]
    assert len(history) == 3, history
    assert re.fullmatch(rf"  {WHEN} tester recorded as proposed", history[0]), history
    assert re.fullmatch(rf"  {WHEN} ann proposed → accepted", history[1]), history
    assert re.fullmatch(rf"  {WHEN} tester accepted → superseded \(by {second}\)", history[2])
    newer = ok(cli("decision", "show", second)).out
    assert f"supersedes:    {first}" in newer
    assert "context: -" in newer


def test_decision_edit_corrects_texts_and_where_it_is_filed(cli: Cli) -> None:
    path = init(cli)
    found = printed_id(cli("decide", "Weekly", "--decision", "weekly", "--why", LONG))
    result = ok(
        cli(
            "decision",
            "edit",
            found,
            "--title",
            "Forecast weekly",
            "--context",
            "planners meet on Mondays",
            "--decision",
            "weekly per store",
            "--rationale",
            "the planning cycle",
            "--module",
            "data.cleaning",
        )
    )
    assert result.out.strip() == found
    assert "edited" in result.err
    stored = raw(path)["decisions"][found]
    assert stored == {
        **stored,
        "title": "Forecast weekly",
        "context": "planners meet on Mondays",
        "decision": "weekly per store",
        "rationale": "the planning cycle",
        "stage": "data",
        "module": "data.cleaning",
        "status": "accepted",
        "updated_by": "tester",
    }
    entry = changed(last_event(path), "decisions", found)
    assert entry["before"]["rationale"] == LONG
    assert entry["before"]["title"] == "Weekly"
    assert (entry["before"]["stage"], entry["before"]["module"]) == ("business", None)
    ok(cli("decision", "edit", found, "--why", "shorter", "--stage", "business"))
    stored = raw(path)["decisions"][found]
    assert (stored["rationale"], stored["stage"], stored["module"]) == ("shorter", "business", None)
    shown = ok(cli("decision", "show", found)).out
    assert re.search(
        rf"  {WHEN} tester edited context, decision, module, rationale, stage, title\n", shown
    )
    assert re.search(rf"updated:       {WHEN} by tester", shown)


def test_decision_status_moves_and_the_illegal_ones(cli: Cli) -> None:
    path = init(cli)
    found = printed_id(cli("decide", "Weekly", "--decision", "weekly", "--status", "proposed"))
    refused_unchanged(
        cli,
        path,
        ("decision", "edit", found, "--status", "deprecated"),
        found,
        "proposed",
        "accepted or rejected",
        code=1,
    )
    refused_unchanged(
        cli, path, ("decision", "edit", found, "--status", "superseded"), "--supersedes", code=1
    )
    moved = ok(cli("decision", "edit", found, "--status", "rejected"))
    assert "proposed → rejected" in moved.err
    event = last_event(path)
    assert event["action"] == "decision.status"
    assert changed(event, "decisions", found)["before"]["status"] == "proposed"
    ok(cli("decision", "edit", found, "--status", "proposed"))
    ok(cli("decision", "edit", found, "--status", "accepted"))
    ok(cli("decision", "edit", found, "--status", "deprecated"))
    assert raw(path)["decisions"][found]["status"] == "deprecated"
    refused_unchanged(cli, path, ("decision", "edit", found), "--title", "--status", code=2)


def test_decide_still_records_and_supersedes(cli: Cli) -> None:
    path = init(cli)
    first = printed_id(cli("decide", "Weekly", "--decision", "weekly"))
    second = printed_id(cli("decide", "Daily", "--decision", "daily", "--supersedes", first[:4]))
    decisions = raw(path)["decisions"]
    assert decisions[first]["superseded_by"] == second
    assert decisions[second]["supersedes"] == first


# --- effort ---------------------------------------------------------------------------------------


def test_effort_list_shows_id_day_time_where_who_and_note(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    init(cli)
    assert "no effort logged yet" in ok(cli("effort", "list")).out
    assert orjson.loads(ok(cli("effort", "list", "--json")).out) == []
    early = printed_id(cli("log", "1h30m", "--on", "2020-01-02", "--note", "stakeholder workshop"))
    monkeypatch.setenv("MLPL_USER", "bob")
    late = printed_id(cli("log", "45m", "--on", "2020-01-03", "--module", "data.cleaning"))
    lines = ok(cli("effort", "list")).out.splitlines()
    assert re.fullmatch(
        rf"{early}  2020-01-02   1h30m  business +tester +stakeholder workshop", lines[0]
    ), lines[0]
    assert re.fullmatch(rf"{late}  2020-01-03     45m  data\.cleaning +bob", lines[1]), lines[1]
    assert lines[2] == "total: 2h15m in 2 entries"
    rows = orjson.loads(ok(cli("effort", "list", "--json")).out)
    assert rows[0] == {
        **rows[0],
        "id": early,
        "on": "2020-01-02",
        "minutes": 90,
        "stage": "business",
        "module": None,
        "note": "stakeholder workshop",
        "by": "tester",
    }
    assert (rows[1]["module"], rows[1]["stage"], rows[1]["by"]) == ("data.cleaning", "data", "bob")


def test_effort_edit_and_remove(cli: Cli) -> None:
    path = init(cli)
    entry = printed_id(cli("log", "1h", "--on", "2020-01-02", "--note", LONG))
    result = ok(
        cli(
            "effort",
            "edit",
            entry[:5],
            "--duration",
            "1h30m",
            "--on",
            "2020-01-03",
            "--module",
            "data.cleaning",
            "--note",
            "cleaning",
        )
    )
    assert result.out.strip() == entry
    assert "edited" in result.err
    stored = raw(path)["effort"][entry]
    assert stored == {
        **stored,
        "minutes": 90,
        "on": "2020-01-03",
        "stage": "data",
        "module": "data.cleaning",
        "note": "cleaning",
    }
    change = changed(last_event(path), "effort", entry)
    assert change["before"]["note"] == LONG
    assert (change["before"]["minutes"], change["before"]["on"]) == (60, "2020-01-02")
    refused_unchanged(cli, path, ("effort", "edit", entry, "--duration", "3x"), "3x", code=2)
    refused_unchanged(cli, path, ("effort", "edit", entry), "--duration", "--note", code=2)

    removed = ok(cli("effort", "remove", entry))
    assert removed.out.strip() == entry
    assert "removed" in removed.err
    assert entry not in raw(path)["effort"]
    gone = changed(last_event(path), "effort", entry)
    assert gone["after"] is None
    assert gone["before"] == stored  # every field it held
    refused_unchanged(cli, path, ("effort", "remove", entry), entry, code=2)


def test_log_still_records_effort(cli: Cli) -> None:
    path = init(cli)
    entry = printed_id(cli("log", "2h", "--stage", "modelling", "--note", "tuning"))
    assert raw(path)["effort"][entry]["minutes"] == 120


# --- unknown and ambiguous ids --------------------------------------------------------------------

BY_ID: dict[str, tuple[str, ...]] = {
    "decision-show": ("decision", "show", "{}"),
    "decision-edit": ("decision", "edit", "{}", "--title", "x"),
    "effort-edit": ("effort", "edit", "{}", "--note", "x"),
    "effort-remove": ("effort", "remove", "{}"),
    "experiment-keep": ("experiment", "keep", "{}"),
    "experiment-abandon": ("experiment", "abandon", "{}", "--reason", "x"),
    "experiment-edit": ("experiment", "edit", "{}", "--title", "x"),
}


def two_of_each_sharing_a_prefix(cli: Cli, path: Path) -> None:
    """Two decisions, effort entries and experiments, their ids renamed to abc1… and abc2…."""
    printed_id(cli("decide", "One", "--decision", "x"))
    printed_id(cli("decide", "Two", "--decision", "y"))
    printed_id(cli("log", "1h"))
    printed_id(cli("log", "2h"))
    printed_id(cli("experiment", "add", "One"))
    printed_id(cli("experiment", "add", "Two"))
    data = raw(path)
    for table in ("decisions", "effort", "experiments"):
        records = list(data[table].values())
        data[table] = {f"abc{n}00000{n}": record for n, record in enumerate(records, 1)}
    path.write_bytes(dump(data))


@pytest.mark.parametrize("command", BY_ID.values(), ids=BY_ID.keys())
def test_an_unknown_or_ambiguous_id_is_refused(cli: Cli, command: tuple[str, ...]) -> None:
    path = init(cli)
    two_of_each_sharing_a_prefix(cli, path)

    def fill(ref: str) -> tuple[str, ...]:
        return tuple(part.format(ref) for part in command)

    refused_unchanged(cli, path, fill("nope42"), "nope42", code=2)
    refused_unchanged(cli, path, fill("abc"), "'abc'", "ambiguous", code=2)
    ok(cli(*fill("abc1")))  # a unique prefix is enough


# --- undo and redo --------------------------------------------------------------------------------


def test_undo_reverts_the_latest_change_and_redo_puts_it_back(cli: Cli) -> None:
    path = init(cli)
    entry = printed_id(cli("log", "1h", "--note", LONG))
    ok(cli("effort", "remove", entry))
    removal = last_event(path)
    kept = raw(path)

    undone = ok(cli("undo"))
    assert undone.out.strip() == removal["id"]  # which change was undone
    assert "Undo of" in undone.err and "removed" in undone.err
    data = raw(path)
    assert data["effort"][entry]["note"] == LONG  # back in full
    event = last_event(path)
    assert (event["action"], event["reverts"], event["by"]) == ("undo", removal["id"], "tester")
    assert changed(event, "effort", entry)["before"] is None
    assert changed(event, "effort", entry)["after"]["note"] == LONG

    redone = ok(cli("redo"))
    assert "Redo of" in redone.err
    assert entry not in raw(path)["effort"]
    assert raw(path)["effort"] == kept["effort"]
    assert last_event(path)["reverts"] == event["id"]
    refused_unchanged(cli, path, ("redo",), "nothing to redo", code=1)

    # Undo again: the removal is reverted once more, then the logging itself.
    ok(cli("undo"))
    assert entry in raw(path)["effort"]
    ok(cli("undo"))
    assert raw(path).get("effort", {}) == {}


def test_undo_reverts_an_edit_to_the_full_old_value(cli: Cli) -> None:
    path = init(cli)
    found = printed_id(cli("decide", "Weekly", "--decision", "weekly", "--why", LONG))
    ok(cli("decision", "edit", found, "--why", "short", "--status", "deprecated"))
    ok(cli("undo"))
    stored = raw(path)["decisions"][found]
    assert (stored["rationale"], stored["status"]) == (LONG, "accepted")
    shown = ok(cli("decision", "show", found)).out
    assert re.search(rf"  {WHEN} tester accepted → deprecated; edited rationale \(undone\)", shown)
    assert re.search(rf"  {WHEN} tester deprecated → accepted; edited rationale \(undo\)", shown)


def test_undo_with_nothing_to_undo_is_refused(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    path = init(cli)
    refused_unchanged(cli, path, ("undo",), "nothing to undo", "tester", code=1)
    refused_unchanged(cli, path, ("redo",), "nothing to redo", code=1)
    ok(cli("set", "business.objectives", "done"))
    # Another user has nothing of theirs to undo, whatever tester did.
    monkeypatch.setenv("MLPL_USER", "bob")
    refused_unchanged(cli, path, ("undo",), "nothing to undo", "bob", code=1)
    refused_unchanged(cli, path, ("--user", "carol", "undo"), "nothing to undo", "carol", code=1)


def test_undo_blocked_by_another_users_later_change(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = init(cli)
    ok(cli("set", "business.objectives", "doing", "--note", "workshop on Monday"))
    monkeypatch.setenv("MLPL_USER", "bob")  # the identity the CLI records (Session.who)
    ok(cli("set", "business.objectives", "doing", "--note", "moved to Tuesday", "--force"))
    assert last_event(path)["by"] == "bob"

    monkeypatch.setenv("MLPL_USER", "tester")
    refused_unchanged(
        cli, path, ("undo",), "cannot revert", "note", "business.objectives", "bob", code=1
    )
    # Once bob undoes his change, tester's own undo goes through.
    ok(cli("--user", "bob", "undo"))
    assert raw(path)["modules"]["business.objectives"]["note"] == "workshop on Monday"
    ok(cli("undo"))
    assert "business.objectives" not in raw(path).get("modules", {})


# --- hostile text in what the new commands show ---------------------------------------------------


def hostile_project(cli: Cli) -> tuple[Path, str, str, str]:
    """A project whose decision, effort entry and experiment carry EVIL in every text."""
    path = init(cli)
    decision = printed_id(
        cli("--user", EVIL, "decide", EVIL, "--decision", EVIL, "--context", EVIL, "--why", EVIL)
    )
    ok(cli("--user", EVIL, "decision", "edit", decision, "--status", "deprecated"))
    entry = printed_id(cli("--user", EVIL, "log", "30m", "--note", EVIL))
    experiment = printed_id(cli("experiment", "add", EVIL, "--hypothesis", EVIL))
    ok(cli("experiment", "abandon", experiment, "--reason", EVIL, "--result", EVIL))
    return path, decision, entry, experiment


def test_hostile_text_is_shown_escaped_by_the_new_commands(cli: Cli) -> None:
    _, decision, entry, experiment = hostile_project(cli)
    for args, rows in (
        (("decision", "list"), 1),
        (("effort", "list"), 2),  # the entry and the total
        (("experiment", "list"), 2),  # the experiment and its result
        (("decision", "show", decision), None),
    ):
        result = ok(cli(*args))
        assert_clean(result.out, result.err)
        # The escapes are shown visibly, markup as typed.
        assert "\\x1b]52;c;aGFja2Vk\\x1b\\" in result.out, args
        assert "U+202E" in result.out and "\\x9b2J" in result.out, args
        assert "[bold]x[/bold]" in result.out, args
        if rows is not None:  # a newline in the text never starts a fake row
            assert len(result.out.splitlines()) == rows, result.out
            assert "\\rback\\n0123456789" in result.out
    shown = ok(cli("decision", "show", decision)).out
    # Multi-line fields keep their lines, each indented under its label: no fake field.
    assert "\n  0123456789  accepted   business  fake row [bold]x[/bold]" in shown
    assert "\n0123456789" not in shown
    history = shown[shown.index("history:") :].splitlines()[1:]
    assert len(history) == 2
    assert all("\\x1b]0;pwned\\x07" in line for line in history)  # who, escaped
    assert "accepted → deprecated" in history[1]
    listed = ok(cli("effort", "list")).out
    assert listed.startswith(f"{entry}  ")
    assert experiment in ok(cli("experiment", "list")).out


def test_hostile_text_stays_exact_in_json_output(cli: Cli) -> None:
    hostile_project(cli)
    for args, fields in (
        (
            ("decision", "list", "--json"),
            ("title", "context", "decision", "rationale", "created_by"),
        ),
        (("effort", "list", "--json"), ("note", "by")),
        (("experiment", "list", "--json"), ("title", "hypothesis", "reason", "result")),
    ):
        result = ok(cli(*args))
        assert_clean(result.out)
        (row,) = orjson.loads(result.out)
        for field in fields:
            assert row[field] == EVIL.strip(), (args, field)


def test_a_planted_history_entry_is_shown_escaped(cli: Cli) -> None:
    path = init(cli)
    found = printed_id(cli("decide", "Weekly", "--decision", "weekly"))
    data = raw(path)
    at = last_event(path)["at"]  # the same second as the decision, written after it
    data["events"]["planted"] = {
        "at": at,
        "by": EVIL,
        "action": "decision.edit",
        "summary": EVIL,
        "refs": [found],
        "seq": 99,
        "changes": [
            {
                "table": "decisions",
                "id": found,
                "before": {"status": "accepted", EVIL: 1},
                "after": {"status": EVIL, EVIL: 2},
            }
        ],
    }
    data["events"]["old"] = {
        "at": at,
        "by": "old",
        "action": "decision.edit",
        "summary": EVIL,
        "refs": [found],
        "seq": 100,
    }
    path.write_bytes(dump(data))
    result = ok(cli("decision", "show", found))
    assert_clean(result.out, result.err)
    history = result.out[result.out.index("history:") :].splitlines()[1:]
    assert len(history) == 3, history
    when = at[:16].replace("T", " ")
    assert history[1].startswith(f"  {when} \\x1b]52")
    assert "accepted → \\x1b]52" in history[1] and "; edited \\x1b]52" in history[1]
    assert history[2].startswith(f"  {when} old \\x1b]52")  # an older event: its summary
