"""Snapshots of the timeline (`G`) at 80x24 on the demo project: fixed data, fixed clock (three
days after the demo was accepted), colour on.

Update them with `pytest tests/test_snapshots_timeline.py --snapshot-update` and look at the SVGs.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from mlpl_tui.app import MlplApp
from mlpl_tui.demo import copy_demo
from mlpl_tui.framework import Framework
from mlpl_tui.lifecycle import Context
from mlpl_tui.store import Store
from tests.conftest import fixed_ids

SnapCompare = Callable[..., bool]


@pytest.fixture(autouse=True)
def colour(monkeypatch: pytest.MonkeyPatch) -> None:
    """Snapshots are taken with colour, whatever the environment running the tests says."""
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("TEXTUAL_THEME", raising=False)


@pytest.fixture
def demo(tmp_path: Path, framework: Framework) -> MlplApp:
    """The bundled demo project (no text field on the timeline, so no cursor to blink)."""
    store = Store(copy_demo(tmp_path / "demo"))
    ids = fixed_ids("ui")
    return MlplApp(store, framework, lambda: Context("tester", "2026-04-20T10:00:00Z", make_id=ids))


def test_timeline(snap_compare: SnapCompare, demo: MlplApp) -> None:
    assert snap_compare(demo, press=["G"], terminal_size=(80, 24))


def test_timeline_by_week_on_a_loop_back(snap_compare: SnapCompare, demo: MlplApp) -> None:
    assert snap_compare(demo, press=["G", "minus", "up", "up"], terminal_size=(80, 24))


def test_timeline_by_month_visits_sharing_a_cell(snap_compare: SnapCompare, demo: MlplApp) -> None:
    """A month holds several visits of a stage: `▚`/`⇆` in its cell, the highlighted one `▓`."""
    assert snap_compare(demo, press=["G", "minus", "minus", "up"], terminal_size=(80, 24))
