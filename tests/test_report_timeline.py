"""The reports' timeline (Mermaid gantt, SVG), plan against actual and burn-up sections."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from mlpl_tui import lifecycle, report_html, report_json, report_md
from mlpl_tui.framework import Framework
from mlpl_tui.lifecycle import Context, new_project
from mlpl_tui.model import Project
from mlpl_tui.plans import set_plan
from mlpl_tui.report_mermaid import gantt_axis, gantt_text, mermaid_text
from mlpl_tui.store import MemoryStore, Store
from tests.conftest import ROOT, fixed_ids

HOSTILE = 'x: y # z ; %%{init: {"theme":"dark"}}%%\n```\n<script>alert(1)</script> & "q"'
NOW = "2026-03-10T12:00:00Z"


def _project(framework: Framework) -> Project:
    store = MemoryStore(new_project("Gantt", Context("ann", "2026-03-02T09:00:00Z")))
    ids = fixed_ids("r")
    hour = iter(range(10, 24))

    def do(rule: Any, *args: Any, **kw: Any) -> None:
        at = f"2026-03-02T{next(hour):02d}:00:00Z"
        ctx = Context("ann", at, make_id=ids)
        store.apply(lambda p: rule(p, framework, ctx, *args, **kw), "ann", at)

    do(set_plan, "business", "1d")
    do(lifecycle.log_effort, "3h")
    for module in framework.stage("business").required_modules:
        do(lifecycle.set_status, module.id, "done")
    do(lifecycle.advance)
    do(lifecycle.switch_back, "business", "data", "one season")
    return store.load()


def _hostile(framework: Framework) -> Project:
    """The project above with a hand-edited visit to an unknown stage and a switch category
    holding text that would break a gantt, a table or HTML."""
    tables = {name: dict(table) for name, table in _project(framework).tables.items()}
    switch_id = next(iter(tables["switches"]))
    tables["switches"][switch_id] = {**tables["switches"][switch_id], "category": HOSTILE}
    tables["visits"]["planted"] = {
        "stage": HOSTILE,
        "iteration": 9,
        "entered_at": "2026-03-03T10:00:00Z",
        "entered_by": HOSTILE,
        "how": "switch",
        "switch": switch_id,
        "left_at": "2026-03-04T10:00:00Z",
        "outcome": None,
    }
    return Project(tables)


def _gantt(text: str) -> list[str]:
    block = text.split("```mermaid\n", 1)[1].split("\ngantt\n", 1)[1]
    return block.split("\n```", 1)[0].splitlines()


def test_markdown_has_a_gantt_of_the_visits(framework: Framework) -> None:
    text = report_md.render(_project(framework), framework, now=NOW)
    assert "## Timeline" in text
    lines = _gantt(text)
    assert lines[:2] == ["  dateFormat YYYY-MM-DD HH:mm", "  axisFormat %Y-%m-%d"]
    assert "  section 1. Business Understanding" in lines
    assert "    Visit 1, iteration 1 :iteration-1-visit-1, 2026-03-02 09:00, 2026-03-02 17:00" in (
        lines
    )
    assert (
        "    Visit 3, iteration 2 (loop back, data) :crit, active, iteration-2-visit-3, "
        "2026-03-02 18:00, 2026-03-10 12:00"
    ) in lines


def test_hostile_text_cannot_break_the_gantt(framework: Framework) -> None:
    text = report_md.render(_hostile(framework), framework, now=NOW)
    lines = _gantt(text)
    syntax = re.compile(
        r"  (dateFormat YYYY-MM-DD HH:mm|axisFormat %Y-%m-%d|tickInterval 2day"
        r"|section [\w .()/+-]+)"
        r"|    [\w .,()/+-]+ :(crit, )?(active, )?iteration-\d+-visit-\d+, "
        r"\d{4}-\d\d-\d\d \d\d:\d\d, \d{4}-\d\d-\d\d \d\d:\d\d"
    )
    for line in lines:
        assert syntax.fullmatch(line), line
    assert any(line.startswith("  section x y z init theme dark") for line in lines)
    assert "<script>" not in text


def test_gantt_text() -> None:
    assert gantt_text("a:b#c;d%%e\nf`g") == "a b c d e f g"
    assert gantt_text(":;#") == "untitled"
    assert gantt_text("Données (v2) / 3-4") == "Données (v2) / 3-4"


def test_markdown_plan_against_actual_and_burn_up(framework: Framework) -> None:
    text = report_md.render(_project(framework), framework, now=NOW)
    section = text.split("## Plan against actual", 1)[1].split("\n## ", 1)[0]
    assert "| Business Understanding and Problem Discovery | 1d | 3h | 38% | 5h | 0% |" in section
    assert "| **Total** | 1d | 3h | 38% | 5h | 0% |" in section
    assert "### Burn-up" in section
    assert "| 2026-03-02 | 5 | 16 |" in section


def test_markdown_without_estimates_says_how_to_add_one(framework: Framework) -> None:
    store = MemoryStore(new_project("None", Context("ann", "2026-03-02T09:00:00Z")))
    text = report_md.render(store.load(), framework)
    assert "No estimate recorded yet" in text


def test_html_draws_the_timeline_as_svg_with_everything_escaped(framework: Framework) -> None:
    text = report_html.render(_hostile(framework), framework, now=NOW)
    section = text.split('<section id="timeline">', 1)[1].split("</section>", 1)[0]
    assert '<svg class="timeline"' in section
    assert section.count('<rect class="visit') == 4
    assert section.count('class="visit back') == 2  # the switch and the planted visit
    assert section.count('class="visit open') == 0 and 'class="visit back open"' in section
    assert section.count(">↺</text>") == 2
    assert '<line class="today"' in section
    assert "<script" not in text.lower().replace("&lt;script", "")
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;q&quot;" in section
    plan = text.split('<section id="plan">', 1)[1].split("</section>", 1)[0]
    assert "<h3>Burn-up</h3>" in plan and "<b>Total</b>" in plan


def test_json_has_plan_timeline_and_burn_up(framework: Framework) -> None:
    data = json.loads(report_json.render(_project(framework), framework, now=NOW))
    assert data["plan"]["stages"][0]["planned_minutes"] == 480
    assert data["plan"]["total"]["actual_minutes"] == 180
    bars = data["timeline"]["bars"]
    assert [(b["stage"], b["loop_back"], b["open"]) for b in bars] == [
        ("business", False, False),
        ("data", False, False),
        ("business", True, True),
    ]
    assert bars[-1]["end"] == NOW == data["timeline"]["now"]
    assert data["burn_up"][-1] == {
        "day": "2026-03-02",
        "at": "2026-03-02T16:00:00Z",
        "done": 5,
        "total": 16,
    }


def test_the_timeline_ends_at_the_state_s_time_by_default(framework: Framework) -> None:
    data = json.loads(report_json.render(_project(framework), framework))
    assert data["timeline"]["now"] == data["project"]["as_of"]


def test_the_demo_reports_show_plan_against_actual(tmp_path: Path) -> None:
    from mlpl_tui.framework import builtin_framework_path, load_framework

    framework = load_framework(builtin_framework_path())
    project = Store(ROOT / "data" / "demo" / "mlpl.json").load()
    assert set(project.plans) >= {s.id for s in framework.stages}
    text = report_md.render(project, framework)
    section = text.split("## Plan against actual", 1)[1].split("\n## ", 1)[0]
    assert "| Data Acquisition and Understanding | 8d | 13d 6h | 172% | 5d 6h over |" in section
    assert "↳ Data cleaning" in section
    assert "\ngantt\n  dateFormat" in text.split("```mermaid\n---\n", 1)[1]


# The gantt as the real Mermaid draws it is checked in tests/test_mermaid_browser.py; these pin
# what those renders showed the generator must write.


def test_the_gantt_frontmatter_leaves_room_for_the_section_names(framework: Framework) -> None:
    text = report_md.render(_project(framework), framework, now=NOW)
    block = text.split("```mermaid\n---\n", 1)[1].split("\n```", 1)[0]
    head, body = block.split("\n---\ngantt\n", 1)
    assert head.splitlines()[:2] == ["config:", "  gantt:"]
    padding = int(head.split("leftPadding: ", 1)[1])
    # Mermaid writes section names from x=10 and bars from leftPadding, over each other if short.
    assert padding >= 6 * len("1. Business Understanding") + 20
    assert "  section 1. Business Understanding" in body.splitlines()


def test_a_fresh_project_s_open_visit_is_a_milestone(framework: Framework) -> None:
    """A visit with no length yet would be a bar 0 px wide: a milestone draws it as a diamond."""
    store = MemoryStore(new_project("Fresh", Context("ann", "2026-03-02T09:00:00Z")))
    lines = _gantt(report_md.render(store.load(), framework))
    assert lines[-1] == (
        "    Visit 1, iteration 1 :active, milestone, iteration-1-visit-1, "
        "2026-03-02 09:00, 2026-03-02 09:00"
    )
    assert "  axisFormat %m-%d %H:%M" in lines


def test_the_gantt_axis_keeps_about_seven_distinct_labels() -> None:
    hour, day = 3600, 86400
    assert gantt_axis(0) == ["  axisFormat %m-%d %H:%M"]
    assert gantt_axis(7 * hour) == ["  axisFormat %m-%d %H:%M", "  tickInterval 1hour"]
    assert gantt_axis(3 * day) == ["  axisFormat %m-%d %H:%M", "  tickInterval 12hour"]
    assert gantt_axis(5 * day) == ["  axisFormat %Y-%m-%d", "  tickInterval 1day"]
    assert gantt_axis(95 * day) == ["  axisFormat %Y-%m-%d", "  tickInterval 2week"]
    assert gantt_axis(3 * 365 * day) == ["  axisFormat %Y-%m-%d", "  tickInterval 6month"]
    assert gantt_axis(30 * 365 * day) == ["  axisFormat %Y-%m-%d"]


def test_a_visit_entered_on_a_bare_day_starts_at_its_midnight(framework: Framework) -> None:
    """A hand-edited `2026-03-03` is read as a time by the timeline; the gantt once wrote it as
    1970-01-01, which stretched the axis over 56 years."""
    tables = {name: dict(table) for name, table in _hostile(framework).tables.items()}
    tables["visits"]["planted"] = {**tables["visits"]["planted"], "entered_at": "2026-03-03"}
    lines = _gantt(report_md.render(Project(tables), framework, now=NOW))
    assert not any("1970" in line for line in lines)
    assert any(
        ":crit, iteration-9-visit-" in x and "2026-03-03 00:00, 2026-03-04 10:00" in x
        for x in lines
    )


def test_gantt_text_keeps_accents_and_cuts_long_text() -> None:
    assert gantt_text("Cafe\u0301 noir") == "Café noir"
    assert gantt_text("x" * 50, 10) == "xxxxxxx..."
    assert gantt_text("short", 10) == "short"


# The journey flowchart as the real Mermaid draws it is checked in tests/test_mermaid_browser.py;
# these pin what those renders showed its labels need.


def test_mermaid_text_cuts_long_text_and_leaves_out_hidden_characters() -> None:
    assert mermaid_text("x" * 50, 10) == "xxxxxxx..."
    assert mermaid_text("short", 10) == "short"
    assert mermaid_text("x" * 50) == "x" * 50  # no limit given: uncut
    # An escape sequence's ESC and a bidi override would show as a box or reorder the label.
    assert mermaid_text("\x1b[31mred\x1b[0m") == "#91;31mred #91;0m"
    assert mermaid_text("a\u202eb\x00c") == "a b c"
    assert mermaid_text("Cafe\u0301") == "Caf#233;"  # composed: one character, one entity
    assert mermaid_text("👩\u200d💻") == "#128105;#8205;#128187;"  # the emoji's joiner kept
    assert mermaid_text("<b>&</b>", 4) == "#60;..."  # cut before it is encoded


def test_the_journey_s_labels_are_cut_to_a_width_github_can_show(framework: Framework) -> None:
    """A 5,000-character stage name or switch category once made the flowchart 35,000 px
    wide, scaled down to a blur at GitHub's width."""
    tables = {name: dict(table) for name, table in _hostile(framework).tables.items()}
    long = "long " + "y" * 5000
    tables["visits"]["planted"] = {**tables["visits"]["planted"], "stage": long}
    switch_id = next(iter(tables["switches"]))
    tables["switches"][switch_id] = {**tables["switches"][switch_id], "category": long}
    text = report_md.render(Project(tables), framework, now=NOW)
    block = text.split("```mermaid\nflowchart TB\n", 1)[1].split("\n```", 1)[0]
    assert f'  s4["4 · long {"y" * 32}... · iteration 9"]' in block
    assert f"-.->|long {'y' * 22}...| s" in block
    assert max(len(line) for line in block.splitlines()) < 100


def test_a_visit_the_gantt_leaves_out_does_not_shrink_the_others_to_milestones() -> None:
    """A hand-edited day in the year 900 cannot be written for Mermaid: that bar is left out,
    and the span the others are measured against is theirs alone."""
    from mlpl_tui.report_mermaid import gantt
    from mlpl_tui.timeline import Bar, Lane, Timeline

    def bar(step: int, start: str, end: str) -> Bar:
        return Bar(step, 0, "data", step, start, end, False, False, "", "")

    line = Timeline(
        (Lane("data", "Data", 2),),
        (
            bar(1, "0900-01-01", "0900-01-02"),
            bar(2, "2026-03-02T09:00:00Z", "2026-03-09T09:00:00Z"),
            bar(3, "2026-03-09T09:00:00Z", "2026-03-16T09:00:00Z"),
        ),
        "0900-01-01T00:00:00Z",
        "2026-03-16T09:00:00Z",
        "2026-03-16T09:00:00Z",
    )
    tasks = [x for x in gantt(line) if x.startswith("    Visit")]
    assert [t.split(",")[0] for t in tasks] == ["    Visit 2", "    Visit 3"]
    assert not any("milestone" in t for t in tasks)
