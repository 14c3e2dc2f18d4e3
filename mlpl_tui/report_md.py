"""The Markdown report, for GitHub and GitLab: tables, a Mermaid journey and a text fallback.

All user text goes through `md()` (one line: tables and headings) or `md_block()` (several lines),
and every label in the Mermaid diagram through `mermaid_text()`, so no note or title can open a
tag, end a table row or break the diagram.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from datetime import datetime
from itertools import pairwise
from typing import TYPE_CHECKING

from mlpl_tui.figures import REWORK_DEFINITION
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
    goal_words,
    location_note,
)
from mlpl_tui.timeline import Bar, Timeline, epoch
from mlpl_tui.wording import plural, short_title, shown_date, shown_time, status_word

if TYPE_CHECKING:
    from mlpl_tui.artifact_files import ArtifactState

# Characters that would start markup: HTML's three as entities, Markdown's with a backslash.
_ESCAPES = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", **{c: "\\" + c for c in "\\`*_[]|~$#"}}
)
_LEADING = re.compile(r"^(\d+)([.)])|^([-+=])")
_ANCHOR = re.compile(r"[^A-Za-z0-9_-]")
_MERMAID_SAFE = re.compile(r"[A-Za-z0-9 .,_]")
# The longest stage name and switch category a flowchart label shows, as the gantt's do.
_MERMAID_STAGE, _MERMAID_CATEGORY = 40, 30
# What a gantt label keeps: letters (any script), digits, spaces and a few marks; anything
# else (`:` `#` `;` `%` newlines...) would end the label, start an entity or a comment.
_GANTT_UNSAFE = re.compile(r"[^\w .()/+-]")
_GANTT_TIME = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d")
# A visit shorter than this share of the chart's span is drawn as a milestone (a bar under
# about 5 px would not show).
_GANTT_SHORTEST = 0.004
# The axis's tick steps (Mermaid's `tickInterval`), the first that cuts the span into at most
# _GANTT_TICKS parts: Mermaid's own choice puts up to 20 labels on the axis, which run into each
# other at GitHub's width, and hourly ticks written as days would all read the same.
_HOUR, _DAY = 3600, 86400
_GANTT_STEPS = (
    *((f"{n}hour", n * _HOUR) for n in (1, 2, 3, 6, 12)),
    *((f"{n}day", n * _DAY) for n in (1, 2)),
    *((f"{n}week", n * 7 * _DAY) for n in (1, 2)),
    *((f"{n}month", n * 31 * _DAY) for n in (1, 2, 3, 6, 12)),
)
_GANTT_TICKS = 7


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


def mermaid_text(text: str, limit: int = 0) -> str:
    """Text for a Mermaid flowchart label: one line, accents composed, control and format
    characters (an escape sequence's ESC, a bidi override) left out, cut to `limit` characters
    (with `...`) when one is given, and anything but plain letters and digits as an entity code.
    Uncut, a 5,000-character stage name made the diagram 35,000 px wide: a blur at GitHub's
    width."""
    kept = "".join(" " if _mermaid_hidden(c) else c for c in str(text))
    line = " ".join(unicodedata.normalize("NFC", kept).split())
    if limit and len(line) > limit:
        line = line[: limit - 3].rstrip() + "..."
    return "".join(c if _MERMAID_SAFE.match(c) else f"#{ord(c)};" for c in line)


def _mermaid_hidden(c: str) -> bool:
    """A character a label must not carry: a control or format character, which shows as a box
    or reorders the text around it (emoji joiners excepted)."""
    return unicodedata.category(c).startswith("C") and c not in "\u200c\u200d"


def gantt_text(text: str, limit: int = 0) -> str:
    """Text for a Mermaid gantt label or section: one line, only letters (with their accents),
    digits, spaces and `.()/+-_`, so no stored text can end the label, start a comment or
    inject a directive; cut to `limit` characters (with `...`) when one is given."""
    line = unicodedata.normalize("NFC", " ".join(str(text).split()))
    cleaned = "".join(
        c if not _GANTT_UNSAFE.match(c) or unicodedata.category(c).startswith("M") else " "
        for c in line
    )
    words = " ".join(cleaned.split()) or "untitled"
    if limit and len(words) > limit:
        words = words[: limit - 3].rstrip() + "..."
    return words


def _gantt_time(stamp: str) -> str | None:
    """A time as the gantt's dateFormat reads it, in the reader's zone: `2026-03-02 11:00`;
    None when it cannot be written so (the bar is then left out)."""
    shown = shown_time(stamp)
    if _GANTT_TIME.fullmatch(shown):
        return shown
    seconds = epoch(stamp)  # a bare day, which is no instant to show
    try:
        local = datetime.fromtimestamp(seconds) if seconds is not None else None
    except (OverflowError, OSError, ValueError):
        return None
    return local.strftime("%Y-%m-%d %H:%M") if local and local.year >= 1000 else None


def _text_width(text: str) -> int:
    """About how many pixels Mermaid's 11px sans-serif takes to write `text`."""
    return sum(11 if unicodedata.east_asian_width(c) in "WF" else 7 for c in text)


def gantt_config(sections: Sequence[str]) -> list[str]:
    """The diagram's frontmatter: a left margin wide enough for the longest section name (which
    Mermaid writes over the bars otherwise)."""
    padding = max(75, max((_text_width(s) for s in sections), default=0) + 25)
    return ["---", "config:", "  gantt:", f"    leftPadding: {padding}", "---"]


def gantt_axis(span: float) -> list[str]:
    """The axis of a chart `span` seconds wide: at most about seven labels, days unless the
    ticks are hours apart (a span under two hours keeps Mermaid's own ticks, minutes apart)."""
    if span < 2 * _HOUR:
        return ["  axisFormat %m-%d %H:%M"]
    for step, seconds in _GANTT_STEPS:
        if span / seconds <= _GANTT_TICKS:
            shown = "%m-%d %H:%M" if seconds < _DAY else "%Y-%m-%d"
            return [f"  axisFormat {shown}", f"  tickInterval {step}"]
    return ["  axisFormat %Y-%m-%d"]  # over seven years: Mermaid's yearly ticks


def gantt(line: Timeline) -> list[str]:
    """The visits as a Mermaid gantt: a section per stage, a task per visit (`iteration-N`),
    loop backs marked `crit`, the open visit `active`, a visit too short to see as a bar a
    `milestone` (a diamond at its middle); Mermaid draws today's line itself."""
    seconds = [epoch(b.start) or 0.0 for b in line.bars] + [epoch(b.end) or 0.0 for b in line.bars]
    span = max(seconds, default=0.0) - min(seconds, default=0.0)
    by_lane: dict[int, list[Bar]] = {}
    for bar in line.bars:
        by_lane.setdefault(bar.lane, []).append(bar)
    sections: list[tuple[str, list[str]]] = []
    for index, lane in enumerate(line.lanes):
        tasks = []
        for bar in by_lane.get(index, []):
            start, end = _gantt_time(bar.start), _gantt_time(bar.end)
            if start is None or end is None:
                continue
            label = f"Visit {bar.step}, iteration {bar.iteration}"
            if bar.loop_back:
                category = gantt_text(bar.category, _MERMAID_CATEGORY) if bar.category else ""
                label += " (loop back" + (f", {category})" if category else ")")
            length = (epoch(bar.end) or 0.0) - (epoch(bar.start) or 0.0)
            short = length <= span * _GANTT_SHORTEST
            flags = (("crit", bar.loop_back), ("active", bar.is_open), ("milestone", short))
            tags = [t for t, on in flags if on]
            spec = ", ".join([*tags, f"iteration-{bar.iteration}-visit-{bar.step}", start, end])
            tasks.append(f"    {label} :{spec}")
        if tasks:
            prefix = f"{lane.number}. " if lane.number else ""
            sections.append((prefix + gantt_text(short_title(lane.title), _MERMAID_STAGE), tasks))
    out = ["```mermaid", *gantt_config([name for name, _ in sections]), "gantt"]
    out += ["  dateFormat YYYY-MM-DD HH:mm", *gantt_axis(span)]
    for name, tasks in sections:
        out += [f"  section {name}", *tasks]
    out.append("```")
    return out


def _row(*cells: str) -> str:
    return "| " + " | ".join(cells) + " |"


def _table(header: tuple[str, ...], rows: Sequence[tuple[str, ...]], align: str = "") -> list[str]:
    rule = tuple("---:" if a == "r" else "---" for a in align.ljust(len(header), "l"))
    return [_row(*header), _row(*rule), *(_row(*r) for r in rows)]


def _day(stamp: str) -> str:
    return md(shown_date(stamp))


def _when(stamp: str) -> str:
    """A time in the reader's local zone, the zone marked: `2026-03-02 11:00 CET`."""
    return md(shown_time(stamp, zone=True))


def mermaid(steps: list[Step], framework: Framework) -> list[str]:
    """The journey as a Mermaid flowchart: a lane per stage, a node per visit, switches dashed."""
    lines = ["```mermaid", "flowchart TB"]
    lanes: dict[int, list[Step]] = {}
    for step in steps:
        lanes.setdefault(step.stage_number, []).append(step)
    for number, stage in enumerate(framework.stages, start=1):
        if number not in lanes:
            continue  # an empty lane would draw an empty box
        title = mermaid_text(short_title(stage.title), _MERMAID_STAGE)
        lines.append(f'  subgraph lane{number}["{number}. {title}"]')
        for step in lanes[number]:
            lines.append(f'    s{step.number}["{step.number} · iteration {step.visit.iteration}"]')
        lines.append("  end")
    for step in lanes.get(len(framework.stages) + 1, []):
        label = mermaid_text(step.visit.stage, _MERMAID_STAGE)
        lines.append(
            f'  s{step.number}["{step.number} · {label} · iteration {step.visit.iteration}"]'
        )
    for before, step in pairwise(steps):
        if step.switch is not None:
            category = mermaid_text(step.switch.category, _MERMAID_CATEGORY)
            lines.append(f"  s{before.number} -.->|{category}| s{step.number}")
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


def render(
    project: Project,
    framework: Framework,
    artifact_states: Sequence[ArtifactState] | None = None,
    now: str | None = None,
) -> str:
    """The whole Markdown report; `artifact_states` as checked on disk (else from the records);
    `now` ends the open visit on the timeline (default: the time the state is as of)."""
    view = ReportView(project, framework, artifact_states, now)
    out = _summary(view)
    for section in (
        _progress,
        _journey,
        _timeline,
        _switches,
        _decisions,
        _experiments,
        _artifacts,
        _learnings,
        _effort,
        _plan,
        _open_items,
        _questions,
    ):
        out += section(view)
    out += ["", "---", "", f"Generated by mlpl-tui from {md(view.file_name)}."]
    return "\n".join(out) + "\n"


def _summary(view: ReportView) -> list[str]:
    state = "accepted by the client" if view.closed else f"in **{md(view.current_title)}**"
    project = view.project
    return [
        f"# {md(view.name)}: MLPL report",
        "",
        f"State as of {_when(view.as_of)}: {state}, iteration **{view.iteration}**.  ",
        f"{plural(len(project.switches), 'lifecycle switch', 'lifecycle switches')}, "
        f"{plural(len(project.decisions), 'decision')}, "
        f"{plural(len(project.experiments), 'experiment')}, "
        f"{format_minutes(view.effort.total)} of effort logged.",
    ]


def _progress(view: ReportView) -> list[str]:
    out = ["", "## Progress", ""]
    out += _table(
        ("Stage", "State", "Done or skipped", "Effort"),
        [
            (
                f"{row.progress.stage.number}. {md(row.progress.stage.title)}",
                row.progress.state,
                f"{row.progress.finished}/{row.progress.total}",
                format_minutes(row.minutes),
            )
            for row in view.stages
        ],
        "llrr",
    )
    for row in view.stages:
        stage = row.progress.stage
        out += ["", f"### {stage.number}. {md(stage.title)}", ""]
        modules = [
            (
                md(m.module.title),
                status_word(m.status, "?"),
                "required" if m.module.required else "optional",
                md(m.note or ""),
                md(m.skip_reason or ""),
            )
            for m in row.modules
        ]
        out += _table(("Module", "Status", "", "Note", "Why skipped"), modules)
    return out


def _journey(view: ReportView) -> list[str]:
    steps = view.steps
    out = ["", "## Journey", ""]
    out += [
        f"The path across the stages: {plural(len(steps), 'visit')} in "
        f"{plural(view.iteration, 'iteration')}. "
        "Solid arrows move forward; dashed arrows are lifecycle switches, labelled with their "
        "category.",
        "",
    ]
    out += mermaid(steps, view.framework)
    out += ["", "The same path as text (● a visit to that stage):", ""]
    return out + journey_text(steps, view.framework)


def _timeline(view: ReportView) -> list[str]:
    line = view.timeline
    if line.empty:
        return []
    out = ["", "## Timeline", ""]
    out += [
        f"Each visit across calendar time, from {_day(line.start)} to {_day(line.end)}, on its "
        "stage's lane; loop backs are marked (crit) and the open visit runs to "
        f"{_when(line.now)}.",
        "",
    ]
    return out + gantt(line)


def _plan(view: ReportView) -> list[str]:
    plan = view.plan
    out = ["", "## Plan against actual", ""]
    if not plan.any_plan:
        out.append("No estimate recorded yet (`mlpl-tui plan STAGE DURATION`).")
    else:
        out += [
            "Estimates in working days of 8h. Actual is all effort logged, rework included "
            "(rework share as in Effort).",
            "",
        ]
        rows = []
        modules: dict[str, list[PlanRow]] = {}
        for m in plan.modules:
            modules.setdefault(m.stage, []).append(m)
        for row in plan.stages:
            rows.append(_plan_row(row, md(row.title)))
            rows += [_plan_row(m, "↳ " + md(m.title)) for m in modules.get(row.id, [])]
        rows.append(_plan_row(plan.total, "**Total**"))
        out += _table(("Stage", "Plan", "Actual", "Used", "Left", "Rework share"), rows, "lrrrrr")
    points = view.burn_up
    if points:
        total = points[-1].total
        out += ["", "### Burn-up", ""]
        out += [
            f"Required modules done or skipped, of {total}, at the end of each day they moved.",
            "",
        ]
        out += _table(
            ("Day", "Done", "Of"),
            [(_day(p.at), str(p.done), str(p.total)) for p in points],
            "lrr",
        )
    return out


def _plan_row(row: PlanRow, name: str) -> tuple[str, ...]:
    planned = "—" if row.planned is None else plan_words(row.planned)
    left = "" if row.left is None else plan_words(abs(row.left))
    if row.left is not None and row.left < 0:
        left += " over"
    return (name, planned, plan_words(row.actual), row.used, left, row.rework_share)


def _switches(view: ReportView) -> list[str]:
    out = ["", "## Lifecycle switches", ""]
    if not view.switches:
        return [*out, "No lifecycle switches: the project has gone straight ahead so far."]
    return out + _table(
        ("Iteration", "When", "Who", "From", "Back to", "Category", "Reason", "Revisit"),
        [
            (
                str(row.switch.iteration),
                _day(row.switch.at),
                md(row.switch.by),
                md(row.from_title),
                md(row.to_title),
                md(row.switch.category),
                md(row.switch.reason),
                str(len(row.switch.revisit)),
            )
            for row in view.switches
        ],
        "rl",
    )


def _decision_link(row: DecisionRow) -> str:
    return f"[D{row.number}](#{anchor('decision', row.decision.id)})"


def _decisions(view: ReportView) -> list[str]:
    out = ["", "## Decisions", ""]
    if not view.decisions:
        out += ["No decisions recorded.", ""]
    else:
        out += _table(
            ("#", "Decision", "Status", "Date", "Stage"),
            [
                (
                    _decision_link(row),
                    md(row.decision.title),
                    md(row.decision.status),
                    _day(row.decision.created_at),
                    md(row.stage_title),
                )
                for row in view.decisions
            ],
            "r",
        )
        out.append("")
    for row in view.decisions:
        out += _decision(row)
    return out


def _decision(row: DecisionRow) -> list[str]:
    d = row.decision
    out = [f'<a id="{anchor("decision", d.id)}"></a>', "", f"### D{row.number}. {md(d.title)}", ""]
    where = md(row.stage_title)
    if d.module:
        where += f" / {md(row.module_title)}"
    facts = [f"**Status:** {md(d.status)}", f"**Date:** {_day(d.created_at)}"]
    facts += [f"**By:** {md(d.created_by)}", f"**Stage:** {where}", f"**Id:** {md(d.id)}"]
    out += ["- " + " · ".join(facts)]
    for link in row.links:
        target = f"D{link.number}" if link.number is not None else md(link.ref)
        out.append(f"- **{link.label}:** [{target}](#{anchor('decision', link.ref)})")
    if row.status_changes:
        moves = "; ".join(md(move.words) for move in row.status_changes)
        out.append(f"- **Status history:** {moves}")
    for label, text in row.sections:
        out += ["", f"**{label}.** {md_block(text)}"]
    out.append("")
    return out


def _experiments(view: ReportView) -> list[str]:
    out = ["## Experiments", ""]
    if not view.experiments:
        return [*out, "No experiments recorded."]
    n = view.experiment_counts
    out += [
        f"{plural(n.total, 'experiment')}: {n.kept} kept, {n.abandoned} abandoned, "
        f"{n.running} running. Effort logged on the abandoned ones: "
        f"{format_minutes(n.lost_minutes)}.",
        "",
    ]
    out += _table(
        ("#", "Experiment", "Status", "Hypothesis", "Link", "Effort", "Result", "Why abandoned"),
        [_experiment(row) for row in view.experiments],
        "rllllrll",
    )
    return out + _runs(view) + _comparison(view)


def _pairs(pairs: Sequence[tuple[str, str]]) -> str:
    """`mape: 0.31; rmse: 12.4`, each name and value escaped."""
    return "; ".join(f"{md(name)}: {md(value)}" for name, value in pairs)


def _runs(view: ReportView) -> list[str]:
    """Each experiment's linked runs as their snapshots hold them, with its best metrics."""
    out: list[str] = []
    if view.experiment_runs:
        out += ["", "### Linked runs", ""]
        out.append(
            "Each run as its tracker recorded it when it was last read (a run gone from its "
            "store keeps its snapshot); times in the reader's zone."
        )
    for x in view.experiment_runs:
        e = x.row.experiment
        out += ["", f"#### E{x.row.number}. {md(e.title)}", ""]
        if x.best:
            out += [f"Best of its runs: {_pairs(x.best)}.", ""]
        out += _table(
            ("Run", "Ref", "Status", "Started", "Ended", "Metrics", "Params"),
            [_run(run) for run in x.runs],
        )
    return out


def _run(run: RunRow) -> tuple[str, ...]:
    link = run.link
    return (
        md(link.name),
        md(link.id),
        md(run.status_words),
        md(shown_time(link.started_at)),
        md(shown_time(link.ended_at)),
        _pairs(run.metrics),
        _pairs(run.params),
    )


def _comparison(view: ReportView) -> list[str]:
    table = view.comparison
    if table is None:
        return []
    out = ["", "### Comparison", ""]
    out.append(
        f"Each experiment's best value of each metric over its runs; {BEST_MARK} marks the "
        f"best in a row; the baseline is E{table.columns[table.baseline].number}."
    )
    out.append("")
    if not table.rows:
        return [*out, "No metric recorded by the linked runs."]
    header = ("Metric", "Goal", *(md(table.heading(i)) for i in range(len(table.columns))))
    rows = [
        (md(metric), goal_words(goal), *(md(cell.words) for cell in cells))
        for metric, goal, cells in table.rows
    ]
    return out + _table(header, rows, "ll" + "r" * len(table.columns))


def _experiment(row: ExperimentRow) -> tuple[str, ...]:
    e = row.experiment
    why = md(e.reason) if e.status == "abandoned" else ""
    cells = (md(e.title), md(e.status), md(e.hypothesis), md(e.link))
    return (f"E{row.number}", *cells, format_minutes(row.minutes), md(e.result), why)


def _locations(row: ArtifactRow) -> str:
    """Each location as text (a URL too: never a link), with its state when it has one."""
    parts = []
    for place in row.locations:
        note = location_note(place)
        parts.append(md(place.location) + (f" ({md(note)})" if note else ""))
    return "; ".join(parts)


def _artifacts(view: ReportView) -> list[str]:
    out = ["", "## Artifacts", ""]
    shown = view.listed_artifacts
    if shown:
        out += _table(
            ("Artifact", "Stage", "", "State", "Where"),
            [
                (
                    f"{md(row.title)} ({md(row.id)})",
                    md(row.where),
                    "required" if row.required else "optional",
                    md(row.state_words),
                    _locations(row),
                )
                for row in shown
            ],
        )
    else:
        out.append("None attached.")
    rest = view.unlisted_artifacts
    if rest:
        names = ", ".join(f"{md(row.title)} ({md(row.id)})" for row in rest)
        out += ["", f"Not attached (optional): {names}."]
    return out


def _learnings(view: ReportView) -> list[str]:
    out = ["", "## Learnings", ""]
    if not view.learnings:
        return [*out, "None noted."]
    return out + _table(
        ("#", "Learning", "Stage", "Learned from", "By", "Noted"),
        [
            (
                f"L{row.number}",
                md(row.learning.text),
                md(row.where),
                md(row.sources_words),
                md(row.learning.created_by),
                _day(row.learning.created_at),
            )
            for row in view.learnings
        ],
        "r",
    )


def _effort(view: ReportView) -> list[str]:
    effort = view.effort
    out = ["", "## Effort", ""]
    out += [
        f"Total {format_minutes(effort.total)}, of which rework "
        f"{format_minutes(effort.rework)} (**{effort.rework_share:.0%}**). {REWORK_DEFINITION}",
        "",
    ]
    out += _table(
        ("Stage", "Effort", "Rework", "Rework share"),
        [
            (md(s.title), format_minutes(s.minutes), format_minutes(s.rework), s.share)
            for s in view.stage_effort
        ],
        "lrrr",
    )
    out.append("")
    return out + _table(
        ("Iteration", "Started", "Stages visited", "Effort", "Rework"),
        [
            (
                str(it.row.number),
                _day(it.row.started_at),
                " → ".join(md(s) for s in it.path),
                format_minutes(it.row.minutes),
                format_minutes(it.row.rework),
            )
            for it in view.iterations
        ],
        "rllrr",
    )


def _open_items(view: ReportView) -> list[str]:
    items = view.open_items
    out = ["", "## Open items", ""]
    if items.empty:
        out.append("Nothing open.")
    out += [f"- [ ] {_open_artifact(row)}" for row in view.open_artifacts]
    out += [f"- [ ] Revisit {md(m.title)} ({md(m.id)})" for m in items.revisit]
    out += [
        f"- [ ] Required, {r.status}: {md(r.module.title)} ({md(r.module.id)})"
        for r in view.required_items
    ]
    out += [f"- [ ] Experiment running: {md(e.title)}" for e in items.running_experiments]
    out += [f"- [ ] Decision proposed: {_decision_link(d)}" for d in view.proposed_decisions]
    if items.required_ahead:
        out += ["", f"{items.required_ahead} required modules lie in stages not reached yet."]
    return out


def _open_artifact(row: ArtifactRow) -> str:
    """`Artifact stale since 2026-03-13: Data report (data-report)`, `, required` when it is."""
    required = ", required" if row.required else ""
    return f"Artifact {md(row.state_words)}{required}: {md(row.title)} ({md(row.id)})"


def _questions(view: ReportView) -> list[str]:
    rows = [tuple(q.cells(md, md)) for q in view.questions]
    header = ("#", "Question", "Answer", "Evidence", "Answered")
    return ["", "## Exploration questions", "", *_table(header, rows, "r")]
