"""Dialogs that change the project: decision, loop back, log effort, advance, module status.

Each acts through the host app (one lifecycle rule, applied under the store's lock), shows a
refusal in plain words inside the dialog, and dismisses itself when the change is stored.
`escape` cancels, `ctrl+s` saves, `enter` in a text field saves (in the decision dialog it moves
to the next field, and saves from the last one).

Signatures other screens use:

- `DecisionModal(stage: str | None = None, supersedes: str | None = None,
  module: str | None = None)` — record a decision; `stage` defaults to the current stage,
  `supersedes` preselects the decision it replaces. Dismisses with the new decision's id, or
  None when cancelled.
- `LoopBackModal()`, `EffortModal(stage: str | None = None)`, `AdvanceModal()`,
  `StatusModal(module_id: str)`, `QuestionModal(number: int = 1)`: dismiss with None.
- `FormModal`: the base of these dialogs (heading, form rows, error line, save/cancel).
"""

from __future__ import annotations

from typing import Any, ClassVar, Protocol, TypeVar, cast

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, Select, Static
from textual.widgets.option_list import Option

from mlpl_tui import lifecycle
from mlpl_tui.framework import Framework, Module, Stage
from mlpl_tui.lifecycle import Context
from mlpl_tui.model import ANSWERS, DECISION_STATUSES, MODULE_STATUSES, Change, Project
from mlpl_tui.progress import (
    current_stage_id,
    gate_missing,
    is_closed,
    iteration,
    module_status,
)
from mlpl_tui.widgets.text import clip, data_lines, data_text
from screens.base import Host, Rule

STATUS_MARKS = {"todo": "[ ]", "doing": "[~]", "done": "[x]", "skipped": "[-]", "revisit": "[!]"}
STATUS_HELP = {
    "todo": "not started",
    "doing": "in progress",
    "done": "finished",
    "skipped": "not needed here (needs a reason)",
    "revisit": "needs another look after a loop back",
}

ResultT = TypeVar("ResultT")


class Actor(Host, Protocol):
    """The host as dialogs use it: a refusal comes back as words instead of a notification."""

    def attempt(self, rule: Rule) -> tuple[Change | None, str | None]: ...

    def context(self) -> Context: ...


