"""Snapshots of the dashboard and the stage screens at 80x24: fixed data, fixed clock, colour on.

Update them with `pytest tests/test_snapshots.py --snapshot-update` and look at the SVGs.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from mlpl_tui.app import MlplApp
from mlpl_tui.framework import Framework
from mlpl_tui.lifecycle import (
    Context,
    answer_question,
    decide,
    log_effort,
    new_project,
    set_note,
    set_status,
    switch_back,
)
from mlpl_tui.store import Store
from tests.apphelp import finish_stage, make_app
from tests.conftest import apply, fixed_ids

SnapCompare = Callable[..., bool]


@pytest.fixture(autouse=True)
def colour(monkeypatch: pytest.MonkeyPatch) -> None:
    """Snapshots are taken with colour, whatever the environment running the tests says."""
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("TEXTUAL_THEME", raising=False)


@pytest.fixture
def sample(tmp_path: Path, framework: Framework) -> MlplApp:
    """A project in Data, iteration 2, after a loop back from Data's cleaning to acquisition."""
    ctx = Context("ana", "2026-03-02T10:00:00Z", make_id=fixed_ids("s"))
    store = Store.create(tmp_path / "mlpl.json", new_project("Seasonal demand", ctx))
    finish_stage(store, framework, ctx, "business")
    apply(store, framework, ctx, set_status, "data.acquisition", "done")
    apply(store, framework, ctx, set_status, "data.cleaning", "doing")
    apply(store, framework, ctx, set_note, "data.acquisition", "Sales 2023 and weather feed")
    apply(
        store,
        framework,
        ctx,
        switch_back,
        "data",
        "data",
        "only one season of history",
        module_ref="acquisition",
    )
    apply(
        store, framework, ctx, set_status, "data.pre-processing", "skipped", reason="already clean"
    )
    apply(store, framework, ctx, answer_question, "1", "yes")
    apply(store, framework, ctx, answer_question, "2", "partly")
    apply(store, framework, ctx, decide, "Forecast weekly per store", "weekly, 8 weeks ahead")
    apply(store, framework, ctx, log_effort, "3h", stage="business")
    apply(store, framework, ctx, log_effort, "1h30m", module="data.acquisition")
    return make_app(store, framework)


def test_dashboard(snap_compare: SnapCompare, sample: Any) -> None:
    assert snap_compare(sample, terminal_size=(80, 24))


def test_data_stage_screen(snap_compare: SnapCompare, sample: Any) -> None:
    assert snap_compare(sample, press=["2"], terminal_size=(80, 24))


def test_business_stage_screen(snap_compare: SnapCompare, sample: Any) -> None:
    assert snap_compare(sample, press=["1", "j"], terminal_size=(80, 24))


async def open_loop_back(pilot: Pilot[None]) -> None:
    """`b`, then the dialog's text cursor held still: a blink must not change the picture."""
    await pilot.press("b")
    await pilot.pause()
    for field in pilot.app.screen.query(Input):
        field.cursor_blink = False
    await pilot.pause()


def test_loop_back_dialog(snap_compare: SnapCompare, sample: Any) -> None:
    assert snap_compare(sample, run_before=open_loop_back, terminal_size=(80, 24))
