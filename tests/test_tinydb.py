"""What the store relies on from TinyDB (pyproject: tinydb>=4.8,<5), checked on the installed one.

The store uses TinyDB's storage interface only; the state file stays a TinyDB database, which
TinyDB's own table API (with string ids) reads and writes through the store's storage. To check
another TinyDB release, put it first on the path, e.g. `pip download tinydb==4.8.0`, unpack the
wheel into DIR and run `PYTHONPATH=DIR pytest tests/test_tinydb.py tests/test_store.py`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
from tinydb import TinyDB
from tinydb.storages import Storage
from tinydb.table import Document, Table
from tinydb.version import __version__ as tinydb_version

from mlpl_tui.framework import Framework
from mlpl_tui.lifecycle import Context, decide
from mlpl_tui.store import FileStorage, MemoryStorage, Store, dump
from tests.conftest import apply


class StringIdTable(Table):
    """A table keyed by the store's string ids, as TinyDB documents for custom ids."""

    document_id_class = str  # type: ignore[assignment]  # TinyDB declares int


class StateDatabase(TinyDB):
    """TinyDB over the state file."""

    table_class = StringIdTable


def test_the_installed_tinydb_is_in_the_supported_range() -> None:
    major, minor = (int(part) for part in tinydb_version.split(".")[:2])
    assert (4, 8) <= (major, minor) < (5, 0), tinydb_version


def test_a_storage_implements_read_and_write_and_may_close() -> None:
    # The store's storages override exactly these; a new abstract method would break them.
    assert Storage.__abstractmethods__ == frozenset({"read", "write"})
    assert callable(Storage.close)
    for storage in (FileStorage(Path("mlpl.json")), MemoryStorage({})):
        assert isinstance(storage, Storage)
        storage.close()


def test_tinydb_reads_and_writes_the_state_file_with_string_ids(
    store: Store, framework: Framework, ctx: Context
) -> None:
    apply(store, framework, ctx, decide, "Weekly", "weekly forecasts")
    (decision,) = store.load().decisions
    db = StateDatabase(store.path, storage=FileStorage)
    # Any: TinyDB's annotations say ids are int, which a table with string ids overrides.
    table: Any = db.table("decisions", cache_size=0)

    found = table.get(doc_id=decision.id)
    assert type(found) is Document
    found_id: Any = found.doc_id
    assert (found_id, found["title"]) == (decision.id, "Weekly")

    # An id of our own, through TinyDB's public API: insert a Document that carries it.
    record = {"title": "Daily", "decision": "daily", "status": "proposed"}
    document: Any = Document(record, doc_id="mine000001")  # type: ignore[arg-type]
    assert table.insert(document) == "mine000001"
    db.close()

    content = store.path.read_bytes()
    assert content == dump(orjson.loads(content)), "written through the store's canonical dump"
    assert [p.name for p in store.path.parent.iterdir()] == ["mlpl.json"], "no temporary left"
    added = Store(store.path).load().decision("mine000001")
    assert added is not None and (added.title, added.status) == ("Daily", "proposed")
