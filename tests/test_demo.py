"""The bundled demo project: reproducible, the story it tells, and `mlpl-tui demo`."""

from __future__ import annotations

import importlib.util
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest

from mlpl_tui import app
from mlpl_tui.cli import Session
from mlpl_tui.demo import copy_demo, demo_tracker_files
from mlpl_tui.figures import effort_figures, open_items
from mlpl_tui.framework import Framework
from mlpl_tui.history import field_changes, record_changes
from mlpl_tui.integrity import check
from mlpl_tui.journey import journey
from mlpl_tui.progress import is_closed, iteration
from mlpl_tui.report_md import render
from mlpl_tui.report_view import ReportView
from mlpl_tui.runs import find_runs
from mlpl_tui.store import Store
from tests.conftest import ROOT, Result


def _load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_demo", ROOT / "data/demo/make_demo.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_generator = _load_generator()
DEMO_FILE: Path = _generator.DEMO_FILE
build: Callable[[Path], Path] = _generator.build


def test_the_committed_demo_is_what_the_generator_writes(tmp_path: Path) -> None:
    built = build(tmp_path / "mlpl.json")
    assert built.read_bytes() == DEMO_FILE.read_bytes(), "run: python data/demo/make_demo.py"
    # Its documents too: the charter and the data report, written beside it in docs/.
    names = _generator.documents_of(built)
    assert [n.as_posix() for n in names] == ["docs/charter.md", "docs/data-report.md"]
    committed = sorted(p.name for p in (DEMO_FILE.parent / "docs").iterdir())
    assert committed == [n.name for n in names]
    for name in names:
        assert (tmp_path / name).read_bytes() == (DEMO_FILE.parent / name).read_bytes(), name
    # And its MLflow file store, mlruns/, file for file.
    stores = _generator.mlruns_of(built)
    committed_store = sorted(
        p.relative_to(DEMO_FILE.parent)
        for p in (DEMO_FILE.parent / "mlruns").rglob("*")
        if p.is_file()
    )
    assert stores == committed_store and 5 <= len(stores) <= 120
    for name in stores:
        assert (tmp_path / name).read_bytes() == (DEMO_FILE.parent / name).read_bytes(), name


def test_the_demo_reaches_acceptance_after_14_iterations_and_is_sound(
    framework: Framework,
) -> None:
    project = Store(DEMO_FILE).load()
    assert iteration(project) == 14 and is_closed(project)
    assert check(project, framework) == []
    assert "illustrative" in project.meta.name
    assert "invented" in project.modules["business.objectives"].note
    # The article's worked example: business went smoothly, then a data switch in stage 2.
    first = project.switches[0]
    assert (first.from_stage, first.to_stage, first.category) == ("data", "data", "data")
    assert "one season" in first.reason and "temperature" in first.reason
    steps = journey(project, framework)
    assert [s.visit.stage for s in steps[:2]] == ["business", "data"]
    assert len(project.switches) == 13
    assert {s.category for s in project.switches} == {"business", "data", "modelling", "other"}
    # About three months, January to April.
    assert project.visits[0].entered_at[:7] == "2026-01"
    assert project.visits[-1].left_at is not None and project.visits[-1].left_at[:7] == "2026-04"


def test_the_demo_has_the_records_a_report_needs(framework: Framework) -> None:
    project = Store(DEMO_FILE).load()
    statuses = [d.status for d in project.decisions]
    assert statuses.count("superseded") >= 2 and "rejected" in statuses
    assert all(d.superseded_by for d in project.decisions if d.status == "superseded")
    abandoned = [e for e in project.experiments if e.status == "abandoned"]
    assert len(abandoned) >= 3 and all(e.reason for e in abandoned)
    assert len(project.effort) > 50
    assert {a.answer for a in project.answers.values()} == {"yes"}
    assert len(project.answers) == 5
    assert effort_figures(project, framework).rework > 0
    assert open_items(project, framework).empty
    text = render(project, framework)
    assert "accepted by the client, iteration **14**" in text
    assert "25 visits in 14 iterations" in text


