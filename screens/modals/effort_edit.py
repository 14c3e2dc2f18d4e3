"""The effort correction dialog (`E` on the effort list): the time spent, the day, the stage or
module it went into, the note."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from textual.app import ComposeResult

from mlpl_tui import corrections
from mlpl_tui.framework import Framework
from mlpl_tui.lifecycle import Context, parse_day, parse_duration
from mlpl_tui.model import Change, Project
from mlpl_tui.progress import format_minutes
from mlpl_tui.screens.base import Rule
from mlpl_tui.screens.modals.correct import PLACE, CorrectionModal
from mlpl_tui.screens.modals.edit_conflict import shown_value


class EffortEditModal(CorrectionModal):
    """Correct one effort entry; dismisses with its id once saved."""

    HEADING = "Edit logged time"
    TABLE = "effort"
    LAST_FIELD = "note"
    LABELS: ClassVar[dict[str, str]] = {"minutes": "time spent", "on": "day"}

    def stored_values(self, project: Project) -> dict[str, Any] | None:
        entry = project.effort_entry(self.record_id)
        if entry is None:
            return None
        return {name: getattr(entry, name) for name in ("minutes", "on", *PLACE, "note")}

    def about(self, project: Project) -> str:
        entry = project.effort_entry(self.record_id)
        who = f"logged by {entry.by}" if entry else ""
        return f"{self.record_id} {who}; history keeps what it was"

    def form_fields(self) -> ComposeResult:
        minutes = self.filled.get("minutes")
        self.filled["duration"] = format_minutes(minutes) if isinstance(minutes, int) else ""
        yield self.text_field("Duration", "duration", "45m, 1h30m, 2h, 1.5h")
        yield self.text_field("Day", "on", "YYYY-MM-DD, yesterday, 'last monday'")
        yield self.place_field("On", str(self.filled.get("stage") or "business"))
        yield self.text_field("Note", "note", "what the time went into")

    def typed(self) -> dict[str, Any]:
        duration = self.value("#duration")
        minutes = self.filled.get("minutes")
        if duration.strip() != self.filled.get("duration"):
            minutes = parse_duration(duration)
        day = self.typed_text("on")
        if day != self.filled.get("on"):
            day = parse_day(day, self.host.context().today)
        note = self.typed_text("note")
        return {"minutes": minutes, "on": day, **self.typed_place(), "note": note}

    def fill(self, field: str, value: Any) -> None:
        if field == "minutes":
            self.filled["minutes"] = value
            shown = format_minutes(value) if isinstance(value, int) else ""
            super().fill("duration", shown)
            return
        super().fill(field, value)

    def shown(self, field: str) -> Callable[[Any], str]:
        if field == "minutes":
            return lambda value: format_minutes(value) if isinstance(value, int) else "(none)"
        return shown_value

    def rule(self, edits: dict[str, Any], started: dict[str, Any]) -> Rule:
        ref = self.record_id
        minutes = edits.get("minutes")
        duration = format_minutes(minutes) if isinstance(minutes, int) else None
        on, note = edits.get("on"), edits.get("note")
        moved = any(name in edits for name in PLACE)
        stage = edits.get("stage", started.get("stage")) if moved else None
        module = edits.get("module", started.get("module")) if moved else None

        def rule(p: Project, f: Framework, c: Context) -> Change:
            return corrections.edit_effort(
                p,
                f,
                c,
                ref,
                duration=duration,
                on=on,
                stage=stage,
                module=module,
                note=note,
                started=started,
            )

        return rule
