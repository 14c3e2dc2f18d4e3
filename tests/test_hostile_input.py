"""Hostile mlpl.json and mlpl.yaml from a branch: bounded work, a clear error, the file untouched.

Each case builds the file a teammate's branch could bring, runs the real command and checks the
exit status, a one- or two-line message naming the file, no traceback, and the state file
byte-identical afterwards. Commands that could hang run in a separate process with a timeout.
"""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import pytest
import yaml
from hypothesis import example, given
from hypothesis import strategies as st

from mlpl_tui import json_guard
from mlpl_tui.errors import MlplError
from mlpl_tui.figures import effort_figures, iteration_rows, open_items
from mlpl_tui.framework import Framework, builtin_framework_path, load_framework
from mlpl_tui.integrity import check
from mlpl_tui.journey import journey
from mlpl_tui.lifecycle import (
    Context,
    add_experiment,
    answer_question,
    decide,
    log_effort,
    new_project,
    set_status,
    switch_back,
)
from mlpl_tui.model import MAX_TEXT, META_ID, TABLES, Project, StateError
from mlpl_tui.progress import status_summary
from mlpl_tui.store import Store, dump, parse_state
from tests.conftest import Result, apply, assert_refused, fixed_ids, run_process

Cli = Callable[..., Result]
TIMEOUT = 60  # generous: only a hang or an exponential blow-up comes near it
READ_COMMANDS = (("status",), ("status", "--json"), ("validate",), ("report",))


# --- helpers --------------------------------------------------------------------------------------


def init(cli: Cli) -> Path:
    assert cli("init", "--name", "Hostile").code == 0
    return Path.cwd() / "mlpl.json"