def test_the_demo_records_what_the_history_and_reports_now_keep(framework: Framework) -> None:
    """Every change with its values, a skip with its reason, results, a decision accepted later."""
    project = Store(DEMO_FILE).load()
    created, *changes = project.events
    assert created.action == "project.create"
    assert all(record_changes(e) for e in changes)  # every later event says what it wrote
    skipped = [m for m in project.modules.values() if m.status == "skipped"]
    assert [m.id for m in skipped] == ["business.milestones"] and skipped[0].reason
    assert all(e.result for e in project.experiments if e.status != "running")
    moves = [
        (m.before, m.after)
        for row in ReportView(project, framework).decisions
        for m in row.status_changes
    ]
    assert ("proposed", "accepted") in moves
    text = render(project, framework)
    assert "Status history:** proposed → accepted on 2026-03-02 by Priya Raman" in text
    assert skipped[0].reason.split(";")[0] in text  # the skip reason, in the module table


def test_the_demo_notes_learnings_and_attaches_documents_and_links(
    framework: Framework,
) -> None:
    """Learnings taught by switches, an abandoned experiment and decisions; the charter and the
    data report as documents (edited by hand, then refreshed), a tracking link, a free artifact."""
    project = Store(DEMO_FILE).load()
    assert 4 <= len(project.learnings) <= 6
    sources = {id for x in project.learnings for id in x.sources}
    switches = {s.id for s in project.switches}
    dropped = {e.id for e in project.experiments if e.status == "abandoned"}
    decisions = {d.id for d in project.decisions}
    assert sources & switches and sources & dropped and sources & decisions
    assert sources <= switches | dropped | decisions
    links = project.artifact_links
    assert links["project-charter"].locations == ("docs/charter.md",)
    assert links["data-report"].locations == ("docs/data-report.md",)
    assert links["experiment-log"].locations[0].startswith("https://")
    free = [link for id, link in links.items() if id not in framework.artifacts]
    assert [(x.title, x.stage) for x in free] == [("Pilot dashboard for the planners", "delivery")]
    charter = (DEMO_FILE.parent / "docs" / "charter.md").read_text(encoding="utf-8")
    assert "A regional drinks wholesaler" in charter  # written by hand
    assert "accepted by the client, iteration 14" in charter  # refreshed at the end
    report = (DEMO_FILE.parent / "docs" / "data-report.md").read_text(encoding="utf-8")
    assert "Added on 2 March (iteration 7)" in report and "| 14 | 2026-04-08 |" in report
    text = render(project, framework)
    assert "| L1 | In a seasonal business" in text
    assert "switch back to Data acquisition on 2026-01-21" in text
    assert "experiment E8: Two-stage model" in text
    assert "Pilot dashboard for the planners (pilot-dashboard)" in text


