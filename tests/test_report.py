"""Reports against a fixture project: figures, every format, hostile text, the command."""

from __future__ import annotations

import copy
import csv
import io
import json
import re
import subprocess
import sys
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from markdown_it import MarkdownIt

from mlpl_tui import report_csv, report_html, report_json, report_md, report_mermaid
from mlpl_tui.corrections import edit_decision, edit_experiment
from mlpl_tui.figures import effort_figures, is_rework, iteration_rows, open_items
from mlpl_tui.framework import Framework
from mlpl_tui.journey import journey
from mlpl_tui.lifecycle import (
    Context,
    abandon_experiment,
    add_experiment,
    advance,
    answer_question,
    decide,
    keep_experiment,
    log_effort,
    set_status,
    switch_back,
)
from mlpl_tui.model import Project
from mlpl_tui.report_madr import write_records
from mlpl_tui.report_view import ReportView
from mlpl_tui.sanitize import clean
from mlpl_tui.store import Store
from tests.conftest import ROOT, Result, apply, fixed_ids

HOSTILE = '<script>alert(1)</script> | "quoted" \nsecond line'
HOSTILE_LINE = '<script>alert(1)</script> | "quoted" second line'  # as one line shows it
# An experiment's result: a spreadsheet formula, a pipe, markup, Markdown and a terminal escape.
HOSTILE_RESULT = '=HYPERLINK("http://x.example","click") | <b>31%</b> *bold* `x` \x1b[31mred'
KEPT_RESULT = "Weighted MAPE 31%: the score to beat"


def _done(store: Store, framework: Framework, ctx: Context, stage: str) -> None:
    for module in framework.stage(stage).required_modules:
        apply(store, framework, ctx, set_status, module.id, "done")


def _experiment(store: Store, framework: Framework, ctx: Context, title: str, **kw: str) -> str:
    change = store.apply(lambda p: add_experiment(p, framework, ctx, title, **kw), "t", ctx.now)
    assert change.change.result is not None
    return change.change.result


@pytest.fixture
def project(store: Store, framework: Framework, ctx: Context) -> Project:
    """Business -> Data -> (data switch) Data -> Modelling -> (business switch) Business -> Data.

    Effort: business 2h (it 1) + 1h (it 3, rework); data 3h (it 1) + 1h30m (it 2, rework)
    + 30m (it 3, rework); modelling 4h (it 2, first visit). Total 12h, rework 3h = 25%.
    """
    _done(store, framework, ctx, "business")
    apply(store, framework, ctx, set_status, "business.milestones", "skipped", reason=HOSTILE)
    apply(store, framework, ctx, log_effort, "2h", stage="business", note="Workshops")
    apply(store, framework, ctx, advance)
    apply(store, framework, ctx, log_effort, "3h", module="data.acquisition", note="ERP export")
    apply(
        store,
        framework,
        ctx,
        switch_back,
        "data",
        "data",
        "Only one season of history; temperature drives demand",
        "acquisition",
    )
    apply(store, framework, ctx, log_effort, "1h30m", stage="data", note=HOSTILE)
    _done(store, framework, ctx, "data")
    apply(store, framework, ctx, advance)
    kept = _experiment(store, framework, ctx, "Seasonal naive", hypothesis="The score to beat")
    dropped = _experiment(store, framework, ctx, "Observed temperature", link="runs/2")
    hostile = _experiment(store, framework, ctx, HOSTILE, hypothesis=HOSTILE, link="=HYPERLINK(1)")
    apply(store, framework, ctx, edit_experiment, hostile, result=HOSTILE_RESULT)
    store.apply(lambda p: keep_experiment(p, ctx, kept, result=KEPT_RESULT), "t", ctx.now)
    store.apply(
        lambda p: abandon_experiment(
            p, ctx, dropped, "Leaks the forecast week's weather", result="12% MAPE: too good"
        ),
        "t",
        ctx.now,
    )
    apply(store, framework, ctx, log_effort, "4h", stage="modelling", experiment=dropped)
    first = store.apply(
        lambda p: decide(
            p, framework, ctx, "Weekly forecasts", "Weekly, 8 weeks ahead", stage="business"
        ),
        "t",
        ctx.now,
    ).change.result
    apply(
        store,
        framework,
        ctx,
        decide,
        "Daily forecasts",
        "Daily, 10 days ahead",
        rationale="Weather forecasts reach 10 days",
        supersedes=first,
    )
    apply(
        store,
        framework,
        ctx,
        decide,
        HOSTILE,
        HOSTILE,
        context="- not a list\n# not a heading\n===",
        status="proposed",
    )
    apply(
        store,
        framework,
        ctx,
        switch_back,
        "business",
        "business",
        "The client wants daily forecasts | not weekly",
    )
    apply(store, framework, ctx, log_effort, "1h", stage="business", note="=SUM(A1:A9)")
    apply(store, framework, ctx, advance)
    apply(store, framework, ctx, log_effort, "30m", stage="data")
    apply(store, framework, ctx, answer_question, "1", "yes", "Planners act on forecasts")
    return store.load()


