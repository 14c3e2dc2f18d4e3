"""The Markdown report, for GitHub and GitLab: tables, a Mermaid journey and a text fallback.

All user text goes through `md()` (one line: tables and headings) or `md_block()` (several lines),
and every label in the Mermaid diagram through `mermaid_text()`, so no note or title can open a
tag, end a table row or break the diagram.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
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

# Characters that would start markup: HTML's three as entities, Markdown's with a backslash.
_ESCAPES = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", **{c: "\\" + c for c in "\\`*_[]|~$#"}}
)
_LEADING = re.compile(r"^(\d+)([.)])|^([-+=])")
_ANCHOR = re.compile(r"[^A-Za-z0-9_-]")
_MERMAID_SAFE = re.compile(r"[A-Za-z0-9 .,_]")
STATUS_WORDS = {
    "todo": "○ to do",
    "doing": "◐ doing",
    "done": "✓ done",
    "skipped": "⤼ skipped",
    "revisit": "↺ revisit",
}


def md(text: str) -> str:
    """User text as one line of Markdown that shows exactly as typed."""
    return " ".join(str(text).split()).translate(_ESCAPES)


def md_block(text: str) -> str:
    """Several lines of user text as one Markdown paragraph with its line breaks kept."""
    lines = []
    for raw in str(text).splitlines():
        line = md(raw)
        if line and line[0] in "-+=0123456789":
            line = _LEADING.sub(lambda m: f"{m[1]}\\{m[2]}" if m[1] else f"\\{m[3]}", line)
        if line:
            lines.append(line)
    return "<br>\n".join(lines)


def anchor(prefix: str, id: str) -> str:
    return f"{prefix}-{_ANCHOR.sub('', id)}"


def mermaid_text(text: str) -> str:
    """Text for a Mermaid label: anything but plain letters and digits as an entity code."""
    line = " ".join(str(text).split())
    return "".join(c if _MERMAID_SAFE.match(c) else f"#{ord(c)};" for c in line)


def _row(*cells: str) -> str:
    return "| " + " | ".join(cells) + " |"


def _table(header: tuple[str, ...], rows: Sequence[tuple[str, ...]], align: str = "") -> list[str]:
    rule = tuple("---:" if a == "r" else "---" for a in align.ljust(len(header), "l"))
    return [_row(*header), _row(*rule), *(_row(*r) for r in rows)]


def _day(stamp: str) -> str:
    return md(stamp[:10])


def _when(stamp: str) -> str:
    return md(stamp[:16].replace("T", " ")) if stamp else ""


def mermaid(steps: list[Step], framework: Framework) -> list[str]:
    """The journey as a Mermaid flowchart: a lane per stage, a node per visit, switches dashed."""
    lines = ["```mermaid", "flowchart TB"]
    lanes: dict[int, list[Step]] = {}
    for step in steps:
        lanes.setdefault(step.stage_number, []).append(step)
    for number, stage in enumerate(framework.stages, start=1):
        if number not in lanes:
            continue  # an empty lane would draw an empty box
        title = mermaid_text(short_title(stage.title))
        lines.append(f'  subgraph lane{number}["{number}. {title}"]')
        for step in lanes[number]:
            lines.append(f'    s{step.number}["{step.number} · iteration {step.visit.iteration}"]')
        lines.append("  end")
    for step in lanes.get(len(framework.stages) + 1, []):
        label = mermaid_text(step.visit.stage)
        lines.append(
            f'  s{step.number}["{step.number} · {label} · iteration {step.visit.iteration}"]'
        )
    for before, step in pairwise(steps):
        if step.switch is not None:
            lines.append(
                f"  s{before.number} -.->|{mermaid_text(step.switch.category)}| s{step.number}"
            )
        elif step.is_loop_back:
            lines.append(f"  s{before.number} -.-> s{step.number}")
        else:
            lines.append(f"  s{before.number} --> s{step.number}")
    if steps and steps[-1].is_open:
        lines.append("  classDef here stroke-width:4px")
        lines.append(f"  class s{steps[-1].number} here")
    lines.append("```")
    return lines


def journey_text(steps: list[Step], framework: Framework) -> list[str]:
    """The journey as a text grid: a row per stage, a column per step (the fallback)."""
    titles = [f"{s.number} {s.title}" for s in framework.stages]
    width = max(len(t) for t in titles)
    number_row = "".join(f"{s.number % 100:>3}" for s in steps)
    rows = [f"{'step':<{width}} {number_row}"]
    for lane, title in enumerate(titles, start=1):
        cells = "".join("  ●" if s.stage_number == lane else "  ·" for s in steps)
        rows.append(f"{title:<{width}} {cells}")
    iterations = "".join(f"{s.visit.iteration % 100:>3}" for s in steps)
    rows.append(f"{'iteration':<{width}} {iterations}")
    return ["```text", *(r.replace("`", "'") for r in rows), "```"]


def render(project: Project, framework: Framework) -> str:
    """The whole Markdown report."""
    effort = effort_figures(project, framework)
    steps = journey(project, framework)
    closed = is_closed(project)
    current = stage_title(framework, current_stage_id(project))
    state = "accepted by the client" if closed else f"in **{md(current)}**"
    out = [
        f"# {md(project.meta.name)}: MLPL report",
        "",
        f"State as of {_when(as_of(project))} UTC: {state}, iteration **{iteration(project)}**.  ",
        f"{count(len(project.switches), 'lifecycle switch', 'lifecycle switches')}, "
        f"{count(len(project.decisions), 'decision')}, "
        f"{count(len(project.experiments), 'experiment')}, "
        f"{format_minutes(effort.total)} of effort logged.",
        "",
        "## Progress",
        "",
    ]
    progress = stage_progress(project, framework)
    out += _table(
        ("Stage", "State", "Done or skipped", "Effort"),
        [
            (
                f"{p.stage.number}. {md(p.stage.title)}",
                p.state,
                f"{p.finished}/{p.total}",
                format_minutes(effort.by_stage.get(p.stage.id, 0)),
            )
            for p in progress
        ],
        "llrr",
    )
    for p in progress:
        out += ["", f"### {p.stage.number}. {md(p.stage.title)}", ""]
        rows: list[tuple[str, ...]] = []
        for m in p.stage.modules:
            state_record = project.modules.get(m.id)
            rows.append(
                (
                    md(m.title),
                    STATUS_WORDS.get(module_status(project, m.id), "?"),
                    "required" if m.required else "optional",
                    md(state_record.note) if state_record else "",
                )
            )
        out += _table(("Module", "Status", "", "Note"), rows)

    out += ["", "## Journey", ""]
    out += [
        f"The path across the stages: {count(len(steps), 'visit')} in "
        f"{count(iteration(project), 'iteration')}. "
        "Solid arrows move forward; dashed arrows are lifecycle switches, labelled with their "
        "category.",
        "",
    ]
    out += mermaid(steps, framework)
    out += ["", "The same path as text (● a visit to that stage):", ""]
    out += journey_text(steps, framework)

    out += ["", "## Lifecycle switches", ""]
    if project.switches:
        out += _table(
            ("Iteration", "When", "Who", "From", "Back to", "Category", "Reason", "Revisit"),
            [
                (
                    str(s.iteration),
                    _day(s.at),
                    md(s.by),
                    md(stage_title(framework, s.from_stage)),
                    md(module_title(framework, s.to_module) or stage_title(framework, s.to_stage)),
                    md(s.category),
                    md(s.reason),
                    str(len(s.revisit)),
                )
                for s in project.switches
            ],
            "rl",
        )
    else:
        out.append("No lifecycle switches: the project has gone straight ahead so far.")

    out += ["", "## Decisions", ""]
    numbers = {d.id: i for i, d in enumerate(project.decisions, start=1)}
    if not project.decisions:
        out.append("No decisions recorded.")
    else:
        out += _table(
            ("#", "Decision", "Status", "Date", "Stage"),
            [
                (
                    f"[D{numbers[d.id]}](#{anchor('decision', d.id)})",
                    md(d.title),
                    md(d.status),
                    _day(d.created_at),
                    md(stage_title(framework, d.stage)),
                )
                for d in project.decisions
            ],
            "r",
        )
        out.append("")
    for d in project.decisions:
        out += [
            f'<a id="{anchor("decision", d.id)}"></a>',
            "",
            f"### D{numbers[d.id]}. {md(d.title)}",
            "",
        ]
        where = md(stage_title(framework, d.stage))
        if d.module:
            where += f" / {md(module_title(framework, d.module))}"
        facts = [f"**Status:** {md(d.status)}", f"**Date:** {_day(d.created_at)}"]
        facts += [f"**By:** {md(d.created_by)}", f"**Stage:** {where}", f"**Id:** {md(d.id)}"]
        out += ["- " + " · ".join(facts)]
        for label, ref in (("Supersedes", d.supersedes), ("Superseded by", d.superseded_by)):
            if ref:
                target = f"D{numbers[ref]}" if ref in numbers else md(ref)
                out.append(f"- **{label}:** [{target}](#{anchor('decision', ref)})")
        for label, text in (
            ("Context", d.context),
            ("Decision", d.decision),
            ("Consequences", d.rationale),
        ):
            if text.strip():
                out += ["", f"**{label}.** {md_block(text)}"]
        out.append("")

    out += ["## Experiments", ""]
    if project.experiments:
        kept = sum(e.status == "kept" for e in project.experiments)
        dropped = [e for e in project.experiments if e.status == "abandoned"]
        lost = sum(effort.by_experiment.get(e.id, 0) for e in dropped)
        out += [
            f"{count(len(project.experiments), 'experiment')}: {kept} kept, "
            f"{len(dropped)} abandoned, "
            f"{len(project.experiments) - kept - len(dropped)} running. Effort logged on the "
            f"abandoned ones: {format_minutes(lost)}.",
            "",
        ]
        out += _table(
            ("#", "Experiment", "Status", "Hypothesis", "Link", "Effort", "Outcome"),
            [
                (
                    f"E{i}",
                    md(e.title),
                    md(e.status),
                    md(e.hypothesis),
                    md(e.link),
                    format_minutes(effort.by_experiment.get(e.id, 0)),
                    md(e.reason) if e.status == "abandoned" else "",
                )
                for i, e in enumerate(project.experiments, start=1)
            ],
            "rllllrl",
        )
    else:
        out.append("No experiments recorded.")

    out += ["", "## Effort", ""]
    out += [
        f"Total {format_minutes(effort.total)}, of which rework "
        f"{format_minutes(effort.rework)} (**{effort.rework_share:.0%}**). {REWORK_DEFINITION}",
        "",
    ]
    out += _table(
        ("Stage", "Effort", "Rework", "Rework share"),
        [
            (
                md(stage_title(framework, stage)),
                format_minutes(minutes),
                format_minutes(effort.rework_by_stage.get(stage, 0)),
                f"{effort.rework_by_stage.get(stage, 0) / minutes:.0%}" if minutes else "",
            )
            for stage, minutes in effort.by_stage.items()
        ],
        "lrrr",
    )
    out.append("")
    numbers_by_stage = {s.id: str(s.number) for s in framework.stages}
    out += _table(
        ("Iteration", "Started", "Stages visited", "Effort", "Rework"),
        [
            (
                str(row.number),
                _day(row.started_at),
                " → ".join(md(numbers_by_stage.get(s, s)) for s in row.stages),
                format_minutes(row.minutes),
                format_minutes(row.rework),
            )
            for row in iteration_rows(project, effort)
        ],
        "rllrr",
    )

    out += ["", "## Open items", ""]
    items = open_items(project, framework)
    if items.empty:
        out.append("Nothing open.")
    for m in items.revisit:
        out.append(f"- [ ] Revisit {md(m.title)} ({md(m.id)})")
    for m in items.required_not_done:
        status = module_status(project, m.id)
        out.append(f"- [ ] Required, {status}: {md(m.title)} ({md(m.id)})")
    for e in items.running_experiments:
        out.append(f"- [ ] Experiment running: {md(e.title)}")
    for d in items.proposed_decisions:
        out.append(f"- [ ] Decision proposed: [D{numbers[d.id]}](#{anchor('decision', d.id)})")
    if items.required_ahead:
        out += ["", f"{items.required_ahead} required modules lie in stages not reached yet."]

    out += ["", "## Exploration questions", ""]
    answers = project.answers
    rows = []
    for q in framework.exploration_questions:
        a = answers.get(q.number)
        rows.append(
            (
                str(q.number),
                md(q.text),
                md(a.answer) if a else "unknown",
                md(a.note) if a else "",
                _day(a.updated_at) if a else "",
            )
        )
    out += _table(("#", "Question", "Answer", "Evidence", "Answered"), rows, "r")
    out += ["", "---", "", f"Generated by mlpl-tui from {md(_file_name(project))}."]
    return "\n".join(out) + "\n"


def _file_name(project: Project) -> str:
    return project.label.replace("\\", "/").rsplit("/", 1)[-1]
