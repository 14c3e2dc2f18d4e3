"""The experiment correction dialog (`E` on the experiment log): title, hypothesis, link, the
result (what was found: the outcome, the metric), where it is filed, and for an abandoned one
why it was abandoned."""

from __future__ import annotations

from typing import Any, ClassVar

from textual.app import ComposeResult

from mlpl_tui import corrections
from mlpl_tui.framework import Framework
from mlpl_tui.lifecycle import Context
from mlpl_tui.model import Change, Project
from mlpl_tui.screens.base import Rule
from mlpl_tui.screens.modals.correct import PLACE, CorrectionModal

TEXTS = ("title", "hypothesis", "link", "result")


class ExperimentEditModal(CorrectionModal):
    """Correct one experiment; dismisses with its id once saved."""

    HEADING = "Edit an experiment"
    TABLE = "experiments"
    LABELS: ClassVar[dict[str, str]] = {"reason": "reason it was abandoned"}

    def _texts(self) -> tuple[str, ...]:
        return (*TEXTS, "reason") if "reason" in self.started else TEXTS

    def stored_values(self, project: Project) -> dict[str, Any] | None:
        experiment = project.experiment(self.record_id)
        if experiment is None:
            return None
        names = (*TEXTS, *PLACE, *(("reason",) if experiment.status == "abandoned" else ()))
        return {name: getattr(experiment, name) for name in names}

    def about(self, project: Project) -> str:
        experiment = project.experiment(self.record_id)
        status = experiment.status if experiment else "?"
        return f"{self.record_id} ({status}); history keeps every earlier text"

    def form_fields(self) -> ComposeResult:
        yield self.text_field("Title", "title", "short name")
        yield self.text_field("Hypothesis", "hypothesis", "what you expect")
        yield self.text_field("Link", "link", "run id, commit or path")
        yield self.text_field("Result", "result", "what was found: the outcome, the metric")
        yield self.place_field("About", "modelling")
        self.LAST_FIELD = "result"  # enter moves field by field and saves from the last one
        if "reason" in self.filled:
            self.LAST_FIELD = "reason"
            yield self.text_field("Why not", "reason", "why it was abandoned")

    def typed(self) -> dict[str, Any]:
        return {**{name: self.typed_text(name) for name in self._texts()}, **self.typed_place()}

    def rule(self, edits: dict[str, Any], started: dict[str, Any]) -> Rule:
        ref = self.record_id
        texts = {name: edits.get(name) for name in (*TEXTS, "reason")}
        moved = any(name in edits for name in PLACE)
        stage = edits.get("stage", started.get("stage")) if moved else None
        module = edits.get("module", started.get("module")) if moved else None

        def rule(p: Project, f: Framework, c: Context) -> Change:
            return corrections.edit_experiment(
                p, f, c, ref, **texts, stage=stage, module=module, started=started
            )

        return rule
