"""The guard's shortcuts decide exactly as the exhaustive checks they stand in for.

json_guard avoids work on the common path: it measures records from the layout instead of
dumping each one, compares the file with the dump of its parse without copying either, and
keeps the parsed key order. Each shortcut is checked here against the plain definition, with
the limits made small (monkeypatched) so that small data crosses them.
"""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from mlpl_tui import json_guard
from mlpl_tui.errors import MlplError
from mlpl_tui.fields import StateError
from mlpl_tui.store import dump

LAYOUT = orjson.OPT_INDENT_2  # the store's layout, keys in the order given

texts = st.text(alphabet=st.characters(codec="utf-8"), max_size=12)
scalars = st.none() | st.booleans() | st.integers(-(2**63), 2**64 - 1) | texts
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(texts, inner, max_size=4),
    max_leaves=20,
)
records = st.dictionaries(texts, values, max_size=5)  # a table: record id -> record
files = st.dictionaries(texts, records, max_size=4)  # the file: table name -> table
# Tables or a file that are not objects: the guard measures them whole.
odd_files = st.dictionaries(texts, records | values, max_size=4) | values


def records_of(data: Any) -> list[tuple[str | None, str | None, Any]]:
    return [(table, id, value) for table, id, _level, value in json_guard._records(data)]


def first_large(data: Any, limit: int) -> tuple[str | None, str | None] | None:
    """The definition: the first record whose compact dump is longer than `limit`."""
    for table, id, value in records_of(data):
        if len(orjson.dumps(value)) > limit:
            return table, id
    return None


def sizes_verdict(data: Any) -> str | None:
    layout = orjson.dumps(data, option=LAYOUT)
    try:
        json_guard._check_sizes(data, layout, "mlpl.json")
    except StateError as exc:
        return str(exc)
    return None


@given(data=files, limit=st.integers(2, 400))
@example(data={"t": {"r": "x" * 40}}, limit=39)  # a scalar record: one line
@example(data={"t": {"r": ["x" * 20, "y" * 20]}}, limit=30)
def test_records_ruled_out_by_the_layout_are_within_the_limit(data: Any, limit: int) -> None:
    layout = orjson.dumps(data, option=LAYOUT)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(json_guard, "MAX_RECORD", limit)
        if not json_guard._may_hold_a_large_record(data, layout):
            assert first_large(data, limit) is None


@given(data=files | odd_files, limit=st.integers(2, 400))
def test_the_size_check_refuses_exactly_the_first_record_over_the_limit(
    data: Any, limit: int
) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(json_guard, "MAX_RECORD", limit)
        patch.setattr(json_guard, "MAX_TEXT", 1 << 20)  # no text is too long here
        verdict = sizes_verdict(data)
        found = first_large(data, limit)
    if found is None:
        assert verdict is None
    else:
        assert verdict is not None and "is larger than" in verdict
        assert verdict == sizes_message(data, found, limit)


def sizes_message(data: Any, found: tuple[str | None, str | None], limit: int) -> str:
    """The message the exhaustive walk gives for `found` (MAX_RECORD patched to `limit`)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(json_guard, "MAX_RECORD", limit)
        patch.setattr(json_guard, "_may_hold_a_large_record", lambda data, layout: True)
        verdict = sizes_verdict(data)
    assert verdict is not None
    return verdict


def test_every_small_limit_and_record_length_agrees_with_the_definition() -> None:
    """A sweep where the hypothesis tests sample: the record that crosses the limit sits at
    every offset from the blocks' edges, at the start, the middle and the end of the file."""
    for n in range(0, 90):
        for data in (
            {"t": {"r": "x" * n}},
            {"a": {"0": 1}, "t": {"q": [1], "r": ["x" * n, {"y": n}]}},
            {"t": {"r": {"x" * n: None}, "s": True}, "u": {}},
        ):
            for limit in range(2, 60):
                with pytest.MonkeyPatch.context() as patch:
                    patch.setattr(json_guard, "MAX_RECORD", limit)
                    verdict = sizes_verdict(data)
                found = first_large(data, limit)
                assert (verdict is None) == (found is None), (data, limit, verdict)


