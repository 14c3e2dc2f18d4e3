"""The experiment log (`e`): every experiment with its status, hypothesis, link and effort;
abandoned ones stay, with the reason.

Keys: `n` starts an experiment, `K` keeps the highlighted one, `x` abandons it (asks why), `T`
logs time spent on it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Input, OptionList, Select, Static

from mlpl_tui import lifecycle
from mlpl_tui.framework import Framework
from mlpl_tui.lifecycle import Context
from mlpl_tui.model import Change, Experiment, Project
from mlpl_tui.progress import format_minutes
from mlpl_tui.widgets.bars import KeyBar, TitleBar
from mlpl_tui.widgets.text import clip, data_text
from screens.base import ProjectScreen, Rule
from screens.listing import RecordList
from screens.modals import FormModal

STATUS_MARKS = {"running": "[~]", "kept": "[+]", "abandoned": "[-]"}
WHOLE_STAGE = "(the stage)"


def spent(project: Project) -> dict[str, int]:
    """Minutes logged per experiment id."""
    minutes: dict[str, int] = {}
    for entry in project.effort:
        if entry.experiment:
            minutes[entry.experiment] = minutes.get(entry.experiment, 0) + entry.minutes
    return minutes


def experiment_row(experiment: Experiment, minutes: int) -> str:
    """`[-] abandoned   2h30m  Title: hypothesis`: the status in words and a mark.

    Plain stored text: the list cleans and cuts each row (RecordList.set_rows).
    """
    effort = format_minutes(minutes) if minutes else "-"
    line = f"{STATUS_MARKS.get(experiment.status, '[?]')} {experiment.status:<9} {effort:>6}  "
    line += experiment.title
    if experiment.status == "abandoned" and experiment.reason:
        line += f" (why: {experiment.reason})"
    if experiment.hypothesis:
        line += f": {experiment.hypothesis}"
    return line


def experiment_text(experiment: Experiment, minutes: int) -> Text:
    """The experiment in full; every stored field goes through `clip` (cleaned, bounded)."""
    text = Text()
    text.append(clip(experiment.title), style="bold")
    text.append(f"  [{experiment.status}]")
    where = experiment.module or experiment.stage
    line = f"{experiment.id} · {where} · started by {experiment.created_by or '?'}"
    line += f", {experiment.created_at[:16].replace('T', ' ')}"
    if experiment.updated_at and experiment.updated_at != experiment.created_at:
        line += f" · changed by {experiment.updated_by}, "
        line += experiment.updated_at[:16].replace("T", " ")
    text.append("\n" + clip(line))
    for label, body in (
        ("Hypothesis", experiment.hypothesis or "(none given)"),
        ("Link", experiment.link or "(none: a run id, commit or path)"),
        ("Effort", format_minutes(minutes) if minutes else "none logged: T logs time on it"),
    ):
        text.append(f"\n{label + ':':<12}", style="bold")
        text.append(clip(body, multiline=True))
    if experiment.status == "abandoned":
        text.append(f"\n{'Abandoned:':<12}", style="bold")
        text.append(clip(experiment.reason or "(no reason recorded)", multiline=True))
    return text


class ExperimentsScreen(ProjectScreen):
    """The experiment log: list above, the highlighted experiment below."""

    CSS_PATH = "experiments.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "new_experiment", "New", id="experiment-new", tooltip="Start an experiment"),
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
    ]

    def __init__(self) -> None:
        super().__init__(name="experiments")
        self._shown: Project | None = None

    def compose(self) -> ComposeResult:
        yield TitleBar()
        yield Static("", id="title", markup=False)
        yield RecordList(id="experiments")
        with VerticalScroll(id="detail"):
            yield Static("", id="experiment", markup=False)
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one(RecordList).focus()

    @property
    def highlighted(self) -> Experiment | None:
        record_id = self.query_one(RecordList).record_id
        return self.host.project.experiment(record_id) if record_id else None

    def show(self, project: Project, keep: str | None = None) -> None:
        if project is self._shown and keep is None:
            return  # snapshots are immutable: the same one draws the same screen
        self._shown = project
        self.query_one(TitleBar).set_title(project.meta.name)
        experiments = list(reversed(project.experiments))  # newest first
        minutes = spent(project)
        counts = {s: sum(1 for e in experiments if e.status == s) for s in STATUS_MARKS}
        total = sum(minutes.values())
        self.query_one("#title", Static).update(
            Text(
                f"Experiments: {len(experiments)} ("
                + ", ".join(f"{n} {s}" for s, n in counts.items())
                + f") · {format_minutes(total) if total else 'no time'} logged on them"
            )
        )
        rows = [(e.id, experiment_row(e, minutes.get(e.id, 0))) for e in experiments]
        self.query_one(RecordList).set_rows(rows, keep=keep)
        self._show_detail(project)

    def _show_detail(self, project: Project) -> None:
        record_id = self.query_one(RecordList).record_id
        experiment = project.experiment(record_id) if record_id else None
        detail = self.query_one("#experiment", Static)
        if experiment is None:
            detail.update(Text("No experiments yet: n starts one."))
        else:
            detail.update(experiment_text(experiment, spent(project).get(experiment.id, 0)))

    @on(OptionList.OptionHighlighted, "#experiments")
    def _moved(self) -> None:
        self._show_detail(self.host.project)

    # --- actions ----------------------------------------------------------------------------

    def _changed(self, record_id: str | None) -> None:
        if record_id is not None:
            self.show(self.host.project, keep=record_id)

    def _need_highlighted(self) -> Experiment | None:
        experiment = self.highlighted
        if experiment is None:
            self.notify("No experiment is highlighted; n starts one", title="Not done")
        return experiment

    def action_new_experiment(self) -> None:
        self.app.push_screen(NewExperimentModal(), self._changed)

    def action_keep(self) -> None:
        experiment = self._need_highlighted()
        if experiment is None:
            return
        record_id = experiment.id
        self.host.act(lambda p, f, c: lifecycle.keep_experiment(p, c, record_id))

    def action_abandon(self) -> None:
        experiment = self._need_highlighted()
        if experiment is not None:
            self.app.push_screen(AbandonModal(experiment.id), self._changed)

    def action_log_time(self) -> None:
        experiment = self._need_highlighted()
        if experiment is not None:
            self.app.push_screen(ExperimentTimeModal(experiment.id), self._changed)

    def palette_commands(self) -> Iterable[SystemCommand]:
        """This screen's actions for the command palette."""
        yield SystemCommand(
            "experiment: New (n)", "Start an experiment", self.action_new_experiment
        )
        yield SystemCommand("experiment: Keep the highlighted one (K)", "", self.action_keep)
        yield SystemCommand("experiment: Abandon the highlighted one (x)", "", self.action_abandon)
        yield SystemCommand("experiment: Log time on it (T)", "", self.action_log_time)


