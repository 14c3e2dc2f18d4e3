"""Everything can be corrected and undone, in the app: `u`/`U` undo and redo, the effort list
(`T`) with its edit and remove, and the conflict dialog when a second process changed the record
being edited."""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input, Select, TextArea

from mlpl_tui.app import MlplApp
from mlpl_tui.framework import Framework
from mlpl_tui.history import field_changes
from mlpl_tui.lifecycle import Context, decide, log_effort, set_status
from mlpl_tui.model import EditConflict, Project
from mlpl_tui.progress import module_status
from mlpl_tui.screens.dashboard import DashboardScreen
from mlpl_tui.screens.decisions import DecisionsScreen
from mlpl_tui.screens.effort import EffortScreen
from mlpl_tui.screens.modals.confirm import ConfirmModal
from mlpl_tui.screens.modals.decision_edit import DecisionEditModal
from mlpl_tui.screens.modals.edit_conflict import EditConflictModal, ask_about_conflict
from mlpl_tui.screens.modals.effort_edit import EffortEditModal
from mlpl_tui.screens.stage import StageScreen
from mlpl_tui.store import Store
from mlpl_tui.widgets.record_list import RecordList
from tests.apphelp import SIZE, keys, make_app, screen_text, wait_until
from tests.conftest import apply, fixed_ids, run_process


def notes(app: MlplApp) -> list[str]:
    """Every notification the app has shown, title and message."""
    return [f"{n.title}: {n.message}" for n in app._notifications]


def texts_of(project: Project, table: str, id: str, field: str) -> list[Any]:
    """Every value the history saw `field` of one record take, before and after each change."""
    seen: list[Any] = []
    for event in project.events:
        for change in field_changes(event):
            if (change.table, change.id, change.field) == (table, id, field):
                seen += [change.before, change.after]
    return seen


# --- undo and redo ----------------------------------------------------------------------------


async def test_u_undoes_and_U_redoes_the_latest_change_app_wide(
    store: Store, framework: Framework
) -> None:
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("1", "space")  # business.objectives done
        await pilot.pause()
        assert store.load().modules["business.objectives"].status == "done"
        await pilot.press("0", "u")  # from another screen: undo is app-wide
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)
        assert module_status(store.load(), "business.objectives") == "todo"  # no record again
        assert any(n.startswith("Undone: Undo of") for n in notes(app)), notes(app)
        await pilot.press("U")
        await pilot.pause()
        assert store.load().modules["business.objectives"].status == "done"
        assert any(n.startswith("Redone: Redo of") for n in notes(app)), notes(app)
    actions = [e.action for e in store.load().events]
    assert actions[-3:] == ["module.set", "undo", "redo"]


async def test_u_with_nothing_to_undo_says_so_and_writes_nothing(
    store: Store, framework: Framework
) -> None:
    before = store.path.read_bytes()
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("u")
        await pilot.pause()
        assert any("nothing to undo" in n for n in notes(app)), notes(app)
        await pilot.press("U")
        await pilot.pause()
        assert any("nothing to redo" in n for n in notes(app)), notes(app)
    assert store.path.read_bytes() == before


async def test_u_refuses_when_someone_else_changed_the_same_field_since(
    store: Store, framework: Framework
) -> None:
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("1", "space")  # tester: business.objectives done
        await pilot.pause()
        bob = Context("bob", "2026-03-02T10:05:00Z", make_id=fixed_ids("bob"))
        apply(Store(store.path), framework, bob, set_status, "business.objectives", "doing")
        app.check_disk()
        await pilot.press("u")
        await pilot.pause()
        refusal = next(n for n in notes(app) if n.startswith("Not done"))
        assert "was changed since by bob" in refusal, refusal
    assert store.load().modules["business.objectives"].status == "doing"


async def test_undo_and_redo_are_listed_by_help_and_the_palette(
    store: Store, framework: Framework
) -> None:
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        text = screen_text(app.screen)
        assert "u        Undo" in text and "U        Redo" in text and "T        Time log" in text
        await pilot.press("escape")
        await pilot.pause()
        commands = [c.title for c in app.get_system_commands(app.screen)]
        assert {"edit: Undo (u)", "edit: Redo (U)", "screen: Effort entries (T)"} <= set(commands)


