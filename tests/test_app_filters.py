"""Pilot tests of `/` on the list screens (decisions, experiments, conflicts, effort, a stage's
modules), of the record screens' scrolling detail pane, of the key bar on the welcome and problem
screens, and of `tab` in dialogs when keys arrive in one burst (a slow SSH link)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from mlpl_tui.app import MlplApp
from mlpl_tui.framework import Framework
from mlpl_tui.lifecycle import (
    Context,
    abandon_experiment,
    add_experiment,
    advance,
    decide,
    log_effort,
    set_note,
    set_status,
)
from mlpl_tui.model import Change
from mlpl_tui.screens.conflicts import ConflictsScreen
from mlpl_tui.screens.decisions import DecisionsScreen
from mlpl_tui.screens.effort import EffortScreen
from mlpl_tui.screens.experiments import ExperimentsScreen
from mlpl_tui.screens.help import HelpScreen
from mlpl_tui.screens.modals import DecisionModal, EffortModal, StatusModal
from mlpl_tui.screens.problem import ProblemScreen
from mlpl_tui.screens.record_screen import NO_MATCH, RecordScreen
from mlpl_tui.screens.stage import StageScreen
from mlpl_tui.screens.welcome import WelcomeScreen
from mlpl_tui.store import Store
from mlpl_tui.team import merge_versions
from mlpl_tui.widgets.bars import KeyBar
from mlpl_tui.widgets.filter_field import FilterField
from mlpl_tui.widgets.module_list import ModuleList
from mlpl_tui.widgets.record_list import RecordList
from mlpl_tui.widgets.scroll_pane import ScrollPane
from tests.apphelp import SIZE, keys, make_app, screen_text, wait_until
from tests.conftest import apply
from tests.merge_helpers import Branch, new_tables
from tests.pilot_wait import key_event, settle

LONG = "\n".join(f"line {n} of a long text" for n in range(40))


def record_screen(app: MlplApp) -> RecordScreen:
    screen = app.screen
    assert isinstance(screen, RecordScreen), screen
    return screen


def listed(app: MlplApp) -> list[str]:
    return record_screen(app).query_one(RecordList).ids


def title(app: MlplApp) -> str:
    return str(app.screen.query_one("#title").render())


def detail(app: MlplApp) -> str:
    screen = record_screen(app)
    return str(screen.query_one(f"#{screen.LIST_ID.removesuffix('s')}").render())


def key_bar(app: MlplApp) -> str:
    return str(app.screen.query_one(KeyBar).render())


def made(
    store: Store,
    framework: Framework,
    ctx: Context,
    rule: Callable[..., Change],
    *args: Any,
    **kw: Any,
) -> str:
    """Apply one lifecycle rule through the store; the id of the record it made."""
    applied = store.apply(lambda p: rule(p, framework, ctx, *args, **kw), ctx.who, ctx.now)
    return str(applied.change.result)


async def burst(pilot: Pilot[Any], *names: str) -> None:
    """Send keys as a slow link delivers them: all queued at once, then handled.

    `Pilot.press` (tests/pilot_wait.py) lets the app handle each key before sending the next,
    so it never shows what happens to the keys that follow a `tab` or an `enter` in one read.
    """
    app = pilot.app
    for name in names:
        app.post_message(key_event(app, name))
    await settle(app)


# --- the records behind each screen ---------------------------------------------------------------


@dataclass(frozen=True)
class Seeded:
    """A record screen's key and records: `hidden` holds a word found only in its detail pane
    (`word`), never in its row; `others` are the rest, newest first as listed."""

    key: str
    screen: type[RecordScreen]
    word: str
    hidden: str
    others: list[str]


def seed_decisions(store: Store, framework: Framework, ctx: Context) -> Seeded:
    plain = made(store, framework, ctx, decide, "Weekly grain", "forecast per week")
    proposed = made(store, framework, ctx, decide, "Hourly data", "ask for it", status="proposed")
    hidden = made(
        store,
        framework,
        ctx,
        decide,
        "Holdout split",
        "last season held out",
        rationale="an okapi would agree",
    )
    return Seeded("D", DecisionsScreen, "okapi", hidden, [proposed, plain])


def seed_experiments(store: Store, framework: Framework, ctx: Context) -> Seeded:
    first = made(store, framework, ctx, add_experiment, "Baseline", hypothesis="naive")
    hidden = made(
        store, framework, ctx, add_experiment, "Boosted", link="runs/okapi-7", hypothesis="h"
    )
    return Seeded("e", ExperimentsScreen, "okapi", hidden, [first])


def seed_effort(store: Store, framework: Framework, ctx: Context) -> Seeded:
    first = made(store, framework, ctx, log_effort, "1h", note="workshop")
    experiment = made(store, framework, ctx, add_experiment, "Okapi features")
    hidden = made(store, framework, ctx, log_effort, "2h", experiment=experiment)
    # The row says only "[experiment]": the experiment's title is in the pane.
    return Seeded("T", EffortScreen, "okapi", hidden, [first])


SEEDS = {"decisions": seed_decisions, "experiments": seed_experiments, "effort": seed_effort}


def merge(path: Path, framework: Framework, note: str = "from the ERP") -> Store:
    """Two merge conflicts: data.cleaning's status (alice and bob), data.acquisition's note
    (carol and dave, ours `note`); who set a value is in the pane only."""
    base = Branch(new_tables(Context("lead", "2026-03-02T10:00:00Z")), framework, "lead", "b")
    for module in framework.stage("business").required_modules:
        base.do("10:00:05", set_status, module.id, "done")
    base.do("10:00:10", advance)
    ours, theirs = base.fork("alice", "o"), base.fork("bob", "t")
    ours.do("11:00:00", set_status, "data.cleaning", "done")
    theirs.do("11:00:05", set_status, "data.cleaning", "skipped", reason="clean already")
    ours.who, theirs.who = "carol", "dave"
    ours.do("11:00:10", set_note, "data.acquisition", note)
    theirs.do("11:00:15", set_note, "data.acquisition", "from the warehouse")
    content, result = merge_versions("mlpl.json", base.bytes(), ours.bytes(), theirs.bytes())
    assert sorted(c.field for c in result.conflicts) == ["note", "status"]
    path.write_bytes(content)
    return Store(path)


@pytest.fixture
def merged(tmp_path: Path, framework: Framework) -> Store:
    return merge(tmp_path / "mlpl.json", framework)


# --- `/` on the record screens --------------------------------------------------------------------


@pytest.mark.parametrize("kind", sorted(SEEDS))
async def test_slash_filters_a_record_screen_by_its_whole_record_in_any_case(
    store: Store, framework: Framework, ctx: Context, kind: str
) -> None:
    seeded = SEEDS[kind](store, framework, ctx)
    before = store.path.read_bytes()
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(seeded.key)
        await pilot.pause()
        assert isinstance(app.screen, seeded.screen)
        everything = listed(app)
        assert seeded.hidden in everything
        await pilot.press("slash", *keys(seeded.word.upper()))
        await pilot.pause()
        assert listed(app) == [seeded.hidden]
        label = record_screen(app).LABEL
        assert f"{label}: 1 of {len(everything)} · filtered by '{seeded.word.upper()}'" in title(
            app
        )
        assert seeded.word in detail(app).lower()
        assert isinstance(app.focused, FilterField)  # still typing
        await pilot.press("enter")  # back to the list, the filter kept
        await pilot.pause()
        assert isinstance(app.focused, RecordList)
        assert listed(app) == [seeded.hidden]
        await pilot.press("escape")  # in the list: clears the filter first...
        await pilot.pause()
        assert isinstance(app.screen, seeded.screen)
        assert listed(app) == everything
        assert "filtered" not in title(app)
        await pilot.press("escape")  # ...and only then goes back
        await pilot.pause()
        assert app.current_mode == "dashboard"
    assert store.path.read_bytes() == before  # filtering never writes


async def test_the_conflicts_screen_filters_on_who_set_each_value(
    merged: Store, framework: Framework
) -> None:
    app = make_app(merged, framework)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, ConflictsScreen)
        assert len(listed(app)) == 2
        await pilot.press("slash", *keys("carol"), "enter")
        await pilot.pause()
        (only,) = listed(app)
        assert "data.acquisition note" in screen_text(app.screen)
        assert "set by carol" in detail(app)
        assert "Merge conflicts: 1 of 2 · filtered by 'carol'" in title(app)
        # The keys every conflict's pane ends with are not part of what is searched.
        await pilot.press("escape", "slash", *keys("keeps theirs"))
        await pilot.pause()
        assert listed(app) == []
        await pilot.press("escape", "escape", "slash", *keys("alice bob"))  # every word
        await pilot.pause()
        assert len(listed(app)) == 1 and listed(app) != [only]


async def test_every_word_must_appear_and_no_match_says_how_to_clear_it(
    store: Store, framework: Framework, ctx: Context
) -> None:
    seeded = seed_decisions(store, framework, ctx)
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("D", "slash", *keys("holdout okapi"))
        await pilot.pause()
        assert listed(app) == [seeded.hidden]
        await pilot.press(*keys(" zebra"))
        await pilot.pause()
        assert listed(app) == []
        assert "Decisions: 0 of 3 · filtered by 'holdout okapi zebra'" in title(app)
        assert detail(app) == NO_MATCH == "No match: escape clears the filter."
        await pilot.press("escape")  # out of the field: the filter stays
        await pilot.pause()
        assert isinstance(app.focused, RecordList)
        assert listed(app) == [] and detail(app) == NO_MATCH
        await pilot.press("escape")
        await pilot.pause()
        assert len(listed(app)) == 3
        assert "No match" not in detail(app)


async def test_the_status_keys_in_a_decisions_pane_are_not_searched(
    store: Store, framework: Framework, ctx: Context
) -> None:
    """Every proposed decision's pane says `A accept`: 'accept' must find accepted ones only."""
    seeded = seed_decisions(store, framework, ctx)
    proposed, accepted = seeded.others[0], [seeded.hidden, seeded.others[1]]
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("D")
        await pilot.pause()
        record_screen(app).query_one(RecordList).select(proposed)
        await pilot.pause()
        assert "A accept" in detail(app)
        await pilot.press("slash", *keys("accept"))
        await pilot.pause()
        assert listed(app) == accepted


