"""The Markdown report's gantt and journey flowchart in the real Mermaid, in Debian's chromium
driven by Playwright.

Mermaid's self-contained build is fetched by `make mermaid` (npm pack, one file, checked against
its hash) into .cache/mermaid/; without it, or without chromium or Playwright, these tests skip.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Iterator
from datetime import datetime
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from mlpl_tui import lifecycle
from mlpl_tui.demo import copy_demo
from mlpl_tui.framework import Framework
from mlpl_tui.journey import journey
from mlpl_tui.lifecycle import Context, new_project
from mlpl_tui.model import Project
from mlpl_tui.store import Store
from mlpl_tui.wording import short_title
from tests.conftest import ROOT, Result, fixed_ids, required_in_ci

sync_api = pytest.importorskip("playwright.sync_api")
CHROMIUM = shutil.which("chromium")
MERMAID_JS = ROOT / ".cache" / "mermaid" / "mermaid.min.js"
if TYPE_CHECKING:
    from playwright.sync_api import Page

required_in_ci(
    "Debian's chromium is not installed (make browser)"
    if CHROMIUM is None
    else None
    if MERMAID_JS.is_file()
    else f"{MERMAID_JS.relative_to(ROOT)} is missing (make mermaid)"
)
pytestmark = [
    pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed"),
    pytest.mark.skipif(
        not MERMAID_JS.is_file(), reason=f"no {MERMAID_JS.relative_to(ROOT)}: run `make mermaid`"
    ),
]

Cli = Callable[..., Result]
# Stored text that must not break, inject into or garble the diagram.
HOSTILE_NAMES = [
    "[bold red]rich[/] markup [link=https://x]here[/link]",
    'colon: semi; hash # %%{init: {"theme":"dark"}}%% done',
    "<script>alert(1)</script> --> a & b ```",
    "two\nlines\r\nand\ttabs",
    "emoji 🚀🔥 end",
    "עברית ועוד · العربية مرحبا",
    "\x1b[31mred ansi\x1b[0m plain",
    "Cafe\u0301 composed",
    "long " + "x" * 5000,
]
# About the width GitHub gives a diagram: the axis's labels must not run into each other there.
WIDTH = 900
TICK_GAP = 6  # px between two labels of the axis, for them to read as two
SECTION_TEXT = re.compile(r"[\w .()/+-]+")
# The smallest text a flowchart may be scaled down to at WIDTH and still be read (px).
SMALLEST_FONT = 8
# What a flowchart label may hold: Mermaid's own wrapping, never an element from stored text.
LABEL_TAGS = {"g", "rect", "foreignObject", "div", "span", "p"}


@pytest.fixture(scope="module")
def mermaid_page() -> Iterator[tuple[Page, list[str]]]:
    """A blank page with mermaid.min.js and nothing else; console errors, page errors and any
    request the page makes (there should be none: the file is self-contained) are collected."""
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": WIDTH, "height": 900})
            problems: list[str] = []
            page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: problems.append(str(e)))
            page.on("request", lambda r: problems.append(f"request {r.url}"))
            page.set_content("<!doctype html><html><body><div id='out'></div></body></html>")
            page.add_script_tag(path=str(MERMAID_JS))
            page.evaluate("mermaid.initialize({startOnLoad: false, securityLevel: 'strict'})")
            yield page, problems
        finally:
            browser.close()


def _gantt_block(report: str) -> str:
    """The Mermaid block of the report that holds the gantt, as GitHub would hand it over."""
    blocks = re.findall(r"^```mermaid\n(.*?)\n```$", report, flags=re.S | re.M)
    found: list[str] = [b for b in blocks if "\ngantt\n" in f"\n{b}\n"]
    assert len(found) == 1, blocks
    return found[0]


def _render(mermaid_page: tuple[Page, list[str]], source: str) -> dict[str, Any]:
    """Parse and render `source`, put the SVG in the page and read back what was drawn."""
    page, problems = mermaid_page
    problems.clear()
    drawn: dict[str, Any] = page.evaluate(
        """async (source) => {
          const parsed = await mermaid.parse(source);
          const {svg} = await mermaid.render('gantt', source);
          const out = document.getElementById('out');
          out.innerHTML = svg;
          const box = (e) => { const r = e.getBoundingClientRect();
            return {left: r.left, right: r.right, top: r.top, bottom: r.bottom}; };
          return {
            type: parsed.diagramType,
            bars: [...out.querySelectorAll('rect.task')].map((e) => ({
              id: e.id.replace(/^gantt-/, ''), cls: e.getAttribute('class'), box: box(e),
              width: e.getBBox().width, height: e.getBBox().height})),
            sections: [...out.querySelectorAll('text.sectionTitle')].map((e) => ({
              text: e.textContent, box: box(e)})),
            ticks: [...out.querySelectorAll('g.tick text')].map((e) => e.textContent),
            tickBoxes: [...out.querySelectorAll('g.tick text')].map(box),
            tickLines: [...out.querySelectorAll('g.tick line')].map((e) => box(e).left),
            labels: [...out.querySelectorAll('text[class*="askText"]')].map(
              (e) => e.textContent.trim()),
            svgWidth: out.querySelector('svg').getBoundingClientRect().width,
          };
        }""",
        source,
    )
    assert problems == []
    assert drawn["type"] == "gantt"
    return drawn


def _report(cli: Cli, state: Path) -> str:
    result = cli("--file", str(state), "report", "--format", "md")
    assert result.code == 0, result.err
    return result.out


def _tasks(source: str) -> dict[str, tuple[str, list[str], datetime]]:
    """{id: (label, tags, start)} of each task line of the gantt source, in order."""
    tasks = {}
    for line in f"\n{source}".split("\ngantt\n", 1)[1].splitlines():
        if line.startswith("    "):
            label, spec = line.strip().rsplit(" :", 1)
            *tags, id, start, _ = spec.split(", ")
            tasks[id] = (label, tags, datetime.strptime(start, "%Y-%m-%d %H:%M"))
    return tasks


def _check(drawn: dict[str, Any], source: str, project: Project, framework: Framework) -> None:
    """What a reader must see: a bar per visit, loop backs in crit's colour, the open visit
    active, every stage visited as a section written clear of the bars, a readable axis."""
    visits = project.tables["visits"]
    bars = drawn["bars"]
    assert len(bars) == len(visits)
    crit = [b for b in bars if re.search(r"\b(crit|activeCrit)\d", b["cls"])]
    assert len(crit) == sum(1 for v in visits.values() if v.get("how") == "switch")
    active = [b for b in bars if re.search(r"\bactive(Crit)?\d", b["cls"])]
    assert len(active) == sum(1 for v in visits.values() if not v.get("left_at"))
    assert all(b["width"] >= 3 and b["height"] >= 3 for b in bars), bars  # every visit shows
    # The sections: one per stage visited, in the framework's order, then unknown stages.
    names = [s["text"] for s in drawn["sections"]]
    visited = {v["stage"] for v in visits.values()}
    known = [f"{s.number}. {short_title(s.title)}" for s in framework.stages if s.id in visited]
    assert names[: len(known)] == known
    assert len(names) == len({v["stage"] for v in visits.values()})
    assert all(SECTION_TEXT.fullmatch(name) for name in names), names
    for section in drawn["sections"]:
        for bar in bars:
            a, b = section["box"], bar["box"]
            overlap = a["left"] < b["right"] and b["left"] < a["right"]
            assert not (overlap and a["top"] < b["bottom"] and b["top"] < a["bottom"]), (
                section["text"],
                bar["id"],
            )
    # Bars stand where their start times say, on an axis whose labels differ.
    tasks = _tasks(source)
    assert sorted(b["id"] for b in bars) == sorted(tasks)
    assert sorted(label for label, _, _ in tasks.values()) == sorted(drawn["labels"])
    lefts = sorted(
        (tasks[b["id"]][2], b["box"]["left"]) for b in bars if "milestone" not in b["cls"]
    )
    assert [left for _, left in lefts] == sorted(left for _, left in lefts)
    assert len(set(drawn["ticks"])) == len(drawn["ticks"]) >= 1, drawn["ticks"]
    for a, b in pairwise(sorted(drawn["tickBoxes"], key=lambda box: box["left"])):
        assert b["left"] - a["right"] >= TICK_GAP, drawn["ticks"]


def _timed_store(path: Path, framework: Framework, stamps: Iterator[str]) -> Callable[..., None]:
    """A new project at `path` whose every change happens at the next of `stamps`."""
    ids = fixed_ids("v")
    store = Store.create(path, new_project("Gantt", Context("ann", next(stamps))))

    def do(rule: Any, *args: Any) -> None:
        at = next(stamps)
        ctx = Context("ann", at, make_id=ids)
        store.apply(lambda p: rule(p, framework, ctx, *args), "ann", at)

    return do


def _loop_backs(path: Path, framework: Framework, day: bool) -> None:
    """Through modelling with loop backs to data and to business, the last one still open:
    over one day (`day`) or over weeks."""
    when = (f"2026-03-02T{h:02d}:{m:02d}:00Z" for h in range(8, 24) for m in (0, 30))
    weeks = (f"2026-{1 + d // 28:02d}-{1 + d % 28:02d}T09:00:00Z" for d in range(0, 300, 2))
    do = _timed_store(path, framework, when if day else weeks)
    for stage in ("business", "data"):
        for module in framework.stage(stage).required_modules:
            do(lifecycle.set_status, module.id, "done")
        do(lifecycle.advance)
    do(lifecycle.switch_back, "data", "data", "more rows")
    do(lifecycle.advance)
    do(lifecycle.switch_back, "business", "business", "the goal moved")


def _hostile_state(tmp_path: Path, framework: Framework) -> Path:
    """Loop backs, then a visit to each of HOSTILE_NAMES as a stage (unknown to the framework),
    each entered by a switch of that category, one on a bare day (a hand-edited file)."""
    made = tmp_path / "made.json"
    _loop_backs(made, framework, day=False)
    tables: dict[str, dict[str, dict[str, Any]]] = {
        name: {id: dict(record) for id, record in table.items()}
        for name, table in Store(made).load().tables.items()
    }
    switch = next(iter(tables["switches"]))
    for n, name in enumerate(HOSTILE_NAMES):
        tables["switches"][f"s{n}"] = {**tables["switches"][switch], "category": name}
        tables["visits"][f"h{n}"] = {
            "stage": name,
            "iteration": 20 + n,
            "entered_at": f"2026-05-{1 + 2 * n:02d}" + ("" if n == 3 else "T10:00:00Z"),
            "entered_by": name,
            "how": "switch",
            "switch": f"s{n}",
            "left_at": f"2026-05-{2 + 2 * n:02d}T10:00:00Z",
            "outcome": None,
        }
    Store.create(tmp_path / "mlpl.json", tables)
    return tmp_path / "mlpl.json"


def test_the_demo_gantt_renders_a_bar_per_visit(
    mermaid_page: tuple[Page, list[str]], cli: Cli, tmp_path: Path, framework: Framework
) -> None:
    state = copy_demo(tmp_path / "demo")
    source = _gantt_block(_report(cli, state))
    drawn = _render(mermaid_page, source)
    _check(drawn, source, Store(state).load(), framework)
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d", tick) for tick in drawn["ticks"])


def test_a_fresh_project_shows_its_one_open_visit(
    mermaid_page: tuple[Page, list[str]], cli: Cli, tmp_path: Path, framework: Framework
) -> None:
    assert cli("init").code == 0
    source = _gantt_block(_report(cli, tmp_path / "mlpl.json"))
    drawn = _render(mermaid_page, source)
    _check(drawn, source, Store(tmp_path / "mlpl.json").load(), framework)
    assert [b["cls"].split() for b in drawn["bars"]] == [["task", "milestone", "active0"]]


@pytest.mark.parametrize("day", [True, False], ids=["one day", "weeks"])
def test_loop_backs_are_marked_crit(
    mermaid_page: tuple[Page, list[str]],
    cli: Cli,
    tmp_path: Path,
    framework: Framework,
    day: bool,
) -> None:
    state = tmp_path / "mlpl.json"
    _loop_backs(state, framework, day)
    source = _gantt_block(_report(cli, state))
    drawn = _render(mermaid_page, source)
    _check(drawn, source, Store(state).load(), framework)
    assert len(drawn["bars"]) == 6
    assert "activeCrit0" in drawn["bars"][-1]["cls"].split()
    tick = r"\d\d-\d\d \d\d:\d\d" if day else r"\d{4}-\d\d-\d\d"
    assert all(re.fullmatch(tick, t) for t in drawn["ticks"]), drawn["ticks"]
    if day:  # a bar that starts on the half hour starts on its grid line (a milestone centred)
        grid = dict(zip(drawn["ticks"], drawn["tickLines"], strict=True))
        tasks = _tasks(source)
        starts = {b["id"]: tasks[b["id"]][2].strftime("%m-%d %H:%M") for b in drawn["bars"]}
        on_grid = [b for b in drawn["bars"] if starts[b["id"]] in grid]
        assert len(on_grid) >= 3
        for bar in on_grid:
            box = bar["box"]
            x = (box["left"] + box["right"]) / 2 if "milestone" in bar["cls"] else box["left"]
            assert abs(x - grid[starts[bar["id"]]]) < 1.5, bar


def test_hostile_stored_text_renders_as_plain_sections_and_labels(
    mermaid_page: tuple[Page, list[str]], cli: Cli, tmp_path: Path, framework: Framework
) -> None:
    """Visits to stages named by hostile text, entered by switches whose categories are hostile
    too, one of them on a bare day (a hand-edited file)."""
    source = _gantt_block(_report(cli, _hostile_state(tmp_path, framework)))
    drawn = _render(mermaid_page, source)
    _check(drawn, source, Store(tmp_path / "mlpl.json").load(), framework)
    names = [s["text"] for s in drawn["sections"]][-len(HOSTILE_NAMES) :]
    assert names[0] == "bold red rich / markup link https //x..."
    assert names[1] == "colon semi hash init theme dark done"
    assert names[2] == "script alert(1) /script -- a b"
    assert names[3] == "two lines and tabs"
    assert names[4] == "emoji end"
    assert names[5] == "עברית ועוד العربية مرحبا"
    assert names[6] == "31mred ansi 0m plain"
    assert names[7] == "Café composed"
    assert names[8] == "long " + "x" * 32 + "..."
    assert "Visit 15, iteration 28 (loop back, long " + "x" * 22 + "...)" in drawn["labels"]
    assert drawn["svgWidth"] <= WIDTH
    assert any("(loop back, script alert(1) /script -- a b)" in x for x in drawn["labels"])


# --- The journey flowchart -------------------------------------------------------------------


def _flowchart_block(report: str) -> str:
    """The Mermaid block of the report that holds the journey flowchart."""
    blocks = re.findall(r"^```mermaid\n(.*?)\n```$", report, flags=re.S | re.M)
    found: list[str] = [b for b in blocks if b.startswith("flowchart ")]
    assert len(found) == 1, blocks
    return found[0]


def _render_flowchart(mermaid_page: tuple[Page, list[str]], source: str) -> dict[str, Any]:
    """Parse and render the flowchart `source`, put the SVG in the page and read back its nodes
    (`g.node`), lanes (`g.cluster`), edges (`path.flowchart-link`, named `L_<from>_<to>_<n>`
    by `data-id`) and edge labels, with where they were drawn and what their labels hold."""
    page, problems = mermaid_page
    problems.clear()
    drawn: dict[str, Any] = page.evaluate(
        """async (source) => {
          const parsed = await mermaid.parse(source);
          const {svg} = await mermaid.render('flow', source);
          const out = document.getElementById('out');
          out.innerHTML = svg;
          const root = out.querySelector('svg');
          const scale = root.getBoundingClientRect().width / root.viewBox.baseVal.width;
          const box = (e) => { const r = e.getBoundingClientRect();
            return {left: r.left, right: r.right, top: r.top, bottom: r.bottom}; };
          const tags = (e) => [...e.querySelectorAll('*')].map((c) => c.localName);
          const font = (e) => parseFloat(getComputedStyle(e).fontSize) * scale;
          return {
            type: parsed.diagramType,
            nodes: [...out.querySelectorAll('g.node')].map((e) => ({
              id: e.id.replace(/^flow-flowchart-(.*)-\\d+$/, '$1'),
              cls: e.getAttribute('class').split(' '),
              text: e.querySelector('.nodeLabel').textContent,
              box: box(e.querySelector('.label-container')),
              labelBox: box(e.querySelector('.nodeLabel')),
              tags: tags(e.querySelector('g.label')),
              font: font(e.querySelector('.nodeLabel')),
              stroke: parseFloat(getComputedStyle(e.querySelector('.label-container')).strokeWidth),
            })),
            clusters: [...out.querySelectorAll('g.cluster')].map((e) => ({
              id: e.id.replace(/^flow-/, ''),
              text: e.querySelector('.cluster-label').textContent,
              box: box(e.querySelector(':scope > rect')),
              tags: tags(e.querySelector('.cluster-label')),
            })),
            edges: [...out.querySelectorAll('path.flowchart-link')].map((e) => ({
              id: e.dataset.id,
              dotted: e.classList.contains('edge-pattern-dotted'),
              arrow: e.getAttribute('marker-end'),
            })),
            edgeLabels: [...out.querySelectorAll('g.edgeLabel g.label[data-id]')].map((e) => ({
              id: e.dataset.id, text: e.textContent, tags: tags(e), font: font(e)})),
            scripts: out.querySelectorAll('script').length,
            svgWidth: root.getBoundingClientRect().width,
          };
        }""",
        source,
    )
    assert problems == []
    assert drawn["type"] == "flowchart-v2"
    return drawn


def _inside(inner: dict[str, float], outer: dict[str, float], slack: float = 1.0) -> bool:
    return (
        inner["left"] >= outer["left"] - slack
        and inner["right"] <= outer["right"] + slack
        and inner["top"] >= outer["top"] - slack
        and inner["bottom"] <= outer["bottom"] + slack
    )


def _ends(edge: str) -> tuple[str, str]:
    """The nodes an edge joins, from the id Mermaid gives it: `L_s3_s4_0` is s3 to s4."""
    found = re.fullmatch(r"L_(s\d+)_(s\d+)_\d+", edge)
    assert found, edge
    return found[1], found[2]


def _check_flowchart(drawn: dict[str, Any], project: Project, framework: Framework) -> None:
    """What a reader must see: a node per visit in its stage's lane (a visit to a stage the
    framework lacks outside every lane), a lane per stage visited, an arrow per move (dotted
    for a loop back, labelled with its switch's category), the open visit's node drawn thick,
    every label whole, inside its box, plain text, at a size that reads at GitHub's width."""
    steps = journey(project, framework)
    nodes = {n["id"]: n for n in drawn["nodes"]}
    assert sorted(nodes) == sorted(f"s{s.number}" for s in steps)
    assert len(drawn["nodes"]) == len(steps)
    # The lanes: one per stage visited, titled as the framework titles it.
    stages = {s.stage_number for s in steps}
    lanes = {
        f"lane{stage.number}": f"{stage.number}. {short_title(stage.title)}"
        for stage in framework.stages
        if stage.number in stages
    }
    assert {c["id"]: c["text"] for c in drawn["clusters"]} == lanes
    assert len(drawn["clusters"]) == len(lanes)
    for step in steps:
        node = nodes[f"s{step.number}"]
        around = [c["id"] for c in drawn["clusters"] if _inside(node["box"], c["box"])]
        known = step.stage_number <= len(framework.stages)
        assert around == ([f"lane{step.stage_number}"] if known else []), (node["id"], around)
        assert node["text"].startswith(f"{step.number} · "), node["text"]
        assert node["text"].endswith(f" · iteration {step.visit.iteration}"), node["text"]
        here = step.is_open and step == steps[-1]  # a hand-edited file may leave others open
        assert ("here" in node["cls"]) == here
        assert (node["stroke"] >= 4) == here, (node["id"], node["stroke"])
    # The moves: an arrow from each visit to the next, dotted for a loop back.
    edges = {_ends(edge["id"]): edge for edge in drawn["edges"]}
    assert all(edge["arrow"] for edge in drawn["edges"]), drawn["edges"]
    moves = {(f"s{a.number}", f"s{b.number}"): b for a, b in pairwise(steps)}
    assert sorted(edges) == sorted(moves)
    assert len(drawn["edges"]) == len(moves)
    assert {k for k, e in edges.items() if e["dotted"]} == {
        k for k, step in moves.items() if step.is_loop_back
    }
    labels = {_ends(e["id"]): e for e in drawn["edgeLabels"] if e["text"]}
    assert sorted(labels) == sorted(k for k, step in moves.items() if step.switch is not None)
    # Every label is plain text, whole (entities decoded, inside its box) and big enough.
    texts = [n["text"] for n in drawn["nodes"]] + [c["text"] for c in drawn["clusters"]]
    texts += [e["text"] for e in labels.values()]
    assert all(text and not re.search(r"#\d+;|&#?\w+;", text) for text in texts), texts
    for part in [*drawn["nodes"], *drawn["clusters"], *labels.values()]:
        assert set(part["tags"]) <= LABEL_TAGS, part
    assert drawn["scripts"] == 0
    for node in drawn["nodes"]:
        assert _inside(node["labelBox"], node["box"]), node
    fonts = [n["font"] for n in drawn["nodes"]] + [e["font"] for e in labels.values()]
    assert min(fonts) >= SMALLEST_FONT, min(fonts)
    assert drawn["svgWidth"] <= WIDTH


def test_the_demo_journey_renders_a_node_per_visit_in_its_stage_s_lane(
    mermaid_page: tuple[Page, list[str]], cli: Cli, tmp_path: Path, framework: Framework
) -> None:
    state = copy_demo(tmp_path / "demo")
    project = Store(state).load()
    drawn = _render_flowchart(mermaid_page, _flowchart_block(_report(cli, state)))
    _check_flowchart(drawn, project, framework)
    assert len(drawn["nodes"]) == len(project.visits) >= 20
    assert len(drawn["clusters"]) == len(framework.stages)
    assert sum(e["dotted"] for e in drawn["edges"]) == len(project.switches) >= 10
    shown = sorted(e["text"] for e in drawn["edgeLabels"] if e["text"])
    assert shown == sorted(s.category for s in project.switches)


def test_a_fresh_project_s_journey_is_one_open_visit(
    mermaid_page: tuple[Page, list[str]], cli: Cli, tmp_path: Path, framework: Framework
) -> None:
    assert cli("init").code == 0
    state = tmp_path / "mlpl.json"
    drawn = _render_flowchart(mermaid_page, _flowchart_block(_report(cli, state)))
    _check_flowchart(drawn, Store(state).load(), framework)
    assert [(n["id"], n["text"], "here" in n["cls"]) for n in drawn["nodes"]] == [
        ("s1", "1 · iteration 1", True)
    ]
    assert [c["text"] for c in drawn["clusters"]] == ["1. Business Understanding"]
    assert drawn["edges"] == []


def test_loop_backs_are_dotted_arrows_labelled_with_their_category(
    mermaid_page: tuple[Page, list[str]], cli: Cli, tmp_path: Path, framework: Framework
) -> None:
    state = tmp_path / "mlpl.json"
    _loop_backs(state, framework, day=False)
    drawn = _render_flowchart(mermaid_page, _flowchart_block(_report(cli, state)))
    _check_flowchart(drawn, Store(state).load(), framework)
    assert [(e["id"], e["dotted"]) for e in drawn["edges"]] == [
        ("L_s1_s2_0", False),
        ("L_s2_s3_0", False),
        ("L_s3_s4_0", True),
        ("L_s4_s5_0", False),
        ("L_s5_s6_0", True),
    ]
    assert [(e["id"], e["text"]) for e in drawn["edgeLabels"] if e["text"]] == [
        ("L_s3_s4_0", "data"),
        ("L_s5_s6_0", "business"),
    ]
    assert [n["id"] for n in drawn["nodes"] if "here" in n["cls"]] == ["s6"]


def test_hostile_stored_text_shows_as_plain_text_in_the_journey(
    mermaid_page: tuple[Page, list[str]], cli: Cli, tmp_path: Path, framework: Framework
) -> None:
    """Stage names and switch categories that would open a tag, end a label, start a directive
    or a comment, hide in control characters or run 5,000 characters wide."""
    state = _hostile_state(tmp_path, framework)
    drawn = _render_flowchart(mermaid_page, _flowchart_block(_report(cli, state)))
    _check_flowchart(drawn, Store(state).load(), framework)
    nodes = {n["id"]: n["text"] for n in drawn["nodes"]}
    assert [nodes[f"s{7 + n}"] for n in range(len(HOSTILE_NAMES))] == [
        "7 · [bold red]rich[/] markup [link=https:... · iteration 20",
        '8 · colon: semi; hash # %%{init: {"theme"... · iteration 21',
        "9 · <script>alert(1)</script> --> a & b ``` · iteration 22",
        "10 · two lines and tabs · iteration 23",
        "11 · emoji 🚀🔥 end · iteration 24",
        "12 · עברית ועוד · العربية مرحبا · iteration 25",
        "13 · [31mred ansi [0m plain · iteration 26",
        "14 · Café composed · iteration 27",
        "15 · long " + "x" * 32 + "... · iteration 28",
    ]
    categories = {e["id"]: e["text"] for e in drawn["edgeLabels"]}
    assert [categories[f"L_s{6 + n}_s{7 + n}_0"] for n in range(len(HOSTILE_NAMES))] == [
        "[bold red]rich[/] markup [l...",
        "colon: semi; hash # %%{init...",
        "<script>alert(1)</script> -...",
        "two lines and tabs",
        "emoji 🚀🔥 end",
        "עברית ועוד · العربية مرحبا",
        "[31mred ansi [0m plain",
        "Café composed",
        "long " + "x" * 22 + "...",
    ]
