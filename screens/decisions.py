"""All decisions (`D`): every decision with its status, stage and module, and the highlighted
one in full with its supersedes links in both directions.

Keys: `n` records a new decision, `s` supersedes the highlighted one (the decision dialog opens
with it preselected), `g` or `enter` follows the highlighted decision's supersedes link, `E`
edits it, and `A` accept, `R` reject, `X` deprecate and `P` reopen move its status where
`corrections.DECISION_MOVES` allows: the key bar shows only the moves the highlighted decision
can make, and a move it cannot make is refused in words. `/` filters the list (screens/
record_screen.py); following a link the filter hides clears the filter.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from typing import ClassVar

from rich.text import Text
from textual import events, on
from textual.app import SystemCommand
from textual.binding import Binding, BindingType
from textual.widgets import OptionList

from mlpl_tui.corrections import decision_moves, edit_decision
from mlpl_tui.framework import Framework
from mlpl_tui.lifecycle import Context
from mlpl_tui.model import Change, Decision, Project
from mlpl_tui.screens.record_screen import RecordScreen, Rows
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


# The status moves, by the status they lead to: key, what the key bar says, binding id, tooltip.
MOVES = {
    "accepted": ("A", "Accept", "decision-accept", "Accept the highlighted decision"),
    "rejected": ("R", "Reject", "decision-reject", "Reject the highlighted (proposed) one"),
    "deprecated": ("X", "Deprecate", "decision-deprecate", "Deprecate the highlighted one"),
    "proposed": ("P", "Reopen", "decision-reopen", "Propose a rejected decision again"),
}
MOVE_ACTIONS = {f"move('{status}')": status for status in MOVES}


def moves_line(decision: Decision) -> str:
    """`Status: proposed → A accept, R reject`: where the decision can go, and the keys."""
    moves = decision_moves(decision.status)
    keys = ", ".join(f"{MOVES[m][0]} {MOVES[m][1].lower()}" for m in moves if m in MOVES)
    return f"Status: {decision.status}" + (f" → {keys}" if keys else " (final)")


class DecisionsScreen(RecordScreen):
    """The decision log: list above, the highlighted decision in full below."""

    CSS_PATH = "decisions.tcss"
    # The key bar drops a screen's keys from the right when 80 columns run out: editing and
    # the moves the highlighted decision can make come before supersede and follow.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "new_decision", "New", id="decision-new", tooltip="Record a new decision"),
        Binding(
            "E",
            "edit",
            "Edit",
            id="decision-edit",
            tooltip="Correct the highlighted decision's texts or where it is filed",
        ),
        *(
            Binding(key, f"move('{status}')", words, id=id, tooltip=tooltip)
            for status, (key, words, id, tooltip) in MOVES.items()
        ),
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
    LABEL = "Decisions"
    NOUN = "decision"

    @property
    def highlighted(self) -> Decision | None:
        record_id = self.record_id
        return self.host.project.decision(record_id) if record_id else None

    @property
    def learning_source(self) -> str | None:
        """A learning noted here (`L`) comes from the highlighted decision."""
        return self.record_id

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
        text = decision_text(project, decision)
        text.append("\n\n" + moves_line(decision) + " · E edits it · u undoes")
        return text

    def search_text(self, project: Project, record_id: str) -> str:
        """The decision in full, without the status keys every decision's pane lists."""
        decision = project.decision(record_id)
        return decision_text(project, decision).plain if decision else ""

    def show_detail(self, project: Project) -> None:
        super().show_detail(project)
        self.refresh_bindings()  # the moves the key bar offers follow the highlighted decision

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "move" and self.is_mounted:
            decision = self.highlighted
            allowed = decision is not None and parameters[0] in decision_moves(decision.status)
            return True if allowed else None  # None: left out of the key bar, refused in words
        return True

    def on_key(self, event: events.Key) -> None:
        """A move key the highlighted decision cannot make: refuse it in words, not silently."""
        active = self.active_bindings.get(event.key)
        if active is None or active.enabled:
            return
        status = MOVE_ACTIONS.get(active.binding.action)
        if status is not None:
            event.stop()
            event.prevent_default()
            self.action_move(status)

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
        if not target or not self.reveal(target):
            self.notify(f"{decision.id} has no supersedes link to follow", title="No link")

    def action_edit(self) -> None:
        from mlpl_tui.screens.modals.decision_edit import DecisionEditModal

        decision = self.highlighted
        if decision is None:
            self.notify("No decision is highlighted; n records a new one", title="Not done")
            return
        self.app.push_screen(DecisionEditModal(decision.id), self.show_record)

    def action_move(self, status: str) -> None:
        """Move the highlighted decision to `status`; the rules refuse a move it cannot make."""
        decision = self.highlighted
        if decision is None:
            self.notify("No decision is highlighted; n records a new one", title="Not done")
            return
        ref, started = decision.id, {"status": decision.status}

        def rule(p: Project, f: Framework, c: Context) -> Change:
            return edit_decision(p, f, c, ref, status=status, started=started)

        change = self.host.act(rule)
        if change is not None and change.summary:
            self.notify(change.summary + " (u undoes)", title="Status changed")

    def palette_commands(self) -> Iterable[SystemCommand]:
        """This screen's actions for the command palette."""
        yield SystemCommand("decision: New (n)", "Record a new decision", self.action_new_decision)
        yield SystemCommand("decision: Edit the highlighted one (E)", "", self.action_edit)
        decision = self.highlighted
        for status in decision_moves(decision.status) if decision else ():
            if status in MOVES:
                key, words = MOVES[status][:2]
                yield SystemCommand(
                    f"decision: {words} the highlighted one ({key})",
                    "",
                    partial(self.action_move, status),
                )
        yield SystemCommand(
            "decision: Supersede the highlighted one (s)", "", self.action_supersede
        )
        yield SystemCommand("decision: Follow its link (g)", "", self.action_follow_link)
