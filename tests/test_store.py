"""Applying a change: one pure function, shared by the file store and the memory store."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

from mlpl_tui.changes import Change, Put, apply_change
from mlpl_tui.framework import Framework
from mlpl_tui.lifecycle import (
    Context,
    add_experiment,
    advance,
    decide,
    log_effort,
    new_project,
    set_status,
    switch_back,
)
from mlpl_tui.store import MemoryStore, Store, new_data
from tests.conftest import fixed_ids

NOW = "2026-03-02T10:00:00Z"
BUSINESS = ("objectives", "problem-definition", "stakeholders", "data-sources", "constraints")


def tables() -> dict[str, dict[str, dict[str, Any]]]:
    return new_data(new_project("Pure", Context("setup", NOW, make_id=fixed_ids("s"))))


def test_applying_a_change_leaves_its_input_as_it_was_and_shares_what_it_did_not_touch() -> None:
    before = tables()
    module = "business.objectives"
    before["modules"][module] = {"status": "doing", "note": "n", "owner": "ana"}
    kept = copy.deepcopy(before)
    change = Change("module.set", "done", [Put("modules", module, {"status": "done"})])

    after = apply_change(before, change, "bob", NOW, fixed_ids("e"))

    assert before == kept, "the input is not modified"
    assert after["modules"][module] == {"status": "done", "note": "n", "owner": "ana"}
    assert after["modules"] is not before["modules"]
    assert after["decisions"] is before["decisions"], "untouched tables are shared"
    (event_id,) = after["events"].keys() - before["events"].keys()
    assert event_id == "e0001"
    assert after["events"][event_id] == {
        "at": NOW,
        "by": "bob",
        "action": "module.set",
        "summary": "done",
        "refs": [module],
        "seq": len(before["events"]) + 1,
        "changes": [
            {
                "table": "modules",
                "id": module,
                "before": {"status": "doing"},
                "after": {"status": "done"},
            }
        ],
    }


def test_a_change_that_changes_nothing_returns_the_same_data_and_adds_no_event() -> None:
    data = tables()
    data["modules"]["business.objectives"] = {"status": "done", "note": ""}
    same = Change(
        "module.set", "again", [Put("modules", "business.objectives", {"status": "done"})]
    )
    assert apply_change(data, same, "bob", NOW) is data
    assert apply_change(data, Change("nothing", "no puts"), "bob", NOW) is data


def test_puts_to_one_record_in_one_change_apply_in_order_and_refs_are_listed_once() -> None:
    puts = [
        Put("decisions", "d1", {"title": "T", "status": "proposed"}),
        Put("decisions", "d1", {"status": "accepted"}),
        Put("dashboards", "main", {"layout": "grid"}),  # a table the file did not have
    ]
    after = apply_change(tables(), Change("x", "y", puts), "bob", NOW, fixed_ids("e"))
    assert after["decisions"]["d1"] == {"title": "T", "status": "accepted"}
    assert after["dashboards"] == {"main": {"layout": "grid"}}
    assert after["events"]["e0001"]["refs"] == ["d1", "main"]


def script(framework: Framework) -> list[tuple[Any, ...]]:
    """A working day: ticks, a gate passed, a decision, effort, an experiment, a loop back."""
    ticks = [(set_status, f"business.{m}", "done") for m in BUSINESS]
    return [
        *ticks,
        (set_status, "business.objectives", "done"),  # again: writes nothing
        (advance,),
        (decide, "Weekly", "weekly forecasts"),
        (log_effort, "1h30m"),
        (add_experiment, "GBM"),
        (switch_back, "business", "data", "the data says otherwise"),
    ]


def run(store: Store, framework: Framework, make_id: Callable[[], str]) -> list[bool]:
    """Apply the script a minute a step; whether each step wrote."""

    def step(minute: int, rule: Callable[..., Change], *args: Any) -> bool:
        ctx = Context("ana", f"2026-03-02T10:{minute:02d}:00Z", make_id=make_id)
        return store.apply(lambda p: rule(p, framework, ctx, *args), ctx.who, ctx.now).written

    return [step(minute, *action) for minute, action in enumerate(script(framework))]


def test_the_memory_store_writes_what_the_file_store_writes(
    tmp_path: Path, framework: Framework
) -> None:
    start = new_project("Twins", Context("setup", NOW, make_id=fixed_ids("s")))
    Store.create(tmp_path / "mlpl.json", start)
    on_disk_ids, in_memory_ids = fixed_ids("x"), fixed_ids("x")
    on_disk = Store(tmp_path / "mlpl.json", make_id=on_disk_ids)
    in_memory = MemoryStore(start, make_id=in_memory_ids)

    written = run(on_disk, framework, on_disk_ids)
    assert run(in_memory, framework, in_memory_ids) == written
    assert written.count(False) == 1

    assert orjson.loads(on_disk.path.read_bytes()) == in_memory.data
    assert not in_memory.changed_on_disk()
    assert in_memory.load().label == "mlpl.json"
    assert len(in_memory.load().events) == len(written) - written.count(False) + 1


def test_an_unchanged_change_leaves_the_file_untouched(
    tmp_path: Path, framework: Framework
) -> None:
    path = tmp_path / "mlpl.json"
    ctx = Context("ana", NOW)
    store = Store.create(path, new_project("Quiet", ctx))
    store.apply(lambda p: set_status(p, framework, ctx, "business.objectives", "done"), "a", NOW)
    before = path.stat().st_mtime_ns, path.stat().st_ino, path.read_bytes()
    applied = store.apply(
        lambda p: set_status(p, framework, ctx, "business.objectives", "done"), "a", NOW
    )
    assert not applied.written
    assert (path.stat().st_mtime_ns, path.stat().st_ino, path.read_bytes()) == before


def test_a_snapshot_from_a_memory_store_does_not_change_when_it_writes(
    framework: Framework,
) -> None:
    store = MemoryStore(new_project("Snap", Context("setup", NOW)))
    first = store.load()
    ctx = Context("ana", NOW)
    store.apply(lambda p: set_status(p, framework, ctx, "business.objectives", "doing"), "a", NOW)
    assert "business.objectives" not in first.modules
    assert store.load().modules["business.objectives"].status == "doing"
