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
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import OptionList, Static

from mlpl_tui.model import Decision, Project
from mlpl_tui.widgets.bars import KeyBar, TitleBar
from mlpl_tui.widgets.text import clip
from screens.base import ProjectScreen
from screens.listing import RecordList


def _when(stamp: str) -> str:
    return stamp[:16].replace("T", " ")


def decision_row(decision: Decision) -> str:
    """`2026-03-02 accepted   data/cleaning   Title`: the status in words, never colour alone.

    Plain stored text: the list cleans and cuts each row (RecordList.set_rows).
    """
    where = decision.stage or "-"
    if decision.module:
        where += "/" + decision.module.split(".", 1)[-1]
    link = f"  (replaces {decision.supersedes})" if decision.supersedes else ""
    return (
        f"{decision.created_at[:10]} {decision.status:<10} {where[:22]:<22} {decision.title}{link}"
    )


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
    text.append("\n" + clip(f"{by}, {_when(decision.created_at)}"))
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


class DecisionsScreen(ProjectScreen):
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

    def __init__(self) -> None:
        super().__init__(name="decisions")
        self._shown: Project | None = None

    def compose(self) -> ComposeResult:
        yield TitleBar()
        yield Static("", id="title", markup=False)
        yield RecordList(id="decisions")
        with VerticalScroll(id="detail"):
            yield Static("", id="decision", markup=False)
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one(RecordList).focus()

    @property
    def highlighted(self) -> Decision | None:
        record_id = self.query_one(RecordList).record_id
        return self.host.project.decision(record_id) if record_id else None

    def show(self, project: Project, keep: str | None = None) -> None:
        if project is self._shown and keep is None:
            return  # snapshots are immutable: the same one draws the same screen
        self._shown = project
        decisions = list(reversed(project.decisions))  # newest first
        self.query_one(TitleBar).set_title(project.meta.name)
        counts: dict[str, int] = {}
        for d in decisions:
            counts[d.status] = counts.get(d.status, 0) + 1
        summary = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
        self.query_one("#title", Static).update(
            Text(
                f"All decisions: {len(decisions)}"
                + (f" ({summary})" if summary else "")
                + " · n new · s supersede · g follow link"
            )
        )
        listing = self.query_one(RecordList)
        listing.set_rows([(d.id, decision_row(d)) for d in decisions], keep=keep)
        self._show_detail(project)

    def _show_detail(self, project: Project) -> None:
        record_id = self.query_one(RecordList).record_id
        decision = project.decision(record_id) if record_id else None
        detail = self.query_one("#decision", Static)
        if decision is None:
            detail.update(Text("No decisions yet: n (or d anywhere) records one."))
        else:
            detail.update(decision_text(project, decision))

    @on(OptionList.OptionHighlighted, "#decisions")
    def _moved(self) -> None:
        self._show_detail(self.host.project)

    @on(OptionList.OptionSelected, "#decisions")
    def _selected(self) -> None:
        self.action_follow_link()

    # --- actions ----------------------------------------------------------------------------

    def _record(self, supersedes: Decision | None) -> None:
        from screens.modals import DecisionModal

        if supersedes is None:
            modal = DecisionModal()
        else:
            modal = DecisionModal(
                stage=supersedes.stage, supersedes=supersedes.id, module=supersedes.module
            )
        self.app.push_screen(modal, self._recorded)

    def _recorded(self, new_id: str | None) -> None:
        if new_id is not None:
            self.show(self.host.project, keep=new_id)

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
