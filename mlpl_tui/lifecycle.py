"""The lifecycle rules as pure functions: each takes a snapshot and returns the change to write.

Nothing here reads files or the clock: the caller passes who acts and when, and the store
applies the returned change in one transaction.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from mlpl_tui.errors import RuleError, UsageError
from mlpl_tui.framework import Framework, Module, Stage
from mlpl_tui.model import (
    ANSWERS,
    DECISION_STATUSES,
    MERGE_SIDES,
    META_ID,
    MODULE_STATUSES,
    Change,
    Conflict,
    Decision,
    Experiment,
    Project,
    Put,
    new_id,
)
from mlpl_tui.progress import (
    current_stage,
    current_stage_id,
    current_visit,
    format_minutes,
    gate_missing,
    is_closed,
    iteration,
    last_visit,
    module_status,
)
from mlpl_tui.wording import one_line, plural

MAX_DAY_MINUTES = 24 * 60
_DURATION = re.compile(r"^(?:(?P<h>\d+(?:\.\d+)?)h)?(?:(?P<m>\d+)m)?$")


@dataclass(frozen=True)
class Context:
    """Who acts and when (UTC ISO-8601 to the second), and how new ids are made."""

    who: str
    now: str
    make_id: Callable[[], str] = new_id
    day: str | None = None  # the user's local calendar day; the UTC day when not given

    @property
    def today(self) -> str:
        return self.day or self.now[:10]

    def stamp(self) -> dict[str, str]:
        return {"updated_at": self.now, "updated_by": self.who}

    def id_for(self, project: Project, table: str) -> str:
        while True:
            candidate = self.make_id()
            if not project.has_id(table, candidate):
                return candidate


# --- parsing user input ----------------------------------------------------------------------


def parse_duration(text: str) -> int:
    """Minutes in a duration such as 45m, 1h30m, 2h or 1.5h; at most one day, more than zero."""
    cleaned = text.strip().lower().replace(" ", "")
    match = _DURATION.match(cleaned)
    if not cleaned or match is None:
        raise UsageError(
            f"duration '{text}' is not understood: write it like 45m, 1h30m, 2h or 1.5h"
        )
    import pendulum  # only the commands that take durations pay for the import

    iso = "PT" + (f"{match['h']}H" if match["h"] else "") + (f"{match['m']}M" if match["m"] else "")
    duration = pendulum.parse(iso)
    assert isinstance(duration, pendulum.Duration)
    minutes = round(duration.total_seconds() / 60)
    if minutes <= 0:
        raise UsageError(f"duration '{text}' is zero; log at least one minute")
    if minutes > MAX_DAY_MINUTES:
        raise UsageError(f"duration '{text}' is more than a day; log each day separately")
    return minutes


def parse_day(text: str, today: str) -> str:
    """A calendar day as YYYY-MM-DD, counted from the local day `today`: ISO dates, 'today',
    'yesterday', 'last monday', '3 days ago'; never in the future (see clock.parse_day)."""
    from mlpl_tui.clock import parse_day as parse_local_day

    return parse_local_day(text, today)


def required(value: str | None, what: str) -> str:
    """`value` stripped; a UsageError naming `what` when it is empty."""
    if value is None or not value.strip():
        raise UsageError(f"{what} must not be empty")
    return value.strip()


# --- creating a project -----------------------------------------------------------------------


def new_project(name: str, ctx: Context) -> dict[str, dict[str, dict[str, Any]]]:
    """The tables of a new project: it starts in `business`, iteration 1."""
    visit = {
        "stage": "business",
        "iteration": 1,
        "entered_at": ctx.now,
        "entered_by": ctx.who,
        "how": "start",
        "left_at": None,
    }
    meta = {
        "name": required(name, "the project name"),
        "created_at": ctx.now,
        "created_by": ctx.who,
    }
    event = {
        "at": ctx.now,
        "by": ctx.who,
        "action": "project.create",
        "summary": f"Created project '{meta['name']}' in Business, iteration 1",
        "refs": [META_ID],
    }
    return {
        "meta": {META_ID: meta},
        "visits": {ctx.make_id(): visit},
        "events": {ctx.make_id(): event},
    }


# --- modules ----------------------------------------------------------------------------------


def set_status(
    project: Project,
    framework: Framework,
    ctx: Context,
    module_ref: str,
    status: str,
    note: str | None = None,
    *,
    reason: str | None = None,
    note_from: str | None = None,
) -> Change:
    """Set a module's status, and its note when given; a skip needs a reason of its own.

    `note_from` is the note the user started from: if the stored note is something else by
    the time this is written, an EditConflict refuses the change (None: no check).
    """
    module = framework.module(module_ref)
    status = status.strip().lower()
    if status not in MODULE_STATUSES:
        raise UsageError(f"unknown status '{status}': use one of {', '.join(MODULE_STATUSES)}")
    current = project.modules.get(module.id)
    if reason is not None and status != "skipped":
        raise UsageError("--reason is for skipping a module; for other statuses use --note")
    why = (reason or "").strip()
    if status == "skipped" and not why:
        raise RuleError(f"skipping {module.id} needs a reason: add --reason TEXT")
    fields: dict[str, Any] = {"status": status}
    if note is not None:
        fields["note"] = note.strip()
    if why:
        fields["reason"] = why
    if current is not None and all(
        getattr(current, name) == value for name, value in fields.items()
    ):
        return Change("module.set", "", [])
    before = current.status if current else "todo"
    parts = [f"{before} → {status}"] if before != status else []
    if note is not None and note.strip() != (current.note if current else ""):
        parts.append(f"note “{brief(note)}”" if note.strip() else "note cleared")
    summary = f"{module.id}: {', '.join(parts)}"
    if why:
        summary += f" ({one_line(why, 60)})"
    expect = None if note_from is None or note is None else {"note": note_from}
    put = Put("modules", module.id, {**fields, **ctx.stamp()}, expect=expect)
    return Change("module.set", summary, [put])


def toggle_done(project: Project, framework: Framework, ctx: Context, module_ref: str) -> Change:
    """Done when it was not, back to todo when it was (the TUI's space key)."""
    module = framework.module(module_ref)
    done = module_status(project, module.id) == "done"
    return set_status(project, framework, ctx, module.id, "todo" if done else "done")


def set_note(
    project: Project,
    framework: Framework,
    ctx: Context,
    module_ref: str,
    note: str,
    note_from: str | None = None,
) -> Change:
    """Replace a module's note; `note_from` as for set_status."""
    module = framework.module(module_ref)
    current = project.modules.get(module.id)
    expect = None if note_from is None else {"note": note_from}
    if current is not None and current.note == note.strip():
        return Change("module.note", "", [])
    fields = {"note": note.strip(), **ctx.stamp()}
    if current is None:
        fields["status"] = "todo"
    summary = f"{module.id}: note " + (f"“{one_line(note, 60)}”" if note.strip() else "cleared")
    return Change("module.note", summary, [Put("modules", module.id, fields, expect=expect)])


def replaced_note(current: str, note: str | None, force: bool, what: str) -> str | None:
    """The note a one-shot command replaces without asking: None when it may write, else why not.

    A command line has no note it started from; replacing a different, non-empty note needs
    --force (history keeps the old one either way).
    """
    if note is None or force or not current or current == note.strip():
        return None
    return (
        f"{what} already has a note (“{one_line(current, 50)}”); --note replaces it: "
        "add --force to replace it (the old note stays in the history)"
    )


# --- moving through the stages ----------------------------------------------------------------


def advance(
    project: Project,
    framework: Framework,
    ctx: Context,
    force: bool = False,
    why: str | None = None,
    artifact_states: Mapping[str, str] | None = None,
) -> Change:
    """Move to the next stage when its gate is met, or with --force and a reason (a decision).

    The gate needs the stage's required modules done or skipped and its required artifacts
    attached and current; `artifact_states` (artifact id to state, from the files) says which
    are, and without it only what the records say is known (attached or missing).
    """
    from mlpl_tui.artifacts import gate_artifacts

    visit = current_visit(project)
    if visit is None:
        raise RuleError("the project is closed (accepted); loop back with 'switch' to reopen it")
    stage = current_stage(project, framework)
    missing = gate_missing(project, stage)
    shut = gate_artifacts(project, framework, stage, artifact_states)
    unmet = [f"{a.id} ({state})" for a, state in shut]
    if (missing or unmet) and not force:
        lines = [f"the gate of {stage.title} is not met"]
        if missing:
            names = ", ".join(f"{m.id} ({module_status(project, m.id)})" for m in missing)
            lines[0] += f"; required modules not done or skipped: {names}"
        if unmet:
            lines[0] += f"; required artifacts not attached and current: {', '.join(unmet)}"
        lines.append(
            "finish or skip the modules (set MODULE skipped --reason WHY), attach or update the "
            "artifacts (artifact attach ID PATH), or use --force --why TEXT"
        )
        raise RuleError("\n".join(lines))
    if (missing or unmet) and not (why or "").strip():
        raise UsageError("a forced advance needs a reason: add --why TEXT")
    puts = [Put("visits", visit.id, {"left_at": ctx.now})]
    later = framework.later_stages(stage.id)
    if not later:
        puts[0].fields = {"left_at": ctx.now, "outcome": "accepted"}
        return Change("project.accept", f"{stage.title} passed: the project is accepted", puts)
    target = later[0]
    how = "forced" if missing or unmet else "advance"
    puts.append(
        Put("visits", ctx.id_for(project, "visits"), _visit(target, visit.iteration, how, ctx))
    )
    summary = f"Advanced from {stage.title} to {target.title}"
    if missing or unmet:
        decision_id = ctx.id_for(project, "decisions")
        puts.append(
            Put("decisions", decision_id, _forced_decision(stage, target, missing, unmet, why, ctx))
        )
        summary += f" with the gate unmet (decision {decision_id})"
    return Change("stage.advance", summary, puts)


def _visit(
    stage: Stage, number: int, how: str, ctx: Context, switch: str | None = None
) -> dict[str, Any]:
    return {
        "stage": stage.id,
        "iteration": number,
        "entered_at": ctx.now,
        "entered_by": ctx.who,
        "how": how,
        "switch": switch,
        "left_at": None,
    }


def _forced_decision(
    stage: Stage,
    target: Stage,
    missing: Sequence[Module],
    unmet: Sequence[str],
    why: str | None,
    ctx: Context,
) -> dict[str, Any]:
    context = []
    if missing:
        context.append("Required modules not done or skipped: " + ", ".join(m.id for m in missing))
    if unmet:
        context.append("Required artifacts not attached and current: " + ", ".join(unmet))
    return {
        "title": f"Advance to {target.title} with the gate of {stage.title} unmet",
        "context": "; ".join(context),
        "decision": f"Advance from {stage.title} to {target.title} without finishing them.",
        "rationale": (why or "").strip(),
        "status": "accepted",
        "stage": stage.id,
        "module": None,
        "supersedes": None,
        "superseded_by": None,
        "created_at": ctx.now,
        "created_by": ctx.who,
    }


def revisit_targets(
    project: Project, framework: Framework, stage: Stage, module: Module | None
) -> list[str]:
    """Modules a switch to `stage` (or to `module` in it) marks for revisit: done or doing ones
    in every later stage, and the named module itself."""
    downstream = [m for s in framework.later_stages(stage.id) for m in s.modules]
    if module is not None:
        downstream.insert(0, module)
    return [m.id for m in downstream if module_status(project, m.id) in ("done", "doing")]


def switch_back(
    project: Project,
    framework: Framework,
    ctx: Context,
    stage_ref: str,
    category: str,
    reason: str,
    module_ref: str | None = None,
) -> Change:
    """Loop back to an earlier stage or to a module of the current one: a new iteration."""
    target = framework.stage(stage_ref)
    module = framework.module(module_ref, target.id) if module_ref else None
    if module is not None and module.stage != target.id:
        raise UsageError(f"module {module.id} is not in stage {target.id}")
    kind = framework.category(category)
    why = required(reason, "the reason for a switch (--reason)")
    here = current_stage(project, framework)
    gap = framework.stage_index(target.id) - framework.stage_index(here.id)
    if gap > 0:
        raise RuleError(
            f"cannot switch forward from {here.title} to {target.title}: the project moves forward "
            "one stage at a time with 'advance'"
        )
    if gap == 0 and module is None and not is_closed(project):
        raise RuleError(
            f"already in {here.title}: to loop back within it, name the module with --module"
        )
    revisit = revisit_targets(project, framework, target, module)
    previous = current_visit(project) or last_visit(project)
    number = iteration(project) + 1
    switch_id = ctx.id_for(project, "switches")
    puts = [
        Put(
            "switches",
            switch_id,
            {
                "from_stage": here.id,
                "to_stage": target.id,
                "to_module": module.id if module else None,
                "category": kind.id,
                "reason": why,
                "iteration": number,
                "revisit": revisit,
                "at": ctx.now,
                "by": ctx.who,
            },
        ),
        Put(
            "visits",
            ctx.id_for(project, "visits"),
            _visit(target, number, "switch", ctx, switch_id),
        ),
    ]
    if previous is not None and previous.left_at is None:
        puts.insert(1, Put("visits", previous.id, {"left_at": ctx.now}))
    puts += [Put("modules", m, {"status": "revisit", **ctx.stamp()}) for m in revisit]
    where = module.id if module else target.title
    summary = (
        f"Switched back from {here.title} to {where} ({kind.id}: {brief(why)}); iteration {number}"
    )
    if revisit:
        summary += f"; {plural(len(revisit), 'module')} to revisit"
    return Change("stage.switch", summary, puts, result=switch_id)


# --- decisions --------------------------------------------------------------------------------


def find_record(
    records: Sequence[Any],
    ref: str,
    what: str,
) -> Any:
    """A record by id or by a unique prefix of its id, as git resolves short hashes."""
    ref = ref.strip()
    exact = [r for r in records if r.id == ref]
    matches = exact or [r for r in records if ref and r.id.startswith(ref)]
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise UsageError(f"{what} id '{ref}' is ambiguous; give more characters")
    raise UsageError(f"no {what} with id '{ref}'")


def decide(
    project: Project,
    framework: Framework,
    ctx: Context,
    title: str,
    decision: str,
    *,
    context: str = "",
    rationale: str = "",
    stage: str | None = None,
    module: str | None = None,
    status: str = "accepted",
    supersedes: str | None = None,
) -> Change:
    """Record a decision; superseding another keeps the link consistent in both directions."""
    status = status.strip().lower()
    if status not in DECISION_STATUSES:
        raise UsageError(
            f"unknown decision status '{status}': use one of {', '.join(DECISION_STATUSES)}"
        )
    stage_id, module_id = filed_under(framework, stage, module, current_stage_id(project))
    decision_id = ctx.id_for(project, "decisions")
    title = required(title, "the decision title")
    record: dict[str, Any] = {
        "title": title,
        "context": context.strip(),
        "decision": required(decision, "the decision (--decision)"),
        "rationale": rationale.strip(),
        "status": status,
        "stage": stage_id,
        "module": module_id,
        "supersedes": None,
        "superseded_by": None,
        "created_at": ctx.now,
        "created_by": ctx.who,
    }
    puts = [Put("decisions", decision_id, record)]
    summary = f"Decision {decision_id}: {brief(title)} ({status})"
    if supersedes:
        old: Decision = find_record(project.decisions, supersedes, "decision")
        if old.superseded_by:
            raise RuleError(f"decision {old.id} is already superseded by {old.superseded_by}")
        record["supersedes"] = old.id
        puts.append(
            Put("decisions", old.id, {"status": "superseded", "superseded_by": decision_id})
        )
        summary += f", supersedes {old.id}"
    return Change("decision.add", summary, puts, result=decision_id)


# --- effort -----------------------------------------------------------------------------------


def log_effort(
    project: Project,
    framework: Framework,
    ctx: Context,
    duration: str,
    *,
    stage: str | None = None,
    module: str | None = None,
    note: str = "",
    on: str | None = None,
    experiment: str | None = None,
) -> Change:
    """Record time spent on a stage or a module (the current stage by default)."""
    minutes = parse_duration(duration)
    if stage and module:
        raise UsageError("give either --stage or --module, not both")
    module_obj = framework.module(module) if module else None
    linked: Experiment | None = (
        find_record(project.experiments, experiment, "experiment") if experiment else None
    )
    stage_id = (
        module_obj.stage
        if module_obj
        else framework.stage(stage).id
        if stage
        else linked.stage
        if linked
        else current_stage_id(project)
    )
    day = parse_day(on, ctx.today) if on else ctx.today
    entry = {
        "minutes": minutes,
        "stage": stage_id,
        "module": module_obj.id if module_obj else None,
        "on": day,
        "note": note.strip(),
        "iteration": iteration(project),
        "experiment": linked.id if linked else None,
        "at": ctx.now,
        "by": ctx.who,
    }
    entry_id = ctx.id_for(project, "effort")
    where = module_obj.id if module_obj else stage_id
    summary = f"Logged {format_minutes(minutes)} on {where} for {day}"
    return Change("effort.log", summary, [Put("effort", entry_id, entry)], result=entry_id)


# --- experiments ------------------------------------------------------------------------------


def add_experiment(
    project: Project,
    framework: Framework,
    ctx: Context,
    title: str,
    *,
    hypothesis: str = "",
    link: str = "",
    stage: str | None = None,
    module: str | None = None,
) -> Change:
    """Open an experiment in the log; it stays there whatever becomes of it.

    It is filed under `stage` or `module` (a probe during Data belongs to Data), by default
    under Modelling.
    """
    stage_id, module_id = filed_under(framework, stage, module, "modelling")
    experiment_id = ctx.id_for(project, "experiments")
    title = required(title, "the experiment title")
    record = {
        "title": title,
        "hypothesis": hypothesis.strip(),
        "link": link.strip(),
        "status": "running",
        "reason": "",
        "result": "",
        "stage": stage_id,
        "module": module_id,
        "created_at": ctx.now,
        "created_by": ctx.who,
        **ctx.stamp(),
    }
    summary = f"Experiment {experiment_id} started: {brief(title)}"
    return Change(
        "experiment.add", summary, [Put("experiments", experiment_id, record)], result=experiment_id
    )


def filed_under(
    framework: Framework, stage: str | None, module: str | None, default: str
) -> tuple[str, str | None]:
    """The stage and module a record is filed under: the module's stage, else `stage`, else
    `default`."""
    stage_obj = framework.stage(stage) if stage else None
    module_obj = framework.module(module, stage_obj.id if stage_obj else None) if module else None
    if module_obj is not None:
        return module_obj.stage, module_obj.id
    return (stage_obj.id if stage_obj else default), None


def abandon_experiment(
    project: Project, ctx: Context, ref: str, reason: str, result: str | None = None
) -> Change:
    found: Experiment = find_record(project.experiments, ref, "experiment")
    why = required(reason, "the reason for abandoning an experiment (--reason)")
    return _experiment_status(found, ctx, "abandoned", {"reason": why}, result)


def keep_experiment(
    project: Project, ctx: Context, ref: str, *, force: bool = False, result: str | None = None
) -> Change:
    """Keep an experiment; one that was abandoned needs `force` (the app asks first).

    The abandonment reason stays on the record and in the history.
    """
    found: Experiment = find_record(project.experiments, ref, "experiment")
    if found.status == "abandoned" and not force:
        raise RuleError(
            f"experiment {found.id} was abandoned ({brief(found.reason)}); to keep it after "
            "all add --force (the reason it was abandoned is kept)"
        )
    return _experiment_status(found, ctx, "kept", {}, result)


def _experiment_status(
    found: Experiment, ctx: Context, status: str, fields: dict[str, Any], result: str | None
) -> Change:
    fields = {"status": status, **fields}
    if result is not None:
        fields["result"] = result.strip()
    if all(getattr(found, name) == value for name, value in fields.items()):
        return Change(f"experiment.{status}", "", [])
    verb = "kept" if status == "kept" else f"abandoned ({brief(fields['reason'])})"
    summary = f"Experiment {found.id} {verb}: {brief(found.title)}"
    if found.status == "abandoned" and status == "kept":
        summary += " (was abandoned)"
    put = Put("experiments", found.id, {**fields, **ctx.stamp()})
    return Change(f"experiment.{status}", summary, [put], result=found.id)


# --- merge conflicts ------------------------------------------------------------------------


def resolve_conflict(
    project: Project, framework: Framework, ctx: Context, conflict_ref: str, keep: str
) -> Change:
    """Keep one side's value of a field a merge found changed on both sides; mark it resolved."""
    side = keep.strip().lower()
    if side not in MERGE_SIDES:
        raise UsageError(f"keep '{keep}'? use ours or theirs")
    conflict: Conflict = find_record(project.conflicts, conflict_ref, "conflict")
    if conflict.resolved and conflict.resolution == side:
        return Change("conflict.resolve", "", [])
    record = project.raw(conflict.table).get(conflict.record)
    if record is None:
        raise RuleError(
            f"conflict {conflict.id}: {conflict.table} record '{conflict.record}' no longer "
            "exists; restore it from git before choosing"
        )
    value = conflict.value(side)
    fields: dict[str, Any] = {conflict.field: value}
    if "updated_at" in record:
        fields.update(ctx.stamp())
    puts = [Put(conflict.table, conflict.record, fields)]
    if conflict.table == "decisions" and conflict.field == "superseded_by":
        puts += _move_supersedes_link(project, conflict, value)
    puts.append(
        Put(
            "conflicts",
            conflict.id,
            {"resolved": True, "resolution": side, "resolved_at": ctx.now, "resolved_by": ctx.who},
        )
    )
    summary = (
        f"Conflict {conflict.id} resolved: {conflict.table} {conflict.record} {conflict.field}"
        f" = {brief(repr(value))} ({side})"
    )
    return Change("conflict.resolve", summary, puts, result=conflict.id)


def _move_supersedes_link(project: Project, conflict: Conflict, chosen: Any) -> list[Put]:
    """The chosen successor supersedes the decision; the other one no longer does."""
    puts = []
    decisions = project.raw("decisions")
    for side in MERGE_SIDES:
        successor = conflict.value(side)
        if isinstance(successor, str) and successor in decisions:
            link = conflict.record if successor == chosen else None
            if successor == chosen or decisions[successor].get("supersedes") == conflict.record:
                puts.append(Put("decisions", successor, {"supersedes": link}))
    return puts


# --- exploration questions --------------------------------------------------------------------


def answer_question(
    project: Project,
    framework: Framework,
    ctx: Context,
    number: str,
    answer: str,
    note: str | None = None,
    note_from: str | None = None,
) -> Change:
    """Answer one of the five exploration questions: yes, no, partly or unknown.

    `note_from` is the note the user started from (see set_status)."""
    numbers = {str(q.number): q for q in framework.exploration_questions}
    question = numbers.get(number.strip())
    if question is None:
        raise UsageError(f"unknown question '{number}': use a number from 1 to {len(numbers)}")
    answer = answer.strip().lower()
    if answer not in ANSWERS:
        raise UsageError(f"unknown answer '{answer}': use one of {', '.join(ANSWERS)}")
    current = project.answers.get(question.number)
    if current is not None and current.answer == answer and note in (None, current.note):
        return Change("question.answer", "", [])
    fields: dict[str, Any] = {"answer": answer, **ctx.stamp()}
    if note is not None:
        fields["note"] = note.strip()
    summary = f"Question {question.number} answered '{answer}': {brief(question.text)}"
    expect = None if note_from is None or note is None else {"note": note_from}
    put = Put("questions", str(question.number), fields, expect=expect)
    return Change("question.answer", summary, [put])


def brief(text: str) -> str:
    """A text as a history summary quotes it; the event keeps the whole text in `changes`."""
    return one_line(text, 60)
