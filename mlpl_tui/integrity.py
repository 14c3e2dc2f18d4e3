"""Integrity checks over a project's records, for `validate`, CI and pre-commit hooks."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from mlpl_tui.framework import Framework
from mlpl_tui.history import record_changes
from mlpl_tui.model import (
    Decision,
    EffortEntry,
    Project,
    StateError,
    Switch,
    Visit,
    check_records,
)
from mlpl_tui.progress import unknown_module_ids
from mlpl_tui.wording import truncate

# Git writes its markers at the start of a line; inside a JSON value they show up after an
# escaped newline or the opening quote (a run of '=' alone is too common in notes to count there).
_MARKER = re.compile(rb"^(<{7}|={7}|>{7})(?: |$)|(?:\\n|\")(<{7}|>{7}) ", re.MULTILINE)


# Where a problem's text says its line: a conflict marker ("line 12: ..."), a JSON syntax
# error ("... line 12 column 3 (char 240)") or a conflict found while parsing ("mlpl.json:12: ").
_SAID_LINE = re.compile(
    r"^line (\d+):|\bline (\d+) column \d+|:(\d+): unresolved git conflict markers"
)
_QUOTED = re.compile(r"'([^'\n]{1,200})'")


@dataclass(frozen=True)
class Problem:
    """One finding: an error makes `validate` fail, a warning does not."""

    level: str  # "error" or "warning"
    text: str


def check(project: Project, framework: Framework) -> list[Problem]:
    """Everything wrong with the project, errors first; an empty list means it is sound."""
    unreadable = [Problem("error", str(exc)) for exc in check_records(project.tables)]
    if unreadable:
        return unreadable  # the checks below need readable records
    try:
        project.meta  # noqa: B018 - reading it checks it
    except StateError as exc:
        return [Problem("error", str(exc))]
    errors = [
        *_check_visits(project.visits, framework),
        *_check_decisions(project.decisions),
        *_check_switches(project.switches, framework),
        *_check_effort(project, project.effort, framework),
        *_check_conflicts(project),
        *_check_questions(project, framework),
    ]
    warnings = [
        Problem("warning", f"module '{m}' is not in the framework; its record is kept")
        for m in unknown_module_ids(project, framework)
    ] + [Problem("warning", w) for w in _unknown_module_references(project, framework)]
    warnings += [Problem("warning", w) for w in _check_history(project)]
    warnings += [Problem("warning", w) for w in _check_run_links(project)]
    return [Problem("error", e) for e in errors] + warnings


def _check_history(project: Project) -> list[str]:
    """Events whose record of what they wrote cannot be read: they cannot be undone."""
    found = []
    for event in project.events:
        if event.changes is not None and record_changes(event) is None:
            found.append(
                f"history event '{event.id}' has a damaged record of what it wrote; it cannot "
                "be undone (restore mlpl.json from git to repair it)"
            )
        if event.reverts and project.event(event.reverts) is None:
            found.append(
                f"history event '{event.id}' reverts event '{event.reverts}', which is missing"
            )
    return found


def _check_run_links(project: Project) -> list[str]:
    """Linked runs whose experiment is missing (a merge or a hand edit): kept, worth knowing."""
    found = []
    for link in project.run_links:
        if project.experiment(link.experiment) is None:
            ref, experiment = truncate(link.id, 60), truncate(link.experiment, 40)
            found.append(
                f"run '{ref}' is linked to experiment '{experiment}', which does not exist; "
                f"unlink it with 'mlpl-tui experiment unlink {experiment} {ref}' "
                "(or restore the experiment from git)"
            )
    return found


def conflict_markers(content: bytes) -> list[Problem]:
    """Git conflict markers left in the file's bytes, one problem per marker line."""
    if b"<<<<<<<" not in content and b">>>>>>>" not in content:
        return []  # the common case, without a pass of the expression over the whole file
    problems = []
    for match in _MARKER.finditer(content):
        line = content.count(b"\n", 0, match.start()) + 1
        marker = (match.group(1) or match.group(2)).decode()
        problems.append(
            Problem(
                "error",
                f"line {line}: git conflict marker '{marker}' left from a merge; run "
                "'mlpl-tui resolve' (or restore the file from git)",
            )
        )
    return problems


def _check_questions(project: Project, framework: Framework) -> list[str]:
    numbers = [q.number for q in framework.exploration_questions]
    return [
        f"question '{n}': the framework has no question {n} (it has {numbers[0]}-{numbers[-1]})"
        for n in sorted(project.answers)
        if n not in numbers
    ]