async def test_keys_typed_in_the_filter_are_text_not_commands(
    store: Store, framework: Framework, ctx: Context
) -> None:
    """`n` (new), `E` (edit), `A` (accept), `q` (quit), `/`: all letters of the filter."""
    apply(store, framework, ctx, decide, "Use data/cleaning rules", "d", module="data.cleaning")
    before = store.path.read_bytes()
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("D", "slash", *keys("nEAq"))
        await pilot.pause()
        assert isinstance(app.screen, DecisionsScreen) and app.is_running
        assert app.screen.query_one(FilterField).value == "nEAq"
        await pilot.press("ctrl+u", *keys("data/clean"))
        await pilot.pause()
        assert app.screen.query_one(FilterField).value == "data/clean"
        assert len(listed(app)) == 1
    assert store.path.read_bytes() == before


async def test_a_burst_after_enter_or_escape_goes_to_the_list_not_the_filter(
    store: Store, framework: Framework, ctx: Context
) -> None:
    for n in range(3):
        apply(store, framework, ctx, decide, f"Grain {n}", "d")
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("D")
        await pilot.pause()
        records = app.screen.query_one(RecordList)
        await burst(pilot, "slash", *keys("grain"), "enter", "j")
        assert app.screen.query_one(FilterField).value == "grain"
        assert records.highlighted == 1  # `j` moved the highlight
        await pilot.press("slash", "end")  # `/` selects the filter (typing replaces it)
        await burst(pilot, *keys(" "), "escape", "j")
        assert app.screen.query_one(FilterField).value == "grain "
        assert records.highlighted == 2


