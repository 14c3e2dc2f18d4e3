"""Linked runs and the comparison in every report format; hostile run text planted in the state."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import pytest

from mlpl_tui import report_csv, report_html, report_json, report_md
from mlpl_tui.framework import Framework
from mlpl_tui.lifecycle import Context, abandon_experiment, add_experiment, keep_experiment
from mlpl_tui.model import Project
from mlpl_tui.report_view import ReportView, metric_text
from mlpl_tui.run_links import link_runs
from mlpl_tui.runs import Run
from mlpl_tui.sanitize import clean
from mlpl_tui.store import Store, dump
from tests.conftest import Result
from tests.html_page import Page, markdown_page

NAIVE_RUN = "0a1b2c3d4e5f60718293a4b5c6d7e8f9"
GBM_RUN = "1f2e3d4c5b6a79788796a5b4c3d2e1f0"
GBM_RUN_2 = "2c3d4e5f60718293a4b5c6d7e8f90a1b"
# Planted straight into the state file, past every check the commands make.
ESC = "\x1b[31mred\x1b[0m"
EVIL = f"<script>alert(1)</script> | [bold]x[/bold] *y* {ESC}\nsecond javascript:alert(1)"
EVIL_LINE = clean(" ".join(EVIL.split()))  # as one line of a Markdown table shows it
EVIL_METRIC = f"loss|<b>{ESC}</b>\n[bold]"
EVIL_PARAM = "javascript:alert(1)"
EVIL_PARAM_VALUE = f"<script>x</script>|{ESC}\n[bold]=1"


def _run(id: str, name: str, metrics: dict[str, float], **params: str) -> Run:
    return Run(
        "mlflow",
        id,
        name,
        "FINISHED",
        "2026-03-01T09:00:00Z",
        "2026-03-01T09:30:00Z",
        params,
        metrics,
        None,
        "mlruns",
    )


def _experiment(store: Store, framework: Framework, ctx: Context, title: str) -> str:
    done = store.apply(lambda p: add_experiment(p, framework, ctx, title), ctx.who, ctx.now)
    assert done.change.result is not None
    return done.change.result


def _link(store: Store, framework: Framework, ctx: Context, ref: str, *runs: Run) -> None:
    store.apply(lambda p: link_runs(p, framework, ctx, ref, runs), ctx.who, ctx.now)


@pytest.fixture
def ids(store: Store, framework: Framework, ctx: Context) -> dict[str, str]:
    """Three experiments with runs (a kept baseline, an abandoned one, a running one with a
    NaN metric) and one without."""
    found = {
        key: _experiment(store, framework, ctx, title)
        for key, title in (
            ("naive", "Seasonal naive"),
            ("gbm", "Gradient boosting"),
            ("two", "Two-stage model"),
            ("none", "Not run yet"),
        )
    }
    store.apply(lambda p: keep_experiment(p, ctx, found["naive"], result="31%"), "t", ctx.now)
    store.apply(lambda p: abandon_experiment(p, ctx, found["gbm"], "Leak"), "t", ctx.now)
    _link(store, framework, ctx, found["naive"], _run(NAIVE_RUN, "naive", {"mape": 0.31}))
    _link(
        store,
        framework,
        ctx,
        found["gbm"],
        _run(GBM_RUN, "gbm-a", {"mape": 0.12, "r2": 0.8}, depth="6"),
        _run(GBM_RUN_2, "gbm-b", {"mape": 0.15, "r2": 0.9}, depth="8"),
    )
    _link(store, framework, ctx, found["two"], _run("3" * 32, "two", {"mape": float("nan")}))
    return found


@pytest.fixture
def project(store: Store, ids: dict[str, str]) -> Project:
    return store.load()


def _columns_hold(text: str) -> None:
    """Every Markdown table row has its header's columns: no stray | splits one."""
    for block in re.split(r"\n\n", text):
        lines = [line for line in block.splitlines() if line.startswith("| ")]
        if lines:
            assert len({len(re.findall(r"(?<!\\)\|", line)) for line in lines}) == 1, block


# --- the view and every format -------------------------------------------------------------


