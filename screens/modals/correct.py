"""The base of the correction dialogs (`E` on a decision, an experiment, an effort entry).

A correction dialog opens prefilled with the record as stored and remembers those values
(`started`). Saving sends only the fields the user changed, each with the value it started
from: a field somebody else changed meanwhile is not overwritten; the core refuses with an
EditConflict and the conflict dialog (edit_conflict.py) shows both versions. A field the user
left alone keeps whatever the other writer put there.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Input, Select, Static

from mlpl_tui.errors import MlplError
from mlpl_tui.model import Project
from mlpl_tui.screens.base import Rule
from mlpl_tui.screens.modals.edit_conflict import (
    KEEP_THEIRS,
    MERGED,
    EditAttempt,
    EditConflictModal,
    Resolution,
    attempt_edit,
    shown_value,
)
from mlpl_tui.screens.modals.form import (
    FormModal,
    place_of,
    place_options,
    place_value,
    selected,
    typed_or_stored,
)
from mlpl_tui.widgets.text import clip, data_text

PLACE = ("stage", "module")  # edited together: one choice of where a record is filed


class CorrectionModal(FormModal[str | None]):
    """Edit one record; dismisses with its id once saved, or None when cancelled.

    Subclasses name the table, give the record's values (`stored_values`), build the form
    (`form_fields`), read the typed values back (`typed`) and build the rule (`rule`).
    """

    TABLE: ClassVar[str]
    LABELS: ClassVar[dict[str, str]] = {}  # field -> how people call it
    ONE_LINE: ClassVar[frozenset[str]] = frozenset({"title"})  # merged without line breaks

    def __init__(self, record_id: str) -> None:
        super().__init__()
        self.record_id = record_id
        self.started: dict[str, Any] = {}  # the stored values the edit started from
        self.filled: dict[str, Any] = {}  # the exact values the fields were filled with
        self.place_filled: str | None = None  # the place option the place field was filled with

    # --- what subclasses say ------------------------------------------------------------------

    def stored_values(self, project: Project) -> dict[str, Any] | None:
        """The record's editable fields as stored, or None when it is gone."""
        raise NotImplementedError

    def about(self, project: Project) -> str:
        """The line under the heading: which record this is."""
        raise NotImplementedError

    def form_fields(self) -> ComposeResult:
        """The form rows, filled from `self.filled` (see text_field, place_field)."""
        raise NotImplementedError

    def typed(self) -> dict[str, Any]:
        """Every field as typed, stored values for untouched ones; MlplError when unreadable."""
        raise NotImplementedError

    def rule(self, edits: dict[str, Any], started: dict[str, Any]) -> Rule:
        """The correction for the changed fields `edits`."""
        raise NotImplementedError

    def shown(self, field: str) -> Callable[[Any], str]:
        """How a value of `field` reads in the conflict dialog."""
        return shown_value

    # --- the form -----------------------------------------------------------------------------

    def form(self) -> ComposeResult:
        project = self.host.project
        values = self.stored_values(project)
        if values is None:
            yield Static(
                data_text(f"{self.TABLE} record {self.record_id} is gone (removed meanwhile)."),
                id="where",
                markup=False,
            )
            return
        self.started, self.filled = dict(values), dict(values)
        yield Static(data_text(self.about(project)), id="where", markup=False)
        yield from self.form_fields()

    def on_mount(self) -> None:
        if not self.started:
            self.query_one("#save").display = False  # the record is gone: nothing to save
            return
        inputs = self.query(Input)
        if inputs:
            inputs.first().focus()

    def text_field(self, label: str, field: str, placeholder: str = "") -> Horizontal:
        value = self.filled.get(field) or ""
        return self.field(
            label, Input(clip(str(value)), id=field, placeholder=placeholder, compact=True)
        )

    def typed_text(self, field: str) -> str:
        """A text field as typed; the stored text when left as shown (typed_or_stored)."""
        return typed_or_stored(self.value(f"#{field}"), str(self.filled.get(field) or ""))

    def place_field(self, label: str, default: str) -> Horizontal:
        framework = self.host.framework
        stage, module = self.filled.get("stage"), self.filled.get("module")
        if stage is None and module is None:
            # Filed nowhere (older records): blank until the user picks a place.
            select: Select[str] = Select(
                place_options(framework), id="place", prompt="(no stage)", compact=True
            )
        else:
            self.place_filled = place_value(framework, stage, module, default)
            select = Select(
                place_options(framework),
                id="place",
                value=self.place_filled,
                allow_blank=False,
                compact=True,
            )
        return self.field(label, select)

    def typed_place(self) -> dict[str, Any]:
        """`stage` and `module` as picked; as stored while the field shows what it was filled
        with (a module the framework no longer has stays as it is)."""
        picked = selected(self.query_one("#place", Select))
        if picked is None or picked == self.place_filled:
            return {"stage": self.filled.get("stage"), "module": self.filled.get("module")}
        stage, module = place_of(self.host.framework, picked)
        if module is not None:
            stage = self.host.framework.module(module).stage
        return {"stage": stage, "module": module}

    def fill(self, field: str, value: Any) -> None:
        """Put `value` back in its field (a choice in the conflict dialog)."""
        self.filled[field] = value
        if field in PLACE:
            framework = self.host.framework
            stage, module = self.filled.get("stage"), self.filled.get("module")
            if stage is not None or module is not None:
                self.place_filled = place_value(framework, stage, module, str(stage))
                self.query_one("#place", Select).value = self.place_filled
            return
        for widget in self.query(f"#{field}"):
            if isinstance(widget, Input):
                widget.value = clip(str(value or ""))

    # --- saving -------------------------------------------------------------------------------

    def action_save(self) -> None:
        if not self.started:
            self.dismiss(None)  # the record is gone: nothing to save
            return
        try:
            typed = self.typed()
        except MlplError as exc:
            self.show_error(str(exc))
            return
        edits = {name: value for name, value in typed.items() if value != self.started.get(name)}
        if not edits:
            self.dismiss(self.record_id)
            return
        attempt = attempt_edit(self.host, self.rule(edits, dict(self.started)))
        if attempt.conflict is not None:
            self._ask(attempt, typed)
        elif attempt.error is not None:
            self.show_error(attempt.error)
        else:
            if attempt.change is not None and attempt.change.summary:
                self.notify(f"{attempt.change.summary} (u undoes)", title="Saved")
            self.dismiss(self.record_id)

    def _ask(self, attempt: EditAttempt, typed: dict[str, Any]) -> None:
        conflict = attempt.conflict
        assert conflict is not None and attempt.project is not None
        fresh = self.stored_values(attempt.project) or {}
        field = conflict.field
        group = PLACE if field in PLACE else (field,)
        label = "stage or module" if field in PLACE else self.LABELS.get(field, field)
        if field in PLACE:
            theirs: Any = _place_words(fresh)
            mine: Any = _place_words(typed)
            shown: Callable[[Any], str] = str
        else:
            theirs, mine, shown = conflict.stored, typed.get(field), self.shown(field)

        def resolved(resolution: Resolution | None) -> None:
            if resolution is None:
                self.show_error(
                    f"not saved: the {label} was changed meanwhile; save again to choose, "
                    "or esc to leave the record as it is"
                )
                return
            for name in group:
                self.started[name] = fresh.get(name)
            if field not in PLACE:
                self.started[field] = resolution.stored
            if resolution.keep == KEEP_THEIRS:
                for name in group:
                    self.fill(name, self.started[name])
            elif resolution.keep == MERGED:
                self.fill(field, resolution.value)
            self.action_save()

        self.app.push_screen(
            EditConflictModal(
                self.TABLE,
                self.record_id,
                field,
                theirs,
                mine,
                label=label,
                shown=shown,
                mergeable=None if field not in PLACE else False,
                multiline=field not in self.ONE_LINE,
                project=attempt.project,
                read=_place_words if field in PLACE else None,
            ),
            resolved,
        )


def _place_words(values: Mapping[str, Any]) -> str:
    stage, module = values.get("stage"), values.get("module")
    return str(module or stage or "(no stage)")
