"""Pilot tests of experiment runs in the app: the experiment log shows each experiment's linked
runs and best metrics, `l` links runs found near the project (read in a thread), `R` unlinks
one, `space` + `C` compare experiments side by side, and the abandon dialog shows the metrics."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable

from mlpl_tui import run_links, runs
from mlpl_tui.app import MlplApp
from mlpl_tui.framework import Framework
from mlpl_tui.lifecycle import Context, add_experiment, keep_experiment
from mlpl_tui.runs import Run, TrackerError
from mlpl_tui.screens.compare import CompareScreen
from mlpl_tui.screens.experiments import ExperimentsScreen
from mlpl_tui.screens.modals import AbandonModal
from mlpl_tui.screens.modals.confirm import ConfirmModal
from mlpl_tui.screens.modals.runs import LinkRunsModal
from mlpl_tui.store import Store
from mlpl_tui.widgets.bars import KeyBar
from mlpl_tui.widgets.record_list import RecordList
from tests.apphelp import SIZE, keys, make_app, screen_text, wait_for_text, wait_until
from tests.conftest import apply


def run(id: str, name: str, **kw: Any) -> Run:
    fields: dict[str, Any] = {
        "tool": "mlflow",
        "status": "FINISHED",
        "started_at": "2026-03-01T09:00:00Z",
        "ended_at": "2026-03-01T09:30:00Z",
        "where": "mlflow.db",
    }
    fields.update(kw)
    return Run(id=id, name=name, **fields)


RUN_A = run("aaa111", "lr-small", metrics={"accuracy": 0.91, "val_loss": 0.42})
RUN_B = run("bbb222", "lr-big", metrics={"accuracy": 0.93, "val_loss": 0.47})
RUN_C = run("ccc333", "gbm-1", metrics={"accuracy": 0.95, "val_loss": 0.31})


def seed(store: Store, framework: Framework, ctx: Context) -> tuple[str, str]:
    """Two experiments: a kept baseline with runs A and B (B gone from its store), and a
    running one with run C."""
    apply(store, framework, ctx, add_experiment, "Logistic regression")
    baseline = store.load().experiments[-1].id
    apply(store, framework, ctx, add_experiment, "Gradient boosting")
    gbm = store.load().experiments[-1].id
    apply(store, framework, ctx, run_links.link_runs, baseline, [RUN_A, RUN_B])
    apply(store, framework, ctx, run_links.link_runs, gbm, [RUN_C])
    store.apply(
        lambda p: run_links.refresh_snapshots(p, framework, ctx, [RUN_A, RUN_C]), ctx.who, ctx.now
    )
    store.apply(lambda p: keep_experiment(p, ctx, baseline), ctx.who, ctx.now)
    return baseline, gbm


def detail(app: MlplApp) -> str:
    return str(app.screen.query_one("#experiment").render())


async def open_log(pilot: Pilot[None], select: str | None = None) -> None:
    app = pilot.app
    await pilot.press("e")
    await wait_until(pilot, lambda: isinstance(app.screen, ExperimentsScreen), "the log")
    if select is not None:
        assert app.screen.query_one(RecordList).select(select)
        await pilot.pause()


def fake_finder(
    monkeypatch: pytest.MonkeyPatch, found: Sequence[Run] | Exception
) -> list[tuple[Path, str]]:
    """`find_runs` answering `found` (or raising it); records the folder and thread it ran in."""
    calls: list[tuple[Path, str]] = []

    def find_runs(root: Path, source: str = "auto", env: Any = None) -> list[Run]:
        calls.append((root, threading.current_thread().name))
        if isinstance(found, Exception):
            raise found
        return list(found)

    monkeypatch.setattr(runs, "find_runs", find_runs, raising=False)
    return calls


async def open_picker(pilot: Pilot[None]) -> LinkRunsModal:
    app = pilot.app
    await pilot.press("l")
    await wait_until(
        pilot,
        lambda: isinstance(app.screen, LinkRunsModal) and not app.screen.looking,
        "the picker's answer",
    )
    assert isinstance(app.screen, LinkRunsModal)
    return app.screen


async def test_the_log_shows_linked_runs_and_best_metrics(
    store: Store, framework: Framework, ctx: Context
) -> None:
    baseline, _gbm = seed(store, framework, ctx)
    before = store.path.read_bytes()
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await open_log(pilot, baseline)
        text = screen_text(app.screen)
        assert "Logistic regression (2 runs, accuracy 0.93)" in text
        assert "Gradient boosting (1 run, accuracy 0.95)" in text
        shown = detail(app)
        assert "Runs:       2 linked (1 gone)" in shown
        assert "mlflow lr-small              FINISHED   2026-03-01 09:00  aaa111" in shown
        lines = shown.splitlines()
        big = next(line for line in lines if "lr-big" in line)
        assert "(gone: snapshot kept)" in big
        assert "(gone" not in next(line for line in lines if "lr-small" in line)
        # The best of each metric by its goal: accuracy higher, val_loss lower.
        assert "Best:       accuracy 0.93 (max) · val_loss 0.42 (min)" in lines
    assert store.path.read_bytes() == before


async def test_an_experiment_without_runs_says_how_to_link_them(
    store: Store, framework: Framework, ctx: Context
) -> None:
    apply(store, framework, ctx, add_experiment, "Prophet")
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await open_log(pilot)
        assert "none linked: l links runs" in detail(app)
        assert "Prophet (" not in screen_text(app.screen)


async def test_l_lists_unlinked_runs_tagged_first_and_links_the_marked_ones(
    store: Store, framework: Framework, ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    _baseline, gbm = seed(store, framework, ctx)
    tagged = run("ddd444", "tagged-run", tagged=gbm, metrics={"accuracy": 0.96})
    other = run("eee555", "untagged", started_at="2026-03-02T08:00:00Z")
    calls = fake_finder(monkeypatch, [other, RUN_A, tagged])
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await open_log(pilot, gbm)
        picker = await open_picker(pilot)
        listing = picker.query_one("#runs", RecordList)
        assert listing.ids == ["mlflow:ddd444", "mlflow:eee555"]  # linked ones left out
        assert listing.marked == {"mlflow:ddd444"}  # the tagged run, offered
        rows = [str(o.prompt) for o in listing.options]
        assert rows[0].startswith("▶ ✓ mlflow tagged-run") and "tagged" in rows[0]
        assert "2 unlinked runs found (1 linked already); 1 tagged" in screen_text(picker)
        await pilot.press("j", "space")  # mark the second one too
        assert listing.marked == {"mlflow:ddd444", "mlflow:eee555"}
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ExperimentsScreen), "the log")
        assert "tagged-run" in detail(app)
    assert calls and calls[0][0] == store.path.absolute().parent
    assert calls[0][1] != threading.main_thread().name  # read off the UI thread
    project = store.load()
    assert [link.id for link in project.runs_of(gbm)] == [
        "mlflow:ccc333",
        "mlflow:ddd444",
        "mlflow:eee555",
    ]
    link = project.run_link("mlflow:ddd444")
    assert link is not None and link.metric_values == {"accuracy": 0.96}
    assert project.events[-1].action == "experiment.link"


async def test_escape_in_the_picker_writes_nothing(
    store: Store, framework: Framework, ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    baseline, _ = seed(store, framework, ctx)
    fake_finder(monkeypatch, [run("fff666", "new")])
    before = store.path.read_bytes()
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await open_log(pilot, baseline)
        picker = await open_picker(pilot)
        await pilot.press("space")
        assert picker.query_one("#runs", RecordList).marked == {"mlflow:fff666"}
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, ExperimentsScreen), "the log")
    assert store.path.read_bytes() == before


async def test_a_store_that_cannot_be_read_is_said_and_nothing_is_written(
    store: Store, framework: Framework, ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    baseline, _ = seed(store, framework, ctx)
    fake_finder(monkeypatch, TrackerError("mlflow.db is locked by another process"))
    before = store.path.read_bytes()
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await open_log(pilot, baseline)
        picker = await open_picker(pilot)
        text = screen_text(picker)
        assert "Not done: mlflow.db is locked by another process" in text
        assert picker.query_one("#runs", RecordList).ids == []
        await pilot.press("enter")  # nothing to link
        assert isinstance(app.screen, LinkRunsModal)
        await pilot.press("escape")
    assert store.path.read_bytes() == before


def write_file_store(folder: Path, experiment_id: str) -> None:
    """A small MLflow file store (`mlruns/`) as MLflow 2 writes it: one run tagged with
    `experiment_id`, one not."""
    experiment = folder / "mlruns" / "1"
    experiment.mkdir(parents=True)
    (experiment / "meta.yaml").write_text(
        "experiment_id: '1'\nlifecycle_stage: active\nname: churn\n", encoding="utf-8"
    )
    for run_id, name, accuracy, tag in (
        ("0a1b2c3d4e5f", "forest-200", "0.88", experiment_id),
        ("9f8e7d6c5b4a", "forest-50", "0.84", None),
    ):
        path = experiment / run_id
        for sub in ("metrics", "params", "tags"):
            (path / sub).mkdir(parents=True)
        (path / "meta.yaml").write_text(
            f"run_id: {run_id}\nrun_name: {name}\nstatus: 3\nstart_time: 1772355600000\n"
            "end_time: 1772357400000\nlifecycle_stage: active\nexperiment_id: '1'\n",
            encoding="utf-8",
        )
        (path / "metrics" / "accuracy").write_text(
            f"1772355700000 0.5 0\n1772357300000 {accuracy} 1\n", encoding="utf-8"
        )
        (path / "params" / "n_estimators").write_text(name.split("-")[1], encoding="utf-8")
        if tag is not None:
            (path / "tags" / "mlpl.experiment").write_text(tag, encoding="utf-8")


async def test_l_reads_a_real_mlruns_folder_and_links_the_tagged_run(
    store: Store, framework: Framework, ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    apply(store, framework, ctx, add_experiment, "Random forest")
    forest = store.load().experiments[-1].id
    write_file_store(store.path.parent, forest)
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await open_log(pilot)
        picker = await open_picker(pilot)
        listing = picker.query_one("#runs", RecordList)
        assert listing.ids == ["mlflow:0a1b2c3d4e5f", "mlflow:9f8e7d6c5b4a"]
        assert listing.marked == {"mlflow:0a1b2c3d4e5f"}
        assert "n_estimators 200" in screen_text(picker)  # the highlighted run in full
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ExperimentsScreen), "the log")
        await wait_for_text(pilot, "Random forest (1 run, accuracy 0.88)")
    (link,) = store.load().runs_of(forest)
    assert (link.name, link.status, link.param_values) == (
        "forest-200",
        "FINISHED",
        {"n_estimators": "200"},
    )


async def test_a_run_linked_elsewhere_is_refused_in_the_dialog(
    store: Store, framework: Framework, ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    baseline, gbm = seed(store, framework, ctx)
    fake_finder(monkeypatch, [run("ggg777", "late")])
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await open_log(pilot, gbm)
        await open_picker(pilot)
        # Meanwhile another terminal links the same run to the baseline.
        apply(store, framework, ctx, run_links.link_runs, baseline, [run("ggg777", "late")])
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, LinkRunsModal)
        assert "is linked to experiment" in screen_text(app.screen)
    assert [x.id for x in store.load().runs_of(gbm)] == ["mlflow:ccc333"]


async def test_r_unlinks_a_run_after_asking(
    store: Store, framework: Framework, ctx: Context
) -> None:
    baseline, gbm = seed(store, framework, ctx)
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await open_log(pilot, gbm)
        await pilot.press("R")  # one run: straight to the question
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmModal), "the question")
        assert "gbm-1" in screen_text(app.screen)
        await pilot.press("n")
        await pilot.pause()
        assert [x.id for x in store.load().runs_of(gbm)] == ["mlflow:ccc333"]
        await pilot.press("R", "y")
        await wait_until(pilot, lambda: not store.load().runs_of(gbm), "the unlink")
        assert app.screen.query_one(RecordList).select(baseline)
        await pilot.press("R")  # two runs: which one first
        await pilot.pause()
        await pilot.press("j", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmModal), "the question")
        await pilot.press("y")
        await wait_until(pilot, lambda: len(store.load().runs_of(baseline)) == 1, "the unlink")
    assert [x.id for x in store.load().runs_of(baseline)] == ["mlflow:aaa111"]
    assert store.load().events[-1].action == "experiment.unlink"


def table_text(screen: CompareScreen) -> list[list[str]]:
    table: DataTable[Any] = screen.query_one("#table", DataTable)
    head = [str(c.label) for c in table.columns.values()]
    return [head] + [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


async def test_c_compares_every_experiment_with_runs_baseline_and_best_marked(
    store: Store, framework: Framework, ctx: Context
) -> None:
    _baseline, _gbm = seed(store, framework, ctx)
    apply(store, framework, ctx, add_experiment, "No runs yet")
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await open_log(pilot)
        await pilot.press("C")
        await wait_until(pilot, lambda: isinstance(app.screen, CompareScreen), "compare")
        assert isinstance(app.screen, CompareScreen)
        rows = table_text(app.screen)
        # Oldest first; the kept one is the baseline.
        assert rows[0][1].startswith("◆ Logistic regr…") and "kept" in rows[0][1]
        assert rows[0][2].startswith("Gradient boosti…") and "running" in rows[0][2]
        assert len(rows[0]) == 3  # the experiment without runs is left out
        assert [r[0].split()[0] for r in rows[1:]] == ["runs", "accuracy", "val_loss"]
        assert rows[1][1:] == ["2 (1 gone)  ", "1  "]
        assert rows[2][1:] == ["0.93  ", "0.95 (+0.02) *"]
        assert rows[3][1:] == ["0.42  ", "0.31 (-0.11) *"]
        assert "↓ min" in rows[3][0]
        text = screen_text(app.screen)
        assert "baseline" in text and "* best in its row" in text
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, ExperimentsScreen), "the log")


async def test_space_marks_experiments_for_the_comparison(
    store: Store, framework: Framework, ctx: Context
) -> None:
    baseline, _gbm = seed(store, framework, ctx)
    apply(store, framework, ctx, add_experiment, "Third")
    before = store.path.read_bytes()
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await open_log(pilot)
        listing = app.screen.query_one(RecordList)
        third = listing.ids[0]
        await pilot.press("space")
        assert listing.marked == {third}
        assert "abandoned) · 1 marked, C compares · no time" in screen_text(app.screen)
        await pilot.press("C")  # one is not a comparison
        await pilot.pause()
        assert isinstance(app.screen, ExperimentsScreen)
        await pilot.press("j", "space")  # the cursor moved down after the first mark
        assert listing.marked == {third, baseline}
        await pilot.press("C")
        await wait_until(pilot, lambda: isinstance(app.screen, CompareScreen), "compare")
        assert isinstance(app.screen, CompareScreen)
        head = table_text(app.screen)[0]
        assert [h.splitlines()[0] for h in head[1:]] == ["◆ Logistic regr…", "Third"]
    assert store.path.read_bytes() == before  # marks are UI state, never stored


async def test_the_abandon_dialog_shows_the_runs_metrics(
    store: Store, framework: Framework, ctx: Context
) -> None:
    baseline, _gbm = seed(store, framework, ctx)
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await open_log(pilot, baseline)
        await pilot.press("x")
        await wait_until(pilot, lambda: isinstance(app.screen, AbandonModal), "the dialog")
        shown = str(app.screen.query_one("#runs").render())
        assert "lr-small" in shown and "lr-big" in shown
        assert "accuracy 0.91 · val_loss 0.42" in shown  # run A's own
        assert "accuracy 0.93 · val_loss 0.47" in shown  # run B's own
        assert "Best:" in shown
        await pilot.press(*keys("no better"), "enter")
        await wait_until(pilot, lambda: not isinstance(app.screen, AbandonModal), "saved")
    abandoned = store.load().experiment(baseline)
    assert abandoned is not None and abandoned.status == "abandoned"


async def test_the_key_bar_and_help_list_the_run_keys(
    store: Store, framework: Framework, ctx: Context
) -> None:
    seed(store, framework, ctx)
    app = make_app(store, framework)
    async with app.run_test(size=(120, 30)) as pilot:  # at 80 columns the bar drops them first
        await open_log(pilot)
        bar = str(app.screen.query_one(KeyBar).render())
        assert "l Link runs" in bar and "C Compare" in bar
        await pilot.press("question_mark")
        await pilot.pause()
        text = screen_text(app.screen)
        for key, words in (("l", "Link runs"), ("R", "Unlink run"), ("space", "Mark")):
            assert any(line.split()[:1] == [key] and words in line for line in text.splitlines()), (
                key
            )
        assert "C        Compare" in text