# --- the effort list ----------------------------------------------------------------------------


def seed_effort(store: Store, framework: Framework, ctx: Context) -> list[str]:
    """Three entries on three days, logged by ana; their ids oldest day first."""
    apply(store, framework, ctx, log_effort, "2h", note="kick-off", on="2026-02-27")
    apply(store, framework, ctx, log_effort, "45m", module="business.objectives", on="2026-03-02")
    apply(store, framework, ctx, log_effort, "1h30m", note="interviews", on="2026-03-01")
    return [e.id for e in store.load().effort]


async def test_T_lists_effort_newest_first_and_escape_goes_back(
    store: Store, framework: Framework
) -> None:
    ana = Context("ana", "2026-03-02T10:00:00Z", make_id=fixed_ids("e"))
    ids = seed_effort(store, framework, ana)
    before = store.path.read_bytes()
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("1", "T")
        await pilot.pause()
        assert isinstance(app.screen, EffortScreen)
        text = screen_text(app.screen)
        assert "Effort: 3 entries, 4h15m in all" in text
        assert "2026-03-02     45m  business/objectives    ana" in text
        assert "2026-02-27      2h  business               ana        kick-off" in text
        assert app.screen.query_one(RecordList).ids == list(reversed(ids))
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, StageScreen) and app.screen.stage_id == "business"
    assert store.path.read_bytes() == before  # browsing never writes


async def test_E_corrects_an_effort_entry_and_the_history_keeps_what_it_was(
    store: Store, framework: Framework
) -> None:
    ana = Context("ana", "2026-03-02T10:00:00Z", make_id=fixed_ids("e"))
    ids = seed_effort(store, framework, ana)
    interviews = ids[1]  # 2026-03-01
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("T", "j", "E")  # the second newest: interviews
        await pilot.pause()
        assert isinstance(app.screen, EffortEditModal)
        assert app.screen.query_one("#duration", Input).value == "1h30m"
        assert app.screen.query_one("#note", Input).value == "interviews"
        app.screen.query_one("#duration", Input).value = ""
        await pilot.press(*keys("2h15m"), "tab", "tab", "tab")  # duration, then to the note
        await pilot.press("end", *keys(" with the planners"), "ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, EffortScreen)
        assert app.screen.query_one(RecordList).record_id == interviews
        assert "Corrected:  by tester, 2026-03-02 10:00" in screen_text(app.screen)
    project = store.load()
    entry = next(e for e in project.effort if e.id == interviews)
    assert (entry.updated_by, entry.updated_at) == ("tester", "2026-03-02T10:00:00Z")
    assert (entry.minutes, entry.note, entry.on) == (
        135,
        "interviews with the planners",
        "2026-03-01",
    )
    assert texts_of(project, "effort", interviews, "minutes")[-2:] == [90, 135]
    assert texts_of(project, "effort", interviews, "note")[-2:] == [
        "interviews",
        "interviews with the planners",
    ]
    assert [e.action for e in project.events][-1] == "effort.edit"


async def test_E_with_a_bad_duration_is_refused_in_the_dialog(
    store: Store, framework: Framework
) -> None:
    ana = Context("ana", "2026-03-02T10:00:00Z", make_id=fixed_ids("e"))
    seed_effort(store, framework, ana)
    before = store.path.read_bytes()
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("T", "E")
        await pilot.pause()
        app.screen.query_one("#duration", Input).value = ""
        await pilot.press(*keys("lots"), "ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, EffortEditModal)
        assert "is not understood" in screen_text(app.screen)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, EffortScreen)
    assert store.path.read_bytes() == before


async def test_x_removes_an_entry_only_after_yes_and_u_brings_it_back(
    store: Store, framework: Framework
) -> None:
    ana = Context("ana", "2026-03-02T10:00:00Z", make_id=fixed_ids("e"))
    ids = seed_effort(store, framework, ana)
    newest = ids[2]
    before = store.path.read_bytes()
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("T", "x")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmModal)
        assert "45m on business.objectives for 2026-03-02" in screen_text(app.screen)
        await pilot.press("n")  # no: nothing changes
        await pilot.pause()
        assert isinstance(app.screen, EffortScreen)
        assert store.path.read_bytes() == before
        await pilot.press("delete", "y")
        await pilot.pause()
        assert isinstance(app.screen, EffortScreen)
        assert newest not in {e.id for e in store.load().effort}
        assert "Effort: 2 entries" in screen_text(app.screen)
        await pilot.press("u")
        await pilot.pause()
        assert "Effort: 3 entries" in screen_text(app.screen)
    project = store.load()
    assert newest in {e.id for e in project.effort}
    assert [e.action for e in project.events][-2:] == ["effort.remove", "undo"]


