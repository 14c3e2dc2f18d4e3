"""The learnings log: what the project taught, kept even when it is not used in the final model.

A learning names the stage or module it belongs to and the records that taught it (a switch,
an experiment, a decision). Rules are pure like the lifecycle's; edits refuse to overwrite a
change made meanwhile, and removals keep the whole record in the history (undo brings it back).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from mlpl_tui.errors import UsageError
from mlpl_tui.framework import Framework
from mlpl_tui.lifecycle import Context, brief, filed_under, find_record, required
from mlpl_tui.model import Change, Learning, Project, Put, Remove
from mlpl_tui.progress import current_stage_id

SOURCE_TABLES = ("switches", "experiments", "decisions")


def source_ids(project: Project, refs: Sequence[str]) -> list[str]:
    """The ids of the switches, experiments and decisions `refs` name (a unique prefix is
    enough); a UsageError names the one that is not found."""
    found: list[str] = []
    for ref in refs:
        text = ref.strip()
        if not text:
            continue
        matches = {
            id
            for table in SOURCE_TABLES
            for id in project.raw(table)
            if id == text or id.startswith(text)
        }
        exact = {text} & matches
        if len(exact or matches) != 1:
            what = "is ambiguous; give more characters" if matches else "is not found"
            raise UsageError(
                f"'{brief(text)}' {what}: --from takes the id of a switch, an experiment or a "
                "decision"
            )
        (id,) = exact or matches
        if id not in found:
            found.append(id)
    return found


def source_table(project: Project, id: str) -> str | None:
    """Which table a learning's source is in (None: it is gone)."""
    return next((t for t in SOURCE_TABLES if project.has_id(t, id)), None)


def learn(
    project: Project,
    framework: Framework,
    ctx: Context,
    text: str,
    *,
    stage: str | None = None,
    module: str | None = None,
    sources: Sequence[str] = (),
) -> Change:
    """Add a learning, filed under `stage`/`module` (by default the current stage)."""
    text = required(text, "the learning")
    stage_id, module_id = filed_under(framework, stage, module, current_stage_id(project))
    learning_id = ctx.id_for(project, "learnings")
    record = {
        "text": text,
        "stage": stage_id,
        "module": module_id,
        "sources": source_ids(project, sources),
        "created_at": ctx.now,
        "created_by": ctx.who,
        **ctx.stamp(),
    }
    summary = f"Learning {learning_id} noted: {brief(text)}"
    return Change(
        "learning.add", summary, [Put("learnings", learning_id, record)], result=learning_id
    )


def edit_learning(
    project: Project,
    framework: Framework,
    ctx: Context,
    ref: str,
    *,
    text: str | None = None,
    stage: str | None = None,
    module: str | None = None,
    sources: Sequence[str] | None = None,
    started: Mapping[str, Any] | None = None,
) -> Change:
    """Correct a learning's text, where it is filed or what taught it."""
    found: Learning = find_record(project.learnings, ref, "learning")
    fields: dict[str, Any] = {}
    if text is not None:
        fields["text"] = required(text, "the learning")
    if stage or module:
        fields["stage"], fields["module"] = filed_under(
            framework, stage, module, found.stage or current_stage_id(project)
        )
    if sources is not None:
        fields["sources"] = source_ids(project, sources)
    fields = {
        name: value
        for name, value in fields.items()
        if (list(getattr(found, name)) if name == "sources" else getattr(found, name)) != value
    }
    if not fields:
        return Change("learning.edit", "", [])
    expect = {name: started[name] for name in fields if started and name in started}
    summary = f"Learning {found.id} edited ({', '.join(fields)}): {brief(found.text)}"
    put = Put("learnings", found.id, {**fields, **ctx.stamp()}, expect=expect)
    return Change("learning.edit", summary, [put], result=found.id)


def remove_learning(project: Project, ctx: Context, ref: str) -> Change:
    """Remove a learning noted by mistake; the history keeps all it held."""
    found: Learning = find_record(project.learnings, ref, "learning")
    summary = f"Learning {found.id} removed: {brief(found.text)}"
    return Change("learning.remove", summary, [Remove("learnings", found.id)], result=found.id)
