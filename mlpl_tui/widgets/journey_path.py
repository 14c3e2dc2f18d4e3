"""The journey drawn as the article's zig-zag: one lane per stage, one step per visit.

Going down is moving forward; a line going up is a loop back. The open visit is `◉`.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.widgets import Static

from mlpl_tui.journey import Step

CELL = 3
VISIT, CURRENT, MORE = "●", "◉", "…"


def draw_journey(steps: Sequence[Step], lanes: Sequence[str], width: int) -> list[str]:
    """Plain lines of the path: a label per lane, then the steps; the latest steps that fit."""
    label_width = max((len(lane) for lane in (*lanes, "iteration")), default=0) + 1
    room = max(1, (width - label_width - 2) // CELL)
    shown = list(steps)[-room:]
    columns = 2 + CELL * max(len(shown), 1)
    grid = [[" "] * columns for _ in lanes]
    bottom = len(lanes) - 1
    previous: tuple[int, int] | None = None
    for index, step in enumerate(shown):
        x = 1 + CELL * index
        lane = min(max(step.stage_number - 1, 0), bottom)
        if previous is not None:
            prev_lane, prev_x = previous
            for cx in range(prev_x + 1, x):
                grid[prev_lane][cx] = "─"
            if lane != prev_lane:
                grid[prev_lane][x] = "┐" if lane > prev_lane else "┘"
                low, high = sorted((lane, prev_lane))
                for row in range(low + 1, high):
                    grid[row][x] = "│"
        grid[lane][x] = CURRENT if step.is_open else VISIT
        previous = (lane, x)
    if len(shown) < len(steps) and shown:
        grid[min(max(shown[0].stage_number - 1, 0), bottom)][0] = MORE
    lines = [
        (f"{lane:<{label_width}}" + "".join(row)).rstrip()
        for lane, row in zip(lanes, grid, strict=True)
    ]
    lines.append(f"{'iteration':<{label_width}}" + _iterations(shown))
    return lines


def _iterations(steps: Sequence[Step]) -> str:
    """Iteration numbers under the steps where a new iteration starts."""
    line = ""
    last = None
    for index, step in enumerate(steps):
        number = step.visit.iteration
        x = 1 + CELL * index
        if number != last and len(line) <= x:
            line = line.ljust(x) + str(number)
            last = number
    return line


class JourneyPath(Static):
    """Shows `draw_journey` for the steps it is given, redrawn to the widget's width."""

    DEFAULT_CSS = """
    JourneyPath {
        height: auto;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._steps: list[Step] = []
        self._lanes: list[str] = []

    def set_journey(self, steps: Sequence[Step], lanes: Sequence[str]) -> None:
        if list(steps) == self._steps and list(lanes) == self._lanes:
            return
        self._steps, self._lanes = list(steps), list(lanes)
        self.refresh(layout=True)

    def render(self) -> Text:
        if not self._steps:
            return Text("No visits yet.")
        width = self.size.width or 80
        text = Text(no_wrap=True)
        for number, line in enumerate(draw_journey(self._steps, self._lanes, width)):
            if number:
                text.append("\n")
            text.append(line)
        text.highlight_regex(CURRENT, "bold")
        return text
