"""The project across calendar time: a bar per visit on its stage's lane, and a burn-up of the
required modules done.

Pure functions over a snapshot and its framework; "now" is passed in (a report passes the time
its state is as of, the app and the web view the clock's now), so the same inputs always give
the same figures.

Burn-up source: the history's recorded changes of module statuses (every event that wrote a
module record's `status`, undo and merges through the store included). A required module that
is passed now (done or skipped) but that no recorded change passed (files from before history
kept values, hand edits) counts from its record's `updated_at`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from mlpl_tui.framework import Framework
from mlpl_tui.history import record_changes
from mlpl_tui.journey import journey
from mlpl_tui.model import Project
from mlpl_tui.progress import PASSED, module_status
from mlpl_tui.wording import shown_date


def epoch(stamp: str | None) -> float | None:
    """A stored UTC time as seconds since 1970; None when it is missing or unreadable."""
    if not stamp or len(stamp) < 10:
        return None
    try:
        parsed = datetime.fromisoformat(stamp)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    try:
        return parsed.timestamp()
    except (OverflowError, ValueError, OSError):
        return None


@dataclass(frozen=True)
class Lane:
    """A stage's row of the timeline: its id, title and number (0 for a stage the framework
    lacks)."""

    stage: str
    title: str
    number: int


@dataclass(frozen=True)
class Bar:
    """One visit: its step on the journey, its lane, when it began and ended (`end` is now for
    the open visit), and whether it was a loop back (entered by a switch)."""

    step: int
    lane: int  # index into Timeline.lanes
    stage: str
    iteration: int
    start: str
    end: str
    is_open: bool
    loop_back: bool
    category: str  # the switch's category for a loop back, else ""
    reason: str  # the switch's reason for a loop back, else ""


@dataclass(frozen=True)
class Timeline:
    """Every visit as a bar, lanes in framework order, the span they cover and now."""

    lanes: tuple[Lane, ...]
    bars: tuple[Bar, ...]
    start: str
    end: str
    now: str

    @property
    def empty(self) -> bool:
        return not self.bars

    def position(self, stamp: str) -> float:
        """Where `stamp` falls on the span, from 0.0 (start) to 1.0 (end), clamped."""
        first, last, at = epoch(self.start), epoch(self.end), epoch(stamp)
        if first is None or last is None or at is None or last <= first:
            return 0.0
        return min(1.0, max(0.0, (at - first) / (last - first)))

    def lane_bars(self, lane: int) -> list[Bar]:
        return [b for b in self.bars if b.lane == lane]


def timeline(project: Project, framework: Framework, now: str) -> Timeline:
    """The visits as bars; a visit whose times cannot be read (a hand-edited file) is left out,
    and one that ends before it starts is drawn as a point."""
    lanes = [Lane(s.id, s.title, s.number) for s in framework.stages]
    index = {lane.stage: i for i, lane in enumerate(lanes)}
    bars: list[Bar] = []
    for step in journey(project, framework):
        visit = step.visit
        end = visit.left_at or now
        start_at, end_at = epoch(visit.entered_at), epoch(end)
        if start_at is None or end_at is None:
            continue
        if end_at < start_at:
            end = visit.entered_at
        if visit.stage not in index:
            index[visit.stage] = len(lanes)
            lanes.append(Lane(visit.stage, visit.stage, 0))
        switch = step.switch
        bars.append(
            Bar(
                step=step.number,
                lane=index[visit.stage],
                stage=visit.stage,
                iteration=visit.iteration,
                start=visit.entered_at,
                end=end,
                is_open=step.is_open,
                loop_back=step.is_loop_back,
                category=switch.category if switch else "",
                reason=switch.reason if switch else "",
            )
        )
    stamps = [b.start for b in bars] + [b.end for b in bars]
    if epoch(now) is not None:
        stamps.append(now)
    ordered = sorted(stamps, key=lambda s: epoch(s) or 0.0)
    start = ordered[0] if ordered else now
    end = ordered[-1] if ordered else now
    return Timeline(tuple(lanes), tuple(bars), start, end, now)


@dataclass(frozen=True)
class BurnPoint:
    """After the change at `at`, `done` of the `total` required modules were passed."""

    at: str
    done: int
    total: int


def burn_up(project: Project, framework: Framework) -> list[BurnPoint]:
    """Required modules passed (done or skipped) over time: a point at each change of the
    count, oldest first (see the module docstring for where the changes come from)."""
    required = {m.id for m in framework.modules.values() if m.required}
    total = len(required)
    changes: list[tuple[str, int, str, bool]] = []  # (at, seq, module, passed)
    explained: set[str] = set()
    for event in project.events:
        for change in record_changes(event) or []:
            if change.table != "modules" or change.id not in required:
                continue
            status = (change.after or {}).get("status")
            if change.after is None:
                status = "todo"
            if isinstance(status, str):
                changes.append((event.at, event.seq, change.id, status in PASSED))
                explained.add(change.id)
    for module_id in sorted(required - explained):
        record = project.modules.get(module_id)
        if record is not None and module_status(project, module_id) in PASSED:
            changes.append((record.updated_at, -1, module_id, True))
    changes.sort(key=lambda c: (c[0], c[1]))
    passed: set[str] = set()
    points: list[BurnPoint] = []
    for at, _, module_id, is_passed in changes:
        before = len(passed)
        if is_passed:
            passed.add(module_id)
        else:
            passed.discard(module_id)
        if len(passed) != before:
            if points and points[-1].at == at:
                points.pop()
            points.append(BurnPoint(at, len(passed), total))
    return points


def burn_up_by_day(points: list[BurnPoint]) -> list[BurnPoint]:
    """The burn-up with one point per local calendar day: the count at the end of that day."""
    days: dict[str, BurnPoint] = {}
    for point in points:
        days[shown_date(point.at)] = point
    return list(days.values())
