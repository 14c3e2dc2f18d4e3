"""The Markdown report's Mermaid diagrams: the journey as a flowchart and the visits as a gantt.

Every label goes through `mermaid_text()` (flowchart) or `gantt_text()` (gantt), so no stored
text can open a tag, end a label, start a directive or a comment, or break the diagram; both
were checked in the real Mermaid (tests/test_mermaid_browser.py).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from datetime import datetime
from itertools import pairwise

from mlpl_tui.framework import Framework
from mlpl_tui.journey import Step
from mlpl_tui.timeline import Bar, Timeline, epoch
from mlpl_tui.wording import short_title, shown_time

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
    times = {id(b): (_gantt_time(b.start), _gantt_time(b.end)) for b in line.bars}
    drawn = [b for b in line.bars if None not in times[id(b)]]  # the others are left out
    seconds = [epoch(b.start) or 0.0 for b in drawn] + [epoch(b.end) or 0.0 for b in drawn]
    span = max(seconds, default=0.0) - min(seconds, default=0.0)
    by_lane: dict[int, list[Bar]] = {}
    for bar in drawn:
        by_lane.setdefault(bar.lane, []).append(bar)
    sections: list[tuple[str, list[str]]] = []
    for index, lane in enumerate(line.lanes):
        tasks = []
        for bar in by_lane.get(index, []):
            start, end = times[id(bar)]
            assert start is not None and end is not None
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


def flowchart(steps: list[Step], framework: Framework) -> list[str]:
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
