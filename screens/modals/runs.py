"""Link tracker runs to an experiment (`l` on the experiment log): a picker of the runs found
near the project that are not linked yet.

The app reads the trackers' stores in a thread (Host.look_for_runs) while the dialog says it is
looking; a store that cannot be read is said inside the dialog, and nothing is written. Runs
tagged `mlpl.experiment=<this experiment's id>` come first, marked `tagged` and already chosen.
`space` marks or unmarks a run, `enter` links the marked runs (or, with none marked, the
highlighted one) through `run_links.link_runs`; `escape` links nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import OptionList, Static

from mlpl_tui import run_links
from mlpl_tui.runs import Run
from mlpl_tui.screens.modals.form import FormModal
from mlpl_tui.widgets.record_list import RecordList
from mlpl_tui.widgets.run_text import found_detail, found_row
from mlpl_tui.widgets.scroll_pane import ScrollPane
from mlpl_tui.widgets.text import data_text
from mlpl_tui.wording import plural

LOOKING = "Looking for runs near the project…"


class LinkRunsModal(FormModal[str | None]):
    """Pick runs to link to one experiment; dismisses with the change's summary, or None."""

    DEFAULT_CSS = """
    LinkRunsModal #found {
        height: auto;
        max-height: 3;
    }
    LinkRunsModal #runs {
        height: auto;
        max-height: 8;
        margin-bottom: 1;
    }
    LinkRunsModal #run-pane {
        height: auto;
        max-height: 4;
        color: $text-muted;
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "space",
            "toggle_mark",
            "Mark",
            id="runs-mark",
            tooltip="Mark or unmark the highlighted run",
        ),
    ]
    HEADING = "Link runs to an experiment"
    SAVE_LABEL = "Link"

    def __init__(self, experiment_id: str) -> None:
        super().__init__()
        self.experiment_id = experiment_id
        self.runs: dict[str, Run] = {}  # the unlinked runs listed, by ref
        self.looking = True

    def form(self) -> ComposeResult:
        experiment = self.host.project.experiment(self.experiment_id)
        title = experiment.title if experiment else "(gone)"
        yield Static(data_text(f"{self.experiment_id} {title}"), id="where", markup=False)
        yield Static(LOOKING, id="found", markup=False)
        yield RecordList(id="runs")
        with ScrollPane(id="run-pane"):
            yield Static("", id="run", markup=False)

    def hint(self) -> str:
        return "space mark · enter link · esc cancel"

    def on_mount(self) -> None:
        self.query_one("#runs", RecordList).focus()
        self.host.look_for_runs(self.found)

    # --- the runs the app found -----------------------------------------------------------------

    def found(self, runs: Sequence[Run], problem: str | None) -> None:
        """The app's answer: list the unlinked runs (tagged for this experiment first)."""
        if not self.is_attached:
            return  # closed while the stores were read
        self.looking = False
        status = self.query_one("#found", Static)
        if problem is not None:
            status.update(Text("No runs listed: the trackers' stores could not be read."))
            self.show_error(problem)
            return
        project = self.host.project
        unlinked = [run for run in runs if project.run_link(run.ref) is None]
        mine = {
            run.ref for id, run in run_links.tagged(project, unlinked) if id == self.experiment_id
        }
        ordered = [r for r in unlinked if r.ref in mine] + [
            r for r in unlinked if r.ref not in mine
        ]
        self.runs = {run.ref: run for run in ordered}
        rows = [(run.ref, found_row(run, self._note(run, mine))) for run in ordered]
        listing = self.query_one("#runs", RecordList)
        listing.set_rows(rows)
        listing.set_marks(mine)
        linked = len(runs) - len(unlinked)
        if not runs:
            words = "No runs found near the project (mlflow.db, mlruns/, DVC experiments, wandb/)."
        elif not unlinked:
            words = f"All {plural(len(runs), 'run')} found are linked already."
        else:
            words = f"{plural(len(unlinked), 'unlinked run')} found"
            words += f" ({linked} linked already)" if linked else ""
            if mine:
                words += f"; {len(mine)} tagged for this experiment, marked"
            words += "."
        status.update(data_text(words))
        self._show_run()

    def _note(self, run: Run, mine: set[str]) -> str:
        if run.ref in mine:
            return "tagged"
        tag = (run.tagged or "").strip()
        return f"tagged {tag}" if tag else ""

    @on(OptionList.OptionHighlighted, "#runs")
    def _show_run(self) -> None:
        ref = self.query_one("#runs", RecordList).record_id
        run = self.runs.get(ref) if ref else None
        self.query_one("#run", Static).update(found_detail(run) if run else Text(""))

    # --- choosing -------------------------------------------------------------------------------

    @property
    def chosen(self) -> list[Run]:
        """The marked runs, in the listed order; with none marked, the highlighted one."""
        listing = self.query_one("#runs", RecordList)
        refs = [ref for ref in listing.ids if ref in listing.marked]
        if not refs and listing.record_id is not None:
            refs = [listing.record_id]
        return [self.runs[ref] for ref in refs if ref in self.runs]

    def action_toggle_mark(self) -> None:
        listing = self.query_one("#runs", RecordList)
        if listing.record_id is not None:
            listing.toggle_mark(listing.record_id)
            listing.action_cursor_down()

    @on(OptionList.OptionSelected, "#runs")
    def _picked(self) -> None:
        self.action_save()

    def action_save(self) -> None:
        if self.looking:
            self.show_error("still looking for runs; wait a moment")
            return
        runs, experiment_id = self.chosen, self.experiment_id
        if not runs:
            self.show_error("no run to link: escape closes")
            return
        change = self.run_rule(lambda p, f, c: run_links.link_runs(p, f, c, experiment_id, runs))
        if change is not None:
            self.dismiss(change.summary or f"Already linked to {experiment_id}")
