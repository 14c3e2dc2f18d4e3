"""The decision dialog (`d`): title, context, decision, rationale, status, what it supersedes,
and the stage or module it is about (from a stage screen: the highlighted module)."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.widgets import Input, Select, Static

from mlpl_tui import lifecycle
from mlpl_tui.framework import Framework
from mlpl_tui.lifecycle import Context
from mlpl_tui.model import DECISION_STATUSES, Change, Project
from mlpl_tui.progress import current_stage_id
from mlpl_tui.screens.modals.form import (
    FormModal,
    place_of,
    place_options,
    place_value,
    selected,
)
from mlpl_tui.widgets.text import data_text


class DecisionModal(FormModal[str | None]):
    """Record a decision; dismisses with the new decision's id, or None when cancelled.

    The `For` field starts on `module`, else `stage`, else the current stage; `supersedes`
    preselects the decision it replaces.
    """

    HEADING = "Record a decision"
    LAST_FIELD = "rationale"

    def __init__(
        self, stage: str | None = None, supersedes: str | None = None, module: str | None = None
    ) -> None:
        super().__init__()
        self.stage, self.supersedes, self.module = stage, supersedes, module

    def form(self) -> ComposeResult:
        project, framework = self.host.project, self.host.framework
        place = place_value(framework, self.stage, self.module, current_stage_id(project))
        yield Static(data_text(f"for {place}"), id="where", markup=False)
        yield self.field("Title", Input(id="title", placeholder="short name", compact=True))
        yield self.field("Context", Input(id="context", placeholder="the situation", compact=True))
        yield self.field(
            "Decision", Input(id="decision", placeholder="what was decided", compact=True)
        )
        yield self.field(
            "Rationale", Input(id="rationale", placeholder="why; consequences", compact=True)
        )
        statuses = [(Text(s), s) for s in DECISION_STATUSES if s != "superseded"]
        yield self.field(
            "Status",
            Select(statuses, id="status", value="accepted", allow_blank=False, compact=True),
        )
        open_decisions = [d for d in project.decisions if not d.superseded_by]
        # Titles are stored text: a Text option is never read as markup ("Use [/x] brackets").
        choices = [(data_text(f"{d.id} {d.title}"[:60]), d.id) for d in reversed(open_decisions)]
        preset = self.supersedes if any(d.id == self.supersedes for d in open_decisions) else None
        yield self.field(
            "Supersedes",
            Select(
                choices,
                id="supersedes",
                prompt="(none)",
                value=preset if preset else Select.NULL,
                compact=True,
            ),
        )
        yield self.field(
            "For",
            Select(
                place_options(framework), id="place", value=place, allow_blank=False, compact=True
            ),
        )

    def on_mount(self) -> None:
        self.query_one("#title", Input).focus()

    @on(Select.Changed, "#place")
    def _place_changed(self) -> None:
        place = selected(self.query_one("#place", Select)) or ""
        self.query_one("#where", Static).update(data_text(f"for {place}"))

    def action_save(self) -> None:
        status = selected(self.query_one("#status", Select)) or "accepted"
        supersedes = selected(self.query_one("#supersedes", Select))
        title, decision = self.value("#title"), self.value("#decision")
        context, rationale = self.value("#context"), self.value("#rationale")
        stage, module = place_of(self.host.framework, selected(self.query_one("#place", Select)))

        def rule(p: Project, f: Framework, c: Context) -> Change:
            return lifecycle.decide(
                p,
                f,
                c,
                title,
                decision,
                context=context,
                rationale=rationale,
                stage=stage,
                module=module,
                status=status,
                supersedes=supersedes,
            )

        change = self.run_rule(rule)
        if change is not None:
            self.dismiss(change.result)
