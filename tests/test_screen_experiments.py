"""Pilot tests of the experiment log (`e`): start, keep, abandon with a reason, log time."""

from __future__ import annotations

from textual.widgets import Input, Select

from mlpl_tui.framework import Framework
from mlpl_tui.lifecycle import Context, abandon_experiment, add_experiment, log_effort
from mlpl_tui.screens.experiments import ExperimentsScreen
from mlpl_tui.screens.modals import AbandonModal, ExperimentTimeModal, NewExperimentModal
from mlpl_tui.screens.modals.confirm import ConfirmModal
from mlpl_tui.screens.modals.experiment_edit import ExperimentEditModal
from mlpl_tui.store import Store
from mlpl_tui.widgets.record_list import RecordList
from tests.apphelp import NOW, SIZE, keys, make_app, reach, screen_text
from tests.conftest import apply


def detail(screen: object) -> str:
    assert isinstance(screen, ExperimentsScreen)
    return str(screen.query_one("#experiment").render())


def seed(store: Store, framework: Framework, ctx: Context) -> tuple[str, str]:
    apply(store, framework, ctx, add_experiment, "Baseline", hypothesis="last year's sales")
    baseline = store.load().experiments[-1].id
    apply(
        store,
        framework,
        ctx,
        add_experiment,
        "LightGBM",
        hypothesis="beats the baseline by 10%",
        link="runs/42",
        module="modelling.training",
    )
    gbm = next(e.id for e in store.load().experiments if e.title == "LightGBM")
    apply(store, framework, ctx, log_effort, "1h30m", experiment=gbm)
    return baseline, gbm


async def test_lists_status_hypothesis_link_and_effort(
    store: Store, framework: Framework, ctx: Context
) -> None:
    baseline, gbm = seed(store, framework, ctx)
    before = store.path.read_bytes()
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, ExperimentsScreen)
        text = screen_text(app.screen)
        assert "Experiments: 2 (2 running, 0 kept, 0 abandoned) · 1h30m logged" in text
        assert "[~] running    1h30m  LightGBM: beats the baseline by 10%" in text
        assert "[~] running        -  Baseline: last year's sales" in text
        assert app.screen.query_one(RecordList).ids == [gbm, baseline]
        shown = detail(app.screen)
        assert "runs/42" in shown and "modelling.training" in shown and "1h30m" in shown
    assert store.path.read_bytes() == before


async def test_n_starts_an_experiment_with_every_field(store: Store, framework: Framework) -> None:
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("e")
        await pilot.pause()
        assert "No experiments yet" in screen_text(app.screen)
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, NewExperimentModal)
        await pilot.press(*keys("Prophet"), "enter", *keys("captures seasonality"), "enter")
        await pilot.press(*keys("runs/7"), "tab")
        place = app.screen.query_one("#place", Select)
        assert place.value == "business"  # the current stage, unless another is picked
        place.value = framework.stage("modelling").modules[1].id
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ExperimentsScreen)
    (experiment,) = store.load().experiments
    assert (experiment.title, experiment.hypothesis, experiment.link) == (
        "Prophet",
        "captures seasonality",
        "runs/7",
    )
    assert (experiment.status, experiment.stage, experiment.created_at) == (
        "running",
        "modelling",
        NOW,
    )
    assert experiment.module == framework.stage("modelling").modules[1].id