def test_the_view_lists_each_experiments_runs_and_compares_them(
    project: Project, framework: Framework, ids: dict[str, str]
) -> None:
    view = ReportView(project, framework)
    listed = [(x.row.number, [r.link.name for r in x.runs]) for x in view.experiment_runs]
    assert listed == [(1, ["naive"]), (2, ["gbm-a", "gbm-b"]), (3, ["two"])]
    gbm = view.experiment_runs[1]
    assert dict(gbm.best) == {"mape": "0.12", "r2": "0.9"}  # lower mape, higher r2
    assert view.experiment_runs[2].runs[0].metrics == (("mape", "—"),)
    table = view.comparison
    assert table is not None
    assert [c.experiment.id for c in table.columns] == [ids["naive"], ids["gbm"], ids["two"]]
    assert table.baseline == 0 and table.heading(0) == "E1. Seasonal naive (baseline)"
    rows = {metric: [c.words for c in cells] for metric, _, cells in table.rows}
    assert rows == {"mape": ["0.31", "0.12 ★", "—"], "r2": ["—", "0.9 ★", "—"]}
    assert metric_text(None) == "—" and metric_text(1234567.0) == "1.23457e+06"


def test_markdown_shows_linked_runs_and_the_comparison(
    project: Project, framework: Framework
) -> None:
    text = report_md.render(project, framework)
    assert "### Linked runs" in text and "### Comparison" in text
    assert "#### E2. Gradient boosting" in text and "#### E4." not in text
    assert "Best of its runs: mape: 0.12; r2: 0.9." in text
    page = markdown_page(text)
    assert page.row("gbm-a") == [
        "gbm-a",
        f"mlflow:{GBM_RUN}",
        "FINISHED",
        "2026-03-01 09:00",
        "2026-03-01 09:30",
        "mape: 0.12; r2: 0.8",
        "depth: 6",
    ]
    assert page.row("two")[5] == "mape: —"
    assert "Metric" in [r[0] for r in page.rows if r]
    header = next(r for r in page.rows if r and r[0] == "Metric")
    assert header[2:] == [
        "E1. Seasonal naive (baseline)",
        "E2. Gradient boosting",
        "E3. Two-stage model",
    ]
    assert page.row("mape") == ["mape", "lower is better", "0.31", "0.12 ★", "—"]
    assert page.row("r2") == ["r2", "higher is better", "—", "0.9 ★", "—"]
    _columns_hold(text)


def test_html_shows_linked_runs_and_the_comparison_best_marked_by_a_character(
    project: Project, framework: Framework
) -> None:
    html = report_html.render(project, framework)
    page = Page(html)
    assert page.row("gbm-b")[:3] == ["gbm-b", f"mlflow:{GBM_RUN_2}", "FINISHED"]
    assert page.row("gbm-b")[5] == "mape: 0.15\nr2: 0.9"
    assert page.row("mape") == ["mape", "lower is better", "0.31", "0.12 ★", "—"]
    assert re.search(r'<td class="num best" data-label="[^"]*">0.12 ★</td>', html)
    assert '<th class="num baseline">E1. Seasonal naive (baseline)</th>' in html
    assert "Best of its runs: mape: 0.12, r2: 0.9." in html


def test_csv_has_a_run_row_per_linked_run_with_its_metrics_in_detail(
    project: Project, framework: Framework, ids: dict[str, str]
) -> None:
    rows = list(csv.DictReader(io.StringIO(report_csv.render(project, framework), newline="")))
    runs = [r for r in rows if r["kind"] == "run"]
    assert [r["id"] for r in runs] == [
        f"mlflow:{NAIVE_RUN}",
        f"mlflow:{GBM_RUN}",
        f"mlflow:{GBM_RUN_2}",
        "mlflow:" + "3" * 32,
    ]
    gbm = runs[1]
    assert gbm["experiment"] == ids["gbm"] and gbm["action"] == "FINISHED"
    assert gbm["text"] == "gbm-a" and gbm["at"] == "2026-03-01T09:00:00Z"
    assert gbm["date"] == "2026-03-01" and gbm["by"] == "tester"
    assert gbm["detail"].split("\n") == ["mape=0.12", "r2=0.8", "param depth=6"]
    assert runs[3]["detail"] == "mape="  # NaN, stored as null: no number


