"""Schema versions: an older file is migrated on the first write with a backup kept."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest

from mlpl_tui import store as store_module
from mlpl_tui.framework import Framework
from mlpl_tui.lifecycle import Context, set_status
from mlpl_tui.store import Store


def _rename_notes(data: dict[str, Any]) -> dict[str, Any]:
    """A made-up upgrade from version 1 to 2: module field 'comment' becomes 'note'."""
    for record in data.get("modules", {}).values():
        if "comment" in record:
            record["note"] = record.pop("comment")
    return data


def test_an_older_file_is_read_migrated_and_written_with_a_backup(
    store: Store, framework: Framework, ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = store.path
    data = orjson.loads(path.read_bytes())
    data["modules"]["business.objectives"] = {
        "status": "doing",
        "comment": "old layout",
        "updated_at": ctx.now,
        "updated_by": "tester",
    }
    original = store_module.dump(data)
    path.write_bytes(original)
    monkeypatch.setattr(store_module, "SCHEMA_VERSION", 2)
    monkeypatch.setattr(store_module, "MIGRATIONS", {1: _rename_notes})

    fresh = Store(path)
    assert fresh.load().modules["business.objectives"].note == "old layout"
    assert path.read_bytes() == original, "reading must not rewrite the file"

    fresh.apply(
        lambda p: set_status(p, framework, ctx, "business.objectives", "done"), ctx.who, ctx.now
    )
    written = orjson.loads(path.read_bytes())
    assert written["meta"]["project"]["schema_version"] == 2
    assert written["modules"]["business.objectives"]["note"] == "old layout"
    assert "comment" not in written["modules"]["business.objectives"]
    backup = Path(f"{path}.before-migration.bak")
    assert backup.read_bytes() == original