# --- the conflict dialog, against a real second process ------------------------------------------


def live_app(store: Store, framework: Framework) -> MlplApp:
    """The app as tester on the real clock: the second process writes on the real clock too,
    and the history is in time order only when both do."""
    ids = fixed_ids("ui")

    def context() -> Context:
        now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        return Context("tester", now, make_id=ids)

    return MlplApp(store, framework, context)


STARTED = "Replenishment is weekly"
THEIRS = "Stores reorder on Mondays"
MINE = "Planners work in weeks"


async def open_conflict(pilot: Any, app: MlplApp, decision_id: str, tmp_path: Path) -> None:
    """Open the decision's edit dialog, type MINE as its rationale, let bob change the
    rationale from a second process meanwhile, save: the conflict dialog opens."""
    await pilot.press("D", "E")
    await pilot.pause()
    assert isinstance(app.screen, DecisionEditModal)
    assert app.screen.query_one("#rationale", Input).value == STARTED
    app.screen.query_one("#rationale", Input).value = ""
    await pilot.press("tab", "tab", "tab", *keys(MINE))
    done = await asyncio.to_thread(
        run_process,
        "decision",
        "edit",
        decision_id,
        "--rationale",
        THEIRS,
        cwd=tmp_path,
        env={"MLPL_USER": "bob"},
    )
    assert done.code == 0, done.err
    await pilot.press("ctrl+s")
    await wait_until(pilot, lambda: isinstance(app.screen, EditConflictModal), "the dialog")
    text = screen_text(app.screen)
    assert "The rationale and consequences of decisions record" in text
    assert "changed by bob" in text
    assert THEIRS in text and MINE in text


@pytest.mark.parametrize("choice", ["theirs", "mine", "merge"])
async def test_a_conflicting_save_shows_both_versions_and_each_choice_loses_nothing(
    store: Store, framework: Framework, ctx: Context, tmp_path: Path, choice: str
) -> None:
    apply(store, framework, ctx, decide, "Weekly grain", "per week", rationale=STARTED)
    decision_id = store.load().decisions[0].id
    app = live_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await open_conflict(pilot, app, decision_id, tmp_path)
        if choice == "theirs":
            await pilot.press("t")
        elif choice == "mine":
            await pilot.press("m")
        else:
            await pilot.press("e")
            await pilot.pause()
            merge = app.screen.query_one("#merge", TextArea)
            assert merge.text == f"{THEIRS}\n{MINE}"
            await pilot.press("end", *keys(", so do we"), "ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, DecisionsScreen)
    project = store.load()
    decision = project.decision(decision_id)
    assert decision is not None
    expected = {
        "theirs": THEIRS,
        "mine": MINE,
        "merge": f"{THEIRS}\n{MINE}, so do we",
    }[choice]
    assert decision.rationale == expected
    history = texts_of(project, "decisions", decision_id, "rationale")
    assert {STARTED, THEIRS} <= set(history)
    if choice != "theirs":  # mine, or the merge holding it, is stored over theirs
        assert history[-2:] == [THEIRS, expected]
    else:  # theirs kept: nothing of the dialog's was written over it
        assert history[-1] == THEIRS
    assert decision.title == "Weekly grain"


async def test_escape_in_the_conflict_dialog_goes_back_to_the_edit_and_writes_nothing(
    store: Store, framework: Framework, ctx: Context, tmp_path: Path
) -> None:
    apply(store, framework, ctx, decide, "Weekly grain", "per week", rationale=STARTED)
    decision_id = store.load().decisions[0].id
    app = live_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await open_conflict(pilot, app, decision_id, tmp_path)
        after_bob = store.path.read_bytes()
        await pilot.press("e", "escape")  # out of the merge editor: both versions again
        await pilot.pause()
        assert isinstance(app.screen, EditConflictModal)
        await pilot.press("escape")  # back to the edit dialog, mine still typed
        await pilot.pause()
        assert isinstance(app.screen, DecisionEditModal)
        assert app.screen.query_one("#rationale", Input).value == MINE
        assert "changed meanwhile" in screen_text(app.screen)
        assert store.path.read_bytes() == after_bob
        await pilot.press("ctrl+s", "m")  # saving again asks again; mine this time
        await pilot.pause()
        assert isinstance(app.screen, DecisionsScreen)
    assert store.load().decision(decision_id).rationale == MINE


async def test_a_field_left_alone_keeps_the_other_writers_change_without_asking(
    store: Store, framework: Framework, ctx: Context, tmp_path: Path
) -> None:
    apply(store, framework, ctx, decide, "Weekly grain", "per week", rationale=STARTED)
    decision_id = store.load().decisions[0].id
    app = live_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("D", "E")
        await pilot.pause()
        app.screen.query_one("#place", Select).value = "data.cleaning"
        done = await asyncio.to_thread(
            run_process,
            "decision",
            "edit",
            decision_id,
            "--rationale",
            THEIRS,
            cwd=tmp_path,
            env={"MLPL_USER": "bob"},
        )
        assert done.code == 0, done.err
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, DecisionsScreen)
    decision = store.load().decision(decision_id)
    assert decision is not None
    assert (decision.rationale, decision.stage, decision.module) == (
        THEIRS,
        "data",
        "data.cleaning",
    )


