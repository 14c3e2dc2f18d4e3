"""Snapshots of experiment runs at 80x24: the experiment log with linked runs and best metrics,
and the comparison of experiments side by side. Fixed data, fixed clock, colour on.

Update them with `pytest tests/test_snapshots_runs.py --snapshot-update` and look at the SVGs.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from mlpl_tui.app import MlplApp
from mlpl_tui.framework import Framework
from mlpl_tui.lifecycle import Context, add_experiment, keep_experiment, new_project
from mlpl_tui.run_links import link_runs, refresh_snapshots
from mlpl_tui.runs import Run
from mlpl_tui.screens.compare import CompareScreen
from mlpl_tui.store import Store
from tests.apphelp import finish_stage, make_app, wait_until
from tests.conftest import apply, fixed_ids

SnapCompare = Callable[..., bool]


@pytest.fixture(autouse=True)
def colour(monkeypatch: pytest.MonkeyPatch) -> None:
    """Snapshots are taken with colour, whatever the environment running the tests says."""
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("TEXTUAL_THEME", raising=False)


def run(id: str, name: str, start: str, **metrics: float) -> Run:
    return Run(
        "mlflow",
        id,
        name,
        "FINISHED",
        f"2026-03-0{start}:00Z",
        None,
        params={"lr": "0.1"},
        metrics=metrics,
        where="mlflow.db",
    )


@pytest.fixture
def sample(tmp_path: Path, framework: Framework) -> MlplApp:
    """Three experiments in Modelling: a kept baseline with two runs (one gone from its
    store), a challenger with one run, and an abandoned one with one."""
    ctx = Context("ana", "2026-03-02T10:00:00Z", make_id=fixed_ids("s"))
    store = Store.create(tmp_path / "mlpl.json", new_project("Churn", ctx))
    finish_stage(store, framework, ctx, "business")
    finish_stage(store, framework, ctx, "data")
    runs = {
        "Logistic regression": [
            run("3f2a9c01", "logreg-l2", "1T09:00", auc=0.842, log_loss=0.412),
            run("3f2a9c02", "logreg-l1", "1T09:30", auc=0.838, log_loss=0.409),
        ],
        "Gradient boosting": [run("7b1e0d55", "lgbm-300", "1T14:00", auc=0.871, log_loss=0.377)],
        "Deep net": [run("c0ffee00", "mlp-3x256", "2T08:00", auc=0.829, log_loss=0.455)],
    }
    ids = {}
    for title, found in runs.items():
        apply(store, framework, ctx, add_experiment, title, hypothesis="beats the baseline")
        ids[title] = store.load().experiments[-1].id
        apply(store, framework, ctx, link_runs, ids[title], found)
    kept = [r for title, found in runs.items() for r in found if r.id != "3f2a9c02"]
    store.apply(lambda p: refresh_snapshots(p, framework, ctx, kept), ctx.who, ctx.now)
    baseline = ids["Logistic regression"]
    store.apply(lambda p: keep_experiment(p, ctx, baseline), ctx.who, ctx.now)
    return make_app(store, framework)


async def to_compare(pilot: Pilot[Any]) -> None:
    await pilot.press("e", "C")
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, CompareScreen), "compare")


def test_experiments_screen_with_runs(snap_compare: SnapCompare, sample: Any) -> None:
    assert snap_compare(sample, press=["e", "j", "j"], terminal_size=(80, 24))


def test_compare_screen(snap_compare: SnapCompare, sample: Any) -> None:
    assert snap_compare(sample, run_before=to_compare, terminal_size=(80, 24))
