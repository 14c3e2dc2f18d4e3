"""The log-time dialog (`t`): time spent on a stage or one of its modules, on a given day."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Input, Select

from mlpl_tui import lifecycle
from mlpl_tui.framework import Framework
from mlpl_tui.lifecycle import Context
from mlpl_tui.model import Change, Project
from mlpl_tui.progress import current_stage_id
from mlpl_tui.screens.modals.form import FormModal, selected
from mlpl_tui.widgets.text import data_text
from mlpl_tui.wording import stage_name


class EffortModal(FormModal[None]):
    """Log time on a stage (by default the one it was opened on) or a module; dismisses None."""

    HEADING = "Log time"

    def __init__(self, stage: str | None = None) -> None:
        super().__init__()
        self.stage = stage

    def form(self) -> ComposeResult:
        project, framework = self.host.project, self.host.framework
        stage_id = self.stage or current_stage_id(project)
        options = [
            (Text(f"{s.number} {stage_name(s.id)} (the stage)"), s.id) for s in framework.stages
        ]
        options += [(data_text(f"   {m.id}"), m.id) for m in framework.stage(stage_id).modules]
        yield self.field(
            "Duration", Input(id="duration", placeholder="45m, 1h30m, 2h, 1.5h", compact=True)
        )
        yield self.field(
            "On", Select(options, id="on", value=stage_id, allow_blank=False, compact=True)
        )
        today = self.host.context().today
        yield self.field("Day", Input(today, id="day", placeholder="YYYY-MM-DD", compact=True))
        yield self.field(
            "Note", Input(id="note", placeholder="what the time went into", compact=True)
        )

    def on_mount(self) -> None:
        self.query_one("#duration", Input).focus()

    def action_save(self) -> None:
        duration, note, day = self.value("#duration"), self.value("#note"), self.value("#day")
        where = selected(self.query_one("#on", Select)) or ""
        stage = None if "." in where else where or None
        module = where if "." in where else None

        def rule(p: Project, f: Framework, c: Context) -> Change:
            return lifecycle.log_effort(
                p, f, c, duration, stage=stage, module=module, note=note, on=day or None
            )

        if self.run_rule(rule) is not None:
            self.dismiss(None)
