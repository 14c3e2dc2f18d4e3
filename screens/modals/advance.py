"""The advance dialog (`a`): pass the gate, or name what is missing and offer a forced advance."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Button, Input, Static

from mlpl_tui import lifecycle
from mlpl_tui.framework import Framework, Module
from mlpl_tui.lifecycle import Context
from mlpl_tui.model import Change, Project
from mlpl_tui.progress import current_stage_id, gate_missing, is_closed, module_status
from mlpl_tui.screens.modals.form import FormModal
from mlpl_tui.widgets.text import data_lines, data_text
from mlpl_tui.wording import stage_name, status_mark


class AdvanceModal(FormModal[None]):
    """Pass the current stage's gate; dismisses with None."""

    HEADING = "Advance"

    def __init__(self) -> None:
        super().__init__()
        self.missing: list[Module] = []  # the gate's unmet modules, read when the form is built

    def form(self) -> ComposeResult:
        project, framework = self.host.project, self.host.framework
        here = framework.stage(current_stage_id(project))
        later = framework.later_stages(here.id)
        self.missing = [] if is_closed(project) else gate_missing(project, here)
        self.SAVE_LABEL = "Force advance" if self.missing else "Advance"  # composed after this
        if is_closed(project):
            text = "The project is closed (accepted). Loop back (b) to reopen it."
        elif later:
            text = f"From {stage_name(here.id)} to {stage_name(later[0].id)}."
        else:
            text = f"Pass {stage_name(here.id)}: the project will be closed as accepted."
        yield Static(Text(text), id="where", markup=False)
        if self.missing:
            lines = [f"The gate of {stage_name(here.id)} is not met. Missing:"]
            for module in self.missing:
                status = module_status(project, module.id)
                lines.append(f"  {status_mark(status)} {module.id}  {module.title} ({status})")
            lines.append("Finish or skip them, or force the advance with a reason:")
            yield Static(data_lines(lines), id="missing", markup=False)
            yield self.field(
                "Reason", Input(id="why", placeholder="why advance anyway", compact=True)
            )
        elif not is_closed(project):
            yield Static(data_text(f"Gate met: {here.gate}"), id="gate", markup=False)

    def on_mount(self) -> None:
        if self.missing:
            self.query_one("#why", Input).focus()
        elif is_closed(self.host.project):
            self.query_one("#save", Button).display = False
            self.query_one("#cancel", Button).focus()
        else:
            self.query_one("#save", Button).focus()

    def hint(self) -> str:
        return "enter confirm · esc cancel"

    def action_save(self) -> None:
        force = bool(self.missing)
        why = self.value("#why") if force else None
        if force and not (why or "").strip():
            self.show_error("a forced advance needs a reason; nothing was changed")
            return

        def rule(p: Project, f: Framework, c: Context) -> Change:
            return lifecycle.advance(p, f, c, force=force, why=why)

        if self.run_rule(rule) is not None:
            self.dismiss(None)
