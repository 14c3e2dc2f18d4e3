"""One line per stage: a progress bar with the counts and the state written out."""

from __future__ import annotations

from mlpl_tui.progress import StageProgress, format_minutes
from mlpl_tui.wording import stage_name


def progress_bar(done: int, total: int, width: int = 10) -> str:
    filled = round(width * done / total) if total else 0
    return "█" * filled + "░" * (width - filled)


def stage_line(progress: StageProgress, minutes: int, revisit: int) -> str:
    """e.g. `▶ 2 Data       ███░░░░░░░  2/5 current   1 revisit  3h30m`."""
    stage = progress.stage
    pointer = "▶" if progress.state == "current" else " "
    extra = f"{revisit} revisit" if revisit else ""
    effort = format_minutes(minutes) if minutes else "-"
    return (
        f"{pointer} {stage.number} {stage_name(stage.id):<10}"
        f"{progress_bar(progress.finished, progress.total)} "
        f"{progress.finished:>2}/{progress.total:<2} {progress.state:<8} {extra:<10} {effort:>6}"
    )