def _check_conflicts(project: Project) -> list[str]:
    problems = []
    for c in project.conflicts:
        if c.resolved:
            continue
        if c.record not in project.raw(c.table):
            problems.append(
                f"conflict '{c.id}' points at {c.table} record '{c.record}', which does not exist"
            )
            continue
        problems.append(
            f"unresolved merge conflict '{c.id}': {c.table} '{c.record}' {c.field} is "
            f"{_value(c.value(c.kept))} ({c.kept}); the other side had "
            f"{_value(c.value('theirs' if c.kept == 'ours' else 'ours'))}: choose with "
            f"'mlpl-tui conflicts keep {c.id} ours|theirs'"
        )
    return problems


def _value(value: object) -> str:
    return truncate(repr(value), 40)


def _unknown_module_references(project: Project, framework: Framework) -> list[str]:
    """Records naming a module the framework does not have: kept, and worth knowing."""
    known = framework.modules
    found = []
    for kind, records in (
        ("decision", project.decisions),
        ("effort entry", project.effort),
        ("experiment", project.experiments),
    ):
        for r in records:
            if r.module is not None and r.module not in known:
                found.append(f"{kind} '{r.id}' names module '{r.module}', not in the framework")
    for s in project.switches:
        for m in (s.to_module, *s.revisit):
            if m is not None and m not in known:
                found.append(f"switch '{s.id}' names module '{m}', not in the framework")
    return found


def _stage_known(framework: Framework, stage: str | None) -> bool:
    return stage is None or stage in {s.id for s in framework.stages}


def _check_visits(visits: tuple[Visit, ...], framework: Framework) -> list[str]:
    if not visits:
        return ["no visits: the project has no current stage"]
    problems = [
        f"visit '{v.id}': unknown stage '{v.stage}'"
        for v in visits
        if not _stage_known(framework, v.stage)
    ]
    open_visits = [v for v in visits if v.left_at is None]
    if len(open_visits) > 1:
        problems.append("more than one open visit: " + ", ".join(v.id for v in open_visits))
    if not open_visits and visits[-1].outcome != "accepted":
        problems.append(f"no open visit, and the last visit '{visits[-1].id}' was not accepted")
    return problems


def _check_decisions(decisions: tuple[Decision, ...]) -> list[str]:
    by_id = {d.id: d for d in decisions}
    problems = []
    for d in decisions:
        if d.supersedes is not None:
            old = by_id.get(d.supersedes)
            if old is None:
                problems.append(
                    f"decision '{d.id}' supersedes '{d.supersedes}', which does not exist"
                )
            elif old.superseded_by != d.id:
                problems.append(
                    f"decision '{d.supersedes}' does not link back to '{d.id}' (superseded_by)"
                )
        if d.superseded_by is not None:
            new = by_id.get(d.superseded_by)
            if new is None:
                problems.append(
                    f"decision '{d.id}' is superseded by '{d.superseded_by}', which does not exist"
                )
            elif new.supersedes != d.id:
                problems.append(
                    f"decision '{d.superseded_by}' does not link back to '{d.id}' (supersedes)"
                )
    return problems


def _check_switches(switches: tuple[Switch, ...], framework: Framework) -> list[str]:
    problems = []
    categories = {c.id for c in framework.switch_categories}
    for s in switches:
        for stage in (s.from_stage, s.to_stage):
            if not _stage_known(framework, stage):
                problems.append(f"switch '{s.id}': unknown stage '{stage}'")
        if s.category not in categories:
            problems.append(f"switch '{s.id}': unknown category '{s.category}'")
    return problems


def _check_effort(
    project: Project, effort: tuple[EffortEntry, ...], framework: Framework
) -> list[str]:
    problems = []
    switch_ids = {s.id for s in project.switches}
    experiment_ids = {e.id for e in project.experiments}
    for v in project.visits:
        if v.switch is not None and v.switch not in switch_ids:
            problems.append(f"visit '{v.id}' points at switch '{v.switch}', which does not exist")
    for e in effort:
        if not _stage_known(framework, e.stage):
            problems.append(f"effort entry '{e.id}': unknown stage '{e.stage}'")
        if e.experiment is not None and e.experiment not in experiment_ids:
            problems.append(
                f"effort entry '{e.id}' points at experiment '{e.experiment}', which does not exist"
            )
    return problems


def problem_line(text: str, content: bytes) -> int | None:
    """The line of the file a problem is about, when cheap to tell: the line its text names,
    else the line where the first record it names by id ('abc123') starts; None otherwise."""
    said = _SAID_LINE.search(text)
    if said is not None:
        return int(next(g for g in said.groups() if g is not None))
    for id in _QUOTED.findall(text):
        key = json.dumps(id, ensure_ascii=False).encode()
        # A record is a key whose value is an object: `"id": {` (the store writes it so).
        found = re.search(rb"^[ \t]*" + re.escape(key) + rb"[ \t]*:[ \t]*\{", content, re.M)
        if found is not None:
            return content.count(b"\n", 0, found.start()) + 1
    return None
