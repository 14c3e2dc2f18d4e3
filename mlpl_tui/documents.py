"""Living stage documents: Markdown files the team writes, with regions mlpl-tui keeps current.

A document comes from a template (`data/templates/<name>.md`, or the team's own
`mlpl-templates/<name>.md` in the project folder). It mixes hand-written sections with generated
regions, each between two marker lines:

    <!-- mlpl:begin decisions -->
    ...written by mlpl-tui...
    <!-- mlpl:end decisions -->

A refresh rewrites what lies between the markers and keeps every other byte as it was (line
endings, a missing final newline, the markers themselves). Anything it cannot read for certain,
a marker edited, missing or out of place, refuses the whole file, naming the line, and nothing
is written. What each region says, and how stored text is escaped there, is in doc_regions.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from mlpl_tui.artifacts import (
    ArtifactInfo,
    artifact_infos,
    attach,
    check_location,
    find_artifact,
    is_url,
)
from mlpl_tui.doc_regions import REGION_SETTINGS, REGIONS, Regions, regions_for
from mlpl_tui.errors import UsageError
from mlpl_tui.framework import Framework, data_dir
from mlpl_tui.lifecycle import Context, brief, find_record
from mlpl_tui.model import Change, Experiment, Project
from mlpl_tui.report_view import ReportView
from mlpl_tui.safe_io import read_regular_file, refuse_link, write_file

TEMPLATE_FOLDER = "mlpl-templates"  # the team's own templates, in the project folder
MARKDOWN_SUFFIXES = (".md", ".markdown")
MAX_TEMPLATE_BYTES = 1 << 20
MAX_DOCUMENT_BYTES = 8 << 20
_TEMPLATE_NAME = re.compile(r"[a-z0-9][a-z0-9-]*")
# A marker alone on its line (spaces around it allowed): `<!-- mlpl:begin NAME [key=value] -->`.
_MARKER = re.compile(
    r"[ \t]*<!--[ \t]*mlpl:(?P<kind>begin|end)[ \t]+(?P<name>[a-z][a-z0-9-]*)"
    r"(?P<settings>(?:[ \t]+[a-z]+=[A-Za-z0-9_.-]+)*)[ \t]*-->[ \t]*"
)
# Anything that looks like the start of a marker: if it is not a whole marker, it was edited.
_LOOKALIKE = re.compile(r"<!--\s*mlpl\s*:", re.IGNORECASE)
_LINE = re.compile(r"[^\n]*\n|[^\n]+")
_SETTING_VALUE = re.compile(r"[A-Za-z0-9_.-]+")


# --- reading the markers --------------------------------------------------------------------


@dataclass(frozen=True)
class Region:
    """One generated region: its name and settings, its begin marker's line (1-based), and the
    character offsets of what lies between its two marker lines."""

    name: str
    settings: Mapping[str, str]
    line: int
    start: int
    end: int
    newline: str


def _lines(text: str) -> Iterator[tuple[int, int, str]]:
    """(line number, offset, line with its ending) for each line; only `\\n` ends a line."""
    for number, match in enumerate(_LINE.finditer(text), start=1):
        yield number, match.start(), match.group()


def find_regions(text: str, where: str) -> list[Region]:
    """The generated regions of a document, in order; a UsageError says which line is wrong."""
    regions: list[Region] = []
    seen: dict[str, int] = {}
    open_: tuple[str, dict[str, str], int, int, str] | None = None
    for number, offset, line in _lines(text):
        body = line.rstrip("\n").removesuffix("\r")
        if number == 1:
            body = body.removeprefix("\ufeff")
        if _LOOKALIKE.search(body) is None:
            continue
        at = f"{where}:{number}"
        found = _MARKER.fullmatch(body)
        if found is None:
            raise UsageError(
                f"{at}: this marker was edited: write '<!-- mlpl:begin NAME -->' or "
                "'<!-- mlpl:end NAME -->' alone on its line (nothing was written)"
            )
        kind, name = found["kind"], found["name"]
        if name not in REGIONS:
            raise UsageError(
                f"{at}: unknown region '{name}': the regions are {', '.join(REGIONS)} "
                "(nothing was written)"
            )
        if kind == "begin":
            if open_ is not None:
                raise UsageError(
                    f"{at}: region '{name}' begins inside region '{open_[0]}' (line {open_[2]}):"
                    f" add '<!-- mlpl:end {open_[0]} -->' first (nothing was written)"
                )
            if name in seen:
                raise UsageError(
                    f"{at}: region '{name}' appears twice (first at line {seen[name]}): keep one"
                    " (nothing was written)"
                )
            settings = _settings(found["settings"], name, at)
            newline = "\r\n" if line.endswith("\r\n") else "\n"
            seen[name] = number
            open_ = (name, settings, number, offset + len(line), newline)
            continue
        if found["settings"].strip():
            raise UsageError(
                f"{at}: this marker was edited: an end marker is '<!-- mlpl:end {name} -->' "
                "(nothing was written)"
            )
        if open_ is None:
            raise UsageError(
                f"{at}: '<!-- mlpl:end {name} -->' has no '<!-- mlpl:begin {name} -->' before it"
                " (nothing was written)"
            )
        if open_[0] != name:
            raise UsageError(
                f"{at}: '<!-- mlpl:end {name} -->' ends region '{open_[0]}' begun at line "
                f"{open_[2]}: the names must match (nothing was written)"
            )
        regions.append(Region(name, open_[1], open_[2], open_[3], offset, open_[4]))
        open_ = None
    if open_ is not None:
        raise UsageError(
            f"{where}:{open_[2]}: region '{open_[0]}' has no '<!-- mlpl:end {open_[0]} -->' "
            "after it (nothing was written)"
        )
    return regions


def _settings(text: str, name: str, at: str) -> dict[str, str]:
    settings: dict[str, str] = {}
    allowed = REGION_SETTINGS.get(name, ())
    for item in text.split():
        key, _, value = item.partition("=")
        if key not in allowed:
            takes = f"takes only {', '.join(allowed)}" if allowed else "takes no settings"
            raise UsageError(
                f"{at}: region '{name}' {takes}, not '{brief(key)}' (nothing was written)"
            )
        if key in settings:
            raise UsageError(f"{at}: '{key}' is set twice (nothing was written)")
        settings[key] = value
    return settings


def refresh_text(
    text: str, project: Project, framework: Framework, artifact: str, where: str = "document"
) -> str:
    """`text` with each generated region rewritten for `artifact`; every other character kept.

    A UsageError naming `where` and the line refuses a text whose markers are not in order.
    """
    info = find_artifact(project, framework, artifact)
    return _refresh(text, regions_for(project, framework, info), where)


def _refresh(text: str, regions: Regions, where: str) -> str:
    # Every marker is checked before a region is written (find_regions returns a list).
    out: list[str] = []
    done = 0
    for region in find_regions(text, where):
        nl = region.newline
        body = nl + nl.join(regions.lines(region.name, region.settings)) + nl + nl
        out += [text[done : region.start], body]
        done = region.end
    out.append(text[done:])
    return "".join(out)


# --- templates ------------------------------------------------------------------------------


def builtin_templates() -> Path:
    """The bundled templates' folder (beside the bundled framework file)."""
    return data_dir() / "templates"


