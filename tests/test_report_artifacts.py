"""Artifacts and learnings in every report format: states from the disk, hostile stored text."""

from __future__ import annotations

import calendar
import csv
import io
import json
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import pytest

from mlpl_tui import report_csv, report_html, report_json, report_md
from mlpl_tui.artifact_files import ArtifactState, artifact_states
from mlpl_tui.artifacts import attach
from mlpl_tui.framework import Framework
from mlpl_tui.learnings import learn
from mlpl_tui.lifecycle import (
    Context,
    abandon_experiment,
    add_experiment,
    advance,
    decide,
    set_status,
    switch_back,
)
from mlpl_tui.model import Project
from mlpl_tui.report_view import ReportView, link_target
from mlpl_tui.sanitize import clean
from mlpl_tui.store import Store, dump
from tests.conftest import Result, apply
from tests.html_page import Page, markdown_page

DASHBOARD = "https://dash.example.com/forecast?depot=all&view=weekly"
REPORT_FILE = "docs/data-report.md"
# 2026-01-05, before the loop back of 2026-03-02 (the fixture's clock) that makes it stale.
OLD = calendar.timegm((2026, 1, 5, 12, 0, 0))
LESSON = "Temperature drives demand: one season of history cannot teach a model that"
SWITCH_WORDS = "switch back to Data acquisition on 2026-03-02"  # the module switched back to

# Planted straight into the state file, past every check the commands make.
ESC = "\x1b[31mred\x1b[0m"
EVIL_TEXT = f"<script>alert(1)</script> | [bold]x[/bold] *y* {ESC}\nsecond line"
EVIL_LOCATIONS = (
    "javascript:alert(1)",
    "JaVaScRiPt:alert(2)",
    " javascript:alert(3)",
    "java\tscript:alert(4)",
    "data:text/html,<script>alert(5)</script>",
    'https://ok.example/a?b=<i>&c="q"\'',
    "https:evil.example",
    "https://ok.example/x y",
    f"docs/{ESC}|[bold]b[/bold].md",
    "docs/two\nlines.md",
)


def _result(store: Store, framework: Framework, ctx: Context, rule: Any, *args: Any) -> str:
    done = store.apply(lambda p: rule(p, framework, ctx, *args), ctx.who, ctx.now)
    assert done.change.result is not None
    return done.change.result


@pytest.fixture
def project(store: Store, framework: Framework, ctx: Context, tmp_path: Path) -> Project:
    """In Data after a loop back: the data report's file is older than the loop back (stale),
    the charter is a dashboard link, a learning names the switch, an abandoned experiment and a
    decision."""
    for module in framework.stage("business").required_modules:
        apply(store, framework, ctx, set_status, module.id, "done")
    apply(store, framework, ctx, advance)
    (tmp_path / "docs").mkdir()
    report = tmp_path / REPORT_FILE
    report.write_text("# Data report\n", encoding="utf-8")
    os.utime(report, (OLD, OLD))
    apply(store, framework, ctx, attach, "project-charter", DASHBOARD)
    apply(store, framework, ctx, attach, "data-report", REPORT_FILE)
    dropped = _result(store, framework, ctx, add_experiment, "Observed temperature")
    store.apply(lambda p: abandon_experiment(p, ctx, dropped, "Leaks weather"), "t", ctx.now)
    decision = _result(store, framework, ctx, decide, "Use legacy exports", "Join 2022-2025")
    apply(store, framework, ctx, switch_back, "data", "data", "One season only", "acquisition")
    switch = store.load().switches[-1].id
    apply(store, framework, ctx, learn, LESSON, sources=[switch, dropped, decision])
    return store.load()


@pytest.fixture
def states(project: Project, framework: Framework, tmp_path: Path) -> list[ArtifactState]:
    return artifact_states(project, framework, tmp_path)


# --- what the view holds ------------------------------------------------------------------------


def test_the_view_has_each_artifact_with_its_state_and_each_learning_with_its_sources(
    project: Project, framework: Framework, states: list[ArtifactState]
) -> None:
    view = ReportView(project, framework, states)
    rows = {row.id: row for row in view.artifacts}
    assert rows["data-report"].state == "stale"
    assert rows["data-report"].state_words == "stale since 2026-03-02"
    assert rows["project-charter"].state == "attached"  # a link cannot be checked
    assert rows["model-report"].state == "missing"
    assert [r.id for r in view.listed_artifacts] == ["project-charter", "data-report"]
    assert [r.id for r in view.open_artifacts] == ["data-report"]
    assert not view.open_items.empty
    (learned,) = view.learnings
    assert learned.learning.text == LESSON and learned.where == "Data Acquisition and Understanding"
    assert [s.words for s in learned.sources] == [
        SWITCH_WORDS,
        "experiment E1: Observed temperature",
        "decision D1: Use legacy exports",
    ]
    # Without the disk, the records say only what is attached.
    recorded = {row.id: row.state for row in ReportView(project, framework).artifacts}
    assert recorded["data-report"] == "attached" and recorded["model-report"] == "missing"