async def test_a_record_made_or_followed_while_filtered_is_shown(
    store: Store, framework: Framework, ctx: Context
) -> None:
    old = made(store, framework, ctx, decide, "Daily grain", "forecast per day")
    made(store, framework, ctx, decide, "Holdout split", "last season")
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("D", "slash", *keys("holdout"), "enter")
        await pilot.pause()
        assert len(listed(app)) == 1
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, DecisionModal)
        await pilot.press(*keys("Weekly grain"), "tab", "tab", *keys("per week"), "ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, DecisionsScreen), "the list")
        new = store.load().decisions[-1]
        assert new.title == "Weekly grain"
        assert record_screen(app).record_id == new.id  # in view: the filter was cleared
        assert app.screen.query_one(FilterField).value == ""
        # Following a link the filter hides clears the filter too.
        await pilot.press("s", *keys("Weekly grain again"), "tab", "tab", *keys("okapi"), "ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, DecisionsScreen), "the list")
        await pilot.press("slash", *keys("okapi"), "enter")
        await pilot.pause()
        assert len(listed(app)) == 1
        await pilot.press("g")
        await pilot.pause()
        assert record_screen(app).record_id == new.id
        assert app.screen.query_one(FilterField).value == ""
    assert old in {d.id for d in store.load().decisions}


async def test_the_filter_key_can_be_remapped_by_its_id(
    store: Store, framework: Framework, ctx: Context
) -> None:
    seeded = seed_decisions(store, framework, ctx)
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        app.set_keymap({"record-filter": "ctrl+f"})
        await pilot.press("D", "ctrl+f", *keys("okapi"))
        await pilot.pause()
        assert listed(app) == [seeded.hidden]
        assert "^f Filter" in key_bar(app) or "ctrl+f Filter" in key_bar(app)


# --- the record screens' detail pane --------------------------------------------------------------


def seed_long(kind: str, store: Store, framework: Framework, ctx: Context) -> str:
    """A screen's key, after recording one record whose pane is far longer than 24 rows."""
    if kind == "D":
        apply(store, framework, ctx, decide, "Long one", LONG)
    elif kind == "e":
        experiment = made(store, framework, ctx, add_experiment, "Long one")
        store.apply(lambda p: abandon_experiment(p, ctx, experiment, LONG), ctx.who, ctx.now)
    elif kind == "T":
        apply(store, framework, ctx, log_effort, "1h", note=LONG)
    return kind


@pytest.mark.parametrize("kind", ["D", "e", "T", "c"])
async def test_tab_focuses_the_detail_pane_which_j_and_k_scroll(
    tmp_path: Path, store: Store, framework: Framework, ctx: Context, kind: str
) -> None:
    if kind == "c":  # a long value, as the file holds it: one JSON line, wrapped
        store = merge(tmp_path / "merged.json", framework, note=LONG)
    else:
        seed_long(kind, store, framework, ctx)
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(kind)
        await pilot.pause()
        screen = record_screen(app)
        records = screen.query_one(RecordList)
        if kind == "c":
            records.select(next(id for id, row in records.rows if "acquisition" in row))
            await pilot.pause()
        pane = screen.query_one("#detail", ScrollPane)
        highlighted = records.highlighted
        assert (records.styles.border_top[0], pane.styles.border_top[0]) == ("heavy", "round")
        await pilot.press("tab")
        await pilot.pause()
        assert app.focused is pane
        # The focused pane reads without colour: a heavy border, the list's turns light.
        assert (records.styles.border_top[0], pane.styles.border_top[0]) == ("round", "heavy")
        assert pane.max_scroll_y >= 3, pane.max_scroll_y
        await pilot.press("j", "j", "j")
        await wait_until(pilot, lambda: pane.scroll_y == 3, "the pane to scroll down")
        await pilot.press("k")
        await wait_until(pilot, lambda: pane.scroll_y == 2, "the pane to scroll up")
        assert records.highlighted == highlighted  # j/k scrolled; the list did not move
        await pilot.press("shift+tab")
        await pilot.pause()
        assert isinstance(app.focused, RecordList)  # back in the list


# --- the welcome and problem screens' key bar -----------------------------------------------------


async def test_the_welcome_screen_has_the_key_bar_with_help_and_quit(
    tmp_path: Path, framework: Framework
) -> None:
    app = make_app(None, framework, new_file=tmp_path / "mlpl.json")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, WelcomeScreen)
        # In the name field every letter is the name's: the bar offers only what works there.
        assert key_bar(app) == "^p palette  esc Quit"
        await pilot.press("tab")  # to the buttons
        await pilot.pause()
        bar = key_bar(app)
        assert bar.endswith("? Help  q Quit"), bar
        assert len(bar) <= SIZE[0] - 2 and "…" not in bar, bar
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape", "q")
        await wait_until(pilot, lambda: not app.is_running, "the app to quit")
    assert not (tmp_path / "mlpl.json").exists()


async def test_the_problem_screen_has_the_key_bar_with_help_and_quit(
    store: Store, framework: Framework
) -> None:
    store.path.write_text('{"meta": ', encoding="utf-8")
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ProblemScreen)
        bar = key_bar(app)
        assert bar.startswith("^p palette") and bar.endswith("? Help  q Quit"), bar
        assert "Resolve" not in bar  # `r` only when git holds a conflict
        assert screen_text(app.screen).startswith("mlpl-tui")  # the title bar