def template_names(root: Path) -> list[str]:
    """Every template the project can use: the built-in ones and the team's own."""
    names: set[str] = set()
    folders = [builtin_templates()]
    team = root / TEMPLATE_FOLDER
    if not os.path.islink(team):
        folders.append(team)
    for folder in folders:
        try:
            entries = os.listdir(folder)
        except OSError:
            continue
        names.update(
            n[:-3] for n in entries if n.endswith(".md") and _TEMPLATE_NAME.fullmatch(n[:-3])
        )
    return sorted(names)


def read_template(root: Path, name: str) -> tuple[str, str]:
    """A template's text and where it came from: the team's `mlpl-templates/<name>.md` in the
    project folder when there is one, else the built-in one."""
    if not _TEMPLATE_NAME.fullmatch(name):
        raise UsageError(f"'{brief(name)}' is not a template name")
    team = root / TEMPLATE_FOLDER / f"{name}.md"
    if os.path.lexists(team):
        refuse_link(root / TEMPLATE_FOLDER, "a template folder must be a real folder")
        path, shown = team, f"{TEMPLATE_FOLDER}/{name}.md"
    else:
        path, shown = builtin_templates() / f"{name}.md", f"built-in template {name}.md"
        if not path.is_file():
            raise UsageError(
                f"no template '{name}': the templates are {', '.join(template_names(root))} "
                f"(a team adds its own as {TEMPLATE_FOLDER}/NAME.md in the project folder)"
            )
    content = read_regular_file(path, MAX_TEMPLATE_BYTES, follow=False)
    return _decode(content, shown), shown


def _decode(content: bytes, where: str) -> str:
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = content.count(b"\n", 0, exc.start) + 1
        raise UsageError(f"{where}:{line}: not UTF-8 text; save the file as UTF-8") from None


