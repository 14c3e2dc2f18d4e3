"""The edit-conflict dialog: a field was changed in the file while the user was editing it.

Every edit dialog saves with the values it opened with (`started`); when somebody else changed
one of those fields meanwhile, the core refuses the write with an `EditConflict` instead of
overwriting. This dialog then shows both versions, theirs (stored now, with who changed it and
when, from the history) and mine (as typed), and lets the user keep theirs, keep mine or merge
the two by hand. Whatever is chosen is saved with `started` = the stored value, so a further
change made while this dialog is open is caught the same way, and nothing is lost: the history
keeps the value before, theirs and the one saved.

To use it from any editor:

    attempt = attempt_edit(host, rule)          # instead of host.attempt(rule)
    if attempt.conflict is not None:
        ask_about_conflict(app, attempt.conflict, on_resolved, project=attempt.project)

`on_resolved` gets a `Resolution` (what to store and the `started` to store it with), or None
when the user went back to editing without choosing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Static, TextArea

from mlpl_tui.changes import ABSENT, EditConflict
from mlpl_tui.history import last_change_to
from mlpl_tui.model import Change, Project
from mlpl_tui.sanitize import clean
from mlpl_tui.screens.base import Host, Rule
from mlpl_tui.screens.modals.form import FormModal
from mlpl_tui.widgets.text import data_text
from mlpl_tui.wording import one_line, shown_time

KEEP_THEIRS, KEEP_MINE, MERGED = "theirs", "mine", "merged"


@dataclass(frozen=True)
class Resolution:
    """What the user chose: the value to store and the stored value to store it over.

    For "theirs" `value` is the stored value itself: nothing needs writing for the field.
    """

    keep: str  # KEEP_THEIRS, KEEP_MINE or MERGED
    value: Any
    stored: Any  # the value in the file when chosen: pass it as `started` when saving


@dataclass(frozen=True)
class EditAttempt:
    """What `attempt_edit` did: the change, or the refusal and, for a conflict, its details."""

    change: Change | None
    error: str | None
    conflict: EditConflict | None = None
    project: Project | None = None  # the snapshot read under the lock the rule ran on


def attempt_edit(host: Host, rule: Rule) -> EditAttempt:
    """Apply `rule` like `host.attempt`, and say which field conflicted when one did."""
    change, error, conflict = host.attempt_edit(rule)
    if conflict is not None:
        return EditAttempt(None, error, conflict, host.project)
    return EditAttempt(change, error)


def shown_value(value: Any) -> str:
    """A stored value in words: text as it is, a missing one as `(none)`."""
    if value is None or value is ABSENT:
        return "(none)"
    if isinstance(value, str):
        return value if value.strip() else "(empty)"
    return str(value)


def merged_draft(theirs: Any, mine: Any) -> str:
    """The merge editor's first text: theirs, then mine, each as typed (empty ones left out)."""
    parts = [v for v in (theirs, mine) if isinstance(v, str) and v.strip()]
    return "\n".join(parts)