def test_json_has_each_experiments_runs_and_the_comparison(
    project: Project, framework: Framework, ids: dict[str, str]
) -> None:
    data = json.loads(report_json.render(project, framework))
    by_id = {e["id"]: e for e in data["experiments"]}
    assert by_id[ids["none"]]["runs"] == [] and by_id[ids["none"]]["best_metrics"] == {}
    gbm = by_id[ids["gbm"]]
    assert [r["name"] for r in gbm["runs"]] == ["gbm-a", "gbm-b"]
    first = gbm["runs"][0]
    assert first["ref"] == f"mlflow:{GBM_RUN}" and first["run_id"] == GBM_RUN
    assert first["metrics"] == {"mape": 0.12, "r2": 0.8} and first["params"] == {"depth": "6"}
    assert first["gone"] is False and first["where"] == "mlruns"
    assert gbm["best_metrics"] == {"mape": 0.12, "r2": 0.9}
    assert by_id[ids["two"]]["runs"][0]["metrics"] == {"mape": None}
    compared = data["comparison"]
    assert compared["experiments"] == [ids["naive"], ids["gbm"], ids["two"]]
    assert compared["baseline"] == ids["naive"]
    mape = compared["rows"][0]
    assert mape == {
        "metric": "mape",
        "goal": "min",
        "values": {ids["naive"]: 0.31, ids["gbm"]: 0.12, ids["two"]: None},
        "best": [ids["gbm"]],
    }


def test_a_run_gone_from_its_store_is_marked_in_every_format(
    project: Project, framework: Framework, tmp_path: Path
) -> None:
    path = tmp_path / "mlpl.json"
    data: dict[str, Any] = orjson.loads(path.read_bytes())
    data["runs"][f"mlflow:{NAIVE_RUN}"]["gone"] = True
    path.write_bytes(dump(data))
    gone = Store(path).load()
    assert "FINISHED, gone from its store" in markdown_page(report_md.render(gone, framework)).row(
        "naive"
    )
    html = report_html.render(gone, framework)
    assert '<span class="gone">FINISHED, gone from its store</span>' in html
    rows = csv.DictReader(io.StringIO(report_csv.render(gone, framework), newline=""))
    assert next(r["action"] for r in rows if r["kind"] == "run") == "FINISHED, gone"
    runs = json.loads(report_json.render(gone, framework))["experiments"][0]["runs"]
    assert runs[0]["gone"] is True


def test_without_linked_runs_nothing_new_appears(store: Store, framework: Framework) -> None:
    project = store.load()
    text = report_md.render(project, framework)
    assert "Linked runs" not in text and "Comparison" not in text
    assert "Linked runs" not in report_html.render(project, framework)
    data = json.loads(report_json.render(project, framework))
    assert data["comparison"] is None
    assert "\r\nrun," not in report_csv.render(project, framework)


# --- hostile text planted in the state -------------------------------------------------------


def _planted(project: Project, tmp_path: Path) -> Project:
    """The fixture's file with a hostile run name, metric name and param written into it."""
    path = tmp_path / "mlpl.json"
    data: dict[str, Any] = orjson.loads(path.read_bytes())
    link = data["runs"][f"mlflow:{GBM_RUN}"]
    link["name"] = EVIL
    link["status"] = EVIL
    link["metrics"] = {EVIL_METRIC: 0.5, "mape": None}
    link["params"] = {EVIL_PARAM: EVIL_PARAM_VALUE}
    path.write_bytes(dump(data))
    return Store(path).load()


