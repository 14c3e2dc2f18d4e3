"""Artifacts as records: attach and detach locations, and what each artifact's state is.

The rules here are pure like the lifecycle's. A location is a project-relative POSIX path or
an http(s) URL; `artifact_files` checks a path against the disk before it is attached and
finds when each attached file last changed, which turns the states below into stale or current.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from mlpl_tui.errors import UsageError
from mlpl_tui.framework import Artifact, Framework, Stage
from mlpl_tui.lifecycle import Context, brief, filed_under
from mlpl_tui.model import ArtifactLink, Change, Project, Put, Remove
from mlpl_tui.progress import current_stage_id
from mlpl_tui.wording import stage_rank

# What an artifact can be, from worst to best; the first three keep a required one's gate shut.
MISSING, FILE_MISSING, STALE, CURRENT, ATTACHED = (
    "missing",
    "file missing",
    "stale",
    "current",
    "attached",
)
STATES = (MISSING, FILE_MISSING, STALE, CURRENT, ATTACHED)
BLOCKING = frozenset({MISSING, FILE_MISSING, STALE})
URL_SCHEMES = ("http", "https")
MAX_LOCATION = 2048
_FREE_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")


def is_url(location: str) -> bool:
    return urlsplit(location).scheme.lower() in URL_SCHEMES if ":" in location else False


def check_location(text: str) -> str:
    """A location's text as stored, or a UsageError saying what is wrong with it.

    A URL must be http or https with a host; anything else with a scheme (javascript:, file:,
    data:) is refused. A path must be relative, in '/'-separated form, and stay in the project.
    """
    location = text.strip()
    if not location:
        raise UsageError("give a path in the project or an http(s) URL")
    if len(location) > MAX_LOCATION or not location.isprintable():
        raise UsageError(
            f"a location must be one line of printable text, at most {MAX_LOCATION:,} characters"
        )
    scheme = urlsplit(location).scheme if ":" in location else ""
    if scheme and len(scheme) > 1:  # a single letter is a Windows drive, refused below
        if scheme.lower() not in URL_SCHEMES or not urlsplit(location).netloc:
            raise UsageError(
                f"'{brief(location)}' is not an http(s) URL: only http and https links "
                "and paths in the project can be attached"
            )
        return location
    parts = location.replace("\\", "/").split("/")
    if location.startswith(("/", "\\")) or scheme or ".." in parts:
        raise UsageError(
            f"'{brief(location)}' leaves the project: give a path relative to the project's "
            "folder, without '..'"
        )
    normal = "/".join(p for p in parts if p not in ("", "."))
    if not normal:
        raise UsageError("give a file's path in the project, not the project's folder itself")
    return normal


@dataclass(frozen=True)
class ArtifactInfo:
    """One artifact as the project knows it: declared by the framework, attached, or both."""

    id: str
    title: str
    stage: str
    module: str | None
    required: bool
    declared: Artifact | None
    link: ArtifactLink | None

    @property
    def locations(self) -> tuple[str, ...]:
        return self.link.locations if self.link else ()


def artifact_infos(project: Project, framework: Framework) -> list[ArtifactInfo]:
    """Every declared artifact in framework order, then free ones in stage order."""
    links = project.artifact_links
    infos = [
        ArtifactInfo(a.id, a.title, a.stage, a.module, a.required, a, links.get(a.id))
        for a in framework.artifacts.values()
    ]
    free = [link for id, link in links.items() if id not in framework.artifacts]
    for link in sorted(free, key=lambda x: (stage_rank(x.stage or ""), x.attached_at, x.id)):
        stage = link.stage if link.stage in {s.id for s in framework.stages} else "business"
        infos.append(
            ArtifactInfo(link.id, link.title or link.id, stage, link.module, False, None, link)
        )
    return infos


def find_artifact(project: Project, framework: Framework, ref: str) -> ArtifactInfo:
    """An artifact by id, or by a unique prefix of it; a UsageError names the choices."""
    infos = artifact_infos(project, framework)
    text = ref.strip().lower()
    exact = [i for i in infos if i.id == text]
    matches = exact or [i for i in infos if text and i.id.startswith(text)]
    if len(matches) == 1:
        return matches[0]
    if matches:
        names = ", ".join(i.id for i in matches)
        raise UsageError(f"artifact '{brief(ref)}' is ambiguous: use one of {names}")
    raise UsageError(
        f"no artifact '{brief(ref)}': 'mlpl-tui artifact list' shows them; to attach a free "
        "one give a new id and --title"
    )


def attach(
    project: Project,
    framework: Framework,
    ctx: Context,
    ref: str,
    location: str,
    *,
    title: str | None = None,
    stage: str | None = None,
    module: str | None = None,
) -> Change:
    """Attach a location to an artifact: a declared one by id, or a new free one when `title` is
    given (filed under `stage`/`module`, by default the current stage)."""
    location = check_location(location)
    if title is not None and ref.strip().lower() not in framework.artifacts:
        return _attach_free(project, framework, ctx, ref, location, title, stage, module)
    info = find_artifact(project, framework, ref)
    if location in info.locations:
        raise UsageError(f"'{brief(location)}' is already attached to {info.id}")
    fields: dict[str, object] = {"locations": [*info.locations, location], **ctx.stamp()}
    if info.link is None:
        fields.update(attached_at=ctx.now, attached_by=ctx.who)
    summary = f"Attached {brief(location)} to {info.title}"
    return Change("artifact.attach", summary, [Put("artifacts", info.id, fields)], result=info.id)


def _attach_free(
    project: Project,
    framework: Framework,
    ctx: Context,
    ref: str,
    location: str,
    title: str,
    stage: str | None,
    module: str | None,
) -> Change:
    id = ref.strip().lower()
    if not _FREE_ID.fullmatch(id):
        raise UsageError(
            f"'{brief(ref)}' cannot be an artifact id: use lowercase letters, digits and dashes"
        )
    if project.has_id("artifacts", id):
        raise UsageError(f"artifact {id} exists: attach to it without --title")
    title = title.strip()
    if not title:
        raise UsageError("a free artifact needs a title: add --title TEXT")
    stage_id, module_id = filed_under(framework, stage, module, current_stage_id(project))
    fields = {
        "locations": [location],
        "title": title,
        "stage": stage_id,
        "module": module_id,
        "attached_at": ctx.now,
        "attached_by": ctx.who,
        **ctx.stamp(),
    }
    summary = f"Attached {brief(location)} to {brief(title)} (new artifact {id})"
    return Change("artifact.attach", summary, [Put("artifacts", id, fields)], result=id)


def detach(
    project: Project, framework: Framework, ctx: Context, ref: str, location: str | None = None
) -> Change:
    """Detach one location (any, when the artifact has only one); the last one removes the
    record, which the history keeps whole."""
    info = find_artifact(project, framework, ref)
    if not info.locations:
        raise UsageError(f"nothing is attached to {info.id}")
    if location is None:
        if len(info.locations) > 1:
            raise UsageError(
                f"{info.id} has {len(info.locations)} locations: name the one to detach "
                f"({', '.join(brief(x) for x in info.locations)})"
            )
        location = info.locations[0]
    wanted = location.strip()
    if wanted not in info.locations:
        with contextlib.suppress(UsageError):
            wanted = check_location(location)
    if wanted not in info.locations:
        raise UsageError(f"'{brief(location)}' is not attached to {info.id}")
    left = [x for x in info.locations if x != wanted]
    summary = f"Detached {brief(wanted)} from {info.title}"
    put: Put | Remove = (
        Put("artifacts", info.id, {"locations": left, **ctx.stamp()})
        if left
        else Remove("artifacts", info.id)
    )
    return Change("artifact.detach", summary, [put], result=info.id)


# --- states ----------------------------------------------------------------------------------


def stale_since(project: Project, stage_id: str) -> str | None:
    """When the project last looped back to `stage_id` or an earlier stage (None: never)."""
    rank = stage_rank(stage_id)
    times = [s.at for s in project.switches if stage_rank(s.to_stage) <= rank]
    return max(times) if times else None


def recorded_states(project: Project, framework: Framework) -> dict[str, str]:
    """States from the records alone (missing or attached), for rules that cannot read files."""
    return {i.id: ATTACHED if i.locations else MISSING for i in artifact_infos(project, framework)}


def gate_artifacts(
    project: Project, framework: Framework, stage: Stage, states: Mapping[str, str] | None
) -> list[tuple[ArtifactInfo, str]]:
    """Required artifacts of `stage` that keep its gate shut, with their states."""
    known = recorded_states(project, framework) if states is None else states
    return [
        (info, known.get(info.id, MISSING))
        for info in artifact_infos(project, framework)
        if info.stage == stage.id and info.required and known.get(info.id, MISSING) in BLOCKING
    ]


def worst(states: Sequence[str]) -> str:
    """The state an artifact with these location states is in."""
    return min(states, key=STATES.index) if states else MISSING