class EditConflictModal(FormModal[Resolution | None]):
    """Theirs and mine for one field; `t` keeps theirs, `m` keeps mine, `e` merges by hand.

    `label` names the field for people ("rationale"); `shown` writes a value in words (say
    minutes as `1h30m`); `mergeable` offers the merge editor (text fields); `multiline` keeps
    the merged text's line breaks (else they become spaces, for a title); `read` takes theirs
    from the stored record when the file changes again while the dialog is open (by default
    the field's value).
    """

    DEFAULT_CSS = """
    EditConflictModal {
        & #where {
            color: $text-warning;
        }
        & .version-title {
            text-style: bold;
            margin-top: 1;
        }
        & #versions {
            height: auto;
        }
        & .version {
            height: auto;
            max-height: 5;
            padding: 0 1;
            border-left: thick $secondary;
        }
        & #merge {
            height: 10;
        }
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("t", "keep_theirs", "Keep theirs", id="edit-conflict-theirs", tooltip="Drop mine"),
        Binding(
            "m", "keep_mine", "Keep mine", id="edit-conflict-mine", tooltip="Save mine over it"
        ),
        Binding(
            "e",
            "merge",
            "Merge",
            id="edit-conflict-merge",
            tooltip="Edit one text from both versions",
        ),
    ]
    HEADING = "Changed while you were editing"

    def __init__(
        self,
        table: str,
        record_id: str,
        field: str,
        theirs: Any,
        mine: Any,
        *,
        label: str | None = None,
        shown: Callable[[Any], str] = shown_value,
        mergeable: bool | None = None,
        multiline: bool = True,
        project: Project | None = None,
        read: Callable[[Mapping[str, Any]], Any] | None = None,
    ) -> None:
        super().__init__()
        self.table, self.record_id, self.field_name = table, record_id, field
        self.theirs, self.mine = theirs, mine
        self.label = label or field
        self.shown = shown
        both_text = isinstance(theirs, str) and isinstance(mine, str)
        self.mergeable = both_text if mergeable is None else mergeable
        self.multiline = multiline
        self.snapshot = project  # newer than the app's until the app takes in the change
        self.read = read or (lambda record: record.get(field, ABSENT))
        self.merging = False

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(self.HEADING, id="heading", markup=False)
            yield Static("", id="where", markup=False)
            with Vertical(id="versions"):
                yield Static("", id="theirs-title", classes="version-title", markup=False)
                with VerticalScroll(id="theirs-box", classes="version"):
                    yield Static("", id="theirs", markup=False)
                yield Static("Mine, as you typed it:", classes="version-title", markup=False)
                with VerticalScroll(id="mine-box", classes="version"):
                    yield Static(data_text(self.shown(self.mine), multiline=True), id="mine")
            yield Static(
                "One text from both (theirs first, then mine); ctrl+s saves it:",
                id="merge-title",
                classes="version-title",
                markup=False,
            )
            yield TextArea(id="merge", soft_wrap=True, compact=True)
            yield Static("", id="error", markup=False)
            with Horizontal(id="buttons"):
                yield Button("Keep theirs", id="keep-theirs", compact=True)
                yield Button("Keep mine", id="keep-mine", variant="primary", compact=True)
                if self.mergeable:
                    yield Button("Merge by hand", id="merge-start", compact=True)
                yield Button("Save merge", id="merge-save", variant="primary", compact=True)
                yield Button("Back", id="cancel", compact=True)
            yield Static("", id="hint", markup=False)

    def on_mount(self) -> None:
        for name in ("#merge", "#merge-title", "#merge-save"):
            self.query_one(name).display = False
        project = self.snapshot or self.host.project
        self._draw(project)
        self.query_one("#keep-mine", Button).focus()

    def hint(self) -> str:
        if self.merging:
            return "ctrl+s save the merge · esc back to both versions"
        merge = " · e merge by hand" if self.mergeable else ""
        return f"t keep theirs · m keep mine{merge} · esc back to editing"

    def show(self, project: Project) -> None:
        """A newer snapshot (the app took in a change): theirs is what is stored now."""
        if self.is_mounted and not self.merging:
            self.snapshot = project
            record = project.raw(self.table).get(self.record_id)
            self.theirs = None if record is None else self.read(record)
            self._draw(project)

    def _draw(self, project: Project) -> None:
        what = f"The {self.label} of {self.table} record {self.record_id}"
        self.query_one("#where", Static).update(
            data_text(f"{what} was changed in the file since you opened it.", multiline=True)
        )
        event = last_change_to(project, self.table, self.record_id, self.field_name)
        if event is None:
            by = "Theirs, stored now (changed outside the history: a merge or by hand):"
        else:
            by = f"Theirs, stored now: changed by {one_line(event.by, 30)}, {shown_time(event.at)}"
        self.query_one("#theirs-title", Static).update(data_text(by))
        self.query_one("#theirs", Static).update(data_text(self.shown(self.theirs), multiline=True))
        self.query_one("#hint", Static).update(Text(self.hint()))

    # --- the choices --------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("keep_theirs", "keep_mine", "merge"):
            return not self.merging and (action != "merge" or self.mergeable)
        return True

    def action_keep_theirs(self) -> None:
        self.dismiss(Resolution(KEEP_THEIRS, self.theirs, self.theirs))

    def action_keep_mine(self) -> None:
        self.dismiss(Resolution(KEEP_MINE, self.mine, self.theirs))

    def action_merge(self) -> None:
        if not self.mergeable or self.merging:
            return
        self.merging = True
        editor = self.query_one("#merge", TextArea)
        # Controls are shown written out (a TextArea would send them to the terminal raw).
        editor.text = clean(merged_draft(self.theirs, self.mine), multiline=True)
        self._merge_mode(True)
        self.set_focus(editor)
        editor.move_cursor(editor.document.end)

    def _merge_mode(self, on: bool) -> None:
        self.query_one("#versions").display = not on
        for name in ("#merge", "#merge-title", "#merge-save"):
            self.query_one(name).display = on
        for name in ("#keep-theirs", "#keep-mine", "#merge-start"):
            for button in self.query(name):
                button.display = not on
        self.query_one("#hint", Static).update(Text(self.hint()))
        self.refresh_bindings()

    def action_save(self) -> None:
        """`ctrl+s`: in the merge editor, store the merged text."""
        if not self.merging:
            return
        text = self.query_one("#merge", TextArea).text
        if not self.multiline:
            text = " ".join(text.split())
        if not text.strip():
            self.show_error("the merged text is empty; type it, or esc to go back")
            return
        self.dismiss(Resolution(MERGED, text, self.theirs))

    def action_cancel(self) -> None:
        """`escape`: out of the merge editor, else back to the edit dialog (nothing written)."""
        if self.merging:
            self.merging = False
            self._merge_mode(False)
            self.query_one("#keep-mine", Button).focus()
            return
        self.dismiss(None)

    @on(Button.Pressed, "#keep-theirs")
    def _theirs_pressed(self) -> None:
        self.action_keep_theirs()

    @on(Button.Pressed, "#keep-mine")
    def _mine_pressed(self) -> None:
        self.action_keep_mine()

    @on(Button.Pressed, "#merge-start")
    def _merge_pressed(self) -> None:
        self.action_merge()

    @on(Button.Pressed, "#merge-save")
    def _merge_save_pressed(self) -> None:
        self.action_save()


def ask_about_conflict(
    app: App[Any],
    conflict: EditConflict,
    on_resolved: Callable[[Resolution | None], None],
    *,
    label: str | None = None,
    shown: Callable[[Any], str] = shown_value,
    multiline: bool = True,
    project: Project | None = None,
) -> None:
    """Open the conflict dialog for `conflict` (theirs = stored, mine = what was typed)."""
    app.push_screen(
        EditConflictModal(
            conflict.table,
            conflict.id,
            conflict.field,
            conflict.stored,
            conflict.mine,
            label=label,
            shown=shown,
            multiline=multiline,
            project=project,
        ),
        on_resolved,
    )