# --- dialogs --------------------------------------------------------------------------------


class NewExperimentModal(FormModal[str | None]):
    """Start an experiment: title, hypothesis, link and (optionally) the module it serves.
    Dismisses with the new experiment's id, or None when cancelled."""

    HEADING = "Start an experiment"
    SAVE_LABEL = "Start"

    def form(self) -> ComposeResult:
        modules = [(Text(WHOLE_STAGE), WHOLE_STAGE)]
        modules += [(data_text(m.id), m.id) for m in self.host.framework.stage("modelling").modules]
        yield Static(
            "in modelling; it stays in the log whatever becomes of it", id="where", markup=False
        )
        yield self.field("Title", Input(id="title", placeholder="short name", compact=True))
        yield self.field(
            "Hypothesis", Input(id="hypothesis", placeholder="what you expect", compact=True)
        )
        yield self.field(
            "Link", Input(id="link", placeholder="run id, commit or path", compact=True)
        )
        yield self.field(
            "Module",
            Select(modules, id="module", value=WHOLE_STAGE, allow_blank=False, compact=True),
        )

    def hint(self) -> str:
        return "enter next field · ctrl+s start · esc cancel"

    @on(Input.Submitted)
    def _next_or_save(self, event: Input.Submitted) -> None:
        if event.input.id == "link":
            self.action_save()
        else:
            self.focus_next()

    def action_save(self) -> None:
        title, hypothesis, link = (self.value(s) for s in ("#title", "#hypothesis", "#link"))
        picked = self.query_one("#module", Select).value
        module = picked if isinstance(picked, str) and picked != WHOLE_STAGE else None

        def rule(p: Project, f: Framework, c: Context) -> Change:
            return lifecycle.add_experiment(
                p, f, c, title, hypothesis=hypothesis, link=link, module=module
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

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.action_save()

    def apply_rule(self, rule: Rule) -> None:
        if self.run_rule(rule) is not None:
            self.dismiss(self.experiment_id)


class AbandonModal(_OnExperiment):
    """Abandon an experiment: the reason is required and kept in the log."""

    HEADING = "Abandon an experiment"
    SAVE_LABEL = "Abandon"

    def form(self) -> ComposeResult:
        yield self.about()
        yield self.field("Why", Input(id="reason", placeholder="what it showed", compact=True))

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
