"""The generic record parser: a new record kind is a declaration of a few lines."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

import pytest

from mlpl_tui.fields import POSITIVE, Default, Ids, Key, OneOf, Record, RecordError, Text
from mlpl_tui.model import RECORD_KINDS, TABLES, Project


@dataclass(frozen=True)
class Artifact(Record, kind="artifact", table="artifacts"):
    """A declaration as a new record kind would write it."""

    id: str
    title: str
    stage: Annotated[str, OneOf(("business", "data"))]
    path: str | None
    note: Text
    size: Annotated[int, POSITIVE, Default(1)]
    tags: Ids
    pinned: Annotated[bool, Default(False)]
    extra: Any
    version: int = 3


@dataclass(frozen=True)
class Numbered(Record, kind="numbered", table="numbered"):
    """A kind keyed by a number, like the exploration questions."""

    number: Annotated[int, Key(int)]
    name: str


def test_a_declared_kind_reads_its_fields_with_their_defaults() -> None:
    raw = {"title": "Data card", "stage": "data", "tags": ["a", "b"], "owner": "ana"}
    assert Artifact.parse("a1", raw) == Artifact(
        id="a1",
        title="Data card",
        stage="data",
        path=None,
        note="",
        size=1,
        tags=("a", "b"),
        pinned=False,
        extra=None,
        version=3,
    )
    full = {**raw, "path": "docs/card.md", "note": "n", "size": 7, "pinned": True, "extra": [1]}
    artifact = Artifact.parse("a2", {**full, "version": 4})
    assert (artifact.path, artifact.size, artifact.pinned, artifact.extra) == (
        "docs/card.md",
        7,
        True,
        [1],
    )
    assert artifact.version == 4
    assert Artifact.parse("a3", {**raw, "note": None}).note == "", "null reads as the default"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("title", None, "artifact 'a1': field 'title' is missing"),
        ("title", 7, "artifact 'a1': field 'title' should be str, not 7"),
        (
            "stage",
            "delivery",
            "artifact 'a1': field 'stage' is 'delivery'; use one of business, data",
        ),
        ("size", 0, "artifact 'a1': field 'size' must be positive, not 0"),
        ("size", True, "artifact 'a1': field 'size' should be int, not True"),
        ("tags", "a", "artifact 'a1': field 'tags' should be list, not 'a'"),
        ("tags", ["a", 1], "artifact 'a1': field 'tags' should list text ids"),
        ("pinned", 1, "artifact 'a1': field 'pinned' should be bool, not 1"),
        ("path", ["x"], "artifact 'a1': field 'path' should be str, not ['x']"),
    ],
)
def test_a_wrong_field_is_named_with_its_record(field: str, value: object, message: str) -> None:
    raw = {"title": "T", "stage": "data", field: value}
    with pytest.raises(RecordError) as info:
        Artifact.parse("a1", raw)
    assert str(info.value) == message


def test_a_long_id_is_cut_in_messages() -> None:
    with pytest.raises(RecordError) as info:
        Artifact.parse("x" * 100, {"stage": "data"})
    assert str(info.value) == f"artifact '{'x' * 39}…': field 'title' is missing"


def test_a_key_field_takes_the_converted_key_and_a_refused_key_is_named() -> None:
    assert Numbered.parse("12", {"name": "n"}) == Numbered(number=12, name="n")
    with pytest.raises(RecordError, match=r"^numbered 'x': invalid literal for int"):
        Numbered.parse("x", {"name": "n"})


def test_every_stored_kind_has_a_table_and_a_kind_name() -> None:
    for kind in RECORD_KINDS:
        assert kind.KIND and (kind.TABLE in TABLES or kind.TABLE == "conflicts"), kind
    project = Project({"artifacts": {"a1": {"title": "T", "stage": "data"}}})
    (artifact,) = project.records(Artifact)
    assert artifact.title == "T"
    only = project.records(Artifact, [("a9", {"title": "U", "stage": "business"})])
    assert [a.id for a in only] == ["a9"]
