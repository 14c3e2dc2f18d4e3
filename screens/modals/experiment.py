"""The experiment log's dialogs (`e`, then `n`, `x`, `T`): start one, abandon one (saying why,
with its linked runs' metrics in view), log time on one."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Input, Select, Static

from mlpl_tui import lifecycle
from mlpl_tui.framework import Framework
from mlpl_tui.lifecycle import Context
from mlpl_tui.model import Change, Project
from mlpl_tui.progress import current_stage_id
from mlpl_tui.screens.base import Rule
from mlpl_tui.screens.modals.form import FormModal, place_of, place_options, place_value, selected
from mlpl_tui.widgets.run_text import runs_section
from mlpl_tui.widgets.scroll_pane import ScrollPane
from mlpl_tui.widgets.text import data_text

WHOLE_STAGE = "(the stage)"


class NewExperimentModal(FormModal[str | None]):
    """Start an experiment: title, hypothesis, link and the stage or module it belongs to (by
    default the current stage: a probe during Data is filed under Data). Dismisses with the
    new experiment's id, or None when cancelled."""

    HEADING = "Start an experiment"
    SAVE_LABEL = "Start"
    LAST_FIELD = "link"

    def form(self) -> ComposeResult:
        framework = self.host.framework
        here = current_stage_id(self.host.project)
        yield Static("it stays in the log whatever becomes of it", id="where", markup=False)
        yield self.field("Title", Input(id="title", placeholder="short name", compact=True))
        yield self.field(
            "Hypothesis", Input(id="hypothesis", placeholder="what you expect", compact=True)
        )
        yield self.field(
            "Link", Input(id="link", placeholder="run id, commit or path", compact=True)
        )
        yield self.field(
            "For",
            Select(
                place_options(framework),
                id="place",
                value=place_value(framework, here, None, here),
                allow_blank=False,
                compact=True,
            ),
        )

    def action_save(self) -> None:
        title, hypothesis, link = (self.value(s) for s in ("#title", "#hypothesis", "#link"))
        stage, module = place_of(self.host.framework, selected(self.query_one("#place", Select)))

        def rule(p: Project, f: Framework, c: Context) -> Change:
            return lifecycle.add_experiment(
                p, f, c, title, hypothesis=hypothesis, link=link, stage=stage, module=module
            )

        change = self.run_rule(rule)
        if change is not None:
            self.dismiss(change.result)


class _OnExperiment(FormModal[str | None]):
    """A dialog about one experiment; dismisses with its id once the change is stored."""

    def __init__(self, experiment_id: str) -> None:
        super().__init__()
        self.experiment_id = experiment_id

    def about(self) -> Static:
        experiment = self.host.project.experiment(self.experiment_id)
        title = experiment.title if experiment else "(gone)"
        return Static(data_text(f"{self.experiment_id} {title}"), id="where", markup=False)

    def on_mount(self) -> None:
        self.query(Input).first().focus()

    def apply_rule(self, rule: Rule) -> None:
        if self.run_rule(rule) is not None:
            self.dismiss(self.experiment_id)


class AbandonModal(_OnExperiment):
    """Abandon an experiment: the reason is required and kept in the log. Its linked runs and
    their metrics (the best of each, and each run's) are shown under the reason, so the reason
    can quote what they showed."""

    DEFAULT_CSS = """
    AbandonModal #runs-pane {
        height: auto;
        max-height: 12;
        margin-top: 1;
    }
    """
    HEADING = "Abandon an experiment"
    SAVE_LABEL = "Abandon"

    def form(self) -> ComposeResult:
        yield self.about()
        yield self.field("Why", Input(id="reason", placeholder="what it showed", compact=True))
        project = self.host.project
        if project.runs_of(self.experiment_id):
            runs = runs_section(project, self.host.framework, self.experiment_id, each_run=True)
            with ScrollPane(id="runs-pane"):
                yield Static(runs, id="runs", markup=False)

    def action_save(self) -> None:
        reason, ref = self.value("#reason"), self.experiment_id
        self.apply_rule(lambda p, f, c: lifecycle.abandon_experiment(p, c, ref, reason))


class ExperimentTimeModal(_OnExperiment):
    """Log time spent on one experiment (on its stage, today unless a day is given)."""

    HEADING = "Log time on an experiment"

    def form(self) -> ComposeResult:
        yield self.about()
        yield self.field(
            "Duration", Input(id="duration", placeholder="45m, 1h30m, 2h, 1.5h", compact=True)
        )
        yield self.field("Note", Input(id="note", placeholder="what it went into", compact=True))

    def action_save(self) -> None:
        duration, note, ref = self.value("#duration"), self.value("#note"), self.experiment_id
        self.apply_rule(
            lambda p, f, c: lifecycle.log_effort(p, f, c, duration, note=note, experiment=ref)
        )
