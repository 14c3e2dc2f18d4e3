"""Experiments side by side (`C` on the experiment log): metrics as rows, experiments as
columns, each cell the experiment's best value over its linked runs (run_links.comparison).

The baseline column (the first kept experiment, else the first compared) is headed `◆` and
drawn bold, and the other columns say how far each value is from it; the best cell of each
row ends in `*`. Marks are characters, so the table reads the same without colour. The
metric column stays put while `←`/`→` scroll through many experiments; `escape` goes back.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from mlpl_tui.errors import MlplError
from mlpl_tui.model import Project
from mlpl_tui.run_links import Comparison, comparison
from mlpl_tui.screens.base import Host, ProjectView, host_of
from mlpl_tui.widgets.bars import KeyBar, TitleBar
from mlpl_tui.widgets.run_text import number, short
from mlpl_tui.widgets.text import data_text
from mlpl_tui.wording import plural

METRIC_WIDTH = 20  # the metric column: its name and goal
VALUE_WIDTH = 16  # an experiment's column: `0.912 (+0.012) *` (three fit in 80 columns)
BEST = "*"
BASELINE = "◆"
LEGEND = f"{BEST} best in its row · {BASELINE} baseline (bold) · (±) against it · ← → scroll"


def header(comparison: Comparison, index: int) -> Text:
    """An experiment's column heading: its title, then its id and status (`◆` the baseline)."""
    experiment = comparison.experiments[index]
    base = index == comparison.baseline
    first = f"{BASELINE} " if base else ""
    text = Text(first + short(experiment.title, VALUE_WIDTH - len(first)), no_wrap=True)
    text.append(f"\n{short(experiment.id, 8)} {experiment.status}", style="dim")
    if base:
        text.stylize("bold")
    return text


def cell(comparison: Comparison, row: int, index: int) -> Text:
    """One experiment's best value of one metric: `0.912 (+0.01) *`; `-` when none."""
    line = comparison.rows[row]
    value = line.values[index]
    base = line.values[comparison.baseline]
    shown = number(value)
    if value is not None and base is not None and index != comparison.baseline:
        shown += f" ({value - base:+.2g})"
    shown += f" {BEST}" if index in line.best else "  "
    return Text(shown, style="bold" if index == comparison.baseline else "", justify="right")


def metric_label(name: str, goal: str) -> Text:
    arrow = "↑" if goal == "max" else "↓"
    return Text(f"{short(name, METRIC_WIDTH - 6):<{METRIC_WIDTH - 6}} {arrow} {goal}")


class CompareScreen(ModalScreen[None], ProjectView):
    """The comparison of `experiment_ids`, over the experiment log (`escape` returns there).

    A modal screen, as the search is: the log's keys stay off, and it redraws with every new
    snapshot (an experiment gone meanwhile is left out).
    """

    CSS_PATH = "compare.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "escape",
            "back",
            "Back",
            id="compare-back",
            key_display="esc",
            tooltip="Back to the experiment log",
        ),
        Binding("question_mark", "help", "Help", id="help", key_display="?", tooltip="Keys"),
    ]

    def __init__(self, experiment_ids: Sequence[str]) -> None:
        super().__init__(name="compare")
        self.experiment_ids = list(experiment_ids)
        self._shown: Project | None = None
        self.comparison: Comparison | None = None

    @property
    def host(self) -> Host:
        return host_of(self.app)

    def compose(self) -> ComposeResult:
        yield TitleBar()
        yield Static("", id="title", markup=False)
        table: DataTable[Text] = DataTable(
            id="table",
            show_cursor=False,
            cursor_type="none",
            zebra_stripes=False,
            header_height=2,
            fixed_columns=1,
        )
        yield table
        yield Static(LEGEND, id="legend", markup=False)
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#table", DataTable).focus()
        self.redraw()

    def on_screen_resume(self) -> None:
        self.redraw()

    def redraw(self) -> None:
        try:
            self.show(self.host.project)
        except MlplError as exc:  # a record the snapshot cannot read
            self.host.show_problem(str(exc))

    def show(self, project: Project) -> None:
        if project is self._shown:
            return
        self._shown = project
        self.query_one(TitleBar).set_title(project.meta.name)
        ids = [id for id in self.experiment_ids if project.experiment(id) is not None]
        table: DataTable[Text] = self.query_one("#table", DataTable)
        table.clear(columns=True)
        if not ids:
            self.comparison = None
            self.query_one("#title", Static).update("No experiment left to compare: esc goes back")
            return
        found = comparison(project, self.host.framework, ids)
        self.comparison = found
        table.add_column(Text("metric\n(goal)", style="bold"), width=METRIC_WIDTH, key="metric")
        for index, experiment in enumerate(found.experiments):
            table.add_column(header(found, index), width=VALUE_WIDTH, key=experiment.id)
        counts = []
        for experiment in found.experiments:
            links = project.runs_of(experiment.id)
            gone = sum(1 for link in links if link.gone)
            counts.append(
                Text(f"{len(links)}" + (f" ({gone} gone)" if gone else "") + "  ", justify="right")
            )
        table.add_row(Text("runs linked"), *counts, key="runs")
        for row, line in enumerate(found.rows):
            cells = [cell(found, row, i) for i in range(len(found.experiments))]
            table.add_row(metric_label(line.metric, line.goal), *cells, key=f"m{row}")
        base = found.baseline_experiment
        title = f"Comparing {plural(len(found.experiments), 'experiment')} on "
        title += f"{plural(len(found.rows), 'metric')} · baseline {base.id}: {base.title}"
        if not found.rows:
            title = "No metric recorded by their runs yet · " + title
        self.query_one("#title", Static).update(data_text(title))

    # --- actions ----------------------------------------------------------------------------

    def action_back(self) -> None:
        self.dismiss()

    async def action_help(self) -> None:
        await self.app.run_action("help")

    def palette_commands(self) -> Iterable[SystemCommand]:
        yield SystemCommand("compare: Back (escape)", "To the experiment log", self.action_back)