# --- stored text from anyone's branch -----------------------------------------------------------

HOSTILE = "\x1b]52;c;cHdu\x07 [b]bold[/b] \u202eevil"


async def test_hostile_stored_text_shows_visibly_and_an_untouched_field_keeps_it_exactly(
    store: Store, framework: Framework, ctx: Context
) -> None:
    apply(store, framework, ctx, log_effort, "1h", note=HOSTILE)
    apply(store, framework, ctx, decide, "Weekly grain", "per week", context=HOSTILE)
    entry_id = store.load().effort[0].id
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("T")
        await pilot.pause()
        text = screen_text(app.screen)
        assert "\\x1b]52;c;cHdu\\x07 [b]bold[/b] U+202Eevil" in text
        assert "\x1b" not in text and "\u202e" not in text
        await pilot.press("E")
        await pilot.pause()
        assert app.screen.query_one("#note", Input).value.startswith("\\x1b]52")
        await pilot.press("end", "backspace", "l", "ctrl+s")  # duration 1l: refused
        await pilot.pause()
        assert isinstance(app.screen, EffortEditModal)
        app.screen.query_one("#duration", Input).value = "2h"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, EffortScreen)
    entry = next(e for e in store.load().effort if e.id == entry_id)
    assert (entry.minutes, entry.note) == (120, HOSTILE)  # the note left as shown: as stored


async def test_hostile_text_in_the_conflict_dialog_is_shown_visibly(
    store: Store, framework: Framework
) -> None:
    app = make_app(store, framework)
    chosen: list[Any] = []
    async with app.run_test(size=SIZE) as pilot:
        conflict = EditConflict("decisions", "d1", "context", "old", HOSTILE, "mine")
        ask_about_conflict(app, conflict, chosen.append)
        await pilot.pause()
        assert isinstance(app.screen, EditConflictModal)
        text = screen_text(app.screen)
        assert "\\x1b]52;c;cHdu\\x07 [b]bold[/b] U+202Eevil" in text and "\x1b" not in text
        assert "changed outside the history" in text  # no event wrote it
        await pilot.press("e")
        await pilot.pause()
        assert "\x1b" not in app.screen.query_one("#merge", TextArea).text
        await pilot.press("escape", "t")
        await pilot.pause()
    (resolution,) = chosen
    assert (resolution.keep, resolution.value, resolution.stored) == ("theirs", HOSTILE, HOSTILE)