def test_hostile_run_text_stays_text_in_markdown(
    project: Project, framework: Framework, tmp_path: Path
) -> None:
    planted = _planted(project, tmp_path)
    text = report_md.render(planted, framework)
    assert "\x1b" not in text  # controls shown, never sent (a report may be cat to a terminal)
    page = markdown_page(text)
    plain = markdown_page(report_md.render(project, framework)).tags
    for tag in ("script", "a", "b", "em", "strong", "code"):
        assert page.tags.count(tag) == plain.count(tag), tag
    assert not page.hrefs or all(h.startswith("#") for h in page.hrefs)
    evil = page.row(EVIL_LINE)
    assert evil[2] == EVIL_LINE
    metric = clean(" ".join(EVIL_METRIC.split()))
    assert evil[5] == f"{metric}: 0.5; mape: —"
    assert evil[6] == f"{EVIL_PARAM}: {clean(' '.join(EVIL_PARAM_VALUE.split()))}"
    metric_row = page.row(metric)  # a row of the comparison
    assert metric_row[1:] == ["lower is better", "—", "0.5 ★", "—"]
    _columns_hold(text)
    assert "\\[bold\\]" in text and "&lt;script&gt;" in text


def test_hostile_run_text_is_escaped_in_html(
    project: Project, framework: Framework, tmp_path: Path
) -> None:
    planted = _planted(project, tmp_path)
    html = report_html.render(planted, framework)
    page = Page(html)
    assert "script" not in page.tags and "<script" not in html.lower()
    assert page.tags.count("b") == Page(report_html.render(project, framework)).tags.count("b")
    assert not any("javascript" in h.lower() for h in page.hrefs)
    assert "\x1b" not in html  # controls shown, never sent

    def shown(stored: str) -> str:
        return clean(stored, multiline=True)

    evil = page.row(shown(EVIL))
    assert evil[2] == shown(EVIL)
    assert evil[5] == f"{shown(EVIL_METRIC)}: 0.5\nmape: —"
    assert evil[6] == shown(f"{EVIL_PARAM}: {EVIL_PARAM_VALUE}")
    assert page.row(shown(EVIL_METRIC))[1:] == ["lower is better", "—", "0.5 ★", "—"]


def test_json_and_csv_give_the_planted_run_back_exactly(
    project: Project, framework: Framework, tmp_path: Path
) -> None:
    planted = _planted(project, tmp_path)
    data = json.loads(report_json.render(planted, framework))
    (run,) = [r for e in data["experiments"] for r in e["runs"] if r["run_id"] == GBM_RUN]
    assert run["name"] == EVIL and run["status"] == EVIL
    assert run["metrics"] == {EVIL_METRIC: 0.5, "mape": None}
    assert run["params"] == {EVIL_PARAM: EVIL_PARAM_VALUE}
    assert EVIL_METRIC in [row["metric"] for row in data["comparison"]["rows"]]

    rows = list(csv.DictReader(io.StringIO(report_csv.render(planted, framework), newline="")))
    (row,) = [r for r in rows if r["id"] == f"mlflow:{GBM_RUN}"]
    assert row["text"] == EVIL and row["action"] == EVIL
    assert row["detail"] == f"{EVIL_METRIC}=0.5\nmape=\nparam {EVIL_PARAM}={EVIL_PARAM_VALUE}"


def test_the_report_command_never_sends_a_planted_run_escape_to_the_terminal(
    project: Project, framework: Framework, cli: Callable[..., Result], tmp_path: Path
) -> None:
    _planted(project, tmp_path)
    for format in ("md", "html", "csv", "json"):
        done = cli("report", "--format", format)
        assert done.code == 0, done.err
        assert "\x1b" not in done.out, format
        assert ("\\u001b" if format == "json" else "\\x1b") in done.out, format


def test_a_phone_reads_a_hostile_title_in_the_comparison_as_text(
    store: Store, framework: Framework, ctx: Context, ids: dict[str, str]
) -> None:
    """On a phone each comparison cell shows its column's heading (data-label): an
    experiment's title there is stored text, escaped like everywhere else."""
    hostile = '<script>x</script> " onx="1 [b]'
    evil = _experiment(store, framework, ctx, hostile)
    _link(store, framework, ctx, evil, _run("4" * 32, "evil", {"mape": 0.2}))
    html = report_html.render(store.load(), framework)
    assert 'data-label="E5. &lt;script&gt;x&lt;/script&gt; &quot; onx=&quot;1 [b]"' in html
    assert "<script>x" not in html