# --- every format ---------------------------------------------------------------------------


def test_markdown_shows_the_stale_artifact_the_link_as_text_and_the_learning(
    project: Project, framework: Framework, states: list[ArtifactState]
) -> None:
    text = report_md.render(project, framework, states)
    assert "\n## Artifacts\n" in text and "\n## Learnings\n" in text
    page = markdown_page(text)
    stale = page.row_starting("Data report (data-report)")
    assert stale[1:] == [
        "Data Acquisition and Understanding",
        "optional",
        "stale since 2026-03-02",
        "docs/data-report.md (stale, last changed 2026-01-05)",
    ]
    charter = page.row_starting("Problem statement / project charter")
    assert charter[3:] == ["attached", DASHBOARD]
    # A URL is text in Markdown: the only links are the report's own, to its decisions.
    assert all(h.startswith("#decision-") for h in page.hrefs)
    assert "Not attached (optional): Data inventory (data-inventory)," in page.shown
    learned = page.row_starting("L1")
    assert learned[1:4] == [
        LESSON,
        "Data Acquisition and Understanding",
        "; ".join(
            [SWITCH_WORDS, "experiment E1: Observed temperature", "decision D1: Use legacy exports"]
        ),
    ]
    assert learned[4:] == ["tester", "2026-03-02"]
    assert "Artifact stale since 2026-03-02: Data report (data-report)" in page.shown


def test_html_shows_the_stale_artifact_links_the_dashboard_and_the_learning(
    project: Project, framework: Framework, states: list[ArtifactState]
) -> None:
    page = Page(report_html.render(project, framework, states))
    stale = page.row_starting("Data report (data-report)")
    assert stale[2:] == [
        "optional",
        "stale since 2026-03-02",
        "docs/data-report.md (stale, last changed 2026-01-05)",
    ]
    assert [h for h in page.hrefs if not h.startswith("#")] == [DASHBOARD]
    learned = page.row_starting("L1")
    assert learned[1] == LESSON
    assert learned[3] == (
        f"{SWITCH_WORDS}\nexperiment E1: Observed temperature\ndecision D1: Use legacy exports"
    )  # one source a line
    assert "Artifact stale since 2026-03-02: Data report (data-report)" in page.shown
    assert "Nothing open." not in page.shown


def test_csv_has_an_artifact_row_and_a_learning_row(
    project: Project, framework: Framework, states: list[ArtifactState]
) -> None:
    rows = list(csv.DictReader(io.StringIO(report_csv.render(project, framework, states))))
    artifacts = {r["id"]: r for r in rows if r["kind"] == "artifact"}
    assert list(artifacts) == ["project-charter", "data-report"]  # attached or required
    stale = artifacts["data-report"]
    assert (stale["action"], stale["text"], stale["stage"]) == ("stale", "Data report", "data")
    assert stale["detail"] == "optional\ndocs/data-report.md (stale, last changed 2026-01-05)"
    assert artifacts["project-charter"]["detail"] == f"optional\n{DASHBOARD}"
    assert (stale["by"], stale["at"]) == ("tester", "2026-03-02T10:00:00Z")
    (learned,) = [r for r in rows if r["kind"] == "learning"]
    assert (learned["id"], learned["text"]) == (project.learnings[0].id, LESSON)
    assert learned["detail"].startswith(SWITCH_WORDS + "; experiment E1")
    assert (learned["stage"], learned["date"]) == ("data", "2026-03-02")