# --- the figures -----------------------------------------------------------------------------


def test_effort_per_stage_per_iteration_and_the_rework_share(
    project: Project, framework: Framework
) -> None:
    effort = effort_figures(project, framework)
    assert effort.total == 12 * 60
    assert effort.by_stage == {"business": 180, "data": 300, "modelling": 240, "delivery": 0}
    assert effort.rework_by_stage == {"business": 60, "data": 120, "modelling": 0, "delivery": 0}
    assert effort.by_iteration == {1: 300, 2: 330, 3: 90}
    assert effort.rework_by_iteration == {2: 90, 3: 90}
    assert effort.rework == 180
    assert effort.rework_share == pytest.approx(0.25)
    assert sum(effort.by_experiment.values()) == 240
    rows = iteration_rows(project, effort)
    assert [(r.number, r.stages, r.minutes, r.rework) for r in rows] == [
        (1, ("business", "data"), 300, 0),
        (2, ("data", "modelling"), 330, 90),
        (3, ("business", "data"), 90, 90),
    ]


def test_rework_is_effort_in_a_later_visit_to_a_stage_only(project: Project) -> None:
    first = {"business": 1, "data": 1, "modelling": 2}
    rework = [(e.stage, e.iteration) for e in project.effort if is_rework(e, first)]
    assert sorted(rework) == [("business", 3), ("data", 2), ("data", 3)]


def test_an_empty_project_has_no_rework_and_no_share(store: Store, framework: Framework) -> None:
    effort = effort_figures(store.load(), framework)
    assert (effort.total, effort.rework, effort.rework_share) == (0, 0, 0.0)


def test_open_items_name_modules_to_revisit_and_required_modules_not_done(
    project: Project, framework: Framework
) -> None:
    items = open_items(project, framework)
    # The switch back to business marked the data and modelling work for revisit.
    assert {m.id for m in items.revisit} >= {"data.acquisition", "data.cleaning"}
    assert all(m.stage in ("business", "data") for m in items.required_not_done)
    assert items.required_ahead > 0  # modelling and delivery lie ahead again
    assert [e.title for e in items.running_experiments] == [HOSTILE]
    assert [d.title for d in items.proposed_decisions] == [HOSTILE]


# --- the view-model every format writes out ------------------------------------------------------


