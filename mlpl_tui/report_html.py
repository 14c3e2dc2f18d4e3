"""The HTML report: one self-contained, printable file with the journey drawn as inline SVG.

No scripts and no network: the CSS is inline and the journey is drawn here. Every piece of text
from the state or framework file goes through `esc()`.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from datetime import datetime, timezone
from itertools import pairwise
from typing import TYPE_CHECKING

from mlpl_tui.clock import STORED_FORMAT
from mlpl_tui.figures import REWORK_DEFINITION, stage_title
from mlpl_tui.framework import Framework
from mlpl_tui.journey import Step
from mlpl_tui.model import Project
from mlpl_tui.plans import PlanRow, plan_words
from mlpl_tui.progress import format_minutes
from mlpl_tui.report_view import (
    BEST_MARK,
    ArtifactRow,
    DecisionRow,
    ExperimentRow,
    ReportView,
    RunRow,
    SwitchRow,
    goal_words,
    link_target,
    location_note,
)
from mlpl_tui.sanitize import clean
from mlpl_tui.timeline import Timeline, epoch
from mlpl_tui.wording import plural, short_title, shown_date, shown_time, status_word

if TYPE_CHECKING:
    from mlpl_tui.artifact_files import ArtifactState

CSS = """
:root { --ink: #1f2328; --muted: #59636e; --line: #d1d9e0; --soft: #f6f8fa;
  --accent: #0969da; --back: #cf222e; --ok: #1a7f37; --warn: #9a6700; }
* { box-sizing: border-box; }
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink);
  margin: 0 auto; max-width: 1100px; padding: 2rem 1.5rem 4rem; }
h1 { font-size: 1.8rem; margin: 0 0 .25rem; }
h2 { font-size: 1.3rem; border-bottom: 1px solid var(--line); padding-bottom: .3rem;
  margin-top: 2.2rem; }
h3 { font-size: 1.05rem; margin: 1.4rem 0 .4rem; }
.lede { color: var(--muted); margin: 0 0 1rem; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); gap: .75rem; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: .6rem .8rem; }
.card b { display: block; font-size: 1.4rem; }
.card span { color: var(--muted); font-size: .85rem; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; font-size: .9rem; }
th, td { border: 1px solid var(--line); padding: .3rem .5rem; text-align: left;
  vertical-align: top; overflow-wrap: break-word; }
th { background: var(--soft); }
td.num, th.num { text-align: right; white-space: nowrap; }
td.tight { white-space: nowrap; }
.stages { display: grid; grid-template-columns: repeat(auto-fit, minmax(520px, 1fr));
  gap: 0 1.2rem; }
