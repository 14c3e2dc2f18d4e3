"""Hostile tracker runs are data: in the TUI, a run's name, status and id, its metric names and
its param values (from a branch's mlpl.json or from a tracker's store) are never markup or
terminal control, and huge ones are cut (the checks of tests/test_hostile_tui.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from mlpl_tui import run_links, runs
from mlpl_tui.framework import Framework
from mlpl_tui.lifecycle import Context, add_experiment, new_project
from mlpl_tui.runs import Run
from mlpl_tui.screens.compare import CompareScreen
from mlpl_tui.screens.experiments import ExperimentsScreen
from mlpl_tui.screens.modals import AbandonModal
from mlpl_tui.screens.modals.confirm import ConfirmModal
from mlpl_tui.screens.modals.pick import PickModal
from mlpl_tui.screens.modals.runs import LinkRunsModal
from mlpl_tui.store import Store
from tests.apphelp import SIZE, make_app, wait_until
from tests.conftest import apply
from tests.test_hostile_tui import (
    CONTROLS,
    ID_CONTROLS,
    check_shown,
    close_dialogs,
    wait_for_screen,
    write_project,
)

MARKUP = "[bold red]loud[/bold red] [link=https://evil.example]click[/link]"
HOSTILE = f"{MARKUP} {CONTROLS}"
LONG = "W" * 10_000
NAME = f"{HOSTILE}\nsecond line {LONG}"


def hostile_run(id: str) -> Run:
    return Run(
        "mlflow",
        f"{id}{ID_CONTROLS}",
        NAME,
        HOSTILE,
        "2026-03-01T09:00:00Z",
        None,
        params={HOSTILE: NAME, "lr": "0.1"},
        metrics={HOSTILE: 0.5, f"[b]{LONG}": 1.0, "auc": 0.9},
        tagged=None,
        where=f"mlruns/{HOSTILE}",
    )


def hostile_store(folder: Path, framework: Framework, ctx: Context) -> tuple[Store, str]:
    """A project whose linked runs hold hostile text, as a branch could commit it (the snapshot
    rule cuts names to 1,000 characters: the 10,000 here are planted in the file)."""
    store = Store.create(folder / "mlpl.json", new_project("Hostile runs", ctx))
    apply(store, framework, ctx, add_experiment, f"{MARKUP} first")
    first = store.load().experiments[-1].id
    apply(store, framework, ctx, add_experiment, "second")
    second = store.load().experiments[-1].id
    apply(store, framework, ctx, run_links.link_runs, first, [hostile_run("a1"), hostile_run("a2")])
    apply(store, framework, ctx, run_links.link_runs, second, [hostile_run("b2")])
    data: dict[str, Any] = json.loads(store.path.read_bytes())
    for link in data["runs"].values():
        link.update(
            name=NAME,
            status=NAME,
            params={HOSTILE: NAME},
            metrics={HOSTILE: 0.5, f"{HOSTILE}{LONG}": 2.0, "auc": 0.9},
        )
    return write_project(store.path, data), first


async def test_hostile_runs_show_as_text_everywhere(
    tmp_path: Path, framework: Framework, ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    store, first = hostile_store(tmp_path, framework, ctx)
    found = [hostile_run("c3"), hostile_run("d4")]
    monkeypatch.setattr(runs, "find_runs", lambda root, *a, **k: found, raising=False)
    before = store.path.read_bytes()
    app = make_app(store, framework)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("e")
        await wait_for_screen(pilot, ExperimentsScreen)
        check_shown(app, "experiment log", "[bold red]loud")
        detail = str(app.screen.query_one("#experiment").render())
        assert (
            "\x1b" not in detail and "second line" not in detail
        )  # names cut short in their lines
        await pilot.press("tab", *["j"] * 8)  # scroll the pane down to the runs
        check_shown(app, "experiment pane")
        await pilot.press("shift+tab", "l")
        await wait_until(
            pilot,
            lambda: isinstance(app.screen, LinkRunsModal) and not app.screen.looking,
            "the picker's answer",
        )
        check_shown(app, "link picker", "[bold red]loud")
        await close_dialogs(pilot)
        await pilot.press("R")  # one run: straight to the question
        await wait_for_screen(pilot, ConfirmModal)
        check_shown(app, "unlink question", "[bold red]loud")
        await close_dialogs(pilot)
        assert app.screen.query_one("#experiments").select(first)  # type: ignore[attr-defined]
        await pilot.press("R")  # two runs: which one
        await wait_for_screen(pilot, PickModal)
        check_shown(app, "unlink picker", "[bold red]loud")
        await close_dialogs(pilot)
        await pilot.press("x")
        await wait_for_screen(pilot, AbandonModal)
        check_shown(app, "abandon dialog", "[bold red]loud")
        await close_dialogs(pilot)
        await pilot.press("C")
        await wait_for_screen(pilot, CompareScreen)
        check_shown(app, "compare screen", "[bold red]loud")
        await pilot.press("right", "right")
        check_shown(app, "compare screen, scrolled")
        await close_dialogs(pilot)
    assert app._exception is None
    assert store.path.read_bytes() == before