def test_the_view_numbers_links_and_counts_what_every_format_shows(
    project: Project, framework: Framework
) -> None:
    view = ReportView(project, framework)
    assert view.file_name == "mlpl.json" and view.iteration == 3 and not view.closed
    rows = view.decisions
    assert [r.number for r in rows] == [1, 2, 3]
    first, second, proposed = rows
    assert [(k.label, k.number) for k in first.links] == [("Superseded by", 2)]
    assert [(k.label, k.number) for k in second.links] == [("Supersedes", 1)]
    assert [label for label, _ in second.sections] == ["Decision", "Consequences"]
    assert view.proposed_decisions == [proposed]
    counts = view.experiment_counts
    assert (counts.total, counts.kept, counts.abandoned, counts.running) == (3, 1, 1, 1)
    assert counts.lost_minutes == 240
    assert [r.minutes for r in view.experiments] == [0, 240, 0]
    assert [(s.stage, s.share) for s in view.stage_effort] == [
        ("business", "33%"),
        ("data", "40%"),
        ("modelling", "0%"),
        ("delivery", ""),
    ]
    assert [it.path for it in view.iterations] == [("1", "2"), ("2", "3"), ("1", "2")]
    assert [q.word for q in view.questions] == ["yes", "unknown", "unknown", "unknown", "unknown"]
    assert [(r.entry.stage, r.entry.iteration) for r in view.effort_rows if r.rework] == [
        ("data", 2),
        ("business", 3),
        ("data", 3),
    ]
    assert all(r.status not in ("done", "skipped") for r in view.required_items)


def test_a_link_to_a_decision_not_in_the_file_keeps_its_id(
    project: Project, framework: Framework
) -> None:
    tables = {name: dict(rows) for name, rows in copy.deepcopy(project.tables).items()}
    first = project.decisions[0].id
    del tables["decisions"][first]
    view = ReportView(Project(tables, project.label), framework)
    (link,) = view.decisions[0].links
    assert (link.label, link.ref, link.number) == ("Supersedes", first, None)
    assert f"[{first}](#decision-{first})" in report_md.render(view.project, framework)
    page = report_html.render(view.project, framework)
    assert f'Supersedes <a href="#decision-{first}">{first}</a>' in page


# --- Markdown --------------------------------------------------------------------------------