.st-done, .st-skipped { color: var(--ok); }
.st-revisit { color: var(--back); font-weight: 600; }
.st-doing { color: var(--warn); }
.art-stale, .art-missing, .art-file-missing { color: var(--back); font-weight: 600; }
.art-current { color: var(--ok); }
.bar { background: var(--soft); border-radius: 3px; height: .7rem; min-width: 4rem; }
.bar i { display: block; background: var(--accent); height: 100%; border-radius: 3px; }
.bar i.rework { background: var(--back); }
figure { margin: 1rem 0; }
figcaption { color: var(--muted); font-size: .85rem; }
svg.journey { width: 100%; height: auto; border: 1px solid var(--line); border-radius: 8px; }
svg .lane { fill: var(--soft); }
svg .lane-alt { fill: #fff; }
svg .lane-label { font: 600 13px system-ui, sans-serif; fill: var(--ink); }
svg .fwd { stroke: var(--accent); stroke-width: 2.5; fill: none; }
svg.journey .back { stroke: var(--back); stroke-width: 2.5; fill: none; stroke-dasharray: 6 4; }
svg .step { fill: #fff; stroke: var(--accent); stroke-width: 2.5; }
svg .step.open { fill: var(--accent); }
svg .step-no { font: 10px system-ui, sans-serif; fill: var(--ink); text-anchor: middle; }
svg .cat { font: 600 11px system-ui, sans-serif; fill: var(--back);
  paint-order: stroke; stroke: #fff; stroke-width: 4px; stroke-linejoin: round; }
svg .axis { font: 11px system-ui, sans-serif; fill: var(--muted); text-anchor: middle; }
svg.timeline { width: 100%; height: auto; border: 1px solid var(--line); border-radius: 8px; }
.chart { overflow-x: auto; }
@media (max-width: 640px) { .chart svg.timeline { min-width: 640px; } }
svg .visit { fill: var(--accent); }
svg .visit.back { fill: var(--back); }
svg .visit.open { fill-opacity: .55; stroke: var(--accent); stroke-width: 1.5; }
svg .loop { font: 700 13px system-ui, sans-serif; fill: var(--back); text-anchor: end;
  paint-order: stroke; stroke: #fff; stroke-width: 3px; stroke-linejoin: round; }
svg .today { stroke: var(--warn); stroke-width: 2; stroke-dasharray: 4 3; }
svg .today-label { font: 600 11px system-ui, sans-serif; fill: var(--warn); text-anchor: middle; }
svg .tick { stroke: var(--line); stroke-width: 1; }
.decision { border: 1px solid var(--line); border-left: 4px solid var(--accent); border-radius: 6px;
  padding: .5rem .9rem; margin: .8rem 0; break-inside: avoid; }
.decision.superseded, .decision.rejected { border-left-color: var(--muted); }
.decision h3 { margin: .2rem 0; }
.decision dl { display: grid; grid-template-columns: max-content 1fr; gap: .2rem .8rem;
  margin: .4rem 0; }
.decision dt { font-weight: 600; }
.decision dd { margin: 0; white-space: pre-wrap; }
.meta { color: var(--muted); font-size: .85rem; }
.badge { display: inline-block; border: 1px solid currentColor; border-radius: 1em;
  padding: 0 .5em; font-size: .8rem; }
.note { white-space: pre-wrap; }
td.best { font-weight: 700; }
th.baseline, td.baseline { background: var(--soft); }
.gone { color: var(--back); }
@media (max-width: 640px) {
  /* A table's rows become cards, each value after its column's heading. */
  table, tbody, tr, td { display: block; width: 100%; }
  thead { display: none; }
  tr { border: 1px solid var(--line); border-radius: 6px; margin: 0 0 .6rem;
    padding: .35rem .6rem; }
  td, td.num, td.tight { border: none; padding: .1rem 0; text-align: left; white-space: normal;
    overflow-wrap: anywhere; }
  td[data-label]::before { content: attr(data-label) ": "; font-weight: 600;
    color: var(--muted); }
  td:empty { display: none; }
  .bar { margin: .2rem 0; }
}
footer { margin-top: 3rem; color: var(--muted); font-size: .8rem; }
@page { margin: 14mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 11pt; }
  h2, h3 { break-after: avoid; }
  table, figure, .decision, tr { break-inside: avoid; }
  td.num, th.num, td.tight { white-space: normal; }
  th, td { overflow-wrap: anywhere; }
  .bar, .bar i, svg { print-color-adjust: exact; -webkit-print-color-adjust: exact; }
  .chart { overflow: visible; }
  .chart svg.timeline { min-width: 0; }
  .stages { display: block; }
  a { color: inherit; text-decoration: none; }
}
"""


def esc(text: object) -> str:
    """Text for HTML content and attribute values: <, >, &, and both quotes escaped, and every
    control character written visibly (`\x1b`), so a page printed to a terminal (curl, cat)
    cannot drive it; newlines and tabs stay."""
    return html.escape(clean(str(text), multiline=True), quote=True)


def journey_svg(steps: list[Step], framework: Framework) -> str:
    """The real path across the stages: a lane per stage, a dot per visit, switches dashed back."""
    lanes = len(framework.stages) + (
        1 if any(s.stage_number > len(framework.stages) for s in steps) else 0
    )
    label_w, dx, dy, top, bottom = 215, 40, 54, 16, 40
    width = label_w + dx * (max(len(steps), 4) + 1)
    height = top + dy * lanes + bottom

    def x(i: int) -> float:
        return label_w + dx * (i + 0.5)

    def y(lane: int) -> float:
        return top + dy * (lane - 0.5)

    parts = [
        f'<svg class="journey" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="journey-title" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="journey-title">The journey: {len(steps)} visits across the stages</title>',
    ]
    for lane in range(1, lanes + 1):
        stage = framework.stages[lane - 1] if lane <= len(framework.stages) else None
        title = stage.title if stage else "Other stages"
        parts.append(
            f'<rect class="{"lane" if lane % 2 else "lane-alt"}" x="0" y="{top + dy * (lane - 1)}" '
            f'width="{width}" height="{dy}"/>'
        )
        parts.append(
            f'<text class="lane-label" x="10" y="{y(lane) + 4:.0f}">'
            f"{lane}. {esc(short_title(title))}"
            f"<title>{esc(title)}</title></text>"
        )
    for i, (before, step) in enumerate(pairwise(steps)):
        x1, y1, x2, y2 = x(i), y(before.stage_number), x(i + 1), y(step.stage_number)
        if step.is_loop_back:
            tip = ""
            if step.switch is not None:
                tip = f"{step.switch.category}: {step.switch.reason}"
            if y1 == y2:  # back within one stage: an arc over the lane
                shape, lx, ly, anchor = (
                    f"Q{(x1 + x2) / 2:.0f},{y1 - 34:.0f}",
                    (x1 + x2) / 2,
                    y1 - 20,
                    "middle",
                )
            else:
                shape, lx, ly, anchor = "L", (x1 + x2) / 2 + 5, (y1 + y2) / 2 + 4, "start"
            parts.append(
                f'<path class="back" d="M{x1:.0f},{y1:.0f} {shape} {x2:.0f},{y2:.0f}" '
                f'marker-end="url(#arrow-back)"><title>{esc(tip)}</title></path>'
            )
            if step.switch is not None:
                parts.append(
                    f'<text class="cat" x="{lx:.0f}" y="{ly:.0f}" text-anchor="{anchor}">'
                    f"{esc(step.switch.category)}</text>"
                )
        else:
            parts.append(f'<path class="fwd" d="M{x1:.0f},{y1:.0f} L{x2:.0f},{y2:.0f}"/>')
    for i, step in enumerate(steps):
        visit = step.visit
        tip = (
            f"Step {step.number}: {stage_title(framework, visit.stage)}, iteration "
            f"{visit.iteration}, from {shown_date(visit.entered_at)}"
        )
        if step.switch is not None:
            tip += f" (back after: {step.switch.reason})"
        css = "step open" if step.is_open else "step"
        parts.append(
            f'<circle class="{css}" cx="{x(i):.0f}" cy="{y(step.stage_number):.0f}" r="8">'
            f"<title>{esc(tip)}</title></circle>"
        )
        parts.append(
            f'<text class="axis" x="{x(i):.0f}" y="{top + dy * lanes + 16}">'
            f"{visit.iteration}</text>"
        )
    parts.append(
        f'<text class="axis" x="{label_w - 10}" y="{top + dy * lanes + 16}" '
        f'style="text-anchor:end">iteration</text>'
    )
    parts.append(
        '<defs><marker id="arrow-back" viewBox="0 0 10 10" refX="16" refY="5" markerWidth="6" '
        'markerHeight="6" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
        'fill="#cf222e"/></marker></defs>'
    )
    parts.append("</svg>")
    return "\n".join(parts)


def _tick_stamp(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, timezone.utc).strftime(STORED_FORMAT)


def timeline_svg(line: Timeline, mark: str = "now") -> str:
    """The visits across calendar time: a lane per stage, a bar per visit from entering to
    leaving (to now for the open one), loop backs in red and marked ↺, a dashed line at now,
    labelled `mark`."""
    label_w, plot_w, dy, top, bottom, bar_h = 215, 760, 34, 22, 34, 16
    # room on the right for half the last date on the axis and the "now" label
    width, height = label_w + plot_w + 45, top + dy * len(line.lanes) + bottom

    def x(stamp: str) -> float:
        return label_w + plot_w * line.position(stamp)

    parts = [
        f'<svg class="timeline" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="timeline-title" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="timeline-title">The timeline: {len(line.bars)} visits from '
        f"{esc(shown_date(line.start))} to {esc(shown_date(line.end))}</title>",
    ]
    for i, lane in enumerate(line.lanes):
        number = f"{lane.number}. " if lane.number else ""
        parts.append(
            f'<rect class="{"lane" if i % 2 == 0 else "lane-alt"}" x="0" y="{top + dy * i}" '
            f'width="{width}" height="{dy}"/>'
        )
        parts.append(
            f'<text class="lane-label" x="10" y="{top + dy * i + dy / 2 + 4:.0f}">'
            f"{number}{esc(short_title(lane.title))}<title>{esc(lane.title)}</title></text>"
        )
    first, last = epoch(line.start), epoch(line.end)
    if first is not None and last is not None and last > first:
        for k in range(5):
            stamp = _tick_stamp(first + (last - first) * k / 4)
            tx = x(stamp)
            parts.append(
                f'<line class="tick" x1="{tx:.0f}" y1="{top}" x2="{tx:.0f}" '
                f'y2="{top + dy * len(line.lanes)}"/>'
            )
            parts.append(
                f'<text class="axis" x="{tx:.0f}" y="{height - 12}">{esc(shown_date(stamp))}</text>'
            )
    for bar in line.bars:
        x1, x2 = x(bar.start), x(bar.end)
        y = top + dy * bar.lane + (dy - bar_h) / 2
        css = "visit" + (" back" if bar.loop_back else "") + (" open" if bar.is_open else "")
        tip = (
            f"Visit {bar.step}: {line.lanes[bar.lane].title}, iteration {bar.iteration}, "
            f"{shown_time(bar.start)} to {'now' if bar.is_open else shown_time(bar.end)}"
        )
        if bar.loop_back:
            tip += " (loop back" + (f", {bar.category}: {bar.reason})" if bar.category else ")")
        parts.append(
            f'<rect class="{css}" x="{x1:.1f}" y="{y:.0f}" width="{max(x2 - x1, 2):.1f}" '
            f'height="{bar_h}" rx="2"><title>{esc(tip)}</title></rect>'
        )
        if bar.loop_back:
            parts.append(f'<text class="loop" x="{x1 - 2:.1f}" y="{y + bar_h - 3:.0f}">↺</text>')
    now = x(line.now)
    parts.append(
        f'<line class="today" x1="{now:.1f}" y1="{top - 4}" x2="{now:.1f}" '
        f'y2="{top + dy * len(line.lanes)}"/>'
    )
    parts.append(f'<text class="today-label" x="{now:.1f}" y="{top - 8}">{esc(mark)}</text>')
    parts.append("</svg>")
    return "\n".join(parts)


def _table(
    header: list[str],
    rows: list[list[str]],
    numeric: set[int] | None = None,
    tight: set[int] | None = None,
) -> str:
    numeric, tight = numeric or set(), tight or set()
    labels = [_label(h) for h in header]

    def cell(tag: str, i: int, value: str) -> str:
        css = "num" if i in numeric else "tight" if i in tight else ""
        attrs = f' class="{css}"' if css else ""
        if tag == "td" and i < len(labels):
            attrs += labels[i]
        return f"<{tag}{attrs}>{value}</{tag}>"

    head = "".join(cell("th", i, h) for i, h in enumerate(header))
    body = "\n".join(
        "<tr>" + "".join(cell("td", i, v) for i, v in enumerate(row)) + "</tr>" for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>\n{body}\n</tbody></table>"


def _label(heading: str) -> str:
    """A cell's column heading as a `data-label` attribute (a phone shows it before the value,
    each row stacked as a card); nothing for a column without a heading."""
    text = html.unescape(re.sub(r"<[^>]*>", "", heading)).strip()
    return f' data-label="{esc(text)}"' if text else ""


def _bar(part: int, whole: int, css: str = "") -> str:
    share = 100 * part / whole if whole else 0
    return f'<div class="bar"><i class="{css}" style="width:{share:.1f}%"></i></div>'


def _day(stamp: str) -> str:
    return esc(shown_date(stamp))


def render(
    project: Project,
    framework: Framework,
    artifact_states: Sequence[ArtifactState] | None = None,
    now: str | None = None,
) -> str:
    """The whole HTML report as one string; `artifact_states` as checked on disk (else from the
    records); `now` is the timeline's today (default: the time the state is as of)."""
    view = ReportView(project, framework, artifact_states, now)
    out = _head(view)
    for section in (
        _progress,
        _journey,
        _timeline,
        _decisions,
        _experiments,
        _artifacts,
        _learnings,
        _effort,
        _plan,
        _open_items,
    ):
        out += section(view)
    out += _questions(view)
    out.append(f"<footer>Generated by mlpl-tui from {esc(view.file_name)}.</footer>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"


def _head(view: ReportView) -> list[str]:
    name = esc(view.name)
    state = "accepted by the client" if view.closed else f"in {esc(view.current_title)}"
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{name}: MLPL report</title>",
        f"<style>{CSS}</style></head><body>",
        f"<header><h1>{name}</h1>",
        f'<p class="lede">MLPL report. State as of '
        f"{esc(shown_time(view.as_of, zone=True))}: {state}, iteration {view.iteration}.</p>"
        "</header>",
        '<section class="cards">',
    ]
    project, effort = view.project, view.effort
    cards = [
        (f"{view.iteration}", "iterations"),
        (str(len(project.switches)), "lifecycle switches"),
        (str(len(project.decisions)), "decisions"),
        (str(len(project.experiments)), "experiments"),
        (format_minutes(effort.total), "effort logged"),
        (f"{effort.rework_share:.0%}", "rework share"),
    ]
    out += [f'<div class="card"><b>{v}</b><span>{k}</span></div>' for v, k in cards]
    out.append("</section>")
    return out


def _progress(view: ReportView) -> list[str]:
    out = ['<section id="progress"><h2>Progress</h2>']
    out.append(
        _table(
            ["Stage", "State", "Done or skipped", "", "Effort"],
            [
                [
                    f"{row.progress.stage.number}. {esc(row.progress.stage.title)}",
                    esc(row.progress.state),
                    f"{row.progress.finished}/{row.progress.total}",
                    _bar(row.progress.finished, row.progress.total),
                    format_minutes(row.minutes),
                ]
                for row in view.stages
            ],
            {2, 4},
        )
    )
    out.append('<div class="stages">')
    for row in view.stages:
        modules = [
            [
                esc(m.module.title),
                f'<span class="st-{esc(m.status)}">{esc(status_word(m.status))}</span>',
                "required" if m.module.required else "optional",
                "" if m.note is None else _note(m.note),
                "" if m.skip_reason is None else _note(m.skip_reason),
            ]
            for m in row.modules
        ]
        stage = row.progress.stage
        header = ["Module", "Status", "", "Note", "Why skipped"]
        out.append(f"<div><h3>{stage.number}. {esc(stage.title)}</h3>")
        out.append(_table(header, modules, tight={1, 2}) + "</div>")
    out.append("</div></section>")
    return out


def _note(text: str) -> str:
    """Stored text of several lines, its line breaks kept."""
    return f'<span class="note">{esc(text)}</span>'


def _journey(view: ReportView) -> list[str]:
    steps = view.steps
    out = ['<section id="journey"><h2>Journey</h2>']
    out.append(
        f"<figure>{journey_svg(steps, view.framework)}<figcaption>The path the project took: "
        f"{plural(len(steps), 'visit')} in {plural(view.iteration, 'iteration')}. "
        "Each dot is a visit to a stage; "
        "solid lines move forward, red dashed arrows are lifecycle switches labelled with their "
        "category. Everyone expects one straight line down the four lanes.</figcaption></figure>"
    )
    out.append("<h3>Lifecycle switches</h3>")
    if view.switches:
        header = ["Iteration", "When", "Who", "From", "Back to", "Category", "Reason", "Revisit"]
        out.append(_table(header, [_switch(row) for row in view.switches], {0, 7}, {1, 5}))
    else:
        out.append("<p>No lifecycle switches: the project has gone straight ahead so far.</p>")
    out.append("</section>")
    return out


def _timeline(view: ReportView) -> list[str]:
    line = view.timeline
    if line.empty:
        return []
    mark, said = ("closed", "the project's last change") if view.closed else ("now", "now")
    return [
        '<section id="timeline"><h2>Timeline</h2>',
        f'<figure><div class="chart">{timeline_svg(line, mark)}</div><figcaption>'
        "Each visit across calendar time on its stage's lane, from entering the stage to "
        "leaving it. Loop backs are red and marked ↺; "
        f"the dashed line is {said} ({esc(shown_time(line.now, zone=True))}).</figcaption>"
        "</figure>",
        "</section>",
    ]


def _plan(view: ReportView) -> list[str]:
    plan = view.plan
    out = ['<section id="plan"><h2>Plan against actual</h2>']
    if not plan.any_plan:
        out.append("<p>No estimate recorded yet (<code>mlpl-tui plan STAGE DURATION</code>).</p>")
    else:
        out.append(
            "<p>Estimates in working days of 8h. Actual is all effort logged, rework included "
            "(rework share as in Effort).</p>"
        )
        modules: dict[str, list[PlanRow]] = {}
        for m in plan.modules:
            modules.setdefault(m.stage, []).append(m)
        rows = []
        for row in plan.stages:
            rows.append(_plan_row(row, esc(row.title)))
            rows += [_plan_row(m, "↳ " + esc(m.title)) for m in modules.get(row.id, [])]
        rows.append(_plan_row(plan.total, "<b>Total</b>"))
        header = ["Stage", "Plan", "Actual", "", "Used", "Left", "Rework share"]
        out.append(_table(header, rows, {1, 2, 4, 5, 6}))
    if view.burn_up:
        total = view.burn_up[-1].total
        out.append("<h3>Burn-up</h3>")
        out.append(
            f"<p>Required modules done or skipped, of {total}, at the end of each day they "
            "moved.</p>"
        )
        rows = [
            [_day(p.at), str(p.done), _bar(p.done, p.total), str(p.total)] for p in view.burn_up
        ]
        out.append(_table(["Day", "Done", "", "Of"], rows, {1, 3}))
    out.append("</section>")
    return out


def _plan_row(row: PlanRow, name: str) -> list[str]:
    planned = "—" if row.planned is None else plan_words(row.planned)
    left = "" if row.left is None else plan_words(abs(row.left))
    if row.left is not None and row.left < 0:
        left += " over"
    over = row.left is not None and row.left < 0
    bar = _bar(min(row.actual, row.planned or 0), row.planned or 0, "rework" if over else "")
    return [
        name,
        planned,
        plan_words(row.actual),
        bar if row.planned else "",
        row.used,
        left,
        row.rework_share,
    ]


def _switch(row: SwitchRow) -> list[str]:
    s = row.switch
    cells = [esc(s.by), esc(row.from_title), esc(row.to_title), esc(s.category)]
    return [str(s.iteration), _day(s.at), *cells, _note(s.reason), str(len(s.revisit))]


def _decisions(view: ReportView) -> list[str]:
    out = ['<section id="decisions"><h2>Decisions</h2>']
    if not view.decisions:
        out.append("<p>No decisions recorded.</p>")
    out += [_decision(row) for row in view.decisions]
    out.append("</section>")
    return out


def _decision(row: DecisionRow) -> str:
    d = row.decision
    where = esc(row.stage_title)
    if d.module:
        where += " / " + esc(row.module_title)
    links = "".join(
        f' · {link.label} <a href="#decision-{esc(link.ref)}">'
        f"{esc(link.ref) if link.number is None else f'D{link.number}'}</a>"
        for link in row.links
    )
    fields = "".join(f"<dt>{label}</dt><dd>{esc(text)}</dd>" for label, text in row.sections)
    if row.status_changes:
        moves = "<br>".join(esc(move.words) for move in row.status_changes)
        fields += f"<dt>Status history</dt><dd>{moves}</dd>"
    return (
        f'<article class="decision {esc(d.status)}" id="decision-{esc(d.id)}">'
        f"<h3>D{row.number}. {esc(d.title)}</h3>"
        f'<p class="meta"><span class="badge">{esc(d.status)}</span> {_day(d.created_at)} · '
        f"{esc(d.created_by)} · {where} · id {esc(d.id)}{links}"
        f"</p><dl>{fields}</dl></article>"
    )


def _experiments(view: ReportView) -> list[str]:
    out = ['<section id="experiments"><h2>Experiments</h2>']
    if view.experiments:
        n = view.experiment_counts
        out.append(
            f"<p>{plural(n.total, 'experiment')}, {n.abandoned} abandoned; effort logged "
            f"on the abandoned ones: {format_minutes(n.lost_minutes)}.</p>"
        )
        header = [
            "#",
            "Experiment",
            "Status",
            "Hypothesis",
            "Link",
            "Effort",
            "Result",
            "Why abandoned",
        ]
        out.append(_table(header, [_experiment(row) for row in view.experiments], {0, 5}))
        out += _runs(view)
        out += _comparison(view)
    else:
        out.append("<p>No experiments recorded.</p>")
    out.append("</section>")
    return out


def _pairs(pairs: Sequence[tuple[str, str]]) -> str:
    """`mape: 0.31`, one a line, each name and value escaped."""
    return "<br>".join(f"{esc(name)}: {esc(value)}" for name, value in pairs)


def _runs(view: ReportView) -> list[str]:
    """Each experiment's linked runs as their snapshots hold them, with its best metrics."""
    if not view.experiment_runs:
        return []
    out = [
        "<h3>Linked runs</h3>",
        '<p class="meta">Each run as its tracker recorded it when it was last read (a run gone '
        "from its store keeps its snapshot); times in the reader's zone.</p>",
    ]
    header = ["Run", "Ref", "Status", "Started", "Ended", "Metrics", "Params"]
    for x in view.experiment_runs:
        out.append(f"<h4>E{x.row.number}. {esc(x.row.experiment.title)}</h4>")
        if x.best:
            best = ", ".join(f"{esc(name)}: {esc(value)}" for name, value in x.best)
            out.append(f"<p>Best of its runs: {best}.</p>")
        out.append(_table(header, [_run(run) for run in x.runs], tight={3, 4}))
    return out


def _run(run: RunRow) -> list[str]:
    link = run.link
    status = esc(run.status_words)
    if link.gone:
        status = f'<span class="gone">{status}</span>'
    return [
        _note(link.name),
        f"<code>{esc(link.id)}</code>",
        status,
        esc(shown_time(link.started_at)),
        esc(shown_time(link.ended_at)),
        _pairs(run.metrics),
        _pairs(run.params),
    ]


def _comparison(view: ReportView) -> list[str]:
    table = view.comparison
    if table is None:
        return []
    baseline = table.columns[table.baseline].number
    out = [
        "<h3>Comparison</h3>",
        f"<p>Each experiment's best value of each metric over its runs; {BEST_MARK} marks the "
        f"best in a row; the baseline is E{baseline}.</p>",
    ]
    if not table.rows:
        out.append("<p>No metric recorded by the linked runs.</p>")
        return out
    heads = "".join(
        f'<th class="num{" baseline" if i == table.baseline else ""}">{esc(table.heading(i))}</th>'
        for i in range(len(table.columns))
    )
    body = []
    for metric, goal, cells in table.rows:
        tds = "".join(
            f'<td class="{_cell_class(i, cell.best, table.baseline)}"'
            f"{_label(esc(table.heading(i)))}>{esc(cell.words)}</td>"
            for i, cell in enumerate(cells)
        )
        body.append(
            f'<tr><td data-label="Metric">{esc(metric)}</td>'
            f'<td data-label="Goal">{goal_words(goal)}</td>{tds}</tr>'
        )
    out.append(
        f"<table><thead><tr><th>Metric</th><th>Goal</th>{heads}</tr></thead><tbody>\n"
        + "\n".join(body)
        + "\n</tbody></table>"
    )
    return out


def _cell_class(i: int, best: bool, baseline: int) -> str:
    return " ".join(["num", *(["best"] if best else []), *(["baseline"] if i == baseline else [])])


def _experiment(row: ExperimentRow) -> list[str]:
    e = row.experiment
    why = _note(e.reason) if e.status == "abandoned" else ""
    cells = [esc(e.title), esc(e.status), _note(e.hypothesis), esc(e.link)]
    return [f"E{row.number}", *cells, format_minutes(row.minutes), _note(e.result), why]


def _location(text: str) -> str:
    """A location as text, or as a link when it is an http(s) URL (never another scheme)."""
    target = link_target(text)
    if target is None:
        return f"<code>{esc(text)}</code>"
    return f'<a href="{esc(target)}" rel="noopener noreferrer">{esc(text)}</a>'


def _locations(row: ArtifactRow) -> str:
    parts = []
    for place in row.locations:
        note = location_note(place)
        parts.append(_location(place.location) + (f" ({esc(note)})" if note else ""))
    return "<br>".join(parts)


def _artifacts(view: ReportView) -> list[str]:
    out = ['<section id="artifacts"><h2>Artifacts</h2>']
    shown = view.listed_artifacts
    if shown:
        rows = [
            [
                f"{esc(row.title)} ({esc(row.id)})",
                esc(row.where),
                "required" if row.required else "optional",
                f'<span class="art-{esc(row.state.replace(" ", "-"))}">'
                f"{esc(row.state_words)}</span>",
                _locations(row),
            ]
            for row in shown
        ]
        out.append(_table(["Artifact", "Stage", "", "State", "Where"], rows, tight={2, 3}))
    else:
        out.append("<p>None attached.</p>")
    rest = view.unlisted_artifacts
    if rest:
        names = ", ".join(f"{esc(row.title)} ({esc(row.id)})" for row in rest)
        out.append(f'<p class="meta">Not attached (optional): {names}.</p>')
    out.append("</section>")
    return out


def _learnings(view: ReportView) -> list[str]:
    out = ['<section id="learnings"><h2>Learnings</h2>']
    if view.learnings:
        rows = [
            [
                f"L{row.number}",
                _note(row.learning.text),
                esc(row.where),
                "<br>".join(esc(source.words) for source in row.sources),
                esc(row.learning.created_by),
                _day(row.learning.created_at),
            ]
            for row in view.learnings
        ]
        header = ["#", "Learning", "Stage", "Learned from", "By", "Noted"]
        out.append(_table(header, rows, {0}, {5}))
    else:
        out.append("<p>None noted.</p>")
    out.append("</section>")
    return out


def _effort(view: ReportView) -> list[str]:
    effort = view.effort
    out = ['<section id="effort"><h2>Effort</h2>']
    out.append(
        f"<p>Total {format_minutes(effort.total)}, of which rework "
        f"{format_minutes(effort.rework)} (<b>{effort.rework_share:.0%}</b>). "
        f"{esc(REWORK_DEFINITION)}</p>"
    )
    top = max(effort.by_stage.values(), default=0)
    stages = [
        [
            esc(s.title),
            format_minutes(s.minutes),
            _bar(s.minutes, top),
            format_minutes(s.rework),
            s.share,
        ]
        for s in view.stage_effort
    ]
    out.append(_table(["Stage", "Effort", "", "Rework", "Rework share"], stages, {1, 3, 4}))
    top = max((it.row.minutes for it in view.iterations), default=0)
    iterations = [
        [
            str(it.row.number),
            _day(it.row.started_at),
            " → ".join(esc(s) for s in it.path),
            format_minutes(it.row.minutes),
            _bar(it.row.minutes, top, "rework" if it.row.rework else ""),
            format_minutes(it.row.rework),
        ]
        for it in view.iterations
    ]
    header = ["Iteration", "Started", "Stages visited", "Effort", "", "Rework"]
    out.append(_table(header, iterations, {0, 3, 5}))
    out.append("</section>")
    return out


def _open_items(view: ReportView) -> list[str]:
    items = view.open_items
    out = ['<section id="open"><h2>Open items</h2>']
    lines = [
        f"Artifact {esc(row.state_words)}{', required' if row.required else ''}: "
        f"{esc(row.title)} ({esc(row.id)})"
        for row in view.open_artifacts
    ]
    lines += [f"Revisit {esc(m.title)} ({esc(m.id)})" for m in items.revisit]
    lines += [
        f"Required, {esc(r.status)}: {esc(r.module.title)} ({esc(r.module.id)})"
        for r in view.required_items
    ]
    lines += [f"Experiment running: {esc(e.title)}" for e in items.running_experiments]
    lines += [
        f'Decision proposed: <a href="#decision-{esc(d.decision.id)}">D{d.number}</a> '
        f"{esc(d.decision.title)}"
        for d in view.proposed_decisions
    ]
    if lines:
        out.append("<ul>" + "".join(f"<li>{line}</li>" for line in lines) + "</ul>")
    else:
        out.append("<p>Nothing open.</p>")
    if items.required_ahead:
        out.append(f"<p>{items.required_ahead} required modules lie in stages not reached yet.</p>")
    out.append("</section>")
    return out


def _questions(view: ReportView) -> list[str]:
    rows = [q.cells(esc, _note) for q in view.questions]
    header = ["#", "Question", "Answer", "Evidence", "Answered"]
    return [
        '<section id="questions"><h2>Exploration questions</h2>',
        _table(header, rows, {0}),
        "</section>",
    ]