async def test_a_probe_started_during_data_is_filed_under_data(
    store: Store, framework: Framework, ctx: Context
) -> None:
    reach(store, framework, ctx, "data")
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("e", "n")
        await pilot.pause()
        await pilot.press(*keys("Leak probe"), "ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ExperimentsScreen)
    (experiment,) = store.load().experiments
    assert (experiment.stage, experiment.module) == ("data", None)


async def test_n_without_a_title_is_refused_in_words(store: Store, framework: Framework) -> None:
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("e", "n", "ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, NewExperimentModal)
        assert "must not be empty" in screen_text(app.screen)
    assert not store.load().experiments


async def test_k_keeps_and_x_abandons_with_a_reason(
    store: Store, framework: Framework, ctx: Context
) -> None:
    baseline, gbm = seed(store, framework, ctx)
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("e", "K")  # LightGBM, the newest
        await pilot.pause()
        assert store.load().experiment(gbm).status == "kept"  # type: ignore[union-attr]
        await pilot.press("j", "x")
        await pilot.pause()
        assert isinstance(app.screen, AbandonModal)
        await pilot.press("enter")  # no reason: refused, the dialog stays
        await pilot.pause()
        assert isinstance(app.screen, AbandonModal)
        assert "must not be empty" in screen_text(app.screen)
        await pilot.press(*keys("worse than LightGBM"), "enter")
        await pilot.pause()
        assert isinstance(app.screen, ExperimentsScreen)
        assert app.screen.query_one(RecordList).record_id == baseline
        assert "Abandoned:  worse than LightGBM" in detail(app.screen)
        assert "[-] abandoned      -  Baseline (why: worse than LightGBM)" in screen_text(
            app.screen
        )
    project = store.load()
    abandoned = project.experiment(baseline)
    assert abandoned is not None
    assert (abandoned.status, abandoned.reason) == ("abandoned", "worse than LightGBM")
    assert project.experiment(gbm).status == "kept"
    assert len(project.experiments) == 2  # abandoned ones stay in the log


async def test_t_logs_time_on_the_highlighted_experiment(
    store: Store, framework: Framework, ctx: Context
) -> None:
    baseline, _gbm = seed(store, framework, ctx)
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("e", "j", "T")
        await pilot.pause()
        assert isinstance(app.screen, ExperimentTimeModal)
        await pilot.press(*keys("45m"), "enter")
        await pilot.pause()
        assert isinstance(app.screen, ExperimentsScreen)
        assert "45m  Baseline" in screen_text(app.screen)
    entry = store.load().effort[-1]
    assert (entry.experiment, entry.minutes, entry.stage, entry.on) == (
        baseline,
        45,
        "modelling",
        NOW[:10],
    )


async def test_escape_cancels_without_writing(
    store: Store, framework: Framework, ctx: Context
) -> None:
    seed(store, framework, ctx)
    before = store.path.read_bytes()
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("e", "x", *keys("never mind"), "escape", "n", *keys("Draft"), "escape")
        await pilot.pause()
        assert isinstance(app.screen, ExperimentsScreen)
    assert store.path.read_bytes() == before


# --- corrections: keep an abandoned one after all, edit, results ------------------------------


def abandon(store: Store, ctx: Context, ref: str, reason: str) -> None:
    store.apply(lambda p: abandon_experiment(p, ctx, ref, reason), ctx.who, ctx.now)


async def test_K_on_an_abandoned_experiment_asks_first_and_keeps_the_reason(
    store: Store, framework: Framework, ctx: Context
) -> None:
    baseline, _gbm = seed(store, framework, ctx)
    abandon(store, ctx, baseline, "no better than last year")
    before = store.path.read_bytes()
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("e", "j", "K")  # Baseline, abandoned
        await pilot.pause()
        assert isinstance(app.screen, ConfirmModal)
        assert "was abandoned: no better than last year" in screen_text(app.screen)
        await pilot.press("escape")  # no: nothing written
        await pilot.pause()
        assert isinstance(app.screen, ExperimentsScreen)
        assert store.path.read_bytes() == before
        await pilot.press("K", "y")
        await pilot.pause()
        assert isinstance(app.screen, ExperimentsScreen)
        shown = detail(app.screen)
        assert "[kept]" in shown
        assert "Abandoned:  no better than last year (then kept after all)" in shown
        assert "(was abandoned: no better than last year)" in screen_text(app.screen)
    kept = store.load().experiment(baseline)
    assert kept is not None
    assert (kept.status, kept.reason) == ("kept", "no better than last year")
    event = store.load().events[-1]
    assert event.action == "experiment.kept" and "(was abandoned)" in event.summary


async def test_E_records_a_result_and_corrects_the_texts(
    store: Store, framework: Framework, ctx: Context
) -> None:
    _baseline, gbm = seed(store, framework, ctx)
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("e", "E")  # LightGBM
        await pilot.pause()
        assert isinstance(app.screen, ExperimentEditModal)
        assert app.screen.query_one("#link", Input).value == "runs/42"
        assert app.screen.query_one("#place", Select).value == "modelling.training"
        await pilot.press("tab", "tab", "tab", *keys("MAPE 11.2% vs 13.5%"), "ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ExperimentsScreen)
        assert "Result:     MAPE 11.2% vs 13.5%" in detail(app.screen)
        assert "1h30m  LightGBM → MAPE 11.2% vs 13.5%: beats" in screen_text(app.screen)
    project = store.load()
    experiment = project.experiment(gbm)
    assert experiment is not None
    assert (experiment.result, experiment.title, experiment.link) == (
        "MAPE 11.2% vs 13.5%",
        "LightGBM",
        "runs/42",
    )
    event = project.events[-1]
    assert event.action == "experiment.edit"
    assert event.changes[0]["before"] == {"result": ""}


async def test_E_on_an_abandoned_experiment_corrects_its_reason(
    store: Store, framework: Framework, ctx: Context
) -> None:
    baseline, _gbm = seed(store, framework, ctx)
    abandon(store, ctx, baseline, "too slo")
    app = make_app(store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("e", "j", "E")
        await pilot.pause()
        assert isinstance(app.screen, ExperimentEditModal)
        reason = app.screen.query_one("#reason", Input)
        assert reason.value == "too slo"
        reason.focus()
        await pilot.press("end", "w", "ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ExperimentsScreen)
    assert store.load().experiment(baseline).reason == "too slow"
