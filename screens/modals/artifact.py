"""The attach dialog (`a` in a stage's artifacts): a file in the project or an http(s) link.

`tab` in the location field completes the typed path from the files and folders inside the
project folder (as far as every match agrees, listing them when several match); it never lists
anything outside the project or inside a linked folder. A path outside the project, a link that
leads out of it, a missing file or another scheme than http(s) is refused inside the dialog,
and nothing is written.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Input, Static

from mlpl_tui.artifacts import attach
from mlpl_tui.errors import MlplError
from mlpl_tui.framework import Framework
from mlpl_tui.lifecycle import Context
from mlpl_tui.model import Change, Project
from mlpl_tui.screens.modals.form import FormModal
from mlpl_tui.widgets.text import data_lines, data_text

SHOWN_CHOICES = 8  # matching files listed under the field; more are counted


class AttachModal(FormModal[str | None]):
    """Attach a location to one artifact; dismisses with the artifact's id, or None."""

    DEFAULT_CSS = """
    AttachModal #choices {
        height: auto;
        max-height: 10;
        color: $text-muted;
    }
    """
    HEADING = "Attach to an artifact"
    SAVE_LABEL = "Attach"

    def __init__(self, artifact_id: str) -> None:
        super().__init__()
        self.artifact_id = artifact_id

    def form(self) -> ComposeResult:
        state = next((s for s in self.host.artifact_states if s.id == self.artifact_id), None)
        title = state.info.title if state else "(gone)"
        where = f"{self.artifact_id}: {title}"
        if state is not None and state.info.declared is not None and state.info.declared.path:
            where += f" · usually {state.info.declared.path}"
        yield Static(data_text(where), id="where", markup=False)
        yield self.field(
            "Location",
            Input(
                id="location",
                placeholder="a path in the project (tab completes) or an http(s) link",
                compact=True,
            ),
        )
        yield Static("", id="choices", markup=False)

    def hint(self) -> str:
        return "tab complete · enter attach · esc cancel"

    def on_mount(self) -> None:
        self.query_one("#choices").display = False
        self.query_one("#location", Input).focus()

    def _show_choices(self, text: Text | None) -> None:
        choices = self.query_one("#choices", Static)
        choices.display = text is not None
        choices.update(text or "")

    def action_next_field(self) -> None:
        """`tab` in the location field completes it; with nothing to complete, the next field."""
        field = self.query_one("#location", Input)
        if self.focused is not field:
            super().action_next_field()
            return
        typed = field.value
        completion = self.host.complete_location(typed)
        if completion.text != typed:
            field.value = completion.text
            field.cursor_position = len(completion.text)
        if len(completion.choices) > 1:
            shown = list(completion.choices[:SHOWN_CHOICES])
            more = len(completion.choices) - len(shown)
            lines = data_lines(shown)
            if more:
                lines.append(f"\n… and {more} more: type more letters")
            self._show_choices(lines)
        elif completion.text == typed and not completion.choices and typed.strip():
            self._show_choices(Text("No file or folder in the project starts like that."))
        else:
            self._show_choices(None)
            if completion.text == typed:
                super().action_next_field()

    def action_save(self) -> None:
        typed = self.value("#location")
        try:
            location = self.host.project_location(typed)
        except MlplError as exc:
            self.show_error(str(exc))
            return
        ref = self.artifact_id

        def rule(p: Project, f: Framework, c: Context) -> Change:
            return attach(p, f, c, ref, location)

        change = self.run_rule(rule)
        if change is not None:
            self.notify(f"{change.summary} (u undoes)", title="Attached")
            self.dismiss(ref)