def test_search_finds_a_word_past_the_summary_cut_of_a_switch_reason(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    """`leak` sits past the 60 characters a summary quotes: the history filter once found it in
    none of the demo's events; search finds the switch and the event that wrote it."""
    project = Store(DEMO_FILE).load()
    (switch,) = [s for s in project.switches if "leak" in s.reason]
    assert switch.reason.index("leak") > 60
    (event,) = [e for e in project.events if switch.id in e.refs]
    assert "leak" not in event.summary
    reasons = [
        c.after for c in field_changes(event) if (c.table, c.field) == ("switches", "reason")
    ]
    assert reasons == [switch.reason]  # the history keeps the whole reason

    shutil.copyfile(DEMO_FILE, tmp_path / "mlpl.json")
    done = cli("search", "leak")
    assert done.code == 0, done.err
    assert f"switch {switch.id}: " in done.out and f"history {event.id} " in done.out
    data = json.loads(cli("search", "leak", "--json").out)
    found = {(h["kind"], h["id"], h["field"]) for h in data["hits"]}
    assert {("switch", switch.id, "reason"), ("event", event.id, "switches.reason")} <= found
    assert (tmp_path / "mlpl.json").read_bytes() == DEMO_FILE.read_bytes()  # reading never writes


def test_demo_copies_the_project_and_opens_it(
    cli: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[Path] = []

    def fake_open(session: Session) -> int:
        opened.append(session.path)
        return 0

    monkeypatch.setattr(app, "cmd_open", fake_open)
    done = cli("demo", "here")
    assert done.code == 0, done.err
    assert "illustrative" in done.err
    copy = tmp_path / "here" / "mlpl.json"
    assert copy.read_bytes() == DEMO_FILE.read_bytes()
    assert [p.resolve() for p in opened] == [copy]
    for name in ("charter.md", "data-report.md"):  # the documents its artifacts point to
        bundled = DEMO_FILE.parent / "docs" / name
        assert (tmp_path / "here" / "docs" / name).read_bytes() == bundled.read_bytes()
    for location, content in demo_tracker_files():  # its MLflow store, file for file
        assert location.startswith("mlruns/")
        assert (tmp_path / "here" / location).read_bytes() == content
    store = [p for p in (DEMO_FILE.parent / "mlruns").rglob("*") if p.is_file()]
    assert len(demo_tracker_files()) == len(store) > 0
    listed = json.loads(cli("artifact", "list", "--json", "--file", str(copy)).out)
    states = {a["id"]: a["state"] for a in listed}
    assert states["project-charter"] == states["data-report"] == "current"

    default = cli("demo")
    assert default.code == 0 and (tmp_path / "mlpl-demo" / "mlpl.json").is_file()


def test_demo_refuses_to_replace_a_project(
    cli: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(app, "cmd_open", lambda session: 0)
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "mlpl.json").write_text("{}", encoding="utf-8")
    done = cli("demo", "mine")
    assert done.code == 2
    assert "already exists" in done.err and len(done.err.strip().splitlines()) == 1
    assert (tmp_path / "mine" / "mlpl.json").read_text(encoding="utf-8") == "{}"
    # A document of the same name is not replaced either, and nothing is copied.
    (tmp_path / "theirs" / "docs").mkdir(parents=True)
    (tmp_path / "theirs" / "docs" / "charter.md").write_text("mine", encoding="utf-8")
    done = cli("demo", "theirs")
    assert done.code == 2 and "charter.md already exists" in done.err
    assert not (tmp_path / "theirs" / "mlpl.json").exists()
    assert sorted(p.name for p in (tmp_path / "theirs" / "docs").iterdir()) == ["charter.md"]
    # Nor a file of an MLflow store already there: a demo's runs never mix into someone's.
    (tmp_path / "runs" / "mlruns" / "0").mkdir(parents=True)
    (tmp_path / "runs" / "mlruns" / "0" / "meta.yaml").write_text("mine", encoding="utf-8")
    done = cli("demo", "runs")
    assert done.code == 2 and "meta.yaml already exists" in done.err
    assert not (tmp_path / "runs" / "mlpl.json").exists()
    assert [p.name for p in (tmp_path / "runs" / "mlruns").rglob("*")] == ["0", "meta.yaml"]
    # A store that is a file, not a folder, is refused too.
    (tmp_path / "flat").mkdir()
    (tmp_path / "flat" / "mlruns").write_text("not a folder", encoding="utf-8")
    done = cli("demo", "flat")
    assert done.code == 2 and "is not a folder" in done.err
    assert not (tmp_path / "flat" / "mlpl.json").exists()


def test_the_demo_links_runs_of_its_mlflow_store_and_reports_them(
    framework: Framework, tmp_path: Path
) -> None:
    """Runs found in the copied demo's mlruns/ are those its experiments link, snapshots equal
    to what the reader finds; the baseline, a kept model, the abandoned ones, one run tagged."""
    copy = copy_demo(tmp_path / "demo")
    project = Store(copy).load()
    found = {run.ref: run for run in find_runs(copy.parent)}
    assert 5 <= len(found) <= 8 and {r.tool for r in found.values()} == {"mlflow"}
    links = project.run_links
    assert len(links) >= 5 and {x.id for x in links} < set(found)  # one run left unlinked
    for link in links:
        run = found[link.id]
        assert (link.name, link.status, link.started_at, link.ended_at, link.where) == (
            run.name,
            run.status,
            run.started_at,
            run.ended_at,
            run.where,
        )
        assert link.params == dict(run.params) and not link.gone
        assert link.metric_values == {k: (v if v == v else None) for k, v in run.metrics.items()}
    titles = {e.id: e for e in project.experiments}
    statuses = {titles[x.experiment].status for x in links}
    assert statuses == {"kept", "abandoned"}
    (tagged,) = [r for r in found.values() if r.tagged]
    assert project.run_link(tagged.ref) is not None
    assert project.run_link(tagged.ref).experiment == tagged.tagged  # type: ignore[union-attr]
    assert any(v is None for x in links for v in x.metric_values.values())  # a NaN kept as null
    assert check(project, framework) == []
    text = render(project, framework)
    assert "### Linked runs" in text and "### Comparison" in text
    assert "| wmape | lower is better |" in text and "★" in text
    assert "E1. Seasonal naive: same week last year (baseline)" in text


def test_the_demo_file_lives_in_data_which_the_wheel_ships() -> None:
    assert DEMO_FILE == ROOT / "data" / "demo" / "mlpl.json"
