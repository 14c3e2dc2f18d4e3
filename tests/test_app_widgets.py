"""The widgets' pure drawing: the journey path and the module rows."""

from __future__ import annotations

from mlpl_tui.journey import Step
from mlpl_tui.model import Visit
from mlpl_tui.widgets.journey_path import draw_journey
from mlpl_tui.widgets.module_list import ModuleRow, row_text

LANES = ["1 Business", "2 Data", "3 Modelling", "4 Delivery"]


def steps(*lanes: int) -> list[Step]:
    result = []
    iteration = 1
    for number, lane in enumerate(lanes, start=1):
        if result and lane <= result[-1].stage_number:
            iteration += 1
        visit = Visit(
            id=f"v{number}",
            stage=LANES[lane - 1].split()[1].lower(),
            iteration=iteration,
            entered_at=f"2026-03-{number:02d}T10:00:00Z",
            entered_by="t",
            how="advance",
            switch=None,
            left_at=None if number == len(lanes) else "x",
            outcome=None,
        )
        result.append(Step(number, visit, lane, None))
    return result


def test_the_path_zig_zags_down_for_advances_and_up_for_loop_backs() -> None:
    lines = draw_journey(steps(1, 2, 3, 2), LANES, 80)
    assert lines == [
        "1 Business   ●──┐",
        "2 Data          ●──┐  ◉",
        "3 Modelling        ●──┘",
        "4 Delivery",
        "iteration    1        2",
    ]


def test_a_long_journey_keeps_the_latest_steps_and_marks_the_cut() -> None:
    lines = draw_journey(steps(*([1, 2] * 30)), LANES, 40)
    assert all(len(line) <= 40 for line in lines)
    assert "…" in lines[0] + lines[1]
    assert "◉" in lines[1]  # the open visit, last, is still drawn


def test_rows_say_the_status_in_a_symbol_and_a_word() -> None:
    row = ModuleRow("data.cleaning", "Data cleaning", "revisit", True)
    assert row_text(row).plain == "  [!] revisit Data cleaning"
    assert row_text(row, highlighted=True).plain.startswith("▶ ")
    optional = ModuleRow("data.pipeline", "Data pipeline", "skipped", False)
    assert row_text(optional).plain == "  [-] skipped Data pipeline (opt.)"
