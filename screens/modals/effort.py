"""The log-time dialog (`t`): time spent on a stage or a module, on a given day; from a stage
screen it starts on the highlighted module."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Input, Select

from mlpl_tui import lifecycle
from mlpl_tui.framework import Framework
from mlpl_tui.lifecycle import Context
from mlpl_tui.model import Change, Project
from mlpl_tui.progress import current_stage_id
from mlpl_tui.screens.modals.form import (
    FormModal,
    place_of,
    place_options,
    place_value,
    selected,
)


class EffortModal(FormModal[None]):
    """Log time on a stage or a module (by default `module`, else `stage`, else the current
    stage); dismisses None."""

    HEADING = "Log time"

    def __init__(self, stage: str | None = None, module: str | None = None) -> None:
        super().__init__()
        self.stage, self.module = stage, module

    def form(self) -> ComposeResult:
        project, framework = self.host.project, self.host.framework
        place = place_value(framework, self.stage, self.module, current_stage_id(project))
        yield self.field(
            "Duration", Input(id="duration", placeholder="45m, 1h30m, 2h, 1.5h", compact=True)
        )
        yield self.field(
            "On",
            Select(place_options(framework), id="on", value=place, allow_blank=False, compact=True),
        )
        today = self.host.context().today
        yield self.field(
            "Day",
            Input(
                today,
                id="day",
                placeholder="YYYY-MM-DD, yesterday, last monday, 3 days ago",
                compact=True,
            ),
        )
        yield self.field(
            "Note", Input(id="note", placeholder="what the time went into", compact=True)
        )

    def on_mount(self) -> None:
        self.query_one("#duration", Input).focus()

    def action_save(self) -> None:
        duration, note, day = self.value("#duration"), self.value("#note"), self.value("#day")
        stage, module = place_of(self.host.framework, selected(self.query_one("#on", Select)))

        def rule(p: Project, f: Framework, c: Context) -> Change:
            return lifecycle.log_effort(
                p, f, c, duration, stage=stage, module=module, note=note, on=day or None
            )

        if self.run_rule(rule) is not None:
            self.dismiss(None)
