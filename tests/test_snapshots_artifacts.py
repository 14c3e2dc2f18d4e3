"""Snapshots of the stage screen's artifacts and of the learnings screen at 80x24: fixed data,
fixed clock, fixed file times (no git repository around tmp_path), colour on.

Update them with `pytest tests/test_snapshots_artifacts.py --snapshot-update` and look at the
SVGs.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from mlpl_tui.app import MlplApp
from mlpl_tui.artifacts import attach
from mlpl_tui.framework import Framework
from mlpl_tui.learnings import learn
from mlpl_tui.lifecycle import (
    Context,
    add_experiment,
    decide,
    new_project,
    set_status,
    switch_back,
)
from mlpl_tui.store import Store
from tests.apphelp import finish_stage, make_app
from tests.conftest import apply, fixed_ids

SnapCompare = Callable[..., bool]
BEFORE = 1772269200  # 2026-02-28 09:00 UTC: before the loop back (2026-03-02 10:00)
AFTER = 1772532000  # 2026-03-03 10:00 UTC: after it


@pytest.fixture(autouse=True)
def colour(monkeypatch: pytest.MonkeyPatch) -> None:
    """Snapshots are taken with colour, whatever the environment running the tests says."""
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("TEXTUAL_THEME", raising=False)


def document(folder: Path, location: str, when: int) -> None:
    path = folder / location
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("# A document\n", encoding="utf-8")
    os.utime(path, (when, when))


@pytest.fixture
def sample(tmp_path: Path, framework: Framework) -> MlplApp:
    """A project back in Data after a loop back: one document stale, one current, a link
    beside a file that is gone, and three learnings."""
    ctx = Context("ana", "2026-03-02T10:00:00Z", make_id=fixed_ids("s"))
    store = Store.create(tmp_path / "mlpl.json", new_project("Seasonal demand", ctx))
    finish_stage(store, framework, ctx, "business")
    document(tmp_path, "docs/inventory.md", BEFORE)
    document(tmp_path, "docs/data-report.md", AFTER)
    for artifact, location in (
        ("data-inventory", "docs/inventory.md"),
        ("data-report", "docs/data-report.md"),
        ("prepared-dataset", "https://example.com/datasets/sales-v3"),
        ("prepared-dataset", "data/sales-v3.parquet"),
    ):
        apply(store, framework, ctx, attach, artifact, location)
    apply(store, framework, ctx, set_status, "data.acquisition", "done")
    apply(store, framework, ctx, switch_back, "data", "data", "one season only", "acquisition")
    switch = store.load().switches[-1].id
    apply(store, framework, ctx, add_experiment, "Prophet", module="modelling.training")
    apply(store, framework, ctx, decide, "Forecast weekly per store", "weekly, 8 weeks ahead")
    decision = store.load().decisions[-1].id
    apply(store, framework, ctx, learn, "Sales history covers one season only", sources=[switch])
    apply(
        store,
        framework,
        ctx,
        learn,
        "Stores close on public holidays:\nthe weeks around them need their own feature",
        module="data.cleaning",
        sources=[decision],
    )
    apply(store, framework, ctx, learn, "Weather barely matters", stage="modelling")
    return make_app(store, framework)


async def into_artifacts(pilot: Pilot[None]) -> None:
    await pilot.press("2", "tab", "tab", "j")
    await pilot.pause()


def test_data_stage_screen_with_artifacts(snap_compare: SnapCompare, sample: Any) -> None:
    assert snap_compare(sample, press=["2"], terminal_size=(80, 24))


def test_data_stage_screen_in_the_artifacts(snap_compare: SnapCompare, sample: Any) -> None:
    assert snap_compare(sample, run_before=into_artifacts, terminal_size=(80, 24))


def test_learnings_screen(snap_compare: SnapCompare, sample: Any) -> None:
    assert snap_compare(sample, press=["W", "j"], terminal_size=(80, 24))