# --- paths in the project -------------------------------------------------------------------


def _stays_inside(path: Path, root: Path) -> bool:
    real, top = os.path.realpath(path), os.path.realpath(root)
    return os.path.commonpath([real, top]) == top


def document_location(root: Path, typed: str, base: Path | None = None) -> str:
    """Where a new document goes, as stored: `typed` relative to `base` (default the project
    folder), refused when it leaves the project or is not a Markdown file."""
    text = typed.strip()
    if not text:
        raise UsageError("give the new document's path in the project")
    if len(urlsplit(text).scheme) > 1:
        raise UsageError(
            f"'{brief(text)}' is not a path in the project: doc new writes a Markdown file there"
        )
    top = root.absolute()
    candidate = Path(os.path.normpath((base or top).absolute() / text))
    try:
        relative = candidate.relative_to(top)
    except ValueError:
        raise UsageError(
            f"'{brief(text)}' is outside the project ({top}); write documents inside it"
        ) from None
    location = check_location(relative.as_posix())
    if not location.lower().endswith(MARKDOWN_SUFFIXES):
        raise UsageError(f"'{brief(location)}' is not a Markdown file: name it NAME.md")
    return location


def _folders(root: Path, location: str, create: bool) -> Path:
    """The path of `location` after checking (and, with `create`, making) the folders leading
    to it: each one a folder, none a link that leads out of the project."""
    folder = root
    for part in location.split("/")[:-1]:
        folder = folder / part
        if os.path.islink(folder) and not _stays_inside(folder, root):
            raise UsageError(
                f"'{brief(location)}': {folder.relative_to(root).as_posix()} is a link that "
                "leads out of the project; nothing was written"
            )
        if not os.path.lexists(folder):
            if not create:
                continue  # the folders below it will be new too
            try:
                os.mkdir(folder)
            except OSError as exc:
                raise UsageError(f"{folder}: cannot create the folder ({exc.strerror})") from None
        elif not os.path.isdir(folder):
            raise UsageError(f"{folder} is not a folder: choose another path for the document")
    if os.path.lexists(folder) and not _stays_inside(folder, root):
        raise UsageError(f"'{brief(location)}' leads out of the project; nothing was written")
    return root / location


def _experiment_location(path: str, experiment: Experiment) -> str:
    """`docs/model-report.md` for experiment 3fa2 is `docs/model-report-3fa2.md`."""
    head, dot, suffix = path.rpartition(".")
    if not dot or "/" in suffix:
        return f"{path}-{experiment.id}.md"
    return f"{head}-{experiment.id}.{suffix}"


def _with_experiment(text: str, experiment: Experiment, where: str) -> str:
    """The template with its experiments region limited to `experiment`."""
    region = next((r for r in find_regions(text, where) if r.name == "experiments"), None)
    if region is None:
        raise UsageError(
            f"{where} has no experiments region ('<!-- mlpl:begin experiments -->'), so it "
            "cannot report on one experiment: leave out --experiment"
        )
    if region.settings:
        return text  # the template already names its experiment
    if not _SETTING_VALUE.fullmatch(experiment.id):
        raise UsageError(f"experiment id '{brief(experiment.id)}' cannot be written in a marker")
    lines = list(_lines(text))
    _number, offset, line = lines[region.line - 1]
    marker = line.rstrip("\n").removesuffix("\r")
    ending = line[len(marker) :]
    at = marker.rindex("-->")
    new = f"{marker[:at].rstrip()} experiment={experiment.id} {marker[at:]}"
    return text[:offset] + new + ending + text[offset + len(line) :]


def create_document(
    project: Project,
    framework: Framework,
    root: Path,
    artifact_id: str,
    path: str | None = None,
    experiment: str | None = None,
    *,
    base: Path | None = None,
) -> str:
    """Write a new document for an artifact from its template and return its location.

    `path` (relative to `base`, default the project folder `root`) defaults to the artifact's
    declared path; with `experiment`, the report covers that experiment only and its default
    path gains the experiment's id. Never writes over a file or through a link; the caller
    attaches the location (`artifacts.attach`).
    """
    info = find_artifact(project, framework, artifact_id)
    declared = info.declared
    if declared is None or not declared.template:
        with_templates = [a.id for a in framework.artifacts.values() if a.template]
        raise UsageError(
            f"artifact {info.id} has no template; these have one: {', '.join(with_templates)}"
        )
    found = (
        find_record(project.experiments, experiment, "experiment")
        if experiment is not None
        else None
    )
    if path is None:
        if not declared.path:
            raise UsageError(
                f"artifact {info.id} has no default path: give one, e.g. 'mlpl-tui doc new "
                f"{info.id} docs/{info.id}.md'"
            )
        path = declared.path if found is None else _experiment_location(declared.path, found)
        base = None
    location = document_location(root, path, base)
    text, where = read_template(root, declared.template)
    if found is not None:
        text = _with_experiment(text, found, where)
    regions = regions_for(project, framework, info)
    regions.pending = (info.id, location)
    content = _refresh(text, regions, where).encode("utf-8")
    target = _folders(root, location, create=False)
    if os.path.islink(target):
        refuse_link(target, "refusing to write a document there")
    if os.path.lexists(target):
        raise UsageError(
            f"{location} exists: 'mlpl-tui doc refresh {info.id}' updates its generated parts "
            "(attach it first with 'mlpl-tui artifact attach' if it is not attached)"
        )
    write_file(_folders(root, location, create=True), content)
    return location