def test_json_has_the_artifacts_with_their_states_and_the_learnings(
    project: Project, framework: Framework, states: list[ArtifactState]
) -> None:
    data = json.loads(report_json.render(project, framework, states))
    artifacts = {a["id"]: a for a in data["artifacts"]}
    assert len(artifacts) == len(framework.artifacts)  # every artifact, attached or not
    stale = artifacts["data-report"]
    assert (stale["state"], stale["since"], stale["required"]) == (
        "stale",
        "2026-03-02T10:00:00Z",
        False,
    )
    assert (stale["path"], stale["template"]) == ("docs/data-report.md", "data-report")
    (where,) = stale["locations"]
    assert (where["location"], where["state"], where["changed_at"]) == (
        REPORT_FILE,
        "stale",
        "2026-01-05T12:00:00Z",
    )
    assert artifacts["project-charter"]["locations"][0]["location"] == DASHBOARD
    assert artifacts["model-report"]["state"] == "missing"
    assert data["open_items"]["artifacts"] == ["data-report"]
    (learned,) = data["learnings"]
    assert learned["text"] == LESSON and learned["stage"] == "data"
    assert [(s["kind"], s["text"]) for s in learned["sources"]] == [
        ("switches", SWITCH_WORDS),
        ("experiments", "experiment E1: Observed temperature"),
        ("decisions", "decision D1: Use legacy exports"),
    ]
    assert [s["id"] for s in learned["sources"]] == list(project.learnings[0].sources)


def test_the_report_command_checks_the_files_beside_the_state_file(
    project: Project, cli: Callable[..., Result], tmp_path: Path
) -> None:
    shown = cli("report")
    assert shown.code == 0, shown.err
    assert "stale since 2026-03-02" in shown.out
    data = json.loads(cli("report", "--format", "json").out)
    assert {a["id"]: a["state"] for a in data["artifacts"]}["data-report"] == "stale"
    os.utime(tmp_path / REPORT_FILE)  # edited now: current again
    data = json.loads(cli("report", "--format", "json").out)
    assert {a["id"]: a["state"] for a in data["artifacts"]}["data-report"] == "current"
    assert data["open_items"]["artifacts"] == []


def test_with_nothing_attached_or_noted_the_sections_say_so(
    store: Store, framework: Framework
) -> None:
    project = store.load()
    text = report_md.render(project, framework)
    assert "## Artifacts\n\nNone attached.\n\nNot attached (optional): Problem statement" in text
    assert "## Learnings\n\nNone noted.\n" in text
    page = report_html.render(project, framework)
    assert "<p>None attached.</p>" in page and "<p>None noted.</p>" in page
    data = json.loads(report_json.render(project, framework))
    assert data["learnings"] == [] and {a["state"] for a in data["artifacts"]} == {"missing"}


# --- hostile stored text --------------------------------------------------------------------


@pytest.mark.parametrize("text", EVIL_LOCATIONS)
def test_only_an_http_url_can_become_a_link(text: str) -> None:
    assert link_target(text) is None or text == 'https://ok.example/a?b=<i>&c="q"\''


@pytest.mark.parametrize("text", [DASHBOARD, "http://a.example", "HTTPS://A.EXAMPLE/x"])
def test_a_web_link_is_a_link(text: str) -> None:
    assert link_target(text) == text


def _planted(project: Project, tmp_path: Path) -> Project:
    """The fixture's file with a hostile free artifact and learning written straight into it."""
    path = tmp_path / "mlpl.json"
    data: dict[str, Any] = orjson.loads(path.read_bytes())
    switch = project.switches[-1].id
    data["artifacts"]["evil"] = {
        "locations": list(EVIL_LOCATIONS),
        "title": EVIL_TEXT,
        "stage": "data",
        "module": None,
        "attached_at": "2026-03-02T10:00:00Z",
        "attached_by": EVIL_TEXT,
        "updated_at": "2026-03-02T10:00:00Z",
        "updated_by": EVIL_TEXT,
    }
    data["learnings"]["evil0001"] = {
        "text": EVIL_TEXT,
        "stage": "data",
        "module": None,
        "sources": [switch, "gone|<b>x</b>"],
        "created_at": "2026-03-02T11:00:00Z",
        "created_by": EVIL_TEXT,
        "updated_at": "2026-03-02T11:00:00Z",
        "updated_by": EVIL_TEXT,
    }
    path.write_bytes(dump(data))
    return Store(path).load()


EVIL_LINE = clean(" ".join(EVIL_TEXT.split()))  # as one line of a table shows it


