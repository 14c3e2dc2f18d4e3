"""The advance dialog (`a`): pass the gate, or name what is missing (required modules not done
or skipped, required artifacts missing, stale or with a file missing) and offer a forced advance."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Button, Input, Static

from mlpl_tui import lifecycle
from mlpl_tui.artifact_files import state_words
from mlpl_tui.artifacts import ArtifactInfo
from mlpl_tui.framework import Framework, Module
from mlpl_tui.lifecycle import Context
from mlpl_tui.model import Change, Project
from mlpl_tui.progress import current_stage_id, gate_missing, is_closed, module_status
from mlpl_tui.screens.artifact_view import gate_blockers
from mlpl_tui.screens.modals.form import FormModal
from mlpl_tui.widgets.text import data_lines, data_text
from mlpl_tui.wording import stage_name, status_mark


class AdvanceModal(FormModal[None]):
    """Pass the current stage's gate; dismisses with None."""

    HEADING = "Advance"

    def __init__(self) -> None:
        super().__init__()
        self.missing: list[Module] = []  # the gate's unmet modules, read when the form is built
        self.blockers: list[tuple[ArtifactInfo, str]] = []  # its unmet artifacts and states
        self.states: dict[str, str] = {}  # every artifact's state, as the advance rule takes it

    def form(self) -> ComposeResult:
        project, framework = self.host.project, self.host.framework
        here = framework.stage(current_stage_id(project))
        later = framework.later_stages(here.id)
        states = self.host.artifact_states
        self.states = state_words(states)
        closed = is_closed(project)
        self.missing = [] if closed else gate_missing(project, here)
        self.blockers = [] if closed else gate_blockers(project, framework, here, states)
        unmet = bool(self.missing or self.blockers)
        self.SAVE_LABEL = "Force advance" if unmet else "Advance"  # composed after this
        if is_closed(project):
            text = "The project is closed (accepted). Loop back (b) to reopen it."
        elif later:
            text = f"From {stage_name(here.id)} to {stage_name(later[0].id)}."
        else:
            text = f"Pass {stage_name(here.id)}: the project will be closed as accepted."
        yield Static(Text(text), id="where", markup=False)
        if unmet:
            lines = [f"The gate of {stage_name(here.id)} is not met. Missing:"]
            for module in self.missing:
                status = module_status(project, module.id)
                lines.append(f"  {status_mark(status)} {module.id}  {module.title} ({status})")
            for info, state in self.blockers:
                lines.append(f"  [!] {info.id}  {info.title} ({state})")
            what = "Finish or skip them" if self.missing else "Attach or update them"
            if self.missing and self.blockers:
                what = "Finish or skip the modules, attach or update the artifacts"
            lines.append(f"{what}, or force the advance with a reason:")
            yield Static(data_lines(lines), id="missing", markup=False)
            yield self.field(
                "Reason", Input(id="why", placeholder="why advance anyway", compact=True)
            )
        elif not is_closed(project):
            yield Static(data_text(f"Gate met: {here.gate}"), id="gate", markup=False)

    def on_mount(self) -> None:
        if self.missing or self.blockers:
            self.query_one("#why", Input).focus()
        elif is_closed(self.host.project):
            self.query_one("#save", Button).display = False
            self.query_one("#cancel", Button).focus()
        else:
            self.query_one("#save", Button).focus()

    def hint(self) -> str:
        return "enter confirm · esc cancel"

    def action_save(self) -> None:
        force = bool(self.missing or self.blockers)
        why = self.value("#why") if force else None
        if force and not (why or "").strip():
            self.show_error("a forced advance needs a reason; nothing was changed")
            return
        states = self.states

        def rule(p: Project, f: Framework, c: Context) -> Change:
            return lifecycle.advance(p, f, c, force=force, why=why, artifact_states=states)

        if self.run_rule(rule) is not None:
            self.dismiss(None)
