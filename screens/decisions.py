"""All decisions (`D`): every decision with its status, stage and module, and the highlighted
one in full with its supersedes links in both directions.

Keys: `n` records a new decision, `s` supersedes the highlighted one (the decision dialog opens
with it preselected), `g` or `enter` follows the highlighted decision's supersedes link.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import SystemCommand
from textual.binding import Binding, BindingType
from textual.widgets import OptionList

from mlpl_tui.model import Decision, Project
from mlpl_tui.screens.record_screen import RecordScreen, Rows
from mlpl_tui.widgets.record_list import RecordList
from mlpl_tui.widgets.text import clip
from mlpl_tui.wording import shown_date, shown_time


def decision_row(decision: Decision) -> str:
    """`2026-03-02 accepted   data/cleaning   Title`: the status in words, never colour alone.

    Plain stored text: the list cleans and cuts each row (RecordList.set_rows).
    """
    where = decision.stage or "-"
    if decision.module:
        where += "/" + decision.module.split(".", 1)[-1]
    link = f"  (replaces {decision.supersedes})" if decision.supersedes else ""
    when = shown_date(decision.created_at)
    return f"{when} {decision.status:<10} {where[:22]:<22} {decision.title}{link}"


def _linked(project: Project, id: str | None) -> str:
    if not id:
        return "-"
    other = project.decision(id)
    return f"{id} {other.title} ({other.status})" if other else f"{id} (not in this file)"


def decision_text(project: Project, decision: Decision) -> Text:
    """The decision in full: who and when, both links, context, decision and rationale.

    Every field is stored text: each goes through `clip`, so it is cleaned and bounded.
    """
    text = Text()
    text.append(clip(decision.title), style="bold")
    text.append(f"  [{decision.status}]")
    where = " / ".join(x for x in (decision.stage, decision.module) if x) or "no stage"
    by = f"{decision.id} · {where} · by {decision.created_by or '?'}"
    text.append("\n" + clip(f"{by}, {shown_time(decision.created_at)}"))
    text.append("\nSupersedes:    ", style="bold")
    text.append(clip(_linked(project, decision.supersedes)))
    text.append("\nSuperseded by: ", style="bold")
    text.append(clip(_linked(project, decision.superseded_by)))
    for label, body in (
        ("Context", decision.context),
        ("Decision", decision.decision),
        ("Rationale and consequences", decision.rationale),
    ):
        text.append(f"\n\n{label}\n", style="bold underline")
        text.append(clip(body, multiline=True) if body else "(none given)")
    return text


class DecisionsScreen(RecordScreen):
    """The decision log: list above, the highlighted decision in full below."""

    CSS_PATH = "decisions.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "new_decision", "New", id="decision-new", tooltip="Record a new decision"),
        Binding(
            "s",
            "supersede",
            "Supersede",
            id="decision-supersede",
            tooltip="Record one that replaces the highlighted one",
        ),
        Binding(
            "g",
            "follow_link",
            "Follow link",
            id="decision-follow",
            tooltip="Go to the linked decision (also enter)",
        ),
    ]
    LIST_ID = "decisions"

    @property
    def highlighted(self) -> Decision | None:
        record_id = self.record_id
        return self.host.project.decision(record_id) if record_id else None

    def listing(self, project: Project) -> tuple[str, Rows]:
        decisions = list(reversed(project.decisions))  # newest first
        counts: dict[str, int] = {}
        for d in decisions:
            counts[d.status] = counts.get(d.status, 0) + 1
        summary = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
        title = f"All decisions: {len(decisions)}" + (f" ({summary})" if summary else "")
        title += " · n new · s supersede · g follow link"
        return title, [(d.id, decision_row(d)) for d in decisions]

    def detail(self, project: Project, record_id: str | None) -> Text:
        decision = project.decision(record_id) if record_id else None
        if decision is None:
            return Text("No decisions yet: n (or d anywhere) records one.")
        return decision_text(project, decision)

    @on(OptionList.OptionSelected, "#decisions")
    def _selected(self) -> None:
        self.action_follow_link()

    # --- actions ----------------------------------------------------------------------------

    def _record(self, supersedes: Decision | None) -> None:
        from mlpl_tui.screens.modals import DecisionModal

        if supersedes is None:
            modal = DecisionModal()
        else:
            modal = DecisionModal(
                stage=supersedes.stage, supersedes=supersedes.id, module=supersedes.module
            )
        self.app.push_screen(modal, self.show_record)

    def action_new_decision(self) -> None:
        self._record(None)

    def action_supersede(self) -> None:
        decision = self.highlighted
        if decision is None:
            self.notify("No decision is highlighted; n records a new one", title="Not done")
            return
        if decision.superseded_by:
            self.notify(
                f"{decision.id} is already superseded by {decision.superseded_by}; "
                "supersede that one instead",
                title="Not done",
                severity="warning",
            )
            return
        self._record(decision)

    def action_follow_link(self) -> None:
        decision = self.highlighted
        if decision is None:
            return
        target = decision.superseded_by or decision.supersedes
        if not target or not self.query_one(RecordList).select(target):
            self.notify(f"{decision.id} has no supersedes link to follow", title="No link")

    def palette_commands(self) -> Iterable[SystemCommand]:
        """This screen's actions for the command palette."""
        yield SystemCommand("decision: New (n)", "Record a new decision", self.action_new_decision)
        yield SystemCommand(
            "decision: Supersede the highlighted one (s)", "", self.action_supersede
        )
        yield SystemCommand("decision: Follow its link (g)", "", self.action_follow_link)