def test_every_small_limit_and_text_length_agrees_with_the_definition() -> None:
    for n in range(0, 90):
        for data in (
            {"t": {"r": "x" * n}},
            {"a": {"0": {"x" * n: 1}}, "t": {"q": [1, "y" * (n // 2)]}},
            {"t": {"q": 1, "r": ["y" * (n // 2), "x" * n]}, "u": {}},
        ):
            longest = longest_text(data)
            for limit in range(2, 60):
                with pytest.MonkeyPatch.context() as patch:
                    patch.setattr(json_guard, "MAX_TEXT", limit)
                    verdict = sizes_verdict(data)
                too_long = verdict is not None and "holds a text of" in verdict
                assert too_long == (longest > limit), (data, limit, verdict)


def longest_text(data: Any) -> int:
    """The definition: the longest text (value or key) inside any record."""
    return max(
        (len(text) for _t, _i, value in records_of(data) for text in json_guard._strings(value)),
        default=0,
    )


@given(data=files | odd_files, limit=st.integers(2, 60))
@example(data={"t": {"r": "x" * 9}}, limit=8)
def test_the_text_check_refuses_exactly_the_texts_over_the_limit(data: Any, limit: int) -> None:
    longest = longest_text(data)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(json_guard, "MAX_TEXT", limit)
        verdict = sizes_verdict(data)
    if longest > limit:
        assert verdict is not None and "holds a text of" in verdict
    else:
        assert verdict is None


# --- the file against the dump of its parse ------------------------------------------------------


def slow_checks(monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    calls: list[bytes] = []
    slow = json_guard.slow_check

    def spy(content: bytes, label: str) -> None:
        calls.append(content)
        slow(content, label)

    monkeypatch.setattr(json_guard, "slow_check", spy)
    return calls


def guard(content: bytes) -> str | None:
    try:
        json_guard.check(content, orjson.loads(content), "mlpl.json")
    except MlplError as exc:
        return str(exc)
    return None


@given(data=files)
def test_a_file_in_the_store_layout_needs_no_slow_check(data: Any) -> None:
    with pytest.MonkeyPatch.context() as patch:
        calls = slow_checks(patch)
        assert guard(dump(data)) is None
        assert calls == []


@pytest.mark.parametrize(
    "layout",
    [
        lambda d: orjson.dumps(d, option=LAYOUT),  # no final newline
        lambda d: orjson.dumps(d, option=LAYOUT) + b"\n\n",
        lambda d: orjson.dumps(d, option=LAYOUT) + b" \n",
        lambda d: b"\n" + orjson.dumps(d, option=LAYOUT),
        lambda d: orjson.dumps(d),
    ],
    ids=["no-newline", "two-newlines", "space", "leading-newline", "compact"],
)
def test_any_other_bytes_get_the_slow_check(monkeypatch: pytest.MonkeyPatch, layout: Any) -> None:
    calls = slow_checks(monkeypatch)
    content = layout({"meta": {"m": {"a": 1, "b": [1, 2]}}, "t": {}})
    assert guard(content) is None
    assert calls == [content]


def test_keys_in_another_order_are_read_as_they_stand(monkeypatch: pytest.MonkeyPatch) -> None:
    """Unsorted but otherwise the store's layout: nothing to refuse, and no slow check needed."""
    calls = slow_checks(monkeypatch)
    content = orjson.dumps({"z": {"b": 1, "a": 2}, "a": {}}, option=LAYOUT) + b"\n"
    assert guard(content) is None
    assert calls == []


scalar_files = st.dictionaries(texts, st.dictionaries(texts, scalars, min_size=1), min_size=1)


@given(data=scalar_files, pick=st.data(), sort=st.booleans())
def test_a_duplicate_key_is_refused_in_any_key_order(
    data: dict[str, dict[str, Any]], pick: st.DataObject, sort: bool
) -> None:
    """A key written twice never matches the dump (which holds it once), sorted or not."""
    text = orjson.dumps(data, option=LAYOUT | (orjson.OPT_SORT_KEYS if sort else 0)).decode()
    table = pick.draw(st.sampled_from(sorted(data)))
    id = pick.draw(st.sampled_from(sorted(data[table])))
    # A record's line (each record is one scalar here), written once more just before itself.
    line = f"\n    {orjson.dumps(id).decode()}: {orjson.dumps(data[table][id]).decode()}"
    at = text.find(line)
    assert at >= 0
    content = (text[:at] + line + "," + text[at:] + "\n").encode("utf-8")
    verdict = guard(content)
    assert verdict is not None and "appears twice in one object" in verdict