class _Html(HTMLParser):
    """Collects tags, table rows and text from rendered HTML."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.rows: list[list[str]] = []
        self.text: list[str] = []
        self.open: list[str] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag == "tr":
            self.rows.append([])
        if tag in ("td", "th"):
            self._cell = []
        if tag not in ("br", "meta", "hr", "img", "input", "link", "path", "rect", "circle"):
            self.open.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append("".join(self._cell))
            self._cell = None
        if tag in ("path", "rect", "circle"):
            return
        assert self.open and self.open[-1] == tag, f"</{tag}> closes <{self.open[-1:]}>"
        self.open.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._cell is not None:
            self._cell.append(data)


def rendered_markdown(text: str) -> _Html:
    parser = _Html()
    parser.feed(MarkdownIt("commonmark").enable("table").render(text))
    return parser


def test_markdown_has_every_switch_decision_and_experiment(
    project: Project, framework: Framework
) -> None:
    text = report_md.render(project, framework)
    shown = " ".join("".join(rendered_markdown(text).text).split())
    for s in project.switches:
        assert " ".join(s.reason.split()) in shown
    for d in project.decisions:
        assert " ".join(d.title.split()) in shown
        assert d.status in shown
    for e in project.experiments:
        assert " ".join(e.title.split()) in shown
    assert "Leaks the forecast week's weather" in shown  # why it was abandoned
    for e in project.experiments:
        assert e.result and clean(" ".join(e.result.split())) in shown  # what each one found
    assert HOSTILE_LINE in shown  # why business.milestones was skipped
    assert "Status history: accepted → superseded on 2026-03-02 by tester" in shown
    assert "Total 12h, of which rework 3h (25%)" in shown
    assert "Rework is effort logged on a stage in a later iteration" in shown
    assert "Planners act on forecasts" in shown
    assert "[D1](#decision-id" in text and "Superseded by:** [D2]" in text


def test_markdown_tables_keep_their_columns_and_hostile_text_stays_text(
    project: Project, framework: Framework
) -> None:
    html = rendered_markdown(report_md.render(project, framework))
    assert "script" not in html.tags
    # In the module table (why it was skipped), the decision index and the experiments, in one
    # cell each.
    assert len([r for r in html.rows if HOSTILE_LINE in r]) == 3
    header = ["Module", "Status", "", "Note", "Why skipped"]
    assert header in html.rows
    (skipped,) = [r for r in html.rows if r[0] == "Milestones"]
    assert skipped[1:] == ["⤼ skipped", "optional", "", HOSTILE_LINE]
    # The result stays text: its cell shows it as typed (a tag or an emphasis parsed from it
    # would drop the characters that made it), and no bold or emphasis appears anywhere.
    result = clean(HOSTILE_RESULT)  # the escape written visibly
    (result_row,) = [r for r in html.rows if result in r]
    assert result_row[0] == "E3" and result_row[6] == result and len(result_row) == 8
    assert not {"b", "em"} & set(html.tags)
    # Every row has as many cells as its table's header (a stray | would add one).
    text = report_md.render(project, framework)
    for block in re.split(r"\n\n", text):
        lines = [line for line in block.splitlines() if line.startswith("| ")]
        if lines:
            counts = {len(re.findall(r"(?<!\\)\|", line)) for line in lines}
            assert len(counts) == 1, block
    # The context's block markers stay text: no list and no heading made of them.
    assert "- not a list" in "".join(html.text)
    assert "# not a heading" in "".join(html.text)


def test_the_mermaid_journey_has_a_node_per_visit_and_labelled_switches(
    project: Project, framework: Framework
) -> None:
    text = report_md.render(project, framework)
    block = text.split("```mermaid\n", 1)[1].split("```", 1)[0]
    nodes = re.findall(r'^\s+s(\d+)\["', block, re.MULTILINE)
    assert sorted(map(int, nodes)) == list(range(1, len(project.visits) + 1))
    assert "s2 -.->|data| s3" in block
    assert "-.->|business|" in block
    assert block.count("-->") == len(project.visits) - 1 - len(project.switches)
    assert "subgraph lane1" in block and "subgraph lane3" in block
    assert "subgraph lane4" not in block  # no visit to delivery: no empty lane
    # The text fallback: a row per stage, a dot per visit.
    fallback = text.split("```text\n", 1)[1].split("```", 1)[0]
    assert fallback.count("●") == len(project.visits)


def _with_hostile_framework_text(project: Project) -> Project:
    tables = copy.deepcopy(dict(project.tables))
    switches = {id: {**record, "category": HOSTILE} for id, record in tables["switches"].items()}
    return Project({**tables, "switches": switches}, project.label)


MERMAID_LINE = re.compile(
    r'^(flowchart TB|  subgraph lane\d\["[^"\[\]<>|]*"\]|  end'
    r'|    s\d+\["[^"\[\]<>|]*"\]|  s\d+ (-->|-\.->(\|[^"\[\]<>|]*\|)?) s\d+'
    r"|  classDef here stroke-width:4px|  class s\d+ here)$"
)


def test_hostile_text_cannot_break_the_mermaid_diagram(
    project: Project, framework: Framework
) -> None:
    hostile = _with_hostile_framework_text(project)
    lines = report_mermaid.flowchart(journey(hostile, framework), framework)
    assert lines[0] == "```mermaid" and lines[-1] == "```"
    for line in lines[1:-1]:
        assert MERMAID_LINE.match(line), line
    assert "#60;script#62;" in "\n".join(lines)  # shown, as entity codes


# --- HTML ------------------------------------------------------------------------------------


def test_html_parses_escapes_user_text_and_has_no_live_script(
    project: Project, framework: Framework
) -> None:
    page = report_html.render(_with_hostile_framework_text(project), framework)
    parser = _Html()
    parser.feed(page)
    parser.close()
    assert parser.open == []  # every element closed, in order
    assert "script" not in parser.tags
    assert "<script" not in page.lower()
    text = "".join(parser.text)
    assert HOSTILE.replace("\n", "") in text.replace("\n", "")  # shown as typed
    assert "svg" in parser.tags and parser.tags.count("circle") == len(project.visits)
    # Self-contained: nothing fetched.
    assert not re.search(r"<link|src=|@import|url\(http", page)


def test_html_has_every_switch_decision_experiment_and_the_effort_figures(
    project: Project, framework: Framework
) -> None:
    parser = _Html()
    html = report_html.render(project, framework)
    parser.feed(html)
    assert "\x1b" not in html  # controls shown, never sent (a page may be cat to a terminal)
    text = " ".join("".join(parser.text).split())

    def shown(stored: str) -> str:
        return " ".join(clean(stored, multiline=True).split())

    for record in (*project.switches,):
        assert shown(record.reason) in text
    for d in project.decisions:
        assert shown(d.title) in text
    for e in project.experiments:
        assert shown(e.title) in text
    assert "Leaks the forecast week's weather" in text
    for e in project.experiments:
        assert e.result and shown(e.result) in text
    assert HOSTILE_LINE in text  # the skip reason
    assert "Status historyaccepted → superseded on 2026-03-02 by tester" in text
    assert "Total 12h, of which rework 3h (25%)" in text
    (skipped,) = [r for r in parser.rows if r[0] == "Milestones"]
    assert skipped[-1] == HOSTILE  # a cell of its own, its line break kept
    (result_row,) = [r for r in parser.rows if r and r[0] == "E3"]
    assert result_row[6] == clean(HOSTILE_RESULT)  # markup as typed, the escape visible


# --- CSV and JSON ----------------------------------------------------------------------------


def test_csv_rows_round_trip_through_the_csv_reader(project: Project, framework: Framework) -> None:
    rows = list(csv.DictReader(io.StringIO(report_csv.render(project, framework), newline="")))
    effort = [r for r in rows if r["kind"] == "effort"]
    events = [r for r in rows if r["kind"] == "event"]
    assert len(effort) == len(project.effort) and len(events) == len(project.events)
    assert sum(int(r["minutes"]) for r in effort) == 12 * 60
    assert sum(int(r["minutes"]) for r in effort if r["rework"] == "yes") == 180
    assert HOSTILE in [r["text"] for r in effort]  # quotes, the comma-free pipe, the newline
    # A cell a spreadsheet would run as a formula starts with an apostrophe.
    assert "'=SUM(A1:A9)" in [r["text"] for r in effort]
    assert [r["id"] for r in events] == [e.id for e in project.events]
    # An event's detail holds, whole, what its summary cuts: the skip reason, each result.
    details = [r["detail"] for r in events]
    assert f"reason: {HOSTILE}" in details
    assert f"result: {HOSTILE_RESULT}" in details
    assert f"result: {KEPT_RESULT}" in details
    assert any(d.endswith("; status: accepted → superseded") for d in details)
    for row in rows:
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@")), row


def test_json_export_has_the_whole_project(project: Project, framework: Framework) -> None:
    data = json.loads(report_json.render(project, framework))
    assert data["format"] == "mlpl-tui-report" and data["format_version"] == 1
    assert data["project"]["iteration"] == 3
    assert data["project"]["current_stage"] == "data"
    assert len(data["switches"]) == 2 and len(data["decisions"]) == 3
    assert len(data["experiments"]) == 3 and len(data["events"]) == len(project.events)
    assert len(data["journey"]) == len(project.visits)
    summary = data["effort_summary"]
    assert summary["total_minutes"] == 720 and summary["rework_minutes"] == 180
    assert summary["rework_share"] == 0.25
    assert summary["by_stage"]["data"] == 300
    assert [r["minutes"] for r in summary["by_iteration"]] == [300, 330, 90]
    old, new = data["decisions"][0], data["decisions"][1]
    assert old["superseded_by"] == new["id"] and new["supersedes"] == old["id"]
    assert {s["id"]: s["effort_minutes"] for s in data["stages"]}["modelling"] == 240
    assert data["questions"][0]["answer"] == "yes"
    modules = {m["id"]: m for s in data["stages"] for m in s["modules"]}
    assert modules["business.milestones"]["reason"] == HOSTILE  # exact, newline and all
    assert modules["business.milestones"]["status"] == "skipped"
    assert [e["result"] for e in data["experiments"]] == [
        KEPT_RESULT,
        "12% MAPE: too good",
        HOSTILE_RESULT,
    ]
    moves = old["status_changes"]
    assert [(m["from"], m["to"], m["by"]) for m in moves] == [("accepted", "superseded", "tester")]
    assert new["status_changes"] == []


# --- decision status moves, from the history ------------------------------------------------------

HOSTILE_USER = "<script>x</script> | *who* =cmd"


def test_decision_status_moves_show_in_every_format_with_who_and_when(
    store: Store, framework: Framework, ctx: Context, tmp_path: Path
) -> None:
    """proposed → accepted by ann, then accepted → deprecated by a hostile user name."""
    made = store.apply(
        lambda p: decide(p, framework, ctx, "Weekly grain", "Per week", status="proposed"),
        ctx.who,
        ctx.now,
    ).change.result
    assert made is not None
    ann = Context("ann", "2026-03-04T12:00:00Z", make_id=fixed_ids("ann"))
    apply(store, framework, ann, edit_decision, made, status="accepted")
    evil = Context(HOSTILE_USER, "2026-03-05T12:00:00Z", make_id=fixed_ids("evil"))
    apply(store, framework, evil, edit_decision, made, status="deprecated")
    project = store.load()
    accepted = "proposed → accepted on 2026-03-04 by ann"
    deprecated = f"accepted → deprecated on 2026-03-05 by {HOSTILE_USER}"
    (row,) = ReportView(project, framework).decisions
    assert [m.words for m in row.status_changes] == [accepted, deprecated]

    markdown = rendered_markdown(report_md.render(project, framework))
    assert f"Status history: {accepted}; {deprecated}" in "".join(markdown.text)
    assert not {"script", "em"} & set(markdown.tags)

    page = _Html()
    page.feed(report_html.render(project, framework))
    page.close()
    assert page.open == [] and "script" not in page.tags
    assert f"Status history{accepted}{deprecated}" in "".join(page.text)

    data = json.loads(report_json.render(project, framework))
    moves = data["decisions"][0]["status_changes"]
    assert [(m["from"], m["to"], m["at"], m["by"]) for m in moves] == [
        ("proposed", "accepted", "2026-03-04T12:00:00Z", "ann"),
        ("accepted", "deprecated", "2026-03-05T12:00:00Z", HOSTILE_USER),
    ]
    assert [m["event"] for m in moves] == [e.id for e in project.events[-2:]]

    rows = list(csv.DictReader(io.StringIO(report_csv.render(project, framework), newline="")))
    assert [r["detail"] for r in rows[-2:]] == [
        "status: proposed → accepted",
        "status: accepted → deprecated",
    ]
    assert rows[-1]["by"] == HOSTILE_USER

    folder = tmp_path / "adr"
    write_records(project, framework, folder)
    (record,) = folder.iterdir()
    body = record.read_text(encoding="utf-8")
    assert f"* Status {accepted}" in body
    shown = "".join(rendered_markdown(body).text)
    assert f"Status {deprecated}" in shown and "<script>" not in body


# --- MADR ------------------------------------------------------------------------------------


def _front_matter(path: Path) -> dict[str, object]:
    text = path.read_text(encoding="utf-8")
    assert text.startswith("---\n")
    matter = yaml.safe_load(text.split("---\n")[1])
    assert isinstance(matter, dict)
    return matter


def test_madr_writes_one_file_per_decision_and_updates_on_a_rerun(
    project: Project, framework: Framework, store: Store, ctx: Context, tmp_path: Path
) -> None:
    folder = tmp_path / "decisions"
    folder.mkdir()
    (folder / "0007-hand-written.md").write_text("# Kept as it is\n", encoding="utf-8")
    done = write_records(project, framework, folder)
    assert (done.created, done.updated, done.unchanged) == (3, 0, 0)
    names = sorted(p.name for p in folder.iterdir())
    assert names[0] == "0007-hand-written.md"
    assert names[1:] == [
        "0008-weekly-forecasts.md",
        "0009-daily-forecasts.md",
        "0010-script-alert-1-script-quoted-second-line.md",
    ]
    old = _front_matter(folder / names[1])
    assert old["status"] == "superseded by [ADR-0009](0009-daily-forecasts.md)"
    assert _front_matter(folder / names[3])["status"] == "proposed"
    assert _front_matter(folder / names[2])["decision-makers"] == ["tester"]
    body = (folder / names[2]).read_text(encoding="utf-8")
    assert "## Context and Problem Statement" in body and "## Decision Outcome" in body
    assert "* Supersedes [ADR-0008](0008-weekly-forecasts.md)" in body
    assert "<script>" not in (folder / names[3]).read_text(encoding="utf-8")

    again = write_records(project, framework, folder)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert sorted(p.name for p in folder.iterdir()) == names

    ctx2 = Context("tester", "2026-03-03T10:00:00Z", make_id=lambda: "idnew0001")
    apply(
        store,
        framework,
        ctx2,
        decide,
        "Hourly forecasts",
        "Hourly",
        supersedes=project.decisions[1].id,
    )
    later = write_records(store.load(), framework, folder)
    assert (later.created, later.updated, later.unchanged) == (1, 1, 2)
    assert "0011-hourly-forecasts.md" in {p.name for p in folder.iterdir()}
    assert len(list(folder.iterdir())) == 5
    assert "superseded by [ADR-0011]" in str(_front_matter(folder / names[2])["status"])


# --- the command -----------------------------------------------------------------------------


@pytest.fixture
def fixture_cli(
    project: Project, cli: Callable[..., Result], tmp_path: Path
) -> Callable[..., Result]:
    assert (tmp_path / "mlpl.json").is_file()
    return cli


def test_report_prints_markdown_by_default_and_writes_each_format(
    fixture_cli: Callable[..., Result], tmp_path: Path
) -> None:
    shown = fixture_cli("report")
    assert shown.code == 0 and shown.out.startswith("# Test project: MLPL report")
    for format in ("md", "html", "csv", "json"):
        target = tmp_path / f"report.{format}"
        done = fixture_cli("report", "--format", format, "-o", str(target))
        assert done.code == 0, done.err
        assert target.stat().st_size > 0 and done.out == ""
    assert json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))["format_version"]
    done = fixture_cli("report", "--format", "madr", "-o", str(tmp_path / "adr"))
    assert done.code == 0 and "3 decision records written" in done.err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--format", "pdf"), "unknown report format 'pdf'"),
        (("--format", "madr"), "name a folder with -o DIR"),
        (("-o", "."), "is a folder"),
        (("--format", "madr", "-o", "mlpl.json"), "is a file"),
    ],
)
def test_report_usage_errors_are_one_line(
    fixture_cli: Callable[..., Result], args: tuple[str, ...], message: str
) -> None:
    done = fixture_cli("report", *args)
    assert done.code == 2
    assert message in done.err and len(done.err.strip().splitlines()) == 1


def test_reports_never_import_textual(project: Project, tmp_path: Path) -> None:
    probe = (
        "import sys, contextlib, io; from mlpl_tui.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    codes = [main(['report', '--file', sys.argv[1], '--format', f])"
        " for f in ('md', 'html', 'csv', 'json')]\n"
        "print(codes, sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'screens')))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, str(tmp_path / "mlpl.json")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.stdout.strip() == "[0, 0, 0, 0] []", done.stderr


def test_a_new_project_reports_in_every_format(store: Store, framework: Framework) -> None:
    project = store.load()
    text = report_md.render(project, framework)
    assert "1 visit in 1 iteration." in text and "No lifecycle switches" in text
    assert "0 lifecycle switches, 0 decisions, 0 experiments, 0m of effort logged." in text
    page = report_html.render(project, framework)
    assert "1 visit in 1 iteration." in page and "No decisions recorded." in page
    rows = list(csv.reader(io.StringIO(report_csv.render(project, framework), newline="")))
    assert rows[0][0] == "kind" and [r[0] for r in rows[1:]] == ["event"]
    data = json.loads(report_json.render(project, framework))
    assert data["effort_summary"]["rework_share"] == 0 and data["decisions"] == []