def raw(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = orjson.loads(path.read_bytes())
    return data


def each_refused(cli: Cli, path: Path, commands: Any, *names: str, code: int = 2) -> None:
    """Every command is refused plainly and leaves the state file byte-identical."""
    before = path.read_bytes()
    for command in commands:
        assert_refused(cli(*command), *names, code=code)
        assert path.read_bytes() == before, command


def nested(levels: int) -> list[Any]:
    """A list `levels` deep: nested(1) is [], nested(2) is [[]]."""
    value: list[Any] = []
    for _ in range(levels - 1):
        value = [value]
    return value


# --- mlpl.yaml ------------------------------------------------------------------------------------

BUILTIN = builtin_framework_path().read_text(encoding="utf-8")


def alias_bomb(levels: int = 12) -> str:
    """The built-in framework with a billion-laughs key: 9**levels nodes once expanded."""
    lines = ['lol0: &lol0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for n in range(1, levels):
        lines.append(f"lol{n}: &lol{n} [" + ", ".join([f"*lol{n - 1}"] * 9) + "]")
    return BUILTIN + "\n".join(lines) + "\n"


def yaml_cases() -> dict[str, tuple[str, str]]:
    """name: (framework text, what the message must say)."""
    bomb = alias_bomb()
    name = BUILTIN[: BUILTIN.index("name: MLPL")].count("\n") + 1
    return {
        "billion-laughs": (bomb, f"mlpl.yaml:{BUILTIN.count(chr(10)) + 1}: &lol0"),
        "recursive-alias": (BUILTIN.replace("name: MLPL\n", "name: &x [*x]\n", 1), f":{name}: &x"),
        "alias-only": (BUILTIN + "other: *undefined\n", "*undefined"),
        "deep-nesting": (BUILTIN + "x: " + "[" * 990 + "]" * 990 + "\n", "levels deep"),
        "hex-number": (BUILTIN.replace("number: 1\n", "number: 0x1\n", 1), "whole number"),
        "huge-number": (BUILTIN.replace("number: 1\n", "number: " + "9" * 5000 + "\n", 1), "whole"),
        "too-large": (BUILTIN + "#" * (1 << 20) + "\n", "larger than 1 MiB"),
    }


@pytest.mark.parametrize("case", yaml_cases().values(), ids=yaml_cases().keys())
def test_a_hostile_framework_beside_the_state_file_is_refused_quickly(
    tmp_path: Path, case: tuple[str, str]
) -> None:
    text, said = case
    assert run_process("init", cwd=tmp_path).code == 0
    (tmp_path / "mlpl.yaml").write_text(text, encoding="utf-8")
    before = (tmp_path / "mlpl.json").read_bytes()
    for command in (*READ_COMMANDS, ("set", "business.objectives", "done")):
        result = run_process(*command, cwd=tmp_path, timeout=TIMEOUT)
        assert_refused(result, "mlpl.yaml", said)
        assert (tmp_path / "mlpl.json").read_bytes() == before


def test_anchors_are_named_with_their_line_and_what_to_do(cli: Cli, tmp_path: Path) -> None:
    path = init(cli)
    (tmp_path / "mlpl.yaml").write_text(BUILTIN + "shared: &shared x\n", encoding="utf-8")
    line = BUILTIN.count("\n") + 1
    each_refused(cli, path, [("status",)], f"mlpl.yaml:{line}: &shared", "write the value out")


def test_a_framework_that_is_not_utf8_names_the_line(cli: Cli, tmp_path: Path) -> None:
    path = init(cli)
    (tmp_path / "mlpl.yaml").write_bytes(b"name: MLPL\ntitle: \xff\n")
    each_refused(cli, path, [("status",)], "mlpl.yaml:2", "UTF-8")


def test_dev_zero_as_framework_is_refused_without_reading_it(tmp_path: Path) -> None:
    assert run_process("init", cwd=tmp_path).code == 0
    result = run_process("status", "--framework", "/dev/zero", cwd=tmp_path, timeout=TIMEOUT)
    assert_refused(result, "/dev/zero", "not a regular file")


@pytest.mark.parametrize("where", ["beside", "--framework"])
def test_a_fifo_as_framework_cannot_hang_a_command(tmp_path: Path, where: str) -> None:
    assert run_process("init", cwd=tmp_path).code == 0
    fifo = tmp_path / ("mlpl.yaml" if where == "beside" else "pipe.yaml")
    os.mkfifo(fifo)
    before = (tmp_path / "mlpl.json").read_bytes()
    extra = () if where == "beside" else ("--framework", str(fifo))
    for command in (("status",), ("validate",), ("set", "business.objectives", "done")):
        result = run_process(*command, *extra, cwd=tmp_path, timeout=TIMEOUT)
        assert_refused(result, fifo.name, "not a regular file")
    assert (tmp_path / "mlpl.json").read_bytes() == before


def test_a_symlink_beside_the_state_file_is_refused_but_an_explicit_one_is_followed(
    cli: Cli, tmp_path: Path
) -> None:
    path = init(cli)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    target = elsewhere / "team.yaml"
    target.write_text(BUILTIN.replace("name: MLPL\n", "name: Linked\n", 1), encoding="utf-8")
    (tmp_path / "mlpl.yaml").symlink_to(target)
    each_refused(cli, path, [("status",), ("validate",)], "mlpl.yaml", "symbolic link")

    (tmp_path / "mlpl.yaml").unlink()
    (tmp_path / "chosen.yaml").symlink_to(target)
    result = cli("report", "--format", "json", "--framework", "chosen.yaml")
    assert result.code == 0, result.err
    assert orjson.loads(result.out)["framework"]["name"] == "Linked"


def test_the_alias_scan_is_skipped_for_a_file_without_anchor_characters(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def scan(*args: object, **kw: object) -> None:
        raise AssertionError("scanned")

    monkeypatch.setattr(yaml, "scan", scan)
    assert "&" not in BUILTIN and "*" not in BUILTIN
    assert load_framework(builtin_framework_path()).name == "MLPL"


# --- mlpl.json: nesting, sizes ------------------------------------------------------------------

MAX = json_guard.MAX_DEPTH


def test_nesting_deeper_than_orjson_writes_is_refused_when_read(cli: Cli) -> None:
    """255-1024 levels parse, but no write could succeed: refused at read, naming the record."""
    path = init(cli)
    for levels in (300, 1020):
        data = raw(path)
        data["modules"]["business.objectives"] = {"status": "todo", "deep": "DEEP"}
        # Written by hand: orjson (so dump()) refuses to write more than 254 levels.
        deep = b"[" * levels + b"]" * levels
        path.write_bytes(orjson.dumps(data).replace(b'"DEEP"', deep))
        commands = [*READ_COMMANDS, ("set", "business.objectives", "done"), ("log", "1h")]
        each_refused(cli, path, commands, "mlpl.json", "'business.objectives'", "'modules'")


def test_the_depth_limit_is_exact_and_what_it_accepts_can_be_written(cli: Cli) -> None:
    path = init(cli)
    data = raw(path)
    # The file's object is level 1, a table 2, a record 3: its field holds the rest.
    data["modules"]["business.objectives"] = {"status": "todo", "deep": nested(MAX - 3)}
    path.write_bytes(dump(data))
    assert cli("validate").code == 0
    assert cli("set", "business.objectives", "done").code == 0
    assert raw(path)["modules"]["business.objectives"]["deep"] == nested(MAX - 3)

    data = raw(path)
    data["modules"]["business.objectives"]["deep"] = nested(MAX - 2)
    for layout in (dump(data), orjson.dumps(data)):  # the fast check and the slow one
        path.write_bytes(layout)
        each_refused(cli, path, [("status",)], f"more than {MAX} levels deep")


def test_a_text_longer_than_the_limit_is_refused_naming_the_record(cli: Cli) -> None:
    path = init(cli)
    data = raw(path)
    (visit,) = data["visits"]
    data["visits"][visit]["note"] = "x" * (MAX_TEXT + 1)
    path.write_bytes(dump(data))
    each_refused(cli, path, READ_COMMANDS, f"record '{visit}' in table 'visits'", "characters")

    data["visits"][visit]["note"] = "x" * MAX_TEXT  # at the limit: fine
    path.write_bytes(dump(data))
    assert cli("status").code == 0


def test_a_text_too_long_to_read_back_is_never_written(cli: Cli) -> None:
    path = init(cli)
    before = path.read_bytes()
    long = "z" * (MAX_TEXT + 1)
    for command in (
        ("set", "business.objectives", "doing", "--note", long),
        ("decide", long, "--decision", "D"),
    ):
        assert_refused(cli(*command), "characters long")
    assert path.read_bytes() == before


def test_a_record_larger_than_the_limit_is_refused_naming_it(cli: Cli) -> None:
    path = init(cli)
    data = raw(path)
    chunk = "y" * MAX_TEXT
    count = json_guard.MAX_RECORD // len(chunk) + 1
    data["effort"] = {"big": {"notes": [chunk] * count}}  # each text is fine, the record is not
    path.write_bytes(dump(data))
    each_refused(cli, path, [("status",), ("validate",)], "record 'big' in table 'effort'", "MiB")


# --- mlpl.json: duplicate keys and big integers ---------------------------------------------------


def with_line_after(path: Path, anchor: str, line: str) -> int:
    """Insert `line` after the first line containing `anchor`; returns its 1-based number."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    at = next(i for i, text in enumerate(lines) if anchor in text) + 1
    lines.insert(at, line)
    path.write_text("".join(lines), encoding="utf-8")
    return at + 1


@pytest.mark.parametrize(
    "duplicate",
    ['      "name": "Other",\n', '      "n\\u0061me": "Other",\n'],
    ids=["plain", "escaped"],
)
def test_a_duplicate_key_is_refused_naming_the_key_and_its_line(cli: Cli, duplicate: str) -> None:
    path = init(cli)
    line = with_line_after(path, '"name": "Hostile"', duplicate)
    commands = [*READ_COMMANDS, ("set", "business.objectives", "done")]
    each_refused(cli, path, commands, f"mlpl.json:{line}: key 'name' appears twice")


def test_a_duplicate_key_deep_inside_a_record_is_found(cli: Cli) -> None:
    path = init(cli)
    data = raw(path)
    data["meta"][META_ID]["extra"] = [{"a": 1, "b": {"c": 2}}]
    path.write_bytes(dump(data))
    line = with_line_after(path, '"c": 2', '              ,"c": 3\n')
    each_refused(cli, path, [("status",)], f"mlpl.json:{line}: key 'c' appears twice")


def test_the_same_key_in_different_objects_is_fine_in_any_layout(cli: Cli) -> None:
    path = init(cli)
    assert cli("set", "business.objectives", "done").code == 0
    path.write_text(json.dumps(raw(path), indent=4))  # every record has 'status', 'at', ...
    assert cli("validate").code == 0


def test_the_slow_check_runs_only_for_a_file_that_is_not_canonical(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = init(cli)
    calls: list[str] = []
    slow = json_guard.slow_check

    def spy(content: bytes, label: str) -> None:
        calls.append(label)
        slow(content, label)

    monkeypatch.setattr(json_guard, "slow_check", spy)
    assert cli("status").code == 0
    assert cli("set", "business.objectives", "done").code == 0
    assert calls == [], "a file the store wrote is canonical: no slow check"
    path.write_bytes(orjson.dumps(raw(path)))  # the same data, another layout
    assert cli("status").code == 0
    assert calls, "a file in another layout gets the slow check"


@pytest.mark.parametrize(
    "number", [2**64, 2**70, -(2**63) - 1, 10**300], ids=["2^64", "2^70", "-2^63-1", "10^300"]
)
def test_an_integer_beyond_64_bits_is_refused_naming_its_line(cli: Cli, number: int) -> None:
    path = init(cli)
    line = with_line_after(path, '"name": "Hostile"', f'      "budget": {number},\n')
    commands = [*READ_COMMANDS, ("set", "business.objectives", "done")]
    each_refused(cli, path, commands, f"mlpl.json:{line}:", "64 bits")


def test_integers_at_the_64_bit_limits_keep_their_exact_value(cli: Cli) -> None:
    path = init(cli)
    line = '      "budget": [18446744073709551615, -9223372036854775808],\n'
    with_line_after(path, '"name": "Hostile"', line)
    assert cli("set", "business.objectives", "done").code == 0
    assert b"[\n        18446744073709551615,\n        -9223372036854775808\n" in path.read_bytes()


# --- records a lookup used to trip on -------------------------------------------------------------


@pytest.mark.parametrize(
    "key", ["²", "٣", "0", "01", "-1", "1" * 5000], ids=["²", "٣", "0", "01", "-1", "long"]
)
def test_a_question_key_that_is_not_a_plain_number_is_a_validate_error(cli: Cli, key: str) -> None:
    path = init(cli)
    data = raw(path)
    data["questions"] = {key: {"answer": "yes"}}
    path.write_bytes(dump(data))
    each_refused(cli, path, [("validate",)], "mlpl.json", "questions are keyed", code=1)
    each_refused(cli, path, [("status",), ("report",), ("answer", "1", "no")], "mlpl.json")


def test_a_question_number_the_framework_lacks_is_a_validate_error_only(cli: Cli) -> None:
    path = init(cli)
    data = raw(path)
    data["questions"] = {"9": {"answer": "yes"}}
    path.write_bytes(dump(data))
    each_refused(cli, path, [("validate",)], "question '9'", code=1)
    for command in (("status",), ("report",), ("report", "--format", "json")):
        assert cli(*command).code == 0, command


def test_a_current_visit_in_an_unknown_stage_is_refused_plainly(cli: Cli) -> None:
    path = init(cli)
    data = raw(path)
    (visit,) = data["visits"]
    data["visits"][visit]["stage"] = "nowhere"
    path.write_bytes(dump(data))
    each_refused(cli, path, [("validate",)], f"visit '{visit}': unknown stage 'nowhere'", code=1)
    commands = [
        ("status",),
        ("status", "--json"),
        ("report",),
        ("advance",),
        ("switch", "business", "--module", "objectives", "--category", "data", "--reason", "r"),
        ("decide", "T", "--decision", "D"),
        ("log", "1h"),
    ]
    each_refused(cli, path, commands, "mlpl.json", "'nowhere'")


async def test_the_app_opens_the_problem_screen_for_such_records(
    store: Store, framework: Framework
) -> None:
    from mlpl_tui.screens.problem import ProblemScreen
    from tests.apphelp import SIZE, make_app, screen_text

    data = raw(store.path)
    data["questions"] = {"²": {"answer": "yes"}}
    store.path.write_bytes(dump(data))
    before = store.path.read_bytes()
    app = make_app(Store(store.path), framework)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ProblemScreen)
        assert "questions are keyed by their number" in screen_text(app.screen)
    assert store.path.read_bytes() == before


# --- fuzzing the path from the file to what commands show ----------------------------------------

NOW = "2026-03-02T10:00:00Z"


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory, framework: Framework) -> dict[str, Any]:
    """A project with a record in every table, as the store writes it."""
    ctx = Context("fuzz", NOW, make_id=fixed_ids())
    store = Store.create(tmp_path_factory.mktemp("base") / "mlpl.json", new_project("F", ctx))
    apply(store, framework, ctx, set_status, "business.objectives", "done")
    apply(store, framework, ctx, decide, "T", "D", rationale="R")
    experiment = apply(store, framework, ctx, add_experiment, "E", hypothesis="H").experiments[0]
    apply(store, framework, ctx, log_effort, "1h", experiment=experiment.id)
    apply(store, framework, ctx, answer_question, "2", "partly")
    apply(store, framework, ctx, switch_back, "business", "data", "R", "objectives")
    data = raw(store.path)
    data["conflicts"] = {
        "c1": {"table": "modules", "record": "business.objectives", "field": "status"}
        | {"ours": "done", "theirs": "todo", "kept": "ours", "resolved": True}
    }
    assert not [p for p in check(Project(data), framework) if p.level == "error"], "sound to start"
    return data


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**64 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.sampled_from(["business", "data", "nowhere", "1", "²", "", "done", "id0001", NOW])
    | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=6,
)
FIELDS = [
    "stage", "iteration", "entered_at", "left_at", "outcome", "how", "switch", "status", "note",
    "title", "supersedes", "superseded_by", "module", "minutes", "on", "experiment", "at",
    "seq", "refs", "revisit", "to_stage", "from_stage", "category", "answer", "table", "record",
    "field", "kept", "resolved", "resolution", "name", "created_at", "schema_version",
]  # fmt: skip
EDITS = st.lists(
    st.tuples(
        st.sampled_from(["meta", *TABLES[1:], "conflicts"]),
        st.integers(min_value=0, max_value=5),  # which record (modulo the table's size)
        st.sampled_from(FIELDS) | st.text(max_size=3),
        JSON_VALUES,
        st.sampled_from([None, "²", "9", "nowhere", "x" * 50]),  # rename the record to this
    ),
    min_size=1,
    max_size=4,
)


def edited(data: dict[str, Any], edits: list[tuple[str, int, str, Any, str | None]]) -> bytes:
    data = copy.deepcopy(data)
    for table, index, field, value, rename in edits:
        records = data.setdefault(table, {})
        if not records:
            records["new"] = {}
        id = list(records)[index % len(records)]
        records[id][field] = value
        if rename is not None:
            records[rename] = records.pop(id)
    return dump(data)


@given(edits=EDITS)
@example(edits=[("questions", 0, "answer", "yes", "²")])  # str.isdigit, but not int()
@example(edits=[("visits", 1, "stage", "nowhere", None)])  # the current visit's stage
@example(edits=[("visits", 1, "stage", "1", None)])  # a number where an id belongs
def test_fuzz_any_field_value_gives_results_or_a_clear_error(
    base: dict[str, Any], framework: Framework, edits: list[Any]
) -> None:
    try:
        data, _ = parse_state(edited(base, edits), "mlpl.json")
    except StateError as exc:
        assert str(exc).startswith("mlpl.json")
        return
    dump(data)  # whatever is read can be written back
    project = Project(data)
    problems = check(project, framework)  # never raises: problems are its output
    errors = [p for p in problems if p.level == "error"]
    try:
        status_summary(project, framework)
        journey(project, framework)
        effort = effort_figures(project, framework)
        iteration_rows(project, effort)
        open_items(project, framework)
    except MlplError as exc:
        assert errors, f"validate passed, yet: {exc}"
        assert len(str(exc).strip().splitlines()) <= 2
