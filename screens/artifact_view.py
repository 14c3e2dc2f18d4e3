"""How artifacts read on the screens: a stage's rows, one artifact in full, what needs a look,
and which required ones keep a gate shut. Formatting only: the states come from the app
(Host.artifact_states), which reads the files."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text

from mlpl_tui.artifact_files import ArtifactState, state_words
from mlpl_tui.artifacts import (
    ATTACHED,
    CURRENT,
    FILE_MISSING,
    MISSING,
    STALE,
    ArtifactInfo,
    gate_artifacts,
    is_url,
)
from mlpl_tui.framework import Framework, Stage
from mlpl_tui.model import Project
from mlpl_tui.widgets.artifact_list import ArtifactRow
from mlpl_tui.widgets.text import clip
from mlpl_tui.wording import shown_time, stage_rank

STATE_HELP = {
    MISSING: "nothing attached yet: a attaches a file or a link",
    FILE_MISSING: "an attached file is not in the project (moved, deleted, or a link out of it)",
    STALE: "not changed since the project looped back to this stage: look it over and update it",
    CURRENT: "changed since the latest loop back to this stage (or never looped back)",
    ATTACHED: "a link: mlpl-tui cannot check it",
}


def needs_attention(state: ArtifactState) -> bool:
    """Stale, a file missing, or required and missing: marked `[!]` wherever it is listed."""
    if state.state in (STALE, FILE_MISSING):
        return True
    return state.state == MISSING and state.info.required


def artifact_rows(states: Sequence[ArtifactState], stage_id: str) -> list[ArtifactRow]:
    """The rows of one stage's artifacts, declared ones first (the order of `states`)."""
    return [
        ArtifactRow(
            s.id,
            s.info.title,
            s.state,
            s.info.required,
            s.info.locations,
            needs_attention(s),
        )
        for s in states
        if s.info.stage == stage_id
    ]


def attention_line(states: Sequence[ArtifactState], current_stage: str, most: int = 3) -> str:
    """`data-report stale, project-charter missing (required)`: what needs a look, or ''.

    A required artifact of a later stage is not missing yet: only those up to `current_stage`.
    After `most` of them the rest are counted (the stage screens list them all).
    """
    rank = stage_rank(current_stage)
    words = []
    for s in states:
        if not needs_attention(s):
            continue
        if s.state == MISSING and stage_rank(s.info.stage) > rank:
            continue
        words.append(f"{s.id} {s.state}" + (" (required)" if s.state == MISSING else ""))
    if len(words) > most:
        words = [*words[:most], f"{len(words) - most} more"]
    return ", ".join(words)


def gate_blockers(
    project: Project, framework: Framework, stage: Stage, states: Sequence[ArtifactState]
) -> list[tuple[ArtifactInfo, str]]:
    """The required artifacts of `stage` that keep its gate shut, with their states."""
    return gate_artifacts(project, framework, stage, state_words(states))


def artifact_text(state: ArtifactState) -> Text:
    """One artifact in full: title, where it belongs, description, each location's state and
    when its file last changed, and the keys. Stored text goes through `clip`."""
    info = state.info
    text = Text()
    text.append(clip(info.title), style="bold")
    text.append(f"  [{state.state}]", style="bold" if needs_attention(state) else "")
    kind = "required" if info.required else "optional"
    where = info.module or info.stage
    line = f"{info.id} · {where} · {kind}" + ("" if info.declared else " · added by the team")
    text.append("\n" + clip(line))
    text.append("\n" + STATE_HELP.get(state.state, ""))
    if state.state == STALE and state.since:
        text.append(f"\nLooped back to this stage on {shown_time(state.since)}.")
    text.append("\n\nLocations", style="bold underline")
    if not state.locations:
        text.append("\n(none: a attaches a file in the project or an http(s) link)")
    for located in state.locations:
        mark = "[!]" if located.state in (STALE, FILE_MISSING) else "   "
        text.append(f"\n{mark} ")
        text.append(clip(located.location), style="italic")
        detail = located.state
        if located.changed_at:
            detail += f", changed {shown_time(located.changed_at)}"
        elif is_url(located.location):
            detail += ", a link (never opened by mlpl-tui)"
        text.append(f"\n    {detail}")
        if located.problem:
            text.append("\n    " + clip(located.problem))
    declared = info.declared
    if declared is not None and declared.description:
        text.append("\n\n" + clip(declared.description, multiline=True))
    if declared is not None and declared.path:
        text.append("\n" + clip(f"Usual place: {declared.path}"))
        if declared.template:
            text.append(clip(f" · w writes it from the {declared.template} template"))
    link = info.link
    if link is not None and link.attached_at:
        who = f"Attached by {link.attached_by or '?'}, {shown_time(link.attached_at)}"
        if link.updated_at and link.updated_at != link.attached_at:
            who += f" · changed by {link.updated_by or '?'}, {shown_time(link.updated_at)}"
        text.append("\n\n" + clip(who))
    text.append("\n\nenter open · a attach · d detach · f refresh a document · u undoes")
    return text


def markdown_locations(state: ArtifactState) -> list[str]:
    """The artifact's attached Markdown files (what `f` refreshes)."""
    return [
        x.location
        for x in state.locations
        if not is_url(x.location) and x.location.lower().endswith((".md", ".markdown"))
    ]