# --- dialogs: tab and shift+tab take the keys that follow them ------------------------------------


async def test_text_in_the_same_burst_as_tab_goes_to_the_next_field(
    store: Store, framework: Framework
) -> None:
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, DecisionModal)
        field = app.screen.query_one
        await burst(pilot, *keys("Grain"), "tab", *keys("abc"))
        assert (field("#title", Input).value, field("#context", Input).value) == ("Grain", "abc")
        await burst(pilot, "shift+tab", *keys("!"))  # a field's text is selected on focus
        assert (field("#title", Input).value, field("#context", Input).value) == ("!", "abc")
        await pilot.press("tab", *keys("def"))  # as the brief puts it: one press call
        await pilot.pause()
        assert (field("#title", Input).value, field("#context", Input).value) == ("!", "def")


# --- the log-time dialog's day field --------------------------------------------------------------


async def test_the_day_field_says_what_it_accepts(store: Store, framework: Framework) -> None:
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("t")
        await pilot.pause()
        assert isinstance(app.screen, EffortModal)
        day = app.screen.query_one("#day", Input)
        assert day.placeholder == "YYYY-MM-DD, yesterday, last monday, 3 days ago"
        assert day.content_region.width >= len(day.placeholder)  # shown whole at 80 columns


# --- `/` on a stage's modules ---------------------------------------------------------------------


