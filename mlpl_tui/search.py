"""Global search: words in every text a user typed, in the records as they are and in the history.

A record matches when every word appears in its texts (case-insensitive, in any order, as
parts of words: `leak` finds "leaked"). The records searched: modules (note, skip reason),
decisions (title, context, decision, rationale), experiments (title, hypothesis, link, result,
reason), the answers to the exploration questions (note), lifecycle switches (reason), effort
entries (note), learnings (text) and attached artifacts (a free one's title, every location).
Then every history event: its summary and every text value it wrote or replaced, whole
(history.field_changes), so a word cut from a summary or overwritten since is still found.
Who and when (`by`, `at`, `updated_by`, ...) are not searched: every record has them, and a hit
shows them anyway.

Current records come first, newest change first, then the history, newest first. At most `limit`
hits are built (the total is always counted); each says where it opens in the app (`Target`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import NamedTuple

from mlpl_tui.errors import UsageError
from mlpl_tui.figures import module_title
from mlpl_tui.framework import Framework
from mlpl_tui.history import field_changes
from mlpl_tui.model import EffortEntry, Event, Project, Switch
from mlpl_tui.progress import format_minutes
from mlpl_tui.wording import ELLIPSIS, STAGE_ORDER, one_line

MAX_HITS = 200  # hits built and listed by default; the total counts them all
SNIPPET_CHARS = 80  # the most characters of a snippet, ellipses included
TITLE_CHARS = 70  # the most characters of a hit's title
CONTEXT_BEFORE = 24  # characters shown before the first match (a third of a narrow snippet)
DECISION_FIELDS = ("title", "context", "decision", "rationale")
EXPERIMENT_FIELDS = ("title", "hypothesis", "link", "result", "reason")
KINDS = (
    "module",
    "decision",
    "experiment",
    "switch",
    "answer",
    "effort",
    "learning",
    "artifact",
    "event",
)
# Who and when: on every record and every event, shown with a hit, never searched.
STAMPS = frozenset(
    {
        "at",
        "by",
        "created_at",
        "created_by",
        "updated_at",
        "updated_by",
        "attached_at",
        "attached_by",
        "entered_at",
        "entered_by",
        "left_at",
        "resolved_at",
        "resolved_by",
        "ours_at",
        "ours_by",
        "theirs_at",
        "theirs_by",
    }
)


@dataclass(frozen=True)
class Target:
    """Where a hit opens in the app: a main screen (an app mode) and what to highlight there.

    `mode` is `dashboard`, `decisions`, `experiments`, `effort`, `history` or `stage-<id>`;
    `kind` names what `id` is (`module`, `decision`, `experiment`, `effort`, `visit`, `event`,
    `question`) or is None when there is nothing to highlight.
    """

    mode: str
    kind: str | None = None
    id: str | None = None


@dataclass(frozen=True)
class Hit:
    """One record (or history event) that holds every word, and where the words are."""

    kind: str  # one of KINDS; `event` is a history event
    id: str  # the record's id (a module's id, a question's number); an event's for the history
    field: str  # where the words are: `reason`; in the history `summary` or `switches.reason`
    title: str  # what the record is, on one line: a decision's title, an event's summary
    snippet: str  # one line around the first match, at most SNIPPET_CHARS characters
    target: Target
    at: str | None = None  # when the event happened (history hits only)
    by: str | None = None  # who made the change (history hits only)
    old: bool = False  # history: the words are in a value the event replaced, not one it wrote

    @property
    def in_history(self) -> bool:
        return self.kind == "event"


class Hits(list[Hit]):
    """The hits built (at most the limit asked for), the total found, and the words as given."""

    def __init__(self, hits: Iterable[Hit], total: int, words: Sequence[str]) -> None:
        super().__init__(hits)
        self.total = total
        self.words = tuple(words)

    @property
    def complete(self) -> bool:
        """True when every hit found is listed."""
        return len(self) == self.total


def search_words(text: str | Sequence[str]) -> list[str]:
    """The words of a query: each argument split at white space, empty ones dropped."""
    parts = [text] if isinstance(text, str) else list(text)
    return [word for part in parts for word in part.split()]


def search(
    project: Project,
    framework: Framework,
    words: Sequence[str],
    limit: int = MAX_HITS,
    width: int = SNIPPET_CHARS,
) -> Hits:
    """Every record and history event holding all of `words`; at most `limit` hits built, each
    with a snippet of at most `width` characters.

    Raises UsageError when `words` holds no word.
    """
    given = search_words(words)
    query = [w.lower() for w in given]
    if not query:
        raise UsageError("search needs at least one word to look for")
    found = sorted(_current(project, query), key=lambda m: m.stamp, reverse=True)
    for event in reversed(project.events):
        match = _event_match(event, query)
        if match is not None:
            found.append(match)
    describer = _Describer(project, framework)
    hits = [describer.hit(m, query, width) for m in found[: max(limit, 0)]]
    return Hits(hits, len(found), given)


# --- matching ------------------------------------------------------------------------------------


class _Match(NamedTuple):
    """A record that holds every word, before its hit is built (only the listed ones are)."""

    stamp: str
    kind: str
    id: str
    field: str
    text: str
    record: object
    old: bool = False


def _best_field(texts: Sequence[tuple[str, str]], words: Sequence[str]) -> int | None:
    """The position in `texts` of the field holding the most of `words` (the first of equals),
    or None unless every word is in one field or another."""
    haystack = "\n".join(text for _, text in texts).lower()  # a word holds no white space
    if not all(w in haystack for w in words):
        return None
    counts = [sum(w in text.lower() for w in words) if text else 0 for _, text in texts]
    return counts.index(max(counts))


def _current(project: Project, words: Sequence[str]) -> list[_Match]:
    found: list[_Match] = []

    def look(kind: str, id: str, stamp: str, record: object, *texts: tuple[str, str]) -> None:
        best = _best_field(texts, words)
        if best is not None:
            found.append(_Match(stamp, kind, id, *texts[best], record))

    for m in project.modules.values():
        look("module", m.id, m.updated_at, m, ("note", m.note), ("reason", m.reason))
    for d in project.decisions:
        texts = [(name, getattr(d, name)) for name in DECISION_FIELDS]
        look("decision", d.id, d.created_at, d, *texts)
    for e in project.experiments:
        texts = [(name, getattr(e, name)) for name in EXPERIMENT_FIELDS]
        look("experiment", e.id, e.updated_at or e.created_at, e, *texts)
    for s in project.switches:
        look("switch", s.id, s.at, s, ("reason", s.reason))
    for number, a in project.answers.items():
        look("answer", str(number), a.updated_at, a, ("note", a.note))
    for entry in project.effort:
        look("effort", entry.id, entry.at, entry, ("note", entry.note))
    for learning in project.learnings:
        stamp = learning.updated_at or learning.created_at
        look("learning", learning.id, stamp, learning, ("text", learning.text))
    for link in project.artifact_links.values():
        texts = [("title", link.title), *(("location", x) for x in link.locations)]
        look("artifact", link.id, link.updated_at or link.attached_at, link, *texts)
    return found


def _event_match(event: Event, words: Sequence[str]) -> _Match | None:
    texts: list[tuple[str, str]] = [("summary", event.summary)]
    replaced: set[int] = set()  # positions in `texts` of values the event replaced
    for change in field_changes(event):
        if change.field in STAMPS:
            continue
        name = f"{change.table}.{change.field}"
        for value, before in ((change.after, False), (change.before, True)):
            if isinstance(value, str) and value:
                if before:
                    replaced.add(len(texts))
                texts.append((name, value))
    best = _best_field(texts, words)
    if best is None:
        return None
    return _Match(event.at, "event", event.id, *texts[best], event, best in replaced)


# --- building hits --------------------------------------------------------------------------------


def snippet(text: str, words: Sequence[str], width: int = SNIPPET_CHARS) -> str:
    """One line of `text` around the first of `words` found, at most `width` characters.

    White space (newlines too) is folded to single spaces; a cut end is marked with an ellipsis.
    """
    line = " ".join(text.split())
    if len(line) <= width:
        return line
    first = _first_position(line, words)
    # Some context before the match, more near the end of the text (the width is filled).
    before = min(CONTEXT_BEFORE, width // 3)
    start = max(0, min(first - before, len(line) - (width - 1)))
    if start and line[start - 1] != " ":
        space = line.find(" ", start, first)  # begin at a word when one starts before the match
        if space != -1:
            start = space + 1
    head = ELLIPSIS if start else ""
    room = width - len(head)
    if len(line) - start <= room:
        return head + line[start:]
    return head + line[start : start + room - 1] + ELLIPSIS


def _first_position(line: str, words: Sequence[str]) -> int:
    low = line.lower()
    if len(low) == len(line):
        positions = [low.find(w) for w in words]
    else:  # lowering changed the length (a few letters do): find the words case-insensitively
        positions = [
            m.start() if (m := re.search(re.escape(w), line, re.IGNORECASE)) else -1 for w in words
        ]
    found = [p for p in positions if p >= 0]
    return min(found) if found else 0


class _Describer:
    """Titles and targets of hits; the lookups are built once, and only when needed."""

    def __init__(self, project: Project, framework: Framework) -> None:
        self.project, self.framework = project, framework

    @cached_property
    def _switches(self) -> dict[str, Switch]:
        return {s.id: s for s in self.project.switches}

    @cached_property
    def _visits_by_switch(self) -> dict[str, str]:
        return {v.switch: v.id for v in self.project.visits if v.switch}

    @cached_property
    def _effort(self) -> dict[str, EffortEntry]:
        return {e.id: e for e in self.project.effort}

    def hit(self, match: _Match, words: Sequence[str], width: int) -> Hit:
        title, target = self._describe(match)
        record = match.record
        at, by = (record.at, record.by) if isinstance(record, Event) else (None, None)
        return Hit(
            kind=match.kind,
            id=match.id,
            field=match.field,
            title=one_line(title, TITLE_CHARS),
            snippet=snippet(match.text, words, width),
            target=target,
            at=at,
            by=by,
            old=match.old,
        )

    def _describe(self, match: _Match) -> tuple[str, Target]:
        """The hit's title and where it opens."""
        project, framework = self.project, self.framework
        record, kind, id = match.record, match.kind, match.id
        if isinstance(record, Event):
            return record.summary or record.action, Target("history", "event", id)
        if kind == "module":
            module = framework.modules.get(id)
            stage = module.stage if module is not None else id.split(".", 1)[0]
            mode = f"stage-{stage}" if stage in STAGE_ORDER else "dashboard"
            return module_title(framework, id), Target(mode, "module", id)
        if kind == "decision":
            decision = project.decision(id)
            return (decision.title if decision else id), Target("decisions", "decision", id)
        if kind == "experiment":
            experiment = project.experiment(id)
            target = Target("experiments", "experiment", id)
            return (experiment.title if experiment else id), target
        if kind == "switch":
            visit = self._visits_by_switch.get(id)
            target = Target("history", "visit", visit) if visit else Target("history")
            switch = self._switches.get(id)
            if switch is None:
                return id, target
            where = switch.to_module or switch.to_stage
            return f"Back from {switch.from_stage} to {where} ({switch.category})", target
        if kind == "learning":
            learning = project.learning(id)
            text = one_line(learning.text, 80) if learning else id
            return text, Target("learnings", "learning", id)
        if kind == "artifact":
            declared = framework.artifacts.get(id)
            link = project.artifact_links.get(id)
            title = declared.title if declared else (link.title if link and link.title else id)
            filed = declared.stage if declared else (link.stage if link else None)
            mode = f"stage-{filed}" if filed in STAGE_ORDER else "dashboard"
            return title, Target(mode, "artifact", id)
        if kind == "answer":
            questions = {str(q.number): q.text for q in framework.exploration_questions}
            title = f"Question {id}" + (f": {questions[id]}" if id in questions else "")
            return title, Target("dashboard", "question", id)
        target = Target("effort", "effort", id)
        entry = self._effort.get(id)
        if entry is None:
            return id, target
        where = entry.module or entry.stage
        return f"{format_minutes(entry.minutes)} on {where} for {entry.on}", target
