"""One screen per stage (`1`-`4`): its modules and, for the highlighted one, description,
guiding questions and note, the stage's decisions and (modelling) experiments; below them the
stage's artifacts, each with its state (missing, attached, file missing, stale, current).

Keys: `space` toggles done, `s` or `enter` picks any status (a skip asks for its reason), `n`
edits the note inline (`ctrl+s` saves, `escape` cancels), `E` edits it in `$VISUAL`/`$EDITOR`.
`tab` moves to the detail pane, which `j`/`k` then scroll, then to the artifacts: there `enter`
opens the highlighted one's file in the editor (a link is only shown), `a` attaches a file or a
link, `d` detaches one, `f` refreshes its Markdown document, and the detail pane shows that
artifact in full. `d` and `t` elsewhere are about the highlighted module. `/` filters the modules
by words in their id, title, note or skip reason (`enter` back to the list, `escape` leaves the
field, then clears the filter).
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable, Sequence
from functools import partial
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import events, on
from textual.actions import SkipAction
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, OptionList, Static, TextArea

from mlpl_tui import lifecycle
from mlpl_tui.artifact_files import ArtifactState
from mlpl_tui.artifacts import detach, is_url
from mlpl_tui.framework import Framework, Module
from mlpl_tui.lifecycle import Context
from mlpl_tui.model import Change, Project
from mlpl_tui.progress import current_stage_id, gate_missing, module_status, stage_progress
from mlpl_tui.sanitize import clean
from mlpl_tui.screens.artifact_view import (
    artifact_rows,
    artifact_text,
    gate_blockers,
    markdown_locations,
)
from mlpl_tui.screens.base import ProjectScreen
from mlpl_tui.screens.editor import editor_command, run_editor
from mlpl_tui.screens.modals.edit_conflict import (
    KEEP_THEIRS,
    Resolution,
    ask_about_conflict,
    attempt_edit,
)
from mlpl_tui.widgets.artifact_list import ArtifactList
from mlpl_tui.widgets.bars import KeyBar, TitleBar
from mlpl_tui.widgets.filter_field import FilterField
from mlpl_tui.widgets.module_list import ModuleList, ModuleRow
from mlpl_tui.widgets.scroll_pane import ScrollPane
from mlpl_tui.widgets.text import clip, data_text
from mlpl_tui.wording import shown_date, shown_time, stage_name

# The inline editor lays out the whole note: 200,000 lines took 12 s; 5,000 take 0.2 s.
MAX_INLINE_LINES = 5_000
MAX_INLINE_CHARS = 100_000


class StageScreen(ProjectScreen):
    """A stage's checklist and what belongs to it."""

    stage_id: str  # always set: the stage this screen shows

    CSS_PATH = "stage.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("s", "pick_status", "Status", id="set-status", tooltip="Set any status"),
        Binding(
            "n",
            "edit_note",
            "Note",
            id="edit-note",
            tooltip="Edit the note inline",
            # Checked as the key arrives, so keys typed right after it reach the note.
            priority=True,
        ),
        Binding(
            "E",
            "edit_in_editor",
            "Editor",
            show=False,
            id="edit-note-external",
            tooltip="Edit the note in $VISUAL or $EDITOR",
        ),
        Binding("ctrl+s", "save_note", "Save note", id="save-note", tooltip="Save the note"),
        Binding("escape", "cancel_note", "Cancel", id="cancel-note", tooltip="Drop the edit"),
        Binding(
            "slash",
            "focus_filter",
            "Filter",
            key_display="/",
            show=False,  # at 80 columns `a Advance` keeps its place; `?` and ctrl+p list it
            id="module-filter",
            tooltip="Type words every listed module must contain (id, title, note, reason)",
            priority=True,  # checked as the key arrives: keys typed after it reach the filter
        ),
        Binding(
            "enter",
            "filter_done",
            "Filter done",
            show=False,
            id="module-filter-done",
            tooltip="In the filter: back to the modules (in the list, enter picks a status)",
            priority=True,  # keys that follow it in one burst go to the list, not the filter
        ),
        Binding(
            "escape",
            "leave_filter",
            "Clear filter",
            key_display="esc",
            id="module-filter-clear",
            tooltip="Leave the filter field; in the list, clear the filter",
            priority=True,
        ),
    ]

    def __init__(self, stage_id: str) -> None:
        super().__init__(name=f"stage-{stage_id}")
        self.stage_id = stage_id
        self._shown_module: tuple[str, object] | None = None
        self._shown: Project | None = None
        self._shown_module_id: str | None = None
        self._texts: dict[str, str] = {}
        self._editing_note = ("", "")  # (the note as stored, as the editor showed it)
        self._wanted_module: str | None = None  # to highlight once the rows are drawn
        self._shown_states: Sequence[ArtifactState] | None = None
        self._about_artifact = False  # the detail pane shows the highlighted artifact
        self._shown_artifact: tuple[str, ArtifactState] | None = None

    # --- layout -------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield TitleBar()
        yield Static("", id="stage-title", markup=False)
        # Shown while it is used: the checklist keeps its rows at 80x24.
        yield FilterField("words in a module's id, title, note or skip reason", id="module-filter")
        with Horizontal(id="main"):
            yield ModuleList(id="modules")
            with ScrollPane(id="detail"):
                with Vertical(id="module-part"):
                    yield Static("", id="module", markup=False)
                    yield Static("", id="module-status", markup=False)
                    yield Static("", id="module-body", markup=False)
                    yield Static("Note", classes="section-title")
                    yield Static("", id="note", markup=False)
                    with Vertical(id="note-editing"):
                        yield TextArea(id="note-editor", soft_wrap=True, compact=True)
                        yield Static("ctrl+s save · esc cancel · E in $EDITOR", classes="hint")
                    yield Static("Decisions", classes="section-title")
                    yield Static("", id="decisions", markup=False)
                    if self.stage_id == "modelling":
                        yield Static("Experiments", classes="section-title")
                        yield Static("", id="experiments", markup=False)
                yield Static("", id="artifact", markup=False)
        # Below both panes, the whole width: each artifact's state and where it is, at a glance.
        yield ArtifactList(id="artifact-list")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#note-editing").display = False
        modules = self.query_one(ModuleList)
        modules.border_title = "Modules"
        self.query_one("#detail").border_title = "Module · tab, j/k scroll"
        self.query_one("#artifact").display = False
        self.query_one(ArtifactList).border_title = "Artifacts · tab"
        modules.focus()

    # --- what is shown --------------------------------------------------------------------------

    @property
    def framework(self) -> Framework:
        return self.host.framework

    @property
    def highlighted_module(self) -> str | None:
        """The module under the pointer: dialogs opened here (`d`, `t`) are about it."""
        modules = self.query(ModuleList)  # none while the screen is still composing
        return modules.first().module_id if modules else None

    def point_at(self, module_id: str) -> None:
        """Highlight `module_id` now, or as soon as the rows are drawn."""
        self._wanted_module = module_id
        if self.is_mounted:
            self._point_at_wanted()

    def _point_at_wanted(self) -> None:
        wanted, modules = self._wanted_module, self.query_one(ModuleList)
        if wanted is None:
            return
        found = modules.select(wanted)
        if not found and modules.words:  # hidden by the filter: the module asked for comes first
            self._clear_filter()
            found = modules.select(wanted)
        if found:
            self._wanted_module = None

    def show(self, project: Project) -> None:
        states = self.host.artifact_states
        if project is self._shown and states is self._shown_states:
            return  # snapshots are immutable: the same one draws the same screen
        self._shown, self._shown_states = project, states
        framework = self.framework
        stage = framework.stage(self.stage_id)
        progress = next(p for p in stage_progress(project, framework) if p.stage.id == stage.id)
        title = f"{stage.number} {clip(stage.title)}\n{progress.state}"
        title += f" · {progress.finished}/{progress.total} done or skipped"
        if stage.id == current_stage_id(project) and progress.state == "current":
            needs = [m.id.split(".", 1)[1] for m in gate_missing(project, stage)]
            needs += [
                f"{a.id} ({state})" for a, state in gate_blockers(project, framework, stage, states)
            ]
            title += " · gate needs: " + ", ".join(needs) if needs else " · gate met: a advances"
        self._set("#stage-title", title)
        self.query_one(TitleBar).set_title(project.meta.name)
        rows = [
            ModuleRow(
                m.id, m.title, module_status(project, m.id), m.required, _filter_text(project, m.id)
            )
            for m in stage.modules
        ]
        self.query_one(ModuleList).set_rows(rows)
        self._point_at_wanted()
        self._show_module(project)
        self._show_sections(project)
        self._show_artifacts(states)

    def _show_module(self, project: Project) -> None:
        module_id = self.highlighted_module
        if module_id is None:
            self._show_no_match()
            return
        module = self.framework.module(module_id)
        state = project.modules.get(module_id)
        key = (module_id, state)
        if key == self._shown_module:
            return  # unchanged: skip the redraw
        self._shown_module = key
        if module_id != self._shown_module_id:  # moved: the parts that do not change with status
            self._shown_module_id = module_id
            self.query_one("#detail", ScrollPane).scroll_home(animate=False)
            head = data_text(module.title, style="bold")  # mlpl.yaml is a branch's file too
            head.append(f"\n{clip(module.id)} · {'required' if module.required else 'optional'}")
            if module.adapted:
                head.append(" · adapted")
            self.query_one("#module", Static).update(head)
            self.query_one("#module-body", Static).update(self._module_body(module))
        # A toggle redraws only these two small parts and the row: little output over SSH.
        status = f"Status: {module_status(project, module_id)}"
        if state and state.updated_at:
            status += f" (by {state.updated_by}, {shown_time(state.updated_at)})"
        status = clip(status)
        if state and state.reason and state.status == "skipped":
            status += "\nWhy skipped: " + clip(state.reason, multiline=True)
        self._set("#module-status", status)
        note = state.note if state and state.note else "(no note: n to write one)"
        self._set("#note", clip(note, multiline=True))

    def _set(self, selector: str, text: str) -> None:
        """Update a Static only when its text changed: an unchanged one is not repainted.

        `text` is already cleaned and bounded (`clip`); it is shown as Text, never markup.
        """
        if self._texts.get(selector) != text:
            self._texts[selector] = text
            self.query_one(selector, Static).update(Text(text))

    def _module_body(self, module: Module) -> Text:
        text = data_text(module.description, multiline=True)
        if module.questions:
            text.append("\n\nGuiding questions", style="bold")
            for question in module.questions:
                text.append(f"\n • {clip(question)}")
        return text

    def _show_sections(self, project: Project) -> None:
        stage = self.framework.stage(self.stage_id)
        decisions = [
            f"{shown_date(d.created_at)} {d.status:<8} {d.title}"
            for d in project.decisions
            if d.stage == stage.id
        ]
        self._set("#decisions", _lines(decisions, "None yet: d records one."))
        if self.stage_id == "modelling":
            experiments = [
                f"{e.status:<9} {e.title}" + (f" ({e.reason})" if e.reason else "")
                for e in project.experiments
            ]
            self._set("#experiments", _lines(experiments, "None yet: e opens the experiment log."))

    @on(OptionList.OptionHighlighted, "#modules")
    def _moved(self) -> None:
        self._show_module(self.host.project)

    # --- the artifacts ----------------------------------------------------------------------------

    def _show_artifacts(self, states: Sequence[ArtifactState]) -> None:
        artifacts = self.query_one(ArtifactList)
        rows = artifact_rows(states, self.stage_id)
        artifacts.show_rows(rows)
        if artifacts.display != bool(rows):
            artifacts.display = bool(rows)  # a stage without artifacts keeps the room
        if self._about_artifact:
            self._show_artifact()

    def _artifact(self, artifact_id: str | None) -> ArtifactState | None:
        if artifact_id is None:
            return None
        return next((s for s in self.host.artifact_states if s.id == artifact_id), None)

    @property
    def highlighted_artifact(self) -> ArtifactState | None:
        """The artifact under the pointer in the artifacts list."""
        lists = self.query(ArtifactList)
        return self._artifact(lists.first().artifact_id) if lists else None

    def _show_artifact(self) -> None:
        """The detail pane on the highlighted artifact, redrawn only when it changed."""
        state = self.highlighted_artifact
        if state is None:
            return
        key = (state.id, state)
        if key == self._shown_artifact:
            return
        if self._shown_artifact is None or self._shown_artifact[0] != state.id:
            self.query_one("#detail", ScrollPane).scroll_home(animate=False)
        self._shown_artifact = key
        self.query_one("#artifact", Static).update(artifact_text(state))

    def _detail_about(self, artifact: bool) -> None:
        """Let the detail pane show the highlighted artifact, or the highlighted module."""
        if artifact == self._about_artifact:
            return
        self._about_artifact = artifact
        self.query_one("#module-part").display = not artifact
        self.query_one("#artifact").display = artifact
        detail = self.query_one("#detail", ScrollPane)
        detail.border_title = f"{'Artifact' if artifact else 'Module'} · tab, j/k scroll"
        detail.scroll_home(animate=False)
        if artifact:
            self._shown_artifact = None
            self._show_artifact()

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        """The detail pane is about the list last moved into: the modules or the artifacts."""
        if isinstance(event.widget, ModuleList):
            self._detail_about(False)
        elif isinstance(event.widget, ArtifactList):
            self._detail_about(True)

    @on(OptionList.OptionHighlighted, "#artifact-list")
    def _artifact_moved(self) -> None:
        if self._about_artifact:
            self._show_artifact()

    @on(OptionList.OptionSelected, "#artifact-list")
    def _artifact_selected(self) -> None:  # a double click
        state = self.highlighted_artifact
        if state is not None:
            self._open_artifact(state)

    @on(ArtifactList.Asked)
    def _artifact_asked(self, event: ArtifactList.Asked) -> None:
        state = self._artifact(event.artifact_id)
        if state is None:
            return
        actions: dict[str, Callable[[ArtifactState], None]] = {
            "open": self._open_artifact,
            "attach": self._attach_artifact,
            "detach": self._detach_artifact,
            "refresh": self._refresh_artifact,
            "write": self._write_artifact,
        }
        actions[event.what](state)

    def _pick_location(self, state: ArtifactState, verb: str, then: Callable[[str], None]) -> None:
        """Run `then` on the artifact's only location, or on the one the user picks."""
        locations = state.info.locations
        if not locations:
            self.notify(
                f"nothing is attached to {state.info.title}: a attaches a file or a link",
                title="Not done",
            )
            return
        if len(locations) == 1:
            then(locations[0])
            return
        from mlpl_tui.screens.modals.pick import PickModal

        rows = [(x.location, f"{x.location}  ({x.state})") for x in state.locations]

        def picked(location: str | None) -> None:
            if location is not None:
                then(location)

        self.app.push_screen(
            PickModal(f"{verb} which location?", f"{state.id}: {state.info.title}", rows), picked
        )

    def _open_artifact(self, state: ArtifactState) -> None:
        self._pick_location(state, "Open", self._open_location)

    def _open_location(self, location: str) -> None:
        if is_url(location):
            from mlpl_tui.screens.modals.text_view import TextModal

            body = data_text(location)
            body.append("\n\nmlpl-tui never opens links: copy it into a browser if you trust it.")
            self.app.push_screen(TextModal("A link", body))
            return
        problem = self.host.open_location(location)
        if problem is not None:
            self.notify(problem, title="Not opened", severity="error", timeout=10)

    def _attach_artifact(self, state: ArtifactState) -> None:
        from mlpl_tui.screens.modals.artifact import AttachModal

        self.app.push_screen(AttachModal(state.id))

    def _detach_artifact(self, state: ArtifactState) -> None:
        from mlpl_tui.screens.modals.confirm import ConfirmModal

        artifact_id, title = state.id, state.info.title

        def confirmed(location: str) -> None:
            def answered(yes: bool | None) -> None:
                if not yes:
                    return
                change = self.host.act(lambda p, f, c: detach(p, f, c, artifact_id, location))
                if change is not None:
                    self.notify(change.summary + " (u undoes)", title="Detached")

            what = "What it points to" if is_url(location) else "The file itself"
            question = data_text(
                f"Detach {location} from {title}?\n\n{what} stays as it is; the history "
                "keeps the link, and u undoes.",
                multiline=True,
            )
            self.app.push_screen(
                ConfirmModal("Detach?", question, yes="Detach", no="Keep"), answered
            )

        self._pick_location(state, "Detach", confirmed)

    def _refresh_artifact(self, state: ArtifactState) -> None:
        if not markdown_locations(state):
            self.notify(
                f"f rewrites the generated parts of a Markdown document; {state.info.title} has "
                f"none attached ('mlpl-tui doc new {state.id}' writes one)",
                title="Not done",
            )
            return
        rewritten, problem = self.host.refresh_document(state.id)
        if problem is not None:
            self.notify(problem, title="Not refreshed", severity="error", timeout=10)
        elif rewritten:
            self.notify(", ".join(rewritten), title="Refreshed")
        else:
            self.notify(
                "nothing to rewrite: its generated parts are up to date (or it has none)",
                title="Refreshed",
            )

    def _write_artifact(self, state: ArtifactState) -> None:
        declared = state.info.declared
        if declared is None or not declared.template or not declared.path:
            self.notify(
                f"{state.info.title} has no template and path to write from; attach its file "
                "with a, or give a path: 'mlpl-tui doc new ARTIFACT PATH'",
                title="Not done",
            )
            return
        written = markdown_locations(state)
        if written:
            self.notify(
                f"{state.info.title} already has {written[0]}: f refreshes its generated parts",
                title="Not done",
            )
            return
        from mlpl_tui.screens.modals.confirm import ConfirmModal

        artifact_id, path, template = state.id, declared.path, declared.template

        def answered(yes: bool | None) -> None:
            if not yes:
                return
            location, problem = self.host.write_document(artifact_id)
            if problem is not None:
                self.notify(problem, title="Not done", severity="error", timeout=10)
            else:
                self.notify(f"{location}, attached (enter opens it)", title="Written")

        question = data_text(
            f"Write {path} from the {template} template, with the project's decisions, "
            "switches and figures filled in, and attach it?\n\nAn existing file is never "
            "written over.",
            multiline=True,
        )
        self.app.push_screen(ConfirmModal("Write the document?", question, yes="Write"), answered)

    def _ask_about_highlighted(self, what: str) -> None:
        """A palette command: act on the highlighted artifact as its key does."""
        state = self.highlighted_artifact
        if state is None:
            self.notify("this stage lists no artifact", title="Not done")
            return
        self._artifact_asked(ArtifactList.Asked(state.id, what))

    def help_section(self) -> tuple[str, Sequence[tuple[str, str]]] | None:
        """The artifacts list's keys, for the help screen while the list does not have focus."""
        artifacts = self.query(ArtifactList)
        if not artifacts or artifacts.first().has_focus:
            return None
        lines = []
        for binding in ArtifactList.BINDINGS:
            if isinstance(binding, Binding) and binding.show:
                key = self.app.get_key_display(binding)
                lines.append((key, f"{binding.description:<12} {binding.tooltip}"))
        return "In the artifacts list (tab to it):", lines

    # --- changing modules -----------------------------------------------------------------------

    @on(ModuleList.Toggled)
    def _toggle(self, event: ModuleList.Toggled) -> None:
        module_id = event.module_id
        self.host.act(lambda p, f, c: lifecycle.toggle_done(p, f, c, module_id))

    @on(OptionList.OptionSelected, "#modules")
    def _selected(self) -> None:
        self.action_pick_status()

    def action_pick_status(self) -> None:
        from mlpl_tui.screens.modals import StatusModal

        module_id = self.highlighted_module
        if module_id is not None:
            self.app.push_screen(StatusModal(module_id))

    @property
    def editing(self) -> bool:
        return bool(self.query_one("#note-editing").display)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("save_note", "cancel_note"):
            return self.editing
        if action in ("pick_status", "edit_note", "edit_in_editor"):
            return not self.editing
        if action == "filter_done":  # out of the key bar where enter opens an artifact
            return not isinstance(self.focused, ArtifactList)
        if action == "leave_filter":  # only while there is a filter to leave or clear
            field = self.query_one(FilterField)
            return not self.editing and (self.focused is field or bool(field.words))
        return True

    def action_edit_note(self) -> None:
        module_id = self.highlighted_module
        if module_id is None:
            return
        state = self.host.project.modules.get(module_id)
        stored = state.note if state else ""
        lines = stored.count("\n") + 1
        if lines > MAX_INLINE_LINES or len(stored) > MAX_INLINE_CHARS:
            self.notify(
                f"the note is too long to edit here ({lines:,} lines, {len(stored):,} characters);"
                " E opens it in $VISUAL or $EDITOR",
                title="Not opened",
                severity="warning",
            )
            return
        editor = self.query_one("#note-editor", TextArea)
        # Controls are shown written out (a TextArea would send them to the terminal raw).
        editor.text = clean(stored, multiline=True)
        self._editing_note = (stored, editor.text)
        self.query_one("#note-editing").display = True
        # At once, not on the next tick: keys already typed after `n` belong to the note.
        self.set_focus(editor)
        editor.move_cursor(editor.document.end)

    def action_cancel_note(self) -> None:
        self.query_one("#note-editing").display = False
        self.query_one(ModuleList).focus()

    def action_save_note(self) -> None:
        module_id = self.highlighted_module
        text = self.query_one("#note-editor", TextArea).text
        stored, shown = self._editing_note
        self.action_cancel_note()
        if text == shown:  # untouched: nothing to write (and another writer's note stays)
            return
        if module_id is not None:
            self._save_note(module_id, text, stored)

    def _save_note(self, module_id: str, text: str, started: str) -> None:
        """Save the note over `started`, the note the edit began from; when someone else
        changed it meanwhile, show both versions and let the user choose (nothing is lost)."""

        def rule(p: Project, f: Framework, c: Context) -> Change:
            return lifecycle.set_note(p, f, c, module_id, text, note_from=started)

        attempt = attempt_edit(self.host, rule)
        if attempt.conflict is None:
            if attempt.error is not None:
                self.notify(attempt.error, title="Not done", severity="error", timeout=8)
            return

        def resolved(resolution: Resolution | None) -> None:
            if resolution is None:
                self._reopen_note_editor(module_id, text)
            elif resolution.keep != KEEP_THEIRS:
                self._save_note(module_id, str(resolution.value), str(resolution.stored))

        ask_about_conflict(
            self.app, attempt.conflict, resolved, label="note", project=attempt.project
        )

    def _reopen_note_editor(self, module_id: str, text: str) -> None:
        """Back to editing after the conflict dialog: the typed text, over the stored note."""
        if self.highlighted_module != module_id:
            return
        self.action_edit_note()
        editor = self.query_one("#note-editor", TextArea)
        editor.text = text
        state = self.host.project.modules.get(module_id)
        self._editing_note = (state.note if state else "", "\0")  # typed: always saved

    def action_edit_in_editor(self) -> None:
        """Edit the note in $VISUAL or $EDITOR, run directly (no shell) on a temporary file."""
        module_id = self.highlighted_module
        if module_id is None:
            return
        command, problem = editor_command()
        if problem is not None:
            self.notify(problem, title="Not done", severity="error", timeout=10)
            return
        state = self.host.project.modules.get(module_id)
        before = state.note if state else ""
        with tempfile.TemporaryDirectory(prefix="mlpl-note-") as folder:
            path = Path(folder) / f"{module_id}.md"
            path.write_text(before + "\n" if before else "", encoding="utf-8")
            returncode, problem = run_editor(self.app, command, path)
            if returncode is None:
                self.notify(problem or "", title="Not done", severity="error")
                return
            if returncode != 0:
                self.notify(
                    f"the editor exited with status {returncode}; the note was kept as it was",
                    title="Not done",
                    severity="warning",
                )
                return
            try:
                after = path.read_text(encoding="utf-8").strip()
            except (OSError, UnicodeDecodeError) as exc:
                self.notify(
                    f"cannot read the edited note ({exc}); the note was kept as it was",
                    title="Not done",
                    severity="error",
                )
                return
        if after != before.strip():
            self._save_note(module_id, after, before)

    # --- filtering the modules -----------------------------------------------------------------

    def _show_no_match(self) -> None:
        """The filter lists no module: say so where the module would be."""
        if not self.query_one(ModuleList).words:
            return
        self._shown_module = self._shown_module_id = None  # the next module is drawn afresh
        self.query_one("#module", Static).update(Text("No match: escape clears the filter."))
        self.query_one("#module-body", Static).update("")
        self._set("#module-status", "")
        self._set("#note", "")

    def _filter_modules(self) -> None:
        field, modules = self.query_one(FilterField), self.query_one(ModuleList)
        modules.set_filter(field.words)
        listed, total = len(modules.rows), len(modules.all_rows)
        modules.border_title = (
            f"Modules: {listed} of {total}, filtered" if modules.words else "Modules"
        )
        self._show_module(self.host.project)
        self.refresh_bindings()  # `escape` clears the filter only while there is one

    def _clear_filter(self) -> None:
        field = self.query_one(FilterField)
        field.value = ""
        if self.focused is not field:
            field.display = False
        self._filter_modules()

    @on(Input.Changed, "#module-filter")
    def _filter_typed(self) -> None:
        self._filter_modules()

    @on(Input.Submitted, "#module-filter")
    def _filter_submitted(self) -> None:
        self.set_focus(self.query_one(ModuleList))  # at once: the next keys are the list's

    def on_descendant_blur(self, event: events.DescendantBlur) -> None:
        """An empty filter the user has left makes room for the checklist again."""
        field = self.query_one(FilterField)
        if event.widget is field and not field.value:
            field.display = False
            self.refresh_bindings()

    def action_focus_filter(self) -> None:
        field = self.query_one(FilterField)
        if self.editing or self.focused is field:
            # Text for the note or the filter: Textual names no character for `slash`, so an
            # Input or TextArea does not take it before this binding sees it.
            raise SkipAction()
        field.display = True
        # At once, not on the next tick: keys already typed after `/` belong to the filter.
        self.set_focus(field)
        self.refresh_bindings()

    def action_filter_done(self) -> None:
        """`enter` in the filter: back to the modules (elsewhere `enter` is the list's)."""
        if self.focused is not self.query_one(FilterField):
            raise SkipAction()
        self._filter_submitted()

    def action_leave_filter(self) -> None:
        """`escape`: out of the filter field; in the list, clear the filter."""
        field = self.query_one(FilterField)
        if self.focused is field:
            self.set_focus(self.query_one(ModuleList))
            if not field.value:
                field.display = False
            self.refresh_bindings()
            return
        self._clear_filter()

    def palette_commands(self) -> Iterable[SystemCommand]:
        """This screen's actions for the command palette."""
        name = stage_name(self.stage_id)
        yield SystemCommand(
            f"module: Toggle done (space) in {name}",
            "",
            lambda: self.query_one(ModuleList).action_toggle_done(),
        )
        yield SystemCommand(f"module: Set status (s) in {name}", "", self.action_pick_status)
        yield SystemCommand(f"module: Edit note (n) in {name}", "", self.action_edit_note)
        yield SystemCommand(
            f"module: Edit note in $EDITOR (E) in {name}", "", self.action_edit_in_editor
        )
        yield SystemCommand(
            f"module: Filter the modules (/) in {name}", "", self.action_focus_filter
        )
        keys = ("open", "enter"), ("attach", "a"), ("detach", "d"), ("refresh", "f"), ("write", "w")
        for what, key in keys:
            yield SystemCommand(
                f"artifact: {what.capitalize()} the highlighted one ({key} in the list) in {name}",
                "",
                partial(self._ask_about_highlighted, what),
            )


def _filter_text(project: Project, module_id: str) -> str:
    """What the module filter looks in besides the id and title: the note and skip reason."""
    state = project.modules.get(module_id)
    return f"{state.note}\n{state.reason}" if state else ""


def _lines(lines: list[str], empty: str) -> str:
    """Rows of a section, each cleaned and cut to one line (`clip`), or `empty`."""
    return "\n".join(clip(line) for line in lines) or empty
