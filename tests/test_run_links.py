"""Experiments linked to tracker runs, as rules over runs built here (no tracker read): linking
and its refusals, snapshots and their caps, refresh and gone runs, auto-linking by tag, the
best metrics and the comparison, undo, validate, and `experiment_metrics` in mlpl.yaml."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import orjson
import pytest

from mlpl_tui import history, run_links
from mlpl_tui.errors import RuleError, UsageError
from mlpl_tui.framework import (
    Framework,
    FrameworkError,
    MetricSpec,
    builtin_framework_path,
    guess_goal,
    parse_framework,
)
from mlpl_tui.integrity import check
from mlpl_tui.lifecycle import Context, abandon_experiment, add_experiment, keep_experiment
from mlpl_tui.merge import SNAPSHOT_FIELDS
from mlpl_tui.model import Change, Project, RunLink
from mlpl_tui.runs import MAX_METRICS, Run
from mlpl_tui.store import Store
from tests.conftest import fixed_ids

T0 = "2026-03-02T10:00:00Z"


def at(clock: str, who: str = "tester") -> Context:
    """A context at HH:MM:SS on 2 March 2026, with ids of its own."""
    return Context(who, f"2026-03-02T{clock}Z", make_id=fixed_ids(f"x{clock.replace(':', '')}"))


def run(
    id: str = "a1",
    *,
    tool: str = "mlflow",
    name: str = "baseline",
    status: str = "FINISHED",
    metrics: dict[str, Any] | None = None,
    params: dict[str, str] | None = None,
    tagged: str | None = None,
    ended_at: str | None = "2026-03-01T09:30:00Z",
) -> Run:
    return Run(
        tool,
        id,
        name,
        status,
        "2026-03-01T09:00:00Z",
        ended_at,
        params if params is not None else {"lr": "0.1"},
        metrics if metrics is not None else {"accuracy": 0.9, "val_loss": 0.3},
        tagged,
        "mlflow.db",
    )


def with_metrics(framework: Framework, *specs: MetricSpec) -> Framework:
    from dataclasses import replace

    return replace(framework, experiment_metrics=specs)


class OnFile:
    """A project on a real file, changed through the store as the CLI changes it."""

    def __init__(self, store: Store, framework: Framework) -> None:
        self.store, self.framework = store, framework

    @property
    def project(self) -> Project:
        return self.store.load()

    def do(self, clock: str, rule: Any, *args: Any, **kw: Any) -> Change:
        ctx = at(clock)
        applied = self.store.apply(
            lambda p: rule(p, self.framework, ctx, *args, **kw), ctx.who, ctx.now
        )
        return applied.change

    def experiment(self, title: str, clock: str = "10:00:01") -> str:
        id = self.do(clock, add_experiment, title).result
        assert id
        return id

    def link(self, clock: str, experiment: str, *runs: Run, **kw: Any) -> Change:
        return self.do(clock, run_links.link_runs, experiment, list(runs), **kw)

    def raw(self) -> dict[str, Any]:
        data: dict[str, Any] = orjson.loads(self.store.path.read_bytes())
        return data


@pytest.fixture
def p(store: Store, framework: Framework) -> OnFile:
    return OnFile(store, framework)


# --- linking ----------------------------------------------------------------------------------


def test_linking_stores_each_run_with_its_snapshot(p: OnFile) -> None:
    e = p.experiment("Gradient boosting")
    change = p.link("10:05:00", e, run("a1"), run("b2", tool="dvc", name="exp-b"))
    assert change.action == "experiment.link" and change.result == e
    assert "Linked 2 runs (mlflow:a1, dvc:b2) to experiment" in change.summary
    links = p.project.runs_of(e)
    assert [x.id for x in links] == ["dvc:b2", "mlflow:a1"]  # linked in one second: by ref
    first = p.project.run_link("mlflow:a1")
    assert first == RunLink(
        id="mlflow:a1",
        experiment=e,
        tool="mlflow",
        run_id="a1",
        name="baseline",
        status="FINISHED",
        started_at="2026-03-01T09:00:00Z",
        ended_at="2026-03-01T09:30:00Z",
        params={"lr": "0.1"},
        metrics={"accuracy": 0.9, "val_loss": 0.3},
        where="mlflow.db",
        captured_at="2026-03-02T10:05:00Z",
        gone=False,
        linked_at="2026-03-02T10:05:00Z",
        linked_by="tester",
        updated_at="2026-03-02T10:05:00Z",
        updated_by="tester",
    )
    assert p.project.run_links == (*links,)


def test_run_links_are_in_the_order_linked(p: OnFile) -> None:
    e, f = p.experiment("One"), p.experiment("Two", "10:00:02")
    p.link("10:05:00", f, run("z9"))
    p.link("10:06:00", e, run("a1"))
    p.link("10:07:00", f, run("m5"))
    assert [x.id for x in p.project.run_links] == ["mlflow:z9", "mlflow:a1", "mlflow:m5"]
    assert [x.id for x in p.project.runs_of(f)] == ["mlflow:z9", "mlflow:m5"]
    assert p.project.runs_of("nothing") == ()
    assert p.project.run_link("mlflow:nothing") is None


def test_linking_again_to_the_same_experiment_changes_nothing(p: OnFile) -> None:
    e = p.experiment("One")
    p.link("10:05:00", e, run("a1"))
    events = len(p.raw()["events"])
    change = p.link("10:06:00", e, run("a1", metrics={"accuracy": 0.1}), run("a1"))
    assert change.puts == []
    assert len(p.raw()["events"]) == events
    kept = p.project.run_link("mlflow:a1")
    assert kept is not None and kept.metrics == {"accuracy": 0.9, "val_loss": 0.3}


def test_a_run_linked_to_another_experiment_is_refused_unless_moved(p: OnFile) -> None:
    e, f = p.experiment("One"), p.experiment("Two", "10:00:02")
    p.link("10:05:00", e, run("a1"))
    with pytest.raises(
        RuleError, match=f"run mlflow:a1 is linked to experiment {e} \\(One\\).*--move"
    ):
        p.link("10:06:00", f, run("a1"), run("b2"))
    assert p.project.run_link("mlflow:b2") is None  # nothing of the refused change was written
    change = p.link("10:07:00", f, run("a1"), move=True)
    assert f"(moved from {e})" in change.summary
    moved = p.project.run_link("mlflow:a1")
    assert moved is not None and (moved.experiment, moved.linked_at) == (f, "2026-03-02T10:07:00Z")
    assert p.project.runs_of(e) == ()


def test_abandoned_and_kept_experiments_take_runs(p: OnFile) -> None:
    e, f = p.experiment("One"), p.experiment("Two", "10:00:02")
    p.do("10:01:00", lambda pr, fw, c: abandon_experiment(pr, c, e, "worse than the baseline"))
    p.do("10:01:01", lambda pr, fw, c: keep_experiment(pr, c, f))
    p.link("10:05:00", e, run("a1"))
    p.link("10:05:01", f, run("b2"))
    assert [x.experiment for x in p.project.run_links] == [e, f]


def test_linking_needs_a_known_experiment_and_a_run(p: OnFile) -> None:
    e = p.experiment("One")
    with pytest.raises(UsageError, match="no experiment with id 'nope'"):
        p.link("10:05:00", "nope", run())
    with pytest.raises(UsageError, match="at least one run"):
        p.link("10:05:00", e)
    assert p.link("10:05:00", e[:4], run()).result == e  # a unique prefix is enough


# --- snapshots --------------------------------------------------------------------------------


def test_a_snapshot_keeps_the_declared_metrics_that_the_run_has(framework: Framework) -> None:
    declared = with_metrics(framework, MetricSpec("val_loss", "min"), MetricSpec("f1", "max"))
    fields = run_links.snapshot(declared, run(metrics={"accuracy": 1, "val_loss": 2}), T0)
    assert fields["metrics"] == {"val_loss": 2.0}
    assert type(fields["metrics"]["val_loss"]) is float


def test_a_snapshot_keeps_every_metric_up_to_the_cap_by_name(framework: Framework) -> None:
    many = {f"m{i:03d}": float(i) for i in range(MAX_METRICS + 20)}
    fields = run_links.snapshot(framework, run(metrics=many), T0)
    assert list(fields["metrics"]) == [f"m{i:03d}" for i in range(MAX_METRICS)]


def test_a_snapshot_caps_params_and_cuts_long_values_and_names(framework: Framework) -> None:
    params = {f"p{i:03d}": "v" for i in range(150)} | {"long": "x" * 5000, "n" * 600: "y"}
    fields = run_links.snapshot(framework, run(params=params, name="r" * 5000), T0)
    kept = fields["params"]
    assert len(kept) == run_links.MAX_PARAMS == 100
    assert kept["long"] == "x" * 999 + "…"
    assert list(kept)[:2] == ["long", "n" * 249 + "…"]  # sorted by name, names cut
    assert len(fields["name"]) == run_links.MAX_VALUE


def test_nan_and_infinity_are_stored_as_null_and_junk_is_left_out(
    p: OnFile, framework: Framework
) -> None:
    metrics: dict[str, Any] = {
        "nan": math.nan,
        "inf": math.inf,
        "minus_inf": -math.inf,
        "int": 3,
        "text_number": "0.5",
        "text": "high",
        "flag": True,
        "list": [1],
        "huge": 10**400,
    }
    fields = run_links.snapshot(framework, run(metrics=metrics), T0)
    assert fields["metrics"] == {
        "inf": None,
        "int": 3.0,
        "minus_inf": None,
        "nan": None,
        "text_number": 0.5,
    }
    e = p.experiment("One")
    p.link("10:05:00", e, run(metrics=metrics))
    stored = p.raw()["runs"]["mlflow:a1"]["metrics"]  # JSON holds null, not NaN
    assert stored == {"inf": None, "int": 3.0, "minus_inf": None, "nan": None, "text_number": 0.5}
    assert b"NaN" not in p.store.path.read_bytes() and b"Infinity" not in p.store.path.read_bytes()
    link = p.project.run_link("mlflow:a1")
    assert link is not None and link.metric_values["nan"] is None


def test_a_hand_edited_snapshot_reads_without_its_junk() -> None:
    raw = {
        "experiment": "e1",
        "tool": "mlflow",
        "run_id": "a1",
        "params": {"lr": "0.1", "n": 3},
        "metrics": {"acc": 1, "bad": "x", "nan": None, "flag": False},
    }
    link = RunLink.parse("mlflow:a1", raw)
    assert link.param_values == {"lr": "0.1"}
    assert link.metric_values == {"acc": 1.0, "nan": None}
    assert (link.gone, link.name, link.started_at) == (False, "", None)
    broken = RunLink.parse("mlflow:a1", {**raw, "params": [1], "metrics": "x"})
    assert broken.param_values == {} and broken.metric_values == {}


# --- refresh ----------------------------------------------------------------------------------


def test_refresh_with_nothing_changed_writes_nothing(p: OnFile) -> None:
    e = p.experiment("One")
    p.link("10:05:00", e, run("a1"))
    before = p.store.path.read_bytes()
    change = p.do("11:00:00", run_links.refresh_snapshots, [run("a1")])
    assert change.puts == [] and p.store.path.read_bytes() == before


def test_refresh_writes_only_the_fields_that_changed(p: OnFile) -> None:
    e = p.experiment("One")
    p.link("10:05:00", e, run("a1", status="RUNNING", ended_at=None))
    done = run("a1", metrics={"accuracy": 0.95, "val_loss": 0.3})
    change = p.do("11:00:00", run_links.refresh_snapshots, [done, run("other")])
    assert change.summary == "Run snapshots refreshed: 1 run updated"
    (written,) = p.project.events[-1].changes
    assert set(written["after"]) == {
        "status",
        "ended_at",
        "metrics",
        "captured_at",
        "updated_at",
    }
    link = p.project.run_link("mlflow:a1")
    assert link is not None
    assert (link.status, link.captured_at, link.linked_at) == (
        "FINISHED",
        "2026-03-02T11:00:00Z",
        "2026-03-02T10:05:00Z",
    )
    assert p.project.run_link("mlflow:other") is None  # refresh links nothing


def test_a_run_gone_from_its_store_keeps_its_snapshot_and_comes_back(p: OnFile) -> None:
    e = p.experiment("One")
    p.link("10:05:00", e, run("a1"), run("d1", tool="dvc"))
    # The MLflow store is deleted: the MLflow run is gone, the DVC one was not looked for.
    change = p.do("11:00:00", run_links.refresh_snapshots, [], tools=["mlflow"])
    assert change.summary == "Run snapshots refreshed: 1 run gone"
    gone = p.project.run_link("mlflow:a1")
    assert gone is not None and gone.gone
    assert gone.metric_values == {"accuracy": 0.9, "val_loss": 0.3}  # the snapshot stands
    assert gone.captured_at == "2026-03-02T10:05:00Z"
    dvc = p.project.run_link("dvc:d1")
    assert dvc is not None and not dvc.gone
    assert p.do("11:30:00", run_links.refresh_snapshots, [], tools=["mlflow"]).puts == []
    assert run_links.best_metrics(p.project, p.framework, e) == {"accuracy": 0.9, "val_loss": 0.3}
    back = p.do("12:00:00", run_links.refresh_snapshots, [run("a1"), run("d1", tool="dvc")])
    assert back.summary == "Run snapshots refreshed: 1 run back"
    found = p.project.run_link("mlflow:a1")
    assert found is not None and not found.gone


# --- tags -------------------------------------------------------------------------------------


def test_tagged_runs_are_linked_to_the_experiment_their_tag_names(p: OnFile) -> None:
    e, f = p.experiment("One"), p.experiment("Two", "10:00:02")
    p.link("10:05:00", e, run("done", tagged=f))  # linked already: left where it is
    found = [
        run("a1", tagged=e),
        run("b2", tool="dvc", tagged=f" {f}\n"),
        run("c3", tagged="unknown-experiment"),
        run("d4"),
        run("done", tagged=f),
    ]
    assert [(id, r.ref) for id, r in run_links.tagged(p.project, found)] == [
        (e, "mlflow:a1"),
        (f, "dvc:b2"),
    ]
    change = p.do("11:00:00", run_links.link_tagged, found)
    assert (
        change.summary
        == "Linked 2 tagged runs to 2 experiments (" + ", ".join(sorted([e, f])) + ")"
    )
    assert {x.id: x.experiment for x in p.project.run_links} == {
        "mlflow:done": e,
        "mlflow:a1": e,
        "dvc:b2": f,
    }
    assert p.do("11:01:00", run_links.link_tagged, found).puts == []


# --- unlinking and undo -----------------------------------------------------------------------


def test_unlink_by_ref_or_a_prefix_and_undo_brings_it_back(p: OnFile) -> None:
    e, f = p.experiment("One"), p.experiment("Two", "10:00:02")
    p.link("10:05:00", e, run("a1b2c3"), run("x9"))
    p.link("10:05:01", f, run("other"))
    change = p.do(
        "10:06:00", lambda pr, fw, c: run_links.unlink_runs(pr, c, e, ["a1b", "mlflow:x9"])
    )
    assert change.action == "experiment.unlink"
    assert p.project.runs_of(e) == ()
    with pytest.raises(UsageError, match=f"is not linked to experiment {e}"):
        p.do("10:07:00", lambda pr, fw, c: run_links.unlink_runs(pr, c, e, ["nope"]))
    with pytest.raises(UsageError, match=f"linked to experiment {f} \\(Two\\), not to this one"):
        p.do("10:07:00", lambda pr, fw, c: run_links.unlink_runs(pr, c, e, ["mlflow:other"]))
    p.do("10:08:00", lambda pr, fw, c: history.undo(pr, c.who))
    restored = p.project.runs_of(e)
    assert [x.id for x in restored] == ["mlflow:a1b2c3", "mlflow:x9"]
    assert restored[0].metric_values == {"accuracy": 0.9, "val_loss": 0.3}


def test_undo_after_linking_removes_the_links_and_redo_puts_them_back(p: OnFile) -> None:
    e = p.experiment("One")
    p.link("10:05:00", e, run("a1"), run("b2"))
    undo = p.do("10:06:00", lambda pr, fw, c: history.undo(pr, c.who))
    assert undo.summary.startswith("Undo of 'Linked 2 runs")
    assert p.project.run_links == () and p.raw()["runs"] == {}
    p.do("10:07:00", lambda pr, fw, c: history.redo(pr, c.who))
    assert [x.id for x in p.project.runs_of(e)] == ["mlflow:a1", "mlflow:b2"]


def test_undo_of_a_link_is_refused_once_the_snapshot_was_refreshed_by_someone_else(
    p: OnFile,
) -> None:
    e = p.experiment("One")
    p.link("10:05:00", e, run("a1"))
    ctx = at("10:06:00", "bob")
    p.store.apply(
        lambda pr: run_links.refresh_snapshots(pr, p.framework, ctx, [run("a1", status="KILLED")]),
        ctx.who,
        ctx.now,
    )
    with pytest.raises(RuleError, match="was changed since by bob"):
        p.do("10:07:00", lambda pr, fw, c: history.undo(pr, c.who))


def test_runs_of_an_experiment_that_is_gone_are_unlinked_by_its_full_id(p: OnFile) -> None:
    e = p.experiment("One")
    p.link("10:05:00", e, run("a1"))
    data = p.raw()
    data["runs"]["mlflow:a1"]["experiment"] = "lost-experiment"  # a hand edit
    p.store.path.write_bytes(
        orjson.dumps(data, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n"
    )
    problems = check(p.project, p.framework)
    assert [(x.level, x.text) for x in problems] == [
        (
            "warning",
            "run 'mlflow:a1' is linked to experiment 'lost-experiment', which does not exist; "
            "unlink it with 'mlpl-tui experiment unlink lost-experiment mlflow:a1' (or restore "
            "the experiment from git)",
        )
    ]
    p.do("10:06:00", lambda pr, fw, c: run_links.unlink_runs(pr, c, "lost-experiment", ["a1"]))
    assert p.project.run_links == ()
    assert check(p.project, p.framework) == []


# --- finding the runs named -------------------------------------------------------------------


def test_select_runs_by_ref_or_unique_prefix() -> None:
    found = [run("3f2a01"), run("3f2b02"), run("exp-1", tool="dvc"), run("3f2a01", tool="wandb")]
    assert [r.ref for r in run_links.select_runs(found, ["mlflow:3f2a", "dvc:exp-1"])] == [
        "mlflow:3f2a01",
        "dvc:exp-1",
    ]
    with pytest.raises(UsageError, match="ambiguous: give one of mlflow:3f2a01, mlflow:3f2b02"):
        run_links.select_runs(found, ["mlflow:3f2"])
    with pytest.raises(UsageError, match=r"no run 'mlflow:zz' is found.*'mlpl-tui runs'"):
        run_links.select_runs(found, ["mlflow:zz"])
    for bad in ("3f2a01", "neptune:1", "mlflow:", ""):
        with pytest.raises(UsageError, match="write tool:id"):
            run_links.select_runs(found, [bad])


# --- figures ----------------------------------------------------------------------------------


def test_best_metrics_follow_each_metrics_goal(p: OnFile, framework: Framework) -> None:
    e = p.experiment("One")
    p.link(
        "10:05:00",
        e,
        run("a1", metrics={"accuracy": 0.8, "val_loss": 0.2, "rmse": math.nan}),
        run("b2", metrics={"accuracy": 0.9, "val_loss": 0.4, "rmse": 3.0, "epochs": 7}),
    )
    assert run_links.best_metrics(p.project, framework, e) == {
        "accuracy": 0.9,
        "epochs": 7.0,
        "rmse": 3.0,
        "val_loss": 0.2,
    }
    declared = with_metrics(framework, MetricSpec("accuracy", "min"), MetricSpec("f1", "max"))
    assert run_links.best_metrics(p.project, declared, e) == {"accuracy": 0.8}
    assert run_links.best_metrics(p.project, framework, "no-runs") == {}


@pytest.mark.parametrize(
    ("name", "goal"),
    [
        ("val_loss", "min"),
        ("RMSE", "min"),
        ("mean_abs_error", "min"),
        ("mape", "min"),
        ("accuracy", "max"),
        ("f1", "max"),
        ("auc", "max"),
    ],
)
def test_a_metric_goal_is_guessed_from_its_name(name: str, goal: str) -> None:
    assert guess_goal(name) == goal


def test_comparison_marks_the_best_cells_and_the_baseline(p: OnFile, framework: Framework) -> None:
    e, f, g = (
        p.experiment("One"),
        p.experiment("Two", "10:00:02"),
        p.experiment("Three", "10:00:03"),
    )
    p.do("10:01:00", lambda pr, fw, c: keep_experiment(pr, c, f))
    p.link("10:05:00", e, run("a1", metrics={"accuracy": 0.8, "val_loss": 0.2}))
    p.link("10:05:01", f, run("b2", metrics={"accuracy": 0.9, "val_loss": 0.2}))
    p.link("10:05:02", g, run("c3", metrics={"accuracy": 0.7}))
    table = run_links.comparison(p.project, framework, [e, f, g, e[:7]])
    assert [x.id for x in table.experiments] == [e, f, g]
    assert table.baseline == 1 and table.baseline_experiment.id == f  # the kept one
    assert [(r.metric, r.goal, r.values, r.best) for r in table.rows] == [
        ("accuracy", "max", (0.8, 0.9, 0.7), (1,)),
        ("val_loss", "min", (0.2, 0.2, None), (0, 1)),
    ]
    assert run_links.comparison(p.project, framework, [g, e]).baseline == 0  # none kept
    declared = with_metrics(framework, MetricSpec("f1", "max"))
    (row,) = run_links.comparison(p.project, declared, [e, f]).rows
    assert (row.metric, row.values, row.best) == ("f1", (None, None), ())
    with pytest.raises(UsageError, match="no experiment"):
        run_links.comparison(p.project, framework, [e, "nope"])
    with pytest.raises(UsageError, match="name the experiments"):
        run_links.comparison(p.project, framework, [])


def test_the_snapshot_fields_are_what_the_merge_keeps_together() -> None:
    assert set(run_links.SNAPSHOT_FIELDS) == SNAPSHOT_FIELDS["runs"]


# --- experiment_metrics in mlpl.yaml ----------------------------------------------------------


def framework_text(metrics: str) -> str:
    text = builtin_framework_path().read_text(encoding="utf-8")
    return text + "\nexperiment_metrics:\n" + metrics


def test_the_built_in_framework_declares_no_metrics(framework: Framework) -> None:
    assert framework.experiment_metrics == ()


def test_experiment_metrics_are_names_or_names_with_a_goal(tmp_path: Path) -> None:
    text = framework_text("  - val_loss\n  - accuracy\n  - {name: latency_ms, goal: min}\n")
    loaded = parse_framework(text, tmp_path / "mlpl.yaml")
    assert loaded.experiment_metrics == (
        MetricSpec("val_loss", "min"),
        MetricSpec("accuracy", "max"),
        MetricSpec("latency_ms", "min"),
    )


@pytest.mark.parametrize(
    ("metrics", "problem"),
    [
        ("  - {name: f1, goal: best}\n", "'best' is not a goal: use max or min"),
        ("  - f1\n  - f1\n", "metric 'f1' appears twice"),
        ("  - 3\n", "expected text"),
        ("  - {goal: min}\n", "missing required field 'name'"),
        ("  - {name: f1, weight: 2}\n", "unknown field"),
        ("  - " + "m" * 300 + "\n", "at most 250 characters"),
        ("  f1\n", "expected a list"),
    ],
)
def test_bad_experiment_metrics_are_refused_naming_the_line(
    tmp_path: Path, metrics: str, problem: str
) -> None:
    with pytest.raises(
        FrameworkError, match=f"mlpl.yaml:\\d+: field 'experiment_metrics.*{problem}"
    ):
        parse_framework(framework_text(metrics), tmp_path / "mlpl.yaml")
