"""The learning dialogs: `L` anywhere asks "What did this teach us?" (the text, the stage or
module it is about, and the loop back, experiment or decision that taught it), and `E` on the
learnings screen corrects one. `escape` cancels and writes nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.widgets import Select, Static, TextArea

from mlpl_tui import learnings
from mlpl_tui.framework import Framework
from mlpl_tui.lifecycle import Context
from mlpl_tui.model import Change, Project
from mlpl_tui.progress import current_stage_id
from mlpl_tui.sanitize import clean
from mlpl_tui.screens.base import Rule
from mlpl_tui.screens.modals.correct import PLACE, CorrectionModal
from mlpl_tui.screens.modals.form import (
    FieldLabel,
    FormModal,
    place_of,
    place_options,
    place_value,
    selected,
)
from mlpl_tui.widgets.record_list import RecordList
from mlpl_tui.widgets.text import clip, data_text
from mlpl_tui.wording import shown_date

SOURCE_CHOICES = 30  # the most recent loop backs, experiments and decisions offered as sources


def source_words(project: Project, source_id: str) -> str:
    """A learning's source in words: `loop back 2026-03-02 modelling → data: reason`,
    `experiment Title (abandoned)`, `decision Title (accepted)`; plain stored text."""
    table = learnings.source_table(project, source_id)
    if table == "switches":
        switch = next((s for s in project.switches if s.id == source_id), None)
        if switch is not None:
            to = switch.to_module or switch.to_stage
            return (
                f"loop back {shown_date(switch.at)} {switch.from_stage} → {to} "
                f"({switch.category}): {switch.reason}"
            )
    if table == "experiments":
        experiment = project.experiment(source_id)
        if experiment is not None:
            return f"experiment {experiment.title} ({experiment.status})"
    if table == "decisions":
        decision = project.decision(source_id)
        if decision is not None:
            return f"decision {decision.title} ({decision.status})"
    return f"{source_id} (not in this file)"


def source_options(project: Project, preset: str | None) -> list[tuple[Text, str]]:
    """The recent loop backs, experiments and decisions, newest first (and `preset`)."""
    dated = [(s.at, s.id) for s in project.switches]
    dated += [(e.created_at, e.id) for e in project.experiments]
    dated += [(d.created_at, d.id) for d in project.decisions]
    ids = [id for _, id in sorted(dated, reverse=True)[:SOURCE_CHOICES]]
    if preset and preset not in ids:
        ids.insert(0, preset)
    # Titles and reasons are stored text: Text options, never markup.
    return [(data_text(source_words(project, id)[:70]), id) for id in ids]


def text_row(label: str, value: str) -> Horizontal:
    """The multi-line text field's row; stored text is shown cleaned (controls written out)."""
    area = TextArea(clean(value, multiline=True), id="text", soft_wrap=True, compact=True)
    return Horizontal(FieldLabel(label), area, classes="row", id="text-row")


class LearningModal(FormModal[str | None]):
    """Note a learning; dismisses with its id, or None when cancelled (nothing written).

    The `For` field starts on `module`, else `stage`, else the current stage; `source` presets
    the record that taught it (a loop back just made, an experiment just abandoned).
    """

    HEADING = "What did this teach us?"
    SAVE_LABEL = "Note it"

    def __init__(
        self, stage: str | None = None, module: str | None = None, source: str | None = None
    ) -> None:
        super().__init__()
        self.stage, self.module, self.source = stage, module, source

    def form(self) -> ComposeResult:
        project, framework = self.host.project, self.host.framework
        place = place_value(framework, self.stage, self.module, current_stage_id(project))
        about = "kept even when it is not used in the final model"
        if self.source:
            about = clip("from " + source_words(project, self.source))
        yield Static(data_text(about), id="where", markup=False)
        yield text_row("Learning", "")
        yield self.field(
            "For",
            Select(
                place_options(framework), id="place", value=place, allow_blank=False, compact=True
            ),
        )
        options = source_options(project, self.source)
        yield self.field(
            "From",
            Select(
                options,
                id="source",
                prompt="(nothing in particular)",
                value=self.source if self.source else Select.NULL,
                compact=True,
            ),
        )

    def hint(self) -> str:
        return "ctrl+s save · tab next field · esc cancel (nothing is written)"

    def on_mount(self) -> None:
        self.query_one("#text", TextArea).focus()

    def action_save(self) -> None:
        text = self.query_one("#text", TextArea).text
        stage, module = place_of(self.host.framework, selected(self.query_one("#place", Select)))
        source = selected(self.query_one("#source", Select))
        sources = [source] if source else []

        def rule(p: Project, f: Framework, c: Context) -> Change:
            return learnings.learn(p, f, c, text, stage=stage, module=module, sources=sources)

        change = self.run_rule(rule)
        if change is not None:
            self.dismiss(change.result)