def modules_listed(app: MlplApp) -> list[str]:
    return [row.id for row in app.screen.query_one(ModuleList).rows]


async def test_slash_filters_a_stages_modules_by_id_title_note_and_reason(
    store: Store, framework: Framework, ctx: Context
) -> None:
    apply(store, framework, ctx, set_note, "data.acquisition", "ask the Okapi team")
    apply(store, framework, ctx, set_status, "data.pipeline", "skipped", reason="no zebra needed")
    before = store.path.read_bytes()
    every = [m.id for m in framework.stage("data").modules]
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2")
        await pilot.pause()
        assert isinstance(app.screen, StageScreen)
        field = app.screen.query_one(FilterField)
        modules = app.screen.query_one(ModuleList)
        assert not field.display  # out of the way until `/`
        await pilot.press("question_mark")  # not in the key bar at 80 columns: in the help
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        assert "/        Filter" in screen_text(app.screen)
        await pilot.press("escape")
        await pilot.pause()
        for words, expected in (
            ("CLEAN", ["data.cleaning"]),  # the title, in any case
            ("data.pipe", ["data.pipeline"]),  # the id
            ("okapi", ["data.acquisition"]),  # the note
            ("zebra", ["data.pipeline"]),  # the skip reason
        ):
            await pilot.press("slash", "ctrl+u", *keys(words))
            await pilot.pause()
            assert field.display and app.focused is field
            assert modules_listed(app) == expected, words
            assert modules.border_title == f"Modules: 1 of {len(every)}, filtered"
            assert app.screen.highlighted_module == expected[0]
        await pilot.press("enter", "space")  # back in the list: space toggles the listed one
        await pilot.pause()
        assert store.load().modules["data.pipeline"].status == "done"
        await pilot.press("escape")  # in the list: clears the filter and hides it
        await pilot.pause()
        assert modules_listed(app) == every and not field.display
        assert modules.border_title == "Modules"
    assert store.path.read_bytes() != before  # the toggle, and only through the lifecycle


async def test_stage_keys_typed_in_the_module_filter_are_text(
    store: Store, framework: Framework
) -> None:
    """`n` edits the note and `s` picks a status elsewhere on the stage screen."""
    before = store.path.read_bytes()
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2", "slash", *keys("ns Ed q/x"))
        await pilot.pause()
        assert isinstance(app.screen, StageScreen) and app.is_running
        assert not isinstance(app.screen, StatusModal)
        assert app.screen.query_one(FilterField).value == "ns Ed q/x"
        assert not app.screen.editing
        assert modules_listed(app) == []
        assert str(app.screen.query_one("#module").render()) == NO_MATCH
        await pilot.press("escape")  # out of the field: the filter stays
        await pilot.pause()
        assert app.screen.query_one(FilterField).display
        await pilot.press("escape")
        await pilot.pause()
        assert len(modules_listed(app)) == len(framework.stage("data").modules)
        assert "Data acquisition" in str(app.screen.query_one("#module").render())
        await pilot.press("escape")  # nothing to clear: the stage stays
        await pilot.pause()
        assert isinstance(app.screen, StageScreen)
    assert store.path.read_bytes() == before


async def test_pointing_at_a_module_the_filter_hides_clears_the_filter(
    store: Store, framework: Framework
) -> None:
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2", "slash", *keys("clean"), "enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, StageScreen)
        screen.point_at("data.acquisition")  # as after a loop back to it
        await pilot.pause()
        assert screen.highlighted_module == "data.acquisition"
        assert screen.query_one(FilterField).value == ""


async def test_the_note_editor_keeps_its_slash(store: Store, framework: Framework) -> None:
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2", "n", *keys("a/b"), "ctrl+s")
        await pilot.pause()
        assert not app.screen.query_one(FilterField).display
    assert store.load().modules["data.acquisition"].note == "a/b"
