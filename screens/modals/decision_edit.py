"""The decision correction dialog (`E` on the decisions screen): title, context, decision,
rationale, and the stage or module it is filed under. Its status moves with keys on the
screen (accept, reject, deprecate), not here."""

from __future__ import annotations

from typing import Any, ClassVar

from textual.app import ComposeResult

from mlpl_tui import corrections
from mlpl_tui.framework import Framework
from mlpl_tui.lifecycle import Context
from mlpl_tui.model import Change, Project
from mlpl_tui.progress import current_stage_id
from mlpl_tui.screens.base import Rule
from mlpl_tui.screens.modals.correct import PLACE, CorrectionModal

TEXTS = ("title", "context", "decision", "rationale")


class DecisionEditModal(CorrectionModal):
    """Correct one decision; dismisses with its id once saved."""

    HEADING = "Edit a decision"
    TABLE = "decisions"
    LAST_FIELD = "rationale"
    LABELS: ClassVar[dict[str, str]] = {"rationale": "rationale and consequences"}

    def stored_values(self, project: Project) -> dict[str, Any] | None:
        decision = project.decision(self.record_id)
        if decision is None:
            return None
        return {name: getattr(decision, name) for name in (*TEXTS, *PLACE)}

    def about(self, project: Project) -> str:
        decision = project.decision(self.record_id)
        status = decision.status if decision else "?"
        return f"{self.record_id} ({status}); history keeps every earlier text"

    def form_fields(self) -> ComposeResult:
        yield self.text_field("Title", "title", "short name")
        yield self.text_field("Context", "context", "the situation")
        yield self.text_field("Decision", "decision", "what was decided")
        yield self.text_field("Rationale", "rationale", "why; consequences")
        yield self.place_field("About", current_stage_id(self.host.project))

    def typed(self) -> dict[str, Any]:
        return {**{name: self.typed_text(name) for name in TEXTS}, **self.typed_place()}

    def rule(self, edits: dict[str, Any], started: dict[str, Any]) -> Rule:
        ref = self.record_id
        texts = {name: edits.get(name) for name in TEXTS}
        moved = any(name in edits for name in PLACE)
        stage = edits.get("stage", started.get("stage")) if moved else None
        module = edits.get("module", started.get("module")) if moved else None

        def rule(p: Project, f: Framework, c: Context) -> Change:
            return corrections.edit_decision(
                p, f, c, ref, **texts, stage=stage, module=module, started=started
            )

        return rule
