"""Pilot tests of the conflicts screen (`c`): a real merge's conflicts are listed with both
values, and `o`/`r` store the chosen value and mark the conflict resolved."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlpl_tui.framework import Framework
from mlpl_tui.integrity import check
from mlpl_tui.lifecycle import Context, advance, decide, set_status
from mlpl_tui.screens.conflicts import ConflictsScreen
from mlpl_tui.store import Store
from mlpl_tui.team import merge_versions
from mlpl_tui.widgets.record_list import RecordList
from tests.apphelp import SIZE, make_app, screen_text
from tests.merge_helpers import Branch, new_tables


@pytest.fixture
def merged(tmp_path: Path, framework: Framework) -> Store:
    """Alice and Bob set data.cleaning differently and retitled one decision differently; the
    merge driver kept the later value of each and recorded both conflicts."""
    base = Branch(new_tables(Context("lead", "2026-03-02T10:00:00Z")), framework, "lead", "b")
    for module in framework.stage("business").required_modules:
        base.do("10:00:05", set_status, module.id, "done")
    base.do("10:00:10", advance)
    base.do("10:00:20", decide, "Weekly grain", "forecast per week")
    ours, theirs = base.fork("alice", "o"), base.fork("bob", "t")
    ours.do("11:00:00", set_status, "data.cleaning", "done")
    theirs.do("11:00:05", set_status, "data.cleaning", "skipped", reason="clean already")
    content, result = merge_versions("mlpl.json", base.bytes(), ours.bytes(), theirs.bytes())
    assert [c.field for c in result.conflicts] == ["status"]
    path = tmp_path / "mlpl.json"
    path.write_bytes(content)
    return Store(path)


def errors(store: Store, framework: Framework) -> list[str]:
    return [p.text for p in check(store.load(), framework) if p.level == "error"]


async def test_lists_each_conflict_with_both_values_and_who_set_them(
    merged: Store, framework: Framework
) -> None:
    before = merged.path.read_bytes()
    app = make_app(merged, framework)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, ConflictsScreen)
        text = screen_text(app.screen)
        assert "Merge conflicts: 1 unresolved, 0 resolved" in text
        assert 'OPEN         modules data.cleaning status: "done" | "skipped"' in text
        detail = str(app.screen.query_one("#conflict").render())
        assert "Unresolved: the record holds theirs until you choose" in detail
        assert "ours   set by alice, 2026-03-02 11:00 UTC" in detail
        assert "held now → theirs set by bob, 2026-03-02 11:00 UTC" in detail
    assert merged.path.read_bytes() == before


async def test_o_keeps_ours_then_r_switches_to_theirs_and_validate_passes(
    merged: Store, framework: Framework
) -> None:
    assert any("unresolved merge conflict" in e for e in errors(merged, framework))
    (conflict,) = merged.load().conflicts
    app = make_app(merged, framework)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c", "o")
        await pilot.pause()
        project = merged.load()
        assert project.modules["data.cleaning"].status == "done"
        stored = project.conflicts[0]
        assert (stored.resolved, stored.resolution, stored.resolved_by) == (True, "ours", "tester")
        assert errors(merged, framework) == []
        assert "Merge conflicts: 0 unresolved, 1 resolved" in screen_text(app.screen)
        assert app.screen.query_one(RecordList).record_id == conflict.id
        await pilot.press("r")  # changing one's mind later is allowed
        await pilot.pause()
    project = merged.load()
    assert project.modules["data.cleaning"].status == "skipped"
    assert project.conflicts[0].resolution == "theirs"
    assert errors(merged, framework) == []


async def test_without_conflicts_it_says_so_and_keys_change_nothing(
    store: Store, framework: Framework
) -> None:
    before = store.path.read_bytes()
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c", "o", "r")
        await pilot.pause()
        assert isinstance(app.screen, ConflictsScreen)
        assert "No merge conflicts are recorded" in screen_text(app.screen)
    assert store.path.read_bytes() == before
