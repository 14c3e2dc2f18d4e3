"""The experiment log (`e`): every experiment with its status, hypothesis, link and effort;
abandoned ones stay, with the reason.

Keys: `n` starts an experiment, `K` keeps the highlighted one (an abandoned one only after a
yes/no question; the reason it was abandoned stays on record), `x` abandons it (asks why), `T`
logs time spent on it, `E` corrects it: title, hypothesis, link, result, where it is filed.
`/` filters the list (screens/record_screen.py). After an abandon the app offers to note what it
taught (`L`, the experiment preset as its source); `L` here is about the highlighted experiment.

Runs: the pane lists the highlighted experiment's linked tracker runs and its best value of each
tracked metric; its row shows the first. `l` links runs found near the project (a picker: runs
tagged with this experiment come first, already marked), `R` unlinks one (after a yes/no
question). `space` marks experiments and `C` compares the marked ones (with none marked, every
experiment with linked runs) side by side (screens/compare.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from rich.text import Text
from textual.app import SystemCommand
from textual.binding import Binding, BindingType

from mlpl_tui import lifecycle, run_links
from mlpl_tui.figures import effort_by_experiment
from mlpl_tui.model import Experiment, Project
from mlpl_tui.progress import format_minutes
from mlpl_tui.screens.modals import AbandonModal, ExperimentTimeModal, NewExperimentModal
from mlpl_tui.screens.record_screen import RecordScreen, Rows
from mlpl_tui.widgets.record_list import RecordList
from mlpl_tui.widgets.run_text import compact_best, link_line, runs_section
from mlpl_tui.widgets.text import clip, data_text
from mlpl_tui.wording import EXPERIMENT_MARKS, experiment_mark, shown_time


def experiment_row(experiment: Experiment, minutes: int, runs: str = "") -> str:
    """`[-] abandoned   2h30m  Title (2 runs, auc 0.91): hypothesis`: the status in words and
    a mark, and with linked runs their count and the best of the first tracked metric.

    Plain stored text: the list cleans and cuts each row (RecordList.set_rows).
    """
    effort = format_minutes(minutes) if minutes else "-"
    line = f"{experiment_mark(experiment.status)} {experiment.status:<9} {effort:>6}  "
    line += experiment.title
    if runs:
        line += f" ({runs})"
    if experiment.result:
        line += f" → {experiment.result}"
    if experiment.status == "abandoned" and experiment.reason:
        line += f" (why: {experiment.reason})"
    elif experiment.reason:
        line += f" (was abandoned: {experiment.reason})"
    if experiment.hypothesis:
        line += f": {experiment.hypothesis}"
    return line


def experiment_text(experiment: Experiment, minutes: int, runs: Text | None = None) -> Text:
    """The experiment in full; every stored field goes through `clip` (cleaned, bounded);
    `runs` (widgets/run_text.runs_section) follows the result."""
    text = Text()
    text.append(clip(experiment.title), style="bold")
    text.append(f"  [{experiment.status}]")
    where = experiment.module or experiment.stage
    line = f"{experiment.id} · {where} · started by {experiment.created_by or '?'}"
    line += f", {shown_time(experiment.created_at)}"
    if experiment.updated_at and experiment.updated_at != experiment.created_at:
        line += f" · changed by {experiment.updated_by}, {shown_time(experiment.updated_at)}"
    text.append("\n" + clip(line))
    for label, body in (
        ("Hypothesis", experiment.hypothesis or "(none given)"),
        ("Result", experiment.result or "(none yet: E records what was found)"),
        ("Runs", None),  # what the runs showed, next to the result
        ("Link", experiment.link or "(none: a run id, commit or path)"),
        ("Effort", format_minutes(minutes) if minutes else "none logged: T logs time on it"),
    ):
        if body is None:
            if runs is not None:
                text.append("\n")
                text.append_text(runs)
            continue
        text.append(f"\n{label + ':':<12}", style="bold")
        text.append(clip(body, multiline=True))
    if experiment.status == "abandoned":
        text.append(f"\n{'Abandoned:':<12}", style="bold")
        text.append(clip(experiment.reason or "(no reason recorded)", multiline=True))
    elif experiment.reason:  # kept after all: why it had been abandoned stays in view
        text.append(f"\n{'Abandoned:':<12}", style="bold")
        text.append(clip(f"{experiment.reason} (then kept after all)", multiline=True))
    return text


class ExperimentsScreen(RecordScreen):
    """The experiment log: list above, the highlighted experiment below."""

    CSS_PATH = "experiments.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "new_experiment", "New", id="experiment-new", tooltip="Start an experiment"),
        # The first shown in the key bar at 80 columns, with New.
        Binding(
            "l",
            "link_runs",
            "Link runs",
            id="experiment-link-runs",
            tooltip="Link tracker runs found near the project to the highlighted one",
        ),
        Binding(
            "C",
            "compare",
            "Compare",
            id="experiment-compare",
            tooltip="The marked experiments' metrics side by side (none marked: all with runs)",
        ),
        Binding(
            "K",
            "keep",
            "Keep",
            id="experiment-keep",
            tooltip="Keep the highlighted experiment",
        ),
        Binding(
            "x",
            "abandon",
            "Abandon",
            id="experiment-abandon",
            tooltip="Abandon the highlighted one, saying why",
        ),
        Binding(
            "T",
            "log_time",
            "Time on it",
            id="experiment-time",
            tooltip="Log time spent on the highlighted one",
        ),
        Binding(
            "E",
            "edit",
            "Edit",
            id="experiment-edit",
            tooltip="Correct the highlighted one: texts, result, where it is filed",
        ),
        Binding(
            "R",
            "unlink_run",
            "Unlink run",
            show=False,
            id="experiment-unlink-run",
            tooltip="Unlink one of the highlighted one's runs (asks first)",
        ),
        Binding(
            "space",
            "mark",
            "Mark",
            show=False,
            id="experiment-mark",
            tooltip="Mark or unmark the highlighted one for the comparison (C)",
        ),
    ]
    LIST_ID = "experiments"
    LABEL = "Experiments"
    NOUN = "experiment"

    def __init__(self) -> None:
        super().__init__()
        self._minutes: tuple[Project, dict[str, int]] | None = None
        self._runs: tuple[Project, dict[str, str]] | None = None

    def runs_summaries(self, project: Project) -> dict[str, str]:
        """Each experiment's row note on its runs (`2 runs, auc 0.91`), once per snapshot."""
        if self._runs is None or self._runs[0] is not project:
            framework = self.host.framework
            with_runs = {link.experiment for link in project.run_links}
            summaries = {id: compact_best(project, framework, id) for id in with_runs}
            self._runs = (project, summaries)
        return self._runs[1]

    def minutes(self, project: Project) -> dict[str, int]:
        """Minutes logged on each experiment: summed once per snapshot, not once per record
        (the filter reads every experiment's pane)."""
        if self._minutes is None or self._minutes[0] is not project:
            self._minutes = (project, effort_by_experiment(project))
        return self._minutes[1]

    @property
    def highlighted(self) -> Experiment | None:
        record_id = self.record_id
        return self.host.project.experiment(record_id) if record_id else None

    def listing(self, project: Project) -> tuple[str, Rows]:
        experiments = list(reversed(project.experiments))  # newest first
        minutes = self.minutes(project)
        counts = {s: sum(1 for e in experiments if e.status == s) for s in EXPERIMENT_MARKS}
        total = sum(minutes.values())
        title = f"Experiments: {len(experiments)} ("
        title += ", ".join(f"{n} {s}" for s, n in counts.items())
        title += ")"
        marked = self._marked(project)
        if marked:  # before the time, which a narrow terminal cuts first
            title += f" · {len(marked)} marked, C compares"
        title += f" · {format_minutes(total) if total else 'no time'} logged on them"
        runs = self.runs_summaries(project)
        return title, [
            (e.id, experiment_row(e, minutes.get(e.id, 0), runs.get(e.id, ""))) for e in experiments
        ]

    def detail(self, project: Project, record_id: str | None) -> Text:
        experiment = project.experiment(record_id) if record_id else None
        if experiment is None:
            return Text("No experiments yet: n starts one.")
        runs = runs_section(project, self.host.framework, experiment.id)
        return experiment_text(experiment, self.minutes(project).get(experiment.id, 0), runs)

    def _marked(self, project: Project) -> list[str]:
        """The marked experiments still in the project, in the list's order (newest first)."""
        marks = self.query_one(RecordList).marked
        return [e.id for e in reversed(project.experiments) if e.id in marks]

    # --- actions ----------------------------------------------------------------------------

    def _need_highlighted(self) -> Experiment | None:
        experiment = self.highlighted
        if experiment is None:
            self.notify("No experiment is highlighted; n starts one", title="Not done")
        return experiment

    def action_new_experiment(self) -> None:
        self.app.push_screen(NewExperimentModal(), self.show_record)

    def action_keep(self) -> None:
        experiment = self._need_highlighted()
        if experiment is None:
            return
        record_id = experiment.id
        if experiment.status != "abandoned":
            self.host.act(lambda p, f, c: lifecycle.keep_experiment(p, c, record_id))
            return
        from mlpl_tui.screens.modals.confirm import ConfirmModal

        question = data_text(
            f"{experiment.title} was abandoned: {experiment.reason or '(no reason recorded)'}\n\n"
            "Keep it after all? The reason it was abandoned stays on record.",
            multiline=True,
        )

        def answered(yes: bool | None) -> None:
            if not yes:
                return
            change = self.host.act(
                lambda p, f, c: lifecycle.keep_experiment(p, c, record_id, force=True)
            )
            if change is not None and change.summary:
                self.notify(change.summary + " (u undoes)", title="Kept")

        self.app.push_screen(
            ConfirmModal("Keep an abandoned experiment?", question, yes="Keep it", no="No"),
            answered,
        )

    def action_edit(self) -> None:
        from mlpl_tui.screens.modals.experiment_edit import ExperimentEditModal

        experiment = self._need_highlighted()
        if experiment is not None:
            self.app.push_screen(ExperimentEditModal(experiment.id), self.show_record)

    @property
    def learning_source(self) -> str | None:
        """A learning noted here (`L`) comes from the highlighted experiment."""
        return self.record_id

    def action_abandon(self) -> None:
        experiment = self._need_highlighted()
        if experiment is None:
            return
        stage, module = experiment.stage, experiment.module

        def abandoned(experiment_id: str | None) -> None:
            self.show_record(experiment_id)
            if experiment_id is not None:
                self.host.offer_learning(experiment_id, stage, module)

        self.app.push_screen(AbandonModal(experiment.id), abandoned)

    def action_log_time(self) -> None:
        experiment = self._need_highlighted()
        if experiment is not None:
            self.app.push_screen(ExperimentTimeModal(experiment.id), self.show_record)

    # --- runs -------------------------------------------------------------------------------

    def action_link_runs(self) -> None:
        from mlpl_tui.screens.modals.runs import LinkRunsModal

        experiment = self._need_highlighted()
        if experiment is None:
            return
        record_id = experiment.id

        def linked(summary: str | None) -> None:
            if summary:
                self.notify(summary + " (u undoes)", title="Linked")
                self.show_record(record_id)

        self.app.push_screen(LinkRunsModal(record_id), linked)

    def action_unlink_run(self) -> None:
        from mlpl_tui.screens.modals.pick import PickModal

        experiment = self._need_highlighted()
        if experiment is None:
            return
        links = self.host.project.runs_of(experiment.id)
        if not links:
            self.notify(f"{experiment.id} has no linked runs; l links some", title="Not done")
            return
        if len(links) == 1:
            self._confirm_unlink(experiment.id, links[0].id)
            return
        rows = [(link.id, link_line(link)) for link in links]

        def picked(ref: str | None) -> None:
            if ref is not None:
                self._confirm_unlink(experiment.id, ref)

        self.app.push_screen(
            PickModal("Unlink a run", f"{experiment.id} {experiment.title}", rows), picked
        )

    def _confirm_unlink(self, experiment_id: str, ref: str) -> None:
        from mlpl_tui.screens.modals.confirm import ConfirmModal

        link = self.host.project.run_link(ref)
        if link is None:
            return
        question = data_text(
            f"{link_line(link)}\n\nUnlink this run from {experiment_id}? Its snapshot goes "
            "with it (u brings it back).",
            multiline=True,
        )

        def answered(yes: bool | None) -> None:
            if not yes:
                return
            change = self.host.act(
                lambda p, f, c: run_links.unlink_runs(p, c, experiment_id, [ref])
            )
            if change is not None and change.summary:
                self.notify(change.summary + " (u undoes)", title="Unlinked")
                self.show_record(experiment_id)

        self.app.push_screen(
            ConfirmModal("Unlink a run?", question, yes="Unlink", no="No"), answered
        )

    def action_mark(self) -> None:
        """`space`: mark the highlighted experiment for the comparison, then move down."""
        records = self.query_one(RecordList)
        record_id = records.record_id
        if record_id is None:
            return
        records.toggle_mark(record_id)
        records.action_cursor_down()
        self._shown = None  # the title counts the marks
        self.show(self.host.project)

    def action_compare(self) -> None:
        from mlpl_tui.screens.compare import CompareScreen

        project = self.host.project
        marked = self._marked(project)
        if len(marked) == 1:
            self.notify(
                "Mark two or more experiments (space), or none to compare every one with runs",
                title="Not done",
            )
            return
        # Oldest first: with none kept, the baseline is the experiment started first.
        ids = [
            e.id
            for e in project.experiments
            if e.id in marked or (not marked and project.runs_of(e.id))
        ]
        if not ids:
            self.notify("No experiment has linked runs yet: l links some", title="Not done")
            return
        self.app.push_screen(CompareScreen(ids))

    def palette_commands(self) -> Iterable[SystemCommand]:
        """This screen's actions for the command palette."""
        yield SystemCommand(
            "experiment: New (n)", "Start an experiment", self.action_new_experiment
        )
        yield SystemCommand("experiment: Keep the highlighted one (K)", "", self.action_keep)
        yield SystemCommand("experiment: Abandon the highlighted one (x)", "", self.action_abandon)
        yield SystemCommand("experiment: Log time on it (T)", "", self.action_log_time)
        yield SystemCommand("experiment: Edit the highlighted one (E)", "", self.action_edit)
        yield SystemCommand(
            "experiment: Link runs (l)", "Runs found near the project", self.action_link_runs
        )
        yield SystemCommand("experiment: Unlink a run (R)", "", self.action_unlink_run)
        yield SystemCommand("experiment: Mark for comparison (space)", "", self.action_mark)
        yield SystemCommand(
            "experiment: Compare (C)", "Marked ones, else all with runs", self.action_compare
        )