class LearningEditModal(CorrectionModal):
    """Correct one learning's text, where it is filed or what taught it; dismisses with its id
    once saved. `From` lists its sources (ticked ✓) and the recent loop backs, experiments and
    decisions; `space` ticks or unticks the highlighted one."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "space",
            "toggle_source",
            "Tick",
            id="learning-source-tick",
            tooltip="In From: tick or untick the highlighted source",
        ),
    ]
    HEADING = "Edit a learning"
    TABLE = "learnings"
    LABELS: ClassVar[dict[str, str]] = {"text": "learning", "sources": "sources"}

    def stored_values(self, project: Project) -> dict[str, Any] | None:
        learning = project.learning(self.record_id)
        if learning is None:
            return None
        values = {name: getattr(learning, name) for name in ("text", *PLACE)}
        return {**values, "sources": list(learning.sources)}

    def shown(self, field: str) -> Callable[[Any], str]:
        if field != "sources":
            return super().shown(field)
        project = self.host.project
        return lambda ids: "; ".join(source_words(project, id) for id in ids or []) or "(none)"

    def _source_choices(self) -> list[str]:
        """The ids the From list offers: the sources as filled, then the recent ones."""
        filled = list(self.filled.get("sources") or [])
        recent = [id for _, id in source_options(self.host.project, None)]
        return filled + [id for id in recent if id not in filled]

    def about(self, project: Project) -> str:
        return f"{self.record_id}; the history keeps every earlier text"

    def form_fields(self) -> ComposeResult:
        yield text_row("Learning", str(self.filled.get("text") or ""))
        yield self.place_field("About", current_stage_id(self.host.project))
        sources = RecordList(id="sources")
        yield Horizontal(FieldLabel("From"), sources, classes="row", id="sources-row")

    def on_mount(self) -> None:
        project = self.host.project
        if self.started:
            sources = self.query_one("#sources", RecordList)
            sources.set_rows([(id, source_words(project, id)) for id in self._source_choices()])
            sources.set_marks(self.filled.get("sources") or [])
        areas = self.query(TextArea)
        if areas:
            areas.first().focus()

    def action_toggle_source(self) -> None:
        sources = self.query_one("#sources", RecordList)
        if self.focused is sources and sources.record_id is not None:
            sources.toggle_mark(sources.record_id)

    def hint(self) -> str:
        return "ctrl+s save · tab next field · space ticks a source (✓) · esc cancel"

    def typed(self) -> dict[str, Any]:
        stored = str(self.filled.get("text") or "")
        typed = self.query_one("#text", TextArea).text
        # Left as shown (controls written out), the stored text is kept exactly.
        text = stored if typed == clean(stored, multiline=True) else typed
        shown = self.query_one("#sources", RecordList)
        sources = [id for id in shown.ids if id in shown.marked]  # in the order shown
        return {"text": text, **self.typed_place(), "sources": sources}

    def fill(self, field: str, value: Any) -> None:
        if field == "sources":
            self.filled[field] = list(value or [])
            self.query_one("#sources", RecordList).set_marks(self.filled[field])
            return
        if field == "text":
            self.filled[field] = value
            self.query_one("#text", TextArea).text = clean(str(value or ""), multiline=True)
            return
        super().fill(field, value)

    def rule(self, edits: dict[str, Any], started: dict[str, Any]) -> Rule:
        ref = self.record_id
        moved = any(name in edits for name in PLACE)
        stage = edits.get("stage", started.get("stage")) if moved else None
        module = edits.get("module", started.get("module")) if moved else None
        text, sources = edits.get("text"), edits.get("sources")

        def rule(p: Project, f: Framework, c: Context) -> Change:
            return learnings.edit_learning(
                p,
                f,
                c,
                ref,
                text=text,
                stage=stage,
                module=module,
                sources=sources,
                started=started,
            )

        return rule
