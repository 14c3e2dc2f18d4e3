"""The HTML report: one self-contained, printable file with the journey drawn as inline SVG.

No scripts and no network: the CSS is inline and the journey is drawn here. Every piece of text
from the state or framework file goes through `esc()`.
"""

from __future__ import annotations

import html
from itertools import pairwise

from mlpl_tui.figures import (
    REWORK_DEFINITION,
    as_of,
    count,
    effort_figures,
    iteration_rows,
    module_title,
    open_items,
    short_title,
    stage_title,
)
from mlpl_tui.framework import Framework
from mlpl_tui.journey import Step, journey
from mlpl_tui.model import Project
from mlpl_tui.progress import (
    current_stage_id,
    format_minutes,
    is_closed,
    iteration,
    module_status,
    stage_progress,
)

STATUS_WORDS = {
    "todo": "○ to do",
    "doing": "◐ doing",
    "done": "✓ done",
    "skipped": "⤼ skipped",
    "revisit": "↺ revisit",
}

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
svg .back { stroke: var(--back); stroke-width: 2.5; fill: none; stroke-dasharray: 6 4; }
svg .step { fill: #fff; stroke: var(--accent); stroke-width: 2.5; }
svg .step.open { fill: var(--accent); }
svg .step-no { font: 10px system-ui, sans-serif; fill: var(--ink); text-anchor: middle; }
svg .cat { font: 600 11px system-ui, sans-serif; fill: var(--back);
  paint-order: stroke; stroke: #fff; stroke-width: 4px; stroke-linejoin: round; }
svg .axis { font: 11px system-ui, sans-serif; fill: var(--muted); text-anchor: middle; }
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
footer { margin-top: 3rem; color: var(--muted); font-size: .8rem; }
@media print {
  body { max-width: none; padding: 0; font-size: 11pt; }
  h2 { break-after: avoid; }
  table, figure, .decision, tr { break-inside: avoid; }
  .stages { display: block; }
  a { color: inherit; text-decoration: none; }
}
"""


def esc(text: object) -> str:
    """Text for HTML content and attribute values: <, >, &, and both quotes escaped."""
    return html.escape(str(text), quote=True)


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
            f"{visit.iteration}, from {visit.entered_at[:10]}"
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


def _table(
    header: list[str],
    rows: list[list[str]],
    numeric: set[int] | None = None,
    tight: set[int] | None = None,
) -> str:
    numeric, tight = numeric or set(), tight or set()

    def cell(tag: str, i: int, value: str) -> str:
        css = "num" if i in numeric else "tight" if i in tight else ""
        return f'<{tag} class="{css}">{value}</{tag}>' if css else f"<{tag}>{value}</{tag}>"

    head = "".join(cell("th", i, h) for i, h in enumerate(header))
    body = "\n".join(
        "<tr>" + "".join(cell("td", i, v) for i, v in enumerate(row)) + "</tr>" for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>\n{body}\n</tbody></table>"


def _bar(part: int, whole: int, css: str = "") -> str:
    share = 100 * part / whole if whole else 0
    return f'<div class="bar"><i class="{css}" style="width:{share:.1f}%"></i></div>'


def _day(stamp: str) -> str:
    return esc(stamp[:10])


def render(project: Project, framework: Framework) -> str:
    """The whole HTML report as one string."""
    effort = effort_figures(project, framework)
    steps = journey(project, framework)
    closed = is_closed(project)
    name = esc(project.meta.name)
    current = stage_title(framework, current_stage_id(project))
    state = "accepted by the client" if closed else f"in {esc(current)}"
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{name}: MLPL report</title>",
        f"<style>{CSS}</style></head><body>",
        f"<header><h1>{name}</h1>",
        f'<p class="lede">MLPL report. State as of {esc(as_of(project)[:16].replace("T", " "))} '
        f"UTC: {state}, iteration {iteration(project)}.</p></header>",
        '<section class="cards">',
    ]
    cards = [
        (f"{iteration(project)}", "iterations"),
        (str(len(project.switches)), "lifecycle switches"),
        (str(len(project.decisions)), "decisions"),
        (str(len(project.experiments)), "experiments"),
        (format_minutes(effort.total), "effort logged"),
        (f"{effort.rework_share:.0%}", "rework share"),
    ]
    out += [f'<div class="card"><b>{v}</b><span>{k}</span></div>' for v, k in cards]
    out.append("</section>")

    out.append('<section id="progress"><h2>Progress</h2>')
    progress = stage_progress(project, framework)
    out.append(
        _table(
            ["Stage", "State", "Done or skipped", "", "Effort"],
            [
                [
                    f"{p.stage.number}. {esc(p.stage.title)}",
                    esc(p.state),
                    f"{p.finished}/{p.total}",
                    _bar(p.finished, p.total),
                    format_minutes(effort.by_stage.get(p.stage.id, 0)),
                ]
                for p in progress
            ],
            {2, 4},
        )
    )
    out.append('<div class="stages">')
    for p in progress:
        rows = []
        for m in p.stage.modules:
            status = module_status(project, m.id)
            record = project.modules.get(m.id)
            rows.append(
                [
                    esc(m.title),
                    f'<span class="st-{esc(status)}">'
                    f"{esc(STATUS_WORDS.get(status, status))}</span>",
                    "required" if m.required else "optional",
                    f'<span class="note">{esc(record.note)}</span>' if record else "",
                ]
            )
        out.append(f"<div><h3>{p.stage.number}. {esc(p.stage.title)}</h3>")
        out.append(_table(["Module", "Status", "", "Note"], rows, tight={1, 2}) + "</div>")
    out.append("</div></section>")

    out.append('<section id="journey"><h2>Journey</h2>')
    out.append(
        f"<figure>{journey_svg(steps, framework)}<figcaption>The path the project took: "
        f"{count(len(steps), 'visit')} in {count(iteration(project), 'iteration')}. "
        "Each dot is a visit to a stage; "
        "solid lines move forward, red dashed arrows are lifecycle switches labelled with their "
        "category. Everyone expects one straight line down the four lanes.</figcaption></figure>"
    )
    out.append("<h3>Lifecycle switches</h3>")
    if project.switches:
        out.append(
            _table(
                ["Iteration", "When", "Who", "From", "Back to", "Category", "Reason", "Revisit"],
                [
                    [
                        str(s.iteration),
                        _day(s.at),
                        esc(s.by),
                        esc(stage_title(framework, s.from_stage)),
                        esc(
                            module_title(framework, s.to_module)
                            or stage_title(framework, s.to_stage)
                        ),
                        esc(s.category),
                        f'<span class="note">{esc(s.reason)}</span>',
                        str(len(s.revisit)),
                    ]
                    for s in project.switches
                ],
                {0, 7},
                {1, 5},
            )
        )
    else:
        out.append("<p>No lifecycle switches: the project has gone straight ahead so far.</p>")
    out.append("</section>")

    out.append('<section id="decisions"><h2>Decisions</h2>')
    numbers = {d.id: i for i, d in enumerate(project.decisions, start=1)}
    if not project.decisions:
        out.append("<p>No decisions recorded.</p>")
    for d in project.decisions:
        where = esc(stage_title(framework, d.stage))
        if d.module:
            where += " / " + esc(module_title(framework, d.module))
        links = []
        for label, ref in (("Supersedes", d.supersedes), ("Superseded by", d.superseded_by)):
            if ref:
                target = f"D{numbers[ref]}" if ref in numbers else esc(ref)
                links.append(f'{label} <a href="#decision-{esc(ref)}">{target}</a>')
        fields = "".join(
            f"<dt>{label}</dt><dd>{esc(text)}</dd>"
            for label, text in (
                ("Context", d.context),
                ("Decision", d.decision),
                ("Consequences", d.rationale),
            )
            if text.strip()
        )
        out.append(
            f'<article class="decision {esc(d.status)}" id="decision-{esc(d.id)}">'
            f"<h3>D{numbers[d.id]}. {esc(d.title)}</h3>"
            f'<p class="meta"><span class="badge">{esc(d.status)}</span> {_day(d.created_at)} · '
            f"{esc(d.created_by)} · {where} · id {esc(d.id)}"
            + ("".join(f" · {link}" for link in links))
            + f"</p><dl>{fields}</dl></article>"
        )
    out.append("</section>")

    out.append('<section id="experiments"><h2>Experiments</h2>')
    if project.experiments:
        dropped = [e for e in project.experiments if e.status == "abandoned"]
        lost = sum(effort.by_experiment.get(e.id, 0) for e in dropped)
        out.append(
            f"<p>{count(len(project.experiments), 'experiment')}, {len(dropped)} abandoned; "
            "effort logged "
            f"on the abandoned ones: {format_minutes(lost)}.</p>"
        )
        out.append(
            _table(
                ["#", "Experiment", "Status", "Hypothesis", "Link", "Effort", "Outcome"],
                [
                    [
                        f"E{i}",
                        esc(e.title),
                        esc(e.status),
                        f'<span class="note">{esc(e.hypothesis)}</span>',
                        esc(e.link),
                        format_minutes(effort.by_experiment.get(e.id, 0)),
                        f'<span class="note">{esc(e.reason)}</span>'
                        if e.status == "abandoned"
                        else "",
                    ]
                    for i, e in enumerate(project.experiments, start=1)
                ],
                {0, 5},
            )
        )
    else:
        out.append("<p>No experiments recorded.</p>")
    out.append("</section>")

    out.append('<section id="effort"><h2>Effort</h2>')
    out.append(
        f"<p>Total {format_minutes(effort.total)}, of which rework "
        f"{format_minutes(effort.rework)} (<b>{effort.rework_share:.0%}</b>). "
        f"{esc(REWORK_DEFINITION)}</p>"
    )
    top = max(effort.by_stage.values(), default=0)
    out.append(
        _table(
            ["Stage", "Effort", "", "Rework", "Rework share"],
            [
                [
                    esc(stage_title(framework, stage)),
                    format_minutes(minutes),
                    _bar(minutes, top),
                    format_minutes(effort.rework_by_stage.get(stage, 0)),
                    f"{effort.rework_by_stage.get(stage, 0) / minutes:.0%}" if minutes else "",
                ]
                for stage, minutes in effort.by_stage.items()
            ],
            {1, 3, 4},
        )
    )
    numbers_by_stage = {s.id: str(s.number) for s in framework.stages}
    iterations = iteration_rows(project, effort)
    top = max((r.minutes for r in iterations), default=0)
    out.append(
        _table(
            ["Iteration", "Started", "Stages visited", "Effort", "", "Rework"],
            [
                [
                    str(r.number),
                    _day(r.started_at),
                    " → ".join(esc(numbers_by_stage.get(s, s)) for s in r.stages),
                    format_minutes(r.minutes),
                    _bar(r.minutes, top, "rework" if r.rework else ""),
                    format_minutes(r.rework),
                ]
                for r in iterations
            ],
            {0, 3, 5},
        )
    )
    out.append("</section>")

    out.append('<section id="open"><h2>Open items</h2>')
    items = open_items(project, framework)
    lines = [f"Revisit {esc(m.title)} ({esc(m.id)})" for m in items.revisit]
    lines += [
        f"Required, {esc(module_status(project, m.id))}: {esc(m.title)} ({esc(m.id)})"
        for m in items.required_not_done
    ]
    lines += [f"Experiment running: {esc(e.title)}" for e in items.running_experiments]
    lines += [
        f'Decision proposed: <a href="#decision-{esc(d.id)}">D{numbers[d.id]}</a> {esc(d.title)}'
        for d in items.proposed_decisions
    ]
    if lines:
        out.append("<ul>" + "".join(f"<li>{line}</li>" for line in lines) + "</ul>")
    else:
        out.append("<p>Nothing open.</p>")
    if items.required_ahead:
        out.append(f"<p>{items.required_ahead} required modules lie in stages not reached yet.</p>")
    out.append("</section>")

    out.append('<section id="questions"><h2>Exploration questions</h2>')
    answers = project.answers
    qrows = []
    for q in framework.exploration_questions:
        a = answers.get(q.number)
        qrows.append(
            [
                str(q.number),
                esc(q.text),
                esc(a.answer) if a else "unknown",
                f'<span class="note">{esc(a.note)}</span>' if a else "",
                _day(a.updated_at) if a else "",
            ]
        )
    out.append(_table(["#", "Question", "Answer", "Evidence", "Answered"], qrows, {0}))
    out.append("</section>")
    out.append(
        f"<footer>Generated by mlpl-tui from {esc(project.label.rsplit('/', 1)[-1])}.</footer>"
    )
    out.append("</body></html>")
    return "\n".join(out) + "\n"
