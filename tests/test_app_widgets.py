"""The widgets: the journey path, the module rows, the lists' highlight; the host contract."""

from __future__ import annotations

import pytest
from textual.app import App, ComposeResult
from textual.widgets import OptionList

from mlpl_tui.journey import Step
from mlpl_tui.model import Visit
from mlpl_tui.screens.base import host_of
from mlpl_tui.widgets.journey_path import draw_journey
from mlpl_tui.widgets.module_list import ModuleList, ModuleRow, row_text
from mlpl_tui.widgets.pointer_list import POINTER
from mlpl_tui.widgets.record_list import RecordList

LANES = ["1 Business", "2 Data", "3 Modelling", "4 Delivery"]


def steps(*lanes: int) -> list[Step]:
    result: list[Step] = []
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


class Lists(App[None]):
    """Both list widgets, side by side, with three rows each."""

    def compose(self) -> ComposeResult:
        yield RecordList(id="records")
        yield ModuleList(id="modules")

    def on_mount(self) -> None:
        self.query_one(RecordList).set_rows([(f"r{n}", f"record {n}") for n in range(3)])
        rows = [ModuleRow(f"s.m{n}", f"Module {n}", "todo", True) for n in range(3)]
        self.query_one(ModuleList).set_rows(rows)


def pointed_rows(widget: OptionList) -> list[int]:
    return [i for i, o in enumerate(widget.options) if str(o.prompt).startswith(POINTER)]


async def test_both_lists_point_at_the_highlighted_row_only() -> None:
    """The highlight is drawn by PointerList for both: one `▶`, moving with the cursor."""
    app = Lists()
    async with app.run_test(size=(80, 12)) as pilot:
        records, modules = app.query_one(RecordList), app.query_one(ModuleList)
        for widget in (records, modules):
            widget.focus()
            await pilot.pause()
            assert pointed_rows(widget) == [0]
            await pilot.press("j", "j")
            assert pointed_rows(widget) == [2]
            await pilot.press("k")
            assert pointed_rows(widget) == [1]
        # New rows keep the highlighted record, and only its row is pointed at.
        records.set_rows([("r9", "record 9"), *((f"r{n}", f"record {n}") for n in range(3))])
        await pilot.pause()
        assert records.record_id == "r1" and pointed_rows(records) == [2]


def test_screens_refuse_an_app_that_does_not_implement_the_host_contract() -> None:
    with pytest.raises(TypeError, match=r"App does not implement .*Host"):
        host_of(App())