def test_hostile_text_stays_text_in_markdown_and_no_location_becomes_a_link(
    project: Project, framework: Framework, tmp_path: Path
) -> None:
    planted = _planted(project, tmp_path)
    text = report_md.render(planted, framework, artifact_states(planted, framework, tmp_path))
    page = markdown_page(text)
    plain = markdown_page(report_md.render(project, framework)).tags
    # No element made from the planted text: as many links and bold as without it, no script.
    for tag in ("script", "a", "b", "em", "strong", "code"):
        assert page.tags.count(tag) == plain.count(tag), tag
    assert all(h.startswith("#decision-") for h in page.hrefs)
    evil = page.row_starting(EVIL_LINE)
    assert len(evil) == 5 and evil[3] == "file missing"
    for location in EVIL_LOCATIONS:
        assert clean(" ".join(location.split())) in evil[4]  # shown, as typed (on one line)
    learned = page.row_starting("L2")
    assert learned[1] == EVIL_LINE and learned[4] == EVIL_LINE
    assert learned[3] == f"{SWITCH_WORDS}; gone|<b>x</b> (no longer in the file)"
    # Every table row keeps its header's columns: no stray | and no line break splits one.
    for block in re.split(r"\n\n", text):
        lines = [line for line in block.splitlines() if line.startswith("| ")]
        if lines:
            assert len({len(re.findall(r"(?<!\\)\|", line)) for line in lines}) == 1, block
    assert "\\[bold\\]" in text and "&lt;script&gt;" in text


def test_hostile_text_is_escaped_in_html_and_only_http_urls_are_links(
    project: Project, framework: Framework, tmp_path: Path
) -> None:
    planted = _planted(project, tmp_path)
    html = report_html.render(planted, framework, artifact_states(planted, framework, tmp_path))
    page = Page(html)
    assert "script" not in page.tags and "<script" not in html.lower()
    plain = Page(report_html.render(project, framework)).tags
    assert page.tags.count("b") == plain.count("b")  # `<b>` from a source id stays text
    links = [h for h in page.hrefs if not h.startswith("#")]
    assert links == [DASHBOARD, 'https://ok.example/a?b=<i>&c="q"\'']
    assert 'href="https://ok.example/a?b=&lt;i&gt;&amp;c=&quot;q&quot;&#x27;"' in html
    assert "javascript:" not in " ".join(page.hrefs).lower()
    assert "\x1b" not in html  # controls shown, never sent

    def shown(stored: str) -> str:
        return clean(stored, multiline=True)

    evil = page.row_starting(shown(EVIL_TEXT).split("\n")[0])
    assert evil[0] == f"{shown(EVIL_TEXT)} (evil)" and evil[3] == "file missing"
    for location in EVIL_LOCATIONS:
        assert shown(location) in evil[4]
    learned = page.row_starting("L2")
    assert learned[1] == shown(EVIL_TEXT) and learned[4] == shown(EVIL_TEXT)  # lines kept


def test_json_and_csv_give_the_planted_values_back_exactly(
    project: Project, framework: Framework, tmp_path: Path
) -> None:
    planted = _planted(project, tmp_path)
    states = artifact_states(planted, framework, tmp_path)
    data = json.loads(report_json.render(planted, framework, states))
    evil = next(a for a in data["artifacts"] if a["id"] == "evil")
    assert [x["location"] for x in evil["locations"]] == list(EVIL_LOCATIONS)
    assert evil["title"] == EVIL_TEXT and evil["declared"] is False and evil["path"] is None
    assert {x["state"] for x in evil["locations"]} == {"file missing", "attached"}
    learned = next(x for x in data["learnings"] if x["id"] == "evil0001")
    assert learned["text"] == EVIL_TEXT and learned["created_by"] == EVIL_TEXT
    assert [s["kind"] for s in learned["sources"]] == ["switches", None]

    rows = list(csv.DictReader(io.StringIO(report_csv.render(planted, framework, states))))
    (row,) = [r for r in rows if r["kind"] == "artifact" and r["id"] == "evil"]
    assert row["text"] == EVIL_TEXT and row["by"] == EVIL_TEXT
    lines = row["detail"].split("\n")
    assert lines[0] == "optional"
    shown = "\n".join(lines[1:])
    for location in EVIL_LOCATIONS:
        assert location in shown
    (learned_row,) = [r for r in rows if r["kind"] == "learning" and r["id"] == "evil0001"]
    assert learned_row["text"] == EVIL_TEXT and learned_row["by"] == EVIL_TEXT


def test_the_report_command_never_sends_a_planted_escape_to_the_terminal(
    project: Project, framework: Framework, cli: Callable[..., Result], tmp_path: Path
) -> None:
    _planted(project, tmp_path)
    for format in ("md", "html", "csv"):
        done = cli("report", "--format", format)
        assert done.code == 0, done.err
        assert "\x1b" not in done.out and "\\x1b" in done.out  # shown, never sent