# --- refreshing -----------------------------------------------------------------------------


def attach_rule(artifact_id: str, location: str) -> Callable[[Project, Framework, Context], Change]:
    """The change that attaches a document just written (nothing when it is attached already,
    e.g. attached before its file was written)."""

    def rule(project: Project, framework: Framework, ctx: Context) -> Change:
        if location in find_artifact(project, framework, artifact_id).locations:
            return Change("artifact.attach", "", [])
        return attach(project, framework, ctx, artifact_id, location)

    return rule


def is_document(location: str) -> bool:
    """True for an attached Markdown file (not a URL, not another kind of file)."""
    return not is_url(location) and location.lower().endswith(MARKDOWN_SUFFIXES)


@dataclass(frozen=True)
class Planned:
    """A document's refreshed bytes, and whether they differ from what is on disk."""

    location: str
    path: Path
    content: bytes
    changed: bool


def plan_refresh(root: Path, location: str, regions: Regions) -> Planned:
    """The refreshed bytes of one attached document; a UsageError when it cannot be refreshed
    (missing, a link, outside the project, markers out of order)."""
    if check_location(location) != location:  # a record planted by hand, not by attach
        raise UsageError(f"'{brief(location)}' is not a path in the project; not refreshed")
    path = root / location
    if not _stays_inside(path.parent, root):
        raise UsageError(f"{location}: its folder leads out of the project; it was not refreshed")
    if not os.path.lexists(path):
        raise UsageError(
            f"{location} is attached but missing: restore it from git, or write it again with "
            "'mlpl-tui doc new'"
        )
    content = read_regular_file(path, MAX_DOCUMENT_BYTES, follow=False)
    text = _decode(content, location)
    data = _refresh(text, regions, location).encode("utf-8")
    return Planned(location, path, data, data != content)


def documents_of(info: ArtifactInfo) -> list[str]:
    return [x for x in info.locations if is_document(x)]


def refresh_artifact(
    project: Project, framework: Framework, root: Path, artifact_id: str
) -> list[str]:
    """Refresh the generated regions of every Markdown document attached to an artifact and
    return the locations rewritten. All are checked before any is written: a refusal leaves
    every file as it was."""
    info = find_artifact(project, framework, artifact_id)
    documents = documents_of(info)
    if not documents:
        raise UsageError(
            f"no Markdown document is attached to {info.id}: 'mlpl-tui doc new {info.id}' "
            "writes one"
        )
    regions = regions_for(project, framework, info)
    plans = [plan_refresh(root, x, regions) for x in documents]
    return write_planned(plans)


def write_planned(plans: Sequence[Planned]) -> list[str]:
    written = []
    for plan in plans:
        if plan.changed:
            write_file(plan.path, plan.content)
            written.append(plan.location)
    return written


@dataclass(frozen=True)
class RefreshAll:
    """What `doc refresh --all` did: documents rewritten, left unchanged and refused (why)."""

    written: list[str]
    unchanged: list[str]
    refused: list[str]


def refresh_all(project: Project, framework: Framework, root: Path) -> RefreshAll:
    """Refresh every attached Markdown document, each on its own: one refused file does not
    keep the others from being refreshed."""
    view = ReportView(project, framework)
    written: list[str] = []
    unchanged: list[str] = []
    refused: list[str] = []
    for info in artifact_infos(project, framework):
        regions = regions_for(project, framework, info, view)
        for location in documents_of(info):
            try:
                done = write_planned([plan_refresh(root, location, regions)])
            except UsageError as exc:
                refused.append(str(exc))
                continue
            (written if done else unchanged).append(location)
    return RefreshAll(written, unchanged, refused)