class FormModal(ModalScreen[ResultT]):
    """A dialog with a title, a form, an error line and save/cancel buttons."""

    CSS_PATH = "modals.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="modal-cancel", tooltip="Close without saving"),
        Binding("ctrl+s", "save", "Save", id="modal-save", tooltip="Save and close"),
    ]
    HEADING = ""
    SAVE_LABEL = "Save"

    @property
    def host(self) -> Actor:
        return cast(Actor, self.app)

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(self.HEADING, id="heading", markup=False)
            yield from self.form()
            yield Static("", id="error", markup=False)
            with Horizontal(id="buttons"):
                yield Button(self.SAVE_LABEL, id="save", variant="primary", compact=True)
                yield Button("Cancel", id="cancel", compact=True)
            yield Static(self.hint(), id="hint", markup=False)

    def form(self) -> ComposeResult:
        yield from ()

    def hint(self) -> str:
        return "enter save · tab next · ctrl+s save · esc cancel"

    def field(self, label: str, widget: Input | Select[Any]) -> Horizontal:
        return Horizontal(Label(label, classes="label"), widget, classes="row")

    def show_error(self, message: str) -> None:
        # Refusals quote stored text (a title, an id): shown cleaned, never as markup.
        self.query_one("#error", Static).update(data_text(f"Not done: {message}", multiline=True))
        self.query_one("#error").add_class("shown")

    def run_rule(self, rule: Rule) -> Change | None:
        """Apply `rule`; on refusal the dialog stays open and says why."""
        attempt = getattr(self.app, "attempt", None)
        if callable(attempt):
            change, error = cast(Actor, self.app).attempt(rule)
        else:  # a host without attempt(): it shows the error itself
            change, error = self.host.act(rule), None
        if error is not None:
            self.show_error(error)
        return change

    def today(self) -> str:
        context = getattr(self.app, "context", None)
        return cast(Actor, self.app).context().today if callable(context) else ""

    def value(self, selector: str) -> str:
        return self.query_one(selector, Input).value

    @on(Button.Pressed, "#save")
    def _save_pressed(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_save(self) -> None:
        """Subclasses apply their rule here."""


def _selected(select: Select[str]) -> str | None:
    value = select.value
    return value if isinstance(value, str) else None


def _typed_or_stored(typed: str, stored: str) -> str:
    """A one-line field prefilled with `clip(stored)`: left as shown, the stored text is kept.

    The field shows stored text cleaned and cut (a control as `\\x1b`, a newline as `\\n`);
    saving what was merely shown would rewrite the note, so an untouched field means "as is".
    """
    return stored if typed == clip(stored) else typed


# --- decision ---------------------------------------------------------------------------------


class DecisionModal(FormModal[str | None]):
    """Record a decision: title, context, decision, rationale, status and what it supersedes."""

    HEADING = "Record a decision"

    def __init__(
        self, stage: str | None = None, supersedes: str | None = None, module: str | None = None
    ) -> None:
        super().__init__()
        self.stage, self.supersedes, self.module = stage, supersedes, module

    def form(self) -> ComposeResult:
        project = self.host.project
        stage_id = self.stage or current_stage_id(project)
        where = self.module or stage_id
        yield Static(data_text(f"for {where}"), id="where", markup=False)
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

    def hint(self) -> str:
        return "enter next field · ctrl+s save · esc cancel"

    @on(Input.Submitted)
    def _next_or_save(self, event: Input.Submitted) -> None:
        if event.input.id == "rationale":
            self.action_save()
        else:
            self.focus_next()

    def action_save(self) -> None:
        status = _selected(self.query_one("#status", Select)) or "accepted"
        supersedes = _selected(self.query_one("#supersedes", Select))
        title, decision = self.value("#title"), self.value("#decision")
        context, rationale = self.value("#context"), self.value("#rationale")
        stage, module = self.stage, self.module

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


# --- loop back --------------------------------------------------------------------------------


def _short_title(stage: Stage) -> str:
    return stage.id.capitalize()


class LoopBackModal(FormModal[None]):
    """Loop back to an earlier stage or a module: shows which modules become `revisit` first."""

    HEADING = "Loop back"
    SAVE_LABEL = "Loop back"

    def _targets(self, project: Project, framework: Framework) -> list[tuple[Text, str]]:
        here = framework.stage_index(current_stage_id(project))
        closed = is_closed(project)
        options: list[tuple[Text, str]] = []
        for stage in framework.stages[: here + 1]:
            if stage.number - 1 < here or closed:
                whole = f"{stage.number} {_short_title(stage)}: the whole stage"
                options.append((Text(whole), stage.id))
            # Module titles come from mlpl.yaml, which a branch may change: Text, not markup.
            options += [(data_text(f"   {m.id}  {m.title}"), m.id) for m in stage.modules]
        return options

    def _default_target(self, project: Project, framework: Framework) -> str:
        here = framework.stage_index(current_stage_id(project))
        if here > 0:
            return framework.stages[here - 1].id
        if is_closed(project):
            return framework.stages[here].id
        return framework.stages[here].modules[0].id

    def form(self) -> ComposeResult:
        project, framework = self.host.project, self.host.framework
        here = framework.stage(current_stage_id(project))
        number = iteration(project)
        yield Static(
            Text(f"from {_short_title(here)}, iteration {number} → {number + 1}"),
            id="where",
            markup=False,
        )
        target = self._default_target(project, framework)
        yield self.field(
            "Back to",
            Select(
                self._targets(project, framework),
                id="target",
                value=target,
                allow_blank=False,
                compact=True,
            ),
        )
        categories = [(data_text(f"{c.id}: {c.title}"), c.id) for c in framework.switch_categories]
        yield self.field(
            "Category",
            Select(
                categories,
                id="category",
                value=self._category_for(target),
                allow_blank=False,
                compact=True,
            ),
        )
        yield self.field(
            "Reason", Input(id="reason", placeholder="what you found out", compact=True)
        )
        yield Static("", id="preview", markup=False)

    def _category_for(self, target: str) -> str:
        stage_id = target.split(".", 1)[0]
        known = {c.id for c in self.host.framework.switch_categories}
        return stage_id if stage_id in known else "other"

    def on_mount(self) -> None:
        self.query_one("#reason", Input).focus()
        self.show(self.host.project)

    def _target(self) -> tuple[Stage, Module | None]:
        framework = self.host.framework
        value = _selected(self.query_one("#target", Select)) or framework.stages[0].id
        if "." in value:
            module = framework.module(value)
            return framework.stage(module.stage), module
        return framework.stage(value), None

    def show(self, project: Project) -> None:
        """Redraw the preview (also called when the file changes on disk)."""
        stage, module = self._target()
        marked = lifecycle.revisit_targets(project, self.host.framework, stage, module)
        lines = [f"{len(marked)} module(s) will become revisit:"] if marked else []
        lines += [f"  [!] {m}  (now {module_status(project, m)})" for m in marked]
        preview = data_lines(lines) if marked else Text("No module will need revisit.")
        self.query_one("#preview", Static).update(preview)

    @on(Select.Changed, "#target")
    def _target_changed(self, event: Select.Changed) -> None:
        if isinstance(event.value, str):
            self.query_one("#category", Select).value = self._category_for(event.value)
        self.show(self.host.project)

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.action_save()

    def action_save(self) -> None:
        stage, module = self._target()
        category = _selected(self.query_one("#category", Select)) or "other"
        reason = self.value("#reason")
        module_id = module.id if module else None

        def rule(p: Project, f: Framework, c: Context) -> Change:
            return lifecycle.switch_back(p, f, c, stage.id, category, reason, module_id)

        if self.run_rule(rule) is not None:
            self.dismiss(None)


# --- effort -----------------------------------------------------------------------------------


class EffortModal(FormModal[None]):
    """Log time spent on a stage or a module, on a given day."""

    HEADING = "Log time"

    def __init__(self, stage: str | None = None) -> None:
        super().__init__()
        self.stage = stage

    def form(self) -> ComposeResult:
        project, framework = self.host.project, self.host.framework
        stage_id = self.stage or current_stage_id(project)
        options = [
            (Text(f"{s.number} {_short_title(s)} (the stage)"), s.id) for s in framework.stages
        ]
        options += [(data_text(f"   {m.id}"), m.id) for m in framework.stage(stage_id).modules]
        yield self.field(
            "Duration", Input(id="duration", placeholder="45m, 1h30m, 2h, 1.5h", compact=True)
        )
        yield self.field(
            "On", Select(options, id="on", value=stage_id, allow_blank=False, compact=True)
        )
        yield self.field(
            "Day", Input(self.today(), id="day", placeholder="YYYY-MM-DD", compact=True)
        )
        yield self.field(
            "Note", Input(id="note", placeholder="what the time went into", compact=True)
        )

    def on_mount(self) -> None:
        self.query_one("#duration", Input).focus()

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.action_save()

    def action_save(self) -> None:
        duration, note, day = self.value("#duration"), self.value("#note"), self.value("#day")
        where = _selected(self.query_one("#on", Select)) or ""
        stage = None if "." in where else where or None
        module = where if "." in where else None

        def rule(p: Project, f: Framework, c: Context) -> Change:
            return lifecycle.log_effort(
                p, f, c, duration, stage=stage, module=module, note=note, on=day or None
            )

        if self.run_rule(rule) is not None:
            self.dismiss(None)


# --- advance ----------------------------------------------------------------------------------


class AdvanceModal(FormModal[None]):
    """Pass the gate; when it is unmet, name what is missing and offer a forced advance."""

    HEADING = "Advance"

    def form(self) -> ComposeResult:
        project, framework = self.host.project, self.host.framework
        here = framework.stage(current_stage_id(project))
        later = framework.later_stages(here.id)
        self.missing = [] if is_closed(project) else gate_missing(project, here)
        self.SAVE_LABEL = "Force advance" if self.missing else "Advance"  # composed after this
        if is_closed(project):
            text = "The project is closed (accepted). Loop back (b) to reopen it."
        elif later:
            text = f"From {_short_title(here)} to {_short_title(later[0])}."
        else:
            text = f"Pass {_short_title(here)}: the project will be closed as accepted."
        yield Static(Text(text), id="where", markup=False)
        if self.missing:
            lines = [f"The gate of {_short_title(here)} is not met. Missing:"]
            lines += [
                f"  {STATUS_MARKS.get(s := module_status(project, m.id), '[?]')} "
                f"{m.id}  {m.title} ({s})"
                for m in self.missing
            ]
            lines.append("Finish or skip them, or force the advance with a reason:")
            yield Static(data_lines(lines), id="missing", markup=False)
            yield self.field(
                "Reason", Input(id="why", placeholder="why advance anyway", compact=True)
            )
        elif not is_closed(project):
            yield Static(data_text(f"Gate met: {here.gate}"), id="gate", markup=False)

    def on_mount(self) -> None:
        if self.missing:
            self.query_one("#why", Input).focus()
        elif is_closed(self.host.project):
            self.query_one("#save", Button).display = False
            self.query_one("#cancel", Button).focus()
        else:
            self.query_one("#save", Button).focus()

    def hint(self) -> str:
        return "enter confirm · esc cancel"

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.action_save()

    def action_save(self) -> None:
        force = bool(self.missing)
        why = self.value("#why") if force else None
        if force and not (why or "").strip():
            self.show_error("a forced advance needs a reason; nothing was changed")
            return

        def rule(p: Project, f: Framework, c: Context) -> Change:
            return lifecycle.advance(p, f, c, force=force, why=why)

        if self.run_rule(rule) is not None:
            self.dismiss(None)


# --- module status ----------------------------------------------------------------------------


class StatusModal(FormModal[None]):
    """Pick any status for one module; a skip asks for its reason."""

    HEADING = "Set status"
    SAVE_LABEL = "Set"

    def __init__(self, module_id: str) -> None:
        super().__init__()
        self.module_id = module_id
        self.note = ""  # the module's stored note, read when the form is built

    def form(self) -> ComposeResult:
        project = self.host.project
        module = self.host.framework.module(self.module_id)
        current = module_status(project, module.id)
        where = data_text(f"{module.id}  {module.title} (now {current})")
        yield Static(where, id="where", markup=False)
        yield OptionList(
            # Text, not a string: a string prompt is markup, and "[x]" would vanish.
            *(
                Option(Text(f"{STATUS_MARKS[s]} {s:<8} {STATUS_HELP[s]}"), id=s)
                for s in MODULE_STATUSES
            ),
            id="statuses",
            compact=True,
        )
        state = project.modules.get(module.id)
        self.note = state.note if state else ""
        yield self.field(
            "Reason",
            Input(
                clip(self.note),  # the stored note shown safely; kept as stored if left as is
                id="reason",
                placeholder="why skip it (required)",
                compact=True,
            ),
        )

    def hint(self) -> str:
        return "↑↓ pick · enter set · esc cancel"

    def on_mount(self) -> None:
        options = self.query_one("#statuses", OptionList)
        options.highlighted = MODULE_STATUSES.index(
            module_status(self.host.project, self.module_id)
        )
        options.focus()
        self.query_one("#reason").parent.display = False  # type: ignore[union-attr]

    def _picked(self) -> str:
        options = self.query_one("#statuses", OptionList)
        index = options.highlighted
        return MODULE_STATUSES[index] if index is not None else "todo"

    @on(OptionList.OptionSelected, "#statuses")
    def _selected_status(self) -> None:
        if self._picked() == "skipped":
            row = self.query_one("#reason").parent
            assert row is not None
            row.display = True
            self.query_one("#reason", Input).focus()
            return
        self.action_save()

    @on(Input.Submitted, "#reason")
    def _reason_given(self) -> None:
        self.action_save()

    def action_save(self) -> None:
        status = self._picked()
        note = _typed_or_stored(self.value("#reason"), self.note) if status == "skipped" else None
        if status == "skipped" and not (note or "").strip():
            row = self.query_one("#reason").parent
            assert row is not None
            row.display = True
            self.query_one("#reason", Input).focus()
            self.show_error("skipping a module needs a reason")
            return
        module_id = self.module_id

        def rule(p: Project, f: Framework, c: Context) -> Change:
            return lifecycle.set_status(p, f, c, module_id, status, note)

        if self.run_rule(rule) is not None:
            self.dismiss(None)


# --- exploration questions --------------------------------------------------------------------


class QuestionModal(FormModal[None]):
    """Answer one of the five exploration questions: yes, no, partly or unknown, with a note."""

    HEADING = "Answer an exploration question"

    def __init__(self, number: int = 1) -> None:
        super().__init__()
        self.number = number
        self.note = ""  # the shown question's stored note

    def form(self) -> ComposeResult:
        questions = self.host.framework.exploration_questions
        yield self.field(
            "Question",
            Select(
                [(data_text(f"{q.number} {q.text}"), str(q.number)) for q in questions],
                id="question",
                value=str(self.number),
                allow_blank=False,
                compact=True,
            ),
        )
        yield self.field(
            "Answer",
            Select([(Text(a), a) for a in ANSWERS], id="answer", allow_blank=False, compact=True),
        )
        yield self.field(
            "Note", Input(id="note", placeholder="evidence or explanation", compact=True)
        )

    def on_mount(self) -> None:
        self._load(str(self.number))
        self.query_one("#answer", Select).focus()

    def _load(self, number: str) -> None:
        current = self.host.project.answers.get(int(number))
        self.query_one("#answer", Select).value = current.answer if current else "unknown"
        self.note = current.note if current else ""
        self.query_one("#note", Input).value = clip(self.note)

    @on(Select.Changed, "#question")
    def _question_changed(self, event: Select.Changed) -> None:
        if isinstance(event.value, str):
            self._load(event.value)

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.action_save()

    def action_save(self) -> None:
        number = _selected(self.query_one("#question", Select)) or "1"
        answer = _selected(self.query_one("#answer", Select)) or "unknown"
        note = _typed_or_stored(self.value("#note"), self.note)

        def rule(p: Project, f: Framework, c: Context) -> Change:
            return lifecycle.answer_question(p, f, c, number, answer, note)

        if self.run_rule(rule) is not None:
            self.dismiss(None)
