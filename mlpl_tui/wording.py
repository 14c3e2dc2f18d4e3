"""Shared text helpers: how statuses, times, counts and long text are written everywhere."""

from __future__ import annotations

from mlpl_tui import clock

# The lifecycle's stages in order; every framework has exactly these (framework.py checks).
STAGE_ORDER: tuple[str, ...] = ("business", "data", "modelling", "delivery")

# A module's status as a mark that reads without colour (lists, CLI status, dialogs).
STATUS_MARKS: dict[str, str] = {
    "todo": "[ ]",
    "doing": "[~]",
    "done": "[x]",
    "skipped": "[-]",
    "revisit": "[!]",
}

# An experiment's status as a mark; a different vocabulary from a module's.
EXPERIMENT_MARKS: dict[str, str] = {"running": "[~]", "kept": "[+]", "abandoned": "[-]"}

# A module's status as a symbol and words, for reports read by people.
STATUS_WORDS: dict[str, str] = {
    "todo": "○ to do",
    "doing": "◐ doing",
    "done": "✓ done",
    "skipped": "⤼ skipped",
    "revisit": "↺ revisit",
}

ELLIPSIS = "…"


def stage_rank(stage: str) -> int:
    """A stage's position (1-4) for sorting; an unknown stage sorts after every known one."""
    return STAGE_ORDER.index(stage) + 1 if stage in STAGE_ORDER else len(STAGE_ORDER) + 1


def stage_name(stage_id: str) -> str:
    """A stage's short name for narrow places: `data` -> `Data`."""
    return stage_id.capitalize()


def short_title(title: str) -> str:
    """The first part of a stage title: "Data Acquisition and Understanding" -> "Data
    Acquisition"."""
    return title.split(" and ")[0]


def status_mark(status: str) -> str:
    """`[x]` for done, `[?]` for a status the program does not know."""
    return STATUS_MARKS.get(status, "[?]")


def experiment_mark(status: str) -> str:
    """`[+]` for kept, `[?]` for a status the program does not know."""
    return EXPERIMENT_MARKS.get(status, "[?]")


def status_word(status: str, unknown: str | None = None) -> str:
    """`✓ done`; an unknown status shows as `unknown`, or as itself when that is None."""
    return STATUS_WORDS.get(status, status if unknown is None else unknown)


def plural(n: int, noun: str, plural: str | None = None) -> str:
    """'1 visit', '2 visits': a number and a noun that agrees with it."""
    return f"{n} {noun}" if n == 1 else f"{n} {plural or noun + 's'}"


def shown_time(iso: str | None, missing: str = "", *, zone: bool = False) -> str:
    """`2026-03-02T10:00:00Z` as `2026-03-02 11:00` in the local zone (Paris here; with
    `zone`, `2026-03-02 11:00 CET`); `missing` when there is no time."""
    return clock.shown_time(iso, missing, zone=zone)


def shown_date(iso: str | None) -> str:
    """`2026-03-02T23:30:00Z` as its local day: `2026-03-03` in Auckland, `2026-03-02` in UTC."""
    return clock.shown_date(iso)


def zone_note(at: str | None = None) -> str:
    """`times in CET`: the zone shown times are in, said once above a list of them."""
    return f"times in {clock.zone_label(at)}"


def truncate(text: str, width: int) -> str:
    """`text` cut to at most `width` characters, the cut marked with an ellipsis."""
    return text if len(text) <= width else text[: width - 1] + ELLIPSIS


def one_line(text: str, width: int) -> str:
    """`text` with its white space folded to single spaces, then truncated to `width`."""
    return truncate(" ".join(text.split()), width)
